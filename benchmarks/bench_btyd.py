"""Speed of the vectorised BG/NBD oracle (sim.btyd) beside the SimPy engine.

Both run the `textbook` scenario's parameters (r, alpha, a, b per week and
Gamma-Gamma spend p, q, v) over the same observation length, in the same
process, so the ratio of their purchase rates is the figure to watch.

* engine: ``sim.simulate("textbook", customers=100_000)`` — one SimPy process
  per customer; purchases = orders in the observation period plus the orders
  simulated in the holdout period (from ``truth.holdout_purchases``).
* oracle: ``sim.btyd.simulate_bgnbd`` for 1,000,000 customers, with and
  without the transactions table; purchases = first orders + repeat orders.

Prints purchases per second, wall time and peak memory (tracemalloc, in a
separate run so tracing does not slow the timed run). Target (issue 2):
the oracle ≥ 5M purchases/s at 1M customers; the engine ≥ 200k/s at 100k.

    .venv/bin/python benchmarks/bench_btyd.py [--btyd-customers 1000000] [--engine-customers 100000]
"""
from __future__ import annotations

import argparse
import time
import tracemalloc

import pandas as pd

import sim
from sim.btyd import simulate_bgnbd


def peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def timed(fn, repeat: int = 1):
    """Best wall time of ``repeat`` runs, its CPU time, and the last result.

    The CPU time (time.process_time) shows how much of the wall time was this
    process's own work when other jobs share the machine.
    """
    best, cpu, out = float("inf"), float("nan"), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best, cpu = wall, time.process_time() - c0
    return best, cpu, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--btyd-customers", type=int, default=1_000_000)
    ap.add_argument("--engine-customers", type=int, default=100_000)
    args = ap.parse_args()

    cfg = sim.scenario("textbook")
    start = pd.Timestamp(cfg.start)
    params = dict(r=cfg.r, alpha=cfg.alpha, a=cfg.a, b=cfg.b)
    spend = (cfg.p, cfg.q, cfg.v)

    # --- the per-customer SimPy engine
    n_e = args.engine_customers
    wall_e, cpu_e, log = timed(lambda: sim.simulate(cfg, customers=n_e, seed=1))
    T = (log.observation_end - start) / pd.Timedelta(weeks=1)
    purchases_e = len(log.transactions) + int(log.truth["holdout_purchases"].sum())
    rate_e = purchases_e / wall_e
    print(f"textbook scenario: r={cfg.r} alpha={cfg.alpha} a={cfg.a} b={cfg.b} spend p,q,v={spend}, "
          f"T={T:.2f} weeks (+ {cfg.holdout_years} years holdout in the engine)")
    print(f"engine  sim.simulate   {n_e:>9,} customers: {purchases_e:>10,} purchases in {wall_e:6.2f} s "
          f"= {rate_e / 1e3:8.0f}k purchases/s (cpu {cpu_e:.2f} s)")

    # --- the vectorised oracle, same parameters
    n_b = args.btyd_customers
    T_total = T + cfg.holdout_years * 365.0 / 7.0   # the engine's full simulated span, for a like-for-like rate
    rows = []
    for label, kwargs in [("summary", dict(spend=spend)),
                          ("summary+transactions", dict(spend=spend, transactions=True))]:
        wall_b, cpu_b, out = timed(lambda: simulate_bgnbd(n_b, T=T_total, seed=2, **params, **kwargs), repeat=3)
        table = out[0] if isinstance(out, tuple) else out
        purchases_b = n_b + int(table["frequency"].sum())
        mem = peak_mb(lambda: simulate_bgnbd(n_b, T=T_total, seed=2, **params, **kwargs))
        rate_b = purchases_b / wall_b
        rows.append((label, rate_b))
        print(f"oracle  sim.btyd {label:<21} {n_b:>9,} customers: {purchases_b:>10,} purchases in "
              f"{wall_b:6.2f} s = {rate_b / 1e6:6.2f}M purchases/s (cpu {cpu_b:.2f} s), peak {mem:6.0f} MB")
    for label, rate_b in rows:
        print(f"ratio oracle ({label}) / engine: {rate_b / rate_e:6.1f}x")


if __name__ == "__main__":
    main()
