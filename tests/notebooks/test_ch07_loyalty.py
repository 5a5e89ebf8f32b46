"""Chapter 07 (satisfaction and loyalty): the explorer's compute functions against hand-worked
numbers, the shipped grid of market runs against a fresh run, the numbers the text states, and every
exercise's self-check against an answer computed here."""
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

import crmlab.explore
import sim
from crmlab import loyalty
from crmlab.errors import CRMDataError
from crmlab.exercises import check
from crmlab.explore import loyalty as loyalty_explore

matplotlib.use("agg")


# ---------------------------------------------------------------- explorer: compute functions

def _runs():
    # two satisfaction levels × two switching costs × two seeds
    rows = []
    for m, cost, seed, ret, rep, ref in [(0.4, 0.0, 1, 0.70, 0.60, 0.10), (0.4, 0.0, 2, 0.74, 0.62, 0.14),
                                         (0.4, 1.0, 1, 0.80, 0.70, 0.12), (0.4, 1.0, 2, 0.86, 0.72, 0.16),
                                         (0.8, 0.0, 1, 0.84, 0.80, 0.60), (0.8, 0.0, 2, 0.86, 0.84, 0.70),
                                         (0.8, 1.0, 1, 0.90, 0.86, 0.62), (0.8, 1.0, 2, 0.94, 0.88, 0.66)]:
        rows.append({"satisfaction": m, "switching_cost": cost, "seed": seed, "retention": ret,
                     "repeat_rate": rep, "referral_share": ref, "customers_acquired": 100})
    return pd.DataFrame(rows)


def test_unit_outcome_curves_and_cell_lookup_hand_worked():
    runs = _runs()
    curves = loyalty_explore.outcome_curves(runs, 0.4)
    assert curves.index.tolist() == [0.0, 1.0]
    # means over the two seeds: (0.70 + 0.74)/2 = 0.72, (0.80 + 0.86)/2 = 0.83
    assert curves["retention"].tolist() == pytest.approx([0.72, 0.83])
    assert curves["retention_low"].tolist() == [0.70, 0.80] and curves["retention_high"].tolist() == [0.74, 0.86]
    assert loyalty_explore.loyalty_outcomes(runs, 0.8, 1.0) == pytest.approx(
        {"retention": 0.92, "repeat_rate": 0.87, "referral_share": 0.64})
    # a float that is the grid value up to rounding is found
    assert loyalty_explore.loyalty_outcomes(runs, 0.1 * 8, 1.0)["retention"] == pytest.approx(0.92)


def test_unit_lookups_outside_the_grid_are_refused():
    runs = _runs()
    with pytest.raises(CRMDataError, match=r"'satisfaction'.*not a value of the grid.*got 0.5; grid: \[0.4, 0.8\]"):
        loyalty_explore.outcome_curves(runs, 0.5)
    with pytest.raises(CRMDataError, match=r"'switching_cost'.*not a value of the grid.*got 0.3"):
        loyalty_explore.loyalty_outcomes(runs, 0.4, 0.3)
    with pytest.raises(CRMDataError, match="'retention'.*missing column in runs"):
        loyalty_explore.outcome_curves(runs.drop(columns="retention"), 0.4)


def test_unit_run_outcomes_hand_worked():
    # observation end 31 Dec 2025: the last year starts 31 Dec 2024.
    #   1: acquired 2024, never left            → there at the start, kept
    #   2: acquired 2024, left June 2025         → there at the start, not kept
    #   3: acquired 2024, left June 2024         → gone before the start
    #   4: acquired March 2025 (referred by 1)   → not there at the start
    #   5: never acquired
    # retention 1/2; referral share 1 of 4 acquired; repeat rate: orders 1 ×2, 2 ×1, 4 ×3 → 2 of 3
    customers = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5],
                              "acquired_at": pd.to_datetime(["2024-01-10", "2024-05-01", "2024-02-01",
                                                             "2025-03-01", None]),
                              "referred_by": pd.array([pd.NA, pd.NA, pd.NA, 1, pd.NA], dtype="Int64")})
    truth = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5],
                          "churn_date": pd.to_datetime([None, "2025-06-01", "2024-06-01", None, None])})
    tx = pd.DataFrame({"customer_id": [1, 1, 2, 4, 4, 4], "date": pd.to_datetime(["2024-01-10"] * 6)})
    log = SimpleNamespace(customers=customers, truth=truth, transactions=tx,
                          observation_end=pd.Timestamp("2025-12-31"))
    assert loyalty_explore.run_outcomes(log) == pytest.approx(
        {"retention": 0.5, "repeat_rate": 2 / 3, "referral_share": 0.25, "customers_acquired": 4})


