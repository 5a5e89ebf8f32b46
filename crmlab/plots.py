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

__all__ = ["text_colour", "plot_rfm_heatmap", "plot_rfm_cube", "plot_tier_grid", "plot_whale_curve", "plot_cohort_curves", "plot_kpi_trends",
           "plot_kpi_dashboard", "KPI_SYSTEM", "plot_p_alive_matrix", "plot_whale_anatomy", "plot_lifecycle_funnel", "TITLE_SIZE", "LABEL_SIZE", "TICK_SIZE"]

TITLE_SIZE = 16
LABEL_SIZE = 14
TICK_SIZE = 12
ANNOTATION_SIZE = 11


def _axes(ax, figsize=(8, 6)):
    from crmlab.fonts import use_cjk_font

    use_cjk_font()                    # Chinese labels (a zh_CN dataset) drawn, not boxes
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


#: relative luminance above which black text reads better than white (see :func:`text_colour`)
_BLACK_TEXT_ABOVE = float(np.sqrt(1.05 * 0.05) - 0.05)   # ≈ 0.179


def text_colour(rgba) -> str:
    """``"black"`` or ``"white"``: the text colour that reads best on the background ``rgba``.

    ``rgba`` is any matplotlib colour (an RGB/RGBA tuple in 0..1 such as
    ``image.cmap(image.norm(v))``, a name or a hex string); a transparent
    colour is first laid over white. The rule is WCAG 2's: the **relative
    luminance** of the background,

        L = 0.2126·R + 0.7152·G + 0.0722·B,   each channel linearised:
        c_lin = c / 12.92 if c ≤ 0.04045 else ((c + 0.055) / 1.055) ** 2.4,

    and the **contrast ratio** (L_light + 0.05) / (L_dark + 0.05) with white
    (L = 1) or black (L = 0). Black wins when (L + 0.05) / 0.05 ≥ 1.05 / (L + 0.05),
    i.e. when L ≥ √(1.05 · 0.05) − 0.05 ≈ 0.179.

    Example
    -------
    >>> text_colour("white"), text_colour("#440154"), text_colour((1.0, 0.0, 0.0))  # viridis' dark purple
    ('black', 'white', 'black')
    """
    from matplotlib.colors import to_rgba

    try:
        r, g, b, a = to_rgba(rgba)
    except (ValueError, TypeError):
        raise CRMDataError("rgba", "is not a colour", detail=f"got {rgba!r}") from None
    rgb = a * np.array([r, g, b]) + (1.0 - a)            # over a white page
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ np.array([0.2126, 0.7152, 0.0722]))
    return "black" if luminance >= _BLACK_TEXT_ABOVE else "white"


def _annotate_grid(ax, values: np.ndarray, fmt: str, labels: np.ndarray | None = None, image=None) -> None:
    """Write each value (and its label) on its square, in the colour that reads on the square's colour.

    ``image`` is the ``imshow`` result that coloured the squares (default: the
    last image on ``ax``); the text colour is :func:`text_colour` of
    ``image.cmap(image.norm(value))``. Missing values (NaN) print "–" in black.
    """
    if image is None and ax.images:
        image = ax.images[-1]
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            text = "–" if not np.isfinite(v) else format(v, fmt)
            if labels is not None:
                text = f"{labels[i, j]}\n{text}"
            shown = np.isfinite(v) and image is not None
            colour = text_colour(image.cmap(image.norm(v))) if shown else "black"
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
    if value is None:
        table = np.where(np.isfinite(table), table, 0.0)     # an empty square holds 0 customers
    image = ax.imshow(np.ma.masked_invalid(table), cmap="viridis", aspect="auto")
    # each number in black or white, whichever reads on its square's colour (text_colour)
    _annotate_grid(ax, table, ".0f" if value is None else fmt, image=image)
    ax.set_xticks(range(len(f_levels)), [str(f) for f in f_levels])
    ax.set_yticks(range(len(r_levels)), [str(r) for r in r_levels])
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label(label, fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=TICK_SIZE)
    _style(ax, f"RFM grid: {label} by recency and frequency score",
           f"F score (1 = fewest orders, {bins} = most)", f"R score ({bins} = most recent)")
    return ax


