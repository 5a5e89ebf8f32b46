"""crmlab's market simulator: a SimPy model of customers, with the truth behind the log.

>>> import sim
>>> cfg = sim.scenario("classroom", locale="zh_CN")
>>> log = sim.simulate(cfg, customers=300, years=1, seed=7)
>>> log.customers.columns[:3].tolist()
['customer_id', 'name', 'gender']

Public names: :func:`scenario`, :func:`scenarios`, :func:`simulate`,
:func:`load`, :class:`EventLog`, :func:`call_centre`, :mod:`btyd`,
:mod:`strategies`, :func:`run_replications`, :func:`compare`, :func:`sweep`.

Where things are (read them in this order):

========================  ===================================================
``sim.config``            scenarios: every parameter, its unit, validation
``sim.market``            the market model — one person's story as SimPy processes
``sim.textbook``          the ``textbook`` model: BG/NBD customers (``sim.textbook_life`` draws them)
``sim.model``             what both models share: clock, recorder, people's state, weekly strategy
``sim.strategies``        the weekly decision interface; each action applies itself
``sim.population``        every person's latent and acquisition draws, before the clock starts
``sim.tables``            the customers, truth and observed tables from a model's state
``sim.eventlog``          the columnar recorder, the seven tables, save/load
``sim.engine``            ``simulate()``: the runner — pick the model, run it, build the log
``sim.streams``           random numbers keyed by purpose and customer
``sim.profiles``          names, cities, birth dates from Faker pools
``sim.call_centre``       the service desk (M/M/c), ``sim.queueing`` its theory
``sim.btyd``              vectorised BG/NBD oracle for the ``textbook`` world
``sim.experiment``        replications and strategy comparisons
========================  ===================================================

Command line: ``python -m sim --scenario classroom --seed 7 --out DIR``.
"""
__version__ = "0.1.0"  # the same as crmlab.__version__ and pyproject.toml (tests check it)

from . import strategies
from .call_centre import call_centre
from .config import Channel, ConfigError, Scenario, scenario, scenarios
from .engine import simulate
from .eventlog import EventLog, LoadError, load

from . import btyd
from .experiment import compare, run_replications, sweep

__all__ = ["scenario", "scenarios", "simulate", "load", "EventLog", "call_centre", "btyd", "strategies",
           "run_replications", "compare", "sweep", "Scenario", "Channel", "ConfigError", "LoadError"]
