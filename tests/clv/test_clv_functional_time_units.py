"""The purchase model keeps the time unit of the summary it was fitted on.

Before: a daily summary that had lost its ``attrs`` (a merge does that) was
silently read as weekly, so a 52-week CLV covered 52 days — on the textbook
scenario a mean CLV about six times too small (3.27 instead of 19.97 in the
issue's run). Now the unit is stored on the model (``freq_``), a fit on a
summary of unknown unit is refused, and a CLV on a summary in another unit is
refused with both units named.
"""
import pandas as pd
import pytest

from crmlab import clv
from crmlab.errors import CRMDataError

sim = pytest.importorskip("sim")


@pytest.fixture(scope="module")
def textbook():
    cfg = sim.scenario("textbook", r=0.5, alpha=6.0)
    log = sim.simulate(cfg, customers=5_000, years=2, seed=7)
    daily = clv.summarize(log.transactions, log.observation_end, freq="D")
    weekly = clv.summarize(log.transactions, log.observation_end, freq="W")
    return daily, weekly


def test_daily_and_weekly_fits_are_the_same_model(textbook):
    daily, weekly = textbook
    bg_d, bg_w = clv.BGNBD().fit(daily), clv.BGNBD().fit(weekly)
    assert (bg_d.freq_, bg_w.freq_) == ("D", "W")
    # recency and T in days are exactly 7 × weeks: the likelihood is the same up to a
    # constant, so r, a, b are equal and alpha (a rate's inverse scale) is 7 times larger
    assert bg_d.params_["alpha"] == pytest.approx(7 * bg_w.params_["alpha"], rel=1e-5)
    for name in ("r", "a", "b"):
        assert bg_d.params_[name] == pytest.approx(bg_w.params_[name], rel=1e-5)
    gg = clv.GammaGamma().fit(daily)
    value_d = clv.customer_lifetime_value(bg_d, gg, daily, horizon=52, discount_rate=0.01, freq="W")
    value_w = clv.customer_lifetime_value(bg_w, gg, weekly, horizon=52, discount_rate=0.01, freq="W")
    pd.testing.assert_series_equal(value_d, value_w, rtol=1e-4)


def test_daily_summary_that_lost_its_attrs(textbook):
    daily, weekly = textbook
    bare = daily.copy()
    bare.attrs = {}                     # what a merge does
    # fitting it: the unit cannot be guessed, so it must be said
    with pytest.raises(CRMDataError, match="time unit of the summary is unknown") as err:
        clv.BGNBD().fit(bare)
    assert err.value.column == "freq"
    assert clv.BGNBD().fit(bare, freq="D").params_.equals(clv.BGNBD().fit(daily).params_)
    with pytest.raises(CRMDataError, match="differs from the summary's time unit") as err:
        clv.BGNBD().fit(daily, freq="W")
    assert "'W'" in str(err.value) and "'D'" in str(err.value)

    bg_d, gg = clv.BGNBD().fit(daily), clv.GammaGamma().fit(daily)
    right = clv.customer_lifetime_value(bg_d, gg, daily, horizon=52, discount_rate=0.01, freq="W")
    # a CLV on the bare daily summary uses the model's unit (days): same answer
    pd.testing.assert_series_equal(
        clv.customer_lifetime_value(bg_d, gg, bare, horizon=52, discount_rate=0.01, freq="W"), right)
    # the old silent fallback read the daily model as weekly: 52 periods of one day
    old = clv.customer_lifetime_value(bg_d, gg, daily, horizon=52, discount_rate=0.01, freq="D")
    assert right.mean() > 4 * old.mean()
    # a weekly summary with a daily model is refused, both units named
    with pytest.raises(CRMDataError, match="another time unit") as err:
        clv.customer_lifetime_value(bg_d, gg, weekly, horizon=52, discount_rate=0.01, freq="W")
    assert err.value.column == "summary" and "'D'" in str(err.value) and "'W'" in str(err.value)
