"""Customer composition and product-mix analysis (CONCEPTS §8, chapter 02).

The analyses a customer file supports before any modelling:

* **customer composition** — how the customer base splits by a profile field
  (acquisition channel, city, gender …) and what each group buys;
* **product mix** per category — sales share, gross margin, turnover rate,
  cross ratio and contribution ratio:

  =====================  ===================================================
  measure                formula (per category c, over the period of ``tx``)
  =====================  ===================================================
  sales share            revenue_c / Σ revenue
  gross margin           (revenue_c − cost_c) / revenue_c
  turnover rate          (cost_c / years) / average inventory_c (at cost) —
                         how many times a year the stock is sold through
  cross ratio            gross margin × turnover rate (交叉比率): profit a
                         year per unit of money tied up in stock
  contribution ratio     sales share × gross margin = gross profit_c /
                         Σ revenue (贡献比率): the category's share of every
                         unit of sales that stays as gross profit
  =====================  ===================================================

Turnover and cross ratio need the average inventory per category, which is not
in the event log; pass it as ``inventory=`` (with ``years=``, the length of the
period of ``tx``) or those two columns are left out.

**What "cost" is.** Every measure uses the ``cost`` column you pass. The textbook
gross margin and turnover are on the *cost of goods*. In a crmlab event log
``cost`` is the cost of goods **plus the cost to serve** the order
(``crmlab.schema.describe("transactions")``), and the two cannot be separated from
the log; with it, ``gross_margin`` is the **margin after the cost to serve**
(lower than the gross margin by the cost to serve per unit of revenue) and
``turnover`` counts the cost to serve as if it came out of the stock (higher than
the textbook turnover). Say so when you report them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.data import select_transactions
from crmlab.errors import CRMDataError, ParameterError, check_finite, check_id_types, check_positive
from crmlab.rfm import cents

__all__ = ["customer_composition", "product_mix"]


def customer_composition(
    customers: pd.DataFrame,
    by: str = "acquisition_channel",
    tx: pd.DataFrame | None = None,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    order_id: str | None = "order_id",
) -> pd.DataFrame:
    """Customers per group of a profile field, and (with ``tx``) what each group buys.

    Returns
    -------
    DataFrame indexed by the values of ``by`` (missing values are their own
    group, ``"(missing)"``), largest group first:
        ``customers``, ``share``; with ``tx`` also ``buyers`` (customers with
        at least one order), ``revenue``, ``revenue_share`` and
        ``revenue_per_customer`` (revenue / customers in the group).

    Example
    -------
    >>> cu = pd.DataFrame({"customer_id": [1, 2, 3, 4], "acquisition_channel": ["web", "web", "store", "web"]})
    >>> tx = pd.DataFrame({"customer_id": [1, 3, 3], "date": ["2024-01-01"] * 3, "amount": [30., 10., 20.]})
    >>> customer_composition(cu, tx=tx)[["customers", "buyers", "revenue"]].to_numpy().tolist()
    [[3.0, 1.0, 30.0], [1.0, 1.0, 30.0]]
    """
    if not isinstance(customers, pd.DataFrame) or len(customers) == 0:
        raise CRMDataError("customers", "need a non-empty customers DataFrame")
    for col in (customer, by):
        if col not in customers.columns:
            raise CRMDataError(col, "missing column in customers", detail=f"columns present: {list(customers.columns)}")
    check_id_types(customers[customer], customer)
    dup = customers[customer].duplicated(keep=False)
    if dup.any():
        raise CRMDataError(customer, "duplicate customer id in customers", list(customers.index[dup]))
    group = customers[by].astype(object).where(customers[by].notna(), "(missing)")
    groups = pd.Series(group.to_numpy(), index=customers[customer].to_numpy())
    out = groups.value_counts().rename("customers").to_frame()
    out.index.name = by
    out["share"] = out["customers"] / out["customers"].sum()
    if tx is not None:
        t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id)
        unknown = pd.Index(t[customer].unique()).difference(groups.index)
        if len(unknown):
            raise CRMDataError(customer, "transactions of customers not in the customers table", list(unknown))
        spend = t.groupby(customer)[amount].sum()
        g = groups.reindex(spend.index)
        out["buyers"] = g.value_counts().reindex(out.index, fill_value=0)
        out["revenue"] = spend.groupby(g.to_numpy()).sum().reindex(out.index, fill_value=0.0)
        out["revenue_share"] = out["revenue"] / out["revenue"].sum()
        out["revenue_per_customer"] = out["revenue"] / out["customers"]
    return out


def product_mix(
    tx: pd.DataFrame,
    *,
    inventory: pd.Series | None = None,
    years: float | None = None,
    category: str = "category",
    cost: str = "cost",
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    order_id: str | None = "order_id",
) -> pd.DataFrame:
    """Sales mix, gross margin, turnover, cross ratio and contribution ratio per category.

    Parameters
    ----------
    tx : DataFrame
        Transactions with ``category`` and ``cost`` columns (never modified).
    inventory : Series, optional
        Average inventory at cost per category over the period of ``tx``. Every
        category in ``tx`` needs a positive value.
    years : float
        Length of the period of ``tx`` in years (e.g. ``data.card["years"]``);
        needed with ``inventory``: turnover is per year, (cost_c / years) / inventory_c.

    Returns
    -------
    DataFrame indexed by category, by revenue (largest first):
        ``orders``, ``revenue``, ``sales_share``, ``cost``, ``gross_profit``,
        ``gross_margin``, ``contribution_ratio``, ``profit_share``; with
        ``inventory`` also ``turnover`` (per year) and ``cross_ratio``. A category
        with zero revenue has gross margin NaN (0/0). ``gross_margin`` and
        ``gross_profit`` are after every cost in the ``cost`` column (see the module
        docstring: in a crmlab log that includes the cost to serve).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 3], "date": ["2024-01-01"] * 3, "category": ["tea", "tea", "cups"],
    ...                    "amount": [60., 40., 100.], "cost": [30., 20., 80.]})
    >>> m = product_mix(tx, inventory=pd.Series({"tea": 10., "cups": 40.}), years=2)
    >>> m.loc["tea", ["gross_margin", "turnover", "cross_ratio", "contribution_ratio"]].tolist()   # 50/2/10 = 2.5 a year
    [0.5, 2.5, 1.25, 0.25]
    """
    if inventory is not None:
        if years is None:
            raise ParameterError("years", "needed with inventory: turnover is per year",
                                 detail="pass the length of the period of tx in years, e.g. data.card['years']")
        years = check_positive("years", years)
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id,
                            extra=(category, cost))
    c = pd.Series(check_finite(t[cost], cost), index=t.index)
    bad = c < 0
    if bad.any():
        raise CRMDataError(cost, "cost must be a number ≥ 0", list(t.index[bad]))
    if t[category].isna().any():
        raise CRMDataError(category, "missing category", list(t.index[t[category].isna()]))
    t[cost] = c.astype(float)
    g = t.groupby(category)
    out = pd.DataFrame({"orders": g.size(), "revenue": g[amount].sum(), "cost": g[cost].sum()})
    # largest revenue first, revenues equal to the cent in category order
    out = out.iloc[np.argsort(-cents(out["revenue"]), kind="stable")]
    total_revenue = out["revenue"].sum()
    if not total_revenue > 0:
        raise CRMDataError(amount, "total revenue is zero; shares are undefined")
    out["sales_share"] = out["revenue"] / total_revenue
    out["gross_profit"] = out["revenue"] - out["cost"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["gross_margin"] = out["gross_profit"] / out["revenue"].where(out["revenue"] > 0)
    out["contribution_ratio"] = out["gross_profit"] / total_revenue
    total_gp = out["gross_profit"].sum()
    out["profit_share"] = out["gross_profit"] / total_gp if total_gp != 0 else np.nan
    if inventory is not None:
        inv = pd.Series(inventory)
        missing = out.index.difference(inv.index)
        if len(missing):
            raise CRMDataError("inventory", "no inventory for category", list(missing))
        inv = pd.Series(check_finite(inv.reindex(out.index), "inventory"), index=out.index)
        bad = ~(inv > 0)
        if bad.any():
            raise CRMDataError("inventory", "average inventory must be > 0", list(inv.index[bad]))
        out["turnover"] = out["cost"] / years / inv
        out["cross_ratio"] = out["gross_margin"] * out["turnover"]
    return out[[c for c in ("orders", "revenue", "sales_share", "cost", "gross_profit", "gross_margin",
                            "contribution_ratio", "profit_share", "turnover", "cross_ratio") if c in out.columns]]
