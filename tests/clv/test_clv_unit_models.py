"""Unit tests of the BG/NBD, MBG/NBD and Gamma-Gamma models: likelihoods by hand,
gradients, standard errors, predictions, and one test per bad-input rule."""
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from crmlab import clv
from crmlab.errors import CRMDataError

CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def _model(cls, params):
    """A model with known parameters (purchase models in weeks)."""
    return cls.from_params(**params) if cls is clv.GammaGamma else cls.from_params(**params, freq="W")


def _beta(x, y):
    return math.gamma(x) * math.gamma(y) / math.gamma(x + y)


# --- likelihoods against hand-worked numbers -------------------------------------------

def test_bgnbd_likelihood_by_hand():
    # r = 0.5, alpha = 2, a = 1.5, b = 3; customers (x, t_x, T) = (0, 0, 10) and (2, 6, 8).
    # Customer 1 (x = 0): L = (alpha/(alpha+T))^r = (2/12)^0.5 = 0.408248, ln L = -0.895880.
    # Customer 2 (x = 2):
    #   B(a, b+2)/B(a, b) = b(b+1)/((a+b)(a+b+1)) = 12/24.75 = 0.484848
    #   Γ(r+2)/Γ(r) · alpha^r = r(r+1) · 2^0.5 = 0.75 · 1.414214 = 1.060660
    #   alive term = 0.484848 · 1.060660 / 10^2.5 = 0.00162623
    #   B(a+1, b+1)/B(a, b) = a b/((a+b)(a+b+1)) = 4.5/24.75 = 0.181818
    #   dead term  = 0.181818 · 1.060660 / 8^2.5 = 0.00106534
    #   L = 0.00269157, ln L = -5.917630
    m = _model(clv.BGNBD, {"r": 0.5, "alpha": 2.0, "a": 1.5, "b": 3.0})
    terms = m.log_likelihood_terms([0, 2], [0, 6], [10, 8])
    assert terms == pytest.approx([-0.895880, -5.917630], abs=1e-6)
    # and against the formula with plain gamma functions (no logs)
    r, al, a, b = 0.5, 2.0, 1.5, 3.0
    g = math.gamma(r + 2) / math.gamma(r) * al ** r
    direct = (_beta(a, b + 2) / _beta(a, b) * g / (al + 8) ** (r + 2)
              + _beta(a + 1, b + 1) / _beta(a, b) * g / (al + 6) ** (r + 2))
    assert terms[1] == pytest.approx(math.log(direct), rel=1e-12)


def test_mbgnbd_likelihood_by_hand():
    # Same parameters, one customer with x = 0, T = 10: the MBG/NBD lets them die at once.
    #   B(a, b+1)/B(a, b) = b/(a+b) = 3/4.5 = 0.666667;  alive term = 0.666667 · (2/12)^0.5 = 0.272166
    #   B(a+1, b)/B(a, b) = a/(a+b) = 1.5/4.5 = 0.333333; dead term = 0.333333 · (2/2)^0.5 = 0.333333
    #   L = 0.605499, ln L = -0.501703
    m = _model(clv.MBGNBD, {"r": 0.5, "alpha": 2.0, "a": 1.5, "b": 3.0})
    assert float(m.log_likelihood_terms(0, 0, 10)) == pytest.approx(-0.501703, abs=1e-6)


def test_gamma_gamma_likelihood_by_hand():
    # p = 6.25, q = 3.74, v = 15.44; x = 2 repeat purchases with mean 22.35:
    # ln Γ(16.24) - ln Γ(12.5) - ln Γ(3.74) + 3.74 ln 15.44 + 11.5 ln 22.35 + 12.5 ln 2 - 16.24 ln 60.14
    # = -3.551317 (evaluated term by term with math.lgamma below)
    p, q, v, x, mbar = 6.25, 3.74, 15.44, 2.0, 22.35
    direct = (math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q) + q * math.log(v)
              + (p * x - 1) * math.log(mbar) + p * x * math.log(x) - (p * x + q) * math.log(x * mbar + v))
    assert direct == pytest.approx(-3.551317, abs=1e-6)
    g = _model(clv.GammaGamma, {"p": p, "q": q, "v": v})
    ll, _ = g._loglik_and_grad(np.array([p, q, v]), (np.array([x]), np.array([mbar])))
    assert ll[0] == pytest.approx(direct, rel=1e-12)


