"""What both simulated worlds share: the clock, the recorder, the people, the strategy.

The simulator follows the layout of SimPy's own examples and of the STARS /
DES-RAP template: a **parameter object** (:class:`sim.config.Scenario`), a
**model** whose methods are SimPy processes, and a **runner**
(:func:`sim.engine.simulate`) that runs the model and builds the tables from
what it recorded (:mod:`sim.tables`). There are two models over this base:

* :class:`sim.market.MarketModel` — the market: funnel, purchases, service,
  satisfaction, referrals and churn (read ``MarketModel.lifetime`` first);
* :class:`sim.textbook.TextbookModel` — the exact BG/NBD world of the
  ``textbook`` scenario (read ``TextbookModel.customer``).

The base holds

* the clock: ``env`` (a ``simpy.Environment`` counting days since
  ``config.start``), ``obs_end`` (end of the observation period) and ``end``
  (end of the holdout period, where the run stops);
* ``rec``, the :class:`sim.eventlog.Recorder` every event is written to;
* ``pop``, the :class:`sim.population.Population` drawn before the run;
* the state of every person — Python lists indexed by ``i = customer_id − 1``
  (faster than NumPy arrays for one element at a time): their stage as the
  firm logs it, their true phase, satisfaction, last order, acquisition, true
  churn and the effects of strategy actions;
* the weekly strategy loop: every 7 days the strategy sees the log so far
  (:class:`sim.strategies.ObservedLog`) and each action it returns applies
  itself (``action.apply(model, i)``, see :mod:`sim.strategies`).

A model class adds ``arrivals()``, the process that brings people into the
world, and the processes of one person's life.
"""
from __future__ import annotations

import gc
import math
import numbers
from bisect import bisect_right

import numpy as np
import pandas as pd
import simpy

from . import streams
from .eventlog import STAGES, Recorder
from .population import DAYS_PER_YEAR, draw_population
from .streams import CustomerStream
from .strategies import Action, ObservedLog

__all__ = ["Model", "DAYS_PER_YEAR", "TARGET", "PROSPECT", "OPPORTUNITY", "CUSTOMER", "DORMANT", "LOST",
           "WAITING", "FUNNEL", "ALIVE", "GONE", "EPS"]

TARGET, PROSPECT, OPPORTUNITY, CUSTOMER, DORMANT, LOST = range(len(STAGES))   # indices into STAGES
WAITING, FUNNEL, ALIVE, GONE = range(4)   # a person's true phase (what the firm cannot see)
EPS = 1e-9


