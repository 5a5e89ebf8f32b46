"""Functional: the everyday imports stay light — the heavy libraries load only when used.

``import sim`` and ``import crmlab`` should cost little more than ``import pandas``
(``benchmarks/bench_imports.py`` prints the times; target ≤ 1 s each). Timing is
too noisy on a shared machine for a test, so this checks what makes the time:
scipy (≈1 s for ``scipy.stats``), matplotlib (≈0.5 s with pyplot) and Faker are not
imported by these statements. Each runs in a fresh interpreter.
"""
import json
import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = ("scipy", "matplotlib", "faker", "sklearn")   # scikit-learn ≈ 1 s: imported inside crmlab.predict's functions

LIGHT_IMPORTS = [
    "import sim",
    "import crmlab",
    "import crmlab.data",
    "from crmlab import rfm, value, tiers, kpi, lifecycle, loyalty, composition",
    "from crmlab.exercises import check",
    "import crmlab.plots",
    "import crmlab.predict",
]


def _loaded_after(statement: str) -> set[str]:
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("statement", LIGHT_IMPORTS)
def test_functional_everyday_imports_leave_the_heavy_libraries_out(statement):
    loaded = _loaded_after(statement)
    assert loaded & set(HEAVY) == set(), f"`{statement}` imports {sorted(loaded & set(HEAVY))}"
    assert "tools" not in loaded                         # the authoring tools are never a runtime import


def test_functional_the_heavy_libraries_still_load_when_a_function_needs_them():
    # lazy, not gone: Faker builds the name pools, scipy gives the t-interval (t_{0.975, 2} = 4.3027)
    code = ("import sim.profiles, sim.experiment, numpy as np\n"
            "pools = sim.profiles.name_pools('en_US')\n"
            "mean, std, lo, hi = sim.experiment._t_interval(np.array([1.0, 2.0, 3.0]), 0.95)\n"
            "assert abs(hi - mean - 4.302652729911275 * 1.0 / np.sqrt(3)) < 1e-9, (mean, hi)")
    loaded = _loaded_after(code)
    assert {"faker", "scipy"} <= loaded
