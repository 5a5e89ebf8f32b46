"""Chapter 03 explorer: a retention-based CLV calculator that draws the formula's terms.

    CLV = Σ_{t=1..T} m · r^t / (1 + d)^t

Each term is the margin ``m`` of year ``t``, times the chance ``r^t`` that the
customer is still there, times the discount factor ``1/(1 + d)^t`` that turns
money of year ``t`` into money of today. :func:`clv_terms` lists the terms; their
sum is :func:`crmlab.value.retention_clv` (same timing convention: margins at
the end of years 1..T).

Example
-------
>>> t = clv_terms(margin=100, retention=0.8, discount=0.1, horizon=2)
>>> t["term"].round(4).tolist()      # 100·0.8/1.1 = 72.7273; 100·0.64/1.21 = 52.8926
[72.7273, 52.8926]
>>> round(t["cumulative"].iloc[-1], 4)
125.6198
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import value
from crmlab.errors import CRMDataError, check_positive, check_probability

__all__ = ["clv_terms", "draw_clv", "clv_explorer"]


def clv_terms(margin: float, retention: float, discount: float, horizon: int) -> pd.DataFrame:
    """The terms of the retention-based CLV sum, one row per year t = 1..horizon.

    Returns
    -------
    DataFrame indexed by ``year``
        ``survival`` r^t, ``discount_factor`` 1/(1+d)^t, ``term`` m·r^t/(1+d)^t,
        ``cumulative`` (running sum; the last value is the CLV).
    """
    m = check_positive("margin", margin, allow_zero=True)
    r = check_probability("retention", retention)
    d = check_positive("discount", discount, allow_zero=True)
    if int(horizon) != horizon or horizon < 1:
        raise CRMDataError("horizon", "must be a whole number of years ≥ 1", detail=f"got {horizon!r}")
    t = np.arange(1, int(horizon) + 1)
    out = pd.DataFrame({"survival": r ** t, "discount_factor": 1.0 / (1.0 + d) ** t},
                       index=pd.Index(t, name="year"))
    out["term"] = m * out["survival"] * out["discount_factor"]
    out["cumulative"] = out["term"].cumsum()
    return out


def draw_clv(margin: float = 100.0, retention: float = 0.8, discount: float = 0.10, horizon: int = 10, *, fig=None) -> None:
    """Bars: each year's term; line: running total; dashed: the infinite-horizon CLV.

    ``fig``: an explorer's figure to redraw (see :func:`crmlab.explore.figure`); None makes a new one.
    """
    import matplotlib.pyplot as plt

    from crmlab.explore import bars, figure, nice_limits, projector_style, show

    terms = clv_terms(margin, retention, discount, horizon)
    total = terms["cumulative"].iloc[-1]
    infinite = value.retention_clv(margin, retention, discount) if retention < 1 + discount else None
    with plt.rc_context(projector_style()):
        fig, ax = figure(fig)
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.9)   # fixed: tight_layout costs ~0.1 s
        bars(ax, terms.index, terms["term"], color="#1565c0", alpha=0.8, label="term  m·r^t/(1+d)^t")
        ax.plot(terms.index, terms["cumulative"], color="#ef6c00", marker="o", lw=2.5, label="running total")
        if infinite is not None:
            ax.axhline(infinite, color="grey", ls="--", lw=1.5, label=f"T = ∞: \\${infinite:,.0f}")
        ax.set(xlabel="year t", ylabel="$ (today's money)",
               title=f"CLV over {horizon} years = \\${total:,.0f}   (m = \\${margin:,.0f}, r = {retention:.0%}, "
                     f"d = {discount:.0%})")   # \\$: a plain $ pair would start matplotlib's math mode
        ax.set_xticks(terms.index if horizon <= 20 else terms.index[::5])
        top = max(terms["cumulative"].max(), infinite if infinite is not None else 0.0)
        ax.set_ylim(nice_limits(min(terms["term"].min(), 0.0), top))   # round: the frame seldom changes
        ax.legend(loc="center right")
        show(fig)


def clv_explorer():
    """Sliders for margin, retention, discount rate and horizon → the CLV terms."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    style = {"description_width": "initial"}
    controls = {
        "margin": widgets.IntSlider(value=100, min=10, max=500, step=10, description="margin m ($/year)",
                                    style=style, continuous_update=False),
        "retention": widgets.FloatSlider(value=0.80, min=0.0, max=0.99, step=0.01, description="retention r",
                                         readout_format=".0%", style=style, continuous_update=False),
        "discount": widgets.FloatSlider(value=0.10, min=0.0, max=0.30, step=0.01, description="discount rate d",
                                        readout_format=".0%", style=style, continuous_update=False),
        "horizon": widgets.IntSlider(value=10, min=1, max=30, description="horizon T (years)", style=style,
                                     continuous_update=False),
    }
    return explorer(draw_clv, controls, title="CLV = Σ m·r^t/(1+d)^t", columns=2)
