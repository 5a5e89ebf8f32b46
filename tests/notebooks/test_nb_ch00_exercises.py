"""Functional: chapter 00's self-checks accept the right answer (computed here from the
classroom dataset, independently of the key file) and reject wrong ones; the market
explorer's stage counts add up."""
import pandas as pd
import pytest

import crmlab.data
from crmlab.exercises import check
from crmlab.explore import market


@pytest.fixture(scope="module")
def data():
    return crmlab.data.classroom()


def test_exercise_00_customers(data):
    # everybody who ever entered the 'customer' stage for the first time was acquired
    first_time = data.stages.loc[(data.stages["to_stage"] == "customer")
                                 & (data.stages["from_stage"] == "opportunity"), "customer_id"].nunique()
    assert check("00.customers", first_time).status == "right"
    assert check("00.customers", first_time + 1).status == "wrong"
    assert check("00.customers", "many").status == "wrong"


def test_exercise_00_orders_2024(data):
    tx = data.transactions
    n = int(((tx["date"] >= "2024-01-01") & (tx["date"] < "2025-01-01")).sum())
    assert check("00.orders_2024", n).status == "right"
    assert check("00.orders_2024", len(tx)).status == "wrong"


def test_exercise_00_top_category(data):
    revenue = data.transactions.pivot_table(index="category", values="amount", aggfunc="sum")["amount"]
    ranked = revenue.sort_values(ascending=False).index
    assert check("00.top_category", ranked[0].upper()).status == "right"     # case does not matter
    assert check("00.top_category", ranked[1]).status == "wrong"


def test_functional_classroom_stage_counts_match_replay(data):
    counts = market.stage_counts(data.stages, len(data.customers), start="2023-01-01", end="2025-12-01")
    assert (counts.sum(axis=1) == len(data.customers)).all()
    # replay independently: each person's last stage change on or before the date; untouched people are targets
    for day in ("2023-07-01", "2025-12-01"):
        upto = data.stages[data.stages["date"] <= day].sort_values("date", kind="stable")
        last = upto.groupby("customer_id")["to_stage"].last().value_counts()
        last["target"] = last.get("target", 0) + len(data.customers) - upto["customer_id"].nunique()
        expected = last.reindex(market.STAGES, fill_value=0)
        assert counts.loc[day].tolist() == expected.tolist(), day


def test_unit_market_runs_grid_lookup():
    runs = market.MarketRuns(reach=(0.25,), dropout=(0.35,), referrals=(0.0, 0.9), customers=300, years=1, seed=3)
    with_wom, without = runs.counts(0.25, 0.35, 0.9), runs.counts(0.25, 0.35, 0.0)
    assert (with_wom.sum(axis=1) == 300).all()
    # referrals only add ways to reach targets: never fewer people leave the target pool
    assert with_wom["target"].iloc[-1] <= without["target"].iloc[-1]
    with pytest.raises(Exception, match="not a run of this grid"):
        runs.counts(0.5, 0.35, 0.9)
    assert isinstance(with_wom.index, pd.DatetimeIndex)


@pytest.mark.slow
def test_exercise_00_biggest_lever():
    # the notebook's grid, from where the explorer opens: each slider over its range, the others put back
    runs = market.MarketRuns(reach=(0.1, 0.25, 0.5), dropout=(0.15, 0.35, 0.7), referrals=(0.0, 0.9),
                             customers=600, years=3, seed=7)
    opens = {"reach": 0.25, "dropout": 0.35, "referrals": 0.9}     # market_explorer's starting values
    spread = {}
    for name, values in (("reach", runs.reach), ("dropout", runs.dropout), ("referrals", runs.referrals)):
        customers = [runs.counts(**{**opens, name: v}).iloc[-1]["customer"] for v in values]
        spread[name] = max(customers) - min(customers)
    best = max(spread, key=spread.get)
    assert spread[best] > 2 * max(v for k, v in spread.items() if k != best)     # a clear answer, not a tie
    assert check("00.biggest_lever", best).status == "right"
    for other in set(spread) - {best}:
        assert check("00.biggest_lever", other).status == "wrong"


def test_text_00_funnel_and_thresholds(data):
    """What 00's text says about the funnel, and that its thresholds are the library's."""
    from crmlab import lifecycle

    assert lifecycle.DORMANT_AFTER_DAYS == data.card["parameters"]["dormant_after_days"]
    assert lifecycle.LOST_AFTER_DAYS == data.card["parameters"]["lost_after_days"]
    f = lifecycle.funnel_counts(data.stages)
    # "every target heard of us (prospect), but fewer than half became opportunities, and fewer still customers"
    assert f["prospect"] == f["target"]
    assert f["customer"] < f["opportunity"] < 0.5 * f["prospect"]
    # "most customers went dormant at some point — and about half of those came back"
    assert f["dormant"] > 0.5 * f["customer"]
    assert 0.4 < f["won back"] / f["dormant"] < 0.6