def test_likelihood_stable_for_large_frequency_and_long_history():
    # 5,000 repeat purchases over 20 years of weeks: Γ(5000) overflows a float, ln Γ does not
    m = _model(clv.BGNBD, CDNOW)
    terms = m.log_likelihood_terms([5000, 20000], [1000, 1039], [1040, 1040])
    assert np.all(np.isfinite(terms))
    mm = _model(clv.MBGNBD, CDNOW)
    assert np.all(np.isfinite(mm.log_likelihood_terms([5000, 20000], [1000, 1039], [1040, 1040])))


# --- analytic gradients against finite differences -----------------------------------

@pytest.mark.parametrize("cls, params", [(clv.BGNBD, [0.3, 5.0, 0.8, 2.5]), (clv.BGNBD, [2.0, 0.7, 0.4, 0.3]),
                                         (clv.MBGNBD, [0.5, 6.0, 0.9, 1.6])])
def test_bg_gradients_match_finite_differences(cls, params):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 12, 200).astype(float)
    T = rng.uniform(1, 80, 200)
    tx = np.where(x > 0, T * rng.uniform(0, 1, 200), 0.0)
    model, params = cls(), np.array(params)
    _, grad = model._loglik_and_grad(params, (x, tx, T))
    for j in range(4):
        h = 1e-6 * params[j]
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        numeric = (model._loglik_and_grad(up, (x, tx, T))[0] - model._loglik_and_grad(down, (x, tx, T))[0]) / (2 * h)
        assert grad[:, j] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_gamma_gamma_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    x = rng.integers(1, 10, 100).astype(float)
    m = rng.gamma(5.0, 6.0, 100)
    params = np.array([6.0, 3.5, 14.0])
    g = clv.GammaGamma()
    _, grad = g._loglik_and_grad(params, (x, m))
    for j in range(3):
        h = 1e-6 * params[j]
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        numeric = (g._loglik_and_grad(up, (x, m))[0] - g._loglik_and_grad(down, (x, m))[0]) / (2 * h)
        assert grad[:, j] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


# --- fitting, grouping, standard errors ---------------------------------------------

@pytest.fixture(scope="module")
def simulated_summary():
    """3,000 customers of the BG/NBD process, drawn here with NumPy (an oracle independent of crmlab)."""
    rng = np.random.default_rng(11)
    n, T = 3000, 52.0
    lam = rng.gamma(0.5, 1 / 4.0, n)
    p = rng.beta(1.0, 3.0, n)
    x = np.zeros(n)
    tx = np.zeros(n)
    for i in range(n):     # readable loop: purchases at Poisson times, death after each with prob p
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T:
                break
            x[i] += 1
            tx[i] = t
            if rng.random() < p[i]:
                break
    summary = pd.DataFrame({"frequency": x.astype(int), "recency": np.round(tx, 2), "T": T})
    summary.attrs["freq"] = "W"         # as clv.summarize records it
    return summary


def test_fit_returns_self_and_groups_identical_rows(simulated_summary):
    m = clv.BGNBD()
    assert m.fit(simulated_summary) is m
    # duplicating every row doubles the log-likelihood and leaves the estimates unchanged
    doubled = clv.BGNBD().fit(pd.concat([simulated_summary, simulated_summary]))
    assert doubled.log_likelihood_ == pytest.approx(2 * m.log_likelihood_, rel=1e-9)
    for k in m.params_.index:
        assert doubled.params_[k] == pytest.approx(m.params_[k], rel=1e-5)
        # twice the data: standard errors shrink by sqrt(2)
        assert doubled.standard_errors_[k] == pytest.approx(m.standard_errors_[k] / math.sqrt(2), rel=1e-3)
    assert m.log_likelihood_ == pytest.approx(m.log_likelihood_terms(
        simulated_summary["frequency"], simulated_summary["recency"], simulated_summary["T"]).sum(), rel=1e-12)
    assert m.converged_ and m.n_customers_ == 3000


def test_fit_is_the_maximum(simulated_summary):
    m = clv.BGNBD().fit(simulated_summary)
    s = simulated_summary
    base = np.array([m.params_[k] for k in m.PARAM_NAMES])
    for j in range(4):
        for factor in (0.99, 1.01):
            moved = base.copy()
            moved[j] *= factor
            ll, _ = m._loglik_and_grad(moved, (s["frequency"].to_numpy(float), s["recency"].to_numpy(),
                                               s["T"].to_numpy(float)))
            assert ll.sum() < m.log_likelihood_


