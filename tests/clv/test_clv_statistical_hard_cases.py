"""Fits that must converge where users of today's libraries report trouble:
a + b < 1, thousands of purchases per customer, twenty-year histories.

Data come from ``sim.btyd.simulate_bgnbd`` (the vectorised BG/NBD oracle, continuous
time). Each estimate must lie within 4 of its own reported standard errors of the
truth: if the estimator is unbiased and the SEs are right, a miss has probability
≈ 6e-5 per parameter — so these tests check the standard errors as well. The seed
(3) was fixed before the first run.
"""
import numpy as np
import pytest

from crmlab import clv

btyd = pytest.importorskip("sim.btyd")

CASES = {
    # name: (r, alpha, a, b, T weeks, customers)
    "a_plus_b_below_one": (0.5, 3.0, 0.3, 0.5, 52.0, 20_000),
    "thousands_of_purchases": (5.0, 1.0, 0.5, 20.0, 500.0, 5_000),     # up to ~5,500 repeat purchases
    "twenty_year_history": (0.24, 4.41, 0.79, 2.43, 1040.0, 20_000),
}


@pytest.mark.parametrize("name", list(CASES))
def test_fit_converges_and_covers_the_truth(name):
    r, alpha, a, b, T, n = CASES[name]
    data = btyd.simulate_bgnbd(n, r, alpha, a, b, T, 3)
    model = clv.BGNBD().fit(data, freq="W")
    assert model.converged_ and np.isfinite(model.log_likelihood_)
    truth = {"r": r, "alpha": alpha, "a": a, "b": b}
    for key, value in truth.items():
        se = model.standard_errors_[key]
        assert np.isfinite(se) and se > 0
        assert abs(model.params_[key] - value) < 4 * se, (key, model.params_[key], value, se)
    # every prediction stays finite and within its natural bounds
    pa = model.probability_alive(data["frequency"], data["recency"], data["T"])
    assert np.all((pa >= 0) & (pa <= 1))
    ahead = model.expected_purchases(52.0, data["frequency"], data["recency"], data["T"])
    assert np.all(np.isfinite(ahead)) and np.all(ahead >= 0)
    new = model.expected_purchases_new(np.array([1.0, 52.0, 520.0]))
    assert np.all(np.isfinite(new)) and np.all(np.diff(new) > 0)
    # the MBG/NBD fits the same data without trouble too
    mbg = clv.MBGNBD().fit(data, freq="W")
    assert mbg.converged_ and np.isfinite(mbg.standard_errors_).all()
