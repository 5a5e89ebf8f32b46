"""Unit tests for crmlab.value: every formula against a hand-worked number."""
import numpy as np
import pandas as pd
import pytest

from crmlab import value
from crmlab.errors import CRMDataError


def test_discounted_value():
    # 100 + 110/1.1 + 121/1.21 = 100 + 100 + 100
    assert value.discounted_value([100, 110, 121], 0.10) == pytest.approx(300.0)
    # r = 0: plain sum
    assert value.discounted_value([1, 2, 3], 0.0) == pytest.approx(6.0)
    with pytest.raises(CRMDataError, match="rate"):
        value.discounted_value([1, 2], -0.1)
    with pytest.raises(CRMDataError, match="values"):
        value.discounted_value([1, np.nan], 0.1)
    with pytest.raises(CRMDataError, match="values"):
        value.discounted_value([], 0.1)


def test_crv_p_hand_worked():
    # T̄ = 0.25 y, L = 1 y → ⌊1/0.25⌋ = 4 purchases of m·M̄ = 0.4·50 = 20, r = 0 → 80
    assert value.crv_p(0.25, 50, 1.0, 0.0, margin=0.4) == pytest.approx(80.0)
    # T̄ = 1, L = 2.5 → 2 purchases of 100 at r = 0.1: 100/1.1 + 100/1.21 = 90.9091 + 82.6446 = 173.5537
    assert value.crv_p(1.0, 100, 2.5, 0.1) == pytest.approx(173.55371900826447)
    # lifetime shorter than a cycle → no purchase left
    assert value.crv_p(1.0, 100, 0.5, 0.1) == 0.0
    with pytest.raises(CRMDataError, match="avg_cycle"):
        value.crv_p(0.0, 100, 1.0, 0.1)
    with pytest.raises(CRMDataError, match="margin"):
        value.crv_p(1.0, 100, 1.0, 0.1, margin=1.5)


def test_retention_clv_infinite_closed_form():
    # m r/(1+d−r) = 100·0.8/(1.1−0.8) = 80/0.3 = 266.667
    assert value.retention_clv(100, 0.8, 0.1) == pytest.approx(266.6666667)
    # include current period: m(1+d)/(1+d−r) = 100·1.1/0.3 = 366.667
    assert value.retention_clv(100, 0.8, 0.1, include_current=True) == pytest.approx(366.6666667)


def test_retention_clv_finite_and_limit():
    # T = 3: 100·(0.8/1.1 + 0.64/1.21 + 0.512/1.331) = 72.7273 + 52.8926 + 38.4673 = 164.0872
    assert value.retention_clv(100, 0.8, 0.1, horizon=3) == pytest.approx(164.08715251690458)
    # finite horizon approaches the closed form
    assert value.retention_clv(100, 0.8, 0.1, horizon=500) == pytest.approx(value.retention_clv(100, 0.8, 0.1))
    assert value.retention_clv(100, 0.8, 0.1, horizon=0) == 0.0
    with pytest.raises(CRMDataError, match="retention"):
        value.retention_clv(100, 1.0, 0.0)
    with pytest.raises(CRMDataError, match="horizon"):
        value.retention_clv(100, 0.8, 0.1, horizon=2.5)


def test_value_score_hand_worked():
    c = pd.DataFrame({"consumption": [10, 30, 20], "contribution": [5, 15, 10], "cost_to_serve": [2, 1, 3],
                      "future_profit": [0, 10, 5], "loyalty": [1, 1, 1], "credit": [700, 600, 650]},
                     index=["a", "b", "c"])
    before = c.copy()
    s = value.value_score(c)
    # c: consumption 0.5, contribution 0.5, cost_to_serve scaled (3−1)/(3−1)=1 → reversed 0
    #   current = 0.4·0.5 + 0.4·0.5 + 0.2·0 = 0.4
    #   potential = 0.5·0.5 + 0.3·0.5 (constant) + 0.2·0.5 = 0.5
    #   score = 100·(0.6·0.4 + 0.4·0.5) = 44
    assert s.loc["c", "current"] == pytest.approx(0.4)
    assert s.loc["c", "potential"] == pytest.approx(0.5)
    assert s.loc["c", "score"] == pytest.approx(44.0)
    # b: current = 0.4+0.4+0.2·(1−0) = 1; potential = 0.5 + 0.15 + 0 = 0.65; score = 60 + 26 = 86
    assert s.loc["b", "score"] == pytest.approx(86.0)
    pd.testing.assert_frame_equal(c, before)
    with pytest.raises(CRMDataError, match="credit"):
        value.value_score(c.drop(columns="credit"))
    with pytest.raises(CRMDataError, match="current_weights"):
        value.value_score(c, current_weights={"consumption": 0.5, "contribution": 0.6})


