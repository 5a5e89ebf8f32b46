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


# ----------------------------------------------------------------------------- chapter 09: discounts change behaviour
class DiscountOnce(Strategy):
    """On one day, a 50 % discount with a given elasticity to the first 1,500 active customers."""
    name = "discount once"

    def __init__(self, elasticity, day=pd.Timestamp("2024-03-03")):
        self.elasticity, self.day = elasticity, day

    def decide(self, today, log):
        if today != self.day:
            return []
        stage = log.current_stage()
        ids = stage.index[stage.to_numpy() == "customer"].tolist()[:1500]
        return [Discount(c, 50, self.elasticity) for c in ids]


def _orders_in(log, ids, start, end):
    tx = log.transactions
    return int((tx["customer_id"].isin(ids) & (tx["date"] > start) & (tx["date"] < end)).sum())


def test_functional_discount_lifts_the_purchase_rate_while_it_runs():
    """A 50 % discount with elasticity 2 doubles the rate (1 + 2·50/100 = 2) for discount_days (60), then
    the old rate returns. Same seed with elasticity 0: the same people, so the order counts compare directly."""
    flat = sim.simulate("classroom", customers=8000, years=2, seed=8, strategy=DiscountOnce(0.0))
    lift = sim.simulate("classroom", customers=8000, years=2, seed=8, strategy=DiscountOnce(2.0))
    day = pd.Timestamp("2024-03-03")
    ids = flat.contacts.loc[flat.contacts["campaign"] == "discount_50%", "customer_id"]
    assert len(ids) > 500
    inside = (day, day + pd.Timedelta(days=60))
    after = (day + pd.Timedelta(days=61), day + pd.Timedelta(days=150))
    ratio_in = _orders_in(lift, ids, *inside) / _orders_in(flat, ids, *inside)
    ratio_after = _orders_in(lift, ids, *after) / _orders_in(flat, ids, *after)
    assert 1.75 < ratio_in < 2.25            # the rate doubled while the discount ran
    assert 0.85 < ratio_after < 1.15         # and came back afterwards
    # every discounted order is half price (cost on the gross amount), before and with the lift
    window = lift.transactions[lift.transactions["customer_id"].isin(ids) & (lift.transactions["date"] >= day)
                               & (lift.transactions["date"] < day + pd.Timedelta(days=59))]
    truth = lift.truth.set_index("customer_id")
    gross = window["amount"] / 0.5
    expected = gross * (1 - truth.loc[window["customer_id"], "margin"].to_numpy()) + \
        truth.loc[window["customer_id"], "cost_to_serve"].to_numpy()
    assert window["cost"].to_numpy() == pytest.approx(expected.to_numpy())


def test_functional_discount_elasticity_is_checked():
    with pytest.raises(ValueError, match=r"Discount.elasticity must be a number in \[0, 20\], got -1"):
        sim.simulate("classroom", customers=200, years=1, seed=1, strategy=BadActions(Discount(3, 10, -1)))


# ----------------------------------------------------------------------------- targets and built-in strategies
from sim.strategies import CareContacts, LoyaltyProgramme, Target, TargetedDiscount  # noqa: E402


class Snapshot(Strategy):
    """Keeps the observed log of one day, to check targets against crmlab computed by hand."""
    name = "snapshot"

    def __init__(self, day):
        self.day, self.seen = day, None

    def decide(self, today, log):
        if today == self.day:
            target = Target(stages=("customer",), r_scores=(5, 6), bins=10)
            tiers = Target(stages=None, tiers=("top",))
            self.seen = (log.transactions.copy(), log.current_stage(), target.ids(today, log), tiers.ids(today, log))
        return []


def test_functional_target_picks_by_stage_rfm_decile_and_tier():
    from crmlab.rfm import rfm_table
    from crmlab.tiers import value_pyramid

    day = pd.Timestamp("2023-12-03")
    snap = Snapshot(day)
    sim.simulate("classroom", customers=1500, years=1, seed=3, strategy=snap)
    tx, stage, ids, top = snap.seen
    table = rfm_table(tx, as_of=day, bins=10)
    assert sorted(table["r_score"].unique()) == list(range(1, 11))          # deciles
    expected = [c for c in table.index[table["r_score"].isin([5, 6])] if stage[c] == "customer"]
    assert ids.tolist() == sorted(expected) and len(expected) > 0
    tier = value_pyramid(tx.groupby("customer_id")["amount"].sum())
    assert top.tolist() == sorted(tier.index[tier == "top"].tolist())
    assert len(top) == pytest.approx(0.05 * tx["customer_id"].nunique(), abs=1)


@pytest.mark.parametrize("kwargs, message", [
    (dict(stages=("sleeping",)), "Target.stages must be among"),
    (dict(r_scores=(0,)), r"Target.r_scores must be scores in 1\.\.5, got 0"),
    (dict(r_scores=(10,), bins=10), None),
    (dict(bins=11), r"Target.bins must be a whole number in 2\.\.10, got 11"),
    (dict(tiers=("gold",)), r"Target.tiers must be among \['top', 'high', 'mid', 'low'\], got 'gold'"),
    (dict(stages="customer"), "Target.stages must be a tuple"),
])
def test_unit_target_checks_its_conditions(kwargs, message):
    if message is None:
        assert Target(**kwargs).describe() == "stage in (customer) and R score in (10) of 10"
    else:
        with pytest.raises(ValueError, match=message):
            Target(**kwargs)


