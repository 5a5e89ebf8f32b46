"""The market: a SimPy model with one process per person.

Read :meth:`MarketModel.person` and :meth:`MarketModel.lifetime` first — they
tell the story of one person:

1. a **target** is reached by a paid channel (:meth:`MarketModel.arrivals`)
   or referred by a satisfied friend, and becomes a **prospect** — their own
   process starts here;
2. the prospect becomes an **opportunity**, or is lost to a competitor;
3. the opportunity closes — a **customer** with a first order — or is lost;
4. the customer buys, opens service tickets (waiting for an agent of the call
   centre, a ``simpy.Resource``), answers surveys, refers friends, and may
   really leave at any moment (a dropout hazard driven by satisfaction and
   switching cost). The process ends when the customer leaves; a win-back
   offer that works starts a new one (:meth:`MarketModel.comeback`);
5. the firm cannot see who has left: a customer silent for
   ``dormant_after_days`` is labelled **dormant**, after ``lost_after_days``
   **lost**. These labels follow from the order dates alone, so they are not
   simulated as events: :meth:`sim.model.Model.label` computes one when a
   strategy asks, and :func:`sim.eventlog.silence_changes` writes them into
   the ``stages`` table at the end.

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
strategy actions (contact, account manager). While a discount runs, the
purchase rate is λ · (1 + elasticity · percent / 100) (see ``sim.strategies.Discount``);
when it runs out the clocks are redrawn at the old rate.

Satisfaction moves with service: a complaint costs ``complaint_hit``, its
resolution gives back ``resolution_boost``, an answered question gives
``question_boost``, and every hour waited for an agent costs
``wait_penalty_per_hour``; care contacts, discounts and account managers raise it.
A satisfied customer (s ≥ ``satisfied_above``) refers friends; a customer who
leaves unhappy (s < ``dissatisfied_below``) warns ``dissatisfied_reach``
targets, whose conversion is then multiplied by ``deterred_conversion_multiplier``.

The clock, the recorder, the people's state and the strategy loop are shared
with the ``textbook`` world (:mod:`sim.model`); times inside SimPy are days
since ``config.start``.
"""
from __future__ import annotations

import math

import numpy as np
import simpy

from . import streams
from .call_centre import CallCentre
from .model import ALIVE, CUSTOMER, DAYS_PER_YEAR, EPS, FUNNEL, GONE, LOST, OPPORTUNITY, PROSPECT, Model
from .streams import CustomerStream, FirstBlocks

__all__ = ["MarketModel"]


