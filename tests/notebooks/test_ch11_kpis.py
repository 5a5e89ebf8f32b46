"""Chapter 11 (measuring CRM: the KPI system): the explorer's compute functions against hand-worked
numbers, the shipped replications against a fresh run, the numbers the text states, and every
exercise's self-check against an answer computed here."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import crmlab.explore
import sim
from crmlab import kpi, plots
from crmlab.errors import CRMDataError
from crmlab.exercises import check
from crmlab.explore import kpi as kpi_explore
from sim.strategies import NoAction, StartingOn, WinBackDormant

matplotlib.use("agg")


# ---------------------------------------------------------------- explorer: compute functions

def _runs():
    """Two seeds, quarters 2024Q1–Q3; the programme starts 2024-04-01 (Q2, Q3 after)."""
    rows = []
    table = {1: ([10.0, 12.0, 14.0], [10.0, 15.0, 18.0]), 2: ([20.0, 20.0, 21.0], [20.0, 21.0, 23.0])}
    for seed, (ctrl, prog) in table.items():
        for q in range(3):
            rows.append({"seed": seed, "arm": "control", "start": "none", "freq": "Q", "period": f"2024Q{q + 1}",
                         "active": ctrl[q]})
            rows.append({"seed": seed, "arm": "programme", "start": "2024-04-01", "freq": "Q",
                         "period": f"2024Q{q + 1}", "active": prog[q]})
    return pd.DataFrame(rows)


def test_unit_kpi_series_hand_worked():
    s = kpi_explore.kpi_series(_runs(), "active", "Q", "2024-04-01")
    assert s.index.tolist() == ["2024Q1", "2024Q2", "2024Q3"]
    assert s["control"].tolist() == [15.0, 16.0, 17.5]          # (10 + 20)/2, (12 + 20)/2, (14 + 21)/2
    assert s["programme"].tolist() == [15.0, 18.0, 20.5]
    # differences per seed: Q2 3 and 1 → mean 2, sd √2; Q3 4 and 2 → mean 3, sd √2; band = 2·√2/√2 = 2
    assert s["difference"].tolist() == [0.0, 2.0, 3.0]
    assert s["band"].tolist() == pytest.approx([0.0, 2.0, 2.0])
    # the same pairs judged by the library: d_s = 3.5 and 1.5 → 2.5 ± 2·√2/√2
    e = kpi.programme_effect(kpi_explore.paired_runs(_runs(), "Q", "2024-04-01"), "2024-04-01")
    assert e.loc["active", "difference"] == pytest.approx(2.5) and e.loc["active", "band"] == pytest.approx(2.0)
    assert bool(e.loc["active", "real"])


def test_unit_lookups_outside_the_runs_are_refused():
    runs = _runs()
    with pytest.raises(CRMDataError, match=r"'start'.*not a programme start.*2025-01-01"):
        kpi_explore.kpi_series(runs, "active", "Q", "2025-01-01")
    with pytest.raises(CRMDataError, match=r"'freq'.*not a granularity.*'M'"):
        kpi_explore.kpi_series(runs, "active", "M", "2024-04-01")
    with pytest.raises(CRMDataError, match=r"'kpi'.*not a KPI.*'profit'"):
        kpi_explore.kpi_series(runs, "profit", "Q", "2024-04-01")
    with pytest.raises(CRMDataError, match="'seed'.*missing column"):
        kpi_explore.paired_runs(runs.drop(columns="seed"), "Q", "2024-04-01")


@pytest.fixture(scope="module")
def shipped():
    return kpi_explore.load_runs()


def test_functional_shipped_runs_small_and_complete(shipped):
    assert kpi_explore.RUNS_FILE.stat().st_size <= 200_000
    periods = {"M": 36, "Q": 12, "Y": 3}
    arms = 1 + len(kpi_explore.STARTS)
    assert len(shipped) == len(kpi_explore.SEEDS) * arms * sum(periods.values())
    for f, n in periods.items():
        assert (shipped[shipped["freq"] == f].groupby(["seed", "arm", "start"]).size() == n).all()
    assert set(shipped.columns) == {"seed", "arm", "start", "freq", "period", *kpi_explore.KPIS}
    # common random numbers: before its start each programme run equals its control, to the last digit
    for start in kpi_explore.STARTS:
        pairs = kpi_explore.paired_runs(shipped, "M", start)
        before = pairs[[pd.Period(p).end_time < pd.Timestamp(start) for p in pairs["period"]]]
        ctrl = before[before["arm"] == "control"].drop(columns="arm").reset_index(drop=True)
        prog = before[before["arm"] == "programme"].drop(columns="arm").reset_index(drop=True)
        pd.testing.assert_frame_equal(ctrl, prog)


def test_functional_shipped_runs_regenerate(shipped):
    fresh = kpi_explore.make_runs(seeds=(1,), starts=("2024-07-01",))
    old = shipped[(shipped["seed"] == 1) & shipped["start"].isin(["none", "2024-07-01"])]
    pd.testing.assert_frame_equal(fresh.reset_index(drop=True), old.reset_index(drop=True), check_dtype=False,
                                  atol=1e-9)


def test_functional_explorer_update_equals_a_fresh_figure(shipped):
    box = kpi_explore.kpi_explorer(shipped)
    assert {k: c.value for k, c in box.controls.items()} == {"kpi": "active", "freq": "Q", "start": "2024-07-01"}
    frames = box.renderer.frames_drawn
    for name, new in [("start", "2025-01-01"), ("freq", "M"), ("kpi", "retention_rate"), ("freq", "Y"),
                      ("start", "2024-01-01")]:
        box.controls[name].value = new
        values = {k: c.value for k, c in box.controls.items()}
        assert bytes(box.image.value) == crmlab.explore.render_png(box.setup, **values), f"{name} = {new}"
        title = box.figure.get_suptitle()
        e = kpi.programme_effect(kpi_explore.paired_runs(shipped, values["freq"], values["start"]),
                                 values["start"], [values["kpi"]])
        verdict = "outside" if bool(e["real"].iloc[0]) else "inside"
        assert f"{verdict} its noise band" in title, title
    assert box.renderer.frames_drawn - frames == 1          # only the change of KPI moves the axes


# ---------------------------------------------------------------- the numbers the text states

@pytest.fixture(scope="module")
def data(classroom_log):
    return classroom_log


def test_text_annual_churn_example():
    # "Monthly churn of 5% is about 46% a year, not 12 × 5% = 60%"
    assert round(kpi.annual_churn(0.05), 2) == 0.46
    assert 1 - 0.95 ** 12 == pytest.approx(kpi.annual_churn(0.05))


def test_text_dashboard_and_churn_claims(data):
    tx = data.transactions
    q = kpi.kpi_table(tx, stages=data.stages, service=data.service, surveys=data.surveys, freq="Q")
    assert (np.diff(q["active"].to_numpy()) > 0).all()                          # grows every quarter
    assert q["repeat_rate"].iloc[-1] > q["repeat_rate"].iloc[1] + 0.2          # the repeat rate climbs
    assert q.loc["2025", "churn_rate"].mean() < q.loc["2023", "churn_rate"].mean()   # churn drifts down
    m = kpi.kpi_table(tx).loc["2025", "churn_rate"].mean()
    assert 0.45 < m < 0.55                                                      # "half ... every month"
    assert kpi.annual_churn(m) > 0.99                                           # "almost 100%"
    assert 0.2 < kpi.kpi_table(tx, freq="Y").loc["2025", "churn_rate"] < 0.3    # "about a quarter"
    real = kpi.true_churn(data.customers, data.truth, "2025-01-01", "2025-12-31")["churn_rate"].mean()
    direct = kpi.true_churn(data.customers, data.truth, "2025-01-01", "2025-12-31", freq="Y")["churn_rate"].iloc[0]
    assert real < 0.03                                                          # "small"
    assert abs(kpi.annual_churn(real) - direct) < abs(12 * real - direct)       # compounding is closer
    assert 12 * real > kpi.annual_churn(real)                                   # 12 × overshoots


def test_text_cohort_claims(data):
    tx = data.transactions
    cohort = tx.groupby("customer_id")["date"].transform("min").dt.year
    overall = kpi.kpi_table(tx, freq="Y")["revenue_per_customer"]
    assert overall["2023"] < overall["2024"] < overall["2025"]                 # rises year after year
    c23 = kpi.kpi_table(tx[cohort == 2023], freq="Y")["revenue_per_customer"]
    c24 = kpi.kpi_table(tx[cohort == 2024], freq="Y")["revenue_per_customer"]
    assert abs(c23["2025"] / c23["2024"] - 1) < 0.1                           # after year one: about the same
    assert c24["2024"] < 0.6 * c24["2025"]                                     # the first year is short
    assert overall["2025"] / overall["2024"] > c23["2025"] / c23["2024"] + 0.05


def test_text_one_programme_one_control():
    start = "2024-07-01"
    c = sim.simulate("classroom", customers=2000, years=3, seed=3, strategy=NoAction())
    p = sim.simulate("classroom", customers=2000, years=3, seed=3, strategy=StartingOn(WinBackDormant(), start))
    kc, kp = kpi.kpi_table(c.transactions, freq="Q"), kpi.kpi_table(p.transactions, freq="Q")
    before = kc.index.start_time < pd.Timestamp(start)
    pd.testing.assert_frame_equal(kc[before], kp[before])                      # one line up to the start
    assert (kp.loc[~before, "active"] > kc.loc[~before, "active"]).all()        # more active customers, every quarter


def test_text_before_after_and_summary(shipped):
    e = kpi.programme_effect(kpi_explore.paired_runs(shipped, "Q", "2024-07-01"), "2024-07-01")
    # "most of the before/after rise would have happened anyway"
    for k in ("active", "revenue"):
        assert e.loc[k, "before_after"] > 2 * e.loc[k, "difference"] > 0
    # summary: the programme raised customers, retention and repeat rate, and did not pay for its offers
    for k in ("active", "retention_rate", "repeat_rate"):
        assert bool(e.loc[k, "real"]) and e.loc[k, "difference"] > 0
    assert e.loc["gross_profit", "difference"] < e.loc["offer_cost", "difference"]


# ---------------------------------------------------------------- exercises

def _accepts(ex, right, wrong):
    assert check(ex, right).status == "right"
    assert check(ex, wrong).status == "wrong"
    assert check(ex, ...).status == "not answered"


def test_exercise_11_annual_churn(data):
    # by hand from the truth: customers there at each month's start, and those who left within it
    acquired = data.customers.set_index("customer_id")["acquired_at"]
    gone = data.truth.set_index("customer_id")["churn_date"].reindex(acquired.index)
    rates = []
    for month in pd.period_range("2025-01", "2025-12", freq="M"):
        there = (acquired < month.start_time) & ~(gone < month.start_time)
        left = there & (gone <= month.end_time)
        rates.append(left.sum() / there.sum())
    right = 1 - (1 - np.mean(rates)) ** 12
    _accepts("11.annual_churn", right, 12 * np.mean(rates))


def test_exercise_11_cohort_mix(data):
    tx = data.transactions
    year = tx["date"].dt.year
    first = tx.groupby("customer_id")["date"].transform("min").dt.year

    def per_customer(t, y):
        sel = t[t["date"].dt.year == y]
        return sel["amount"].sum() / sel["customer_id"].nunique()

    all_ratio = per_customer(tx, 2025) / per_customer(tx, 2024)
    old = tx[first == 2023]
    c_ratio = per_customer(old, 2025) / per_customer(old, 2024)
    assert year.min() == 2023
    right = {"all": all_ratio, "cohort_2023": c_ratio, "reason": "b"}
    _accepts("11.cohort_mix", right, {**right, "reason": "a"})
    assert check("11.cohort_mix", {**right, "cohort_2023": all_ratio}).status == "wrong"


def test_exercise_11_real_kpis(shipped):
    # by hand: per seed, mean quarterly difference after 2024-07-01; real when |mean| > 2·sd/√R
    q = shipped[shipped["freq"] == "Q"]
    after = [p >= "2024Q3" for p in q["period"]]
    q = q[after]
    ctrl = q[q["arm"] == "control"].set_index(["seed", "period"])
    prog = q[q["start"] == "2024-07-01"].set_index(["seed", "period"])
    real = set()
    for k in plots.KPI_SYSTEM:
        d = (prog[k] - ctrl[k].reindex(prog.index)).groupby(level="seed").mean()
        if abs(d.mean()) > 2 * d.std(ddof=1) / np.sqrt(len(d)):
            real.add(k)
    assert {"active", "retention_rate", "repeat_rate"} <= real and "nps" not in real
    _accepts("11.real_kpis", real, real | {"nps"})
    assert check("11.real_kpis", set(plots.KPI_SYSTEM)).status == "wrong"    # "everything moved": before/after


def test_exercise_11_programme_pays(shipped):
    q = shipped[(shipped["freq"] == "Q") & (shipped["period"] >= "2024Q3")]
    ctrl = q[q["arm"] == "control"].set_index(["seed", "period"])
    prog = q[q["start"] == "2024-07-01"].set_index(["seed", "period"])
    extra = (prog["gross_profit"] - ctrl["gross_profit"].reindex(prog.index)).groupby(level="seed").mean().mean()
    cost = (prog["offer_cost"] - ctrl["offer_cost"].reindex(prog.index)).groupby(level="seed").mean().mean()
    right = {"extra_gross_profit": extra, "offer_cost": cost, "keep": bool(extra > cost)}
    assert right["keep"] is False
    _accepts("11.programme_pays", right, {**right, "keep": True})
    before_after = prog["gross_profit"].mean() - shipped[(shipped["freq"] == "Q") & (shipped["start"] == "2024-07-01")
                                                         & (shipped["period"] < "2024Q3")]["gross_profit"].mean()
    assert check("11.programme_pays", {**right, "extra_gross_profit": before_after}).status == "wrong"
