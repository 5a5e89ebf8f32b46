"""Chapter 05 explorer: move the tier cut-offs, watch customers and profit change tier.

The compute functions are pure and tested:

* :func:`cost_to_serve` — a cost-to-serve figure per customer from orders and
  service tickets, for :func:`crmlab.value.customer_profit`;
* :func:`retier` — re-cut the cycle and amount of :func:`crmlab.tiers.five_tier`'s
  table at new cut-offs (fast: the transactions are read once);
* :func:`tier_shares` — each tier's share of customers and of profit for given
  cut-offs, and how many customers changed tier compared with a baseline.

The widget :func:`tier_explorer` has two range sliders (purchase-cycle and
amount cut-offs) and draws the 3×3 grid and the profit share per tier.

Example
-------
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [100., 100., 5., 5.],
...                    "date": ["2024-01-01", "2024-01-08", "2024-01-01", "2024-04-10"]})
>>> features = tiers.five_tier(tx)            # cycle and amount per customer
>>> profit = pd.Series({1: 80.0, 2: 2.0})
>>> res = tier_shares(features, profit, {"cycle": (10, 60), "amount": (20, 50)})
>>> res["summary"].loc[["platinum", "optimize"], "profit_share"].tolist()   # 80/82, 2/82
[0.975609756097561, 0.024390243902439025]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import tiers
from crmlab.data import select_transactions
from crmlab.errors import CRMDataError, check_positive
from crmlab import explore as _explore
from crmlab.explore import explorer

__all__ = ["cost_to_serve", "retier", "tier_shares", "tier_figure", "draw", "snap_up", "start_cutoffs",
           "tier_explorer"]


def cost_to_serve(
    tx: pd.DataFrame,
    service: pd.DataFrame | None = None,
    *,
    per_order: float = 0.0,
    per_ticket: float = 0.0,
    customer: str = "customer_id",
    date: str = "date",
) -> pd.Series:
    """Cost to serve each customer of ``tx``: order handling plus service tickets.

        cost_to_serve_i = per_order · orders_i + per_ticket · tickets_i

    Parameters
    ----------
    tx : DataFrame
        Transactions (one row per order; never modified).
    service : DataFrame, optional
        Service tickets with a ``customer`` column (one row per ticket). Tickets
        of customers who never ordered are not counted (they are not in ``tx``).
    per_order, per_ticket : float
        Money per order handled and per ticket served, ≥ 0.

    Returns
    -------
    Series indexed by customer (sorted), name ``cost_to_serve``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-01"] * 3, "amount": [1., 1., 1.]})
    >>> tickets = pd.DataFrame({"customer_id": [2, 2, 9]})
    >>> cost_to_serve(tx, tickets, per_order=3.0, per_ticket=20.0).tolist()   # 2·3; 1·3 + 2·20
    [6.0, 43.0]
    """
    po = check_positive("per_order", per_order, allow_zero=True)
    pt = check_positive("per_ticket", per_ticket, allow_zero=True)
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=None)
    orders = t.groupby(customer, sort=True).size()
    tickets = pd.Series(0, index=orders.index)
    if service is not None:
        if customer not in service.columns:
            raise CRMDataError(customer, "missing column in service table",
                               detail=f"columns present: {list(service.columns)}")
        tickets = service.groupby(customer).size().reindex(orders.index, fill_value=0)
    out = po * orders.astype(float) + pt * tickets.astype(float)
    out.name = "cost_to_serve"
    return out


def retier(features: pd.DataFrame, cutoffs: dict) -> pd.DataFrame:
    """Re-cut customers whose cycle and amount are known into the five tiers.

    The same rule as :func:`crmlab.tiers.five_tier` with explicit ``cutoffs``
    (a value equal to a cut-off falls in the lower class), applied to its
    output, so a widget does not re-read the transactions on every move.

    Parameters
    ----------
    features : DataFrame
        Output of :func:`crmlab.tiers.five_tier` (columns ``cycle``, ``amount``).
    cutoffs : dict
        ``{"cycle": (c1, c2), "amount": (a1, a2)}``, each pair increasing.

    Returns
    -------
    DataFrame
        A copy of ``features`` with new ``cycle_class``, ``amount_class`` and ``tier``.

    Example
    -------
    >>> f = pd.DataFrame({"cycle": [7.0, 99.0], "amount": [100.0, 5.0]}, index=[1, 2])
    >>> retier(f, {"cycle": (10, 60), "amount": (20, 50)})["tier"].tolist()
    ['platinum', 'optimize']
    """
    cuts = tiers.check_cutoffs(cutoffs)
    for col in ("cycle", "amount"):
        if col not in features.columns:
            raise CRMDataError(col, "missing column (pass the output of tiers.five_tier)",
                               detail=f"columns present: {list(features.columns)}")
    out = features.copy()
    out["cycle_class"], out["amount_class"], out["tier"] = tiers.classify(features["cycle"], features["amount"], cuts)
    out.attrs["cutoffs"] = cuts
    return out


def tier_shares(
    features: pd.DataFrame,
    profit: pd.Series,
    cutoffs: dict | None = None,
    *,
    baseline: pd.Series | None = None,
) -> dict:
    """Five tiers for the given cut-offs, with customer and profit shares per tier.

        profit_share_tier = Σ_{i in tier} profit_i / Σ_i profit_i

    Parameters
    ----------
    features : DataFrame
        Output of :func:`crmlab.tiers.five_tier` (cycle and amount per customer).
    profit : Series
        Profit per customer (e.g. ``value.customer_profit(...)["profit"]``);
        every customer of ``features`` needs one.
    cutoffs : dict, optional
        ``{"cycle": (c1, c2), "amount": (a1, a2)}`` (see :func:`retier`);
        default: keep the tiers of ``features``.
    baseline : Series, optional
        A previous tier per customer; the result counts who moved.

    Returns
    -------
    dict
        ``tiers`` (the tier table plus ``profit``), ``summary`` (DataFrame
        indexed by tier, best first: ``customers``, ``customer_share``,
        ``profit``, ``profit_share``, ``profit_per_customer``), ``grid``
        (customers per amount class × cycle class, large amount and short cycle
        first), ``changed`` (customers whose tier differs from ``baseline``;
        None without one), ``cutoffs``.
    """
    table = retier(features, cutoffs) if cutoffs is not None else features.copy()
    p = pd.Series(profit)
    missing = table.index.difference(p.index)
    if len(missing):
        raise CRMDataError("profit", "no profit for customer", list(missing))
    table["profit"] = pd.to_numeric(p, errors="coerce").reindex(table.index).astype(float)
    if table["profit"].isna().any():
        raise CRMDataError("profit", "NaN profit", list(table.index[table["profit"].isna()]))
    total = float(table["profit"].sum())
    g = table.groupby("tier")["profit"]
    order = pd.Index(list(tiers.TIERS), name="tier")
    summary = pd.DataFrame({"customers": g.size().reindex(order, fill_value=0).astype(np.int64),
                            "profit": g.sum().reindex(order, fill_value=0.0)})
    summary["customer_share"] = summary["customers"] / len(table)
    summary["profit_share"] = summary["profit"] / total if total != 0 else np.nan
    summary["profit_per_customer"] = summary["profit"] / summary["customers"].where(summary["customers"] > 0)
    summary = summary[["customers", "customer_share", "profit", "profit_share", "profit_per_customer"]]
    grid = (table.groupby(["amount_class", "cycle_class"]).size().unstack("cycle_class", fill_value=0)
            .reindex(index=pd.Index(["large", "medium", "small"], name="amount_class"),
                     columns=pd.Index(["short", "medium", "long"], name="cycle_class"), fill_value=0)
            .astype(np.int64))
    changed = None
    if baseline is not None:
        base = pd.Series(baseline).reindex(table.index).astype(str)
        changed = int((base != table["tier"]).sum())
    return {"tiers": table, "summary": summary, "grid": grid, "changed": changed,
            "cutoffs": table.attrs.get("cutoffs")}


_TIER_COLOURS = {"platinum": "#6a1b9a", "gold": "#f9a825", "silver": "#546e7a",
                 "development": "#43a047", "optimize": "#e53935"}


def tier_figure(fig, features: pd.DataFrame, profit: pd.Series, baseline: pd.Series | None = None,
                currency: str = "USD"):
    """Set up the 3×3 grid (customers per square) and profit vs customer share per tier.

    Returns ``update(cycle, amount)`` (two cut-off pairs; see :func:`crmlab.explore.explorer`).
    """
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.16, top=0.86, wspace=0.35)
    ax1, ax2 = fig.subplots(1, 2)
    names = dict(tiers.TIER_GRID)
    amounts, cycles = ("large", "medium", "small"), ("short", "medium", "long")
    # the nine squares as one artist (three rows of three unit bars); the tier names never change
    _explore.bars(ax1, np.tile([0.5, 1.5, 2.5], 3), np.ones(9), bottom=np.repeat([2.0, 1.0, 0.0], 3), width=1.0,
                  color=[_TIER_COLOURS[names[(a, c)]] for a in amounts for c in cycles], alpha=0.35)
    counts = {}
    for i, a in enumerate(amounts):
        for j, c in enumerate(cycles):
            ax1.text(j + 0.5, 2 - i + 0.6, names[(a, c)], ha="center", va="center", fontsize=12)
            counts[a, c] = ax1.text(j + 0.5, 2 - i + 0.3, "", ha="center", va="center", fontsize=13,
                                    weight="bold", animated=True)
    ax1.set(xlim=(0, 3), ylim=(0, 3), xlabel="purchase cycle", ylabel="amount per order")
    ax1.set_xticks([0.5, 1.5, 2.5], list(cycles))
    ax1.set_yticks([2.5, 1.5, 0.5], list(amounts))
    # the cut-offs go into the title, drawn at every update: axis labels that stay put let the
    # explorer keep its frame (crmlab.explore.render)
    title1 = ax1.set_title("", fontsize=13, animated=True)
    x = np.arange(len(tiers.TIERS))
    people = _explore.bars(ax2, x - 0.2, np.zeros(len(x)), width=0.4, color="#b0bec5", animated=True)
    money_bars = _explore.bars(ax2, x + 0.2, np.zeros(len(x)), width=0.4,
                               color=[_TIER_COLOURS[t] for t in tiers.TIERS], animated=True)
    ax2.axhline(0, color="black", linewidth=0.8, animated=True)
    ax2.set_xticks(x, list(tiers.TIERS), rotation=25, ha="right")
    ax2.set(xlim=(-0.6, len(x) - 0.4), ylabel="share (%)")
    title2 = ax2.set_title("", fontsize=13, animated=True)
    ax2.legend([people, money_bars], ["customers", "profit (tier colour)"], loc="upper right")
    money = currency.replace("$", "\\$")   # a plain $ pair would start matplotlib's math mode

    def update(cycle: tuple, amount: tuple) -> None:
        cycle, amount = tuple(cycle), tuple(amount)
        res = tier_shares(features, profit, {"cycle": cycle, "amount": amount}, baseline=baseline)
        grid, summary = res["grid"], res["summary"]
        for (a, c), text in counts.items():
            text.set_text(f"{grid.at[a, c]:,}")
        title1.set_text(f"Customers per square\ncycle cut at {cycle[0]:.2f} / {cycle[1]:.2f} days, "
                        f"amount at {money} {amount[0]:,.2f} / {amount[1]:,.2f}")
        people.set_verts(_explore.bar_outlines(x - 0.2, summary["customer_share"] * 100, width=0.4))
        money_bars.set_verts(_explore.bar_outlines(x + 0.2, summary["profit_share"] * 100, width=0.4))
        shares = summary[["customer_share", "profit_share"]].to_numpy() * 100
        ax2.set_ylim(_explore.nice_limits(np.nanmin(shares), np.nanmax(shares), steps=(1, 2.5, 5, 10)))
        moved = "" if res["changed"] is None else f" ({res['changed']:,} changed tier since the start)"
        title2.set_text(f"Share per tier{moved}")

    return update


def draw(features: pd.DataFrame, profit: pd.Series, cycle: tuple, amount: tuple,
         baseline: pd.Series | None = None, currency: str = "USD") -> None:
    """Show the explorer's figure once for these cut-offs."""
    _explore.display_figure(lambda fig: tier_figure(fig, features, profit, baseline, currency),
                            cycle=cycle, amount=amount)


