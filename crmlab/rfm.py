"""RFM analysis: recency, frequency and monetary value from purchase history alone.

Arthur Hughes' RFM method scores every customer 1–5 on three numbers taken from
the transactions table:

* **recency** ``R`` — days from the customer's last purchase to the analysis
  date ``as_of`` (fewer days is better, so the most recent fifth scores 5);
* **frequency** ``F`` — number of orders (rows) in the table;
* **monetary** ``M`` — total spend (``monetary="total"``) or mean spend per order
  (``monetary="mean"``).

Scores are quintiles (``bins=5``): customers are ranked from worst to best and the
worst fifth scores 1, the best fifth scores ``bins``. Two ways to cut them
(``method=``):

* ``"independent"`` (the default) — R, F and M are each scored over *all*
  customers. This is the quintile version of later industry practice (and of
  the segment names below); cells can be crowded or empty because R, F and M
  are correlated.
* ``"nested"`` — Hughes' original sort (*Strategic Database Marketing*, 1994):
  R over all customers; then F *within each R group*; then M *within each
  (R, F) group*. With distinct values every cell holds about the same number
  of customers (n / bins³), so a test mailing has enough people in every cell.
  The same F score then means "frequent *for its recency group*".

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
follow a documented map on (R, F) — see :data:`SEGMENT_MAP`; the names
("champions", "can't lose them", …) are later industry practice, not Hughes'.

Break-even targeting (Hughes' test-and-roll-out, with a control cell): mail a
random test sample, hold out a random *control* sample that gets nothing, and
measure per cell the **incremental response rate** = response rate of the
mailed − response rate of the control. Customers order without any mailing,
so the mailed response rate alone credits ordinary orders to the mailing. Roll
out only to cells whose incremental rate beats the break-even rate
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
    method: str = "independent",
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
        Number of score levels, 2–10 (5 = quintiles, 10 = deciles). Segments
        need ``bins=5``; with another value the ``segment`` column is left out.
        The cell code has one digit per score (``"543"``) up to ``bins=9`` and
        is written with hyphens for deciles (``"10-3-7"``).
    method : {"independent", "nested"}
        ``"independent"``: R, F and M each scored over all customers (the
        quintile version of industry practice). ``"nested"``: Hughes' 1994
        sort — R over all customers, F within each R score, M within each
        (R, F) pair (see the module docstring).

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
    _check_rfm_options(monetary, bins, method)
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id,
                            as_of=as_of)
    return rfm_of_valid(t, resolve_as_of(as_of, t[date]), customer=customer, date=date, amount=amount,
                        monetary=monetary, bins=bins, method=method)


def _check_rfm_options(monetary: str, bins: int, method: str = "independent") -> None:
    if monetary not in ("total", "mean"):
        raise CRMDataError("monetary", "must be 'total' or 'mean'", detail=f"got {monetary!r}")
    if method not in ("independent", "nested"):
        raise CRMDataError("method", "must be 'independent' or 'nested'", detail=f"got {method!r}")
    check_int("bins", bins, minimum=2, maximum=10)   # cell code: one digit per score up to 9, "10-3-7" for deciles


def rfm_of_valid(t: pd.DataFrame, cutoff: pd.Timestamp, *, customer: str = "customer_id", date: str = "date",
                 amount: str = "amount", monetary: str = "total", bins: int = 5,
                 method: str = "independent") -> pd.DataFrame:
    """:func:`rfm_table` of transactions that :func:`crmlab.data.select_transactions` has checked.

    For code that validated its log once and scores it many times (an explorer
    moving its as-of date): ``t`` must be a result of ``select_transactions``
    (or a row subset of one) with no date after ``cutoff``, a Timestamp.
    """
    _check_rfm_options(monetary, bins, method)
    bins = int(bins)
    ids, last, freq, spend = _per_customer(t[customer], t[date], t[amount])
    day_ns = np.int64(86_400_000_000_000)
    # whole calendar days from the day of the last purchase to the as-of day
    recency = np.int64(pd.Timestamp(cutoff).normalize().value) // day_ns - last // day_ns
    money = spend if monetary == "total" else spend / freq
    r = _scores(-recency, bins)
    if method == "nested":   # Hughes: F within each R group, M within each (R, F) group
        f = _scores_within(freq, r, bins)
        m = _scores_within(cents(money), r * 10 + f, bins)
    else:
        f, m = _scores(freq, bins), _scores(cents(money), bins)
    # text columns as object arrays of str: pandas 3 stores them as its str dtype, pandas 2 as object
    columns = {"recency": recency, "frequency": freq, "monetary": money, "r_score": r, "f_score": f,
               "m_score": m, "cell": _cell_codes(r, f, m, bins)}
    if bins == 5:
        names = sorted(set(SEGMENT_MAP.values()))
        seg_lookup = np.zeros((6, 6), dtype=np.int64)
        for (ri, fi), name in SEGMENT_MAP.items():
            seg_lookup[ri, fi] = names.index(name)
        columns["segment"] = np.array(names, dtype=object)[seg_lookup[r, f]]
    # one DataFrame built at once: adding the columns one by one costs more than the scoring
    return pd.DataFrame(columns, index=pd.Index(ids, name=customer))


def _cell_codes(r: np.ndarray, f: np.ndarray, m: np.ndarray, bins: int) -> np.ndarray:
    """Cell text per customer: ``"543"`` (one digit per score) when bins ≤ 9, ``"10-3-7"`` for deciles."""
    if bins <= 9:
        code = r * 100 + f * 10 + m
        cells = [f"{i}{j}{k}" for i in range(1, bins + 1) for j in range(1, bins + 1) for k in range(1, bins + 1)]
        lookup = np.zeros(1000, dtype=np.int64)
        lookup[[int(c) for c in cells]] = np.arange(len(cells))
        return np.array(cells, dtype=object)[lookup[code]]
    code = (np.asarray(r, dtype=np.int64) * 100 + f) * 100 + m
    uniq, where = np.unique(code, return_inverse=True)
    text = [f"{c // 10000}-{c // 100 % 100}-{c % 100}" for c in uniq.tolist()]
    return np.array(text, dtype=object)[where.reshape(-1)]


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


def _scores_within(values: np.ndarray, groups: np.ndarray, bins: int) -> np.ndarray:
    """:func:`_scores` applied separately inside each group (Hughes' nested sort)."""
    out = np.empty(len(values), dtype=np.int64)
    for g in np.unique(groups):
        members = groups == g
        out[members] = _scores(np.asarray(values)[members], bins)
    return out


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
    """Incremental response rate at which a mailing just pays for itself.

    ``break-even = cost per contact / margin per response``. Compare it with the
    *incremental* response rate (mailed − control), not with the raw response
    rate: orders the customers would have placed anyway earn nothing extra.

    Example
    -------
    >>> breakeven_rate(0.5, 25.0)   # 0.5 / 25 = 0.02 → 2 extra responses per 100 mailed
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
        One row per cell: ``mailed``, ``responses``, ``response_rate`` (of the
        mailed), ``held_out``, ``control_responses``, ``control_rate`` (of the
        control cell), ``incremental_rate`` = response_rate − control_rate,
        ``breakeven_rate``, ``roll_out`` (bool), ``size`` (customers to mail in
        the roll-out) and ``expected_profit`` = size · (incremental_rate ·
        margin − cost), sorted by incremental rate, best first.
    cells : list
        Cells to roll out to (incremental rate strictly above break-even).
    expected_profit : float
        Sum of expected profit over the chosen cells.
    """

    table: pd.DataFrame
    cells: list
    expected_profit: float


_TEST_COLUMNS = ("mailed", "responses", "held_out", "control_responses")


def rollout(
    test_results_by_cell: pd.DataFrame | pd.Series,
    cost_per_contact: float,
    margin_per_response: float,
    cell_sizes: pd.Series,
) -> RolloutPlan:
    """Choose the RFM cells to mail after a test mailing with a control cell.

    Hughes' break-even rule on the **incremental** response: in every cell,

        incremental rate = responses / mailed − control_responses / held_out,

    and a cell is rolled out when its incremental rate beats
    :func:`breakeven_rate` = cost / margin. A cell with nobody held out has no
    measured effect (incremental rate NaN) and is not rolled out.

    Parameters
    ----------
    test_results_by_cell : DataFrame or Series
        Indexed by cell code. Either a DataFrame with the counts ``mailed``,
        ``responses`` (the mailed test group), ``held_out`` and
        ``control_responses`` (the control group that got nothing), or a Series
        of incremental response rates.
    cost_per_contact, margin_per_response : float
        Money per piece mailed and per (extra) response.
    cell_sizes : Series
        Customers per cell to mail in the roll-out, indexed by cell code. Every
        tested cell needs a size.

    Returns
    -------
    RolloutPlan
        The expected profit of a cell is ``size · (incremental rate · margin − cost)``.

    Example
    -------
    >>> res = pd.DataFrame({"mailed": [100, 100], "responses": [9, 5],
    ...                     "held_out": [100, 100], "control_responses": [4, 4]}, index=["555", "111"])
    >>> plan = rollout(res, 0.5, 20.0, pd.Series({"555": 1000, "111": 4000}))
    >>> plan.cells, round(plan.expected_profit, 6)   # 555: 0.09 − 0.04 = 0.05 > 0.025 → 1000·(0.05·20 − 0.5)
    (['555'], 500.0)
    """
    be = breakeven_rate(cost_per_contact, margin_per_response)
    if isinstance(test_results_by_cell, pd.DataFrame):
        for col in _TEST_COLUMNS:
            if col not in test_results_by_cell.columns:
                raise CRMDataError(col, "missing column (a test needs a mailed and a held-out control group)",
                                   detail=f"columns present: {list(test_results_by_cell.columns)}")
        table = test_results_by_cell[list(_TEST_COLUMNS)].astype(float)
        bad = ~(table["mailed"] > 0)
        if bad.any():
            raise CRMDataError("mailed", "must be > 0 in every cell", list(table.index[bad]))
        bad = ~(table["held_out"] >= 0)
        if bad.any():
            raise CRMDataError("held_out", "must be ≥ 0 in every cell", list(table.index[bad]))
        for n, k in (("mailed", "responses"), ("held_out", "control_responses")):
            bad = (table[k] < 0) | (table[k] > table[n]) | table[k].isna()
            if bad.any():
                raise CRMDataError(k, f"must lie between 0 and {n}", list(table.index[bad]))
        table["response_rate"] = table["responses"] / table["mailed"]
        held = table["held_out"].where(table["held_out"] > 0)
        table["control_rate"] = table["control_responses"] / held
        table["incremental_rate"] = table["response_rate"] - table["control_rate"]
    elif isinstance(test_results_by_cell, pd.Series):
        rates = test_results_by_cell.astype(float)
        bad = rates.isna() | (rates < -1) | (rates > 1)
        if bad.any():
            raise CRMDataError("test_results_by_cell", "incremental response rate must lie in [-1, 1]",
                               list(rates.index[bad]))
        table = pd.DataFrame({c: np.nan for c in _TEST_COLUMNS + ("response_rate", "control_rate")},
                             index=rates.index)
        table["incremental_rate"] = rates
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
    table["roll_out"] = table["incremental_rate"] > be        # NaN (no control) → False
    table["size"] = size
    table["expected_profit"] = size * (table["incremental_rate"] * float(margin_per_response)
                                       - float(cost_per_contact))
    table = table.sort_values("incremental_rate", ascending=False, kind="stable", na_position="last")
    chosen = table.index[table["roll_out"]].tolist()
    profit = float(table.loc[table["roll_out"], "expected_profit"].sum())
    return RolloutPlan(table=table, cells=chosen, expected_profit=profit)
