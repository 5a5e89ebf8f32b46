"""Customer classification: five tiers by cycle × amount, value pyramid, whale curve.

Five tiers (CONCEPTS §5). Each customer has an **average purchase cycle** T̄ (days
between consecutive purchases) and an **average amount per purchase** M̄. Both are
cut into three classes and the 3×3 grid names the tier:

==================  ============  ============  ============
amount \\ cycle      short         medium        long
==================  ============  ============  ============
large               platinum      gold          silver
medium              gold          silver        development
small               silver        development   optimize
==================  ============  ============  ============

Value pyramid (bank practice): rank customers by a value score and split them into
top / high / mid / low by configurable shares.

Whale curve (Kotler's 20/80/30): sort customers by profit, most profitable first,
and plot cumulative profit as a share of total profit against the share of
customers. It ends at 100%; it rises above 100% exactly when some customers lose
money (the loss-makers at the end pull it back down).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.data import resolve_as_of, select_transactions
from crmlab.errors import CRMDataError, ParameterError, check_finite, check_number
from crmlab.rfm import cents
from crmlab.value import purchase_cycle

__all__ = ["TIER_GRID", "TIERS", "five_tier", "value_pyramid", "value_classes", "whale_curve", "whale_figures"]

TIERS = ("platinum", "gold", "silver", "development", "optimize")

TIER_GRID: dict[tuple[str, str], str] = {
    ("large", "short"): "platinum", ("large", "medium"): "gold", ("large", "long"): "silver",
    ("medium", "short"): "gold", ("medium", "medium"): "silver", ("medium", "long"): "development",
    ("small", "short"): "silver", ("small", "medium"): "development", ("small", "long"): "optimize",
}
"""Tier for every (amount class, cycle class) pair."""

_CYCLE = np.array(["short", "medium", "long"], dtype=object)
_AMOUNT = np.array(["small", "medium", "large"], dtype=object)


def _cut3(values: np.ndarray, cuts: tuple[float, float]) -> np.ndarray:
    """0, 1, 2 for value ≤ cuts[0], ≤ cuts[1], above (cut-offs belong to the lower class)."""
    return np.searchsorted(np.asarray(cuts, dtype=float), values, side="left")


def check_cutoffs(cutoffs: dict) -> dict[str, tuple[float, float]]:
    """Validate explicit cut-offs ``{"cycle": (c1, c2), "amount": (a1, a2)}`` (each pair increasing)."""
    if not isinstance(cutoffs, dict):
        raise ParameterError("cutoffs", "must be a dict {'cycle': (c1, c2), 'amount': (a1, a2)}",
                             detail=f"got {cutoffs!r}")
    cuts = {}
    for key in ("cycle", "amount"):
        if key not in cutoffs:
            raise ParameterError("cutoffs", f"missing key {key!r}", detail=f"got {cutoffs!r}")
        given = cutoffs[key]
        if isinstance(given, (str, bytes)) or not hasattr(given, "__len__") or len(given) != 2:
            raise ParameterError("cutoffs", f"{key} needs two increasing cut-offs", detail=f"got {given!r}")
        pair = tuple(check_number(f"cutoffs['{key}']", x, minimum=0) for x in given)
        if not pair[0] <= pair[1]:
            raise ParameterError("cutoffs", f"{key} needs two increasing cut-offs", detail=f"got {given!r}")
        cuts[key] = pair
    return cuts


def classify(cycle: np.ndarray, amount: np.ndarray, cuts: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cycle class, amount class and tier for each customer, from validated cut-offs.

    A value equal to a cut-off belongs to the lower class; the tier is looked
    up in the 3×3 grid :data:`TIER_GRID` (amount row × cycle column).
    """
    ci = _cut3(np.asarray(cycle, dtype=float), cuts["cycle"])
    # money is compared at cent precision (crmlab.rfm.cents): 0.1 + 0.2 ≤ 0.3
    ai = _cut3(cents(amount), tuple(float(c) for c in cents(cuts["amount"])))
    grid = np.empty((3, 3), dtype=object)
    for (a_cls, c_cls), tier in TIER_GRID.items():
        grid[list(_AMOUNT).index(a_cls), list(_CYCLE).index(c_cls)] = tier
    return _CYCLE[ci].astype(str), _AMOUNT[ai].astype(str), grid[ai, ci].astype(str)


