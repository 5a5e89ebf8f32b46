"""The market: a SimPy model with one process per person.

Read :meth:`Market.person` and :meth:`Market.lifetime` first — they tell the
story of one person:

1. a **target** is reached by a paid channel (:meth:`Market.paid_channels`)
   or referred by a satisfied friend, and becomes a **prospect** — their own
   process starts here;
2. the prospect becomes an **opportunity**, or is lost to a competitor;
3. the opportunity closes — a **customer** with a first order — or is lost;
4. the customer buys, opens service tickets (waiting for an agent of the call
   centre, a ``simpy.Resource``), answers surveys, refers friends, and may
   really leave at any moment (a dropout hazard driven by satisfaction and
   switching cost). The process ends when the customer leaves; a win-back
   offer that works starts a new one (:meth:`Market.comeback`);
5. the firm cannot see who has left: a customer silent for
   ``dormant_after_days`` is labelled **dormant**, after ``lost_after_days``
   **lost**. These labels follow from the order dates alone, so they are not
   simulated as events: :meth:`Market.label` computes one when a strategy asks,
   and :func:`sim.eventlog.silence_changes` writes them into the ``stages``
   table at the end.

Everything a customer does next is one draw of competing exponential clocks:
with purchase rate λ, dropout hazard h, ticket rate τ, survey rate σ and
referral rate ρ (per day), the time to the next event is Exponential(λ+h+τ+σ+ρ)
and the event is a purchase with probability λ/(λ+h+τ+σ+ρ), and so on. The
clocks are memoryless, so redrawing them after a change (a contact, a
discount, a yearly fee) is exact.

Dropout hazard per day::

    h = dropout_per_year / 365 · frailty · exp(β (s_ref − s) − switching_cost) · multipliers

with frailty ~ Gamma(k, 1/k) (mean 1; heterogeneous churn), s the customer's
satisfaction in [0, 1], β = ``satisfaction_effect``, and multipliers from
strategy actions (contact, account manager).

Satisfaction moves with service: a complaint costs ``complaint_hit``, its
resolution gives back ``resolution_boost``, an answered question gives
``question_boost``, and every hour waited for an agent costs
``wait_penalty_per_hour``; care contacts, discounts and account managers raise it.
A satisfied customer (s ≥ ``satisfied_above``) refers friends; a customer who
leaves unhappy (s < ``dissatisfied_below``) warns ``dissatisfied_reach``
targets, whose conversion is then multiplied by ``deterred_conversion_multiplier``.

The ``textbook`` scenario replaces steps 1–4 with the exact BG/NBD process
(:meth:`Market.bgnbd_customer`); each customer's orders and dropout are drawn
before the run as arrays (:mod:`sim.textbook_life`), and the customer's process
lives them — all at once, or one order per SimPy event when a strategy watches.

Times inside SimPy are days since ``config.start``.
"""
from __future__ import annotations

import gc
import math
from bisect import bisect_right

import numpy as np
import pandas as pd
import simpy

from . import streams
from .call_centre import CallCentre
from .eventlog import STAGES, Recorder, to_dates
from .profiles import sample_profiles
from .streams import CustomerStream, FirstBlocks
from .textbook_life import draw_lives

__all__ = ["Market", "DAYS_PER_YEAR"]

DAYS_PER_YEAR = 365.0
TARGET, PROSPECT, OPPORTUNITY, CUSTOMER, DORMANT, LOST = range(len(STAGES))
# phases of a person's process (what the firm cannot see)
WAITING, FUNNEL, ALIVE, GONE = range(4)
EPS = 1e-9


