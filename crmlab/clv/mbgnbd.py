"""MBG/NBD: the modified BG/NBD of Batislam, Denizel & Filiztekin (2007).

Same story as :mod:`crmlab.clv.bgnbd` — Poisson purchases with λ ~ Gamma(r, α),
dropout probability p ~ Beta(a, b) — with one change: a customer can also drop
out *right after the first purchase*, not only after repeat purchases. In the
BG/NBD a one-time buyer (x = 0) is always alive, which overstates their future
purchases when many customers buy only once; the MBG/NBD lets them die too.

Likelihood of one customer (log space, gammaln and logaddexp)
-------------------------------------------------------------
    L = B(a, b+x+1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
      + B(a+1, b+x)/B(a, b)  · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))

The second term now exists for x = 0 as well (death at the first purchase).

Predictions
-----------
    P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
    E[Y(t) | x, t_x, T]  = P(alive) · h(t; r+x, α+T, a, b+x+1)
    E[X(t)] (new customer) = b/(a+b) · h(t; r, α, a, b+1)

A live customer has survived x + 1 dropout chances, so their p is
Beta(a, b+x+1). For a new customer, E[(1-p)/p · (1 - e^(-λpt))] over
p ~ Beta(a, b): the factor (1-p) turns Beta(a, b) into b/(a+b) · Beta(a, b+1),
which gives b/(a-1) · [1 - (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))], the form
in Batislam et al.

Example
-------
>>> import pandas as pd
>>> summary = pd.DataFrame({"frequency": [0, 1, 3, 0, 2, 5, 0, 1],
...                         "recency": [0, 4, 20, 0, 12, 30, 0, 2.5],
...                         "T": [10, 30, 35, 38, 20, 33, 5, 40]})
>>> # normally MBGNBD().fit(summary); here CDNOW-like values (weekly rates)
>>> model = MBGNBD.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614, freq="W")
>>> # 1 / (1 + 0.891/1.614 · (45.043/6.183)^0.525) = 1 / (1 + 0.552 · 2.836) = 0.390
>>> round(float(model.probability_alive(0, 0, 38.86)), 3)   # one-time buyers can be dead
0.39
"""
from __future__ import annotations

import numpy as np
from scipy import special

from crmlab.clv.bgnbd import BGNBD
from crmlab.clv.fitting import as_float_array, shaped_like
from crmlab.clv.hypergeometric import expected_purchases_while_alive
from crmlab.errors import CRMDataError

__all__ = ["MBGNBD"]


class MBGNBD(BGNBD):
    """The modified BG/NBD model; same interface and attributes as :class:`BGNBD`
    (``MBGNBD().fit(summary)`` or ``MBGNBD.from_params(r=..., alpha=..., a=..., b=..., freq=...)``)."""

    @staticmethod
    def _dropout_terms(a: float, b: float, x: np.ndarray):
        """``alive = ln B(a, b+x+1) - ln B(a, b)``, ``dead = ln a - ln(b+x)`` and their gradients."""
        bx1 = b + x + 1.0
        alive = special.gammaln(a + b) + special.gammaln(bx1) - special.gammaln(b) - special.gammaln(a + bx1)
        psi_ab, psi_abx1 = special.digamma(a + b), special.digamma(a + bx1)
        d_alive_da = psi_ab - psi_abx1
        d_alive_db = psi_ab + special.digamma(bx1) - special.digamma(b) - psi_abx1
        dead = np.log(a) - np.log(b + x)
        has_dead = np.ones(np.shape(x), dtype=bool)
        return alive, d_alive_da, d_alive_db, dead, 1.0 / a, -1.0 / (b + x), has_dead

    def _posterior_b_shift(self) -> float:
        """A live customer survived x + 1 dropout chances: Beta(a, b + x + 1)."""
        return 1.0

    def expected_purchases_new(self, t):
        """Expected purchases in the first ``t`` time units of a new customer.

        ``E[X(t)] = b/(a-1) · [1 - (α/(α+t))^r · 2F1(r, b+1; a+b; t/(α+t))]``
        = ``b/(a+b) · h(t; r, α, a, b+1)``.
        """
        t_arr = as_float_array(t, "t")
        if (t_arr < 0).any():
            raise CRMDataError("t", "horizon must be ≥ 0", detail=f"got {t!r}")
        r, alpha, a, b = self._param_array()
        h = expected_purchases_while_alive(t_arr, r, alpha, a, b + 1.0)
        return shaped_like(np.asarray(b / (a + b) * h), t)
