"""Shared machinery of the CLV models: input checks, grouping, maximum likelihood.

Every model here is fitted the same way, and the way is chosen so fits converge
on real data:

1. **Check the summary** (:func:`summary_arrays`): named columns present, no NaN,
   whole non-negative frequencies, 0 ≤ recency ≤ T, recency 0 for customers
   without repeat purchases. A broken rule raises :class:`CRMDataError`.
2. **Group identical rows** (:func:`group_rows`): customers with the same
   (frequency, recency, T) contribute the same likelihood term, so the term is
   computed once and multiplied by the count (the weight). Real summaries with
   daily dates have many repeats, which makes every evaluation cheaper.
3. **Optimise on the log scale**: all parameters are positive, so the optimiser
   works on θ = ln(parameter), which is unbounded, and gets the *analytic*
   gradient of the log-likelihood (∂ℓ/∂θ = parameter · ∂ℓ/∂parameter).
4. **Standard errors from the Hessian**: the observed information on the log
   scale is the finite-difference Jacobian of the analytic gradient at the
   optimum; its inverse is the covariance of θ. Because the gradient is zero at
   the maximum, Cov(parameter) = D Cov(θ) D with D = diag(parameter), so
   SE(parameter) = parameter · SE(θ) (the delta method, exact here).
"""
from __future__ import annotations

import abc
import warnings

import numpy as np
import pandas as pd

from crmlab.data import _first_rows
from crmlab.errors import CRMDataError, check_positive

__all__ = ["summary_arrays", "group_rows", "unique_rows", "Rows", "customer_arrays", "shaped_like",
           "as_float_array", "FittedModel", "ConvergenceWarning"]


class ConvergenceWarning(UserWarning):
    """The maximum-likelihood search stopped without meeting its tolerance."""


def _column(summary: pd.DataFrame, name: str) -> np.ndarray:
    if name not in summary.columns:
        raise CRMDataError(name, "missing column", detail=f"columns present: {list(summary.columns)}")
    values = pd.to_numeric(summary[name], errors="coerce")
    bad = values.isna().to_numpy()
    if bad.any():
        raise CRMDataError(name, "missing or non-numeric value", _first_rows(bad, summary.index))
    arr = values.to_numpy(dtype=float)
    inf = ~np.isfinite(arr)
    if inf.any():
        raise CRMDataError(name, "infinite value", _first_rows(inf, summary.index))
    return arr


def frequency_column(summary: pd.DataFrame, frequency: str = "frequency") -> np.ndarray:
    """Check that ``summary`` is a non-empty DataFrame whose ``frequency`` column holds
    whole numbers ≥ 0 (repeat purchases) and return that column as a float array."""
    if not isinstance(summary, pd.DataFrame):
        raise CRMDataError(None, "summary must be a pandas DataFrame", detail=f"got {type(summary).__name__}")
    if len(summary) == 0:
        raise CRMDataError(None, "summary is empty")
    x = _column(summary, frequency)
    if (x < 0).any():
        raise CRMDataError(frequency, "negative frequency", _first_rows(x < 0, summary.index))
    if (x != np.round(x)).any():
        raise CRMDataError(frequency, "frequency must be a whole number of repeat purchases",
                           _first_rows(x != np.round(x), summary.index))
    return x


