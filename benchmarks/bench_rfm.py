"""rfm_table on 1M transactions / 100k customers beside a bare pandas groupby.

The baseline computes the same three numbers (recency in days, frequency,
total monetary) with one groupby and no validation, scoring or segments. Target:
``rfm_table`` ≤ 1.5× the baseline. Each is timed as the best of ``--repeat`` runs
in this process, on the same synthetic table (seeded).

    .venv/bin/python benchmarks/bench_rfm.py [--rows 1000000] [--customers 100000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from crmlab.rfm import rfm_table


def make_transactions(rows: int, customers: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2022-01-01")
    days = rng.integers(0, 3 * 365, rows)
    return pd.DataFrame({
        "order_id": rng.permutation(rows).astype(np.int64),
        "customer_id": rng.integers(0, customers, rows).astype(np.int64),
        "date": (start + days.astype("timedelta64[D]")).astype("datetime64[ns]"),
        "amount": np.round(rng.gamma(2.0, 25.0, rows), 2),
    })


def bare_groupby(tx: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    out = tx.groupby("customer_id").agg(last=("date", "max"), frequency=("date", "size"),
                                        monetary=("amount", "sum"))
    out["recency"] = (as_of - out["last"]).dt.days
    return out


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    whole = make_transactions(args.rows, args.customers)
    # whole-number customer ids (1..n, the simulator's kind) and text ids ("C0000042", a shop
    # export's kind) take different paths inside rfm_table; time both
    text = whole.assign(customer_id=whole["customer_id"].map("C{:07d}".format))
    for label, tx in (("whole-number customer ids", whole), ("text customer ids", text)):
        run(label, tx, args.repeat)


def run(label: str, tx: pd.DataFrame, repeat: int) -> None:
    as_of = tx["date"].max()
    base = bare_groupby(tx, as_of)
    ours = rfm_table(tx, as_of=as_of)
    # same numbers, or the comparison means nothing
    assert (ours["recency"].to_numpy() == base["recency"].to_numpy()).all()
    assert (ours["frequency"].to_numpy() == base["frequency"].to_numpy()).all()
    assert np.allclose(ours["monetary"].to_numpy(), base["monetary"].to_numpy())
    t_base = best_of(lambda: bare_groupby(tx, as_of), repeat)
    t_ours = best_of(lambda: rfm_table(tx, as_of=as_of), repeat)
    print(f"\n{label}: rows {len(tx):,}, customers {len(base):,}, best of {repeat}")
    print(f"bare pandas groupby (R, F, M):          {t_base:8.3f} s")
    print(f"crmlab.rfm.rfm_table (validated, scored): {t_ours:8.3f} s")
    print(f"ratio rfm_table / groupby: {t_ours / t_base:.2f}  (target ≤ 1.5)")


if __name__ == "__main__":
    main()
