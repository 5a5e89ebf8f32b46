"""Functional tests: replications give identical results on any executor.

Each task rebuilds its seed from (experiment seed, replication index), so a
process pool or a Dask cluster must reproduce the serial run exactly.
"""
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pandas as pd
import pytest

import sim
from sim.experiment import run_comparison, run_replications, summarize_replications

SMALL = dict(customers=150, years=0.5)


@pytest.fixture(scope="module")
def serial():
    return run_replications("classroom", sim.strategies.WinBackDormant(), n=4, seed=9, progress=False, **SMALL)


def test_process_pool_gives_identical_results(serial):
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = run_replications("classroom", sim.strategies.WinBackDormant(), n=4, seed=9,
                                    executor=pool, progress=False, **SMALL)
    pd.testing.assert_frame_equal(serial, parallel)


def test_worker_count_does_not_matter(serial):
    with ThreadPoolExecutor(max_workers=3) as pool:
        threads = run_replications("classroom", sim.strategies.WinBackDormant(), n=4, seed=9,
                                   executor=pool, progress=False, **SMALL)
    pd.testing.assert_frame_equal(serial, threads)


def test_dask_local_cluster_gives_identical_results(serial):
    # Threads keep the test quick (~1 s); processes=True works the same way but
    # spawning and importing two worker interpreters takes ~10 s on 2 cores.
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = run_replications("classroom", sim.strategies.WinBackDormant(), n=4, seed=9,
                                   executor=client.get_executor(), progress=False, **SMALL)
    pd.testing.assert_frame_equal(serial, on_dask)


def test_compare_on_a_pool_matches_serial():
    strategies = {"none": sim.strategies.NoAction(), "win back": sim.strategies.WinBackDormant()}
    here = run_comparison("classroom", strategies, n=2, seed=4, progress=False, **SMALL)
    with ProcessPoolExecutor(max_workers=2) as pool:
        there = run_comparison("classroom", strategies, n=2, seed=4, executor=pool, progress=False, **SMALL)
    pd.testing.assert_frame_equal(here, there)
    pd.testing.assert_frame_equal(summarize_replications(here), summarize_replications(there))


def test_progress_bar_is_shown(capsys):
    run_replications("classroom", n=1, seed=0, customers=50, years=0.2, progress=True)
    assert "replications (no strategy)" in capsys.readouterr().err
