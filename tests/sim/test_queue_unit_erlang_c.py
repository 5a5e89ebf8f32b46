"""Unit tests: Erlang C formulas against hand-worked numbers, and bad input."""

import pandas as pd
import pytest
import simpy

import sim.queueing as q
from sim.call_centre import CallCentre, call_centre


def test_mm1_by_hand():
    # M/M/1, λ=1, μ=2: ρ = 1/2; C = ρ = 0.5; Wq = C/(μ-λ) = 0.5/1 = 0.5 h;
    # Lq = C·ρ/(1-ρ) = 0.5·0.5/0.5 = 0.5; W = Wq + 1/μ = 1.0 h; L = λW = 1.0.
    assert q.utilisation(1.0, 2.0, 1) == pytest.approx(0.5)
    assert q.erlang_c(1.0, 2.0, 1) == pytest.approx(0.5)
    assert q.mean_wait(1.0, 2.0, 1) == pytest.approx(0.5)
    assert q.mean_queue_length(1.0, 2.0, 1) == pytest.approx(0.5)
    assert q.mean_time_in_system(1.0, 2.0, 1) == pytest.approx(1.0)
    assert q.mean_number_in_system(1.0, 2.0, 1) == pytest.approx(1.0)


def test_mm2_by_hand():
    # M/M/2, λ=1, μ=1: a = 1, ρ = 0.5. Σ_{k<2} a^k/k! = 1 + 1 = 2;
    # a²/2!·1/(1-ρ) = 0.5/0.5 = 1; C = 1/(2+1) = 1/3; Wq = (1/3)/(2·1-1) = 1/3;
    # Lq = (1/3)·0.5/0.5 = 1/3; W = 1/3 + 1 = 4/3; L = 1·4/3.
    assert q.erlang_c(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert q.mean_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert q.mean_queue_length(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert q.mean_time_in_system(1.0, 1.0, 2) == pytest.approx(4 / 3)
    assert q.mean_number_in_system(1.0, 1.0, 2) == pytest.approx(4 / 3)


def test_mm4_course_example_by_hand():
    # λ=6/h, μ=2/h, c=4: a = 3, ρ = 0.75. Σ_{k<4} 3^k/k! = 1 + 3 + 4.5 + 4.5 = 13;
    # 3^4/4!·1/(1-0.75) = 3.375·4 = 13.5; C = 13.5/26.5 = 0.509434;
    # Wq = C/(8-6) = 0.254717 h (15.3 minutes); Lq = λ·Wq = 1.528302.
    assert q.erlang_c(6.0, 2.0, 4) == pytest.approx(13.5 / 26.5)
    assert q.mean_wait(6.0, 2.0, 4) == pytest.approx(13.5 / 26.5 / 2)
    assert q.mean_queue_length(6.0, 2.0, 4) == pytest.approx(6 * 13.5 / 26.5 / 2)


def test_many_agents_do_not_overflow():
    # 500 agents at ρ = 0.9 would overflow a^c and c! computed on their own.
    c = q.erlang_c(900.0, 2.0, 500)
    assert 0.0 < c < 0.2


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(arrival_rate=8.0, service_rate=2.0, agents=4), "arrival_rate=8.0"),  # λ = cμ: unstable
        (dict(arrival_rate=9.0, service_rate=2.0, agents=4), "unstable"),
        (dict(arrival_rate=-1.0, service_rate=2.0, agents=4), "arrival_rate must be a finite number > 0, got -1.0"),
        (dict(arrival_rate=1.0, service_rate=0.0, agents=4), "service_rate must be a finite number > 0, got 0.0"),
        (dict(arrival_rate=1.0, service_rate=float("nan"), agents=4), "service_rate"),
        (dict(arrival_rate=1.0, service_rate=2.0, agents=0), "agents must be a whole number >= 1, got 0"),
        (dict(arrival_rate=1.0, service_rate=2.0, agents=2.5), "agents must be a whole number >= 1, got 2.5"),
        (dict(arrival_rate="x", service_rate=2.0, agents=1), "arrival_rate must be a number, got 'x'"),
    ],
)
def test_bad_queue_parameters_are_named(kwargs, needle):
    with pytest.raises(ValueError, match=needle.replace("(", r"\(").replace(".", r"\.")):
        q.check_mmc(**kwargs)
    with pytest.raises(ValueError, match=needle.replace("(", r"\(").replace(".", r"\.")):
        call_centre(days=1, seed=0, **kwargs)


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(days=0), "days must be a finite number > 0, got 0"),
        (dict(days=-3.0), "days must be a finite number > 0, got -3.0"),
        (dict(warmup_days=-1), "warmup_days must be a finite number >= 0, got -1"),
        (dict(complaint_share=1.5), "complaint_share must be a probability in [0, 1], got 1.5"),
        (dict(seed=-2), "seed must be a whole number >= 0, got -2"),
        (dict(seed=1.5), "seed must be a whole number >= 0, got 1.5"),
        (dict(start="not a date"), "start must be a date, got 'not a date'"),
    ],
)
def test_bad_run_parameters_are_named(kwargs, needle):
    args = dict(arrival_rate=6.0, service_rate=2.0, agents=4, days=1, seed=0) | kwargs
    with pytest.raises(ValueError) as err:
        call_centre(**args)
    assert needle in str(err.value)


