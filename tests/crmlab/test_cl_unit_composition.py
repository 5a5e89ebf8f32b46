"""Unit tests for crmlab.composition: customer composition and product-mix ratios."""
import pandas as pd
import pytest

from crmlab import composition
from crmlab.errors import CRMDataError, ParameterError


@pytest.fixture
def tx():
    return pd.DataFrame({"order_id": range(5), "customer_id": [1, 2, 3, 3, 4], "date": "2024-01-01",
                         "category": ["tea", "tea", "cups", "tea", "pots"],
                         "amount": [60.0, 40.0, 100.0, 100.0, 50.0], "cost": [30.0, 20.0, 80.0, 50.0, 60.0]})


def test_product_mix_hand_worked(tx):
    inv = pd.Series({"tea": 20.0, "cups": 40.0, "pots": 30.0})
    before = tx.copy()
    m = composition.product_mix(tx, inventory=inv, years=2)
    # revenue tea 200, cups 100, pots 50; total 350
    assert m.index.tolist() == ["tea", "cups", "pots"]
    assert m.loc["tea", "sales_share"] == pytest.approx(200 / 350)
    assert m.loc["tea", "gross_margin"] == pytest.approx(0.5)          # (200 − 100)/200
    # turnover per year: cost 100 over 2 years = 50 a year, on an average stock of 20 → 2.5 times a year
    assert m.loc["tea", "turnover"] == pytest.approx(2.5)
    assert m.loc["tea", "cross_ratio"] == pytest.approx(1.25)          # 0.5 · 2.5
    # cups: margin (100 − 80)/100 = 0.2, turnover 80/2/40 = 1.0 → cross ratio 0.2
    assert m.loc["cups", "turnover"] == pytest.approx(1.0)
    assert m.loc["cups", "cross_ratio"] == pytest.approx(0.2)
    # the same year of data counted as one year turns over twice as often
    assert composition.product_mix(tx, inventory=inv, years=1).loc["tea", "turnover"] == pytest.approx(5.0)
    assert m.loc["tea", "contribution_ratio"] == pytest.approx(100 / 350)   # 200/350 · 0.5
    assert m.loc["pots", "gross_margin"] == pytest.approx(-0.2)        # (50 − 60)/50
    assert m.loc["cups", "profit_share"] == pytest.approx(20 / 110)    # gross profits 100, 20, −10
    pd.testing.assert_frame_equal(tx, before)
    assert "turnover" not in composition.product_mix(tx).columns
    with pytest.raises(CRMDataError, match="inventory"):
        composition.product_mix(tx, inventory=inv.drop("pots"), years=1)
    with pytest.raises(ParameterError, match="parameter 'years'.*per year"):
        composition.product_mix(tx, inventory=inv)
    with pytest.raises(ParameterError, match="parameter 'years'.*> 0"):
        composition.product_mix(tx, inventory=inv, years=0)
    with pytest.raises(CRMDataError, match="category"):
        composition.product_mix(tx.drop(columns="category"))
    with pytest.raises(CRMDataError, match="cost"):
        composition.product_mix(tx.assign(cost=[1.0, -1.0, 1.0, 1.0, 1.0]))


def test_customer_composition(tx):
    cu = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "acquisition_channel": ["web", "web", "store", None, "web"]})
    c = composition.customer_composition(cu, tx=tx)
    assert c.index.tolist() == ["web", "store", "(missing)"]
    assert c["customers"].tolist() == [3, 1, 1]
    assert c["share"].tolist() == pytest.approx([0.6, 0.2, 0.2])
    assert c["buyers"].tolist() == [2, 1, 1]                    # customer 5 never bought
    assert c["revenue"].tolist() == [100.0, 200.0, 50.0]
    assert c.loc["web", "revenue_per_customer"] == pytest.approx(100 / 3)
    with pytest.raises(CRMDataError, match="not in the customers table"):
        composition.customer_composition(cu[cu.customer_id != 4], tx=tx)
    with pytest.raises(CRMDataError, match="duplicate customer id"):
        composition.customer_composition(pd.concat([cu, cu.iloc[:1]]))
