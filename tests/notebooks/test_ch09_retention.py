"""Chapter 09 (the retention lab): the explorer's compute functions against hand-worked numbers,
the shipped replications against fresh runs, the exercises (right answers computed here, wrong
ones rejected) and the numbers the text states."""
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlab.errors import ParameterError
from crmlab.explore import retention as lab

matplotlib.use("agg")
DATASETS = Path(lab.__file__).resolve().parent.parent / "datasets"


def toy_runs():
    """Two settings, three replications; differences d = 2, 3, 1 (mean 2, s = 1)."""
    return pd.DataFrame({"setting": ["no action"] * 3 + ["care contacts · 90 days"] * 3,
                         "replication": [0, 1, 2] * 2, "profit": [10.0, 20.0, 30.0, 12.0, 23.0, 31.0],
                         "retention_cost": [0.0] * 3 + [1.0, 1.0, 1.0]})


def test_unit_paired_effect_hand_worked():
    # d = 2, 3, 1: mean 2, s = 1, t_{0.975,2} = 4.302653 → half = 4.302653 / √3 = 2.484138
    e = lab.paired_effect(toy_runs(), "care contacts · 90 days")
    assert e["mean"] == pytest.approx(2.0) and e["n"] == 3
    assert e["ci_low"] == pytest.approx(2 - 2.484138, abs=1e-6) and e["ci_high"] == pytest.approx(2 + 2.484138, abs=1e-6)
    # the first two replications: d = 2, 3 → mean 2.5, s = 0.707107, t_{0.975,1} = 12.706205 → half 6.353102
    two = lab.paired_effect(toy_runs(), "care contacts · 90 days", n=2)
    assert two["ci_high"] == pytest.approx(2.5 + 6.353102, abs=1e-6)
    one = lab.paired_effect(toy_runs(), "care contacts · 90 days", n=1)
    assert one["mean"] == 2.0 and math.isnan(one["ci_low"])
    by_n = lab.effect_by_n(toy_runs(), "care contacts · 90 days")
    assert by_n["n"].tolist() == [1, 2, 3] and by_n["mean"].tolist() == pytest.approx([2.0, 2.5, 2.0])


def test_unit_settings_table_and_return_on_spend():
    t = lab.settings_table(toy_runs()).set_index("setting")
    assert t.loc["care contacts · 90 days", "diff_profit"] == pytest.approx(2.0)
    assert t.loc["care contacts · 90 days", "return_on_spend"] == pytest.approx(2.0)     # Δprofit 2 / Δcost 1
    assert math.isnan(t.loc["no action", "return_on_spend"]) and t.loc["no action", "profit"] == 20.0


def test_unit_settings_and_bad_input():
    assert lab.setting_name("targeted discount", 20) == "targeted discount · 20%"
    assert lab.setting_at("care contacts", "low") == "care contacts · 60 days"
    assert lab.setting_at("win back dormant", "high") == "win back dormant"
    assert len(lab.SETTINGS) == 11 and lab.SETTINGS[0] == "no action"
    with pytest.raises(ParameterError, match="parameter 'strategy'"):
        lab.setting_name("free lunch")
    with pytest.raises(ParameterError, match="parameter 'dial'.*25"):
        lab.setting_name("targeted discount", 25)
    with pytest.raises(ParameterError, match="parameter 'n'"):
        lab.paired_effect(toy_runs(), "care contacts · 90 days", n=4)
    with pytest.raises(ParameterError, match="parameter 'setting'"):
        lab.paired_effect(toy_runs(), "loyalty programme · 5%")


def test_functional_shipped_files_are_complete_and_small():
    runs = lab.load_runs()
    assert (DATASETS / lab.RUNS_FILE).stat().st_size < 200_000 and (DATASETS / lab.SWEEP_FILE).stat().st_size < 200_000
    assert list(dict.fromkeys(runs["setting"])) == lab.SETTINGS
    assert (runs.groupby("setting")["replication"].apply(sorted).apply(list) == [list(range(20))] * 11).all()
    # common random numbers: every setting ran on the same seeds
    assert runs.groupby("replication")["seed"].nunique().eq(1).all()
    sweep = lab.load_sweep()
    assert len(sweep) == len(lab.SWEEP_VARIANTS) * len(lab.SWEEP_DROPOUT) * lab.SWEEP_REPLICATIONS
    assert (DATASETS / "retention_runs.README.md").exists()


