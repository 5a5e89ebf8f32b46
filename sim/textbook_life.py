"""The whole life of every ``textbook`` customer, drawn ahead of the clock.

A textbook customer follows the BG/NBD story (Fader, Hardie & Lee 2005): a
first order at the start time, then repeat orders as a Poisson process with
rate λ, and after each repeat order a coin with probability p decides whether
the customer leaves for good. Each order's spend is Gamma(p_spend, ν) (the
Gamma-Gamma model). Nothing in the textbook world reacts to a customer's
orders, so a customer's whole life can be drawn before the simulation runs —
with a handful of NumPy calls instead of one Python step per order:

* repeat order times ``t_j = t_0 + (E_1 + … + E_j) / λ`` with E ~ Exponential(1);
* the customer leaves after the first repeat order j with ``U_j < p``
  (U ~ Uniform(0, 1)); orders after that one, or after the end, never happen;
* spend of order j: ``G_j / ν`` with G ~ Gamma(p_spend, 1).

Where the numbers come from (common random numbers): the first ``FIRST``
repeat orders of every customer are row ``customer_id - 1`` of a population
matrix (:func:`sim.streams.population_rng`, purpose ``LIFE``), so customer *i*'s
life does not depend on how many customers there are. The few customers whose
life goes on longer continue with their own generator
``SeedSequence(seed, spawn_key=(LIFE, customer_id))`` in blocks of ``BLOCK``.

The SimPy process of each customer (:meth:`sim.textbook.TextbookModel.customer`)
then tells the story with these numbers: either all at once (no strategy
watching) or one order per SimPy event (a strategy runs) — the same numbers,
so the same log.

Example
-------
>>> import numpy as np
>>> life = draw_lives(seed=1, lam_day=np.array([0.1, 0.5]), p_dropout=np.array([0.5, 0.0]),
...                   nu=np.array([1.0, 2.0]), spend_shape=6.0, start=np.zeros(2), end=30.0)
>>> life.rows(1)                          # customer index 1 (id 2): rows of their orders
range(2, 17)
>>> life.time[life.rows(0)].round(1).tolist(), life.churn.tolist()   # first order at 0; nobody left
([0.0, 29.8], [nan, nan])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import streams

__all__ = ["FIRST", "BLOCK", "CHUNK", "Lives", "repeat_orders", "draw_lives"]

FIRST = 16        # repeat orders drawn for everybody at once (about 97% of lives end within them)
BLOCK = 64        # repeat orders per block of a customer's own generator after that
CHUNK = 16_384    # customers per slice of the population matrices (bounds memory)


@dataclass
class Lives:
    """Every order of every textbook customer, grouped by customer, in time order.

    Attributes
    ----------
    customer : ndarray of int
        Customer index (id − 1) of each order.
    time : ndarray of float
        Day of each order (the first order of a customer is at their start time).
    spend : ndarray of float
        The order's spend G / ν before any discount.
    category : ndarray of int
        Index into the scenario's categories.
    offsets : ndarray of int, length n + 1
        Customer *i*'s orders are rows ``offsets[i]:offsets[i + 1]``.
    churn : ndarray of float
        Day the customer leaves (NaN if they are still alive at the end).
    """

    customer: np.ndarray
    time: np.ndarray
    spend: np.ndarray
    category: np.ndarray
    offsets: np.ndarray
    churn: np.ndarray

    def rows(self, i: int) -> range:
        """The rows of customer index ``i``'s orders."""
        return range(int(self.offsets[i]), int(self.offsets[i + 1]))


def repeat_orders(t0: np.ndarray, lam_day: np.ndarray, p_dropout: np.ndarray, gaps: np.ndarray,
                  u_dropout: np.ndarray, end: float):
    """The next ``k`` repeat orders of ``m`` customers (one row each), vectorised.

    Parameters
    ----------
    t0 : (m,) array
        Time of each customer's last order so far.
    lam_day, p_dropout : (m,) arrays
        Purchase rate per day and dropout probability after a repeat order.
    gaps, u_dropout : (m, k) arrays
        Exponential(1) and Uniform(0, 1) draws, one column per repeat order.
    end : float
        Orders after ``end`` do not happen.

    Returns
    -------
    t : (m, k) array
        ``t0 + cumsum(gaps) / λ`` — when each order would happen.
    happens : (m, k) bool array
        Order j happens if ``t_j <= end`` and the customer did not leave after an earlier one.
    leaves : (m, k) bool array
        The customer leaves right after order j (it happens and ``U_j < p``).
    done : (m,) bool array
        The life is over within these k orders (left, or passed the end).

    Example
    -------
    λ = 1 per day, gaps 1, 1, 1 and the coin says "leave" at the second order:

    >>> t, happens, leaves, done = repeat_orders(np.array([0.0]), np.array([1.0]), np.array([0.5]),
    ...     np.array([[1.0, 1.0, 1.0]]), np.array([[0.9, 0.1, 0.2]]), end=10.0)
    >>> t.tolist(), happens.tolist(), leaves.tolist(), done.tolist()
    ([[1.0, 2.0, 3.0]], [[True, True, False]], [[False, True, False]], [True])
    """
    with np.errstate(divide="ignore"):              # λ = 0 (underflow): never buys again
        t = t0[:, None] + np.cumsum(gaps, axis=1) / lam_day[:, None]
    k = gaps.shape[1]
    coin = u_dropout < p_dropout[:, None]              # the coin says "leave" after this order
    first_leave = np.where(coin.any(axis=1), coin.argmax(axis=1), k)   # k: not within these orders
    col = np.arange(k)
    happens = (t <= end) & (col <= first_leave[:, None])
    leaves = happens & (col == first_leave[:, None])
    done = (first_leave < k) | (t[:, -1] > end)
    return t, happens, leaves, done


