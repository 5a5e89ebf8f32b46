"""Unit: chapter 03's CLV calculator terms against hand-worked numbers and crmlab.value."""
import pytest

from crmlab import value
from crmlab.errors import CRMDataError
from crmlab.explore import clv_calculator


def test_unit_terms_hand_worked():
    t = clv_calculator.clv_terms(margin=200, retention=0.5, discount=0.0, horizon=3)
    # 200·0.5, 200·0.25, 200·0.125 (no discounting)
    assert t["term"].tolist() == [100, 50, 25]
    assert t["cumulative"].tolist() == [100, 150, 175]
    t = clv_calculator.clv_terms(margin=100, retention=1.0, discount=0.25, horizon=2)
    assert t["discount_factor"].tolist() == [0.8, 0.64]    # 1/1.25, 1/1.5625


@pytest.mark.parametrize("m, r, d, h", [(100, 0.8, 0.1, 5), (37.5, 0.63, 0.07, 30), (10, 0.99, 0.0, 12)])
def test_unit_sum_of_terms_equals_library_clv(m, r, d, h):
    assert clv_calculator.clv_terms(m, r, d, h)["cumulative"].iloc[-1] == pytest.approx(
        value.retention_clv(m, r, d, horizon=h))


def test_unit_bad_horizon():
    with pytest.raises(CRMDataError, match="horizon"):
        clv_calculator.clv_terms(100, 0.8, 0.1, 0)


def test_unit_widget_builds():
    clv_calculator.draw_clv(120, 0.7, 0.05, 25)
    assert len(clv_calculator.clv_explorer().children) == 4   # title, 2 rows of controls, output