class MarketModel(Model):
    """The market world: funnel, orders, service, satisfaction, word of mouth, churn.

    Adds to :class:`sim.model.Model` the call centre (``cc``, with ``agents``
    scaled to the market size), each customer's life stream (``life``), the
    referral pool (targets not yet reached) and the word-of-mouth counters
    written into the data card.
    """

    def __init__(self, cfg, n: int, years: float, seed: int, strategy=None):
        super().__init__(cfg, n, years, seed, strategy)
        pop = self.pop
        self.agents = max(1, math.ceil(cfg.agents * n / cfg.customers))
        self.cc = CallCentre(self.env, self.agents)
        self.lam_day = (pop.lam_week / 7.0).tolist()
        self.base_hazard = (cfg.dropout_per_year / DAYS_PER_YEAR * pop.frailty * np.exp(-pop.switching)).tolist()
        self.life = FirstBlocks(seed, streams.LIFE, n, gamma_shape=cfg.p)
        self.life_streams: dict[int, CustomerStream] = {}
        self.pool = list(range(n))            # targets not yet reached, for referrals
        self.pool_pos = list(range(n))        # where each target sits in the pool (-1: reached)
        self.told = 0                         # people a dissatisfied leaver told
        self.newly_deterred = 0               # of which not deterred before
        self.dissatisfied_leavers = 0

    # ------------------------------------------------------------------ the story
    def arrivals(self):
        """The firm's paid channels reach targets one after another.

        Each target's reach time was drawn in advance (Exponential with rate
        ``reach_per_year``); the channels work through them in time order. A
        target a friend has already referred is skipped.
        """
        env, reach_time = self.env, self.pop.reach_time
        order = np.argsort(reach_time, kind="stable")
        for j, t in zip(order.tolist(), reach_time[order].tolist()):
            if t > self.end:
                return
            yield env.timeout(t - env.now)
            if self.pool_pos[j] >= 0:
                self.reach(j, referrer=0)

    def reach(self, j: int, referrer: int) -> None:
        """Target ``j`` hears of the firm (from a channel, or from customer ``referrer``): their process starts."""
        self.unpool(j)
        self.procs[j] = self.env.process(self.person(j, referrer))

    def person(self, i: int, referrer: int):
        """A person from prospect to customer (or lost to a competitor), then their life."""
        cfg, env, pop = self.cfg, self.env, self.pop
        if referrer:                                         # a friend referred them
            k = len(cfg.channels)
            self.referred_by[i] = referrer
            conversion, cost = cfg.referral_conversion, None
        else:                                                # a paid channel reached them
            k = int(pop.channel[i])
            conversion, cost = cfg.channels[k].conversion, cfg.channels[k].cost_per_contact
        self.phase[i] = FUNNEL
        self.channel_of[i] = k
        self.log_stage(i, PROSPECT)
        if self.deterred[i]:                                 # a dissatisfied customer warned them
            conversion *= cfg.deterred_conversion_multiplier
        converts = pop.u_convert[i] < conversion
        if cost is not None:
            self.log_contact(i, f"acquire_{cfg.channels[k].name}", cost, bool(converts))
        yield env.timeout(pop.t_opportunity[i])
        if not converts:
            self.log_stage(i, LOST)
            return
        self.log_stage(i, OPPORTUNITY)
        yield env.timeout(pop.t_close[i])
        if pop.u_close[i] >= cfg.close_rate:                 # the deal goes to a competitor
            self.log_stage(i, LOST)
            return
        s = self.life_streams[i] = self.life.stream(i)       # a customer: the first order closes the deal
        self.acquired_at[i] = env.now
        self.phase[i] = ALIVE
        self.log_stage(i, CUSTOMER)
        self.buy(i, s, env.now)
        if cfg.annual_fee > 0:
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
        sat, satisfied_above, hazard = self.sat, cfg.satisfied_above, self.hazard
        while True:
            lam, offer_ends = self.lam_day[i], self.discount_until[i]
            if offer_ends - env.now > EPS:                   # a running discount lifts the purchase rate
                lam *= self.discount_lift[i]
            h = hazard(i)
            refer = referral_rate if (sat[i] >= satisfied_above and self.pool) else 0.0
            total = lam + h + ticket_rate + survey_rate + refer
            dt = s.exponential() / total
            try:
                if offer_ends - env.now > EPS and env.now + dt > offer_ends and offer_ends <= next_fee:
                    yield env.timeout(offer_ends - env.now)  # the discount runs out first: redraw without it
                    continue
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

    def charge_fee(self, i: int) -> None:
        """The yearly membership fee, logged as an order of category -1 (the fee category)."""
        rec = self.rec
        rec.tx_customer.append(i + 1)
        rec.tx_time.append(self.env.now)
        rec.tx_amount.append(self.cfg.annual_fee)
        rec.tx_cost.append(self.cfg.fee_cost)
        rec.tx_category.append(-1)

    def leave(self, i: int) -> None:
        """The customer really leaves; an unhappy one warns people in the market."""
        self.phase[i] = GONE
        self.churn_time[i] = self.env.now
        if self.sat[i] < self.cfg.dissatisfied_below:
            self.deter(i)

    def deter(self, i: int) -> None:
        """A dissatisfied leaver warns ``dissatisfied_reach`` random targets (the fraction by a coin)."""
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
        """Answer a survey: satisfaction 1–5 and NPS 0–10."""
        score, nps = self.survey_answer(i, s)
        rec = self.rec
        rec.su_customer.append(i + 1)
        rec.su_time.append(self.env.now)
        rec.su_satisfaction.append(score)
        rec.su_nps.append(nps)

    def survey_answer(self, i: int, s: CustomerStream) -> tuple[int, int]:
        """Satisfaction 1–5 and NPS 0–10 read off the latent satisfaction with noise."""
        noise = self.cfg.survey_noise
        sat = self.sat[i]
        score = min(5, max(1, round(1 + 4 * (sat + noise * s.normal()))))
        nps = min(10, max(0, round(10 * (sat + noise * s.normal()))))
        return score, nps

    def refer(self, i: int, s: CustomerStream) -> None:
        """Tell a friend (a random target not yet reached) about the firm."""
        if not self.pool:
            return
        self.reach(self.pool[int(s.uniform() * len(self.pool))], referrer=i + 1)

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

    # ------------------------------------------------------------------ hooks for actions and tables
    def come_back(self, i: int) -> None:
        """A win-back offer revived customer ``i`` who had left: their life starts again."""
        self.procs[i] = self.env.process(self.comeback(i))
        self.phase[i] = ALIVE
        self.busy[i] = True                                  # not to be interrupted before it starts

    def dropout_truth(self) -> tuple[np.ndarray, np.ndarray]:
        """The truth table's dropout columns: (p_dropout, dropout_hazard_per_year); the market has a hazard."""
        return np.full(self.n, np.nan), np.asarray(self.base_hazard) * DAYS_PER_YEAR

    def measured(self, acquired: np.ndarray, referred: np.ndarray) -> dict:
        """Figures of this run for the data card (word of mouth, agents), from the customers table's masks."""
        cfg, leavers = self.cfg, self.dissatisfied_leavers
        return {
            "referral_share": round(float(referred.sum() / max(1, acquired.sum())), 4),
            "referral_share_parameter": cfg.referral_share,
            "dissatisfied_reach": round(self.told / leavers, 3) if leavers else None,
            "dissatisfied_reach_parameter": cfg.dissatisfied_reach,
            "dissatisfied_leavers": leavers,
            "newly_deterred_per_dissatisfied_leaver": round(self.newly_deterred / leavers, 3) if leavers else None,
            "customers_acquired": int(acquired.sum()),
            "agents": self.agents,
        }
