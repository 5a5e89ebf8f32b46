"""Backtest: observable measures computed from the log agree with the simulator's hidden truth.

The classroom dataset ships the truth table (who really churned, purchases in the
hold-out year after the observation end). crmlab never sees it; here it grades
crmlab's transaction-only measures. The gaps are large (e.g. 4% vs 77% churned,
~360 customers per stage), so the orderings below are decisive, not luck: a
two-proportion difference of 0.3 with n≈350 per group is > 8 standard errors.
"""
import numpy as np
import pytest

from crmlab import lifecycle, rfm


@pytest.fixture(scope="module")
def log(classroom_log):
    return classroom_log


def test_observable_stage_tracks_true_churn(log):
    end = log.card["observation_end"]
    truth = log.truth.set_index("customer_id")
    st = lifecycle.stage_at(log.transactions, end, dormant_after=120, lost_after=365).join(truth)
    by = st.groupby("stage", observed=True).agg(churned=("churned", "mean"), n=("churned", "size"),
                                                holdout=("holdout_revenue", "mean"))
    # truly churned share rises active → dormant → lost; future revenue falls
    assert by.loc["active", "churned"] + 0.2 < by.loc["dormant", "churned"] < by.loc["lost", "churned"] - 0.2
    assert by.loc["active", "holdout"] > 3 * by.loc["dormant", "holdout"] > 3 * by.loc["lost", "holdout"]


def test_recency_score_predicts_holdout_purchases(log):
    end = log.card["observation_end"]
    truth = log.truth.set_index("customer_id")
    t = rfm.rfm_table(log.transactions, as_of=end).join(truth)
    mean_future = t.groupby("r_score")["holdout_purchases"].mean().to_numpy()
    # each higher recency score buys more in the hold-out year
    assert (np.diff(mean_future) > 0).all()
    seg = t.groupby("segment")["churned"].mean()
    # champions have almost all stayed; quiet segments have mostly or largely churned
    assert seg["champions"] < 0.1
    assert seg["hibernating"] > 0.3 and seg["at risk"] > 0.3