class Market:
    """One simulated market: config, population, clock, call centre, log.

    Parameters
    ----------
    cfg : Scenario
    n : int
        People in the market (customer ids 1..n).
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
        agents = max(1, math.ceil(cfg.agents * n / cfg.customers))
        self.agents = agents
        self.cc = CallCentre(self.env, agents)
        self._draw_population()
        # state per person (index = customer_id - 1), Python lists for speed
        self.stage_code = bytearray(n)                      # index into STAGES; 0 = target
        self.phase = [WAITING] * n
        self.busy = [False] * n
        self.sat = self.sat0.tolist()
        self.last_buy = [math.nan] * n
        self.acquired_at = [math.inf] * n
        self.channel_of = [-1] * n
        self.referred_by = [0] * n
        self.deterred = [False] * n
        self.churn_time = [math.nan] * n
        self.winbacks = [0] * n
        self.contact_mult = [1.0] * n
        self.manager_mult = [1.0] * n
        self.discount_until = [-math.inf] * n
        self.discount_pct = [0.0] * n
        self.action_streams: dict[int, CustomerStream] = {}
        self.life_streams: dict[int, CustomerStream] = {}
        self.told = 0            # people a dissatisfied leaver told
        self.newly_deterred = 0  # of which not deterred before
        self.dissatisfied_leavers = 0
        self.pool = list(range(n))            # targets not yet reached, for referrals
        self.pool_pos = list(range(n))
        self.procs: list = [None] * n

    # ------------------------------------------------------------------ setup
    def _draw_population(self):
        """Every latent draw of every person, vectorised, from the seed."""
        cfg, n = self.cfg, self.n

        def t(part):                                   # one generator per latent quantity
            return streams.population_rng(self.seed, streams.TRAITS, part)

        self.lam_week = t(1).gamma(cfg.r, 1.0 / cfg.alpha, n)          # λ per week
        self.nu = t(2).gamma(cfg.q, 1.0 / cfg.v, n)                    # spend rate ν
        self.p_dropout = t(3).beta(cfg.a, cfg.b, n)                    # textbook dropout per repeat order
        self.margin = t(4).beta(cfg.margin_a, cfg.margin_b, n)
        self.serve_cost = t(5).gamma(2.0, cfg.serve_cost_per_order / 2.0, n)
        self.frailty = t(6).gamma(cfg.frailty_shape, 1.0 / cfg.frailty_shape, n)
        self.switching = t(7).exponential(cfg.switching_cost_mean, n) if cfg.switching_cost_mean > 0 else np.zeros(n)
        self.sat0 = t(8).beta(cfg.satisfaction_a, cfg.satisfaction_b, n)
        self.lam_day = (self.lam_week / 7.0).tolist()
        self.base_hazard = (cfg.dropout_per_year / DAYS_PER_YEAR * self.frailty * np.exp(-self.switching)).tolist()
        def f(part):
            return streams.population_rng(self.seed, streams.FUNNEL, part)

        k = len(cfg.channels)
        shares = np.array([c.share for c in cfg.channels])
        self.channel_draw = np.minimum(np.searchsorted(np.cumsum(shares), f(1).random(n), side="right"), k - 1)
        if cfg.reach_per_year > 0:
            self.reach_time = f(2).exponential(DAYS_PER_YEAR / cfg.reach_per_year, n)
        else:
            self.reach_time = np.full(n, math.inf)
        self.u_convert = f(3).random(n)
        self.u_close = f(4).random(n)
        self.t_opportunity = f(5).exponential(cfg.days_to_opportunity, n)
        self.t_close = f(6).exponential(cfg.days_to_close, n)
        self.start_time = f(7).random(n) * cfg.acquisition_spread_days        # textbook
        self.cum_weights = np.cumsum(cfg.category_weights).tolist()
        if cfg.kind == "textbook":                   # every order and dropout, drawn ahead (textbook_life)
            life = self.lives = draw_lives(self.seed, self.lam_week / 7.0, self.p_dropout, self.nu, cfg.p,
                                           self.start_time, self.end, self.cum_weights)
            # the columns of the transactions table, one row per order, as Python lists
            # (order_customer, order_time, …); customer index i's orders are rows
            # order_rows[i]:order_rows[i + 1]
            self.order_customer = (life.customer + 1).tolist()
            self.order_time = life.time.tolist()
            self.order_spend = life.spend.tolist()
            self.order_cost = (life.spend * (1.0 - self.margin[life.customer])
                               + self.serve_cost[life.customer]).tolist()
            self.order_category = life.category.tolist()
            self.order_rows = life.offsets.tolist()
            self.churn_list = life.churn.tolist()
            self.direct_channel = len(cfg.channels) + 1      # channel "direct"
        else:
            self.life = FirstBlocks(self.seed, streams.LIFE, n, gamma_shape=cfg.p)
        # per-event lookups are faster on Python lists than on NumPy arrays
        self.nu_list = self.nu.tolist()
        self.margin_list = self.margin.tolist()
        self.serve_list = self.serve_cost.tolist()
        self.p_list = self.p_dropout.tolist()
        self.profiles = sample_profiles(n, self.seed, locale=cfg.locale, start=cfg.start, kind=cfg.profile_kind)

    # ------------------------------------------------------------------ run
    def run(self):
        """Start the market (or the textbook arrivals) and run to the holdout end."""
        env = self.env
        if self.cfg.kind == "textbook":
            env.process(self.textbook_arrivals())
        else:
            env.process(self.paid_channels())
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

    # ------------------------------------------------------------------ logging helpers
    def change(self, i: int, to: int) -> None:
        """Log a stage change of person ``i`` now."""
        rec = self.rec
        rec.st_customer.append(i + 1)
        rec.st_time.append(self.env.now)
        rec.st_from.append(self.stage_code[i])
        rec.st_to.append(to)
        self.stage_code[i] = to

    def contact(self, i: int, campaign: str, cost: float, responded: bool) -> None:
        rec = self.rec
        rec.ct_customer.append(i + 1)
        rec.ct_time.append(self.env.now)
        rec.ct_campaign.append(campaign)
        rec.ct_cost.append(cost)
        rec.ct_responded.append(responded)

    def buy(self, i: int, s: CustomerStream, now: float) -> None:
        """One order at time ``now``: Gamma-Gamma spend, the customer's margin and cost to serve."""
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

    def charge_fee(self, i: int) -> None:
        rec = self.rec
        rec.tx_customer.append(i + 1)
        rec.tx_time.append(self.env.now)
        rec.tx_amount.append(self.cfg.annual_fee)
        rec.tx_cost.append(self.cfg.fee_cost)
        rec.tx_category.append(-1)

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

    def survey_answer(self, i: int, s: CustomerStream) -> tuple[int, int]:
        """Satisfaction 1–5 and NPS 0–10 read off the latent satisfaction with noise."""
        noise = self.cfg.survey_noise
        sat = self.sat[i]
        score = min(5, max(1, round(1 + 4 * (sat + noise * s.normal()))))
        nps = min(10, max(0, round(10 * (sat + noise * s.normal()))))
        return score, nps

    def move_satisfaction(self, i: int, delta: float) -> None:
        """Satisfaction is a state in [0, 1]."""
        self.sat[i] = min(1.0, max(0.0, self.sat[i] + delta))

    def unpool(self, j: int) -> None:
        """Take target ``j`` out of the referral pool (swap with the last)."""
        pos = self.pool_pos[j]
        if pos < 0:
            return
        last = self.pool.pop()
        if last != j:
            self.pool[pos] = last
            self.pool_pos[last] = pos
        self.pool_pos[j] = -1

    # ------------------------------------------------------------------ the story
    def paid_channels(self):
        """The firm's paid channels reach targets one after another.

        Each target's reach time was drawn in advance (Exponential with rate
        ``reach_per_year``); the channels work through them in time order. A
        target a friend has already referred is skipped.
        """
        env = self.env
        order = np.argsort(self.reach_time, kind="stable")
        for j, t in zip(order.tolist(), self.reach_time[order].tolist()):
            if t > self.end:
                return
            yield env.timeout(t - env.now)
            if self.pool_pos[j] >= 0:
                self.reach(j, referrer=0)

    def reach(self, j: int, referrer: int) -> None:
        """Target ``j`` hears of the firm (from a channel, or from customer ``referrer``)."""
        self.unpool(j)
        self.procs[j] = self.env.process(self.person(j, referrer))

    def person(self, i: int, referrer: int):
        """A person from prospect to customer (or lost to a competitor)."""
        cfg, env = self.cfg, self.env
        if referrer:                                         # a friend referred them
            k = len(cfg.channels)
            self.referred_by[i] = referrer
            conversion, cost = cfg.referral_conversion, None
        else:                                                # a paid channel reached them
            k = int(self.channel_draw[i])
            conversion, cost = cfg.channels[k].conversion, cfg.channels[k].cost_per_contact
        self.phase[i] = FUNNEL
        self.channel_of[i] = k
        self.change(i, PROSPECT)
        if self.deterred[i]:                                 # a dissatisfied customer warned them
            conversion *= cfg.deterred_conversion_multiplier
        converts = self.u_convert[i] < conversion
        if cost is not None:
            self.contact(i, f"acquire_{cfg.channels[k].name}", cost, bool(converts))
        yield env.timeout(self.t_opportunity[i])
        if not converts:
            self.change(i, LOST)
            return
        self.change(i, OPPORTUNITY)
        yield env.timeout(self.t_close[i])
        if self.u_close[i] >= cfg.close_rate:                # the deal goes to a competitor
            self.change(i, LOST)
            return
        yield from self.customer(i)

    def customer(self, i: int):
        """A new customer: the first order closes the deal; then their life."""
        env = self.env
        s = self.life.stream(i)
        self.life_streams[i] = s
        self.acquired_at[i] = env.now
        self.phase[i] = ALIVE
        self.change(i, CUSTOMER)
        self.buy(i, s, env.now)
        if self.cfg.annual_fee > 0:
            self.charge_fee(i)
        yield from self.lifetime(i, s)

    def comeback(self, i: int):
        """A customer who had left accepts a win-back offer: an order now, then life goes on."""
        s = self.life_streams[i]
        self.busy[i] = False
        self.phase[i] = ALIVE
        self.churn_time[i] = math.nan
        self.winbacks[i] += 1
        self.buy(i, s, self.env.now)
        if self.cfg.annual_fee > 0:
            self.charge_fee(i)
        yield from self.lifetime(i, s)

    def lifetime(self, i: int, s: CustomerStream):
        """Buy, call, answer surveys, refer friends — until the customer really leaves."""
        cfg, env = self.cfg, self.env
        next_fee = env.now + DAYS_PER_YEAR if cfg.annual_fee > 0 else math.inf
        ticket_rate = cfg.ticket_rate_per_year / DAYS_PER_YEAR
        survey_rate = cfg.survey_rate_per_year / DAYS_PER_YEAR
        referral_rate = cfg.referral_rate_per_year / DAYS_PER_YEAR
        lam = self.lam_day[i]
        sat, satisfied_above, hazard = self.sat, cfg.satisfied_above, self.hazard
        while True:
            h = hazard(i)
            refer = referral_rate if (sat[i] >= satisfied_above and self.pool) else 0.0
            total = lam + h + ticket_rate + survey_rate + refer
            dt = s.exponential() / total
            try:
                if env.now + dt > next_fee:                  # the yearly fee comes first
                    yield env.timeout(max(0.0, next_fee - env.now))
                    if s.uniform() < self.renewal_dropout(i):
                        self.leave(i)                        # does not renew the membership
                        return
                    self.charge_fee(i)
                    next_fee += DAYS_PER_YEAR
                    continue
                yield env.timeout(dt)
            except simpy.Interrupt:                          # an action changed the clocks: redraw
                continue
            x = s.uniform() * total
            if x < lam:
                self.buy(i, s, env.now)
            elif x < lam + h:
                self.leave(i)                                # the process ends at churn
                return
            elif x < lam + h + ticket_rate:
                yield from self.ticket(i, s)
            elif x < lam + h + ticket_rate + survey_rate:
                self.survey(i, s)
            else:
                self.refer(i, s)

    def textbook_arrivals(self):
        """Textbook customers arrive at their start times (in id order on a tie); each gets a process.

        A customer living ahead of the clock (no strategy) is done at once, so
        the arrivals wait for their process before starting the next one; a
        stepwise customer lives on beside the others (a zero timeout lets their
        process start first). Either way SimPy's queue of events stays short
        instead of holding one start event per customer.
        """
        env = self.env
        order = np.argsort(self.start_time, kind="stable")
        for i, t in zip(order.tolist(), self.start_time[order].tolist()):
            if t > self.end:
                return
            if t > env.now:
                yield env.timeout(t - env.now)
            self.procs[i] = env.process(self.bgnbd_customer(i))
            yield self.procs[i] if self.strategy is None else env.timeout(0)

    def bgnbd_customer(self, i: int):
        """The textbook customer: BG/NBD purchases and dropout (Fader, Hardie & Lee 2005).

        First order now (the start time); then orders at rate λ (Poisson); after
        each repeat order the customer leaves with probability p. The times,
        spends and the dropout were drawn before the run
        (:mod:`sim.textbook_life`: rows ``a:b`` of the ``self.order_*`` columns); here the
        customer lives them.
        """
        self.acquired_at[i] = self.env.now
        self.channel_of[i] = self.direct_channel
        self.phase[i] = ALIVE
        self.change(i, CUSTOMER)
        a, b = self.order_rows[i], self.order_rows[i + 1]
        if self.strategy is None:
            # Nobody reacts to a textbook customer's orders while the market runs,
            # so the customer lives their whole life at once (the same log as
            # step by step), without a SimPy event per order.
            self.log_orders(i, a, b)
        else:
            yield from self.bgnbd_stepwise(i, a, b)
        churn = self.churn_list[i]
        if not math.isnan(churn):                            # left right after the last order
            self.churn_time[i] = churn
            self.phase[i] = GONE

    def bgnbd_stepwise(self, i: int, a: int, b: int):
        """The same life one order at a time, so a strategy sees each order when it happens."""
        env, when = self.env, self.order_time
        for k in range(a, b):
            while env.now < when[k]:
                try:
                    yield env.timeout(when[k] - env.now)
                except simpy.Interrupt:                      # an action does not change a textbook life
                    pass
            self.log_orders(i, k, k + 1)
        if math.isnan(self.churn_list[i]):                   # still alive: wait for the end of the run
            while True:
                try:
                    yield env.timeout(self.end + 1.0 - env.now)
                except simpy.Interrupt:
                    pass

    def log_orders(self, i: int, a: int, b: int) -> None:
        """Log the textbook orders in rows ``a:b`` of the ``self.order_*`` columns.

        A discount running at the time of an order lowers its amount (not its cost).
        """
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

    # ------------------------------------------------------------------ events of a customer
    def hazard(self, i: int) -> float:
        """Dropout hazard per day (see the module docstring)."""
        cfg = self.cfg
        return (self.base_hazard[i] * math.exp(cfg.satisfaction_effect * (cfg.satisfaction_ref - self.sat[i]))
                * self.contact_mult[i] * self.manager_mult[i])

    def renewal_dropout(self, i: int) -> float:
        """P(not renewing) at an anniversary, higher when unhappy."""
        cfg = self.cfg
        return min(1.0, cfg.renewal_dropout * math.exp(cfg.satisfaction_effect * (cfg.satisfaction_ref - self.sat[i])))

    def leave(self, i: int) -> None:
        """The customer really leaves; an unhappy one warns people in the market."""
        self.phase[i] = GONE
        self.churn_time[i] = self.env.now
        if self.sat[i] < self.cfg.dissatisfied_below:
            self.deter(i)

    def deter(self, i: int) -> None:
        s = self.action_stream(i)
        reach = self.cfg.dissatisfied_reach
        k = int(reach) + (1 if s.uniform() < reach - int(reach) else 0)
        self.dissatisfied_leavers += 1
        for _ in range(k):
            if not self.pool:
                break
            j = self.pool[int(s.uniform() * len(self.pool))]
            self.told += 1
            if not self.deterred[j]:
                self.deterred[j] = True
                self.newly_deterred += 1

    def ticket(self, i: int, s: CustomerStream):
        """Call the service desk; waiting costs satisfaction, a resolved complaint wins some back."""
        cfg, env = self.cfg, self.env
        opened = env.now
        complaint = s.uniform() < min(1.0, cfg.complaint_share * 2.0 * (1.0 - self.sat[i]))
        kind = "complaint" if complaint else "question"
        if complaint:
            self.move_satisfaction(i, -cfg.complaint_hit)
        service_days = s.exponential() / (cfg.service_rate * 24.0)
        self.busy[i] = True
        wait = yield from self.cc.ticket(i + 1, kind, service_days)
        self.busy[i] = False
        boost = cfg.resolution_boost if complaint else cfg.question_boost
        self.move_satisfaction(i, boost - cfg.wait_penalty_per_hour * wait * 24.0)
        rating, _ = self.survey_answer(i, s)
        rec = self.rec
        rec.sv_customer.append(i + 1)
        rec.sv_opened.append(opened)
        rec.sv_answered.append(opened + wait)
        rec.sv_resolved.append(env.now)
        rec.sv_kind.append(kind)
        rec.sv_rating.append(rating)

    def survey(self, i: int, s: CustomerStream) -> None:
        score, nps = self.survey_answer(i, s)
        rec = self.rec
        rec.su_customer.append(i + 1)
        rec.su_time.append(self.env.now)
        rec.su_satisfaction.append(score)
        rec.su_nps.append(nps)

    def refer(self, i: int, s: CustomerStream) -> None:
        """Tell a friend (a random target not yet reached) about the firm."""
        if not self.pool:
            return
        self.reach(self.pool[int(s.uniform() * len(self.pool))], referrer=i + 1)

    # ------------------------------------------------------------------ strategies
    def action_stream(self, i: int) -> CustomerStream:
        st = self.action_streams.get(i)
        if st is None:
            st = self.action_streams[i] = CustomerStream(self.seed, streams.ACTIONS, i + 1, gamma_shape=self.cfg.p)
        return st

    def strategy_loop(self):
        """Every 7 days: show the strategy the log so far and carry out its actions."""
        from .strategies import ObservedLog

        env = self.env
        while True:
            yield env.timeout(7.0)
            today = self.start + pd.Timedelta(seconds=round(env.now * 86400))
            actions = self.strategy.decide(today, ObservedLog(self, today))
            for action in actions or ():
                self.apply(action)

    def apply(self, action) -> None:
        """Carry out one action: log its cost, draw the response, change the customer."""
        from .strategies import Action, AssignManager, Contact, Discount, WinBack

        cfg = self.cfg
        if not isinstance(action, Action):
            raise TypeError(f"unknown action {action!r}; use Contact, Discount, AssignManager or WinBack")
        cid = action.customer_id
        if isinstance(cid, bool) or not isinstance(cid, (int, np.integer)) or not 1 <= cid <= self.n:
            raise ValueError(f"{type(action).__name__}: customer_id must be an id in 1..{self.n}, got {cid!r}")
        i = int(cid) - 1
        phase = self.phase[i]
        u = self.action_stream(i).uniform()
        alive = phase == ALIVE
        responded = False
        if isinstance(action, WinBack):
            cost, campaign = cfg.winback_cost, "winback"
            # a textbook (BG/NBD) customer who has left never comes back
            if u < cfg.winback_success and self.label(i) == DORMANT and not (phase == GONE and cfg.kind == "textbook"):
                responded = True
                if phase == GONE:                            # back in the market
                    self.contact(i, campaign, cost, responded)
                    self.procs[i] = self.env.process(self.comeback(i))
                    self.phase[i] = ALIVE
                    self.busy[i] = True                      # not to be interrupted before it starts
                    return
        elif isinstance(action, Contact):
            cost, campaign = cfg.contact_cost, str(action.campaign)
            if alive:
                self.contact_mult[i] = cfg.contact_dropout_multiplier
                self.move_satisfaction(i, cfg.contact_satisfaction)
                responded = u < cfg.contact_response
        elif isinstance(action, Discount):
            pct = action.percent
            if not (isinstance(pct, (int, float)) and 0 < pct < 100):
                raise ValueError(f"Discount.percent must be in (0, 100), got {pct!r}")
            cost, campaign = cfg.discount_cost, f"discount_{pct:g}%"
            if alive:
                self.discount_until[i] = self.env.now + cfg.discount_days
                self.discount_pct[i] = float(pct)
                self.move_satisfaction(i, cfg.discount_satisfaction * pct)
                responded = u < cfg.contact_response
        elif isinstance(action, AssignManager):
            cost, campaign = cfg.manager_cost, "account_manager"
            if alive:
                self.manager_mult[i] = cfg.manager_dropout_multiplier
                self.move_satisfaction(i, cfg.manager_satisfaction)
                responded = True
        else:
            raise TypeError(f"unknown action {action!r}; use Contact, Discount, AssignManager or WinBack")
        self.contact(i, campaign, cost, responded)
        if alive and responded and not isinstance(action, AssignManager):
            self.buy(i, self.action_stream(i), self.env.now)  # the offer brings an order now
        if alive and not self.busy[i]:
            self.procs[i].interrupt("action")                # redraw the clocks with the new state

    def observed_table(self, name: str) -> pd.DataFrame:
        """A table of the log up to now, as the firm sees it."""
        now = self.env.now
        cfg, rec = self.cfg, self.rec
        if name == "customers":
            return self.customers_table(until=now)
        if name == "transactions":
            return rec.transactions(self.start, cfg.categories, cfg.fee_category, until=now)
        if name == "stages":
            return rec.stages(self.start, cfg.dormant_after_days, cfg.lost_after_days, until=now)
        return getattr(rec, name)(self.start, until=now)

    # ------------------------------------------------------------------ results
    def customers_table(self, until: float) -> pd.DataFrame:
        cfg = self.cfg
        acquired = np.asarray(self.acquired_at) <= until
        names = np.asarray([c.name for c in cfg.channels] + ["referral", "direct"], dtype=object)
        channel = np.where(acquired, names[np.asarray(self.channel_of)], None)
        referred = pd.array(np.asarray(self.referred_by), dtype="Int64")
        referred[~acquired | (np.asarray(self.referred_by) == 0)] = pd.NA
        return pd.DataFrame({
            "customer_id": np.arange(1, self.n + 1, dtype="int64"),
            "name": pd.Series(self.profiles["name"], dtype="str"),
            "gender": pd.Series(self.profiles["gender"], dtype="str"),
            "birth_date": self.profiles["birth_date"],
            "city": pd.Series(self.profiles["city"], dtype="str"),
            "acquisition_channel": pd.Series(channel, dtype="str"),
            "acquired_at": to_dates(self.start, np.where(acquired, self.acquired_at, np.nan)),
            "referred_by": referred,
        })

    def truth_table(self, tx_all: pd.DataFrame) -> pd.DataFrame:
        cfg = self.cfg
        n = self.n
        churn = np.asarray(self.churn_time, dtype=float)
        holdout = tx_all[tx_all["day"] > self.obs_end + EPS]
        ids = holdout["customer_id"].to_numpy() - 1
        purchases = np.bincount(ids, minlength=n)
        revenue = np.bincount(ids, weights=holdout["amount"].to_numpy(), minlength=n)
        profit = np.bincount(ids, weights=(holdout["amount"] - holdout["cost"]).to_numpy(), minlength=n)
        acquired = np.asarray(self.acquired_at) <= self.obs_end
        churned = np.isfinite(churn) & (churn <= self.obs_end + EPS)
        p_drop = self.p_dropout if cfg.kind == "textbook" else np.full(n, np.nan)
        hazard = (np.asarray(self.base_hazard) * DAYS_PER_YEAR if cfg.kind == "market" else np.full(n, np.nan))
        return pd.DataFrame({
            "customer_id": np.arange(1, n + 1, dtype="int64"),
            "acquired": acquired,
            "lambda": self.lam_week,
            "p_dropout": p_drop,
            "dropout_hazard_per_year": hazard,
            "frailty": self.frailty,
            "switching_cost": self.switching,
            "spend_nu": self.nu,
            "mean_spend": cfg.p / self.nu,
            "margin": self.margin,
            "cost_to_serve": self.serve_cost,
            "satisfaction_initial": self.sat0,
            "satisfaction_final": np.asarray(self.sat, dtype=float),
            "deterred": np.asarray(self.deterred, dtype=bool),
            "contact_dropout_multiplier": np.asarray(self.contact_mult, dtype=float),
            "manager_dropout_multiplier": np.asarray(self.manager_mult, dtype=float),
            "winbacks": np.asarray(self.winbacks, dtype="int64"),
            "churned": churned,
            "churn_date": to_dates(self.start, np.where(np.isfinite(churn), churn, np.nan)),
            "holdout_purchases": purchases.astype("int64"),
            "holdout_revenue": revenue,
            "holdout_profit": profit,
        })
