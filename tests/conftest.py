"""Shared test settings: headless matplotlib and the repository root."""
import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "agg")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
