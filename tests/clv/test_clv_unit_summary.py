"""Unit tests of clv.summarize: hand-worked summaries, conventions, bad input."""
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlab import clv
from crmlab.errors import CRMDataError


@pytest.fixture
def tx():
    # customer "A": two orders on 2024-01-01 (merged into one purchase of 15.0),
    # then 2024-01-15 (20.0) and 2024-02-12 (40.0); customer "B": one order on 2024-01-08.
    return pd.DataFrame({
        "order_id": [1, 2, 3, 4, 5],
        "customer_id": ["A", "A", "A", "A", "B"],
        "date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 17:30", "2024-01-15 00:00", "2024-02-12 00:00",
                                "2024-01-08 00:00"]),
        "amount": [10.0, 5.0, 20.0, 40.0, 7.0],
    })


def test_weekly_summary_by_hand(tx):
    s = clv.summarize(tx, "2024-02-26", freq="W")
    # A: purchase days 01-01, 01-15, 02-12 -> frequency 3 - 1 = 2
    #    recency = 42 days / 7 = 6.0 weeks; T = 01-01 -> 02-26 = 56 days = 8.0 weeks
    #    monetary_value = mean repeat spend = (20 + 40) / 2 = 30.0 (first purchase left out)
    # B: one purchase -> frequency 0, recency 0, T = 01-08 -> 02-26 = 49 days = 7.0 weeks, monetary 0.0
    expected = pd.DataFrame({"frequency": [2, 0], "recency": [6.0, 0.0], "T": [8.0, 7.0],
                             "monetary_value": [30.0, 0.0]},
                            index=pd.Index(["A", "B"], name="customer_id"))
    pd.testing.assert_frame_equal(s, expected, check_index_type=False)
    assert s["frequency"].dtype == np.int64
    assert s.attrs["freq"] == "W"


@pytest.mark.parametrize("freq, recency, T", [("D", 42.0, 56.0), ("14D", 3.0, 4.0), ("2W", 3.0, 4.0)])
def test_explicit_units(tx, freq, recency, T):
    # the same 42 and 56 days in days, and in 14-day periods (42/14 = 3, 56/14 = 4)
    s = clv.summarize(tx, "2024-02-26", freq=freq)
    assert s.loc["A", "recency"] == pytest.approx(recency)
    assert s.loc["A", "T"] == pytest.approx(T)


def test_timedelta_unit_is_stored_as_text(tx):
    s = clv.summarize(tx, "2024-02-26", freq=pd.Timedelta(days=14))
    assert s.attrs["freq"] == "14D" and clv.time_unit(s.attrs["freq"]) == pd.Timedelta(days=14)
    assert s.loc["A", "T"] == pytest.approx(4.0)


def test_same_day_orders_are_one_purchase(tx):
    # without the merge A would have 3 repeat purchases; with it, 2 — and the
    # merged first purchase (10 + 5) does not enter the repeat spend
    s = clv.summarize(tx, "2024-02-26")
    assert s.loc["A", "frequency"] == 2
    extra = pd.concat([tx, pd.DataFrame({"order_id": [6], "customer_id": ["A"],
                                         "date": pd.to_datetime(["2024-02-12 18:00"]), "amount": [2.0]})])
    s2 = clv.summarize(extra, "2024-02-26")
    assert s2.loc["A", "frequency"] == 2
    assert s2.loc["A", "monetary_value"] == pytest.approx((20 + 42) / 2)


def test_calibration_holdout_by_hand(tx):
    late = pd.DataFrame({"order_id": [7], "customer_id": ["C"], "date": pd.to_datetime(["2024-02-20"]),
                         "amount": [12.0]})
    with pytest.warns(clv.HoldoutOnlyWarning, match="1 customer"):
        s = clv.summarize(pd.concat([tx, late]), "2024-02-26", calibration_end="2024-01-31")
    # calibration to 01-31: A bought 01-01 and 01-15 -> frequency 1, recency 2 weeks,
    # T = 30 days = 4.2857 weeks, monetary 20; holdout (02-01..02-26 = 26 days = 3.714 weeks):
    # one purchase of 40. B: T = 01-08 -> 01-31 = 23 days; no holdout purchase.
    assert s.loc["A", ["frequency", "recency", "T", "monetary_value"]].tolist() == pytest.approx([1, 2.0, 30 / 7, 20.0])
    assert s.loc["A", ["frequency_holdout", "monetary_holdout"]].tolist() == pytest.approx([1, 40.0])
    assert s.loc["B", ["frequency", "T", "frequency_holdout", "monetary_holdout"]].tolist() == pytest.approx(
        [0, 23 / 7, 0, 0.0])
    assert s["duration_holdout"].tolist() == pytest.approx([26 / 7, 26 / 7])
    # C appears only in the holdout: reported, not silently dropped
    assert "C" not in s.index
    assert s.attrs["holdout_only"] == ["C"]