def test_acquisition_payback():
    # margin 60, retention 0.9, d = 0: expected margins 54, 48.6, … ; 54 < 100 ≤ 102.6 → 2 periods
    p = value.acquisition_payback(100, 60, 0.9, 0.0)
    assert p.payback_periods == 2
    assert p.clv == pytest.approx(540.0)          # 60·0.9/(1 − 0.9)
    assert p.ltv_to_cac == pytest.approx(5.4)
    assert p.net_value == pytest.approx(440.0)
    # never pays back: CLV = 10·0.5/(1.1−0.5) = 8.33 < 100
    assert value.acquisition_payback(100, 10, 0.5, 0.1).payback_periods is None


def test_customer_profit_with_cost_to_serve():
    tx = pd.DataFrame({"order_id": [1, 2, 3], "customer_id": [1, 1, 2], "date": ["2024-01-01"] * 3,
                       "amount": [100.0, 50.0, 20.0], "cost": [60.0, 30.0, 15.0]})
    before = tx.copy()
    p = value.customer_profit(tx, cost_to_serve=5.0)
    # customer 1: 150 − 90 − 2·5 = 50 ; customer 2: 20 − 15 − 5 = 0
    assert p["gross_profit"].tolist() == [60.0, 5.0]
    assert p["profit"].tolist() == [50.0, 0.0]
    per_customer = value.customer_profit(tx, cost_to_serve=pd.Series({1: 70.0, 2: 1.0}))
    assert per_customer["profit"].tolist() == [-10.0, 4.0]   # 60 − 70, 5 − 1
    pd.testing.assert_frame_equal(tx, before)
    with pytest.raises(CRMDataError, match="cost_to_serve"):
        value.customer_profit(tx, cost_to_serve=pd.Series({1: 70.0}))
    with pytest.raises(CRMDataError, match="cost"):
        value.customer_profit(tx.drop(columns="cost"))


def test_profit_by_order_number():
    tx = pd.DataFrame({"order_id": range(6), "customer_id": [1, 1, 1, 2, 2, 3],
                       "date": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01", "2024-01-10",
                                               "2024-02-10", "2024-01-20"]),
                       "amount": [30.0, 50.0, 40.0, 20.0, 60.0, 10.0], "cost": [10.0, 20.0, 20.0, 10.0, 30.0, 5.0]})
    t = value.profit_by_order_number(tx, acquisition_cost=20.0, cost_to_serve=2.0)
    # 1st orders (by date): c1 50−20−2−20 = 8, c2 20−10−2−20 = −12, c3 10−5−2−20 = −17 → mean −7
    # 2nd: c1 40−20−2 = 18, c2 60−30−2 = 28 → 23 ; 3rd: c1 30−10−2 = 18
    assert t["customers"].tolist() == [3, 2, 1]
    np.testing.assert_allclose(t["mean_profit"], [-7.0, 23.0, 18.0])
    np.testing.assert_allclose(t["cumulative_profit"], [-7.0, 16.0, 34.0])
    assert value.profit_by_order_number(tx, max_orders=2).index.tolist() == [1, 2]
    with pytest.raises(CRMDataError, match="acquisition_cost"):
        value.profit_by_order_number(tx, acquisition_cost=-1)


