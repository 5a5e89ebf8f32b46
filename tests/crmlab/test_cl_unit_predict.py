"""crmlab.predict: features at a date (no look-ahead), next-period labels, time split,
gains/lift and calibration by hand, the scikit-learn models and k-means segments."""
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from crmlab import predict
from crmlab.errors import CRMDataError, ParameterError


def _tx():
    """Customer 1: 2024-01-01 (10), 2024-03-01 (30), 2025-02-01 (50); customer 2: 2024-02-01 (5);
    customer 3 first buys 2024-06-15 (20) — after the first analysis day."""
    return pd.DataFrame({
        "customer_id": [1, 1, 2, 3, 1],
        "date": pd.to_datetime(["2024-01-01 09:00", "2024-03-01 23:59", "2024-02-01 00:00", "2024-06-15 00:00", "2025-02-01 00:00"]),
        "amount": [10.0, 30.0, 5.0, 20.0, 50.0],
    })


def _service():
    return pd.DataFrame({
        "customer_id": [1, 1, 2, 3],
        "opened_at": pd.to_datetime(["2024-02-01", "2024-03-30", "2024-02-02", "2024-07-01"]),
        "resolved_at": pd.to_datetime(["2024-02-01 10:00", "2024-04-02 00:00", "2024-02-03 00:00", "2024-07-02 00:00"]),
        "kind": ["complaint", "complaint", "question", "question"],
        "satisfaction": [2, 1, 5, 1],
    })


# ----------------------------------------------------------------------------- features
def test_feature_table_by_hand_at_a_date():
    f = predict.feature_table(_tx(), "2024-03-31", service=_service(), recent_days=60)
    assert list(f.columns) == list(predict.FEATURES)
    assert f.index.tolist() == [1, 2]                      # customer 3 has not bought yet
    one, two = f.loc[1], f.loc[2]
    # customer 1: last order 2024-03-01 → 30 days to 03-31; first 2024-01-01 → 90 days; 2 orders, 40 spent
    assert (one.recency_days, one.frequency, one.monetary, one.mean_amount, one.tenure_days) == (30, 2, 40.0, 20.0, 90)
    # recent_days=60: the window is 2024-02-01..03-31 (days after 03-31 − 60 = 01-31) → only the 03-01 order
    assert one.recent_orders == 1 and two.recent_orders == 1
    # tickets opened by 03-31: both complaints of customer 1; only the first is resolved by then (rated 2)
    assert (one.tickets, one.complaints, one.low_rated) == (2, 2, 1)
    assert (two.tickets, two.complaints, two.low_rated) == (1, 0, 0)
    assert f.attrs["at"] == pd.Timestamp("2024-03-31")


def test_feature_table_has_no_look_ahead():
    """Adding orders and tickets after the day changes nothing."""
    tx, svc = _tx(), _service()
    before = predict.feature_table(tx, "2024-03-31", service=svc)
    later_tx = pd.concat([tx, pd.DataFrame({"customer_id": [1, 2], "date": pd.to_datetime(["2024-04-01", "2030-01-01"]),
                                            "amount": [999.0, 1.0]})], ignore_index=True)
    later_svc = pd.concat([svc, svc.assign(opened_at=pd.Timestamp("2024-04-01"),
                                           resolved_at=pd.Timestamp("2024-04-01"))], ignore_index=True)
    pd.testing.assert_frame_equal(predict.feature_table(later_tx, "2024-03-31", service=later_svc), before)


def test_feature_table_without_service_has_zero_service_columns_and_leaves_input_alone():
    tx = _tx()
    copy = tx.copy()
    f = predict.feature_table(tx, "2025-02-01")
    pd.testing.assert_frame_equal(tx, copy)
    assert (f[["tickets", "complaints", "low_rated"]] == 0).all().all()
    assert f.loc[1, "recency_days"] == 0 and f.loc[1, "frequency"] == 3     # an order on the day counts


def test_feature_table_refuses_bad_input():
    with pytest.raises(CRMDataError, match="at"):
        predict.feature_table(_tx(), "not a date")
    with pytest.raises(CRMDataError, match="no order"):
        predict.feature_table(_tx(), "2023-01-01")
    with pytest.raises(CRMDataError, match="kind"):
        predict.feature_table(_tx(), "2024-03-31", service=_service().drop(columns="kind"))
    with pytest.raises(ParameterError, match="recent_days"):
        predict.feature_table(_tx(), "2024-03-31", recent_days=0)


# ----------------------------------------------------------------------------- labels and split
def test_next_period_by_hand():
    # window after 2024-03-31, 365 days: 2024-04-01 .. 2025-03-31 → customer 1 buys 50, 2 nothing, 3 buys 20
    out = predict.next_period(_tx(), "2024-03-31", [1, 2, 3, 4])
    assert out["next_purchases"].tolist() == [1, 0, 1, 0]
    assert out["next_revenue"].tolist() == [50.0, 0.0, 20.0, 0.0]
    assert out["no_purchase"].tolist() == [False, True, False, True]
    # a 300-day window (to 2025-01-25) misses the 2025-02-01 order
    assert predict.next_period(_tx(), "2024-03-31", [1], days=300)["next_purchases"].tolist() == [0]


