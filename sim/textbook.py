"""The ``textbook`` world: the exact BG/NBD process (Fader, Hardie & Lee 2005) as a SimPy model.

Read :meth:`TextbookModel.customer`: a customer arrives at their start time
with a first order, then orders at rate λ (a Poisson process); after each
repeat order they leave for good with probability p. Spends are Gamma-Gamma.
There is no funnel, no service and no word of mouth: everybody arrives
"direct" as a customer.

Nothing in this world reacts to a customer's orders, so every order and every
dropout is drawn before the run, as arrays (:mod:`sim.textbook_life`), and
each customer's process lives them — all at once when no strategy watches, or
one order per SimPy event when a strategy runs (the same numbers, so the same
log). A strategy's actions work as in the market (a contact may bring an
extra order, a discount lowers the amounts), except that a customer who has
really left never comes back.

The clock, the recorder, the people's state and the strategy loop are shared
with the market (:mod:`sim.model`).
"""
from __future__ import annotations

import math

import numpy as np
import simpy

from .model import ALIVE, CUSTOMER, GONE, Model
from .textbook_life import draw_lives

__all__ = ["TextbookModel"]


class TextbookModel(Model):
    """The BG/NBD world. Adds to :class:`sim.model.Model` every customer's orders, drawn ahead.

    The orders are the columns of the transactions table, one row per order, as
    Python lists (``order_customer``, ``order_time``, ``order_spend``,
    ``order_cost``, ``order_category``); customer index *i*'s orders are rows
    ``order_rows[i]:order_rows[i + 1]``, and ``churn_day[i]`` is the day they
    leave (NaN if they are alive at the end).
    """

    def __init__(self, cfg, n: int, years: float, seed: int, strategy=None):
        super().__init__(cfg, n, years, seed, strategy)
        pop = self.pop
        life = draw_lives(seed, pop.lam_week / 7.0, pop.p_dropout, pop.nu, cfg.p, pop.start_time, self.end,
                          self.cum_weights)
        self.order_customer = (life.customer + 1).tolist()
        self.order_time = life.time.tolist()
        self.order_spend = life.spend.tolist()
        self.order_cost = (life.spend * (1.0 - pop.margin[life.customer]) + pop.serve_cost[life.customer]).tolist()
        self.order_category = life.category.tolist()
        self.order_rows = life.offsets.tolist()
        self.churn_day = life.churn.tolist()
        self.direct_channel = len(cfg.channels) + 1          # channel "direct"

    def arrivals(self):
        """Customers arrive at their start times (in id order on a tie); each gets a process.

        A customer living ahead of the clock (no strategy) is done at once, so
        the arrivals wait for their process before starting the next one; a
        stepwise customer lives on beside the others (a zero timeout lets their
        process start first). Either way SimPy's queue of events stays short
        instead of holding one start event per customer.
        """
        env, start_time = self.env, self.pop.start_time
        order = np.argsort(start_time, kind="stable")
        for i, t in zip(order.tolist(), start_time[order].tolist()):
            if t > self.end:
                return
            if t > env.now:
                yield env.timeout(t - env.now)
            self.procs[i] = env.process(self.customer(i))
            yield self.procs[i] if self.strategy is None else env.timeout(0)

    def customer(self, i: int):
        """One BG/NBD customer: first order now, repeat orders at rate λ, leaves after one with probability p.

        The times, spends and the dropout were drawn before the run (rows
        ``a:b`` of the ``order_*`` columns); here the customer lives them.
        """
        self.acquired_at[i] = self.env.now
        self.channel_of[i] = self.direct_channel
        self.phase[i] = ALIVE
        self.log_stage(i, CUSTOMER)
        a, b = self.order_rows[i], self.order_rows[i + 1]
        if self.strategy is None:
            # Nobody reacts to a textbook customer's orders while the world runs,
            # so the customer lives their whole life at once (the same log as
            # step by step), without a SimPy event per order.
            self.log_orders(i, a, b)
        else:
            yield from self.stepwise(i, a, b)
        churn = self.churn_day[i]
        if not math.isnan(churn):                            # left right after the last order
            self.churn_time[i] = churn
            self.phase[i] = GONE

    def stepwise(self, i: int, a: int, b: int):
        """The same life one order at a time, so a strategy sees each order when it happens."""
        env, when = self.env, self.order_time
        for k in range(a, b):
            while env.now < when[k]:
                try:
                    yield env.timeout(when[k] - env.now)
                except simpy.Interrupt:                      # an action does not change a textbook life
                    pass
            self.log_orders(i, k, k + 1)
        if math.isnan(self.churn_day[i]):                    # still alive: wait for the end of the run
            while True:
                try:
                    yield env.timeout(self.end + 1.0 - env.now)
                except simpy.Interrupt:
                    pass

    def log_orders(self, i: int, a: int, b: int) -> None:
        """Log the orders in rows ``a:b``; a discount running at an order lowers its amount (not its cost)."""
        rec = self.rec
        amount = self.order_spend[a:b]
        if self.discount_until[i] > -math.inf:
            off = 1.0 - self.discount_pct[i] / 100.0
            amount = [x * off if t < self.discount_until[i] else x for x, t in zip(amount, self.order_time[a:b])]
        rec.tx_customer += self.order_customer[a:b]
        rec.tx_time += self.order_time[a:b]
        rec.tx_amount += amount
        rec.tx_cost += self.order_cost[a:b]
        rec.tx_category += self.order_category[a:b]
        self.last_buy[i] = self.order_time[b - 1]

    # ------------------------------------------------------------------ hooks for actions and tables
    def can_come_back(self, i: int) -> bool:
        """A BG/NBD customer who has left never comes back (a win-back reaches only the living)."""
        return self.phase[i] != GONE

    def dropout_truth(self) -> tuple[np.ndarray, np.ndarray]:
        """The truth table's dropout columns: (p_dropout, dropout_hazard_per_year); BG/NBD has a p."""
        return self.pop.p_dropout, np.full(self.n, np.nan)

    def measured(self, acquired, referred) -> dict:
        """Figures of this run for the data card."""
        return {"customers_acquired": int(acquired.sum())}
