"""CRM performance KPIs: one row per period (a month by default).

:func:`kpi_table` turns the event log into the KPI system of a CRM evaluation
(CONCEPTS §10). Every column is defined from the tables alone:

=========================  ==================================================
column                     definition (per period P, previous period P−1)
=========================  ==================================================
active                     customers with at least one order in P
new                        customers whose first order in ``tx`` is in P
retained                   active in P−1 and in P
churned                    active in P−1 but not in P
retention_rate             retained / active(P−1)  (NaN in the first period)
churn_rate                 1 − retention_rate
orders, revenue            count and Σ amount of orders in P
gross_profit               Σ (amount − cost)   (only with a ``cost`` column)
aov                        revenue / orders (average order value)
revenue_per_customer       revenue / active
conversion_rate            (stages) prospect/opportunity → customer moves in P
                           / all moves out of prospect/opportunity to
                           customer or lost in P
mean_clv                   (clv) mean CLV of the customers active in P
satisfaction               (surveys) mean satisfaction answer (1–5) in P
nps                        (surveys) NPS of the answers given in P
complaint_rate             (service) customers with a ticket of kind
                           "complaint" opened in P / customers in contact
                           in P (active, or opened any ticket in P)
=========================  ==================================================

Columns marked (table) appear only when that table is passed. Churn here is
"did not buy again in the next period": with monthly periods and customers who
buy every few months it is high by construction — use ``freq="Q"`` for them.
A ratio whose denominator is 0 in a period is NaN.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.data import select_transactions, to_datetime_column
from crmlab.errors import CRMDataError
from crmlab.loyalty import nps as _nps

__all__ = ["kpi_table"]


def _need(df: pd.DataFrame, name: str, cols: list[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise CRMDataError(name, "must be a DataFrame", detail=f"got {type(df).__name__}")
    for c in cols:
        if c not in df.columns:
            raise CRMDataError(c, f"missing column in {name}", detail=f"columns present: {list(df.columns)}")


def _ratio(num, den) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def kpi_table(
    tx: pd.DataFrame,
    *,
    stages: pd.DataFrame | None = None,
    service: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    clv: pd.Series | None = None,
    freq: str = "M",
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    cost: str | None = "cost",
    order_id: str | None = "order_id",
) -> pd.DataFrame:
    """KPI table, one row per period from the first to the last order in ``tx``.

    Parameters
    ----------
    tx : DataFrame
        Transactions (never modified). ``cost`` is used when that column exists.
    stages : DataFrame, optional
        ``customer_id, date, from_stage, to_stage`` (for the conversion rate).
    service : DataFrame, optional
        ``customer_id, opened_at, kind`` (for the complaint rate).
    surveys : DataFrame, optional
        ``customer_id, date, satisfaction, nps`` (for satisfaction and NPS).
    clv : Series, optional
        CLV per customer id (e.g. from :mod:`crmlab.clv`); every customer active
        in some period needs a value.
    freq : str
        pandas period frequency: ``"M"`` month, ``"Q"`` quarter, ``"Y"`` year,
        ``"W"`` week.

    Returns
    -------
    DataFrame indexed by period (``pandas.Period``); columns as in the module table.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 1, 3], "date": ["2024-01-03", "2024-01-09",
    ...                    "2024-02-11", "2024-02-20"], "amount": [10., 30., 20., 40.]})
    >>> k = kpi_table(tx)
    >>> k[["active", "new", "retained", "churned", "revenue", "aov"]].to_numpy().tolist()
    [[2.0, 2.0, 0.0, 0.0, 40.0, 20.0], [2.0, 1.0, 1.0, 1.0, 60.0, 30.0]]
    >>> k["retention_rate"].tolist()   # Feb: 1 of Jan's 2 buyers came back
    [nan, 0.5]
    """
    has_cost = cost is not None and cost in tx.columns
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id,
                            extra=(cost,) if has_cost else ())
    try:
        periods_of = t[date].dt.to_period(freq)
    except (ValueError, TypeError):
        raise CRMDataError("freq", "not a pandas period frequency", detail=f"got {freq!r}") from None
    all_periods = pd.period_range(periods_of.min(), periods_of.max(), freq=periods_of.dt.freq)
    t["_period"] = periods_of
    g = t.groupby("_period", sort=True)
    out = pd.DataFrame(index=pd.PeriodIndex(all_periods, name="period"))
    out["active"] = g[customer].nunique().reindex(all_periods, fill_value=0).to_numpy()
    first_period = t.groupby(customer)["_period"].min()
    out["new"] = first_period.value_counts().reindex(all_periods, fill_value=0).to_numpy()
    buyers = {p: set(s) for p, s in t.groupby("_period", sort=True)[customer]}
    retained, churned = [0], [0]
    for prev, cur in zip(all_periods[:-1], all_periods[1:]):
        a, b = buyers.get(prev, set()), buyers.get(cur, set())
        retained.append(len(a & b))
        churned.append(len(a - b))
    out["retained"] = retained
    out["churned"] = churned
    prev_active = np.concatenate([[0], out["active"].to_numpy()[:-1]])
    out["retention_rate"] = _ratio(out["retained"], prev_active)
    out["churn_rate"] = 1.0 - out["retention_rate"]
    out["orders"] = g.size().reindex(all_periods, fill_value=0).to_numpy()
    out["revenue"] = g[amount].sum().reindex(all_periods, fill_value=0.0).to_numpy()
    if has_cost:
        c = pd.to_numeric(t[cost], errors="coerce")
        if c.isna().any():
            raise CRMDataError(cost, "cost must be a number", list(t.index[c.isna()]))
        out["gross_profit"] = (t[amount] - c).groupby(t["_period"]).sum().reindex(all_periods, fill_value=0.0).to_numpy()
    out["aov"] = _ratio(out["revenue"], out["orders"])
    out["revenue_per_customer"] = _ratio(out["revenue"], out["active"])

    if stages is not None:
        _need(stages, "stages", [customer, date, "from_stage", "to_stage"])
        sp = to_datetime_column(stages[date], date).dt.to_period(periods_of.dt.freq)
        lead = stages["from_stage"].isin(["prospect", "opportunity"]).to_numpy()
        won = lead & (stages["to_stage"] == "customer").to_numpy()
        decided = lead & stages["to_stage"].isin(["customer", "lost"]).to_numpy()
        wins = pd.Series(won.astype(int)).groupby(sp.to_numpy()).sum().reindex(all_periods, fill_value=0)
        dec = pd.Series(decided.astype(int)).groupby(sp.to_numpy()).sum().reindex(all_periods, fill_value=0)
        out["conversion_rate"] = _ratio(wins.to_numpy(), dec.to_numpy())

    if clv is not None:
        values = pd.Series(clv)
        active_ids = t[customer].unique()
        missing = pd.Index(active_ids).difference(values.index)
        if len(missing):
            raise CRMDataError("clv", "no CLV for customer", list(missing))
        per_order = t[[customer, "_period"]].drop_duplicates()
        per_order = per_order.assign(_clv=values.reindex(per_order[customer]).to_numpy(dtype=float))
        out["mean_clv"] = per_order.groupby("_period")["_clv"].mean().reindex(all_periods).to_numpy()

    if surveys is not None:
        _need(surveys, "surveys", [customer, date, "satisfaction", "nps"])
        sv_period = to_datetime_column(surveys[date], date).dt.to_period(periods_of.dt.freq)
        sat = pd.to_numeric(surveys["satisfaction"], errors="coerce")
        bad = (sat.isna() & surveys["satisfaction"].notna()) | (sat < 1) | (sat > 5)
        if bad.any():
            raise CRMDataError("satisfaction", "survey answers must be numbers in [1, 5]", list(surveys.index[bad]))
        out["satisfaction"] = sat.groupby(sv_period.to_numpy()).mean().reindex(all_periods).to_numpy()
        answered = surveys["nps"].notna().to_numpy()
        nps_values = []
        nps_groups = dict(tuple(surveys.loc[answered, "nps"].groupby(sv_period.to_numpy()[answered])))
        for p in all_periods:
            s = nps_groups.get(p)
            nps_values.append(_nps(s) if s is not None and len(s) else np.nan)
        out["nps"] = nps_values

    if service is not None:
        _need(service, "service", [customer, "opened_at", "kind"])
        opened = to_datetime_column(service["opened_at"], "opened_at").dt.to_period(periods_of.dt.freq)
        is_complaint = (service["kind"] == "complaint").to_numpy()
        complainers = (service.loc[is_complaint, customer].groupby(opened.to_numpy()[is_complaint]).nunique()
                       .reindex(all_periods, fill_value=0))
        contact = pd.concat([pd.DataFrame({"c": t[customer].to_numpy(), "p": t["_period"].to_numpy()}),
                             pd.DataFrame({"c": service[customer].to_numpy(), "p": opened.to_numpy()})])
        in_contact = contact.drop_duplicates().groupby("p").size().reindex(all_periods, fill_value=0)
        out["complaint_rate"] = _ratio(complainers.to_numpy(), in_contact.to_numpy())
    return out
