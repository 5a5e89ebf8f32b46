"""Unit tests of sim.experiment: KPIs and intervals against hand-worked numbers."""
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment import compare, kpis, replication_seed, run_comparison, run_replications, summarize_replications

D = pd.Timestamp


def tiny_log():
    """Three people over two years (2023-2024), every number chosen by hand."""
    customers = pd.DataFrame({"customer_id": [1, 2, 3],
                              "acquired_at": [D("2023-02-01"), D("2023-03-01"), pd.NaT]})
    transactions = pd.DataFrame({"order_id": [1, 2, 3, 4], "customer_id": [1, 1, 2, 2],
                                 "date": [D("2023-02-01"), D("2024-06-01"), D("2023-03-01"), D("2023-05-01")],
                                 "amount": [100.0, 50.0, 30.0, 20.0], "cost": [60.0, 30.0, 20.0, 10.0]})
    contacts = pd.DataFrame({"customer_id": [1, 2, 3, 1],
                             "date": [D("2023-01-10"), D("2023-01-20"), D("2023-01-30"), D("2024-01-05")],
                             "campaign": ["acquire_search_ads", "acquire_direct_mail", "acquire_search_ads", "care"],
                             "cost": [2.0, 3.0, 2.0, 1.0], "responded": [True, True, False, False]})
    stages = pd.DataFrame({
        "customer_id": [1, 1, 2, 2, 2, 3, 3],
        "date": [D("2023-01-10"), D("2023-02-01"), D("2023-01-20"), D("2023-03-01"), D("2023-09-01"),
                 D("2023-01-30"), D("2023-02-15")],
        "from_stage": ["target", "prospect", "target", "prospect", "customer", "target", "prospect"],
        "to_stage": ["prospect", "customer", "prospect", "customer", "dormant", "prospect", "lost"],
    })
    truth = pd.DataFrame({"customer_id": [1, 2, 3], "acquired": [True, True, False],
                          "churned": [False, True, False], "holdout_profit": [12.0, 0.0, 0.0]})
    return SimpleNamespace(customers=customers, transactions=transactions, contacts=contacts, stages=stages,
                           truth=truth, observation_end=D("2025-01-01"),
                           config=SimpleNamespace(start="2023-01-01"))


def test_kpis_by_hand():
    k = kpis(tiny_log())
    assert k["revenue"] == 200.0                      # 100 + 50 + 30 + 20
    assert k["gross_profit"] == 80.0                  # 40 + 20 + 10 + 10
    assert k["acquisition_cost"] == 7.0               # 2 + 3 + 2 (acquire_* campaigns)
    assert k["retention_cost"] == 1.0                 # the care contact
    assert k["profit"] == 72.0                        # 80 − 7 − 1
    assert k["customers_acquired"] == 2.0
    assert k["cost_per_acquisition"] == 3.5           # 7 / 2
    # at the end (2025-01-01): 1 customer, 2 dormant, 3 lost → 1 active
    assert k["active_customers"] == 1.0
    # a year before the end (2024-01-02): 1 customer, 2 dormant → cohort {1}; 1 still customer
    assert k["retention_rate"] == 1.0 and k["churn_rate"] == 0.0
    assert k["true_churn_rate"] == 0.5                # customer 2 of 2 acquired left
    assert k["holdout_profit"] == 12.0


def test_kpis_do_not_modify_the_log():
    log = tiny_log()
    before = {name: getattr(log, name).copy() for name in ("customers", "transactions", "contacts", "stages", "truth")}
    kpis(log)
    for name, table in before.items():
        pd.testing.assert_frame_equal(getattr(log, name), table)


def test_summarize_replications_t_interval_by_hand():
    # values 1, 2, 3, 4: mean 2.5, s = √(5/3) = 1.290994, t_{0.975, 3} = 3.182446,
    # half width = 3.182446 · 1.290994 / √4 = 2.054261 → (0.445739, 4.554261).
    # B − A = 1, 1, 2, 2: mean 1.5, s = √(1/3) = 0.577350, half = 3.182446·0.577350/2 = 0.918693.
    reps = pd.DataFrame({"strategy": ["A"] * 4 + ["B"] * 4, "replication": [0, 1, 2, 3] * 2,
                         "x": [1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 5.0, 6.0]})
    s = summarize_replications(reps).set_index(["strategy", "kpi"])
    a, b = s.loc[("A", "x")], s.loc[("B", "x")]
    assert a["mean"] == pytest.approx(2.5) and a["std"] == pytest.approx(1.290994, abs=1e-6)
    assert a["ci_low"] == pytest.approx(0.445739, abs=1e-6) and a["ci_high"] == pytest.approx(4.554261, abs=1e-6)
    assert a["n"] == 4 and a["diff_mean"] == 0.0
    assert b["diff_mean"] == pytest.approx(1.5)
    assert b["diff_ci_low"] == pytest.approx(1.5 - 0.918693, abs=1e-6)
    assert b["diff_ci_high"] == pytest.approx(1.5 + 0.918693, abs=1e-6)


