"""Chapter 04 (RFM): the explorer's compute functions against hand-worked numbers, and
every exercise's self-check against an answer computed here with library calls."""
import matplotlib
import pandas as pd
import pytest

from crmlab import rfm
from crmlab.errors import CRMDataError
from crmlab.exercises import check
from crmlab.explore import rfm as rfm_explore

matplotlib.use("agg")


def _tx():
    # customer 1: orders 5 Jan, 1 Mar (10 + 30); 2: 1 Feb (5); 3: 20 Apr (8, after the as-of date);
    # 4: 10 Mar and 2 Apr (12 + 12)
    return pd.DataFrame({"customer_id": [1, 1, 2, 3, 4, 4],
                         "date": ["2024-01-05", "2024-03-01", "2024-02-01", "2024-04-20", "2024-03-10",
                                  "2024-04-02"],
                         "amount": [10.0, 30.0, 5.0, 8.0, 12.0, 12.0]})


def test_unit_snapshot_observes_the_as_of_day_to_its_end():
    # an order at 15:00 on the as-of day is in, as in rfm.rfm_table (the as-of rule of crmlab.data.end_of_day)
    tx = pd.DataFrame({"customer_id": [1, 2], "date": pd.to_datetime(["2024-03-01 00:00", "2024-03-31 15:00"]),
                       "amount": [10.0, 30.0]})
    snap = rfm_explore.rfm_snapshot(tx, "2024-03-31", bins=2)
    assert snap["customers"] == 2
    assert snap["by_r"]["money_share"].tolist() == [0.25, 0.75]


