"""Shared test settings and fixtures: headless matplotlib, the repository root and the
shipped classroom event log (loaded once per test session; crmlab never mutates its inputs,
which tests/crmlab/test_cl_unit_no_mutation.py checks).

Helper modules of the notebook tests (``nb_helpers``, ``jupyterlab_server``) live in
``tests/notebooks`` and are importable by name (``pythonpath`` in pyproject.toml).
"""
import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "agg")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def classroom_log():
    """The shipped classroom dataset (``crmlab.data.classroom()``), loaded once."""
    from crmlab import data

    return data.classroom()
