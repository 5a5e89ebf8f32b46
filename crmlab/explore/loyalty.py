"""Chapter 07 explorer: satisfaction and switching cost → retention, repeat buying and referrals.

Two forces keep a customer: liking the firm (**satisfaction**) and what leaving
would cost (**switching cost**). In the market (:mod:`sim.market`) a customer's
dropout hazard is

    h = base · exp(β (s_ref − s) − switching_cost)

so both lower it, but only satisfaction makes customers refer friends (when
s ≥ ``satisfied_above``) and spares the market the warnings of unhappy leavers.
The explorer shows what each does to three outcomes of a whole market:

* **retention** — of the customers there at the start of the last year, the share
  still there at its end (from the run's ``truth``);
* **repeat rate** — share of customers with at least two orders
  (:func:`crmlab.loyalty.repeat_purchase_rate`);
* **referral share** — share of the acquired customers who came through a
  friend's referral (``customers.referred_by``).

A market run takes about a second, too slow for a slider, so the grid of runs is
computed once by a command and shipped as a small CSV (:data:`RUNS_FILE`,
``crmlab/datasets/loyalty_runs.csv``, about 10 KB)::

    python -m crmlab.explore.loyalty          # rewrites the file (~1-2 minutes)

Every run is the classroom scenario with ``customers=CUSTOMERS``, ``years=YEARS``,
initial satisfaction ~ Beta(10·m, 10·(1 − m)) (mean m, the classroom's spread;
``satisfaction_a``/``satisfaction_b``) for m in :data:`SATISFACTION`, and
``switching_cost_mean`` in :data:`SWITCHING`, each with the seeds in :data:`SEEDS`
(the same seeds in every cell: common random numbers, so two cells differ by
their parameters, not by luck). The widget looks runs up (:func:`outcome_curves`).

Example
-------
>>> runs = pd.DataFrame({"satisfaction": [0.6] * 4, "switching_cost": [0.0, 0.0, 1.0, 1.0], "seed": [1, 2, 1, 2],
...                      "retention": [0.70, 0.74, 0.80, 0.84], "repeat_rate": [0.5, 0.5, 0.6, 0.6],
...                      "referral_share": [0.4, 0.5, 0.4, 0.5], "customers_acquired": [100, 110, 100, 110]})
>>> loyalty_outcomes(runs, 0.6, 1.0)["retention"]          # mean of the two seeds: (0.80 + 0.84) / 2
0.82
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.errors import CRMDataError

__all__ = ["SATISFACTION", "SWITCHING", "SEEDS", "CUSTOMERS", "YEARS", "OUTCOMES", "RUNS_FILE", "run_outcomes",
           "make_runs", "load_runs", "outcome_curves", "loyalty_outcomes", "loyalty_figure", "draw_loyalty",
           "loyalty_explorer"]

#: mean initial satisfaction (0–1) of the grid; the classroom market's is 0.6
SATISFACTION = (0.4, 0.5, 0.6, 0.7, 0.8)
#: mean switching cost of the grid; the classroom market's is 0.3 (hazard × exp(−cost))
SWITCHING = (0.0, 0.3, 0.6, 1.0, 1.5)
SEEDS = (1, 2, 3)
CUSTOMERS = 2000
YEARS = 3
#: outcome columns of a run, and how the figure names them
OUTCOMES = {"retention": "retention (last year)", "repeat_rate": "repeat rate", "referral_share": "referral share"}
RUNS_FILE = Path(__file__).resolve().parent.parent / "datasets" / "loyalty_runs.csv"
_KEYS = ("satisfaction", "switching_cost", "seed")


def run_outcomes(log) -> dict:
    """Retention, repeat rate, referral share and customers acquired of one simulated market (an EventLog).

    retention = |customers at the start of the last observed year still there at its end|
    / |customers at the start of that year|, with "there" meaning acquired and not
    (yet) really gone (``truth.churn_date``).
    """
    from crmlab.loyalty import repeat_purchase_rate

    end = pd.Timestamp(log.observation_end)
    start = end - pd.DateOffset(years=1)
    acquired_at = log.customers.set_index("customer_id")["acquired_at"]
    churn = log.truth.set_index("customer_id")["churn_date"].reindex(acquired_at.index)
    at_start = (acquired_at <= start) & ~(churn <= start)
    kept = at_start & ~(churn <= end)
    acquired = acquired_at.notna()
    referred = log.customers.set_index("customer_id")["referred_by"].notna() & acquired
    return {
        "retention": float(kept.sum() / max(1, at_start.sum())),
        "repeat_rate": repeat_purchase_rate(log.transactions),
        "referral_share": float(referred.sum() / max(1, acquired.sum())),
        "customers_acquired": int(acquired.sum()),
    }


def make_runs(satisfaction=SATISFACTION, switching=SWITCHING, seeds=SEEDS, *, customers: int = CUSTOMERS,
              years: int = YEARS) -> pd.DataFrame:
    """Simulate the grid (every satisfaction × switching cost × seed) and return one row per run."""
    import sim

    rows = []
    for m in satisfaction:
        for cost in switching:
            cfg = sim.scenario("classroom", satisfaction_a=10.0 * m, satisfaction_b=10.0 * (1.0 - m),
                               switching_cost_mean=cost)
            for seed in seeds:
                log = sim.simulate(cfg, customers=customers, years=years, seed=seed)
                rows.append({"satisfaction": m, "switching_cost": cost, "seed": seed, **run_outcomes(log)})
    out = pd.DataFrame(rows)
    for col in OUTCOMES:
        out[col] = out[col].round(4)
    return out


def load_runs(path: str | Path = RUNS_FILE) -> pd.DataFrame:
    """The shipped grid of runs (see the module docstring for how it is made)."""
    return pd.read_csv(path)


def _check_runs(runs: pd.DataFrame) -> None:
    missing = [c for c in (*_KEYS, *OUTCOMES) if c not in runs.columns]
    if missing:
        raise CRMDataError(missing[0], "missing column in runs", detail=f"columns present: {list(runs.columns)}")


def outcome_curves(runs: pd.DataFrame, satisfaction: float) -> pd.DataFrame:
    """Mean, lowest and highest outcome over the seeds, per switching cost, at one satisfaction level.

    Returns
    -------
    DataFrame indexed by ``switching_cost`` (ascending)
        ``<outcome>``, ``<outcome>_low``, ``<outcome>_high`` for each outcome of :data:`OUTCOMES`.
    """
    _check_runs(runs)
    cell = runs[np.isclose(runs["satisfaction"], satisfaction)]
    if cell.empty:
        raise CRMDataError("satisfaction", "not a value of the grid",
                           detail=f"got {satisfaction!r}; grid: {sorted(runs['satisfaction'].unique().tolist())}")
    g = cell.groupby("switching_cost")[list(OUTCOMES)]
    mean, low, high = g.mean(), g.min().add_suffix("_low"), g.max().add_suffix("_high")
    return pd.concat([mean, low, high], axis=1).sort_index()


def loyalty_outcomes(runs: pd.DataFrame, satisfaction: float, switching_cost: float) -> dict:
    """Mean outcomes over the seeds of one cell of the grid (a look-up, no simulation)."""
    return _at(outcome_curves(runs, satisfaction), switching_cost)


def _at(curves: pd.DataFrame, switching_cost: float) -> dict:
    """The mean outcomes of :func:`outcome_curves` at one switching cost of the grid."""
    hit = np.isclose(curves.index.to_numpy(dtype=float), switching_cost)
    if not hit.any():
        raise CRMDataError("switching_cost", "not a value of the grid",
                           detail=f"got {switching_cost!r}; grid: {curves.index.tolist()}")
    row = curves[hit].iloc[0]
    return {name: round(float(row[name]), 6) for name in OUTCOMES}


def loyalty_figure(fig, runs: pd.DataFrame):
    """Set up three panels (one per outcome) against switching cost; returns ``update``.

    Every satisfaction level of the grid is drawn once in light grey (the frame);
    ``update(satisfaction, switching_cost)`` highlights one level (mean line and
    the band between the lowest and highest seed) and marks the chosen switching cost.
    """
    from matplotlib.collections import PolyCollection

    _check_runs(runs)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.14, top=0.80, wspace=0.28)
    axes = fig.subplots(1, len(OUTCOMES))
    levels = sorted(runs["satisfaction"].unique().tolist())
    all_curves = {m: outcome_curves(runs, m) for m in levels}
    costs = all_curves[levels[0]].index.to_numpy(dtype=float)
    lines, bands, marks = {}, {}, {}
    for ax, (name, label) in zip(axes, OUTCOMES.items()):
        for m in levels:
            ax.plot(costs, all_curves[m][name], color="#c8c8c8", lw=1.2)
        bands[name] = PolyCollection([], facecolors="#90caf9", alpha=0.6, linewidths=0, animated=True)
        ax.add_collection(bands[name])
        lines[name], = ax.plot([], [], color="#1565c0", lw=2.5, marker="o", animated=True)
        marks[name], = ax.plot([], [], ls="none", marker="o", ms=13, mfc="none", mec="#c62828", mew=2.5,
                               animated=True)
        ax.set(xlabel="mean switching cost", title=label, ylim=(0, 1),
               xlim=(costs.min() - 0.1, costs.max() + 0.1), xticks=costs)
        ax.yaxis.set_major_formatter("{x:.0%}")
    axes[0].set_ylabel("share of customers")
    axes[0].yaxis.set_label_coords(-0.2, 0.5)
    headline = fig.suptitle("", fontsize=14, animated=True)

    def update(satisfaction: float, switching_cost: float) -> None:
        near = [m for m in levels if np.isclose(m, satisfaction)]
        if not near:
            raise CRMDataError("satisfaction", "not a value of the grid", detail=f"got {satisfaction!r}; grid: {levels}")
        curves = all_curves[near[0]]                       # computed once, in setup
        chosen = _at(curves, switching_cost)
        for name in OUTCOMES:
            lines[name].set_data(costs, curves[name])
            low, high = curves[f"{name}_low"].to_numpy(), curves[f"{name}_high"].to_numpy()
            bands[name].set_verts([np.column_stack([np.r_[costs, costs[::-1]], np.r_[low, high[::-1]]])])
            marks[name].set_data([switching_cost], [chosen[name]])
        headline.set_text(f"Mean satisfaction {satisfaction:.1f}, switching cost {switching_cost:.1f}: "
                          f"retention {chosen['retention']:.0%}, repeat rate {chosen['repeat_rate']:.0%}, "
                          f"referrals {chosen['referral_share']:.0%}")

    return update


def draw_loyalty(runs: pd.DataFrame | None = None, satisfaction: float = 0.6, switching_cost: float = 0.3) -> None:
    """Show the explorer's figure once."""
    from crmlab.explore import display_figure

    runs = load_runs() if runs is None else runs
    display_figure(lambda fig: loyalty_figure(fig, runs), satisfaction=satisfaction, switching_cost=switching_cost)


