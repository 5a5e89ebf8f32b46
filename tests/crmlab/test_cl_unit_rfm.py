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


def test_rollout_hand_worked_on_incremental_response():
    res = pd.DataFrame({"mailed": [200, 200, 100], "responses": [12, 4, 2],
                        "held_out": [100, 50, 100], "control_responses": [1, 0, 3]},
                       index=["555", "333", "111"])
    sizes = pd.Series({"555": 1000, "333": 2000, "111": 5000})
    plan = rfm.rollout(res, cost_per_contact=1.0, margin_per_response=40.0, cell_sizes=sizes)
    # break-even 1/40 = 0.025
    # 555: 12/200 − 1/100 = 0.06 − 0.01 = 0.05 > 0.025 → roll out
    # 333:  4/200 − 0/50  = 0.02 − 0    = 0.02 < 0.025 → no
    # 111:  2/100 − 3/100 = 0.02 − 0.03 = −0.01       → no
    assert plan.table["incremental_rate"].to_dict() == pytest.approx({"555": 0.05, "333": 0.02, "111": -0.01})
    assert plan.table["control_rate"].to_dict() == pytest.approx({"555": 0.01, "333": 0.0, "111": 0.03})
    assert plan.table.index.tolist() == ["555", "333", "111"]        # best incremental rate first
    assert plan.cells == ["555"]
    # 1000 · (0.05·40 − 1) = 1000 · 1 = 1000
    assert plan.expected_profit == pytest.approx(1000.0)
    # 333: 2000 · (0.02·40 − 1) = −400
    assert plan.table.loc["333", "expected_profit"] == pytest.approx(-400.0)
    assert not plan.table.loc["333", "roll_out"]


def test_rollout_credits_nothing_when_mailed_and_control_respond_alike():
    # 26% order in the window whether mailed or not: the raw rate beats break-even 10%,
    # the incremental rate (0) does not
    res = pd.DataFrame({"mailed": [100], "responses": [26], "held_out": [50], "control_responses": [13]},
                       index=["333"])
    plan = rfm.rollout(res, 1.0, 10.0, pd.Series({"333": 500}))
    assert plan.table.loc["333", "response_rate"] == pytest.approx(0.26)
    assert plan.table.loc["333", "incremental_rate"] == pytest.approx(0.0)
    assert plan.cells == [] and plan.expected_profit == 0.0
    assert plan.table.loc["333", "expected_profit"] == pytest.approx(-500.0)   # 500 · (0·10 − 1)


def test_rollout_cell_without_control_is_not_rolled_out():
    res = pd.DataFrame({"mailed": [10], "responses": [9], "held_out": [0], "control_responses": [0]},
                       index=["a"])
    plan = rfm.rollout(res, 1.0, 10.0, pd.Series({"a": 5}))
    assert np.isnan(plan.table.loc["a", "incremental_rate"]) and plan.cells == []


def test_rollout_series_of_rates_and_errors():
    plan = rfm.rollout(pd.Series({"a": 0.1, "b": 0.01}), 1.0, 20.0, pd.Series({"a": 10, "b": 10}))
    assert plan.cells == ["a"] and plan.expected_profit == pytest.approx(10.0)   # 10·(0.1·20−1)
    with pytest.raises(CRMDataError, match="cell_sizes"):
        rfm.rollout(pd.Series({"a": 0.1}), 1.0, 20.0, pd.Series({"b": 10}))
    full = {"mailed": [10], "responses": [11], "held_out": [10], "control_responses": [1]}
    with pytest.raises(CRMDataError, match="responses"):
        rfm.rollout(pd.DataFrame(full, index=["a"]), 1.0, 20.0, pd.Series({"a": 10}))
    with pytest.raises(CRMDataError, match="control_responses"):
        rfm.rollout(pd.DataFrame(dict(full, responses=[1], control_responses=[12]), index=["a"]), 1.0, 20.0,
                    pd.Series({"a": 10}))
    with pytest.raises(CRMDataError, match="held_out"):      # no control group: refused, not guessed
        rfm.rollout(pd.DataFrame({"mailed": [10], "responses": [1]}, index=["a"]), 1.0, 20.0,
                    pd.Series({"a": 10}))
    err = CRMDataError(*CRMDataError("held_out", "missing").args)   # re-creatable from its args
    assert "held_out" in str(err)


