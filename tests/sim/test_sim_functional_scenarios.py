"""What makes each built-in scenario itself: fees and renewals, the bank's cost to
serve, B2B deals lost to competitors, the textbook's plain BG/NBD world."""
import numpy as np
import pandas as pd
import pytest

import sim


@pytest.fixture(scope="module")
def membership():
    return sim.simulate("membership", customers=2000, years=3, seed=12)


def test_functional_membership_fee_every_year_while_member(membership):
    log, cfg = membership, membership.config
    fees = log.transactions[log.transactions["category"] == "membership fee"]
    assert (fees["amount"] == 60.0).all() and (fees["cost"] == cfg.fee_cost).all()
    acquired = log.customers.dropna(subset=["acquired_at"]).set_index("customer_id")["acquired_at"]
    first_fee = fees.groupby("customer_id")["date"].min()
    pd.testing.assert_series_equal(first_fee.sort_index(), acquired.loc[first_fee.index].sort_index(),
                                   check_names=False)
    assert set(first_fee.index) == set(acquired.index)        # every member paid on joining
    # later fees fall on anniversaries (365 days apart, to the second)
    gaps = fees.sort_values("date").groupby("customer_id")["date"].diff().dropna()
    assert len(gaps) > 100 and (gaps == pd.Timedelta(days=365)).all()


def test_functional_membership_non_renewal_ends_membership(membership):
    """Members who left and never paid again: those who left on an anniversary are
    the non-renewals; at 10% per year (more if unhappy) there are dozens of them."""
    log = membership
    truth = log.truth.set_index("customer_id")
    acquired = log.customers.dropna(subset=["acquired_at"]).set_index("customer_id")["acquired_at"]
    churned = truth.loc[acquired.index][lambda t: t["churned"]]
    tenure = (churned["churn_date"] - acquired.loc[churned.index]).dt.total_seconds() / 86400
    on_anniversary = np.isclose(tenure % 365, 0, atol=1e-3) & (tenure > 1)
    assert on_anniversary.sum() > 20
    fees = log.transactions[log.transactions["category"] == "membership fee"]
    last_fee = fees.groupby("customer_id")["date"].max()
    left = churned.index[on_anniversary]
    # no fee on the anniversary they did not renew
    assert (last_fee.loc[left] < churned.loc[left, "churn_date"]).all()


def test_functional_bank_fees_cost_more_to_serve_than_they_earn():
    log = sim.simulate("bank", customers=2000, years=2, seed=4)
    tx = log.transactions
    fees = tx[tx["category"] == "account fee"]
    assert len(fees) > 100 and (fees["amount"] == 24.0).all() and (fees["cost"] == 40.0).all()
    products = set(tx["category"]) - {"account fee"}
    assert products <= {"deposits", "cards", "loans", "investment"} and len(products) == 4
    profit = (tx["amount"] - tx["cost"]).groupby(tx["customer_id"]).sum()
    assert (profit < 0).mean() > 0.2                          # the bottom of the pyramid loses money
    assert profit.quantile(0.95) > 10 * abs(profit.median())  # a few top clients carry the bank


def test_functional_b2b_deals_lost_to_competitors():
    """Opportunities close with probability 0.55; 45% go to competitors (se ~3 points)."""
    log = sim.simulate("b2b", customers=300, years=3, seed=2)
    st = log.stages
    opp = st.loc[st["to_stage"] == "opportunity", "customer_id"]
    closed = st.loc[(st["from_stage"] == "opportunity") & (st["to_stage"] == "customer"), "customer_id"]
    lost = st.loc[(st["from_stage"] == "opportunity") & (st["to_stage"] == "lost"), "customer_id"]
    decided = len(closed) + len(lost)
    assert decided > 60 and decided <= len(opp)
    assert len(lost) / decided == pytest.approx(0.45, abs=0.15)
    # long sales cycles: from first contact to customer takes months
    first = st.groupby("customer_id")["date"].min()
    cycle = (st.loc[st["to_stage"] == "customer"].groupby("customer_id")["date"].min() - first).dt.days
    assert cycle.dropna().median() > 90
    assert log.transactions["amount"].mean() > 5000


def test_functional_textbook_has_no_funnel_service_or_surveys():
    log = sim.simulate("textbook", customers=1000, years=1, seed=1)
    assert log.customers["acquired_at"].eq(pd.Timestamp("2023-01-01")).all()
    assert len(log.service) == 0 and len(log.surveys) == 0 and len(log.contacts) == 0
    assert set(log.stages["to_stage"]) <= {"customer", "dormant", "lost"}
    assert log.truth["lambda"].gt(0).all() and log.truth["p_dropout"].between(0, 1).all()
    # every textbook customer's first order is at the start: the BG/NBD's time zero
    first = log.transactions.groupby("customer_id")["date"].min()
    assert (first == pd.Timestamp("2023-01-01")).all() and len(first) == 1000
