"""crmlab.service: Erlang C waits, service level and staffing — hand-worked values,
the simulator's own formulas (sim.queueing) and the simulated call centre."""
import math
import pickle

import numpy as np
import pytest

from crmlab import service
from crmlab.errors import ParameterError


# ----------------------------------------------------------------------------- hand-worked values
@pytest.mark.parametrize("lam, mu", [(1.0, 2.0), (0.3, 1.0), (5.0, 6.0)])
def test_one_agent_waits_with_probability_rho(lam, mu):
    """M/M/1: C = ρ, Wq = ρ/(μ − λ)."""
    q = service.erlang_c(lam, mu, 1)
    rho = lam / mu
    assert q.utilisation == pytest.approx(rho)
    assert q.p_wait == pytest.approx(rho)
    assert q.mean_wait == pytest.approx(rho / (mu - lam))


def test_two_agents_by_hand():
    """λ = 1, μ = 1, c = 2: a = 1, ρ = 1/2; Σ_{k<2} a^k/k! = 2; tail = (1/2)/(1/2) = 1;
    C = 1/3; Wq = (1/3)/(2 − 1) = 1/3 h; SL(0.5 h) = 1 − (1/3)·e^(−0.5)."""
    q = service.erlang_c(arrival_rate=1.0, service_rate=1.0, agents=2)
    assert (q.arrival_rate, q.service_rate, q.agents) == (1.0, 1.0, 2)
    assert q.utilisation == pytest.approx(0.5)
    assert q.p_wait == pytest.approx(1 / 3)
    assert q.mean_wait == pytest.approx(1 / 3)
    assert service.service_level(1.0, 1.0, 2, 0.5) == pytest.approx(1 - math.exp(-0.5) / 3)
    assert q.to_dict()["p_wait"] == pytest.approx(1 / 3)


def test_three_agents_by_hand():
    """λ = 4, μ = 2, c = 3: a = 2, ρ = 2/3; Σ = 1 + 2 + 2 = 5; tail = (8/6)/(1/3) = 4;
    C = 4/9; Wq = (4/9)/(6 − 4) = 2/9 h."""
    q = service.erlang_c(4.0, 2.0, 3)
    assert q.p_wait == pytest.approx(4 / 9)
    assert q.mean_wait == pytest.approx(2 / 9)
    assert service.service_level(4.0, 2.0, 3, 0.25) == pytest.approx(1 - 4 / 9 * math.exp(-0.5))


def test_service_level_limits_and_monotone():
    c = service.erlang_c(6.0, 2.0, 4).p_wait
    assert service.service_level(6.0, 2.0, 4, 0.0) == pytest.approx(1 - c)     # answered at once
    assert service.service_level(6.0, 2.0, 4, 1e3) == pytest.approx(1.0)
    levels = [service.service_level(6.0, 2.0, k, 20 / 3600) for k in range(4, 9)]
    assert all(b > a for a, b in zip(levels, levels[1:]))


def test_agents_needed_by_hand():
    # λ = 1, μ = 1, t = 0.5 h, 90%: two agents give 0.7978, three 1 − (1/11)·e^(−1) = 0.9666
    assert service.agents_needed(1.0, 1.0, target_wait_hours=0.5, target_share=0.9) == 3
    assert service.agents_needed(1.0, 1.0, target_wait_hours=0.5, target_share=0.79) == 2
    # M/M/1 λ = 1, μ = 2: SL(1 h) = 1 − 0.5·e^(−1) = 0.816
    assert service.agents_needed(1.0, 2.0, 1.0, 0.8) == 1
    assert service.agents_needed(1.0, 2.0, 1.0, 0.82) == 2


@pytest.mark.parametrize("lam, mu, t, share", [(6.0, 2.0, 20 / 3600, 0.8), (100.0, 12.0, 20 / 3600, 0.8),
                                                (3.3, 2.0, 0.1, 0.95), (0.5, 2.0, 0.0, 0.5)])
def test_agents_needed_is_the_fewest(lam, mu, t, share):
    c = service.agents_needed(lam, mu, t, share)
    assert service.service_level(lam, mu, c, t) >= share
    if lam < (c - 1) * mu:
        assert service.service_level(lam, mu, c - 1, t) < share


