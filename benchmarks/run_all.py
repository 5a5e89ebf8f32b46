"""Run every benchmark script in this folder, one after another.

Each ``bench_*.py`` prints its own figures and ratios against a baseline run in
the same process; this runner only calls them in turn and reports failures.
``bench_imports.py`` (import times of ``sim`` and ``crmlab`` beside ``import
pandas``) goes first: it takes well under a minute. ``bench_sql.py`` prints RFM in
SQL (DuckDB over Parquet) beside ``rfm_table`` on 1M transactions / 100k customers.
``bench_class.py`` times ``python -m sim class --students 40`` (a dataset per student; target 60 s).
``bench_experiment.py`` times ``sim.compare`` (3 strategies × 20 replications) and ``sim.sweep``
(5 values × 10 replications) at 5,000 customers × 3 years on a 2-process pool (each ≤ 60 s).

    .venv/bin/python benchmarks/run_all.py            # all
    .venv/bin/python benchmarks/run_all.py rfm clv    # those whose name contains a word
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(words: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda s: (s.name != "bench_imports.py", s.name))
    if words:
        scripts = [s for s in scripts if any(w in s.stem for w in words)]
    failed = []
    for script in scripts:
        print(f"\n===== {script.name} =====", flush=True)
        if subprocess.call([sys.executable, str(script)], cwd=HERE.parent) != 0:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
