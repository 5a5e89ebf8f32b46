"""The committed notebook files: no outputs, student notebooks up to date with their
instructor sources, answer keys that accept their own answers and reject wrong ones."""
import json
from pathlib import Path

import nbformat
import pytest

from nb_helpers import CHAPTERS_N1, all_notebooks, notebook_id, plain_value, wrong_value

import crmlab.exercises as ex
from crmlab.exercises import answers, check
from tools.generate import (NOTEBOOKS, instructor_notebooks, notebook_text,
                                       student_notebook, student_path)


def _key_chapters() -> list[str]:
    return sorted(p.stem.split("_")[1] for p in answers.KEY_DIR.glob("key_*.json"))


def test_chapters_00_to_03_exist():
    names = {p.name[:2] for p in instructor_notebooks(NOTEBOOKS)}
    assert set(CHAPTERS_N1) <= names


@pytest.mark.parametrize("path", all_notebooks(), ids=notebook_id)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} cell {cell.id} has outputs"
        assert "%matplotlib widget" not in cell.source


@pytest.mark.parametrize("source", instructor_notebooks(NOTEBOOKS), ids=lambda p: p.name)
def test_student_notebook_up_to_date(source, tmp_path):
    target = student_path(source)
    assert target.exists(), f"missing {target}: run python -m tools.generate"
    fresh = tmp_path / target.name
    fresh.write_text(notebook_text(student_notebook(nbformat.read(source, as_version=4))), encoding="utf-8")
    assert fresh.read_bytes() == target.read_bytes(), (
        f"{target.name} is out of date with {source.name}: run python -m tools.generate")
    assert "### BEGIN SOLUTION" not in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("source", instructor_notebooks(NOTEBOOKS), ids=lambda p: p.name)
def test_every_chapter_has_key_and_exercise_list(source):
    key = answers.read_key(source.name[:2])
    assert key is not None, f"no key for {source.name}"
    assert 3 <= len(key) <= 6, f"{source.name}: chapters have 3-6 exercises (CHAPTER_TEMPLATE: 3-5, at least one judgement), key has {len(key)}"
    assert source.with_suffix(".exercises.toml").exists()


@pytest.mark.parametrize("chapter", _key_chapters())
def test_key_accepts_own_answers_rejects_wrong(chapter, monkeypatch, capsys):
    monkeypatch.delenv(ex.RECORD_ENV, raising=False)
    data = json.loads(answers.key_path(chapter).read_text(encoding="utf-8"))
    assert data["chapter"] == chapter
    for ex_id, entry in answers.read_key(chapter).items():
        rtol, atol = entry.get("rtol", answers.DEFAULT_RTOL), entry.get("atol", answers.DEFAULT_ATOL)
        assert check(ex_id, plain_value(entry["answer"])).status == "right", ex_id
        assert check(ex_id, wrong_value(entry["answer"], rtol, atol)).status == "wrong", ex_id
        assert check(ex_id, ...).status == "not answered", ex_id
        assert all(step.strip() for step in ex.hint_steps(entry))


@pytest.mark.parametrize("chapter", _key_chapters())
def test_every_exercise_has_an_independent_test(chapter):
    """Each exercise id of a key is named in a test file of tests/notebooks that calls check()
    (with a right answer computed in the test: a generic round trip through the key is not enough)."""
    here = Path(__file__).parent
    sources = [p.read_text(encoding="utf-8") for p in here.glob("test_*.py") if p.name != Path(__file__).name]
    sources = "\n".join(text for text in sources if "check(" in text)
    missing = [ex_id for ex_id in answers.read_key(chapter)
               if f'"{ex_id}"' not in sources and f"'{ex_id}'" not in sources]
    assert not missing, f"exercises without their own right/wrong test in tests/notebooks: {missing}"


def _loads_outside_check(code: str) -> set[str]:
    """Names read by a cell, leaving out the arguments of check(...) calls."""
    import ast

    tree = ast.parse(code)
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check":
            skip.update(id(n) for arg in node.args for n in ast.walk(arg))
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in skip}


@pytest.mark.parametrize("source", instructor_notebooks(NOTEBOOKS), ids=lambda p: p.name)
def test_solution_names_not_used_later(source):
    """A name assigned in a solution region is `...` in the student notebook: no later cell may
    use it (except as the answer given to check), or the student notebook would compute with `...`."""
    import textwrap

    from tools.generate import BEGIN, END, _assigned_names

    nb = nbformat.read(source, as_version=4)
    solution_names: set[str] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        student = student_notebook(nbformat.v4.new_notebook(cells=[cell])).cells[0].source
        if index and solution_names:
            used = _loads_outside_check(student) & solution_names
            assert not used, f"{source.name} cell {index} uses {sorted(used)}, assigned in an earlier solution region"
        if BEGIN in cell.source:
            region = cell.source.split(BEGIN, 1)[1].split(END, 1)[0]
            solution_names |= set(_assigned_names(textwrap.dedent(region))) - {"answer"}
