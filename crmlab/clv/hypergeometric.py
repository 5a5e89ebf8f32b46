"""The hypergeometric term of the BG/NBD family, computed without NaN or overflow.

Every "expected number of purchases" formula of the BG/NBD family reduces to one
average: a customer who is alive now, buys at rate λ ~ Gamma(r, α) and drops out
after each purchase with probability p ~ Beta(a, b), makes on average

    h(t) = E[(1 - exp(-λ p t)) / p]
         = (a + b - 1) / (a - 1) · [1 - (α / (α + t))^r · 2F1(r, b; a + b - 1; z)],
           with z = t / (α + t),

purchases in the next t time units (Fader, Hardie & Lee 2005, eq. 9). Written
like that, the formula breaks in three places that real fits reach:

* ``a = 1`` gives 0/0;
* ``a + b < 1`` makes the third 2F1 argument negative and ``a + b = 1`` is a pole
  of 2F1 (cancelled by the factor ``a + b - 1`` in front);
* for many purchases (large r, b) and long horizons 2F1 overflows while the
  power in front underflows.

This module uses an equivalent series that has none of these problems. With
``C = a + b - 1``, ``D = C - r`` and ``L = ln(1 - z)``, Euler's transformation
2F1(r, b; C; z) = (1 - z)^(C - r - b) 2F1(D, a - 1; C; z) and expanding the
second 2F1 term by term gives

    h(t) = -C · L · exprel((a - 1) L)  -  (1 - z)^(a - 1) · S(z),

    S(z) = Σ_{k≥1} u_k,   u_1 = D z,
    u_{k+1} = u_k · (D + k)(a + k - 1) / ((C + k)(k + 1)) · z,

where ``exprel(x) = (e^x - 1) / x`` (equal to 1 at x = 0). Every denominator
``C + k = a + b - 1 + k`` is positive for k ≥ 1, the factor ``a - 1`` no longer
divides anything, and for the usual parameters all terms are of moderate size.
The series converges geometrically with ratio z. Two cases go instead to
adaptive quadrature of the defining average over p (``scipy.integrate.quad``
with the Beta weight), which is accurate for all parameters but slower:

* z > 0.98 (horizons more than ~50 times ``α``), where the series would need
  thousands of terms;
* a large Gamma shape r, which makes D very negative: the terms then alternate
  in sign and grow far larger than the sum, and digits cancel. The function
  watches the largest term and recomputes such rows by quadrature.

Example
-------
A customer with r = α = 1 and a = 2, b = 3 (so the mean dropout probability is
0.4), over one time unit:

>>> round(float(expected_purchases_while_alive(1.0, 1.0, 1.0, 2.0, 3.0)), 6)
0.728935
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import integrate, special

__all__ = ["expected_purchases_while_alive"]

#: Above this value of z = t / (α + t) the series is replaced by quadrature.
Z_SERIES_MAX = 0.98
_TOL = 1e-15


def _series(z: np.ndarray, r: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """h via the convergent series (all arrays 1-D, same length, 0 ≤ z ≤ Z_SERIES_MAX).

    Also returns the largest term of each series: when terms of alternating sign
    are much larger than the result (large r makes D = a + b - 1 - r very
    negative), digits cancel and the caller switches to quadrature.
    """
    C = a + b - 1.0
    D = C - r
    L = np.log1p(-z)
    total_out = np.empty(z.size)
    peak_out = np.empty(z.size)
    # working arrays hold the rows still being summed; finished rows are copied
    # out and dropped in batches (dropping one row at a time would cost more than
    # summing it a few more terms)
    rows = np.arange(z.size)
    zw, Dw, aw, Cw = z, D, a, C
    u = D * z
    total = u.copy()
    peak = np.abs(u)
    k = 1
    while rows.size:
        # next term u_{k+1} = u_k · (D + k)(a + k - 1) / ((C + k)(k + 1)) · z
        ratio = (Dw + k) * (aw + (k - 1.0)) / ((Cw + k) * (k + 1.0)) * zw
        u = u * ratio
        total += u
        np.maximum(peak, np.abs(u), out=peak)
        k += 1
        if k % 4 and k < 200_000:
            continue                      # test for convergence every fourth term only
        # the remaining tail is at most |u| ρ/(1-ρ), ρ the largest future ratio
        rho = np.maximum(np.abs(ratio), zw)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            tail = np.abs(u) * rho / (1.0 - rho)
        done = (rho < 1.0) & (tail <= _TOL * np.abs(total) + 1e-300)
        n_done = int(done.sum())
        if n_done == rows.size or n_done > rows.size // 4:
            total_out[rows[done]] = total[done]
            peak_out[rows[done]] = peak[done]
            keep = ~done
            rows, zw, Dw, aw, Cw = rows[keep], zw[keep], Dw[keep], aw[keep], Cw[keep]
            u, total, peak = u[keep], total[keep], peak[keep]
        if k > 200_000:  # pragma: no cover - cannot happen for z ≤ Z_SERIES_MAX
            raise RuntimeError("hypergeometric series did not converge")
    total = total_out
    peak = peak_out
    am1L = (a - 1.0) * L
    return -C * L * special.exprel(am1L) - np.exp(am1L) * total, peak


def _quadrature(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """h as the average over p ~ Beta(a, b) of (1 - (α/(α + p t))^r) / p.

    ``quad(weight="alg")`` handles the end-point singularities p^(a-1) (for a < 1)
    and (1-p)^(b-1) (for b < 1) exactly; the rest of the Beta density goes into
    the integrand in log form. Where a Beta factor is smooth (exponent ≥ 0) the
    range is cut to where the density is not negligible (Beta quantiles 1e-17
    and 1 - 1e-17), so a sharply peaked posterior (large b + x) is not missed.
    """
    w = t / alpha
    log_norm = special.betaln(a, b)
    lo = 0.0 if a < 1.0 else float(special.betaincinv(a, b, 1e-17))
    hi = 1.0 if b < 1.0 else float(special.betainccinv(a, b, 1e-17))
    wvar = (a - 1.0 if a < 1.0 else 0.0, b - 1.0 if b < 1.0 else 0.0)
    smooth_a = a - 1.0 - wvar[0]
    smooth_b = b - 1.0 - wvar[1]

    def integrand(p: float) -> float:
        if p <= 0.0:
            return r * w * np.exp(-log_norm) if smooth_a == 0.0 else 0.0
        g = -np.expm1(-r * np.log1p(p * w)) / p
        log_density = -log_norm
        if smooth_a:
            log_density += smooth_a * np.log(p)
        if smooth_b:
            log_density += smooth_b * np.log1p(-p)   # p < 1 here: smooth_b > 0 only when hi < 1
        return g * np.exp(log_density)

    with np.errstate(divide="ignore"):     # log(0) at an end point gives a zero density, as it should
        value, error, *_ = integrate.quad(integrand, lo, hi, weight="alg", wvar=wvar, limit=1000,
                                          epsabs=0.0, epsrel=1e-11, full_output=1)
    if not np.isfinite(value) or abs(error) > 1e-7 * abs(value):
        warnings.warn(f"expected_purchases_while_alive: quadrature error {error:.2g} for t={t}, r={r}, "
                      f"alpha={alpha}, a={a}, b={b}", RuntimeWarning, stacklevel=3)
    return value


def expected_purchases_while_alive(t, r, alpha, a, b) -> np.ndarray:
    """Expected purchases in the next ``t`` time units of a customer alive now.

    ``h(t) = E[(1 - exp(-λ p t)) / p]`` with λ ~ Gamma(r, α) (shape, rate) and
    p ~ Beta(a, b), i.e. the closed form
    ``(a + b - 1)/(a - 1) · [1 - (α/(α + t))^r · 2F1(r, b; a + b - 1; t/(α + t))]``,
    evaluated without its removable singularities (see the module docstring).

    Parameters
    ----------
    t : array_like
        Horizon, ≥ 0, in the model's time unit.
    r, alpha, a, b : array_like
        Gamma shape and rate of the purchase rate, Beta parameters of the dropout
        probability; all > 0. Arguments broadcast against each other.

    Returns
    -------
    ndarray of float
        h(t), ≥ 0, finite for every valid input (0 where t = 0).
    """
    t, r, alpha, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, r, alpha, a, b)))
    shape = t.shape
    t, r, alpha, a, b = (v.ravel() for v in (t, r, alpha, a, b))
    out = np.zeros(t.size)
    z = t / (alpha + t)
    use_series = (t > 0) & (z <= Z_SERIES_MAX)
    if use_series.any():
        idx = np.flatnonzero(use_series)
        values, peak = _series(z[idx], r[idx], a[idx], b[idx])
        out[idx] = values
        # digits lost to cancellation (peak term ≫ result) or a value outside
        # 0 ≤ h ≤ r t / α (a customer who never dies): recompute by quadrature
        bound = r[idx] * t[idx] / alpha[idx]
        doubtful = (peak * 1e-16 > 1e-11 * np.abs(values)) | (values < 0) | (values > bound * (1 + 1e-9))
        use_series[idx[doubtful]] = False
    for i in np.flatnonzero((t > 0) & ~use_series):
        out[i] = _quadrature(t[i], r[i], alpha[i], a[i], b[i])
    return out.reshape(shape)