# ---------------------------------------------------------------- explorer: the shipped grid

@pytest.fixture(scope="module")
def shipped():
    return loyalty_explore.load_runs()


def test_functional_shipped_grid_is_small_and_complete(shipped):
    assert loyalty_explore.RUNS_FILE.stat().st_size <= 200_000
    assert len(shipped) == len(loyalty_explore.SATISFACTION) * len(loyalty_explore.SWITCHING) * len(
        loyalty_explore.SEEDS) == 75
    cells = shipped.groupby(["satisfaction", "switching_cost"]).size()
    assert (cells == len(loyalty_explore.SEEDS)).all()
    assert sorted(shipped["satisfaction"].unique()) == list(loyalty_explore.SATISFACTION)
    assert sorted(shipped["switching_cost"].unique()) == list(loyalty_explore.SWITCHING)
    # the classroom market sits on the grid: mean satisfaction 6/(6+4) = 0.6, switching cost 0.3
    cfg = sim.scenario("classroom")
    assert cfg.satisfaction_a / (cfg.satisfaction_a + cfg.satisfaction_b) == 0.6 and cfg.switching_cost_mean == 0.3
    assert cfg.satisfaction_a + cfg.satisfaction_b == 10.0            # the spread the grid keeps


def test_functional_shipped_grid_regenerates(shipped):
    # one cell, one seed, simulated again now: the same numbers as the shipped file
    fresh = loyalty_explore.make_runs((0.6,), (0.3,), (2,))
    row = shipped[(shipped["satisfaction"] == 0.6) & (shipped["switching_cost"] == 0.3) & (shipped["seed"] == 2)]
    pd.testing.assert_frame_equal(fresh.reset_index(drop=True), row.reset_index(drop=True), check_dtype=False)


def test_functional_grid_tells_the_chapter_story(shipped):
    # the text: switching cost buys retention but hardly any referrals; satisfaction buys both
    def mean(m, c, col):
        return loyalty_explore.loyalty_outcomes(shipped, m, c)[col]
    retention_by_cost = mean(0.6, 1.5, "retention") - mean(0.6, 0.0, "retention")
    retention_by_sat = mean(0.8, 0.3, "retention") - mean(0.4, 0.3, "retention")
    assert retention_by_cost > 0.05 and retention_by_sat > 0.05
    assert mean(0.8, 0.3, "referral_share") - mean(0.4, 0.3, "referral_share") > 0.4
    assert abs(mean(0.6, 1.5, "referral_share") - mean(0.6, 0.0, "referral_share")) < 0.05
    # retention rises with the switching cost at every satisfaction level (end to end)
    for m in loyalty_explore.SATISFACTION:
        assert mean(m, 1.5, "retention") > mean(m, 0.0, "retention")


def test_functional_explorer_update_equals_a_fresh_figure(shipped):
    box = loyalty_explore.loyalty_explorer(shipped)
    assert box.controls["satisfaction"].value == 0.6 and box.controls["switching_cost"].value == 0.3
    for name, new in [("satisfaction", 0.4), ("switching_cost", 1.5), ("satisfaction", 0.8),
                      ("switching_cost", 0.0)]:
        box.controls[name].value = new
        values = {k: c.value for k, c in box.controls.items()}
        assert bytes(box.image.value) == crmlab.explore.render_png(box.setup, **values), f"{name} = {new}"
        title = box.figure.texts[0].get_text() if box.figure.texts else box.figure.get_suptitle()
        chosen = loyalty_explore.loyalty_outcomes(shipped, **values)
        assert f"retention {chosen['retention']:.0%}" in title
    assert box.renderer.frames_drawn == 1              # only data and the headline move


def test_unit_draw_loyalty_off_grid_is_refused(shipped):
    loyalty_explore.draw_loyalty(shipped, 0.8, 1.0)
    with pytest.raises(CRMDataError, match="'satisfaction'.*not a value of the grid"):
        crmlab.explore.render_png(lambda fig: loyalty_explore.loyalty_figure(fig, shipped), satisfaction=0.65,
                                  switching_cost=0.3)


# ---------------------------------------------------------------- the numbers the text states

@pytest.fixture(scope="module")
def data(classroom_log):
    return classroom_log


