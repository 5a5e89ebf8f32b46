"""Unit: chapter 01's retention-economics model against hand-worked numbers."""
import math

import matplotlib
import pytest

from crmlab.errors import CRMDataError
from crmlab.explore import economics


def test_unit_profit_over_time_hand_worked():
    t = economics.profit_over_time(0.5, 200, margin=100, new_per_year=10, years=3, start_customers=4,
                                   referral_rate=0.25)
    # C1 = 0.75·4 + 10 = 13; C2 = 0.75·13 + 10 = 19.75; C3 = 0.75·19.75 + 10 = 24.8125
    assert t["customers"].tolist() == [4, 13, 19.75, 24.8125]
    assert t["kept"].tolist() == [0, 2, 6.5, 9.875]          # 0.5 · previous
    assert t["referred"].tolist() == [0, 1, 3.25, 4.9375]    # 0.25 · previous
    # profit_1 = 100·13 − 200·10 = −700; profit_2 = 1975 − 2000 = −25; profit_3 = 2481.25 − 2000 = 481.25
    assert t["profit"].tolist() == [0, -700, -25, 481.25]
    assert t["cumulative_profit"].iloc[-1] == pytest.approx(-243.75)


def test_unit_steady_state_is_the_limit_of_the_path():
    long = economics.profit_over_time(0.8, 300, years=200)
    assert long["profit"].iloc[-1] == pytest.approx(economics.steady_state_profit(0.8, 300))


def test_unit_reichheld_uplift_in_range():
    # 80% → 85%: C* 5000 → 6666.7, profit 200,000 → 366,666.7: +83.3% (inside Reichheld's 25–100%)
    assert economics.retention_uplift(0.80, 300) == pytest.approx(366_666.6667 / 200_000 - 1, rel=1e-9)
    # cheap acquisition → smaller relative effect: a=0: 666,667/500,000 − 1 = 33.3%
    assert economics.retention_uplift(0.80, 0) == pytest.approx(1 / 3)
    # word of mouth w = 0.05 works like 5 more points of retention: C* = N/(1−0.8−0.05)
    assert economics.steady_state_profit(0.8, 300, referral_rate=0.05) == pytest.approx(
        economics.steady_state_profit(0.85, 300))


@pytest.mark.parametrize("kwargs, column", [
    ({"retention": 1.2, "acquisition_cost": 1}, "retention"),
    ({"retention": 0.5, "acquisition_cost": -1}, "acquisition_cost"),
    ({"retention": 0.5, "acquisition_cost": 1, "years": 0}, "years"),
])
def test_unit_bad_input_names_parameter(kwargs, column):
    with pytest.raises(CRMDataError, match=column):
        economics.profit_over_time(**kwargs)


def test_unit_no_long_run_level_when_base_explodes():
    with pytest.raises(CRMDataError, match="referral_rate"):
        economics.steady_state_profit(0.9, 100, referral_rate=0.1)
    with pytest.raises(CRMDataError, match="not positive"):
        economics.retention_uplift(0.5, 1000)   # 100·1000/0.5 − 1,000,000 < 0


def test_unit_draw_and_widget_build():
    matplotlib.use("agg")
    economics.draw_profit(0.85, 200, 0.02)
    box = economics.profit_explorer()
    assert len(box.children) == 3   # title, one row of 3 controls, output
    assert not math.isnan(economics.steady_state_profit(0.95, 0, referral_rate=0.04))


@pytest.mark.parametrize("values", [
    dict(retention=0.95, acquisition_cost=0, referral_rate=0.04),     # the largest customer base and profit
    dict(retention=0.50, acquisition_cost=800, referral_rate=0.0),    # the deepest loss
    dict(retention=0.95, acquisition_cost=800, referral_rate=0.04),
])
def test_functional_profit_figure_labels_stay_inside_after_big_moves(values):
    # the explorer's own figure (projector style), opened at the defaults, then one big slider move
    from crmlab.explore import _build

    matplotlib.use("agg")
    fig, update = _build(economics.profit_figure, dict(retention=0.80, acquisition_cost=300, referral_rate=0.0))
    update(**values)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    for ax in fig.axes:
        label = ax.yaxis.label.get_window_extent(renderer)
        assert 0 <= label.x0 and label.x1 <= width and 0 <= label.y0 and label.y1 <= height, ax.get_ylabel()
        ticks = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
        assert ticks and label.x1 <= min(t.x0 for t in ticks), ax.get_ylabel()     # never on the tick labels
    left, right = fig.axes
    assert left.get_window_extent(renderer).x1 < right.yaxis.label.get_window_extent(renderer).x0  # not on the left panel
    assert [ax.get_ylabel() for ax in fig.axes] == ["customers (thousand)", "profit (thousand USD)"]
