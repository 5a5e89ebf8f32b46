"""Strategies see the log so far (never truth); actions cost money and have their effects."""
import pandas as pd
import pytest

import sim
from sim.strategies import (AssignManager, Contact, Discount, NoAction, ObservedLog, Strategy,
                            TruthHiddenError, WinBack, WinBackDormant)


class Peeker(Strategy):
    name = "peeker"

    def decide(self, today, log):
        return list(log.truth["customer_id"][:3])


def test_functional_reading_truth_is_an_error():
    with pytest.raises(TruthHiddenError, match="truth is hidden from strategies"):
        sim.simulate("classroom", customers=200, years=1, seed=1, strategy=Peeker())
    assert issubclass(TruthHiddenError, AttributeError)


class Recorder(Strategy):
    """Remembers what it was shown, to check it never sees the future."""
    name = "recorder"

    def __init__(self):
        self.seen = []

    def decide(self, today, log):
        tx, st = log.transactions, log.stages
        self.seen.append((today, tx["date"].max() if len(tx) else None, st["date"].max() if len(st) else None,
                          len(log.customers), log.customers["acquired_at"].max(),
                          log.current_stage().value_counts().to_dict()))
        return []


def test_functional_observed_log_ends_today():
    rec = Recorder()
    log = sim.simulate("classroom", customers=400, years=1, seed=2, strategy=rec)
    assert len(rec.seen) == 52 + 52                     # weekly through observation and holdout
    for today, last_tx, last_stage, n, last_acq, stages in rec.seen:
        assert last_tx is None or last_tx <= today
        assert last_stage is None or last_stage <= today
        assert pd.isna(last_acq) or last_acq <= today
        assert n == 400 and sum(stages.values()) == 400
    # the stage counts the strategy saw agree with the final stages table replayed to that day
    today, *_, stages = rec.seen[30]
    st = log.stages[log.stages["date"] <= today]
    last = st.groupby("customer_id")["to_stage"].last().value_counts().to_dict()
    last["target"] = last.get("target", 0) + 400 - st["customer_id"].nunique()
    assert {k: v for k, v in last.items() if v} == stages


def test_functional_no_action_changes_nothing():
    base = sim.simulate("classroom", customers=400, years=1, seed=2)
    none = sim.simulate("classroom", customers=400, years=1, seed=2, strategy=NoAction())
    for name in sim.eventlog.TABLES:
        pd.testing.assert_frame_equal(getattr(base, name), getattr(none, name))


def test_functional_winback_dormant_brings_customers_back():
    log = sim.simulate("classroom", customers=3000, years=2, seed=5, strategy=WinBackDormant())
    wb = log.contacts[log.contacts["campaign"] == "winback"]
    assert len(wb) > 100
    assert (wb["cost"] == log.config.winback_cost).all()
    # every offer went to a customer labelled dormant on that day
    for cid, day in wb[["customer_id", "date"]].head(50).itertuples(index=False):
        st = log.stages[(log.stages["customer_id"] == cid) & (log.stages["date"] < day)]
        assert st["to_stage"].iloc[-1] == "dormant"
    # some really-gone customers came back: truth counts them, and they bought again
    revived = log.truth.loc[log.truth["winbacks"] > 0, "customer_id"]
    assert len(revived) > 5
    assert wb["responded"].mean() == pytest.approx(log.config.winback_success, abs=0.08)
    # a win-back that worked shows as dormant -> customer on that day, with an order
    back = log.stages[(log.stages["from_stage"] == "dormant") & (log.stages["to_stage"] == "customer")]
    worked = wb[wb["responded"]]
    assert set(zip(worked["customer_id"], worked["date"])) <= set(zip(back["customer_id"], back["date"]))
    orders = set(zip(log.transactions["customer_id"], log.transactions["date"]))
    assert set(zip(worked["customer_id"], worked["date"])) <= orders
    assert log.card["strategy"] == "win back dormant"


class ContactEveryone(Strategy):
    name = "contact everyone once"

    def __init__(self, day=pd.Timestamp("2023-10-01")):
        self.day = day

    def decide(self, today, log):
        if today != self.day:
            return []
        stage = log.current_stage()
        ids = stage.index[stage.to_numpy() == "customer"].tolist()
        return [Contact(c, "summer care") for c in ids[:50]] + [Discount(c, 20) for c in ids[50:100]] + \
               [AssignManager(c) for c in ids[100:110]] + [WinBack(ids[0])]


