"""One clear figure per CRM concept, readable on a classroom projector.

Every function is called ``plot_<figure>`` (``plot_whale_curve`` draws the table
:func:`crmlab.tiers.whale_curve` computes), takes the table a crmlab function
returned, draws on ``ax`` (a new figure when ``ax=None``) and returns the
matplotlib Axes. Plots only display:
the numbers come from the pure functions in :mod:`crmlab.rfm`,
:mod:`crmlab.tiers`, :mod:`crmlab.lifecycle`, :mod:`crmlab.kpi` and
:mod:`crmlab.clv`.

Example
-------
>>> import pandas as pd
>>> from crmlab import tiers
>>> ax = plot_whale_curve(tiers.whale_curve(pd.Series([50., 30., 20., -10.])))
>>> ax.get_ylabel()
'cumulative share of total profit (%)'
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import CRMDataError, check_positive

__all__ = ["plot_rfm_heatmap", "plot_tier_grid", "plot_whale_curve", "plot_cohort_curves", "plot_kpi_trends",
           "plot_p_alive_matrix", "TITLE_SIZE", "LABEL_SIZE", "TICK_SIZE"]

TITLE_SIZE = 16
LABEL_SIZE = 14
TICK_SIZE = 12
ANNOTATION_SIZE = 11


def _axes(ax, figsize=(8, 6)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def _style(ax, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)


def _need(df, name: str, cols) -> None:
    if not isinstance(df, pd.DataFrame):
        raise CRMDataError(name, "must be a DataFrame", detail=f"got {type(df).__name__}")
    for c in cols:
        if c not in df.columns:
            raise CRMDataError(c, f"missing column in {name}", detail=f"columns present: {list(df.columns)}")


def _annotate_grid(ax, values: np.ndarray, fmt: str, labels: np.ndarray | None = None) -> None:
    finite = values[np.isfinite(values)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            text = "–" if not np.isfinite(v) else format(v, fmt)
            if labels is not None:
                text = f"{labels[i, j]}\n{text}"
            colour = "white" if np.isfinite(v) and v > mid else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=ANNOTATION_SIZE, color=colour)


def plot_rfm_heatmap(rfm: pd.DataFrame, value: str | None = "monetary", *, ax=None):
    """R score × F score grid coloured by the mean of ``value`` (or customer counts).

    Parameters
    ----------
    rfm : DataFrame
        Output of :func:`crmlab.rfm.rfm_table`.
    value : str or None
        Column averaged in each cell (e.g. ``"monetary"``); ``None`` counts customers.
    """
    _need(rfm, "rfm", ["r_score", "f_score"] + ([value] if value else []))
    ax = _axes(ax)
    bins = int(max(rfm["r_score"].max(), rfm["f_score"].max(), 5))
    r_levels = np.arange(bins, 0, -1)
    f_levels = np.arange(1, bins + 1)
    if value is None:
        grid = rfm.groupby(["r_score", "f_score"]).size()
        label, fmt = "customers", "d"
    else:
        grid = rfm.groupby(["r_score", "f_score"])[value].mean()
        label, fmt = f"mean {value}", ".1f"
    table = grid.unstack("f_score").reindex(index=r_levels, columns=f_levels).to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(table), cmap="viridis", aspect="auto")
    if value is None:
        table = np.where(np.isfinite(table), table, 0.0)
        _annotate_grid(ax, table.astype(int).astype(float), ".0f")
    else:
        _annotate_grid(ax, table, fmt)
    ax.set_xticks(range(len(f_levels)), [str(f) for f in f_levels])
    ax.set_yticks(range(len(r_levels)), [str(r) for r in r_levels])
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label(label, fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=TICK_SIZE)
    _style(ax, f"RFM grid: {label} by recency and frequency score",
           "F score (1 = fewest orders, 5 = most)", "R score (5 = most recent)")
    return ax


def plot_tier_grid(tiers: pd.DataFrame, *, ax=None):
    """The five-tier 3×3 grid (amount × purchase cycle) with the customer count in each cell.

    Parameters
    ----------
    tiers : DataFrame
        Output of :func:`crmlab.tiers.five_tier`.
    """
    from crmlab.tiers import TIER_GRID

    _need(tiers, "tiers", ["cycle_class", "amount_class"])
    ax = _axes(ax)
    amounts, cycles = ["large", "medium", "small"], ["short", "medium", "long"]
    counts = (tiers.groupby(["amount_class", "cycle_class"]).size().unstack("cycle_class")
              .reindex(index=amounts, columns=cycles).fillna(0).to_numpy(dtype=float))
    names = np.array([[TIER_GRID[(a, c)] for c in cycles] for a in amounts], dtype=object)
    image = ax.imshow(counts, cmap="Blues", aspect="auto")
    total = counts.sum()
    mid = (counts.min() + counts.max()) / 2
    for i in range(3):
        for j in range(3):
            share = 100 * counts[i, j] / total if total > 0 else 0.0
            ax.text(j, i, f"{names[i, j]}\n{int(counts[i, j])} ({share:.0f}%)", ha="center", va="center",
                    fontsize=ANNOTATION_SIZE, color="white" if counts[i, j] > mid else "black")
    ax.set_xticks(range(3), cycles)
    ax.set_yticks(range(3), amounts)
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label("customers", fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=TICK_SIZE)
    _style(ax, "Five tiers: customers per cell (count, % of all)",
           "average purchase cycle (days, tertile class)", "average amount per purchase (class)")
    return ax


def plot_whale_curve(curve: pd.DataFrame | pd.Series, *, ax=None):
    """Whale curve: cumulative % of total profit against % of customers (most profitable first).

    Parameters
    ----------
    curve : DataFrame or Series
        Output of :func:`crmlab.tiers.whale_curve`, or a profit Series (the
        curve is then computed).
    """
    from crmlab import tiers as _tiers

    if isinstance(curve, pd.Series):
        curve = _tiers.whale_curve(curve)
    _need(curve, "curve", ["customer_share", "cumulative_share"])
    ax = _axes(ax)
    x = np.concatenate([[0.0], curve["customer_share"].to_numpy() * 100])
    y = np.concatenate([[0.0], curve["cumulative_share"].to_numpy() * 100])
    ax.plot(x, y, lw=2.5, color="tab:blue", label="cumulative profit")
    ax.axhline(100, color="grey", ls="--", lw=1.5, label="100% of total profit")
    peak = int(np.argmax(y))
    ax.plot([x[peak]], [y[peak]], "o", color="tab:red", ms=9, label=f"peak {y[peak]:.0f}% at {x[peak]:.0f}% of customers")
    k20 = int(np.searchsorted(x, 20.0 - 1e-9))
    if k20 < len(x):
        ax.plot([x[k20]], [y[k20]], "s", color="tab:green", ms=9, label=f"top 20% of customers: {y[k20]:.0f}%")
    ax.set_xlim(0, 100)
    ax.set_ylim(min(0.0, y.min() * 1.05), max(105.0, y.max() * 1.05))
    ax.legend(fontsize=TICK_SIZE, loc="lower right")
    ax.grid(alpha=0.3)
    _style(ax, "Whale curve of customer profitability", "customers ranked by profit (% of customers)",
           "cumulative share of total profit (%)")
    return ax


def plot_cohort_curves(cohort: pd.DataFrame, *, pooled: pd.Series | None = None, max_cohorts: int | None = 12, ax=None):
    """Retention curves, one line per acquisition cohort (share still buying k months later).

    Parameters
    ----------
    cohort : DataFrame
        Output of :func:`crmlab.lifecycle.cohort_table` (``normalize=True``).
    pooled : Series, optional
        Output of :func:`crmlab.lifecycle.retention_curve`, drawn as a thick line.
    max_cohorts : int or None
        Show at most this many cohorts (the most recent ones are dropped first
        because they have the shortest curves); ``None`` shows all.
    """
    if not isinstance(cohort, pd.DataFrame) or cohort.empty:
        raise CRMDataError("cohort", "need a non-empty cohort table from lifecycle.cohort_table")
    ax = _axes(ax)
    rows = cohort if max_cohorts is None else cohort.iloc[:max_cohorts]
    import matplotlib

    cmap = matplotlib.colormaps["viridis"]
    for i, (label, row) in enumerate(rows.iterrows()):
        ax.plot(row.index.to_numpy(dtype=float), row.to_numpy(dtype=float) * 100, lw=1.2, alpha=0.8,
                color=cmap(i / max(len(rows) - 1, 1)), label=str(label))
    if pooled is not None:
        ax.plot(pooled.index.to_numpy(dtype=float), pooled.to_numpy(dtype=float) * 100, lw=4, color="black",
                label="all cohorts")
    ax.set_ylim(0, 105)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=ANNOTATION_SIZE, ncol=2, title="cohort (first month)", title_fontsize=ANNOTATION_SIZE)
    _style(ax, "Cohort retention curves", "months since first purchase",
           "customers buying in that month (% of cohort)")
    return ax


_KPI_UNITS = {
    "active": "customers", "new": "customers", "retained": "customers", "churned": "customers",
    "orders": "orders", "revenue": "money", "gross_profit": "money", "aov": "money per order",
    "revenue_per_customer": "money per customer", "mean_clv": "money per customer",
    "retention_rate": "share", "churn_rate": "share", "conversion_rate": "share", "complaint_rate": "share",
    "satisfaction": "mean answer, 1–5", "nps": "NPS, −100…100",
}


def plot_kpi_trends(kpi: pd.DataFrame, columns=("active", "revenue", "retention_rate"), *, ax=None):
    """KPI trends over periods, one panel per KPI (each KPI keeps its own unit).

    Parameters
    ----------
    kpi : DataFrame
        Output of :func:`crmlab.kpi.kpi_table`.
    columns : str or sequence of str
        KPIs to draw.
    ax : Axes or sequence of Axes, optional
        One Axes per column.

    Returns
    -------
    Axes when one column is drawn, otherwise a NumPy array of Axes (one per KPI).
    """
    cols = [columns] if isinstance(columns, str) else list(columns)
    _need(kpi, "kpi", cols)
    if ax is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(len(cols), 1, figsize=(9, 3.2 * len(cols)), sharex=True,
                               constrained_layout=True, squeeze=False)
        axes = axes[:, 0]
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if len(axes) != len(cols):
            raise CRMDataError("ax", "need one Axes per KPI column", detail=f"{len(axes)} Axes, {len(cols)} columns")
    x = np.arange(len(kpi))
    labels = [str(p) for p in kpi.index]
    step = max(1, len(labels) // 12)
    for a, col in zip(axes, cols):
        a.plot(x, kpi[col].to_numpy(dtype=float), marker="o", lw=2)
        a.grid(alpha=0.3)
        a.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
        _style(a, col.replace("_", " "), "", _KPI_UNITS.get(col, col))
    axes[-1].set_xlabel("period", fontsize=LABEL_SIZE)
    return axes[0] if len(axes) == 1 else axes


def plot_p_alive_matrix(model, max_frequency: int, max_recency: float, T: float, *, unit: str = "weeks", ax=None):
    """Probability that a customer is alive, for every (frequency, recency) at age ``T``.

    Calls ``model.probability_alive(frequency, recency, T)`` (e.g. a fitted
    :class:`crmlab.clv.BGNBD`) on the grid frequency = 0..max_frequency,
    recency = 0..max_recency (whole time units; cells with recency > T are
    impossible and left blank). Bright = probably alive.

    Parameters
    ----------
    max_frequency : int
        Largest number of repeat purchases shown.
    max_recency, T : float
        In the model's time unit (``unit``, used in the labels).
    """
    fmax = int(max_frequency)
    if fmax < 1:
        raise CRMDataError("max_frequency", "must be ≥ 1", detail=f"got {max_frequency!r}")
    rmax = check_positive("max_recency", max_recency)
    t_age = check_positive("T", T)
    ax = _axes(ax)
    freq = np.arange(0, fmax + 1, dtype=float)
    rec = np.arange(0, int(np.floor(rmax)) + 1, dtype=float)
    F, R = np.meshgrid(freq, rec, indexing="ij")
    valid = R <= t_age
    p = np.full(F.shape, np.nan)
    result = np.asarray(model.probability_alive(F[valid], R[valid], np.full(valid.sum(), t_age)), dtype=float)
    p[valid] = result
    image = ax.imshow(np.ma.masked_invalid(p), origin="lower", aspect="auto", cmap="magma", vmin=0, vmax=1,
                      extent=(-0.5, rec[-1] + 0.5, -0.5, fmax + 0.5))
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label("P(alive)", fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=TICK_SIZE)
    _style(ax, f"Probability alive at age T = {t_age:g} {unit}",
           f"recency: age at last purchase ({unit})", "frequency (repeat purchases)")
    return ax