def test_no_warning_when_every_customer_is_in_calibration(tx):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = clv.summarize(tx, "2024-02-26", calibration_end="2024-01-31")
    assert s.attrs["holdout_only"] == []


def test_order_on_the_last_day_counts(tx):
    last = pd.DataFrame({"order_id": [8], "customer_id": ["B"], "date": pd.to_datetime(["2024-02-26 15:00"]),
                         "amount": [3.0]})
    s = clv.summarize(pd.concat([tx, last]), "2024-02-26")
    # B: 01-08 and 02-26 -> recency = T = 49 days = 7 weeks
    assert s.loc["B", ["frequency", "recency", "T"]].tolist() == pytest.approx([1, 7.0, 7.0])


def test_custom_column_names_and_no_amount(tx):
    renamed = tx.rename(columns={"customer_id": "cust", "date": "when", "amount": "total"})
    s = clv.summarize(renamed, "2024-02-26", customer="cust", date="when", amount="total")
    assert s.index.name == "cust"
    assert s.loc["A", "monetary_value"] == 30.0
    counts_only = clv.summarize(tx.drop(columns="amount"), "2024-02-26", amount=None)
    assert list(counts_only.columns) == ["frequency", "recency", "T"]


def test_input_not_modified(tx):
    before = tx.copy(deep=True)
    clv.summarize(tx, "2024-02-26", calibration_end="2024-01-31")
    pd.testing.assert_frame_equal(tx, before)


# --- bad input: one test per rule ----------------------------------------------------

@pytest.mark.parametrize("freq", ["M", "ME", "MS", "Y", "Q"])
def test_months_and_years_refused(tx, freq):
    with pytest.raises(CRMDataError, match="no fixed length") as err:
        clv.summarize(tx, "2024-02-26", freq=freq)
    assert err.value.column == "freq"


def test_unknown_unit_refused(tx):
    with pytest.raises(CRMDataError, match="unknown time unit") as err:
        clv.summarize(tx, "2024-02-26", freq="fortnight")
    assert err.value.column == "freq"


def test_order_after_observation_end(tx):
    with pytest.raises(CRMDataError, match="after the analysis date") as err:
        clv.summarize(tx, "2024-02-01")
    assert err.value.column == "date" and err.value.rows == [3]


def test_calibration_end_not_before_observation_end(tx):
    with pytest.raises(CRMDataError, match="before observation_end") as err:
        clv.summarize(tx, "2024-02-26", calibration_end="2024-02-26")
    assert err.value.column == "calibration_end"


def test_calibration_end_before_first_purchase(tx):
    with pytest.raises(CRMDataError, match="no purchase on or before") as err:
        clv.summarize(tx, "2024-02-26", calibration_end="2023-12-01")
    assert err.value.column == "calibration_end"


def test_unparseable_observation_end(tx):
    with pytest.raises(CRMDataError) as err:
        clv.summarize(tx, "not a date")
    assert err.value.column == "observation_end"


def test_missing_column(tx):
    with pytest.raises(CRMDataError, match="missing column") as err:
        clv.summarize(tx.drop(columns="amount"), "2024-02-26")
    assert err.value.column == "amount"


def test_negative_amount(tx):
    bad = tx.copy()
    bad.loc[2, "amount"] = -5.0
    with pytest.raises(CRMDataError, match="negative amount") as err:
        clv.summarize(bad, "2024-02-26")
    assert err.value.rows == [2]


def test_empty_table(tx):
    with pytest.raises(CRMDataError, match="empty"):
        clv.summarize(tx.iloc[:0], "2024-02-26")


def test_every_order_counts_without_the_merge(tx):
    # merge_same_day=False: A has 4 orders -> frequency 3; the first order (09:00, 10.0)
    # is the first purchase, so monetary_value = (5 + 20 + 40) / 3 = 21.6667
    s = clv.summarize(tx, "2024-02-26", merge_same_day=False)
    assert s.loc["A", ["frequency", "recency", "T", "monetary_value"]].tolist() == pytest.approx(
        [3, 6.0, 8.0, 65 / 3])
    assert s.attrs["merge_same_day"] is False
