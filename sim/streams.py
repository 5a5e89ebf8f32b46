"""Random streams keyed by purpose and customer id (common random numbers).

Every random draw of a simulation comes from one seed. A customer's own draws
come from ``SeedSequence(seed, spawn_key=(purpose, customer_id))``: customer 17's
purchases are the same numbers whatever happens to customer 18, whichever
strategy runs and however many workers run replications. Two strategies run on
the same seed therefore face the same customers (common random numbers), and
a strategy comparison needs far fewer replications.

Draws are made in blocks (a NumPy call per block of 64 numbers, not per number),
because a NumPy call costs about a microsecond whatever its size.

Example
-------
>>> s = CustomerStream(seed=7, purpose=LIFE, customer_id=3)
>>> t = CustomerStream(seed=7, purpose=LIFE, customer_id=3)
>>> s.uniform() == t.uniform()
True
"""
from __future__ import annotations

from math import log1p

import numpy as np

__all__ = ["PROFILES", "TRAITS", "FUNNEL", "LIFE", "ACTIONS", "population_rng", "CustomerStream"]

# purposes (the first number of a spawn key)
PROFILES = 1   # names, cities, birth dates (whole population, vectorised)
TRAITS = 2     # latent draws per customer (whole population, vectorised)
FUNNEL = 3     # acquisition: reach times, channels, conversions (vectorised)
LIFE = 4       # one stream per customer: purchases, tickets, surveys, referrals
ACTIONS = 5    # one stream per customer: responses to strategy actions

BLOCK = 64


def population_rng(seed: int, purpose: int) -> np.random.Generator:
    """A generator for draws made for the whole population at once."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(purpose,)))


class CustomerStream:
    """One customer's random numbers for one purpose, drawn in blocks.

    Parameters
    ----------
    seed : int
        The simulation seed.
    purpose : int
        One of the purpose constants of this module.
    customer_id : int
        The customer.
    """

    __slots__ = ("rng", "_u", "_i", "_z", "_j", "_g", "_k")

    def __init__(self, seed: int, purpose: int, customer_id: int):
        self.rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(purpose, customer_id)))
        self._u: list = []
        self._i = 0
        self._z: list = []
        self._j = 0
        self._g: list = []
        self._k = 0

    def uniform(self) -> float:
        """A uniform number in [0, 1)."""
        if self._i >= len(self._u):
            self._u = self.rng.random(BLOCK).tolist()
            self._i = 0
        self._i += 1
        return self._u[self._i - 1]

    def exponential(self) -> float:
        """An Exponential(1) number (divide by a rate to get a waiting time)."""
        return -log1p(-self.uniform())

    def normal(self) -> float:
        """A standard normal number."""
        if self._j >= len(self._z):
            self._z = self.rng.standard_normal(BLOCK).tolist()
            self._j = 0
        self._j += 1
        return self._z[self._j - 1]

    def gamma(self, shape: float) -> float:
        """A Gamma(shape, 1) number; a stream always uses the same ``shape``."""
        if self._k >= len(self._g):
            self._g = self.rng.standard_gamma(shape, BLOCK).tolist()
            self._k = 0
        self._k += 1
        return self._g[self._k - 1]

