"""Functional: chapter 01's self-checks accept the right answer (hand-worked or recomputed
here with library calls, independently of the key file) and reject wrong ones; the
simulator experiment's summary on a hand-made log."""
import pandas as pd
import pytest

import crmlab.data
import sim
from crmlab.exercises import check
from crmlab.explore import economics


def test_exercise_01_clv_uplift():
    # CLV(∞) = m·r/(1+d−r): 100·0.85/0.25 = 340; 100·0.80/0.30 = 266.667; 340/266.667 − 1 = 0.275
    assert check("01.clv_uplift", 0.275).status == "right"
    assert check("01.clv_uplift", 0.25).status == "wrong"
    assert check("01.clv_uplift", 27.5).status == "wrong"      # a percentage, not a share


def test_exercise_01_steady_uplift():
    # C* = 1000/(1−r): r=.85 → 6666.67 → 666,667 − 200,000 = 466,667; r=.90 → 1,000,000 − 200,000 = 800,000
    right = 800_000 / 466_666.6667 - 1          # 0.714286
    assert check("01.steady_uplift", right).status == "right"
    assert check("01.steady_uplift", economics.retention_uplift(0.80, 200)).status == "wrong"


@pytest.mark.slow
def test_exercise_01_sim_uplift():
    base = sim.simulate("classroom", customers=3000, years=3, seed=7)
    lower = sim.simulate(sim.scenario("classroom", dropout_per_year=0.15), customers=3000, years=3, seed=7)

    def profit(log):   # Σ(amount − cost) − Σ contact cost, computed directly
        return (log.transactions["amount"] - log.transactions["cost"]).sum() - log.contacts["cost"].sum()

    right = profit(lower) / profit(base) - 1
    assert check("01.sim_uplift", right).status == "right"
    assert check("01.sim_uplift", right + 0.05).status == "wrong"


def test_exercise_01_referral_share():
    cu = crmlab.data.classroom().customers
    channels = cu["acquisition_channel"][cu["acquired_at"].notna()].value_counts(normalize=True)
    assert check("01.referral_share", channels["referral"]).status == "right"
    assert check("01.referral_share", channels["referral"] + 0.05).status == "wrong"


def test_unit_market_summary_hand_worked():
    tx = pd.DataFrame({"customer_id": [1, 2, 3, 1, 3, 4], "order_id": range(6),
                       "date": ["2024-02-01", "2024-03-01", "2024-04-01", "2025-01-05", "2025-06-01", "2025-07-01"],
                       "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0], "cost": [5.0, 5.0, 5.0, 5.0, 5.0, 5.0]})
    s = economics.market_summary(tx, pd.DataFrame({"cost": [1.5, 2.5]}))
    # buyers {1,2,3,4}; 2024 buyers {1,2,3}, back in 2025 {1,3} → 2/3; gross 210 − 30 = 180; profit 180 − 4 = 176
    assert s["buyers"] == 4 and s["retention"] == pytest.approx(2 / 3)
    assert (s["revenue"], s["gross_profit"], s["marketing"], s["profit"]) == (210.0, 180.0, 4.0, 176.0)
