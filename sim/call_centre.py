"""The call centre: a service desk with a few agents, as a SimPy resource.

Customers open tickets (questions, complaints). A ticket waits in one queue
until one of the ``agents`` is free, holds that agent while it is handled and
then releases it. Waiting and resolution times are logged, and they drive
satisfaction in the market model.

Time inside SimPy is in **days** (the market's clock); call-centre rates are
quoted **per hour**, the way a call-centre manager talks (λ calls per hour,
μ calls per hour per agent). ``HOURS_PER_DAY`` converts between the two.

Run alone, :func:`call_centre` is the classic M/M/c queue (Poisson arrivals,
exponential handling times, ``c`` agents), whose long-run mean wait, queue
length and utilisation are given by the Erlang C formulas in
:mod:`sim.queueing`; the tests check the simulation against them.

Example
-------
>>> from sim.call_centre import call_centre   # also available as sim.call_centre
>>> tickets = call_centre(arrival_rate=6.0, service_rate=2.0, agents=4, days=2, seed=1)
>>> list(tickets.columns)
['customer_id', 'opened_at', 'answered_at', 'resolved_at', 'kind', 'wait_hours', 'service_hours']
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
import simpy

from .queueing import check_mmc

__all__ = ["HOURS_PER_DAY", "MAX_TICKETS", "CallCentre", "call_centre", "queue_statistics", "warmup_days_for",
           "LOG_COLUMNS"]

HOURS_PER_DAY = 24.0

#: most tickets :func:`call_centre` simulates in one run, warm-up included (about
#: 25 s of SimPy on a 2-core laptop); a run expected to need more is refused
MAX_TICKETS = 1_000_000

#: the columns of :attr:`CallCentre.log` (one list per column)
LOG_COLUMNS = ("customer_id", "kind", "opened_at", "answered_at", "resolved_at")


class CallCentre:
    """A service desk: a ``simpy.Resource`` with ``agents`` servers.

    The environment's time unit is days; rates elsewhere are per hour.

    Parameters
    ----------
    env : simpy.Environment
        The simulation clock (days).
    agents : int
        Number of agents answering tickets (servers of the queue), ≥ 1.

    Attributes
    ----------
    desk : simpy.Resource
        The agents; ``desk.count`` are busy, ``len(desk.queue)`` are waiting.
    log : dict of lists
        One list per column of :data:`LOG_COLUMNS`; times are simulation days
        (floats). A row is written when its ticket is resolved.

    Example
    -------
    >>> import simpy
    >>> env = simpy.Environment()
    >>> centre = CallCentre(env, agents=1)
    >>> _ = env.process(centre.ticket(7, "question", service_days=0.5))
    >>> _ = env.process(centre.ticket(8, "complaint", service_days=0.25))
    >>> env.run()
    >>> centre.log["answered_at"], centre.log["resolved_at"]   # ticket 8 waits for ticket 7
    ([0, 0.5], [0.5, 0.75])
    """

    def __init__(self, env: simpy.Environment, agents: int):
        if isinstance(agents, bool) or not isinstance(agents, numbers.Integral) or agents < 1:
            raise ValueError(f"agents must be a whole number >= 1, got {agents!r}")
        self.env = env
        self.agents = int(agents)
        self.desk = simpy.Resource(env, capacity=self.agents)
        self.log: dict[str, list] = {name: [] for name in LOG_COLUMNS}

    def ticket(self, customer_id: int, kind: str, service_days: float):
        """Queue for an agent, hold it for ``service_days``, release it.

        A SimPy generator: run it with ``env.process(centre.ticket(...))`` or,
        inside a customer's own process, ``wait = yield from centre.ticket(...)``.

        Returns
        -------
        float
            The time the ticket waited for an agent, in days.
        """
        env = self.env
        opened_at = env.now
        with self.desk.request() as call:
            yield call
            answered_at = env.now
            yield env.timeout(service_days)
        log = self.log
        log["customer_id"].append(customer_id)
        log["kind"].append(kind)
        log["opened_at"].append(opened_at)
        log["answered_at"].append(answered_at)
        log["resolved_at"].append(env.now)
        return answered_at - opened_at


def warmup_days_for(arrival_rate: float, service_rate: float, agents: int) -> float:
    """A warm-up long enough for an empty M/M/c queue to forget its start.

    Five relaxation times τ = 1/(√(cμ) − √λ)² (hours), the time scale on which
    the queue approaches its steady state (exact for M/M/1, where it reads
    1/(μ(1 − √ρ)²); a good guide for c agents). At least one day.

    >>> round(warmup_days_for(6.0, 2.0, 4), 3)   # τ = 1/(√8 − √6)² = 6.964 h; 5τ/24
    1.451
    """
    lam, mu, c = check_mmc(arrival_rate, service_rate, agents)
    tau_hours = 1.0 / (math.sqrt(c * mu) - math.sqrt(lam)) ** 2
    return max(1.0, 5.0 * tau_hours / HOURS_PER_DAY)


def _check_nonnegative(name: str, value, *, positive: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0 or (positive and v == 0):
        rule = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be a finite number {rule}, got {value!r}")
    return v


def _callers(env, centre: CallCentre, rng: np.random.Generator, lam_day: float, mu_day: float,
             complaint_share: float, end: float, block: int = 4096):
    """Poisson arrivals until ``end``; every caller opens one ticket.

    Gaps, handling times and kinds are drawn from ``rng`` in blocks, in a fixed
    order, so the same seed always gives the same callers.
    """
    caller = 0
    while True:
        gaps = rng.exponential(1.0 / lam_day, size=block)
        handling = rng.exponential(1.0 / mu_day, size=block)
        complaint = rng.random(size=block) < complaint_share
        for gap, service_days, is_complaint in zip(gaps.tolist(), handling.tolist(), complaint.tolist()):
            yield env.timeout(gap)
            if env.now >= end:
                return
            caller += 1
            env.process(centre.ticket(caller, "complaint" if is_complaint else "question", service_days))


def call_centre(
    arrival_rate: float,
    service_rate: float,
    agents: int,
    days: float,
    seed: int,
    start: str | pd.Timestamp = "2024-01-01",
    warmup_days: float | None = None,
    complaint_share: float = 0.2,
) -> pd.DataFrame:
    """Simulate a call centre on its own and return its tickets table.

    An M/M/c queue: calls arrive as a Poisson process with ``arrival_rate`` λ
    per hour, each takes an exponential handling time with mean 1/μ hours
    (``service_rate`` μ per hour per agent), ``agents`` c answer them in
    first-come-first-served order. Theory (Erlang C, :mod:`sim.queueing`)
    gives the long-run mean wait Wq = C(c, λ/μ)/(cμ − λ) and utilisation
    ρ = λ/(cμ).

    The queue starts empty ``warmup_days`` before ``start``; tickets opened
    during the warm-up are served but not reported, so the table shows the
    queue in its steady state. Tickets opened in ``[start, start + days)`` are
    reported; arrivals stop at the end and the open tickets are served to the
    end, so every reported ticket has its full wait (some are resolved after
    ``start + days``).

    Parameters
    ----------
    arrival_rate : float
        λ, tickets per hour (> 0).
    service_rate : float
        μ, tickets per hour one agent handles (> 0); λ < cμ is required.
    agents : int
        c, number of agents (≥ 1).
    days : float
        Length of the reported period in days (> 0).
    seed : int
        Seed of the random numbers; the same seed gives the same table.
    start : str or Timestamp
        Calendar date of the start of the reported period.
    warmup_days : float, optional
        Warm-up before ``start`` (≥ 0). Default :func:`warmup_days_for`: five
        relaxation times of the queue, at least one day.
    complaint_share : float
        Probability that a ticket is a ``"complaint"`` (else ``"question"``).

    Returns
    -------
    pandas.DataFrame
        One row per ticket, sorted by ``opened_at``: ``customer_id`` (caller
        number), ``opened_at``, ``answered_at``, ``resolved_at``
        (datetime64[ns]), ``kind``, ``wait_hours``, ``service_hours``.
        ``attrs`` records the parameters, ``warmup_days`` and the reported
        window (``window_start``, ``window_end``).

    Raises
    ------
    ValueError
        naming the parameter and value: non-positive rates, days or agents,
        a negative warm-up, a share outside [0, 1], an unstable queue
        (λ ≥ cμ), or a run expected to simulate more than :data:`MAX_TICKETS`
        tickets, λ · 24 · (warmup_days + days) — e.g. utilisation 0.9999, whose
        default warm-up is millions of days, or λ = 10⁵ calls an hour.

    Example
    -------
    >>> t = call_centre(arrival_rate=6.0, service_rate=2.0, agents=4, days=30, seed=1)
    >>> bool(0.6 < t["service_hours"].sum() / (4 * 30 * 24) < 0.9)     # utilisation ρ = 6/8
    True
    """
    lam, mu, c = check_mmc(arrival_rate, service_rate, agents)
    days = _check_nonnegative("days", days, positive=True)
    if warmup_days is None:
        warmup_days = warmup_days_for(lam, mu, c)
    warmup_days = _check_nonnegative("warmup_days", warmup_days)
    share = _check_nonnegative("complaint_share", complaint_share)
    if share > 1:
        raise ValueError(f"complaint_share must be a probability in [0, 1], got {complaint_share!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    expected = lam * HOURS_PER_DAY * (warmup_days + days)
    if expected > MAX_TICKETS:
        raise ValueError(
            f"too much work: arrival_rate={lam}/h over warmup_days={warmup_days:.6g} + days={days:.6g} means "
            f"about {expected:.3g} tickets to simulate, more than MAX_TICKETS={MAX_TICKETS:,} "
            f"(utilisation {lam / (c * mu):.4f}; near 1 the default warm-up grows without bound). "
            "Use fewer days, lower rates, a shorter warmup_days, or the Erlang C formulas in sim.queueing")
    try:
        start_ts = pd.Timestamp(start)
    except (TypeError, ValueError):
        raise ValueError(f"start must be a date, got {start!r}") from None
    if pd.isna(start_ts):
        raise ValueError(f"start must be a date, got {start!r}")

    rng = np.random.default_rng(seed)
    env = simpy.Environment(initial_time=-warmup_days)
    centre = CallCentre(env, c)
    env.process(_callers(env, centre, rng, lam * HOURS_PER_DAY, mu * HOURS_PER_DAY, share, end=days))
    env.run()  # until the last ticket is resolved

    log = {name: np.asarray(values) for name, values in centre.log.items()}
    keep = log["opened_at"] >= 0.0  # drop warm-up tickets
    order = np.argsort(log["opened_at"][keep], kind="stable")
    cols = {name: values[keep][order] for name, values in log.items()}

    def as_dates(day_floats: np.ndarray) -> pd.Series:
        return start_ts + pd.to_timedelta(day_floats, unit="D")

    table = pd.DataFrame(
        {
            "customer_id": cols["customer_id"].astype("int64"),
            "opened_at": as_dates(cols["opened_at"]),
            "answered_at": as_dates(cols["answered_at"]),
            "resolved_at": as_dates(cols["resolved_at"]),
            "kind": pd.Series(cols["kind"], dtype="str"),
            "wait_hours": (cols["answered_at"] - cols["opened_at"]) * HOURS_PER_DAY,
            "service_hours": (cols["resolved_at"] - cols["answered_at"]) * HOURS_PER_DAY,
        }
    )
    for name in ("opened_at", "answered_at", "resolved_at"):
        table[name] = table[name].astype("datetime64[ns]")
    table.attrs.update(
        arrival_rate=lam, service_rate=mu, agents=c, days=days, seed=int(seed),
        warmup_days=warmup_days, complaint_share=share,
        window_start=start_ts, window_end=start_ts + pd.Timedelta(days=days),
    )
    return table


def queue_statistics(
    tickets: pd.DataFrame,
    agents: int,
    window_start: str | pd.Timestamp | None = None,
    window_end: str | pd.Timestamp | None = None,
) -> dict[str, float]:
    """Measure a tickets table the way queueing theory describes a queue.

    Works on :func:`call_centre` output and on the event log's ``service``
    table (only ``opened_at``, ``answered_at``, ``resolved_at`` are used).
    Rates and times are per hour. Time averages count every ticket's time
    inside the window [window_start, window_end):

    * ``arrival_rate``          λ̂ = tickets opened in the window / window hours
    * ``mean_wait``             Ŵq = mean(answered_at − opened_at), hours
    * ``mean_time_in_system``   Ŵ  = mean(resolved_at − opened_at), hours
    * ``mean_queue_length``     L̂q = Σ time spent waiting inside the window / window hours
    * ``mean_number_in_system`` L̂  = Σ time open inside the window / window hours
    * ``utilisation``           ρ̂  = Σ agent time inside the window / (agents · window hours)

    Little's law says L̂ ≈ λ̂·Ŵ and L̂q ≈ λ̂·Ŵq up to tickets that straddle
    the window's edges.

    Parameters
    ----------
    tickets : DataFrame
        Tickets; not modified.
    agents : int
        Number of agents (for the utilisation).
    window_start, window_end : date, optional
        The observed window; default ``tickets.attrs["window_start"]`` /
        ``["window_end"]`` as set by :func:`call_centre`.

    Example
    -------
    >>> t = call_centre(arrival_rate=6.0, service_rate=2.0, agents=4, days=30, seed=1)
    >>> s = queue_statistics(t, agents=4)
    >>> bool(abs(s["mean_number_in_system"] - s["arrival_rate"] * s["mean_time_in_system"]) < 0.05)
    True
    """
    for column in ("opened_at", "answered_at", "resolved_at"):
        if column not in tickets.columns:
            raise ValueError(f"tickets must have a column {column!r}; it has {list(tickets.columns)}")
    if window_start is None:
        window_start = tickets.attrs.get("window_start")
    if window_end is None:
        window_end = tickets.attrs.get("window_end")
    if window_start is None or window_end is None:
        raise ValueError("window_start and window_end are needed (tickets.attrs has no window)")
    ws, we = pd.Timestamp(window_start), pd.Timestamp(window_end)
    if not we > ws:
        raise ValueError(f"window_end must be after window_start, got {ws} .. {we}")
    hours = (we - ws) / pd.Timedelta(hours=1)

    def since_start(column: str) -> np.ndarray:
        return ((tickets[column] - ws) / pd.Timedelta(hours=1)).to_numpy(dtype=float)

    opened, answered, resolved = since_start("opened_at"), since_start("answered_at"), since_start("resolved_at")

    def inside(a: np.ndarray, b: np.ndarray) -> float:  # Σ length of [a, b) ∩ [0, hours)
        return float(np.sum(np.clip(b, 0.0, hours) - np.clip(a, 0.0, hours)))

    in_window = (opened >= 0) & (opened < hours)
    return {
        "arrival_rate": float(in_window.sum()) / hours,
        "mean_wait": float(np.mean(answered[in_window] - opened[in_window])),
        "mean_time_in_system": float(np.mean(resolved[in_window] - opened[in_window])),
        "mean_queue_length": inside(opened, answered) / hours,
        "mean_number_in_system": inside(opened, resolved) / hours,
        "utilisation": inside(answered, resolved) / (int(agents) * hours),
    }