@pytest.mark.slow
def test_functional_shipped_replication_regenerates():
    """Replication 3 of two settings, made again, gives the shipped rows (the simulator is reproducible)."""
    fresh = lab.market_runs(n=4, settings=["no action", "care contacts · 90 days"], progress=False)
    shipped = lab.load_runs()
    for setting in ("no action", "care contacts · 90 days"):
        a = fresh[(fresh["setting"] == setting) & (fresh["replication"] == 3)].iloc[0]
        b = shipped[(shipped["setting"] == setting) & (shipped["replication"] == 3)].iloc[0]
        assert a["seed"] == b["seed"]
        for k in lab.KPIS:
            assert b[k] == pytest.approx(a[k], rel=1e-6, abs=1e-6), (setting, k)


@pytest.mark.slow
def test_functional_shipped_sweep_row_regenerates():
    from sim.experiment import run_sweep

    fresh = run_sweep(lab.variant_scenario("acquisition x10"), "dropout_per_year", [0.45, 0.25], n=1,
                      seed=lab.RUNS_SEED, customers=lab.RUNS_CUSTOMERS, years=lab.RUNS_YEARS, progress=False)
    shipped = lab.load_sweep()
    b = shipped[(shipped["variant"] == "acquisition x10") & (shipped["dropout_per_year"] == 0.25)
                & (shipped["replication"] == 0)].iloc[0]
    a = fresh[fresh["value"] == 0.25].iloc[0]
    for k in ("revenue", "profit", "acquisition_cost", "retention_rate"):
        assert b[k] == pytest.approx(a[k], rel=1e-6), k


def test_functional_sweep_summary_hand_worked():
    sweep = pd.DataFrame({"variant": ["v"] * 4, "dropout_per_year": [0.45, 0.45, 0.25, 0.25],
                          "replication": [0, 1, 0, 1], "revenue": [0.0] * 4, "gross_profit": [100.0] * 4,
                          "acquisition_cost": [10.0, 30.0, 10.0, 30.0], "profit": [50.0, 150.0, 60.0, 170.0],
                          "retention_rate": [0.5, 0.6, 0.55, 0.67], "true_churn_rate": [0.4, 0.2, 0.3, 0.1]})
    s = lab.sweep_summary(sweep).set_index("dropout_per_year")
    assert s.loc[0.25, "dropout_points_lower"] == pytest.approx(20.0)
    assert s.loc[0.25, "profit_change_pct"] == pytest.approx(15.0)        # mean Δ (10 + 20)/2 = 15 / base mean 100
    assert s.loc[0.45, "acquisition_share_of_gross"] == pytest.approx(0.2)
    assert s.loc[0.25, "true_churn_rate"] == pytest.approx(0.2) and s.loc[0.45, "profit_change_pct"] == 0.0


def test_functional_explorer_updates():
    from crmlab.explore import render_png

    runs = lab.load_runs()
    a = render_png(lambda fig: lab.retention_figure(fig, runs), strategy="care contacts", level="middle", replications=20)
    b = render_png(lambda fig: lab.retention_figure(fig, runs), strategy="care contacts", level="middle", replications=3)
    c = render_png(lambda fig: lab.retention_figure(fig, runs), strategy="no action", level="middle", replications=3)
    assert a[:4] == b"\x89PNG" and len({a, b, c}) == 3
    box = lab.retention_explorer()
    before = bytes(box.image.value)
    box.controls["replications"].value = 15
    assert bytes(box.image.value) != before


def test_functional_explorer_update_equals_a_fresh_figure_and_keeps_its_frame():
    import importlib.util
    import sys

    import crmlab.explore

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_explorers.py"
    spec = importlib.util.spec_from_file_location("bench_explorers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_explorers", module)
    spec.loader.exec_module(sys.modules["bench_explorers"])
    (ex,) = [e for e in sys.modules["bench_explorers"].EXPLORERS if e.name.startswith("09")]
    case = ex.setup()
    box = case.box
    for name, new in case.changes:
        box.controls[name].value = new
        values = {k: c.value for k, c in box.controls.items()}
        assert bytes(box.image.value) == crmlab.explore.render_png(box.setup, **values), f"after {name} = {new!r}"
    assert box.renderer.frames_drawn == 1
    for compute in case.computes:
        assert set(compute()) == {"mean", "ci_low", "ci_high", "n"}


# ----------------------------------------------------------------------------- the exercises
def _accepts(exercise_id, right, wrong):
    from crmlab.exercises import check

    assert check(exercise_id, right).status == "right"
    assert check(exercise_id, wrong).status == "wrong"
    assert check(exercise_id, ...).status == "not answered"


def _paired_from_file(setting, baseline, kpi="profit"):
    runs = pd.read_csv(DATASETS / "retention_runs.csv")
    a = runs[runs["setting"] == setting].set_index("replication")[kpi].sort_index()
    b = runs[runs["setting"] == baseline].set_index("replication")[kpi].sort_index()
    return (a - b).to_numpy(), runs