def test_standard_errors_match_numeric_hessian(simulated_summary):
    # independent check: the Hessian of the log-likelihood *values* in the natural
    # parameters by central second differences, inverted
    m = clv.BGNBD().fit(simulated_summary)
    s = simulated_summary
    data = (s["frequency"].to_numpy(float), s["recency"].to_numpy(), s["T"].to_numpy(float))
    est = np.array([m.params_[k] for k in m.PARAM_NAMES])

    def ll(par):
        return m._loglik_and_grad(par, data)[0].sum()

    k = len(est)
    H = np.empty((k, k))
    h = 1e-4 * est
    for i in range(k):
        for j in range(k):
            pp, pm, mp, mm = (est.copy() for _ in range(4))
            pp[i] += h[i]; pp[j] += h[j]
            pm[i] += h[i]; pm[j] -= h[j]
            mp[i] -= h[i]; mp[j] += h[j]
            mm[i] -= h[i]; mm[j] -= h[j]
            H[i, j] = (ll(pp) - ll(pm) - ll(mp) + ll(mm)) / (4 * h[i] * h[j])
    se = np.sqrt(np.diag(np.linalg.inv(-H)))
    assert [m.standard_errors_[n] for n in m.PARAM_NAMES] == pytest.approx(se, rel=2e-3)
    ci = m.confidence_intervals(0.95)
    assert (ci["lower"] < ci["estimate"]).all() and (ci["estimate"] < ci["upper"]).all()


def test_mbgnbd_and_gamma_gamma_fit(simulated_summary):
    mm = clv.MBGNBD().fit(simulated_summary)
    assert mm.converged_ and set(mm.params_.index) == {"r", "alpha", "a", "b"}
    rng = np.random.default_rng(5)
    x = rng.integers(0, 8, 4000)
    nu = rng.gamma(4.0, 1 / 15.0, 4000)
    mbar = rng.gamma(6.0 * np.maximum(x, 1), 1 / (nu * np.maximum(x, 1)))
    g = clv.GammaGamma().fit(pd.DataFrame({"frequency": x, "monetary_value": np.where(x > 0, mbar, 0.0)}))
    assert g.n_excluded_ == int((x == 0).sum()) and g.converged_
    assert g.log_likelihood_ < 0 and np.isfinite(g.standard_errors_).all()


# --- predictions by hand -------------------------------------------------------------

def test_probability_alive_by_hand():
    m = _model(clv.BGNBD, CDNOW)
    # x = 1, t_x = 4, T = 30: 1 / (1 + 0.793/2.426 · (34.414/8.414)^1.243)
    #   34.414/8.414 = 4.090088, ln = 1.408566, · 1.243 = 1.750848, exp = 5.759485
    #                       = 1 / (1 + 0.326876 · 5.759485) = 0.346905
    assert float(m.probability_alive(1, 4, 30)) == pytest.approx(0.346905, abs=2e-6)
    # BG/NBD: nobody dies before a repeat purchase
    assert float(m.probability_alive(0, 0, 30)) == 1.0
    # MBG/NBD, x = 0, T = 30: 1 / (1 + a/b · ((α+T)/α)^r) = 1 / (1 + 0.326876 · 7.79656^0.243)
    #   7.796556^0.243 = exp(0.243 · 2.053682) = exp(0.499045) = 1.647147
    #       = 1 / (1 + 0.326876 · 1.647147) = 0.650021
    mm = _model(clv.MBGNBD, CDNOW)
    assert float(mm.probability_alive(0, 0, 30)) == pytest.approx(0.650021, abs=2e-6)
    # a customer who bought a lot and then went quiet for long is almost surely dead, with no overflow
    assert 0 <= float(m.probability_alive(500, 1.0, 1000.0)) < 1e-100


def test_expected_purchases_matches_closed_form():
    # the textbook formula with scipy's hyp2f1 in a region where it is well behaved
    m = _model(clv.BGNBD, CDNOW)
    r, al, a, b = CDNOW.values()
    x, tx, T, t = 2, 30.43, 38.86, 39.0
    z = t / (al + T + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    num = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * hyp)
    den = 1 + a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x)
    assert float(m.expected_purchases(t, x, tx, T)) == pytest.approx(num / den, rel=1e-10)
    new = (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * special.hyp2f1(r, b, a + b - 1, t / (al + t)))
    assert float(m.expected_purchases_new(t)) == pytest.approx(new, rel=1e-10)


