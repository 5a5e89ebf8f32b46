"""Chapter 09 explorer: a retention strategy against no action, replication by replication.

A retention action is judged by its **incremental effect**: the same market
with and without it (a control group that is the *same* customers, thanks to
common random numbers), over many replications. For strategy S and
replication i the paired difference is

    d_i = profit(S, i) − profit(no action, i),

and after n replications the 95 % confidence interval of the mean effect is

    d̄ ± t_{0.975, n−1} · s_d / √n

(s_d the standard deviation of the d_i). The interval narrows like 1/√n: the
explorer shows it as the replications come in.

Those runs take minutes, so they are computed once by a command and shipped as
:data:`RUNS_FILE` — the classroom market at :data:`RUNS_CUSTOMERS` people ×
3 years, every setting of :data:`SETTINGS` on the same :data:`RUNS_REPLICATIONS`
replications (``sim.experiment.run_comparison``, seed :data:`RUNS_SEED`). To
make the file again::

    .venv/bin/python -m crmlab.explore.retention          # both files, ~5 minutes on 2 cores
    .venv/bin/python -m crmlab.explore.retention runs     # only the strategy runs
    .venv/bin/python -m crmlab.explore.retention sweep    # only the dropout sweep

:data:`SWEEP_FILE` holds the dropout sweep behind the seeds' retention claim
(:func:`dropout_sweep`): ``dropout_per_year`` over :data:`SWEEP_DROPOUT` on
the same replications, for the classroom and for the classroom with ten
times the acquisition cost.

Only :func:`make_strategy` / :func:`market_runs` import the simulator (when
called); the rest of the module reads the file.

Example
-------
>>> runs = pd.DataFrame({"setting": ["no action"] * 3 + ["care contacts · 90 days"] * 3,
...                      "replication": [0, 1, 2] * 2, "profit": [10.0, 20.0, 30.0, 12.0, 23.0, 31.0]})
>>> row = paired_effect(runs, "care contacts · 90 days", n=3)
>>> round(row["mean"], 4), round(row["ci_low"], 4), round(row["ci_high"], 4)   # d = 2, 3, 1
(2.0, -0.4841, 4.4841)
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.errors import ParameterError, check_int

__all__ = ["RUNS_FILE", "RUNS_CUSTOMERS", "RUNS_YEARS", "RUNS_REPLICATIONS", "RUNS_SEED", "SETTINGS", "DIALS",
           "LEVELS", "setting_name", "setting_at", "make_strategy", "market_runs", "load_runs", "paired_effect", "effect_by_n",
           "settings_table", "SWEEP_FILE", "SWEEP_DROPOUT", "SWEEP_VARIANTS", "variant_scenario", "dropout_sweep",
           "load_sweep", "sweep_summary", "retention_figure", "draw_retention", "retention_explorer"]

#: the shipped replications (inside the crmlab package)
RUNS_FILE = "retention_runs.csv"
RUNS_CUSTOMERS = 2000
RUNS_YEARS = 3.0
RUNS_REPLICATIONS = 20
RUNS_SEED = 9
#: each strategy and the values of its one dial (None: no dial)
DIALS = {
    "no action": None,
    "win back dormant": None,
    "care contacts": ("repeat every (days)", (60, 90, 180)),
    "targeted discount": ("discount (%)", (10, 20, 30)),
    "loyalty programme": ("points worth (%)", (3, 5, 10)),
}
#: the KPIs kept per run
KPIS = ["revenue", "profit", "retention_cost", "retention_rate", "true_churn_rate", "active_customers",
        "holdout_net_profit", "total_profit", "retention_spend"]


def setting_name(strategy: str, dial=None) -> str:
    """The setting's label: ``"care contacts · 90 days"``, ``"targeted discount · 20%"``, ``"no action"``."""
    if strategy not in DIALS:
        raise ParameterError("strategy", f"must be one of {list(DIALS)}", detail=f"got {strategy!r}")
    spec = DIALS[strategy]
    if spec is None:
        return strategy
    if dial not in spec[1]:
        raise ParameterError("dial", f"for {strategy!r} must be one of {list(spec[1])}", detail=f"got {dial!r}")
    return f"{strategy} · {dial:g} days" if strategy == "care contacts" else f"{strategy} · {dial:g}%"


