"""The committed notebook files: no outputs, student notebooks up to date with their
instructor sources, answer keys that accept their own answers and reject wrong ones; and the
mechanical rules of notebooks/AUTHORING.md "What the student sees" (money without $, exercise
headings, judgement exercises, hints in three steps, the Next cell, chapter 00's course map)."""
import json
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from nb_helpers import (CHAPTERS_N1, LAST_CHAPTER, all_notebooks, chapter_notebooks, has_formula, money_with_dollar,
                        notebook_id, numbers_in_source, plain_value, wrong_value)

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


# ---------------------------------------------------------------------------------------------
# What the student sees (notebooks/AUTHORING.md, "What the student sees"): the mechanical rules,
# checked on the instructor sources (the student notebooks are generated from them). Each
# message names the file, the cell and the rule, so the author knows what to change.

EXERCISE_HEADING = re.compile(r"^### Exercise (\d+) · (\S.*?) · `(\d\d\.\w+)`( \*\(judgement\)\*)?\s*$")
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d\d\.\w+)["']""")
CALL_SYNTAX = re.compile(r"[A-Za-z_]\w*(?:\.\w+)*\(")
LINK = re.compile(r"\]\(((\d\d)_[\w-]+\.ipynb)\)")


def _markdown(nb) -> list[tuple[int, str]]:
    return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _exercise_line(text: str) -> str:
    """The cell's exercise heading line: its first line, or the first after section headings
    only (a cell may open with `## Exercises` above `### Exercise 1 · …`); else the first line."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    for line in lines:
        if line.startswith("### Exercise") or not line.startswith("#"):
            return line
    return lines[0] if lines else ""


def _chapter(source: Path) -> int:
    return int(source.name[:2])


def test_markdown_reading_rules():
    """How a markdown source is read (nb_helpers), on hand-written cases."""
    money = "A firm buys 1,000 customers a year at $300 each, margin $100 per customer."
    assert not has_formula(money)
    assert money_with_dollar(money) == [",000 customers a year at $300 each, margin $100 per customer."]
    assert numbers_in_source(money) == Counter({"1,000": 1, "300": 1, "100": 1})
    formula = "Retention $r = 0.85$ keeps $r^t$ of them after $t$ years; $$\\sum_i m_i$$, 42 in all."
    assert has_formula(formula) and money_with_dollar(formula) == []
    assert numbers_in_source(formula) == Counter({"42": 1})
    assert money_with_dollar(r"costs \$0.90 to print") and money_with_dollar("costs 5$ or `$5`") == ["costs 5$ or `$5`"]
    assert money_with_dollar("from $5-$10") and not has_formula("from $5-$10")
    assert not has_formula("going to $0.85$") and money_with_dollar("from $r = 0.80$ to $0.85$ shrinks") == [
        "from $r = 0.80$ to $0.85$ shrinks"]                   # a bare number is not a formula
    assert money_with_dollar("Written as `$300` in code, or USD 300, or 300 dollars.") == []
    assert numbers_in_source("1. first in 2020\n2. see [chapter 7](07_x.ipynb) ![fig 9](f.png) &#160;") == \
        Counter({"2020": 1, "7": 1})


@pytest.mark.parametrize("source", instructor_notebooks(NOTEBOOKS), ids=lambda p: p.name)
def test_money_is_not_written_with_dollar(source):
    """`$` + digit or digit + `$` outside a formula is money; JupyterLab renders it as math."""
    nb = nbformat.read(source, as_version=4)
    found = [f"  cell {i}: {snippet!r}" for i, text in _markdown(nb) for snippet in money_with_dollar(text)]
    assert not found, (
        f"{source.name}: money written with $ in markdown (rule: write 'USD 300' or '300 dollars'; $…$ is "
        f"for formulas only, and a bare number like $0.85$ is not one):\n" + "\n".join(found))


@pytest.mark.parametrize("source", instructor_notebooks(NOTEBOOKS), ids=lambda p: p.name)
def test_exercise_headings(source):
    """Before each exercise's check cell (and after the previous exercise's), a markdown cell whose
    first line is `### Exercise N · short title · `NN.id`` [+ ` *(judgement)*`], N = 1, 2, … in order
    (section headings such as `## Exercises` may stand above it in the same cell)."""
    nb = nbformat.read(source, as_version=4)
    checks: dict[str, int] = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for ex_id in CHECK_CALL.findall(cell.source):
                checks.setdefault(ex_id, i)
    headings = {i: EXERCISE_HEADING.match(_exercise_line(text)) for i, text in _markdown(nb)}
    problems = [f"  cell {i}: {_exercise_line(text)!r} starts like an exercise heading but is not "
                f"`### Exercise N · short title · `NN.id`` (middle dots, the id in backticks)"
                for i, text in _markdown(nb) if _exercise_line(text).startswith("### Exercise") and not headings[i]]
    previous = -1
    for number, (ex_id, at) in enumerate(checks.items(), start=1):
        between = [(i, m) for i, m in headings.items() if previous < i < at and m]
        mine = [(i, m) for i, m in between if m.group(3) == ex_id]
        if not mine:
            nearest = max((i for i, _ in _markdown(nb) if previous < i < at), default=None)
            seen = f"; the nearest markdown cell, {nearest}, starts {_first_line(nb.cells[nearest].source)[:70]!r}" \
                if nearest is not None else ""
            problems.append(f"  cell {at} checks {ex_id!r}: no heading cell `### Exercise {number} · <title> · "
                            f"`{ex_id}`` between cell {previous + 1} and it{seen}")
        elif int(mine[0][1].group(1)) != number:
            problems.append(f"  cell {mine[0][0]}: exercise {ex_id!r} is number {number} in the chapter, "
                            f"its heading says {mine[0][1].group(1)}")
        previous = at
    assert not problems, f"{source.name}: exercise headings (notebooks/AUTHORING.md):\n" + "\n".join(problems)


@pytest.mark.parametrize("source", instructor_notebooks(NOTEBOOKS), ids=lambda p: p.name)
def test_judgement_exercises(source):
    """At least one exercise per chapter needs judgement (two from chapter 07 on), marked in its heading."""
    nb = nbformat.read(source, as_version=4)
    marked = [i for i, text in _markdown(nb)
              if (m := EXERCISE_HEADING.match(_exercise_line(text))) and m.group(4)]
    needed = 2 if _chapter(source) >= 7 else 1
    assert len(marked) >= needed, (
        f"{source.name}: {len(marked)} exercise heading(s) end with ' *(judgement)*', the chapter needs "
        f"at least {needed} (a decision, a hand calculation or reading the explorer, not one library call)")


@pytest.mark.parametrize("source", instructor_notebooks(NOTEBOOKS), ids=lambda p: p.name)
def test_hints_in_three_steps(source):
    """Every exercise of the toml has `hints = [concept, method, code]`; the concept names no call."""
    import tomllib

    toml = source.with_suffix("").with_suffix(".exercises.toml")
    problems = []
    for ex_id, entry in tomllib.loads(toml.read_text(encoding="utf-8")).items():
        hints = entry.get("hints")
        if not (isinstance(hints, list) and len(hints) == 3 and all(isinstance(h, str) and h.strip() for h in hints)):
            given = f"hints has {len(hints)} step(s)" if isinstance(hints, list) else (
                "a single `hint`" if "hint" in entry else "no hints")
            problems.append(f"  [{ex_id!r}]: {given}; write hints = [concept, method, code] (three non-empty steps)")
        elif call := CALL_SYNTAX.search(hints[0]):
            problems.append(f"  [{ex_id!r}]: step 1 (the concept, in words) contains the call {call.group()!r}…: "
                            "move code to step 3")
    assert not problems, f"{toml.name}: hints in steps (notebooks/AUTHORING.md, Exercises):\n" + "\n".join(problems)


def _chapter_file(number: int) -> str | None:
    found = [p.name for p in chapter_notebooks() if _chapter(p) == number]
    return found[0] if found else None


@pytest.mark.parametrize("source", instructor_notebooks(NOTEBOOKS), ids=lambda p: p.name)
def test_ends_with_next_cell(source):
    """The last cell links the previous and the next chapter (`[← 03 …](03_….ipynb) · [05 … →](05_….ipynb)`);
    chapter 00 only the next, the last chapter only the previous. A next chapter whose notebook does not
    exist yet is named and marked `(coming)` instead of linked (`09 The retention lab (coming)`)."""
    nb = nbformat.read(source, as_version=4)
    number, last = _chapter(source), nb.cells[-1] if nb.cells else None
    links = {int(n): name for name, n in LINK.findall(last.source)} if last and last.cell_type == "markdown" else {}
    wanted = [n for n in (number - 1, number + 1) if 0 <= n <= LAST_CHAPTER]
    problems = []
    for n in wanted:
        existing = _chapter_file(n)
        if n not in links and not existing and re.search(rf"(?<![\d.]){n:02d}(?![\d.])[^\n]*\(coming\)", last.source):
            continue                  # a chapter not written yet: named, marked (coming), no broken link
        if n not in links:
            problems.append(f"no link to chapter {n:02d} ([… {n:02d} …]({existing or f'{n:02d}_name.ipynb'}))")
        elif existing and links[n] != existing:
            problems.append(f"the link to chapter {n:02d} goes to {links[n]}, the notebook is {existing}")
    assert not problems, (
        f"{source.name} cell {len(nb.cells) - 1} (the last cell) must be the Next cell linking "
        f"{' and '.join(f'{n:02d}' for n in wanted)} (notebooks/AUTHORING.md, Navigation): " + "; ".join(problems))


def test_course_map_in_chapter_00():
    """Chapter 00 holds the course map: one markdown cell naming every chapter 00-13."""
    source = next((p for p in instructor_notebooks(NOTEBOOKS) if p.name.startswith("00_")), None)
    assert source is not None, "no instructor notebook for chapter 00"
    chapters = [f"{n:02d}" for n in range(LAST_CHAPTER + 1)]
    best = min(((i, [c for c in chapters if not re.search(rf"(?<![\d.]){c}(?![\d.])", text)])
                for i, text in _markdown(nbformat.read(source, as_version=4))), key=lambda t: len(t[1]),
               default=(None, chapters))
    cell, missing = best
    assert not missing, (
        f"{source.name}: no course map — no markdown cell names every chapter 00-{LAST_CHAPTER} (each with the "
        f"question it answers, in order; notebooks/AUTHORING.md, Navigation). The closest, cell {cell}, "
        f"lacks {missing}")