def loyalty_explorer(runs: pd.DataFrame | None = None):
    """Sliders for mean satisfaction and mean switching cost → retention, repeat rate, referral share."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    runs = load_runs() if runs is None else runs
    _check_runs(runs)
    levels = tuple(sorted(runs["satisfaction"].unique().tolist()))
    costs = tuple(sorted(runs["switching_cost"].unique().tolist()))
    style = {"description_width": "initial"}
    controls = {
        "satisfaction": widgets.SelectionSlider(options=levels, value=min(levels, key=lambda m: abs(m - 0.6)),
                                                description="mean satisfaction (0-1)", style=style,
                                                continuous_update=False),
        "switching_cost": widgets.SelectionSlider(options=costs, value=min(costs, key=lambda c: abs(c - 0.3)),
                                                  description="mean switching cost", style=style,
                                                  continuous_update=False),
    }
    seeds = sorted(runs["seed"].unique().tolist())
    return explorer(lambda fig: loyalty_figure(fig, runs), controls,
                    title=f"Markets of {CUSTOMERS:,} people over {YEARS} years, seeds {seeds} (band: lowest to "
                          f"highest seed)")


def main(argv: list[str] | None = None) -> None:
    """``python -m crmlab.explore.loyalty [--out FILE]``: simulate the grid and write it as CSV."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=RUNS_FILE, help="CSV file to write (default: the shipped one)")
    args = parser.parse_args(argv)
    runs = make_runs()
    runs.to_csv(args.out, index=False)
    print(f"{len(runs)} runs → {args.out}")


if __name__ == "__main__":
    main()
