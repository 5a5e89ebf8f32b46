"""Unit tests for crmlab.rfm: hand-worked RFM numbers, quintiles, tie rule, break-even roll-out."""
import numpy as np
import pandas as pd
import pytest

from crmlab import rfm
from crmlab.errors import CRMDataError


@pytest.fixture
def tx():
    # a: 3 orders, last 2024-03-30 ; b: 1 order 2024-01-01 ; c: 2 orders, last 2024-03-01
    return pd.DataFrame({
        "order_id": [1, 2, 3, 4, 5, 6],
        "customer_id": ["a", "a", "a", "b", "c", "c"],
        "date": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-03-30", "2024-01-01",
                                "2024-02-01", "2024-03-01"]),
        "amount": [10.0, 20.0, 30.0, 100.0, 5.0, 15.0],
    })


def test_rfm_numbers_hand_worked(tx):
    t = rfm.rfm_table(tx, as_of="2024-03-31")
    # recency: a 31 Mar − 30 Mar = 1 ; b 31 Mar − 1 Jan = 90 (31+29+30) ; c 31 Mar − 1 Mar = 30
    assert t.loc["a", "recency"] == 1 and t.loc["b", "recency"] == 90 and t.loc["c", "recency"] == 30
    assert t["frequency"].tolist() == [3, 1, 2]
    assert t["monetary"].tolist() == [60.0, 100.0, 20.0]
    # n=3, bins=5: rank 1 → floor(5·0/3)+1 = 1, rank 2 → floor(5/3)+1 = 2, rank 3 → floor(10/3)+1 = 4
    assert t["r_score"].tolist() == [4, 1, 2]
    assert t["f_score"].tolist() == [4, 1, 2]
    assert t["m_score"].tolist() == [2, 4, 1]
    assert t["cell"].tolist() == ["442", "114", "221"]
    assert t["segment"].tolist() == ["loyal", "hibernating", "hibernating"]


def test_rfm_mean_monetary_and_default_as_of(tx):
    t = rfm.rfm_table(tx, monetary="mean")
    assert t["monetary"].tolist() == [20.0, 100.0, 10.0]   # 60/3, 100/1, 20/2
    assert t.loc["a", "recency"] == 0                       # default as_of = last date


def test_quintiles_distinct_values_twenty_percent_each():
    rng = np.random.default_rng(3)
    n = 1000
    tx = pd.DataFrame({"customer_id": np.arange(n), "date": pd.Timestamp("2024-01-01")
                       + pd.to_timedelta(rng.permutation(n), unit="D"),
                       "amount": rng.permutation(n) + 1.0})
    t = rfm.rfm_table(tx)
    for col in ("r_score", "m_score"):
        counts = t[col].value_counts().sort_index()
        assert counts.index.tolist() == [1, 2, 3, 4, 5]
        assert (counts == 200).all()


def test_higher_spend_never_lower_score():
    rng = np.random.default_rng(5)
    amounts = rng.choice([1.0, 5.0, 5.0, 10.0, 20.0, 20.0, 20.0, 50.0], size=400)
    tx = pd.DataFrame({"customer_id": np.arange(400), "date": "2024-01-01", "amount": amounts})
    t = rfm.rfm_table(tx).sort_values("monetary")
    assert (np.diff(t["m_score"].to_numpy()) >= 0).all()
    assert t["m_score"].between(1, 5).all() and t["r_score"].between(1, 5).all()


def test_tie_rule_equal_values_same_score():
    # values 10,20,20,20,40 with bins=5: ranks_min 1,2,2,2,5 → floor(5·(r−1)/5)+1 = 1,2,2,2,5
    s = rfm.quantile_scores(pd.Series([10, 20, 20, 20, 40]), bins=5)
    assert s.tolist() == [1, 2, 2, 2, 5]
    # lower is better (recency): same ties reversed → 40 worst; 20s ranks_min 2 → 2; 10 → 5
    s = rfm.quantile_scores(pd.Series([10, 20, 20, 20, 40]), bins=5, higher_is_better=False)
    assert s.tolist() == [5, 2, 2, 2, 1]


def test_segment_map_complete_and_documented_cells():
    assert len(rfm.SEGMENT_MAP) == 25
    assert rfm.SEGMENT_MAP[(5, 5)] == "champions"
    assert rfm.SEGMENT_MAP[(1, 4)] == "at risk"
    assert rfm.SEGMENT_MAP[(1, 1)] == "hibernating"
    assert rfm.SEGMENT_MAP[(2, 5)] == "can't lose them"
    assert rfm.SEGMENT_MAP[(5, 1)] == "new"


def test_bins_other_than_five_has_no_segment(tx):
    t = rfm.rfm_table(tx, bins=3)
    assert "segment" not in t.columns and t["cell"].str.len().eq(3).all()


def test_custom_column_names(tx):
    other = tx.rename(columns={"customer_id": "cust", "date": "when", "amount": "total"})
    t = rfm.rfm_table(other, as_of="2024-03-31", customer="cust", date="when", amount="total")
    assert t["cell"].tolist() == ["442", "114", "221"]


