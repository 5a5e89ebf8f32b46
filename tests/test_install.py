"""Functional: the package works installed, not only from the repository.

``pip install .`` (not editable) into a fresh virtual environment, then, from a
temporary folder far from the source tree: ``crmlab.data.classroom()`` returns the
classroom log with the row counts of its data card, ``crmlab.exercises.check``
gives the right verdicts from the packaged answer keys, and the authoring tools
(``tools/``) are not part of the installed package.

The fast test installs ``crmlab`` with ``--no-deps`` beside the three libraries these
calls need (numpy, pandas, pyarrow, at the versions running the tests, so pip takes
them from its local wheels); the slow one lets pip resolve every dependency of
``pyproject.toml`` and also runs the simulator installed.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

from conftest import ROOT

# what `pip install .` reads: the project file, the README it names, the two packages
SOURCES = ("pyproject.toml", "README.md", "sim", "crmlab")

CLASSROOM_SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path

    import crmlab, crmlab.data
    from crmlab.exercises import check

    out = {"crmlab_file": crmlab.__file__, "dataset": str(crmlab.data.dataset_path())}
    out["files"] = sorted(p.name for p in crmlab.data.dataset_path().iterdir())
    log = crmlab.data.classroom()
    out["card_rows"] = log.card["rows"]
    out["rows"] = {name: len(getattr(log, name)) for name in out["card_rows"]}
    customers = int(log.customers["acquired_at"].notna().sum())
    orders_2024 = int((log.transactions["date"].dt.year == 2024).sum())
    out["customers"] = customers
    out["verdicts"] = [check("00.customers", customers).status, check("00.customers", customers + 1).status,
                       check("00.orders_2024", orders_2024).status, check("00.customers", ...).status]
    modules = {}
    for name in ("tools", "tools.generate", "crmlab.exercises.generate", "crmlab.exercises.keys",
                 "crmlab.exercises.run"):
        try:
            __import__(name)
            modules[name] = "importable"
        except ModuleNotFoundError:
            modules[name] = "missing"
    out["modules"] = modules
    print("RESULT " + json.dumps(out))
""")


def _source_copy(tmp_path: Path) -> Path:
    """The files `pip install .` builds from, copied (so the build writes nothing into the repository)."""
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, src / name)
    return src


def _fresh_venv(path: Path) -> Path:
    """A new virtual environment without the system's site-packages; returns its python."""
    venv.EnvBuilder(system_site_packages=False, with_pip=False, clear=True).create(path)
    python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    assert python.exists()
    return python


def _pip(python: Path, *args: str) -> None:
    """This interpreter's pip, installing into the fresh environment (`pip --python`).

    ``--no-compile``: no .pyc files written ahead for all of pandas (14 s → 5 s here);
    Python compiles what the test imports when it imports it.
    """
    command = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-compile", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=_clean_env())
    assert done.returncode == 0, f"pip install {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def _clean_env() -> dict[str, str]:
    """The environment without anything that would put the repository back on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _run_in(python: Path, folder: Path, code: str) -> dict:
    done = subprocess.run([str(python), "-c", code], cwd=folder, capture_output=True, text=True,
                          env=_clean_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def _check_installed_classroom(result: dict, venv_dir: Path) -> None:
    # the installed copy answers, not the repository
    assert Path(result["crmlab_file"]).is_relative_to(venv_dir), result["crmlab_file"]
    assert Path(result["dataset"]).is_relative_to(venv_dir)
    # package data: the seven Parquet tables and the card; the CSV copies stay in the repository
    tables = ("customers", "transactions", "stages", "contacts", "service", "surveys", "truth")
    assert result["files"] == sorted([f"{name}.parquet" for name in tables] + ["card.json", "README.md"])
    # every table of the card, with the card's row count (5000 customers, 13520 orders, ...)
    card = json.loads((ROOT / "crmlab" / "datasets" / "classroom" / "card.json").read_text(encoding="utf-8"))
    assert result["card_rows"] == card["rows"]
    assert result["rows"] == card["rows"]
    assert result["rows"]["customers"] == 5000 and result["rows"]["transactions"] == 13520
    assert set(result["rows"]) == {"customers", "transactions", "stages", "contacts", "service", "surveys",
                                   "truth"}
    # check() reads the packaged key: 1518 acquired customers (card: customers_acquired)
    assert result["customers"] == card["measured"]["customers_acquired"] == 1518
    assert result["verdicts"] == ["right", "wrong", "right", "not answered"]
    assert set(result["modules"].values()) == {"missing"}, result["modules"]


def _versions(*names: str) -> list[str]:
    from importlib.metadata import version
    return [f"{name}=={version(name)}" for name in names]


def test_functional_installed_package_reads_the_classroom_dataset_from_any_folder(tmp_path):
    src = _source_copy(tmp_path)
    python = _fresh_venv(tmp_path / "venv")
    _pip(python, *_versions("numpy", "pandas", "pyarrow"))
    _pip(python, "--no-deps", str(src))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(src)      # nothing of the source tree is left to fall back on
    result = _run_in(python, elsewhere, CLASSROOM_SCRIPT)
    _check_installed_classroom(result, tmp_path / "venv")


@pytest.mark.slow
def test_functional_full_install_resolves_every_dependency_and_runs_the_simulator(tmp_path):
    src = _source_copy(tmp_path)
    python = _fresh_venv(tmp_path / "venv")
    _pip(python, str(src))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(src)
    result = _run_in(python, elsewhere, CLASSROOM_SCRIPT)
    _check_installed_classroom(result, tmp_path / "venv")
    simulated = _run_in(python, elsewhere, textwrap.dedent("""
        import json, sim
        log = sim.simulate("classroom", customers=200, years=1, seed=7)
        print("RESULT " + json.dumps({"customers": len(log.customers), "file": sim.__file__}))
    """))
    assert simulated["customers"] == 200
    assert Path(simulated["file"]).is_relative_to(tmp_path / "venv")


def test_unit_dataset_path_is_inside_the_package_and_names_bad_input():
    import crmlab
    import crmlab.data

    assert crmlab.data.dataset_path() == Path(crmlab.__file__).resolve().parent / "datasets" / "classroom"
    with pytest.raises(FileNotFoundError, match=r"dataset 'nope' not found .*shipped: \['classroom'\]"):
        crmlab.data.dataset_path("nope")
    for bad in ("..", "../classroom", "", 7):
        with pytest.raises(ValueError, match=f"dataset name must be a plain folder name.*got {bad!r}"):
            crmlab.data.dataset_path(bad)
