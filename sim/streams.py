"""Random streams keyed by purpose and customer id (common random numbers).

Every random draw of a simulation comes from one seed. A customer's own draws
are keyed by the purpose and the customer id: customer 17's purchases are the
same numbers whatever happens to customer 18, whichever strategy runs and
however many workers run replications. Two strategies run on the same seed
therefore face the same customers (common random numbers), and a strategy
comparison needs far fewer replications.

How the numbers are made, fast:

* the first ``FIRST`` uniforms and Gamma draws of every customer are drawn for
  the whole population at once, as row ``customer_id - 1`` of a matrix from
  :func:`population_rng`. Row *i* of a matrix filled row
  by row does not depend on how many rows there are, so it belongs to the
  customer alone;
* a customer who needs more numbers gets their own generator
  ``SeedSequence(seed, spawn_key=(purpose, customer_id))`` and draws from it in
  blocks of ``BLOCK`` (a NumPy call costs about a microsecond whatever its
  size; building a generator costs ~25 µs, so most customers never build one).

Example
-------
>>> first = FirstBlocks(seed=7, purpose=LIFE, n=5, gamma_shape=2.0)
>>> s, t = first.stream(3), first.stream(3)
>>> [s.uniform() for _ in range(40)] == [t.uniform() for _ in range(40)]
True
"""
from __future__ import annotations

from math import log1p

import numpy as np

__all__ = ["PROFILES", "TRAITS", "FUNNEL", "LIFE", "ACTIONS", "population_rng", "CustomerStream", "FirstBlocks"]

# purposes (the first number of a spawn key)
PROFILES = 1   # names, cities, birth dates (whole population, vectorised)
TRAITS = 2     # latent draws per customer (whole population, vectorised)
FUNNEL = 3     # acquisition: reach times, channels, conversions (vectorised)
LIFE = 4       # one stream per customer: purchases, tickets, surveys, referrals (textbook: sim.textbook_life)
ACTIONS = 5    # one stream per customer: responses to strategy actions

FIRST = 12
BLOCK = 64


def population_rng(seed: int, purpose: int, part: int = 0) -> np.random.Generator:
    """A generator for one quantity drawn for the whole population at once.

    Each quantity (``part``) gets its own generator, keyed
    ``(purpose, 0, part)``; element *i* of a vector drawn from it depends only
    on the elements before it, so customer *i*'s value does not depend on the
    population size.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(purpose, 0, part)))


class CustomerStream:
    """One customer's random numbers for one purpose.

    Parameters
    ----------
    seed, purpose, customer_id : int
        The key of the customer's own generator (built only when needed).
    first_u, first_g : list of float, optional
        The customer's first uniforms and Gamma(shape) draws (from :class:`FirstBlocks`).
    gamma_shape : float
        The shape of :meth:`gamma` draws (one shape per stream).
    """

    __slots__ = ("key", "rng", "shape", "_u", "_i", "_z", "_j", "_g", "_k")

    def __init__(self, seed: int, purpose: int, customer_id: int, first_u=None, first_g=None,
                 gamma_shape: float = 1.0):
        self.key = (seed, purpose, customer_id)
        self.rng = None
        self.shape = gamma_shape
        self._u = first_u if first_u is not None else []
        self._i = 0
        self._z: list = []
        self._j = 0
        self._g = first_g if first_g is not None else []
        self._k = 0

    def _generator(self) -> np.random.Generator:
        if self.rng is None:
            seed, purpose, cid = self.key
            self.rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(purpose, cid)))
        return self.rng

    def uniform(self) -> float:
        """A uniform number in [0, 1)."""
        if self._i >= len(self._u):
            self._u = self._generator().random(BLOCK).tolist()
            self._i = 0
        self._i += 1
        return self._u[self._i - 1]

    def exponential(self) -> float:
        """An Exponential(1) number (divide by a rate to get a waiting time): −log(1 − U)."""
        if self._i >= len(self._u):                  # the next uniform, as in uniform()
            self._u = self._generator().random(BLOCK).tolist()
            self._i = 0
        self._i += 1
        return -log1p(-self._u[self._i - 1])

    def normal(self) -> float:
        """A standard normal number."""
        if self._j >= len(self._z):
            self._z = self._generator().standard_normal(BLOCK).tolist()
            self._j = 0
        self._j += 1
        return self._z[self._j - 1]

    def gamma(self) -> float:
        """A Gamma(``gamma_shape``, 1) number."""
        if self._k >= len(self._g):
            self._g = self._generator().standard_gamma(self.shape, BLOCK).tolist()
            self._k = 0
        self._k += 1
        return self._g[self._k - 1]


class FirstBlocks:
    """The first ``FIRST`` uniforms and Gamma draws of every customer, drawn at once.

    Parameters
    ----------
    seed, purpose : int
    n : int
        Customers 1..n.
    gamma_shape : float
        Shape of the Gamma draws (the spend shape ``p``).
    """

    def __init__(self, seed: int, purpose: int, n: int, gamma_shape: float):
        self.seed, self.purpose, self.shape = seed, purpose, gamma_shape
        self.u = population_rng(seed, purpose, 1).random((n, FIRST))
        self.g = population_rng(seed, purpose, 2).standard_gamma(gamma_shape, (n, FIRST // 2))

    def stream(self, i: int) -> CustomerStream:
        """The stream of the customer with index ``i`` (customer id ``i + 1``)."""
        return CustomerStream(self.seed, self.purpose, i + 1, self.u[i].tolist(), self.g[i].tolist(), self.shape)
