"""Hostile configurations (issue 9): silent wrong answers and hangs in the simulator.

Every bad configuration is refused at once with a message naming the field or
parameter and its value — before any simulating.
"""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

import sim
from sim.call_centre import MAX_TICKETS, call_centre, warmup_days_for
from sim.config import ConfigError, check_dates
from sim.queueing import MAX_AGENTS, erlang_c

# --- dates beyond pandas' range ---------------------------------------------------------

@pytest.mark.parametrize("overrides, field", [
    ({"years": 1000}, "years"),                 # before: observation_end wrapped to 1853
    ({"start": "1600-01-01"}, "start"),
    ({"start": "2260-01-01"}, "years"),         # 2260 + 4 years passes 2262-04-10
])
def test_config_dates_must_stay_representable(overrides, field):
    with pytest.raises(ConfigError, match=f"^{field} must be .*1677-09-22 .. 2262-04-10") as e:
        sim.scenario("classroom", **overrides)
    assert repr(overrides[field] if field in overrides else 3.0) in str(e.value)


def test_simulate_years_override_is_checked_too():
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="years must be .*2262-04-10.*got 1000"):
        sim.simulate("classroom", customers=10, years=1000, seed=1)
    assert time.perf_counter() - t0 < 1.0       # refused before simulating
    check_dates("2023-01-01", 239.0, 0.0)       # 2023 + 239·365 days still fits


def test_cli_exits_non_zero_with_the_limit(tmp_path):
    out = tmp_path / "log"
    run = subprocess.run([sys.executable, "-m", "sim", "--scenario", "classroom", "--years", "1000",
                          "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "years must be" in run.stderr and "2262-04-10" in run.stderr
    assert not out.exists()


# --- parameters of the wrong kind ---------------------------------------------------------

def test_channel_dict_with_a_typo_names_the_key():
    bad = [{"name": "web", "share": 1.0, "cost_per_contact": 1.0, "conversoin": 0.3}]
    with pytest.raises(ConfigError, match=r"unknown keys \['conversoin'\], missing keys \['conversion'\]"):
        sim.scenario("classroom", channels=bad)


def test_satisfied_above_below_dissatisfied_below_is_refused():
    with pytest.raises(ConfigError, match=r"satisfied_above must be >= dissatisfied_below \(0.5\), got 0.2"):
        sim.scenario("classroom", satisfied_above=0.2, dissatisfied_below=0.5)
    sim.scenario("classroom", satisfied_above=0.4, dissatisfied_below=0.4)   # equal is allowed


def test_fee_category_that_is_a_product_category_is_refused():
    with pytest.raises(ConfigError, match="fee_category must be different from every product category.*'grocery'"):
        sim.scenario("classroom", annual_fee=10.0, fee_category="grocery")


def test_a_strategy_returning_an_unknown_action_is_named():
    class Careless(sim.strategies.Strategy):
        def decide(self, today, log):
            return ["email everyone"]

    with pytest.raises(TypeError, match="unknown action 'email everyone'; use Contact"):
        sim.simulate("classroom", customers=30, years=0.1, seed=1, strategy=Careless())


# --- hangs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, expected", [
    # utilisation 0.9999: the default warm-up is 5τ = 4.17e7 days → 2.0e9 tickets (before: ran for hours)
    (dict(arrival_rate=1.9998, service_rate=1, agents=2, days=1), "2e+09 tickets"),
    # λ = μ = 10^5 an hour, 2 agents: 1 day warm-up + 1 day = 4.8e6 tickets (before: minutes)
    (dict(arrival_rate=1e5, service_rate=1e5, agents=2, days=1), "4.8e+06 tickets"),
    (dict(arrival_rate=6.0, service_rate=2.0, agents=4, days=10_000), "1.44e+06 tickets"),
])
def test_call_centre_refuses_work_beyond_the_limit(kwargs, expected):
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="too much work") as e:
        call_centre(seed=1, **kwargs)
    assert time.perf_counter() - t0 < 1.0
    assert expected in str(e.value) and f"MAX_TICKETS={MAX_TICKETS:,}" in str(e.value)


def test_warmup_near_saturation_is_stated():
    # τ = 1/(√2 − √1.9998)² hours = 1/(7.07e-5)² = 2.0e8 h; 5τ/24 = 4.17e7 days
    assert warmup_days_for(1.9998, 1.0, 2) == pytest.approx(4.166e7, rel=1e-3)
    # an explicit short warm-up makes the same queue runnable
    assert len(call_centre(1.9998, 1.0, 2, days=1, seed=1, warmup_days=1)) > 0


def test_utilisation_of_one_and_absurd_agent_counts_are_refused():
    with pytest.raises(ValueError, match="unstable queue.*utilisation 1.0000 >= 1"):
        call_centre(arrival_rate=2.0, service_rate=1.0, agents=2, days=1, seed=1)
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=f"agents must be at most MAX_AGENTS={MAX_AGENTS:,}"):
        erlang_c(1e9, 1.0, 2_000_000_000)
    assert time.perf_counter() - t0 < 1.0
