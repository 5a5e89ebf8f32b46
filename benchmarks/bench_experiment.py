"""Speed of experiments on the simulator: ``sim.compare`` and ``sim.sweep`` on a process pool.

Cases (targets from issue 11, on the 2-core course machine, 2 worker processes):

* ``compare``  3 strategies (no action, win back dormant, care contacts) × 20
               replications, classroom market, 5,000 customers × 3 years
               (+ the 1-year holdout): ≤ 60 s
* ``sweep``    ``dropout_per_year`` over 5 values × 10 replications, same size: ≤ 60 s
* ``one run``  a single 5,000 × 3-year run in this process, the unit the two
               cases above are made of (their serial cost is runs × this)

Wall time includes starting the pool (each worker imports ``sim``). The
machine is shared: the CPU time of this process is small (the work is in the
workers), so compare the wall time with runs × one run / 2 workers.

    .venv/bin/python benchmarks/bench_experiment.py
"""
from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor

SIZE = dict(customers=5000, years=3)
BUDGET_S = 60.0


def main() -> int:
    import sim
    from sim.strategies import CareContacts, NoAction, WinBackDormant

    t0 = time.perf_counter()
    sim.simulate("classroom", seed=1, strategy=WinBackDormant(), **SIZE)
    one = time.perf_counter() - t0
    print(f"one run (win back dormant), 5,000 customers x 3 years: {one:.2f} s")

    strategies = {"no action": NoAction(), "win back dormant": WinBackDormant(), "care contacts": CareContacts()}
    ok = True
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        table = sim.compare("classroom", strategies, n=20, seed=0, executor=pool, progress=False, **SIZE)
    wall = time.perf_counter() - t0
    ok &= wall <= BUDGET_S
    print(f"compare 3 strategies x 20 replications on 2 workers: {wall:.1f} s "
          f"(budget {BUDGET_S:.0f} s; serial estimate {60 * one:.0f} s) {'OK' if wall <= BUDGET_S else 'OVER'}")
    row = table.set_index(["strategy", "kpi"]).loc[("care contacts", "total_profit")]
    print(f"  care contacts vs no action, 3-year profit: {row['diff_mean']:+,.0f} "
          f"[{row['diff_ci_low']:+,.0f}, {row['diff_ci_high']:+,.0f}]")

    values = [0.45, 0.40, 0.35, 0.30, 0.25]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        table = sim.sweep("classroom", "dropout_per_year", values, n=10, seed=0, executor=pool, progress=False,
                          **SIZE)
    wall = time.perf_counter() - t0
    ok &= wall <= BUDGET_S
    print(f"sweep dropout_per_year over 5 values x 10 replications on 2 workers: {wall:.1f} s "
          f"(budget {BUDGET_S:.0f} s) {'OK' if wall <= BUDGET_S else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