def plot_rfm_cube(bins: int = 5, highlight=("555", "543", "111"), *, ax=None):
    """Diagram of the RFM cells: a bins × bins × bins cube, one small box per cell.

    F (frequency) runs to the right, R (recency) up, M (monetary) into the
    page; each axis is cut into ``bins`` scores, so there are ``bins³`` cells
    (125 for quintiles). The three visible faces are drawn (the front face is
    M = 1, the top R = ``bins``, the right side F = ``bins``); ``highlight``
    names cells to colour and label — each must lie on a visible face (R =
    bins, F = bins or M = 1).

    Parameters
    ----------
    bins : int
        Score levels, 2–9 (one digit per score in a cell code).
    highlight : sequence of str
        Cell codes such as ``"543"`` (R 5, F 4, M 3).

    Returns
    -------
    Axes with the cube (3 · bins² face squares in ``ax.collections[0]``, the
    highlighted ones in ``ax.collections[1]``), the axis names and scores as
    texts, and the title "5 × 5 × 5 = 125 RFM cells".
    """
    from matplotlib.collections import PolyCollection

    from crmlab.errors import check_int

    b = check_int("bins", bins, minimum=2, maximum=9)
    codes = [highlight] if isinstance(highlight, str) else list(highlight)
    wanted = []
    for code in codes:
        if not (isinstance(code, str) and len(code) == 3 and all(c.isdigit() and 1 <= int(c) <= b for c in code)):
            raise CRMDataError("highlight", f"must be cell codes of three scores 1–{b}", detail=f"got {code!r}")
        r, f, m = (int(c) for c in code)
        if not (r == b or f == b or m == 1):
            raise CRMDataError("highlight", f"cell is inside the cube: a shown cell has R = {b}, F = {b} or M = 1",
                               detail=f"got {code!r}")
        wanted.append((code, r, f, m))
    ax = _axes(ax, figsize=(8, 6.5))
    dx, dy = 0.45, 0.32                                   # oblique projection of one step into the page (M)

    def xy(f, r, m):                                      # cube coordinates (0..b) → page
        return (f + dx * m, r + dy * m)

    def face(kind, i, j):                                 # corners of square (i, j) on a visible face
        if kind == "front":                               # M = 1 face: i = F score, j = R score
            pts = [(i - 1, j - 1, 0), (i, j - 1, 0), (i, j, 0), (i - 1, j, 0)]
        elif kind == "top":                               # R = b face: i = F score, j = M score
            pts = [(i - 1, b, j - 1), (i, b, j - 1), (i, b, j), (i - 1, b, j)]
        else:                                             # F = b face: i = R score, j = M score
            pts = [(b, i - 1, j - 1), (b, i, j - 1), (b, i, j), (b, i - 1, j)]
        return [xy(*p) for p in pts]

    faces, shades = [], []
    for kind, shade in (("front", "#e3eef9"), ("top", "#f5f9fd"), ("right", "#c6dbef")):
        for i in range(1, b + 1):
            for j in range(1, b + 1):
                faces.append(face(kind, i, j))
                shades.append(shade)
    ax.add_collection(PolyCollection(faces, facecolors=shades, edgecolors="#4a6f95", linewidths=1.0))
    marked = []
    for code, r, f, m in wanted:
        square = face("top", f, m) if r == b else (face("right", r, m) if f == b else face("front", f, r))
        marked.append(square)
        cx, cy = np.mean(square, axis=0)
        ax.text(cx, cy, code, ha="center", va="center", fontsize=ANNOTATION_SIZE, fontweight="bold",
                color=text_colour("#ef8a17"), zorder=4)
    ax.add_collection(PolyCollection(marked, facecolors="#ef8a17", edgecolors="#4a6f95", linewidths=1.5, zorder=3))
    for k in range(1, b + 1):                             # the scores along the three edges
        ax.text(*xy(k - 0.5, -0.25, 0), str(k), ha="center", va="top", fontsize=TICK_SIZE)
        ax.text(*xy(-0.2, k - 0.5, 0), str(k), ha="right", va="center", fontsize=TICK_SIZE)
        ax.text(*xy(b + 0.2, -0.1, k - 0.5), str(k), ha="left", va="top", fontsize=TICK_SIZE)
    ax.text(*xy(b / 2, -0.8, 0), "F score: frequency →", ha="center", va="top", fontsize=LABEL_SIZE)
    ax.text(*xy(-0.8, b / 2, 0), "R score: recency →", ha="right", va="center", rotation=90,
            fontsize=LABEL_SIZE)
    angle = float(np.degrees(np.arctan2(dy, dx)))         # the depth edge on the page (equal aspect)
    ax.text(*xy(b + 0.8, -0.5, b / 2), "M score: monetary →", ha="center", va="top", rotation=angle,
            rotation_mode="anchor", fontsize=LABEL_SIZE)
    examples = "\n".join(f"{code} = R {r}, F {f}, M {m}" for code, r, f, m in wanted)
    if examples:
        ax.text(-2.0, -1.9, "a cell is three scores:\n" + examples, ha="left", va="top", fontsize=ANNOTATION_SIZE)
    ax.set_xlim(-2.2, b + dx * b + 1.8)
    ax.set_ylim(-2.4 - 0.45 * len(wanted), b + dy * b + 0.4)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"{b} × {b} × {b} = {b ** 3} RFM cells", fontsize=TITLE_SIZE)
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
    for i in range(3):
        for j in range(3):
            share = 100 * counts[i, j] / total if total > 0 else 0.0
            ax.text(j, i, f"{names[i, j]}\n{int(counts[i, j])} ({share:.0f}%)", ha="center", va="center",
                    fontsize=ANNOTATION_SIZE, color=text_colour(image.cmap(image.norm(counts[i, j]))))
    cuts = tiers.attrs.get("cutoffs")
    if cuts:   # say what "short" and "large" mean: the cut-offs (a value on a cut-off is in the lower class)
        c1, c2 = cuts["cycle"]
        a1, a2 = cuts["amount"]
        ax.set_xticks(range(3), [f"short\n≤ {c1:.0f} d", f"medium\n≤ {c2:.0f} d", f"long\n> {c2:.0f} d"])
        ax.set_yticks(range(3), [f"large\n> {a2:,.2f}", f"medium\n≤ {a2:,.2f}", f"small\n≤ {a1:,.2f}"])
    else:
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