def _nested_example_tx():
    """Eight customers, hand-scored below with bins=2 (as of 1 Apr 2024).

    customer  recency  orders  total spend
    a         1        1       100  (1 × 100)
    b         2        2        10  (2 × 5)
    c         3        3        21  (3 × 7)
    d         4        4        32  (4 × 8)
    e         50       5         5  (5 × 1)
    f         60       6        42  (6 × 7)
    g         70       7       210  (7 × 30)
    h         80       8         8  (8 × 1)
    """
    as_of = pd.Timestamp("2024-04-01")
    spec = {"a": (1, 1, 100.0), "b": (2, 2, 5.0), "c": (3, 3, 7.0), "d": (4, 4, 8.0),
            "e": (50, 5, 1.0), "f": (60, 6, 7.0), "g": (70, 7, 30.0), "h": (80, 8, 1.0)}
    rows = []
    for cust, (recency, orders, each) in spec.items():
        last = as_of - pd.Timedelta(days=recency)
        rows += [(cust, last - pd.Timedelta(days=k), each) for k in range(orders)]   # last order, then earlier days
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]), as_of


def test_nested_and_independent_scores_hand_worked():
    tx, as_of = _nested_example_tx()
    # R over all 8 (n=8, bins=2): worst-first rank k → floor(2·(k−1)/8) + 1, so ranks 1–4 → 1, 5–8 → 2.
    # recency worst-first h80 g70 f60 e50 d4 c3 b2 a1 → e, f, g, h: R 1;  a, b, c, d: R 2.  (both methods)
    #
    # independent F over all 8: orders 1..8 → a, b, c, d (1–4 orders): F 1;  e..h: F 2.
    # independent M over all 8: spend e5 h8 b10 c21 | d32 f42 a100 g210 → e, h, b, c: M 1;  d, f, a, g: M 2.
    ind = rfm.rfm_table(tx, as_of=as_of, bins=2)
    assert ind["r_score"].to_dict() == {"a": 2, "b": 2, "c": 2, "d": 2, "e": 1, "f": 1, "g": 1, "h": 1}
    assert ind["cell"].to_dict() == {"a": "212", "b": "211", "c": "211", "d": "212",
                                     "e": "121", "f": "122", "g": "122", "h": "121"}
    # nested (Hughes 1994): F within each R group of 4 (k → floor(2·(k−1)/4) + 1: ranks 1–2 → 1, 3–4 → 2)
    #   R 2: a1 b2 | c3 d4 orders → a, b: F 1;  c, d: F 2
    #   R 1: e5 f6 | g7 h8 orders → e, f: F 1;  g, h: F 2
    # then M within each (R, F) pair of 2 (rank 1 → 1, rank 2 → 2):
    #   (2,1): b10 < a100 → b 1, a 2;   (2,2): c21 < d32 → c 1, d 2
    #   (1,1): e5 < f42  → e 1, f 2;    (1,2): h8 < g210 → h 1, g 2
    nested = rfm.rfm_table(tx, as_of=as_of, bins=2, method="nested")
    assert nested["cell"].to_dict() == {"a": "212", "b": "211", "c": "221", "d": "222",
                                        "e": "111", "f": "112", "g": "122", "h": "121"}
    # nested fills every one of the 2³ = 8 cells with exactly one customer; independent leaves 4 empty
    assert nested["cell"].nunique() == 8 and ind["cell"].nunique() == 4
    assert (nested[["recency", "frequency", "monetary"]] == ind[["recency", "frequency", "monetary"]]).all().all()


def test_nested_method_bad_name_and_default_unchanged(tx):
    with pytest.raises(CRMDataError, match="method.*'quintile'"):
        rfm.rfm_table(tx, method="quintile")
    pd.testing.assert_frame_equal(rfm.rfm_table(tx, as_of="2024-03-31"),
                                  rfm.rfm_table(tx, as_of="2024-03-31", method="independent"))


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
