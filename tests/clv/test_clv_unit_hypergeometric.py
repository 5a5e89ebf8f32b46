"""The 2F1 term of the BG/NBD family: against its definition, including the corners
(a + b < 1, a + b = 1, a = 1, huge frequencies, long horizons) where the textbook
formula gives NaN, inf or 0/0."""
import math

import numpy as np
import pytest
from scipy import integrate, special

from crmlab import clv
from crmlab.clv import hypergeometric as hg


def reference(t, r, alpha, a, b):
    """h(t) = E_p[(1 - (α/(α + p t))^r) / p], p ~ Beta(a, b), by adaptive quadrature of the
    definition (independent of the series and of the quadrature inside crmlab).

    The Beta density's end-point singularities are removed by substitution: on
    [0, 1/2], p = u^(1/a) turns p^(a-1) dp into du/a; on [1/2, 1], 1 - p = v^(1/b)
    turns (1-p)^(b-1) dp into dv/b. Both integrands are then smooth.
    """
    def g(p):
        return r * t / alpha if p == 0.0 else -math.expm1(-r * math.log1p(p * t / alpha)) / p

    def left(u):
        p = u ** (1 / a)
        return g(p) * math.exp((b - 1) * math.log1p(-p)) / a

    def right(v):
        q = v ** (1 / b)                      # q = 1 - p
        return g(1 - q) * math.exp((a - 1) * math.log1p(-q)) / b

    lo, _ = integrate.quad(left, 0, 0.5 ** a, limit=400, epsabs=0, epsrel=1e-12)
    hi, _ = integrate.quad(right, 0, 0.5 ** b, limit=400, epsabs=0, epsrel=1e-12)
    return (lo + hi) * math.exp(-special.betaln(a, b))


def closed_form(t, r, alpha, a, b):
    """The textbook formula (FHL eq. 9) with scipy's hyp2f1."""
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, z))


def test_matches_textbook_formula_where_it_is_well_behaved():
    rng = np.random.default_rng(0)
    for _ in range(200):
        r, alpha = np.exp(rng.uniform(-2, 1.5, 2))
        a = np.exp(rng.uniform(0.2, 1.5))          # a > 1.2: far from the 0/0 at a = 1
        b = np.exp(rng.uniform(0.0, 1.5))          # a + b - 1 > 1: far from the 2F1 pole
        t = alpha * np.exp(rng.uniform(-3, 2.5))
        got = float(hg.expected_purchases_while_alive(t, r, alpha, a, b))
        assert got == pytest.approx(closed_form(t, r, alpha, a, b), rel=1e-9)


def test_a_plus_b_below_one_lifetimes_issue_302():
    # parameters reported upstream (lifetimes issue #302): x = 0, t = 30, T = 1,
    # r = 0.11, alpha = 2.24, a = 0.31, b = 0.50 — a + b = 0.81 < 1, so the third
    # 2F1 argument a + b + x - 1 = -0.19 is negative and the textbook route took
    # the log of a negative number. Conditional expectation for x = 0 (alive for sure):
    m = clv.BGNBD.from_params(r=0.11, alpha=2.24, a=0.31, b=0.50, freq="W")
    got = float(m.expected_purchases(30, 0, 0, 1))
    want = reference(30, 0.11, 2.24 + 1, 0.31, 0.50)
    assert np.isfinite(got) and got > 0
    assert got == pytest.approx(want, rel=1e-8)


@pytest.mark.parametrize("a, b", [(0.3, 0.7), (0.25, 0.75 + 1e-12), (0.1, 0.2), (0.45, 0.5)])
def test_a_plus_b_at_or_below_one(a, b):
    # a + b = 1 is the pole of 2F1(r, b; a + b - 1; z): the textbook formula gives inf·0
    for t in (0.5, 5.0, 40.0):
        got = float(hg.expected_purchases_while_alive(t, 0.4, 3.0, a, b))
        assert np.isfinite(got)
        assert got == pytest.approx(reference(t, 0.4, 3.0, a, b), rel=1e-8)


