"""The worked examples in the crmlab.clv docstrings run and print what they claim."""
import doctest
import importlib

import pytest

MODULES = ["summary", "hypergeometric", "fitting", "bgnbd", "mbgnbd", "gamma_gamma", "lifetime_value"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"crmlab.clv.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in crmlab.clv.{name}"