def plot_whale_anatomy(profit: pd.Series, *, top: float = 0.20, bottom: float = 0.30, ax=None):
    """The whale curve with its anatomy labelled: the top share, the peak, the loss-making tail.

    Draws :func:`crmlab.tiers.whale_curve` of ``profit`` and marks the figures of
    :func:`crmlab.tiers.whale_figures`: the share of total profit earned by the
    top ``top`` fraction (Kotler's 20 → 80), the peak (the potential profit, where
    the loss-makers begin), the shaded tail of loss-making customers, and how
    much of the peak the least profitable ``bottom`` fraction gives away.

    Parameters
    ----------
    profit : Series
        Profit per customer (total must be positive).
    """
    from crmlab import tiers as _tiers

    figures = _tiers.whale_figures(profit, top=top, bottom=bottom)
    curve = _tiers.whale_curve(profit)
    ax = _axes(ax, figsize=(10, 6))
    x = np.concatenate([[0.0], curve["customer_share"].to_numpy() * 100])
    y = np.concatenate([[0.0], curve["cumulative_share"].to_numpy() * 100])
    ax.plot(x, y, lw=2.5, color="tab:blue")
    ax.axhline(100, color="grey", ls="--", lw=1.5)
    ax.text(1, 101, "100% = the profit the shop keeps", fontsize=ANNOTATION_SIZE, color="dimgray", va="bottom")
    px, py = figures["peak_customer_share"] * 100, figures["peak_share"] * 100
    loss = curve["profit"].to_numpy() < 0
    if loss.any():
        ax.axvspan(px, 100, color="tab:red", alpha=0.10)
        ax.text((px + 100) / 2, py * 0.35, f"loss-making tail\n{100 - px:.0f}% of customers\n"
                f"give away {figures['tail_loss']:.0%} of the peak",
                ha="center", va="center", fontsize=ANNOTATION_SIZE, color="tab:red")
    ax.plot([px], [py], "o", color="tab:red", ms=9)
    ax.annotate(f"peak {py:.0f}% at {px:.0f}% of customers\n(the potential profit)", (px, py),
                xytext=(px, py * 1.08), ha="center", va="bottom", fontsize=ANNOTATION_SIZE)
    tx_, ty = top * 100, figures["top_share"] * 100
    ax.vlines(tx_, 0, ty, color="tab:green", ls=":", lw=1.5)
    ax.plot([tx_], [ty], "s", color="tab:green", ms=9)
    ax.annotate(f"top {top:.0%} earn {ty:.0f}%", (tx_, ty), xytext=(tx_ + 3, ty * 0.55),
                fontsize=ANNOTATION_SIZE, color="tab:green", arrowprops={"arrowstyle": "->", "color": "tab:green"})
    if np.isfinite(figures["bottom_loss"]):
        bx = (1 - bottom) * 100
        by = y[int(np.searchsorted(x, bx - 1e-9))]
        ax.annotate("", (100, 100), xytext=(bx, by),
                    arrowprops={"arrowstyle": "->", "color": "tab:purple", "lw": 1.5})
        ax.text(bx - 1, (by + 100) / 2 + py * 0.12, f"bottom {bottom:.0%}: "
                f"{figures['bottom_loss']:.0%} of the peak", ha="right", fontsize=ANNOTATION_SIZE,
                color="tab:purple")
    ax.set_xlim(0, 100)
    ax.set_ylim(min(0.0, y.min() * 1.05), max(110.0, py * 1.25))
    ax.grid(alpha=0.3)
    _style(ax, "Anatomy of the whale curve", "customers ranked by profit, most profitable first (%)",
           "cumulative share of total profit (%)")
    return ax


