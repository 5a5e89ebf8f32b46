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


# ---- chapter 11: repeat rate per period, annual churn, programme vs control -------------------------------

def test_kpi_repeat_rate_hand_worked():
    from crmlab.kpi import kpi_table

    # c1: Jan, Feb · c2: two in Jan, one in Mar · c3: Feb
    tx = pd.DataFrame({"customer_id": [1, 2, 2, 1, 3, 2],
                       "date": ["2024-01-05", "2024-01-06", "2024-01-20", "2024-02-03", "2024-02-04", "2024-03-01"],
                       "amount": [1.0] * 6})
    k = kpi_table(tx)
    # Jan: {1, 2}, c2 has 2 orders → 1/2 · Feb: {1, 3}, c1 now has 2 → 1/2 · Mar: {2} → 1
    assert k["repeat_rate"].tolist() == [0.5, 0.5, 1.0]
    q = kpi_table(tx, freq="Q")     # one quarter: {1, 2, 3}, c1 and c2 repeat → 2/3
    assert q["repeat_rate"].tolist() == pytest.approx([2 / 3])


def test_annual_churn_compounds():
    from crmlab.kpi import annual_churn

    assert annual_churn(0.05) == pytest.approx(1 - 0.95 ** 12)          # 0.4596, not 12 × 5% = 60%
    assert annual_churn(0.05) == pytest.approx(0.459640, abs=1e-6)
    assert annual_churn(0.1, periods_per_year=4) == pytest.approx(0.3439)
    assert annual_churn(0.0) == 0.0 and annual_churn(1.0) == 1.0
    s = annual_churn(pd.Series([0.02, np.nan], index=["a", "b"]))
    assert s["a"] == pytest.approx(1 - 0.98 ** 12) and np.isnan(s["b"]) and list(s.index) == ["a", "b"]
    with pytest.raises(CRMDataError, match="rate.*1.5"):
        annual_churn(1.5)
    with pytest.raises(CRMDataError, match="periods_per_year.*0"):
        annual_churn(0.1, periods_per_year=0)


def _paired_runs():
    # 3 seeds, quarters 2024Q1..Q4, programme from 2024-07-01 (Q3 and Q4 are after; Q1, Q2 before)
    rows = []
    for seed, (ctrl, prog) in {1: ([10, 11, 12, 13], [10, 11, 14, 16]),
                               2: ([20, 19, 18, 18], [20, 19, 21, 21]),
                               3: ([15, 15, 15, 16], [15, 15, 17, 17])}.items():
        for q, (c, p) in enumerate(zip(ctrl, prog), start=1):
            rows.append({"seed": seed, "arm": "control", "period": f"2024Q{q}", "active": c, "flat": 5.0 + seed})
            rows.append({"seed": seed, "arm": "programme", "period": f"2024Q{q}", "active": p, "flat": 5.0 + seed
                         + (0.5 if (seed == 1 and q == 4) else -0.5 if (seed == 2 and q == 4) else 0.0)})
    return pd.DataFrame(rows)


def test_programme_effect_hand_worked():
    from crmlab.kpi import programme_effect

    e = programme_effect(_paired_runs(), "2024-07-01")
    # active: d = mean(2, 3) = 2.5, mean(3, 3) = 3, mean(2, 1) = 1.5 → 7/3; sd of (2.5, 3, 1.5) = 0.7638
    d = np.array([2.5, 3.0, 1.5])
    assert e.loc["active", "difference"] == pytest.approx(7 / 3)
    assert e.loc["active", "se"] == pytest.approx(d.std(ddof=1) / np.sqrt(3))
    assert e.loc["active", "band"] == pytest.approx(2 * d.std(ddof=1) / np.sqrt(3))
    assert bool(e.loc["active", "real"])
    # before/after of the programme arm: (15 − 10.5) + (21 − 19.5) + (17 − 15) over 3 = 8/3
    assert e.loc["active", "before_after"] == pytest.approx(8 / 3)
    # flat: d = 0.25, −0.25, 0 → mean 0, inside any band
    assert e.loc["flat", "difference"] == pytest.approx(0.0)
    assert not bool(e.loc["flat", "real"])
    # a period holding the start is left out: from 2024-08-15 only Q4 is after
    e2 = programme_effect(_paired_runs(), "2024-08-15", "active")
    assert e2.loc["active", "difference"] == pytest.approx((3 + 3 + 1) / 3)


