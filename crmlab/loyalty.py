"""Satisfaction and loyalty: NPS, satisfaction index, repeat purchase, retention, churn, loyalty classes.

Behavioural loyalty is what customers *do* (buy again); attitudinal loyalty is
what they *say* (satisfaction, willingness to recommend). The classification in
:func:`loyalty_class` crosses the two (after Dick & Basu's four loyalty types):

==================  =========================  =========================
                    repeat buyer               not a repeat buyer
==================  =========================  =========================
positive attitude   loyal                      latent (likes, not buying)
otherwise           spurious (habit, inertia)  no loyalty
==================  =========================  =========================

Customers without any survey answer are classed ``unsurveyed`` — not guessed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.data import select_transactions
from crmlab.errors import CRMDataError, check_int, check_number

__all__ = ["nps", "satisfaction_index", "repeat_purchase_rate", "retention_rate", "churn_rate",
           "loyalty_class", "LOYALTY_CLASSES"]

LOYALTY_CLASSES = ("loyal", "latent", "spurious", "no loyalty", "unsurveyed")


def _scores(values, name: str, lo: float, hi: float, integer: bool = False) -> np.ndarray:
    s = pd.Series(values) if not isinstance(values, pd.Series) else values
    v = pd.to_numeric(s, errors="coerce")
    bad = v.isna() | (v < lo) | (v > hi)
    if integer:
        bad |= v.notna() & (v != np.floor(v))
    if bad.any():
        rows = list(s.index[bad.to_numpy()][:5])
        raise CRMDataError(name, f"answers must be {'whole ' if integer else ''}numbers in [{lo:g}, {hi:g}]",
                           rows, detail=f"values {[s.loc[r] for r in rows]!r}")
    if len(v) == 0:
        raise CRMDataError(name, "no answers")
    return v.to_numpy(dtype=float)


def nps(scores) -> float:
    """Net Promoter Score from 0–10 "would you recommend us?" answers.

    NPS = 100 · (share of promoters (9–10) − share of detractors (0–6)); between
    −100 and 100. Passives (7–8) count in the denominator only.

    Example
    -------
    >>> nps([10, 9, 8, 7, 6, 0, 10, 9, 9, 3])   # 5 promoters, 3 detractors of 10 → 100·(0.5 − 0.3)
    20.0
    """
    v = _scores(scores, "nps", 0, 10, integer=True)
    return float(100.0 * ((v >= 9).mean() - (v <= 6).mean()))


def satisfaction_index(scores, scale: tuple[float, float] = (1, 5)) -> float:
    """Customer satisfaction index on 0–100 from answers on a rating scale.

    CSI = 100 · (mean answer − low) / (high − low); 1–5 answers averaging 4 give 75.

    Example
    -------
    >>> satisfaction_index([5, 4, 4, 3])   # mean 4 → 100·(4 − 1)/(5 − 1)
    75.0
    """
    lo, hi = float(scale[0]), float(scale[1])
    if not hi > lo:
        raise CRMDataError("scale", "need (low, high) with high > low", detail=f"got {scale!r}")
    v = _scores(scores, "satisfaction", lo, hi)
    return float(100.0 * (v.mean() - lo) / (hi - lo))


def repeat_purchase_rate(tx: pd.DataFrame, *, customer: str = "customer_id", date: str = "date",
                         order_id: str | None = "order_id") -> float:
    """Share of customers with at least two orders.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": ["2024-01-01"] * 4})
    >>> round(repeat_purchase_rate(tx), 4)   # only customer 1 bought twice: 1/3
    0.3333
    """
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=order_id)
    orders = t.groupby(customer).size()
    return float((orders >= 2).mean())


def _window(period, name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(start inclusive, end exclusive) of a period given as a Period, 'YYYY-MM'-like string or a pair."""
    if isinstance(period, tuple) and len(period) == 2:
        start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1])
        if not start < end:
            raise CRMDataError(name, "period start must be before its end", detail=f"got {period!r}")
        return start, end
    try:
        p = period if isinstance(period, pd.Period) else pd.Period(period)
    except (TypeError, ValueError):
        raise CRMDataError(name, "not a period: use a pandas Period, '2024-03', '2024Q1' or (start, end)",
                           detail=f"got {period!r}") from None
    return p.start_time, (p + 1).start_time


