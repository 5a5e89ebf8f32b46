"""Import times of ``sim`` and ``crmlab`` beside a bare interpreter and ``import pandas``.

An instructor who makes 40 datasets starts Python 40 times, and a student's first
notebook cell is an import: both pay this. Every statement runs in a fresh
``python -c`` subprocess (nothing cached in memory), ``--repeat`` times, the
statements taken in turn so that a busy machine slows all of them alike. Printed
per statement: the first run (cold-ish: the disk cache may already be warm),
the median and the best of the runs, and the median minus the ``import pandas``
median (what crmlab adds on top of the library it builds on). Targets:
``import sim`` and ``import crmlab`` ≤ 1 s (median).

    .venv/bin/python benchmarks/bench_imports.py [--repeat 7] [--check]

``--check`` exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (statement, target in seconds or None); the first two are the baselines
STATEMENTS = [
    ("pass", None),
    ("import pandas", None),
    ("import sim", 1.0),
    ("import crmlab", 1.0),
    ("import crmlab.data", None),
    ("from crmlab import rfm, value, tiers", None),
    ("from crmlab import clv", None),
    ("from crmlab.exercises import check", None),
    ("import crmlab.explore", None),
]


def time_once(statement: str) -> float:
    """Wall time of one fresh interpreter running ``statement`` (start-up included)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", statement], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"`{statement}` failed:\n{done.stderr}")
    return seconds


def measure(repeat: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {s: [] for s, _ in STATEMENTS}
    for _ in range(repeat):
        for statement, _target in STATEMENTS:
            runs[statement].append(time_once(statement))
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh subprocesses per statement (default 7)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    runs = measure(args.repeat)
    pandas_median = statistics.median(runs["import pandas"])
    print(f"python {sys.version.split()[0]}, {args.repeat} fresh subprocesses per statement (seconds)")
    print(f"{'statement':40s} {'first':>6s} {'median':>7s} {'best':>6s} {'-pandas':>8s}  target")
    missed = []
    for statement, target in STATEMENTS:
        times = runs[statement]
        median = statistics.median(times)
        verdict = ""
        if target is not None:
            ok = median <= target
            verdict = f"≤ {target:.1f} s {'ok' if ok else 'MISSED'}"
            if not ok:
                missed.append(statement)
        print(f"{statement:40s} {times[0]:6.2f} {median:7.2f} {min(times):6.2f} {median - pandas_median:+8.2f}  "
              f"{verdict}")
    if missed:
        print(f"targets missed: {', '.join(missed)}")
    return 1 if (missed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
