"""crmlab's market simulator: a SimPy model of customers, with the truth behind the log.

>>> import sim
>>> cfg = sim.scenario("classroom", locale="zh_CN")
>>> log = sim.simulate(cfg, customers=300, years=1, seed=7)
>>> log.customers.columns[:3].tolist()
['customer_id', 'name', 'gender']

Public names: :func:`scenario`, :func:`scenarios`, :func:`simulate`,
:func:`load`, :class:`EventLog`, :func:`call_centre`, :mod:`btyd`,
:mod:`strategies`, :func:`run_replications`, :func:`compare`.
"""
from . import strategies
from .call_centre import call_centre
from .config import Channel, ConfigError, Scenario, scenario, scenarios
from .engine import simulate
from .eventlog import EventLog, LoadError, load

from . import btyd
from .experiment import compare, run_replications

__all__ = ["scenario", "scenarios", "simulate", "load", "EventLog", "call_centre", "btyd", "strategies",
           "run_replications", "compare", "Scenario", "Channel", "ConfigError", "LoadError"]
