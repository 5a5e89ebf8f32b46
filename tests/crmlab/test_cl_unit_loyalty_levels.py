"""Unit tests for the loyalty levels, bootstrap intervals and churn-after-event links of crmlab.loyalty."""
import pickle

import numpy as np
import pandas as pd
import pytest

from crmlab import loyalty
from crmlab.errors import CRMDataError, ParameterError


# ---------------------------------------------------------------- loyalty levels

@pytest.fixture
def tx():
    # orders: 1 → 3, 2 → 1, 3 → 2, 4 → 1, 5 → 2
    return pd.DataFrame({"customer_id": [1, 1, 1, 2, 3, 3, 4, 5, 5],
                         "date": pd.to_datetime(["2024-01-01"] * 9)})


@pytest.fixture
def surveys():
    # mean satisfaction: 1 → 4.5 (positive), 2 → 5 (positive), 3 → 2 (not), 4 → 3 (not); 5 unsurveyed
    return pd.DataFrame({"customer_id": [1, 1, 2, 3, 4], "date": pd.to_datetime(["2024-02-01"] * 5),
                         "satisfaction": [5, 4, 5, 2, 3], "nps": [9, 8, 10, 3, 6]})


def test_unit_loyalty_level_is_the_ladder_of_the_dick_basu_class(tx, surveys):
    out = loyalty.loyalty_level(tx, surveys)
    assert out["loyalty"].astype(str).tolist() == ["loyal", "latent", "spurious", "no loyalty", "unsurveyed"]
    assert out["level"].astype(str).tolist() == ["behavioural", "emotional", "cognitive", "none", "unsurveyed"]
    assert list(out["level"].cat.categories) == list(loyalty.LOYALTY_LEVELS)
    # the mapping is one-to-one and covers every class
    assert set(loyalty.LEVEL_OF_CLASS) == set(loyalty.LOYALTY_CLASSES)
    assert sorted(loyalty.LEVEL_OF_CLASS.values()) == sorted(loyalty.LOYALTY_LEVELS)


def test_unit_loyalty_level_passes_the_rule_parameters_on(tx, surveys):
    # with min_orders=3 only customer 1 is a repeat buyer: 3 (2 orders, not positive) falls to none
    out = loyalty.loyalty_level(tx, surveys, min_orders=3)
    assert out["level"].astype(str).tolist() == ["behavioural", "emotional", "none", "none", "unsurveyed"]
    # attitude from NPS only: customer 1's mean NPS 8.5 < 9 → not positive → cognitive
    out = loyalty.loyalty_level(tx, surveys, satisfaction=None)
    assert out.loc[1, "level"] == "cognitive" and out.loc[2, "level"] == "emotional"
    with pytest.raises(ParameterError, match="min_orders"):
        loyalty.loyalty_level(tx, surveys, min_orders=0)


# ---------------------------------------------------------------- bootstrap intervals

def test_unit_nps_interval_of_identical_answers_has_no_width():
    iv = loyalty.nps_interval([10] * 20, n_boot=200, seed=3)
    assert (iv.estimate, iv.low, iv.high, iv.n, iv.n_boot, iv.seed) == (100.0, 100.0, 100.0, 20, 200, 3)
    assert iv.half_width == 0.0 and 100 in iv and 99 not in iv


def test_unit_nps_interval_is_the_percentile_bootstrap_written_out():
    # the algorithm by hand: rows of indices drawn with replacement by default_rng(seed), NPS of each row,
    # 2.5% and 97.5% quantiles
    answers = np.array([10, 9, 8, 7, 6, 0, 10, 9, 9, 3, 5, 8])
    iv = loyalty.nps_interval(answers, n_boot=500, seed=11)
    idx = np.random.default_rng(11).integers(0, 12, size=(500, 12))
    stats = [100 * (np.mean(answers[row] >= 9) - np.mean(answers[row] <= 6)) for row in idx]
    assert iv.estimate == pytest.approx(100 * (5 / 12 - 4 / 12))
    assert (iv.low, iv.high) == pytest.approx(tuple(np.quantile(stats, [0.025, 0.975])))


def test_unit_nps_interval_width_matches_the_normal_approximation():
    # 100 promoters, 200 passives, 100 detractors: NPS 0; the scores 100/0/−100 have variance
    # 100²·(0.25 + 0.25) = 5000, so se = √5000/√400 = 3.54 and the 95% half-width ≈ 1.96·3.54 = 6.93
    answers = [10] * 100 + [8] * 200 + [0] * 100
    iv = loyalty.nps_interval(answers, n_boot=4000, seed=1)
    assert iv.estimate == 0.0
    assert iv.half_width == pytest.approx(6.93, abs=0.5)
    assert iv.low < 0 < iv.high


def test_unit_intervals_are_reproducible_from_the_seed():
    answers = [10, 9, 8, 7, 6, 0, 10, 9, 9, 3] * 5
    a, b = loyalty.nps_interval(answers, seed=5), loyalty.nps_interval(answers, seed=5)
    assert a == b
    c = loyalty.nps_interval(answers, seed=6)
    assert c.estimate == a.estimate and (c.low, c.high) != (a.low, a.high)
    assert pickle.loads(pickle.dumps(a)) == a
    assert str(a).startswith("20.0 (95% interval ") and str(a).endswith("n = 50)")


