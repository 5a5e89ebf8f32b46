"""Customer lifecycle from transactions alone: stages, transitions, cohorts, win-back.

A firm cannot see the simulator's hidden stages; it sees purchases. This module
reads an **observable stage** off the purchase history at any date ``at``, using
only transactions on or before ``at``:

========  ===============================================================
stage     rule (``age`` = days since first purchase, ``silence`` = days
          since last purchase, both at ``at``)
========  ===============================================================
new       age < ``new_days`` (default 30): just acquired
active    not new and silence < ``dormant_after`` (default
          :data:`DORMANT_AFTER_DAYS` = 120)
dormant   ``dormant_after`` ≤ silence < ``lost_after`` (default
          :data:`LOST_AFTER_DAYS` = 365)
lost      silence ≥ ``lost_after``
========  ===============================================================

Customers with no purchase by ``at`` are not yet customers and do not appear
(in a transition matrix they are the row ``"none"``). The thresholds are
choices, not facts: pick them from the typical purchase cycle of the shop
(a dormant customer is one who has been silent much longer than usual).

The course uses one definition everywhere: :data:`DORMANT_AFTER_DAYS` and
:data:`LOST_AFTER_DAYS` are the defaults of every function here and of the
simulator's scenarios (``sim.config.Scenario``), and every chapter reads them
from this module rather than typing a number.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.data import end_of_day, parse_date, resolve_as_of, select_transactions
from crmlab.errors import CRMDataError, check_positive

__all__ = ["DORMANT_AFTER_DAYS", "LOST_AFTER_DAYS", "OBSERVABLE_STAGES", "stage_at", "transition_matrix", "cohort_table", "retention_curve", "winback_rate",
           "value_by_stage", "FUNNEL_STEPS", "funnel_counts"]

#: days of silence (since the last purchase) after which a customer counts as dormant — the course's one definition
DORMANT_AFTER_DAYS = 120
#: days of silence after which a customer counts as lost
LOST_AFTER_DAYS = 365

#: the stages this module reads off purchases (the simulator's funnel stages are crmlab.schema.STAGES)
OBSERVABLE_STAGES = ("new", "active", "dormant", "lost")
_STAGE_DTYPE = pd.CategoricalDtype(list(OBSERVABLE_STAGES), ordered=True)


def _thresholds(new_days, dormant_after, lost_after) -> tuple[float, float, float]:
    n = check_positive("new_days", new_days, allow_zero=True)
    d = check_positive("dormant_after", dormant_after)
    lost = check_positive("lost_after", lost_after)
    if not n <= d < lost:
        raise CRMDataError("dormant_after", "need new_days ≤ dormant_after < lost_after",
                           detail=f"got new_days={new_days}, dormant_after={dormant_after}, lost_after={lost_after}")
    return n, d, lost


def _stages(t: pd.DataFrame, at: pd.Timestamp, customer: str, date: str,
            n: float, d: float, lost: float) -> pd.DataFrame:
    upto = t[t[date] <= at]
    g = upto.groupby(customer, sort=True)[date]
    first, last, orders = g.min(), g.max(), g.size()
    day = pd.Timedelta(days=1)
    age = ((at - first) / day).to_numpy(dtype=float)
    silence = ((at - last) / day).to_numpy(dtype=float)
    stage = np.where(age < n, "new", np.where(silence < d, "active", np.where(silence < lost, "dormant", "lost")))
    return pd.DataFrame({"first_purchase": first, "last_purchase": last, "orders": orders.astype(np.int64),
                         "age_days": age, "silence_days": silence,
                         "stage": pd.Categorical(stage, dtype=_STAGE_DTYPE)}, index=first.index)


def stage_at(
    tx: pd.DataFrame,
    at,
    *,
    new_days: float = 30,
    dormant_after: float = DORMANT_AFTER_DAYS,
    lost_after: float = LOST_AFTER_DAYS,
    customer: str = "customer_id",
    date: str = "date",
    order_id: str | None = "order_id",
) -> pd.DataFrame:
    """Observable lifecycle stage of every customer who has bought by ``at``.

    Parameters
    ----------
    tx : DataFrame
        Transactions (only ``customer`` and ``date`` are used; never modified).
        Rows after ``at`` are ignored (they are the future seen from ``at``).
    at : date-like
        The date at which stages are read.
    new_days, dormant_after, lost_after : float
        Thresholds in days, see the module docstring.

    Returns
    -------
    DataFrame indexed by customer
        ``first_purchase``, ``last_purchase``, ``orders``, ``age_days``,
        ``silence_days`` and ``stage`` (ordered categorical new < active <
        dormant < lost).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2, 3], "date": ["2024-06-20", "2024-01-01",
    ...                    "2024-05-01", "2023-01-01"]})
    >>> stage_at(tx, "2024-07-01")["stage"].tolist()   # 11 days old; silent 61 days; silent 547 days
    ['new', 'active', 'lost']
    """
    n, d, lost = _thresholds(new_days, dormant_after, lost_after)
    at_ts = parse_date("at", at)
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=order_id)
    out = _stages(t, at_ts, customer, date, n, d, lost)
    if len(out) == 0:
        raise CRMDataError(date, f"no purchase on or before at={at_ts.date()}")
    return out


def transition_matrix(
    tx: pd.DataFrame,
    start,
    end,
    *,
    normalize: bool = False,
    new_days: float = 30,
    dormant_after: float = DORMANT_AFTER_DAYS,
    lost_after: float = LOST_AFTER_DAYS,
    customer: str = "customer_id",
    date: str = "date",
    order_id: str | None = "order_id",
) -> pd.DataFrame:
    """Stage at ``start`` (rows) × stage at ``end`` (columns).

    Rows are ``none`` (not yet a customer at ``start``), ``new``, ``active``,
    ``dormant``, ``lost``; columns ``new``, ``active``, ``dormant``, ``lost``.
    Every customer who has bought by ``end`` is counted once. With
    ``normalize=True`` each row is divided by its total (rows with no customers
    stay 0), giving the share of ``start``-stage customers in each ``end`` stage.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-01", "2024-06-01", "2024-02-10"]})
    >>> m = transition_matrix(tx, "2024-02-01", "2024-06-15")
    >>> # 1: active on 1 Feb (31 days old), active on 15 Jun (bought 14 days before);
    >>> # 2: not a customer on 1 Feb, dormant on 15 Jun (silent 126 days ≥ 120)
    >>> int(m.loc["active", "active"]), int(m.loc["none", "dormant"]), int(m.to_numpy().sum())
    (1, 1, 2)
    """
    n, d, lost = _thresholds(new_days, dormant_after, lost_after)
    s, e = parse_date("start", start), parse_date("end", end)
    if not s < e:
        raise CRMDataError("end", "must be after start", detail=f"start={s.date()}, end={e.date()}")
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=order_id)
    before = _stages(t, s, customer, date, n, d, lost)["stage"]
    after = _stages(t, e, customer, date, n, d, lost)["stage"]
    if len(after) == 0:
        raise CRMDataError(date, f"no purchase on or before end={e.date()}")
    rows = before.astype(str).reindex(after.index).fillna("none")
    table = pd.crosstab(pd.Categorical(rows, categories=["none", *OBSERVABLE_STAGES]),
                        pd.Categorical(after.astype(str), categories=list(OBSERVABLE_STAGES)), dropna=False)
    table.index = pd.Index(["none", *OBSERVABLE_STAGES], name="from")
    table.columns = pd.Index(list(OBSERVABLE_STAGES), name="to")
    table = table.astype(np.int64)
    if normalize:
        totals = table.sum(axis=1)
        return table.div(totals.where(totals > 0, 1), axis=0)
    return table


def _month_number(dates: pd.Series) -> np.ndarray:
    return (dates.dt.year.to_numpy() * 12 + dates.dt.month.to_numpy() - 1).astype(np.int64)


def cohort_table(
    tx: pd.DataFrame,
    *,
    as_of=None,
    normalize: bool = True,
    customer: str = "customer_id",
    date: str = "date",
    order_id: str | None = "order_id",
) -> pd.DataFrame:
    """Cohort retention: acquisition month × months since acquisition.

    A customer's cohort is the calendar month of their first purchase. Cell
    (c, k) counts the cohort-c customers who bought at least once in calendar
    month c + k; with ``normalize=True`` it is divided by the cohort size, so
    column 0 is 1.0. Cells after the month of ``as_of`` (default: the last date
    in ``tx``) are not observed yet and are NaN — not zero.

    Returns
    -------
    DataFrame
        Index: cohort month (``pandas.Period``, name ``cohort``), columns
        0, 1, …, K (``months_since``).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": ["2024-01-05", "2024-02-10",
    ...                    "2024-01-20", "2024-02-01"]})
    >>> cohort_table(tx).to_numpy().tolist()   # Jan: 2 customers, 1 back in Feb; Feb: 1, March unseen
    [[1.0, 0.5], [1.0, nan]]
    """
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=order_id, as_of=as_of)
    end = resolve_as_of(as_of, t[date])
    month = _month_number(t[date])
    cust = t[customer].to_numpy()
    frame = pd.DataFrame({"c": cust, "m": month})
    first = frame.groupby("c", sort=False)["m"].transform("min").to_numpy()
    frame["cohort"] = first
    frame["k"] = month - first
    counts = frame.drop_duplicates(["c", "k"]).groupby(["cohort", "k"]).size().unstack("k", fill_value=0)
    end_month = end.year * 12 + end.month - 1
    cohorts = np.arange(counts.index.min(), end_month + 1)
    max_k = end_month - counts.index.min()
    counts = counts.reindex(index=cohorts, columns=np.arange(0, max_k + 1), fill_value=0).astype(float)
    observed = (cohorts[:, None] + np.arange(0, max_k + 1)[None, :]) <= end_month
    sizes = counts[0].to_numpy()
    values = counts.to_numpy()
    if normalize:
        with np.errstate(invalid="ignore", divide="ignore"):
            values = values / sizes[:, None]
    values = np.where(observed, values, np.nan)
    keep = sizes > 0
    index = pd.PeriodIndex([pd.Period(year=int(c // 12), month=int(c % 12) + 1, freq="M") for c in cohorts[keep]],
                           name="cohort")
    return pd.DataFrame(values[keep], index=index, columns=pd.Index(np.arange(0, max_k + 1), name="months_since"))


def retention_curve(
    tx: pd.DataFrame,
    *,
    as_of=None,
    customer: str = "customer_id",
    date: str = "date",
    order_id: str | None = "order_id",
) -> pd.Series:
    """Share of customers buying k months after their first month, pooled over cohorts.

    ``curve_k = Σ_c buyers(c, k) / Σ_c size(c)`` over the cohorts c whose month
    c + k is observed (a size-weighted mean of the cohort table's column k).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": ["2024-01-05", "2024-02-10",
    ...                    "2024-01-20", "2024-02-01"]})
    >>> retention_curve(tx).tolist()   # k=1: only the January cohort is observed, 1 of 2
    [1.0, 0.5]
    """
    counts = cohort_table(tx, as_of=as_of, normalize=False, customer=customer, date=date, order_id=order_id)
    sizes = counts[0].to_numpy()
    values = counts.to_numpy()
    observed = ~np.isnan(values)
    num = np.where(observed, values, 0.0).sum(axis=0)
    den = (observed * sizes[:, None]).sum(axis=0)
    return pd.Series(num / den, index=counts.columns, name="retention")


def winback_rate(
    tx: pd.DataFrame,
    at,
    window_days: float = 90,
    *,
    stages: tuple[str, ...] = ("dormant",),
    observation_end=None,
    new_days: float = 30,
    dormant_after: float = DORMANT_AFTER_DAYS,
    lost_after: float = LOST_AFTER_DAYS,
    customer: str = "customer_id",
    date: str = "date",
    order_id: str | None = "order_id",
) -> dict:
    """Share of dormant customers at ``at`` who buy again within ``window_days``.

    ``win-back rate = #(stage at `at` in stages, and a purchase in (at, at + window])
    / #(stage at `at` in stages)``.

    The window must be fully observed: ``at + window_days`` may not pass
    the end of the ``observation_end`` day (default: the day of the last date in
    ``tx``; the day is observed to its end), otherwise customers
    who would still come back would be counted as not won back.

    Returns
    -------
    dict
        ``eligible`` (customers in ``stages`` at ``at``), ``won_back``, ``rate``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": ["2024-01-01", "2024-05-20",
    ...                    "2023-12-20", "2024-06-30"]})
    >>> winback_rate(tx, "2024-05-01", 60)   # 1 and 2 dormant on 1 May (silent 121, 133 days); 1 buys on 20 May
    {'eligible': 2, 'won_back': 1, 'rate': 0.5}
    """
    n, d, lost = _thresholds(new_days, dormant_after, lost_after)
    bad = [s for s in stages if s not in OBSERVABLE_STAGES]
    if bad or not stages:
        raise CRMDataError("stages", f"must be a non-empty subset of {OBSERVABLE_STAGES}", detail=f"got {stages!r}")
    at_ts = parse_date("at", at)
    w = check_positive("window_days", window_days)
    t = select_transactions(tx, customer=customer, date=date, amount=None, order_id=order_id)
    end = end_of_day(resolve_as_of(observation_end, t[date]))
    stop = at_ts + pd.Timedelta(days=w)
    if stop > end:
        raise CRMDataError("window_days", "win-back window runs past the observation end",
                           detail=f"at + window = {stop} > end of observation_end day = {end}")
    st = _stages(t, at_ts, customer, date, n, d, lost)
    eligible = st.index[st["stage"].astype(str).isin(stages)]
    if len(eligible) == 0:
        raise CRMDataError("stages", f"no customer is {'/'.join(stages)} at {at_ts.date()}")
    later = t[(t[date] > at_ts) & (t[date] <= stop)][customer].unique()
    won = int(pd.Index(eligible).isin(later).sum())
    return {"eligible": int(len(eligible)), "won_back": won, "rate": won / len(eligible)}


def value_by_stage(
    tx: pd.DataFrame,
    at,
    window_days: float = 365,
    *,
    observation_end=None,
    new_days: float = 30,
    dormant_after: float = DORMANT_AFTER_DAYS,
    lost_after: float = LOST_AFTER_DAYS,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    order_id: str | None = "order_id",
) -> pd.DataFrame:
    """How much customers in each stage at ``at`` spent before it and spend after it.

    For the customers in each observable stage at ``at`` (see :func:`stage_at`):
    ``revenue_before`` = Σ amount in the ``window_days`` up to and including ``at``,
    ``revenue_after`` = Σ amount in (at, at + window_days], and both per customer.
    ``revenue_after`` needs the whole window observed: it is left out when
    ``at + window_days`` passes the end of the ``observation_end`` day (default: the
    day of the last date in ``tx``).

    Returns
    -------
    DataFrame indexed by stage (new, active, dormant, lost)
        ``customers``, ``share``, ``revenue_before``, ``revenue_before_per_customer``
        and, when observed, ``revenue_after``, ``revenue_after_per_customer``
        (NaN per customer for a stage with no customers).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [10., 20., 5., 40.],
    ...                    "date": ["2024-01-01", "2024-05-20", "2023-12-01", "2024-07-30"]})
    >>> v = value_by_stage(tx, "2024-06-01", 60, observation_end="2024-08-01")
    >>> v.loc[["active", "dormant"], "revenue_after"].tolist()   # 1 bought nothing more; 2 spent 40
    [0.0, 40.0]
    """
    n, d, lost = _thresholds(new_days, dormant_after, lost_after)
    at_ts = parse_date("at", at)
    w = check_positive("window_days", window_days)
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id)
    end = end_of_day(resolve_as_of(observation_end, t[date]))
    st = _stages(t, at_ts, customer, date, n, d, lost)
    if len(st) == 0:
        raise CRMDataError(date, f"no purchase on or before at={at_ts.date()}")
    span = pd.Timedelta(days=w)
    stage_of = st["stage"].astype(str)
    out = pd.DataFrame(index=pd.Index(list(OBSERVABLE_STAGES), name="stage"))
    out["customers"] = stage_of.value_counts().reindex(out.index, fill_value=0).astype(np.int64)
    out["share"] = out["customers"] / out["customers"].sum()
    windows = {"before": (t[date] > at_ts - span) & (t[date] <= at_ts)}
    if at_ts + span <= end:
        windows["after"] = (t[date] > at_ts) & (t[date] <= at_ts + span)
    for name, mask in windows.items():
        part = t.loc[mask & t[customer].isin(st.index)]
        revenue = part[amount].groupby(stage_of.reindex(part[customer]).to_numpy()).sum()
        out[f"revenue_{name}"] = revenue.reindex(out.index, fill_value=0.0).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"revenue_{name}_per_customer"] = (out[f"revenue_{name}"]
                                                   / out["customers"].where(out["customers"] > 0))
    return out


#: the steps of the lifecycle funnel counted by :func:`funnel_counts`
FUNNEL_STEPS = ("target", "prospect", "opportunity", "customer", "dormant", "won back")


def funnel_counts(stages: pd.DataFrame, *, customer: str = "customer_id") -> pd.Series:
    """How many people ever reached each step of the lifecycle funnel.

    Reads a stage-change log (the event log's ``stages`` table: ``customer``,
    ``from_stage``, ``to_stage``; the stages of :data:`crmlab.schema.STAGES`) and
    counts distinct people:

    * ``target``: everybody in the log (every person starts as a target);
    * ``prospect``, ``opportunity``, ``dormant``: who ever moved *to* that stage;
    * ``customer``: who ever became a customer from target or opportunity (the first order);
    * ``won back``: who moved from dormant or lost back to customer.

    Example
    -------
    >>> log = pd.DataFrame({"customer_id": [1, 2, 1, 1, 1, 1, 3],
    ...     "from_stage": ["target", "target", "prospect", "opportunity", "customer", "dormant", "target"],
    ...     "to_stage": ["prospect", "prospect", "opportunity", "customer", "dormant", "customer", "prospect"]})
    >>> funnel_counts(log).tolist()   # 3 targets and prospects; 1 opportunity, customer, dormant, won back
    [3, 3, 1, 1, 1, 1]
    """
    if not isinstance(stages, pd.DataFrame):
        raise CRMDataError("stages", "must be a DataFrame (the event log's stages table)",
                           detail=f"got {type(stages).__name__}")
    for col in (customer, "from_stage", "to_stage"):
        if col not in stages.columns:
            raise CRMDataError(col, "missing column in stages", detail=f"columns present: {list(stages.columns)}")
    ids, src, dst = stages[customer], stages["from_stage"].astype(str), stages["to_stage"].astype(str)

    def people(mask) -> int:
        return int(ids[mask].nunique())

    counts = [int(ids.nunique()), people(dst == "prospect"), people(dst == "opportunity"),
              people((dst == "customer") & src.isin(["target", "opportunity"])), people(dst == "dormant"),
              people((dst == "customer") & src.isin(["dormant", "lost"]))]
    return pd.Series(counts, index=pd.Index(list(FUNNEL_STEPS), name="step"), name="people", dtype=np.int64)
