"""M/M/c queueing formulas (Erlang C) for the call centre.

A call centre with ``c`` agents, Poisson arrivals at rate λ (calls per hour)
and exponential handling times with rate μ (calls per hour per agent) is the
M/M/c queue. Its steady state has closed forms, written here as small pure
functions so a student can check the simulator against them.

Notation (all rates in the same time unit, e.g. per hour):

* offered load  a = λ / μ          (how many agents the calls keep busy on average)
* utilisation   ρ = a / c = λ / (cμ) (share of time an agent is busy; must be < 1)
* Erlang C      C(c, a) = P(an arriving call has to wait)

      C(c, a) = [a^c / c! · 1/(1-ρ)] / [Σ_{k=0}^{c-1} a^k / k!  +  a^c / c! · 1/(1-ρ)]

* mean queue length        Lq = C · ρ / (1 - ρ)
* mean waiting time        Wq = C / (cμ - λ)        (= Lq / λ, Little's law)
* mean time in system      W  = Wq + 1/μ
* mean number in system    L  = λ · W  = Lq + a

Hand-worked examples used in the docstrings and tests:

* M/M/1, λ = 1, μ = 2: a = ρ = 0.5, C = ρ = 0.5, Wq = 0.5/(2-1) = 0.5,
  Lq = 0.5·0.5/0.5 = 0.5, W = 0.5 + 0.5 = 1, L = 1·1 = 1.
* M/M/2, λ = 1, μ = 1: a = 1, ρ = 0.5; Σ_{k=0}^{1} a^k/k! = 1 + 1 = 2;
  a²/2!·1/(1-ρ) = 0.5/0.5 = 1; C = 1/(2+1) = 1/3; Wq = (1/3)/(2-1) = 1/3;
  Lq = (1/3)·0.5/0.5 = 1/3; W = 1/3 + 1 = 4/3; L = 4/3.
"""
from __future__ import annotations

import math
import numbers

__all__ = [
    "MAX_AGENTS",
    "check_mmc",
    "offered_load",
    "utilisation",
    "erlang_c",
    "mean_queue_length",
    "mean_wait",
    "mean_time_in_system",
    "mean_number_in_system",
]


#: most agents the formulas accept (Erlang C sums c terms; a call centre of more
#: than 100,000 agents is a typo, and a billion would keep the loop busy for minutes)
MAX_AGENTS = 100_000


def check_mmc(arrival_rate: float, service_rate: float, agents: int) -> tuple[float, float, int]:
    """Validate M/M/c parameters and return them as ``(float, float, int)``.

    Raises
    ------
    ValueError
        naming the parameter and the bad value, if a rate is not a finite
        positive number, ``agents`` is not a whole number in 1..:data:`MAX_AGENTS`, or the
        queue is unstable (λ ≥ cμ: the queue would grow without bound).

    Examples
    --------
    >>> check_mmc(6.0, 2.0, 4)
    (6.0, 2.0, 4)
    >>> check_mmc(8.0, 2.0, 4)
    Traceback (most recent call last):
    ...
    ValueError: unstable queue: arrival_rate=8.0 must be below agents*service_rate=4*2.0=8.0 (utilisation 1.0000 >= 1)
    """
    values = {}
    for name, value in (("arrival_rate", arrival_rate), ("service_rate", service_rate)):
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number, got {value!r}") from None
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        values[name] = v
    whole = isinstance(agents, numbers.Integral) or (isinstance(agents, float) and agents.is_integer())
    if isinstance(agents, bool) or not whole:
        raise ValueError(f"agents must be a whole number >= 1, got {agents!r}")
    c = int(agents)
    if c < 1:
        raise ValueError(f"agents must be a whole number >= 1, got {agents!r}")
    if c > MAX_AGENTS:
        raise ValueError(f"agents must be at most MAX_AGENTS={MAX_AGENTS:,}, got {agents!r}")
    lam, mu = values["arrival_rate"], values["service_rate"]
    rho = lam / (c * mu)
    if rho >= 1:
        raise ValueError(
            f"unstable queue: arrival_rate={lam} must be below agents*service_rate="
            f"{c}*{mu}={c * mu} (utilisation {rho:.4f} >= 1)"
        )
    return lam, mu, c


