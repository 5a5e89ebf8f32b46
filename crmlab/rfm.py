"""RFM analysis: recency, frequency and monetary value from purchase history alone.

Arthur Hughes' RFM method scores every customer 1–5 on three numbers taken from
the transactions table:

* **recency** ``R`` — days from the customer's last purchase to the analysis
  date ``as_of`` (fewer days is better, so the most recent fifth scores 5);
* **frequency** ``F`` — number of orders (rows) in the table;
* **monetary** ``M`` — total spend (``monetary="total"``) or mean spend per order
  (``monetary="mean"``).

Scores are quintiles (``bins=5``): customers are ranked from worst to best and the
worst fifth scores 1, the best fifth scores ``bins``.

**Money at cent precision.** Before M is scored, spend is rounded to whole
cents (``round(100 · M)``, :func:`cents`), so the same spend reached by
different float sums (0.1 + 0.2 and 0.3) counts as equal. The ``monetary``
column shows the unrounded value.

**Recency in calendar days.** ``as_of`` names a day, observed to its end (the
rule of :func:`crmlab.data.validate_transactions`): R = as-of day − day of the
last purchase, so an order at 15:00 on the as-of day has recency 0.

**Tie rule.** Equal values always get the same score: the score of the *lowest*
position their tie group occupies. With ``n`` customers and ``rank_min`` the
1-based position of the first member of the tie group in worst-to-best order,

    score = floor(bins · (rank_min − 1) / n) + 1.

When all values are distinct this puts exactly ``n/bins`` customers in each score
(when ``n`` is a multiple of ``bins``); with ties a score may hold more or fewer
customers, or none (e.g. when 60% of customers bought exactly once, they all get
F = 1 and scores 2 and 3 stay empty). A larger value never gets a lower score.

The **cell code** joins the three scores, ``"543"`` = R 5, F 4, M 3. **Segments**
follow a documented map on (R, F) — see :data:`SEGMENT_MAP`.

Break-even targeting (Hughes): mail a test sample, measure the response rate per
cell, and roll out only to cells whose response rate beats the break-even rate
``cost per contact / margin per response`` (:func:`breakeven_rate`,
:func:`rollout`).

Example
-------
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
...                    "date": ["2024-01-01", "2024-03-01", "2024-02-01"],
...                    "amount": [10.0, 30.0, 5.0]})
>>> t = rfm_table(tx, as_of="2024-03-11", bins=2)
>>> t["recency"].tolist(), t["frequency"].tolist(), t["monetary"].tolist(), t["cell"].tolist()
([10, 39], [2, 1], [40.0, 5.0], ['222', '111'])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.data import resolve_as_of, select_transactions
from crmlab.errors import CRMDataError, check_finite, check_int, check_positive

__all__ = ["rfm_table", "rfm_of_valid", "quantile_scores", "SEGMENT_MAP", "segment", "breakeven_rate",
           "rollout", "RolloutPlan", "cents"]


def cents(money) -> np.ndarray:
    """Money as whole cents (int64): ``round(100 · x)``, half to even.

    Amounts are compared at this precision wherever crmlab ranks or cuts
    money (RFM's M score, five-tier amount classes, the whale curve's order),
    so float noise such as ``0.1 + 0.2 = 0.30000000000000004`` never splits a tie.

    >>> cents([0.1 + 0.2, 0.3, 554.86]).tolist()
    [30, 30, 55486]
    """
    return np.round(np.asarray(money, dtype=float) * 100.0).astype(np.int64)


def _segment_map() -> dict[tuple[int, int], str]:
    m: dict[tuple[int, int], str] = {}
    for r in range(1, 6):
        for f in range(1, 6):
            if r <= 2:
                name = "hibernating" if f <= 2 else ("at risk" if f <= 4 else "can't lose them")
            elif r == 3:
                name = "about to sleep" if f <= 2 else ("need attention" if f == 3 else "loyal")
            elif r == 4:
                name = "promising" if f == 1 else ("potential loyalist" if f <= 3 else "loyal")
            else:
                name = "new" if f == 1 else ("potential loyalist" if f <= 3 else "champions")
            m[(r, f)] = name
    return m


SEGMENT_MAP: dict[tuple[int, int], str] = _segment_map()
"""Segment name for every (R score, F score) pair on the 1–5 scale.

========  ===============  ===============  ===============  ===============  ===============
R \\ F     1                2                3                4                5
========  ===============  ===============  ===============  ===============  ===============
5         new              potential loy.   potential loy.   champions        champions
4         promising        potential loy.   potential loy.   loyal            loyal
3         about to sleep   about to sleep   need attention   loyal            loyal
2         hibernating      hibernating      at risk          at risk          can't lose them
1         hibernating      hibernating      at risk          at risk          can't lose them
========  ===============  ===============  ===============  ===============  ===============

