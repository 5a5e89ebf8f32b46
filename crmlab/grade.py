"""The gradebook: run each student's submitted notebooks against their own data and key.

    python -m crmlab.grade SUBMISSIONS/ --out gradebook.csv
    python -m crmlab.grade SUBMISSIONS/ --out gradebook.csv --class class/     # the instructor's keys
    python -m crmlab.grade SUBMISSIONS/ --out gradebook.csv --attempts         # no execution

``SUBMISSIONS/`` holds one entry per student:

* a folder (a student edition handed back: notebooks, ``crmlab-student.toml``,
  ``attempts.jsonl``) — the student id is the folder's name;
* a zip of such a folder — the id is the zip's name;
* a notebook ``SID.ipynb`` or ``SID__anything.ipynb`` — the id is ``SID`` (needs ``--class``).

Each notebook ``NN_*.ipynb`` is executed headless (a fresh kernel, ``MPLBACKEND=agg``)
with ``CRMLAB_STUDENT`` naming the student's file — the class folder's with
``--class`` (the instructor's plain keys), else the one in the submission (its
sealed keys; a student could have changed those, so grade that counts with
``--class``) — and ``CRMLAB_ATTEMPTS`` catching every ``check`` call. A notebook
that raises is graded as far as it ran: the exercises after the failing cell are
*not reached* and the row's ``flag`` says where it stopped. With ``--attempts``
nothing is executed: the answers recorded in the submission's ``attempts.jsonl``
are checked again against the key (the verdicts written there are not trusted).

The gradebook has one row per student × exercise: ``student, chapter, exercise,
verdict, points, answer, attempts, flag`` — ``verdict`` is *right*, *wrong*, *not
answered* or *not reached*; ``points`` 1 for right; ``answer`` the last answer as
JSON; ``attempts`` how many answers the student checked (from their
``attempts.jsonl`` when handed in, else from the run). A row ``exercise = TOTAL``
per student sums the points (``verdict`` like ``3/4 right``).

Executing notebooks needs nbclient and ipykernel (``pip install "crmlab[instructor]"``).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from crmlab import student as student_file
from crmlab.exercises import ATTEMPTS_ENV
from crmlab.exercises.answers import DEFAULT_ATOL, DEFAULT_RTOL, answers_match, read_key, sealed_match

__all__ = ["COLUMNS", "Submission", "find_submissions", "grade_submission", "grade", "main"]

COLUMNS = ["student", "chapter", "exercise", "verdict", "points", "answer", "attempts", "flag"]
CELL_TIMEOUT = 120
_CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d)\.""")


@dataclass
class Submission:
    """One student's hand-in: the notebooks to grade and where their attempts are."""

    student: str
    notebooks: list[Path]
    folder: Path | None = None                     # the submitted folder (None for a lone notebook)
    problems: list[str] = field(default_factory=list)


