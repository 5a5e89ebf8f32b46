"""Unit tests for crmlab.tiers: the 3×3 grid corners, tertiles, pyramid, whale curve."""
import numpy as np
import pandas as pd
import pytest

from crmlab import tiers
from crmlab.errors import CRMDataError


def _customer(cid, cycle_days, amount, start="2024-01-01", n=3):
    dates = pd.Timestamp(start) + pd.to_timedelta(np.arange(n) * cycle_days, unit="D")
    return pd.DataFrame({"customer_id": cid, "date": dates, "amount": amount})


@pytest.fixture
def nine():
    # cycles 5 (short), 30 (medium), 90 (long) days × amounts 10 (small), 50 (medium), 200 (large)
    rows = []
    for c in (5, 30, 90):
        for a in (10, 50, 200):
            rows.append(_customer(f"c{c}_a{a}", c, float(a)))
    tx = pd.concat(rows, ignore_index=True)
    tx["order_id"] = np.arange(len(tx))
    return tx


EXPECTED = {
    ("c5", "a200"): "platinum", ("c30", "a200"): "gold", ("c90", "a200"): "silver",
    ("c5", "a50"): "gold", ("c30", "a50"): "silver", ("c90", "a50"): "development",
    ("c5", "a10"): "silver", ("c30", "a10"): "development", ("c90", "a10"): "optimize",
}


def test_nine_corners_explicit_cutoffs(nine):
    t = tiers.five_tier(nine, {"cycle": (10, 60), "amount": (20, 100)})
    for (c, a), tier in EXPECTED.items():
        assert t.loc[f"{c}_{a}", "tier"] == tier, (c, a)
    assert t.loc["c30_a50", "cycle"] == 30.0 and t.loc["c30_a50", "amount"] == 50.0


def test_nine_corners_default_tertiles(nine):
    # cycles {5,30,90} three times each: tertiles fall on 5 and 30 (values ≤ cut go to the lower class)
    t = tiers.five_tier(nine)
    assert t.attrs["cutoffs"]["cycle"] == (5.0, 30.0)
    assert t.attrs["cutoffs"]["amount"] == (10.0, 50.0)
    for (c, a), tier in EXPECTED.items():
        assert t.loc[f"{c}_{a}", "tier"] == tier


def test_single_purchase_rules():
    tx = pd.concat([_customer("rep", 10, 50.0), _customer("one", 1, 50.0, start="2024-01-21", n=1)],
                   ignore_index=True)
    span = tiers.five_tier(tx, {"cycle": (15, 40), "amount": (20, 100)}, as_of="2024-03-01")
    # one purchase on 21 Jan, as_of 1 Mar: span = 10 + 29 + 1 = 40 days → medium (≤ 40)
    assert span.loc["one", "cycle"] == 40.0 and span.loc["one", "cycle_class"] == "medium"
    long = tiers.five_tier(tx, {"cycle": (15, 40), "amount": (20, 100)}, single_purchase="long")
    assert np.isinf(long.loc["one", "cycle"]) and long.loc["one", "tier"] == "development"


def test_five_tier_bad_cutoffs_and_no_mutation(nine):
    before = nine.copy(deep=True)
    with pytest.raises(CRMDataError, match="cutoffs"):
        tiers.five_tier(nine, {"cycle": (60, 10), "amount": (20, 100)})
    with pytest.raises(CRMDataError, match="cutoffs"):
        tiers.five_tier(nine, {"cycle": (10, 60)})
    tiers.five_tier(nine)
    pd.testing.assert_frame_equal(nine, before)


def test_value_pyramid_shares():
    score = pd.Series(np.arange(100, 0, -1), index=[f"k{i}" for i in range(100)], dtype=float)
    p = tiers.value_pyramid(score)   # 5/15/30/50
    assert p.value_counts()[["top", "high", "mid", "low"]].tolist() == [5, 15, 30, 50]
    assert p["k0"] == "top" and p["k99"] == "low" and p["k5"] == "high"
    with pytest.raises(CRMDataError, match="shares"):
        tiers.value_pyramid(score, (0.5, 0.5, 0.5, 0.5))


def test_whale_curve_ends_at_one_no_peak_without_losses():
    c = tiers.whale_curve(pd.Series({"a": 10.0, "b": 60.0, "c": 30.0}))
    assert c["customer"].tolist() == ["b", "c", "a"]
    assert c["cumulative_share"].tolist() == pytest.approx([0.6, 0.9, 1.0])
    assert c["cumulative_share"].max() == 1.0