def five_tier(
    tx: pd.DataFrame,
    cutoffs: dict | None = None,
    *,
    as_of=None,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    order_id: str | None = "order_id",
    single_purchase: str = "span",
) -> pd.DataFrame:
    """Place every customer in the five-tier cycle × amount grid.

    Parameters
    ----------
    tx : DataFrame
        One row per order (never modified).
    cutoffs : dict, optional
        ``{"cycle": (c1, c2), "amount": (a1, a2)}`` in days and money. A value
        equal to a cut-off falls in the lower class: cycle ≤ c1 is short,
        ≤ c2 medium, above long; amount ≤ a1 small, ≤ a2 medium, above large.
        Amounts are compared at cent precision (:func:`crmlab.rfm.cents`).
        Default: tertiles over the customers in ``tx`` — the 1/3 and 2/3
        quantiles taken as observed values (``numpy.quantile`` with
        ``method="inverted_cdf"``), so with distinct values exactly a third of
        the customers fall in each class and equal values share a class.
    as_of : date-like, optional
        Analysis date (default the last date in ``tx``); used for single buyers.
    single_purchase : {"span", "long"}
        A customer with one purchase has no observed cycle.
        ``"span"`` (default): cycle = calendar days from that purchase's day to
        the as-of day (observed to its end, see :func:`crmlab.data.validate_transactions`) — the
        customer has waited at least that long without buying again, so the true
        cycle is at least the span (a lower bound; a purchase made on ``as_of``
        gives 0 days, i.e. treated as short until time tells). ``"long"``: cycle
        = +inf, always in the long class, and left out of the tertile cut-offs.

    Returns
    -------
    DataFrame indexed by customer
        ``orders``, ``cycle`` (days, T̄ = (last − first) / (orders − 1)),
        ``amount`` (M̄ = total / orders), ``cycle_class``, ``amount_class``, ``tier``.
        The cut-offs used are in ``result.attrs["cutoffs"]``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [100., 100., 5., 5.],
    ...                    "date": ["2024-01-01", "2024-01-08", "2024-01-01", "2024-04-10"]})
    >>> five_tier(tx, {"cycle": (10, 60), "amount": (20, 50)})["tier"].tolist()
    ['platinum', 'optimize']
    """
    if single_purchase not in ("span", "long"):
        raise CRMDataError("single_purchase", "must be 'span' or 'long'", detail=f"got {single_purchase!r}")
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id,
                            as_of=as_of)
    cutoff_date = resolve_as_of(as_of, t[date])
    g = t.groupby(customer, sort=True)
    first, n, total = g[date].min(), g[date].size(), g[amount].sum()
    day = pd.Timedelta(days=1)
    # T̄ = (last − first) / (orders − 1): the one definition, crmlab.value.purchase_cycle (NaN for one order)
    cycle = np.array(purchase_cycle(t, customer=customer, date=date, order_id=order_id)
                     .reindex(n.index).to_numpy(dtype=float), copy=True)
    single = (n == 1).to_numpy()
    if single_purchase == "span":   # whole calendar days to the as-of day (observed to its end)
        cycle[single] = ((cutoff_date.normalize() - first.dt.normalize()) / day).to_numpy(dtype=float)[single]
    else:
        cycle[single] = np.inf
    avg_amount = (total / n).to_numpy(dtype=float)
    if cutoffs is None:
        finite = cycle[np.isfinite(cycle)]
        if finite.size == 0:
            raise CRMDataError(customer, "no customer with an observed cycle to compute tertiles",
                               detail="pass cutoffs= or single_purchase='span'")
        cuts = {"cycle": tuple(float(x) for x in np.quantile(finite, [1 / 3, 2 / 3], method="inverted_cdf")),
                "amount": tuple(float(x) / 100 for x in np.quantile(cents(avg_amount), [1 / 3, 2 / 3],
                                                                    method="inverted_cdf"))}
    else:
        cuts = check_cutoffs(cutoffs)
    cycle_class, amount_class, tier = classify(cycle, avg_amount, cuts)
    out = pd.DataFrame({
        "orders": n.to_numpy(dtype=np.int64),
        "cycle": cycle,
        "amount": avg_amount,
        "cycle_class": cycle_class,
        "amount_class": amount_class,
        "tier": tier,
    }, index=n.index)
    out.attrs["cutoffs"] = cuts
    return out


