"""Unit tests of sim.textbook_life: a textbook customer's whole life drawn ahead as arrays."""

import numpy as np
import pandas as pd
import pytest

import sim
import sim.textbook_life as tl


def lives(n, lam_day, p, end, seed=1, start=None, nu=1.0, cum_weights=(1.0,)):
    return tl.draw_lives(seed, np.full(n, lam_day), np.full(n, p), np.full(n, nu), 6.0,
                         np.zeros(n) if start is None else start, end, cum_weights)


def test_unit_repeat_orders_hand_worked():
    # λ = 0.5/day from t0 = 2: gaps 1 and 3 -> orders at 2 + 1/0.5 = 4 and 4 + 3/0.5 = 10;
    # the end is day 9, so only the first happens; its coin 0.3 >= p = 0.2: no dropout,
    # and the second order is past the end: the life is over within the block
    t, happens, leaves, done = tl.repeat_orders(np.array([2.0]), np.array([0.5]), np.array([0.2]),
                                                np.array([[1.0, 3.0]]), np.array([[0.3, 0.1]]), end=9.0)
    assert t.tolist() == [[4.0, 10.0]]
    assert happens.tolist() == [[True, False]] and leaves.tolist() == [[False, False]]
    assert done.tolist() == [True]


def test_unit_life_of_customer_i_does_not_depend_on_population_or_chunks(monkeypatch):
    big = lives(300, 0.2, 0.05, 400.0)
    monkeypatch.setattr(tl, "CHUNK", 7)              # other slices of the population matrices
    small = lives(40, 0.2, 0.05, 400.0)
    k = int(big.offsets[40])
    assert small.offsets.tolist() == big.offsets[:41].tolist()
    for col in ("customer", "time", "spend", "category"):
        assert np.array_equal(getattr(small, col), getattr(big, col)[:k])
    assert np.array_equal(small.churn, big.churn[:40], equal_nan=True)


def test_unit_long_lives_continue_as_a_poisson_process():
    # p = 0 and λ = 1/day over 100 days: 1 first order + Poisson(100) repeat orders, far more
    # than the FIRST = 16 of the population matrix and the BLOCK = 64 of the customer's own
    # generator, so two continuation blocks are used. Mean of 300 customers: 101, s.e. 10/√300 = 0.58.
    life = lives(300, 1.0, 0.0, 100.0)
    counts = np.diff(life.offsets)
    assert counts.mean() == pytest.approx(101.0, abs=4 * 0.58)
    assert np.isnan(life.churn).all()
    t = life.time
    same = life.customer[1:] == life.customer[:-1]
    assert np.all(np.diff(t)[same] > 0) and t.max() <= 100.0
    # gaps Exp(1): mean 1, s.e. about 1/√30,000
    assert np.diff(t)[same].mean() == pytest.approx(1.0, abs=0.03)


def test_unit_dropout_after_a_geometric_number_of_repeat_orders():
    # nothing ends the life but the coin: repeat orders until leaving ~ Geometric(p = 0.25),
    # mean 1/p = 4, s.d. √(1−p)/p = 3.46; 2,000 customers: s.e. 0.077
    life = lives(2000, 1.0, 0.25, 1e9)
    repeats = np.diff(life.offsets) - 1
    assert repeats.mean() == pytest.approx(4.0, abs=4 * 0.077)
    last = life.time[life.offsets[1:] - 1]
    assert np.array_equal(life.churn, last)          # everybody leaves right after their last order


def test_functional_textbook_discount_lowers_amounts_stepwise():
    """A strategy runs the textbook customers step by step; a discount lowers the amounts
    of their orders in the discount window (costs unchanged) and nothing else changes."""

    class HalfPriceForAll(sim.strategies.Strategy):
        name = "half price"

        def __init__(self, ids):
            self.ids, self.done = ids, False

        def decide(self, today, log):
            if self.done:
                return []
            self.done = True
            return [sim.strategies.Discount(i, 50.0) for i in self.ids]

    cfg = sim.scenario("textbook", contact_response=0.0)     # no extra order from the offer
    base = sim.simulate(cfg, customers=200, years=1, seed=5)
    ids = list(range(1, 201))
    disc = sim.simulate(cfg, customers=200, years=1, seed=5, strategy=HalfPriceForAll(ids))
    a, b = base.transactions, disc.transactions
    assert len(a) == len(b) and a["date"].equals(b["date"]) and a["cost"].equals(b["cost"])
    start = pd.Timestamp(cfg.start)
    window = (a["date"] > start + pd.Timedelta(days=7)) & (a["date"] < start + pd.Timedelta(days=7 + cfg.discount_days))
    assert window.sum() > 0 and (~window).sum() > 0
    assert np.allclose(b.loc[window, "amount"], 0.5 * a.loc[window, "amount"])
    assert np.array_equal(b.loc[~window, "amount"], a.loc[~window, "amount"])


def test_functional_textbook_win_back_never_revives_a_customer_who_left():
    """In the textbook (BG/NBD) world a customer who left is gone for good: win-backs are
    logged with their cost, but none of a truly churned customer's is 'responded', and
    the orders are the same as without the strategy."""
    cfg = sim.scenario("textbook", winback_success=1.0)
    base = sim.simulate(cfg, customers=400, years=2, seed=2)
    log = sim.simulate(cfg, customers=400, years=2, seed=2, strategy=sim.strategies.WinBackDormant())
    wb = log.contacts[log.contacts["campaign"] == "winback"]
    churn = log.truth.set_index("customer_id")["churn_date"]
    gone = wb["date"].to_numpy() > churn.reindex(wb["customer_id"]).to_numpy()
    assert gone.sum() > 0 and not wb.loc[gone, "responded"].any()
    assert (wb["cost"] == cfg.winback_cost).all()
    # the win-backs to still-alive dormant customers bring an order each (winback_success = 1)
    assert len(log.transactions) == len(base.transactions) + int(wb.loc[~gone, "responded"].sum())