def test_whale_curve_peaks_above_one_exactly_with_losses():
    rng = np.random.default_rng(11)
    for _ in range(20):
        p = pd.Series(rng.normal(10, 10, size=50))
        if p.sum() <= 0:
            continue
        c = tiers.whale_curve(p)
        assert c["cumulative_share"].iloc[-1] == 1.0
        assert (c["cumulative_share"].max() > 1.0) == bool((p < 0).any())


def test_whale_figures_20_80_30():
    # 10 customers: profits 50, 30, 10, 5, 5, 5, 5, 0, −5, −5 → total 100
    p = pd.Series([50, 30, 10, 5, 5, 5, 5, 0, -5, -5], dtype=float)
    f = tiers.whale_figures(p)
    assert f["top_share"] == pytest.approx(0.80)          # (50+30)/100
    assert f["peak_share"] == pytest.approx(1.10)         # 110/100 after 7 or 8 customers
    assert f["peak_customer_share"] == pytest.approx(0.7)
    assert f["bottom_loss"] == pytest.approx(0.1 / 1.1)   # bottom 3 (0, −5, −5) take 10 of 110


def test_whale_figures_bottom_loss_is_a_share_of_the_peak():
    # total 70; sorted 80, 30, 10, −20, −30: running 80, 110, 120 (peak), 100, 70
    f = tiers.whale_figures(pd.Series([80.0, 30.0, 10.0, -20.0, -30.0]), top=0.2, bottom=0.2)
    # the last customer (−30) takes the running total from 100 to 70: 30 of the peak 120,
    # not 30 of the 100 before them
    assert f["bottom_loss"] == pytest.approx(30 / 120)
    assert f["tail_loss"] == pytest.approx(50 / 120)       # both loss-makers: 120 → 70
    assert f["peak_share"] == pytest.approx(120 / 70) and f["peak_customer_share"] == pytest.approx(0.6)
    # no loss-makers: the peak is the end, nothing is given away; the bottom third (2 of 10)
    # adds to the profit, a negative loss
    g = tiers.whale_figures(pd.Series([5.0, 3.0, 2.0]))
    assert g["tail_loss"] == 0.0 and g["bottom_loss"] == pytest.approx(-0.2)


def test_whale_figures_bottom_loss_needs_customers_before_the_bottom():
    # the customers sorted by profit have a positive running total whenever the total is positive,
    # so the ratio is only undefined when the bottom fraction takes everybody
    one = tiers.whale_figures(pd.Series([40.0]))          # ⌈0.3 · 1⌉ = 1: the bottom is the only customer
    assert one["top_share"] == pytest.approx(1.0) and np.isnan(one["bottom_loss"])
    two = tiers.whale_figures(pd.Series([60.0, -20.0]))   # bottom = the −20 customer; 60/40 before it
    assert two["bottom_loss"] == pytest.approx((1.5 - 1) / 1.5)


def test_whale_curve_rejects_bad_profit():
    with pytest.raises(CRMDataError, match="total profit"):
        tiers.whale_curve(pd.Series([-1.0, 0.5]))
    with pytest.raises(CRMDataError, match="NaN"):
        tiers.whale_curve(pd.Series([1.0, np.nan]))


def test_value_classes_thirds():
    score = pd.Series([9.0, 1.0, 5.0, 7.0, 3.0, 8.0], index=list("abcdef"))
    c = tiers.value_classes(score)
    # ranks: a 9, f 8 → high; d 7, c 5 → medium; e 3, b 1 → low
    assert c.astype(str).to_dict() == {"a": "high", "b": "low", "c": "medium", "d": "medium", "e": "low",
                                       "f": "high"}
    assert c.cat.ordered and c.cat.categories.tolist() == ["low", "medium", "high"]
    assert (c > "low").sum() == 4
    with pytest.raises(CRMDataError, match="shares"):
        tiers.value_classes(score, (0.5, 0.5))


def test_whale_curve_no_rounding_peak_without_losses():
    # many small positive profits and trailing zeros: the curve must never exceed exactly 1
    rng = np.random.default_rng(1)
    p = pd.Series(np.concatenate([rng.random(1000) * 0.1, np.zeros(50)]))
    c = tiers.whale_curve(p)
    assert c["cumulative_share"].max() == 1.0 and c["cumulative_share"].iloc[-1] == 1.0
