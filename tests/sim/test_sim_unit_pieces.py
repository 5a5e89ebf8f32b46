"""Small pieces of the simulator checked by hand: silence labels, dates, streams,
profile pools, the docstring examples."""

import numpy as np
import pandas as pd
import pytest

from sim import profiles, streams
from sim.eventlog import STAGES, silence_changes, to_dates


def names(codes):
    return [STAGES[k] for k in codes]


def test_unit_silence_changes_by_hand():
    # customer 1: orders on days 0, 50, 600 -> dormant 170 (50+120), lost 415 (50+365),
    #             back 600, dormant 720 (600+120), lost 965 (600+365)
    # customer 2: orders on days 10 and 100 -> no gap over 120 days; dormant 220, lost 465
    cid = np.array([1, 2, 1, 2, 1])
    t = np.array([0.0, 10.0, 50.0, 100.0, 600.0])
    c, when, frm, to = silence_changes(cid, t, 120.0, 365.0)
    rows = list(zip(c.tolist(), when.tolist(), names(frm), names(to)))
    assert rows == [
        (1, 170.0, "customer", "dormant"), (1, 415.0, "dormant", "lost"), (1, 600.0, "lost", "customer"),
        (1, 720.0, "customer", "dormant"), (1, 965.0, "dormant", "lost"),
        (2, 220.0, "customer", "dormant"), (2, 465.0, "dormant", "lost"),
    ]


def test_unit_return_from_dormant_before_lost():
    # gap of 200 days: dormant at 120, back at 200 (never lost)
    c, when, frm, to = silence_changes(np.array([5, 5]), np.array([0.0, 200.0]), 120.0, 365.0)
    assert list(zip(when.tolist()[:2], names(frm)[:2], names(to)[:2])) == [
        (120.0, "customer", "dormant"), (200.0, "dormant", "customer")]


def test_unit_to_dates_rounds_to_the_second():
    d = to_dates(pd.Timestamp("2023-01-01"), [0.0, 1.5, 1 / 86400 * 0.4, np.nan])
    assert d[0] == np.datetime64("2023-01-01T00:00:00")
    assert d[1] == np.datetime64("2023-01-02T12:00:00")
    assert d[2] == np.datetime64("2023-01-01T00:00:00")        # 0.4 s rounds down
    assert np.isnat(d[3])


def test_unit_customer_stream_is_keyed_and_blocked():
    first = streams.FirstBlocks(seed=3, purpose=streams.LIFE, n=4, gamma_shape=6.0)
    a, b = first.stream(2), first.stream(2)
    draws_a = [a.uniform() for _ in range(100)]              # crosses the first block of 12
    assert draws_a == [b.uniform() for _ in range(100)]
    assert draws_a[:12] == first.u[2].tolist()
    other = first.stream(1)
    assert other.uniform() != draws_a[0]
    g = [a.gamma() for _ in range(500)]
    assert np.mean(g) == pytest.approx(6.0, rel=0.1)          # Gamma(6, 1): mean 6, s.e. 0.11
    e = [a.exponential() for _ in range(2000)]
    assert np.mean(e) == pytest.approx(1.0, abs=0.1)          # Exp(1): s.e. 0.022


def test_unit_profile_pools_are_fixed_per_locale():
    zh = profiles.name_pools("zh_CN")
    assert len(zh["last"]) > 50 and len(zh["city"]) > 50
    assert profiles.name_pools("zh_CN") is zh                 # built once
    p1 = profiles.sample_profiles(1000, seed=5)
    p2 = profiles.sample_profiles(10, seed=5)
    assert list(p1["name"][:10]) == list(p2["name"])          # person i independent of n
