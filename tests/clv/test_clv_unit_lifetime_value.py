"""Unit tests of clv.customer_lifetime_value: the discounted sum by hand, units, bad input."""
import numpy as np
import pandas as pd
import pytest
from scipy import special

from crmlab import clv
from crmlab.errors import CRMDataError

BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GG = {"p": 6.25, "q": 3.74, "v": 15.44}


@pytest.fixture
def models():
    return clv.BGNBD.from_params(**BG, freq="W"), clv.GammaGamma.from_params(**GG)


@pytest.fixture
def summary():
    s = pd.DataFrame({"frequency": [2, 0, 7], "recency": [30.43, 0.0, 35.0], "T": [38.86, 38.86, 36.0],
                      "monetary_value": [22.35, 0.0, 41.0]},
                     index=pd.Index([11, 12, 13], name="customer_id"))
    s.attrs["freq"] = "W"
    return s


def conditional_expectation(t, x, tx, T):
    """FHL eq. 10 written out with scipy's hyp2f1 (an independent route)."""
    r, al, a, b = BG.values()
    z = t / (al + T + t)
    bracket = 1 - ((al + T) / (al + T + t)) ** (r + x) * special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    alive_odds = a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x) if x > 0 else 0.0
    return (a + b + x - 1) / (a - 1) * bracket / (1 + alive_odds)


def test_one_period_by_hand(models, summary):
    bg, gg = models
    clv_1 = clv.customer_lifetime_value(bg, gg, summary, horizon=1, discount_rate=0.01, freq="W")
    # customer 11, one week, 1% weekly discount: E[M] · E[Y(1)] / 1.01
    # E[M] = 6.25 · (15.44 + 2 · 22.35) / (6.25 · 2 + 3.74 - 1) = 375.875 / 15.24 = 24.6637
    spend = 375.875 / 15.24
    assert clv_1.loc[11] == pytest.approx(spend * conditional_expectation(1.0, 2, 30.43, 38.86) / 1.01, rel=1e-9)
    # customer 12 has no repeat purchase: E[M] = p v / (q - 1) = 96.5 / 2.74
    assert clv_1.loc[12] == pytest.approx(96.5 / 2.74 * conditional_expectation(1.0, 0, 0.0, 38.86) / 1.01, rel=1e-9)


def test_discounted_sum_by_hand(models, summary):
    bg, gg = models
    d, H = 0.02, 8
    value = clv.customer_lifetime_value(bg, gg, summary, horizon=H, discount_rate=d, freq="W", margin=0.3)
    for cid, row in summary.iterrows():
        x, tx, T, m = row["frequency"], row["recency"], row["T"], row["monetary_value"]
        spend = float(gg.expected_spend(x, m))
        cumulative = [conditional_expectation(k, x, tx, T) if k > 0 else 0.0 for k in range(H + 1)]
        want = 0.3 * spend * sum((cumulative[k] - cumulative[k - 1]) / (1 + d) ** k for k in range(1, H + 1))
        assert value.loc[cid] == pytest.approx(want, rel=1e-9)
    assert value.name == "clv" and list(value.index) == [11, 12, 13]


def test_no_discount_telescopes(models, summary):
    bg, gg = models
    value = clv.customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.0)
    spend = gg.expected_spend(summary["frequency"], summary["monetary_value"])
    purchases = bg.expected_purchases(52, summary["frequency"], summary["recency"], summary["T"])
    pd.testing.assert_series_equal(value, (spend * purchases).rename("clv"), rtol=1e-10)


def test_periods_in_days_with_a_weekly_model(models, summary):
    # 364 daily periods with no discount cover exactly the same 52 weeks
    bg, gg = models
    weekly = clv.customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.0, freq="W")
    daily = clv.customer_lifetime_value(bg, gg, summary, horizon=364, discount_rate=0.0, freq="D")
    pd.testing.assert_series_equal(weekly, daily, rtol=1e-10)
    # with discounting, a daily rate d_D equivalent to the weekly one ((1+d_D)^7 = 1.01)
    # gives a slightly higher value (purchases inside a week are discounted less)
    dd = 1.01 ** (1 / 7) - 1
    w = clv.customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.01, freq="W")
    dly = clv.customer_lifetime_value(bg, gg, summary, horizon=364, discount_rate=dd, freq="D")
    assert np.all(dly > w) and np.all(dly < w * 1.01)


def test_model_unit_recorded_at_fit_is_used(models, summary):
    # a model fitted on a weekly summary knows its unit even if the summary passed
    # to the CLV has lost its attrs (e.g. after a merge)
    bg, gg = models
    assert bg.freq_ == "W"
    bare = summary.copy()
    bare.attrs = {}
    weekly = clv.customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.0, freq="W")
    daily = clv.customer_lifetime_value(bg, gg, bare, horizon=364, discount_rate=0.0, freq="D")
    pd.testing.assert_series_equal(weekly, daily, rtol=1e-10)