def test_text_numbers_come_from_the_market(data):
    params = data.card["parameters"]
    # "a warned person converts half as often"; "the source says 25" beside the market's setting
    assert params["deterred_conversion_multiplier"] == 0.5 and params["dissatisfied_reach"] == 25.0
    measured = data.card["measured"]
    assert measured["dissatisfied_reach"] < 25                       # "Fewer than 25"
    # "switching cost of at least 0.6 (twice the market's mean)"
    assert params["switching_cost_mean"] * 2 == 0.6
    # the attitude rule stated: mean satisfaction ≥ 4 or mean NPS ≥ 9; behaviour: two or more orders
    import inspect
    sig = inspect.signature(loyalty.loyalty_class).parameters
    assert (sig["satisfied_at"].default, sig["promoter_at"].default, sig["min_orders"].default) == (4.0, 9.0, 2)
    # explorer text: markets of 2,000 people over three years, three seeds; grid ends 0 → 1.5 and 0.4 → 0.8
    assert (loyalty_explore.CUSTOMERS, loyalty_explore.YEARS, len(loyalty_explore.SEEDS)) == (2000, 3, 3)
    assert (loyalty_explore.SWITCHING[0], loyalty_explore.SWITCHING[-1]) == (0.0, 1.5)
    assert (loyalty_explore.SATISFACTION[0], loyalty_explore.SATISFACTION[-1]) == (0.4, 0.8)
    # "the satisfaction index sits above the middle of the scale, yet the NPS is deeply negative"
    assert loyalty.satisfaction_index(data.surveys["satisfaction"]) > 50 and loyalty.nps(data.surveys["nps"]) < -30
    # "the call centre is lightly loaded": the longest wait is under an hour
    waits = (data.service["answered_at"] - data.service["opened_at"]).dt.total_seconds() / 3600
    assert waits.max() < 1


def test_text_yearly_nps_fall_is_just_beyond_the_noise(data):
    # "the yearly intervals overlap, yet the interval of the change stays below zero, only just";
    # "only changes of about ten points show"
    sv = data.surveys
    y = sv["date"].dt.year
    a, b = (loyalty.nps_interval(sv.loc[y == year, "nps"], n_boot=2000, seed=7) for year in (2024, 2025))
    assert a.low < b.high                                            # the yearly intervals overlap
    fall = loyalty.nps_change_interval(sv.loc[y == 2024, "nps"], sv.loc[y == 2025, "nps"], n_boot=2000, seed=7)
    assert -2 < fall.high < 0 and fall.estimate < 0
    assert 8 < fall.half_width < 12


def test_text_claims_about_churn_and_complaints(data):
    horizon = data.card["holdout_end"]
    truth = data.truth.set_index("customer_id")["churn_date"]

    def left_within_a_year(events, date):
        end = pd.Timestamp(horizon)
        ev = events[events[date] + pd.Timedelta(days=365) <= end]
        c = ev["customer_id"].map(truth)
        return ev.assign(left=(c > ev[date]) & (c <= ev[date] + pd.Timedelta(days=365)))

    sv = left_within_a_year(data.surveys, "date")
    ratio = sv.loc[sv["satisfaction"] == 2, "left"].mean() / sv.loc[sv["satisfaction"] >= 4, "left"].mean()
    assert 1.6 < ratio < 2.4                                         # "about twice as often"
    tickets = left_within_a_year(data.service, "opened_at")
    by_kind = tickets.groupby("kind")["left"].mean()
    assert abs(by_kind["complaint"] - by_kind["question"]) < 0.05   # "the kind hardly foretells churn"
    by_rating = tickets.groupby("satisfaction")["left"].mean()
    assert by_rating[2] > 1.5 * tickets.loc[tickets["satisfaction"] >= 4, "left"].mean()   # "the rating does"
    # per-customer complaint counts mislead: customers with a complaint churned less often than those without
    acquired = data.truth[data.truth["acquired"]].set_index("customer_id")
    complained = acquired.index.isin(data.service.loc[data.service["kind"] == "complaint", "customer_id"])
    assert acquired.loc[complained, "churned"].mean() < acquired.loc[~complained, "churned"].mean()


def test_text_spurious_table(data):
    params = data.card["parameters"]
    a = data.truth[data.truth["acquired"]]
    unhappy = a["satisfaction_final"] < params["satisfied_above"]
    high, low = a["switching_cost"] >= 0.6, a["switching_cost"] < 0.3
    # a higher switching cost keeps more customers in both rows
    assert a.loc[unhappy & high, "churned"].mean() < a.loc[unhappy & low, "churned"].mean()
    assert a.loc[~unhappy & high, "churned"].mean() < a.loc[~unhappy & low, "churned"].mean()
    # "a not-satisfied customer with a high switching cost stays about as often as a satisfied one with a low cost"
    assert abs(a.loc[unhappy & high, "churned"].mean() - a.loc[~unhappy & low, "churned"].mean()) < 0.05
    # the cognitive level is the largest surveyed level
    levels = loyalty.loyalty_level(data.transactions, data.surveys)["level"].value_counts()
    assert levels.drop("unsurveyed").idxmax() == "cognitive"


