"""Chapter 08 (service and the call centre): the explorer's compute function against
hand-worked numbers, and the shipped grid of busy_desk market runs against a fresh run."""
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from crmlab.errors import ParameterError
from crmlab.explore import service as desk

matplotlib.use("agg")


def test_unit_desk_figures_hand_worked():
    # λ = 1/h, 60-minute handling (μ = 1), 2 agents: C = 1/3, Wq = 1/3 h = 20 min, SL(30 min) = 1 − e^(−0.5)/3
    d = desk.desk_figures(arrival_rate=1.0, handling_minutes=60, agents=2, target_minutes=30)
    assert d["stable"] and d["utilisation"] == pytest.approx(0.5)
    assert d["p_wait"] == pytest.approx(1 / 3)
    assert d["mean_wait_minutes"] == pytest.approx(20.0)
    assert d["service_level"] == pytest.approx(1 - math.exp(-0.5) / 3)
    assert math.isnan(d["market_churn"]) and math.isnan(d["market_profit"])     # no grid given
    # M/M/1: λ = 1, 30-minute handling (μ = 2): C = ρ = 0.5, Wq = 0.5/(2 − 1) h = 30 min
    one = desk.desk_figures(1.0, 30, 1, 60)
    assert one["p_wait"] == pytest.approx(0.5) and one["mean_wait_minutes"] == pytest.approx(30.0)
    assert one["service_level"] == pytest.approx(1 - 0.5 * math.exp(-1))


def test_unit_desk_figures_unstable_and_bad_input():
    d = desk.desk_figures(4.0, 30, 2, 6)           # λ = cμ: utilisation 1, no long-run level
    assert not d["stable"] and d["utilisation"] == pytest.approx(1.0)
    assert math.isnan(d["p_wait"]) and math.isnan(d["mean_wait_minutes"]) and math.isnan(d["service_level"])
    with pytest.raises(ParameterError, match="parameter 'handling_minutes'"):
        desk.desk_figures(1.0, 0, 2, 6)
    with pytest.raises(ParameterError, match="parameter 'agents'.*2.5"):
        desk.desk_figures(1.0, 30, 2.5, 6)
    with pytest.raises(ParameterError, match="parameter 'target_minutes'"):
        desk.desk_figures(1.0, 30, 2, -1)


def test_unit_desk_figures_looks_the_market_up():
    grid = pd.DataFrame({"agents": [3, 3, 4], "handling_minutes": [30.0, 30.0, 30.0],
                         "true_churn_rate": [0.2, 0.3, 0.1], "profit": [100.0, 200.0, 50.0]})
    d = desk.desk_figures(3.0, 30, 3, 6, grid)
    assert d["market_churn"] == pytest.approx(0.25) and d["market_profit"] == pytest.approx(150.0)
    assert math.isnan(desk.desk_figures(3.0, 20, 3, 6, grid)["market_profit"])   # no run at 20 minutes


def test_unit_grid_summary_takes_the_agents_cost_off():
    grid = pd.DataFrame({"agents": [2, 2, 3], "handling_minutes": [30.0] * 3, "years": [3.0] * 3,
                         "tickets_per_hour": [1.0, 3.0, 2.0], "mean_wait_hours": [0.2, 0.4, 0.1],
                         "service_level": [0.5, 0.7, 0.9], "satisfaction": [0.5, 0.5, 0.6],
                         "true_churn_rate": [0.3, 0.1, 0.1], "profit": [1000.0, 2000.0, 3000.0]})
    s = desk.grid_summary(grid, agent_cost_per_year=100.0).set_index("agents")
    assert s.loc[2, "profit"] == pytest.approx(1500.0) and s.loc[2, "mean_wait_hours"] == pytest.approx(0.3)
    assert s.loc[2, "profit_after_agents"] == pytest.approx(1500.0 - 2 * 100 * 3)
    assert s.loc[3, "profit_after_agents"] == pytest.approx(3000.0 - 3 * 100 * 3)