def test_exercise_09_paired_interval():
    d = [420, 150, 610, 280, 340]
    mean = sum(d) / 5                                                   # 360
    s = math.sqrt(sum((x - mean) ** 2 for x in d) / 4)                  # √(117000/4) = 171.03
    assert mean == 360 and s == pytest.approx(171.026, abs=1e-3)
    low = mean - 2.776 * s / math.sqrt(5)
    assert round(low) == 148
    _accepts("09.paired_interval", 148, round(mean - 1.96 * s / math.sqrt(5)))   # the normal quantile: 210


def test_exercise_09_care_uplift():
    d, runs = _paired_from_file("care contacts · 90 days", "no action")
    base = runs.loc[runs["setting"] == "no action", "profit"].mean()
    right = round(100 * d.mean() / abs(base), 1)
    _accepts("09.care_uplift", right, round(d.mean(), 1))              # USD instead of percent


def _profit_change_pct(variant, value):
    sweep = pd.read_csv(DATASETS / "retention_sweep.csv")
    v = sweep[sweep["variant"] == variant]
    base = v[v["dropout_per_year"] == 0.45].set_index("replication")["profit"]
    this = v[v["dropout_per_year"] == value].set_index("replication")["profit"]
    return 100 * (this - base).mean() / abs(base.mean())


def test_exercise_09_five_points():
    right = round(_profit_change_pct("classroom", 0.40), 1)
    dear = _profit_change_pct("acquisition x10", 0.40)
    _accepts("09.five_points", right, round(dear, 1))                  # the dear-acquisition market's figure
    assert right < 25 <= dear <= 85                                     # the text: far below, and inside the range


def test_exercise_09_beat_winback():
    runs = pd.read_csv(DATASETS / "retention_runs.csv")
    best, best_gain = None, -math.inf
    for setting in dict.fromkeys(runs["setting"]):
        d, _ = _paired_from_file(setting, "win back dormant")
        cost = runs.loc[runs["setting"] == setting, "retention_cost"].mean()
        if setting == "win back dormant" or cost > 500:
            continue
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
        if d.mean() - half > 0 and d.mean() > best_gain:
            best, best_gain = setting, d.mean()
    assert best is not None
    # a wrong answer: the setting with the largest mean gain ignoring the budget or the interval, if different,
    # else win back itself
    means = {s: _paired_from_file(s, "win back dormant")[0].mean() for s in dict.fromkeys(runs["setting"])}
    top = max(means, key=means.get)
    _accepts("09.beat_winback", best, top if top != best else "win back dormant")


# ----------------------------------------------------------------------------- numbers the text states
def test_text_numbers_of_chapter_09():
    assert round(stats.t.ppf(0.975, 4), 2) == 2.78 and round(stats.t.ppf(0.975, 19), 2) == 2.09
    assert round(stats.t.ppf(0.975, 4), 3) == 2.776
    assert lab.RUNS_CUSTOMERS == 2000 and lab.RUNS_REPLICATIONS == 20 and lab.RUNS_YEARS == 3
    assert lab.SWEEP_REPLICATIONS == 10 and lab.SWEEP_VARIANTS["acquisition x10"] == 10
    assert len(lab.SETTINGS) == 11
    import sim

    cfg = sim.scenario("classroom")
    assert cfg.referral_share == 0.6                                   # "60% of new customers"
    assert sim.strategies.CareContacts().repeat_days == 90             # "at most once every 90 days"
    assert sim.strategies.CareContacts().target.r_scores == (1, 2)
    # the sweep: profit rises far less than 25% per 5 points on the classroom, more with dear acquisition
    s = lab.sweep_summary()
    classroom = s[s["variant"] == "classroom"].set_index("dropout_per_year")
    dear = s[s["variant"] == "acquisition x10"].set_index("dropout_per_year")
    assert classroom.loc[0.40, "profit_change_pct"] < 25 <= dear.loc[0.40, "profit_change_pct"] <= 85
    assert classroom.loc[0.25, "profit_change_pct"] < 25 and classroom.loc[0.25, "profit_change_pct"] > 0
    assert classroom["acquisition_share_of_gross"].max() < 0.2 and dear["acquisition_share_of_gross"].min() > 0.5
    # the firm's label-based retention moves by a point or two, less than the true churn
    assert (classroom["retention_rate"].iloc[1:] > classroom["retention_rate"].iloc[0]).all()
    assert classroom["true_churn_rate"].is_monotonic_decreasing
    # the small run: a customer costs little more than a year of quarterly care, well below 5–7×
    from sim.experiment import kpis

    k = kpis(sim.simulate("classroom", customers=1000, years=1, seed=7))
    assert 1 < k["cost_per_acquisition"] / (4 * cfg.contact_cost) < 5
