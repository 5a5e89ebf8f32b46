"""Hostile inputs (issue 9, "Silent wrong answers"): one test per class of bad input.

Each class used to give a silently wrong answer or an unhelpful crash; now it
gives the right answer or a CRMDataError naming the column/parameter, the rule
and the rows.
"""
from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from crmlab import composition, kpi, lifecycle, loyalty, rfm, tiers, value
from crmlab.clv import summarize
from crmlab.data import to_datetime_column, validate_transactions
from crmlab.errors import CRMDataError, ParameterError, check_int
from crmlab.exercises import check


def _tx(dates, customers=None, amounts=None):
    n = len(dates)
    return pd.DataFrame({"customer_id": customers if customers is not None else list(range(1, n + 1)),
                         "date": dates, "amount": amounts if amounts is not None else [10.0] * n})


# --- day/month order: one convention per column, never mixed --------------------------

def test_day_month_order_is_read_off_the_whole_column():
    # 13/02 shows day first, so 01/02 is 1 February too (before: 2 January)
    parsed = to_datetime_column(pd.Series(["01/02/2024", "13/02/2024"]), "date")
    assert parsed.tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-13")]
    parsed = to_datetime_column(pd.Series(["02/01/2024", "02/13/2024"]), "date")   # month first
    assert parsed.tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-13")]


def test_day_month_order_ambiguous_or_mixed_is_refused():
    with pytest.raises(CRMDataError, match="ambiguous day/month order") as e:
        validate_transactions(_tx(["01/02/2024", "03/02/2024"]))
    assert e.value.column == "date" and e.value.rows == [0, 1]
    with pytest.raises(CRMDataError, match="day/month order differs between rows") as e:
        validate_transactions(_tx(["2024-01-05", "13/02/2024", "02/13/2024"]))
    assert e.value.rows == [1, 2]
    # ISO dates and written-out months stay as they were
    assert to_datetime_column(pd.Series(["2024-02-13", "Feb 3, 2024"]), "d").tolist() == [
        pd.Timestamp("2024-02-13"), pd.Timestamp("2024-02-03")]


# --- dates beyond the nanosecond range ------------------------------------------------

def test_year_2300_in_a_log_is_a_clear_error():
    with pytest.raises(CRMDataError, match="outside the range pandas can hold") as e:
        validate_transactions(_tx(["2023-01-01", "2300-01-01"]))
    assert e.value.column == "date" and e.value.rows == [1]
    with pytest.raises(CRMDataError, match="2262-04-11"):
        to_datetime_column(pd.Series([pd.Timestamp("1600-01-01"), pd.Timestamp("2024-01-01")]), "date")


# --- money ties at cent precision ------------------------------------------------------

def test_money_reached_by_different_float_sums_ties():
    # customer 1: 0.1 + 0.2 = 0.30000000000000004, customer 2: 0.3, customer 3: 0.2
    tx = _tx(["2024-01-01"] * 4, customers=[1, 1, 2, 3], amounts=[0.1, 0.2, 0.3, 0.2])
    t = rfm.rfm_table(tx, bins=3)
    assert t["m_score"].to_dict() == {1: 2, 2: 2, 3: 1}   # before: 3, 2, 1


def test_many_customers_at_the_same_cent_amount_share_an_m_score():
    # five customers at 554.86 reached through different sums (before: scores 3,3,3,2,2 style splits)
    parts = [[554.86], [0.3, 554.56], [553.96, 0.2, 0.7], [0.1, 554.76], [0.01] * 6 + [554.8]]
    rows = [(c, a) for c, amounts in enumerate(parts, start=1) for a in amounts]
    rows += [(6, 10.0), (7, 20.0), (8, 900.0), (9, 1000.0), (10, 5.0)]
    tx = _tx(["2024-01-01"] * len(rows), customers=[c for c, _ in rows], amounts=[a for _, a in rows])
    t_before = pd.Series([sum(a) for a in parts])
    assert t_before.nunique() == 3              # 554.86, 554.8599999999999, 554.8600000000001
    t = rfm.rfm_table(tx)
    assert t.loc[1:5, "m_score"].nunique() == 1
    # 10 customers: 3 below 554.86 → rank_min = 4 → floor(5·3/10) + 1 = 2
    assert t.loc[1, "m_score"] == 2
    # five-tier amount classes and the whale curve's order compare cents too
    assert rfm.cents(t_before).tolist() == [55486] * 5
    curve = tiers.whale_curve(pd.Series([0.1 + 0.2, 0.3], index=["a", "b"]))
    assert curve["customer"].tolist() == ["a", "b"]   # a tie, kept in index order
    ft = tiers.five_tier(_tx(["2024-01-01", "2024-01-01", "2024-01-01"], customers=[1, 1, 2],
                             amounts=[0.1, 0.2, 0.3]), {"cycle": (10, 20), "amount": (0.3, 1.0)})
    assert ft["amount_class"].tolist() == ["small", "small"]   # 0.1 + 0.2 ≤ 0.3 at cent precision