def test_functional_shipped_grid_is_complete_and_small():
    from pathlib import Path

    grid = desk.load_grid()
    assert Path(desk.__file__).resolve().parent.parent.joinpath("datasets", desk.GRID_FILE).stat().st_size < 200_000
    assert set(grid["seed"]) == set(desk.GRID_SEEDS)
    # every handling time with every agent count the scenario accepts: μ·c > 2000 · 16 / 8760 = 3.65 per hour
    for h in desk.GRID_HANDLING_MINUTES:
        expected = [c for c in desk.GRID_AGENTS if c * 60 / h > 2000 * 16 / 8760]
        assert sorted(set(grid.loc[grid["handling_minutes"] == h, "agents"])) == expected
    # the chain the chapter teaches, on the means over seeds (30-minute handling)
    s = desk.grid_summary(grid).query("handling_minutes == 30").set_index("agents")
    assert s["mean_wait_hours"].is_monotonic_decreasing
    assert s.loc[2, "true_churn_rate"] > s.loc[3, "true_churn_rate"] > s.loc[5, "true_churn_rate"]
    assert s.loc[2, "profit"] < s.loc[3, "profit"] < s.loc[5, "profit"]


@pytest.mark.slow
def test_functional_grid_row_regenerates():
    """One run of the shipped grid made again gives the same row (the simulator is reproducible)."""
    grid = desk.load_grid()
    row = desk.market_run(3, 30, 0)
    shipped = grid[(grid["agents"] == 3) & (grid["handling_minutes"] == 30) & (grid["seed"] == 0)].iloc[0]
    for key, value in row.items():
        assert shipped[key] == pytest.approx(value, rel=1e-5), key


def test_functional_staffing_chain_figure():
    fig = desk.plot_staffing_chain(desk.grid_summary(agent_cost_per_year=5000.0), 30, agent_cost_per_year=5000.0)
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes][0] == "mean wait (minutes)"
    with pytest.raises(ParameterError, match="handling_minutes"):
        desk.plot_staffing_chain(desk.grid_summary(), 45)
    matplotlib.pyplot.close(fig)


def test_functional_explorer_updates():
    from crmlab.explore import render_png

    grid = desk.load_grid()
    a = render_png(lambda fig: desk.desk_figure(fig, grid), arrival_rate=3.0, handling_minutes=30, agents=3,
                   target_minutes=6.0)
    b = render_png(lambda fig: desk.desk_figure(fig, grid), arrival_rate=5.0, handling_minutes=30, agents=2,
                   target_minutes=6.0)            # unstable: the left panel says so
    assert a[:4] == b"\x89PNG" and a != b
    box = desk.desk_explorer()
    before = box.image.value
    box.controls["agents"].value = 5
    assert box.image.value != before


def test_functional_explorer_update_equals_a_fresh_figure_and_keeps_its_frame():
    """The benchmark's control changes: each warm update shows exactly what a fresh figure shows,
    and the frame (fixed limits, ticks and labels) is drawn only once, when the cell runs."""
    import importlib.util
    import sys
    from pathlib import Path

    import crmlab.explore

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_explorers.py"
    spec = importlib.util.spec_from_file_location("bench_explorers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_explorers", module)
    spec.loader.exec_module(sys.modules["bench_explorers"])
    (ex,) = [e for e in sys.modules["bench_explorers"].EXPLORERS if e.name.startswith("08")]
    case = ex.setup()
    box = case.box
    for name, new in case.changes:
        box.controls[name].value = new
        values = {k: c.value for k, c in box.controls.items()}
        assert bytes(box.image.value) == crmlab.explore.render_png(box.setup, **values), f"after {name} = {new!r}"
    assert box.renderer.frames_drawn == 1
    for compute in case.computes:
        assert set(compute()) >= {"utilisation", "p_wait", "mean_wait_minutes", "service_level", "market_profit"}


# ----------------------------------------------------------------------------- the exercises
def _accepts(exercise_id, right, wrong):
    from crmlab.exercises import check

    assert check(exercise_id, right).status == "right"
    assert check(exercise_id, wrong).status == "wrong"
    assert check(exercise_id, ...).status == "not answered"