def test_mbgnbd_clv_telescopes(summary):
    mbg = clv.MBGNBD.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614, freq="W")
    gg = clv.GammaGamma.from_params(**GG)
    value = clv.customer_lifetime_value(mbg, gg, summary, horizon=26, discount_rate=0.0)
    spend = gg.expected_spend(summary["frequency"], summary["monetary_value"])
    purchases = mbg.expected_purchases(26, summary["frequency"], summary["recency"], summary["T"])
    pd.testing.assert_series_equal(value, (spend * purchases).rename("clv"), rtol=1e-10)


def test_more_value_with_more_margin_longer_horizon_lower_rate(models, summary):
    bg, gg = models
    base = clv.customer_lifetime_value(bg, gg, summary, horizon=26, discount_rate=0.01)
    assert np.allclose(clv.customer_lifetime_value(bg, gg, summary, horizon=26, discount_rate=0.01, margin=0.5),
                       0.5 * base)
    assert np.all(clv.customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.01) > base)
    assert np.all(clv.customer_lifetime_value(bg, gg, summary, horizon=26, discount_rate=0.0) > base)


def test_summary_not_modified(models, summary):
    bg, gg = models
    before = summary.copy(deep=True)
    clv.customer_lifetime_value(bg, gg, summary, horizon=10, discount_rate=0.01)
    pd.testing.assert_frame_equal(summary, before)


# --- bad input: one test per rule --------------------------------------------------

def test_discount_rate_is_required(models, summary):
    with pytest.raises(TypeError, match="discount_rate"):
        clv.customer_lifetime_value(*models, summary, horizon=10)


@pytest.mark.parametrize("horizon", [0, -3, 2.5])
def test_bad_horizon(models, summary, horizon):
    with pytest.raises(CRMDataError, match="whole number of periods") as err:
        clv.customer_lifetime_value(*models, summary, horizon=horizon, discount_rate=0.01)
    assert err.value.column == "horizon"


def test_negative_discount_rate(models, summary):
    with pytest.raises(CRMDataError) as err:
        clv.customer_lifetime_value(*models, summary, horizon=10, discount_rate=-0.01)
    assert err.value.column == "discount_rate"


def test_negative_margin(models, summary):
    with pytest.raises(CRMDataError) as err:
        clv.customer_lifetime_value(*models, summary, horizon=10, discount_rate=0.01, margin=-1)
    assert err.value.column == "margin"


def test_month_periods_refused(models, summary):
    with pytest.raises(CRMDataError, match="no fixed length") as err:
        clv.customer_lifetime_value(*models, summary, horizon=12, discount_rate=0.01, freq="M")
    assert err.value.column == "freq"


def test_unfitted_models(summary):
    fitted_gg = clv.GammaGamma.from_params(**GG)
    with pytest.raises(CRMDataError, match="fitted BGNBD") as err:
        clv.customer_lifetime_value(clv.BGNBD(), fitted_gg, summary, discount_rate=0.01)
    assert err.value.column == "bgnbd"
    fitted_bg = clv.BGNBD.from_params(**BG, freq="W")
    with pytest.raises(CRMDataError, match="fitted GammaGamma") as err:
        clv.customer_lifetime_value(fitted_bg, clv.GammaGamma(), summary, discount_rate=0.01)
    assert err.value.column == "gamma_gamma"


def test_summary_in_another_unit_than_the_model(models, summary):
    _, gg = models
    daily_bg = clv.BGNBD.from_params(**BG, freq="D")   # as if fitted on a daily summary; this one is weekly
    with pytest.raises(CRMDataError, match="another time unit") as err:
        clv.customer_lifetime_value(daily_bg, gg, summary, horizon=10, discount_rate=0.01)
    assert err.value.column == "summary"
    assert "'D'" in str(err.value) and "'W'" in str(err.value)      # both units named
    # the same length written two ways is the same unit
    seven_days = clv.BGNBD.from_params(**BG, freq="7D")
    pd.testing.assert_series_equal(
        clv.customer_lifetime_value(seven_days, gg, summary, horizon=10, discount_rate=0.01),
        clv.customer_lifetime_value(models[0], gg, summary, horizon=10, discount_rate=0.01))


def test_missing_spend_column(models, summary):
    with pytest.raises(CRMDataError, match="missing column") as err:
        clv.customer_lifetime_value(*models, summary.drop(columns="monetary_value"), discount_rate=0.01)
    assert err.value.column == "monetary_value"