def test_compare_is_summarize_replications_of_run_comparison():
    strategies = {"none": None, "win back": sim.strategies.WinBackDormant()}
    args = dict(n=2, seed=6, customers=100, years=0.5, progress=False)
    pd.testing.assert_frame_equal(compare("classroom", strategies, **args),
                                  summarize_replications(run_comparison("classroom", strategies, **args)))


def test_summarize_replications_leaves_out_undefined_values_and_says_so():
    reps = pd.DataFrame({"strategy": ["A"] * 3, "replication": [0, 1, 2], "x": [1.0, np.nan, 3.0]})
    row = summarize_replications(reps).iloc[0]
    assert row["n"] == 2 and row["mean"] == 2.0


def test_replication_seed_is_the_spawned_child():
    children = np.random.SeedSequence(42).spawn(4)
    for i, child in enumerate(children):
        assert replication_seed(42, i) == int(child.generate_state(1, dtype=np.uint64)[0] >> 1)
    assert len({replication_seed(42, i) for i in range(100)}) == 100


def test_run_replications_rows_and_seeds():
    reps = run_replications("classroom", n=2, seed=3, customers=120, years=0.5, progress=False)
    assert list(reps["replication"]) == [0, 1]
    assert list(reps["seed"]) == [replication_seed(3, 0), replication_seed(3, 1)]
    assert {"revenue", "profit", "active_customers", "retention_rate", "churn_rate",
            "acquisition_cost", "customers_acquired"} <= set(reps.columns)
    # each replication is exactly sim.simulate with its seed
    log = sim.simulate("classroom", customers=120, years=0.5, seed=replication_seed(3, 1))
    assert reps.iloc[1]["revenue"] == kpis(log)["revenue"]


def test_compare_uses_common_seeds_unless_told_not_to():
    strategies = {"none": sim.strategies.NoAction(), "again none": sim.strategies.NoAction()}
    reps = run_comparison("classroom", strategies, n=2, seed=1, customers=100, years=0.5, progress=False)
    assert (reps.loc[reps.strategy == "none", "seed"].to_numpy()
            == reps.loc[reps.strategy == "again none", "seed"].to_numpy()).all()
    # two identical strategies on the same seeds: every paired difference is exactly 0
    # (a KPI undefined in a replication, e.g. retention in a tiny market, is left out)
    crn = summarize_replications(reps)
    again = crn[(crn["strategy"] == "again none") & (crn["diff_n"] == 2)]
    assert len(again) >= 8
    assert (again["diff_mean"] == 0).all() and (again["diff_std"] == 0).all()
    reps = run_comparison("classroom", strategies, n=2, seed=1, customers=100, years=0.5, progress=False,
                          common_random_numbers=False)
    assert set(reps.loc[reps.strategy == "again none", "seed"]) == {replication_seed(1, 2), replication_seed(1, 3)}


@pytest.mark.parametrize("kwargs, needle", [
    (dict(n=0), "n must be a whole number >= 1, got 0"),
    (dict(seed=-1), "seed must be a whole number >= 0, got -1"),
    (dict(executor="threads"), "executor must be a concurrent.futures.Executor"),
])
def test_bad_arguments_are_named(kwargs, needle):
    with pytest.raises(ValueError) as err:
        run_replications("classroom", customers=50, years=0.2, progress=False, **kwargs)
    assert needle in str(err.value)


def test_compare_needs_strategies():
    with pytest.raises(ValueError, match="strategies must be a non-empty dict"):
        compare("classroom", {}, n=1)
    with pytest.raises(ValueError, match="confidence must be in"):
        compare("classroom", {"none": None}, n=1, confidence=1.5)
    with pytest.raises(ValueError, match="confidence must be in"):
        summarize_replications(pd.DataFrame({"strategy": ["A"], "replication": [0], "x": [1.0]}), confidence=95)


