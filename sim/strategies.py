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
                                       ``percent`` % less and come more often (rate ×
                                       1 + elasticity·percent/100); satisfaction up
``AssignManager(customer_id)``         cost ``manager_cost``; dropout ×
                                       ``manager_dropout_multiplier``
``WinBack(customer_id)``               cost ``winback_cost``; a customer who has really
                                       left comes back with probability ``winback_success``
=====================================  ===================================================

Built-in strategies: :class:`NoAction` (the baseline), :class:`WinBackDormant`,
:class:`CareContacts`, :class:`TargetedDiscount` and :class:`LoyaltyProgramme`;
the last three address a :class:`Target` — customers chosen by lifecycle stage,
RFM scores (deciles too) and value tier, from what the firm sees.

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
           "WinBackDormant", "Target", "CareContacts", "TargetedDiscount", "LoyaltyProgramme",
           "ObservedLog", "TruthHiddenError", "StartingOn"]


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
    """A discount of ``percent`` % (0 < percent < 100) on the next orders.

    A lower price changes what customers do, not only how they feel: while
    the discount runs (``discount_days``) a market customer buys more often,
    at the purchase rate λ · (1 + ``elasticity`` · percent / 100) — with the
    default elasticity 2, a 10 % discount lifts the rate by 20 %. Every order
    in that time costs ``percent`` % less (the firm's margin pays for it). In
    the ``textbook`` world orders are drawn before the clock starts, so there
    the discount lowers amounts but cannot add orders.
    """

    percent: float = 10.0
    elasticity: float = 2.0

    def apply(self, model, i: int) -> None:
        """Orders for ``discount_days`` cost ``percent`` % less and come
        (1 + elasticity · percent/100) times as often; satisfaction + ``discount_satisfaction · percent``."""
        cfg, u = model.cfg, model.action_stream(i).uniform()
        pct, elasticity = self.percent, self.elasticity
        if isinstance(pct, bool) or not (isinstance(pct, (int, float)) and 0 < pct < 100):
            raise ValueError(f"Discount.percent must be in (0, 100), got {pct!r}")
        if isinstance(elasticity, bool) or not (isinstance(elasticity, (int, float)) and 0 <= elasticity <= 20):
            raise ValueError(f"Discount.elasticity must be a number in [0, 20], got {elasticity!r}")
        responded = False
        if model.alive(i):
            model.discount_until[i] = model.env.now + cfg.discount_days
            model.discount_pct[i] = float(pct)
            model.discount_lift[i] = 1.0 + float(elasticity) * float(pct) / 100.0
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


