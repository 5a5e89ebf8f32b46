"""Statistical tests of the vectorised BG/NBD and Pareto/NBD generators (sim.btyd).

Every check compares a sample mean with its analytic value in units of the
standard error estimated from the same sample, and fails beyond 4 standard
errors (a false alarm once in ~16 000 checks), so the tests are decisive yet
seed-independent. 200 000 customers make the standard errors small (e.g.
±0.6 % on the mean purchase count) and take well under a second.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.btyd import (
    bgnbd_expected_purchases,
    bgnbd_share_alive,
    pareto_nbd_expected_purchases,
    pareto_nbd_share_alive,
    simulate_bgnbd,
    simulate_pareto_nbd,
)

N = 200_000
CDNOW = dict(r=0.24, alpha=4.41, a=0.79, b=2.43)  # Fader-Hardie-Lee (2005) estimates
SPEND = (6.0, 4.0, 15.0)                          # Gamma-Gamma p, q, v: mean order p·v/(q-1) = 30


def within_4_se(sample, expected):
    sample = np.asarray(sample, dtype=float)
    se = sample.std(ddof=1) / np.sqrt(len(sample))
    z = (sample.mean() - expected) / se
    assert abs(z) < 4, f"mean {sample.mean():.5g} vs expected {expected:.5g}: {z:.1f} standard errors"


@pytest.fixture(scope="module")
def cdnow():
    return simulate_bgnbd(N, T=39.0, seed=2024, spend=SPEND, **CDNOW)


def test_bgnbd_expected_purchases_hand_value():
    # E[X(t)] = (a+b-1)/(a-1)·[1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]. With
    # a=2, b=1, r=1, α=1, t=1: (2/1)·[1 − ½·2F1(1, 1; 2; ½)], and 2F1(1,1;2;z) =
    # −ln(1−z)/z = 2 ln 2 at z=½, so E[X(1)] = 2·(1 − ln 2) = 0.613706.
    assert bgnbd_expected_purchases(1.0, r=1.0, alpha=1.0, a=2.0, b=1.0) == pytest.approx(2 * (1 - np.log(2)))


def test_bgnbd_share_alive_hand_value():
    # P(alive at T) = 2F1(r, a; a+b; −T/α). With r=1, a=1, b=1, T=α: 2F1(1,1;2;−1)
    # = ln(2)/1 = 0.693147 (same identity, z = −1).
    assert bgnbd_share_alive(5.0, r=1.0, alpha=5.0, a=1.0, b=1.0) == pytest.approx(np.log(2))


def test_bgnbd_mean_purchases_match_closed_form(cdnow):
    within_4_se(cdnow["frequency"], bgnbd_expected_purchases(39.0, **CDNOW))


@pytest.mark.parametrize("params, T", [(CDNOW, 39.0), (dict(r=2.0, alpha=8.0, a=3.0, b=6.0), 52.0)])
def test_bgnbd_share_alive_matches_hypergeometric(params, T):
    # Derivation (also in bgnbd_share_alive): alive at T ⇔ J > N with J ~ Geometric(p)
    # dropouts and N ~ Poisson(λT) purchase chances. E[(1−p)^N | λ] = e^{−λTp};
    # over λ ~ Gamma(r, α): (1 + pT/α)^{−r}; over p ~ Beta(a, b), Euler's integral
    # gives 2F1(r, a; a+b; −T/α).
    df = simulate_bgnbd(N, T=T, seed=7, **params)
    within_4_se(df["alive_at_T"], bgnbd_share_alive(T, **params))
    within_4_se(df["frequency"], bgnbd_expected_purchases(T, **params))


def test_truth_draws_have_configured_gamma_and_beta_moments(cdnow):
    r, alpha, a, b = CDNOW["r"], CDNOW["alpha"], CDNOW["a"], CDNOW["b"]
    lam, p = cdnow["lambda"].to_numpy(), cdnow["p"].to_numpy()
    within_4_se(lam, r / alpha)                                  # Gamma mean r/α
    within_4_se((lam - r / alpha) ** 2, r / alpha**2)            # Gamma variance r/α²
    within_4_se(p, a / (a + b))                                  # Beta mean a/(a+b)
    within_4_se((p - a / (a + b)) ** 2, a * b / ((a + b) ** 2 * (a + b + 1)))  # Beta variance
    # the Gamma shape shows in the skewness: 2/√r (a loose 10 % check; skewness is noisy)
    assert stats.skew(lam) == pytest.approx(2 / np.sqrt(r), rel=0.10)


def test_gamma_gamma_spend_moments(cdnow):
    p, q, v = SPEND
    nu = cdnow["nu"].to_numpy()
    within_4_se(nu, q / v)                              # ν ~ Gamma(q, rate v): mean q/v
    within_4_se(cdnow["z"], p * v / (q - 1))            # E[p/ν] = p·v/(q−1) = 30
    # the mean of x orders is unbiased for the customer's ζ = p/ν whatever x,
    # so among repeat buyers the mean monetary value is also p·v/(q−1)
    buyers = cdnow[cdnow["frequency"] > 0]
    within_4_se(buyers["monetary_value"], p * v / (q - 1))
    assert (cdnow.loc[cdnow["frequency"] == 0, "monetary_value"] == 0).all()


def test_pareto_nbd_moments():
    params = dict(r=0.55, alpha=10.6, s=2.5, beta=11.7)
    df = simulate_pareto_nbd(N, T=39.0, seed=3, **params)
    # P(τ > T) = E[e^{−μT}] = (β/(β+T))^s; E[X(T)] = rβ/(α(s−1))·[1 − (β/(β+T))^{s−1}]
    within_4_se(df["alive_at_T"], pareto_nbd_share_alive(39.0, s=params["s"], beta=params["beta"]))
    within_4_se(df["frequency"], pareto_nbd_expected_purchases(39.0, **params))
    within_4_se(df["mu"], params["s"] / params["beta"])
    assert ((df["churn_time"] > df["T"]) == df["alive_at_T"]).all()
    assert (df["recency"] <= np.minimum(df["churn_time"], df["T"])).all()


def brute_force_bgnbd(n, r, alpha, a, b, T, seed):
    """The BG/NBD story told one purchase at a time (slow, obviously right)."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        lam, p = rng.gamma(r, 1 / alpha), rng.beta(a, b)
        t, x, last = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1 / lam)
            if t > T:
                break
            x, last = x + 1, t
            if rng.random() < p:  # drops out right after this repeat purchase
                break
        rows.append((x, last))
    return pd.DataFrame(rows, columns=["frequency", "recency"])