def test_expected_purchases_small_horizon_is_rate_times_time():
    # for t -> 0 a new customer buys at the mean rate: E[X(t)] ≈ (r/α) t = 0.243/4.414 · 0.001 = 5.50521e-5
    m = _model(clv.BGNBD, CDNOW)
    assert float(m.expected_purchases_new(1e-3)) == pytest.approx(5.50521e-5, rel=1e-3)
    assert float(m.expected_purchases_new(0.0)) == 0.0


def test_mbgnbd_new_customer_against_its_definition():
    # E[X(t)] = E_p[(1-p)/p · (1 - (α/(α+pt))^r)], p ~ Beta(a, b), by quadrature
    r, al, a, b = 0.5, 6.0, 0.9, 1.6
    t = 30.0
    def f(p):
        per_customer = (1 - p) / p * -math.expm1(-r * math.log1p(p * t / al))
        return per_customer * p ** (a - 1) * (1 - p) ** (b - 1) / _beta(a, b)

    ref, _ = integrate.quad(f, 0, 1, limit=200)
    mm = _model(clv.MBGNBD, {"r": r, "alpha": al, "a": a, "b": b})
    assert float(mm.expected_purchases_new(t)) == pytest.approx(ref, rel=1e-7)


def test_predictions_are_vectorised_and_keep_the_index():
    m = _model(clv.BGNBD, CDNOW)
    s = pd.DataFrame({"frequency": [0, 2, 5], "recency": [0.0, 30.43, 20.0], "T": [38.86, 38.86, 30.0]},
                     index=pd.Index(["u", "v", "w"], name="customer_id"))
    out = m.expected_purchases(10, s["frequency"], s["recency"], s["T"])
    assert isinstance(out, pd.Series) and list(out.index) == ["u", "v", "w"]
    one_by_one = [float(m.expected_purchases(10, *row)) for row in s.itertuples(index=False)]
    assert out.tolist() == pytest.approx(one_by_one, rel=1e-12)
    curve = m.expected_purchases(np.array([1.0, 5.0, 10.0, 20.0]), 2, 30.43, 38.86)
    assert np.all(np.diff(curve) > 0)


def test_gamma_gamma_expected_spend_by_hand():
    g = _model(clv.GammaGamma, {"p": 6.25, "q": 3.74, "v": 15.44})
    # x = 2, m = 22.35: 6.25 · (15.44 + 2 · 22.35) / (6.25 · 2 + 3.74 - 1) = 375.875 / 15.24 = 24.6637
    assert float(g.expected_spend(2, 22.35)) == pytest.approx(24.6637, abs=1e-4)
    # x = 0: population mean p v / (q - 1) = 96.5 / 2.74 = 35.2190
    assert float(g.expected_spend(0, 0.0)) == pytest.approx(35.2190, abs=1e-4)
    assert g.population_mean_spend() == pytest.approx(35.2190, abs=1e-4)


def test_models_never_modify_the_summary(simulated_summary):
    before = simulated_summary.copy(deep=True)
    clv.BGNBD().fit(simulated_summary)
    clv.MBGNBD().fit(simulated_summary)
    pd.testing.assert_frame_equal(simulated_summary, before)


# --- bad input: one test per rule --------------------------------------------------

GOOD = {"frequency": [0, 2, 1], "recency": [0.0, 5.0, 3.0], "T": [10.0, 10.0, 8.0]}


@pytest.mark.parametrize("column, value, rule", [
    ("frequency", -1, "negative frequency"),
    ("frequency", 1.5, "whole number"),
    ("recency", -2.0, "negative recency"),
    ("T", 4.0, "T smaller than recency"),
    ("recency", np.nan, "missing or non-numeric"),
    ("T", np.inf, "infinite value"),
])
def test_bgnbd_summary_rules(column, value, rule):
    bad = pd.DataFrame(GOOD)
    bad[column] = bad[column].astype(float)
    bad.loc[1, column] = value
    with pytest.raises(CRMDataError, match=rule) as err:
        clv.BGNBD().fit(bad)
    assert err.value.column == column and err.value.rows == [1]


def test_bgnbd_recency_without_repeat_purchase():
    bad = pd.DataFrame(GOOD)
    bad.loc[0, "recency"] = 3.0
    with pytest.raises(CRMDataError, match="recency must be 0 when frequency is 0") as err:
        clv.BGNBD().fit(bad)
    assert err.value.rows == [0]


def test_bgnbd_missing_column():
    with pytest.raises(CRMDataError, match="missing column") as err:
        clv.BGNBD().fit(pd.DataFrame(GOOD).drop(columns="T"))
    assert err.value.column == "T"


