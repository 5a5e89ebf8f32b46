"""Command line: simulate a scenario and write its event log folder.

    python -m sim --scenario classroom --customers 5000 --years 3 --seed 7 --out DIR [--overwrite]
    python -m sim class --students 40 --seed 2025 --out class/      (a dataset per student: sim.classroom)

writes ``DIR/NAME.parquet`` for each table, ``DIR/csv/NAME.csv``, ``DIR/card.json``
(scenario, every parameter, seed, row counts, package version) and ``DIR/README.md``.
"""
from __future__ import annotations

import argparse
import sys
import time

from crmlab.logfolder import check_target

from .config import ConfigError, scenario, scenarios
from .engine import simulate


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["class"]:
        from .classroom import main as class_main

        return class_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m sim", description="Simulate a CRM market and save its event log.")
    parser.add_argument("--scenario", default="classroom", choices=scenarios())
    parser.add_argument("--customers", type=int, default=None, help="people in the market (default: the scenario's)")
    parser.add_argument("--years", type=float, default=None, help="observation years (default: the scenario's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--locale", default=None, help="en_US or zh_CN (default: the scenario's)")
    parser.add_argument("--out", required=True, help="folder to write (must be new or empty unless --overwrite)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an event log saved there before (never any other folder or a file)")
    args = parser.parse_args(argv)
    try:
        cfg = scenario(args.scenario, **({"locale": args.locale} if args.locale else {}))
        check_target(args.out, args.overwrite, flag="--overwrite")       # refuse before simulating
        t0 = time.perf_counter()
        log = simulate(cfg, customers=args.customers, years=args.years, seed=args.seed)
        log.save(args.out, overwrite=args.overwrite)
    except (ConfigError, FileExistsError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    rows = ", ".join(f"{k} {v}" for k, v in log.card["rows"].items())
    print(f"{cfg.name}: {rows} -> {args.out} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