def test_programme_effect_bad_input():
    from crmlab.kpi import programme_effect

    runs = _paired_runs()
    with pytest.raises(CRMDataError, match="arm"):
        programme_effect(runs.assign(arm="control"), "2024-07-01")
    with pytest.raises(CRMDataError, match="start.*'soon'"):
        programme_effect(runs, "soon")
    with pytest.raises(CRMDataError, match="start.*2030"):
        programme_effect(runs, "2030-01-01")
    with pytest.raises(CRMDataError, match="z"):
        programme_effect(runs, "2024-07-01", z=0)
    with pytest.raises(CRMDataError, match="nps"):
        programme_effect(runs, "2024-07-01", ["nps"])
    with pytest.raises(CRMDataError, match="one frequency"):
        programme_effect(runs.assign(period=["2024-01", "2024Q2"] * 12), "2024-07-01")
    with pytest.raises(CRMDataError, match="one programme and one control"):
        programme_effect(runs.iloc[1:], "2024-07-01")


def test_kpi_dashboard_panels_control_and_start():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from crmlab import plots

    tx = pd.DataFrame({"customer_id": [1, 2, 1, 3, 2, 3, 1],
                       "date": ["2024-01-05", "2024-01-09", "2024-02-11", "2024-02-20", "2024-03-02", "2024-04-03",
                                "2024-04-09"], "amount": [10.0, 30.0, 20.0, 40.0, 5.0, 8.0, 9.0]})
    k = kpi.kpi_table(tx)
    ctrl = k.assign(active=k["active"] - 1)
    axes = plots.plot_kpi_dashboard(k, ["active", "retention_rate", "repeat_rate", "revenue"], control=ctrl,
                                    start="2024-03-01", ncols=3)
    assert len(axes) == 4
    fig = axes[0].figure
    assert sum(a.get_visible() for a in fig.axes) == 4          # 2 × 3 grid, two empty panels hidden
    grey, blue = axes[0].lines[0], axes[0].lines[1]
    np.testing.assert_allclose(grey.get_ydata(), k["active"] - 1)
    np.testing.assert_allclose(blue.get_ydata(), k["active"])
    # the start line sits between Feb (x = 1) and Mar (x = 2)
    assert axes[0].lines[2].get_xdata()[0] == pytest.approx(1.5)
    assert axes[1].get_ylabel() == "share" and axes[3].get_title() == "revenue"
    # period labels under the lowest panel of each column: revenue (col 0, row 2), retention and repeat (row 1)
    assert [t.get_text() for t in axes[3].get_xticklabels()][:2] == ["2024-01", "2024-02"]
    assert {t.get_text() for t in axes[0].get_xticklabels()} == {""}
    plt.close(fig)
    with pytest.raises(CRMDataError, match="control"):
        plots.plot_kpi_dashboard(k, ["active"], control=ctrl.iloc[:2])
    with pytest.raises(CRMDataError, match="ncols"):
        plots.plot_kpi_dashboard(k, ["active"], ncols=0)
    with pytest.raises(CRMDataError, match="nps"):
        plots.plot_kpi_dashboard(k, ["nps"])
    plt.close("all")


def test_true_churn_hand_worked_and_annualised():
    from crmlab.kpi import annual_churn, true_churn

    cu = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5],
                       "acquired_at": pd.to_datetime(["2024-01-05", "2024-01-20", None, "2024-02-10", "2023-06-01"])})
    tr = pd.DataFrame({"customer_id": [5, 4, 3, 2, 1],
                       "churn_date": pd.to_datetime(["2023-12-01", "2024-03-31 23:00", None, None, "2024-03-10"],
                                                     format="ISO8601")})
    t = true_churn(cu, tr, "2024-02-01", "2024-04-30")
    # Feb: 1, 2 there (4 acquired in Feb, 5 gone) → 0/2 · Mar: 1, 2, 4 → 1 and 4 leave → 2/3 · Apr: 2 → 0/1
    assert t["at_start"].tolist() == [2, 3, 1] and t["churned"].tolist() == [0, 2, 0]
    assert t["churn_rate"].tolist() == pytest.approx([0.0, 2 / 3, 0.0])
    y = true_churn(cu, tr, "2024-06-01", "2024-06-01", freq="Y")        # 2024: only 5 was there on 1 Jan, gone before
    assert y["at_start"].tolist() == [0] and np.isnan(y["churn_rate"].iloc[0])
    # a constant monthly hazard: annual_churn of the monthly rate is the yearly rate
    assert annual_churn(1 / 3, periods_per_year=3) == pytest.approx(1 - (2 / 3) ** 3)
    with pytest.raises(CRMDataError, match="end"):
        true_churn(cu, tr, "2024-05-01", "2024-01-01")
    with pytest.raises(CRMDataError, match="start"):
        true_churn(cu, tr, "someday", "2024-01-01")
    with pytest.raises(CRMDataError, match="churn_date"):
        true_churn(cu, tr.assign(churn_date=["x", None, None, None, None]), "2024-01-01", "2024-02-01")
    with pytest.raises(CRMDataError, match="acquired_at"):
        true_churn(cu.drop(columns="acquired_at"), tr, "2024-01-01", "2024-02-01")
