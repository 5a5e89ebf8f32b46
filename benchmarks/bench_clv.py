"""BGNBD().fit beside lifetimes' BetaGeoFitter on the same summaries.

Two summaries: the CDNOW calibration summary (2,357 customers, built with
``clv.summarize`` from the raw sample shipped inside ``lifetimes``) and 100,000
simulated BG/NBD customers (``sim.btyd.simulate_bgnbd`` with the CDNOW
parameters, first purchases spread over a year, recency and T in whole days
expressed in weeks — like a real export). Both fitters also compute standard
errors (lifetimes computes its variance matrix inside ``fit``).

Printed: wall time (best of ``--repeat`` runs, the two fitters alternating), the speed ratio lifetimes/crmlab
(target ≥ 1), and both maximised log-likelihoods evaluated with the same
formula, with their relative difference (target ≤ 1e-6). Also timed: the
conditional expectation over 39 weeks for every customer of the 100k summary.
``lifetimes`` is a test-only dependency; without it only crmlab is timed.

    .venv/bin/python benchmarks/bench_clv.py [--customers 100000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import importlib.util
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab import clv


def best_of(fn, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def cdnow_summary() -> pd.DataFrame | None:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or spec.origin is None:
        return None
    raw = pd.read_csv(Path(spec.origin).parent / "datasets" / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "customer_id", "date", "cds", "amount"], dtype={"date": str})
    tx = raw.assign(date=pd.to_datetime(raw["date"], format="%Y%m%d"))
    summary = clv.summarize(tx, "1998-06-30", freq="W", calibration_end="1997-09-30")
    return summary[["frequency", "recency", "T", "monetary_value"]]


def simulated_summary(customers: int, seed: int = 1) -> pd.DataFrame:
    from sim import btyd

    rng = np.random.default_rng(seed)
    T_days = 365 + rng.integers(0, 365, customers)              # cohorts joined over one year
    df = btyd.simulate_bgnbd(customers, 0.243, 4.414, 0.793, 2.426, T_days / 7.0, seed)
    recency_days = np.floor(df["recency"].to_numpy() * 7.0)      # dates are whole days
    return pd.DataFrame({"frequency": df["frequency"].to_numpy(), "recency": recency_days / 7.0,
                         "T": T_days / 7.0})


def compare(label: str, summary: pd.DataFrame, repeat: int, lifetimes) -> None:
    """Time both fitters, alternating runs so that load from other processes hits both alike."""
    x, tx, T = summary["frequency"], summary["recency"], summary["T"]
    n_unique = len(summary[["frequency", "recency", "T"]].drop_duplicates())
    print(f"\n{label}: {len(summary):,} customers, {n_unique:,} distinct (frequency, recency, T) rows")
    t_ours = t_theirs = float("inf")
    ours = theirs = None
    for _ in range(repeat):
        dt, ours = best_of(lambda: clv.BGNBD().fit(summary, freq="W"), 1)
        t_ours = min(t_ours, dt)
        if lifetimes is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dt, theirs = best_of(lambda: lifetimes.BetaGeoFitter().fit(x, tx, T), 1)
            t_theirs = min(t_theirs, dt)
    print(f"  crmlab BGNBD.fit        {t_ours:8.3f} s   LL = {ours.log_likelihood_:.6f}   "
          + ", ".join(f"{k}={v:.4f}" for k, v in ours.params_.items()))
    if lifetimes is None:
        print("  lifetimes not installed: no baseline")
        return
    params = np.array([theirs.params_[k] for k in ("r", "alpha", "a", "b")])
    ll_theirs = float(ours._loglik_and_grad(params, (x.to_numpy(float), tx.to_numpy(float),
                                                     T.to_numpy(float)))[0].sum())
    rel = abs(ll_theirs - ours.log_likelihood_) / abs(ours.log_likelihood_)
    print(f"  lifetimes BetaGeoFitter {t_theirs:8.3f} s   LL = {ll_theirs:.6f}   "
          + ", ".join(f"{k}={v:.4f}" for k, v in zip(("r", "alpha", "a", "b"), params)))
    print(f"  speed ratio lifetimes/crmlab = {t_theirs / t_ours:.2f}x (target >= 1)   "
          f"relative LL difference = {rel:.1e} (target <= 1e-6; crmlab's LL is "
          f"{'higher' if ours.log_likelihood_ > ll_theirs else 'not higher'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lifetimes = None
    if importlib.util.find_spec("lifetimes") is not None:
        import lifetimes

    cdnow = cdnow_summary()
    if cdnow is not None:
        compare("CDNOW calibration summary", cdnow, args.repeat, lifetimes)
    big = simulated_summary(args.customers)
    compare(f"simulated BG/NBD, {args.customers:,} customers", big, args.repeat, lifetimes)

    # prediction for everyone: conditional expectation over 39 weeks
    model = clv.BGNBD().fit(big, freq="W")     # recency and T in weeks
    x, tx, T = big["frequency"], big["recency"], big["T"]
    t_pred, ours = best_of(lambda: model.expected_purchases(39.0, x, tx, T), args.repeat)
    print(f"\nexpected_purchases(39 weeks) for {len(big):,} customers: crmlab {t_pred:.3f} s")
    if lifetimes is not None:
        ref = lifetimes.BetaGeoFitter()
        ref.params_ = model.params_.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_ref, theirs = best_of(lambda: ref.conditional_expected_number_of_purchases_up_to_time(39.0, x, tx, T),
                                    args.repeat)
        diff = np.nanmax(np.abs(ours.to_numpy() - np.asarray(theirs)) / np.maximum(np.asarray(theirs), 1e-12))
        print(f"  lifetimes {t_ref:.3f} s   ratio lifetimes/crmlab = {t_ref / t_pred:.2f}x   "
              f"max relative difference = {diff:.1e}")


if __name__ == "__main__":
    main()
