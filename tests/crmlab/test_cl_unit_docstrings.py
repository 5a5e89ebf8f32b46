"""The docstring examples of the crmlab analytics modules run and give the numbers they show."""
import doctest
import importlib

import pytest

MODULES = ["crmlab.data", "crmlab.rfm", "crmlab.tiers", "crmlab.value", "crmlab.lifecycle", "crmlab.loyalty",
           "crmlab.kpi", "crmlab.composition", "crmlab.plots"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
