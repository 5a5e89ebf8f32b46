"""Functional checks of the project's own set-up files."""
import re
import tomllib

import pytest

from conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _environment_deps() -> dict[str, str]:
    """Conda dependencies of environment.yml (the pip sub-list and python itself excluded)."""
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    deps = {}
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", line)
        if m and m.group(1) not in ("pip", "python"):
            deps[_name(m.group(1))] = (m.group(1) + m.group(2)).replace(" ", "")
    return deps


def test_environment_yml_lists_the_same_runtime_dependencies_as_pyproject():
    runtime = {_name(r): r.replace(" ", "") for r in _pyproject()["project"]["dependencies"]}
    conda = _environment_deps()
    assert set(conda) == set(runtime), (
        f"only in pyproject: {sorted(set(runtime) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(runtime))}")
    for name, spec in runtime.items():
        assert conda[name] == spec, f"{name}: pyproject says {spec!r}, environment.yml says {conda[name]!r}"


def test_faker_is_pinned_exactly():
    # Faker's data changes between releases; a pinned version keeps profiles reproducible.
    faker = [r for r in _pyproject()["project"]["dependencies"] if _name(r) == "faker"]
    assert len(faker) == 1 and "==" in faker[0]


def test_readme_starts_with_exactly_the_two_commands_and_they_exist_in_the_makefile():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block_start = lines.index("```bash")
    block = lines[block_start + 1: lines.index("```", block_start + 1)]
    commands = [line.split("#")[0].strip() for line in block]
    assert commands == ["make course", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("course", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile has no '{target}' target"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)


@pytest.mark.parametrize("package", ["sim", "crmlab"])
def test_both_packages_import_with_a_version(package):
    mod = __import__(package)
    assert re.fullmatch(r"\d+\.\d+\.\d+", mod.__version__)


def test_versions_agree_with_pyproject():
    import crmlab
    import sim

    assert sim.__version__ == crmlab.__version__ == _pyproject()["project"]["version"]