# ----------------------------------------------------------------------------- targeting
@dataclass(frozen=True)
class Target:
    """Whom a strategy addresses: customers by lifecycle stage, RFM scores and value tier.

    Every condition given must hold (they are combined with "and"); a
    condition left at ``None`` lets everybody through. All of them read only
    what the firm sees this week:

    * ``stages`` — the firm's label today (``"customer"``, ``"dormant"``,
      ``"lost"``; see :meth:`ObservedLog.current_stage`);
    * ``r_scores``, ``f_scores``, ``m_scores`` — scores 1..``bins`` from
      :func:`crmlab.rfm.rfm_table` of the orders so far, as of today
      (``bins=10`` gives deciles; 1 is the worst: longest ago, fewest orders,
      least money);
    * ``tiers`` — the value pyramid of spend so far (:func:`crmlab.tiers.value_pyramid`
      with ``tier_shares``: top 5 %, high 15 %, mid 30 %, low 50 % by default).

    Example
    -------
    >>> Target(stages=("customer",), r_scores=(1, 2)).describe()
    'stage in (customer) and R score in (1, 2) of 5'
    """

    stages: tuple | None = ("customer",)
    r_scores: tuple | None = None
    f_scores: tuple | None = None
    m_scores: tuple | None = None
    bins: int = 5
    tiers: tuple | None = None
    tier_shares: tuple = (0.05, 0.15, 0.30, 0.50)

    def __post_init__(self):
        from .eventlog import STAGES

        for name in ("stages", "r_scores", "f_scores", "m_scores", "tiers"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, str) or not hasattr(value, "__iter__")):
                raise ValueError(f"Target.{name} must be a tuple (or None), got {value!r}")
            if value is not None:
                object.__setattr__(self, name, tuple(value))
        if isinstance(self.bins, bool) or not isinstance(self.bins, int) or not 2 <= self.bins <= 10:
            raise ValueError(f"Target.bins must be a whole number in 2..10, got {self.bins!r}")
        for name in ("r_scores", "f_scores", "m_scores"):
            bad = [v for v in getattr(self, name) or () if isinstance(v, bool) or v not in range(1, self.bins + 1)]
            if bad:
                raise ValueError(f"Target.{name} must be scores in 1..{self.bins}, got {bad[0]!r}")
        bad = [v for v in self.stages or () if v not in STAGES]
        if bad:
            raise ValueError(f"Target.stages must be among {list(STAGES)}, got {bad[0]!r}")
        bad = [v for v in self.tiers or () if v not in ("top", "high", "mid", "low")]
        if bad:
            raise ValueError(f"Target.tiers must be among ['top', 'high', 'mid', 'low'], got {bad[0]!r}")

    def describe(self) -> str:
        """The conditions in words."""
        parts = []
        if self.stages is not None:
            parts.append(f"stage in ({', '.join(self.stages)})")
        for name, label in (("r_scores", "R"), ("f_scores", "F"), ("m_scores", "M")):
            if getattr(self, name) is not None:
                parts.append(f"{label} score in ({', '.join(map(str, getattr(self, name)))}) of {self.bins}")
        if self.tiers is not None:
            parts.append(f"tier in ({', '.join(self.tiers)})")
        return " and ".join(parts) or "everybody"

    def ids(self, today: pd.Timestamp, log: "ObservedLog") -> np.ndarray:
        """The customer ids that meet every condition today (sorted)."""
        stage = log.current_stage()
        keep = np.ones(len(stage), dtype=bool)
        if self.stages is not None:
            keep &= np.isin(stage.to_numpy(dtype=object), list(self.stages))
        ids = stage.index.to_numpy()[keep]
        if self.r_scores is None and self.f_scores is None and self.m_scores is None and self.tiers is None:
            return ids
        tx = log.transactions
        if len(tx) == 0:
            return ids[:0]
        if self.r_scores is not None or self.f_scores is not None or self.m_scores is not None:
            from crmlab.rfm import rfm_of_valid

            table = rfm_of_valid(tx, pd.Timestamp(today), bins=self.bins)
            ok = pd.Series(True, index=table.index)
            for name, column in (("r_scores", "r_score"), ("f_scores", "f_score"), ("m_scores", "m_score")):
                if getattr(self, name) is not None:
                    ok &= table[column].isin(getattr(self, name))
            ids = ids[np.isin(ids, table.index.to_numpy()[ok.to_numpy()])]
        if self.tiers is not None:
            from crmlab.tiers import value_pyramid

            spend = tx.groupby("customer_id", sort=True)["amount"].sum()
            tier = value_pyramid(spend, self.tier_shares)
            ids = ids[np.isin(ids, tier.index.to_numpy()[tier.isin(self.tiers).to_numpy()])]
        return ids


def _check_offer(percent, elasticity) -> None:
    """The dials of a discount strategy, checked when it is made."""
    if isinstance(percent, bool) or not (isinstance(percent, (int, float)) and 0 < percent < 100):
        raise ValueError(f"percent must be in (0, 100), got {percent!r}")
    if isinstance(elasticity, bool) or not (isinstance(elasticity, (int, float)) and 0 <= elasticity <= 20):
        raise ValueError(f"elasticity must be a number in [0, 20], got {elasticity!r}")