@pytest.fixture(scope="module")
def programmes():
    """One market, four strategies (same seed: the same people)."""
    runs = {}
    for name, strategy in {"care": CareContacts(), "discount": TargetedDiscount(20),
                           "loyalty": LoyaltyProgramme(5, min_orders=3)}.items():
        runs[name] = sim.simulate("classroom", customers=2000, years=2, seed=9, strategy=strategy)
    return runs


def _stage_before(log, cid, day):
    st = log.stages[(log.stages["customer_id"] == cid) & (log.stages["date"] < day)]
    return st["to_stage"].iloc[-1]


def test_functional_care_contacts_reach_drifting_customers_at_most_every_90_days(programmes):
    from crmlab.rfm import rfm_table

    log = programmes["care"]
    care = log.contacts[log.contacts["campaign"] == "care"]
    assert len(care) > 50 and (care["cost"] == log.config.contact_cost).all()
    gaps = care.sort_values("date").groupby("customer_id")["date"].diff().dropna()
    assert (gaps >= pd.Timedelta(days=90)).all()
    assert care["date"].dt.day_of_week.nunique() == 1                            # decided on the weekly clock
    assert (care["date"].drop_duplicates().sort_values().diff().dropna() >= pd.Timedelta(days=28)).all()
    for cid, day in care[["customer_id", "date"]].head(30).itertuples(index=False):
        assert _stage_before(log, cid, day + pd.Timedelta(days=1)) == "customer"
        # R score 1-2 of 5 in the orders the strategy saw (before the contact's own response order)
        seen = log.transactions[log.transactions["date"] < day]
        assert rfm_table(seen, as_of=day).loc[cid, "r_score"] in (1, 2)


def test_functional_targeted_discount_goes_to_dormant_customers(programmes):
    log = programmes["discount"]
    offers = log.contacts[log.contacts["campaign"] == "discount_20%"]
    assert len(offers) > 50 and (offers["cost"] == log.config.discount_cost).all()
    for cid, day in offers[["customer_id", "date"]].head(30).itertuples(index=False):
        assert _stage_before(log, cid, day + pd.Timedelta(days=1)) in ("dormant", "customer")
        silent = day - log.transactions.loc[(log.transactions["customer_id"] == cid)
                                            & (log.transactions["date"] < day), "date"].max()
        assert silent > pd.Timedelta(days=log.config.dormant_after_days)


def test_functional_loyalty_programme_rewards_repeat_buyers_only(programmes):
    log = programmes["loyalty"]
    offers = log.contacts[log.contacts["campaign"] == "discount_5%"]
    assert len(offers) > 100
    tx = log.transactions
    for cid, day in offers[["customer_id", "date"]].head(40).itertuples(index=False):
        assert ((tx["customer_id"] == cid) & (tx["date"] < day)).sum() >= 3       # min_orders = 3
    gaps = offers.sort_values("date").groupby("customer_id")["date"].diff().dropna()
    assert (gaps >= pd.Timedelta(days=56)).all()


def test_functional_built_in_strategies_are_reusable_and_picklable():
    import pickle

    strategy = CareContacts(Target(stages=("customer",), f_scores=(1,)), every_days=28)
    a = sim.simulate("classroom", customers=400, years=1, seed=2, strategy=strategy)
    b = sim.simulate("classroom", customers=400, years=1, seed=2, strategy=pickle.loads(pickle.dumps(strategy)))
    c = sim.simulate("classroom", customers=400, years=1, seed=2, strategy=strategy)    # used again: memory reset
    pd.testing.assert_frame_equal(a.contacts, b.contacts)
    pd.testing.assert_frame_equal(a.contacts, c.contacts)


@pytest.mark.parametrize("make, message", [
    (lambda: CareContacts(every_days=3), r"every_days must be a number of days in \[7, 3650\], got 3"),
    (lambda: TargetedDiscount(120), r"percent must be in \(0, 100\), got 120"),
    (lambda: LoyaltyProgramme(5, elasticity=True), r"elasticity must be a number in \[0, 20\], got True"),
    (lambda: LoyaltyProgramme(min_orders=0), "min_orders must be a whole number >= 1, got 0"),
    (lambda: CareContacts(target="dormant"), "target must be a sim.strategies.Target"),
])
def test_unit_built_in_strategies_check_their_dials(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_unit_rfm_deciles_by_hand():
    """Ten customers, one order each on days 1..10 with amounts 10..100: as of day 10, customer k has
    recency 10 − k and rank k among ten, so R = floor(10·(k−1)/10) + 1 = k; F ties (1 order) → 1;
    M rank k → k. Cell codes need two digits for 10: written '10-1-10'."""
    from crmlab.rfm import rfm_table

    tx = pd.DataFrame({"order_id": range(1, 11), "customer_id": range(1, 11),
                       "date": pd.date_range("2024-01-01", periods=10), "amount": [10.0 * k for k in range(1, 11)]})
    t = rfm_table(tx, as_of="2024-01-10", bins=10)
    assert t["r_score"].tolist() == list(range(1, 11)) and t["m_score"].tolist() == list(range(1, 11))
    assert (t["f_score"] == 1).all()
    assert t.loc[10, "cell"] == "10-1-10" and t.loc[3, "cell"] == "3-1-3"
    assert "segment" not in t.columns
