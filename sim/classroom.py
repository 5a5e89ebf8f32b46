"""A class in one command: one dataset per student, the same market, each its own seed.

    python -m sim class --students 40 --seed 2025 --out class/
    python -m sim class --roster roster.csv --seed 2025 --out class/

writes::

    class/
      class.json                  the class card: scenario, class seed, every student's seed and folder
      CLASS.md                    the same for people
      s01/crmlab-student.toml     the student file: notebooks below s01/ use s01's data and key
      s01/data/                   s01's event log (a saved log: card.json, Parquet, CSV)
      s02/ …

Every student sees the same market (scenario, size, years, locale); only the
random draws differ. A student's seed is derived from the class seed and the
student id, so it does not depend on the order of the roster or on who else is
in the class:

    seed = first 4 bytes of SHA-256("crmlab-class/<class seed>/<student id>"), big-endian, mod 2**31

The same command gives the same bytes (the class card holds no times). The
datasets are simulated in one process pool (imports paid once per worker).
Each student's ``data`` folder is saved with the rules of
:mod:`crmlab.logfolder` (written whole or not at all; ``--overwrite`` replaces
only a saved event log).

Next steps (see README, "Instructors"): ``python -m tools.keys --class class/``
builds each student's answer key; ``python -m tools.edition class/ --out editions/``
makes the student editions.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from crmlab import student as student_file
from crmlab.logfolder import check_target

from .config import ConfigError, scenario, scenarios

__all__ = ["CLASS_FORMAT", "student_seed", "student_ids", "read_roster", "make_class", "read_class", "main"]

CLASS_FORMAT = "crmlab-class/1"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def student_seed(class_seed: int, student_id: str) -> int:
    """The seed of a student's dataset (see the module docstring for the formula).

    >>> student_seed(2025, "s01") == student_seed(2025, "s01") != student_seed(2025, "s02")
    True
    """
    digest = hashlib.sha256(f"crmlab-class/{int(class_seed)}/{student_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 2**31


def student_ids(count: int) -> list[str]:
    """``s01 … sNN`` (zero-padded to the width of ``count``, at least two digits)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"--students must be a whole number >= 1, got {count!r}")
    width = max(2, len(str(count)))
    return [f"s{k:0{width}d}" for k in range(1, count + 1)]


def _check_ids(ids: list[str], where: str) -> list[str]:
    bad = [i for i in ids if not _ID.fullmatch(i)]
    if bad:
        raise ValueError(f"{where}: student ids must be letters, digits, '_', '.' or '-' (a folder name), "
                         f"got {bad[:5]!r}")
    seen, dup = set(), []
    for i in ids:
        if i.casefold() in seen:
            dup.append(i)
        seen.add(i.casefold())
    if dup:
        raise ValueError(f"{where}: student ids appear twice: {dup[:5]!r}")
    if not ids:
        raise ValueError(f"{where}: no student ids")
    return ids


def read_roster(path: str | os.PathLike) -> list[str]:
    """Student ids from a roster CSV: the column ``student`` (or ``id``), else the first column."""
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"--roster: no such file {file}")
    with open(file, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"--roster {file}: the file is empty")
    header = [h.strip().casefold() for h in rows[0]]
    column = next((header.index(n) for n in ("student", "student_id", "id") if n in header), None)
    body = rows[1:] if column is not None else rows
    column = column or 0
    ids = [r[column].strip() for r in body if len(r) > column and r[column].strip()]
    return _check_ids(ids, f"--roster {file}")


# -- the pool: each worker imports the simulator once, then simulates and saves one student at a time --------

def _simulate_one(job: tuple) -> tuple[str, dict]:
    from .engine import simulate

    scenario_name, overrides, customers, years, seed, out, overwrite = job
    cfg = scenario(scenario_name, **overrides)
    log = simulate(cfg, customers=customers, years=years, seed=seed)
    log.save(out, overwrite=overwrite)
    return out, dict(log.card["rows"])


def _warm() -> None:
    from . import engine  # noqa: F401  (import once per worker, before the first student)


