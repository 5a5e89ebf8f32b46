"""Chapter 00 explorer: the market sandbox — how many people are in each lifecycle stage over time.

:func:`stage_counts` counts, on a grid of dates, the people in each stage
(``target``, ``prospect``, ``opportunity``, ``customer``, ``dormant``, ``lost``)
from an event log's ``stages`` table. Everybody starts as a ``target``; each row
of ``stages`` moves one person from ``from_stage`` to ``to_stage``, so

    count_s(D) = initial_s + #{changes into s up to D} − #{changes out of s up to D}

and the counts add up to the population at every date.

:class:`MarketRuns` re-runs a small market (the simulator in :mod:`sim`) for a
grid of parameter values *once*, so that the widget only looks a run up and draws
it (each update well under 100 ms; a fresh simulation would take ~0.2 s).

Example
-------
>>> import pandas as pd
>>> st = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-02-20"]),
...                    "from_stage": ["target", "prospect", "target"], "to_stage": ["prospect", "customer", "prospect"]})
>>> c = stage_counts(st, population=3, start="2024-01-01", end="2024-03-01", freq="MS")
>>> c[["target", "prospect", "customer"]].to_dict("list")
{'target': [3, 2, 1], 'prospect': [0, 1, 1], 'customer': [0, 0, 1]}
"""
from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
import pandas as pd

from crmlab.errors import CRMDataError
from crmlab.schema import STAGES   # the funnel stages of the event-log contract

__all__ = ["STAGES", "stage_counts", "MarketRuns", "draw_stage_counts", "market_figure", "draw_market", "market_explorer"]

_COLOURS = ("#bdbdbd", "#90caf9", "#42a5f5", "#2e7d32", "#ffb300", "#c62828")


def stage_counts(stages: pd.DataFrame, population: int, *, start, end, freq: str = "MS",
                 initial: str = "target") -> pd.DataFrame:
    """People in each stage at each date of ``pd.date_range(start, end, freq=freq)``.

    Parameters
    ----------
    stages : DataFrame
        ``customer_id, date, from_stage, to_stage`` (one row per stage change; never modified).
    population : int
        Number of people in the market (all start in ``initial``).
    start, end : date-like
        First and last date of the grid.
    freq : str
        Grid frequency (``"MS"`` month starts, ``"W"`` weeks, ``"D"`` days).

    Returns
    -------
    DataFrame
        Index: the dates; columns: :data:`STAGES`; integer counts that sum to
        ``population`` in every row.
    """
    for col in ("date", "from_stage", "to_stage"):
        if col not in stages.columns:
            raise CRMDataError(col, "missing column in stages", detail=f"columns present: {list(stages.columns)}")
    unknown = ~stages["to_stage"].isin(STAGES) | ~stages["from_stage"].isin(STAGES)
    if unknown.any():
        raise CRMDataError("to_stage", "unknown stage name", list(stages.index[unknown]),
                           detail=f"known stages: {STAGES}")
    grid = pd.date_range(start, end, freq=freq)
    if len(grid) == 0:
        raise CRMDataError("end", "no grid date between start and end", detail=f"start={start}, end={end}")
    dates = pd.to_datetime(stages["date"]).to_numpy(dtype="datetime64[ns]")
    grid_ns = grid.to_numpy(dtype="datetime64[ns]")
    out = {}
    for stage in STAGES:
        into = np.sort(dates[(stages["to_stage"] == stage).to_numpy()])
        out_of = np.sort(dates[(stages["from_stage"] == stage).to_numpy()])
        base = int(population) if stage == initial else 0
        out[stage] = (base + np.searchsorted(into, grid_ns, side="right")
                      - np.searchsorted(out_of, grid_ns, side="right")).astype(np.int64)
    return pd.DataFrame(out, index=pd.Index(grid, name="date"))


class MarketRuns:
    """Small simulated markets for a grid of parameters, run once and kept.

    Parameters
    ----------
    reach : sequence of float
        Values of ``reach_per_year`` (how fast paid channels reach targets).
    dropout : sequence of float
        Values of ``dropout_per_year`` (base yearly hazard of leaving).
    referrals : sequence of float
        Values of ``referral_rate_per_year`` (referrals a satisfied customer makes per year).
    customers, years, seed :
        Size, length and seed of every run (the same seed for all, so two runs
        differ only by their parameters).

    ``runs.counts(reach, dropout, referrals)`` returns the monthly stage counts.
    """

    def __init__(self, reach: Sequence[float] = (0.1, 0.25, 0.5), dropout: Sequence[float] = (0.15, 0.35, 0.7),
                 referrals: Sequence[float] = (0.0, 0.9), *, customers: int = 600, years: int = 3, seed: int = 7):
        import sim

        self.reach, self.dropout, self.referrals = tuple(reach), tuple(dropout), tuple(referrals)
        self.customers, self.years, self.seed = customers, years, seed
        self._counts: dict[tuple, pd.DataFrame] = {}
        for key in itertools.product(self.reach, self.dropout, self.referrals):
            cfg = sim.scenario("classroom", reach_per_year=key[0], dropout_per_year=key[1],
                               referral_rate_per_year=key[2])
            log = sim.simulate(cfg, customers=customers, years=years, seed=seed)
            start = pd.Timestamp(cfg.start)
            self._counts[key] = stage_counts(log.stages, len(log.customers), start=start,
                                             end=start + pd.DateOffset(years=years), freq="MS")

    def counts(self, reach: float, dropout: float, referrals: float) -> pd.DataFrame:
        """Stage counts of one run of the grid (a look-up, no simulation)."""
        key = (reach, dropout, referrals)
        if key not in self._counts:
            raise CRMDataError("reach/dropout/referrals", "not a run of this grid",
                               detail=f"got {key}; grid: reach {self.reach}, dropout {self.dropout}, "
                                      f"referrals {self.referrals}")
        return self._counts[key]


