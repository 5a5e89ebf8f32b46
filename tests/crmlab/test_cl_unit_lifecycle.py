"""Unit tests for crmlab.lifecycle: observable stages, transitions, cohorts, win-back."""
import numpy as np
import pandas as pd
import pytest

from crmlab import lifecycle
from crmlab.errors import CRMDataError


@pytest.fixture
def tx():
    return pd.DataFrame({
        "order_id": range(8),
        "customer_id": ["n", "a", "a", "d", "l", "w", "w", "late"],
        "date": pd.to_datetime(["2024-06-20", "2024-01-01", "2024-05-15", "2024-02-01",
                                "2023-05-01", "2024-01-15", "2024-07-20", "2024-08-01"]),
        "amount": 10.0,
    })


def test_stage_at_each_rule(tx):
    st = lifecycle.stage_at(tx, "2024-07-01")
    # n: first buy 11 days ago → new; a: silent 47 days → active; d: silent 151 → dormant;
    # l: silent 427 ≥ 365 → lost; w: silent 168 (Jan 15) → dormant (July purchase is in the future);
    # late: first buy after 1 July → absent
    assert st["stage"].astype(str).to_dict() == {"a": "active", "d": "dormant", "l": "lost", "n": "new",
                                                 "w": "dormant"}
    assert st.loc["d", "silence_days"] == 151.0
    assert "late" not in st.index


def test_stage_thresholds_validated(tx):
    with pytest.raises(CRMDataError, match="dormant_after"):
        lifecycle.stage_at(tx, "2024-07-01", dormant_after=400, lost_after=365)
    with pytest.raises(CRMDataError, match="at"):
        lifecycle.stage_at(tx, "not a date")


def test_transition_matrix(tx):
    m = lifecycle.transition_matrix(tx, "2024-07-01", "2024-08-10")
    # on 10 Aug: n silent 51 → active; a silent 87 → active; d dormant; l lost; w bought 20 Jul → active;
    # late first bought 9 days before → new (row none)
    assert m.loc["new", "active"] == 1
    assert m.loc["active", "active"] == 1
    assert m.loc["dormant", "active"] == 1      # w: won back
    assert m.loc["dormant", "dormant"] == 1
    assert m.loc["lost", "lost"] == 1
    assert m.loc["none", "new"] == 1
    assert m.to_numpy().sum() == 6
    shares = lifecycle.transition_matrix(tx, "2024-07-01", "2024-08-10", normalize=True)
    assert shares.loc["dormant", "active"] == pytest.approx(0.5)


def test_cohort_table_and_curve():
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 3, 3, 4],
                       "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-02-20", "2024-01-20",
                                               "2024-02-01", "2024-03-03", "2024-03-15"])})
    t = lifecycle.cohort_table(tx)
    # Jan cohort {1,2}: Feb 1 of 2 back, Mar 0 ; Feb cohort {3}: Mar 1 of 1 ; Mar cohort {4}
    assert t.index.astype(str).tolist() == ["2024-01", "2024-02", "2024-03"]
    np.testing.assert_allclose(t.to_numpy(), [[1.0, 0.5, 0.0], [1.0, 1.0, np.nan], [1.0, np.nan, np.nan]])
    counts = lifecycle.cohort_table(tx, normalize=False)
    assert counts.loc[pd.Period("2024-01", "M"), 0] == 2
    curve = lifecycle.retention_curve(tx)
    # k=1: (1 + 1)/(2 + 1) = 2/3 ; k=2: 0/2
    np.testing.assert_allclose(curve.to_numpy(), [1.0, 2 / 3, 0.0])


def test_winback_rate(tx):
    wb = lifecycle.winback_rate(tx, "2024-07-01", 30)
    # dormant on 1 July: d and w; w buys on 20 July (within 30 days) → 1/2
    assert wb == {"eligible": 2, "won_back": 1, "rate": 0.5}
    wb2 = lifecycle.winback_rate(tx, "2024-07-01", 30, stages=("dormant", "lost"))
    assert wb2["eligible"] == 3 and wb2["rate"] == pytest.approx(1 / 3)
    with pytest.raises(CRMDataError, match="window_days"):
        lifecycle.winback_rate(tx, "2024-07-01", 60)   # 30 Aug is after the last date, 1 Aug


def test_lifecycle_does_not_modify_input(tx):
    before = tx.copy(deep=True)
    lifecycle.stage_at(tx, "2024-07-01")
    lifecycle.transition_matrix(tx, "2024-07-01", "2024-08-01")
    lifecycle.cohort_table(tx)
    pd.testing.assert_frame_equal(tx, before)


def test_value_by_stage(tx):
    v = lifecycle.value_by_stage(tx, "2024-07-01", 30)
    # stages on 1 July: n new, a active, d and w dormant, l lost (every order 10.0)
    assert v["customers"].tolist() == [1, 1, 2, 1]
    # before: (1 June, 1 July]: n's order on 20 June → new 10; nobody else
    assert v["revenue_before"].tolist() == [10.0, 0.0, 0.0, 0.0]
    # after: (1 July, 31 July]: w's order on 20 July → dormant 10, i.e. 5 per dormant customer
    assert v["revenue_after"].tolist() == [0.0, 0.0, 10.0, 0.0]
    assert v.loc["dormant", "revenue_after_per_customer"] == 5.0
    # a window past the last date (1 Aug) is not observed: no "after" columns
    assert "revenue_after" not in lifecycle.value_by_stage(tx, "2024-07-01", 60).columns