# --- infinite amounts, profits, value components ----------------------------------------

def test_infinite_money_is_refused():
    with pytest.raises(CRMDataError, match="infinite") as e:
        tiers.whale_curve(pd.Series([1.0, np.inf, 2.0], index=["a", "b", "c"]))
    assert e.value.column == "profit" and e.value.rows == ["b"]
    comp = pd.DataFrame({"consumption": [10, np.inf, 3], "contribution": [5, 15, 1], "cost_to_serve": [2, 1, 1],
                         "future_profit": [0, 10, 1], "loyalty": [1, 1, 1], "credit": [700, 600, 1]})
    with pytest.raises(CRMDataError, match="infinite") as e:
        value.value_score(comp)
    assert e.value.column == "consumption" and e.value.rows == [1]
    tx = _tx(["2024-01-01"] * 2).assign(cost=[1.0, np.inf])
    with pytest.raises(CRMDataError, match="infinite") as e:
        value.customer_profit(tx)
    assert e.value.column == "cost" and e.value.rows == [1]
    with pytest.raises(CRMDataError, match="infinite"):
        tiers.value_pyramid(pd.Series([1.0, np.inf, 2.0, 3.0]))


# --- customer ids of mixed types -------------------------------------------------------

@pytest.mark.parametrize("call", [rfm.rfm_table, loyalty.repeat_purchase_rate, tiers.five_tier,
                                  lambda tx: kpi.kpi_table(tx), lambda tx: lifecycle.cohort_table(tx)])
def test_mixed_id_types_name_the_column(call):
    tx = _tx(["2024-01-01", "2024-01-02", "2024-01-03"], customers=[1, "1", 2])
    with pytest.raises(CRMDataError, match="ids mix texts and numbers") as e:
        call(tx)
    assert e.value.column == "customer_id" and e.value.rows == [1]


def test_mixed_id_types_in_the_customers_table():
    cu = pd.DataFrame({"customer_id": [1, "2"], "acquisition_channel": ["web", "web"]})
    with pytest.raises(CRMDataError, match="ids mix") as e:
        composition.customer_composition(cu)
    assert e.value.column == "customer_id" and e.value.rows == [1]


# --- time zones and the as-of day --------------------------------------------------------

def test_mixed_aware_and_naive_dates_name_column_and_rows():
    aware = pd.Timestamp("2024-01-01 09:00", tz="UTC")
    tx = _tx([pd.Timestamp("2024-01-02"), aware, pd.Timestamp("2024-01-03")])
    with pytest.raises(CRMDataError, match="mixes time-zone-aware and naive dates") as e:
        validate_transactions(tx)
    assert e.value.column == "date" and e.value.rows == [1]     # the aware one, not the valid rows
    with pytest.raises(CRMDataError, match="time-zone-aware") as e:
        validate_transactions(_tx(["2024-01-01T00:00+01:00", "2024-01-02", "2024-01-03"]))
    assert e.value.rows == [0]
    # all aware, different offsets: each its own wall-clock time
    both = to_datetime_column(pd.Series(["2024-01-01T08:00+01:00", "2024-01-01T09:00+02:00"]), "date")
    assert both.tolist() == [pd.Timestamp("2024-01-01 08:00"), pd.Timestamp("2024-01-01 09:00")]