def test_vectorised_draws_match_brute_force_story():
    # The order-statistic shortcut (recency = T·Beta(x, N−x+1)) must give the same
    # joint behaviour as walking through purchases. 8 000 customers each: the KS
    # test then detects a shift in the recency distribution of ~3 % of its range;
    # the bar p > 0.001 is a false alarm once in 1000 runs.
    params = dict(r=0.8, alpha=5.0, a=1.5, b=4.0, T=52.0)
    slow = brute_force_bgnbd(8_000, seed=1, **params)
    fast = simulate_bgnbd(8_000, seed=2, **params)
    assert stats.ks_2samp(slow["frequency"], fast["frequency"]).pvalue > 1e-3
    assert stats.ks_2samp(slow["recency"], fast["recency"]).pvalue > 1e-3
    buyers_slow, buyers_fast = slow[slow.frequency > 0], fast[fast.frequency > 0]
    assert stats.ks_2samp(buyers_slow["recency"], buyers_fast["recency"]).pvalue > 1e-3


def test_transactions_agree_with_summary():
    df, tx = simulate_bgnbd(20_000, T=39.0, seed=5, spend=SPEND, transactions=True, **CDNOW)
    assert list(tx.columns) == ["customer_id", "t_weeks", "amount"]
    g = tx.groupby("customer_id")["t_weeks"]
    assert (g.count().to_numpy() - 1 == df["frequency"].to_numpy()).all()   # first order + repeats
    assert (g.max().to_numpy() == df["recency"].to_numpy()).all()          # last order = recency
    assert (g.min().to_numpy() == 0).all() and g.is_monotonic_increasing.all()
    assert (tx["t_weeks"] <= 39.0).all() and (tx["amount"] > 0).all()
    repeat = tx[tx.groupby("customer_id").cumcount() > 0].groupby("customer_id")["amount"].mean()
    mv = df.set_index("customer_id")["monetary_value"]
    np.testing.assert_allclose(mv.loc[repeat.index].to_numpy(), repeat.to_numpy())
    # no order after dropping out
    churn = df.set_index("customer_id")["churn_time"]
    assert (tx["t_weeks"].to_numpy() <= churn.loc[tx["customer_id"]].to_numpy()).all()


