"""Chapter 05 (tiers and the whale curve): the explorer's compute functions against
hand-worked numbers, and every exercise's self-check against an answer computed here."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

from crmlab import tiers, value
from crmlab.errors import CRMDataError
from crmlab.exercises import check
from crmlab.explore import tiers as tiers_explore

matplotlib.use("agg")


def test_unit_cost_to_serve_hand_worked():
    tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "date": ["2024-01-01"] * 4, "amount": [1.0] * 4})
    tickets = pd.DataFrame({"customer_id": [3, 3, 3, 1, 7]})     # customer 7 never ordered: not counted
    before = tickets.copy()
    cts = tiers_explore.cost_to_serve(tx, tickets, per_order=1.5, per_ticket=12.0)
    # 1: 2·1.5 + 1·12 = 15; 2: 1.5; 3: 1.5 + 3·12 = 37.5
    assert cts.to_dict() == {1: 15.0, 2: 1.5, 3: 37.5}
    pd.testing.assert_frame_equal(tickets, before)
    assert tiers_explore.cost_to_serve(tx).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(CRMDataError, match="per_ticket"):
        tiers_explore.cost_to_serve(tx, tickets, per_ticket=-1)
    with pytest.raises(CRMDataError, match="customer_id"):
        tiers_explore.cost_to_serve(tx, pd.DataFrame({"client": [1]}), per_ticket=1)


def _nine_corners():
    # cycle 5 / 30 / 90 days × amount 10 / 40 / 100 per order; two orders each
    rows, cid = [], 0
    for cycle in (5, 30, 90):
        for amount in (10.0, 40.0, 100.0):
            cid += 1
            first = pd.Timestamp("2024-01-01")
            rows += [(cid, first, amount), (cid, first + pd.Timedelta(days=cycle), amount)]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def test_unit_retier_matches_five_tier_and_cuts_at_boundaries():
    tx = _nine_corners()
    cuts = {"cycle": (10, 60), "amount": (20, 50)}
    features = tiers.five_tier(tx)
    again = tiers_explore.retier(features, cuts)
    pd.testing.assert_series_equal(again["tier"], tiers.five_tier(tx, cuts)["tier"])
    # customer 3: cycle 5 (short), amount 100 (large) → platinum; customer 7: 90 days, 10 → optimize
    assert again.loc[3, "tier"] == "platinum" and again.loc[7, "tier"] == "optimize"
    # a value equal to a cut-off falls in the lower class: cycle 30 with cuts (30, 60) is short
    assert tiers_explore.retier(features, {"cycle": (30, 60), "amount": (20, 50)}).loc[6, "tier"] == "platinum"
    with pytest.raises(CRMDataError, match="cutoffs"):
        tiers_explore.retier(features, {"cycle": (60, 10), "amount": (20, 50)})
    with pytest.raises(CRMDataError, match="cutoffs"):
        tiers_explore.retier(features, {"cycle": (10, 60)})


def test_unit_tier_shares_hand_worked():
    tx = _nine_corners()
    features = tiers.five_tier(tx)
    profit = pd.Series(np.arange(1.0, 10.0), index=range(1, 10))      # customer i earns i
    res = tiers_explore.tier_shares(features, profit, {"cycle": (10, 60), "amount": (20, 50)},
                                    baseline=features["tier"])
    s = res["summary"]
    # grid with cuts (10, 60)/(20, 50): platinum {3}, gold {2, 6}, silver {1, 5, 9}, development {4, 8}, optimize {7}
    assert s["customers"].tolist() == [1, 2, 3, 2, 1]
    assert s["profit"].tolist() == [3.0, 8.0, 15.0, 12.0, 7.0]        # total 45
    assert s["profit_share"].tolist() == pytest.approx([3 / 45, 8 / 45, 15 / 45, 12 / 45, 7 / 45])
    assert s.loc["gold", "profit_per_customer"] == 4.0
    assert res["grid"].to_numpy().sum() == 9 and (res["grid"].to_numpy() == 1).all()
    # tertile cut-offs on the same data put exactly the same customers in the same squares
    assert res["changed"] == 0
    moved = tiers_explore.tier_shares(features, profit, {"cycle": (40, 60), "amount": (20, 50)},
                                      baseline=features["tier"])
    # cycle 30 becomes short: 4 development → silver, 5 silver → gold, 6 gold → platinum
    assert moved["changed"] == 3
    with pytest.raises(CRMDataError, match="profit"):
        tiers_explore.tier_shares(features, profit.iloc[:5])


def test_unit_draw_and_widget_build():
    import ipywidgets as widgets

    tx = _nine_corners()
    profit = pd.Series(np.arange(1.0, 10.0), index=range(1, 10))
    tiers_explore.draw(tiers.five_tier(tx), profit, (10, 60), (20, 50))
    box = tiers_explore.tier_explorer(tx, profit)
    sliders = [w for row in box.children[1:-1] for w in row.children]
    assert [type(w) for w in sliders] == [widgets.FloatRangeSlider, widgets.FloatRangeSlider]


def test_functional_moving_a_cutoff_redraws():
    titles = []
    tx = _nine_corners()
    box = tiers_explore.tier_explorer(tx, pd.Series(np.arange(1.0, 10.0), index=range(1, 10)))
    note = lambda change=None, fig=box.figure: titles.append(fig.axes[1].get_title())  # noqa: E731
    note()
    for control in box.controls.values():
        control.observe(note, names="value")   # called after the explorer's own update
    cycle = box.children[1].children[0]
    assert titles[-1] == "Share per tier (0 changed tier since the start)"   # starts at the tertiles
    cycle.value = (40.0, 60.0)                             # cycle 30 becomes short: 3 customers move up
    assert titles[-1] == "Share per tier (3 changed tier since the start)"


def test_unit_start_cutoffs_snap_up_without_moving_anyone():
    assert tiers_explore.snap_up(19.0871, 0.01) == 19.09 and tiers_explore.snap_up(40.0, 0.1) == 40.0
    assert tiers_explore.snap_up(40.01, 0.1) == 40.1
    f = pd.DataFrame({"cycle": [10.04, 10.2, 50.0], "amount": [19.081, 19.1, 40.0]}, index=[1, 2, 3])
    f.attrs["cutoffs"] = {"cycle": (10.04, 50.0), "amount": (19.081, 40.0)}
    assert tiers_explore.start_cutoffs(f) == {"cycle": (10.04, 50.0), "amount": (19.09, 40.0)}
    assert tiers_explore.start_cutoffs(f, cycle_step=0.1)["cycle"] == (10.1, 50.0)
    with pytest.raises(CRMDataError, match="features"):
        tiers_explore.start_cutoffs(pd.DataFrame({"cycle": [1.0]}))


# ----- exercises: the right answer (computed here) is accepted, a wrong one rejected -----

@pytest.fixture(scope="module")
def classroom(classroom_log):
    return classroom_log


def test_functional_explorer_opens_at_the_grid_above(classroom):
    """The explorer's sliders open where the chapter's grid was cut: same squares, 0 changed."""
    tx = classroom.transactions
    as_of = pd.Timestamp(classroom.card["observation_end"])
    grid = tiers.five_tier(tx, as_of=as_of)
    box = tiers_explore.tier_explorer(tx, value.customer_profit(tx)["profit"], start=grid)
    cuts = {k: tuple(box.controls[k].value) for k in ("cycle", "amount")}
    again = tiers_explore.tier_shares(grid, value.customer_profit(tx)["profit"], cuts, baseline=grid["tier"])
    assert again["changed"] == 0
    expected = grid.groupby(["amount_class", "cycle_class"]).size()
    assert all(again["grid"].at[a, c] == n for (a, c), n in expected.items())
    assert box.figure.axes[1].get_title() == "Share per tier (0 changed tier since the start)"


def _accepts(ex, right, wrong):
    assert check(ex, right).status == "right"
    assert check(ex, wrong).status == "wrong"
    assert check(ex, ...).status == "not answered"


def test_exercise_05_platinum_round_cutoffs(classroom):
    as_of = pd.Timestamp(classroom.card["observation_end"])
    tx = classroom.transactions
    g = tx.groupby("customer_id")
    first, last, n, total = g["date"].min(), g["date"].max(), g.size(), g["amount"].sum()
    day = pd.Timedelta(days=1)
    # cycle = (last − first) / (orders − 1); a single buyer's cycle = days from the order to as_of
    cycle = ((last - first) / day / (n - 1)).where(n > 1, (as_of - first) / day)
    platinum = int(((cycle <= 30) & (total / n > 40)).sum())     # short cycle and large amount
    tertiles = int((tiers.five_tier(tx, as_of=as_of)["tier"] == "platinum").sum())
    _accepts("05.platinum_round_cutoffs", platinum, tertiles if tertiles != platinum else platinum + 1)


def test_functional_slider_extremes_on_classroom(classroom):
    tx = classroom.transactions
    features = tiers.five_tier(tx)
    profit = value.customer_profit(tx)["gross_profit"]
    for cycle in ((0, 0), (0, 10_000), (10_000, 10_000)):
        for amount in ((0, 0), (0, 10_000), (10_000, 10_000)):
            res = tiers_explore.tier_shares(features, profit, {"cycle": cycle, "amount": amount})
            assert res["summary"]["customers"].sum() == len(features)
            assert res["summary"]["profit_share"].sum() == pytest.approx(1.0)
    # cycle cut-offs above every cycle → all short; amount cut-offs at 0 → all large: all platinum
    res = tiers_explore.tier_shares(features, profit, {"cycle": (10_000, 10_000), "amount": (0, 0)})
    assert res["summary"].loc["platinum", "customer_share"] == 1.0


def _profit(data, per_ticket):
    tickets = data.service.groupby("customer_id").size()
    p = value.customer_profit(data.transactions)
    return p["gross_profit"] - per_ticket * tickets.reindex(p.index, fill_value=0)


def test_exercise_05_top10_share(classroom):
    profit = _profit(classroom, 15.0).sort_values(ascending=False)
    k = int(np.ceil(0.1 * len(profit)))                     # the top 10% of customers, rounded up
    share = profit.iloc[:k].sum() / profit.sum()
    top20 = profit.iloc[:int(np.ceil(0.2 * len(profit)))].sum() / profit.sum()
    _accepts("05.top10_share", round(share, 2), top20)       # the 20% figure printed in the text is wrong here


def test_exercise_05_loss_makers(classroom):
    n = int((_profit(classroom, 7.5) < 0).sum())
    assert n < int((_profit(classroom, 15.0) < 0).sum())     # cheaper service → fewer loss-makers
    _accepts("05.loss_makers_cheaper_service", n, int((_profit(classroom, 15.0) < 0).sum()))


def test_exercise_05_ticket_cost_top20_all(classroom):
    tickets = classroom.service.groupby("customer_id").size()
    gross = value.customer_profit(classroom.transactions)["gross_profit"]
    n = tickets.reindex(gross.index, fill_value=0)
    k = int(np.ceil(0.2 * len(gross)))

    def top20(c):          # the top fifth's share of profit, written out by hand
        p = (gross - c * n).sort_values(ascending=False)
        return p.iloc[:k].sum() / p.sum()

    low, high = 0.0, 15.0
    assert top20(low) < 1 < top20(high)
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (low, mid) if top20(mid) > 1 else (mid, high)
    assert top20(low) == pytest.approx(1.0, abs=1e-6)
    _accepts("05.ticket_cost_top20_all", round(low, 2), 15.0)


def test_whale_figures_printed_in_the_text(classroom):
    """The chapter prints whale_figures at USD 15 per ticket; the bottom 30% loss is a share of the peak."""
    profit = _profit(classroom, 15.0)
    f = tiers.whale_figures(profit)
    p = np.sort(profit.to_numpy())[::-1]
    running = np.cumsum(p) / p.sum()
    peak = running.max()
    assert f["peak_share"] == pytest.approx(peak) and peak == pytest.approx(1.565, abs=0.001)   # 156.5%
    assert f["peak_customer_share"] == pytest.approx((np.argmax(running) + 1) / len(p))     # 56%
    before = running[len(p) - int(np.ceil(0.3 * len(p))) - 1]
    assert f["bottom_loss"] == pytest.approx((before - 1) / peak)
    assert f["bottom_loss"] != pytest.approx((before - 1) / before)                       # the old, wrong base
    assert f["tail_loss"] == pytest.approx((peak - 1) / peak)