def plot_lifecycle_funnel(counts: pd.Series, *, ax=None):
    """The lifecycle funnel: one centred bar per step, widths ∝ people, with the step-to-step rates.

    Parameters
    ----------
    counts : Series
        People per funnel step, in order (e.g. :func:`crmlab.lifecycle.funnel_counts`:
        target, prospect, opportunity, customer, dormant, won back). Counts must be ≥ 0
        and the first one positive.

    Each bar is labelled with its count and, from the second step on, the share
    of the step above it ("41% of prospect").
    """
    if not isinstance(counts, pd.Series) or len(counts) == 0:
        raise CRMDataError("counts", "need a non-empty Series of people per funnel step",
                           detail=f"got {type(counts).__name__}")
    v = pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(v).all() or (v < 0).any() or not v[0] > 0:
        raise CRMDataError("counts", "must be finite, ≥ 0, and the first step positive", detail=f"got {v.tolist()}")
    ax = _axes(ax, figsize=(9, 0.9 * len(v) + 1.5))
    names = [str(k) for k in counts.index]
    width = v / v[0] * 100
    yy = np.arange(len(v))[::-1]
    colours = ["#90a4ae", "#64b5f6", "#1e88e5", "#2e7d32", "#f9a825", "#8e24aa"]
    ax.barh(yy, width, left=-width / 2, height=0.75, color=[colours[i % len(colours)] for i in range(len(v))])
    for i, (name, n) in enumerate(zip(names, v)):
        rate = "" if i == 0 or v[i - 1] == 0 else f"  ({n / v[i - 1]:.0%} of {names[i - 1]})"
        ax.text(52, yy[i], f"{int(n):,}{rate}", va="center", ha="left", fontsize=ANNOTATION_SIZE + 1)
    ax.set_yticks(yy, names)
    ax.set_xticks([])
    ax.set_xlim(-52, 110)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    _style(ax, "The customer lifecycle funnel: people who ever reached each step", "", "")
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
    "repeat_rate": "share", "satisfaction": "mean answer, 1–5", "nps": "NPS, −100…100",
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


