"""Chapter 08 explorer: staff the help desk — waits and service level (Erlang C), churn and profit (the market).

Left panel: the share of callers answered within t minutes, from the Erlang C
formulas of :mod:`crmlab.service` for the chosen arrival rate λ (calls per
hour), handling time (minutes; μ = 60 / minutes calls per hour per agent) and
agents c:

    SL(t) = 1 − C · exp(−(cμ − λ) · t)

Right panel: the ``busy_desk`` market (``sim.scenario("busy_desk")``) run with
each number of agents and handling time — its three-year profit, with the
churn in the title. Those runs take minutes, so they are computed once by a
command and shipped as :data:`GRID_FILE` (one row per run; see
:func:`market_grid`); the explorer only looks them up. To make the file again::

    .venv/bin/python -m crmlab.explore.service      # ~3 minutes, writes crmlab/datasets/busy_desk_grid.csv

Only :func:`market_run` / :func:`market_grid` import the simulator (when
called); the rest of the module reads the file.

Example
-------
>>> d = desk_figures(arrival_rate=1.0, handling_minutes=60, agents=2, target_minutes=30)
>>> round(d["p_wait"], 4), round(d["mean_wait_minutes"], 2), round(d["service_level"], 4)   # C = 1/3, Wq = 20 min
(0.3333, 20.0, 0.7978)
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab import service
from crmlab.errors import CRMDataError, ParameterError, check_int, check_number

__all__ = ["GRID_FILE", "GRID_AGENTS", "GRID_HANDLING_MINUTES", "GRID_SEEDS", "market_run", "market_grid",
           "load_grid", "grid_summary", "plot_staffing_chain", "desk_figures", "desk_figure", "draw_desk", "desk_explorer"]

#: the shipped grid of ``busy_desk`` market runs (inside the crmlab package)
GRID_FILE = "busy_desk_grid.csv"
#: the grid: agents × handling minutes × seeds (desks the scenario's validation refuses are left out)
GRID_AGENTS = (2, 3, 4, 5, 6, 7)
GRID_HANDLING_MINUTES = (20, 30, 40)
GRID_SEEDS = (0, 1, 2)
#: a wait of at most this many minutes counts as answered in time in the grid's ``service_level``
GRID_TARGET_MINUTES = 6.0

_GRID_COLUMNS = ["agents", "handling_minutes", "seed", "customers", "years", "tickets", "tickets_per_hour",
                 "mean_wait_hours", "share_waited", "service_level", "satisfaction", "customers_acquired",
                 "true_churn_rate", "profit"]


def market_run(agents: int, handling_minutes: float, seed: int, *, customers: int | None = None,
               years: float | None = None) -> dict:
    """Run the ``busy_desk`` market once with ``agents`` agents and this handling time; its figures.

    Returns a dict (one row of the grid): ``tickets`` and ``tickets_per_hour``
    (tickets opened in the observation period / its hours), ``mean_wait_hours``,
    ``share_waited`` (wait > 0), ``service_level`` (wait ≤ :data:`GRID_TARGET_MINUTES`),
    ``satisfaction`` (mean final latent satisfaction of the acquired customers,
    from ``truth``), ``customers_acquired``, ``true_churn_rate`` and ``profit``
    (observation period, before the agents' cost) from :func:`sim.experiment.kpis`.
    """
    import sim
    from sim.experiment import kpis

    cfg = sim.scenario("busy_desk", agents=int(agents), service_rate=60.0 / float(handling_minutes))
    customers = cfg.customers if customers is None else customers
    years = cfg.years if years is None else years
    log = sim.simulate(cfg, customers=customers, years=years, seed=seed)
    sv = log.service
    wait = (sv["answered_at"] - sv["opened_at"]).dt.total_seconds().to_numpy() / 3600.0
    k = kpis(log)
    acquired = log.truth["acquired"].to_numpy(dtype=bool)
    return {"agents": int(agents), "handling_minutes": float(handling_minutes), "seed": int(seed),
            "customers": int(customers), "years": float(years), "tickets": int(len(sv)),
            "tickets_per_hour": len(sv) / (years * 365.0 * 24.0),
            "mean_wait_hours": float(wait.mean()), "share_waited": float((wait > 0).mean()),
            "service_level": float((wait <= GRID_TARGET_MINUTES / 60.0).mean()),
            "satisfaction": float(log.truth["satisfaction_final"].to_numpy()[acquired].mean()),
            "customers_acquired": int(k["customers_acquired"]), "true_churn_rate": float(k["true_churn_rate"]),
            "profit": float(k["profit"])}


def market_grid(agents=GRID_AGENTS, handling_minutes=GRID_HANDLING_MINUTES, seeds=GRID_SEEDS) -> pd.DataFrame:
    """:func:`market_run` for every combination; a desk the scenario refuses as unstable is skipped."""
    import sim

    rows = []
    for h in handling_minutes:
        for c in agents:
            try:
                sim.scenario("busy_desk", agents=int(c), service_rate=60.0 / float(h))
            except sim.config.ConfigError:
                continue
            rows.extend(market_run(c, h, s) for s in seeds)
    return pd.DataFrame(rows, columns=_GRID_COLUMNS)


def load_grid() -> pd.DataFrame:
    """The shipped grid of market runs (:data:`GRID_FILE`), one row per run."""
    return pd.read_csv(Path(__file__).resolve().parent.parent / "datasets" / GRID_FILE)


def grid_summary(grid: pd.DataFrame | None = None, *, agent_cost_per_year: float = 0.0) -> pd.DataFrame:
    """Mean over the seeds of each (handling_minutes, agents), with the agents' cost taken off the profit.

    ``profit_after_agents`` = profit − agents · agent_cost_per_year · years.
    """
    grid = load_grid() if grid is None else grid
    cost = check_number("agent_cost_per_year", agent_cost_per_year, minimum=0)
    cols = ["tickets_per_hour", "mean_wait_hours", "service_level", "satisfaction", "true_churn_rate", "profit"]
    out = grid.groupby(["handling_minutes", "agents"])[cols + ["years"]].mean().reset_index()
    out["profit_after_agents"] = out["profit"] - out["agents"] * cost * out["years"]
    return out.drop(columns="years")


def plot_staffing_chain(summary: pd.DataFrame, handling_minutes: float = 30, *, agent_cost_per_year: float = 0.0):
    """Four panels against the number of agents: mean wait → satisfaction → churn → profit (one handling time).

    ``summary`` is :func:`grid_summary` output; with ``agent_cost_per_year`` > 0
    the profit panel also shows the profit after the agents' cost. Returns the figure.
    """
    import matplotlib.pyplot as plt

    from crmlab.explore import projector_style

    rows = summary[np.isclose(summary["handling_minutes"], handling_minutes)]
    if rows.empty:
        raise ParameterError("handling_minutes", "no runs with this handling time in the summary",
                             detail=f"got {handling_minutes!r}; the grid has {sorted(summary['handling_minutes'].unique())}")
    cost = check_number("agent_cost_per_year", agent_cost_per_year, minimum=0)
    x = rows["agents"].to_numpy()
    with plt.rc_context(projector_style()):
        fig, axes = plt.subplots(1, 4, figsize=(15, 3.8))
        panels = [(60 * rows["mean_wait_hours"], "mean wait (minutes)", "C0"),
                  (rows["satisfaction"], "satisfaction (0-1)", "C1"),
                  (100 * rows["true_churn_rate"], "customers who left (%)", "C3"),
                  (rows["profit"] / 1000, "3-year profit (thousands)", "C2")]
        for ax, (y, label, colour) in zip(axes, panels):
            ax.plot(x, y, "o-", color=colour, lw=2)
            ax.set(xlabel="agents", title=label, xticks=x)
        if cost > 0:
            axes[3].plot(x, rows["profit_after_agents"] / 1000, "s--", color="0.3", lw=1.5,
                         label=f"after agents at {cost:,.0f} a year")
            axes[3].legend(loc="lower right")
        fig.suptitle(f"busy_desk market, {handling_minutes:g}-minute handling: staffing → waits → satisfaction "
                     "→ churn → profit", fontsize=13)
        fig.tight_layout()
    return fig


def desk_figures(arrival_rate: float, handling_minutes: float, agents: int, target_minutes: float,
                 grid: pd.DataFrame | None = None) -> dict:
    """What the explorer shows for one desk.

    ``utilisation`` ρ = λ/(cμ), ``p_wait`` (Erlang C), ``mean_wait_minutes``
    (60·Wq), ``service_level`` SL(target) with μ = 60/handling minutes — all NaN
    and ``stable`` False when ρ ≥ 1 (no long-run level) — and, when ``grid`` is
    given and holds runs with these agents and handling minutes, the market's
    mean ``market_churn`` and ``market_profit`` over the seeds (else NaN).
    """
    lam = check_number("arrival_rate", arrival_rate, minimum=0)
    minutes = check_number("handling_minutes", handling_minutes, minimum=0)
    if minutes == 0:
        raise ParameterError("handling_minutes", "must be > 0", detail=f"got {handling_minutes!r}")
    c = check_int("agents", agents, minimum=1)
    target = check_number("target_minutes", target_minutes, minimum=0)
    mu = 60.0 / minutes
    out = {"utilisation": lam / (c * mu), "stable": lam < c * mu, "p_wait": math.nan,
           "mean_wait_minutes": math.nan, "service_level": math.nan, "market_churn": math.nan,
           "market_profit": math.nan}
    if out["stable"] and lam > 0:
        q = service.erlang_c(lam, mu, c)
        out.update(p_wait=q.p_wait, mean_wait_minutes=60.0 * q.mean_wait,
                   service_level=service.service_level(lam, mu, c, target / 60.0))
    elif lam == 0:
        out.update(p_wait=0.0, mean_wait_minutes=0.0, service_level=1.0)
    if grid is not None:
        runs = grid[(grid["agents"] == c) & np.isclose(grid["handling_minutes"], minutes)]
        if len(runs):
            out.update(market_churn=float(runs["true_churn_rate"].mean()), market_profit=float(runs["profit"].mean()))
    return out


def _curve(lam: float, mu: float, c: int, t_minutes: np.ndarray) -> np.ndarray:
    """SL(t) for each t (minutes)."""
    if lam == 0:
        return np.ones_like(t_minutes)
    p = service.erlang_c(lam, mu, c).p_wait
    return 1.0 - p * np.exp(-(c * mu - lam) * t_minutes / 60.0)


def desk_figure(fig, grid: pd.DataFrame | None = None):
    """Set up the two panels; returns ``update(arrival_rate, handling_minutes, agents, target_minutes)``."""
    grid = load_grid() if grid is None else grid
    summary = grid_summary(grid)
    fig.subplots_adjust(left=0.08, right=0.97, bottom=0.14, top=0.84, wspace=0.3)
    ax, bx = fig.subplots(1, 2)
    t = np.linspace(0.0, 60.0, 121)
    ax.set(xlim=(0, 60), ylim=(0, 1.02), xlabel="wait t (minutes)", ylabel="share answered within t")
    (curve,) = ax.plot(t, np.ones_like(t), color="C0", lw=2.5, animated=True)
    target_line = ax.axvline(0, color="0.4", ls="--", lw=1.2, animated=True)
    (target_dot,) = ax.plot([], [], "o", color="C3", ms=8, animated=True)
    left_title = ax.set_title("", animated=True, fontsize=12)

    profits = summary["profit"] / 1000.0
    lo, hi = float(profits.min()), float(profits.max())
    pad = 0.05 * (hi - lo or 1.0)
    bx.set(xlim=(min(GRID_AGENTS) - 0.5, max(GRID_AGENTS) + 0.5), ylim=(lo - pad, hi + pad),
           xlabel="agents", ylabel="3-year profit (thousands)")
    bx.set_xticks(list(GRID_AGENTS))
    (profit_line,) = bx.plot([], [], "o-", color="C2", lw=2, animated=True)
    (here,) = bx.plot([], [], "o", color="C3", ms=12, animated=True)
    right_title = bx.set_title("", animated=True, fontsize=12)
    fig.suptitle("Erlang C (left) and the busy_desk market (right)", fontsize=13)

    def update(arrival_rate: float, handling_minutes: float, agents: int, target_minutes: float) -> None:
        d = desk_figures(arrival_rate, handling_minutes, agents, target_minutes, grid)
        if d["stable"]:
            sl = _curve(float(arrival_rate), 60.0 / handling_minutes, int(agents), t)
            curve.set_data(t, sl)
            target_dot.set_data([target_minutes], [d["service_level"]])
            left_title.set_text(f"utilisation {d['utilisation']:.0%} · P(wait) {d['p_wait']:.0%} · "
                                f"mean wait {d['mean_wait_minutes']:.1f} min\n"
                                f"{d['service_level']:.0%} answered within {target_minutes:g} min")
        else:
            curve.set_data([], [])
            target_dot.set_data([], [])
            left_title.set_text(f"utilisation {d['utilisation']:.0%} ≥ 100%:\nthe queue grows without limit")
        target_line.set_xdata([target_minutes, target_minutes])
        rows = summary[np.isclose(summary["handling_minutes"], handling_minutes)]
        profit_line.set_data(rows["agents"].to_numpy(), rows["profit"].to_numpy() / 1000.0)
        if math.isnan(d["market_profit"]):
            here.set_data([], [])
            right_title.set_text(f"market, {handling_minutes:g}-min handling:\nno run with {agents} agents")
        else:
            here.set_data([agents], [d["market_profit"] / 1000.0])
            right_title.set_text(f"market, {handling_minutes:g}-min handling, {agents} agents:\n"
                                 f"churn {d['market_churn']:.1%} · profit {d['market_profit'] / 1000:,.0f}k")

    return update


def draw_desk(arrival_rate: float = 3.0, handling_minutes: float = 30, agents: int = 3,
              target_minutes: float = 6.0) -> None:
    """Show the explorer's figure once (no controls)."""
    from crmlab.explore import display_figure

    grid = load_grid()
    display_figure(lambda fig: desk_figure(fig, grid), arrival_rate=arrival_rate,
                   handling_minutes=handling_minutes, agents=agents, target_minutes=target_minutes)


def desk_explorer(arrival_rate: float = 3.0, handling_minutes: float = 30, agents: int = 3,
                  target_minutes: float = 6.0):
    """Sliders: arrival rate, handling time, agents and the target wait → waits, service level, churn, profit."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    grid = load_grid()
    style = {"description_width": "initial"}
    controls = {
        "arrival_rate": widgets.FloatSlider(value=arrival_rate, min=0.5, max=12.0, step=0.1,
                                            description="calls per hour λ", style=style, continuous_update=False),
        "handling_minutes": widgets.SelectionSlider(options=list(GRID_HANDLING_MINUTES), value=handling_minutes,
                                                    description="handling minutes", style=style,
                                                    continuous_update=False),
        "agents": widgets.IntSlider(value=agents, min=1, max=max(GRID_AGENTS), description="agents c",
                                    style=style, continuous_update=False),
        "target_minutes": widgets.FloatSlider(value=target_minutes, min=1.0, max=30.0, step=1.0,
                                              description="target wait (min)", style=style,
                                              continuous_update=False),
    }
    return explorer(lambda fig: desk_figure(fig, grid), controls, title="Staff the help desk", columns=2)


if __name__ == "__main__":   # python -m crmlab.explore.service: make the shipped grid again
    path = Path(__file__).resolve().parent.parent / "datasets" / GRID_FILE
    table = market_grid()
    table.to_csv(path, index=False, float_format="%.6g")
    print(f"wrote {len(table)} runs to {path}")
