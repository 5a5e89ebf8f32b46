"""Chapter 10 (predictive CRM): the explorer's compute functions against hand-worked numbers, a warm
update against a fresh figure, the claims the text makes, and every exercise's self-check against an
answer computed here (P(alive) from the BG/NBD formula written out, rankings sorted by hand)."""
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

import crmlab.explore
import sim
from crmlab import clv, predict, tiers
from crmlab.errors import CRMDataError
from crmlab.exercises import check
from crmlab.explore import predict as target

matplotlib.use("agg")


# ---------------------------------------------------------------- explorer

def _ten():
    score = pd.Series([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
    churned = pd.Series([1, 1, 0, 1, 0, 0, 0, 0, 0, 0])
    revenue = pd.Series([0, 0, 50, 0, 10, 10, 10, 10, 10, 0.0])
    return target.targeting_curves(score, churned, revenue)


def test_unit_targeting_hand_worked():
    curves = _ten()
    assert curves["churners"].tolist() == [0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3]
    # top 20%: the two highest scores, both churners: 2 of 3 captured, precision 1, lift (2/3)/0.2; no revenue
    t = target.targeting(curves, 0.2)
    assert t == pytest.approx({"targeted": 2, "churners": 2, "captured_share": 2 / 3, "precision": 1.0,
                               "lift": 10 / 3, "revenue_share": 0.0, "threshold": 0.8})
    # top 30%: ⌈3⌉ = 3 customers, the third spends 50 of the 100 → half the revenue, precision 2/3
    t = target.targeting(curves, 0.3)
    assert (t["targeted"], t["churners"]) == (3, 2)
    assert t["precision"] == pytest.approx(2 / 3) and t["revenue_share"] == pytest.approx(0.5)
    assert target.targeting(curves, 1.0)["lift"] == pytest.approx(1.0)


def test_unit_targeting_refuses_bad_shares():
    curves = _ten()
    with pytest.raises(CRMDataError, match="share"):
        target.targeting(curves, 0.0)
    with pytest.raises(CRMDataError, match="share"):
        target.targeting(curves, 1.5)
    with pytest.raises(CRMDataError, match="score"):
        target.targeting_curves(pd.Series([], dtype=float), pd.Series([], dtype=float), pd.Series([], dtype=float))


def test_functional_explorer_update_equals_a_fresh_figure():
    curves = _ten()
    box = target.targeting_explorer(curves, share=0.2)
    for new in (0.3, 1.0, 0.05, 0.5):
        box.controls["share"].value = new
        assert bytes(box.image.value) == crmlab.explore.render_png(box.setup, share=new), f"share = {new}"
        t = target.targeting(curves, new)
        titles = [ax.get_title() for ax in box.figure.axes]
        assert f"{t['targeted']:,} targeted: {t['churners']:,} churners" in titles[0]
        assert f"lift {t['lift']:.2f}" in titles[1]
    assert box.renderer.frames_drawn == 1              # axes never move: only the marks and titles do


# ---------------------------------------------------------------- the chapter's market set-up

@pytest.fixture(scope="module")
def book():
    log = sim.simulate(sim.scenario("textbook"), customers=2000, seed=7)
    end = pd.Timestamp(log.card["observation_end"]).normalize()
    summary = clv.summarize(log.transactions, end, freq="W", merge_same_day=False)
    bg = clv.BGNBD().fit(summary)
    return log, summary, bg


@pytest.fixture(scope="module")
def room(classroom_log):
    data = classroom_log
    tx, truth = data.transactions, data.truth
    end = pd.Timestamp(data.card["observation_end"]).normalize()
    weeks = (pd.Timestamp(data.card["holdout_end"]) - end).days / 7
    summary = clv.summarize(tx, end, freq="W", merge_same_day=False)
    bg, gg = clv.BGNBD().fit(summary), clv.GammaGamma().fit(summary)
    split = predict.time_split(tx, end - pd.DateOffset(years=1), end, service=data.service, truth=truth)
    risk = predict.churn_scores(predict.fit_churn_models(split.train, random_state=0), split.test)
    return dict(data=data, end=end, weeks=weeks, summary=summary, bg=bg, gg=gg, split=split, risk=risk,
                truth=truth.set_index("customer_id").reindex(summary.index))


def _p_alive_by_hand(params, x, tx, T):
    """BG/NBD: 1 / (1 + a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x)) for x > 0, and 1 for x = 0."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x)
    return np.where(x > 0, 1 / (1 + odds), 1.0)


def _top_share(score, outcome, top=0.1):
    """Share of the outcome held by the first ⌈top·n⌉ customers, highest score first, ties by id."""
    frame = pd.DataFrame({"s": score, "y": outcome}).sort_index().sort_values("s", ascending=False, kind="stable")
    k = math.ceil(round(top * len(frame), 9))
    return frame["y"].iloc[:k].sum() / frame["y"].sum()


def _accepts(ex, right, wrong):
    assert check(ex, right).status == "right"
    assert check(ex, wrong).status == "wrong"
    assert check(ex, ...).status == "not answered"


# ---------------------------------------------------------------- the claims the text makes

def test_text_textbook_parameters_inside_their_intervals(book):
    log, _, bg = book
    table = bg.summary
    for name in ("r", "alpha", "a", "b"):
        true = log.card["parameters"][name]
        assert table.loc[name, "lower"] <= true <= table.loc[name, "upper"], name


def test_text_classroom_bgnbd_too_hopeful_but_totals_within_a_tenth(room):
    s, bg, truth = room["summary"], room["bg"], room["truth"]
    alive = _p_alive_by_hand(bg.params_, s["frequency"], s["recency"], s["T"])
    assert alive.mean() > (~truth["churned"]).mean() + 0.05                 # too hopeful
    assert (alive[s["frequency"].to_numpy() == 0] == 1).all()                # one-time buyers: P(alive) = 1
    low, high = alive < 0.2, alive > 0.8                                     # the ranking still works
    assert (~truth["churned"])[low].mean() < 0.1 < 0.8 < (~truth["churned"])[high].mean()
    expected = bg.expected_purchases(room["weeks"], s["frequency"], s["recency"], s["T"]).sum()
    assert 0.9 < expected / truth["holdout_purchases"].sum() < 1.1
    revenue = clv.customer_lifetime_value(bg, room["gg"], s, horizon=round(room["weeks"]), discount_rate=0.0,
                                          freq="W").sum()
    assert 0.9 < revenue / truth["holdout_revenue"].sum() < 1.1


def test_text_models_and_recency_rank_churners_alike(room):
    test, risk = room["split"].test, room["risk"]
    churners = test["no_purchase"].astype(int)
    lifts = {name: predict.gains_table(risk[name], churners)["lift"].iloc[0] for name in risk}
    lifts["recency"] = predict.gains_table(test["recency_days"].astype(float), churners)["lift"].iloc[0]
    assert min(lifts.values()) > 2.0                                          # far better than a random list
    assert max(lifts.values()) - min(lifts.values()) < 0.2                    # and close to each other


def test_text_calibration_a_little_below_the_diagonal_in_the_middle(room):
    test, risk = room["split"].test, room["risk"]
    calib = predict.calibration_table(risk["gradient boosting"], test["no_purchase"].astype(float))
    middle = calib.loc[2:4]
    assert (middle["observed"] < middle["predicted"]).all()
    assert (abs(calib["observed"] - calib["predicted"]) < 0.15).all()        # roughly what it says


def test_text_clusters_two_far_back_and_mostly_gone_tiers_spread(room):
    clusters = predict.rfm_clusters(room["split"].test, k=5, random_state=0, n_init=10)
    centres = clusters.attrs["centres"]
    gone = room["truth"]["churned"].reindex(clusters.index).groupby(clusters["cluster"]).mean()
    far_back = centres["recency_days"].nlargest(2).index
    assert (centres.loc[far_back, "recency_days"] > 365).all() and (gone[far_back] > 0.5).all()
    assert centres["monetary"].is_monotonic_decreasing                       # numbered by mean spend
    tier = tiers.five_tier(room["data"].transactions, as_of=room["end"])["tier"].reindex(clusters.index)
    assert (pd.crosstab(tier, clusters["cluster"]).gt(0).sum(axis=1) >= 3).all()


# ---------------------------------------------------------------- exercises

def test_exercise_10_book_alive(book):
    log, s, bg = book
    alive = _p_alive_by_hand(bg.params_, s["frequency"], s["recency"], s["T"])
    np.testing.assert_allclose(alive, bg.probability_alive(s["frequency"], s["recency"], s["T"]), rtol=1e-9)
    really = ~log.truth.set_index("customer_id").reindex(s.index)["churned"].to_numpy()
    share = really[alive >= 0.8].mean()
    assert 0.9 < share <= 1.0
    _accepts("10.book_alive", share, share - 0.05)


def test_exercise_10_forecast_ratio(room):
    s, bg = room["summary"], room["bg"]
    ratio = bg.expected_purchases(room["weeks"], s["frequency"], s["recency"], s["T"]).sum() \
        / room["truth"]["holdout_purchases"].sum()
    _accepts("10.forecast_ratio", ratio, 1 / ratio)


def test_exercise_10_top_decile_revenue(room):
    test, risk = room["split"].test, room["risk"]
    revenue = test["next_revenue"]
    p_alive = pd.Series(_p_alive_by_hand(room["bg"].params_, room["summary"]["frequency"], room["summary"]["recency"],
                                         room["summary"]["T"]), index=room["summary"].index).reindex(test.index)
    shares = {"recency": _top_share(-test["recency_days"].astype(float), revenue),
              "p_alive": _top_share(p_alive, revenue),
              "classifier": _top_share(1 - risk["gradient boosting"], revenue)}
    best = max(shares, key=shares.get)
    assert shares["p_alive"] < 0.05 < shares["classifier"]                 # P(alive) = 1 for one-time buyers
    _accepts("10.top_decile_revenue", {"best": best, "share": shares[best]},
             {"best": "p_alive", "share": shares[best]})
    assert check("10.top_decile_revenue", {"best": best, "share": shares[best] * 1.1}).status == "wrong"


def test_exercise_10_clusters_or_tiers(room):
    clusters = predict.rfm_clusters(room["split"].test, k=5, random_state=0, n_init=10)
    gone = room["truth"]["churned"].reindex(clusters.index)
    tier = tiers.five_tier(room["data"].transactions, as_of=room["end"])["tier"].reindex(clusters.index)
    spread = {name: float(gone.groupby(groups).mean().max() - gone.groupby(groups).mean().min())
              for name, groups in (("clusters", clusters["cluster"]), ("tiers", tier))}
    assert spread["clusters"] > 3 * spread["tiers"]
    right = {"cluster_spread": spread["clusters"], "tier_spread": spread["tiers"], "use": "clusters"}
    _accepts("10.clusters_or_tiers", right, {**right, "use": "tiers"})
    assert check("10.clusters_or_tiers", {**right, "tier_spread": spread["clusters"]}).status == "wrong"


def test_exercise_10_half_the_churners(room):
    test, risk = room["split"].test, room["risk"]
    frame = pd.DataFrame({"s": risk["gradient boosting"], "y": test["no_purchase"].astype(int),
                          "r": test["next_revenue"]}).sort_index().sort_values("s", ascending=False, kind="stable")
    n, total = len(frame), frame["y"].sum()
    steps = [round(0.05 * i, 2) for i in range(1, 21)]
    share = next(s for s in steps if frame["y"].iloc[:math.ceil(round(s * n, 9))].sum() >= total / 2)
    held = frame["r"].iloc[:math.ceil(round(share * n, 9))].sum() / frame["r"].sum()
    assert held < 0.05                                                     # the list holds almost no revenue
    _accepts("10.half_the_churners", {"share": share, "offer_to": "b"}, {"share": share, "offer_to": "a"})
    assert check("10.half_the_churners", {"share": share + 0.05, "offer_to": "b"}).status == "wrong"