# ----------------------------------------------------------------------------- chapter 09: uplift, spend, holdout costs
def test_kpis_three_year_profit_by_hand():
    k = kpis(tiny_log(), holdout_retention_cost=2.0)
    assert k["holdout_retention_cost"] == 2.0
    assert k["holdout_net_profit"] == 10.0            # 12 − 2
    assert k["total_profit"] == 82.0                  # 72 + 10
    assert k["retention_spend"] == 3.0                # 1 (observed care contact) + 2 (holdout)
    unknown = kpis(tiny_log())                        # a log with no card: the holdout costs are unknown
    assert np.isnan(unknown["holdout_retention_cost"]) and np.isnan(unknown["total_profit"])


def test_uplift_and_return_on_spend_by_hand():
    # A: total_profit 100, 200; spend 0, 0.  B: total_profit 130, 210; spend 10, 20.
    # Δprofit = 30, 10 → mean 20; uplift = 100·20/|150| = 13.333 %.
    # return on spend per replication: 30/10 = 3, 10/20 = 0.5 → mean 1.75; s = 1.767767,
    # t_{0.975,1} = 12.706205 → half = 12.706205·1.767767/√2 = 15.882756.
    reps = pd.DataFrame({"strategy": ["A", "A", "B", "B"], "replication": [0, 1, 0, 1],
                         "total_profit": [100.0, 200.0, 130.0, 210.0], "retention_spend": [0.0, 0.0, 10.0, 20.0]})
    s = summarize_replications(reps).set_index(["strategy", "kpi"])
    b = s.loc[("B", "total_profit")]
    assert b["uplift_pct"] == pytest.approx(100 * 20 / 150)
    assert b["uplift_ci_low_pct"] == pytest.approx(100 * b["diff_ci_low"] / 150)
    ros = s.loc[("B", "return_on_spend")]
    assert ros["mean"] == pytest.approx(1.75) and ros["n"] == 2
    assert ros["ci_high"] == pytest.approx(1.75 + 15.882756, abs=1e-5)
    assert s.loc[("A", "return_on_spend"), "n"] == 0          # no extra spend against itself: undefined
    assert np.isnan(s.loc[("A", "return_on_spend"), "mean"])
    assert s.loc[("A", "total_profit"), "uplift_pct"] == 0.0


def test_holdout_year_costs_are_the_strategy_contacts_after_the_end():
    """The task's holdout cost is every win-back offer after the observation end, from the model's recorder."""
    from sim.engine import MODELS
    from sim.experiment import _holdout_retention_cost, _run_task

    strategy = sim.strategies.WinBackDormant()
    row = _run_task(("classroom", strategy, 800, 1.0, 3, 0))
    seed = replication_seed(3, 0)
    cfg = sim.scenario("classroom")
    model = MODELS[cfg.kind](cfg, 800, 1.0, seed, sim.strategies.WinBackDormant()).run()
    t, campaign = np.asarray(model.rec.ct_time), np.asarray(model.rec.ct_campaign)
    after = (t > model.obs_end) & (campaign == "winback")
    assert after.sum() > 10
    assert row["holdout_retention_cost"] == pytest.approx(after.sum() * cfg.winback_cost)
    assert _holdout_retention_cost(model) == row["holdout_retention_cost"]
    log = sim.simulate("classroom", customers=800, years=1, seed=seed, strategy=sim.strategies.WinBackDormant())
    assert row["total_profit"] == pytest.approx(kpis(log)["profit"] + log.truth["holdout_profit"].sum()
                                                - after.sum() * cfg.winback_cost)
    # no strategy: nothing to pay after the end
    assert _run_task(("classroom", None, 300, 1.0, 3, 0))["holdout_retention_cost"] == 0.0


def test_progress_is_quiet_unless_somebody_watches(capsys):
    run_replications("classroom", n=1, seed=0, customers=50, years=0.2)          # default: automatic
    assert capsys.readouterr().err == ""                                         # pytest's stderr is no terminal
    with pytest.raises(ValueError, match="progress must be True, False or None"):
        run_replications("classroom", n=1, customers=50, years=0.2, progress="yes")