def test_a_equal_to_one_is_not_zero_over_zero():
    # the textbook prefactor (a + b - 1)/(a - 1) is 0/0-like at a = 1
    for t in (1.0, 20.0):
        at_one = float(hg.expected_purchases_while_alive(t, 0.7, 2.0, 1.0, 2.5))
        assert at_one == pytest.approx(reference(t, 0.7, 2.0, 1.0, 2.5), rel=1e-9)
        near = hg.expected_purchases_while_alive(t, 0.7, 2.0, [1 - 1e-7, 1 + 1e-7], 2.5)
        assert near == pytest.approx([at_one, at_one], rel=1e-6)


def test_large_frequency_and_long_history_no_overflow():
    # a customer with 3,000 repeat purchases over 20 years (1,040 weeks):
    # 2F1(r+x, b+x; a+b+x-1; z) alone overflows a float, the series does not
    r, alpha, a, b, x, T = 0.243, 4.414, 0.793, 2.426, 3000, 1040.0
    got = float(hg.expected_purchases_while_alive(52.0, r + x, alpha + T, a, b + x))
    assert np.isfinite(got)
    # posterior λ ≈ (r+x)/(α+T) ≈ 2.87 per week, dropout p ≈ a/(b+x) ≈ 2.6e-4: ≈ 52·2.87·(1 - small)
    assert got == pytest.approx(reference(52.0, r + x, alpha + T, a, b + x), rel=1e-8)
    # 3,000 purchases in 10 weeks, predicted 1,000 weeks ahead: z = 1000/1014.4 > 0.98,
    # so the quadrature branch takes over, and stays finite too
    late = float(hg.expected_purchases_while_alive(1000.0, r + x, alpha + 10.0, a, b + x))
    assert late == pytest.approx(reference(1000.0, r + x, alpha + 10.0, a, b + x), rel=1e-8)


def test_series_and_quadrature_agree_at_the_switch():
    # just below the switch the series is used; the quadrature branch must agree there
    alpha = 2.0
    t = hg.Z_SERIES_MAX / (1 - hg.Z_SERIES_MAX) * alpha * 0.999
    z = np.array([t / (alpha + t)])
    series = hg._series(z, np.array([0.5]), np.array([0.8]), np.array([0.6]))[0][0]
    quad = hg._quadrature(t, 0.5, alpha, 0.8, 0.6)
    assert series == pytest.approx(quad, rel=1e-9)
    # and far beyond it (t = 10,000 α) the result is finite and matches the definition
    far = float(hg.expected_purchases_while_alive(1e4 * alpha, 0.5, alpha, 0.8, 0.6))
    assert far == pytest.approx(reference(1e4 * alpha, 0.5, alpha, 0.8, 0.6), rel=1e-7)


@pytest.mark.parametrize("t, r, alpha, a, b", [
    (0.1, 300.0, 0.05, 0.05, 0.05),    # large r: series terms ~1e60 of alternating sign
    (30.0, 40.0, 10.0, 2.0, 5.0),
    (3.0, 12.0, 1.0, 0.6, 0.9),
])
def test_large_r_cancellation_is_detected(t, r, alpha, a, b):
    # with D = a + b - 1 - r very negative the series cancels catastrophically;
    # the function notices (largest term ≫ result) and integrates instead
    got = float(hg.expected_purchases_while_alive(t, r, alpha, a, b))
    assert got == pytest.approx(reference(t, r, alpha, a, b), rel=1e-8)


def test_zero_horizon_and_small_horizon():
    assert float(hg.expected_purchases_while_alive(0.0, 0.5, 2.0, 0.8, 0.6)) == 0.0
    # for small t a live customer buys at the mean rate r/α: 0.5/2 · 1e-4 = 2.5e-5
    assert float(hg.expected_purchases_while_alive(1e-4, 0.5, 2.0, 0.8, 0.6)) == pytest.approx(2.5e-5, rel=1e-3)


def test_no_nan_over_a_wide_grid():
    r, alpha, a, b, t = np.meshgrid([0.01, 0.3, 5.0, 300.0], [0.05, 4.0, 500.0], [0.05, 0.5, 1.0, 3.0, 40.0],
                                    [0.05, 0.5, 1.0, 10.0, 3000.0], [0.1, 10.0, 200.0], indexing="ij")
    h = hg.expected_purchases_while_alive(t, r, alpha, a, b)
    assert np.all(np.isfinite(h)) and np.all(h >= 0)
    # never more than a customer who never dies: E[λ] t = r t / α
    assert np.all(h <= r * t / alpha * (1 + 1e-9))
