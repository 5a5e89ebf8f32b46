"""Functional: chapter 03's self-checks accept the right answer (hand-worked or recomputed
here, independently of the key file) and reject wrong ones; unit tests of the
value-over-time curve."""
import numpy as np
import pandas as pd
import pytest

import crmlab.data
from crmlab.errors import CRMDataError
from crmlab.exercises import check
from crmlab.explore import value_over_time


@pytest.fixture(scope="module")
def data():
    return crmlab.data.classroom()


def test_exercise_03_discounted_value():
    # 120 + 100/1.08 + 80/1.08² + 60/1.08³ = 120 + 92.5926 + 68.5871 + 47.6299 = 328.8096
    assert check("03.discounted_value", 328.8096).status == "right"
    assert check("03.discounted_value", 360.0).status == "wrong"      # undiscounted sum


def test_exercise_03_crv_p():
    # 12 purchases of 0.3·80 = 24, the k-th at 0.25·k years: Σ 24/1.1^(0.25k)
    right = sum(24 / 1.1 ** (0.25 * k) for k in range(1, 13))
    # geometric sum: 24·q(1 − q¹²)/(1 − q), q = 1.1^−0.25 = 0.976454, 1 − q¹² = 1 − 1/1.331 = 0.248685
    # → 24 · 0.976454 · 0.248685 / 0.023546 = 247.51
    assert right == pytest.approx(247.51, abs=0.01)
    assert check("03.crv_p", right).status == "right"
    assert check("03.crv_p", 12 * 24).status == "wrong"


def test_exercise_03_purchase_cycle():
    # orders on 2 Mar, 22 Mar, 1 May, 31 May 2025: gaps 20 + 40 + 30 = 90 days over 3 gaps = 30 days
    days = pd.to_datetime(["2025-03-02", "2025-03-22", "2025-05-01", "2025-05-31"])
    assert (days[-1] - days[0]).days == 90
    assert check("03.purchase_cycle", 30.0).status == "right"
    assert check("03.purchase_cycle", 90 / 4).status == "wrong"        # divided by orders, not gaps
    assert check("03.purchase_cycle", 90.0).status == "wrong"          # the span, not its average
    # the library's one definition agrees with the hand count
    from crmlab import value
    tx = pd.DataFrame({"customer_id": [7] * 4, "date": days})
    assert value.purchase_cycle(tx).loc[7] == pytest.approx(30.0)


def test_exercise_03_max_acquisition_cost():
    # CLV∞ = m·r/(1 + d − r) = 60·0.75/0.35 = 45/0.35 = 128.571…
    assert check("03.max_acquisition_cost", 128.5714).status == "right"
    assert check("03.max_acquisition_cost", 60 / 0.35).status == "wrong"            # forgot the first year's r
    assert check("03.max_acquisition_cost", 60 * 0.75 / (1 - 0.75)).status == "wrong"   # no discounting
    assert check("03.max_acquisition_cost", 60 * 0.75 / 1.1).status == "wrong"      # one year only


def test_chapter_03_uses_the_one_purchase_cycle(data):
    """Section 2's cycle is (last − first)/(orders − 1), computed by hand here for every customer with
    ≥ 3 orders; and the two definitions the issue found differ, so the choice matters."""
    from crmlab import value
    tx = data.transactions
    g = tx.groupby("customer_id")["date"]
    n = g.size()
    by_hand = ((g.max() - g.min()).dt.total_seconds() / 86400 / (n - 1))[n >= 3]
    lib = value.purchase_cycle(tx)
    assert np.allclose(lib.loc[by_hand.index], by_hand)
    assert lib[n == 1].isna().all()
    end = pd.Timestamp(data.card["observation_end"])
    other = ((end - g.min()).dt.days / n)[n >= 3]      # the old chapter-03 formula (now − first)/orders
    assert (other - by_hand).abs().median() > 1.0       # they differ by more than a day for a typical customer


def test_crv_p_margin_error_says_parameter_and_share():
    from crmlab import value
    from crmlab.errors import ParameterError
    with pytest.raises(ParameterError) as e:
        value.crv_p(avg_cycle=0.25, avg_amount=80, remaining_lifetime=3, rate=0.10, margin=30)
    msg = str(e.value)
    assert "parameter 'margin'" in msg and "share" in msg and "got 30" in msg and "column" not in msg


