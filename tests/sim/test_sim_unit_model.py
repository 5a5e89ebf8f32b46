"""The models and the actions, piece by piece: which model runs which scenario, and what one action does.

An action draws exactly one uniform from the customer's own action stream
(``SeedSequence(seed, spawn_key=(ACTIONS, customer_id))``), so the expected
response of a hand-picked customer can be recomputed here from a fresh stream.
"""
import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim import streams
from sim.engine import MODELS
from sim.market import MarketModel
from sim.model import ALIVE, GONE, Model
from sim.strategies import Action, AssignManager, Contact, Discount, Strategy, WinBack
from sim.textbook import TextbookModel


def test_unit_each_kind_has_its_model():
    assert MODELS == {"market": MarketModel, "textbook": TextbookModel}
    assert all(issubclass(m, Model) for m in MODELS.values())
    with pytest.raises(NotImplementedError):
        next(Model(sim.scenario("classroom"), 3, 1.0, 0).arrivals())


def fresh_uniforms(seed, customer_id, k):
    s = streams.CustomerStream(seed, streams.ACTIONS, customer_id)
    return [s.uniform() for _ in range(k)]


def test_unit_action_on_a_target_is_logged_and_changes_nothing():
    cfg = sim.scenario("classroom")
    m = MarketModel(cfg, 5, 1.0, seed=4)
    m.apply(Contact(2, "hello"))
    m.apply(WinBack(2))                        # a target is not dormant: no response
    rec = m.rec
    assert rec.ct_customer == [2, 2] and rec.ct_campaign == ["hello", "winback"]
    assert rec.ct_cost == [cfg.contact_cost, cfg.winback_cost] and rec.ct_responded == [False, False]
    assert m.contact_mult == [1.0] * 5 and m.sat == m.pop.sat0.tolist() and rec.tx_customer == []
    # each action drew exactly one uniform of customer 2's own stream
    assert m.action_stream(1).uniform() == fresh_uniforms(4, 2, 3)[2]


@pytest.fixture(scope="module")
def ran():
    """A small market run to the end of its holdout (no strategy), and a customer still alive at the end."""
    m = MarketModel(sim.scenario("classroom"), 300, 1.0, seed=2).run()
    alive = [i for i in range(m.n) if m.phase[i] == ALIVE and not m.busy[i] and i not in m.action_streams]
    return m, alive


def test_unit_contact_on_a_live_customer(ran):
    m, alive = ran
    cfg, i = m.cfg, alive[0]
    sat, orders = m.sat[i], len(m.rec.tx_customer)
    m.apply(Contact(i + 1, "care"))
    u = fresh_uniforms(m.seed, i + 1, 1)[0]
    responded = u < cfg.contact_response
    assert m.contact_mult[i] == cfg.contact_dropout_multiplier
    assert m.sat[i] == pytest.approx(min(1.0, sat + cfg.contact_satisfaction))
    assert m.rec.ct_responded[-1] == responded and m.rec.ct_cost[-1] == cfg.contact_cost
    assert len(m.rec.tx_customer) == orders + responded          # a response is an order now


def test_unit_manager_and_discount_on_live_customers(ran):
    m, alive = ran
    cfg, i, j = m.cfg, alive[1], alive[2]
    orders = len(m.rec.tx_customer)
    m.apply(AssignManager(i + 1))
    assert m.manager_mult[i] == cfg.manager_dropout_multiplier
    assert m.rec.ct_campaign[-1] == "account_manager" and m.rec.ct_responded[-1] is True
    assert len(m.rec.tx_customer) == orders                       # a manager brings no order of its own
    m.apply(Discount(j + 1, 25))
    assert m.discount_pct[j] == 25.0 and m.discount_until[j] == pytest.approx(m.env.now + cfg.discount_days)
    assert m.rec.ct_campaign[-1] == "discount_25%"
    assert m.rec.ct_responded[-1] == (fresh_uniforms(m.seed, j + 1, 1)[0] < cfg.contact_response)


def test_unit_textbook_customer_who_left_never_comes_back():
    m = TextbookModel(sim.scenario("textbook"), 50, 1.0, seed=1)
    m.phase[3] = GONE
    assert not m.can_come_back(3) and m.can_come_back(4)
    assert MarketModel(sim.scenario("classroom"), 5, 1.0, seed=1).can_come_back(3)
    with pytest.raises(NotImplementedError, match="cannot come back"):
        m.come_back(3)


class Gift(Action):
    """A new kind of action: a small gift, logged at cost 2.5, with no effect on the customer."""

    def apply(self, model, i):
        model.respond(i, "gift", 2.5, False)


class NoApply(Action):
    """An action that forgot to say what it does."""


class Once(Strategy):
    name = "once"

    def __init__(self, make):
        self.make, self.done = make, False

    def decide(self, today, log):
        if self.done:
            return []
        self.done = True
        return [self.make(c) for c in (1, 2, 3)]


def test_functional_a_new_action_applies_itself():
    log = sim.simulate("classroom", customers=200, years=1, seed=1, strategy=Once(Gift))
    gifts = log.contacts[log.contacts["campaign"] == "gift"]
    assert gifts["customer_id"].tolist() == [1, 2, 3] and gifts["cost"].tolist() == [2.5] * 3
    assert not gifts["responded"].any()
    assert (gifts["date"] == pd.Timestamp(log.config.start) + pd.Timedelta(days=7)).all()


def test_functional_an_action_without_apply_is_named():
    with pytest.raises(TypeError, match=r"unknown action NoApply\(customer_id=1\)"):
        sim.simulate("classroom", customers=200, years=1, seed=1, strategy=Once(NoApply))


def test_unit_population_does_not_depend_on_its_size():
    cfg = sim.scenario("classroom")
    small, big = MarketModel(cfg, 30, 1.0, seed=9).pop, MarketModel(cfg, 60, 1.0, seed=9).pop
    for name in ("lam_week", "nu", "frailty", "sat0", "reach_time", "u_convert", "t_close", "start_time"):
        assert np.array_equal(getattr(small, name), getattr(big, name)[:30]), name
    assert not math.isnan(small.lam_week.mean())