#: every setting in the shipped file, in order (the first is the baseline)
SETTINGS = [setting_name(s, d) for s, spec in DIALS.items() for d in ((None,) if spec is None else spec[1])]


#: the explorer's dial positions: the low, middle and high value of a strategy's dial
LEVELS = ("low", "middle", "high")


def setting_at(strategy: str, level: str = "middle") -> str:
    """The setting of ``strategy`` with its dial at ``level`` (low, middle, high; ignored without a dial)."""
    if strategy not in DIALS:
        raise ParameterError("strategy", f"must be one of {list(DIALS)}", detail=f"got {strategy!r}")
    if level not in LEVELS:
        raise ParameterError("level", f"must be one of {list(LEVELS)}", detail=f"got {level!r}")
    spec = DIALS[strategy]
    return setting_name(strategy, None if spec is None else spec[1][LEVELS.index(level)])


def make_strategy(strategy: str, dial=None):
    """The ``sim.strategies`` object of a setting (``None`` for no action)."""
    from sim import strategies as st

    setting_name(strategy, dial)                             # checks both
    if strategy == "no action":
        return st.NoAction()
    if strategy == "win back dormant":
        return st.WinBackDormant()
    if strategy == "care contacts":
        return st.CareContacts(repeat_days=dial)
    if strategy == "targeted discount":
        return st.TargetedDiscount(percent=dial)
    return st.LoyaltyProgramme(percent=dial)


def market_runs(n: int = RUNS_REPLICATIONS, seed: int = RUNS_SEED, customers: int = RUNS_CUSTOMERS,
                years: float = RUNS_YEARS, settings: list[str] | None = None, executor=None,
                progress: bool | None = None) -> pd.DataFrame:
    """Every setting on the same ``n`` replications of the classroom market; one row per (setting, replication).

    Columns ``setting, replication, seed`` and :data:`KPIS` (``sim.experiment.kpis``).
    """
    from sim.experiment import run_comparison

    settings = SETTINGS if settings is None else list(settings)
    by_name = {setting_name(s, d): (s, d) for s, spec in DIALS.items()
               for d in ((None,) if spec is None else spec[1])}
    unknown = [s for s in settings if s not in by_name]
    if unknown:
        raise ParameterError("settings", f"must be among {SETTINGS}", detail=f"got {unknown[0]!r}")
    strategies = {name: make_strategy(*by_name[name]) for name in settings}
    reps = run_comparison("classroom", strategies, n=n, seed=seed, customers=customers, years=years,
                          executor=executor, progress=progress)
    return reps.rename(columns={"strategy": "setting"})[["setting", "replication", "seed"] + KPIS]


#: the dropout sweep behind the seeds' claim "+5 points of retention, +25–100 % profit"
SWEEP_FILE = "retention_sweep.csv"
SWEEP_DROPOUT = (0.45, 0.40, 0.35, 0.25)
SWEEP_REPLICATIONS = 10
#: market variants of the sweep: the classroom as it is, and acquisition costing ten times as much
SWEEP_VARIANTS = {"classroom": 1.0, "acquisition x10": 10.0}


def variant_scenario(variant: str):
    """The classroom scenario with every channel's ``cost_per_contact`` × the variant's factor."""
    import dataclasses

    import sim

    if variant not in SWEEP_VARIANTS:
        raise ParameterError("variant", f"must be one of {list(SWEEP_VARIANTS)}", detail=f"got {variant!r}")
    cfg = sim.scenario("classroom")
    factor = SWEEP_VARIANTS[variant]
    if factor == 1.0:
        return cfg
    return cfg.replace(channels=[dataclasses.replace(c, cost_per_contact=c.cost_per_contact * factor)
                                 for c in cfg.channels])


