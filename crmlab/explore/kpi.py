"""Chapter 11 explorer: a CRM programme switched on mid-run, against a control run of the same market.

Each **replication** is one seed of the classroom market simulated twice with
the same random numbers (common random numbers): once with no programme (the
**control**) and once with the programme switched on at a start date
(:class:`sim.strategies.StartingOn`). Before the start the two runs are the same
market to the last order; after it, the difference between them is what the
programme did — plus the chance paths its offers set off. The spread of that
difference over the seeds is the **noise band** (:func:`crmlab.kpi.programme_effect`).

The programme is :class:`sim.strategies.WinBackDormant` (a win-back offer to
every customer who has been dormant, at most one every 90 days; chapter 06).

A market run takes a few seconds, too slow for a control, so the KPI tables of
every run (at monthly, quarterly and yearly periods) are computed once by a
command and shipped as a small CSV (:data:`RUNS_FILE`,
``crmlab/datasets/kpi_programme_runs.csv``)::

    python -m crmlab.explore.kpi          # rewrites the file (~2 minutes)

Columns: ``seed``, ``arm`` (``control`` / ``programme``), ``start`` (the
programme's start date; ``none`` for the control), ``freq`` (``M``, ``Q``, ``Y``),
``period`` and the KPIs of :data:`KPIS` (as :func:`crmlab.kpi.kpi_table` defines
them) plus ``offer_cost`` (what the programme's offers cost in the period).

Example
-------
>>> runs = pd.DataFrame({"seed": [1, 1, 1, 1], "arm": ["control", "control", "programme", "programme"],
...                      "start": ["none", "none", "2024-04-01", "2024-04-01"], "freq": ["Q"] * 4,
...                      "period": ["2024Q1", "2024Q2"] * 2, "active": [10.0, 12.0, 10.0, 15.0]})
>>> kpi_series(runs, "active", "Q", "2024-04-01")[["control", "programme", "difference"]].to_dict("list")
{'control': [10.0, 12.0], 'programme': [10.0, 15.0], 'difference': [0.0, 3.0]}
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.errors import CRMDataError

__all__ = ["KPIS", "STARTS", "SEEDS", "FREQS", "CUSTOMERS", "YEARS", "RUNS_FILE", "run_kpis", "make_runs",
           "load_runs", "paired_runs", "kpi_series", "kpi_figure", "draw_kpi", "kpi_explorer"]

#: KPI columns kept from :func:`crmlab.kpi.kpi_table`, and how the figure names them
KPIS = {"active": "active customers", "new": "new customers", "retention_rate": "retention rate",
        "churn_rate": "churn rate", "repeat_rate": "repeat rate", "revenue": "revenue (USD)",
        "gross_profit": "gross profit (USD)",
        "revenue_per_customer": "revenue per customer (USD)", "aov": "average order value (USD)",
        "conversion_rate": "conversion rate", "satisfaction": "satisfaction (1-5)", "nps": "NPS",
        "complaint_rate": "complaint rate", "offer_cost": "programme cost (USD)"}
#: programme start dates of the grid
STARTS = ("2024-01-01", "2024-07-01", "2025-01-01")
SEEDS = (1, 2, 3, 4, 5, 6, 7, 8)
FREQS = {"M": "month", "Q": "quarter", "Y": "year"}
CUSTOMERS = 5000
YEARS = 3
RUNS_FILE = Path(__file__).resolve().parent.parent / "datasets" / "kpi_programme_runs.csv"
_RATES = ("retention_rate", "churn_rate", "repeat_rate", "conversion_rate", "complaint_rate")


def run_kpis(log, freq: str) -> pd.DataFrame:
    """The KPI table of one simulated market at ``freq`` (columns :data:`KPIS`, index ``period`` as text).

    ``offer_cost`` = Σ cost of the contacts in the period that are not paid
    acquisition (here: the programme's win-back offers).
    """
    from crmlab.kpi import ACQUISITION_PREFIX, kpi_table

    k = kpi_table(log.transactions, stages=log.stages, service=log.service, surveys=log.surveys, freq=freq)
    ct = log.contacts
    keep = ct[~ct["campaign"].astype(str).str.startswith(ACQUISITION_PREFIX)]
    cost = keep.groupby(keep["date"].dt.to_period(k.index.freq))["cost"].sum()
    k["offer_cost"] = cost.reindex(k.index, fill_value=0.0).to_numpy(dtype=float)
    out = k[list(KPIS)].copy()
    out.index = out.index.astype(str)
    return out


def make_runs(seeds=SEEDS, starts=STARTS, *, customers: int = CUSTOMERS, years: int = YEARS) -> pd.DataFrame:
    """Simulate every replication (control + one programme run per start date, per seed); one row per period."""
    import sim
    from sim.strategies import NoAction, StartingOn, WinBackDormant

    frames = []
    for seed in seeds:
        arms = [("control", "none", NoAction())] + [("programme", s, StartingOn(WinBackDormant(), s)) for s in starts]
        for arm, start, strategy in arms:
            log = sim.simulate("classroom", customers=customers, years=years, seed=seed, strategy=strategy)
            for freq in FREQS:
                k = run_kpis(log, freq).reset_index()
                frames.append(k.assign(seed=seed, arm=arm, start=start, freq=freq))
    out = pd.concat(frames, ignore_index=True)
    out = out[["seed", "arm", "start", "freq", "period", *KPIS]]
    for col in KPIS:
        out[col] = out[col].round(4 if col in _RATES else 2)
    return out


def load_runs(path: str | Path = RUNS_FILE) -> pd.DataFrame:
    """The shipped runs (see the module docstring for how they are made)."""
    return pd.read_csv(path, dtype={"period": str, "start": str})


def paired_runs(runs: pd.DataFrame, freq: str, start: str) -> pd.DataFrame:
    """The rows :func:`crmlab.kpi.programme_effect` needs: the controls and the programme runs from ``start``."""
    for name in ("seed", "arm", "start", "freq", "period"):
        if name not in runs.columns:
            raise CRMDataError(name, "missing column in runs", detail=f"columns present: {list(runs.columns)}")
    if freq not in set(runs["freq"]):
        raise CRMDataError("freq", "not a granularity of the runs", detail=f"got {freq!r}; have {sorted(set(runs['freq']))}")
    starts = sorted(set(runs.loc[runs["arm"] == "programme", "start"]))
    if start not in starts:
        raise CRMDataError("start", "not a programme start of the runs", detail=f"got {start!r}; have {starts}")
    at = runs[(runs["freq"] == freq) & ((runs["arm"] == "control") | (runs["start"] == start))]
    return at.drop(columns=["start", "freq"]).reset_index(drop=True)


def kpi_series(runs: pd.DataFrame, kpi: str, freq: str, start: str, *, z: float = 2.0) -> pd.DataFrame:
    """One KPI over time: mean of the seeds for control and programme, their difference and its noise band.

    Per period t: ``difference`` = mean over seeds of (programme − control);
    ``band`` = z · sd / √R of that difference over the R seeds (0 before the start:
    the runs are identical there).

    Returns
    -------
    DataFrame indexed by period (text): ``control, programme, difference, band``.
    """
    pairs = paired_runs(runs, freq, start)
    if kpi not in pairs.columns or kpi in ("seed", "arm", "period"):
        raise CRMDataError("kpi", "not a KPI of the runs", detail=f"got {kpi!r}; have {list(KPIS)}")
    periods, grids = _arrays(pairs, [kpi])
    return _series(periods, *grids[kpi], z=z)


def _arrays(pairs: pd.DataFrame, kpis: list[str]) -> tuple[list[str], dict]:
    """Periods in time order and, per KPI, the (seed × period) arrays of the control and programme arms."""
    periods = sorted(pairs["period"].unique(), key=pd.Period)
    seeds = np.array(sorted(pairs["seed"].unique()))
    grids = {k: [] for k in kpis}
    for arm in ("control", "programme"):
        one = pairs[pairs["arm"] == arm]
        rows = np.searchsorted(seeds, one["seed"].to_numpy())
        cols = pd.Index(periods).get_indexer(one["period"])
        for k in kpis:
            grid = np.full((len(seeds), len(periods)), np.nan)
            grid[rows, cols] = one[k].to_numpy(dtype=float)
            grids[k].append(grid)
    return periods, grids


def _series(periods, control: np.ndarray, programme: np.ndarray, *, z: float = 2.0) -> pd.DataFrame:
    diff = programme - control
    r = diff.shape[0]
    sd = diff.std(axis=0, ddof=1) if r > 1 else np.full(diff.shape[1], np.nan)
    return pd.DataFrame({"control": control.mean(axis=0), "programme": programme.mean(axis=0),
                         "difference": diff.mean(axis=0), "band": z * sd / np.sqrt(r)},
                        index=pd.Index(periods, name="period"))


def _x(periods) -> np.ndarray:
    """Middle of each period in decimal years (2024.5 = mid-2024)."""
    p = [pd.Period(s) for s in periods]
    mid = [a.start_time + (a.end_time - a.start_time) / 2 for a in p]
    return np.array([m.year + (m.day_of_year - 0.5) / (366 if m.is_leap_year else 365) for m in mid])


def _decimal_year(date: str) -> float:
    d = pd.Timestamp(date)
    return d.year + (d.day_of_year - 1) / (366 if d.is_leap_year else 365)


def kpi_figure(fig, runs: pd.DataFrame):
    """Set up two panels (the KPI for programme and control; their difference with its band); returns ``update``.

    The band of each period is :func:`kpi_series`'s; the title gives the verdict of
    :func:`crmlab.kpi.programme_effect` over all the periods after the start (the mean
    difference per period and its band).
    """
    from matplotlib.patches import Polygon

    from crmlab.explore import nice_limits

    fig.subplots_adjust(left=0.10, right=0.97, bottom=0.10, top=0.84, hspace=0.32)
    top, bottom = fig.subplots(2, 1, sharex=True)
    first = int(min(pd.Period(p).year for p in runs["period"].unique()))
    last = int(max(pd.Period(p).year for p in runs["period"].unique())) + 1
    for ax in (top, bottom):
        ax.set_xlim(first, last)
        ax.set_xticks(range(first, last + 1))
        ax.grid(alpha=0.3)
    bottom.axhline(0, color="#555555", lw=1)
    bottom.set_xlabel("year (programme start: red line)")
    band = Polygon(np.zeros((0, 2)), closed=True, facecolor="#ffcc80", edgecolor="none", alpha=0.7, animated=True)
    bottom.add_patch(band)
    ctrl, = top.plot([], [], color="#757575", lw=2, marker="o", ms=3, label="control (no programme)", animated=True)
    prog, = top.plot([], [], color="#1565c0", lw=2, marker="o", ms=3, label="programme", animated=True)
    diff, = bottom.plot([], [], color="#1565c0", lw=2, marker="o", ms=3, animated=True)
    marks = [ax.axvline(first, color="#c62828", lw=2, animated=True) for ax in (top, bottom)]
    top.legend(loc="upper left", fontsize=10, framealpha=0.9)
    headline = fig.suptitle("", fontsize=13, animated=True)
    # everything the controls can ask for, computed once: series per (kpi, freq, start), x per freq,
    # y-limits per KPI (over every granularity and start, so the frame only moves with the KPI)
    kpis = [k for k in KPIS if k in runs.columns]
    starts = sorted(set(runs.loc[runs["arm"] == "programme", "start"]))
    from crmlab.kpi import programme_effect

    series, xs, effects = {}, {}, {}
    for f in sorted(set(runs["freq"])):
        for st in starts:
            pairs = paired_runs(runs, f, st)
            effects[(f, st)] = programme_effect(pairs, st, kpis)      # the chapter's verdict per KPI
            periods, grids = _arrays(pairs, kpis)
            for k in kpis:
                series[(k, f, st)] = _series(periods, *grids[k])
            xs[f] = _x(periods)
    limits: dict = {}
    for k in kpis:
        values = runs[k].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        limits[k] = nice_limits(min(0.0, values.min()), values.max())
        spread = max(float(np.nanmax(np.abs(d["difference"]) + d["band"].fillna(0)))
                     for key, d in series.items() if key[0] == k)
        limits[(k, "diff")] = nice_limits(-spread, spread)
    top.set_ylabel("KPI value")
    bottom.set_ylabel("programme − control")

    def update(kpi: str, freq: str, start: str) -> None:
        key = (kpi, freq, start)
        if key not in series:
            raise CRMDataError("kpi", "not a KPI, granularity and start of the runs", detail=f"got {key!r}")
        s = series[key]
        x = xs[freq]
        if top.get_ylim() != limits[kpi]:
            top.set_ylim(*limits[kpi])
            bottom.set_ylim(*limits[(kpi, "diff")])
        ctrl.set_data(x, s["control"])
        prog.set_data(x, s["programme"])
        diff.set_data(x, s["difference"])
        b = s["band"].fillna(0).to_numpy()
        d = s["difference"].to_numpy()
        band.set_xy(np.column_stack([np.r_[x, x[::-1]], np.r_[d - b, (d + b)[::-1]]]))
        for m in marks:
            m.set_xdata([_decimal_year(start)] * 2)
        effect = effects[(freq, start)].loc[kpi]
        mean_d, mean_b = float(effect["difference"]), float(effect["band"])
        fmt = "{:+.2%}" if kpi in _RATES else "{:+,.2f}"
        verdict = "outside" if bool(effect["real"]) else "inside"
        headline.set_text(f"{KPIS[kpi]} by {FREQS[freq]}, programme from {start}\n"
                          f"after the start: programme − control = {fmt.format(mean_d)} on average, "
                          f"{verdict} its noise band (±{fmt.format(mean_b)[1:]})")

    return update


def draw_kpi(runs: pd.DataFrame | None = None, kpi: str = "active", freq: str = "Q", start: str = "2024-07-01") -> None:
    """Show the explorer's figure once."""
    from crmlab.explore import display_figure

    runs = load_runs() if runs is None else runs
    display_figure(lambda fig: kpi_figure(fig, runs), kpi=kpi, freq=freq, start=start)


def kpi_explorer(runs: pd.DataFrame | None = None):
    """Choose a KPI, the period length and the programme start → programme vs control over time."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    runs = load_runs() if runs is None else runs
    starts = sorted(set(runs.loc[runs["arm"] == "programme", "start"]))
    style = {"description_width": "initial"}
    controls = {
        "kpi": widgets.Dropdown(options=[(label, name) for name, label in KPIS.items()], value="active",
                                description="KPI", style=style),
        "freq": widgets.ToggleButtons(options=[(label, f) for f, label in FREQS.items()], value="Q",
                                      description="period", style=style),
        "start": widgets.SelectionSlider(options=starts, value="2024-07-01" if "2024-07-01" in starts else starts[0],
                                         description="programme start", style=style, continuous_update=False),
    }
    seeds = sorted(runs["seed"].unique().tolist())
    return explorer(lambda fig: kpi_figure(fig, runs), controls,
                    title=f"Classroom market, {CUSTOMERS:,} people over {YEARS} years, {len(seeds)} replications "
                          f"(seeds {seeds[0]}-{seeds[-1]}); lines: mean of the seeds; band: ±2 standard errors")


def main(argv: list[str] | None = None) -> None:
    """``python -m crmlab.explore.kpi [--out FILE]``: simulate the replications and write them as CSV."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=RUNS_FILE, help="CSV file to write (default: the shipped one)")
    args = parser.parse_args(argv)
    runs = make_runs()
    runs.to_csv(args.out, index=False)
    print(f"{len(runs)} rows → {args.out}")


if __name__ == "__main__":
    main()