def summary_arrays(summary: pd.DataFrame, *, frequency: str = "frequency", recency: str = "recency",
                   T: str = "T") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check a (frequency, recency, T) summary and return the three columns as float arrays.

    Rules (each one its own error): DataFrame, not empty; the columns exist and
    hold finite numbers; frequency is a whole number ≥ 0; recency ≥ 0; T ≥ recency;
    recency = 0 when frequency = 0.
    """
    x = frequency_column(summary, frequency)
    tx = _column(summary, recency)
    t_end = _column(summary, T)
    idx = summary.index
    if (tx < 0).any():
        raise CRMDataError(recency, "negative recency", _first_rows(tx < 0, idx))
    if (t_end < tx).any():
        raise CRMDataError(T, "T smaller than recency (last purchase after the observation end)",
                           _first_rows(t_end < tx, idx))
    odd = (x == 0) & (tx != 0)
    if odd.any():
        raise CRMDataError(recency, "recency must be 0 when frequency is 0", _first_rows(odd, idx))
    return x, tx, t_end


def unique_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the given columns, the row each input row maps to, and the counts.

    Returns ``(unique_columns, inverse, counts)`` with ``unique_columns[j][inverse]``
    equal to ``columns[j]``. Uses a hash-based pandas groupby (faster than sorting).

    >>> cols, inverse, counts = unique_rows(np.array([0., 2., 0.]), np.array([5., 7., 5.]))
    >>> [c.tolist() for c in cols], inverse.tolist(), counts.tolist()
    ([[0.0, 2.0], [5.0, 7.0]], [0, 1, 0], [2, 1])
    """
    frame = pd.DataFrame({f"c{j}": np.asarray(col) for j, col in enumerate(columns)})
    inverse = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    counts = np.bincount(inverse)
    first = np.empty(counts.size, dtype=np.int64)
    first[inverse[::-1]] = np.arange(inverse.size)[::-1]       # first row of each group
    return [np.asarray(col)[first] for col in columns], inverse, counts