def test_exercise_03_clv_horizon(data):
    tx = data.transactions
    y24 = set(tx.loc[tx["date"].dt.year == 2024, "customer_id"])
    y25 = tx[tx["date"].dt.year == 2025]
    r = len(y24 & set(y25["customer_id"])) / len(y24)
    m = (y25["amount"] - y25["cost"]).sum() / y25["customer_id"].nunique()
    right = sum(m * r ** t / 1.1 ** t for t in range(1, 6))
    assert check("03.clv_horizon", right).status == "right"
    assert check("03.clv_horizon", m * r / (1.1 - r)).status == "wrong"    # the infinite horizon


def test_exercise_03_paid_back_share(data):
    # recomputed with a plain loop over customers (no value_over_time call)
    spend = data.contacts.groupby(data.contacts["campaign"].str.removeprefix("acquire_"))["cost"].sum()
    won = data.customers["acquisition_channel"].value_counts()
    end = pd.Timestamp(data.card["observation_end"])
    paid = data.customers[data.customers["acquisition_channel"].isin(spend.index)
                          & data.customers["acquired_at"].notna()]
    month = pd.Timedelta(days=365.25 / 12)
    paid = paid[paid["acquired_at"] + 12 * month <= end]
    tx = data.transactions.set_index("customer_id")
    back = []
    for cid, channel, start in zip(paid["customer_id"], paid["acquisition_channel"], paid["acquired_at"]):
        mine = tx.loc[[cid]] if cid in tx.index else tx.iloc[:0]
        window = mine[(mine["date"] >= start) & (mine["date"] < start + 12 * month)]
        back.append((window["amount"] - window["cost"]).sum() - spend[channel] / won[channel] >= 0)
    right = float(np.mean(back))
    assert check("03.paid_back_share", right).status == "right"
    assert check("03.paid_back_share", 1 - right).status == "wrong"


def test_unit_curve_hand_worked_and_window():
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 3],
                       "date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-03-15", "2024-02-01", "2024-06-01"]),
                       "amount": [10.0, 20.0, 100.0, 5.0, 50.0], "cost": [5.0, 10.0, 50.0, 5.0, 0.0]})
    acquired = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-05-20", None]), index=[1, 2, 3, 4])
    c = value_over_time.cumulative_profit_curve(tx, acquired, pd.Series({1: 12.0, 2: 1.0, 3: 0.0}), months=2,
                                                observation_end="2024-08-01")
    # followed: 1, 2, 3 (4 never acquired; 3's two months end 2024-07-20, before the end). Month 0 (first 30.44 days): 1 → 5 + 10 = 15; 2 → 0 (Feb 1 is day 17: month 0); 3 → 50 (day 12)
    # customer 1's order on Mar 15 is day 74: month 2 → outside the 2-month window
    # cumulative − CAC, month 1: [15 − 12, 0 − 1, 50 − 0] = [3, −1, 50]; month 2 the same
    assert c["mean_cumulative_profit"].tolist() == pytest.approx([52 / 3, 52 / 3])
    assert c["share_paid_back"].tolist() == pytest.approx([2 / 3, 2 / 3])
    assert c.attrs["customers"] == 3
    assert value_over_time.payback_month(c) == 1


def test_unit_curve_errors():
    tx = pd.DataFrame({"customer_id": [1], "date": ["2024-01-02"], "amount": [1.0], "cost": [0.5]})
    acquired = pd.Series(pd.to_datetime(["2024-01-01"]), index=[1])
    with pytest.raises(CRMDataError, match="no customer was acquired"):
        value_over_time.cumulative_profit_curve(tx, acquired, months=24, observation_end="2024-06-01")
    with pytest.raises(CRMDataError, match="no acquisition cost"):
        value_over_time.cumulative_profit_curve(tx, acquired, pd.Series({2: 1.0}), months=1,
                                                observation_end="2024-06-01")
    assert value_over_time.payback_month(pd.DataFrame({"mean_cumulative_profit": [-1.0]}, index=[1])) is None
