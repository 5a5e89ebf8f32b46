"""Vectorised "buy till you die" generators: BG/NBD and Pareto/NBD.

These are the textbook models of repeat buying in a non-contractual setting
(a shop never learns when a customer leaves). They serve two purposes:

* a **test oracle**: the ``textbook`` scenario of the SimPy market must produce
  the same frequency and recency distributions as these few lines of NumPy;
* a **fast path** for huge sweeps: a million customers take about a second,
  with no per-customer Python loop.

Time is in **weeks**, as in the literature. Following Fader, Hardie and Lee
(2005), every customer makes a first purchase at time 0 and is watched for
``T`` weeks; ``frequency`` counts the *repeat* purchases in (0, T] and
``recency`` is the time of the last purchase (0 if there was none).

BG/NBD (Fader, Hardie & Lee 2005)
    While alive, a customer buys as a Poisson process with rate
    λ ~ Gamma(shape r, rate α). After each repeat purchase the customer drops
    out with probability p ~ Beta(a, b). So the number of repeat purchases J
    until dropout is geometric, P(J = j) = p(1 − p)^{j−1}, j = 1, 2, …

Pareto/NBD (Schmittlein, Morrison & Colombo 1987)
    Purchases as above with λ ~ Gamma(r, α); the lifetime τ is exponential
    with rate μ ~ Gamma(shape s, rate β), independent of purchases.

Gamma-Gamma spend (Fader, Hardie & Lee 2005, "RFM and CLV")
    Each order's value z ~ Gamma(shape p, rate ν), with the customer's
    ν ~ Gamma(shape q, rate v), so a customer's true mean order is
    ζ = p/ν and across customers E[ζ] = p·v/(q − 1).

How the vectorised draws work (why no loop is needed)
    Given a customer's Poisson count N of purchase opportunities in (0, T],
    the N purchase times are N sorted uniform points on (0, T]. The customer
    makes x = min(N, J) of them, so the last purchase is the x-th smallest of N
    uniforms, which is T·Beta(x, N − x + 1). The x − 1 earlier purchases are
    uniform on (0, recency); sorted uniforms come from cumulative sums of
    exponential spacings, S_j / S_x, so no sort is needed either.

Example
-------
>>> from sim.btyd import simulate_bgnbd
>>> df = simulate_bgnbd(1000, r=0.24, alpha=4.41, a=0.79, b=2.43, T=39, seed=1)
>>> list(df.columns)
['customer_id', 'frequency', 'recency', 'T', 'lambda', 'p', 'alive_at_T', 'churn_time']
>>> bool((df["recency"] <= df["T"]).all())
True
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

__all__ = [
    "simulate_bgnbd",
    "simulate_pareto_nbd",
    "bgnbd_expected_purchases",
    "bgnbd_share_alive",
    "pareto_nbd_expected_purchases",
    "pareto_nbd_share_alive",
]


# ----------------------------------------------------------------------------- checks
def _positive(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number > 0, got {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return v


def _count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    return int(value)


def _observation(T, n: int) -> np.ndarray:
    """``T`` as an array of n positive finite observation lengths (weeks)."""
    arr = np.asarray(T, dtype=float)
    if arr.ndim == 0:
        _positive("T", T)
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"T must be one number or one value per customer (length {n}), got shape {arr.shape}")
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"T must be finite and > 0 for every customer, got T[{i}]={float(arr[i])!r}")
    return arr


def _spend(spend) -> tuple[float, float, float]:
    try:
        p, q, v = spend
    except (TypeError, ValueError):
        raise ValueError(f"spend must be a tuple (p, q, v), got {spend!r}") from None
    return _positive("spend p", p), _positive("spend q", q), _positive("spend v", v)


# ----------------------------------------------------------------------------- shared steps
def _last_purchase(rng: np.random.Generator, x: np.ndarray, n_opportunities: np.ndarray,
                   window: np.ndarray) -> np.ndarray:
    """Time of the x-th of N sorted uniform points on (0, window]: window·Beta(x, N−x+1); 0 if x = 0."""
    recency = np.zeros(len(x))
    buyers = x > 0
    recency[buyers] = window[buyers] * rng.beta(x[buyers], n_opportunities[buyers] - x[buyers] + 1)
    return recency


def _add_spend(rng: np.random.Generator, table: dict, spend, transactions: bool):
    """Add Gamma-Gamma spend columns to ``table`` (a dict of columns); return the orders or None.

    Every order (the first one at t = 0 included) is worth z ~ Gamma(p, rate ν).
    ``monetary_value`` is the mean of the *repeat* orders (0 without repeat
    orders), the convention of the Gamma-Gamma model and of ``lifetimes``.
    """
    x = table["frequency"]
    recency = table["recency"]
    n = len(x)
    if spend is not None:
        p, q, v = spend
        nu = rng.gamma(q, 1.0 / v, size=n)
        table["nu"] = nu
        table["z"] = p / nu  # the customer's true mean order value ζ = p/ν
    if not transactions:
        if spend is not None:
            mv = np.zeros(n)
            b = x > 0
            # the mean of x iid Gamma(p, rate ν) values is Gamma(p·x, rate ν·x)
            mv[b] = rng.standard_gamma(p * x[b]) / (nu[b] * x[b])
            table["monetary_value"] = mv
        return None

    # Order times, one block of x + 1 rows per customer: the first order at 0,
    # then x sorted points whose last is exactly the recency. Sorted uniforms
    # are cumulative sums of exponential spacings divided by their total
    # (S_j / S_x); a zero spacing in each block's first row puts it at t = 0.
    counts = x + 1
    first_rows = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(n), counts)  # the customer (row of `table`) of each order
    spacings = rng.standard_exponential(size=len(owner))
    spacings[first_rows] = 0.0
    csum = np.cumsum(spacings)
    within = csum - csum[first_rows][owner]  # S_0 = 0, S_1, …, S_x per block
    total = within[first_rows + x]
    total[x == 0] = 1.0  # a lone first order: 0 / 1 = 0
    t = recency[owner] * (within / total[owner])
    columns = {"customer_id": table["customer_id"][owner], "t_weeks": t}
    if spend is not None:
        amount = rng.standard_gamma(p, size=len(t)) / nu[owner]  # Gamma(p, rate ν)
        columns["amount"] = amount
        repeat_sum = np.add.reduceat(amount, first_rows) - amount[first_rows] if n else np.zeros(0)
        table["monetary_value"] = np.divide(repeat_sum, x, out=np.zeros(n), where=x > 0)
    return pd.DataFrame(columns, copy=False)


# ----------------------------------------------------------------------------- BG/NBD
def simulate_bgnbd(
    n_customers: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray,
    seed: int | np.random.SeedSequence,
    spend: tuple[float, float, float] | None = None,
    transactions: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate the BG/NBD purchase-and-dropout process, fully vectorised.

    Per customer: λ ~ Gamma(r, rate α) purchases per week while alive,
    p ~ Beta(a, b) dropout probability after each repeat purchase, so the
    number of repeat purchases before dropping out is J ~ Geometric(p).
    N ~ Poisson(λT) purchase opportunities in (0, T]; the customer uses
    x = min(N, J) of them; recency = T·Beta(x, N − x + 1) (0 if x = 0).

    Parameters
    ----------
    n_customers : int
        Number of customers (ids 1..n).
    r, alpha : float
        Shape and rate of the Gamma distribution of λ (per week); mean r/α.
    a, b : float
        Beta distribution of p; mean a/(a + b).
    T : float or array
        Observation length in weeks (one value, or one per customer).
    seed : int or SeedSequence
        All draws come from ``numpy.random.default_rng(seed)``.
    spend : (p, q, v), optional
        Gamma-Gamma spend parameters: adds ``nu``, ``z`` (true mean order
        p/ν) and ``monetary_value`` (mean of the repeat orders, 0 if none).
    transactions : bool
        Also return the orders (``customer_id``, ``t_weeks``, and ``amount``
        with ``spend``), the first order at t = 0 included.

    Returns
    -------
    DataFrame, or (DataFrame, DataFrame) with ``transactions=True``
        One row per customer: ``customer_id``, ``frequency`` (repeat
        purchases in (0, T]), ``recency`` (weeks from the first to the last
        purchase), ``T``, ``lambda``, ``p``, ``alive_at_T`` (has not dropped
        out by T), ``churn_time`` (weeks from the first purchase to dropping
        out, i.e. the time of the last purchase ever; may exceed T; ``inf``
        if λ = 0 or p = 0, when the customer never drops out).

    Example
    -------
    >>> df = simulate_bgnbd(100_000, r=0.24, alpha=4.41, a=0.79, b=2.43, T=39, seed=0)
    >>> round(bgnbd_expected_purchases(39, r=0.24, alpha=4.41, a=0.79, b=2.43), 3)
    1.186
    >>> bool(abs(df["frequency"].mean() - 1.186) < 0.03)
    True
    """
    n = _count("n_customers", n_customers)
    r, alpha, a, b = (_positive(k, v) for k, v in (("r", r), ("alpha", alpha), ("a", a), ("b", b)))
    T_arr = _observation(T, n)
    spend = None if spend is None else _spend(spend)
    rng = np.random.default_rng(seed)

    lam = rng.gamma(r, 1.0 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    # J: repeat purchases until dropout; p = 0 (possible in floating point for
    # tiny a) means the customer never drops out.
    J = rng.geometric(np.where(p > 0, p, 1.0))
    J[p == 0] = np.iinfo(np.int64).max
    N = rng.poisson(lam * T_arr)
    x = np.minimum(N, J)
    recency = _last_purchase(rng, x, N, T_arr)
    alive = J > N
    # Dropped out by T: churn at the last purchase. Alive at T: the purchases
    # still to come before dropout are again Geometric(p) (memoryless), each
    # after an Exponential(λ) gap, and a geometric sum of exponential gaps is
    # Exponential(rate λp): churn = T + Exponential(λp); inf if λ·p = 0.
    churn = recency.copy()
    with np.errstate(divide="ignore"):
        churn[alive] = T_arr[alive] + rng.standard_exponential(size=int(alive.sum())) / (lam[alive] * p[alive])

    table = {
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "frequency": x.astype(np.int64),
        "recency": recency,
        "T": T_arr,
        "lambda": lam,
        "p": p,
        "alive_at_T": alive,
        "churn_time": churn,
    }
    tx = _add_spend(rng, table, spend, transactions)
    table = pd.DataFrame(table, copy=False)
    return (table, tx) if transactions else table


def bgnbd_expected_purchases(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """E[X(t)], expected repeat purchases in (0, t] under BG/NBD (FHL 2005, eq. 9).

    E[X(t)] = (a + b − 1)/(a − 1) · [1 − (α/(α + t))^r · ₂F₁(r, b; a + b − 1; t/(α + t))]

    for any a ≠ 1 (Fader, Hardie and Lee use it with a = 0.79 for CDNOW).

    >>> round(bgnbd_expected_purchases(39, r=0.24, alpha=4.41, a=0.79, b=2.43), 4)
    1.1864
    """
    from scipy.special import hyp2f1

    if a == 1:
        raise ValueError("a must differ from 1 in the closed form of E[X(t)], got a=1")
    z = t / (alpha + t)
    return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z)))


