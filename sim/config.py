"""Scenarios: the validated parameters of a simulated market.

A scenario is a frozen :class:`Scenario` dataclass. :func:`scenario` returns a
built-in one, optionally changed with keyword overrides, and checks every
field; :func:`scenarios` lists the names. A bad value raises
:class:`ConfigError` (a ``ValueError``) naming the field and the value.

Units: time in the simulator is in **days**. Fields say their unit in their
name (``..._per_year``, ``..._days``, ``..._hours``); the purchase process
uses the BG/NBD convention of the literature — rates **per week**:

* purchase rate of a customer  λ ~ Gamma(shape ``r``, rate ``alpha``) per week
  (mean r/α);
* spend per order (Gamma-Gamma)  z ~ Gamma(``p``, rate ν),
  ν ~ Gamma(``q``, rate ``v``), so the mean order is p·v/(q − 1);
* ``textbook`` only: dropout probability after each repeat purchase
  p ~ Beta(``a``, ``b``).

Example
-------
>>> cfg = scenario("textbook", r=0.5, alpha=6.0)
>>> cfg.r, cfg.alpha, cfg.kind
(0.5, 6.0, 'textbook')
>>> scenario("classroom", dropout_per_year=-1)
Traceback (most recent call last):
...
sim.config.ConfigError: dropout_per_year must be >= 0, got -1
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from crmlab.lifecycle import DORMANT_AFTER_DAYS, LOST_AFTER_DAYS

__all__ = ["ConfigError", "Channel", "Scenario", "scenario", "scenarios", "from_dict", "check_dates"]


class ConfigError(ValueError):
    """A scenario parameter has a bad value; the message names field and value."""


@dataclass(frozen=True)
class Channel:
    """A paid acquisition channel.

    Parameters
    ----------
    name : str
        e.g. ``"search_ads"``.
    share : float
        Share of paid first contacts that come through this channel (the
        shares of all channels add up to 1).
    cost_per_contact : float
        Money spent to reach one target through the channel.
    conversion : float
        Probability that a reached prospect becomes an opportunity.
    """

    name: str
    share: float
    cost_per_contact: float
    conversion: float


DEFAULT_CHANNELS = (
    Channel("search_ads", 0.4, 2.0, 0.35),
    Channel("social_media", 0.35, 1.0, 0.25),
    Channel("direct_mail", 0.25, 3.0, 0.30),
)

KINDS = ("market", "textbook")
PROFILE_KINDS = ("person", "firm")
LOCALES = ("en_US", "zh_CN")

# fields checked as probabilities in [0, 1]
_PROBABILITIES = (
    "close_rate", "referral_conversion", "referral_share", "deterred_conversion_multiplier",
    "dissatisfied_below", "satisfied_above", "complaint_share", "winback_success",
    "contact_response", "contact_dropout_multiplier", "manager_dropout_multiplier",
    "renewal_dropout", "satisfaction_ref", "survey_noise",
)
# fields checked as finite numbers >= 0
_NONNEGATIVE = (
    "customers", "years", "holdout_years", "acquisition_spread_days", "reach_per_year",
    "days_to_opportunity", "days_to_close", "referral_rate_per_year", "dissatisfied_reach",
    "r", "alpha", "a", "b", "p", "q", "v", "margin_a", "margin_b", "serve_cost_per_order",
    "annual_fee", "fee_cost", "dropout_per_year", "frailty_shape", "satisfaction_effect",
    "switching_cost_mean", "dormant_after_days", "lost_after_days", "satisfaction_a",
    "satisfaction_b", "ticket_rate_per_year", "service_rate", "wait_penalty_per_hour",
    "complaint_hit", "resolution_boost", "question_boost", "survey_rate_per_year",
    "winback_cost", "contact_cost", "contact_satisfaction", "discount_cost", "discount_days",
    "discount_satisfaction", "manager_cost", "manager_satisfaction",
)
# fields that must be > 0 (shape and rate parameters of distributions, ...)
_POSITIVE = ("customers", "years", "r", "alpha", "a", "b", "p", "q", "v", "margin_a", "margin_b",
             "frailty_shape", "satisfaction_a", "satisfaction_b", "service_rate",
             "days_to_opportunity", "days_to_close")


@dataclass(frozen=True)
class Scenario:
    """All parameters of one simulated market (see the module docstring for units).

    Every built-in scenario is one of these with some fields changed; the
    docstring of each builder in :data:`BUILDERS` says what it represents.
    """

    # --- the run ---------------------------------------------------------
    name: str = "classroom"
    kind: str = "market"                   # "market" (full model) or "textbook" (pure BG/NBD)
    start: str = "2023-01-01"              # calendar date of simulation day 0
    customers: int = 5000                  # people in the market (targets), default size
    years: float = 3.0                     # observation period
    holdout_years: float = 1.0             # simulated after the observation end, for truth
    locale: str = "en_US"                  # Faker locale of names and cities
    currency: str = "USD"
    profile_kind: str = "person"           # "person" or "firm" (company names, b2b)
    # --- acquisition funnel: target -> prospect -> opportunity -> customer -------
    channels: tuple = DEFAULT_CHANNELS
    reach_per_year: float = 0.4            # rate at which paid channels reach a target
    acquisition_spread_days: float = 0.0   # textbook: customers start uniformly in [0, spread]
    days_to_opportunity: float = 14.0      # mean time prospect -> opportunity (or -> lost)
    days_to_close: float = 10.0            # mean time opportunity -> customer (or -> lost)
    close_rate: float = 0.75               # P(opportunity becomes customer), else lost to a competitor
    # --- word of mouth (CONCEPTS.md section 2) ---------------------------------
    referral_rate_per_year: float = 2.0    # referrals a satisfied customer makes per year
    referral_conversion: float = 0.6       # P(referred prospect becomes an opportunity)
    referral_share: float = 0.6            # target share of new customers via referral (reported beside the measured one)
    dissatisfied_reach: float = 25.0       # targets one dissatisfied leaver deters
    deterred_conversion_multiplier: float = 0.5  # conversion of a deterred target is multiplied by this
    dissatisfied_below: float = 0.35       # satisfaction below this = dissatisfied
    satisfied_above: float = 0.55          # satisfaction at or above this = refers friends
    # --- buying (rates per WEEK, Gamma-Gamma spend) --------------------------
    r: float = 1.0                         # purchase-rate Gamma shape
    alpha: float = 8.0                     # purchase-rate Gamma rate (weeks); mean r/alpha per week
    a: float = 1.0                         # textbook: dropout Beta a
    b: float = 4.0                         # textbook: dropout Beta b
    p: float = 6.0                         # spend Gamma shape per order
    q: float = 4.0                         # spend: Gamma shape of nu
    v: float = 15.0                        # spend: Gamma rate of nu; mean order p*v/(q-1)
    categories: tuple = ("grocery", "household", "electronics", "clothing")
    category_weights: tuple = (0.45, 0.25, 0.1, 0.2)
    margin_a: float = 6.0                  # gross margin of a customer's basket ~ Beta(margin_a, margin_b)
    margin_b: float = 14.0
    serve_cost_per_order: float = 4.0      # mean cost to serve one order (delivery, handling)
    annual_fee: float = 0.0                # yearly fee charged at acquisition and each anniversary
    fee_category: str = "fee"
    fee_cost: float = 0.0                  # cost of serving the account per year (booked with the fee)
    renewal_dropout: float = 0.0           # P(not renewing) at an anniversary, at reference satisfaction
    # --- leaving --------------------------------------------------------------
    dropout_per_year: float = 0.45         # base dropout hazard at reference satisfaction, no switching cost
    frailty_shape: float = 0.6             # heterogeneity: hazard x Gamma(k, 1/k) frailty (mean 1)
    satisfaction_effect: float = 3.0       # hazard x exp(effect * (satisfaction_ref - satisfaction))
    satisfaction_ref: float = 0.6
    switching_cost_mean: float = 0.3       # hazard x exp(-switching cost), cost ~ Exponential(mean)
    dormant_after_days: float = float(DORMANT_AFTER_DAYS)  # silence before labelled dormant (crmlab.lifecycle)
    lost_after_days: float = float(LOST_AFTER_DAYS)        # silence before labelled lost (crmlab.lifecycle)
    # --- satisfaction and service ----------------------------------------------
    satisfaction_a: float = 6.0            # initial satisfaction ~ Beta(a, b) on [0, 1]
    satisfaction_b: float = 4.0
    ticket_rate_per_year: float = 1.0      # service tickets a customer opens per year
    complaint_share: float = 0.3           # P(ticket is a complaint) at satisfaction 0.5
    service_rate: float = 2.0              # tickets per hour one agent handles (mean 30 min)
    agents: int = 2                        # agents for the default population (scaled with it)
    wait_penalty_per_hour: float = 0.01    # satisfaction lost per hour waited
    complaint_hit: float = 0.06            # satisfaction lost when a complaint is opened
    resolution_boost: float = 0.05         # satisfaction gained when a complaint is resolved
    question_boost: float = 0.01           # satisfaction gained when a question is answered
    survey_rate_per_year: float = 0.5      # survey answers per customer per year
    survey_noise: float = 0.08             # s.d. of survey noise on the [0, 1] scale
    # --- strategy actions: cost and effect ----------------------------------------
    winback_cost: float = 5.0
    winback_success: float = 0.25          # P(a churned customer comes back after a win-back)
    contact_cost: float = 1.0
    contact_response: float = 0.1          # P(a contacted customer orders at once)
    contact_dropout_multiplier: float = 0.8  # dropout hazard x this once contacted
    contact_satisfaction: float = 0.02
    discount_cost: float = 0.5             # mailing cost of an offer (the discount itself lowers amounts)
    discount_days: float = 60.0            # how long a discount applies to orders
    discount_satisfaction: float = 0.002   # satisfaction gained per percent of discount
    manager_cost: float = 150.0            # cost of assigning an account manager
    manager_dropout_multiplier: float = 0.6
    manager_satisfaction: float = 0.08

    def __post_init__(self):
        validate(self)

    def replace(self, **overrides) -> "Scenario":
        """A copy with some fields changed (validated); a new ``locale`` converts money and words first (:mod:`sim.locales`)."""
        return _with_locale(self, overrides)

    def to_dict(self) -> dict:
        """All fields as plain JSON-able values (channels as dicts, tuples as lists)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "channels":
                value = [dataclasses.asdict(c) for c in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def _fail(name, value, rule):
    raise ConfigError(f"{name} must be {rule}, got {value!r}")


def _number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(name, value, "a finite number")
    return float(value)


#: the dates a simulated log can hold: pandas' datetime64[ns] range, to the day
FIRST_DATE = "1677-09-22"
LAST_DATE = "2262-04-10"


def check_dates(start, years, holdout_years) -> None:
    """Refuse a run whose calendar leaves the dates pandas can represent.

    The log's dates run from ``start`` to ``start + (years + holdout_years)·365``
    days and must lie in [:data:`FIRST_DATE`, :data:`LAST_DATE`] — the range of
    ``datetime64[ns]``; outside it dates would wrap around silently.

    >>> check_dates("2023-01-01", 1000, 1.0)
    Traceback (most recent call last):
    ...
    sim.config.ConfigError: years must be a number that keeps the simulated dates within 1677-09-22 .. 2262-04-10 (start 2023-01-01 + 1001.0 years of 365 days ends after 2262-04-10), got 1000
    """
    import pandas as pd

    try:
        first = pd.Timestamp(start)
    except (TypeError, ValueError, OverflowError):
        first = None
    if first is None or pd.isna(first):
        _fail("start", start, "a date like '2023-01-01'")
    lo, hi = pd.Timestamp(FIRST_DATE), pd.Timestamp(LAST_DATE)
    if not lo <= first <= hi:
        _fail("start", start, f"a date within {FIRST_DATE} .. {LAST_DATE} (the dates pandas can represent)")
    total = _number("years", years) + _number("holdout_years", holdout_years)
    room_days = (hi - first) / pd.Timedelta(days=1)
    if total * 365.0 > room_days:
        _fail("years", years, f"a number that keeps the simulated dates within {FIRST_DATE} .. {LAST_DATE} "
                              f"(start {first.date()} + {total} years of 365 days ends after {LAST_DATE})")


def validate(cfg: Scenario) -> None:
    """Check every field of ``cfg``; raise :class:`ConfigError` naming the first bad one."""
    if cfg.kind not in KINDS:
        _fail("kind", cfg.kind, f"one of {KINDS}")
    if cfg.locale not in LOCALES:
        _fail("locale", cfg.locale, f"one of {LOCALES}")
    if cfg.profile_kind not in PROFILE_KINDS:
        _fail("profile_kind", cfg.profile_kind, f"one of {PROFILE_KINDS}")
    for name in _NONNEGATIVE:
        v = _number(name, getattr(cfg, name))
        if v < 0:
            _fail(name, getattr(cfg, name), ">= 0")
    for name in _POSITIVE:
        if getattr(cfg, name) <= 0:
            _fail(name, getattr(cfg, name), "> 0")
    for name in _PROBABILITIES:
        v = _number(name, getattr(cfg, name))
        if not 0.0 <= v <= 1.0:
            _fail(name, getattr(cfg, name), "a probability in [0, 1]")
    if isinstance(cfg.customers, bool) or int(cfg.customers) != cfg.customers:
        _fail("customers", cfg.customers, "a whole number")
    if isinstance(cfg.agents, bool) or not isinstance(cfg.agents, int) or cfg.agents < 1:
        _fail("agents", cfg.agents, "a whole number >= 1")
    if cfg.q <= 1:
        _fail("q", cfg.q, "> 1 (the mean order p*v/(q-1) must exist)")
    if cfg.lost_after_days < cfg.dormant_after_days:
        _fail("lost_after_days", cfg.lost_after_days, f">= dormant_after_days ({cfg.dormant_after_days})")
    if cfg.satisfied_above < cfg.dissatisfied_below:
        _fail("satisfied_above", cfg.satisfied_above, f">= dissatisfied_below ({cfg.dissatisfied_below})")
    check_dates(cfg.start, cfg.years, cfg.holdout_years)
    if not isinstance(cfg.channels, tuple) or not cfg.channels:
        _fail("channels", cfg.channels, "a non-empty tuple of Channel")
    for ch in cfg.channels:
        if not isinstance(ch, Channel):
            _fail("channels", ch, "a Channel")
        for name in ("share", "cost_per_contact", "conversion"):
            v = _number(f"channels[{ch.name}].{name}", getattr(ch, name))
            if v < 0:
                _fail(f"channels[{ch.name}].{name}", getattr(ch, name), ">= 0")
        for name in ("share", "conversion"):
            if getattr(ch, name) > 1:
                _fail(f"channels[{ch.name}].{name}", getattr(ch, name), "a probability in [0, 1]")
    total = sum(ch.share for ch in cfg.channels)
    if abs(total - 1.0) > 1e-9:
        _fail("channels", [ch.share for ch in cfg.channels], "shares adding up to 1")
    if len(cfg.categories) == 0 or len(cfg.categories) != len(cfg.category_weights):
        _fail("category_weights", cfg.category_weights, f"one weight per category {cfg.categories}")
    for w in cfg.category_weights:
        if _number("category_weights", w) < 0:
            _fail("category_weights", cfg.category_weights, "weights >= 0")
    if abs(sum(cfg.category_weights) - 1.0) > 1e-9:
        _fail("category_weights", cfg.category_weights, "weights adding up to 1")
    if not isinstance(cfg.fee_category, str) or not cfg.fee_category:
        _fail("fee_category", cfg.fee_category, "a non-empty text")
    if cfg.fee_category in cfg.categories:
        _fail("fee_category", cfg.fee_category,
              f"different from every product category {cfg.categories} (fees would count as sales)")
    # the call centre must be stable even if every person became a customer:
    # arrival load lambda = customers * tickets/year / 8760 h  <  agents * service_rate
    if cfg.kind == "market":
        load = cfg.customers * cfg.ticket_rate_per_year / (365.0 * 24.0)
        if load >= cfg.agents * cfg.service_rate:
            raise ConfigError(
                f"agents={cfg.agents} is an unstable call centre: arrival load "
                f"{load:.3f} tickets/hour >= agents x service_rate = {cfg.agents * cfg.service_rate:.3f}")


def _channel(c) -> Channel:
    """A Channel from a Channel or a dict with exactly its fields (a typo is named, not a TypeError)."""
    if isinstance(c, Channel):
        return c
    if not isinstance(c, dict):
        _fail("channels", c, "a list of Channel or dicts with keys name, share, cost_per_contact, conversion")
    known = [f.name for f in dataclasses.fields(Channel)]
    unknown = [k for k in c if k not in known]
    missing = [k for k in known if k not in c]
    if unknown or missing:
        raise ConfigError(f"channels entry {c!r}: unknown keys {unknown}, missing keys {missing}; "
                          f"a channel has exactly the keys {known}")
    return Channel(**c)


def _replace(cfg: Scenario, overrides: dict) -> Scenario:
    known = {f.name for f in dataclasses.fields(Scenario)}
    for key in overrides:
        if key not in known:
            raise ConfigError(f"unknown field {key!r} (value {overrides[key]!r}); known fields: {sorted(known)}")
    overrides = dict(overrides)
    if "channels" in overrides:
        overrides["channels"] = tuple(_channel(c) for c in overrides["channels"])
    for key in ("categories", "category_weights"):
        if key in overrides:
            overrides[key] = tuple(overrides[key])
    return dataclasses.replace(cfg, **overrides)


# ----------------------------------------------------------------------------
# built-in scenarios
# ----------------------------------------------------------------------------

def classroom() -> Scenario:
    """A small consumer retail market (the course's default dataset).

    5,000 people, 3 years from 2023-01-01, three paid channels plus referrals
    (target ~60% of new customers), about 6.5 orders a year (λ ~ Gamma(1, 8)
    per week), mean order 30 (Gamma-Gamma p=6, q=4, v=15), margin ~30% and a
    cost to serve of ~4 per order (so small spenders lose money), dropout
    ~0.45/year at reference satisfaction with strongly heterogeneous frailty
    (Gamma shape 0.6, so retention rises with tenure), dormant after 120 silent days, lost
    after 365, a call centre with 2 agents.
    """
    return Scenario(name="classroom")


def retail() -> Scenario:
    """A larger retail chain: 20,000 people, more frequent smaller baskets.

    λ ~ Gamma(1.2, 8) per week (~8 orders a year), mean order 24 (p=4, q=3,
    v=12), thinner margins (Beta(5, 15), 25%), cheaper serving (2.5 per
    order), faster dropout (0.45/year), 6 agents.
    """
    return Scenario(name="retail", customers=20000, r=1.2, alpha=8.0, p=4.0, q=3.0, v=12.0,
                    margin_a=5.0, margin_b=15.0, serve_cost_per_order=2.5, dropout_per_year=0.45,
                    agents=6, reach_per_year=0.3)


def bank() -> Scenario:
    """A retail bank: the client pyramid, account fees and a high cost to serve.

    Few but large "orders" (product sales: λ ~ Gamma(0.6, 20) per week, about
    1.5 a year, mean 200 with a long tail: p=2, q=2.5, v=150), a yearly
    account fee of 24 that costs 40 a year to serve (so low-end clients lose
    money), sticky clients (dropout 0.12/year, high switching costs),
    products: deposits, cards, loans, investment.
    """
    return Scenario(name="bank", customers=5000, r=0.6, alpha=20.0, p=2.0, q=2.5, v=150.0,
                    categories=("deposits", "cards", "loans", "investment"),
                    category_weights=(0.35, 0.3, 0.2, 0.15), margin_a=4.0, margin_b=6.0,
                    serve_cost_per_order=15.0, annual_fee=24.0, fee_category="account fee",
                    fee_cost=40.0, dropout_per_year=0.12, switching_cost_mean=1.0,
                    dormant_after_days=240.0, lost_after_days=540.0, ticket_rate_per_year=2.0,
                    agents=3, currency="USD",
                    channels=(Channel("branch", 0.5, 8.0, 0.3), Channel("online", 0.5, 3.0, 0.2)))


def b2b() -> Scenario:
    """Business-to-business: few large accounts, long sales cycles.

    300 firms (company names), slow funnels (60 days to an opportunity, 90 to
    close, 45% of opportunities lost to competitors), few large orders
    (λ ~ Gamma(2, 20) per week, ~5 a year, mean 12,000: p=3, q=5, v=16000),
    margin ~20%, serving cost 800 per order, low dropout (0.15/year).
    """
    return Scenario(name="b2b", customers=300, profile_kind="firm", r=2.0, alpha=20.0,
                    p=3.0, q=5.0, v=16000.0, margin_a=4.0, margin_b=16.0,
                    serve_cost_per_order=800.0, days_to_opportunity=60.0, days_to_close=90.0,
                    close_rate=0.55, dropout_per_year=0.15, reach_per_year=0.5,
                    referral_rate_per_year=0.5, dissatisfied_reach=5.0,
                    categories=("steel", "components", "services"),
                    category_weights=(0.6, 0.3, 0.1), ticket_rate_per_year=6.0, agents=1,
                    dormant_after_days=180.0, lost_after_days=365.0,
                    channels=(Channel("trade_fair", 0.4, 400.0, 0.4),
                              Channel("sales_call", 0.6, 150.0, 0.3)))


def membership() -> Scenario:
    """A paid warehouse club (like Costco): a yearly fee with renewals.

    A fee of 60 at joining and at each anniversary (costing 8 a year to
    administer); at an anniversary a member
    does not renew with probability 0.1 at reference satisfaction (more when
    unhappy); between renewals little dropout (0.1/year); frequent large
    baskets (λ ~ Gamma(2, 12) per week, mean order 90: p=6, q=5, v=60), thin
    margins (~11%).
    """
    return Scenario(name="membership", customers=5000, annual_fee=60.0, fee_category="membership fee", fee_cost=8.0,
                    renewal_dropout=0.1, dropout_per_year=0.1, r=2.0, alpha=12.0, p=6.0, q=5.0,
                    v=60.0, margin_a=2.0, margin_b=16.0, serve_cost_per_order=3.0,
                    agents=3, categories=("grocery", "household", "electronics", "clothing", "fuel"),
                    category_weights=(0.4, 0.2, 0.15, 0.1, 0.15))


def textbook() -> Scenario:
    """Exactly the BG/NBD purchase-and-dropout process with Gamma-Gamma spend.

    Fader, Hardie and Lee (2005): every customer starts with a first order at
    day 0 (or uniformly in ``[0, acquisition_spread_days]``), then orders as a
    Poisson process with rate λ ~ Gamma(r=0.24, α=4.41) per week, and after
    each repeat order drops out with probability p ~ Beta(a=0.79, b=2.43).
    Spend per order z ~ Gamma(p=6, ν), ν ~ Gamma(q=4, v=15). No funnel, no
    satisfaction, no service, no word of mouth: estimators fitted to its log
    can be checked against the truth table's ``lambda`` and ``p_dropout``.
    """
    return Scenario(name="textbook", kind="textbook", customers=5000, years=1.5, holdout_years=0.75,
                    r=0.24, alpha=4.41, a=0.79, b=2.43, p=6.0, q=4.0, v=15.0,
                    categories=("all",), category_weights=(1.0,), margin_a=3.0, margin_b=7.0,
                    serve_cost_per_order=0.0)


def busy_desk() -> Scenario:
    """A retailer whose customers call a lot: a help desk where waiting matters (chapter 08).

    2,000 people, reached fast (2 contacts a year) through two channels that
    convert well (85% and 80%, 90% of opportunities close), so most of the
    market becomes customers; frequent orders (λ ~ Gamma(4, 17) per week, ~12 a
    year) of 50 on average (p=8, q=5, v=25) at a ~40% margin (Beta(8, 12)),
    serving cost 2 per order, base dropout 0.2/year. Each customer opens 16
    tickets a year, handled in 30 minutes (2 per hour per agent) by 3 agents
    (2 is the fewest the validation accepts), and every hour waited costs 0.3
    of satisfaction (the classroom: 0.01), so the number of agents moves
    waits → satisfaction → churn → profit. Everything else as ``classroom``.
    """
    return Scenario(name="busy_desk", customers=2000, reach_per_year=2.0, close_rate=0.9,
                    channels=(Channel("search_ads", 0.5, 2.0, 0.85), Channel("direct_mail", 0.5, 3.0, 0.8)),
                    r=4.0, alpha=17.0, p=8.0, q=5.0, v=25.0, margin_a=8.0, margin_b=12.0,
                    serve_cost_per_order=2.0, dropout_per_year=0.2, ticket_rate_per_year=16.0,
                    service_rate=2.0, agents=3, wait_penalty_per_hour=0.3)


BUILDERS = {f.__name__: f for f in (classroom, retail, bank, b2b, membership, textbook, busy_desk)}


def scenarios() -> list[str]:
    """Names of the built-in scenarios.

    >>> scenarios()
    ['classroom', 'retail', 'bank', 'b2b', 'membership', 'textbook', 'busy_desk']
    """
    return list(BUILDERS)


def scenario(name: str | Scenario = "classroom", **overrides) -> Scenario:
    """A built-in scenario, with keyword overrides, validated.

    Parameters
    ----------
    name : str or Scenario
        One of :func:`scenarios`, or an existing config to change.
    **overrides
        Fields to change, e.g. ``locale="zh_CN"`` (the same market in yuan, with
        Chinese names, cities, categories and channels: :mod:`sim.locales`) or
        ``dropout_per_year=0.5``.

    Raises
    ------
    ConfigError
        Unknown scenario, unknown field, or a bad value (naming field and value).
    """
    if isinstance(name, Scenario):
        base = name
    else:
        if name not in BUILDERS:
            raise ConfigError(f"unknown scenario {name!r}; built-in: {scenarios()}")
        base = BUILDERS[name]()
    return _with_locale(base, overrides) if overrides else base


def _with_locale(base: Scenario, overrides: dict) -> Scenario:
    """``base`` with ``overrides``; a changed ``locale`` is applied first with :func:`sim.locales.localize`.

    ``scenario("classroom", locale="zh_CN")`` is the classroom market in yuan,
    with Chinese categories and channels; the other overrides are then taken in
    that locale's units (``v=150`` is a yuan scale).
    """
    locale = overrides.get("locale", base.locale)
    if locale != base.locale and locale in LOCALES:
        from .locales import localize

        base = localize(base, locale)
    return _replace(base, overrides)


def from_dict(params: dict) -> Scenario:
    """Rebuild a scenario from :meth:`Scenario.to_dict` output (e.g. a data card)."""
    params = dict(params)
    return _replace(Scenario(), params)