def retention_rate(tx: pd.DataFrame, previous, current, *, customer: str = "customer_id", date: str = "date",
                   order_id: str | None = "order_id") -> float:
    """Share of the customers who bought in ``previous`` that buy again in ``current``.

    retention = |buyers(previous) ∩ buyers(current)| / |buyers(previous)|. Periods
    are pandas Periods, strings like ``"2024-03"`` / ``"2024Q1"``, or
    ``(start, end)`` pairs (end exclusive). Choose periods longer than the usual
    purchase cycle, or occasional buyers look like churners.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 3, 1, 3], "date": ["2024-01-05", "2024-01-09",
    ...                    "2024-01-20", "2024-02-02", "2024-02-25"]})
    >>> round(retention_rate(tx, "2024-01", "2024-02"), 4)   # 1 and 3 of {1, 2, 3} came back
    0.6667
    """
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=order_id)
    p0, p1 = _window(previous, "previous"), _window(current, "current")
    before = set(t.loc[(t[date] >= p0[0]) & (t[date] < p0[1]), customer])
    if not before:
        raise CRMDataError("previous", "no customer bought in the previous period", detail=f"{p0[0]} – {p0[1]}")
    after = set(t.loc[(t[date] >= p1[0]) & (t[date] < p1[1]), customer])
    return len(before & after) / len(before)


def churn_rate(tx: pd.DataFrame, previous, current, **kwargs) -> float:
    """1 − :func:`retention_rate`: share of ``previous`` buyers who did not buy in ``current``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 1], "date": ["2024-01-05", "2024-01-09", "2024-02-02"]})
    >>> churn_rate(tx, "2024-01", "2024-02")   # customer 2 did not come back: 1/2
    0.5
    """
    return 1.0 - retention_rate(tx, previous, current, **kwargs)


def loyalty_class(
    tx: pd.DataFrame,
    surveys: pd.DataFrame,
    *,
    min_orders: int = 2,
    satisfied_at: float = 4.0,
    promoter_at: float = 9.0,
    customer: str = "customer_id",
    date: str = "date",
    order_id: str | None = "order_id",
    satisfaction: str | None = "satisfaction",
    nps_column: str | None = "nps",
) -> pd.DataFrame:
    """Classify customers by behavioural × attitudinal loyalty (see the module table).

    * behaviour: ``repeat`` = at least ``min_orders`` orders in ``tx``;
    * attitude: ``positive`` = mean satisfaction ≥ ``satisfied_at`` (1–5 scale)
      **or** mean NPS answer ≥ ``promoter_at`` (0–10), over the customer's
      survey answers. Set ``satisfaction=None`` or ``nps_column=None`` to use
      only one of the two.

    Survey answers of people who never bought (not in ``tx``) are not used.

    Returns
    -------
    DataFrame indexed by customer (everyone in ``tx``)
        ``orders``, ``repeat``, ``mean_satisfaction``, ``mean_nps`` (NaN when not
        surveyed), ``positive`` (bool, False when unsurveyed), ``loyalty``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3, 4], "date": ["2024-01-01"] * 6})
    >>> sv = pd.DataFrame({"customer_id": [1, 2, 3], "date": ["2024-02-01"] * 3,
    ...                    "satisfaction": [5, 5, 2], "nps": [9, 10, 3]})
    >>> loyalty_class(tx, sv)["loyalty"].tolist()
    ['loyal', 'latent', 'spurious', 'unsurveyed']
    """
    if satisfaction is None and nps_column is None:
        raise CRMDataError("satisfaction", "need a satisfaction or an nps column for the attitude")
    min_orders = check_int("min_orders", min_orders, minimum=1)
    satisfied_at = check_number("satisfied_at", satisfied_at, minimum=1, maximum=5)
    promoter_at = check_number("promoter_at", promoter_at, minimum=0, maximum=10)
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=order_id)
    if not isinstance(surveys, pd.DataFrame):
        raise CRMDataError("surveys", "must be a DataFrame", detail=f"got {type(surveys).__name__}")
    for col in [customer] + [c for c in (satisfaction, nps_column) if c is not None]:
        if col not in surveys.columns:
            raise CRMDataError(col, "missing column in surveys", detail=f"columns present: {list(surveys.columns)}")
    orders = t.groupby(customer).size()
    out = pd.DataFrame({"orders": orders.astype(np.int64)})
    out["repeat"] = out["orders"] >= min_orders
    positive = pd.Series(False, index=out.index)
    surveyed = pd.Series(False, index=out.index)
    for col, lo, hi, threshold, name in ((satisfaction, 1, 5, satisfied_at, "mean_satisfaction"),
                                         (nps_column, 0, 10, promoter_at, "mean_nps")):
        if col is None:
            out[name] = np.nan
            continue
        answered = surveys[surveys[col].notna()]
        if len(answered):
            _scores(answered[col], col, lo, hi)
        means = answered.groupby(customer)[col].mean().astype(float).reindex(out.index)
        out[name] = means
        surveyed |= means.notna()
        positive |= means >= threshold
    out["positive"] = positive.astype(bool)
    label = np.where(out["repeat"], np.where(out["positive"], "loyal", "spurious"),
                     np.where(out["positive"], "latent", "no loyalty"))
    label = np.where(surveyed.to_numpy(), label, "unsurveyed")
    out["loyalty"] = pd.Categorical(label, categories=list(LOYALTY_CLASSES))
    return out