def draw_stage_counts(counts: pd.DataFrame, title: str = "People in each stage", ax=None):
    """Stacked areas of the stage counts over time; returns the Axes."""
    import matplotlib.pyplot as plt

    from crmlab.explore import FIGSIZE

    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE)
    ax.stackplot(counts.index, *[counts[s] for s in STAGES], labels=STAGES, colors=_COLOURS, alpha=0.9)
    ax.set(title=title, xlabel="date", ylabel="people", xlim=(counts.index[0], counts.index[-1]),
           ylim=(0, counts.iloc[0].sum()))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), reverse=True)
    return ax


def _stack_outlines(x: np.ndarray, counts: pd.DataFrame) -> list[np.ndarray]:
    """One polygon per stage of a stacked-area plot: the stage's band between its lower and upper edge."""
    tops = np.cumsum(counts[list(STAGES)].to_numpy(dtype=float), axis=1)
    bottoms = tops - counts[list(STAGES)].to_numpy(dtype=float)
    return [np.column_stack([np.r_[x, x[::-1]], np.r_[tops[:, i], bottoms[::-1, i]]]) for i in range(len(STAGES))]


def market_figure(fig, runs: MarketRuns):
    """Set up the stacked areas of :func:`draw_stage_counts` for the runs' grid; returns ``update``.

    ``update(reach, dropout, referrals)`` looks the run up and moves the areas.
    """
    import matplotlib.dates as mdates
    from matplotlib.collections import PolyCollection

    fig.subplots_adjust(left=0.08, right=0.83, bottom=0.13, top=0.9)   # fixed; legend on the right
    ax = fig.subplots()
    areas = [PolyCollection([], facecolors=colour, linewidths=0, alpha=0.9, label=stage, animated=True)
             for stage, colour in zip(STAGES, _COLOURS)]
    for area in areas:
        ax.add_collection(area)
    first = runs.counts(runs.reach[0], runs.dropout[0], runs.referrals[0])
    ax.xaxis_date()
    ax.set(xlabel="date", ylabel="people", xlim=(first.index[0], first.index[-1]))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), reverse=True)
    title = ax.set_title("", animated=True)

    def update(reach: float, dropout: float, referrals: float) -> None:
        counts = runs.counts(reach, dropout, referrals)
        for area, outline in zip(areas, _stack_outlines(mdates.date2num(counts.index), counts)):
            area.set_verts([outline])
        ax.set_ylim(0, counts.iloc[0].sum())
        last = counts.iloc[-1]
        title.set_text(f"After {runs.years} years: {last['customer']} customers, "
                       f"{last['dormant']} dormant, {last['lost']} lost")

    return update


def draw_market(runs: MarketRuns, reach: float, dropout: float, referrals: float) -> None:
    """Show the explorer's figure once, for one run of the grid."""
    from crmlab.explore import display_figure

    display_figure(lambda fig: market_figure(fig, runs), reach=reach, dropout=dropout, referrals=referrals)


def market_explorer(runs: MarketRuns | None = None):
    """Sliders over the grid of :class:`MarketRuns` → stage counts over time."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    runs = runs or MarketRuns()
    style = {"description_width": "initial"}
    controls = {
        "reach": widgets.SelectionSlider(options=runs.reach, value=runs.reach[len(runs.reach) // 2],
                                         description="reach per year", style=style, continuous_update=False),
        "dropout": widgets.SelectionSlider(options=runs.dropout, value=runs.dropout[len(runs.dropout) // 2],
                                           description="dropout per year", style=style, continuous_update=False),
        "referrals": widgets.SelectionSlider(options=runs.referrals, value=runs.referrals[-1],
                                             description="referrals per customer-year", style=style,
                                             continuous_update=False),
    }

    return explorer(lambda fig: market_figure(fig, runs), controls, title=f"A market of {runs.customers} people (seed {runs.seed})")
