"""Predictive CRM: features at a date, labels from the next period, gains and calibration.

Data mining in a CRM book means using the customer file to *predict* behaviour
(who will stop buying, who will buy more) and to *find groups* (segmentation).
On a market simulator the truth is known, so every prediction can be scored.
This module holds the pieces every such study shares:

* :func:`feature_table` — one row per customer who has bought by a date ``at``:
  RFM and service features computed **only from events on or before** ``at``
  (no look-ahead);
* :func:`next_period` — what the customer did in the ``days`` after ``at``
  (purchases, revenue, and the label ``no_purchase``);
* :func:`time_split` — train on one date, test on a later one: the training
  labels must be known by the test date;
* :func:`gains_table` / :func:`captured_share` — rank customers by a score,
  cut the ranking into deciles, and count how much of an outcome (churners,
  revenue) each top share captures; :func:`calibration_table` — predicted
  against observed rates;
* :func:`churn_models` (logistic regression and a gradient-boosted tree
  ensemble, from scikit-learn) and :func:`rfm_clusters` (k-means on
  standardised RFM). scikit-learn is imported inside these functions, so
  ``import crmlab.predict`` stays light.

Feature columns (:data:`FEATURES`)
----------------------------------
``recency_days``   whole calendar days from the last purchase to ``at``
``frequency``      orders up to ``at``
``monetary``       total spend up to ``at``
``mean_amount``    monetary / frequency
``tenure_days``    whole calendar days from the first purchase to ``at``
``recent_orders``  orders in the ``recent_days`` (default 365) days up to ``at``, ``at`` included
``tickets``        service tickets opened on or before ``at``
``complaints``     of those, tickets of kind ``"complaint"``
``low_rated``      tickets *resolved* by ``at`` and rated 1 or 2 (a rating is known only once the ticket is closed)

Gains (the decile rule)
-----------------------
Customers are sorted by score, highest first (equal scores keep the order of
their customer ids, so the ranking is reproducible). With n customers and B
bins, the customer at position i = 0, 1, …, n − 1 is in bin ⌊i·B / n⌋ + 1, so
bin 1 holds the first ⌈n / B⌉ customers. For each bin, with y the outcome:

    cum_customer_share_k = (customers in bins 1..k) / n
    cum_captured_share_k = Σ y over bins 1..k / Σ y over all
    lift_k = cum_captured_share_k / cum_customer_share_k

A lift of 3 in bin 1 means the top decile holds three times the outcome a
random tenth would.

Example
-------
>>> import pandas as pd
>>> score = pd.Series([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
>>> churned = pd.Series([1, 1, 0, 1, 0, 0, 0, 0, 0, 0])
>>> g = gains_table(score, churned, bins=5)
>>> g["captured"].tolist(), g["lift"].round(3).tolist()[:2]     # 2 of 3 churners in the top fifth: lift (2/3)/0.2
([2.0, 1.0, 0.0, 0.0, 0.0], [3.333, 2.5])
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.data import end_of_day, parse_date, select_transactions, to_datetime_column
from crmlab.errors import CRMDataError, ParameterError, check_int, check_number

__all__ = ["FEATURES", "RFM_COLUMNS", "feature_table", "next_period", "TimeSplit", "time_split", "gains_table",
           "captured_share", "calibration_table", "churn_models", "fit_churn_models", "churn_scores",
           "rfm_clusters"]

#: the feature columns of :func:`feature_table`, in order
FEATURES = ("recency_days", "frequency", "monetary", "mean_amount", "tenure_days", "recent_orders",
            "tickets", "complaints", "low_rated")
#: the three RFM columns k-means clusters on
RFM_COLUMNS = ("recency_days", "frequency", "monetary")
#: the label columns :func:`next_period` adds
LABELS = ("next_purchases", "next_revenue", "no_purchase")

_DAY = pd.Timedelta(days=1)


def _orders_until(tx: pd.DataFrame, at: pd.Timestamp, customer: str, date: str, amount: str) -> pd.DataFrame:
    """The validated orders dated on or before the day ``at`` (later rows are left out, not refused)."""
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=None)
    return t[t[date] < end_of_day(at)]


def feature_table(tx: pd.DataFrame, at, *, service: pd.DataFrame | None = None, recent_days: int = 365,
                  customer: str = "customer_id", date: str = "date", amount: str = "amount") -> pd.DataFrame:
    """RFM and service features of every customer who has bought by ``at`` (columns: module docstring).

    Parameters
    ----------
    tx : DataFrame
        The transactions (one row per order; never modified). Orders after the
        day ``at`` are ignored — the table is what a manager could know that day.
    at : date-like
        The analysis day, observed to its end.
    service : DataFrame, optional
        The service table (``customer_id``, ``opened_at``, ``resolved_at``,
        ``kind``, ``satisfaction``). Without it the three service columns are 0.
    recent_days : int
        Window of ``recent_orders``.

    Returns
    -------
    DataFrame indexed by customer (sorted), columns :data:`FEATURES`; ``attrs["at"]`` is the day.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [10.0, 30.0, 5.0, 99.0],
    ...                    "date": ["2024-01-01", "2024-03-01", "2024-02-01", "2024-05-01"]})
    >>> feature_table(tx, "2024-03-31")[["recency_days", "frequency", "monetary", "tenure_days"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                 recency_days  frequency  monetary  tenure_days
    customer_id
    1                      30          2      40.0           90
    2                      59          1       5.0           59
    """
    day = parse_date("at", at).normalize()
    recent_days = check_int("recent_days", recent_days, minimum=1)
    t = _orders_until(tx, day, customer, date, amount)
    if t.empty:
        raise CRMDataError(date, "no order on or before the analysis day", detail=f"at={day.date()}")
    days_of = t[date].dt.normalize()
    g = t.assign(_day=days_of).groupby(customer, sort=True)
    first, last = g["_day"].min(), g["_day"].max()
    frequency = g.size()
    monetary = g[amount].sum()
    recent = (days_of > day - pd.Timedelta(days=recent_days)).groupby(t[customer]).sum()
    out = pd.DataFrame({
        "recency_days": ((day - last) / _DAY).astype("int64"),
        "frequency": frequency.astype("int64"),
        "monetary": monetary.astype(float),
        "mean_amount": (monetary / frequency).astype(float),
        "tenure_days": ((day - first) / _DAY).astype("int64"),
        "recent_orders": recent.reindex(frequency.index).astype("int64"),
    })
    for col in ("tickets", "complaints", "low_rated"):
        out[col] = 0
    if service is not None:
        out = _add_service(out, service, day, customer)
    out.index.name = customer
    out.attrs["at"] = day
    return out


def _add_service(out: pd.DataFrame, service: pd.DataFrame, day: pd.Timestamp, customer: str) -> pd.DataFrame:
    needed = (customer, "opened_at", "resolved_at", "kind", "satisfaction")
    if not isinstance(service, pd.DataFrame):
        raise CRMDataError(None, "service must be a pandas DataFrame", detail=f"got {type(service).__name__}")
    for col in needed:
        if col not in service.columns:
            raise CRMDataError(col, "missing column in the service table", detail=f"columns: {list(service.columns)}")
    opened = to_datetime_column(service["opened_at"], "opened_at")
    resolved = to_datetime_column(service["resolved_at"], "resolved_at")
    cutoff = end_of_day(day)
    known = service[opened < cutoff]
    counts = known.groupby(customer).size()
    complaints = (known["kind"] == "complaint").groupby(known[customer]).sum()
    closed = service[(resolved < cutoff).to_numpy()]
    low = (closed["satisfaction"] <= 2).groupby(closed[customer]).sum()
    out = out.copy()
    out["tickets"] = counts.reindex(out.index, fill_value=0).astype("int64")
    out["complaints"] = complaints.reindex(out.index, fill_value=0).astype("int64")
    out["low_rated"] = low.reindex(out.index, fill_value=0).astype("int64")
    return out


def next_period(tx: pd.DataFrame, at, customers, *, days: int = 365, customer: str = "customer_id",
                date: str = "date", amount: str = "amount") -> pd.DataFrame:
    """What each customer did in the ``days`` days after the day ``at``.

    The window starts the day after ``at`` and holds ``days`` calendar days
    (``at`` = 2024-12-31, ``days`` = 365: the whole of 2025).

    Returns
    -------
    DataFrame indexed by ``customers``
        ``next_purchases`` (orders in the window), ``next_revenue`` (their
        amount) and ``no_purchase`` (True when there is none: the label of a
        churn model that learns from the log).
    """
    day = parse_date("at", at).normalize()
    days = check_int("days", days, minimum=1)
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=None)
    start = end_of_day(day)
    window = t[(t[date] >= start) & (t[date] < start + pd.Timedelta(days=days))]
    g = window.groupby(customer)
    index = pd.Index(customers, name=customer)
    out = pd.DataFrame({
        "next_purchases": g.size().reindex(index, fill_value=0).astype("int64"),
        "next_revenue": g[amount].sum().reindex(index, fill_value=0.0).astype(float),
    }, index=index)
    out["no_purchase"] = out["next_purchases"] == 0
    return out


@dataclass
class TimeSplit:
    """Training and test tables: :data:`FEATURES` plus the :data:`LABELS` (and ``churned`` from truth)."""
    train: pd.DataFrame
    test: pd.DataFrame
    train_at: pd.Timestamp
    test_at: pd.Timestamp
    days: int
    test_labels: str          # "log" or "truth"


def time_split(tx: pd.DataFrame, train_at, test_at, *, days: int = 365, service: pd.DataFrame | None = None,
               truth: pd.DataFrame | None = None, customer: str = "customer_id", date: str = "date",
               amount: str = "amount") -> TimeSplit:
    """Features at ``train_at`` with labels from the next ``days``; features at ``test_at`` with theirs.

    A model learns on the training table and is scored on the test table, as a
    firm would: the training labels (who bought in the ``days`` after
    ``train_at``) must be known by ``test_at``, so ``train_at + days ≤ test_at``.

    Test labels come from the log's ``days`` after ``test_at`` — or, with
    ``truth`` (a simulated log's truth table), from its holdout columns:
    ``next_purchases`` = ``holdout_purchases``, ``next_revenue`` =
    ``holdout_revenue``, and ``churned`` (gone by the end of the log) is added.
    The truth's holdout is the year after the log ends, so then ``test_at``
    must be the log's last day (no order after it).
    """
    train_day = parse_date("train_at", train_at).normalize()
    test_day = parse_date("test_at", test_at).normalize()
    days = check_int("days", days, minimum=1)
    if train_day + pd.Timedelta(days=days) > test_day:
        raise CRMDataError("train_at", "the training labels must be known by the test date: "
                           "train_at + days must not be after test_at",
                           detail=f"train_at={train_day.date()}, days={days}, test_at={test_day.date()}")
    cols = dict(customer=customer, date=date, amount=amount)
    train = feature_table(tx, train_day, service=service, **cols)
    train = train.join(next_period(tx, train_day, train.index, days=days, **cols))
    test = feature_table(tx, test_day, service=service, **cols)
    last = pd.Timestamp(select_transactions(tx, order_id=None, **cols)[date].max())
    if truth is not None:
        if last >= end_of_day(test_day):
            raise CRMDataError("test_at", "with truth, test_at must be the log's last day (the truth's holdout "
                               "is the year after the log)", detail=f"test_at={test_day.date()}, last order {last}")
        for col in (customer, "holdout_purchases", "holdout_revenue", "churned"):
            if col not in truth.columns:
                raise CRMDataError(col, "missing column in the truth table", detail=f"columns: {list(truth.columns)}")
        t = truth.set_index(customer).reindex(test.index)
        test["next_purchases"] = t["holdout_purchases"].fillna(0).astype("int64")
        test["next_revenue"] = t["holdout_revenue"].fillna(0.0).astype(float)
        test["no_purchase"] = test["next_purchases"] == 0
        test["churned"] = t["churned"].fillna(False).astype(bool)
        source = "truth"
    else:
        if last < end_of_day(test_day):
            raise CRMDataError("test_at", "the log has no order after test_at, so it cannot label the test period; "
                               "pass truth= (a simulated log's truth table) or an earlier test_at",
                               detail=f"test_at={test_day.date()}, last order {last}")
        test = test.join(next_period(tx, test_day, test.index, days=days, **cols))
        source = "log"
    return TimeSplit(train=train, test=test, train_at=train_day, test_at=test_day, days=days, test_labels=source)


def _ranked(score, outcome, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Scores and outcomes aligned on the index, sorted highest score first (ties: by index)."""
    if not isinstance(score, pd.Series) or not isinstance(outcome, pd.Series):
        raise CRMDataError(None, "score and outcome must be pandas Series indexed by customer",
                           detail=f"got {type(score).__name__} and {type(outcome).__name__}")
    if not score.index.equals(outcome.index):
        if set(score.index) != set(outcome.index) or len(score) != len(outcome):
            raise CRMDataError(name, "score and outcome must have the same customers (index)",
                               detail=f"{len(score)} scores, {len(outcome)} outcomes")
        outcome = outcome.reindex(score.index)
    s = pd.to_numeric(score, errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(outcome, errors="coerce").to_numpy(dtype=float)
    if len(s) == 0:
        raise CRMDataError("score", "no customers to rank")
    for label, values in (("score", s), (name, y)):
        bad = ~np.isfinite(values)
        if bad.any():
            raise CRMDataError(label, "must be finite numbers", rows=list(score.index[bad][:5]))
    if (y < 0).any():
        raise CRMDataError(name, "must not be negative (a count or an amount)", rows=list(score.index[y < 0][:5]))
    by_id = np.argsort(score.index.to_numpy(), kind="stable")
    order = by_id[np.argsort(-s[by_id], kind="stable")]
    return s[order], y[order]


def gains_table(score: pd.Series, outcome: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Cumulative gains and lift of ranking customers by ``score`` (rule in the module docstring).

    Parameters
    ----------
    score : Series
        Higher = ranked first (a churn probability, P(alive), minus recency …).
    outcome : Series
        What the ranking should capture, on the same index: 1/0 or True/False
        (churners) or an amount (next year's revenue); not negative.
    bins : int
        10 = deciles.

    Returns
    -------
    DataFrame indexed by ``bin`` (1 = highest scores)
        ``customers``, ``min_score``, ``captured`` (Σ outcome in the bin),
        ``rate`` (captured / customers: the precision for a 0/1 outcome),
        ``cum_customer_share``, ``cum_captured_share``, ``lift``.
    """
    bins = check_int("bins", bins, minimum=1)
    s, y = _ranked(score, outcome, "outcome")
    n = len(s)
    if bins > n:
        raise ParameterError("bins", "more bins than customers", detail=f"bins={bins}, customers={n}")
    which = (np.arange(n) * bins) // n + 1
    total = y.sum()
    frame = pd.DataFrame({"bin": which, "score": s, "y": y})
    g = frame.groupby("bin")
    out = pd.DataFrame({"customers": g.size(), "min_score": g["score"].min(), "captured": g["y"].sum()})
    out["rate"] = out["captured"] / out["customers"]
    out["cum_customer_share"] = out["customers"].cumsum() / n
    out["cum_captured_share"] = out["captured"].cumsum() / total if total > 0 else 0.0
    out["lift"] = out["cum_captured_share"] / out["cum_customer_share"]
    return out


def captured_share(score: pd.Series, outcome: pd.Series, top: float = 0.1) -> float:
    """Share of the total ``outcome`` held by the top ``top`` of customers ranked by ``score``.

    The top share is the first ⌈top · n⌉ customers (the same as bin 1 of
    :func:`gains_table` with ``bins = 1 / top``).

    >>> captured_share(pd.Series([3.0, 2.0, 1.0, 0.0]), pd.Series([0.0, 10.0, 30.0, 0.0]), top=0.5)
    0.25
    """
    top = check_number("top", top, minimum=0.0, maximum=1.0)
    if top == 0:
        raise ParameterError("top", "must be above 0", detail=f"got {top!r}")
    s, y = _ranked(score, outcome, "outcome")
    k = math.ceil(top * len(s) - 1e-9)
    total = y.sum()
    return float(y[:k].sum() / total) if total > 0 else 0.0


def calibration_table(probability: pd.Series, outcome: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Mean predicted probability against the observed rate, in bins of equal size by prediction.

    Bins as in :func:`gains_table` (bin 1 = highest predictions). A calibrated
    model has ``predicted`` ≈ ``observed`` in every bin.

    Returns
    -------
    DataFrame indexed by ``bin``: ``customers``, ``predicted`` (mean probability), ``observed`` (mean outcome).
    """
    bins = check_int("bins", bins, minimum=1)
    p, y = _ranked(probability, outcome, "outcome")
    if ((p < 0) | (p > 1)).any():
        raise CRMDataError("probability", "must lie between 0 and 1")
    n = len(p)
    if bins > n:
        raise ParameterError("bins", "more bins than customers", detail=f"bins={bins}, customers={n}")
    frame = pd.DataFrame({"bin": (np.arange(n) * bins) // n + 1, "p": p, "y": y})
    g = frame.groupby("bin")
    return pd.DataFrame({"customers": g.size(), "predicted": g["p"].mean(), "observed": g["y"].mean()})


def _check_columns(table: pd.DataFrame, columns, what: str) -> list[str]:
    if not isinstance(table, pd.DataFrame):
        raise CRMDataError(None, f"{what} must be a pandas DataFrame", detail=f"got {type(table).__name__}")
    columns = list(columns)
    for col in columns:
        if col not in table.columns:
            raise CRMDataError(col, f"missing column in the {what}", detail=f"columns: {list(table.columns)}")
    return columns


def churn_models(random_state: int = 0) -> dict:
    """Two unfitted scikit-learn classifiers, by name.

    * ``"logistic regression"``: features standardised (mean 0, sd 1), then
      P(y = 1) = 1 / (1 + exp(−(b₀ + Σ bⱼ xⱼ))), fitted by maximum likelihood
      with scikit-learn's default L2 penalty (C = 1) and up to 1,000 iterations;
    * ``"gradient boosting"``: ``HistGradientBoostingClassifier`` — 100
      shallow trees (at most 8 leaves) added one after another, each fitted to
      what the previous ones got wrong; learning rate 0.05, no early stopping,
      ``random_state`` fixed.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    random_state = check_int("random_state", random_state, minimum=0)
    return {
        "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "gradient boosting": HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05, max_leaf_nodes=8,
                                                            early_stopping=False, random_state=random_state),
    }


def fit_churn_models(train: pd.DataFrame, *, features=FEATURES, label: str = "no_purchase",
                     random_state: int = 0) -> dict:
    """:func:`churn_models` fitted on ``train[features]`` to predict ``train[label]`` (True/False)."""
    cols = _check_columns(train, list(features) + [label], "training table")
    y = train[label]
    if y.isna().any() or set(pd.unique(y)) - {True, False, 0, 1}:
        raise CRMDataError(label, "the label must be True/False (or 1/0) with no missing values")
    if y.astype(bool).nunique() < 2:
        raise CRMDataError(label, "the training label has only one class; a classifier needs both")
    x = train[cols[:-1]].to_numpy(dtype=float)
    models = churn_models(random_state)
    for model in models.values():
        model.fit(x, y.astype(bool).to_numpy())
    return models


def churn_scores(models: dict, table: pd.DataFrame, *, features=FEATURES) -> pd.DataFrame:
    """P(label = True) from each fitted model for each row of ``table``; one column per model."""
    cols = _check_columns(table, features, "table to score")
    x = table[cols].to_numpy(dtype=float)
    return pd.DataFrame({name: model.predict_proba(x)[:, 1] for name, model in models.items()}, index=table.index)


def rfm_clusters(features: pd.DataFrame, k: int = 5, *, columns=RFM_COLUMNS, log_columns=("frequency", "monetary"),
                 random_state: int = 0, n_init: int = 10) -> pd.DataFrame:
    """k-means segments on standardised RFM; clusters numbered 1..k by mean ``monetary``, highest first.

    Steps: take ``columns``; log1p(x) = ln(1 + x) of ``log_columns`` (spend and
    order counts are skewed: a few big customers would otherwise be clusters of
    their own); standardise every column to mean 0, sd 1 (otherwise the column
    with the largest numbers — money — decides alone); k-means with ``k``
    clusters, ``n_init`` starts and ``random_state`` (scikit-learn ``KMeans``),
    which minimises Σ ‖xᵢ − centre of its cluster‖².

    Returns
    -------
    DataFrame indexed like ``features``: the ``columns`` and ``cluster`` (int).
    ``attrs["centres"]`` holds each cluster's mean of ``columns`` in their own units and its size.
    """
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    cols = _check_columns(features, columns, "feature table")
    k = check_int("k", k, minimum=1)
    n_init = check_int("n_init", n_init, minimum=1)
    random_state = check_int("random_state", random_state, minimum=0)
    if k > len(features):
        raise ParameterError("k", "more clusters than customers", detail=f"k={k}, customers={len(features)}")
    for col in log_columns:
        if col not in cols:
            raise CRMDataError(col, "log_columns must be among columns", detail=f"columns={cols}")
    x = features[cols].astype(float).copy()
    for col in log_columns:
        if (x[col] < 0).any():
            raise CRMDataError(col, "log1p needs values ≥ 0")
        x[col] = np.log1p(x[col])
    z = StandardScaler().fit_transform(x.to_numpy())
    raw = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit_predict(z)
    out = features[cols].copy()
    means = out.groupby(raw)["monetary" if "monetary" in cols else cols[0]].mean().sort_values(ascending=False)
    number = {int(old): new for new, old in enumerate(means.index, start=1)}
    out["cluster"] = np.array([number[int(c)] for c in raw], dtype="int64")
    centres = out.groupby("cluster")[cols].mean()
    centres["customers"] = out.groupby("cluster").size()
    out.attrs["centres"] = centres
    return out
