"""Unit tests for crmlab.loyalty and crmlab.kpi against hand-worked numbers."""
import numpy as np
import pandas as pd
import pytest

from crmlab import kpi, loyalty
from crmlab.errors import CRMDataError


def test_nps_hand_worked():
    # promoters 9,10,10 (3), passives 7,8 (2), detractors 0,5,6 (3) of 8 → 100·(3−3)/8 = 0
    assert loyalty.nps([9, 10, 10, 7, 8, 0, 5, 6]) == 0.0
    assert loyalty.nps([10, 10, 9, 6]) == 50.0          # 100·(3/4 − 1/4)
    with pytest.raises(CRMDataError, match="nps"):
        loyalty.nps([10, 11])
    with pytest.raises(CRMDataError, match="nps"):
        loyalty.nps([9.5])
    with pytest.raises(CRMDataError, match="nps"):
        loyalty.nps([9, np.nan])


def test_satisfaction_index():
    assert loyalty.satisfaction_index([1, 5]) == 50.0            # mean 3 → 100·2/4
    assert loyalty.satisfaction_index([7, 7], scale=(1, 7)) == 100.0
    with pytest.raises(CRMDataError, match="satisfaction"):
        loyalty.satisfaction_index([0, 5])


@pytest.fixture
def tx():
    return pd.DataFrame({
        "order_id": range(7),
        "customer_id": [1, 2, 3, 1, 3, 4, 1],
        "date": pd.to_datetime(["2024-01-05", "2024-01-09", "2024-01-20", "2024-02-02", "2024-02-25",
                                "2024-02-26", "2024-03-01"]),
        "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0],
        "cost": [5.0, 10.0, 10.0, 20.0, 25.0, 30.0, 35.0],
    })


def test_repeat_retention_churn(tx):
    assert loyalty.repeat_purchase_rate(tx) == 0.5                      # 1 and 3 of {1,2,3,4}
    assert loyalty.retention_rate(tx, "2024-01", "2024-02") == pytest.approx(2 / 3)   # {1,3} of {1,2,3}
    assert loyalty.churn_rate(tx, "2024-01", "2024-02") == pytest.approx(1 / 3)
    assert loyalty.retention_rate(tx, ("2024-01-01", "2024-02-01"), ("2024-02-01", "2024-04-01")) == \
        pytest.approx(2 / 3)
    assert loyalty.retention_rate(tx, "2024-02", "2024-03") == pytest.approx(1 / 3)   # {1} of {1,3,4}
    with pytest.raises(CRMDataError, match="previous"):
        loyalty.retention_rate(tx, "2023-01", "2024-02")
    with pytest.raises(CRMDataError, match="current"):
        loyalty.retention_rate(tx, "2024-01", "soon")


def test_loyalty_class_four_types_and_unsurveyed(tx):
    sv = pd.DataFrame({"customer_id": [1, 1, 2, 3, 4], "date": "2024-03-01",
                       "satisfaction": [5, 3, 4, 2, np.nan], "nps": [8, 8, 6, 3, 10]})
    before = sv.copy()
    c = loyalty.loyalty_class(tx, sv)
    # 1: 3 orders, mean sat 4 ≥ 4 → loyal; 2: 1 order, sat 4 → latent; 3: repeat, sat 2, nps 3 → spurious;
    # 4: 1 order, nps 10 → latent
    assert c["loyalty"].astype(str).to_dict() == {1: "loyal", 2: "latent", 3: "spurious", 4: "latent"}
    c2 = loyalty.loyalty_class(tx, sv[sv.customer_id != 2], nps_column=None)
    assert c2.loc[2, "loyalty"] == "unsurveyed" and c2.loc[4, "loyalty"] == "unsurveyed"
    pd.testing.assert_frame_equal(sv, before)
    with pytest.raises(CRMDataError, match="satisfaction"):
        loyalty.loyalty_class(tx, sv.assign(satisfaction=[5, 3, 9, 2, 1]))


