"""Customer value: discounted value, CRV_p, retention-based CLV, value scores, payback, profit.

Every function states its formula and its time convention. Money is in the
currency of the data; rates are per period, where the period is whatever unit
the other arguments use (say so in your own code: "annual rate, cycle in years").
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from crmlab.data import select_transactions
from crmlab.errors import CRMDataError, ParameterError, check_finite, check_int, check_number, check_positive, check_probability

__all__ = [
    "discounted_value", "crv_p", "retention_clv", "value_score", "CURRENT_WEIGHTS",
    "POTENTIAL_WEIGHTS", "acquisition_payback", "Payback", "customer_profit", "profit_by_order_number",
    "purchase_cycle", "member_value",
]


def _check_rate(name: str, rate: float) -> float:
    """A discount rate: a finite number ≥ 0."""
    return check_positive(name, rate, allow_zero=True)


def discounted_value(values: Sequence[float], rate: float) -> float:
    """Discounted customer value (Rust): CV = Σ_{i=0..n} S_i / (1 + r)^i.

    ``S_i`` is the customer's net value in period ``i`` (``i = 0`` is now and is not
    discounted), ``r`` the discount rate per period.

    Example
    -------
    >>> discounted_value([100, 110, 121], 0.10)   # 100 + 110/1.1 + 121/1.21 = 300
    300.0
    """
    r = _check_rate("rate", rate)
    s = np.asarray(values, dtype=float)
    if s.ndim != 1 or s.size == 0:
        raise CRMDataError("values", "need a non-empty 1-D sequence of net values", detail=f"got shape {s.shape}")
    bad = ~np.isfinite(s)
    if bad.any():
        raise CRMDataError("values", "NaN or infinite net value", list(np.flatnonzero(bad)))
    i = np.arange(s.size)
    return float(np.sum(s / (1.0 + r) ** i))


def purchase_cycle(
    tx: pd.DataFrame,
    *,
    customer: str = "customer_id",
    date: str = "date",
    as_of=None,
    order_id: str | None = "order_id",
) -> pd.Series:
    """Average purchase cycle T̄ (平均消费周期) of every customer, in days.

    The average time between a customer's consecutive purchases:

        T̄ = (last purchase − first purchase) / (orders − 1)

    n orders leave n − 1 gaps between them; their average is the span from the
    first to the last order divided by n − 1 (times of day count, so the result
    is in fractional days). This is the one definition of the purchase cycle in
    crmlab (chapters 03 and 05 and :func:`crmlab.tiers.five_tier` use it).

    A customer with **one order** has no gap yet, so the cycle is **NaN**
    (unknown, not zero and not infinite): decide yourself what to do with such
    customers (leave them out, or see ``single_purchase`` in
    :func:`crmlab.tiers.five_tier`).

    Parameters
    ----------
    tx : DataFrame
        One row per order (never modified).
    as_of : date-like, optional
        Analysis day, observed to its end: an order on a later day is an error
        (select the orders up to the day you analyse first). The cycle itself
        does not depend on it: it is measured between orders, not up to as_of.

    Returns
    -------
    Series indexed by customer, named ``cycle``: days (float), NaN for one-order customers.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                    "date": ["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-05"]})
    >>> purchase_cycle(tx).tolist()     # customer 1: (Jan 31 − Jan 1) / (3 − 1) = 30 / 2 = 15
    [15.0, nan]
    """
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=order_id, as_of=as_of)
    g = t.groupby(customer, sort=True)[date]
    n = g.size()
    span_days = (g.max() - g.min()) / pd.Timedelta(days=1)
    cycle = (span_days / (n - 1).where(n > 1)).astype(float)
    cycle.name = "cycle"
    return cycle


def crv_p(avg_cycle: float, avg_amount: float, remaining_lifetime: float, rate: float,
          margin: float = 1.0) -> float:
    """Customer value assessment model CRV_p (客户价值核定模型).

    Value of the customer's remaining purchases, counted from the assessment
    date: one purchase of the average amount M̄ every average cycle T̄, for the
    remaining lifetime L, each discounted to today:

        CRV_p = Σ_{k=1..⌊L/T̄⌋} m · M̄ / (1 + r)^{k·T̄}

    Units: ``avg_cycle`` T̄ and ``remaining_lifetime`` L in the same time unit,
    and ``rate`` r is the discount rate per that unit (T̄ and L in years → an
    annual rate; with T̄ in days and an annual rate, pass ``avg_cycle / 365``).
    The first purchase comes one cycle after the assessment date; ``margin`` m is
    the share of the amount that is profit (1.0 counts revenue).

    Example
    -------
    >>> # ⌊1.0/0.5⌋ = 2 purchases of 0.5·200 = 100: 100/1.21**0.5 + 100/1.21**1 = 90.9091 + 82.6446
    >>> round(crv_p(avg_cycle=0.5, avg_amount=200, remaining_lifetime=1.0, rate=0.21, margin=0.5), 4)
    173.5537
    """
    t = check_positive("avg_cycle", avg_cycle)
    amt = check_positive("avg_amount", avg_amount, allow_zero=True)
    life = check_positive("remaining_lifetime", remaining_lifetime, allow_zero=True)
    r = _check_rate("rate", rate)
    m = check_probability("margin", margin, what="a margin (share of the amount that is profit)")
    n = math.floor(life / t + 1e-12)
    k = np.arange(1, n + 1)
    return float(np.sum(m * amt / (1.0 + r) ** (k * t)))


def retention_clv(margin: float, retention: float, discount: float, horizon: int | None = None,
                  *, include_current: bool = False) -> float:
    """Retention-based customer lifetime value.

    A customer brings margin ``m`` per period while still a customer; each period
    they stay with probability ``r`` (retention rate); cash is discounted at ``d``
    per period. **Timing convention**: margins arrive at the *end* of periods
    1, 2, …, and the customer must survive into a period to pay for it:

        CLV = Σ_{t=1..T} m · r^t / (1 + d)^t
        CLV(T = ∞) = m · r / (1 + d − r)

    With ``include_current=True`` the margin of the current period (t = 0, certain,
    undiscounted) is added: CLV(∞) = m + m·r/(1+d−r) = m·(1+d)/(1+d−r).

    Parameters
    ----------
    margin : float
        Margin per period (money).
    retention : float
        Retention probability per period, 0 ≤ r ≤ 1 (r = 1 needs a finite horizon
        or d > 0).
    discount : float
        Discount rate per period, ≥ 0.
    horizon : int, optional
        Number of future periods T; ``None`` for the infinite horizon.

    Example
    -------
    >>> round(retention_clv(100, 0.8, 0.1), 4)   # 100·0.8/(1.1−0.8) = 266.67
    266.6667
    >>> round(retention_clv(100, 0.8, 0.1, horizon=2), 4)   # 80/1.1 + 64/1.21
    125.6198
    """
    m = check_number("margin", margin)
    r = check_probability("retention", retention)
    d = _check_rate("discount", discount)
    extra = m if include_current else 0.0
    if horizon is None:
        if r >= 1.0 + d:
            raise CRMDataError("retention", "infinite-horizon CLV diverges when retention ≥ 1 + discount",
                               detail=f"retention={retention}, discount={discount}")
        return extra + m * r / (1.0 + d - r)
    h = check_int("horizon", horizon, minimum=0, what="a whole number of periods")
    t = np.arange(1, h + 1)
    return extra + float(np.sum(m * (r / (1.0 + d)) ** t))


CURRENT_WEIGHTS: dict[str, float] = {"consumption": 0.4, "contribution": 0.4, "cost_to_serve": 0.2}
"""Default weights of the current-value components (cost to serve counts inversely)."""

POTENTIAL_WEIGHTS: dict[str, float] = {"future_profit": 0.5, "loyalty": 0.3, "credit": 0.2}
"""Default weights of the potential-value components."""


def value_score(components: pd.DataFrame, *, current_weights: dict[str, float] | None = None,
                potential_weights: dict[str, float] | None = None, current_share: float = 0.6) -> pd.DataFrame:
    """Current + potential value score (0–100) per customer, with its components.

    Current value (what the customer brings now) = consumption value + revenue
    contribution − cost to serve; potential value (what they may bring) = future
    profit + loyalty + creditworthiness. Components live on different scales, so
    each is min–max scaled over the customers to [0, 1] (cost to serve reversed:
    the cheapest to serve scores 1; a constant column scores 0.5), then

        current   = Σ w_c · scaled_c      (default weights 0.4 consumption,
                                           0.4 contribution, 0.2 cost to serve)
        potential = Σ w_p · scaled_p      (default 0.5 future profit, 0.3 loyalty,
                                           0.2 credit)
        score     = 100 · (s · current + (1 − s) · potential),  s = current_share = 0.6

    Weights within each group must sum to 1.

    Parameters
    ----------
    components : DataFrame
        One row per customer with columns ``consumption``, ``contribution``,
        ``cost_to_serve``, ``future_profit``, ``loyalty``, ``credit`` (any units;
        only the columns with a weight are needed). Never modified.

    Returns
    -------
    DataFrame
        The scaled components (suffix ``_scaled``), ``current``, ``potential``
        (each 0–1) and ``score`` (0–100).

    Example
    -------
    >>> c = pd.DataFrame({"consumption": [10, 30], "contribution": [5, 15], "cost_to_serve": [2, 1],
    ...                   "future_profit": [0, 10], "loyalty": [1, 1], "credit": [700, 600]})
    >>> value_score(c)["score"].round(2).tolist()   # a: 60·0 + 40·(0.3·0.5 + 0.2·1) = 14; b: 60·1 + 40·(0.5 + 0.15) = 86
    [14.0, 86.0]
    """
    cw = dict(CURRENT_WEIGHTS if current_weights is None else current_weights)
    pw = dict(POTENTIAL_WEIGHTS if potential_weights is None else potential_weights)
    s = check_probability("current_share", current_share)
    for name, w in (("current_weights", cw), ("potential_weights", pw)):
        for key, weight in w.items():
            check_number(f"{name}[{key!r}]", weight, minimum=0)
        if not math.isclose(sum(w.values()), 1.0, abs_tol=1e-9):
            raise ParameterError(name, "weights must be ≥ 0 and sum to 1", detail=f"got {w!r}")
    if not isinstance(components, pd.DataFrame) or len(components) == 0:
        raise CRMDataError("components", "need a non-empty DataFrame of value components")
    out = pd.DataFrame(index=components.index)
    for group in (cw, pw):
        for col in group:
            if col not in components.columns:
                raise CRMDataError(col, "missing column", detail=f"columns present: {list(components.columns)}")
            v = pd.Series(check_finite(components[col], col), index=components.index)
            lo, hi = v.min(), v.max()
            scaled = (v - lo) / (hi - lo) if hi > lo else pd.Series(0.5, index=v.index)
            if col == "cost_to_serve":
                scaled = 1.0 - scaled
            out[f"{col}_scaled"] = scaled
    out["current"] = sum(w * out[f"{c}_scaled"] for c, w in cw.items())
    out["potential"] = sum(w * out[f"{c}_scaled"] for c, w in pw.items())
    out["score"] = 100.0 * (s * out["current"] + (1.0 - s) * out["potential"])
    return out


@dataclass
class Payback:
    """Acquisition cost against lifetime value.

    Attributes
    ----------
    clv : float
        Lifetime value (infinite horizon, :func:`retention_clv` convention).
    ltv_to_cac : float
        ``clv / acquisition_cost`` (> 1: the customer is worth acquiring).
    net_value : float
        ``clv − acquisition_cost``.
    payback_periods : int or None
        First period T at which the cumulative expected discounted margin
        Σ_{t=1..T} m r^t/(1+d)^t reaches the acquisition cost; ``None`` if never.
    """

    clv: float
    ltv_to_cac: float
    net_value: float
    payback_periods: int | None


def acquisition_payback(acquisition_cost: float, margin: float, retention: float, discount: float,
                        max_periods: int = 1000) -> Payback:
    """Compare acquisition cost with lifetime value and find the payback time.

    Example
    -------
    >>> p = acquisition_payback(100, 60, 0.9, 0.0)   # 54, 54+48.6=102.6 ≥ 100 → 2 periods
    >>> p.payback_periods, round(p.clv, 6)           # 60·0.9/(1−0.9) = 540
    (2, 540.0)
    """
    cac = check_positive("acquisition_cost", acquisition_cost)
    m = check_positive("margin", margin, allow_zero=True)
    r = check_probability("retention", retention)
    d = _check_rate("discount", discount)
    clv = retention_clv(m, r, d)
    t = np.arange(1, check_int("max_periods", max_periods, minimum=1) + 1)
    cum = np.cumsum(m * (r / (1.0 + d)) ** t)
    hit = np.flatnonzero(cum >= cac - 1e-12)
    return Payback(clv=clv, ltv_to_cac=clv / cac, net_value=clv - cac,
                   payback_periods=int(t[hit[0]]) if hit.size else None)


def customer_profit(
    tx: pd.DataFrame,
    cost_to_serve: float | pd.Series = 0.0,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    cost: str = "cost",
    order_id: str | None = "order_id",
) -> pd.DataFrame:
    """Per-customer profit including cost to serve.

        gross_profit = Σ (amount − cost) over the customer's orders
        profit       = gross_profit − cost_to_serve

    Parameters
    ----------
    cost_to_serve : float or Series
        A number is a cost *per order* (handling, delivery); a Series indexed by
        customer id is a *total per customer* (e.g. service tickets × cost per
        ticket). Every customer in ``tx`` needs a value in the Series.
    cost : str
        Column with the cost of goods of each order (must be present, ≥ 0).

    Returns
    -------
    DataFrame indexed by customer
        ``orders``, ``revenue``, ``cost_of_goods``, ``gross_profit``,
        ``cost_to_serve``, ``profit``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-01"] * 3,
    ...                    "amount": [100., 50., 20.], "cost": [60., 30., 15.]})
    >>> customer_profit(tx, cost_to_serve=5.0)["profit"].tolist()   # 150−90−2·5 = 50; 20−15−5 = 0
    [50.0, 0.0]
    """
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id, extra=(cost,))
    c = pd.Series(check_finite(t[cost], cost), index=t.index)
    bad = c < 0
    if bad.any():
        raise CRMDataError(cost, "cost must be a number ≥ 0", list(t.index[bad])[:5])
    t[cost] = c
    g = t.groupby(customer, sort=True)
    out = pd.DataFrame({"orders": g[amount].size().astype(np.int64), "revenue": g[amount].sum(),
                        "cost_of_goods": g[cost].sum()})
    out["gross_profit"] = out["revenue"] - out["cost_of_goods"]
    if isinstance(cost_to_serve, pd.Series):
        missing = out.index.difference(cost_to_serve.index)
        if len(missing):
            raise CRMDataError("cost_to_serve", "no cost to serve for customer", list(missing))
        cts = pd.Series(check_finite(cost_to_serve.reindex(out.index), "cost_to_serve"), index=out.index)
        bad = cts < 0
        if bad.any():
            raise CRMDataError("cost_to_serve", "must be a number ≥ 0", list(cts.index[bad]))
        out["cost_to_serve"] = cts
    else:
        per_order = check_positive("cost_to_serve", cost_to_serve, allow_zero=True)
        out["cost_to_serve"] = per_order * out["orders"]
    out["profit"] = out["gross_profit"] - out["cost_to_serve"]
    return out


def profit_by_order_number(
    tx: pd.DataFrame,
    acquisition_cost: float = 0.0,
    cost_to_serve: float = 0.0,
    *,
    max_orders: int = 10,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    cost: str = "cost",
    order_id: str | None = "order_id",
) -> pd.DataFrame:
    """Mean profit of a customer's 1st, 2nd, 3rd … order: value grows over the relationship.

    Orders are numbered per customer by date (ties in table order). The profit of
    order k is ``amount − cost − cost_to_serve``; the acquisition cost is charged
    to the first order, which is why first orders are often unprofitable.

    Returns
    -------
    DataFrame indexed by ``order_number`` 1..max_orders (only numbers some customer reached)
        ``customers`` (customers with at least k orders), ``mean_profit`` (mean profit of
        the k-th order) and ``cumulative_profit`` (Σ_{j ≤ k} mean_profit_j: what an
        average customer who reaches k orders has brought so far, when order
        profits do not depend on how many orders a customer ends up placing).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-01", "2024-02-01", "2024-01-05"],
    ...                    "amount": [50., 60., 40.], "cost": [30., 30., 20.]})
    >>> t = profit_by_order_number(tx, acquisition_cost=25.0)
    >>> t["mean_profit"].tolist(), t["cumulative_profit"].tolist()   # (−5 + −5)/2; 30
    ([-5.0, 30.0], [-5.0, 25.0])
    """
    acq = check_positive("acquisition_cost", acquisition_cost, allow_zero=True)
    serve = check_positive("cost_to_serve", cost_to_serve, allow_zero=True)
    k_max = check_int("max_orders", max_orders, minimum=1)
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id, extra=(cost,))
    c = pd.Series(check_finite(t[cost], cost), index=t.index)
    bad = c < 0
    if bad.any():
        raise CRMDataError(cost, "cost must be a number ≥ 0", list(t.index[bad])[:5])
    t = t.assign(_profit=t[amount] - c - serve).sort_values([customer, date], kind="stable")
    t["_k"] = t.groupby(customer, sort=False).cumcount() + 1
    t.loc[t["_k"] == 1, "_profit"] -= acq
    t = t[t["_k"] <= k_max]
    g = t.groupby("_k")["_profit"]
    out = pd.DataFrame({"customers": g.size().astype(np.int64), "mean_profit": g.mean()})
    out.index.name = "order_number"
    out["cumulative_profit"] = out["mean_profit"].cumsum()
    return out


def member_value(fee: float, renewal: float, merchandise_margin: float, *, fee_cost: float = 0.0,
                 discount: float = 0.1) -> dict[str, float]:
    """Paid-membership economics: what one member is worth, and how much of it the fee is.

    A member pays the yearly ``fee`` F at joining and at each anniversary (serving
    the account costs ``fee_cost`` c_F a year) and brings the gross ``merchandise_margin``
    M a year on their purchases. At each anniversary they renew with probability ρ
    (``renewal``); cash is discounted at d a year. The year's profit is paid at its
    start (the fee is paid up front), so with π = (F − c_F) + M:

        fee_share       = (F − c_F) / π
        expected_years  = 1 / (1 − ρ)                    (years paid, the first one included)
        lifetime_value  = π · (1 + d) / (1 + d − ρ)     (:func:`retention_clv`, ``include_current=True``)

    Parameters
    ----------
    fee, fee_cost : float
        Yearly fee and its yearly cost of administration (money, ≥ 0).
    renewal : float
        Probability of renewing at an anniversary, 0 ≤ ρ < 1.
    merchandise_margin : float
        Gross margin per member per year on the goods bought (money; may be < 0).
    discount : float
        Discount rate per year (default 0.1).

    Returns
    -------
    dict
        ``yearly_profit`` π, ``fee_profit`` F − c_F, ``fee_share``, ``expected_years``,
        ``lifetime_value``.

    Example
    -------
    >>> v = member_value(60, 0.9, 40, fee_cost=8, discount=0.1)   # π = 52 + 40 = 92
    >>> round(v["fee_share"], 4), round(v["expected_years"], 6), round(v["lifetime_value"], 2)   # 92·1.1/0.2 = 506
    (0.5652, 10.0, 506.0)
    """
    f = check_positive("fee", fee, allow_zero=True)
    c = check_positive("fee_cost", fee_cost, allow_zero=True)
    rho = check_probability("renewal", renewal)
    if rho >= 1.0:
        raise CRMDataError("renewal", "must be below 1 (a member who always renews stays forever)",
                           detail=f"got {renewal!r}")
    m = check_number("merchandise_margin", merchandise_margin)
    profit = (f - c) + m
    return {"yearly_profit": float(profit), "fee_profit": float(f - c),
            "fee_share": float((f - c) / profit) if profit != 0 else float("nan"),
            "expected_years": float(1.0 / (1.0 - rho)),
            "lifetime_value": float(retention_clv(profit, rho, discount, include_current=True))}