def test_functional_actions_are_logged_with_costs_and_effects():
    log = sim.simulate("classroom", customers=3000, years=1, seed=6, strategy=ContactEveryone())
    c = log.contacts
    day = c[c["date"] == pd.Timestamp("2023-10-01")]
    cfg = log.config
    assert (day.loc[day["campaign"] == "summer care", "cost"] == cfg.contact_cost).sum() == 50
    assert (day.loc[day["campaign"] == "discount_20%", "cost"] == cfg.discount_cost).sum() == 50
    assert (day.loc[day["campaign"] == "account_manager", "cost"] == cfg.manager_cost).sum() == 10
    assert (day.loc[day["campaign"] == "winback", "responded"] == False).all()   # not dormant: no effect
    contacted = day.loc[day["campaign"] == "summer care", "customer_id"]
    truth = log.truth.set_index("customer_id")
    # the injected effect is recorded in truth for every contacted customer who had
    # not really left yet; a customer who had left (but still looks active) is not moved
    gone = truth.loc[contacted, "churn_date"] < pd.Timestamp("2023-10-01")
    mult = truth.loc[contacted, "contact_dropout_multiplier"]
    assert (mult[~gone] == cfg.contact_dropout_multiplier).all() and (~gone).sum() > 30
    assert (mult[gone] == 1.0).all()
    managed = day.loc[day["campaign"] == "account_manager", "customer_id"]
    gone = truth.loc[managed, "churn_date"] < pd.Timestamp("2023-10-01")
    assert (truth.loc[managed, "manager_dropout_multiplier"][~gone] == cfg.manager_dropout_multiplier).all()
    others = truth.index.difference(contacted)
    assert (truth.loc[others, "contact_dropout_multiplier"] == 1.0).all()


def test_functional_discount_lowers_the_price():
    """Orders in the discount window are 20% cheaper: gross = amount / 0.8, and the
    cost of goods is computed on the gross amount, so margins shrink."""
    log = sim.simulate("classroom", customers=3000, years=1, seed=6, strategy=ContactEveryone())
    day = pd.Timestamp("2023-10-01")
    disc = log.contacts[(log.contacts["campaign"] == "discount_20%")]["customer_id"]
    tx = log.transactions
    window = tx[tx["customer_id"].isin(disc) & (tx["date"] >= day) & (tx["date"] < day + pd.Timedelta(days=60))]
    truth = log.truth.set_index("customer_id")
    gross = window["amount"] / 0.8
    expected_cost = gross * (1 - truth.loc[window["customer_id"], "margin"].to_numpy()) + \
        truth.loc[window["customer_id"], "cost_to_serve"].to_numpy()
    assert len(window) > 10
    assert window["cost"].to_numpy() == pytest.approx(expected_cost.to_numpy())


class BadActions(Strategy):
    def __init__(self, action):
        self.action = action

    def decide(self, today, log):
        return [self.action]


@pytest.mark.parametrize("action, error, message", [
    (Contact(0, "x"), ValueError, r"Contact: customer_id must be an id in 1\.\.200, got 0"),
    (WinBack(999), ValueError, r"WinBack: customer_id must be an id in 1\.\.200, got 999"),
    (Discount(3, 150), ValueError, r"Discount.percent must be in \(0, 100\), got 150"),
    ("call them", TypeError, r"unknown action 'call them'"),
])
def test_functional_bad_actions_are_named(action, error, message):
    with pytest.raises(error, match=message):
        sim.simulate("classroom", customers=200, years=1, seed=1, strategy=BadActions(action))


def test_unit_observed_log_is_a_view_not_truth():
    assert not hasattr(ObservedLog, "__getitem__")
    with pytest.raises(NotImplementedError, match="must define decide"):
        Strategy().decide(pd.Timestamp("2023-01-01"), None)


def test_functional_one_winback_instance_can_be_reused():
    strategy = WinBackDormant()
    first = sim.simulate("classroom", customers=800, years=1, seed=3, strategy=strategy)
    again = sim.simulate("classroom", customers=800, years=1, seed=3, strategy=strategy)
    pd.testing.assert_frame_equal(first.contacts, again.contacts)
