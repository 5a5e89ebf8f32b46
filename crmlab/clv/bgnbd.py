"""BG/NBD: the beta-geometric / negative binomial model of repeat buying.

Fader, Hardie & Lee (2005), "Counting your customers the easy way". Each
customer, while alive,

* buys at a steady random rate: purchases form a Poisson process with rate λ,
  and λ varies across customers as Gamma(shape r, rate α) — mean r/α per time
  unit;
* after every purchase drops out for good with probability p, and p varies
  across customers as Beta(a, b) — mean a/(a + b).

We never see λ, p or the moment a customer dies, only (x, t_x, T) per customer:
x repeat purchases, the last at t_x, observation ending at T (all measured from
the first purchase, in the summary's time unit — see :mod:`crmlab.clv.summary`).
The model keeps that unit in ``freq_``: α and every horizon ``t`` are in it.

Likelihood of one customer (FHL eq. 6), computed in log space
-------------------------------------------------------------
    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
      + [x > 0] · B(a+1, b+x-1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))

The first term: the customer is still alive at T; the second: they died right
after their last purchase. With gammaln for every Γ and logaddexp for the sum,
ln L is finite for any frequency and history length (no Γ(500) overflow).

Predictions
-----------
    P(alive | x, t_x, T) = 1 / (1 + [x > 0] · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x))
    E[Y(t) | x, t_x, T]  = P(alive) · h(t; r+x, α+T, a, b+x)
    E[X(t)] (new customer) = h(t; r, α, a, b)

where h is the expected number of purchases of a live customer
(:func:`crmlab.clv.hypergeometric.expected_purchases_while_alive`, the 2F1
term of FHL eq. 9 and 10 evaluated without overflow, also for a + b < 1).

Example
-------
>>> import pandas as pd
>>> summary = pd.DataFrame({"frequency": [0, 1, 3, 0, 2, 5, 0, 1],
...                         "recency": [0, 4, 20, 0, 12, 30, 0, 2.5],
...                         "T": [10, 30, 35, 38, 20, 33, 5, 40]})
>>> # normally BGNBD().fit(summary); here the published CDNOW estimates (weekly rates)
>>> model = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, freq="W")
>>> # customer 2: 1 / (1 + 0.793/2.426 · (34.414/8.414)^1.243) = 1 / (1 + 0.3269 · 5.760) = 0.347
>>> model.probability_alive(summary["frequency"], summary["recency"], summary["T"]).round(3).tolist()
[1.0, 0.347, 0.541, 1.0, 0.639, 0.839, 1.0, 0.233]
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from crmlab.clv.fitting import (FittedModel, Rows, as_float_array, customer_arrays, group_rows, shaped_like,
                                summary_arrays, unique_rows)
from crmlab.clv.hypergeometric import expected_purchases_while_alive
from crmlab.clv.summary import time_unit
from crmlab.errors import CRMDataError

__all__ = ["BGNBD"]


def _share(log_share: np.ndarray) -> np.ndarray:
    """exp(log_share), with shares below e^-700 set to exactly 0.

    Such shares are numerically nothing, but as subnormal floats they would make
    every later multiplication many times slower.
    """
    return np.where(log_share > -700.0, np.exp(np.maximum(log_share, -700.0)), 0.0)


class BGNBD(FittedModel):
    """The BG/NBD model (Fader, Hardie & Lee 2005). See the module docstring.

    Build it with ``BGNBD().fit(summary)`` or, from known parameters,
    ``BGNBD.from_params(r=..., alpha=..., a=..., b=..., freq="W")``.

    Attributes (after ``fit`` or ``from_params``; scikit-learn style, ending in ``_``)
    --------------------------------------------------------------------------------
    params_ : Series
        ``r``, ``alpha``, ``a``, ``b``; ``alpha`` is in the time unit ``freq_``.
    summary : DataFrame
        Per parameter: ``estimate``, ``std_error`` and the 95% interval ``lower``, ``upper``.
    freq_ : str
        Time unit of the summary the model was fitted on (``"W"``, ``"D"``, ``"4W"``, …):
        recency, T and every horizon ``t`` of the predictions are in this unit.
    log_likelihood_ : float
        Maximised total log-likelihood (NaN after ``from_params``).
    standard_errors_ : Series
        From the inverse observed information (see :mod:`crmlab.clv.fitting`);
        NaN after ``from_params``.
    covariance_ : DataFrame
        Covariance matrix of the estimates.
    n_customers_ : int
        Customers the model was fitted on (0 after ``from_params``).
    converged_ : bool
        Whether the likelihood search met its tolerance (False after ``from_params``).
    """

    PARAM_NAMES = ("r", "alpha", "a", "b")

    # ---- dropout part of the likelihood (MBG/NBD overrides these two) -----------
    @staticmethod
    def _dropout_terms(a: float, b: float, x: np.ndarray):
        """ln B(a, b+x)/B(a, b), ln of the 'died after the last purchase' factor, and gradients.

        Returns ``(alive, d_alive_da, d_alive_db, dead, d_dead_da, d_dead_db, has_dead)``
        where ``alive = ln B(a, b+x) - ln B(a, b)`` and ``dead = ln a - ln(b+x-1)``
        (so that B(a+1, b+x-1)/B(a, b) = exp(alive + dead)), valid where ``has_dead``.
        """
        has_dead = x > 0
        bx = b + x
        alive = special.gammaln(a + b) + special.gammaln(bx) - special.gammaln(b) - special.gammaln(a + bx)
        psi_ab, psi_abx = special.digamma(a + b), special.digamma(a + bx)
        d_alive_da = psi_ab - psi_abx
        d_alive_db = psi_ab + special.digamma(bx) - special.digamma(b) - psi_abx
        safe = np.where(has_dead, bx - 1.0, 1.0)
        dead = np.log(a) - np.log(safe)
        return alive, d_alive_da, d_alive_db, dead, 1.0 / a, -1.0 / safe, has_dead

    def _loglik_and_grad(self, params: np.ndarray, data: tuple) -> tuple[np.ndarray, np.ndarray]:
        # extreme trial points of the optimiser may give -inf terms; the caller rejects them
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self._loglik_and_grad_terms(params, data)

    def _loglik_and_grad_terms(self, params: np.ndarray, data) -> tuple[np.ndarray, np.ndarray]:
        r, alpha, a, b = params
        rows = data if isinstance(data, Rows) else Rows(*data)
        x, tx, T, at = rows.x, rows.tx, rows.T, rows.x_index
        rx = r + x
        log_aT, log_atx = np.log(alpha + T), np.log(alpha + tx)
        # functions of x alone: computed once per distinct x, then spread to the rows
        A1 = special.gammaln(r + rows.x_levels)[at] - special.gammaln(r) + r * np.log(alpha)
        psi_rx = special.digamma(r + rows.x_levels)[at]
        alive, da_alive, db_alive, dead, da_dead, db_dead, has_dead = (
            v[at] if np.ndim(v) else v for v in self._dropout_terms(a, b, rows.x_levels))
        A3 = -rx * log_aT
        A4 = np.where(has_dead, dead - rx * log_atx, -np.inf)
        M = np.logaddexp(A3, A4)
        ll = A1 + alive + M
        w3 = _share(A3 - M)          # share of the likelihood from "still alive"
        w4 = _share(A4 - M)          # share from "died after the last purchase" (0 if x = 0)
        grad = np.empty((x.size, 4))
        grad[:, 0] = psi_rx - special.digamma(r) + np.log(alpha) - w3 * log_aT - w4 * log_atx
        grad[:, 1] = r / alpha - rx * (w3 / (alpha + T) + w4 / (alpha + tx))
        grad[:, 2] = da_alive + w4 * da_dead
        grad[:, 3] = db_alive + w4 * db_dead
        return ll, grad

    # ---- building the model --------------------------------------------------
    @classmethod
    def from_params(cls, *, r: float, alpha: float, a: float, b: float, freq: str) -> "BGNBD":
        """The model with known parameters (published estimates, a simulation's truth).

        ``alpha`` is per time unit ``freq`` (``"W"``, ``"D"``, ``"4W"``, …), which
        the model keeps in ``freq_``. Nothing is estimated: ``summary`` shows the
        parameters with NaN standard errors and intervals, ``log_likelihood_`` is
        NaN and ``n_customers_`` is 0; every prediction works as after ``fit``.

        >>> BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, freq="W")
        BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426; time unit 'W'; from known parameters)

        Raises
        ------
        CRMDataError
            A parameter that is not a finite number > 0 (named), or a bad ``freq``.
        """
        length = time_unit(freq)
        model = cls._from_known({"r": r, "alpha": alpha, "a": a, "b": b})
        model.freq_ = freq if isinstance(freq, str) else f"{length.days}D"
        return model

    @staticmethod
    def _unit_of(summary: pd.DataFrame, freq) -> str:
        """The summary's time unit: ``freq`` if given, else ``summary.attrs["freq"]``; both must agree."""
        recorded = summary.attrs.get("freq")
        if freq is None and recorded is None:
            raise CRMDataError("freq", "the time unit of the summary is unknown",
                               detail="summary.attrs has no 'freq' (clv.summarize sets it; a merge or a "
                                      "hand-made DataFrame has none): say it, e.g. .fit(summary, freq='W')")
        if freq is not None and recorded is not None and time_unit(freq) != time_unit(recorded):
            raise CRMDataError("freq", "differs from the summary's time unit",
                               detail=f"freq={freq!r} but summary.attrs['freq']={recorded!r}")
        unit = freq if freq is not None else recorded
        length = time_unit(unit)        # refuses months, years and unknown units
        return unit if isinstance(unit, str) else f"{length.days}D"

    def fit(self, summary: pd.DataFrame, *, freq: str | None = None, frequency: str = "frequency",
            recency: str = "recency", T: str = "T") -> "BGNBD":
        """Fit by maximum likelihood; returns ``self``.

        Parameters
        ----------
        summary : DataFrame
            One row per customer with frequency (repeat purchases), recency and T,
            e.g. from :func:`crmlab.clv.summarize`. Not modified.
        freq : str, optional
            Time unit of recency and T. Default: ``summary.attrs["freq"]`` (set by
            :func:`crmlab.clv.summarize`); needed when the summary has no such attrs.
            Stored in ``freq_``.
        frequency, recency, T : str
            Column names.

        Raises
        ------
        CRMDataError
            If the summary breaks a rule of :func:`crmlab.clv.fitting.summary_arrays`,
            nobody made a repeat purchase (the model is then not identified), or the
            time unit is unknown or contradicts ``summary.attrs["freq"]``.
        """
        x, tx, t_end = summary_arrays(summary, frequency=frequency, recency=recency, T=T)
        if not (x > 0).any():
            raise CRMDataError(frequency, "no customer made a repeat purchase; the model cannot be fitted")
        if (t_end <= 0).all():
            raise CRMDataError(T, "every customer has T = 0; nothing was observed")
        unit = self._unit_of(summary, freq)
        (xg, txg, tg), weights = group_rows(x, tx, t_end)
        rate = max(float(np.sum(weights * xg)) / float(np.sum(weights * tg)), 1e-6)   # purchases per time unit
        start = np.array([1.0, 1.0 / rate, 1.0, 1.0])
        self._maximise(Rows(xg, txg, tg), weights, start)
        self.freq_ = unit           # every rate and horizon of the model is in this unit
        return self

    def _describe(self) -> str:
        return f"; time unit {self.freq_!r}"

    def log_likelihood_terms(self, frequency, recency, T) -> np.ndarray:
        """ln L of each customer under the fitted parameters (sums to ``log_likelihood_``)."""
        x, tx, t_end = customer_arrays(frequency, recency, T)
        ll, _ = self._loglik_and_grad(self._param_array(), Rows(x, tx, t_end))
        return ll.reshape(x.shape)

    # ---- predictions ---------------------------------------------------------
    def _log_odds_dead(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        """ln of P(died after last purchase, data) / P(alive, data)."""
        r, alpha, a, b = self._param_array()
        _, _, _, dead, _, _, has_dead = self._dropout_terms(a, b, x)
        odds = dead + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return np.where(has_dead, odds, -np.inf)

    def probability_alive(self, frequency, recency, T):
        """P(the customer is still alive at T | x, t_x, T).

        ``1 / (1 + [x > 0] · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x))``, evaluated as a
        logistic function of the log odds, so it never overflows. Vectorised;
        returns a Series when given Series.
        """
        x, tx, t_end = customer_arrays(frequency, recency, T)
        result = special.expit(-self._log_odds_dead(x, tx, t_end))
        return shaped_like(result, frequency, recency, T)

    def _posterior_b_shift(self) -> float:
        """Purchases that update the Beta(a, b) of a live customer: b + x (BG/NBD)."""
        return 0.0

    def alive_posterior(self, frequency, T) -> tuple:
        """Parameters (r', α', a', b') of a customer known to be alive at T after x repeat purchases.

        Their purchase rate is Gamma(r + x, α + T) and their dropout probability
        Beta(a, b + x) (BG/NBD; b + x + 1 for the MBG/NBD). Arrays broadcast.
        """
        r, alpha, a, b = self._param_array()
        x = np.asarray(frequency, dtype=float)
        T_arr = np.asarray(T, dtype=float)
        return r + x, alpha + T_arr, a, b + x + self._posterior_b_shift()

    def expected_purchases_if_alive(self, t, frequency, T) -> np.ndarray:
        """Expected purchases in the next ``t`` time units of a customer known to be alive at T.

        ``h(t; r+x, α+T, a, b+x)``: the posterior of λ is Gamma(r+x, α+T) and, for a
        live customer, that of p is Beta(a, b+x). Identical (t, x, T) combinations
        are computed once.
        """
        t_arr = as_float_array(t, "t")
        if (t_arr < 0).any():
            raise CRMDataError("t", "horizon must be ≥ 0", detail=f"got {t!r}")
        x, _, t_end = customer_arrays(frequency, 0.0, T)
        t_arr, x, t_end = np.broadcast_arrays(t_arr, x, t_end)
        (tu, xu, Tu), inverse, _ = unique_rows(t_arr.ravel(), x.ravel(), t_end.ravel())
        h = expected_purchases_while_alive(tu, *self.alive_posterior(xu, Tu))
        return h[inverse].reshape(x.shape)

    def expected_purchases(self, t, frequency, recency, T):
        """Expected purchases in the next ``t`` time units given (x, t_x, T) — FHL eq. 10.

        ``E[Y(t) | x, t_x, T] = P(alive) · h(t; r+x, α+T, a, b+x)``

        = (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(α+T+t))]
          / (1 + [x > 0] · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)).

        All arguments broadcast (a vector of horizons with one customer, or one
        horizon with a vector of customers); returns a Series when given Series.

        >>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, freq="W")
        >>> round(float(m.expected_purchases(39, 2, 30.43, 38.86)), 3)   # next 39 weeks
        1.226
        """
        x, tx, t_end = customer_arrays(frequency, recency, T)
        alive = special.expit(-self._log_odds_dead(x, tx, t_end))
        h = self.expected_purchases_if_alive(t, x, t_end)
        return shaped_like(alive * h, frequency, recency, T, t)

    def expected_purchases_new(self, t):
        """Expected purchases E[X(t)] in the first ``t`` time units of a new customer — FHL eq. 9.

        ``E[X(t)] = (a+b-1)/(a-1) · [1 - (α/(α+t))^r · 2F1(r, b; a+b-1; t/(α+t))]``.
        """
        t_arr = as_float_array(t, "t")
        if (t_arr < 0).any():
            raise CRMDataError("t", "horizon must be ≥ 0", detail=f"got {t!r}")
        r, alpha, a, b = self._param_array()
        return shaped_like(np.asarray(expected_purchases_while_alive(t_arr, r, alpha, a, b)), t)