def dropout_sweep(n: int = SWEEP_REPLICATIONS, seed: int = RUNS_SEED, customers: int = RUNS_CUSTOMERS,
                  years: float = RUNS_YEARS, executor=None, progress: bool | None = None) -> pd.DataFrame:
    """``sim.experiment.run_sweep`` of ``dropout_per_year`` over :data:`SWEEP_DROPOUT` for each variant.

    One row per (variant, dropout, replication): ``variant, dropout_per_year, replication, seed``
    and the KPIs ``revenue, gross_profit, acquisition_cost, profit, retention_rate, true_churn_rate``.
    """
    from sim.experiment import run_sweep

    tables = []
    for variant in SWEEP_VARIANTS:
        reps = run_sweep(variant_scenario(variant), "dropout_per_year", list(SWEEP_DROPOUT), n=n, seed=seed,
                         customers=customers, years=years, executor=executor, progress=progress)
        reps = reps.rename(columns={"value": "dropout_per_year"}).drop(columns="parameter")
        reps.insert(0, "variant", variant)
        tables.append(reps)
    cols = ["variant", "dropout_per_year", "replication", "seed", "revenue", "gross_profit", "acquisition_cost",
            "profit", "retention_rate", "true_churn_rate"]
    return pd.concat(tables, ignore_index=True)[cols]


def load_sweep() -> pd.DataFrame:
    """The shipped dropout sweep (:data:`SWEEP_FILE`)."""
    return pd.read_csv(Path(__file__).resolve().parent.parent / "datasets" / SWEEP_FILE)


