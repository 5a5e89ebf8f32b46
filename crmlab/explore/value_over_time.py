"""Chapter 03: how a customer's value builds up over the relationship.

A newly won customer starts in the red: the firm has paid to acquire them and
the first orders' margins are small. :func:`cumulative_profit_curve` follows every
customer from their acquisition date, month by month:

    P_i(k) = Σ_{orders of i in months 0..k−1 after acquisition} (amount − cost)  −  CAC_i

and averages over the customers whose first ``months`` months are fully observed
(acquired at least ``months`` months before the observation end), so late joiners
do not drag the curve down. The month where the mean first reaches 0 is the
payback month; ``share_paid_back`` is the share of customers already above 0.

A month is 365.25/12 days, counted from the acquisition time.

Example
-------
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-10", "2024-02-20", "2024-01-05"]),
...                    "amount": [30.0, 30.0, 10.0], "cost": [20.0, 20.0, 8.0]})
>>> acquired = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-01"]), index=[1, 2])
>>> c = cumulative_profit_curve(tx, acquired, acquisition_cost=5.0, months=3, observation_end="2024-12-31")
>>> c["mean_cumulative_profit"].tolist()   # month 1: (10−5 + 2−5)/2 = 1; month 2: (20−5 + 2−5)/2 = 6
[1.0, 6.0, 6.0]
>>> c["share_paid_back"].tolist()
[0.5, 0.5, 0.5]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.data import select_transactions
from crmlab.errors import CRMDataError, check_positive

__all__ = ["cumulative_profit_curve", "payback_month", "DAYS_PER_MONTH"]

DAYS_PER_MONTH = 365.25 / 12


def cumulative_profit_curve(tx: pd.DataFrame, acquired_at: pd.Series, acquisition_cost: float | pd.Series = 0.0, *,
                            months: int = 24, observation_end=None, customer: str = "customer_id",
                            date: str = "date", amount: str = "amount", cost: str = "cost") -> pd.DataFrame:
    """Mean cumulative profit per customer by month since acquisition (formula in the module docstring).

    Parameters
    ----------
    tx : DataFrame
        Transactions with a cost column (never modified).
    acquired_at : Series
        Acquisition time per customer id; customers with NaT (never acquired) are left out.
    acquisition_cost : float or Series
        Cost of winning each customer: one number for all, or a Series by customer
        id (every followed customer needs a value).
    months : int
        Months to follow each customer.
    observation_end : date-like, optional
        End of the data (default: the last order date).

    Returns
    -------
    DataFrame indexed by ``month`` 1..months
        ``mean_cumulative_profit``, ``share_paid_back``; ``.attrs["customers"]`` is
        the number of customers followed.
    """
    if int(months) != months or months < 1:
        raise CRMDataError("months", "must be a whole number ≥ 1", detail=f"got {months!r}")
    months = int(months)
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=None, extra=(cost,))
    end = pd.Timestamp(observation_end) if observation_end is not None else t[date].max()
    acquired = pd.to_datetime(acquired_at).dropna()
    followed = acquired[acquired + pd.Timedelta(days=months * DAYS_PER_MONTH) <= end]
    if len(followed) == 0:
        raise CRMDataError("acquired_at", f"no customer was acquired at least {months} months before the end",
                           detail=f"observation end {end.date()}")
    if isinstance(acquisition_cost, pd.Series):
        missing = followed.index.difference(acquisition_cost.index)
        if len(missing):
            raise CRMDataError("acquisition_cost", "no acquisition cost for customer", list(missing))
        cac = pd.to_numeric(acquisition_cost.reindex(followed.index), errors="coerce").to_numpy(dtype=float)
        if np.isnan(cac).any() or (cac < 0).any():
            raise CRMDataError("acquisition_cost", "must be a number ≥ 0 for every customer")
    else:
        cac = np.full(len(followed), check_positive("acquisition_cost", acquisition_cost, allow_zero=True))
    position = pd.Series(np.arange(len(followed)), index=followed.index)
    mine = t[t[customer].isin(followed.index)]
    start = followed.reindex(mine[customer]).to_numpy()
    month = np.floor((mine[date].to_numpy() - start) / pd.Timedelta(days=DAYS_PER_MONTH)).astype(np.int64)
    keep = (month >= 0) & (month < months)
    rows = position.reindex(mine[customer]).to_numpy()[keep]
    profit = (mine[amount].to_numpy(dtype=float) - mine[cost].to_numpy(dtype=float))[keep]
    grid = np.zeros((len(followed), months))
    np.add.at(grid, (rows, month[keep]), profit)
    cumulative = np.cumsum(grid, axis=1) - cac[:, None]
    out = pd.DataFrame({"mean_cumulative_profit": cumulative.mean(axis=0),
                        "share_paid_back": (cumulative >= 0).mean(axis=0)},
                       index=pd.RangeIndex(1, months + 1, name="month"))
    out.attrs["customers"] = len(followed)
    return out


def payback_month(curve: pd.DataFrame) -> int | None:
    """First month whose mean cumulative profit is ≥ 0, or ``None`` if it never is.

    >>> payback_month(pd.DataFrame({"mean_cumulative_profit": [-3.0, -0.5, 0.2]}, index=[1, 2, 3]))
    3
    """
    above = curve.index[curve["mean_cumulative_profit"].to_numpy() >= 0]
    return int(above[0]) if len(above) else None
