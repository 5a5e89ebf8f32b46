"""The tables of a run, built from what a model recorded and its people's state.

The model (:mod:`sim.model`) only appends to the recorder's columns and keeps
each person's state; this module turns them into DataFrames:

* :func:`observed` — one table of the log up to now, as the firm sees it
  (what a strategy reads every week through :class:`sim.strategies.ObservedLog`);
* :func:`customers` — one row per person: profile, acquisition channel and date;
* :func:`truth` — one row per person: every latent draw, the effects of
  actions, true churn and the holdout value over ``(observation_end, holdout_end]``;
* :func:`final` — the seven tables of the event log after the run.

The transactions, stages, contacts, service and surveys tables are built by the
recorder itself (:class:`sim.eventlog.Recorder`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.schema import frame

from .eventlog import to_dates
from .locales import channel_word
from .model import EPS

__all__ = ["observed", "customers", "truth", "final"]


def observed(model, name: str) -> pd.DataFrame:
    """Table ``name`` of the log up to now (the model's clock), as the firm sees it."""
    now = model.env.now
    cfg, rec = model.cfg, model.rec
    if name == "customers":
        return customers(model, until=now)
    if name == "transactions":
        return rec.transactions(model.start, cfg.categories, cfg.fee_category, until=now)
    if name == "stages":
        return rec.stages(model.start, cfg.dormant_after_days, cfg.lost_after_days, until=now)
    return getattr(rec, name)(model.start, until=now)


def customers(model, until: float) -> pd.DataFrame:
    """Every person: profile; channel and date of acquisition if acquired by day ``until``."""
    cfg, profiles = model.cfg, model.pop.profiles
    acquired = np.asarray(model.acquired_at) <= until
    names = np.asarray([c.name for c in cfg.channels]
                       + [channel_word(cfg.locale, "referral"), channel_word(cfg.locale, "direct")], dtype=object)
    channel = np.where(acquired, names[np.asarray(model.channel_of)], None)
    referred = pd.array(np.asarray(model.referred_by), dtype="Int64")
    referred[~acquired | (np.asarray(model.referred_by) == 0)] = pd.NA
    return frame("customers", {
        "customer_id": np.arange(1, model.n + 1, dtype="int64"),
        "name": pd.Series(profiles["name"], dtype="str"),
        "gender": pd.Series(profiles["gender"], dtype="str"),
        "birth_date": profiles["birth_date"],
        "city": pd.Series(profiles["city"], dtype="str"),
        "acquisition_channel": pd.Series(channel, dtype="str"),
        "acquired_at": to_dates(model.start, np.where(acquired, model.acquired_at, np.nan)),
        "referred_by": referred,
    })


def truth(model, tx_all: pd.DataFrame) -> pd.DataFrame:
    """Every person's latent draws, the effects of actions, true churn and holdout value.

    ``tx_all`` holds every order of the run (columns ``customer_id, day,
    amount, cost``); the holdout value sums those after the observation end.
    """
    cfg, n, pop, obs_end = model.cfg, model.n, model.pop, model.obs_end
    churn = np.asarray(model.churn_time, dtype=float)
    holdout = tx_all[tx_all["day"] > obs_end + EPS]
    ids = holdout["customer_id"].to_numpy() - 1
    purchases = np.bincount(ids, minlength=n)
    revenue = np.bincount(ids, weights=holdout["amount"].to_numpy(), minlength=n)
    profit = np.bincount(ids, weights=(holdout["amount"] - holdout["cost"]).to_numpy(), minlength=n)
    acquired = np.asarray(model.acquired_at) <= obs_end
    churned = np.isfinite(churn) & (churn <= obs_end + EPS)
    p_dropout, hazard_per_year = model.dropout_truth()
    return frame("truth", {
        "customer_id": np.arange(1, n + 1, dtype="int64"),
        "acquired": acquired,
        "lambda": pop.lam_week,
        "p_dropout": p_dropout,
        "dropout_hazard_per_year": hazard_per_year,
        "frailty": pop.frailty,
        "switching_cost": pop.switching,
        "spend_nu": pop.nu,
        "mean_spend": cfg.p / pop.nu,
        "margin": pop.margin,
        "cost_to_serve": pop.serve_cost,
        "satisfaction_initial": pop.sat0,
        "satisfaction_final": np.asarray(model.sat, dtype=float),
        "deterred": np.asarray(model.deterred, dtype=bool),
        "contact_dropout_multiplier": np.asarray(model.contact_mult, dtype=float),
        "manager_dropout_multiplier": np.asarray(model.manager_mult, dtype=float),
        "winbacks": np.asarray(model.winbacks, dtype="int64"),
        "churned": churned,
        "churn_date": to_dates(model.start, np.where(np.isfinite(churn), churn, np.nan)),
        "holdout_purchases": purchases.astype("int64"),
        "holdout_revenue": revenue,
        "holdout_profit": profit,
    })


def final(model) -> dict[str, pd.DataFrame]:
    """The seven tables after the run: six up to the observation end, and ``truth``."""
    rec, start, obs_end, cfg = model.rec, model.start, model.obs_end, model.cfg
    # the run is over: turn the order columns into arrays once (the tables below reuse them)
    rec.tx_customer = np.asarray(rec.tx_customer, dtype="int64")
    rec.tx_time = np.asarray(rec.tx_time, dtype=float)
    rec.tx_amount = np.asarray(rec.tx_amount, dtype=float)
    rec.tx_cost = np.asarray(rec.tx_cost, dtype=float)
    rec.tx_category = np.asarray(rec.tx_category, dtype="int64")
    tx_all = pd.DataFrame({"customer_id": rec.tx_customer, "day": rec.tx_time,
                           "amount": rec.tx_amount, "cost": rec.tx_cost})
    return dict(
        customers=customers(model, until=obs_end),
        transactions=rec.transactions(start, cfg.categories, cfg.fee_category, until=obs_end),
        stages=rec.stages(start, cfg.dormant_after_days, cfg.lost_after_days, until=obs_end),
        contacts=rec.contacts(start, until=obs_end),
        service=rec.service(start, until=obs_end),
        surveys=rec.surveys(start, until=obs_end),
        truth=truth(model, tx_all),
    )
