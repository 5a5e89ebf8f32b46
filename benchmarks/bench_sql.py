"""RFM in SQL (DuckDB, crmlab.sql.rfm) beside crmlab.rfm.rfm_table on 1M transactions / 100k customers.

The same synthetic log (seeded, numpy) is written once as a Parquet file in a
temporary folder — the form of a saved event log. Timed, best of ``--repeat``:

* **DuckDB**: ``crmlab.sql.rfm(con, as_of)`` — reads the Parquet file in place,
  groups, scores with window functions (crmlab's tie rule) and returns a DataFrame;
* **pandas from Parquet**: ``pd.read_parquet`` + ``rfm_table`` (the same work:
  from the file to the scored table);
* **pandas in memory**: ``rfm_table`` alone on a DataFrame already loaded.

Both give the same table cell for cell (checked before timing). Expect DuckDB ≤
pandas: it reads only the columns it needs and uses every core (DuckDB threads:
printed).

    .venv/bin/python benchmarks/bench_sql.py [--rows 1000000] [--customers 100000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab import sql
from crmlab.rfm import rfm_table


def make_transactions(rows: int, customers: int, seed: int = 42) -> pd.DataFrame:
    """A transactions table of the event log's columns: customer ids 1..customers, 3 years of dates with times."""
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.integers(0, 3 * 365 * 86_400, rows))
    return pd.DataFrame({
        "order_id": np.arange(1, rows + 1, dtype=np.int64),
        "customer_id": rng.integers(1, customers + 1, rows).astype(np.int64),
        "date": (np.datetime64("2023-01-01") + seconds.astype("timedelta64[s]")).astype("datetime64[ns]"),
        "amount": np.round(rng.gamma(2.0, 25.0, rows), 2),
        "cost": np.round(rng.gamma(2.0, 15.0, rows), 2),
        "category": rng.choice(["grocery", "household", "clothing", "electronics"], rows),
    })


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    tx = make_transactions(args.rows, args.customers)
    as_of = tx["date"].max().normalize()
    with tempfile.TemporaryDirectory() as folder:
        tx.to_parquet(Path(folder) / "transactions.parquet", index=False)
        con = sql.connect(folder)
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        ours, theirs = sql.rfm(con, as_of), rfm_table(tx, as_of=as_of)
        # same table, or the comparison means nothing
        pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-9, check_dtype=False)
        t_sql = best_of(lambda: sql.rfm(con, as_of), args.repeat)
        path = Path(folder) / "transactions.parquet"
        t_file = best_of(lambda: rfm_table(pd.read_parquet(path), as_of=as_of), args.repeat)
        t_mem = best_of(lambda: rfm_table(tx, as_of=as_of), args.repeat)
    print(f"rows {len(tx):,}, customers {len(ours):,}, best of {args.repeat}; DuckDB threads: {threads}; "
          f"the two tables agree cell for cell")
    print(f"DuckDB  crmlab.sql.rfm (Parquet in place):      {t_sql:7.3f} s")
    print(f"pandas  read_parquet + rfm_table:               {t_file:7.3f} s")
    print(f"pandas  rfm_table on a loaded DataFrame:        {t_mem:7.3f} s")
    print(f"ratio DuckDB / pandas from Parquet: {t_sql / t_file:.2f}; DuckDB / pandas in memory: {t_sql / t_mem:.2f}"
          f"  (expect ≤ 1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