def test_kpi_table_hand_worked(tx):
    stages = pd.DataFrame({"customer_id": [1, 5, 6, 4, 7], "date": pd.to_datetime(
        ["2024-01-04", "2024-01-15", "2024-01-20", "2024-02-25", "2024-02-27"]),
        "from_stage": ["opportunity", "prospect", "opportunity", "prospect", "customer"],
        "to_stage": ["customer", "lost", "lost", "customer", "dormant"]})
    service = pd.DataFrame({"customer_id": [1, 1, 3, 4], "opened_at": pd.to_datetime(
        ["2024-02-03", "2024-02-04", "2024-02-10", "2024-03-02"]), "kind": ["complaint", "complaint",
                                                                               "question", "complaint"]})
    surveys = pd.DataFrame({"customer_id": [1, 2, 3], "date": pd.to_datetime(["2024-01-30", "2024-01-31",
                                                                              "2024-02-28"]),
                            "satisfaction": [5, 3, 2], "nps": [10, 6, 2]})
    clv = pd.Series({1: 300.0, 2: 50.0, 3: 100.0, 4: 20.0})
    before = tx.copy()
    k = kpi.kpi_table(tx, stages=stages, service=service, surveys=surveys, clv=clv)
    assert k.index.astype(str).tolist() == ["2024-01", "2024-02", "2024-03"]
    # Jan {1,2,3}; Feb {1,3,4}; Mar {1}
    assert k["active"].tolist() == [3, 3, 1]
    assert k["new"].tolist() == [3, 1, 0]
    assert k["retained"].tolist() == [0, 2, 1]
    assert k["churned"].tolist() == [0, 1, 2]
    np.testing.assert_allclose(k["retention_rate"], [np.nan, 2 / 3, 1 / 3])
    assert k["revenue"].tolist() == [60.0, 150.0, 70.0]
    assert k["gross_profit"].tolist() == [35.0, 75.0, 35.0]      # 60−25, 150−75, 70−35
    np.testing.assert_allclose(k["aov"], [20.0, 50.0, 70.0])
    np.testing.assert_allclose(k["revenue_per_customer"], [20.0, 50.0, 70.0])
    # Jan: 1 won of 3 decided leads; Feb: 1 of 1 (customer→dormant is not a lead move); Mar: none
    np.testing.assert_allclose(k["conversion_rate"], [1 / 3, 1.0, np.nan])
    np.testing.assert_allclose(k["mean_clv"], [150.0, 140.0, 300.0])   # (300+50+100)/3, (300+100+20)/3
    np.testing.assert_allclose(k["satisfaction"], [4.0, 2.0, np.nan])
    np.testing.assert_allclose(k["nps"], [0.0, -100.0, np.nan])         # Jan: 1 promoter, 1 detractor
    # complainers / customers in contact: Jan 0/3; Feb {1} of {1,3,4}; Mar {4} of {1 bought, 4 complained}
    np.testing.assert_allclose(k["complaint_rate"], [0.0, 1 / 3, 0.5])
    pd.testing.assert_frame_equal(tx, before)


def test_kpi_optional_columns_and_errors(tx):
    k = kpi.kpi_table(tx.drop(columns="cost"), freq="Q")
    assert len(k) == 1 and "gross_profit" not in k.columns and "nps" not in k.columns
    assert k["active"].iloc[0] == 4
    with pytest.raises(CRMDataError, match="clv"):
        kpi.kpi_table(tx, clv=pd.Series({1: 1.0}))
    with pytest.raises(CRMDataError, match="kind"):
        kpi.kpi_table(tx, service=pd.DataFrame({"customer_id": [1], "opened_at": ["2024-01-01"]}))


def test_kpi_rejects_bad_survey_answers(tx):
    bad = pd.DataFrame({"customer_id": [1], "date": ["2024-01-10"], "satisfaction": [7], "nps": [5]})
    with pytest.raises(CRMDataError, match="satisfaction"):
        kpi.kpi_table(tx, surveys=bad)
    with pytest.raises(CRMDataError, match="nps"):
        kpi.kpi_table(tx, surveys=bad.assign(satisfaction=4, nps=12))


def test_nullable_integer_customer_ids(tx):
    from crmlab import rfm
    t = rfm.rfm_table(tx.astype({"customer_id": "Int64"}))
    assert t.index.tolist() == [1, 2, 3, 4] and t["frequency"].tolist() == [3, 1, 2, 1]


def test_acquisition_cost_hand_worked():
    contacts = pd.DataFrame({"campaign": ["acquire_mail", "acquire_mail", "acquire_ads", "acquire_ads",
                                          "acquire_tv", "care"],
                             "cost": [3.0, 3.0, 2.0, 2.0, 50.0, 1.0]})
    customers = pd.DataFrame({"acquisition_channel": ["mail", "ads", "ads", "ads", "ads", "referral", None]})
    t = kpi.acquisition_cost(contacts, customers)
    # mail 6/1 = 6; ads 4/4 = 1; tv has spend but won nobody, referral won people at no spend: no rows
    assert t.index.tolist() == ["ads", "mail"]
    assert t["cost_per_customer"].tolist() == [1.0, 6.0]
    assert t["spend"].sum() / t["won"].sum() == 2.0          # blended over paid channels: 10 / 5
    with pytest.raises(CRMDataError, match="cost"):
        kpi.acquisition_cost(contacts.assign(cost=-1.0), customers)
    with pytest.raises(CRMDataError, match="acquisition_channel"):
        kpi.acquisition_cost(contacts, customers.rename(columns={"acquisition_channel": "channel"}))


def test_retention_cost_hand_worked():
    tx = pd.DataFrame({"customer_id": [1, 2, 3, 4, 1, 2, 5],
                       "date": ["2024-01-05", "2024-05-01", "2024-12-30", "2024-07-01",
                                "2025-03-01", "2025-12-31", "2025-02-01"]})
    contacts = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 1],
                             "date": ["2025-01-02", "2025-04-01", "2025-06-01", "2024-11-01", "2025-01-15",
                                      "2026-01-01"],
                             "campaign": ["care", "discount_10%", "account_manager", "care", "acquire_ads", "care"],
                             "cost": [1.0, 0.5, 150.0, 1.0, 2.0, 1.0]})
    out = kpi.retention_cost(tx, contacts, "2024", "2025")
    # kept: 1 and 2 (3 and 4 did not come back; 5 is new). 2025 retention spend: 1 + 0.5 + 150
    # (the 2024 and 2026 care contacts and the acquisition contact do not count)
    assert out == {"spend": 151.5, "retained": 2, "per_retained_customer": 75.75}
    with pytest.raises(CRMDataError, match="current"):
        kpi.retention_cost(tx, contacts, "2024", "2026")
    with pytest.raises(CRMDataError, match="previous"):
        kpi.retention_cost(tx, contacts, "last year", "2025")
