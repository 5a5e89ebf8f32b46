"""Chapter 12 explorer: what a paid member is worth, fee against renewal.

A warehouse club earns on a member twice: the yearly fee F (less its cost of
administration c_F) and the gross margin M on the goods the member buys. With
renewal probability ρ at each anniversary and discount rate d, a member who has
just joined is worth (:func:`crmlab.value.member_value`, the year's profit paid
at its start)

    V(ρ) = ((F − c_F) + M) · (1 + d) / (1 + d − ρ)

and the fee alone brings (F − c_F) · (1 + d) / (1 + d − ρ) of it. Renewal sits in
the denominator: at ρ = 0.9 and d = 0.1 a member pays for 1.1 / 0.2 = 5.5
discounted years, at ρ = 0.8 for 1.1 / 0.3 ≈ 3.7.

Example
-------
>>> t = member_value_curve(60, 40, fee_cost=8, renewals=[0.8, 0.9])
>>> t["lifetime_value"].round(2).tolist()      # 92·1.1/0.3, 92·1.1/0.2
[337.33, 506.0]
>>> t["fee_value"].round(2).tolist()           # 52·1.1/0.3, 52·1.1/0.2
[190.67, 286.0]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.value import member_value

__all__ = ["RENEWALS", "member_value_curve", "member_figure", "draw_member_value", "member_explorer"]

RENEWALS = np.round(np.arange(0.50, 0.951, 0.01), 2)
"""The renewal rates the explorer draws (50 % to 95 %)."""

def member_value_curve(fee: float, merchandise_margin: float, *, fee_cost: float = 8.0, discount: float = 0.1,
                       renewals=RENEWALS) -> pd.DataFrame:
    """Lifetime value of a new member and the fee's part of it, for each renewal rate.

    Returns
    -------
    DataFrame indexed by ``renewal``
        ``lifetime_value`` (fee and goods), ``fee_value`` (the fee alone), ``expected_years``.
    """
    rows = []
    for rho in renewals:
        v = member_value(fee, float(rho), merchandise_margin, fee_cost=fee_cost, discount=discount)
        fee_only = member_value(fee, float(rho), 0.0, fee_cost=fee_cost, discount=discount)
        rows.append({"renewal": float(rho), "lifetime_value": v["lifetime_value"],
                     "fee_value": fee_only["lifetime_value"], "expected_years": v["expected_years"]})
    return pd.DataFrame(rows).set_index("renewal")


def member_figure(fig, *, fee_cost: float = 8.0, discount: float = 0.1):
    """Set up the lifetime-value-by-renewal figure; returns ``update(fee, renewal, merchandise_margin)``."""
    from crmlab.explore import nice_limits

    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.13, top=0.86)
    ax = fig.subplots()
    total, = ax.plot([], [], lw=2.5, color="#1565c0", label="fee + goods margin", animated=True)
    fee_line, = ax.plot([], [], lw=2, ls="--", color="#ef6c00", label="the fee alone", animated=True)
    here, = ax.plot([], [], "o", ms=11, color="#1565c0", animated=True)
    here_fee, = ax.plot([], [], "o", ms=9, color="#ef6c00", animated=True)
    ax.set(xlim=(RENEWALS[0] - 0.01, RENEWALS[-1] + 0.01),
           xlabel="renewal rate at each anniversary", ylabel="value of a new member (USD, discounted)")
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
    ax.legend(loc="upper left")
    title = ax.set_title("", animated=True)

    def update(fee: float, renewal: float, merchandise_margin: float) -> None:
        curve = member_value_curve(fee, merchandise_margin, fee_cost=fee_cost, discount=discount)
        total.set_data(curve.index, curve["lifetime_value"])
        fee_line.set_data(curve.index, curve["fee_value"])
        low = min(0.0, curve["fee_value"].min(), curve["lifetime_value"].min())
        ax.set_ylim(nice_limits(low, curve["lifetime_value"].max(), steps=(1, 2, 5, 10)))
        now = member_value(fee, renewal, merchandise_margin, fee_cost=fee_cost, discount=discount)
        fee_part = member_value(fee, renewal, 0.0, fee_cost=fee_cost, discount=discount)["lifetime_value"]
        here.set_data([renewal], [now["lifetime_value"]])
        here_fee.set_data([renewal], [fee_part])
        share = f"{now['fee_share']:.0%}" if np.isfinite(now["fee_share"]) else "–"
        title.set_text(f"Renewal {renewal:.0%}: a member is worth USD {now['lifetime_value']:,.0f} "
                       f"({share} of it from the fee)")

    return update


def draw_member_value(fee: float = 60.0, renewal: float = 0.9, merchandise_margin: float = 40.0) -> None:
    """Show the explorer's figure once."""
    from crmlab.explore import display_figure

    display_figure(member_figure, fee=fee, renewal=renewal, merchandise_margin=merchandise_margin)


def member_explorer(fee: float = 60.0, renewal: float = 0.9, merchandise_margin: float = 40.0):
    """Sliders for the fee, the renewal rate and the goods margin → what a new member is worth."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    style = {"description_width": "initial"}
    controls = {
        "fee": widgets.IntSlider(value=int(fee), min=0, max=120, step=5, description="yearly fee (USD)",
                                 style=style, continuous_update=False),
        "renewal": widgets.FloatSlider(value=renewal, min=0.50, max=0.95, step=0.01, description="renewal rate",
                                       readout_format=".0%", style=style, continuous_update=False),
        "merchandise_margin": widgets.IntSlider(value=int(merchandise_margin), min=0, max=200, step=10,
                                                description="goods margin per member per year (USD)",
                                                style=style, continuous_update=False),
    }
    return explorer(member_figure, controls, title="A warehouse club: fee, renewal and what a member is worth")
