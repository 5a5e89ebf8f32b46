"""Speed of the market simulator (sim): events/s, wall time, peak memory.

Cases (targets from issue 2, on the 2-core course machine):

* ``classroom-5k``   classroom, 5,000 people x 3 years, end to end   (< 2 s)
* ``classroom-100k`` classroom, 100,000 people x 3 years            (< 30 s, < 1 GB)
* ``textbook-100k``  textbook, 100,000 customers: purchase events/s  (>= 200k/s)
                     (no strategy: each customer lives ahead of the clock; a
                     100-customer warm-up run builds the Faker name pools and
                     does the lazy imports before the clock starts — the
                     classroom cases are end to end)
* ``textbook-100k-stepwise`` the same with a NoAction strategy, which makes
                     every order a SimPy event (identical log, for comparison)
* ``profiles``       Faker pools sampled with NumPy, 1,000,000 profiles (>= 500k/s)
* ``baseline``       a bare SimPy loop: 100,000 processes, one timeout and one
                     list append per event — the ratio engine/baseline is the
                     figure that does not depend on how busy the machine is.

Each case runs in its own process so its peak memory (ru_maxrss) is its own.
Wall and CPU time are both printed: on a shared machine the CPU time shows
how much of the wall time was this process's own work.

    .venv/bin/python benchmarks/bench_sim.py                 # all cases
    .venv/bin/python benchmarks/bench_sim.py classroom-5k    # some
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

CASES = ["baseline", "profiles", "classroom-5k", "textbook-100k", "textbook-100k-stepwise", "classroom-100k"]


def run_case(name: str) -> dict:
    import sim

    t0, c0 = time.perf_counter(), time.process_time()
    if name == "baseline":
        import numpy as np
        import simpy

        env = simpy.Environment()
        log: list = []
        gaps = (1.0 / np.random.default_rng(1).gamma(1.0, 1 / 8.0, 100_000) * 7.0).tolist()

        def customer(env, i, gap):
            while True:
                yield env.timeout(gap)
                log.append(i)

        for i in range(100_000):
            env.process(customer(env, i, gaps[i]))
        env.run(until=3 * 365)
        events, label = len(log), "timeouts"
    elif name == "profiles":
        from sim.profiles import name_pools, sample_profiles

        name_pools("en_US")                       # pools built once per process
        t0, c0 = time.perf_counter(), time.process_time()
        sample_profiles(1_000_000, seed=1)
        events, label = 1_000_000, "profiles"
    else:
        scenario, size = name.split("-")[:2]
        n = int(size.rstrip("k")) * 1000
        strategy = sim.strategies.NoAction() if name.endswith("stepwise") else None
        if scenario == "textbook":
            # the engine's speed: a small warm-up run first builds Faker's name
            # pools (once per process, as in the profiles case) and does the
            # lazy imports, before the clock starts
            sim.simulate(scenario, customers=100, seed=0, strategy=strategy)
            t0, c0 = time.perf_counter(), time.process_time()
        log = sim.simulate(scenario, customers=n, seed=1, strategy=strategy)
        purchases = len(log.transactions) + int(log.truth["holdout_purchases"].sum())
        if scenario == "textbook":
            events, label = purchases, "purchases"
        else:
            events = (purchases + 3 * len(log.service) + len(log.surveys) + len(log.stages)
                      + len(log.contacts))
            label = "events (orders, ticket steps, surveys, stage changes, contacts)"
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"case": name, "wall_s": wall, "cpu_s": cpu, "events": events, "label": label,
            "per_s": events / wall, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(names: list[str]) -> int:
    names = names or CASES
    results = {}
    for name in names:
        out = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{name}: failed\n{out.stderr}")
            return 1
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results[name] = r
        print(f"{name:24s} wall {r['wall_s']:7.2f} s  cpu {r['cpu_s']:7.2f} s  {r['events']:>10,d} "
              f"{r['label'].split(' ')[0]:10s} {r['per_s']:>12,.0f}/s  peak {r['peak_mb']:7.0f} MB", flush=True)
    if "baseline" in results:
        base = results["baseline"]["events"] / results["baseline"]["cpu_s"]
        print(f"\nbaseline: bare SimPy {base:,.0f} timeouts per CPU second on this machine now")
        for name, r in results.items():
            if name not in ("baseline", "profiles"):
                own = r["events"] / r["cpu_s"]
                print(f"  {name:24s} {own:>12,.0f} {r['label'].split(' ')[0]} per CPU second = "
                      f"{own / base:.2f} x baseline")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2])))
    else:
        sys.exit(main(sys.argv[1:]))