def test_an_order_later_on_the_as_of_day_is_in_everywhere():
    tx = _tx(["2024-01-01", "2024-01-20", "2024-03-01 15:00"], customers=[1, 2, 2], amounts=[5.0, 8.0, 9.0])
    r = rfm.rfm_table(tx, as_of="2024-03-01")                # before: refused
    assert r["recency"].to_dict() == {1: 60, 2: 0}           # whole calendar days
    ft = tiers.five_tier(tx, as_of="2024-03-01")             # before: refused
    assert ft.loc[1, "cycle"] == 60.0
    assert lifecycle.cohort_table(tx, as_of="2024-03-01").shape == (1, 3)
    s = summarize(tx, "2024-03-01", freq="D")                # accepted before and after
    assert s.loc[2, "recency"] == 41.0
    # an order on a later day is refused by all of them
    later = _tx(["2024-01-01", "2024-03-02 00:00"])
    for call in (lambda: rfm.rfm_table(later, as_of="2024-03-01"),
                 lambda: tiers.five_tier(later, as_of="2024-03-01"),
                 lambda: summarize(later, "2024-03-01")):
        with pytest.raises(CRMDataError, match="after the analysis date") as e:
            call()
        assert e.value.rows == [1]


# --- parameters of the wrong kind ----------------------------------------------------------

TX3 = _tx(["2024-01-01", "2024-01-05", "2024-01-09"], amounts=[1.0, 2.0, 3.0])


@pytest.mark.parametrize("call, name, bad", [
    (lambda: rfm.rfm_table(TX3, bins=2.7), "bins", "2.7"),
    (lambda: rfm.rfm_table(TX3, bins="5"), "bins", "'5'"),
    (lambda: rfm.quantile_scores(pd.Series([1, 2, 3]), bins=2.5), "bins", "2.5"),
    (lambda: value.acquisition_payback(100, 60, 0.9, 0.0, max_periods=-5), "max_periods", "-5"),
    (lambda: value.profit_by_order_number(TX3.assign(cost=0.5), max_orders=2.5), "max_orders", "2.5"),
    (lambda: value.retention_clv(100, 0.8, 0.1, horizon="52"), "horizon", "'52'"),
    (lambda: value.crv_p(0.5, 200, 1.0, 0.1, margin=1.5), "margin", "1.5"),
    (lambda: value.discounted_value([1, 2], rate="0.1"), "rate", "'0.1'"),
    (lambda: tiers.whale_figures(pd.Series([3.0, 2.0, 1.0]), top=-1), "top", "-1"),
    (lambda: tiers.whale_figures(pd.Series([3.0, 2.0, 1.0]), top=2), "top", "2"),
    (lambda: tiers.whale_figures(pd.Series([3.0, 2.0, 1.0]), bottom=1.5), "bottom", "1.5"),
    (lambda: tiers.five_tier(TX3, {"cycle": "ab", "amount": (1, 2)}), "cutoffs", "'ab'"),
    (lambda: tiers.five_tier(TX3, {"cycle": ("a", "b"), "amount": (1, 2)}), "cutoffs['cycle']", "'a'"),
    (lambda: loyalty.loyalty_class(TX3, pd.DataFrame({"customer_id": [1], "satisfaction": [5], "nps": [9]}),
                                   min_orders=-3), "min_orders", "-3"),
    (lambda: loyalty.loyalty_class(TX3, pd.DataFrame({"customer_id": [1], "satisfaction": [5], "nps": [9]}),
                                   satisfied_at=7), "satisfied_at", "7"),
])
def test_parameters_of_the_wrong_kind_are_refused(call, name, bad):
    with pytest.raises(ParameterError) as e:
        call()
    assert e.value.column == name
    assert str(e.value).startswith(f"parameter '{name}'") and bad in str(e.value)
    assert "column" not in str(e.value)


def test_margin_is_described_as_a_margin():
    with pytest.raises(ParameterError, match="margin .share of the amount that is profit. in \\[0, 1\\]"):
        value.crv_p(0.5, 200, 1.0, 0.1, margin=1.5)


def test_parameter_errors_are_crm_errors_and_survive_pickling():
    err = pytest.raises(ParameterError, check_int, "bins", 2.7).value
    assert isinstance(err, CRMDataError)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) == "parameter 'bins': must be a whole number (got 2.7)"


# --- crashes with unhelpful errors ----------------------------------------------------------

def test_kpi_table_of_none():
    with pytest.raises(CRMDataError, match="must be a pandas DataFrame.*NoneType"):
        kpi.kpi_table(None)


def test_check_with_a_self_containing_list_and_nat(capsys):
    loop = [1]
    loop.append(loop)
    result = check("04.rfm_cells", loop)
    assert result.status == "wrong" and "contains itself" in result.message
    result = check("04.rfm_cells", pd.NaT)
    assert result.status == "wrong" and "missing date (NaT)" in result.message
    assert "got a text" not in result.message