def group_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Unique rows of the given columns and how often each occurs (the weights).

    >>> cols, w = group_rows(np.array([0., 2., 0.]), np.array([5., 7., 5.]))
    >>> [c.tolist() for c in cols], w.tolist()
    ([[0.0, 2.0], [5.0, 7.0]], [2.0, 1.0])
    """
    unique, _, counts = unique_rows(*columns)
    return unique, counts.astype(float)


class Rows:
    """Customer rows (x, t_x, T) for a likelihood, with the distinct frequencies found once.

    Special functions of the frequency — ln Γ(r + x), ψ(b + x), … — depend on x
    only through its few distinct values (a few dozen, even for 100,000
    customers), so the models compute them on ``x_levels`` and spread them to the
    rows with ``x_index``: ``f(x_levels)[x_index] == f(x)``.
    """

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> None:
        self.x, self.tx, self.T = (np.asarray(v, dtype=float).ravel() for v in (x, tx, T))
        self.x_levels, self.x_index = np.unique(self.x, return_inverse=True)

    @property
    def size(self) -> int:
        return self.x.size


class FittedModel(abc.ABC):
    """Base class: parameters fitted by maximum likelihood on the log scale.

    The conventions of scikit-learn and lifetimes: ``fit(summary)`` returns the
    model, and everything learned from data ends in ``_`` and exists only after
    ``fit`` (or :meth:`from_params`, the documented way to build a model from
    known parameters):

    ``params_`` (Series), ``standard_errors_`` (Series), ``covariance_``
    (DataFrame), ``log_likelihood_``, ``n_customers_``, ``converged_``; and
    ``summary``, one row per parameter with its estimate, standard error and 95%
    interval.

    Subclasses set ``PARAM_NAMES`` and implement ``_loglik_and_grad(params, data)``
    returning the per-row log-likelihood terms and their gradient with respect to
    the (natural) parameters, shape (rows, k).
    """

    PARAM_NAMES: tuple[str, ...] = ()

    # -- provided by each model ---------------------------------------------
    @abc.abstractmethod
    def _loglik_and_grad(self, params: np.ndarray, data: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Per-row log-likelihood and its gradient with respect to the log-parameters."""

    # -- building from known parameters ----------------------------------------
    @classmethod
    def _from_known(cls, params: dict) -> "FittedModel":
        """A model whose parameters are given, not estimated (see ``from_params`` of each model).

        Every parameter must be a finite number > 0. Nothing was estimated, so the
        standard errors, the covariance and the log-likelihood are NaN, ``n_customers_``
        is 0 and ``converged_`` is False; predictions work as for a fitted model.
        """
        values = [check_positive(name, params[name]) for name in cls.PARAM_NAMES]
        model = cls()
        k = len(cls.PARAM_NAMES)
        model._store(np.array(values), log_likelihood=float("nan"), n_customers=0, converged=False,
                     covariance=np.full((k, k), np.nan))
        return model

    def _store(self, params: np.ndarray, *, log_likelihood: float, n_customers: int, converged: bool,
               covariance: np.ndarray) -> None:
        """Set every learned attribute at once (so a model is either complete or has none)."""
        names = list(self.PARAM_NAMES)
        self.params_ = pd.Series(np.asarray(params, dtype=float), index=names, name="estimate")
        self.covariance_ = pd.DataFrame(covariance, index=names, columns=names)
        self.standard_errors_ = pd.Series(np.sqrt(np.diag(covariance)), index=names, name="std_error")
        self.log_likelihood_ = float(log_likelihood)
        self.n_customers_ = int(n_customers)
        self.converged_ = bool(converged)

    # -- shared ------------------------------------------------------------
    def _is_fitted(self) -> None:
        if not hasattr(self, "params_"):
            name = type(self).__name__
            raise RuntimeError(f"{name} is not fitted yet: call .fit(summary) first, or build it from "
                               f"known parameters with {name}.from_params(...)")

    def _param_array(self) -> np.ndarray:
        self._is_fitted()
        return self.params_.to_numpy(dtype=float)

    @property
    def log_likelihood(self) -> float:
        """The maximised total log-likelihood; the same number as ``log_likelihood_``."""
        self._is_fitted()
        return self.log_likelihood_

    @property
    def params(self) -> dict[str, float]:
        """Deprecated: the parameters are in ``params_`` (set by ``fit`` or ``from_params``)."""
        warnings.warn(f"{type(self).__name__}.params is deprecated: read .params_ (a Series) instead",
                      FutureWarning, stacklevel=2)
        self._is_fitted()
        return self.params_.to_dict()

    @params.setter
    def params(self, value) -> None:
        name = type(self).__name__
        raise AttributeError(f"{name} parameters are set by .fit(summary); to build a model from known "
                             f"parameters use {name}.from_params({', '.join(f'{n}=...' for n in self.PARAM_NAMES)})")

    #: names of learned attributes before they took scikit-learn's trailing ``_``
    _RENAMED = {"standard_errors": "standard_errors_", "covariance": "covariance_", "converged": "converged_",
                "n_customers": "n_customers_", "freq": "freq_", "n_excluded": "n_excluded_",
                "correlation": "correlation_"}

    def __getattr__(self, name: str):
        # called only when normal lookup fails: old names still read, with a warning
        new = type(self)._RENAMED.get(name)
        if new is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        warnings.warn(f"{type(self).__name__}.{name} is deprecated: read .{new} instead", FutureWarning,
                      stacklevel=2)
        return getattr(self, new)

    def _total_and_grad(self, params: np.ndarray, data: tuple, weights: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = self._loglik_and_grad(params, data)
        # plain multiply-and-sum, not a BLAS dot product: on a busy machine BLAS
        # threads can make a 50,000-long dot product a hundred times slower
        return float(np.sum(weights * ll)), np.sum(grad * weights[:, None], axis=0)

    def _maximise(self, data: tuple, weights: np.ndarray, start: np.ndarray, *, tol: float = 1e-10,
                  maxiter: int = 2000) -> None:
        """Maximise the weighted log-likelihood over θ = ln(params); set params_, LL, SEs."""
        n = float(weights.sum())

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            params = np.exp(theta)
            ll, grad = self._total_and_grad(params, data, weights)
            if not np.isfinite(ll):
                return np.inf, np.zeros_like(theta)
            # mean negative log-likelihood keeps the scale independent of n
            return -ll / n, -(grad * params) / n

        # BFGS on four or fewer parameters is cheap; (scipy's L-BFGS-B spends more time in
        # its own bookkeeping than in the likelihood for a summary of a few thousand rows)
        from scipy import optimize   # imported here: scipy.optimize costs ~0.5 s at import

        result = optimize.minimize(objective, np.log(start), jac=True, method="BFGS",
                                   options={"maxiter": maxiter, "gtol": tol})
        theta = result.x
        # a few Newton steps on the analytic gradient polish the optimum to ~1e-12
        theta, hess = self._newton_polish(theta, data, weights)
        params = np.exp(theta)
        ll, grad = self._total_and_grad(params, data, weights)
        grad_theta = grad * params
        converged = bool(np.all(np.abs(grad_theta) <= 1e-4 * max(1.0, np.sqrt(n)))) and np.isfinite(ll)
        name = type(self).__name__
        if not converged:
            warnings.warn(f"{name}: the likelihood search did not converge "
                          f"(gradient {grad_theta}); parameters may be unreliable", ConvergenceWarning,
                          stacklevel=3)
        extreme = {k: v for k, v in zip(self.PARAM_NAMES, params) if not 1e-5 < v < 1e5}
        if extreme:
            warnings.warn(f"{name}: estimates ran to the edge of the parameter space "
                          f"({', '.join(f'{k}={v:.3g}' for k, v in extreme.items())}); the data look like a "
                          "limiting case of the model (e.g. nobody drops out, or everyone buys at the same "
                          "rate)", ConvergenceWarning, stacklevel=3)
        self._store(params, log_likelihood=ll, n_customers=int(round(n)), converged=converged,
                    covariance=self._covariance(params, hess))

    def _hessian_theta(self, theta: np.ndarray, data: tuple, weights: np.ndarray) -> np.ndarray:
        """Hessian of the total log-likelihood in θ by central differences of the analytic gradient."""
        k = theta.size
        hess = np.empty((k, k))
        for j in range(k):
            h = 1e-5 * max(1.0, abs(theta[j]))
            up, down = theta.copy(), theta.copy()
            up[j] += h
            down[j] -= h
            g_up = self._total_and_grad(np.exp(up), data, weights)[1] * np.exp(up)
            g_down = self._total_and_grad(np.exp(down), data, weights)[1] * np.exp(down)
            hess[:, j] = (g_up - g_down) / (2 * h)
        return 0.5 * (hess + hess.T)

    def _newton_polish(self, theta: np.ndarray, data: tuple, weights: np.ndarray,
                       steps: int = 4) -> tuple[np.ndarray, np.ndarray]:
        """Newton steps with the Hessian of the starting point, then the Hessian at the end."""
        hess = self._hessian_theta(theta, data, weights)
        start = theta.copy()
        moved = False
        for _ in range(steps):
            params = np.exp(theta)
            ll, grad = self._total_and_grad(params, data, weights)
            g = grad * params
            try:
                step = np.linalg.solve(hess, g)
            except np.linalg.LinAlgError:
                break
            if not np.all(np.isfinite(step)) or np.max(np.abs(step)) > 0.5:
                break
            candidate = theta - step
            ll_new, _ = self._total_and_grad(np.exp(candidate), data, weights)
            if not (np.isfinite(ll_new) and ll_new >= ll - 1e-9 * abs(ll)):
                break
            theta = candidate
            moved = True
            if np.max(np.abs(step)) < 1e-10:
                break
        if moved and np.max(np.abs(theta - start)) > 1e-4:
            hess = self._hessian_theta(theta, data, weights)   # moved noticeably: recompute
        return theta, hess

    def _covariance(self, params: np.ndarray, hess_theta: np.ndarray) -> np.ndarray:
        """Cov(parameters) = D Cov(θ) D with Cov(θ) = (-Hessian in θ)⁻¹ and D = diag(parameters)."""
        k = len(self.PARAM_NAMES)
        try:
            cov_theta = np.linalg.inv(-hess_theta)
            ok = np.all(np.linalg.eigvalsh(-hess_theta) > 0)
        except np.linalg.LinAlgError:
            ok = False
        if not ok:
            warnings.warn(f"{type(self).__name__}: the Hessian is not negative definite at the optimum; "
                          "standard errors are not available (NaN)", ConvergenceWarning, stacklevel=4)
            return np.full((k, k), np.nan)
        return cov_theta * np.outer(params, params)

    def confidence_intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Wald intervals computed on the log scale (so they stay positive).

        ``exp(ln θ̂ ± z · SE(θ̂)/θ̂)`` with z the normal quantile for ``level``.
        Columns ``estimate``, ``std_error``, ``lower``, ``upper``, one row per
        parameter; NaN standard errors and bounds for a model built with
        ``from_params`` (nothing was estimated).
        """
        self._is_fitted()
        if isinstance(level, bool) or not isinstance(level, (int, float, np.floating)) or not 0 < level < 1:
            raise CRMDataError("level", "must be between 0 and 1", detail=f"got {level!r}")
        from scipy import stats      # imported here: scipy.stats costs ~0.5 s at import

        z = stats.norm.ppf(0.5 + level / 2)
        est, se = self.params_, self.standard_errors_
        half = z * se / est
        table = pd.DataFrame({"estimate": est, "std_error": se,
                              "lower": est * np.exp(-half), "upper": est * np.exp(half)})
        table.index.name = "parameter"
        table.attrs["level"] = float(level)
        return table

    @property
    def summary(self) -> pd.DataFrame:
        """One row per parameter: ``estimate``, ``std_error`` and the 95% interval ``lower``–``upper``.

        The same table as ``confidence_intervals(0.95)`` (lifetimes calls it
        ``summary`` too). A model built with ``from_params`` has NaN standard errors
        and bounds: its parameters were given, not estimated.
        """
        return self.confidence_intervals(0.95)

    def _describe(self) -> str:
        """Extra text for ``repr`` (the time unit, for purchase models)."""
        return ""

    def __repr__(self) -> str:
        name = type(self).__name__
        if not hasattr(self, "params_"):
            return f"{name}(not fitted)"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        if self.n_customers_ == 0:
            return f"{name}({shown}{self._describe()}; from known parameters)"
        return f"{name}({shown}{self._describe()}; log-likelihood={self.log_likelihood_:.2f}, n={self.n_customers_})"


def as_float_array(value, name: str) -> np.ndarray:
    """``value`` as a float array, or a CRMDataError naming ``name``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CRMDataError(name, "must be numeric", detail=f"got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise CRMDataError(name, "must be finite (no NaN or inf)")
    return arr


def shaped_like(result: np.ndarray, *inputs):
    """``result`` as a Series with the index of the first same-shaped Series among ``inputs``.

    So ``model.probability_alive(summary["frequency"], ...)`` keeps the customer
    ids; with arrays in, an array comes out, and a 0-d result becomes a float.
    """
    for item in inputs:
        if isinstance(item, pd.Series) and item.shape == result.shape:
            return pd.Series(result, index=item.index)
    return result if result.ndim else float(result)


def customer_arrays(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Broadcast (frequency, recency, T) for a prediction and check 0 ≤ recency ≤ T, frequency ≥ 0."""
    x = as_float_array(frequency, "frequency")
    tx = as_float_array(recency, "recency")
    t_end = as_float_array(T, "T")
    x, tx, t_end = np.broadcast_arrays(x, tx, t_end)
    if (x < 0).any():
        raise CRMDataError("frequency", "negative frequency", detail=f"first bad value {x[x < 0].flat[0]!r}")
    if (tx < 0).any():
        raise CRMDataError("recency", "negative recency", detail=f"first bad value {tx[tx < 0].flat[0]!r}")
    if (t_end < tx).any():
        raise CRMDataError("T", "T smaller than recency", detail=f"first bad T {t_end[t_end < tx].flat[0]!r}")
    return x, tx, t_end
