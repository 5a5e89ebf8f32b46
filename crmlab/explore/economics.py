"""Chapter 01 explorer: the economics of keeping customers.

A deliberately small model of a firm's customer base, year by year, so that a
student can see *why* retention is worth so much:

    C_0 = start customers
    C_t = r · C_{t−1}  +  N  +  w · C_{t−1}          (kept + bought + referred)
    profit_t = m · C_t − a · N

``r`` is the yearly retention rate, ``N`` the customers bought each year through
paid channels at acquisition cost ``a`` each, ``w`` the referrals per customer per
year (word of mouth: new customers that cost nothing), ``m`` the yearly margin
per customer. With r + w < 1 the base settles at C* = N / (1 − r − w), so the
long-run profit is m·N/(1 − r − w) − a·N: retention sits in a denominator, which
is why a few points of retention move profit by tens of percent (Reichheld's
"+5 points retention → +25–100% profit").

Example
-------
>>> t = profit_over_time(retention=0.8, acquisition_cost=300, margin=100, new_per_year=1000, years=2)
>>> t["customers"].tolist()          # 0 → 1000 → 0.8·1000 + 1000 = 1800
[0.0, 1000.0, 1800.0]
>>> t["profit"].tolist()             # 100·1000 − 300·1000 = −200,000; 100·1800 − 300,000 = −120,000
[0.0, -200000.0, -120000.0]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import CRMDataError, check_positive, check_probability

__all__ = ["profit_over_time", "steady_state_profit", "retention_uplift", "market_summary", "profit_figure",
           "draw_profit", "profit_explorer"]


def _check_growth(retention: float, referral_rate: float) -> None:
    if retention + referral_rate >= 1.0:
        raise CRMDataError("referral_rate", "retention + referral_rate must stay below 1 (otherwise the base "
                           "grows without limit and has no long-run level)",
                           detail=f"retention={retention}, referral_rate={referral_rate}")


def profit_over_time(retention: float, acquisition_cost: float, *, margin: float = 100.0,
                     new_per_year: float = 1000.0, years: int = 10, start_customers: float = 0.0,
                     referral_rate: float = 0.0) -> pd.DataFrame:
    """Customers and profit year by year (model in the module docstring).

    Parameters
    ----------
    retention : float
        Share of last year's customers who stay, 0 ≤ r ≤ 1.
    acquisition_cost : float
        Cost of buying one new customer through paid channels (money).
    margin : float
        Yearly margin per customer (money).
    new_per_year : float
        Customers bought through paid channels each year.
    years : int
        Years to simulate (rows 0..years; year 0 is the start).
    start_customers : float
        Customers at year 0.
    referral_rate : float
        New customers each existing customer brings per year (word of mouth).

    Returns
    -------
    DataFrame indexed by ``year``
        ``customers``, ``kept``, ``bought``, ``referred``, ``margin``,
        ``acquisition_spend``, ``profit``, ``cumulative_profit``.
    """
    r = check_probability("retention", retention)
    a = check_positive("acquisition_cost", acquisition_cost, allow_zero=True)
    m = check_positive("margin", margin, allow_zero=True)
    n = check_positive("new_per_year", new_per_year, allow_zero=True)
    c0 = check_positive("start_customers", start_customers, allow_zero=True)
    w = check_positive("referral_rate", referral_rate, allow_zero=True)
    if int(years) != years or years < 1:
        raise CRMDataError("years", "must be a whole number ≥ 1", detail=f"got {years!r}")
    years = int(years)
    customers = np.empty(years + 1)
    customers[0] = c0
    for t in range(1, years + 1):
        customers[t] = (r + w) * customers[t - 1] + n
    previous = np.concatenate([[0.0], customers[:-1]])
    bought = np.full(years + 1, n)
    bought[0] = 0.0
    out = pd.DataFrame({
        "customers": customers,
        "kept": np.where(np.arange(years + 1) == 0, 0.0, r * previous),
        "bought": bought,
        "referred": np.where(np.arange(years + 1) == 0, 0.0, w * previous),
    }, index=pd.RangeIndex(years + 1, name="year"))
    out["margin"] = m * out["customers"]
    out["margin"] = out["margin"].where(out.index > 0, 0.0)
    out["acquisition_spend"] = a * out["bought"]
    out["profit"] = out["margin"] - out["acquisition_spend"]
    out["cumulative_profit"] = out["profit"].cumsum()
    return out


def steady_state_profit(retention: float, acquisition_cost: float, *, margin: float = 100.0,
                        new_per_year: float = 1000.0, referral_rate: float = 0.0) -> float:
    """Long-run yearly profit: m · N / (1 − r − w) − a · N.

    Example
    -------
    >>> round(steady_state_profit(0.80, 300), 6)    # 100·1000/0.2 − 300·1000 = 500,000 − 300,000
    200000.0
    """
    r = check_probability("retention", retention)
    w = check_positive("referral_rate", referral_rate, allow_zero=True)
    _check_growth(r, w)
    a = check_positive("acquisition_cost", acquisition_cost, allow_zero=True)
    m = check_positive("margin", margin, allow_zero=True)
    n = check_positive("new_per_year", new_per_year, allow_zero=True)
    return float(m * n / (1.0 - r - w) - a * n)


def retention_uplift(retention: float, acquisition_cost: float, *, points: float = 0.05, **kwargs) -> float:
    """Relative change of long-run profit when retention rises by ``points``.

    (profit at r + points) / (profit at r) − 1; e.g. 0.83 means +83 %.

    Example
    -------
    >>> round(retention_uplift(0.80, 300), 4)   # (666,666.7 − 300,000) / 200,000 − 1 = 0.8333
    0.8333
    """
    base = steady_state_profit(retention, acquisition_cost, **kwargs)
    if base <= 0:
        raise CRMDataError("acquisition_cost", "long-run profit at the base retention is not positive, "
                           "so a relative uplift is meaningless", detail=f"profit={base:,.0f}")
    return steady_state_profit(retention + points, acquisition_cost, **kwargs) / base - 1.0


def profit_figure(fig, *, margin: float = 100.0, new_per_year: float = 1000.0, years: int = 10):
    """Set up customers and yearly profit for a retention rate and 5 points less; returns ``update``.

    ``update(retention, acquisition_cost, referral_rate)`` redraws the data
    (see :func:`crmlab.explore.explorer`).
    """
    from crmlab.explore import bar_outlines, bars, nice_limits

    # fixed margins (room for the suptitle), and y labels at fixed places left of each axes: tick labels
    # are short (thousands), so no slider move can push a label out of the figure or onto the other panel
    fig.subplots_adjust(left=0.10, right=0.98, bottom=0.13, top=0.82, wspace=0.34)
    ax1, ax2 = fig.subplots(1, 2)
    # legend labels and round axis limits (1, 2, 5 × 10^k) stay put while a slider moves: the
    # frame is redrawn only when needed (crmlab.explore.render); the values go into the titles
    now, = ax1.plot([], [], marker="o", lw=2.5, label="retention r", animated=True)
    lower, = ax1.plot([], [], ls="--", lw=2, color="grey", label="r − 5 points", animated=True)
    ax1.set(xlabel="year", ylabel="customers (thousand)", xlim=(-0.5, years + 0.5))
    ax1.legend(loc="upper left")
    title = ax1.set_title("", animated=True)
    profit = bars(ax2, [0], [0], color="#2e7d32", label="retention r", animated=True)
    profit_lower, = ax2.plot([], [], ls="--", lw=2, color="grey", marker="s", label="r − 5 points", animated=True)
    ax2.axhline(0, color="black", lw=0.8, animated=True)
    ax2.set(title="Profit per year", xlabel="year", ylabel="profit (thousand USD)", xlim=(-0.6, years + 0.6))
    for ax in (ax1, ax2):
        ax.yaxis.set_label_coords(-0.19, 0.5)       # axes fraction: independent of the tick labels' width
    ax2.legend(loc="upper left")
    headline = fig.suptitle("", fontsize=15, animated=True)

    def update(retention: float, acquisition_cost: float, referral_rate: float) -> None:
        r_low = max(retention - 0.05, 0.0)
        kw = dict(margin=margin, new_per_year=new_per_year, years=years, referral_rate=referral_rate)
        a = profit_over_time(retention, acquisition_cost, **kw)
        b = profit_over_time(r_low, acquisition_cost, **kw)
        c, c_lower = a["customers"] / 1000, b["customers"] / 1000
        now.set_data(a.index, c)
        lower.set_data(b.index, c_lower)
        ax1.set_ylim(nice_limits(0, max(c.max(), c_lower.max()), steps=(1, 2, 5, 10)))
        title.set_text(f"Customers (r = {retention:.0%} vs {r_low:.0%})")
        k, k_lower = a["profit"] / 1000, b["profit"] / 1000
        profit.set_verts(bar_outlines(a.index, k))
        profit.set_facecolor(np.where(a["profit"] < 0, "#c62828", "#2e7d32"))
        profit_lower.set_data(b.index, k_lower)
        ax2.set_ylim(nice_limits(min(k.min(), k_lower.min()), max(k.max(), k_lower.max()), steps=(1, 2, 5, 10)))
        last, last_lower = a["profit"].iloc[-1], b["profit"].iloc[-1]
        headline.set_text(f"Year {years}: 5 points more retention = {last / last_lower - 1:+.0%} profit"
                          if last_lower > 0 else "")

    return update


def draw_profit(retention: float = 0.80, acquisition_cost: float = 300.0, referral_rate: float = 0.0,
                *, margin: float = 100.0, new_per_year: float = 1000.0, years: int = 10) -> None:
    """Show the explorer's figure once (customers and yearly profit, retention r and r − 5 points)."""
    from crmlab.explore import display_figure

    display_figure(lambda fig: profit_figure(fig, margin=margin, new_per_year=new_per_year, years=years),
                   retention=retention, acquisition_cost=acquisition_cost, referral_rate=referral_rate)