def test_bgnbd_empty_summary():
    with pytest.raises(CRMDataError, match="empty"):
        clv.BGNBD().fit(pd.DataFrame(GOOD).iloc[:0])


def test_bgnbd_no_repeat_purchases():
    with pytest.raises(CRMDataError, match="no customer made a repeat purchase"):
        clv.BGNBD().fit(pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0.0], "T": [5.0, 9.0]}))


def test_not_fitted_model():
    with pytest.raises(RuntimeError, match="not fitted"):
        clv.BGNBD().probability_alive(1, 1, 2)


def test_negative_horizon():
    with pytest.raises(CRMDataError, match="horizon") as err:
        _model(clv.BGNBD, CDNOW).expected_purchases(-1, 1, 1, 2)
    assert err.value.column == "t"


def test_gamma_gamma_non_positive_spend():
    bad = pd.DataFrame({"frequency": [0, 2, 1, 3], "monetary_value": [0.0, 10.0, 0.0, 12.0]})
    with pytest.raises(CRMDataError, match="spend must be positive") as err:
        clv.GammaGamma().fit(bad)
    assert err.value.column == "monetary_value" and err.value.rows == [2]


def test_gamma_gamma_no_repeat_buyers():
    with pytest.raises(CRMDataError, match="no repeat buyers") as err:
        clv.GammaGamma().fit(pd.DataFrame({"frequency": [0, 0], "monetary_value": [0.0, 0.0]}))
    assert err.value.column == "frequency"


def test_gamma_gamma_missing_spend():
    bad = pd.DataFrame({"frequency": [1, 2], "monetary_value": [10.0, np.nan]})
    with pytest.raises(CRMDataError, match="missing or non-numeric") as err:
        clv.GammaGamma().fit(bad)
    assert err.value.rows == [1]


def test_gamma_gamma_warns_when_spend_follows_frequency():
    # mean spend grows with frequency (scale 5 + 3x): ρ well above 0.3 -> warning
    rng = np.random.default_rng(2)
    x = rng.integers(1, 10, 300)
    s = pd.DataFrame({"frequency": x, "monetary_value": rng.gamma(6.0, 5.0 + 3.0 * x)})
    with pytest.warns(clv.SpendFrequencyCorrelationWarning, match="correlated"):
        g = clv.GammaGamma().fit(s)
    assert g.correlation_ > 0.3


def test_gamma_gamma_no_warning_when_independent():
    rng = np.random.default_rng(2)
    s = pd.DataFrame({"frequency": rng.integers(1, 10, 300), "monetary_value": rng.gamma(6.0, 5.0, 300)})
    with warnings.catch_warnings():
        warnings.simplefilter("error", clv.SpendFrequencyCorrelationWarning)
        g = clv.GammaGamma().fit(s)
    assert abs(g.correlation_) <= 0.3


# --- scikit-learn / lifetimes conventions: params_, summary, from_params ---------------

def test_summary_is_estimate_standard_error_and_95_interval(simulated_summary):
    m = clv.BGNBD().fit(simulated_summary)
    table = m.summary
    assert list(table.index) == ["r", "alpha", "a", "b"]
    assert list(table.columns) == ["estimate", "std_error", "lower", "upper"]
    pd.testing.assert_series_equal(table["estimate"], m.params_, check_names=False)
    pd.testing.assert_series_equal(table["std_error"], m.standard_errors_, check_names=False)
    # Wald interval on the log scale: est · exp(±1.959964 · se/est)
    for name in m.PARAM_NAMES:
        est, se = m.params_[name], m.standard_errors_[name]
        assert table.loc[name, "lower"] == pytest.approx(est * math.exp(-1.959964 * se / est), rel=1e-6)
        assert table.loc[name, "upper"] == pytest.approx(est * math.exp(1.959964 * se / est), rel=1e-6)
    pd.testing.assert_frame_equal(table, m.confidence_intervals(0.95))


def test_nothing_learned_before_fit():
    m = clv.BGNBD()
    for name in ("params_", "standard_errors_", "log_likelihood_", "freq_", "n_customers_"):
        assert not hasattr(m, name), name
    with pytest.raises(RuntimeError, match="not fitted yet.*from_params"):
        m.summary
    assert repr(m) == "BGNBD(not fitted)"