def bgnbd_share_alive(T: float, r: float, alpha: float, a: float, b: float) -> float:
    """Expected share of BG/NBD customers who have not dropped out by T.

    Derivation: alive at T ⇔ the customer's dropout count J exceeds the number
    of purchase opportunities N in (0, T]. P(J > n | p) = (1 − p)^n, and with
    N ~ Poisson(λT), E[(1 − p)^N | λ, p] = exp(−λTp). Averaging over
    λ ~ Gamma(r, rate α): E[exp(−λTp)] = (α/(α + pT))^r = (1 + pT/α)^(−r).
    Averaging over p ~ Beta(a, b) with Euler's integral
    ₂F₁(r, a; a + b; z) = ∫ p^(a−1)(1 − p)^(b−1)(1 − zp)^(−r) dp / B(a, b)
    at z = −T/α gives

        P(alive at T) = ₂F₁(r, a; a + b; −T/α).

    >>> round(bgnbd_share_alive(39, r=0.24, alpha=4.41, a=0.79, b=2.43), 4)
    0.797
    """
    from scipy.special import hyp2f1

    return float(hyp2f1(r, a, a + b, -T / alpha))


# ----------------------------------------------------------------------------- Pareto/NBD
def simulate_pareto_nbd(
    n_customers: int,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    T: float | np.ndarray,
    seed: int | np.random.SeedSequence,
    spend: tuple[float, float, float] | None = None,
    transactions: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate the Pareto/NBD process, fully vectorised.

    Per customer: λ ~ Gamma(r, rate α) purchases per week, μ ~ Gamma(s, rate β)
    dropout rate per week, lifetime τ ~ Exponential(rate μ). Purchases are a
    Poisson process on (0, min(τ, T)]: N ~ Poisson(λ·min(τ, T)), and the last
    one is at min(τ, T)·Beta(N, 1).

    Parameters and return value as :func:`simulate_bgnbd`, with ``s, beta``
    (the Gamma distribution of μ, mean s/β) instead of ``a, b``, and a column
    ``mu`` instead of ``p``; ``churn_time`` is τ.

    Example
    -------
    >>> df = simulate_pareto_nbd(100_000, r=0.55, alpha=10.6, s=0.61, beta=11.7, T=39, seed=0)
    >>> round(pareto_nbd_share_alive(39, s=0.61, beta=11.7), 3)
    0.409
    >>> bool(abs(df["alive_at_T"].mean() - 0.409) < 0.01)
    True
    """
    n = _count("n_customers", n_customers)
    r, alpha, s, beta = (_positive(k, v) for k, v in (("r", r), ("alpha", alpha), ("s", s), ("beta", beta)))
    T_arr = _observation(T, n)
    spend = None if spend is None else _spend(spend)
    rng = np.random.default_rng(seed)

    lam = rng.gamma(r, 1.0 / alpha, size=n)
    mu = rng.gamma(s, 1.0 / beta, size=n)
    with np.errstate(divide="ignore"):
        tau = rng.exponential(size=n) / mu  # Exponential(rate μ); inf when μ = 0
    active = np.minimum(tau, T_arr)
    N = rng.poisson(lam * active)
    recency = _last_purchase(rng, N, N, active)

    table = {
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "frequency": N.astype(np.int64),
        "recency": recency,
        "T": T_arr,
        "lambda": lam,
        "mu": mu,
        "alive_at_T": tau > T_arr,
        "churn_time": tau,
    }
    tx = _add_spend(rng, table, spend, transactions)
    table = pd.DataFrame(table, copy=False)
    return (table, tx) if transactions else table


def pareto_nbd_expected_purchases(t: float, r: float, alpha: float, s: float, beta: float) -> float:
    """E[X(t)] under Pareto/NBD (Schmittlein et al. 1987), for s > 1:

    E[X(t)] = r·β / (α·(s − 1)) · [1 − (β/(β + t))^(s − 1)]

    (E[λ·min(τ, t)] with E[min(τ, t) | μ] = (1 − e^(−μt))/μ, averaged over μ.)

    >>> round(pareto_nbd_expected_purchases(10, r=1.0, alpha=2.0, s=2.0, beta=10.0), 4)
    2.5
    """
    if s == 1:
        raise ValueError("s must differ from 1 in the closed form of E[X(t)], got s=1")
    return float(r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1)))


def pareto_nbd_share_alive(T: float, s: float, beta: float) -> float:
    """Share of Pareto/NBD customers alive at T: P(τ > T) = E[e^(−μT)] = (β/(β + T))^s.

    >>> pareto_nbd_share_alive(10, s=1.0, beta=10.0)
    0.5
    """
    return float((beta / (beta + T)) ** s)