def snap_up(value: float, step: float) -> float:
    """The smallest multiple of ``step`` that is ≥ ``value`` (a slider can only show multiples).

    >>> snap_up(19.0871, 0.01), snap_up(40.0, 0.1)
    (19.09, 40.0)
    """
    k = np.ceil(round(value / step, 9))
    return float(round(k * step, 10))


def start_cutoffs(features: pd.DataFrame, cycle_step: float = 0.01, amount_step: float = 0.01) -> dict:
    """Cut-offs a slider can show that put every customer in the same class as ``features``' own.

    A cut-off belongs to the lower class, so moving it up from ``c`` to any
    ``c'`` below the next observed value changes nobody's class: each cut-off of
    ``features.attrs["cutoffs"]`` is moved up to the next multiple of the slider
    step (:func:`snap_up`). If a customer sits in between, they do change class
    and the explorer's title counts them.
    """
    cuts = features.attrs.get("cutoffs")
    if not cuts:
        raise CRMDataError("features", "no cut-offs in attrs (pass the output of tiers.five_tier)")
    return {"cycle": tuple(snap_up(c, cycle_step) for c in cuts["cycle"]),
            "amount": tuple(snap_up(c, amount_step) for c in cuts["amount"])}


def tier_explorer(tx: pd.DataFrame, profit: pd.Series, *, start: pd.DataFrame | None = None,
                  currency: str = "USD"):
    """Widget: two range sliders for the cycle and amount cut-offs.

    The sliders open at the cut-offs of ``start`` (a :func:`crmlab.tiers.five_tier`
    table, e.g. the grid a chapter has just drawn; default the tertiles of ``tx``),
    moved up to the slider steps (0.01 day, 0.01 money) by :func:`start_cutoffs` —
    which leaves every customer in their square. The title of the right panel
    counts the customers whose tier differs from ``start``'s, so it reads 0 at
    the start. Returns the ipywidgets box (display it as the last line of a cell).
    """
    import ipywidgets as widgets

    t = select_transactions(tx, order_id=None)
    if start is None:
        start = tiers.five_tier(t, order_id=None)
    for col in ("cycle", "amount", "tier"):
        if col not in start.columns:
            raise CRMDataError(col, "missing column in start (pass the output of tiers.five_tier)",
                               detail=f"columns present: {list(start.columns)}")
    cuts = start_cutoffs(start)
    baseline = start["tier"]
    # slider ranges: enough room above the upper cut-off without squeezing the handles
    # into the left edge (single buyers can have cycles of years)
    cycle_max = float(np.ceil(max(np.nanquantile(start["cycle"], 0.90), 2 * cuts["cycle"][1])))
    amount_max = float(np.ceil(max(np.nanquantile(start["amount"], 0.95), 2 * cuts["amount"][1])))
    cycle = widgets.FloatRangeSlider(value=list(cuts["cycle"]), min=0, max=cycle_max, step=0.01,
                                     description="cycle (days)", continuous_update=False,
                                     readout_format=".2f", layout=widgets.Layout(width="460px"),
                                     style={"description_width": "110px"})
    amount = widgets.FloatRangeSlider(value=list(cuts["amount"]), min=0, max=amount_max, step=0.01,
                                      description=f"amount ({currency})", continuous_update=False,
                                      readout_format=",.2f", layout=widgets.Layout(width="460px"),
                                      style={"description_width": "110px"})
    return explorer(lambda fig: tier_figure(fig, start, profit, baseline, currency),
                    {"cycle": cycle, "amount": amount}, columns=1,
                    title="Move the cut-offs: who changes tier, and where does the profit go?")
