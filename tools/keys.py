"""Build a chapter's answer key from the worked solutions of its instructor notebook.

Run from the repository root::

    python -m tools.keys 03          # one chapter
    python -m tools.keys 00 01 02    # several
    python -m tools.keys --all       # every instructor notebook
    python -m tools.keys --class class/            # every chapter, for every student of a class
    python -m tools.keys --class class/ 04 05 --students s01 s02 --workers 2

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

With ``--class CLASS`` (a folder made by ``python -m sim class``) the key follows the
data: for each student the instructor notebook runs with ``CRMLAB_STUDENT`` set to the
student's folder, so ``crmlab.data.classroom()`` reads that student's dataset, and the
key is written to the student's ``keys`` folder (``CLASS/s01/keys/key_NN.json``).
The runs go in parallel, one kernel per worker (``--workers``, default: CPU cores).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
import tomllib
from pathlib import Path

if not __package__:   # run as `python tools/keys.py`: the repository root, not tools/, goes first on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crmlab import student as student_file
from crmlab.exercises import RECORD_ENV, answers
from crmlab.exercises.answers import write_key
from tools.generate import NOTEBOOKS, REPO
from tools.run import execute

__all__ = ["instructor_notebook", "read_exercise_list", "build_key", "build_class_keys", "chapters_present", "main"]

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


def build_key(chapter: str, folder: Path = NOTEBOOKS, *, student: Path | None = None, quiet: bool = False) -> Path:
    """Execute the instructor notebook in record mode and write ``key_NN.json``.

    ``student``: a student's folder (holding ``crmlab-student.toml``): the notebook
    reads that student's data and the key goes to the student's ``keys`` folder.
    """
    notebook = instructor_notebook(chapter, folder)
    spec = read_exercise_list(notebook)
    env = {}
    out_folder = None
    if student is not None:
        found = student_file.read(student)
        env[student_file.STUDENT_ENV] = str(found.file)
        out_folder = found.keys
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "answers.jsonl"
        record.touch()
        _, seconds, problems = execute(notebook, env={**env, RECORD_ENV: str(record)}, allow_errors=True)
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
                     else notebook.name, folder=out_folder)
    if not quiet:
        print(f"wrote {path.name}: {len(entries)} exercises from {notebook.name} ({seconds:.1f} s)")
    return path


def chapters_present(folder: Path = NOTEBOOKS) -> list[str]:
    """Chapters with an instructor notebook and an exercise list, e.g. ``["00", "01", …]``."""
    return sorted({p.name[:2] for p in (folder / "instructor").glob("[0-9][0-9]_*.ipynb")
                   if p.with_suffix(".exercises.toml").exists()})


def build_class_keys(class_folder: str | Path, chapters: list[str] | None = None, *,
                     students: list[str] | None = None, workers: int | None = None,
                     folder: Path = NOTEBOOKS) -> list[tuple[str, str, str]]:
    """Every (student, chapter) key of a class, built in parallel; returns ``(student, chapter, problem)`` failures.

    A failure of one student's notebook is reported, not raised, so the others still get their keys.
    """
    from sim.classroom import read_class

    root = Path(class_folder)
    card = read_class(root)
    known = [s["student"] for s in card["students"]]
    wanted = students or known
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ValueError(f"--students: not in {root}/class.json: {unknown}")
    chapters = chapters or chapters_present(folder)
    jobs = [(sid, ch) for sid in wanted for ch in chapters]

    def run(job):
        sid, ch = job
        try:
            build_key(ch, folder, student=root / sid, quiet=True)
            return None
        except Exception as err:     # noqa: BLE001 — one student's failure must not stop the class
            return (sid, ch, f"{type(err).__name__}: {err}")

    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        results = list(pool.map(run, jobs))
    return [r for r in results if r is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.keys",
                                     description="Build answer keys from the instructor notebooks.")
    parser.add_argument("chapters", nargs="*", help="chapter numbers, e.g. 03")
    parser.add_argument("--all", action="store_true", help="every notebooks/instructor/NN_*.ipynb")
    parser.add_argument("--class", dest="class_folder", help="a class folder (python -m sim class): a key per "
                        "student, from that student's data, into CLASS/STUDENT/keys/ (default: every chapter)")
    parser.add_argument("--students", nargs="*", help="with --class: only these students")
    parser.add_argument("--workers", type=int, default=None, help="with --class: kernels at a time (default: cores)")
    args = parser.parse_args(argv)
    chapters = args.chapters
    if args.class_folder:
        t0 = time.perf_counter()
        chosen = [f"{int(c):02d}" for c in chapters] or None
        try:
            failed = build_class_keys(args.class_folder, chosen, students=args.students, workers=args.workers)
        except (FileNotFoundError, ValueError) as err:
            parser.error(str(err))
        for sid, ch, problem in failed:
            print(f"FAILED {sid} chapter {ch}: {problem}", file=sys.stderr)
        print(f"keys for {args.class_folder} in {time.perf_counter() - t0:.1f} s"
              + (f"; {len(failed)} failed" if failed else ""))
        return 1 if failed else 0
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
