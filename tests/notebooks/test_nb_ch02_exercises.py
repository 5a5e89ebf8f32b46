"""Functional: chapter 02's self-checks accept the right answer (recomputed here with
library calls and plain pandas, independently of the key file) and reject wrong ones;
the composition explorer's views on the classroom data."""
import numpy as np
import pandas as pd
import pytest

import crmlab.data
from crmlab import composition
from crmlab.exercises import check
from crmlab.explore import messy
from crmlab.explore.composition import AGE_BANDS, CompositionViews, age_bands


@pytest.fixture(scope="module")
def data():
    return crmlab.data.classroom()


def test_exercise_02_repeat_buyers(data):
    orders = data.transactions.groupby("customer_id").size()
    right = int((orders > 1).sum())
    assert check("02.repeat_buyers", right).status == "right"
    assert check("02.repeat_buyers", int((orders > 0).sum())).status == "wrong"


def test_exercise_02_clean_revenue(data):
    raw = messy.messy_export(data.transactions, n=400, seed=2024)
    # the rows that survive cleaning are the distinct orders with a customer, a date and an amount;
    # their amounts are the original orders' amounts (looked up by order id in the clean log)
    ok = raw.drop_duplicates()
    ok = ok[ok["customer_id"].notna() & ok["amount"].notna()
            & pd.to_datetime(ok["date"], format="mixed", errors="coerce").notna()]
    original = data.transactions.set_index("order_id")["amount"]
    right = original.loc[ok["order_id"].astype(int)].round(2).sum()
    assert check("02.clean_revenue", right).status == "right"
    # forgetting to drop the duplicates counts 12 orders twice
    dup_amounts = original.loc[raw[raw.duplicated()]["order_id"].astype(int)].round(2).sum()
    assert check("02.clean_revenue", right + dup_amounts).status == "wrong"


def test_exercise_02_clothing_cross_ratio(data):
    # cross ratio = margin × turnover per year = (revenue − cost)/revenue × (cost / years)/stock, stock halved to 2,500
    clothing = data.transactions[data.transactions["category"] == "clothing"]
    revenue, cost = clothing["amount"].sum(), clothing["cost"].sum()
    assert data.card["years"] == 3                                  # the log covers 3 years (2023–2025)
    assert data.transactions["date"].dt.year.unique().tolist() == [2023, 2024, 2025]
    right = (revenue - cost) / revenue * cost / 3 / 2500.0
    assert check("02.clothing_cross_ratio", right).status == "right"
    assert check("02.clothing_cross_ratio", right / 2).status == "wrong"     # the old stock of 5,000
    assert check("02.clothing_cross_ratio", right * 3).status == "wrong"     # turnover over 3 years, not per year


def test_exercise_02_tea_cross_ratio():
    # margin (12000 − 7200)/12000 = 0.4; turnover 7200/1800 = 4 a year → 1.6 (coffee: 0.55 × 2 = 1.1)
    assert check("02.tea_cross_ratio", 1.6).status == "right"
    assert check("02.tea_cross_ratio", 0.4).status == "wrong"                # the margin alone
    assert check("02.tea_cross_ratio", 4.0).status == "wrong"                # the turnover alone
    assert check("02.tea_cross_ratio", 0.4 * 12000 / 1800).status == "wrong"  # turnover on revenue: 2.67


def test_chapter_02_product_mix_numbers(data):
    """The text's claims about section 4: margins after the cost to serve (cost includes it, per the
    schema), turnover per year, electronics' shelf beats grocery's by cross ratio though far smaller."""
    from crmlab import schema
    meaning = schema.describe("transactions").set_index("column").loc["cost", "meaning"]
    assert "cost to serve" in meaning
    inventory = pd.Series({"grocery": 4000.0, "household": 3000.0, "clothing": 5000.0, "electronics": 800.0})
    mix = composition.product_mix(data.transactions, inventory=inventory, years=data.card["years"])
    assert data.card["years"] == 3
    tx = data.transactions
    g = tx[tx["category"] == "grocery"]
    assert mix.loc["grocery", "turnover"] == pytest.approx(g["cost"].sum() / 3 / 4000.0)
    assert mix.index[0] == "grocery"                                         # biggest by revenue
    assert mix["cross_ratio"].idxmax() == "electronics"                      # small fast shelf wins


def test_unit_age_bands_hand_worked():
    people = pd.DataFrame({"birth_date": pd.to_datetime(["2007-01-02", "2007-01-01", "1960-01-01", None])})
    # on 2025-01-01: 17 (birthday tomorrow), 18 (birthday today), 65, missing
    assert age_bands(people, "2025-01-01").tolist() == ["under 18", "18-24", "65+", "(missing)"]


def test_functional_composition_views(data):
    views = CompositionViews(data.customers, data.transactions)
    assert views.dimensions == ("acquisition channel", "gender", "age band", "product category")
    for dim in views.dimensions:
        shares = views.shares(dim)
        assert np.allclose(shares.sum(), 1.0), dim          # every share column adds up to 100%
    assert views.customers == data.customers["acquired_at"].notna().sum()
    ages = views.shares("age band")
    assert list(ages.index) == [b for b in AGE_BANDS if b in ages.index]
    pd.testing.assert_frame_equal(views.table("gender"), composition.customer_composition(
        data.customers[data.customers["acquired_at"].notna()], "gender", data.transactions))