def test_call_centre_class_fifo_and_returned_wait():
    # one agent; tickets at t=0 (0.5 d), t=0 (0.25 d) and t=0.1 (0.1 d): served in
    # arrival order, so answers at 0, 0.5, 0.75 and waits 0, 0.5, 0.65 days.
    env = simpy.Environment()
    centre = CallCentre(env, agents=1)
    waits = {}

    def customer(cid, delay, service):
        yield env.timeout(delay)
        waits[cid] = yield from centre.ticket(cid, "question", service)

    for cid, delay, service in [(1, 0.0, 0.5), (2, 0.0, 0.25), (3, 0.1, 0.1)]:
        env.process(customer(cid, delay, service))
    env.run()
    assert waits == pytest.approx({1: 0.0, 2: 0.5, 3: 0.65})
    assert centre.log["customer_id"] == [1, 2, 3]
    assert centre.log["resolved_at"] == pytest.approx([0.5, 0.75, 0.85])
    with pytest.raises(ValueError, match="agents must be a whole number >= 1, got 0"):
        CallCentre(env, agents=0)


def test_tickets_table_contract_and_determinism():
    a = call_centre(arrival_rate=6.0, service_rate=2.0, agents=4, days=5, seed=3)
    b = call_centre(arrival_rate=6.0, service_rate=2.0, agents=4, days=5, seed=3)
    c = call_centre(arrival_rate=6.0, service_rate=2.0, agents=4, days=5, seed=4)
    assert list(a.columns) == ["customer_id", "opened_at", "answered_at", "resolved_at",
                               "kind", "wait_hours", "service_hours"]
    for col in ("opened_at", "answered_at", "resolved_at"):
        assert a[col].dtype == "datetime64[ns]"
    start, end = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-06")
    assert a["opened_at"].min() >= start and a["opened_at"].max() < end
    assert (a["opened_at"] <= a["answered_at"]).all() and (a["answered_at"] <= a["resolved_at"]).all()
    assert a["opened_at"].is_monotonic_increasing
    assert set(a["kind"]) == {"question", "complaint"}
    assert (a["wait_hours"] >= 0).all() and (a["service_hours"] > 0).all()
    # ~6 tickets/hour over 120 hours: 720 expected; Poisson sd ≈ 27
    assert 600 < len(a) < 840
    assert a.equals(b)
    assert not a["opened_at"].equals(c["opened_at"])


def fcfs_waits(arrivals, services, agents):
    """Kiefer-Wolfowitz recursion for a first-come-first-served queue with c agents:
    each caller takes the agent that frees up first: wait = max(0, free − arrival)."""
    import heapq

    free = [float("-inf")] * agents
    waits = []
    for t, s in zip(arrivals, services):
        start = max(t, heapq.heappop(free))
        waits.append(start - t)
        heapq.heappush(free, start + s)
    return waits


def test_simpy_queue_equals_the_fcfs_recursion_on_the_same_draws():
    # Rebuild call_centre's draws (blocks of 4096 gaps, handling times, kinds, in
    # that order) and push them through the recursion: the SimPy desk must give
    # exactly the same waits — it is a first-come-first-served M/M/c queue.
    import numpy as np

    lam, mu, c, days, warm = 7.0, 2.0, 4, 20.0, 2.0
    table = call_centre(lam, mu, c, days=days, seed=5, warmup_days=warm)
    rng = np.random.default_rng(5)
    arrivals, services, t = [], [], -warm
    while t < days:
        gaps = rng.exponential(1 / (lam * 24), 4096)
        handling = rng.exponential(1 / (mu * 24), 4096)
        rng.random(4096)
        for g, s in zip(gaps, handling):
            t += g
            if t >= days:
                break
            arrivals.append(t)
            services.append(s)
    waits = np.array(fcfs_waits(arrivals, services, c)) * 24
    observed = np.array(arrivals) >= 0
    assert observed.sum() == len(table)
    np.testing.assert_allclose(table["wait_hours"].to_numpy(), waits[observed], atol=1e-6)
    np.testing.assert_allclose(table["service_hours"].to_numpy(), np.array(services)[observed] * 24, atol=1e-6)