def test_purchase_cycle_hand_worked():
    # customer 1: orders on Jan 1, Jan 11, Jan 31 → 2 gaps (10 and 20 days) → (31 − 1)/(3 − 1) = 15
    # customer 2: Jan 5 and Jan 6 12:00 → 1.5 days (times of day count)
    # customer 3: a single order → NaN (no gap observed), not 0 and not inf
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3],
                       "date": pd.to_datetime(["2024-01-11 00:00", "2024-01-01", "2024-01-31",
                                               "2024-01-05", "2024-01-06 12:00", "2024-02-01"], format="ISO8601")})
    c = value.purchase_cycle(tx)
    assert c.name == "cycle"
    assert c.index.tolist() == [1, 2, 3]
    assert c.loc[1] == pytest.approx(15.0)
    assert c.loc[2] == pytest.approx(1.5)
    assert np.isnan(c.loc[3])
    # the glossary's definition, not (as_of − first)/orders: with as_of = Feb 29 customer 1
    # would get (59 days)/3 ≈ 19.7 under the other formula; here as_of only drops later orders
    assert value.purchase_cycle(tx, as_of="2024-02-29").loc[1] == pytest.approx(15.0)
    # the orders up to Jan 11 (the as-of day observed to its end): customer 1's first two → 10 days;
    # customer 3 has no order yet and is absent; an order after as_of is refused, naming the column
    early = value.purchase_cycle(tx[tx["date"] < "2024-01-12"], as_of="2024-01-11")
    assert early.loc[1] == pytest.approx(10.0) and 3 not in early.index
    with pytest.raises(CRMDataError, match="date"):
        value.purchase_cycle(tx, as_of="2024-01-11")
    # other column names
    renamed = tx.rename(columns={"customer_id": "cid", "date": "when"})
    assert value.purchase_cycle(renamed, customer="cid", date="when").loc[1] == pytest.approx(15.0)
    with pytest.raises(CRMDataError, match="when"):
        value.purchase_cycle(tx, date="when")
    # tx is never modified
    assert tx["customer_id"].tolist() == [1, 1, 1, 2, 2, 3]


def test_five_tier_cycle_is_purchase_cycle():
    from crmlab import tiers
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3], "amount": [10.0] * 6,
                       "date": ["2024-01-11", "2024-01-01", "2024-01-31", "2024-01-05", "2024-01-25", "2024-02-01"]})
    t = tiers.five_tier(tx, {"cycle": (10, 60), "amount": (20, 50)}, single_purchase="long")
    pc = value.purchase_cycle(tx)
    assert t["cycle"].loc[[1, 2]].tolist() == pc.loc[[1, 2]].tolist() == [15.0, 20.0]
    assert np.isinf(t["cycle"].loc[3]) and np.isnan(pc.loc[3])


# ---- member_value (chapter 12: paid membership) ---------------------------------------------------
def test_member_value_hand_worked():
    from crmlab.value import member_value

    # fee 60 − cost 8 = 52 from the fee, 40 from the goods: 92 a year; fee share 52/92
    v = member_value(60, 0.9, 40, fee_cost=8, discount=0.1)
    assert v["yearly_profit"] == pytest.approx(92.0)
    assert v["fee_profit"] == pytest.approx(52.0)
    assert v["fee_share"] == pytest.approx(52 / 92)
    assert v["expected_years"] == pytest.approx(10.0)
    # paid at the start of each year: 92 + 92·0.9/1.1 + 92·0.81/1.21 + … = 92·1.1/(1.1 − 0.9) = 506
    assert v["lifetime_value"] == pytest.approx(506.0)
    # no discount, renewal 0.5: 92 · 1/(1 − 0.5) = 184 = π × expected years
    v0 = member_value(60, 0.5, 40, fee_cost=8, discount=0.0)
    assert v0["lifetime_value"] == pytest.approx(184.0) == pytest.approx(v0["yearly_profit"] * v0["expected_years"])


def test_member_value_series_matches_formula():
    from crmlab.value import member_value

    years = np.arange(0, 400)
    series = float(np.sum(70.0 * (0.8 / 1.05) ** years))
    assert member_value(50, 0.8, 30, fee_cost=10, discount=0.05)["lifetime_value"] == pytest.approx(series)


@pytest.mark.parametrize("kwargs, name", [
    (dict(fee=-1, renewal=0.9, merchandise_margin=10), "fee"),
    (dict(fee=60, renewal=1.0, merchandise_margin=10), "renewal"),
    (dict(fee=60, renewal=1.2, merchandise_margin=10), "renewal"),
    (dict(fee=60, renewal=0.9, merchandise_margin=float("nan")), "merchandise_margin"),
    (dict(fee=60, renewal=0.9, merchandise_margin=10, fee_cost=-2), "fee_cost"),
])
def test_member_value_bad_input_names_parameter(kwargs, name):
    import pickle

    from crmlab.value import member_value

    with pytest.raises(ValueError, match=name) as err:
        member_value(**kwargs)
    again = pickle.loads(pickle.dumps(err.value))
    assert str(again) == str(err.value)