def make_class(out: str | os.PathLike, ids: list[str], class_seed: int, *, scenario_name: str = "classroom",
               customers: int | None = None, years: float | None = None, locale: str | None = None,
               overwrite: bool = False, workers: int | None = None) -> dict:
    """Simulate one dataset per student into ``out``; returns the class card (also ``out/class.json``)."""
    if isinstance(class_seed, bool) or not isinstance(class_seed, int) or class_seed < 0:
        raise ValueError(f"--seed must be a whole number >= 0, got {class_seed!r}")
    ids = _check_ids(list(ids), "students")
    overrides = {"locale": locale} if locale else {}
    cfg = scenario(scenario_name, **overrides)                 # a bad scenario or locale fails here, before any work
    root = Path(os.path.abspath(out))
    if root.exists() and root.is_dir() and any(root.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{root} is not empty; pass --overwrite to replace a class made there before")
        card_file = root / "class.json"
        try:
            ok = json.loads(card_file.read_text(encoding="utf-8")).get("format") == CLASS_FORMAT
        except (OSError, ValueError):
            ok = False
        if not ok:
            raise FileExistsError(f"{root} is not a class folder (no class.json of format {CLASS_FORMAT}); "
                                  "refusing to write into it — choose a new folder")
    elif root.exists() and not root.is_dir():
        raise FileExistsError(f"{root} is a file, not a class folder; refusing to replace it")
    jobs = []
    for sid in ids:
        data = root / sid / "data"
        check_target(data, overwrite, flag="--overwrite")      # the logfolder rules, before simulating anyone
        jobs.append((scenario_name, overrides, customers, years, student_seed(class_seed, sid), str(data), overwrite))
    root.mkdir(parents=True, exist_ok=True)
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        results = [_simulate_one(job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
            results = list(pool.map(_simulate_one, jobs))
    students = []
    for sid, job, (_, rows) in zip(ids, jobs, results):
        student_file.write(root / sid, sid, lang="zh" if (locale or "").startswith("zh") else None)
        students.append({"student": sid, "seed": job[4], "folder": sid, "data": f"{sid}/data",
                         "customers": rows.get("customers"), "transactions": rows.get("transactions")})
    card = {"format": CLASS_FORMAT, "scenario": cfg.name, "class_seed": class_seed,
            "customers": customers, "years": years, "locale": locale or cfg.locale,
            "seed_rule": 'first 4 bytes of sha256("crmlab-class/<class seed>/<student id>") mod 2**31',
            "students": students}
    (root / "class.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (root / "CLASS.md").write_text(_class_text(card), encoding="utf-8")
    return card


def _class_text(card: dict) -> str:
    lines = [f"# Class card — {len(card['students'])} students", "",
             f"Scenario `{card['scenario']}`, class seed {card['class_seed']}, locale {card['locale']}"
             + (f", {card['customers']} customers" if card["customers"] else "")
             + (f", {card['years']} years" if card["years"] else "") + ".",
             f"Each student's seed: {card['seed_rule']}.", "",
             "| student | seed | folder | customers | transactions |", "|---|---|---|---|---|"]
    lines += [f"| {s['student']} | {s['seed']} | {s['folder']}/ | {s['customers']} | {s['transactions']} |"
              for s in card["students"]]
    lines += ["", "Keys: `python -m tools.keys --class <this folder>`; editions: "
              "`python -m tools.edition <this folder> --out editions/`.", ""]
    return "\n".join(lines)


def read_class(folder: str | os.PathLike) -> dict:
    """The class card ``folder/class.json``, checked."""
    file = Path(folder) / "class.json"
    if not file.is_file():
        raise FileNotFoundError(f"{folder} is not a class folder: no class.json (make one with python -m sim class)")
    card = json.loads(file.read_text(encoding="utf-8"))
    if card.get("format") != CLASS_FORMAT:
        raise ValueError(f"{file}: format {card.get('format')!r}, expected {CLASS_FORMAT!r}")
    return card


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim class",
                                     description="Simulate one dataset per student (same market, own seed).")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--students", type=int, help="number of students: ids s01, s02, …")
    who.add_argument("--roster", help="CSV of student ids (column 'student' or 'id', else the first column)")
    parser.add_argument("--seed", type=int, required=True, help="the class seed")
    parser.add_argument("--scenario", default="classroom", choices=scenarios())
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--years", type=float, default=None)
    parser.add_argument("--locale", default=None, help="en_US or zh_CN (default: the scenario's)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: one per CPU core)")
    parser.add_argument("--out", required=True, help="the class folder (new or empty unless --overwrite)")
    parser.add_argument("--overwrite", action="store_true", help="replace a class made in --out before")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        ids = read_roster(args.roster) if args.roster else student_ids(args.students)
        card = make_class(args.out, ids, args.seed, scenario_name=args.scenario, customers=args.customers,
                          years=args.years, locale=args.locale, overwrite=args.overwrite, workers=args.workers)
    except (ConfigError, FileExistsError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"class of {len(card['students'])} ({card['scenario']}, class seed {card['class_seed']}) -> {args.out} "
          f"({time.perf_counter() - t0:.1f} s)")
    return 0