def profit_explorer(margin: float = 100.0, new_per_year: float = 1000.0, years: int = 10):
    """Sliders for retention, acquisition cost and referrals → customers and profit over time."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    style = {"description_width": "initial"}
    controls = {
        "retention": widgets.FloatSlider(value=0.80, min=0.50, max=0.95, step=0.01, description="retention",
                                         readout_format=".0%", style=style, continuous_update=False),
        "acquisition_cost": widgets.IntSlider(value=300, min=0, max=800, step=20,
                                              description="acquisition cost (USD)", style=style,
                                              continuous_update=False),
        "referral_rate": widgets.FloatSlider(value=0.0, min=0.0, max=0.04, step=0.01,
                                             description="referrals per customer", style=style,
                                             continuous_update=False),
    }
    return explorer(lambda fig: profit_figure(fig, margin=margin, new_per_year=new_per_year, years=years),
                    controls, title=f"A firm buying {new_per_year:,.0f} customers a year, "
                                    f"margin USD {margin:,.0f} per customer per year")


def market_summary(transactions: pd.DataFrame, contacts: pd.DataFrame | None = None, *,
                   previous="2024", current="2025") -> dict[str, float]:
    """Customers, retention and profit of one market's event log (real or simulated).

        retention     = share of ``previous``-period buyers who buy again in ``current``
                        (:func:`crmlab.loyalty.retention_rate`)
        gross_profit  = Σ (amount − cost) over all orders
        marketing     = Σ cost of all contacts (acquisition and retention campaigns)
        profit        = gross_profit − marketing

    Returns
    -------
    dict
        ``buyers`` (customers with at least one order), ``retention``, ``revenue``,
        ``gross_profit``, ``marketing``, ``profit``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-03-01", "2025-02-01", "2024-05-01"],
    ...                    "amount": [50.0, 40.0, 30.0], "cost": [30.0, 25.0, 20.0]})
    >>> ct = pd.DataFrame({"customer_id": [1, 2], "date": ["2024-01-01"] * 2, "cost": [2.0, 3.0]})
    >>> market_summary(tx, ct)   # retention 1 of 2; gross 120 − 75 = 45; profit 45 − 5 = 40
    {'buyers': 2, 'retention': 0.5, 'revenue': 120.0, 'gross_profit': 45.0, 'marketing': 5.0, 'profit': 40.0}
    """
    from crmlab import loyalty
    from crmlab.data import select_transactions

    t = select_transactions(transactions, extra=("cost",))
    marketing = 0.0
    if contacts is not None and len(contacts):
        if "cost" not in contacts.columns:
            raise CRMDataError("cost", "missing column in contacts", detail=f"columns present: {list(contacts.columns)}")
        marketing = float(pd.to_numeric(contacts["cost"], errors="raise").sum())
    revenue = float(t["amount"].sum())
    gross = revenue - float(pd.to_numeric(t["cost"], errors="raise").sum())
    return {"buyers": int(t["customer_id"].nunique()),
            "retention": float(loyalty.retention_rate(t, previous, current)),
            "revenue": revenue, "gross_profit": gross, "marketing": marketing, "profit": gross - marketing}
