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
>>> round(float(t["cumulative"].iloc[-1]), 4)
125.6198
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import value
from crmlab.errors import CRMDataError, check_positive, check_probability

__all__ = ["clv_terms", "clv_figure", "draw_clv", "clv_explorer"]


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


def clv_figure(fig):
    """Set up bars (each year's term), a line (running total) and a dashed line (T = ∞); returns ``update``.

    ``update(margin, retention, discount, horizon)`` redraws them (see :func:`crmlab.explore.explorer`).
    """
    from crmlab.explore import bar_outlines, bars, nice_limits

    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.9)   # fixed: tight_layout costs ~0.1 s
    ax = fig.subplots()
    terms_bars = bars(ax, [1], [0], color="#1565c0", alpha=0.8, label="term  m·r^t/(1+d)^t", animated=True)
    running, = ax.plot([], [], color="#ef6c00", marker="o", lw=2.5, label="running total", animated=True)
    infinite_line = ax.axhline(0, color="grey", ls="--", lw=1.5, label="T = ∞", animated=True)
    ax.set(xlabel="year t", ylabel="USD (today's money)")
    title = ax.set_title("", animated=True)
    legend = ax.legend(loc="center right")
    legend.set_animated(True)                  # its last label carries the T = ∞ value

    def update(margin: float, retention: float, discount: float, horizon: int) -> None:
        terms = clv_terms(margin, retention, discount, horizon)
        total = terms["cumulative"].iloc[-1]
        infinite = value.retention_clv(margin, retention, discount) if retention < 1 + discount else None
        terms_bars.set_verts(bar_outlines(terms.index, terms["term"]))
        running.set_data(terms.index, terms["cumulative"])
        infinite_line.set_visible(infinite is not None)
        legend.get_lines()[-1].set_visible(infinite is not None)
        legend.get_texts()[-1].set_text(f"T = ∞: USD {infinite:,.0f}" if infinite is not None else "")
        if infinite is not None:
            infinite_line.set_ydata([infinite, infinite])
        title.set_text(f"CLV over {horizon} years = USD {total:,.0f}   (m = USD {margin:,.0f}, r = {retention:.0%}, "
                       f"d = {discount:.0%})")   # money as USD, never $: a $ pair would start math mode
        ax.set_xticks(terms.index if horizon <= 20 else terms.index[::5])
        margin_x = 0.05 * (horizon - 0.2)                                  # 5 % of the bars' span
        ax.set_xlim(0.6 - margin_x, horizon + 0.4 + margin_x)
        top = max(terms["cumulative"].max(), infinite if infinite is not None else 0.0)
        ax.set_ylim(nice_limits(min(terms["term"].min(), 0.0), top))       # round: the frame seldom changes

    return update


def draw_clv(margin: float = 100.0, retention: float = 0.8, discount: float = 0.10, horizon: int = 10) -> None:
    """Show the explorer's figure once for these values."""
    from crmlab.explore import display_figure

    display_figure(clv_figure, margin=margin, retention=retention, discount=discount, horizon=horizon)


def clv_explorer():
    """Sliders for margin, retention, discount rate and horizon → the CLV terms."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    style = {"description_width": "initial"}
    controls = {
        "margin": widgets.IntSlider(value=100, min=10, max=500, step=10, description="margin m (USD/year)",
                                    style=style, continuous_update=False),
        "retention": widgets.FloatSlider(value=0.80, min=0.0, max=0.99, step=0.01, description="retention r",
                                         readout_format=".0%", style=style, continuous_update=False),
        "discount": widgets.FloatSlider(value=0.10, min=0.0, max=0.30, step=0.01, description="discount rate d",
                                        readout_format=".0%", style=style, continuous_update=False),
        "horizon": widgets.IntSlider(value=10, min=1, max=30, description="horizon T (years)", style=style,
                                     continuous_update=False),
    }
    return explorer(clv_figure, controls, title="CLV = Σ m·r^t/(1+d)^t", columns=2)
