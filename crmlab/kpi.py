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
repeat_rate                customers active in P who have two or more orders
                           by the end of P / active (the loyalty measure of
                           :func:`crmlab.loyalty.repeat_purchase_rate`, per period)
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

Columns marked (table) appear only when that table is passed; rows of those
tables dated outside the periods of ``tx`` are not counted. Churn here is
"did not buy again in the next period": with monthly periods and customers who
buy every few months it is high by construction — use ``freq="Q"`` for them.
A ratio whose denominator is 0 in a period is NaN. :func:`annual_churn` turns a
monthly (or quarterly) churn rate into the yearly one it implies.

Renewal rate (a subscription's loyalty measure) is the retention rate of the fee
payments at yearly periods: ``kpi_table(fees, freq="Y")["retention_rate"]``.

:func:`programme_effect` judges a programme against a control run of the same
market: the change the programme made, and whether it is bigger than chance.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.data import select_transactions, to_datetime_column
from crmlab.errors import CRMDataError, check_finite
from crmlab.loyalty import nps as _nps

__all__ = ["kpi_table", "annual_churn", "true_churn", "programme_effect", "acquisition_cost", "retention_cost"]


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
    if not isinstance(tx, pd.DataFrame):
        raise CRMDataError("tx", "transactions must be a pandas DataFrame", detail=f"got {type(tx).__name__}")
    has_cost = cost is not None and cost in tx.columns
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=order_id,
                            extra=(cost,) if has_cost else ())
    try:
        tx_periods = t[date].dt.to_period(freq)
    except (ValueError, TypeError, AttributeError):
        raise CRMDataError("freq", "not a pandas period frequency", detail=f"got {freq!r}") from None
    period_freq = tx_periods.dt.freq
    ordinals = tx_periods.array.asi8
    lo = int(ordinals.min())
    k = int(ordinals.max()) - lo + 1

    def slot(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Period number 0..k−1 of each date, and which dates fall inside the range of tx."""
        i = dates.dt.to_period(period_freq).array.asi8 - lo
        inside = (i >= 0) & (i < k)
        return np.where(inside, i, 0), inside

    # periods are numbered 0..k−1 and customers by code; a (customer, period) pair is c·k + i
    i_tx = ordinals - lo
    if service is not None:
        _need(service, "service", [customer, "opened_at", "kind"])
        if service[customer].isna().any():
            raise CRMDataError(customer, "missing customer id in service", list(service.index[service[customer].isna()]))
    service_ids = service[customer] if service is not None else None
    all_ids = t[customer] if service_ids is None else pd.concat([t[customer], service_ids], ignore_index=True)
    codes_all, uniques = pd.factorize(all_ids)
    c_tx = codes_all[:len(t)]
    pairs = np.unique(c_tx.astype(np.int64) * k + i_tx)
    pair_period = pairs % k
    out = pd.DataFrame(index=pd.PeriodIndex(pd.period_range(tx_periods.min(), periods=k, freq=period_freq),
                                            name="period"))
    out["active"] = np.bincount(pair_period, minlength=k)
    first = np.full(len(uniques), k, dtype=np.int64)
    np.minimum.at(first, c_tx, i_tx)
    out["new"] = np.bincount(first[first < k], minlength=k)
    # retained in period i: pairs (c, i−1) whose customer also has (c, i)
    has_next = (pair_period < k - 1) & np.isin(pairs + 1, pairs, assume_unique=True)
    retained = np.bincount(pair_period[has_next] + 1, minlength=k)
    prev_active = np.concatenate([[0], out["active"].to_numpy()[:-1]])
    out["retained"] = retained
    # repeat buyers: the period of each customer's second order (k = none yet)
    order = np.lexsort((i_tx, c_tx))
    c_sorted, i_sorted = c_tx[order], i_tx[order]
    second = np.full(len(uniques), k, dtype=np.int64)
    is_second = np.zeros(len(order), dtype=bool)
    is_second[1:] = c_sorted[1:] == c_sorted[:-1]
    is_second[2:] &= c_sorted[2:] != c_sorted[:-2]
    second[c_sorted[is_second]] = i_sorted[is_second]
    repeat_pairs = second[pairs // k] <= pair_period
    out["repeat_rate"] = _ratio(np.bincount(pair_period[repeat_pairs], minlength=k), out["active"])
    out["churned"] = prev_active - retained
    out["retention_rate"] = _ratio(retained, prev_active)
    out["churn_rate"] = 1.0 - out["retention_rate"]
    out["orders"] = np.bincount(i_tx, minlength=k)
    out["revenue"] = np.bincount(i_tx, weights=t[amount].to_numpy(dtype=float), minlength=k)
    if has_cost:
        margin = t[amount].to_numpy(dtype=float) - check_finite(t[cost], cost)
        out["gross_profit"] = np.bincount(i_tx, weights=margin, minlength=k)
    out["aov"] = _ratio(out["revenue"], out["orders"])
    out["revenue_per_customer"] = _ratio(out["revenue"], out["active"])

    if stages is not None:
        _need(stages, "stages", [customer, date, "from_stage", "to_stage"])
        i_st, inside = slot(to_datetime_column(stages[date], date))
        lead = stages["from_stage"].isin(["prospect", "opportunity"]).to_numpy() & inside
        won = lead & (stages["to_stage"] == "customer").to_numpy()
        decided = lead & stages["to_stage"].isin(["customer", "lost"]).to_numpy()
        out["conversion_rate"] = _ratio(np.bincount(i_st[won], minlength=k), np.bincount(i_st[decided], minlength=k))

    if clv is not None:
        values = pd.Series(clv)
        active_ids = pd.Index(uniques[np.unique(c_tx)])
        missing = active_ids.difference(values.index)
        if len(missing):
            raise CRMDataError("clv", "no CLV for customer", list(missing))
        check_finite(values.reindex(active_ids), "clv")
        per_code = values.reindex(uniques).to_numpy(dtype=float)
        pair_clv = per_code[pairs // k]
        out["mean_clv"] = _ratio(np.bincount(pair_period, weights=pair_clv, minlength=k), out["active"])

    if surveys is not None:
        _need(surveys, "surveys", [customer, date, "satisfaction", "nps"])
        i_sv, inside = slot(to_datetime_column(surveys[date], date))
        sat = pd.to_numeric(surveys["satisfaction"], errors="coerce")
        bad = (sat.isna() & surveys["satisfaction"].notna()) | (sat < 1) | (sat > 5)
        if bad.any():
            raise CRMDataError("satisfaction", "survey answers must be numbers in [1, 5]", list(surveys.index[bad]))
        has_sat = sat.notna().to_numpy() & inside
        out["satisfaction"] = _ratio(np.bincount(i_sv[has_sat], weights=sat.to_numpy(dtype=float)[has_sat],
                                                 minlength=k), np.bincount(i_sv[has_sat], minlength=k))
        answered = surveys["nps"].notna().to_numpy()
        if answered.any():
            _nps(surveys.loc[answered, "nps"])   # validates: whole numbers 0–10
        score = pd.to_numeric(surveys["nps"], errors="coerce").to_numpy(dtype=float)
        use = answered & inside
        promoters = np.bincount(i_sv[use & (score >= 9)], minlength=k)
        detractors = np.bincount(i_sv[use & (score <= 6)], minlength=k)
        out["nps"] = 100.0 * _ratio(promoters - detractors, np.bincount(i_sv[use], minlength=k))

    if service is not None:
        i_sc, inside = slot(to_datetime_column(service["opened_at"], "opened_at"))
        c_sc = codes_all[len(t):].astype(np.int64)
        complaint = (service["kind"] == "complaint").to_numpy() & inside
        complainers = np.unique(c_sc[complaint] * k + i_sc[complaint])
        contact = np.union1d(pairs, c_sc[inside] * k + i_sc[inside])
        out["complaint_rate"] = _ratio(np.bincount(complainers % k, minlength=k),
                                       np.bincount(contact % k, minlength=k))
    return out


def annual_churn(rate, periods_per_year: int = 12):
    """The yearly churn a per-period churn rate implies.

        annual = 1 − (1 − rate) ** periods_per_year

    A customer is kept for the year only if kept in each of the periods, so
    monthly churn of 5% is not 60% a year (12 × 5%) but 1 − 0.95¹² ≈ 46%.
    Works on a number, an array or a Series (NaN stays NaN).

    Example
    -------
    >>> round(annual_churn(0.05), 4)
    0.4596
    >>> round(annual_churn(0.10, periods_per_year=4), 4)   # quarterly: 1 − 0.9⁴
    0.3439
    """
    if isinstance(periods_per_year, bool) or not isinstance(periods_per_year, (int, np.integer)) \
            or periods_per_year < 1:
        raise CRMDataError("periods_per_year", "must be a whole number ≥ 1", detail=f"got {periods_per_year!r}")
    values = rate if isinstance(rate, pd.Series) else np.asarray(rate, dtype=float)
    v = np.asarray(values, dtype=float)
    bad = ~np.isnan(v) & ((v < 0) | (v > 1))
    if bad.any():
        raise CRMDataError("rate", "churn rates must be in [0, 1]", detail=f"got {v[bad][:5].tolist()}")
    out = 1.0 - (1.0 - values) ** periods_per_year
    return float(out) if np.ndim(out) == 0 else out


def _dates_or_nat(values: pd.Series, name: str) -> pd.Series:
    """Dates where missing means 'not (yet)'; text that is not a date is an error."""
    out = pd.to_datetime(values, errors="coerce")
    bad = out.isna() & values.notna()
    if bad.any():
        raise CRMDataError(name, "not a date", list(values.index[bad]))
    return out


def true_churn(customers: pd.DataFrame, truth: pd.DataFrame, start, end, *, freq: str = "M") -> pd.DataFrame:
    """Churn as the simulator knows it: who really left in each period (needs the ``truth`` table).

        at_start_P  = customers acquired before P begins and not yet gone at its start
        churned_P   = those of them whose ``churn_date`` falls in P
        churn_rate  = churned_P / at_start_P

    Unlike ``kpi_table``'s churn ("did not buy in the next period"), this counts only
    real departures, so a monthly rate can be turned into a yearly one with
    :func:`annual_churn`. A firm never sees this table; the course uses it to check
    its measures.

    Parameters
    ----------
    customers : DataFrame
        ``customer_id, acquired_at`` (NaT: never acquired).
    truth : DataFrame
        ``customer_id, churn_date`` (NaT: still there).
    start, end : date
        The periods from the one holding ``start`` to the one holding ``end``.

    Example
    -------
    >>> cu = pd.DataFrame({"customer_id": [1, 2, 3], "acquired_at": pd.to_datetime(["2024-01-05", "2024-01-20", None])})
    >>> tr = pd.DataFrame({"customer_id": [1, 2, 3], "churn_date": pd.to_datetime(["2024-03-10", None, None])})
    >>> true_churn(cu, tr, "2024-02-01", "2024-04-30")["churn_rate"].tolist()   # Mar: 1 of 2 leaves
    [0.0, 0.5, 0.0]
    """
    _need(customers, "customers", ["customer_id", "acquired_at"])
    _need(truth, "truth", ["customer_id", "churn_date"])
    try:
        first, last = pd.Period(pd.Timestamp(start), freq), pd.Period(pd.Timestamp(end), freq)
    except (ValueError, TypeError):
        raise CRMDataError("start", "start and end must be dates and freq a pandas period frequency",
                           detail=f"got start={start!r}, end={end!r}, freq={freq!r}") from None
    if last < first:
        raise CRMDataError("end", "must not be before start", detail=f"got start={start!r}, end={end!r}")
    acquired = _dates_or_nat(customers.set_index("customer_id")["acquired_at"], "acquired_at")
    gone = _dates_or_nat(truth.set_index("customer_id")["churn_date"], "churn_date").reindex(acquired.index)
    periods = pd.period_range(first, last, freq=first.freq)
    rows = []
    for p in periods:
        p0, p1 = p.start_time, p.end_time
        there = (acquired < p0) & ~(gone < p0)
        left = there & (gone >= p0) & (gone <= p1)
        rows.append((int(there.sum()), int(left.sum())))
    out = pd.DataFrame(rows, columns=["at_start", "churned"], index=pd.PeriodIndex(periods, name="period"))
    out["churn_rate"] = _ratio(out["churned"], out["at_start"])
    return out


def programme_effect(runs: pd.DataFrame, start, columns=None, *, z: float = 2.0) -> pd.DataFrame:
    """Did a programme move each KPI, judged against a control run of the same market?

    ``runs`` holds KPI tables of paired runs: columns ``seed``, ``arm``
    (``"programme"`` or ``"control"``), ``period`` (a pandas Period or its text,
    e.g. ``"2024-07"``, ``"2024Q3"``, one frequency) and the KPI columns. The two
    arms of a seed are the same market with the same random numbers; the programme
    arm switches the programme on at ``start`` (see :class:`sim.strategies.StartingOn`).
    Periods that begin on or after ``start`` are *after*; periods that end before it
    are *before*; a period holding ``start`` is left out. Per seed s and KPI:

        d_s          = mean over after-periods of (programme − control)
        difference   = mean of d_s over the R seeds
        se           = standard deviation of d_s / √R
        band         = z · se          (the noise band; z = 2 ≈ 95%)
        real         = |difference| > band
        before_after = mean over seeds of (programme after − programme before):
                       what a before/after comparison without a control reports

    Returns
    -------
    DataFrame indexed by KPI: ``before_after, difference, se, band, real``.

    Example
    -------
    >>> runs = pd.DataFrame({"seed": [1] * 4 + [2] * 4, "arm": ["control", "control", "programme", "programme"] * 2,
    ...                      "period": ["2024Q1", "2024Q2"] * 4, "active": [10, 12, 10, 15, 20, 20, 20, 24]})
    >>> programme_effect(runs, "2024-04-01").round(3).to_dict("index")   # d = 3 and 4
    {'active': {'before_after': 4.5, 'difference': 3.5, 'se': 0.5, 'band': 1.0, 'real': True}}
    """
    _need(runs, "runs", ["seed", "arm", "period"])
    if columns is None:
        columns = [c for c in runs.columns if c not in ("seed", "arm", "period")]
    cols = [columns] if isinstance(columns, str) else list(columns)
    _need(runs, "runs", cols)
    arms = set(runs["arm"].unique())
    if not arms <= {"programme", "control"} or len(arms) != 2:
        raise CRMDataError("arm", "runs need both arms 'programme' and 'control' and no other",
                           detail=f"got {sorted(map(str, arms))}")
    if isinstance(z, bool) or not isinstance(z, (int, float)) or not np.isfinite(z) or z <= 0:
        raise CRMDataError("z", "must be a number > 0", detail=f"got {z!r}")
    try:
        when = pd.Timestamp(start)
    except (ValueError, TypeError):
        when = pd.NaT
    if pd.isna(when):
        raise CRMDataError("start", "not a date", detail=f"got {start!r}")
    text = runs["period"].astype(str)
    try:
        unique = {u: pd.Period(u) for u in text.unique()}
    except (ValueError, TypeError):
        unique = {}
    if not unique or len({p.freqstr for p in unique.values()}) != 1:
        raise CRMDataError("period", "not pandas periods of one frequency",
                           detail=f"e.g. {text.iloc[:3].tolist()}")
    periods = pd.PeriodIndex(text.map(unique).tolist())
    after = np.asarray(periods.start_time >= when)
    before = np.asarray(periods.end_time < when)
    if not after.any():
        raise CRMDataError("start", "no period begins on or after it", detail=f"got {start!r}")
    wide = runs.assign(_after=after, _before=before)
    keys = ["seed", "period"]
    prog = wide[wide["arm"] == "programme"].set_index(keys)
    ctrl = wide[wide["arm"] == "control"].set_index(keys)
    if not prog.index.sort_values().equals(ctrl.index.sort_values()) or prog.index.has_duplicates:
        raise CRMDataError("runs", "each seed needs one programme and one control row per period")
    ctrl = ctrl.reindex(prog.index)
    diff = (prog[cols].astype(float) - ctrl[cols].astype(float))[prog["_after"].to_numpy()]
    d = diff.groupby(level="seed").mean()
    p_after = prog[prog["_after"]][cols].astype(float).groupby(level="seed").mean()
    p_before = prog[prog["_before"]][cols].astype(float).groupby(level="seed").mean()
    r = len(d)
    se = d.std(ddof=1) / np.sqrt(r) if r > 1 else pd.Series(np.nan, index=cols)
    out = pd.DataFrame({"before_after": (p_after - p_before).mean(), "difference": d.mean(), "se": se})
    out["band"] = z * out["se"]
    out["real"] = out["difference"].abs() > out["band"]
    out.index.name = "kpi"
    return out


ACQUISITION_PREFIX = "acquire_"   # campaign names of paid acquisition contacts: acquire_<channel>


def _contacts_cost(contacts: pd.DataFrame) -> pd.DataFrame:
    _need(contacts, "contacts", ["campaign", "cost"])
    cost = pd.to_numeric(contacts["cost"], errors="coerce")
    bad = cost.isna() | (cost < 0)
    if bad.any():
        raise CRMDataError("cost", "contact costs must be numbers ≥ 0", list(contacts.index[bad]))
    return contacts.assign(cost=cost)


def acquisition_cost(contacts: pd.DataFrame, customers: pd.DataFrame, *,
                     prefix: str = ACQUISITION_PREFIX) -> pd.DataFrame:
    """What a new customer costs, per paid channel.

        spend_c         = Σ cost of the contacts of campaign ``prefix + c``
        won_c           = customers whose ``acquisition_channel`` is c
        cost_per_customer_c = spend_c / won_c

    Only channels that have both spend and customers are listed (a referral
    costs the firm no contact, so it has no row). Add the columns to get the
    blended cost of all paid channels: ``t.spend.sum() / t.won.sum()``.

    Example
    -------
    >>> ct = pd.DataFrame({"campaign": ["acquire_mail"] * 3 + ["acquire_ads", "care"], "cost": [3.0, 3.0, 3.0, 2.0, 1.0]})
    >>> cu = pd.DataFrame({"acquisition_channel": ["mail", "ads", "ads", "referral", None]})
    >>> acquisition_cost(ct, cu).to_dict("index")   # mail: 9 / 1; ads: 2 / 2
    {'ads': {'spend': 2.0, 'won': 2, 'cost_per_customer': 1.0}, 'mail': {'spend': 9.0, 'won': 1, 'cost_per_customer': 9.0}}
    """
    ct = _contacts_cost(contacts)
    _need(customers, "customers", ["acquisition_channel"])
    paid = ct[ct["campaign"].astype(str).str.startswith(prefix)]
    spend = paid.groupby(paid["campaign"].astype(str).str.removeprefix(prefix))["cost"].sum()
    won = customers["acquisition_channel"].dropna().astype(str).value_counts()
    out = pd.DataFrame({"spend": spend, "won": won}).dropna()
    out = out[(out["spend"] > 0) & (out["won"] > 0)].astype({"won": "int64"})
    out["cost_per_customer"] = out["spend"] / out["won"]
    out.index.name = "channel"
    return out


def retention_cost(tx: pd.DataFrame, contacts: pd.DataFrame, previous, current, *,
                   prefix: str = ACQUISITION_PREFIX) -> dict[str, float]:
    """What keeping customers cost in the period ``current``, per customer kept.

        spend     = Σ cost of the contacts dated in ``current`` that are not paid
                    acquisition (care contacts, discounts, account managers, win-back)
        retained  = customers who bought in ``previous`` and again in ``current``
                    (the numerator of :func:`crmlab.loyalty.retention_rate`)
        per_retained_customer = spend / retained

    With yearly periods, ``per_retained_customer`` is the cost of one retained
    customer-year. It counts what the firm *pays for* keeping customers; the cost
    to serve each order is in every order's ``cost`` (new customers' too), so it
    is not part of it. Periods as in :func:`crmlab.loyalty.retention_rate`.

    Returns
    -------
    dict
        ``spend``, ``retained``, ``per_retained_customer``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 3, 1, 3], "date": ["2024-02-01", "2024-03-01",
    ...                    "2024-04-01", "2025-02-01", "2025-05-01"]})
    >>> ct = pd.DataFrame({"customer_id": [1, 2, 3, 9], "date": ["2025-01-10", "2025-01-10", "2024-06-01", "2025-03-01"],
    ...                    "campaign": ["care", "care", "care", "acquire_ads"], "cost": [1.0, 1.0, 1.0, 2.0]})
    >>> retention_cost(tx, ct, "2024", "2025")   # 2025: care 1 + 1 = 2 for customers 1 and 3 kept
    {'spend': 2.0, 'retained': 2, 'per_retained_customer': 1.0}
    """
    from crmlab.loyalty import _window

    t = select_transactions(tx, amount=None, order_id=None)
    ct = _contacts_cost(contacts)
    _need(ct, "contacts", ["date"])
    (a0, a1), (b0, b1) = _window(previous, "previous"), _window(current, "current")
    before = set(t.loc[(t["date"] >= a0) & (t["date"] < a1), "customer_id"])
    after = set(t.loc[(t["date"] >= b0) & (t["date"] < b1), "customer_id"])
    retained = len(before & after)
    if retained == 0:
        raise CRMDataError("current", "no customer of the previous period bought again in the current one",
                           detail=f"previous {a0.date()}–{a1.date()}, current {b0.date()}–{b1.date()}")
    when = to_datetime_column(ct["date"], "date")
    keep = (when >= b0) & (when < b1) & ~ct["campaign"].astype(str).str.startswith(prefix)
    spend = float(ct.loc[keep, "cost"].sum())
    return {"spend": spend, "retained": retained, "per_retained_customer": spend / retained}