def offered_load(arrival_rate: float, service_rate: float) -> float:
    """Offered load a = λ/μ, in Erlangs (agents kept busy on average).

    >>> offered_load(6.0, 2.0)
    3.0
    """
    return float(arrival_rate) / float(service_rate)


def utilisation(arrival_rate: float, service_rate: float, agents: int) -> float:
    """Utilisation ρ = λ/(cμ): the share of time each agent is busy.

    >>> utilisation(6.0, 2.0, 4)   # 6 / (4·2)
    0.75
    """
    lam, mu, c = check_mmc(arrival_rate, service_rate, agents)
    return lam / (c * mu)


def erlang_c(arrival_rate: float, service_rate: float, agents: int) -> float:
    """Erlang C: probability that an arriving call waits for an agent.

    C(c, a) = [a^c/c! · 1/(1-ρ)] / [Σ_{k=0}^{c-1} a^k/k! + a^c/c! · 1/(1-ρ)],
    with a = λ/μ and ρ = a/c. For one agent C = ρ.

    The terms a^k/k! are built up one by one (t_k = t_{k-1}·a/k), which stays
    accurate for hundreds of agents where a^c and c! alone would overflow.

    Examples
    --------
    >>> erlang_c(1.0, 2.0, 1)        # M/M/1: C = ρ = 0.5
    0.5
    >>> round(erlang_c(1.0, 1.0, 2), 12)   # 1 / (1 + 1 + 1) = 1/3
    0.333333333333
    """
    lam, mu, c = check_mmc(arrival_rate, service_rate, agents)
    a = lam / mu
    rho = a / c
    term = 1.0  # a^0 / 0!
    head = 0.0  # Σ_{k=0}^{c-1} a^k/k!
    for k in range(c):
        head += term
        term *= a / (k + 1)
    tail = term / (1.0 - rho)  # a^c/c! · 1/(1-ρ)
    return tail / (head + tail)


def mean_queue_length(arrival_rate: float, service_rate: float, agents: int) -> float:
    """Mean number of calls waiting (not yet answered): Lq = C·ρ/(1-ρ).

    >>> mean_queue_length(1.0, 2.0, 1)   # 0.5 · 0.5 / 0.5
    0.5
    """
    rho = utilisation(arrival_rate, service_rate, agents)
    return erlang_c(arrival_rate, service_rate, agents) * rho / (1.0 - rho)


def mean_wait(arrival_rate: float, service_rate: float, agents: int) -> float:
    """Mean waiting time before an agent answers: Wq = C/(cμ - λ).

    In the time unit of the rates (hours if the rates are per hour).

    >>> mean_wait(1.0, 2.0, 1)   # 0.5 / (2 - 1)
    0.5
    """
    lam, mu, c = check_mmc(arrival_rate, service_rate, agents)
    return erlang_c(lam, mu, c) / (c * mu - lam)


def mean_time_in_system(arrival_rate: float, service_rate: float, agents: int) -> float:
    """Mean time from opening a ticket to its resolution: W = Wq + 1/μ.

    >>> mean_time_in_system(1.0, 2.0, 1)   # 0.5 + 1/2
    1.0
    """
    return mean_wait(arrival_rate, service_rate, agents) + 1.0 / float(service_rate)


def mean_number_in_system(arrival_rate: float, service_rate: float, agents: int) -> float:
    """Mean number of open tickets (waiting or being served): L = λW.

    >>> mean_number_in_system(1.0, 2.0, 1)   # 1 · 1
    1.0
    """
    return float(arrival_rate) * mean_time_in_system(arrival_rate, service_rate, agents)