def value_pyramid(score: pd.Series, shares: tuple[float, float, float, float] = (0.05, 0.15, 0.30, 0.50)) -> pd.Series:
    """Split customers into top / high / mid / low by a value score.

    Customers are ranked by score, highest first (equal scores in index order;
    scores are compared to 12 significant digits of the largest one, so float
    noise does not split a tie);
    the first ``shares[0]`` of them are *top*, the next ``shares[1]`` *high*, and
    so on. The tier of the customer at rank k (1-based, n customers) is the first
    tier whose cumulative share is ≥ k / n.

    Parameters
    ----------
    score : Series
        Value score per customer (e.g. from :func:`crmlab.value.value_score`).
    shares : four floats summing to 1
        Shares of top, high, mid and low customers. Default 5/15/30/50%.

    Returns
    -------
    Series of ordered categorical ``top > high > mid > low`` indexed like ``score``.

    Example
    -------
    >>> value_pyramid(pd.Series([5., 1., 9., 3.], index=list("abcd")), (0.25, 0.25, 0.25, 0.25)).tolist()
    ['high', 'low', 'top', 'mid']
    """
    return _rank_classes(score, shares, ("top", "high", "mid", "low"), "pyramid")


def value_classes(score: pd.Series, shares: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)) -> pd.Series:
    """High / medium / low classes by a score (value, potential or loyalty; CONCEPTS §5).

    Same ranking rule as :func:`value_pyramid` with three classes; default thirds.

    Example
    -------
    >>> value_classes(pd.Series([5., 1., 9.], index=list("abc"))).tolist()
    ['medium', 'low', 'high']
    """
    return _rank_classes(score, shares, ("high", "medium", "low"), "class")


def _rank_classes(score: pd.Series, shares, labels: tuple[str, ...], name: str) -> pd.Series:
    """Label customers by rank of score (highest first, ties in index order) and class shares."""
    s = pd.Series(score)
    if len(s) == 0:
        raise CRMDataError("score", "no customers")
    v = check_finite(s, "score")
    sh = np.asarray(shares, dtype=float)
    k = len(labels)
    if sh.shape != (k,) or (sh < 0).any() or not np.isclose(sh.sum(), 1.0):
        raise CRMDataError("shares", f"need {k} non-negative shares summing to 1", detail=f"got {shares!r}")
    # scores equal to 12 significant digits (relative to the largest) are ties: float noise never orders them
    scale = float(np.max(np.abs(v))) or 1.0
    order = np.argsort(-np.round(v / scale * 1e12), kind="stable")
    n = len(s)
    pos = np.empty(n, dtype=float)
    pos[order] = np.arange(1, n + 1) / n
    idx = np.searchsorted(np.cumsum(sh) + 1e-12, pos, side="left")
    text = np.array(labels, dtype=object)[np.minimum(idx, k - 1)]
    cat = pd.CategoricalDtype(list(reversed(labels)), ordered=True)
    return pd.Series(text, index=s.index, name=name).astype(str).astype(cat)


