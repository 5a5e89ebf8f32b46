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
responded. ``Contact``, ``Discount`` and ``AssignManager`` change only a live
customer (one who has not really left); for anybody else they are logged and
paid for, and change nothing. ``WinBack`` can revive a customer who has left
(in the market; a ``textbook`` customer who has left never comes back).

How an action works: the model checks its ``customer_id`` and calls
``action.apply(model, i)`` (``i = customer_id − 1``). Each action draws one
uniform ``u`` from the customer's own action stream, changes the customer's
state, and hands the contact to ``model.respond``, which logs it and — for a
live customer — adds the order a response brings and lets the customer's
process redraw its clocks. A new kind of action is a new subclass with its
own ``apply``.

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
           "WinBackDormant", "ObservedLog", "TruthHiddenError", "StartingOn"]


class TruthHiddenError(AttributeError):
    """A strategy tried to read the ``truth`` table."""


@dataclass(frozen=True)
class Action:
    """Base class of the actions a strategy returns."""

    customer_id: int

    def apply(self, model, i: int) -> None:
        """Carry out the action on person ``i`` (``customer_id − 1``) of ``model`` (a :class:`sim.model.Model`)."""
        raise TypeError(f"unknown action {self!r}; use Contact, Discount, AssignManager or WinBack")


@dataclass(frozen=True)
class Contact(Action):
    """A care or marketing contact with a named ``campaign``."""

    campaign: str = "care"

    def apply(self, model, i: int) -> None:
        """Dropout × ``contact_dropout_multiplier``, satisfaction up; orders with P = ``contact_response``."""
        cfg, u = model.cfg, model.action_stream(i).uniform()
        responded = False
        if model.alive(i):
            model.contact_mult[i] = cfg.contact_dropout_multiplier
            model.move_satisfaction(i, cfg.contact_satisfaction)
            responded = u < cfg.contact_response
        model.respond(i, str(self.campaign), cfg.contact_cost, responded)


@dataclass(frozen=True)
class Discount(Action):
    """A discount of ``percent`` % (0 < percent < 100) on the next orders."""

    percent: float = 10.0

    def apply(self, model, i: int) -> None:
        """Orders for ``discount_days`` cost ``percent`` % less; satisfaction + ``discount_satisfaction · percent``."""
        cfg, u = model.cfg, model.action_stream(i).uniform()
        pct = self.percent
        if not (isinstance(pct, (int, float)) and 0 < pct < 100):
            raise ValueError(f"Discount.percent must be in (0, 100), got {pct!r}")
        responded = False
        if model.alive(i):
            model.discount_until[i] = model.env.now + cfg.discount_days
            model.discount_pct[i] = float(pct)
            model.move_satisfaction(i, cfg.discount_satisfaction * pct)
            responded = u < cfg.contact_response
        model.respond(i, f"discount_{pct:g}%", cfg.discount_cost, responded)


@dataclass(frozen=True)
class AssignManager(Action):
    """Give the customer a personal account manager."""

    def apply(self, model, i: int) -> None:
        """Dropout × ``manager_dropout_multiplier``, satisfaction up; no order of its own."""
        cfg = model.cfg
        model.action_stream(i).uniform()                     # drawn for every action (keeps the stream aligned)
        responded = False
        if model.alive(i):
            model.manager_mult[i] = cfg.manager_dropout_multiplier
            model.move_satisfaction(i, cfg.manager_satisfaction)
            responded = True
        model.respond(i, "account_manager", cfg.manager_cost, responded, orders=False)


@dataclass(frozen=True)
class WinBack(Action):
    """A win-back offer to a dormant customer."""

    def apply(self, model, i: int) -> None:
        """A dormant customer responds with P = ``winback_success``: one who has really left comes
        back (if the world allows it), one still alive orders now."""
        cfg, u = model.cfg, model.action_stream(i).uniform()
        responded = u < cfg.winback_success and model.dormant(i) and model.can_come_back(i)
        if responded and model.gone(i):
            model.log_contact(i, "winback", cfg.winback_cost, True)
            model.come_back(i)
        else:
            model.respond(i, "winback", cfg.winback_cost, responded)


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

    def __init__(self, model, today: pd.Timestamp):
        self._model = model
        self.today = today
        self._cache: dict = {}

    def _table(self, name):
        if name not in self._cache:
            from .tables import observed

            self._cache[name] = observed(self._model, name)
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

        codes = self._model.current_labels()
        return pd.Series(np.asarray(STAGES, dtype=object)[codes], index=pd.RangeIndex(1, len(codes) + 1,
                         name="customer_id"), dtype="str", name="stage")


class StartingOn(Strategy):
    """Switch a strategy on at a date: no action before ``date``, ``strategy``'s decisions from it on.

    A programme launched mid-run, for a before/after test against a control run
    (chapter 11). Run the same market twice with the same seed — once with
    ``NoAction()``, once with ``StartingOn(programme, date)`` — and the two logs are
    identical up to ``date`` (common random numbers), so every difference after it
    comes from the programme (and from the chance paths it sets off).

    The wrapped strategy is first asked on the first weekly decision on or after
    ``date``; it never sees the weeks before.

    Example
    -------
    >>> import sim
    >>> late = StartingOn(WinBackDormant(), "2024-07-01")
    >>> late.name
    'win back dormant from 2024-07-01'
    >>> log = sim.simulate("classroom", customers=300, years=2, seed=3, strategy=late)
    >>> offers = log.contacts[log.contacts["campaign"] == "winback"]
    >>> str(offers["date"].min().date()) >= "2024-07-01"
    True
    """

    def __init__(self, strategy, date):
        if not callable(getattr(strategy, "decide", None)):
            raise TypeError(f"StartingOn strategy must have a decide(today, log) method, got {strategy!r}")
        try:
            when = pd.Timestamp(date)
        except (ValueError, TypeError):
            raise ValueError(f"StartingOn date must be a date like '2024-07-01', got {date!r}") from None
        if pd.isna(when):
            raise ValueError(f"StartingOn date must be a date like '2024-07-01', got {date!r}")
        self.strategy, self.date = strategy, when
        self.name = f"{getattr(strategy, 'name', type(strategy).__name__)} from {when.date()}"

    def decide(self, today, log):
        if today < self.date:
            return []
        return self.strategy.decide(today, log)