def sweep_summary(sweep: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per variant and dropout rate: means, and the paired profit change against the variant's first value.

    Columns ``variant, dropout_per_year``, ``dropout_points_lower`` (100 · (first value − this one):
    how many points of yearly dropout fewer), the means of ``true_churn_rate`` (share of customers
    who really left), ``retention_rate`` (the firm's label-based measure), ``acquisition_share_of_gross``
    (acquisition cost / gross profit) and ``profit``, and ``profit_change_pct`` =
    100 · mean_i(profit_i − first_i) / |mean first profit| over the same replications i.
    """
    sweep = load_sweep() if sweep is None else sweep
    rows = []
    for variant, table in sweep.groupby("variant", sort=False):
        first = table["dropout_per_year"].iloc[0]
        base = table[table["dropout_per_year"] == first].set_index("replication")
        for value, t in table.groupby("dropout_per_year", sort=False):
            t = t.set_index("replication")
            d_profit = (t["profit"] - base["profit"].reindex(t.index)).mean()
            rows.append({"variant": variant, "dropout_per_year": value,
                         "dropout_points_lower": round(100 * (first - value), 6),
                         "true_churn_rate": t["true_churn_rate"].mean(), "retention_rate": t["retention_rate"].mean(),
                         "acquisition_share_of_gross": (t["acquisition_cost"] / t["gross_profit"]).mean(),
                         "profit": t["profit"].mean(),
                         "profit_change_pct": 100 * d_profit / abs(base["profit"].mean())})
    return pd.DataFrame(rows)


def load_runs() -> pd.DataFrame:
    """The shipped replications (:data:`RUNS_FILE`), one row per (setting, replication)."""
    return pd.read_csv(Path(__file__).resolve().parent.parent / "datasets" / RUNS_FILE)


def _interval(d: np.ndarray) -> tuple[float, float, float]:
    """mean and t-interval d̄ ± t_{0.975, n−1} · s/√n (NaN bounds for n < 2)."""
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    if n < 2:
        return mean, math.nan, math.nan
    from scipy import stats

    half = float(stats.t.ppf(0.975, n - 1)) * float(d.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half


def _paired(runs: pd.DataFrame, setting: str, baseline: str, kpi: str) -> np.ndarray:
    """d_i = kpi(setting, i) − kpi(baseline, i), in replication order."""
    for name in (setting, baseline):
        if name not in set(runs["setting"]):
            raise ParameterError("setting", f"must be one of {list(dict.fromkeys(runs['setting']))}",
                                 detail=f"got {name!r}")
    if kpi not in runs.columns:
        raise ParameterError("kpi", "is not a column of the runs", detail=f"got {kpi!r}")
    a = runs[runs["setting"] == setting].set_index("replication")[kpi].sort_index()
    b = runs[runs["setting"] == baseline].set_index("replication")[kpi]
    return (a - b.reindex(a.index)).to_numpy(dtype=float)


def paired_effect(runs: pd.DataFrame, setting: str, n: int | None = None, baseline: str = "no action",
                  kpi: str = "profit") -> dict:
    """The paired difference of ``kpi`` against ``baseline`` over the first ``n`` replications.

    Returns ``mean, ci_low, ci_high, n`` (the 95 % t-interval; NaN bounds when n < 2).
    """
    d = _paired(runs, setting, baseline, kpi)
    n = len(d) if n is None else check_int("n", n, minimum=1, maximum=len(d))
    mean, low, high = _interval(d[:n])
    return {"mean": mean, "ci_low": low, "ci_high": high, "n": n}


def effect_by_n(runs: pd.DataFrame, setting: str, baseline: str = "no action", kpi: str = "profit") -> pd.DataFrame:
    """:func:`paired_effect` for n = 1, 2, …, all: how the interval narrows as replications come in."""
    d = _paired(runs, setting, baseline, kpi)
    rows = [dict(zip(("mean", "ci_low", "ci_high"), _interval(d[:k])), n=k) for k in range(1, len(d) + 1)]
    return pd.DataFrame(rows, columns=["n", "mean", "ci_low", "ci_high"])


def settings_table(runs: pd.DataFrame | None = None, baseline: str = "no action", n: int | None = None) -> pd.DataFrame:
    """One row per setting: mean three-year ``profit`` and ``retention_cost`` (USD), the paired
    profit difference against ``baseline`` with its 95 % interval, and ``return_on_spend``
    (Δprofit / Δretention cost over the replications; NaN without extra spend)."""
    runs = load_runs() if runs is None else runs
    rows = []
    for name in dict.fromkeys(runs["setting"]):
        e = paired_effect(runs, name, n=n, baseline=baseline)
        own = runs[runs["setting"] == name].sort_values("replication").head(e["n"])
        extra = paired_effect(runs, name, n=n, baseline=baseline, kpi="retention_cost")["mean"]
        rows.append({"setting": name, "profit": own["profit"].mean(), "retention_cost": own["retention_cost"].mean(),
                     "diff_profit": e["mean"], "diff_ci_low": e["ci_low"], "diff_ci_high": e["ci_high"],
                     "return_on_spend": e["mean"] / extra if extra else math.nan})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- the figure
def retention_figure(fig, runs: pd.DataFrame | None = None):
    """Set up the panel; returns ``update(strategy, level, replications)``.

    The running mean of the paired profit difference (against no action) for
    n = 1..20 replications with its 95 % band; the chosen n is marked and its
    interval given in the title.
    """
    runs = load_runs() if runs is None else runs
    curves = {name: effect_by_n(runs, name) for name in SETTINGS[1:] if name in set(runs["setting"])}
    n_max = int(runs["replication"].nunique())
    from crmlab.explore import nice_limits

    # the limits hold every interval from 5 replications on (the first few are wider; they run off the axes)
    lows = [float(np.nanmin(c[["mean", "ci_low"]].to_numpy()[4:])) for c in curves.values()]
    highs = [float(np.nanmax(c[["mean", "ci_high"]].to_numpy()[4:])) for c in curves.values()]
    y0, y1 = nice_limits(min(lows + [0.0]) / 1000.0, max(highs + [0.0]) / 1000.0)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.13, top=0.78)
    ax = fig.subplots()
    ax.set(xlim=(0.5, n_max + 0.5), ylim=(y0, y1), xlabel="replications included (n)",
           ylabel="profit vs no action (thousands, 3 years)")
    ax.set_xticks([1] + list(range(5, n_max + 1, 5)))
    ax.axhline(0, color="0.3", lw=1)
    band = ax.fill_between([1, 2], [0, 0], [0, 0], color="C0", alpha=0.25, lw=0, animated=True)
    (line,) = ax.plot([], [], "o-", color="C0", lw=2, ms=4, animated=True)
    (here,) = ax.plot([], [], "o", color="C3", ms=11, animated=True)
    (bar,) = ax.plot([], [], "-", color="C3", lw=3, animated=True)
    title = ax.set_title("", animated=True, fontsize=12)
    fig.suptitle("A retention strategy against no action, on the same markets (common random numbers)",
                 fontsize=13, y=0.98)

    def update(strategy: str, level: str = "middle", replications: int = n_max) -> None:
        name = setting_at(strategy, level)
        n = check_int("replications", replications, minimum=1, maximum=n_max)
        if name == "no action":
            line.set_data([], [])
            band.set_verts([np.zeros((0, 2))])
            here.set_data([], [])
            bar.set_data([], [])
            title.set_text("no action against itself: every difference is 0\nchoose a strategy")
            return
        c = curves[name].head(n)
        k = c["n"].to_numpy(dtype=float)
        low, high = c["ci_low"].to_numpy() / 1000.0, c["ci_high"].to_numpy() / 1000.0
        ok = ~np.isnan(low)
        verts = np.concatenate([np.column_stack([k[ok], low[ok]]), np.column_stack([k[ok][::-1], high[ok][::-1]])])
        band.set_verts([verts] if len(verts) else [np.zeros((0, 2))])
        line.set_data(k, c["mean"].to_numpy() / 1000.0)
        last = c.iloc[-1]
        here.set_data([n], [last["mean"] / 1000.0])
        if n >= 2:
            bar.set_data([n, n], [last["ci_low"] / 1000.0, last["ci_high"] / 1000.0])
            verdict = ("the interval is above 0: shown to pay" if last["ci_low"] > 0
                       else "the interval is below 0: shown to lose money" if last["ci_high"] < 0
                       else "the interval includes 0: not shown to work yet")
            title.set_text(f"{name}: {last['mean']:+,.0f} [{last['ci_low']:+,.0f}, {last['ci_high']:+,.0f}] "
                           f"over {n} replications\n{verdict}")
        else:
            bar.set_data([], [])
            title.set_text(f"{name}: {last['mean']:+,.0f} from 1 replication\nno interval from one run")

    return update


def draw_retention(strategy: str = "care contacts", level: str = "middle",
                   replications: int = RUNS_REPLICATIONS) -> None:
    """Show the explorer's figure once (no controls)."""
    from crmlab.explore import display_figure

    runs = load_runs()
    display_figure(lambda fig: retention_figure(fig, runs), strategy=strategy, level=level,
                   replications=replications)


def retention_explorer(strategy: str = "care contacts", level: str = "middle", replications: int = 5):
    """Controls: the strategy, its dial (low / middle / high) and the replications included →
    the paired difference against no action and its 95 % interval."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    runs = load_runs()
    style = {"description_width": "initial"}
    controls = {
        "strategy": widgets.Dropdown(options=list(DIALS), value=strategy, description="strategy", style=style),
        "level": widgets.SelectionSlider(options=list(LEVELS), value=level, style=style, continuous_update=False,
                                         description="dial (see the title)"),
        "replications": widgets.IntSlider(value=replications, min=1, max=int(runs["replication"].nunique()),
                                          description="replications n", style=style, continuous_update=False),
    }
    return explorer(lambda fig: retention_figure(fig, runs), controls, title="The retention lab", columns=2)


if __name__ == "__main__":   # python -m crmlab.explore.retention: make the shipped replications again
    from concurrent.futures import ProcessPoolExecutor

    path = Path(__file__).resolve().parent.parent / "datasets" / RUNS_FILE
    import sys

    with ProcessPoolExecutor(max_workers=2) as pool:
        if "sweep" not in sys.argv[1:]:
            table = market_runs(executor=pool, progress=True)
            table.to_csv(path, index=False, float_format="%.6f")
            print(f"wrote {len(table)} runs to {path}")
        if "runs" not in sys.argv[1:]:
            sweep_path = path.parent / SWEEP_FILE
            table = dropout_sweep(executor=pool, progress=True)
            table.to_csv(sweep_path, index=False, float_format="%.6f")
            print(f"wrote {len(table)} runs to {sweep_path}")
