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

The source texts describe loyalty as a ladder of three levels (认知 · 情感 · 行为):
*cognitive* loyalty rests on what the customer knows (price, features: "we are
the better deal"), *emotional* loyalty on liking the firm, *behavioural* loyalty
is liking that has become action — the customer keeps buying. :func:`loyalty_level`
places each customer on that ladder from the same observable data and maps it to
Dick & Basu's grid (:data:`LEVEL_OF_CLASS`):

=====================  ==========================  ===========================================
source level           Dick & Basu class           observable rule
=====================  ==========================  ===========================================
behavioural (行为)     loyal                       repeat buyer **and** positive attitude
emotional (情感)       latent                      positive attitude, not (yet) a repeat buyer
cognitive (认知)       spurious                    repeat buyer without a positive attitude
none                   no loyalty                  neither
=====================  ==========================  ===========================================

Repeat buying without liking stays *cognitive*: it lasts while the deal (price,
the cost of switching) holds, and ends when a competitor offers a better one.

Survey statistics are estimates from a sample: :func:`nps_interval`,
:func:`satisfaction_index_interval` and :func:`nps_change_interval` give a
bootstrap confidence interval, and :func:`churn_after` links each survey answer
or service ticket to whether the customer really left in the following days.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.data import select_transactions
from crmlab.errors import CRMDataError, check_int, check_number

__all__ = ["nps", "satisfaction_index", "repeat_purchase_rate", "retention_rate", "churn_rate",
           "loyalty_class", "LOYALTY_CLASSES", "loyalty_level", "LOYALTY_LEVELS", "LEVEL_OF_CLASS",
           "BootstrapInterval", "nps_interval", "satisfaction_index_interval", "nps_change_interval",
           "churn_after"]

LOYALTY_CLASSES = ("loyal", "latent", "spurious", "no loyalty", "unsurveyed")
#: the source texts' loyalty levels (top of the ladder first), and ``none`` / ``unsurveyed``
LOYALTY_LEVELS = ("behavioural", "emotional", "cognitive", "none", "unsurveyed")
#: Dick & Basu class → source level (the table in the module docstring)
LEVEL_OF_CLASS = {"loyal": "behavioural", "latent": "emotional", "spurious": "cognitive",
                  "no loyalty": "none", "unsurveyed": "unsurveyed"}


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


def loyalty_level(tx: pd.DataFrame, surveys: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """The source texts' loyalty level of every customer, beside Dick & Basu's class.

    Same arguments and rule as :func:`loyalty_class` (behaviour = at least
    ``min_orders`` orders; attitude = mean satisfaction ≥ ``satisfied_at`` or
    mean NPS answer ≥ ``promoter_at``); the class is then mapped to a level by
    :data:`LEVEL_OF_CLASS`: loyal → behavioural, latent → emotional,
    spurious → cognitive, no loyalty → none (see the module table).

    Returns
    -------
    DataFrame indexed by customer
        The columns of :func:`loyalty_class` plus ``level`` (categorical, in the
        order of :data:`LOYALTY_LEVELS`).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3, 4], "date": ["2024-01-01"] * 6})
    >>> sv = pd.DataFrame({"customer_id": [1, 2, 3], "date": ["2024-02-01"] * 3,
    ...                    "satisfaction": [5, 5, 2], "nps": [9, 10, 3]})
    >>> loyalty_level(tx, sv)["level"].tolist()
    ['behavioural', 'emotional', 'cognitive', 'unsurveyed']
    """
    out = loyalty_class(tx, surveys, **kwargs)
    levels = out["loyalty"].astype(str).map(LEVEL_OF_CLASS)
    out["level"] = pd.Categorical(levels, categories=list(LOYALTY_LEVELS))
    return out


# ---------------------------------------------------------------- survey statistics with their noise

@dataclass(frozen=True)
class BootstrapInterval:
    """An estimate with its percentile-bootstrap confidence interval.

    ``estimate`` is the statistic on the data as given; ``low``/``high`` the
    ``(1 − level)/2`` and ``(1 + level)/2`` quantiles of the statistic over
    ``n_boot`` resamples (drawn with replacement, same size as the data).
    ``x in interval`` is True when ``low ≤ x ≤ high``.
    """

    estimate: float
    low: float
    high: float
    level: float
    n: int
    n_boot: int
    seed: int

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def half_width(self) -> float:
        """(high − low) / 2: the "±" of the interval."""
        return (self.high - self.low) / 2.0

    def __str__(self) -> str:
        return f"{self.estimate:.1f} ({self.level:.0%} interval {self.low:.1f} to {self.high:.1f}, n = {self.n})"


def _boot_args(n_boot, seed, level) -> tuple[int, int, float]:
    n_boot = check_int("n_boot", n_boot, minimum=100)
    seed = check_int("seed", seed, minimum=0)
    level = check_number("level", level, minimum=0.5, maximum=0.999)
    return n_boot, seed, level


def _resampled(v: np.ndarray, rng: np.random.Generator, n_boot: int) -> np.ndarray:
    """``n_boot`` resamples of ``v`` with replacement, one per row."""
    return v[rng.integers(0, len(v), size=(n_boot, len(v)))]


def _nps_rows(answers: np.ndarray) -> np.ndarray:
    """NPS of each row of a 2-D array of 0–10 answers."""
    return 100.0 * ((answers >= 9).mean(axis=1) - (answers <= 6).mean(axis=1))


def _interval(estimate: float, stats: np.ndarray, level: float, n: int, n_boot: int, seed: int) -> BootstrapInterval:
    low, high = np.quantile(stats, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return BootstrapInterval(float(estimate), float(low), float(high), level, n, n_boot, seed)


def nps_interval(scores, *, n_boot: int = 2000, seed: int = 0, level: float = 0.95) -> BootstrapInterval:
    """NPS (see :func:`nps`) with a percentile-bootstrap confidence interval.

    The survey is a sample of the customers: draw ``n_boot`` samples of the same
    size from the answers *with replacement*, compute the NPS of each, and keep
    the middle ``level`` share of those NPS values. The same ``seed`` gives the
    same interval. With n answers the interval is roughly ±2·sd/√n where sd is
    the spread of the 100/0/−100 scores — about ±5 points for 900 answers.

    Example
    -------
    >>> iv = nps_interval([10] * 30 + [8] * 40 + [3] * 30, seed=1)   # 30 promoters, 30 detractors
    >>> iv.estimate, iv.low < 0 < iv.high
    (0.0, True)
    """
    n_boot, seed, level = _boot_args(n_boot, seed, level)
    v = _scores(scores, "nps", 0, 10, integer=True)
    stats = _nps_rows(_resampled(v, np.random.default_rng(seed), n_boot))
    return _interval(nps(v), stats, level, len(v), n_boot, seed)


def satisfaction_index_interval(scores, scale: tuple[float, float] = (1, 5), *, n_boot: int = 2000, seed: int = 0,
                                level: float = 0.95) -> BootstrapInterval:
    """Satisfaction index (see :func:`satisfaction_index`) with a percentile-bootstrap interval.

    Example
    -------
    >>> iv = satisfaction_index_interval([5, 4, 4, 3] * 25, seed=1)   # mean 4 → 75
    >>> iv.estimate, 70 < iv.low < 75 < iv.high < 80
    (75.0, True)
    """
    n_boot, seed, level = _boot_args(n_boot, seed, level)
    estimate = satisfaction_index(scores, scale)           # checks the scale and the answers
    lo, hi = float(scale[0]), float(scale[1])
    v = _scores(scores, "satisfaction", lo, hi)
    stats = 100.0 * (_resampled(v, np.random.default_rng(seed), n_boot).mean(axis=1) - lo) / (hi - lo)
    return _interval(estimate, stats, level, len(v), n_boot, seed)


def nps_change_interval(before, after, *, n_boot: int = 2000, seed: int = 0,
                        level: float = 0.95) -> BootstrapInterval:
    """Change of NPS from one survey to another, NPS(after) − NPS(before), with a bootstrap interval.

    Each survey is resampled on its own (two independent samples of
    customers); the interval holds the middle ``level`` share of the resampled
    changes. When it contains 0, the change can be noise: two surveys of the
    same customers would often differ that much. ``n`` is the smaller survey.

    Example
    -------
    >>> iv = nps_change_interval([10] * 50 + [3] * 50, [10] * 55 + [3] * 45, seed=1)   # 0 → +10
    >>> round(iv.estimate, 6), 0 in iv
    (10.0, True)
    """
    n_boot, seed, level = _boot_args(n_boot, seed, level)
    a = _scores(before, "before", 0, 10, integer=True)
    b = _scores(after, "after", 0, 10, integer=True)
    rng = np.random.default_rng(seed)
    stats = _nps_rows(_resampled(b, rng, n_boot)) - _nps_rows(_resampled(a, rng, n_boot))
    return _interval(nps(b) - nps(a), stats, level, min(len(a), len(b)), n_boot, seed)


def churn_after(events: pd.DataFrame, truth: pd.DataFrame, *, date: str, horizon_end, days: int = 365,
                customer: str = "customer_id") -> pd.DataFrame:
    """Did the customer really leave within ``days`` after each event (a survey answer, a ticket)?

    ``churned_within`` = the customer's true churn date (``truth.churn_date``) is
    in (event date, event date + ``days``]. Only events whose window ends by
    ``horizon_end`` (the last day the truth covers: the data card's
    ``holdout_end``) are kept — for later ones the answer is not known yet.
    Comparing events *from the same moment on* is fair to every customer: a
    count of complaints per customer is not (customers who stay longer have more
    time to complain).

    The simulator's ``truth`` is used to score what surveys and tickets foretell;
    a firm would wait and use its own churn label instead.

    Returns
    -------
    DataFrame
        The kept rows of ``events`` (a copy) with ``churned_within`` (bool).

    Example
    -------
    >>> ev = pd.DataFrame({"customer_id": [1, 2, 3], "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-12-01"])})
    >>> tr = pd.DataFrame({"customer_id": [1, 2, 3], "churn_date": pd.to_datetime(["2024-03-01", None, "2024-12-05"])})
    >>> churn_after(ev, tr, date="date", horizon_end="2024-12-31", days=90)["churned_within"].tolist()
    [True, False]
    """
    days = check_int("days", days, minimum=1)
    for col in (customer, date):
        if col not in events.columns:
            raise CRMDataError(col, "missing column in events", detail=f"columns present: {list(events.columns)}")
    for col in (customer, "churn_date"):
        if col not in truth.columns:
            raise CRMDataError(col, "missing column in truth", detail=f"columns present: {list(truth.columns)}")
    try:
        end = pd.Timestamp(horizon_end)
    except (TypeError, ValueError):
        raise CRMDataError("horizon_end", "not a date", detail=f"got {horizon_end!r}") from None
    if pd.isna(end):
        raise CRMDataError("horizon_end", "not a date", detail=f"got {horizon_end!r}")
    when = pd.to_datetime(events[date])
    window = pd.Timedelta(days=days)
    out = events.loc[(when + window <= end).to_numpy()].copy()
    when = pd.to_datetime(out[date])
    churn_date = out[customer].map(truth.set_index(customer)["churn_date"])
    out["churned_within"] = ((churn_date > when) & (churn_date <= when + window)).fillna(False).astype(bool)
    return out
