"""crmlab functions never modify the DataFrames they are given (DESIGN.md, "Nothing lost").

The input uses text dates, text amounts' cousins (ints) and an extra column, so any
function that parsed or converted in place would change it.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab import composition, kpi, lifecycle, loyalty, rfm, tiers, value


def _tx():
    rng = np.random.default_rng(2)
    n = 120
    return pd.DataFrame({
        "order_id": np.arange(n),
        "customer_id": rng.integers(0, 25, n),
        "date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")).strftime("%Y-%m-%d"),
        "amount": rng.integers(5, 100, n),
        "cost": rng.integers(1, 5, n),
        "category": rng.choice(["tea", "cups"], n),
        "note": "x",
    })


def _surveys():
    return pd.DataFrame({"customer_id": [0, 1, 2], "date": ["2024-03-01"] * 3, "satisfaction": [5, 2, 4],
                         "nps": [10, 3, 8]})


CALLS = {
    "rfm_table": lambda tx: rfm.rfm_table(tx),
    "five_tier": lambda tx: tiers.five_tier(tx),
    "customer_profit": lambda tx: value.customer_profit(tx, cost_to_serve=1.0),
    "stage_at": lambda tx: lifecycle.stage_at(tx, "2024-05-01"),
    "transition_matrix": lambda tx: lifecycle.transition_matrix(tx, "2024-03-01", "2024-06-01"),
    "cohort_table": lambda tx: lifecycle.cohort_table(tx),
    "retention_curve": lambda tx: lifecycle.retention_curve(tx),
    "winback_rate": lambda tx: lifecycle.winback_rate(tx, "2024-04-01", 30, dormant_after=30, new_days=30),
    "repeat_purchase_rate": lambda tx: loyalty.repeat_purchase_rate(tx),
    "retention_rate": lambda tx: loyalty.retention_rate(tx, "2024-02", "2024-03"),
    "loyalty_class": lambda tx: loyalty.loyalty_class(tx, _surveys()),
    "kpi_table": lambda tx: kpi.kpi_table(tx, surveys=_surveys()),
    "product_mix": lambda tx: composition.product_mix(tx),
    "profit_by_order_number": lambda tx: value.profit_by_order_number(tx, acquisition_cost=5.0),
    "value_by_stage": lambda tx: lifecycle.value_by_stage(tx, "2024-04-01", 30),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_function_leaves_input_unchanged(name):
    tx = _tx()
    before = tx.copy(deep=True)
    CALLS[name](tx)
    pd.testing.assert_frame_equal(tx, before)
    assert tx["date"].dtype == before["date"].dtype


def test_whale_curve_and_pyramid_leave_series_unchanged():
    s = pd.Series([5.0, -1.0, 3.0], index=["a", "b", "c"])
    before = s.copy()
    tiers.whale_curve(s)
    tiers.value_pyramid(s)
    tiers.value_classes(s)
    pd.testing.assert_series_equal(s, before)