def draw_lives(seed: int, lam_day: np.ndarray, p_dropout: np.ndarray, nu: np.ndarray, spend_shape: float,
               start: np.ndarray, end: float, cum_weights=(1.0,)) -> Lives:
    """Draw every textbook customer's orders and dropout up to ``end`` (see the module docstring).

    Parameters
    ----------
    seed : int
    lam_day, p_dropout, nu, start : (n,) arrays
        Purchase rate per day, dropout probability, spend rate ν and start day
        (first order) of customers 1..n.
    spend_shape : float
        The Gamma shape of a single order's spend (``p`` of the scenario).
    end : float
        Last day simulated (holdout end).
    cum_weights : sequence of float
        Cumulative category weights; with one category no draws are spent on it.

    Returns
    -------
    Lives
    """
    n = len(lam_day)
    cum_w = np.asarray(cum_weights, dtype=float)
    parts: list = []                                  # (customer, time, spend, category) of orders
    churn = np.full(n, np.nan)

    def keep(ids, times, happens, leaves, spend, u_cat):
        """Keep the orders that happen (row-major: by customer, then in time order) and the churn."""
        rows = np.broadcast_to(ids[:, None], happens.shape)[happens]
        cat = (np.minimum(np.searchsorted(cum_w, u_cat[happens], side="right"), len(cum_w) - 1)
               if u_cat is not None else np.zeros(len(rows), dtype=np.int64))
        parts.append((rows, times[happens], spend[happens] / nu[rows], cat))
        left = leaves.any(axis=1)
        churn[ids[left]] = times[left, np.argmax(leaves[left], axis=1)]

    # 1. the first FIRST repeat orders of everybody: rows of population matrices
    gen = [streams.population_rng(seed, streams.LIFE, part) for part in (11, 12, 13, 14)]
    pending, t_pending = [], []
    for lo in range(0, n, CHUNK):                    # slices of rows: the same numbers as one big draw
        ids = np.arange(lo, min(n, lo + CHUNK))
        m = len(ids)
        gaps = gen[0].standard_exponential((m, FIRST))
        u_drop = gen[1].random((m, FIRST))
        spend = gen[2].standard_gamma(spend_shape, (m, FIRST + 1))            # column 0: the first order
        u_cat = gen[3].random((m, FIRST + 1)) if len(cum_w) > 1 else None
        t, happens, leaves, done = repeat_orders(start[ids], lam_day[ids], p_dropout[ids], gaps, u_drop, end)
        first = np.ones((m, 1), dtype=bool)           # the first order, at the start, always happens
        keep(ids, np.concatenate([start[ids, None], t], axis=1), np.concatenate([first, happens], axis=1),
             np.concatenate([~first, leaves], axis=1), spend, u_cat)
        pending.append(ids[~done])
        t_pending.append(t[~done, -1])

    # 2. the few longer lives go on with each customer's own generator, BLOCK orders at a time
    ids, t_last = np.concatenate(pending), np.concatenate(t_pending)
    own = {}
    while len(ids):
        gaps, u_drop, u_cat, spend = [], [], [], []
        for i in ids.tolist():
            rng = own.get(i)
            if rng is None:
                rng = own[i] = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(streams.LIFE, i + 1)))
            u = rng.random((3, BLOCK))
            gaps.append(-np.log1p(-u[0]))               # Exponential(1) = −log(1 − U)
            u_drop.append(u[1])
            u_cat.append(u[2])
            spend.append(rng.standard_gamma(spend_shape, BLOCK))
        t, happens, leaves, done = repeat_orders(t_last, lam_day[ids], p_dropout[ids], np.array(gaps),
                                                 np.array(u_drop), end)
        keep(ids, t, happens, leaves, np.array(spend), np.array(u_cat) if len(cum_w) > 1 else None)
        ids, t_last = ids[~done], t[~done, -1]

    customer = np.concatenate([p[0] for p in parts])
    order = np.argsort(customer, kind="stable")       # by customer; within one, blocks come in time order
    customer = customer[order]
    return Lives(customer=customer,
                 time=np.concatenate([p[1] for p in parts])[order],
                 spend=np.concatenate([p[2] for p in parts])[order],
                 category=np.concatenate([p[3] for p in parts]).astype(np.int64)[order],
                 offsets=np.searchsorted(customer, np.arange(n + 1), side="left"),
                 churn=churn)
