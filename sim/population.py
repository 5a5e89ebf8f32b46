"""Everything about every person drawn before the clock starts (vectorised, from the seed).

A person's latent traits and their acquisition draws are drawn for the whole
population at once: one NumPy generator per quantity
(:func:`sim.streams.population_rng`), element *i* for customer id *i + 1*, so a
customer's draws do not depend on how many people there are.

Latent traits (purpose ``TRAITS``), one per person:

====================  ==========================================================
``lam_week``          purchase rate λ per week, Gamma(r, 1/α)
``nu``                spend rate ν, Gamma(q, 1/v); an order's spend is Gamma(p, 1)/ν
``p_dropout``         textbook: dropout probability after each repeat order, Beta(a, b)
``margin``            gross margin share, Beta(margin_a, margin_b)
``serve_cost``        cost to serve one order, Gamma(2, serve_cost_per_order/2)
``frailty``           multiplier of the dropout hazard, Gamma(k, 1/k) (mean 1)
``switching``         switching cost, Exponential(switching_cost_mean) (0 if the mean is 0)
``sat0``              initial satisfaction in [0, 1], Beta(satisfaction_a, satisfaction_b)
====================  ==========================================================

Acquisition draws (purpose ``FUNNEL``): the paid channel that would reach a
person (``channel``), when (``reach_time``, Exponential with rate
``reach_per_year``), the uniforms deciding conversion and close (``u_convert``,
``u_close``), the funnel's durations (``t_opportunity``, ``t_close``) and a
textbook customer's start time (``start_time``, uniform over
``acquisition_spread_days``).

Example
-------
>>> import sim
>>> pop = draw_population(sim.scenario("classroom"), n=3, seed=1)
>>> pop.lam_week.shape, sorted(pop.profiles)[:2]
((3,), ['birth_date', 'city'])
>>> bool((draw_population(sim.scenario("classroom"), n=5, seed=1).lam_week[:3] == pop.lam_week).all())
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import streams
from .profiles import sample_profiles

__all__ = ["DAYS_PER_YEAR", "Population", "draw_population"]

DAYS_PER_YEAR = 365.0


@dataclass(eq=False)
class Population:
    """The draws of :func:`draw_population`, one array element per person (index = customer_id − 1)."""

    lam_week: np.ndarray
    nu: np.ndarray
    p_dropout: np.ndarray
    margin: np.ndarray
    serve_cost: np.ndarray
    frailty: np.ndarray
    switching: np.ndarray
    sat0: np.ndarray
    channel: np.ndarray
    reach_time: np.ndarray
    u_convert: np.ndarray
    u_close: np.ndarray
    t_opportunity: np.ndarray
    t_close: np.ndarray
    start_time: np.ndarray
    profiles: dict


def draw_population(cfg, n: int, seed: int) -> Population:
    """Every latent and acquisition draw of ``n`` people, and their profiles (names, cities, …)."""

    def t(part):                                   # one generator per latent quantity
        return streams.population_rng(seed, streams.TRAITS, part)

    def f(part):                                   # one generator per acquisition quantity
        return streams.population_rng(seed, streams.FUNNEL, part)

    shares = np.cumsum([c.share for c in cfg.channels])
    if cfg.reach_per_year > 0:
        reach_time = f(2).exponential(DAYS_PER_YEAR / cfg.reach_per_year, n)
    else:
        reach_time = np.full(n, math.inf)
    return Population(
        lam_week=t(1).gamma(cfg.r, 1.0 / cfg.alpha, n),
        nu=t(2).gamma(cfg.q, 1.0 / cfg.v, n),
        p_dropout=t(3).beta(cfg.a, cfg.b, n),
        margin=t(4).beta(cfg.margin_a, cfg.margin_b, n),
        serve_cost=t(5).gamma(2.0, cfg.serve_cost_per_order / 2.0, n),
        frailty=t(6).gamma(cfg.frailty_shape, 1.0 / cfg.frailty_shape, n),
        switching=(t(7).exponential(cfg.switching_cost_mean, n) if cfg.switching_cost_mean > 0
                   else np.zeros(n)),
        sat0=t(8).beta(cfg.satisfaction_a, cfg.satisfaction_b, n),
        channel=np.minimum(np.searchsorted(shares, f(1).random(n), side="right"), len(cfg.channels) - 1),
        reach_time=reach_time,
        u_convert=f(3).random(n),
        u_close=f(4).random(n),
        t_opportunity=f(5).exponential(cfg.days_to_opportunity, n),
        t_close=f(6).exponential(cfg.days_to_close, n),
        start_time=f(7).random(n) * cfg.acquisition_spread_days,
        profiles=sample_profiles(n, seed, locale=cfg.locale, start=cfg.start, kind=cfg.profile_kind),
    )
