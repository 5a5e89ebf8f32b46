"""Functional test: every crmlab analytics function on the classroom dataset (datasets/classroom).

Checks are accounting identities that must hold on any event log (totals preserved,
every customer placed once, shares in range), so they do not depend on the seed.
"""
import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab import composition, data, kpi, lifecycle, loyalty, plots, rfm, tiers, value  # noqa: E402


@pytest.fixture(scope="module")
def log():
    try:
        return data.classroom()
    except FileNotFoundError as exc:   # the dataset is committed; a missing one is a failure
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def as_of(log):
    return pd.Timestamp(log.card["observation_end"])


def test_rfm_on_classroom(log, as_of):
    tx = log.transactions
    before = tx.copy(deep=True)
    t = rfm.rfm_table(tx, as_of=as_of)
    pd.testing.assert_frame_equal(tx, before)
    assert len(t) == tx["customer_id"].nunique()
    assert t["frequency"].sum() == len(tx)
    assert t["monetary"].sum() == pytest.approx(tx["amount"].sum())
    assert (t["recency"] >= 0).all()
    for col in ("r_score", "f_score", "m_score"):
        assert t[col].between(1, 5).all()
    # monetary values are distinct here, so each quintile holds n/5 customers (±1)
    counts = t["m_score"].value_counts()
    assert (abs(counts - len(t) / 5) <= 1).all()
    assert set(t["segment"]) <= set(rfm.SEGMENT_MAP.values())


def test_tiers_value_and_whale_on_classroom(log, as_of):
    tx = log.transactions
    ft = tiers.five_tier(tx, as_of=as_of)
    assert len(ft) == tx["customer_id"].nunique()
    assert set(ft["tier"]) <= set(tiers.TIERS)
    # tertiles: each amount class holds about a third of the customers
    shares = ft["amount_class"].value_counts(normalize=True)
    assert (abs(shares - 1 / 3) < 0.01).all()
    profit = value.customer_profit(tx, cost_to_serve=4.0)       # the scenario's serve cost per order
    assert profit["revenue"].sum() == pytest.approx(tx["amount"].sum())
    assert profit["profit"].sum() == pytest.approx((tx["amount"] - tx["cost"]).sum() - 4.0 * len(tx))
    curve = tiers.whale_curve(profit["profit"])
    assert curve["cumulative_share"].iloc[-1] == 1.0
    assert (curve["cumulative_share"].max() > 1.0) == bool((profit["profit"] < 0).any())
    figures = tiers.whale_figures(profit["profit"])
    assert 0 < figures["top_share"] <= figures["peak_share"]
    pyramid = tiers.value_pyramid(profit["profit"])
    assert pyramid.value_counts()["top"] == pytest.approx(0.05 * len(profit), abs=1)


def test_lifecycle_on_classroom(log, as_of):
    tx = log.transactions
    st = lifecycle.stage_at(tx, as_of, dormant_after=120, lost_after=365)
    assert len(st) == tx["customer_id"].nunique()
    m = lifecycle.transition_matrix(tx, as_of - pd.Timedelta(days=365), as_of, dormant_after=120)
    assert m.to_numpy().sum() == len(st)
    assert (m.sum(axis=0).reindex(lifecycle.OBSERVABLE_STAGES).to_numpy()
            == st["stage"].value_counts().reindex(lifecycle.OBSERVABLE_STAGES).to_numpy()).all()
    cohorts = lifecycle.cohort_table(tx, as_of=as_of)
    assert (cohorts[0] == 1.0).all()
    assert np.nanmax(cohorts.to_numpy()) <= 1.0
    wb = lifecycle.winback_rate(tx, as_of - pd.Timedelta(days=180), 90, dormant_after=120)
    assert wb["eligible"] > 0 and 0 <= wb["rate"] <= 1


def test_loyalty_kpi_composition_on_classroom(log, as_of):
    tx, sv = log.transactions, log.surveys
    answered = sv["nps"].dropna()
    assert -100 <= loyalty.nps(answered) <= 100
    classes = loyalty.loyalty_class(tx, sv)
    assert len(classes) == tx["customer_id"].nunique()
    k = kpi.kpi_table(tx, stages=log.stages, service=log.service, surveys=sv)
    assert k["revenue"].sum() == pytest.approx(tx["amount"].sum())
    assert k["new"].sum() == tx["customer_id"].nunique()
    assert k["conversion_rate"].dropna().between(0, 1).all()
    assert k["complaint_rate"].dropna().between(0, 1).all()
    comp = composition.customer_composition(log.customers, tx=tx)
    assert comp["customers"].sum() == len(log.customers)
    assert comp["revenue"].sum() == pytest.approx(tx["amount"].sum())
    mix = composition.product_mix(tx)
    assert mix["sales_share"].sum() == pytest.approx(1.0)
    assert mix["contribution_ratio"].sum() == pytest.approx((tx["amount"] - tx["cost"]).sum() / tx["amount"].sum())


def test_plots_on_classroom(log, as_of):
    tx = log.transactions
    axes = [plots.plot_rfm_heatmap(rfm.rfm_table(tx, as_of=as_of)),
            plots.plot_tier_grid(tiers.five_tier(tx, as_of=as_of)),
            plots.plot_cohort_curves(lifecycle.cohort_table(tx, as_of=as_of)),
            plots.plot_kpi_trends(kpi.kpi_table(tx), "revenue")]
    assert all(ax.get_title() for ax in axes)
    plt.close("all")


def test_kpi_counts_match_plain_pandas(log):
    # the KPI table's counting (pair codes, bincounts) against a direct pandas computation
    tx = log.transactions
    for freq in ("M", "Q", "W"):
        k = kpi.kpi_table(tx, freq=freq)
        period = tx["date"].dt.to_period(freq)
        buyers = tx.groupby(period)["customer_id"].agg(set).reindex(k.index, fill_value=set())
        assert k["active"].tolist() == [len(b) for b in buyers]
        first = tx.groupby("customer_id")["date"].min().dt.to_period(freq)
        assert k["new"].tolist() == first.value_counts().reindex(k.index, fill_value=0).tolist()
        retained = [0] + [len(a & b) for a, b in zip(buyers.iloc[:-1], buyers.iloc[1:])]
        assert k["retained"].tolist() == retained
        np.testing.assert_allclose(k["revenue"], tx.groupby(period)["amount"].sum().reindex(k.index, fill_value=0))
    sv = log.surveys
    k = kpi.kpi_table(tx, surveys=sv)
    sv_period = sv["date"].dt.to_period("M")
    for p in k.index[k["nps"].notna()][:6]:
        assert k.loc[p, "nps"] == pytest.approx(loyalty.nps(sv.loc[sv_period == p, "nps"].dropna()))