def test_time_split_from_the_log():
    split = predict.time_split(_tx(), "2024-01-31", "2024-03-31", days=60)
    # train at 01-31: only customer 1 (bought 01-01); in 02-01..03-31 they bought on 03-01 → not churned
    assert split.train.index.tolist() == [1]
    assert split.train.loc[1, "no_purchase"] == False                  # noqa: E712
    # test at 03-31: customers 1 and 2; 04-01..05-30 nobody buys
    assert split.test["no_purchase"].tolist() == [True, True]
    assert split.test_labels == "log"


def test_time_split_refuses_labels_not_yet_known_and_a_log_without_future():
    with pytest.raises(CRMDataError, match="train_at"):
        predict.time_split(_tx(), "2024-01-31", "2024-03-31", days=365)
    with pytest.raises(CRMDataError, match="test_at"):
        predict.time_split(_tx(), "2024-01-31", "2025-03-31", days=60)


def test_time_split_with_truth_takes_the_holdout_columns():
    truth = pd.DataFrame({"customer_id": [1, 2, 3], "holdout_purchases": [0, 4, 1],
                          "holdout_revenue": [0.0, 80.0, 9.0], "churned": [True, False, False]})
    split = predict.time_split(_tx(), "2024-01-31", "2025-02-01", days=60, truth=truth)
    assert split.test_labels == "truth"
    assert split.test["next_purchases"].tolist() == [0, 4, 1]
    assert split.test["no_purchase"].tolist() == [True, False, False]
    assert split.test["churned"].tolist() == [True, False, False]
    with pytest.raises(CRMDataError, match="test_at"):       # orders after test_at: the holdout is not the next year
        predict.time_split(_tx(), "2024-01-31", "2024-06-01", days=60, truth=truth)


# ----------------------------------------------------------------------------- gains, lift, calibration
def _ten():
    score = pd.Series([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0], index=range(10))
    churned = pd.Series([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], index=range(10))
    return score, churned


def test_gains_table_by_hand():
    score, churned = _ten()
    g = predict.gains_table(score, churned, bins=5)
    assert g["customers"].tolist() == [2, 2, 2, 2, 2]
    assert g["captured"].tolist() == [2.0, 1.0, 0.0, 0.0, 0.0]
    assert g["rate"].tolist() == [1.0, 0.5, 0.0, 0.0, 0.0]
    assert g["cum_captured_share"].tolist() == pytest.approx([2 / 3, 1, 1, 1, 1])
    # lift: (2/3)/0.2 = 3.333, 1/0.4 = 2.5, 1/0.6, 1/0.8, 1
    assert g["lift"].tolist() == pytest.approx([10 / 3, 2.5, 5 / 3, 1.25, 1.0])
    assert g["min_score"].tolist() == pytest.approx([0.8, 0.6, 0.4, 0.2, 0.0])


def test_gains_uneven_bins_and_revenue_outcome():
    # 7 customers, 3 bins: positions 0..6 → ⌊3i/7⌋ + 1 = 1,1,1,2,2,3,3 (bin 1 holds ⌈7/3⌉ = 3)
    score = pd.Series([7.0, 6, 5, 4, 3, 2, 1], index=list("abcdefg"))
    revenue = pd.Series([0.0, 10, 0, 20, 0, 0, 70], index=list("abcdefg"))
    g = predict.gains_table(score, revenue, bins=3)
    assert g["customers"].tolist() == [3, 2, 2]
    assert g["captured"].tolist() == [10.0, 20.0, 70.0]
    assert g["cum_captured_share"].tolist() == pytest.approx([0.1, 0.3, 1.0])
    assert g["lift"].tolist() == pytest.approx([0.1 / (3 / 7), 0.3 / (5 / 7), 1.0])


def test_ties_are_broken_by_customer_id_whatever_the_row_order():
    score = pd.Series([1.0, 1.0, 1.0, 0.0], index=[30, 10, 20, 40])
    outcome = pd.Series([5.0, 1.0, 0.0, 0.0], index=[30, 10, 20, 40])
    # ranking 10, 20, 30, 40: the top quarter is customer 10 → 1 of 6
    assert predict.captured_share(score, outcome, top=0.25) == pytest.approx(1 / 6)
    shuffled = predict.captured_share(score.iloc[::-1], outcome.iloc[::-1], top=0.25)
    assert shuffled == pytest.approx(1 / 6)