def test_exercise_08_mean_wait_by_hand():
    # λ = 3, μ = 2, c = 2: a = 1.5, ρ = 0.75; Σ = 1 + 1.5 = 2.5; tail = (1.5²/2)/0.25 = 4.5
    c = 4.5 / (2.5 + 4.5)
    wq_hours = c / (2 * 2 - 3)
    assert wq_hours * 60 == pytest.approx(38.571, abs=1e-3)
    _accepts("08.mean_wait_by_hand", round(wq_hours * 60, 1), wq_hours)      # hours instead of minutes


def test_exercise_08_agents_80_20():
    from sim import queueing

    lam, mu, t = 120.0, 15.0, 20 / 3600
    c = int(lam // mu) + 1
    while 1 - queueing.erlang_c(lam, mu, c) * math.exp(-(c * mu - lam) * t) < 0.8:
        c += 1
    assert 1 - queueing.erlang_c(lam, mu, c - 1) * math.exp(-((c - 1) * mu - lam) * t) < 0.8
    _accepts("08.agents_80_20", c, c - 1)


def test_exercise_08_classroom_one_agent():
    import crmlab.data
    import sim

    data, cfg = crmlab.data.classroom(), sim.scenario("classroom")
    lam = len(data.service) / (cfg.years * 365 * 24)
    rho = lam / cfg.service_rate                               # one agent: C = ρ
    sl = 1 - rho * math.exp(-(cfg.service_rate - lam) * 0.1)
    two = 1 - service_level_two_agents(lam, cfg.service_rate, 0.1)
    _accepts("08.classroom_one_agent", round(sl, 3), two)


def service_level_two_agents(lam, mu, t):
    """1 − SL(t) with two agents, from sim.queueing (a wrong answer: the desk as it is)."""
    from sim import queueing

    return queueing.erlang_c(lam, mu, 2) * math.exp(-(2 * mu - lam) * t)


def test_exercise_08_best_staffing():
    """Yearly cost(c) = 4000·c + per_hour · λ · 8760 · Wq(c), written out from the shipped CSV and sim.queueing."""
    from pathlib import Path

    import sim
    from sim import queueing

    grid = pd.read_csv(Path(desk.__file__).resolve().parent.parent / "datasets" / "busy_desk_grid.csv")
    g = grid[grid["handling_minutes"] == 30].groupby("agents").mean(numeric_only=True)
    years = sim.scenario("busy_desk").years
    waited = g["tickets_per_hour"] * 8760 * years * g["mean_wait_hours"]
    per_hour = (g.loc[7, "profit"] - g.loc[2, "profit"]) / (waited.loc[2] - waited.loc[7])
    lam = g["tickets_per_hour"].mean()
    cost = {c: 4000 * c + per_hour * lam * 8760 * queueing.mean_wait(lam, 2.0, c) for c in range(2, 8)}
    best = min(cost, key=cost.get)
    market = (g["profit"] - g.index * 4000 * years).idxmax()      # the check on the market
    assert best == market == 4
    _accepts("08.best_staffing", best, 3)


# ----------------------------------------------------------------------------- numbers the text states
def test_text_numbers_of_chapter_08():
    import sim

    busy, classroom = sim.scenario("busy_desk"), sim.scenario("classroom")
    assert (busy.customers, busy.ticket_rate_per_year, busy.wait_penalty_per_hour) == (2000, 16.0, 0.3)
    assert classroom.wait_penalty_per_hour == 0.01 and busy.years == 3
    assert desk.GRID_AGENTS == (2, 3, 4, 5, 6, 7) and len(desk.GRID_HANDLING_MINUTES) == 3 and len(desk.GRID_SEEDS) == 3
    grid = desk.load_grid()
    assert (grid["customers_acquired"] / grid["customers"]).min() > 0.5     # "most of its people become customers"
    s = desk.grid_summary(grid).query("handling_minutes == 30").set_index("agents")
    # "the third agent removes most of the damage; after four agents nobody waits long enough to notice"
    assert s.loc[3, "profit"] - s.loc[2, "profit"] > s.loc[7, "profit"] - s.loc[3, "profit"]
    assert (s.loc[4:, "mean_wait_hours"] * 60).max() < 0.5
    assert desk.GRID_TARGET_MINUTES == 6.0