def _notebooks_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("[0-9][0-9]_*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def find_submissions(root: str | os.PathLike, unpack_to: Path) -> list[Submission]:
    """The submissions in ``root`` (folders, zips unpacked into ``unpack_to``, lone notebooks), by student id."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"SUBMISSIONS: no such folder {root}")
    found: dict[str, Submission] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            sub = Submission(entry.name, _notebooks_in(entry), entry)
        elif entry.suffix == ".zip":
            target = unpack_to / entry.stem
            try:
                with zipfile.ZipFile(entry) as zf:
                    for name in zf.namelist():
                        if name.startswith("/") or ".." in Path(name).parts:
                            raise zipfile.BadZipFile(f"unsafe path {name!r}")
                    zf.extractall(target)
            except zipfile.BadZipFile as err:
                found[entry.stem] = Submission(entry.stem, [], None, [f"{entry.name} is not a readable zip: {err}"])
                continue
            inner = [p for p in target.iterdir() if p.is_dir()]
            folder = inner[0] if len(inner) == 1 and not any(target.glob("*.ipynb")) else target
            sub = Submission(entry.stem, _notebooks_in(folder), folder)
        elif entry.suffix == ".ipynb":
            sid = entry.stem.split("__", 1)[0]
            sub = found.get(sid) or Submission(sid, [], None)
            sub.notebooks.append(entry)
        else:
            continue
        if sub.student in found and found[sub.student] is not sub:
            found[sub.student].problems.append(f"more than one submission for {sub.student}; graded {entry.name} too")
            found[sub.student].notebooks += sub.notebooks
        else:
            found[sub.student] = sub
    return [found[k] for k in sorted(found)]


def _student_for(sub: Submission, class_folder: Path | None) -> student_file.Student:
    if class_folder is not None:
        return student_file.read(class_folder / sub.student)
    if sub.folder is not None:
        return student_file.read(sub.folder)
    raise FileNotFoundError(f"{sub.student}: a lone notebook needs --class to find the student's data and key")


def _chapters_of(notebook: Path) -> list[str]:
    """Chapters whose exercises a notebook checks (read off its ``check("NN.…`` calls)."""
    import json as _json

    nb = _json.loads(notebook.read_text(encoding="utf-8"))
    text = "\n".join("".join(c.get("source", "")) for c in nb.get("cells", []) if c.get("cell_type") == "code")
    return sorted(set(_CHECK_CALL.findall(text)))


def _execute(notebook: Path, env: dict[str, str], timeout: int) -> str:
    """Run a notebook top to bottom; returns '' or where and why it stopped (never raises for the notebook's fault)."""
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    except ImportError:
        raise ImportError('grading executes notebooks with nbclient: pip install "crmlab[instructor]"') from None
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as err:      # noqa: BLE001 — a damaged file is a flag, not a crash
        return f"{notebook.name}: not a readable notebook ({type(err).__name__}: {err})"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(notebook.parent)}})
    try:
        client.execute(env={**os.environ, "MPLBACKEND": "agg", **env})
    except CellExecutionError as err:
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        failed = next((i for i, c in enumerate(code_cells, start=1)
                       if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        ename = getattr(err, "ename", "error")
        return f"{notebook.name}: stopped at code cell {failed}: {ename}: {str(getattr(err, 'evalue', ''))[:200]}"
    except (CellTimeoutError, DeadKernelError, TimeoutError, RuntimeError) as err:
        return f"{notebook.name}: stopped: {type(err).__name__}: {str(err)[:200]}"
    except Exception as err:      # noqa: BLE001 — whatever the kernel does, the gradebook goes on
        return f"{notebook.name}: stopped: {type(err).__name__}: {str(err)[:200]}"
    return ""


def _plain(answer):
    """A normalised answer as plain JSON values (``{"kind": "number", "value": 3}`` → ``3``)."""
    if answer is None:
        return None
    kind, value = answer["kind"], answer["value"]
    if kind in ("list", "set"):
        return [_plain(v) for v in value]
    if kind == "dict":
        return {k: _plain(v) for k, v in value.items()}
    return value


def _verdict(entry: dict, answer: dict | None) -> str:
    """Check a recorded (normalised) answer against a key entry, plain or sealed."""
    if answer is None:
        return "not answered"
    if "sealed" in entry:
        return "right" if sealed_match(answer, entry) else "wrong"
    ok = answers_match(answer, entry["answer"], rtol=entry.get("rtol", DEFAULT_RTOL),
                       atol=entry.get("atol", DEFAULT_ATOL))
    return "right" if ok else "wrong"


def _read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue                                  # a half-written last line
        if isinstance(rec, dict) and isinstance(rec.get("id"), str):
            out.append(rec)
    return out


def grade_submission(sub: Submission, *, class_folder: Path | None = None, use_attempts: bool = False,
                     timeout: int = CELL_TIMEOUT) -> list[dict]:
    """The gradebook rows of one student (exercise rows, then the TOTAL row). Never raises for the submission."""
    flags = list(sub.problems)
    try:
        who = _student_for(sub, class_folder)
    except (OSError, ValueError) as err:
        who = None
        flags.append(str(err))
    chapters = sorted({ch for nb in sub.notebooks for ch in _chapters_of(nb)})
    submitted = _read_jsonl(sub.folder / "attempts.jsonl") if sub.folder is not None else []
    if not sub.notebooks and not flags:
        flags.append("no chapter notebook NN_*.ipynb in the submission")
    if use_attempts:
        records = submitted
        if not submitted:
            flags.append("no attempts.jsonl in the submission")
        chapters = sorted(set(chapters) | {r["id"][:2] for r in records})
    else:
        records = []
        if who is not None:
            with tempfile.TemporaryDirectory() as tmp:
                caught = Path(tmp) / "attempts.jsonl"
                for nb in sub.notebooks:
                    stop = _execute(nb, {student_file.STUDENT_ENV: str(who.file), ATTEMPTS_ENV: str(caught)},
                                    timeout)
                    if stop:
                        flags.append(stop)
                records = _read_jsonl(caught)
    rows = []
    for ch in chapters:
        key = read_key(ch, who.keys) if who is not None else None
        if key is None:
            if who is not None:
                flags.append(f"no answer key for chapter {ch} in {who.keys}")
            continue
        for ex_id in sorted(key):
            mine = [r for r in records if r["id"] == ex_id]
            answered = [r for r in mine if r.get("answer") is not None]
            last = answered[-1] if answered else None
            if last is not None:
                verdict = _verdict(key[ex_id], last["answer"])
            else:
                verdict = "not answered" if mine else "not reached"
            count = len([r for r in submitted if r["id"] == ex_id and r.get("answer") is not None]) or len(answered)
            rows.append({"student": sub.student, "chapter": ch, "exercise": ex_id, "verdict": verdict,
                         "points": int(verdict == "right"),
                         "answer": json.dumps(_plain(last["answer"]), ensure_ascii=False) if last else "",
                         "attempts": count, "flag": ""})
    total = sum(r["points"] for r in rows)
    flag = "; ".join(flags)
    for r in rows:
        r["flag"] = "ran partly" if any("stopped" in f for f in flags) else ""
    rows.append({"student": sub.student, "chapter": "", "exercise": "TOTAL", "verdict": f"{total}/{len(rows)} right",
                 "points": total, "answer": "", "attempts": sum(r["attempts"] for r in rows), "flag": flag})
    return rows


def grade(submissions: str | os.PathLike, out: str | os.PathLike, *, class_folder: str | os.PathLike | None = None,
          use_attempts: bool = False, workers: int | None = None, timeout: int = CELL_TIMEOUT) -> list[dict]:
    """Grade every submission in a folder and write the gradebook CSV; returns its rows."""
    cls = Path(class_folder) if class_folder is not None else None
    with tempfile.TemporaryDirectory() as tmp:
        subs = find_submissions(submissions, Path(tmp))
        if not subs:
            raise FileNotFoundError(f"SUBMISSIONS: nothing to grade in {submissions} "
                                    "(student folders, zips or SID.ipynb notebooks)")
        def one(sub: Submission) -> list[dict]:
            try:
                return grade_submission(sub, class_folder=cls, use_attempts=use_attempts, timeout=timeout)
            except ImportError:
                raise
            except Exception as err:  # noqa: BLE001 — one broken hand-in never stops the gradebook
                return [{"student": sub.student, "chapter": "", "exercise": "TOTAL", "verdict": "not graded",
                         "points": 0, "answer": "", "attempts": 0,
                         "flag": f"grader error: {type(err).__name__}: {err}"}]

        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            per_student = list(pool.map(one, subs))
    rows = [r for block in per_student for r in block]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crmlab.grade",
                                     description="Grade submitted notebooks against each student's data and key.")
    parser.add_argument("submissions", help="folder of submissions: student folders, zips or SID.ipynb")
    parser.add_argument("--out", required=True, help="the gradebook CSV to write")
    parser.add_argument("--class", dest="class_folder", default=None,
                        help="the class folder (python -m sim class): grade with the instructor's keys")
    parser.add_argument("--attempts", action="store_true",
                        help="do not execute: re-check the answers recorded in each attempts.jsonl")
    parser.add_argument("--workers", type=int, default=None, help="notebooks at a time (default: CPU cores)")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        rows = grade(args.submissions, args.out, class_folder=args.class_folder, use_attempts=args.attempts,
                     workers=args.workers, timeout=args.timeout)
    except (FileNotFoundError, ImportError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    totals = [r for r in rows if r["exercise"] == "TOTAL"]
    flagged = sum(1 for r in totals if r["flag"])
    print(f"graded {len(totals)} students -> {args.out} ({time.perf_counter() - t0:.1f} s)"
          + (f"; {flagged} flagged (see the TOTAL rows' flag)" if flagged else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
