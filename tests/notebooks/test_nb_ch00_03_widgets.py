"""Functional: moving a control of each chapter 00–03 explorer redraws the figure with the
new value (the widget layer is wired to its compute function). The titles are read off the
explorer's own figure after each change."""
import matplotlib
import pytest

import crmlab.data
from crmlab.explore import clv_calculator, composition, economics, market


@pytest.fixture()
def titles():
    """Make explorers whose figure's titles (and headline) are recorded after each update."""
    matplotlib.use("agg")
    class Seen(list):
        pass

    seen = Seen()

    def record(box):
        def note(change=None):
            seen.append([ax.get_title() for ax in box.figure.axes] + [box.figure.get_suptitle()])
        note()
        for control in box.controls.values():
            control.observe(note, names="value")   # called after the explorer's own update
        return box

    seen.record = record
    return seen


def _controls(box):
    return [c for row in box.children[1:-1] for c in row.children]


def test_functional_clv_explorer_redraws(titles):
    margin, retention, discount, horizon = _controls(titles.record(clv_calculator.clv_explorer()))
    assert titles[-1][0].startswith("CLV over 10 years = USD 256")     # 100·Σ 0.8^t/1.1^t, t=1..10 = 255.9
    horizon.value = 1
    assert titles[-1][0].startswith("CLV over 1 years = USD 73")        # 100·0.8/1.1 = 72.7
    retention.value = 0.0
    assert titles[-1][0].startswith("CLV over 1 years = USD 0")


def test_functional_profit_explorer_redraws(titles):
    retention, cost, referrals = _controls(titles.record(economics.profit_explorer()))
    first = titles[-1][-1]
    cost.value = 600
    assert titles[-1][-1] != first and len(titles) == 2
    retention.value = 0.50     # 5 points less is 45%: profit stays negative, so no uplift headline
    assert titles[-1][-1] == ""


def test_functional_composition_explorer_redraws(titles):
    data = crmlab.data.classroom()
    views = composition.CompositionViews(data.customers, data.transactions)
    (dimension,) = _controls(titles.record(composition.composition_explorer(views)))
    assert titles[-1][0].startswith("Composition by acquisition channel")
    dimension.value = "product category"
    assert titles[-1][0].startswith("Composition by product category")


def test_functional_market_explorer_redraws(titles):
    runs = market.MarketRuns(reach=(0.1, 0.5), dropout=(0.35,), referrals=(0.9,), customers=300, years=2, seed=5)
    reach, dropout, referrals = _controls(titles.record(market.market_explorer(runs)))
    first = titles[-1][0]
    reach.value = 0.1 if reach.value == 0.5 else 0.5
    assert titles[-1][0] != first          # a different run: different end counts in the title
    assert titles[-1][0].startswith("After 2 years:")