def test_per_customer_observation_lengths():
    T = np.array([10.0, 20.0, 40.0] * 1000)
    df = simulate_bgnbd(3000, T=T, seed=1, **CDNOW)
    assert (df["T"].to_numpy() == T).all() and (df["recency"] <= df["T"]).all()


def test_same_seed_same_draws():
    a = simulate_bgnbd(1000, T=39, seed=9, spend=SPEND, **CDNOW)
    b = simulate_bgnbd(1000, T=39, seed=9, spend=SPEND, **CDNOW)
    c = simulate_bgnbd(1000, T=39, seed=10, spend=SPEND, **CDNOW)
    pd.testing.assert_frame_equal(a, b)
    assert not a["lambda"].equals(c["lambda"])


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(r=-1.0), "r must be a finite number > 0, got -1.0"),
        (dict(alpha=0), "alpha must be a finite number > 0, got 0"),
        (dict(a=float("inf")), "a must be a finite number > 0, got inf"),
        (dict(b="x"), "b must be a number > 0, got 'x'"),
        (dict(T=0), "T must be a finite number > 0, got 0"),
        (dict(T=np.array([1.0, -2.0, 3.0])), "T[1]=-2.0"),
        (dict(T=np.array([1.0, 2.0])), "T must be one number or one value per customer (length 3)"),
        (dict(n_customers=-5), "n_customers must be a whole number >= 0, got -5"),
        (dict(spend=(6.0, 0.0, 15.0)), "spend q must be a finite number > 0, got 0.0"),
        (dict(spend=(6.0, 4.0)), "spend must be a tuple (p, q, v), got (6.0, 4.0)"),
    ],
)
def test_bad_parameters_are_named(kwargs, needle):
    args = dict(n_customers=3, T=39.0, seed=0) | CDNOW | kwargs
    with pytest.raises(ValueError) as err:
        simulate_bgnbd(**args)
    assert needle in str(err.value)


def test_pareto_bad_parameter_is_named():
    with pytest.raises(ValueError, match="s must be a finite number > 0, got -0.5"):
        simulate_pareto_nbd(10, r=1, alpha=1, s=-0.5, beta=1, T=10, seed=0)


def test_pareto_vectorised_draws_match_brute_force_story():
    # Pareto/NBD told one purchase at a time: exponential gaps at rate λ until the
    # exponential lifetime τ or T ends. Same sizes and bar as the BG/NBD check.
    params = dict(r=0.8, alpha=5.0, s=1.2, beta=20.0)
    rng = np.random.default_rng(1)
    rows = []
    for _ in range(8_000):
        lam, mu = rng.gamma(params["r"], 1 / params["alpha"]), rng.gamma(params["s"], 1 / params["beta"])
        end = min(rng.exponential(1 / mu), 52.0)
        t, x, last = 0.0, 0, 0.0
        while (t := t + rng.exponential(1 / lam)) <= end:
            x, last = x + 1, t
        rows.append((x, last))
    slow = pd.DataFrame(rows, columns=["frequency", "recency"])
    fast, tx = simulate_pareto_nbd(8_000, T=52.0, seed=2, spend=SPEND, transactions=True, **params)
    assert stats.ks_2samp(slow["frequency"], fast["frequency"]).pvalue > 1e-3
    assert stats.ks_2samp(slow["recency"], fast["recency"]).pvalue > 1e-3
    g = tx.groupby("customer_id")["t_weeks"]
    assert (g.count().to_numpy() - 1 == fast["frequency"].to_numpy()).all()
    assert (g.max().to_numpy() == fast["recency"].to_numpy()).all()
