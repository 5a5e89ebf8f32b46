"""Cross-check of the oracle with an independent implementation: the `lifetimes`
package's maximum-likelihood fits recover the parameters sim.btyd was given.

20 000 customers give maximum-likelihood standard errors of a few percent
(e.g. r = 0.24 ± 0.004); we allow 4 of lifetimes' own standard errors per
parameter. A generator with a wrong dropout convention (e.g. allowing dropout
before the first repeat purchase) moves a and b by many standard errors.
"""
import warnings

import pytest

from sim.btyd import simulate_bgnbd

lifetimes = pytest.importorskip("lifetimes")

TRUE = {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43}
SPEND = {"p": 6.0, "q": 4.0, "v": 15.0}


@pytest.fixture(scope="module")
def customers():
    return simulate_bgnbd(20_000, T=39.0, seed=3, spend=tuple(SPEND.values()), **TRUE)


def test_lifetimes_bgnbd_fit_recovers_the_parameters(customers):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = lifetimes.BetaGeoFitter().fit(customers["frequency"], customers["recency"], customers["T"])
    for name, value in TRUE.items():
        est, se = fit.summary.loc[name, "coef"], fit.summary.loc[name, "se(coef)"]
        assert abs(est - value) < 4 * se, f"{name}: fitted {est:.4g} ± {se:.2g}, true {value}"


def test_lifetimes_gamma_gamma_fit_recovers_the_spend_parameters(customers):
    buyers = customers[customers["frequency"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = lifetimes.GammaGammaFitter().fit(buyers["frequency"], buyers["monetary_value"])
    for name, value in SPEND.items():
        est, se = fit.summary.loc[name, "coef"], fit.summary.loc[name, "se(coef)"]
        assert abs(est - value) < 4 * se, f"{name}: fitted {est:.4g} ± {se:.2g}, true {value}"