def whale_curve(profit: pd.Series) -> pd.DataFrame:
    """Cumulative share of total profit by customer rank (most profitable first).

    ``cumulative_share_k = Σ_{j ≤ k} profit_(j) / Σ_j profit_j`` with customers
    sorted by profit, descending (profits equal to the cent — :func:`crmlab.rfm.cents` —
    in index order). NaN or infinite profits are refused.

    Parameters
    ----------
    profit : Series
        Profit per customer (may be negative). The total must be positive.

    Returns
    -------
    DataFrame with one row per customer, in rank order:
        ``customer``, ``rank`` (1..n), ``customer_share`` (rank / n), ``profit``,
        ``cumulative_profit``, ``cumulative_share``. The last share is exactly 1;
        the maximum exceeds 1 exactly when some customer has negative profit.

    Example
    -------
    >>> whale_curve(pd.Series([50., 80., -30.], index=["a", "b", "c"]))["cumulative_share"].tolist()
    [0.8, 1.3, 1.0]
    """
    p = pd.Series(profit)
    if len(p) == 0:
        raise CRMDataError("profit", "no customers")
    v = check_finite(p, "profit")
    order = np.argsort(-cents(v), kind="stable")   # equal to the cent: a tie, in index order
    sorted_v = v[order]
    cum = np.cumsum(sorted_v)
    # the total is the last running sum, so with no loss-makers no share can exceed 1
    # through rounding (adding non-negative numbers never decreases a float sum)
    total = float(cum[-1])
    if not total > 0:
        raise CRMDataError("profit", "total profit must be positive for a whale curve", detail=f"total {total}")
    n = len(v)
    share = cum / total
    return pd.DataFrame({
        "customer": p.index.to_numpy()[order],
        "rank": np.arange(1, n + 1),
        "customer_share": np.arange(1, n + 1) / n,
        "profit": sorted_v,
        "cumulative_profit": cum,
        "cumulative_share": share,
    })


def whale_figures(profit: pd.Series, top: float = 0.20, bottom: float = 0.30) -> dict[str, float]:
    """The 20/80/30 figures read off the whale curve.

    With ``W`` the whale curve (cumulative share of total profit) and ``W*`` its
    peak — the *potential* profit, what the shop would keep without its
    loss-makers:

    * ``top_share`` = W at the most profitable ``top`` fraction of customers
      (Kotler: ≈ 0.8);
    * ``peak_share`` = W* and ``peak_customer_share`` = where the peak is;
    * ``bottom_loss`` = (W before the least profitable ``bottom`` fraction − 1) / W*:
      the share of the peak profit those customers give away (Kotler: ≈ 0.5,
      "cut the potential profit in half"); NaN when the bottom fraction is every
      customer (e.g. a single customer: nobody is left before them);
    * ``tail_loss`` = (W* − 1) / W*: the share of the peak profit that all the
      customers right of the peak give away.

    Fractions of customers are rounded up to whole customers.

    Example
    -------
    >>> f = whale_figures(pd.Series([80., 30., 10., -20., -30.]), top=0.2, bottom=0.2)
    >>> [round(f[k], 4) for k in ("top_share", "peak_share", "bottom_loss", "tail_loss")]
    [1.1429, 1.7143, 0.25, 0.4167]

    (total 70: top 80/70; peak 120/70; the last customer (−30) takes 100 → 70, i.e. 30 of
    the peak 120; all loss-makers take 50 of 120.)
    """
    top = check_number("top", top, minimum=0, maximum=1)
    bottom = check_number("bottom", bottom, minimum=0, maximum=1)
    curve = whale_curve(profit)
    n = len(curve)
    share = curve["cumulative_share"].to_numpy()
    k_top = int(np.ceil(top * n - 1e-9))
    k_bottom = int(np.ceil(bottom * n - 1e-9))
    top_share = float(share[k_top - 1]) if k_top > 0 else 0.0
    before_bottom = float(share[n - k_bottom - 1]) if n - k_bottom > 0 else 0.0
    peak = int(np.argmax(share))
    return {
        "top_share": top_share,
        "peak_share": float(share[peak]),
        "peak_customer_share": float((peak + 1) / n),
        "bottom_loss": (before_bottom - 1.0) / float(share[peak]) if n - k_bottom > 0 else float("nan"),
        "tail_loss": (float(share[peak]) - 1.0) / float(share[peak]),
    }