# ---------------------------------------------------------------- exercises

def _accepts(ex, right, wrong):
    assert check(ex, right).status == "right"
    assert check(ex, wrong).status == "wrong"
    assert check(ex, ...).status == "not answered"


def _bootstrap_nps(answers, rng, n_boot=2000):
    """The percentile bootstrap written out: NPS of each resample drawn with replacement."""
    a = np.asarray(answers)
    idx = rng.integers(0, len(a), size=(n_boot, len(a)))
    sample = a[idx]
    return 100 * ((sample >= 9).mean(axis=1) - (sample <= 6).mean(axis=1))


def test_exercise_07_nps_interval(data):
    answers = data.surveys["nps"].to_numpy()
    stats = _bootstrap_nps(answers, np.random.default_rng(7))
    low, high = np.quantile(stats, [0.025, 0.975])
    # the normal approximation agrees to within a point: NPS ± 1.96 · sd(100/0/−100 scores)/√n
    scores = 100 * ((answers >= 9).astype(int) - (answers <= 6).astype(int))
    half = 1.96 * scores.std(ddof=1) / np.sqrt(len(scores))
    assert (high - low) / 2 == pytest.approx(half, abs=1.0)
    _accepts("07.nps_interval", [low, high], [low - 2, high + 2])


def test_exercise_07_half_year_change(data):
    sv = data.surveys
    first = sv.loc[(sv["date"] >= "2025-01-01") & (sv["date"] < "2025-07-01"), "nps"].to_numpy()
    second = sv.loc[sv["date"] >= "2025-07-01", "nps"].to_numpy()

    def nps(a):
        return 100 * ((a >= 9).mean() - (a <= 6).mean())
    change = nps(second) - nps(first)
    assert 3 < change < 8                                   # "rose" by a few points
    rng = np.random.default_rng(7)
    stats = _bootstrap_nps(second, rng) - _bootstrap_nps(first, rng)   # the library draws the later survey first
    low, high = np.quantile(stats, [0.025, 0.975])
    noise = bool(low <= 0 <= high)
    # the normal approximation: the change is within 1.96 standard errors of 0
    se = np.sqrt(sum(np.var(100 * ((a >= 9).astype(int) - (a <= 6).astype(int)), ddof=1) / len(a)
                     for a in (first, second)))
    assert noise == (abs(change) < 1.96 * se) and noise
    _accepts("07.half_year_change", {"change": change, "could_be_noise": noise},
             {"change": change, "could_be_noise": not noise})
    assert check("07.half_year_change", {"change": -change, "could_be_noise": noise}).status == "wrong"


def test_exercise_07_churn_ratio(data):
    truth = data.truth.set_index("customer_id")["churn_date"]
    sv = data.surveys
    assert (sv["date"] + pd.Timedelta(days=365) <= pd.Timestamp(data.card["holdout_end"])).all()
    c = sv["customer_id"].map(truth)
    left = (c > sv["date"]) & (c <= sv["date"] + pd.Timedelta(days=365))
    ratio = left[sv["satisfaction"] <= 2].mean() / left[sv["satisfaction"] >= 4].mean()
    _accepts("07.churn_ratio", ratio, ratio * 1.1)


def test_exercise_07_spurious(data):
    params = data.card["parameters"]
    t = data.truth
    n = int((t["acquired"] & ~t["churned"] & (t["satisfaction_final"] < params["satisfied_above"])
             & (t["switching_cost"] >= 0.6)).sum())
    assert n > 0
    _accepts("07.spurious", {"customers": n, "action": "b"}, {"customers": n, "action": "a"})
    assert check("07.spurious", {"customers": n, "action": "c"}).status == "wrong"
    assert check("07.spurious", {"customers": n + 1, "action": "b"}).status == "wrong"
    # the observable ladder finds them on the cognitive level, never on the top two
    levels = loyalty.loyalty_level(data.transactions, data.surveys)["level"]
    ids = t.loc[t["acquired"] & ~t["churned"] & (t["satisfaction_final"] < params["satisfied_above"])
                & (t["switching_cost"] >= 0.6), "customer_id"]
    found = levels.reindex(ids).dropna().astype(str).value_counts()
    assert found.get("behavioural", 0) == 0 and found.get("emotional", 0) == 0 and found["cognitive"] > 0
