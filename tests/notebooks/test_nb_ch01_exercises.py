"""Functional: chapter 01's self-checks accept the right answer (hand-worked or recomputed
here with library calls, independently of the key file) and reject wrong ones; the
simulator experiment's summary on a hand-made log."""
import dataclasses

import pandas as pd
import pytest

import crmlab.data
import sim
from crmlab import kpi
from crmlab.exercises import check
from crmlab.explore import economics
from sim.strategies import Contact, Strategy


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


def test_exercise_01_max_acquisition_cost():
    # profit* = m·N/(1 − r) − a·N = 0  ⇔  a = m/(1 − r) = 100/0.2 = 500; the library agrees: zero profit there
    assert economics.steady_state_profit(0.80, 500, margin=100) == pytest.approx(0, abs=1e-6)
    assert check("01.max_acquisition_cost", 500).status == "right"
    assert check("01.max_acquisition_cost", 100 / 0.8).status == "wrong"     # m / r: retention, not churn
    assert check("01.max_acquisition_cost", 300).status == "wrong"


@pytest.mark.slow
def test_exercise_01_referral_levers():
    # run each change on the simulator (same seed): A and B lower the referral share, C raises it, D leaves it
    base = sim.scenario("classroom")

    def share(cfg):
        cu = sim.simulate(cfg, customers=3000, years=3, seed=7).customers
        return (cu.loc[cu["acquired_at"].notna(), "acquisition_channel"] == "referral").mean()

    base_share = share(base)
    changed = {
        "A": sim.scenario("classroom", reach_per_year=2 * base.reach_per_year),
        "B": sim.scenario("classroom", referral_rate_per_year=base.referral_rate_per_year / 2),
        "C": sim.scenario("classroom", dropout_per_year=base.dropout_per_year / 2),
        "D": sim.scenario("classroom", channels=[dataclasses.replace(c, cost_per_contact=2 * c.cost_per_contact)
                                                 for c in base.channels]),
    }
    shares = {k: share(cfg) for k, cfg in changed.items()}
    assert shares["D"] == base_share                    # what a contact costs changes nobody's behaviour
    lower = {k for k, v in shares.items() if v < base_share - 0.01}
    assert lower == {"A", "B"} and shares["C"] >= base_share
    assert check("01.referral_levers", lower).status == "right"
    assert check("01.referral_levers", {"A", "B", "C"}).status == "wrong"
    assert check("01.referral_levers", {"B"}).status == "wrong"


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


class _QuarterlyCare(Strategy):
    """The notebook's care programme: a care contact to every current customer in the first week of a quarter."""
    name = "quarterly care"

    def decide(self, today, log):
        if today.month % 3 != 1 or today.day > 7:
            return []
        stage = log.current_stage()
        return [Contact(c, "care") for c in stage.index[stage == "customer"]]


@pytest.mark.slow
def test_text_01_numbers_the_chapter_states():
    """Every number 01's text states about our market, computed here (the notebook prints the rest)."""
    data = crmlab.data.classroom()
    classroom = sim.scenario("classroom")
    # paid acquisition: Σ acquire_* contact cost / customers won by paid channels (computed without kpi)
    paid = data.contacts["campaign"].str.startswith("acquire_")
    won = data.customers["acquisition_channel"].isin(["search_ads", "social_media", "direct_mail"]).sum()
    paid_cost = data.contacts.loc[paid, "cost"].sum() / won
    t = kpi.acquisition_cost(data.contacts, data.customers)
    assert t["spend"].sum() / t["won"].sum() == pytest.approx(paid_cost)
    # "the classroom firm spends nothing on keeping customers"
    assert not (~paid).any()
    assert kpi.retention_cost(data.transactions, data.contacts, "2024", "2025")["spend"] == 0
    # quarterly care: a paid customer costs "about twice" a retained customer-year, "well below 5–7×"
    care = sim.simulate(classroom, customers=3000, years=3, seed=7, strategy=_QuarterlyCare())
    in_2025 = care.contacts["date"].dt.year == 2025
    spend = care.contacts.loc[in_2025 & (care.contacts["campaign"] == "care"), "cost"].sum()
    years = care.transactions.assign(year=care.transactions["date"].dt.year)
    kept = len(set(years.loc[years["year"] == 2024, "customer_id"]) & set(years.loc[years["year"] == 2025, "customer_id"]))
    assert kpi.retention_cost(care.transactions, care.contacts, "2024", "2025")["per_retained_customer"] == \
        pytest.approx(spend / kept)
    ratio = paid_cost / (spend / kept)
    assert 1.5 < ratio < 2.5
    # word of mouth: the source's 25 against the measured reach (rounded to 18 in the text), 60% built in
    measured = data.card["measured"]
    assert measured["dissatisfied_reach_parameter"] == classroom.dissatisfied_reach == 25
    assert round(measured["dissatisfied_reach"]) == 18
    assert classroom.referral_share == 0.6 and abs(measured["referral_share"] - 0.6) < 0.01
    # the model's uplift 80% → 85% at USD 300 lies inside Reichheld & Sasser's +25% to +85%
    assert 0.25 <= economics.retention_uplift(0.80, 300) <= 0.85
    # the experiment: base dropout is the scenario's (0.45), lowered to 0.15
    assert classroom.dropout_per_year == 0.45
    runs = {"base": sim.simulate(classroom, customers=3000, years=3, seed=7),
            "lower dropout": sim.simulate(sim.scenario("classroom", dropout_per_year=0.15), customers=3000, years=3, seed=7),
            "no referrals": sim.simulate(sim.scenario("classroom", referral_rate_per_year=0.0), customers=3000, years=3, seed=7),
            "quarterly care": care}
    s = {k: economics.market_summary(v.transactions, v.contacts) for k, v in runs.items()}
    # "lowering dropout raised retention by a few points; profit rose, by much less than the model's long run"
    assert 0.01 < s["lower dropout"]["retention"] - s["base"]["retention"] < 0.10
    assert 0 < s["lower dropout"]["profit"] / s["base"]["profit"] - 1 < economics.retention_uplift(0.80, 300)
    # "switching word of mouth off shrinks the customers and the profit sharply"
    assert s["no referrals"]["buyers"] < 0.7 * s["base"]["buyers"] and s["no referrals"]["profit"] < 0.7 * s["base"]["profit"]
    # "the care programme costs real money for a small effect here"
    assert abs(s["quarterly care"]["retention"] - s["base"]["retention"]) < 0.02
    assert s["quarterly care"]["profit"] < s["base"]["profit"]