def test_unit_snapshot_hand_worked():
    tx = _tx()
    before = tx.copy()
    snap = rfm_explore.rfm_snapshot(tx, "2024-03-31", bins=2)
    pd.testing.assert_frame_equal(tx, before)            # input not modified
    assert snap["customers"] == 3                        # customer 3 has not bought by 31 Mar
    t = snap["table"]
    # recency: 1 → 30 days, 2 → 59, 4 → 21; best to worst 4, 1, 2 → R scores (2 bins, n=3):
    # worst-first ranks 2:1 → 1, 1:2 → floor(2·1/3)+1 = 1, 4:3 → floor(2·2/3)+1 = 2
    assert t["recency"].to_dict() == {1: 30, 2: 59, 4: 21}
    assert t["r_score"].to_dict() == {1: 1, 2: 1, 4: 2}
    # frequency 2, 1, 1 → ties 2 and 4 share rank 1 → score 1; customer 1 rank 3 → 2
    assert t["f_score"].to_dict() == {1: 2, 2: 1, 4: 1}
    assert snap["grid"].to_numpy().tolist() == [[1, 1], [1, 0]]   # (R1,F1)=2 (R1,F2)=1 (R2,F1)=4
    # money by R score: R1 = 40 + 5 = 45, R2 = 12 (only the 10 Mar order is before the date) → /57
    assert snap["by_r"]["money_share"].tolist() == pytest.approx([45 / 57, 12 / 57])
    assert snap["by_r"]["customer_share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert snap["mean_m"].loc[1, 1] == pytest.approx(5.0) and pd.isna(snap["mean_m"].loc[2, 2])


def test_unit_snapshot_mean_monetary_and_errors():
    snap = rfm_explore.rfm_snapshot(_tx(), "2024-04-30", bins=2, monetary="mean")
    assert snap["table"]["monetary"].to_dict() == {1: 20.0, 2: 5.0, 3: 8.0, 4: 12.0}
    with pytest.raises(CRMDataError, match="as_of"):
        rfm_explore.rfm_snapshot(_tx(), "2023-12-31")      # nobody has bought yet
    with pytest.raises(CRMDataError, match="as_of"):
        rfm_explore.rfm_snapshot(_tx(), None)


def test_unit_mailing_responses_window_and_seed():
    tx = _tx()
    with pytest.raises(CRMDataError, match="empty"):
        # on the list by 5 Mar: only 1 and 2 (4 first buys on 10 Mar): too few for three groups
        rfm_explore.simulate_mailing(tx, "2024-03-05", window_days=30, test_share=0.5, control_share=0.25, seed=3)
    m = rfm_explore.simulate_mailing(tx, "2024-03-15", window_days=30, test_share=0.34, control_share=0.33, seed=3)
    # list 1, 2, 4; window (15 Mar, 14 Apr]: customer 4 orders 12 on 2 Apr
    assert m["response_value"].to_dict() == {1: 0.0, 2: 0.0, 4: 12.0}
    assert m["responded"].to_dict() == {1: False, 2: False, 4: True}
    assert sorted(m["group"]) == ["control", "rollout", "test"]          # round(0.34·3) = 1, round(0.33·3) = 1
    assert (m["mailed"] == (m["group"] != "control")).all()
    again = rfm_explore.simulate_mailing(tx, "2024-03-15", window_days=30, test_share=0.34, control_share=0.33,
                                         seed=3)
    pd.testing.assert_frame_equal(m, again)               # same seed, same split
    pd.testing.assert_frame_equal(tx, _tx())               # input not modified


def test_unit_mailing_bad_input():
    with pytest.raises(CRMDataError, match="window_days"):
        rfm_explore.simulate_mailing(_tx(), "2024-04-10", window_days=30)   # 10 May > last date 20 Apr
    with pytest.raises(CRMDataError, match="test_share"):
        rfm_explore.simulate_mailing(_tx(), "2024-03-15", test_share=1.0)
    with pytest.raises(CRMDataError, match="test_share"):
        rfm_explore.simulate_mailing(_tx(), "2024-03-15", test_share=0.01)   # 0 of 3 customers
    with pytest.raises(CRMDataError, match="control_share"):
        rfm_explore.simulate_mailing(_tx(), "2024-03-15", test_share=0.5, control_share=0.5)  # no roll-out left
    with pytest.raises(CRMDataError, match="control_share"):
        rfm_explore.simulate_mailing(_tx(), "2024-03-15", test_share=0.5, control_share=0.0)


def _hand_mailing():
    # 10 customers: test 0–3, control 4–6, roll-out 7–9
    m = pd.DataFrame({"group": ["test"] * 4 + ["control"] * 3 + ["rollout"] * 3,
                      "responded": [True, True, False, False, True, False, False, True, False, False],
                      "response_value": 0.0}, index=range(10))
    cells = pd.Series(["A", "A", "A", "B", "A", "A", "B", "A", "B", "B"], index=range(10))
    return m, cells


def test_unit_cells_incremental_plan_and_outcome_hand_worked():
    m, cells = _hand_mailing()
    res = rfm_explore.cell_results(m, cells)
    # A: test 0, 1, 2 → 2 of 3 respond; control 4, 5 → 1 of 2; incremental 2/3 − 1/2 = 1/6
    # B: test 3 → 0 of 1; control 6 → 0 of 1; incremental 0
    assert res.loc["A", ["mailed", "responses", "held_out", "control_responses"]].tolist() == [3, 2, 2, 1]
    assert res.loc["A", "incremental_rate"] == pytest.approx(2 / 3 - 1 / 2)
    assert res.loc["B", "incremental_rate"] == 0.0
    plan = rfm_explore.plan_rollout(m, cells, 1.0, 5.0)     # break-even 0.2: A (1/6) no, B (0) no
    assert plan.cells == [] and plan.expected_profit == 0.0
    plan = rfm_explore.plan_rollout(m, cells, 0.5, 5.0)     # break-even 0.1: A (1/6) yes
    # roll-out sizes: A 1 (customer 7), B 2 → expected 1 · (1/6 · 5 − 0.5) = 1/3
    assert plan.cells == ["A"] and plan.expected_profit == pytest.approx(1 / 3)
    out = rfm_explore.rollout_outcome(m, cells, plan.cells, 0.5, 5.0)
    # roll-out, chosen A: customer 7 responds → credited 1·5 − 1·0.5 = 4.5;
    #   without mail A's control rate 1/2 → 0.5 expected anyway → incremental (1 − 0.5)·5 − 0.5 = 2
    # everyone: 3 mailed, 1 response → credited 5 − 1.5 = 3.5; anyway 1·1/2 + 2·0 = 0.5 → (1 − 0.5)·5 − 1.5 = 1
    assert out.loc["chosen cells", "credited_profit"] == pytest.approx(4.5)
    assert out.loc["chosen cells", "incremental_profit"] == pytest.approx(2.0)
    assert out.loc["everyone", "credited_profit"] == pytest.approx(3.5)
    assert out.loc["everyone", "incremental_profit"] == pytest.approx(1.0)
    assert out.loc["everyone", "control_rate"] == pytest.approx(0.5 / 3)
    with pytest.raises(CRMDataError, match="cells"):
        rfm_explore.cell_results(m, cells.iloc[:3])   # customer 3 (test) has no cell
    with pytest.raises(CRMDataError, match="group"):
        rfm_explore.cell_results(m, cells, group="control")
    with pytest.raises(CRMDataError, match="mailing"):
        rfm_explore.rollout_outcome(m[m["group"] != "control"], cells, ["A"], 0.5, 5.0)


def test_unit_widget_has_sliders_and_draws():
    import ipywidgets as widgets

    tx = _tx()
    rfm_explore.draw(tx, pd.Timestamp("2024-04-20"), bins=3, monetary="mean")
    box = rfm_explore.rfm_explorer(tx)
    kinds = [type(w) for row in box.children[1:-1] for w in row.children]
    assert widgets.SelectionSlider in kinds and widgets.IntSlider in kinds   # the browser test moves one
    dates = [d for _, d in box.children[1].children[0].options]
    assert [f"{d:%Y-%m-%d}" for d in dates] == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-20"]


def test_functional_moving_a_slider_redraws():
    titles = []
    box = rfm_explore.rfm_explorer(_tx())
    note = lambda change=None, fig=box.figure: titles.append([a.get_title() for a in fig.axes])  # noqa: E731
    note()
    for control in box.controls.values():
        control.observe(note, names="value")   # called after the explorer's own update
    as_of, bins = box.children[1].children[:2]
    assert titles[-1] == ["Customers per R-F square, 2024-04-20", "4 customers, 5 score levels"]
    as_of.value = as_of.options[0][1]                      # 31 Jan 2024: only customer 1 has bought
    assert titles[-1] == ["Customers per R-F square, 2024-01-31", "1 customer, 5 score levels"]
    bins.value = 3
    assert titles[-1][1] == "1 customer, 3 score levels" and len(titles) == 3


# ----- exercises: the right answer (computed here) is accepted, a wrong one rejected -----

@pytest.fixture(scope="module")
def classroom(classroom_log):
    data = classroom_log
    return data.transactions, pd.Timestamp(data.card["observation_end"])


def _accepts(ex, right, wrong):
    assert check(ex, right).status == "right"
    assert check(ex, wrong).status == "wrong"
    assert check(ex, ...).status == "not answered"


def test_functional_every_kind_of_control_value_on_classroom(classroom):
    tx, _ = classroom
    ends = rfm_explore.month_ends(tx)
    for as_of in (ends[0], ends[len(ends) // 2], ends[-1]):
        for bins in (3, 9):
            for monetary in ("total", "mean"):
                snap = rfm_explore.rfm_snapshot(tx, as_of, bins=bins, monetary=monetary)
                assert snap["grid"].to_numpy().sum() == snap["customers"] == len(snap["table"])
                assert snap["by_r"]["money_share"].sum() == pytest.approx(1.0)
    # more customers have bought by a later date
    assert (rfm_explore.rfm_snapshot(tx, ends[0])["customers"]
            < rfm_explore.rfm_snapshot(tx, ends[-1])["customers"])


def test_exercise_04_rfm_cells(classroom):
    tx, as_of = classroom
    n = int((rfm.rfm_table(tx, as_of=as_of)["cell"] == "555").sum())
    _accepts("04.rfm_cells", n, n + 1)


def test_exercise_04_breakeven():
    _accepts("04.breakeven", 0.90 / 24.00, 24.00 / 0.90)       # 0.0375; the ratio upside down is wrong
    assert check("04.breakeven", 3.75).status == "wrong"       # a percent, not a share


def _five_customers_tx():
    """The table of exercise 04.hand_scores as an order log (as of 1 Jan 2026)."""
    as_of = pd.Timestamp("2026-01-01")
    spec = {"A": (3, 6, 420.0), "B": (40, 2, 95.0), "C": (200, 1, 30.0), "D": (12, 2, 610.0), "E": (95, 4, 150.0)}
    rows = []
    for cust, (days, orders, spend) in spec.items():
        last = as_of - pd.Timedelta(days=days)
        # the last order carries what is left so the total is exact; earlier orders one day apart before it
        rows += [(cust, last - pd.Timedelta(days=k), 10.0 if k else spend - 10.0 * (orders - 1))
                 for k in range(orders)]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]), as_of


def test_exercise_04_hand_scores():
    tx, as_of = _five_customers_tx()
    t = rfm.rfm_table(tx, as_of=as_of)
    assert t["recency"].tolist() == [3, 40, 200, 12, 95] and t["frequency"].tolist() == [6, 2, 1, 2, 4]
    assert t["monetary"].tolist() == [420.0, 95.0, 30.0, 610.0, 150.0]
    right = t["cell"].to_dict()
    # the hand-worked answer of the notebook (n = 5, 5 levels: score = worst-first rank; B, D tie on F → 2)
    assert right == {"A": "554", "B": "322", "C": "111", "D": "425", "E": "243"}
    tie_broken = dict(right, D="435")                          # ranks 2 and 3 without the tie rule
    _accepts("04.hand_scores", right, tie_broken)
    upside_down = {k: "".join(str(6 - int(c)) if i == 0 else c for i, c in enumerate(v)) for k, v in right.items()}
    assert check("04.hand_scores", upside_down).status == "wrong"   # recency scored with more days = better


def test_exercise_04_champion_money_mid2025(classroom):
    tx, as_of = classroom
    mid = pd.Timestamp("2025-06-30")
    t = rfm.rfm_table(tx[tx["date"] <= mid], as_of=mid)
    share = t.loc[t["segment"] == "champions", "monetary"].sum() / t["monetary"].sum()
    late = rfm.rfm_table(tx, as_of=as_of)                  # scored on the final date instead: wrong
    late_share = late.loc[late["segment"] == "champions", "monetary"].sum() / late["monetary"].sum()
    assert abs(late_share - share) > 0.01 * share
    _accepts("04.champion_money_mid2025", round(share, 3), late_share)


def _mailing(tx):
    mail_date = pd.Timestamp("2025-10-31")
    mailing = rfm_explore.simulate_mailing(tx, mail_date, window_days=30, test_share=0.3, control_share=0.3,
                                           seed=2024)
    cells = rfm.rfm_table(tx[tx["date"] <= mail_date], as_of=mail_date, bins=2, method="nested")["cell"]
    return mailing, cells


def test_exercise_04_rollout_cells(classroom):
    tx, _ = classroom
    mailing, cells = _mailing(tx)
    res = rfm_explore.cell_results(mailing, cells)
    # incremental rate = test response rate − control response rate, per cell, against break-even 1/10
    incremental = res["responses"] / res["mailed"] - res["control_responses"] / res["held_out"]
    chosen = set(res.index[incremental > 1.00 / 10.00])
    naive = set(res.index[res["response_rate"] > 1.00 / 10.00])
    assert chosen == set() and len(naive) >= 4                  # the notebook's lesson on this log
    _accepts("04.rollout_cells", chosen, naive)
    assert check("04.rollout_cells", {"222"}).status == "wrong"


def test_text_claims_about_the_test_mailing(classroom):
    """What the chapter's markdown says about the mailing, computed."""
    tx, as_of = classroom
    mailing, cells = _mailing(tx)
    rates = mailing.groupby("group")["responded"].mean()
    # "about a quarter of the customers order within 30 days in every group — the control group included"
    assert rates.between(0.22, 0.30).all() and set(rates.index) == {"test", "control", "rollout"}
    # 30% / 30% / 40% split of the list
    n = len(mailing)
    assert (mailing["group"] == "test").sum() == round(0.3 * n) == (mailing["group"] == "control").sum()
    # "every cell has dozens of test and control customers" (2 levels, nested: 8 cells)
    res = rfm_explore.cell_results(mailing, cells)
    assert len(res) == 8 and res["mailed"].min() >= 24 and res["held_out"].min() >= 24
    # at cost 2 / margin 12: raw response passes some cells, incremental none
    plan = rfm_explore.plan_rollout(mailing, cells, 2.00, 12.00)
    naive = res.index[res["response_rate"] > 2.00 / 12.00].tolist()
    assert plan.cells == [] and naive
    out = rfm_explore.rollout_outcome(mailing, cells, naive, 2.00, 12.00)
    # "the credited profit looks good; the incremental profit is (about) the cost of the catalogues"
    chosen = out.loc["chosen cells"]
    assert chosen["credited_profit"] > 0 > chosen["incremental_profit"]
    assert chosen["incremental_profit"] == pytest.approx(-2.00 * chosen["mailed"], rel=0.25)
    # "Hughes' nested sort spreads the customers far more evenly over the cells"
    ind, nested = rfm.rfm_table(tx, as_of=as_of), rfm.rfm_table(tx, as_of=as_of, method="nested")
    assert nested["cell"].nunique() > ind["cell"].nunique()
    assert nested["cell"].value_counts().max() < ind["cell"].value_counts().max()
    assert (nested["r_score"] == ind["r_score"]).all()


def test_explorer_labels_hold_at_any_bins_and_text_reads_on_squares():
    from crmlab.plots import text_colour

    box = rfm_explore.rfm_explorer(_tx())
    fig = box.figure
    as_of, bins = box.children[1].children[:2]
    for level in (8, 3):
        bins.value = level
        for ax in fig.axes:
            assert "5 =" not in ax.get_xlabel() + ax.get_ylabel()
    ax1 = fig.axes[0]
    assert ax1.get_ylabel() == "R score (higher = more recent)"
    squares = ax1.collections[0]
    fills = squares.to_rgba(squares.get_array())
    shown = [t for t in ax1.texts if t.get_visible()]
    assert shown
    for text in shown:            # each count is written on its own square: its colour reads on that fill
        k = next(k for k, path in enumerate(squares.get_paths()) if path.contains_point(text.get_position()))
        assert text.get_color() == text_colour(fills[k])
