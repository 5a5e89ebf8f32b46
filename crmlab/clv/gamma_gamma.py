"""Gamma-Gamma: how much a customer spends per purchase.

Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves", and Hardie's
note "The Gamma-Gamma model of monetary value". Each purchase of a customer is
worth z ~ Gamma(p, ν) (shape p, rate ν, so the customer's mean spend is p/ν);
ν varies across customers as Gamma(q, v). For a customer with x repeat
purchases of mean value m̄ the likelihood (of the mean, in log space) is

    ln L = ln Γ(px+q) - ln Γ(px) - ln Γ(q) + q ln v + (px-1) ln m̄ + px ln x
           - (px+q) ln(v + x m̄)

and the expected spend per purchase is the credibility-weighted average

    E[M | x, m̄] = p (v + x m̄) / (px + q - 1)
                = (q-1)/(px+q-1) · p v/(q-1)  +  px/(px+q-1) · m̄,

between the population mean p v/(q-1) and the customer's own mean m̄; the more
purchases, the more weight on m̄.

Input rules (the questions users of today's libraries keep asking)
------------------------------------------------------------------
* The model describes **repeat purchases**: customers with frequency 0 have no
  repeat spend to learn from. ``fit`` uses the customers with frequency > 0,
  and records how many one-time buyers it left out in ``n_excluded_``.
* Spend must be **positive** for every repeat buyer (a zero or negative mean
  spend is an error, not a value to drop).
* The model assumes spend per purchase is **independent of frequency**. ``fit``
  checks the Pearson correlation between frequency and monetary value among the
  repeat buyers and warns (:class:`SpendFrequencyCorrelationWarning`) when
  |ρ| > 0.3; the estimates are then biased.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> x = rng.integers(0, 6, 3000)                        # repeat purchases; 0 = one-time buyer
>>> nu = rng.gamma(3.0, 1 / 15.0, 3000)                 # ν ~ Gamma(q=3, v=15)
>>> mean_spend = rng.gamma(6.0 * np.maximum(x, 1), 1 / (nu * np.maximum(x, 1)))  # mean of x Gamma(6, ν) draws
>>> s = pd.DataFrame({"frequency": x, "monetary_value": np.where(x > 0, mean_spend, 0.0)})
>>> g = GammaGamma().fit(s)
>>> g.n_excluded_ == int((x == 0).sum()), g.n_customers_ == int((x > 0).sum())
(True, True)
>>> g.params_.round(1).to_dict()                         # truth: p = 6, q = 3, v = 15
{'p': 7.2, 'q': 2.8, 'v': 11.8}
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from crmlab.clv.fitting import FittedModel, _column, as_float_array, frequency_column, group_rows, shaped_like
from crmlab.data import _first_rows
from crmlab.errors import CRMDataError

__all__ = ["GammaGamma", "SpendFrequencyCorrelationWarning", "CORRELATION_WARNING_LEVEL"]

#: |Pearson ρ| between frequency and spend above which ``fit`` warns.
CORRELATION_WARNING_LEVEL = 0.3


class SpendFrequencyCorrelationWarning(UserWarning):
    """Spend per purchase is correlated with purchase frequency (Gamma-Gamma assumes not)."""


class GammaGamma(FittedModel):
    """The Gamma-Gamma spend model. See the module docstring.

    Build it with ``GammaGamma().fit(summary)`` or, from known parameters,
    ``GammaGamma.from_params(p=..., q=..., v=...)``. Spend per purchase has no
    time unit, so this model has none.

    Attributes (after ``fit`` or ``from_params``; scikit-learn style, ending in ``_``)
    --------------------------------------------------------------------------------
    params_ : Series
        ``p``, ``q``, ``v``.
    summary : DataFrame
        Per parameter: ``estimate``, ``std_error`` and the 95% interval ``lower``, ``upper``.
    log_likelihood_, standard_errors_, covariance_, converged_
        As for :class:`crmlab.clv.BGNBD`.
    n_customers_ : int
        Repeat buyers the model was fitted on (0 after ``from_params``).
    n_excluded_ : int
        Customers with frequency 0 left out of the fit.
    correlation_ : float
        Pearson correlation of frequency and monetary value among repeat buyers
        (NaN when it cannot be computed, and after ``from_params``).
    """

    PARAM_NAMES = ("p", "q", "v")

    @classmethod
    def from_params(cls, *, p: float, q: float, v: float) -> "GammaGamma":
        """The model with known parameters; ``summary`` then has NaN standard errors.

        >>> g = GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
        >>> round(g.population_mean_spend(), 2)          # p v / (q - 1) = 96.5 / 2.74
        35.22

        Raises
        ------
        CRMDataError
            A parameter that is not a finite number > 0 (named).
        """
        model = cls._from_known({"p": p, "q": q, "v": v})
        model.n_excluded_ = 0
        model.correlation_ = float("nan")
        return model

    def _loglik_and_grad(self, params: np.ndarray, data: tuple) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self._loglik_and_grad_terms(params, data)

    def _loglik_and_grad_terms(self, params: np.ndarray, data: tuple) -> tuple[np.ndarray, np.ndarray]:
        p, q, v = params
        x, m = data
        px = p * x
        log_xmv = np.log(x * m + v)
        psi_pxq = special.digamma(px + q)
        ll = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(v)
              + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * log_xmv)
        grad = np.empty((x.size, 3))
        grad[:, 0] = x * (psi_pxq - special.digamma(px) + np.log(m) + np.log(x) - log_xmv)
        grad[:, 1] = psi_pxq - special.digamma(q) + np.log(v) - log_xmv
        grad[:, 2] = q / v - (px + q) / (x * m + v)
        return ll, grad

    @staticmethod
    def _repeat_buyers(summary: pd.DataFrame, frequency: str, monetary_value: str):
        x = frequency_column(summary, frequency)
        m = _column(summary, monetary_value)
        idx = summary.index
        repeat = x > 0
        if not repeat.any():
            raise CRMDataError(frequency, "no repeat buyers (frequency > 0); Gamma-Gamma needs repeat spend")
        bad = repeat & (m <= 0)
        if bad.any():
            rows = _first_rows(bad, idx)
            raise CRMDataError(monetary_value, "spend must be positive for repeat buyers", rows,
                               detail=f"values {[float(m[idx.get_loc(r)]) for r in rows[:3]]!r}")
        return x[repeat], m[repeat], int((~repeat).sum())

    def fit(self, summary: pd.DataFrame, *, frequency: str = "frequency",
            monetary_value: str = "monetary_value") -> "GammaGamma":
        """Fit p, q, v by maximum likelihood on the repeat buyers; returns ``self``.

        Raises
        ------
        CRMDataError
            Missing column, NaN, negative or fractional frequency, no repeat buyer,
            or a repeat buyer with spend ≤ 0.

        Warns
        -----
        SpendFrequencyCorrelationWarning
            When |corr(frequency, monetary_value)| > 0.3 among repeat buyers.
        """
        x, m, excluded = self._repeat_buyers(summary, frequency, monetary_value)
        correlation = float("nan")
        if x.size >= 3 and np.std(x) > 0 and np.std(m) > 0:
            correlation = float(np.corrcoef(x, m)[0, 1])
            if abs(correlation) > CORRELATION_WARNING_LEVEL:
                warnings.warn(
                    f"frequency and monetary_value are correlated among repeat buyers "
                    f"(Pearson ρ = {correlation:.2f}); Gamma-Gamma assumes spend does not depend "
                    f"on frequency, so its estimates are biased", SpendFrequencyCorrelationWarning, stacklevel=2)
        (xg, mg), weights = group_rows(x, m)
        start = np.array([1.0, 2.0, float(np.mean(m))])   # mean spend p v/(q-1) equals the sample mean
        self._maximise((xg, mg), weights, start)
        self.n_excluded_ = excluded
        self.correlation_ = correlation
        return self

    def population_mean_spend(self) -> float:
        """Mean spend per purchase across customers, ``p v / (q - 1)`` (infinite if q ≤ 1)."""
        self._is_fitted()
        p, q, v = self._param_array()
        return float(p * v / (q - 1.0)) if q > 1 else float("inf")

    def expected_spend(self, frequency, monetary_value):
        """Expected spend per purchase: ``p (v + x m̄) / (px + q - 1)``.

        For x = 0 this is the population mean ``p v / (q - 1)`` (the value of
        ``monetary_value`` is then ignored). Vectorised; returns a Series when given
        Series.

        >>> g = GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
        >>> round(float(g.expected_spend(2, 22.35)), 2)   # 6.25·(15.44 + 44.70)/(12.5 + 2.74)
        24.66
        """
        self._is_fitted()
        x = as_float_array(frequency, "frequency")
        m = as_float_array(monetary_value, "monetary_value")
        x, m = np.broadcast_arrays(x, m)
        if (x < 0).any():
            raise CRMDataError("frequency", "negative frequency")
        if ((x > 0) & (m <= 0)).any():
            raise CRMDataError("monetary_value", "spend must be positive for repeat buyers")
        p, q, v = self._param_array()
        denom = p * x + q - 1.0
        if (denom <= 0).any():
            raise CRMDataError("q", "expected spend is infinite: p·x + q - 1 ≤ 0",
                               detail=f"q = {q:.4g}; a customer with no repeat purchase has no finite mean")
        result = p * (v + x * np.where(x > 0, m, 0.0)) / denom
        return shaped_like(result, frequency, monetary_value)