@pytest.mark.parametrize("cls", [clv.BGNBD, clv.MBGNBD])
def test_from_params_is_a_complete_model(cls):
    m = cls.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, freq="W")
    assert isinstance(m, cls) and m.freq_ == "W"
    assert m.params_.to_dict() == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    # nothing was estimated: NaN standard errors and bounds, not a KeyError
    table = m.summary
    assert table["estimate"].tolist() == [0.243, 4.414, 0.793, 2.426]
    assert table[["std_error", "lower", "upper"]].isna().all().all()
    assert m.confidence_intervals(0.9)["std_error"].isna().all()
    assert np.isnan(m.log_likelihood_) and m.n_customers_ == 0 and not m.converged_
    assert repr(m) == (f"{cls.__name__}(r=0.243, alpha=4.414, a=0.793, b=2.426; time unit 'W'; "
                       "from known parameters)")
    # predictions are those of the same parameters: P(alive) by hand for x=1, t_x=4, T=30
    # 1 / (1 + 0.793/2.426 · (34.414/8.414)^1.243) = 1 / (1 + 0.326875 · 5.75936) = 0.34690
    if cls is clv.BGNBD:
        assert m.probability_alive(1, 4, 30) == pytest.approx(0.34690, abs=1e-5)


def test_gamma_gamma_from_params():
    g = clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    assert g.population_mean_spend() == pytest.approx(6.25 * 15.44 / 2.74)
    assert g.summary["std_error"].isna().all() and g.n_excluded_ == 0 and np.isnan(g.correlation_)
    assert repr(g) == "GammaGamma(p=6.25, q=3.74, v=15.44; from known parameters)"


@pytest.mark.parametrize("name, value, rule", [("alpha", -4.0, "must be > 0"), ("a", 0.0, "must be > 0"),
                                                ("r", float("nan"), "must be finite"),
                                                ("b", "2.4x", "must be a number")])
def test_from_params_bad_values_named(name, value, rule):
    params = dict(CDNOW, **{name: value})
    with pytest.raises(CRMDataError, match=rule) as err:
        clv.BGNBD.from_params(**params, freq="W")
    assert err.value.column == name and repr(value) in str(err.value)


def test_from_params_needs_every_parameter_and_a_fixed_time_unit():
    with pytest.raises(TypeError, match="'b'"):
        clv.BGNBD.from_params(r=0.2, alpha=4.0, a=0.8)
    with pytest.raises(TypeError, match="'freq'"):
        clv.BGNBD.from_params(**CDNOW)
    with pytest.raises(CRMDataError, match="no fixed length") as err:
        clv.BGNBD.from_params(**CDNOW, freq="M")
    assert err.value.column == "freq"


def test_params_is_a_deprecated_read_only_alias():
    m = _model(clv.BGNBD, CDNOW)
    with pytest.warns(FutureWarning, match=r"params_"):
        assert m.params == CDNOW
    with pytest.raises(AttributeError, match=r"BGNBD.from_params\(r=..., alpha=..., a=..., b=...\)"):
        m.params = dict(CDNOW)
    # the other learned attributes took a trailing _ too; the old names still read, with a warning
    with pytest.warns(FutureWarning, match=r"freq_"):
        assert m.freq == "W"
    with pytest.warns(FutureWarning, match=r"standard_errors_"):
        assert m.standard_errors.isna().all()
    with pytest.raises(AttributeError, match="no attribute 'paramz'"):
        m.paramz
    # log_likelihood (a name the design document lists) is the same number as log_likelihood_
    assert np.isnan(m.log_likelihood)


def test_log_likelihood_is_log_likelihood_(simulated_summary):
    m = clv.BGNBD().fit(simulated_summary)
    assert m.log_likelihood == m.log_likelihood_ < 0


def test_fit_needs_a_known_time_unit(simulated_summary):
    s = simulated_summary.copy()
    s.attrs = {}                                     # a hand-made summary, or one after a merge
    with pytest.raises(CRMDataError, match="time unit of the summary is unknown") as err:
        clv.BGNBD().fit(s)
    assert err.value.column == "freq"
    assert clv.BGNBD().fit(s, freq="D").freq_ == "D"
    s.attrs["freq"] = "W"
    assert clv.MBGNBD().fit(s).freq_ == "W"
    assert clv.BGNBD().fit(s, freq="7D").freq_ == "7D"          # the same length, written in days
    with pytest.raises(CRMDataError, match="differs from the summary's time unit") as err:
        clv.BGNBD().fit(s, freq="D")
    assert err.value.column == "freq" and "'D'" in str(err.value) and "'W'" in str(err.value)