class _Periodic(Strategy):
    """A strategy that looks at its target every ``every_days`` days and acts on each
    customer at most once every ``repeat_days`` days.

    It remembers within one run whom it addressed when; a new run (the
    calendar starting again) starts with a clean memory, so one instance can
    be reused (``sim.compare`` copies it for every replication anyway).
    """

    def __init__(self, target: Target | None, every_days: float, repeat_days: float):
        if target is not None and not isinstance(target, Target):
            raise ValueError(f"target must be a sim.strategies.Target (or None), got {target!r}")
        for name, value in (("every_days", every_days), ("repeat_days", repeat_days)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 7 <= value <= 3650:
                raise ValueError(f"{name} must be a number of days in [7, 3650], got {value!r}")
        self.target = Target() if target is None else target
        self.every_days, self.repeat_days = float(every_days), float(repeat_days)
        self._last: dict[int, pd.Timestamp] = {}
        self._today: pd.Timestamp | None = None
        self._next: pd.Timestamp | None = None

    def _due(self, today, log) -> list[int]:
        """The target's customers due for an action today ([] between looks)."""
        if self._today is not None and today <= self._today:
            self._last, self._next = {}, None                # a new simulation run
        self._today = today
        if self._next is not None and today < self._next:
            return []
        self._next = today + pd.Timedelta(days=self.every_days - 0.5)
        due = []
        for cid in self.target.ids(today, log).tolist():
            last = self._last.get(cid)
            if last is None or (today - last).days >= self.repeat_days:
                self._last[cid] = today
                due.append(int(cid))
        return due

    def _action(self, cid: int) -> Action:
        raise NotImplementedError

    def decide(self, today, log):
        return [self._action(cid) for cid in self._due(today, log)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, target={self.target.describe()!r})"


class CareContacts(_Periodic):
    """Targeted care contacts: call the chosen customers, each at most every ``repeat_days``.

    Each contact costs ``contact_cost``, multiplies the customer's dropout
    hazard by ``contact_dropout_multiplier`` and raises satisfaction (see
    :class:`Contact`). Default target: active customers in the two lowest
    recency quintiles (R = 1, 2: the ones drifting away), looked at monthly,
    each called at most every 90 days.
    """

    name = "care contacts"

    def __init__(self, target: Target | None = None, every_days: float = 28, repeat_days: float = 90,
                 campaign: str = "care"):
        super().__init__(Target(stages=("customer",), r_scores=(1, 2)) if target is None else target,
                         every_days, repeat_days)
        self.campaign = str(campaign)

    def _action(self, cid):
        return Contact(cid, self.campaign)


class TargetedDiscount(_Periodic):
    """A discount of ``percent`` % to the chosen customers, each at most every ``repeat_days``.

    Each offer costs ``discount_cost`` to send; the discount itself lowers the
    amounts of the orders in the next ``discount_days`` and lifts the purchase
    rate by ``elasticity · percent`` % (see :class:`Discount`). Default
    target: dormant customers, looked at monthly, an offer every 90 days.
    """

    name = "targeted discount"

    def __init__(self, percent: float = 15.0, target: Target | None = None, every_days: float = 28,
                 repeat_days: float = 90, elasticity: float = 2.0):
        super().__init__(Target(stages=("dormant",)) if target is None else target, every_days, repeat_days)
        _check_offer(percent, elasticity)                    # now, not in the middle of a run
        self.percent, self.elasticity = float(percent), float(elasticity)

    def _action(self, cid):
        return Discount(cid, self.percent, self.elasticity)


class LoyaltyProgramme(_Periodic):
    """A loyalty programme: repeat buyers earn ``percent`` % off their next orders.

    A member is a customer with at least ``min_orders`` orders so far (a
    repeat buyer) who meets ``target``; the points are modelled as a standing
    discount, renewed every ``repeat_days`` (default 56, inside the
    scenario's 60 ``discount_days``, so a member's discount does not lapse).
    Costs: ``discount_cost`` per renewal, and ``percent`` % of every member's
    orders (in the margin). Effects: members buy more often (see
    :class:`Discount`) and are a little more satisfied.
    """

    name = "loyalty programme"

    def __init__(self, percent: float = 5.0, min_orders: int = 2, target: Target | None = None,
                 every_days: float = 28, repeat_days: float = 56, elasticity: float = 2.0):
        super().__init__(target, every_days, repeat_days)
        _check_offer(percent, elasticity)
        if isinstance(min_orders, bool) or not isinstance(min_orders, int) or min_orders < 1:
            raise ValueError(f"min_orders must be a whole number >= 1, got {min_orders!r}")
        self.percent, self.elasticity, self.min_orders = float(percent), float(elasticity), min_orders

    def _due(self, today, log):
        due = super()._due(today, log)
        if not due or self.min_orders <= 1:
            return due
        orders = log.transactions["customer_id"].value_counts()
        members = set(orders.index[orders.to_numpy() >= self.min_orders].tolist())
        for cid in [c for c in due if c not in members]:
            del self._last[cid]                              # not a member yet: look again next time
        return [c for c in due if c in members]

    def _action(self, cid):
        return Discount(cid, self.percent, self.elasticity)


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