def test_captured_share_agrees_with_bin_one():
    score, churned = _ten()
    assert predict.captured_share(score, churned, top=0.2) == pytest.approx(2 / 3)
    assert predict.captured_share(score, churned, top=0.3) == pytest.approx(2 / 3)    # ⌈3⌉ = 3, no float slip
    assert predict.captured_share(score, churned, top=1.0) == 1.0
    rng = np.random.default_rng(3)
    s, y = pd.Series(rng.random(103)), pd.Series(rng.random(103) * 100)
    g = predict.gains_table(s, y, bins=10)
    assert predict.captured_share(s, y, top=0.1) == pytest.approx(g["cum_captured_share"].iloc[0])


def test_calibration_table_by_hand():
    p = pd.Series([0.9, 0.7, 0.3, 0.1])
    y = pd.Series([1.0, 0.0, 1.0, 0.0])
    c = predict.calibration_table(p, y, bins=2)
    assert c["predicted"].tolist() == pytest.approx([0.8, 0.2])
    assert c["observed"].tolist() == pytest.approx([0.5, 0.5])
    assert c["customers"].tolist() == [2, 2]


def test_gains_refuse_bad_input():
    score, churned = _ten()
    with pytest.raises(CRMDataError, match="outcome"):
        predict.gains_table(score, churned.drop(0))
    with pytest.raises(CRMDataError, match="outcome"):
        predict.gains_table(score, churned.replace(0, -1))
    with pytest.raises(CRMDataError, match="score"):
        predict.gains_table(score.replace(0.9, np.nan), churned)
    with pytest.raises(ParameterError, match="bins"):
        predict.gains_table(score, churned, bins=11)
    with pytest.raises(ParameterError, match="top"):
        predict.captured_share(score, churned, top=0)
    with pytest.raises(CRMDataError, match="probability"):
        predict.calibration_table(score * 2, churned)
    err = CRMDataError("outcome", "must not be negative")
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


# ----------------------------------------------------------------------------- models and clusters
def _learnable(n=400, seed=1):
    """Churn is likelier the longer since the last order: P = 1/(1 + exp(−(recency − 200)/40))."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({c: rng.poisson(3, n).astype(float) for c in predict.FEATURES})
    table["recency_days"] = rng.uniform(0, 400, n)
    table["no_purchase"] = rng.random(n) < 1 / (1 + np.exp(-(table["recency_days"] - 200) / 40))
    return table


def test_churn_models_learn_recency_and_are_reproducible():
    from sklearn.metrics import roc_auc_score

    train, test = _learnable(seed=1), _learnable(seed=2)
    scores = predict.churn_scores(predict.fit_churn_models(train), test)
    assert list(scores.columns) == ["logistic regression", "gradient boosting"]
    for name in scores:
        assert roc_auc_score(test["no_purchase"], scores[name]) > 0.85, name
        assert ((scores[name] > 0) & (scores[name] < 1)).all()
    # recency is the only signal: the logistic coefficient of recency dominates
    logit = predict.fit_churn_models(train)["logistic regression"][-1]
    coefs = np.abs(logit.coef_[0])
    assert coefs.argmax() == list(predict.FEATURES).index("recency_days")
    again = predict.churn_scores(predict.fit_churn_models(train), test)
    pd.testing.assert_frame_equal(scores, again)


def test_fit_churn_models_refuses_one_class_and_missing_label():
    train = _learnable().assign(no_purchase=True)
    with pytest.raises(CRMDataError, match="no_purchase"):
        predict.fit_churn_models(train)
    with pytest.raises(CRMDataError, match="churned"):
        predict.fit_churn_models(_learnable(), label="churned")


def test_rfm_clusters_find_two_obvious_groups_and_number_them_by_spend():
    # 20 big recent buyers and 30 small lapsed ones
    big = pd.DataFrame({"recency_days": np.arange(5, 25), "frequency": np.full(20, 30), "monetary": np.full(20, 900.0)})
    small = pd.DataFrame({"recency_days": np.arange(400, 430), "frequency": np.full(30, 1), "monetary": np.full(30, 20.0)})
    features = pd.concat([small, big], ignore_index=True)
    out = predict.rfm_clusters(features, k=2, random_state=0, n_init=5)
    assert (out.loc[30:, "cluster"] == 1).all() and (out.loc[:29, "cluster"] == 2).all()
    centres = out.attrs["centres"]
    assert centres.loc[1, "monetary"] == 900.0 and centres.loc[1, "recency_days"] == pytest.approx(14.5)
    assert centres["customers"].tolist() == [20, 30]
    pd.testing.assert_frame_equal(predict.rfm_clusters(features, k=2, random_state=0, n_init=5), out)
    with pytest.raises(ParameterError, match="k"):
        predict.rfm_clusters(features, k=51)
    with pytest.raises(CRMDataError, match="monetary"):
        predict.rfm_clusters(features.drop(columns="monetary"))


def test_predict_imports_neither_sim_nor_sklearn():
    code = "import crmlab.predict, sys; print(sorted(m for m in ('sim', 'sklearn') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
