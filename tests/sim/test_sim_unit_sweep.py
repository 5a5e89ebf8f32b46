"""sim.sweep: one scenario parameter over several values, on common random numbers."""
import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment import kpis, replication_seed, run_sweep, summarize_replications, sweep

SMALL = dict(customers=300, years=1, progress=False)


@pytest.fixture(scope="module")
def reps():
    return run_sweep("classroom", "dropout_per_year", [0.45, 0.2], n=3, seed=5, **SMALL)


def test_sweep_runs_the_same_replications_for_every_value(reps):
    assert list(reps["value"]) == [0.45] * 3 + [0.2] * 3
    assert (reps["parameter"] == "dropout_per_year").all()
    seeds = [replication_seed(5, i) for i in range(3)]
    assert list(reps["seed"]) == seeds * 2
    # each row is sim.simulate of the scenario with that value and that seed
    log = sim.simulate(sim.scenario("classroom", dropout_per_year=0.2), customers=300, years=1, seed=seeds[1])
    assert reps.iloc[4]["revenue"] == kpis(log)["revenue"]
    assert reps.iloc[4]["holdout_retention_cost"] == 0.0


def test_sweep_is_the_summary_of_run_sweep_against_the_first_value(reps):
    table = sweep("classroom", "dropout_per_year", [0.45, 0.2], n=3, seed=5, **SMALL)
    expected = summarize_replications(reps.drop(columns="parameter"), by="value")
    pd.testing.assert_frame_equal(table.drop(columns="parameter"), expected)
    row = table.set_index(["value", "kpi"]).loc[(0.2, "revenue")]
    d = (reps.loc[reps["value"] == 0.2, "revenue"].to_numpy() - reps.loc[reps["value"] == 0.45, "revenue"].to_numpy())
    assert row["diff_mean"] == pytest.approx(d.mean())
    assert row["diff_std"] == pytest.approx(d.std(ddof=1))
    assert (table.set_index(["value", "kpi"]).loc[0.45, "diff_mean"].dropna() == 0).all()


def test_sweep_of_one_unchanged_value_pairs_exactly():
    """Sweeping a parameter that changes nothing in these runs gives paired differences of exactly 0."""
    table = sweep("classroom", "manager_cost", [150.0, 300.0], n=2, seed=1, **SMALL)
    same = table[(table["value"] == 300.0) & (table["diff_n"] == 2)]
    assert len(same) >= 10 and (same["diff_mean"] == 0).all() and (same["diff_std"] == 0).all()


def test_sweep_on_a_pool_matches_serial():
    from concurrent.futures import ProcessPoolExecutor

    here = run_sweep("classroom", "contact_cost", [1.0, 2.0], strategy=sim.strategies.CareContacts(),
                     n=2, seed=2, **SMALL)
    with ProcessPoolExecutor(max_workers=2) as pool:
        there = run_sweep("classroom", "contact_cost", [1.0, 2.0], strategy=sim.strategies.CareContacts(),
                          n=2, seed=2, executor=pool, **SMALL)
    pd.testing.assert_frame_equal(here, there)
    # the care contacts cost twice as much at contact_cost 2: the spend doubles exactly
    spend = here.groupby("value")["retention_spend"].sum()
    assert spend[2.0] == pytest.approx(2 * spend[1.0]) and spend[1.0] > 0


@pytest.mark.parametrize("parameter, values, message", [
    ("dropout", [0.1], "parameter must be a field of the scenario"),
    ("dropout_per_year", [], r"values must be a list of at least one value, got \[\]"),
    ("dropout_per_year", 0.3, "values must be a list of at least one value, got 0.3"),
    ("dropout_per_year", [0.3, 0.3], "values must be different from each other"),
    ("dropout_per_year", [0.3, -1.0], "dropout_per_year"),
])
def test_sweep_bad_arguments_are_named(parameter, values, message):
    with pytest.raises((ValueError, sim.ConfigError), match=message):
        run_sweep("classroom", parameter, values, n=1, **SMALL)
