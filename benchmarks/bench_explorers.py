"""Update time of every chapter explorer on the classroom dataset (budget: 100 ms per update).

    .venv/bin/python benchmarks/bench_explorers.py

When a student moves a control, two things happen:

* **compute** — the explorer's pure, tested function runs with the new control
  values (this is what must answer in < 100 ms on the classroom dataset);
* **draw** — the figure is drawn and rendered to PNG, as Jupyter's inline backend
  does (here ``crmlab.explore.show`` is replaced by a PNG render into memory).

The *setup* is the one-off work when the explorer cell runs (loading, precomputing).

Baseline, run in the same process: an empty 10×4.6 inch figure rendered to PNG —
the floor that no figure can beat on this machine; the last column says how many
baselines a full update (compute + draw) costs. Drawing time is matplotlib's and
grows with the machine's load; compare it with the baseline, not with 100 ms.

To add an explorer: append one ``Explorer(name, setup)`` to ``EXPLORERS`` —
``setup()`` does the one-off work and returns a list of ``Update(compute, draw)``
pairs of zero-argument callables, one per set of control values.
"""
from __future__ import annotations

import io
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable

os.environ.setdefault("MPLBACKEND", "agg")

import matplotlib.pyplot as plt  # noqa: E402

import crmlab.explore  # noqa: E402

BUDGET_MS = 100.0
REPEAT = 3


def _render_png(fig) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)


crmlab.explore.show = _render_png   # every explorer calls crmlab.explore.show(fig) at the end of a draw


@dataclass
class Update:
    compute: Callable[[], object]
    draw: Callable[[], None]


@dataclass
class Explorer:
    name: str
    setup: Callable[[], list[Update]]


def _data():
    import crmlab.data

    return crmlab.data.classroom()


def _ch00_market():
    from crmlab.explore import market

    runs = market.MarketRuns()
    grid = [(r, d, w) for r in runs.reach for d in runs.dropout for w in runs.referrals][:6]
    return [Update(lambda k=k: runs.counts(*k), lambda k=k: market.draw_market(runs, *k)) for k in grid]


def _ch01_economics():
    from crmlab.explore import economics

    def compute(r, a):
        return (economics.profit_over_time(r, a, referral_rate=0.02),
                economics.profit_over_time(r - 0.05, a, referral_rate=0.02))

    return [Update(lambda r=r, a=a: compute(r, a), lambda r=r, a=a: economics.draw_profit(r, a, 0.02))
            for r, a in ((0.8, 300), (0.9, 100), (0.6, 600))]


def _ch02_composition():
    from crmlab.explore import composition

    data = _data()
    views = composition.CompositionViews(data.customers, data.transactions)
    return [Update(lambda d=d: views.shares(d), lambda d=d: composition.draw_composition(views, d))
            for d in views.dimensions]


def _ch03_clv():
    from crmlab.explore import clv_calculator

    params = ((100, 0.8, 10), (250, 0.95, 30), (50, 0.3, 5))
    return [Update(lambda m=m, r=r, h=h: clv_calculator.clv_terms(m, r, 0.1, h),
                   lambda m=m, r=r, h=h: clv_calculator.draw_clv(m, r, 0.1, h)) for m, r, h in params]


def _ch04_rfm():
    from crmlab.explore import rfm

    tx = _data().transactions
    ends = rfm.month_ends(tx)
    controls = ((ends[-1], 5, "total"), (ends[len(ends) // 2], 3, "total"), (ends[-1], 9, "mean"), (ends[5], 5, "mean"))
    return [Update(lambda a=a, b=b, m=m: rfm.rfm_snapshot(tx, a, bins=b, monetary=m),
                   lambda a=a, b=b, m=m: rfm.draw(tx, a, b, m)) for a, b, m in controls]


def _ch05_tiers():
    from crmlab import tiers, value
    from crmlab.explore import tiers as tiers_explore

    data = _data()
    features = tiers.five_tier(data.transactions)
    serve = tiers_explore.cost_to_serve(data.transactions, data.service, per_ticket=15.0)
    profit = value.customer_profit(data.transactions, cost_to_serve=serve)["profit"]
    controls = (((40, 100), (19, 32)), ((20, 60), (25, 40)), ((60, 200), (10, 20)))
    return [Update(lambda c=c, a=a: tiers_explore.tier_shares(features, profit, {"cycle": c, "amount": a},
                                                              baseline=features["tier"]),
                   lambda c=c, a=a: tiers_explore.draw(features, profit, c, a, features["tier"])) for c, a in controls]


def _ch06_lifecycle():
    from crmlab import lifecycle
    from crmlab.explore import lifecycle as lifecycle_explore

    tx = _data().transactions
    cohorts, pooled = lifecycle.cohort_table(tx), lifecycle.retention_curve(tx)
    controls = ((90, cohorts.index[0]), (180, cohorts.index[12]), (330, cohorts.index[-1]))
    return [Update(lambda d=d, c=c: lifecycle_explore.lifecycle_view(tx, "2025-06-30", d, c, cohorts=cohorts,
                                                                     pooled=pooled),
                   lambda d=d, c=c: lifecycle_explore.draw(tx, "2025-06-30", d, c, cohorts, pooled))
            for d, c in controls]


EXPLORERS: list[Explorer] = [
    Explorer("00 market sandbox (grid look-up)", _ch00_market),
    Explorer("01 retention economics", _ch01_economics),
    Explorer("02 composition", _ch02_composition),
    Explorer("03 CLV calculator", _ch03_clv),
    Explorer("04 RFM at a date", _ch04_rfm),
    Explorer("05 tier cut-offs", _ch05_tiers),
    Explorer("06 lifecycle threshold + cohort", _ch06_lifecycle),
]


def _baseline_ms() -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        fig, _ax = plt.subplots(figsize=crmlab.explore.FIGSIZE)
        _render_png(fig)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _median_ms(fn: Callable[[], object], calls: list) -> tuple[float, float]:
    times = []
    for _ in range(REPEAT):
        for item in calls:
            t0 = time.perf_counter()
            fn(item)
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def main() -> int:
    _baseline_ms()                       # warm up matplotlib
    baseline = _baseline_ms()
    print(f"baseline (empty figure rendered to PNG): {baseline:.1f} ms")
    print(f"{'explorer':36s} {'setup s':>8s} {'compute ms':>11s} {'(max)':>7s} {'draw ms':>8s} {'(max)':>7s} "
          f"{'× base':>7s}  compute budget {BUDGET_MS:.0f} ms")
    over = []
    for ex in EXPLORERS:
        start = time.perf_counter()
        updates = ex.setup()
        setup_s = time.perf_counter() - start
        updates[0].draw()                # the first figure of a kind warms matplotlib's caches
        compute, compute_max = _median_ms(lambda u: u.compute(), updates)
        draw, draw_max = _median_ms(lambda u: u.draw(), updates)
        verdict = "ok" if compute < BUDGET_MS else "OVER"
        if compute >= BUDGET_MS:
            over.append(ex.name)
        print(f"{ex.name:36s} {setup_s:8.2f} {compute:11.2f} {compute_max:7.2f} {draw:8.1f} {draw_max:7.1f} "
              f"{(compute + draw) / baseline:7.1f}  {verdict}")
    if over:
        print(f"compute over the {BUDGET_MS:.0f} ms budget (median): {', '.join(over)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
