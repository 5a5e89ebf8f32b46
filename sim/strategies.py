"""Retention strategies: a weekly decision that sees only what a firm would see.

A strategy is any object with a ``name`` and a method
``decide(today, log) -> list of actions``. The simulator calls it once a week
with the event log so far (:class:`ObservedLog`: customers, transactions,
stages, contacts, service and surveys up to ``today``). Reading ``log.truth``
raises :class:`TruthHiddenError` — a real firm cannot see who has really left.

Actions (each has a cost and an effect set in the scenario config):

=====================================  ===================================================
``Contact(customer_id, campaign)``     care or marketing contact: cost ``contact_cost``;
                                       dropout hazard × ``contact_dropout_multiplier``,
                                       satisfaction + ``contact_satisfaction``; orders at
                                       once with probability ``contact_response``
``Discount(customer_id, percent)``     orders in the next ``discount_days`` cost
                                       ``percent`` % less; satisfaction up
``AssignManager(customer_id)``         cost ``manager_cost``; dropout ×
                                       ``manager_dropout_multiplier``
``WinBack(customer_id)``               cost ``winback_cost``; a customer who has really
                                       left comes back with probability ``winback_success``
=====================================  ===================================================

Every action is logged in ``contacts`` with its cost and whether the customer
responded.

Example
-------
>>> import sim
>>> class CallTheSilent(Strategy):
...     name = "call the silent"
...     def decide(self, today, log):
...         dormant = log.current_stage()
...         return [Contact(c, "we miss you") for c in dormant[dormant == "dormant"].index]
>>> log = sim.simulate("classroom", customers=300, years=1, seed=3, strategy=CallTheSilent())
>>> bool((log.contacts["campaign"] == "we miss you").any())
True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Strategy", "Action", "Contact", "Discount", "AssignManager", "WinBack", "NoAction",
           "WinBackDormant", "ObservedLog", "TruthHiddenError"]


class TruthHiddenError(AttributeError):
    """A strategy tried to read the ``truth`` table."""


@dataclass(frozen=True)
class Action:
    """Base class of the actions a strategy returns."""

    customer_id: int


@dataclass(frozen=True)
class Contact(Action):
    """A care or marketing contact with a named ``campaign``."""

    campaign: str = "care"


@dataclass(frozen=True)
class Discount(Action):
    """A discount of ``percent`` % (0 < percent < 100) on the next orders."""

    percent: float = 10.0


@dataclass(frozen=True)
class AssignManager(Action):
    """Give the customer a personal account manager."""


@dataclass(frozen=True)
class WinBack(Action):
    """A win-back offer to a dormant customer."""


class Strategy:
    """A retention strategy: override :meth:`decide`."""

    name: str = "strategy"

    def decide(self, today: pd.Timestamp, log: "ObservedLog") -> list[Action]:
        """The actions to take this week (an empty list for none)."""
        raise NotImplementedError("a Strategy subclass must define decide(today, log)")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class NoAction(Strategy):
    """Do nothing (the baseline every strategy is compared with)."""

    name = "no action"

    def decide(self, today, log):
        return []


class WinBackDormant(Strategy):
    """Send a win-back offer to every customer who is dormant this week.

    A customer gets at most one offer every ``every_days`` days (default 90).
    The strategy remembers its offers within one run; a new run (the calendar
    starting again) starts with a clean memory, so one instance can be reused.
    """

    name = "win back dormant"

    def __init__(self, every_days: float = 90.0):
        self.every_days = float(every_days)
        self._last: dict[int, pd.Timestamp] = {}
        self._today: pd.Timestamp | None = None

    def decide(self, today, log):
        if self._today is not None and today <= self._today:
            self._last = {}                                  # a new simulation run
        self._today = today
        stage = log.current_stage()
        dormant = stage.index[stage.to_numpy() == "dormant"]
        actions = []
        for cid in dormant.tolist():
            last = self._last.get(cid)
            if last is None or (today - last).days >= self.every_days:
                self._last[cid] = today
                actions.append(WinBack(cid))
        return actions


class ObservedLog:
    """The event log so far, as a firm sees it (built lazily, table by table).

    Attributes ``customers``, ``transactions``, ``stages``, ``contacts``,
    ``service``, ``surveys`` are DataFrames up to ``today``;
    :meth:`current_stage` gives each person's stage now. ``truth`` raises
    :class:`TruthHiddenError`.
    """

    def __init__(self, market, today: pd.Timestamp):
        self._market = market
        self.today = today
        self._cache: dict = {}

    def _table(self, name):
        if name not in self._cache:
            self._cache[name] = self._market.observed_table(name)
        return self._cache[name]

    customers = property(lambda self: self._table("customers"))
    transactions = property(lambda self: self._table("transactions"))
    stages = property(lambda self: self._table("stages"))
    contacts = property(lambda self: self._table("contacts"))
    service = property(lambda self: self._table("service"))
    surveys = property(lambda self: self._table("surveys"))

    @property
    def truth(self):
        raise TruthHiddenError("truth is hidden from strategies: a firm cannot see its customers' "
                               "latent state; decide from customers, transactions, stages, contacts, "
                               "service and surveys")

    def current_stage(self) -> pd.Series:
        """Stage of every person today (index ``customer_id``)."""
        from .eventlog import STAGES

        codes = self._market.current_labels()
        return pd.Series(np.asarray(STAGES, dtype=object)[codes], index=pd.RangeIndex(1, len(codes) + 1,
                         name="customer_id"), dtype="str", name="stage")
