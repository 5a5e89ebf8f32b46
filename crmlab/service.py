"""The call centre in numbers: Erlang C waits, service level and staffing.

A service desk (call centre) with ``c`` agents, calls arriving at random at rate
λ per hour and handled in a random time of mean 1/μ hours (μ calls per hour per
agent) is the M/M/c queue. Its long-run behaviour has closed forms (A. K.
Erlang, 1917), which a manager uses to staff the desk:

* offered load   a = λ / μ               (agents the calls keep busy on average)
* utilisation    ρ = a / c = λ / (cμ)    (share of time an agent is busy; must be < 1)
* Erlang C       C = P(a caller has to wait)

      C(c, a) = [a^c/c! · 1/(1−ρ)] / [Σ_{k=0}^{c−1} a^k/k!  +  a^c/c! · 1/(1−ρ)]

* mean wait      Wq = C / (cμ − λ)                        (hours)
* service level  SL(t) = P(wait ≤ t) = 1 − C · exp(−(cμ − λ)·t)

A waiting caller is answered at rate cμ − λ once all agents are busy, which is
why the wait beyond zero is exponential with that rate.

Hand-worked examples (used in the tests):

* one agent, λ = 1, μ = 2: ρ = 0.5, C = ρ = 0.5, Wq = 0.5/(2 − 1) = 0.5 h,
  SL(1 h) = 1 − 0.5·e^(−1) = 0.8161;
* two agents, λ = 1, μ = 1: a = 1, ρ = 0.5, Σ = 1 + 1 = 2, tail = (1²/2!)/(1 − 0.5) = 1,
  C = 1/(2 + 1) = 1/3, Wq = (1/3)/(2 − 1) = 1/3 h.

All rates are **per hour** and waits in **hours** (a target of 20 seconds is
``20/3600`` hours). Bad parameters — and a desk with utilisation ≥ 1, whose queue
grows without limit — raise :class:`crmlab.errors.ParameterError` naming the
parameter and its value.

Example
-------
>>> q = erlang_c(arrival_rate=1.0, service_rate=1.0, agents=2)
>>> round(q.utilisation, 3), round(q.p_wait, 4), round(q.mean_wait, 4)
(0.5, 0.3333, 0.3333)
>>> round(service_level(1.0, 1.0, 2, target_wait_hours=0.5), 4)   # 1 − (1/3)·e^(−0.5)
0.7978
>>> agents_needed(arrival_rate=1.0, service_rate=1.0, target_wait_hours=0.5, target_share=0.9)
3
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from crmlab.errors import ParameterError, check_int, check_number, check_probability

__all__ = ["MAX_AGENTS", "Queue", "erlang_c", "service_level", "agents_needed", "staffing_table"]

#: most agents the formulas accept (a bigger number is a typo and would keep the sums busy)
MAX_AGENTS = 100_000


@dataclass(frozen=True)
class Queue:
    """The long-run figures of an M/M/c desk (rates per hour, times in hours).

    Attributes
    ----------
    arrival_rate, service_rate, agents :
        λ, μ and c as given.
    utilisation : float
        ρ = λ/(cμ), the share of time each agent is busy.
    p_wait : float
        Erlang C: the probability that a caller has to wait at all.
    mean_wait : float
        Wq = C/(cμ − λ), the mean wait of all callers (those answered at once count 0), hours.
    """

    arrival_rate: float
    service_rate: float
    agents: int
    utilisation: float
    p_wait: float
    mean_wait: float

    def to_dict(self) -> dict:
        """The figures as a plain dict."""
        return asdict(self)


def _check_rates(arrival_rate, service_rate) -> tuple[float, float]:
    lam = check_number("arrival_rate", arrival_rate, minimum=0)
    if lam == 0:
        raise ParameterError("arrival_rate", "must be > 0 (calls per hour)", detail=f"got {arrival_rate!r}")
    mu = check_number("service_rate", service_rate, minimum=0)
    if mu == 0:
        raise ParameterError("service_rate", "must be > 0 (calls one agent handles per hour)",
                             detail=f"got {service_rate!r}")
    return lam, mu


def _check_desk(arrival_rate, service_rate, agents) -> tuple[float, float, int]:
    lam, mu = _check_rates(arrival_rate, service_rate)
    c = check_int("agents", agents, minimum=1, maximum=MAX_AGENTS)
    rho = lam / (c * mu)
    if rho >= 1:
        raise ParameterError(
            "agents", "too few for the calls: utilisation λ/(cμ) must be below 1, else the queue grows without limit",
            detail=f"got agents={agents!r} with arrival_rate={lam:g}/h and service_rate={mu:g}/h: "
                   f"utilisation {lam:g}/({c}·{mu:g}) = {rho:.4f}; at least {math.floor(lam / mu) + 1} agents needed")
    return lam, mu, c


def _erlang_c(lam: float, mu: float, c: int) -> float:
    """Erlang C for checked parameters; the terms a^k/k! are built one by one (no overflow)."""
    a = lam / mu
    term, head = 1.0, 0.0                 # a^0/0!, Σ_{k<c} a^k/k!
    for k in range(c):
        head += term
        term *= a / (k + 1)
        if head > 1e250:                  # rescale the sums (very large desks): the ratio is unchanged
            head, term = head / 1e250, term / 1e250
    tail = term / (1.0 - a / c)           # a^c/c! · 1/(1 − ρ)
    return tail / (head + tail)


def erlang_c(arrival_rate: float, service_rate: float, agents: int) -> Queue:
    """Utilisation, probability of waiting and mean wait of an M/M/c desk.

    ρ = λ/(cμ);  C = [a^c/c!·1/(1−ρ)] / [Σ_{k=0}^{c−1} a^k/k! + a^c/c!·1/(1−ρ)] with a = λ/μ;
    Wq = C/(cμ − λ). With one agent C = ρ.

    Parameters
    ----------
    arrival_rate : float
        λ, calls per hour (> 0).
    service_rate : float
        μ, calls one agent handles per hour (> 0): 60 / handling minutes.
    agents : int
        c, agents answering (whole number ≥ 1), with λ < cμ.

    Returns
    -------
    Queue
        ``utilisation``, ``p_wait``, ``mean_wait`` (hours) and the parameters.

    Examples
    --------
    >>> q = erlang_c(1.0, 2.0, 1)                    # M/M/1: C = ρ = 0.5, Wq = 0.5/(2 − 1)
    >>> q.utilisation, q.p_wait, q.mean_wait
    (0.5, 0.5, 0.5)
    >>> erlang_c(4.0, 2.0, 2)
    Traceback (most recent call last):
    ...
    crmlab.errors.ParameterError: parameter 'agents': too few for the calls: utilisation λ/(cμ) must be below 1, else the queue grows without limit (got agents=2 with arrival_rate=4/h and service_rate=2/h: utilisation 4/(2·2) = 1.0000; at least 3 agents needed)
    """
    lam, mu, c = _check_desk(arrival_rate, service_rate, agents)
    p_wait = _erlang_c(lam, mu, c)
    return Queue(arrival_rate=lam, service_rate=mu, agents=c, utilisation=lam / (c * mu),
                 p_wait=p_wait, mean_wait=p_wait / (c * mu - lam))


def service_level(arrival_rate: float, service_rate: float, agents: int, target_wait_hours: float) -> float:
    """Share of callers answered within ``target_wait_hours``: SL = 1 − C·exp(−(cμ − λ)·t).

    The industry's "80/20" standard reads SL(20 s) ≥ 0.8: pass ``target_wait_hours=20/3600``.

    >>> round(service_level(1.0, 2.0, 1, target_wait_hours=1.0), 4)   # 1 − 0.5·e^(−1)
    0.8161
    >>> service_level(1.0, 2.0, 1, target_wait_hours=0.0)             # answered at once: 1 − C
    0.5
    """
    lam, mu, c = _check_desk(arrival_rate, service_rate, agents)
    t = check_number("target_wait_hours", target_wait_hours, minimum=0)
    return 1.0 - _erlang_c(lam, mu, c) * math.exp(-(c * mu - lam) * t)


def agents_needed(arrival_rate: float, service_rate: float, target_wait_hours: float,
                  target_share: float) -> int:
    """The fewest agents c with SL(t) = 1 − C·exp(−(cμ − λ)t) ≥ ``target_share``.

    Starts at the smallest stable desk, c = ⌊λ/μ⌋ + 1, and adds agents until the
    service level reaches the target (it rises with every agent).

    Parameters
    ----------
    arrival_rate, service_rate : float
        λ and μ per hour (> 0).
    target_wait_hours : float
        t, the longest acceptable wait in hours (≥ 0).
    target_share : float
        The share of callers who must wait no longer than t, in [0, 1).

    Examples
    --------
    >>> agents_needed(1.0, 2.0, target_wait_hours=1.0, target_share=0.8)   # one agent: SL = 0.816
    1
    >>> agents_needed(1.0, 2.0, target_wait_hours=1.0, target_share=0.9)   # two: SL = 1 − 0.1·e^(−3) = 0.995
    2
    """
    lam, mu = _check_rates(arrival_rate, service_rate)
    t = check_number("target_wait_hours", target_wait_hours, minimum=0)
    share = check_probability("target_share", target_share, what="a share of callers")
    if share >= 1:
        raise ParameterError("target_share", "must be below 1 (no finite desk answers every caller in time)",
                             detail=f"got {target_share!r}")
    c = math.floor(lam / mu) + 1
    while c <= MAX_AGENTS:
        if 1.0 - _erlang_c(lam, mu, c) * math.exp(-(c * mu - lam) * t) >= share:
            return c
        c += 1
    raise ParameterError("arrival_rate", f"needs more than MAX_AGENTS={MAX_AGENTS:,} agents",
                         detail=f"got {arrival_rate!r}")


def staffing_table(arrival_rate: float, service_rate: float, agents, target_wait_hours: float):
    """One row per number of agents: utilisation, P(wait), mean wait (hours) and service level.

    ``agents`` is an iterable of whole numbers; desks with utilisation ≥ 1 are
    left out (their queue has no long-run level).

    >>> staffing_table(1.0, 1.0, [1, 2, 3], target_wait_hours=0.5)["p_wait"].round(4).tolist()
    [0.3333, 0.0909]
    """
    import pandas as pd

    lam, mu = _check_rates(arrival_rate, service_rate)
    rows = []
    for c in agents:
        c = check_int("agents", c, minimum=1, maximum=MAX_AGENTS)
        if lam >= c * mu:
            continue
        q = erlang_c(lam, mu, c)
        rows.append({"agents": c, "utilisation": q.utilisation, "p_wait": q.p_wait, "mean_wait": q.mean_wait,
                     "service_level": service_level(lam, mu, c, target_wait_hours)})
    return pd.DataFrame(rows, columns=["agents", "utilisation", "p_wait", "mean_wait", "service_level"])
