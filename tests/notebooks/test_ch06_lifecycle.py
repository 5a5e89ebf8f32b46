"""Chapter 06 (customer lifecycle): the explorer's compute functions against hand-worked
numbers, and every exercise's self-check against an answer computed here."""
import matplotlib
import pandas as pd
import pytest

from crmlab import lifecycle
from crmlab.errors import CRMDataError
from crmlab.exercises import check
from crmlab.explore import lifecycle as lifecycle_explore

matplotlib.use("agg")


def _tx():
    # seen on 1 May 2024 (thresholds: new < 30 days old, dormant after 60 days, lost after 365):
    #   1: first 1 Jan, last 1 Jan → silent 121 days → dormant; buys 50 on 20 May (won back)
    #   2: 1 Apr → 30 days old, silent 30 → active; buys 7 on 30 Jun
    #   3: 20 Apr → 11 days old → new; buys nothing later
    #   4: 1 Jan 2023 → silent 486 days → lost; buys 9 on 1 Jun
    #   5: 15 Feb → silent 76 days → dormant; buys nothing later
    #   6: first buys on 10 May (not a customer yet on 1 May)
    return pd.DataFrame({
        "customer_id": [1, 1, 2, 2, 3, 4, 4, 5, 6],
        "date": ["2024-01-01", "2024-05-20", "2024-04-01", "2024-06-30", "2024-04-20", "2023-01-01",
                 "2024-06-01", "2024-02-15", "2024-05-10"],
        "amount": [10.0, 50.0, 20.0, 7.0, 15.0, 5.0, 9.0, 8.0, 30.0]})


def test_unit_next_period_by_stage_hand_worked():
    tx = _tx()
    before = tx.copy()
    v = lifecycle_explore.next_period_by_stage(tx, "2024-05-01", horizon_days=60, dormant_after=60)
    pd.testing.assert_frame_equal(tx, before)
    # next period (1 May, 30 Jun]: 1 buys 50, 2 buys 7 (30 Jun is inside), 4 buys 9; 6 is not staged
    assert v["customers"].to_dict() == {"new": 1, "active": 1, "dormant": 2, "lost": 1}
    assert v["buyers_next"].to_dict() == {"new": 0, "active": 1, "dormant": 1, "lost": 1}
    assert v["revenue_next"].to_dict() == {"new": 0.0, "active": 7.0, "dormant": 50.0, "lost": 9.0}
    assert v.loc["dormant", "buying_share"] == 0.5 and v.loc["dormant", "revenue_per_customer"] == 25.0
    assert v["customer_share"].sum() == pytest.approx(1.0)
    with pytest.raises(CRMDataError, match="horizon_days"):
        lifecycle_explore.next_period_by_stage(tx, "2024-05-01", horizon_days=90)   # 30 Jul > last date 30 Jun


def test_unit_lifecycle_view_threshold_and_cohort():
    tx = _tx()
    v = lifecycle_explore.lifecycle_view(tx, "2024-05-01", dormant_after=60, cohort="2024-04", winback_days=50)
    assert v["counts"].to_dict() == {"new": 1, "active": 1, "dormant": 2, "lost": 1}
    # dormant 1 and 5; window (1 May, 20 Jun]: 1 buys on 20 May → 1 of 2
    assert v["winback"] == {"eligible": 2, "won_back": 1, "rate": 0.5}
    # cohort April 2024 = customers 2 and 3 (first orders in April); month 2 (June): 2 buys → 1/2
    assert v["curve"].loc[0] == 1.0 and v["curve"].loc[2] == 0.5
    # a longer threshold: 5 (silent 76 days) is active again, only 1 stays dormant
    v90 = lifecycle_explore.lifecycle_view(tx, "2024-05-01", dormant_after=90, cohort="2024-04", winback_days=50)
    assert v90["counts"].to_dict() == {"new": 1, "active": 2, "dormant": 1, "lost": 1}
    assert v90["winback"]["rate"] == 1.0
    # a window past the log gives no win-back figure rather than a wrong one
    assert lifecycle_explore.lifecycle_view(tx, "2024-05-01", 60, winback_days=90)["winback"] is None
    with pytest.raises(CRMDataError, match="cohort"):
        lifecycle_explore.lifecycle_view(tx, "2024-05-01", 60, cohort="2019-01")


def test_unit_explorer_opens_at_the_course_threshold():
    box = lifecycle_explore.lifecycle_explorer(_tx(), "2024-05-01")
    assert box.children[1].children[0].value == lifecycle.DORMANT_AFTER_DAYS == 120


def test_unit_draw_and_widget_build():
    import ipywidgets as widgets

    tx = _tx()
    cohorts, pooled = lifecycle.cohort_table(tx), lifecycle.retention_curve(tx)
    lifecycle_explore.draw(tx, "2024-05-01", 60, "2024-04", cohorts, pooled)
    box = lifecycle_explore.lifecycle_explorer(tx, "2024-05-01")
    controls = [w for row in box.children[1:-1] for w in row.children]
    assert [type(w) for w in controls] == [widgets.IntSlider, widgets.Dropdown]


