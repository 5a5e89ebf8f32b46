"""Chapter 02: building a customer file (客户档案) from the raw event log.

A customer file is one row per customer: who they are (profile) and what they
did (purchase history summed up). It is the first table a CRM team builds; RFM,
tiers and value models all start from it.

    orders        = number of orders
    revenue       = Σ amount
    gross_profit  = Σ (amount − cost)             (when a cost column exists)
    avg_order     = revenue / orders
    first_order, last_order = dates of the first and the last order
    categories    = number of different product categories bought

Example
-------
>>> import pandas as pd
>>> people = pd.DataFrame({"customer_id": [1, 2, 3], "city": ["Wuhan", "Xi'an", "Hefei"]})
>>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-02", "2024-03-01", "2024-02-10"],
...                    "amount": [30.0, 50.0, 20.0], "cost": [20.0, 30.0, 15.0],
...                    "category": ["food", "toys", "food"]})
>>> f = customer_file(people, tx)
>>> f[["city", "orders", "revenue", "gross_profit", "avg_order"]].to_dict("index")[1]
{'city': 'Wuhan', 'orders': 2, 'revenue': 80.0, 'gross_profit': 30.0, 'avg_order': 40.0}
>>> int(f.loc[3, "orders"])          # a customer without orders stays in the file with zeros
0
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.data import select_transactions
from crmlab.errors import CRMDataError

__all__ = ["customer_file"]


def customer_file(customers: pd.DataFrame, tx: pd.DataFrame, *, customer: str = "customer_id",
                  date: str = "date", amount: str = "amount", cost: str | None = "cost",
                  category: str | None = "category", only_buyers: bool = False) -> pd.DataFrame:
    """One row per customer: profile columns plus a summary of their orders.

    Parameters
    ----------
    customers : DataFrame
        Profiles, one row per customer id (never modified).
    tx : DataFrame
        Transactions (validated; never modified).
    cost, category : str or None
        Optional columns; ``None`` (or absent from ``tx``) leaves the matching
        summary column out.
    only_buyers : bool
        Keep only customers with at least one order.

    Returns
    -------
    DataFrame indexed by customer id
        The profile columns, then ``orders``, ``revenue``, (``gross_profit``),
        ``avg_order``, ``first_order``, ``last_order``, (``categories``).
        Customers without orders have 0 orders and revenue and NaT dates.

    Raises
    ------
    CRMDataError
        Missing customer column, duplicate customer ids in ``customers``, a
        transaction of a customer who has no profile, or any rule of
        :func:`crmlab.data.validate_transactions`.
    """
    if customer not in customers.columns:
        raise CRMDataError(customer, "missing column in customers",
                           detail=f"columns present: {list(customers.columns)}")
    dup = customers[customer].duplicated(keep=False)
    if dup.any():
        raise CRMDataError(customer, "duplicate customer id in customers", list(customers.index[dup]))
    extra = tuple(c for c in (cost, category) if c is not None and c in tx.columns)
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=None, extra=extra)
    unknown = ~t[customer].isin(customers[customer])
    if unknown.any():
        raise CRMDataError(customer, "transaction of a customer without a profile", list(t.index[unknown]),
                           detail=f"ids {sorted(set(t.loc[unknown, customer]))[:5]!r}")
    g = t.groupby(customer, sort=True)
    summary = pd.DataFrame({"orders": g[amount].size(), "revenue": g[amount].sum()})
    if cost in extra:
        summary["gross_profit"] = summary["revenue"] - g[cost].sum()
    summary["avg_order"] = summary["revenue"] / summary["orders"]
    summary["first_order"] = g[date].min()
    summary["last_order"] = g[date].max()
    if category in extra:
        summary["categories"] = g[category].nunique()
    out = customers.set_index(customer).join(summary, how="inner" if only_buyers else "left")
    for col in ("orders", "revenue", "gross_profit", "categories"):
        if col in out.columns:
            out[col] = out[col].fillna(0)
    out["orders"] = out["orders"].astype(np.int64)
    if "categories" in out.columns:
        out["categories"] = out["categories"].astype(np.int64)
    out["avg_order"] = out["avg_order"].fillna(0.0)
    return out
