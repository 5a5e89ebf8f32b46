"""Speed of the SimPy call centre beside a plain first-come-first-served recursion.

``sim.call_centre`` runs one SimPy process per ticket on a ``simpy.Resource``
(readable, and the same desk the market model uses). The baseline, in the
same process, computes the same M/M/c queue with the Kiefer-Wolfowitz
recursion (a heap of the times the agents become free) on draws of the same
size; it is the floor of what pure Python can do. Both print tickets per
second, and the ratio.

    .venv/bin/python benchmarks/bench_call_centre.py [--days 300]
"""
from __future__ import annotations

import argparse
import heapq
import time

import numpy as np

from sim.call_centre import call_centre, queue_statistics
from sim.queueing import mean_wait


def fcfs_waits(arrivals: np.ndarray, services: np.ndarray, agents: int) -> np.ndarray:
    free = [float("-inf")] * agents
    waits = np.empty(len(arrivals))
    for k, (t, s) in enumerate(zip(arrivals.tolist(), services.tolist())):
        start = max(t, heapq.heappop(free))
        waits[k] = start - t
        heapq.heappush(free, start + s)
    return waits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=300.0)
    args = ap.parse_args()
    for lam, mu, c in [(6.0, 2.0, 4), (1.8, 2.0, 1), (45.0, 2.0, 25)]:
        t0 = time.perf_counter()
        tickets = call_centre(lam, mu, c, days=args.days, seed=1)
        wall = time.perf_counter() - t0
        n = len(tickets)
        rng = np.random.default_rng(2)
        arrivals = np.cumsum(rng.exponential(1 / lam, n))
        services = rng.exponential(1 / mu, n)
        t0 = time.perf_counter()
        waits = fcfs_waits(arrivals, services, c)
        wall_b = time.perf_counter() - t0
        s = queue_statistics(tickets, agents=c)
        print(f"M/M/{c:<3} λ={lam:<5} μ={mu}: SimPy {n:>9,} tickets in {wall:6.2f} s = {n / wall / 1e3:6.1f}k/s | "
              f"recursion {n / wall_b / 1e3:7.1f}k/s | ratio {wall / wall_b:5.1f}x slower | "
              f"Wq sim {s['mean_wait']:.3f} h, recursion {waits.mean():.3f} h, Erlang C {mean_wait(lam, mu, c):.3f} h")


if __name__ == "__main__":
    main()
