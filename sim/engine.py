"""``simulate()``: the runner — build the model for a scenario, run it, return its event log.

The scenario's ``kind`` picks the model (:data:`MODELS`): ``"market"`` →
:class:`sim.market.MarketModel`, ``"textbook"`` → :class:`sim.textbook.TextbookModel`.
The tables come from :mod:`sim.tables`; the data card is written here.

Example
-------
>>> import sim
>>> log = sim.simulate("classroom", customers=300, years=1, seed=7)
>>> sorted(log.tables())
['contacts', 'customers', 'service', 'stages', 'surveys', 'transactions', 'truth']
>>> log.observation_end
Timestamp('2024-01-01 00:00:00')
"""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from crmlab import schema

from . import tables
from .config import ConfigError, Scenario, check_dates, scenario
from .eventlog import EventLog, to_dates
from .locales import channel_word
from .market import MarketModel
from .model import Model
from .textbook import TextbookModel

__all__ = ["simulate", "package_version", "MODELS"]

#: the model class of each scenario ``kind``
MODELS: dict[str, type[Model]] = {"market": MarketModel, "textbook": TextbookModel}


def package_version() -> str:
    """The crmlab version (written into every data card)."""
    from . import __version__

    return __version__


def simulate(config: str | Scenario = "classroom", customers: int | None = None, years: float | None = None,
             seed: int = 0, strategy=None) -> EventLog:
    """Simulate a market and return its event log (observation period) and truth.

    Parameters
    ----------
    config : str or Scenario
        A scenario name (see :func:`sim.scenarios`) or a config from :func:`sim.scenario`.
    customers : int, optional
        People in the market (default ``config.customers``). The call centre's
        agents are scaled with it: ``ceil(agents · customers / config.customers)``.
    years : float, optional
        Observation period in years of 365 days (default ``config.years``); the
        model runs ``config.holdout_years`` further to measure holdout value.
    seed : int
        Every random draw comes from this seed (same seed, same log).
    strategy : Strategy, optional
        A weekly decision (see :mod:`sim.strategies`); default none.

    Returns
    -------
    EventLog
        Tables ``customers, transactions, stages, contacts, service, surveys``
        up to ``observation_end`` and ``truth`` (latent draws, true churn,
        holdout value over ``(observation_end, holdout_end]``).

    Raises
    ------
    ConfigError
        A bad argument, naming it and its value.
    """
    cfg = scenario(config) if isinstance(config, str) else config
    if not isinstance(cfg, Scenario):
        raise ConfigError(f"config must be a scenario name or a Scenario, got {config!r}")
    n = cfg.customers if customers is None else customers
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ConfigError(f"customers must be a whole number >= 1, got {customers!r}")
    years = cfg.years if years is None else years
    if isinstance(years, bool) or not isinstance(years, numbers.Real) or not np.isfinite(years) or years <= 0:
        raise ConfigError(f"years must be a number > 0, got {years!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ConfigError(f"seed must be a whole number >= 0, got {seed!r}")
    if strategy is not None and not callable(getattr(strategy, "decide", None)):
        raise ConfigError(f"strategy must have a decide(today, log) method, got {strategy!r}")
    n, years, seed = int(n), float(years), int(seed)
    check_dates(cfg.start, years, cfg.holdout_years)   # every date of the run fits datetime64[ns]

    model = MODELS[cfg.kind](cfg, n, years, seed, strategy).run()
    return _event_log(model, cfg, n, years, seed, strategy)


def _event_log(model: Model, cfg: Scenario, n: int, years: float, seed: int, strategy) -> EventLog:
    """The seven tables of the run and its data card."""
    log_tables = tables.final(model)
    customers = log_tables["customers"]
    observation_end = pd.Timestamp(to_dates(model.start, [model.obs_end])[0])
    holdout_end = pd.Timestamp(to_dates(model.start, [model.end])[0])
    acquired = customers["acquired_at"].notna()
    referred = customers["acquisition_channel"].eq(channel_word(cfg.locale, "referral")) & acquired
    card = {
        "scenario": cfg.name,
        "seed": seed,
        "customers": n,
        "years": years,
        "strategy": getattr(strategy, "name", None) if strategy is not None else None,
        "observation_end": str(observation_end),
        "holdout_end": str(holdout_end),
        "package_version": package_version(),
        "parameters": cfg.to_dict(),
        "measured": model.measured(acquired, referred),
        "rows": {name: int(len(df)) for name, df in log_tables.items()},
        "columns": schema.card_columns(),
    }
    return EventLog(**log_tables, config=cfg, seed=seed, observation_end=observation_end,
                    holdout_end=holdout_end, card=card)