def test_functional_moving_the_threshold_redraws():
    titles = []
    box = lifecycle_explore.lifecycle_explorer(_tx(), "2024-05-01")
    note = lambda change=None, fig=box.figure: titles.append(fig.axes[0].get_title())  # noqa: E731
    note()
    for control in box.controls.values():
        control.observe(note, names="value")   # called after the explorer's own update
    threshold = box.children[1].children[0]
    threshold.value = 60                                   # 1 and 5 dormant; 1 is back within 90 days?
    # the 90-day window runs past the log's last date (30 Jun), so no win-back figure is claimed
    assert titles[-1] == "2024-05-01, dormant after 60 days\nno win-back figure (window not observed)"
    assert len(titles) == 2


# ----- exercises: the right answer (computed here) is accepted, a wrong one rejected -----

AT = pd.Timestamp("2025-06-30")


@pytest.fixture(scope="module")
def tx(classroom_log):
    return classroom_log.transactions


def _accepts(ex, right, wrong):
    assert check(ex, right).status == "right"
    assert check(ex, wrong).status == "wrong"
    assert check(ex, ...).status == "not answered"


def test_functional_every_threshold_on_classroom(tx):
    cohorts, pooled = lifecycle.cohort_table(tx), lifecycle.retention_curve(tx)
    dormant = []
    for threshold in range(30, 331, 15):                 # the slider's values
        for cohort in (cohorts.index[0], cohorts.index[-1]):
            v = lifecycle_explore.lifecycle_view(tx, AT, threshold, cohort, cohorts=cohorts, pooled=pooled)
        assert v["counts"].sum() == len(lifecycle.stage_at(tx, AT))   # every customer has one stage
        dormant.append(int(v["counts"]["dormant"]))
    assert dormant == sorted(dormant, reverse=True)      # a longer threshold never adds dormant customers
    assert len(v["curve"]) == 1 and v["curve"].iloc[0] == 1.0   # the newest cohort: month 0 only


def _silence(tx, at):
    upto = tx[tx["date"] <= at]
    g = upto.groupby("customer_id")["date"]
    return (at - g.max()) / pd.Timedelta(days=1), (at - g.min()) / pd.Timedelta(days=1)


def test_exercise_06_dormant_90(tx):
    silence, age = _silence(tx, AT)           # the stage rule written out by hand
    n = int(((age >= 30) & (silence >= 90) & (silence < 365)).sum())
    course = int(((age >= 30) & (silence >= 120) & (silence < 365)).sum())
    assert lifecycle.DORMANT_AFTER_DAYS == 120 and lifecycle.LOST_AFTER_DAYS == 365   # the one definition
    assert int((lifecycle.stage_at(tx, AT)["stage"] == "dormant").sum()) == course    # the defaults use it
    _accepts("06.dormant_90", n, course)


def test_exercise_06_winback_threshold(tx):
    silence, age = _silence(tx, AT)
    later = set(tx[(tx["date"] > AT) & (tx["date"] <= AT + pd.Timedelta(days=90))]["customer_id"])
    paying = []
    for d in range(60, 331, 30):
        dormant = silence.index[(age >= 30) & (silence >= d) & (silence < 365)]
        won = sum(c in later for c in dormant)
        if 30 * won - 4 * len(dormant) > 0:
            paying.append(d)
    assert paying == list(range(60, max(paying) + 1, 30))     # the return falls as the threshold grows
    _accepts("06.winback_threshold", max(paying), max(paying) + 30)


def test_winback_rate_at_180_days_by_hand(tx):
    """The explorer's question (a longer threshold): fewer of a deeper-asleep group come back."""
    silence, age = _silence(tx, AT)
    dormant = silence.index[(age >= 30) & (silence >= 180) & (silence < 365)]
    later = tx[(tx["date"] > AT) & (tx["date"] <= AT + pd.Timedelta(days=90))]["customer_id"].unique()
    rate = pd.Index(dormant).isin(later).mean()
    assert lifecycle.winback_rate(tx, AT, 90, dormant_after=180)["rate"] == pytest.approx(rate)
    assert rate < lifecycle.winback_rate(tx, AT, 90)["rate"]


def test_exercise_06_active_stay_1y(tx):
    start = pd.Timestamp("2024-06-30")
    silence0, age0 = _silence(tx, start)
    silence1, age1 = _silence(tx, AT)
    active0 = silence0.index[(age0 >= 30) & (silence0 < 120)]
    share = ((age1 >= 30) & (silence1 < 120)).reindex(active0).mean()
    half_year = lifecycle.transition_matrix(tx, "2024-12-31", AT, normalize=True).loc["active", "active"]
    _accepts("06.active_stay_1y", share, half_year)          # the half-year figure shown in the text


def test_exercise_06_cohort_m3(tx):
    first = tx.groupby("customer_id")["date"].min()
    cohort = first.index[first.dt.to_period("M") == pd.Period("2024-01", freq="M")]
    april = tx[tx["date"].dt.to_period("M") == pd.Period("2024-04", freq="M")]["customer_id"].unique()
    share = pd.Index(cohort).isin(april).mean()
    _accepts("06.cohort_2024_01_m3", share, share + 0.1)