def test_large_desk_stays_finite():
    """Hundreds of agents: the terms a^k/k! are built up one by one, no overflow."""
    q = service.erlang_c(1900.0, 2.0, 1000)
    assert 0 < q.p_wait < 1 and math.isfinite(q.mean_wait)
    assert service.agents_needed(1900.0, 2.0, 20 / 3600, 0.8) > 950


def test_staffing_table_skips_unstable_desks():
    t = service.staffing_table(1.0, 1.0, [1, 2, 3], target_wait_hours=0.5)
    assert t["agents"].tolist() == [2, 3]
    assert t["p_wait"].tolist() == pytest.approx([1 / 3, 1 / 11])
    assert t["service_level"].iloc[0] == pytest.approx(1 - math.exp(-0.5) / 3)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("args, name, text", [
    ((4.0, 2.0, 2), "agents", "utilisation 4/(2·2) = 1.0000"),
    ((5.0, 2.0, 2), "agents", "at least 3 agents"),
    ((0.0, 2.0, 2), "arrival_rate", "got 0.0"),
    ((-1.0, 2.0, 2), "arrival_rate", "got -1.0"),
    ((1.0, 0, 2), "service_rate", "got 0"),
    ((float("nan"), 2.0, 2), "arrival_rate", "nan"),
    (("6", 2.0, 2), "arrival_rate", "'6'"),
    ((1.0, 2.0, 2.5), "agents", "2.5"),
    ((1.0, 2.0, 0), "agents", "got 0"),
    ((1.0, 2.0, True), "agents", "True"),
])
def test_bad_parameters_are_named(args, name, text):
    with pytest.raises(ParameterError, match=f"parameter '{name}'") as err:
        service.erlang_c(*args)
    assert text in str(err.value)
    again = pickle.loads(pickle.dumps(err.value))
    assert str(again) == str(err.value)


def test_bad_targets_are_named():
    with pytest.raises(ParameterError, match="parameter 'target_wait_hours'.*-1"):
        service.service_level(1.0, 2.0, 1, -1)
    with pytest.raises(ParameterError, match="parameter 'target_share'.*1.0"):
        service.agents_needed(1.0, 2.0, 0.1, 1.0)
    with pytest.raises(ParameterError, match="parameter 'target_share'.*1.5"):
        service.agents_needed(1.0, 2.0, 0.1, 1.5)
    with pytest.raises(ParameterError, match="parameter 'agents'.*utilisation"):
        service.service_level(4.0, 2.0, 2, 0.1)


# ----------------------------------------------------------------------------- the simulator's formulas
@pytest.mark.parametrize("lam, mu, c", [(1.0, 2.0, 1), (6.0, 2.0, 4), (3.7, 2.0, 2), (40.0, 3.0, 15), (0.2, 5.0, 3)])
def test_agrees_with_sim_queueing(lam, mu, c):
    from sim import queueing

    q = service.erlang_c(lam, mu, c)
    assert q.p_wait == pytest.approx(queueing.erlang_c(lam, mu, c), rel=1e-12)
    assert q.mean_wait == pytest.approx(queueing.mean_wait(lam, mu, c), rel=1e-12)
    assert q.utilisation == pytest.approx(queueing.utilisation(lam, mu, c), rel=1e-12)


def test_agrees_with_the_simulated_call_centre():
    """λ = 6/h, μ = 2/h, 4 agents (ρ = 0.75): 3 × 250 days ≈ 108,000 simulated calls.
    Waits are correlated from call to call; over 750 days the mean wait's sampling
    error is about 3%, so 10% is a generous bound; shares within 0.02."""
    import sim

    waits = np.concatenate([sim.call_centre(6.0, 2.0, 4, days=250, seed=s)["wait_hours"].to_numpy()
                            for s in range(3)])
    q = service.erlang_c(6.0, 2.0, 4)
    assert waits.mean() == pytest.approx(q.mean_wait, rel=0.10)
    assert (waits > 0).mean() == pytest.approx(q.p_wait, abs=0.02)
    for t in (0.1, 0.25, 0.5):
        assert (waits <= t).mean() == pytest.approx(service.service_level(6.0, 2.0, 4, t), abs=0.02)