def test_rfm_does_not_modify_input(tx):
    before = tx.copy(deep=True)
    rfm.rfm_table(tx)
    pd.testing.assert_frame_equal(tx, before)


def test_rfm_bad_parameters(tx):
    with pytest.raises(CRMDataError, match="monetary"):
        rfm.rfm_table(tx, monetary="median")
    with pytest.raises(CRMDataError, match="bins"):
        rfm.rfm_table(tx, bins=1)
    with pytest.raises(CRMDataError, match="as_of"):
        rfm.rfm_table(tx, as_of="2024-02-01")   # a transaction after as_of


def test_breakeven_rate_hand_worked():
    assert rfm.breakeven_rate(0.5, 25.0) == pytest.approx(0.02)   # 0.5/25
    with pytest.raises(CRMDataError, match="margin_per_response"):
        rfm.breakeven_rate(0.5, 0.0)


def test_rollout_hand_worked():
    res = pd.DataFrame({"mailed": [200, 200, 100], "responses": [12, 4, 2]}, index=["555", "333", "111"])
    sizes = pd.Series({"555": 1000, "333": 2000, "111": 5000})
    plan = rfm.rollout(res, cost_per_contact=1.0, margin_per_response=40.0, cell_sizes=sizes)
    # break-even 1/40 = 0.025; rates 0.06, 0.02, 0.02 → only 555
    assert plan.cells == ["555"]
    # 1000 · (0.06·40 − 1) = 1000 · 1.4 = 1400
    assert plan.expected_profit == pytest.approx(1400.0)
    # 333: 2000 · (0.02·40 − 1) = −400
    assert plan.table.loc["333", "expected_profit"] == pytest.approx(-400.0)
    assert not plan.table.loc["333", "roll_out"]


def test_rollout_series_of_rates_and_errors():
    plan = rfm.rollout(pd.Series({"a": 0.1, "b": 0.01}), 1.0, 20.0, pd.Series({"a": 10, "b": 10}))
    assert plan.cells == ["a"] and plan.expected_profit == pytest.approx(10.0)   # 10·(0.1·20−1)
    with pytest.raises(CRMDataError, match="cell_sizes"):
        rfm.rollout(pd.Series({"a": 0.1}), 1.0, 20.0, pd.Series({"b": 10}))
    with pytest.raises(CRMDataError, match="responses"):
        rfm.rollout(pd.DataFrame({"mailed": [10], "responses": [11]}, index=["a"]), 1.0, 20.0,
                    pd.Series({"a": 10}))


def test_integer_and_float_scoring_paths_agree():
    # integers in a compact range are scored by counting, other values by sorting: same rule
    rng = np.random.default_rng(8)
    ints = pd.Series(rng.integers(0, 30, size=997))
    by_count = rfm.quantile_scores(ints)
    by_sort = rfm.quantile_scores(ints.astype(float))
    assert (by_count == by_sort).all()
    wide = pd.Series(rng.integers(0, 10**9, size=500))        # range too wide for counting
    assert (rfm.quantile_scores(wide) == rfm.quantile_scores(wide.astype(float))).all()
    # hand check of the float path with ties: 1.5, 2.5, 2.5, 9 with bins=4 → rank_min 1,2,2,4 → 1,2,2,4
    assert rfm.quantile_scores(pd.Series([2.5, 1.5, 9.0, 2.5]), bins=4).tolist() == [2, 1, 4, 2]


def test_whole_number_and_text_customer_ids_agree():
    # compact whole-number ids are grouped by counting, text ids by hashing: same table
    rng = np.random.default_rng(4)
    n = 600
    ids = rng.integers(1, 150, size=n)
    tx = pd.DataFrame({"customer_id": ids, "date": pd.Timestamp("2024-01-01")
                       + pd.to_timedelta(rng.integers(0, 200, n), unit="D"), "amount": rng.gamma(2, 10, n)})
    by_number = rfm.rfm_table(tx)
    by_text = rfm.rfm_table(tx.assign(customer_id=[f"C{i:04d}" for i in ids]))
    assert by_text.index.tolist() == [f"C{i:04d}" for i in by_number.index]
    for col in ("recency", "frequency", "r_score", "f_score", "m_score", "cell", "segment"):
        assert by_number[col].tolist() == by_text[col].tolist()
    np.testing.assert_allclose(by_number["monetary"], by_text["monetary"])
    # the same numbers as a plain groupby
    g = tx.groupby("customer_id")
    np.testing.assert_allclose(by_number["monetary"], g["amount"].sum())
    assert by_number["frequency"].tolist() == g.size().tolist()


def test_rfm_of_valid_is_rfm_table_without_the_second_check(tx):
    from crmlab.data import select_transactions

    t = select_transactions(tx)
    cutoff = pd.Timestamp("2024-06-30")
    pd.testing.assert_frame_equal(rfm.rfm_of_valid(t, cutoff, bins=3, monetary="mean"),
                                  rfm.rfm_table(tx, as_of=cutoff, bins=3, monetary="mean"))
    with pytest.raises(CRMDataError, match="bins"):
        rfm.rfm_of_valid(t, cutoff, bins=12)
