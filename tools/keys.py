"""Build a chapter's answer key from the worked solutions of its instructor notebook.

Run from the repository root::

    python -m tools.keys 03          # one chapter
    python -m tools.keys 00 01 02    # several
    python -m tools.keys --all       # every instructor notebook

For chapter ``NN`` it

1. reads the exercise list ``notebooks/instructor/NN_name.exercises.toml`` — one
   table per exercise id with ``hints``, the steps a wrong answer reveals one at a
   time (the concept, then the method, then the code), and optionally ``rtol`` /
   ``atol`` (number tolerance, default 1e-3 / 1e-9) and ``praise`` (shown when right);
   ``hints_zh`` / ``praise_zh`` are the same in Chinese, shown when the course language is
   Chinese (``CRMLAB_LANG=zh``, see :mod:`crmlab.exercises.messages`)::

       ["03.clv_5y"]
       hints = ["A customer's value is the margins they will still bring, each discounted to today.",
                "Five terms m·r^t/(1+d)^t for t = 1..5: margin, retention, discount rate.",
                "value.retention_clv(margin, retention, 0.10, horizon=5)"]
       rtol = 0.005

   (A single ``hint = "..."`` is read as one step.)

2. executes ``notebooks/instructor/NN_name.ipynb`` headless in *record mode*: each
   ``check(id, answer)`` call writes the solution's answer instead of checking it;
3. insists that the notebook ran without error and checked exactly the exercises
   of the list, then writes ``crmlab/exercises/key_NN.json``.

The answers depend on the classroom dataset: rebuild the keys whenever
``crmlab/datasets/classroom`` is regenerated with ``make dataset`` (the notebook tests fail
on a stale key).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import tomllib
from pathlib import Path

if not __package__:   # run as `python tools/keys.py`: the repository root, not tools/, goes first on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crmlab.exercises import RECORD_ENV, answers
from crmlab.exercises.answers import write_key
from tools.generate import NOTEBOOKS, REPO
from tools.run import execute

__all__ = ["instructor_notebook", "read_exercise_list", "build_key", "main"]

_OPTIONAL = {"rtol", "atol", "praise", "hints_zh", "praise_zh"}   # *_zh: the Chinese course (crmlab.exercises.messages)


def instructor_notebook(chapter: str, folder: Path = NOTEBOOKS) -> Path:
    """The one ``notebooks/instructor/NN_*.ipynb`` of a chapter."""
    found = sorted((folder / "instructor").glob(f"{chapter}_*.ipynb"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one instructor notebook {folder}/instructor/{chapter}_*.ipynb, "
                                f"found {[p.name for p in found]}")
    return found[0]


def read_exercise_list(notebook: Path) -> dict[str, dict]:
    """The ``NN_name.exercises.toml`` beside an instructor notebook, checked."""
    path = notebook.with_suffix(".exercises.toml")
    if not path.exists():
        raise FileNotFoundError(f"exercise list {path} is missing (one table per exercise with a hint)")
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    chapter = notebook.name[:2]
    for ex_id, entry in spec.items():
        if not ex_id.startswith(f"{chapter}."):
            raise ValueError(f"{path.name}: exercise id {ex_id!r} must start with '{chapter}.'")
        if not isinstance(entry, dict):
            raise ValueError(f"{path.name}: exercise {ex_id!r} must be a table with hints")
        unknown = set(entry) - _OPTIONAL - {"hint", "hints"}
        if unknown:
            raise ValueError(f"{path.name}: exercise {ex_id!r} has unknown fields {sorted(unknown)}; "
                             f"allowed: hints (or hint), {', '.join(sorted(_OPTIONAL))}")
        if "hint" in entry and "hints" in entry:
            raise ValueError(f"{path.name}: exercise {ex_id!r} has both hint and hints; keep the list `hints`")
        steps = entry.pop("hint", None)
        steps = [steps] if steps is not None else entry.get("hints")
        if (not isinstance(steps, list) or not steps
                or not all(isinstance(h, str) and h.strip() for h in steps)):
            raise ValueError(f"{path.name}: exercise {ex_id!r} needs a non-empty hint: "
                             f"hints = [\"concept\", \"method\", \"code\"] (got {steps!r})")
        entry["hints"] = steps
        zh = entry.get("hints_zh")
        if zh is not None and (not isinstance(zh, list) or len(zh) != len(steps)
                               or not all(isinstance(h, str) and h.strip() for h in zh)):
            raise ValueError(f"{path.name}: exercise {ex_id!r}: hints_zh must be the {len(steps)} hint steps "
                             f"in Chinese, one per step of hints (got {zh!r})")
    return spec


def build_key(chapter: str, folder: Path = NOTEBOOKS) -> Path:
    """Execute the instructor notebook in record mode and write ``key_NN.json``."""
    notebook = instructor_notebook(chapter, folder)
    spec = read_exercise_list(notebook)
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "answers.jsonl"
        record.touch()
        _, seconds, problems = execute(notebook, env={RECORD_ENV: str(record)}, allow_errors=True)
        lines = record.read_text(encoding="utf-8").splitlines()
    if problems:
        raise RuntimeError(f"{notebook.name} did not run cleanly:\n  " + "\n  ".join(problems))
    answers: dict[str, dict] = {}
    for line in lines:
        rec = json.loads(line)
        if rec["id"] in answers and answers[rec["id"]] != rec["answer"]:
            raise RuntimeError(f"{notebook.name}: exercise {rec['id']} is checked twice with different answers")
        answers[rec["id"]] = rec["answer"]
    missing, extra = set(spec) - set(answers), set(answers) - set(spec)
    if missing or extra:
        raise RuntimeError(f"{notebook.name}: exercises in the list but never checked: {sorted(missing)}; "
                           f"checked but not in the list: {sorted(extra)}")
    entries = {ex_id: {"answer": answers[ex_id], **spec[ex_id]} for ex_id in spec}
    path = write_key(chapter, entries, source=str(notebook.relative_to(REPO)) if notebook.is_relative_to(REPO)
                     else notebook.name)
    print(f"wrote {path.name}: {len(entries)} exercises from {notebook.name} ({seconds:.1f} s)")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.keys",
                                     description="Build answer keys from the instructor notebooks.")
    parser.add_argument("chapters", nargs="*", help="chapter numbers, e.g. 03")
    parser.add_argument("--all", action="store_true", help="every notebooks/instructor/NN_*.ipynb")
    args = parser.parse_args(argv)
    chapters = args.chapters
    if args.all:
        chapters = sorted({p.name[:2] for p in (NOTEBOOKS / "instructor").glob("[0-9][0-9]_*.ipynb")})
    if not chapters:
        parser.error("name at least one chapter, or --all")
    if answers.KEY_DIR != REPO / "crmlab" / "exercises":
        parser.error(f"crmlab is imported from {answers.KEY_DIR.parent}, not from this repository ({REPO}): "
                     "run `python -m tools.keys` from the repository root")
    for chapter in chapters:
        build_key(f"{int(chapter):02d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