class Model:
    """The shared base of a simulated world (see the module docstring).

    Parameters
    ----------
    cfg : Scenario
    n : int
        People in the world (customer ids 1..n).
    years : float
        Observation period; the run continues ``cfg.holdout_years`` further.
    seed : int
    strategy : Strategy or None
        Called every 7 days with the observed log.
    """

    def __init__(self, cfg, n: int, years: float, seed: int, strategy=None):
        self.cfg, self.n, self.seed, self.strategy = cfg, n, seed, strategy
        self.env = simpy.Environment()
        self.rec = Recorder()
        self.start = pd.Timestamp(cfg.start)
        self.obs_end = years * DAYS_PER_YEAR
        self.end = self.obs_end + cfg.holdout_years * DAYS_PER_YEAR
        self.pop = pop = draw_population(cfg, n, seed)
        # per-order lookups are faster on Python lists than on NumPy arrays
        self.nu_list = pop.nu.tolist()
        self.margin_list = pop.margin.tolist()
        self.serve_list = pop.serve_cost.tolist()
        self.cum_weights = np.cumsum(cfg.category_weights).tolist()
        # the state of every person (index = customer_id - 1)
        self.stage_code = bytearray(n)                 # index into STAGES, as the firm logs it; 0 = target
        self.phase = [WAITING] * n                     # WAITING, FUNNEL, ALIVE or GONE (the truth)
        self.busy = [False] * n                        # on the phone: an action must not interrupt
        self.sat = pop.sat0.tolist()                   # satisfaction in [0, 1]
        self.last_buy = [math.nan] * n                 # day of the last order
        self.acquired_at = [math.inf] * n              # day of the first order
        self.channel_of = [-1] * n                     # index into channels + ["referral", "direct"]
        self.referred_by = [0] * n                     # customer id of the friend (0: none)
        self.deterred = [False] * n                    # warned by a dissatisfied customer
        self.churn_time = [math.nan] * n               # day the customer really left
        self.winbacks = [0] * n                        # times a win-back offer revived them
        self.contact_mult = [1.0] * n                  # dropout multipliers set by actions
        self.manager_mult = [1.0] * n
        self.discount_until = [-math.inf] * n          # a discount runs until this day
        self.discount_pct = [0.0] * n
        self.discount_lift = [1.0] * n                 # purchase rate × this while a discount runs (market)
        self.procs: list = [None] * n                  # each person's SimPy process
        self.action_streams: dict[int, CustomerStream] = {}

    # ------------------------------------------------------------------ run
    def arrivals(self):
        """The SimPy process that brings people into the world (defined by each model)."""
        raise NotImplementedError

    def run(self):
        """Start the arrivals (and the strategy) and run to the holdout end."""
        env = self.env
        env.process(self.arrivals())
        if self.strategy is not None:
            env.process(self.strategy_loop())
        # The run makes millions of short-lived objects but almost no reference
        # cycles; pausing the cyclic garbage collector saves ~15% of the time.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            env.run(until=self.end + EPS)
        finally:
            if was_enabled:
                gc.enable()
        return self

    # ------------------------------------------------------------------ what is logged
    def log_stage(self, i: int, to: int) -> None:
        """Log a stage change of person ``i`` now."""
        rec = self.rec
        rec.st_customer.append(i + 1)
        rec.st_time.append(self.env.now)
        rec.st_from.append(self.stage_code[i])
        rec.st_to.append(to)
        self.stage_code[i] = to

    def log_contact(self, i: int, campaign: str, cost: float, responded: bool) -> None:
        """Log a contact with person ``i`` now (acquisition or an action), with its cost."""
        rec = self.rec
        rec.ct_customer.append(i + 1)
        rec.ct_time.append(self.env.now)
        rec.ct_campaign.append(campaign)
        rec.ct_cost.append(cost)
        rec.ct_responded.append(responded)

    def buy(self, i: int, s: CustomerStream, now: float) -> None:
        """One order at time ``now``: Gamma-Gamma spend, the customer's margin and cost to serve.

        spend = G / ν with G ~ Gamma(p, 1) from stream ``s``; a running discount
        lowers the amount (not the cost); cost = spend · (1 − margin) + cost to serve.
        """
        gross = s.gamma() / self.nu_list[i]
        amount = gross
        if now < self.discount_until[i]:
            amount = gross * (1.0 - self.discount_pct[i] / 100.0)
        cat = 0
        if len(self.cum_weights) > 1:                       # category: first cumulative weight above u
            cat = bisect_right(self.cum_weights, s.uniform())
        rec = self.rec
        rec.tx_customer.append(i + 1)
        rec.tx_time.append(now)
        rec.tx_amount.append(amount)
        rec.tx_cost.append(gross * (1.0 - self.margin_list[i]) + self.serve_list[i])
        rec.tx_category.append(min(cat, len(self.cum_weights) - 1))
        self.last_buy[i] = now

    def move_satisfaction(self, i: int, delta: float) -> None:
        """Satisfaction is a state in [0, 1]."""
        self.sat[i] = min(1.0, max(0.0, self.sat[i] + delta))

    # ------------------------------------------------------------------ what the firm sees
    def label(self, i: int) -> int:
        """The firm's label of person ``i`` now: a customer silent for
        ``dormant_after_days`` is dormant, for ``lost_after_days`` lost."""
        code = self.stage_code[i]
        if code != CUSTOMER:
            return code
        silence = self.env.now - self.last_buy[i]
        if silence > self.cfg.lost_after_days:
            return LOST
        if silence > self.cfg.dormant_after_days:
            return DORMANT
        return CUSTOMER

    def current_labels(self) -> np.ndarray:
        """Every person's stage now (codes into STAGES), as the firm labels them."""
        codes = np.frombuffer(bytes(self.stage_code), dtype=np.uint8).copy()
        silence = self.env.now - np.asarray(self.last_buy, dtype=float)
        is_customer = codes == CUSTOMER
        codes[is_customer & (silence > self.cfg.dormant_after_days)] = DORMANT
        codes[is_customer & (silence > self.cfg.lost_after_days)] = LOST
        return codes

    # ------------------------------------------------------------------ strategies
    def strategy_loop(self):
        """Every 7 days: show the strategy the log so far and carry out its actions."""
        env = self.env
        while True:
            yield env.timeout(7.0)
            today = self.start + pd.Timedelta(seconds=round(env.now * 86400))
            actions = self.strategy.decide(today, ObservedLog(self, today))
            for action in actions or ():
                self.apply(action)

    def apply(self, action) -> None:
        """Check an action and let it apply itself to its customer (see :mod:`sim.strategies`)."""
        if not isinstance(action, Action):
            raise TypeError(f"unknown action {action!r}; use Contact, Discount, AssignManager or WinBack")
        cid = action.customer_id
        if isinstance(cid, bool) or not isinstance(cid, numbers.Integral) or not 1 <= cid <= self.n:
            raise ValueError(f"{type(action).__name__}: customer_id must be an id in 1..{self.n}, got {cid!r}")
        action.apply(self, int(cid) - 1)

    # what an action may ask of the model
    def action_stream(self, i: int) -> CustomerStream:
        """Person ``i``'s random numbers for responses to actions (their own stream)."""
        st = self.action_streams.get(i)
        if st is None:
            st = self.action_streams[i] = CustomerStream(self.seed, streams.ACTIONS, i + 1, gamma_shape=self.cfg.p)
        return st

    def alive(self, i: int) -> bool:
        """Whether person ``i`` is a customer who has not really left."""
        return self.phase[i] == ALIVE

    def dormant(self, i: int) -> bool:
        """Whether the firm labels person ``i`` dormant now."""
        return self.label(i) == DORMANT

    def gone(self, i: int) -> bool:
        """Whether person ``i`` was a customer and has really left."""
        return self.phase[i] == GONE

    def can_come_back(self, i: int) -> bool:
        """Whether a win-back offer can reach person ``i`` (in the market anybody can be won back)."""
        return True

    def come_back(self, i: int) -> None:
        """Person ``i``, who had left, accepts a win-back offer (a model that allows it defines this)."""
        raise NotImplementedError(f"{type(self).__name__}: a customer who has left cannot come back")

    def respond(self, i: int, campaign: str, cost: float, responded: bool, orders: bool = True) -> None:
        """Log an action's contact; a live customer who responds orders now (if the offer brings
        an order) and redraws their clocks with the new state."""
        self.log_contact(i, campaign, cost, responded)
        if self.phase[i] == ALIVE:
            if responded and orders:
                self.buy(i, self.action_stream(i), self.env.now)   # the offer brings an order now
            if not self.busy[i]:
                self.procs[i].interrupt("action")                 # redraw the clocks with the new state

    # ------------------------------------------------------------------ for the tables (sim.tables)
    def dropout_truth(self) -> tuple[np.ndarray, np.ndarray]:
        """The truth table's ``(p_dropout, dropout_hazard_per_year)`` columns (defined by each model)."""
        raise NotImplementedError

    def measured(self, acquired, referred) -> dict:
        """Figures of the run for the data card, given the customers table's acquired and referred masks."""
        raise NotImplementedError
