"""The event log: a columnar recorder during the run, seven tables after it.

During a simulation every event appends one value to each of a few Python
lists (one list per column). Appending to lists is cheap; building a tuple or
a dict per event is 2–3x slower because of the garbage collector. At the end
the lists are converted once into the seven tables of the event-log contract,
:mod:`crmlab.schema` (tables, columns, dtypes, meaning, stages): every table is
built through :func:`crmlab.schema.frame`, which checks it against the contract.

:class:`EventLog` is :class:`crmlab.data.EventLog` with the simulation's
config, seed and dates; :meth:`EventLog.save` writes ``NAME.parquet`` per
table, ``csv/NAME.csv``, a ``card.json`` data card (with a sha256 per file) and
a short ``README.md``; :func:`load` reads it back with :func:`crmlab.data.load`
and rebuilds the config from the card.

Example
-------
>>> import sim, tempfile, os
>>> log = sim.simulate("classroom", customers=200, years=1, seed=1)
>>> folder = os.path.join(tempfile.mkdtemp(), "x")
>>> log.save(folder)
>>> sim.load(folder).transactions.equals(log.transactions)
True
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import crmlab.data
from crmlab.logfolder import LoadError
from crmlab.schema import LEGAL_CHANGES, STAGES, TABLES, frame

__all__ = ["TABLES", "STAGES", "LEGAL_CHANGES", "Recorder", "EventLog", "load", "LoadError", "to_dates",
           "silence_changes"]


def to_dates(start: pd.Timestamp, days) -> np.ndarray:
    """Simulation days (floats) → datetime64[ns], rounded to the second.

    >>> to_dates(pd.Timestamp("2023-01-01"), [0.5])[0]
    np.datetime64('2023-01-01T12:00:00.000000000')
    """
    days = np.asarray(days, dtype=float)
    seconds = np.round(days * 86400.0)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(seconds)
    out[ok] = np.datetime64(pd.Timestamp(start).to_datetime64(), "ns") + (
        seconds[ok].astype("int64") * 1_000_000_000).astype("timedelta64[ns]")
    return out


class Recorder:
    """Columns of the event tables while a simulation runs (lists of Python values).

    Times are simulation days (floats); they become dates in :meth:`tables`.
    """

    def __init__(self):
        self.tx_customer: list[int] = []
        self.tx_time: list[float] = []
        self.tx_amount: list[float] = []
        self.tx_cost: list[float] = []
        self.tx_category: list[int] = []       # index into the scenario's categories (-1 = fee)
        self.st_customer: list[int] = []
        self.st_time: list[float] = []
        self.st_from: list[int] = []           # index into STAGES
        self.st_to: list[int] = []
        self.ct_customer: list[int] = []
        self.ct_time: list[float] = []
        self.ct_campaign: list[str] = []
        self.ct_cost: list[float] = []
        self.ct_responded: list[bool] = []
        self.sv_customer: list[int] = []
        self.sv_opened: list[float] = []
        self.sv_answered: list[float] = []
        self.sv_resolved: list[float] = []
        self.sv_kind: list[str] = []
        self.sv_rating: list[int] = []
        self.su_customer: list[int] = []
        self.su_time: list[float] = []
        self.su_satisfaction: list[int] = []
        self.su_nps: list[int] = []

    # -- tables so far (used by strategies and at the end) -----------------------
    def transactions(self, start, categories, fee_category, until=np.inf) -> pd.DataFrame:
        """Orders up to ``until`` in time order; order ids number them 1, 2, … in that order.

        (A textbook customer logs their orders ahead of the clock, so the lists
        are sorted here; the market's lists are already in order.)
        """
        t = np.asarray(self.tx_time, dtype=float)
        order = np.argsort(t, kind="stable")
        order = order[t[order] <= until]
        cat = np.asarray(self.tx_category, dtype="int64")[order]
        names = np.asarray(list(categories) + [fee_category], dtype=object)
        return frame("transactions", {
            "order_id": np.arange(1, len(order) + 1, dtype="int64"),
            "customer_id": np.asarray(self.tx_customer, dtype="int64")[order],
            "date": to_dates(start, t[order]),
            "amount": np.asarray(self.tx_amount, dtype=float)[order],
            "cost": np.asarray(self.tx_cost, dtype=float)[order],
            "category": _str_codes(names, cat),
        })

    def stages(self, start, dormant_after: float, lost_after: float, until=np.inf) -> pd.DataFrame:
        """Funnel changes (logged as they happen) plus the silence labels of customers.

        The labels ``customer → dormant → lost`` and the returns ``→ customer``
        follow from the order dates alone (see :func:`silence_changes`), so they
        are computed here, at once, instead of as events during the run.
        """
        cid = np.asarray(self.tx_customer, dtype="int64")
        t = np.asarray(self.tx_time, dtype=float)
        lc, lt, lf, lto = silence_changes(cid, t, dormant_after, lost_after)
        cust = np.concatenate([np.asarray(self.st_customer, dtype="int64"), lc])
        time = np.concatenate([np.asarray(self.st_time, dtype=float), lt])
        frm = np.concatenate([np.asarray(self.st_from, dtype="int64"), lf])
        to = np.concatenate([np.asarray(self.st_to, dtype="int64"), lto])
        order = np.argsort(time, kind="stable")
        order = order[time[order] <= until]
        names = np.asarray(STAGES, dtype=object)
        return frame("stages", {
            "customer_id": cust[order],
            "date": to_dates(start, time[order]),
            "from_stage": _str_codes(names, frm[order]),
            "to_stage": _str_codes(names, to[order]),
        })

    def contacts(self, start, until=np.inf) -> pd.DataFrame:
        t = np.asarray(self.ct_time, dtype=float)
        keep = t <= until
        return frame("contacts", {
            "customer_id": np.asarray(self.ct_customer, dtype="int64")[keep],
            "date": to_dates(start, t[keep]),
            "campaign": _str(np.asarray(self.ct_campaign, dtype=object)[keep]),
            "cost": np.asarray(self.ct_cost, dtype=float)[keep],
            "responded": np.asarray(self.ct_responded, dtype=bool)[keep],
        })

    def service(self, start, until=np.inf) -> pd.DataFrame:
        resolved = np.asarray(self.sv_resolved, dtype=float)
        keep = resolved <= until
        opened = np.asarray(self.sv_opened, dtype=float)[keep]
        order = np.argsort(opened, kind="stable")
        return frame("service", {
            "customer_id": np.asarray(self.sv_customer, dtype="int64")[keep][order],
            "opened_at": to_dates(start, opened[order]),
            "answered_at": to_dates(start, np.asarray(self.sv_answered, dtype=float)[keep][order]),
            "resolved_at": to_dates(start, resolved[keep][order]),
            "kind": _str(np.asarray(self.sv_kind, dtype=object)[keep][order]),
            "satisfaction": np.asarray(self.sv_rating, dtype="int64")[keep][order],
        })

    def surveys(self, start, until=np.inf) -> pd.DataFrame:
        t = np.asarray(self.su_time, dtype=float)
        keep = t <= until
        return frame("surveys", {
            "customer_id": np.asarray(self.su_customer, dtype="int64")[keep],
            "date": to_dates(start, t[keep]),
            "satisfaction": np.asarray(self.su_satisfaction, dtype="int64")[keep],
            "nps": np.asarray(self.su_nps, dtype="int64")[keep],
        })


def silence_changes(customer: np.ndarray, time: np.ndarray, dormant_after: float, lost_after: float):
    """Stage changes implied by the gaps between a customer's orders.

    After an order at time t with the next order at t' (t' = ∞ after the last one):
    if t' − t > ``dormant_after`` the customer turns dormant at t + dormant_after;
    if t' − t > ``lost_after`` they turn lost at t + lost_after; a next order
    t' < ∞ brings them back (dormant → customer or lost → customer).

    Parameters
    ----------
    customer, time : arrays
        One entry per order, in time order.

    Returns
    -------
    tuple of arrays
        customer, time, from-stage code, to-stage code of each change.

    Example
    -------
    Orders on days 0 and 200: dormant on day 120, back on day 200; after the
    last order dormant on day 320 (200 + 120) and lost on day 565 (200 + 365).

    >>> c, t, f, to = silence_changes(np.array([1, 1]), np.array([0.0, 200.0]), 120, 365)
    >>> t.tolist(), [STAGES[k] for k in to]
    ([120.0, 200.0, 320.0, 565.0], ['dormant', 'customer', 'dormant', 'lost'])
    """
    CUSTOMER, DORMANT, LOST = STAGES.index("customer"), STAGES.index("dormant"), STAGES.index("lost")
    step = np.diff(customer)
    if np.all(step >= 0) and np.all(np.diff(time)[step == 0] >= 0):
        order = np.arange(len(customer))         # already by customer, then time (no sort needed)
    else:
        order = np.lexsort((time, customer))
    c, t = customer[order], time[order]
    nxt = np.full(len(t), np.inf)
    same = c[1:] == c[:-1]
    nxt[:-1][same] = t[1:][same]
    gap = nxt - t
    dormant = gap > dormant_after
    lost = gap > lost_after
    back = dormant & np.isfinite(nxt)
    # After an order the changes come in this time order: dormant at t + dormant_after,
    # lost at t + lost_after (>= dormant_after), back at the next order — all before
    # any change after that next order. So one slot each per order, read row by row,
    # is already each customer's changes in time order.
    happens = np.column_stack([dormant, lost, back])
    when = np.column_stack([t + dormant_after, t + lost_after, nxt])[happens]
    frm = np.column_stack([np.full(len(t), CUSTOMER), np.full(len(t), DORMANT),
                           np.where(lost, LOST, DORMANT)]).astype("int64")[happens]
    to = np.broadcast_to(np.array([DORMANT, LOST, CUSTOMER], dtype="int64"), happens.shape)[happens]
    cust = np.broadcast_to(c[:, None], happens.shape)[happens]
    return cust, when, frm, to


def _str_codes(names: np.ndarray, codes: np.ndarray) -> pd.Series:
    """``names[codes]`` as a string Series (taking from a few strings is faster than converting many)."""
    return pd.Series(pd.array(list(names), dtype="str").take(codes))


def _str(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype="str") if len(values) else pd.Series([], dtype="str")


@dataclass(repr=False)
class EventLog(crmlab.data.EventLog):
    """The result of :func:`sim.simulate`: :class:`crmlab.data.EventLog` with the simulation's config.

    Attributes
    ----------
    customers, transactions, stages, contacts, service, surveys, truth : DataFrame
        The tables of :mod:`crmlab.schema`. All but ``truth`` end at
        ``observation_end``; ``truth`` also holds each customer's holdout value
        (``holdout_purchases``, ``holdout_revenue``, ``holdout_profit``) over
        ``(observation_end, holdout_end]``.
    config : Scenario
    seed : int
    observation_end, holdout_end : Timestamp
    card : dict
        Scenario, every parameter, seed, row counts, package version and the
        ``measured`` word-of-mouth figures beside their parameters.
    """

    config: object = None
    seed: int | None = None
    observation_end: pd.Timestamp | None = None
    holdout_end: pd.Timestamp | None = None

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v)}" for k, v in self.tables().items())
        name = getattr(self.config, "name", "?")
        return f"EventLog(scenario={name!r}, seed={self.seed}, {rows})"

    def readme_text(self, card: dict) -> str:
        """The ``README.md`` of a simulated log (see :func:`_readme`)."""
        return _readme(card)


def _readme(card: dict) -> str:
    params = card.get("parameters", {})
    lines = [
        f"# Data card — simulated `{card.get('scenario')}` market",
        "",
        "Synthetic data made by the crmlab market simulator (`sim`). No real people.",
        "",
        f"- regenerate: `python -m sim --scenario {card.get('scenario')} --customers {card.get('customers')} "
        f"--years {card.get('years')} --seed {card.get('seed')}"
        + (f" --locale {params.get('locale')}" if params.get("locale", "en_US") != "en_US" else "")
        + " --out <folder> --overwrite`",
        f"- package version: {card.get('package_version')}",
        f"- period: {params.get('start')} to {card.get('observation_end')} "
        f"(truth holdout to {card.get('holdout_end')})",
        f"- currency: {params.get('currency')}; locale: {params.get('locale')}",
        *([f"- 金额单位：人民币元（¥）。money is in yuan (CNY, ¥): the scenario's US-dollar amounts × "
           f"{_cny_per_usd()} (same customers and orders as the en_US run with the same seed)"]
          if params.get("currency") == "CNY" else []),
        "",
        "| table | rows | columns |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {v} | {', '.join(card.get('columns', {}).get(k, []))} |" for k, v in card.get("rows", {}).items()]
    lines += ["", "Measured beside the scenario parameters:", ""]
    lines += [f"- {k}: {v}" for k, v in card.get("measured", {}).items()]
    lines += ["", "Reading the tables:", "",
              "- money (`amount`, `cost`) is in the card's currency; `cost` of an order is the cost of "
              "goods plus the cost to serve it, so `amount - cost` is the order's profit;",
              "- everybody starts as a `target` on the start date; `stages` lists the changes only "
              f"({', '.join(STAGES)});",
              "- `contacts` holds acquisition contacts (`acquire_<channel>`) and strategy actions, each with its cost;",
              "- `truth` is the simulator's hidden state (latent rates, true churn date, value in the holdout "
              "year after the observation end): use it to score estimators, never as a model input.",
              "", "What every column means: `crmlab.schema.describe()` (the event-log contract, "
              "`crmlab/schema.py`).",
              "Every parameter is in `card.json`, with the sha256 checksum of every file "
              "(`crmlab.data.load` checks them).", ""]
    return "\n".join(lines)


def _cny_per_usd() -> str:
    from .locales import CNY_PER_USD

    return f"{CNY_PER_USD:g}"


def load(path: str | os.PathLike) -> EventLog:
    """Read an event log written by :meth:`EventLog.save`, with its config.

    The folder is read and checked by :func:`crmlab.data.load` (checksums,
    columns, row counts); this adds the config, seed and dates from the card.

    Raises
    ------
    LoadError
        If the folder, the data card or a table is missing (naming them all), or
        a file is damaged (naming it).
    """
    from .config import from_dict

    folder = Path(path)
    data = crmlab.data.load(folder)
    missing = [f"{name}.parquet" for name in TABLES if getattr(data, name) is None]
    if not data.card:
        missing.append("card.json")
    if missing:
        raise crmlab.data.LogNotFoundError(f"{folder} is not a complete event log: missing {', '.join(missing)}")
    card = data.card
    for key in ("scenario", "parameters", "seed", "observation_end", "holdout_end"):
        if key not in card:
            raise LoadError(f"{folder / 'card.json'} lacks the entry {key!r}")
    return EventLog(**data.tables(), config=from_dict(card["parameters"]), seed=card["seed"],
                    observation_end=pd.Timestamp(card["observation_end"]),
                    holdout_end=pd.Timestamp(card["holdout_end"]), card=card)