Recent, frequent buyers are *champions*; frequent buyers who have gone quiet are
*at risk* (or *can't lose them* at the top frequency); rare buyers who have gone
quiet are *hibernating*. M is left out of the map on purpose: it correlates with
F, and the cell code still carries it.
"""


def quantile_scores(values: pd.Series, bins: int = 5, *, higher_is_better: bool = True) -> pd.Series:
    """Score values 1..bins by quantile with the tie rule of this module.

    ``score = floor(bins · (rank_min − 1) / n) + 1`` where ``rank_min`` is the
    1-based worst-to-best position of the first member of a tie group.

    Example
    -------
    >>> quantile_scores(pd.Series([10, 20, 20, 40]), bins=4).tolist()
    [1, 2, 2, 4]
    """
    bins = check_int("bins", bins, minimum=2)
    n = len(values)
    if n == 0:
        raise CRMDataError(None, "cannot score an empty set of customers")
    v = values.to_numpy(dtype=float)
    if np.isnan(v).any():
        raise CRMDataError(values.name, "cannot score NaN values", list(values.index[np.isnan(v)]))
    scores = _scores(v if higher_is_better else -v, bins)
    return pd.Series(scores, index=values.index, name=values.name)


def segment(r_score, f_score) -> np.ndarray:
    """Segment names for arrays of R and F scores (1–5) using :data:`SEGMENT_MAP`."""
    r = np.asarray(r_score, dtype=np.int64)
    f = np.asarray(f_score, dtype=np.int64)
    if r.size and (r.min() < 1 or r.max() > 5 or f.min() < 1 or f.max() > 5):
        raise CRMDataError("bins", "named segments need scores on the 1–5 scale (bins=5)")
    table = np.empty((6, 6), dtype=object)
    for (ri, fi), name in SEGMENT_MAP.items():
        table[ri, fi] = name
    return table[r, f]


def rfm_table(
    tx: pd.DataFrame,
    as_of=None,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    order_id: str | None = "order_id",
    monetary: str = "total",
    bins: int = 5,
) -> pd.DataFrame:
    """Recency, frequency, monetary value, their 1–bins scores, cell code and segment.

    Parameters
    ----------
    tx : DataFrame
        One row per order; validated by :func:`crmlab.data.select_transactions`
        and never modified.
    as_of : date-like, optional
        Analysis day, observed to its end. Default: the day of the last date in
        ``tx`` (that customer has recency 0). An order on a later day is an error.
    customer, date, amount, order_id : str
        Column names.
    monetary : {"total", "mean"}
        Monetary value as total spend or mean spend per order.
    bins : int
        Number of score levels (5 = quintiles). Segments need ``bins=5``;
        with another value the ``segment`` column is left out.

    Returns
    -------
    DataFrame indexed by customer with columns
        ``recency`` (whole days from last purchase to ``as_of``), ``frequency``
        (orders), ``monetary``, ``r_score``, ``f_score``, ``m_score``, ``cell``
        (text such as ``"543"``) and ``segment`` (text).

    Notes
    -----
    Recency R = as-of day − day of the last purchase (whole calendar days; an
    order later on the as-of day has R = 0), F = number of orders,
    M = Σ amount (or Σ amount / F), scored at cent precision (:func:`cents`).
    Scores: see the module docstring for the tie rule — equal values share the
    score of their tie group's lowest position.
    """
    _check_rfm_options(monetary, bins)
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id,
                            as_of=as_of)
    return rfm_of_valid(t, resolve_as_of(as_of, t[date]), customer=customer, date=date, amount=amount,
                        monetary=monetary, bins=bins)


def _check_rfm_options(monetary: str, bins: int) -> None:
    if monetary not in ("total", "mean"):
        raise CRMDataError("monetary", "must be 'total' or 'mean'", detail=f"got {monetary!r}")
    check_int("bins", bins, minimum=2, maximum=9)   # one digit per score in the cell code


def rfm_of_valid(t: pd.DataFrame, cutoff: pd.Timestamp, *, customer: str = "customer_id", date: str = "date",
                 amount: str = "amount", monetary: str = "total", bins: int = 5) -> pd.DataFrame:
    """:func:`rfm_table` of transactions that :func:`crmlab.data.select_transactions` has checked.

    For code that validated its log once and scores it many times (an explorer
    moving its as-of date): ``t`` must be a result of ``select_transactions``
    (or a row subset of one) with no date after ``cutoff``, a Timestamp.
    """
    _check_rfm_options(monetary, bins)
    bins = int(bins)
    ids, last, freq, spend = _per_customer(t[customer], t[date], t[amount])
    day_ns = np.int64(86_400_000_000_000)
    # whole calendar days from the day of the last purchase to the as-of day
    recency = np.int64(pd.Timestamp(cutoff).normalize().value) // day_ns - last // day_ns
    money = spend if monetary == "total" else spend / freq
    r, f, m = _scores(-recency, bins), _scores(freq, bins), _scores(cents(money), bins)
    code = r * 100 + f * 10 + m
    cells = [f"{i}{j}{k}" for i in range(1, bins + 1) for j in range(1, bins + 1) for k in range(1, bins + 1)]
    lookup = np.zeros(1000, dtype=np.int64)
    lookup[[int(c) for c in cells]] = np.arange(len(cells))
    # text columns as object arrays of str: pandas 3 stores them as its str dtype, pandas 2 as object
    columns = {"recency": recency, "frequency": freq, "monetary": money, "r_score": r, "f_score": f,
               "m_score": m, "cell": np.array(cells, dtype=object)[lookup[code]]}
    if bins == 5:
        names = sorted(set(SEGMENT_MAP.values()))
        seg_lookup = np.zeros((6, 6), dtype=np.int64)
        for (ri, fi), name in SEGMENT_MAP.items():
            seg_lookup[ri, fi] = names.index(name)
        columns["segment"] = np.array(names, dtype=object)[seg_lookup[r, f]]
    # one DataFrame built at once: adding the columns one by one costs more than the scoring
    return pd.DataFrame(columns, index=pd.Index(ids, name=customer))


def _per_customer(customers: pd.Series, dates: pd.Series, amounts: pd.Series):
    """Sorted customer ids and, per customer, last date (int64 ns), order count and total amount.

    Customer ids become group codes 0..k−1 — by counting for whole-number ids in a
    compact range, else by one hash pass (``pandas.factorize``) — and NumPy
    bincounts give the same numbers as ``groupby(customer).agg(max, size, sum)``
    without the groupby overhead.
    """
    if pd.api.types.is_integer_dtype(customers.dtype) and len(customers):
        values = customers.to_numpy()
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < 4 * len(values):
            # whole-number ids in a compact range (1..n customer numbers): the id
            # itself is the group code, no hashing needed
            codes = values.astype(np.int64) - lo
            present = np.bincount(codes, minlength=hi - lo + 1) > 0
            slot = np.cumsum(present) - 1
            codes = slot[codes]
            ids = np.arange(lo, hi + 1, dtype=np.int64)[present]
            return _sums(ids, codes, dates, amounts)
    codes, uniques = pd.factorize(customers, sort=False)
    uniques = pd.Index(uniques)
    order = uniques.argsort()   # the index's own sort (pyarrow for text), not NumPy on objects
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes = rank[codes]
    return _sums(uniques.take(order), codes, dates, amounts)


def _sums(ids: np.ndarray, codes: np.ndarray, dates: pd.Series, amounts: pd.Series):
    """Per group code 0..k−1: last date (int64 ns), number of rows and total amount."""
    k = len(ids)
    freq = np.bincount(codes, minlength=k).astype(np.int64)
    spend = np.bincount(codes, weights=amounts.to_numpy(dtype=float), minlength=k)
    last = np.full(k, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, codes, dates.to_numpy(dtype="datetime64[ns]").view(np.int64))
    return ids, last, freq, spend


def _scores(values: np.ndarray, bins: int) -> np.ndarray:
    """Array version of :func:`quantile_scores` (higher is better): floor(bins·(rank_min − 1)/n) + 1."""
    v = np.asarray(values)
    n = len(v)
    if np.issubdtype(v.dtype, np.integer) and n:
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < 4 * n:   # counting "sort": customers with a smaller value, by value
            counts = np.bincount(v - lo)
            before = np.cumsum(counts) - counts
            return (bins * before[v - lo] // n + 1).astype(np.int64)
    order = np.argsort(v)
    sv = v[order]
    starts = np.empty(n, dtype=bool)
    starts[:1] = True
    np.not_equal(sv[1:], sv[:-1], out=starts[1:])
    # 0-based position of the first member of each value's tie group
    group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    rank_min0 = np.empty(n, dtype=np.int64)
    rank_min0[order] = group_start
    return (bins * rank_min0 // n + 1).astype(np.int64)


def breakeven_rate(cost_per_contact: float, margin_per_response: float) -> float:
    """Response rate at which a mailing just pays for itself.

    ``break-even = cost per contact / margin per response``.

    Example
    -------
    >>> breakeven_rate(0.5, 25.0)   # 0.5 / 25 = 0.02 → 2% must respond
    0.02
    """
    c = check_positive("cost_per_contact", cost_per_contact, allow_zero=True)
    m = check_positive("margin_per_response", margin_per_response)
    return c / m


@dataclass
class RolloutPlan:
    """Result of :func:`rollout`.

    Attributes
    ----------
    table : DataFrame
        One row per cell: ``mailed``, ``responses``, ``response_rate``,
        ``breakeven_rate``, ``roll_out`` (bool), ``size`` (customers to mail in the
        roll-out) and ``expected_profit`` = size · (rate · margin − cost), sorted
        by response rate, best first.
    cells : list
        Cells to roll out to (response rate strictly above break-even).
    expected_profit : float
        Sum of expected profit over the chosen cells.
    """

    table: pd.DataFrame
    cells: list
    expected_profit: float


def rollout(
    test_results_by_cell: pd.DataFrame | pd.Series,
    cost_per_contact: float,
    margin_per_response: float,
    cell_sizes: pd.Series,
) -> RolloutPlan:
    """Choose the RFM cells to mail after a test mailing (Hughes' break-even rule).

    Parameters
    ----------
    test_results_by_cell : DataFrame or Series
        Indexed by cell code. Either a DataFrame with columns ``mailed`` and
        ``responses`` (counts in the test), or a Series of response rates.
    cost_per_contact, margin_per_response : float
        Money per piece mailed and per response.
    cell_sizes : Series
        Customers per cell to mail in the roll-out, indexed by cell code. Every
        tested cell needs a size.

    Returns
    -------
    RolloutPlan
        Cells with response rate > break-even are rolled out; the expected profit
        of a cell is ``size · (rate · margin − cost)``.

    Example
    -------
    >>> res = pd.DataFrame({"mailed": [100, 100], "responses": [5, 1]}, index=["555", "111"])
    >>> plan = rollout(res, 0.5, 20.0, pd.Series({"555": 1000, "111": 4000}))
    >>> plan.cells, plan.expected_profit   # 1000·(0.05·20 − 0.5) = 500
    (['555'], 500.0)
    """
    be = breakeven_rate(cost_per_contact, margin_per_response)
    if isinstance(test_results_by_cell, pd.DataFrame):
        for col in ("mailed", "responses"):
            if col not in test_results_by_cell.columns:
                raise CRMDataError(col, "missing column",
                                   detail=f"columns present: {list(test_results_by_cell.columns)}")
        table = test_results_by_cell[["mailed", "responses"]].astype(float)
        bad = ~(table["mailed"] > 0)
        if bad.any():
            raise CRMDataError("mailed", "must be > 0 in every cell", list(table.index[bad]))
        bad = (table["responses"] < 0) | (table["responses"] > table["mailed"]) | table["responses"].isna()
        if bad.any():
            raise CRMDataError("responses", "must lie between 0 and mailed", list(table.index[bad]))
        table["response_rate"] = table["responses"] / table["mailed"]
    elif isinstance(test_results_by_cell, pd.Series):
        rates = test_results_by_cell.astype(float)
        bad = rates.isna() | (rates < 0) | (rates > 1)
        if bad.any():
            raise CRMDataError("test_results_by_cell", "response rate must lie in [0, 1]",
                               list(rates.index[bad]))
        table = pd.DataFrame({"mailed": np.nan, "responses": np.nan, "response_rate": rates})
    else:
        raise CRMDataError("test_results_by_cell", "must be a DataFrame or a Series",
                           detail=f"got {type(test_results_by_cell).__name__}")
    sizes = pd.Series(cell_sizes)
    missing = [c for c in table.index if c not in sizes.index]
    if missing:
        raise CRMDataError("cell_sizes", "no roll-out size for tested cell", missing)
    size = pd.Series(check_finite(sizes.reindex(table.index), "cell_sizes"), index=table.index)
    if (size < 0).any():
        raise CRMDataError("cell_sizes", "must be ≥ 0", list(size.index[size < 0]))
    table["breakeven_rate"] = be
    table["roll_out"] = table["response_rate"] > be
    table["size"] = size
    table["expected_profit"] = size * (table["response_rate"] * float(margin_per_response)
                                       - float(cost_per_contact))
    table = table.sort_values("response_rate", ascending=False, kind="stable")
    chosen = table.index[table["roll_out"]].tolist()
    profit = float(table.loc[table["roll_out"], "expected_profit"].sum())
    return RolloutPlan(table=table, cells=chosen, expected_profit=profit)
