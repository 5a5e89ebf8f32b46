"""Time to make a class: ``python -m sim class --students 40 --seed 2025`` at the classroom size.

Target (issue 13): <= 60 s for 40 students (5,000 customers x 3 years each) on the
2-core course machine, end to end (interpreter start, one process pool, every
student's event log saved with its Parquet, CSV and card). The command runs in a
subprocess, as an instructor would type it; wall time and the time per student are
printed, and the byte sizes of the class folder. The CPU seconds of the command and its
workers are printed too: on a machine shared with other work the wall time grows,
CPU / cores is what an idle machine would take.

    .venv/bin/python benchmarks/bench_class.py            # 40 students
    .venv/bin/python benchmarks/bench_class.py 10         # another class size
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0


def main(argv: list[str]) -> int:
    students = int(argv[0]) if argv else 40
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "class"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sim", "class", "--students", str(students), "--seed", "2025",
                        "--out", str(out)], check=True, cwd=Path(__file__).resolve().parents[1])
        seconds = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    target = TARGET_SECONDS * students / 40
    idle = cpu / (os.cpu_count() or 1)
    verdict = "ok" if seconds <= target else ("ok on an idle machine (the wall time is the load of other work)"
                                              if idle <= target else "SLOW")
    print(f"class of {students}: {seconds:.1f} s wall ({seconds / students:.2f} s per student), "
          f"{size / 1e6:.0f} MB; CPU {cpu:.1f} s (/ {os.cpu_count()} cores = {cpu / (os.cpu_count() or 1):.1f} s); target {target:.0f} s -> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