#: the source's KPI system (CONCEPTS §10): satisfaction, loyalty, conversion, churn, complaints, value
KPI_SYSTEM = ("satisfaction", "repeat_rate", "retention_rate", "conversion_rate", "churn_rate", "complaint_rate",
              "revenue_per_customer", "active", "nps")


def plot_kpi_dashboard(kpi: pd.DataFrame, columns=KPI_SYSTEM, *, control: pd.DataFrame | None = None,
                       start=None, ncols: int = 3, fig=None):
    """A KPI dashboard: one small panel per KPI over the periods, all on one figure.

    Parameters
    ----------
    kpi : DataFrame
        Output of :func:`crmlab.kpi.kpi_table` (index: periods).
    columns : sequence of str
        KPIs to draw, one panel each (default :data:`KPI_SYSTEM`).
    control : DataFrame, optional
        The KPI table of a control run of the same market, drawn in grey beside
        ``kpi`` (same periods).
    start : date, optional
        A programme's start date, drawn as a red vertical line.
    ncols : int
        Panels per row.
    fig : Figure, optional
        Figure to draw on (a new one otherwise).

    Returns
    -------
    NumPy array of Axes, one per KPI, in the order of ``columns``.
    """
    import matplotlib.pyplot as plt

    cols = [columns] if isinstance(columns, str) else list(columns)
    _need(kpi, "kpi", cols)
    if control is not None:
        _need(control, "control", cols)
        if not control.index.equals(kpi.index):
            raise CRMDataError("control", "must have the same periods as kpi",
                               detail=f"{len(control)} periods vs {len(kpi)}")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise CRMDataError("ncols", "must be a whole number ≥ 1", detail=f"got {ncols!r}")
    ncols = min(ncols, len(cols))
    nrows = -(-len(cols) // ncols)
    fig = fig if fig is not None else plt.figure(figsize=(4.6 * ncols, 3.0 * nrows), constrained_layout=True)
    grid = np.asarray(fig.subplots(nrows, ncols, squeeze=False))
    axes = grid.ravel()
    x = np.arange(len(kpi))
    labels = [str(p) for p in kpi.index]
    step = max(1, len(labels) // 6)
    cut = None
    if start is not None:
        when = pd.Timestamp(start)
        begins = [p.start_time if isinstance(p, pd.Period) else pd.Timestamp(p) for p in kpi.index]
        cut = float(np.searchsorted(np.array(begins, dtype="datetime64[ns]"), np.datetime64(when))) - 0.5
    for a, col in zip(axes, cols):
        if control is not None:
            a.plot(x, control[col].to_numpy(dtype=float), color="#9e9e9e", lw=1.8, label="control")
        a.plot(x, kpi[col].to_numpy(dtype=float), color="C0", lw=2, marker="o", ms=3,
               label="programme" if control is not None else col)
        if cut is not None:
            a.axvline(cut, color="#c62828", lw=1.5)
        a.grid(alpha=0.3)
        a.set_title(col.replace("_", " "), fontsize=LABEL_SIZE)
        a.set_ylabel(_KPI_UNITS.get(col, col), fontsize=LABEL_SIZE - 2)
        if _KPI_UNITS.get(col) == "share":
            a.yaxis.set_major_formatter("{x:.0%}")
    for i, a in enumerate(axes[:len(cols)]):        # period labels under the lowest panel of each column
        lowest = i + ncols >= len(cols)
        a.set_xticks(x[::step], labels[::step] if lowest else [], rotation=45, ha="right")
    for a in axes[len(cols):]:
        a.set_visible(False)
    if control is not None:
        axes[0].legend(loc="best", fontsize=9)
    return axes[:len(cols)]


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
