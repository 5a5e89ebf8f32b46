"""Student editions: per student a folder and a zip with what that student needs, and nothing more.

Run from the repository root, after ``python -m sim class`` and ``python -m tools.keys --class``::

    python -m tools.edition class/ --out editions/
    python -m tools.edition class/ --out editions/ --students s01 s02 --chapters 00 04

For each student ``S`` of the class it writes ``editions/S/`` and ``editions/S.zip``::

    S/README.md               how to open the course, where answers are recorded
    S/crmlab-student.toml     the student file: the notebooks below use S's data and key
    S/notebooks/NN_*.ipynb    the student notebooks (every chapter that exists, or --chapters)
    S/data/                   S's event log; its truth table keeps only the scored columns
    S/keys/key_NN.json        S's answer keys, sealed (digests, not answers)

Left out: the instructor notebooks and their ``.exercises.toml`` (the worked
solutions), the plain keys, the class card (it holds every student's seed), and
the simulator's latent draws: in ``truth`` the columns of :data:`WITHHELD_TRUTH`
are blanked (NaN, flags False) and the data card's seed is withheld (with the seed
a student could re-simulate the whole truth). The columns a chapter scores
predictions against are kept (:data:`SHIPPED_TRUTH`); ``notebooks/AUTHORING.md``
("Student editions") says which is which and why.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from crmlab import data as crm_data
from crmlab import schema
from crmlab import student as student_file
from crmlab.exercises.answers import key_path, seal_key
from tools.generate import NOTEBOOKS

__all__ = ["SHIPPED_TRUTH", "WITHHELD_TRUTH", "student_notebooks", "edition_log", "build_edition", "main"]

#: truth columns a student edition keeps: chapters score predictions against them
#: (who was acquired, who really left and when, the holdout year's orders, revenue and profit;
#: the switching cost and final satisfaction behind chapter 07's spurious loyalty; the cost to
#: serve of chapter 05; the win-backs, which the stages table shows anyway)
SHIPPED_TRUTH: tuple[str, ...] = (
    "customer_id", "acquired", "churned", "churn_date", "holdout_purchases", "holdout_revenue", "holdout_profit",
    "switching_cost", "satisfaction_final", "cost_to_serve", "winbacks")

#: truth columns blanked in a student edition: the latent draws students estimate
WITHHELD_TRUTH: tuple[str, ...] = tuple(c for c in schema.table("truth").names if c not in SHIPPED_TRUTH)


def student_notebooks(chapters: list[str] | None = None, folder: Path = NOTEBOOKS) -> list[Path]:
    """The student notebooks ``notebooks/NN_*.ipynb`` (all chapters that exist, or those named)."""
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if chapters:
        wanted = {f"{int(c):02d}" for c in chapters}
        found = [p for p in found if p.name[:2] in wanted]
        missing = wanted - {p.name[:2] for p in found}
        if missing:
            raise FileNotFoundError(f"--chapters: no student notebook for {sorted(missing)} in {folder}")
    return found


def edition_log(source: Path) -> crm_data.EventLog:
    """A student's event log as an edition ships it: latent truth blanked, seed withheld."""
    log = crm_data.load(source)
    if log.truth is not None:
        truth = log.truth.copy()
        for col in WITHHELD_TRUTH:
            truth[col] = False if truth[col].dtype == bool else np.nan
        log.truth = truth
    card = dict(log.card)
    card["seed"] = "withheld"
    card["withheld_truth"] = list(WITHHELD_TRUTH)
    card["edition"] = "student edition: truth keeps only the columns the chapters score against"
    log.card = card
    return log


_README = """# CRM course — student edition for {sid}

This folder is yours: the notebooks in `notebooks/` read **your own dataset** (`data/`)
and check your answers against **your own key** (`keys/`), because of the file
`crmlab-student.toml` here. Nothing to configure.

1. Install the course package once, as your instructor tells you (e.g. `pip install` of the crmlab
   wheel or repository they give you).
2. Open JupyterLab in this folder: `jupyter lab`, then `notebooks/`.
3. Write your answer where a cell says `answer = ...` and run the `check(...)` line.

Every `check` is recorded, with the time and your answer, in `attempts.jsonl` here.
To hand in, zip this whole folder (notebooks and `attempts.jsonl`) as your instructor asks.

Chapters: {chapters}.
"""


def _zip(folder: Path, target: Path) -> None:
    """Zip ``folder`` (its name as the top folder), files in sorted order."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            zf.write(file, Path(folder.name) / file.relative_to(folder))


def build_edition(class_folder: Path, sid: str, out: Path, notebooks: list[Path], *, make_zip: bool = True) -> Path:
    """Write ``out/sid/`` (and ``out/sid.zip``) for one student; returns the folder."""
    found = student_file.read(class_folder / sid)
    chapters = [nb.name[:2] for nb in notebooks]
    missing = [ch for ch in chapters if not key_path(ch, found.keys).is_file()]
    if missing:
        raise FileNotFoundError(f"student {sid} has no answer key for chapters {missing} in {found.keys}: "
                                f"build them with python -m tools.keys --class {class_folder}")
    target = out / sid
    if target.exists():
        shutil.rmtree(target)
    (target / "notebooks").mkdir(parents=True)
    for nb in notebooks:
        shutil.copyfile(nb, target / "notebooks" / nb.name)
    edition_log(found.data).save(target / "data")
    for ch in chapters:
        seal_key(ch, found.keys, target / "keys")
    student_file.write(target, sid, lang=found.lang)
    (target / "README.md").write_text(_README.format(sid=sid, chapters=", ".join(chapters)), encoding="utf-8")
    if make_zip:
        _zip(target, out / f"{sid}.zip")
    return target


def _build_one(job):
    return build_edition(*job[:4], make_zip=job[4])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.edition",
                                     description="Build a student edition (folder and zip) per student of a class.")
    parser.add_argument("class_folder", help="a class folder made by python -m sim class, with keys built")
    parser.add_argument("--out", required=True, help="where the editions go (created; an edition there is replaced)")
    parser.add_argument("--students", nargs="*", help="only these students (default: the whole class)")
    parser.add_argument("--chapters", nargs="*", help="only these chapters (default: every student notebook)")
    parser.add_argument("--no-zip", action="store_true", help="folders only")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: CPU cores)")
    args = parser.parse_args(argv)
    from sim.classroom import read_class

    t0 = time.perf_counter()
    root, out = Path(args.class_folder), Path(args.out)
    try:
        card = read_class(root)
        known = [s["student"] for s in card["students"]]
        wanted = args.students or known
        unknown = sorted(set(wanted) - set(known))
        if unknown:
            raise ValueError(f"--students: not in {root}/class.json: {unknown}")
        if out.resolve() == root.resolve() or root.resolve() in out.resolve().parents:
            raise ValueError(f"--out {out} must lie outside the class folder {root} (editions go to students)")
        notebooks = student_notebooks(args.chapters)
        out.mkdir(parents=True, exist_ok=True)
        jobs = [(root, sid, out, notebooks, not args.no_zip) for sid in wanted]
        workers = min(len(jobs), args.workers or os.cpu_count() or 1)
        if workers <= 1:
            for job in jobs:
                _build_one(job)
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                list(pool.map(_build_one, jobs))
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{len(wanted)} editions ({len(notebooks)} chapters each) -> {out} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
