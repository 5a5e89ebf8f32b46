"""Chapter 06 explorer: the dormancy threshold, win-back, and cohort retention curves.

Pure compute functions (tested without a browser):

* :func:`next_period_by_stage` — customers per observable stage at a date and what
  each stage buys in the following days (value differs by stage);
* :func:`lifecycle_view` — stage counts and the win-back rate for a chosen
  dormancy threshold, and one cohort's retention curve beside the pooled curve.

The widget :func:`lifecycle_explorer` has a threshold slider and a cohort menu.
Stages and thresholds are those of :mod:`crmlab.lifecycle`.

Example
-------
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [10., 20., 5., 7.],
...                    "date": ["2024-01-01", "2024-05-20", "2024-03-25", "2024-06-30"]})
>>> v = next_period_by_stage(tx, "2024-05-01", horizon_days=60)   # 1 silent 121 days: dormant; 2 active
>>> v.loc[["active", "dormant"], "revenue_next"].tolist()
[7.0, 20.0]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import lifecycle
from crmlab.data import resolve_as_of, select_transactions
from crmlab.errors import CRMDataError, check_positive
from crmlab import explore as _explore
from crmlab.explore import explorer

__all__ = ["next_period_by_stage", "lifecycle_view", "lifecycle_figure", "draw", "lifecycle_explorer"]


def next_period_by_stage(
    tx: pd.DataFrame,
    at,
    horizon_days: float = 180,
    *,
    new_days: float = 30,
    dormant_after: float = lifecycle.DORMANT_AFTER_DAYS,
    lost_after: float = lifecycle.LOST_AFTER_DAYS,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:
    """Customers per stage at ``at`` and their spend in the next ``horizon_days``.

    Stages come from :func:`crmlab.lifecycle.stage_at` (purchases on or before
    ``at``); the *next* period is ``(at, at + horizon_days]``, which must lie
    inside the log.

    Returns
    -------
    DataFrame indexed by stage (new, active, dormant, lost)
        ``customers``, ``customer_share``, ``buyers_next`` (customers with an
        order in the next period), ``buying_share`` = buyers_next / customers,
        ``revenue_next`` (their spend in it) and ``revenue_per_customer`` =
        revenue_next / customers (NaN for an empty stage).
    """
    h = check_positive("horizon_days", horizon_days)
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=None)
    at_ts = resolve_as_of(at, t[date])
    stop = at_ts + pd.Timedelta(days=h)
    last = t[date].max()
    if stop > last:
        raise CRMDataError("horizon_days", "the next period runs past the last transaction",
                           detail=f"at + horizon = {stop.date()} > last date {last.date()}")
    st = lifecycle.stage_at(t, at_ts, new_days=new_days, dormant_after=dormant_after, lost_after=lost_after,
                            customer=customer, date=date, order_id=None)
    nxt = t[(t[date] > at_ts) & (t[date] <= stop)].groupby(customer)[amount].sum()
    spend = nxt.reindex(st.index, fill_value=0.0)
    bought = nxt.index.to_series().reindex(st.index).notna()
    stage = st["stage"].astype(str)
    order = pd.Index(list(lifecycle.OBSERVABLE_STAGES), name="stage")
    out = pd.DataFrame({"customers": stage.value_counts().reindex(order, fill_value=0).astype(np.int64),
                        "buyers_next": bought.groupby(stage).sum().reindex(order, fill_value=0).astype(np.int64),
                        "revenue_next": spend.groupby(stage).sum().reindex(order, fill_value=0.0)})
    out["customer_share"] = out["customers"] / len(st)
    n = out["customers"].where(out["customers"] > 0)
    out["buying_share"] = out["buyers_next"] / n
    out["revenue_per_customer"] = out["revenue_next"] / n
    return out[["customers", "customer_share", "buyers_next", "buying_share", "revenue_next",
                "revenue_per_customer"]]


def lifecycle_view(
    tx: pd.DataFrame,
    at,
    dormant_after: float = lifecycle.DORMANT_AFTER_DAYS,
    cohort=None,
    *,
    cohorts: pd.DataFrame | None = None,
    pooled: pd.Series | None = None,
    winback_days: float = 90,
    new_days: float = 30,
    lost_after: float = lifecycle.LOST_AFTER_DAYS,
    customer: str = "customer_id",
    date: str = "date",
) -> dict:
    """Stage counts and win-back for a dormancy threshold; one cohort's retention curve.

    Parameters
    ----------
    tx : DataFrame
        Transactions (never modified).
    at : date-like
        The date at which stages are read.
    dormant_after : float
        Days of silence after which a customer counts as dormant.
    cohort : str or Period, optional
        Acquisition month, e.g. ``"2023-03"``; default the first cohort.
    cohorts, pooled : optional
        :func:`crmlab.lifecycle.cohort_table` and
        :func:`~crmlab.lifecycle.retention_curve` of ``tx``, when already
        computed (they do not depend on the threshold).
    winback_days : float
        Win-back window: a customer dormant at ``at`` who buys within it is won back.

    Returns
    -------
    dict
        ``counts`` (Series: customers per stage at ``at``), ``winback`` (dict of
        :func:`crmlab.lifecycle.winback_rate`, or None when the window runs past
        the log or nobody is dormant), ``cohort`` (Period), ``curve`` (that
        cohort's observed retention by month since acquisition), ``pooled``.
    """
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=None)
    at_ts = resolve_as_of(at, t[date])
    kw = dict(new_days=new_days, dormant_after=dormant_after, lost_after=lost_after,
              customer=customer, date=date, order_id=None)
    st = lifecycle.stage_at(t, at_ts, **kw)
    counts = st["stage"].value_counts().reindex(list(lifecycle.OBSERVABLE_STAGES), fill_value=0).astype(np.int64)
    winback = None
    if counts["dormant"] > 0 and at_ts + pd.Timedelta(days=float(winback_days)) <= t[date].max():
        winback = lifecycle.winback_rate(t, at_ts, winback_days, **kw)
    if cohorts is None:
        cohorts = lifecycle.cohort_table(t, customer=customer, date=date, order_id=None)
    if pooled is None:
        pooled = lifecycle.retention_curve(t, customer=customer, date=date, order_id=None)
    period = cohorts.index[0] if cohort is None else pd.Period(cohort, freq="M")
    if period not in cohorts.index:
        raise CRMDataError("cohort", "no such acquisition month",
                           detail=f"got {cohort!r}; first {cohorts.index[0]}, last {cohorts.index[-1]}")
    curve = cohorts.loc[period].dropna()
    return {"counts": counts, "winback": winback, "cohort": period, "curve": curve, "pooled": pooled}


_STAGE_COLOURS = {"new": "#64b5f6", "active": "#2e7d32", "dormant": "#f9a825", "lost": "#c62828"}


def lifecycle_figure(fig, tx: pd.DataFrame, at, cohorts: pd.DataFrame, pooled: pd.Series):
    """Set up the stage counts (with the win-back rate) and the cohort curve beside the pooled one.

    Returns ``update(dormant_after, cohort)`` (see :func:`crmlab.explore.explorer`).
    """
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.14, top=0.88, wspace=0.3)
    ax1, ax2 = fig.subplots(1, 2)
    stages = list(lifecycle.OBSERVABLE_STAGES)
    x = np.arange(len(stages))
    counts_bars = _explore.bars(ax1, x, np.zeros(len(x)), color=[_STAGE_COLOURS[s] for s in stages], animated=True)
    labels = [ax1.text(xi, 0, "", ha="center", va="bottom", fontsize=12, animated=True) for xi in x]
    ax1.set_xticks(x, stages)
    ax1.set(xlim=(-0.6, len(x) - 0.4), ylabel="customers")
    title1 = ax1.set_title("", fontsize=13, animated=True)
    ax2.plot(pooled.index, pooled.to_numpy() * 100, color="#9e9e9e", linewidth=2, label="all cohorts")
    curve, = ax2.plot([], [], color="#1565c0", linewidth=2.5, marker="o", markersize=4, label="chosen cohort",
                      animated=True)
    ax2.set(xlabel="months since first purchase", ylabel="customers buying that month (%)", ylim=(0, 105))
    ax2.set_xlim(-0.05 * len(pooled), 1.05 * (len(pooled) - 1))
    title2 = ax2.set_title("", fontsize=13, animated=True)
    ax2.legend(loc="upper right")

    def update(dormant_after: float, cohort) -> None:
        view = lifecycle_view(tx, at, dormant_after, cohort, cohorts=cohorts, pooled=pooled)
        counts, wb = view["counts"], view["winback"]
        counts_bars.set_verts(_explore.bar_outlines(x, counts.to_numpy()))
        for text, xi, n in zip(labels, x, counts.to_numpy()):
            text.set_position((xi, n))
            text.set_text(f"{n:,}")
        # out of all customers: the same axis for every threshold, so the frame stays put
        ax1.set_ylim(_explore.nice_limits(0, counts.sum()))
        if counts["dormant"] == 0:
            won = "no dormant customer"
        elif wb is None:
            won = "no win-back figure (window not observed)"
        else:
            won = f"{wb['rate']:.1%} of dormant buy within 90 days"
        title1.set_text(f"{pd.Timestamp(at):%Y-%m-%d}, dormant after {dormant_after:.0f} days\n{won}")
        curve.set_data(view["curve"].index, view["curve"].to_numpy() * 100)
        title2.set_text(f"Cohort retention: {view['cohort']}")

    return update


def draw(tx: pd.DataFrame, at, dormant_after: float, cohort, cohorts: pd.DataFrame, pooled: pd.Series) -> None:
    """Show the explorer's figure once for a threshold and a cohort."""
    _explore.display_figure(lambda fig: lifecycle_figure(fig, tx, at, cohorts, pooled),
                            dormant_after=dormant_after, cohort=cohort)


def lifecycle_explorer(tx: pd.DataFrame, at, *, date: str = "date"):
    """Widget: a dormancy-threshold slider and a cohort menu.

    Stages are read at ``at``; the win-back window is 90 days after it.
    Returns the ipywidgets box (display it as the last line of a cell).
    """
    import ipywidgets as widgets

    t = select_transactions(tx, amount=None, order_id=None, date=date)
    cohorts = lifecycle.cohort_table(t, date=date, order_id=None)
    pooled = lifecycle.retention_curve(t, date=date, order_id=None)
    threshold = widgets.IntSlider(value=int(lifecycle.DORMANT_AFTER_DAYS), min=30, max=330, step=15, description="dormant after (days)",
                                  continuous_update=False, layout=widgets.Layout(width="440px"),
                                  style={"description_width": "150px"})
    sizes = lifecycle.cohort_table(t, date=date, order_id=None, normalize=False)[0]
    menu = widgets.Dropdown(options=[(f"{p} ({int(n)} customers)", str(p)) for p, n in sizes.items()],
                            value=str(cohorts.index[0]), description="cohort")
    return explorer(lambda fig: lifecycle_figure(fig, t, at, cohorts, pooled), {"dormant_after": threshold, "cohort": menu},
                    title="Move the dormancy threshold; pick an acquisition month")