def test_unit_satisfaction_index_interval_matches_the_normal_approximation():
    # answers 1 and 5 half each: mean 3 (CSI 50), sd 2; n = 400 → se of the mean 0.1 → CSI se 100·0.1/4 = 2.5,
    # 95% half-width ≈ 4.9
    iv = loyalty.satisfaction_index_interval([1, 5] * 200, n_boot=4000, seed=2)
    assert iv.estimate == 50.0
    assert iv.half_width == pytest.approx(4.9, abs=0.4)
    # another scale: 7-point answers all 7 → 100, no width
    iv7 = loyalty.satisfaction_index_interval([7] * 10, scale=(1, 7), n_boot=100)
    assert (iv7.estimate, iv7.low, iv7.high) == (100.0, 100.0, 100.0)


def test_unit_nps_change_interval_of_two_independent_surveys():
    # the same 400-answer survey twice: change 0, half-width ≈ √2 · 6.93 = 9.8
    answers = [10] * 100 + [8] * 200 + [0] * 100
    iv = loyalty.nps_change_interval(answers, answers, n_boot=4000, seed=3)
    assert iv.estimate == 0.0 and 0 in iv
    assert iv.half_width == pytest.approx(9.8, abs=0.8)
    # a change of 50 points on 400 answers each is far outside the noise
    better = [10] * 300 + [8] * 0 + [0] * 100        # NPS 100·(0.75 − 0.25) = 50
    iv = loyalty.nps_change_interval(answers, better, n_boot=1000, seed=3)
    assert iv.estimate == pytest.approx(50.0) and iv.low > 30 and 0 not in iv
    assert iv.n == 400


@pytest.mark.parametrize("kwargs, name", [({"n_boot": 10}, "n_boot"), ({"n_boot": 2.5}, "n_boot"),
                                          ({"seed": -1}, "seed"), ({"seed": "7"}, "seed"),
                                          ({"level": 1.5}, "level"), ({"level": 0.2}, "level")])
def test_unit_interval_parameters_are_checked(kwargs, name):
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        loyalty.nps_interval([9, 10], **kwargs)
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        loyalty.satisfaction_index_interval([4, 5], **kwargs)
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        loyalty.nps_change_interval([9, 10], [9, 10], **kwargs)


def test_unit_interval_answers_are_checked():
    with pytest.raises(CRMDataError, match="'nps'.*whole numbers in \\[0, 10\\]"):
        loyalty.nps_interval([9, 11])
    with pytest.raises(CRMDataError, match="'after'"):
        loyalty.nps_change_interval([9, 10], [9, 10.5])
    with pytest.raises(CRMDataError, match="'before'"):
        loyalty.nps_change_interval([], [9])
    with pytest.raises(CRMDataError, match="'satisfaction'"):
        loyalty.satisfaction_index_interval([0, 5])
    with pytest.raises(CRMDataError, match="'scale'"):
        loyalty.satisfaction_index_interval([3, 4], scale=(5, 1))


# ---------------------------------------------------------------- churn after an event

@pytest.fixture
def truth():
    return pd.DataFrame({"customer_id": [1, 2, 3, 4],
                         "churn_date": pd.to_datetime(["2024-03-01", None, "2024-12-05", "2023-12-01"])})


def test_unit_churn_after_links_each_event_to_the_true_churn_date(truth):
    ev = pd.DataFrame({"customer_id": [1, 1, 2, 3, 4, 9],
                       "date": pd.to_datetime(["2024-01-01", "2023-10-01", "2024-01-01", "2024-12-01",
                                               "2023-11-30", "2024-02-01"]),
                       "kind": list("abcdef")})
    out = loyalty.churn_after(ev, truth, date="date", horizon_end="2024-12-31", days=90)
    # 1 on 2024-01-01: left 60 days later → True; 1 on 2023-10-01: left 152 days later → False;
    # 2 never left; 3 on 2024-12-01: window ends 2025-03-01 after the horizon → dropped;
    # 4 left one day after → True; 9 is not in the truth → False
    assert out["kind"].tolist() == ["a", "b", "c", "e", "f"]
    assert out["churned_within"].tolist() == [True, False, False, True, False]
    assert out["churned_within"].dtype == bool
    assert "churned_within" not in ev.columns                 # the input is not modified
    # a window that ends exactly on the horizon is kept
    assert len(loyalty.churn_after(ev, truth, date="date", horizon_end="2025-03-01", days=90)) == 6


def test_unit_churn_after_names_bad_input(truth):
    ev = pd.DataFrame({"customer_id": [1], "date": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(CRMDataError, match="'opened_at'.*missing column in events"):
        loyalty.churn_after(ev, truth, date="opened_at", horizon_end="2024-12-31")
    with pytest.raises(CRMDataError, match="'churn_date'.*missing column in truth"):
        loyalty.churn_after(ev, truth.drop(columns="churn_date"), date="date", horizon_end="2024-12-31")
    with pytest.raises(CRMDataError, match="'horizon_end'.*not a date"):
        loyalty.churn_after(ev, truth, date="date", horizon_end="soon")
    with pytest.raises(CRMDataError, match="'horizon_end'.*not a date"):
        loyalty.churn_after(ev, truth, date="date", horizon_end=None)
    with pytest.raises(ParameterError, match="parameter 'days'"):
        loyalty.churn_after(ev, truth, date="date", horizon_end="2024-12-31", days=0)


def test_functional_classroom_satisfaction_foretells_churn():
    # on the classroom market an answer of 2 is followed by a departure within a year about twice as often
    # as an answer of 4 or 5 (the market's hazard rises with lower satisfaction)
    import crmlab.data

    data = crmlab.data.classroom()
    linked = loyalty.churn_after(data.surveys, data.truth, date="date", horizon_end=data.card["holdout_end"])
    assert len(linked) == len(data.surveys)                   # the truth covers a year after every answer
    by_score = linked.groupby("satisfaction")["churned_within"].mean()
    assert by_score[2] > 1.5 * linked.loc[linked["satisfaction"] >= 4, "churned_within"].mean()
