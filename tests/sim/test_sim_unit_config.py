"""Scenario configs: the built-ins validate, overrides work, every kind of mistake
gets a clear error naming the field and the value."""
import dataclasses

import pytest

import sim
from sim.config import Channel, ConfigError, Scenario


def test_unit_builtin_scenarios_listed_and_valid():
    assert sim.scenarios() == ["classroom", "retail", "bank", "b2b", "membership", "textbook", "busy_desk"]
    for name in sim.scenarios():
        cfg = sim.scenario(name)
        assert isinstance(cfg, Scenario) and cfg.name == name
        builder = sim.config.BUILDERS[name]
        assert builder.__doc__ and len(builder.__doc__) > 80       # parameters documented


def test_unit_default_is_classroom_and_overrides_apply():
    assert sim.scenario().name == "classroom"
    cfg = sim.scenario("textbook", r=0.5, alpha=6.0)
    assert (cfg.r, cfg.alpha, cfg.a, cfg.b) == (0.5, 6.0, 0.79, 2.43)    # FHL 2005 a, b kept
    assert sim.scenario("classroom", locale="zh_CN").locale == "zh_CN"
    assert sim.scenario(cfg, b=3.0).r == 0.5                              # change an existing config
    assert cfg.start == "2023-01-01"


def test_unit_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        sim.scenario().r = 2.0


def test_unit_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_unit_negative_rate_names_field_and_value():
    with pytest.raises(ConfigError, match=r"dropout_per_year must be >= 0, got -0\.1"):
        sim.scenario("classroom", dropout_per_year=-0.1)


def test_unit_zero_gamma_shape_is_rejected():
    with pytest.raises(ConfigError, match=r"alpha must be > 0, got 0"):
        sim.scenario("textbook", alpha=0)


def test_unit_probability_outside_unit_interval():
    with pytest.raises(ConfigError, match=r"winback_success must be a probability in \[0, 1\], got 1\.5"):
        sim.scenario("classroom", winback_success=1.5)
    with pytest.raises(ConfigError, match=r"channels\[search_ads\]\.conversion must be a probability"):
        sim.scenario("classroom", channels=(Channel("search_ads", 1.0, 2.0, 1.2),))


def test_unit_unknown_field():
    with pytest.raises(ConfigError, match=r"unknown field 'dropout_rate' \(value 0\.2\)"):
        sim.scenario("classroom", dropout_rate=0.2)


def test_unit_unknown_scenario():
    with pytest.raises(ConfigError, match=r"unknown scenario 'shop'"):
        sim.scenario("shop")


def test_unit_unstable_call_centre():
    # 5000 people x 20 tickets/year / 8760 h = 11.4 tickets/hour >= 2 agents x 2/hour = 4
    with pytest.raises(ConfigError, match=r"agents=2 is an unstable call centre: arrival load 11\.416"):
        sim.scenario("classroom", ticket_rate_per_year=20.0)


def test_unit_not_a_number():
    with pytest.raises(ConfigError, match=r"reach_per_year must be a finite number, got 'fast'"):
        sim.scenario("classroom", reach_per_year="fast")
    with pytest.raises(ConfigError, match=r"p must be a finite number, got nan"):
        sim.scenario("classroom", p=float("nan"))


def test_unit_bad_choices():
    with pytest.raises(ConfigError, match=r"locale must be one of \('en_US', 'zh_CN'\), got 'fr_FR'"):
        sim.scenario("classroom", locale="fr_FR")
    with pytest.raises(ConfigError, match=r"start must be a date like '2023-01-01', got 'soon'"):
        sim.scenario("classroom", start="soon")
    with pytest.raises(ConfigError, match=r"agents must be a whole number >= 1, got 0"):
        sim.scenario("classroom", agents=0)


def test_unit_inconsistent_fields():
    with pytest.raises(ConfigError, match=r"channels must be shares adding up to 1, got \[0\.5, 0\.35, 0\.25\]"):
        sim.scenario("classroom", channels=(Channel("a", 0.5, 1, 0.3), Channel("b", 0.35, 1, 0.3),
                                            Channel("c", 0.25, 1, 0.3)))
    with pytest.raises(ConfigError, match=r"category_weights must be weights adding up to 1"):
        sim.scenario("classroom", category_weights=(0.5, 0.5, 0.5, 0.5))
    with pytest.raises(ConfigError, match=r"lost_after_days must be >= dormant_after_days \(120\.0\), got 60"):
        sim.scenario("classroom", lost_after_days=60)
    with pytest.raises(ConfigError, match=r"q must be > 1"):
        sim.scenario("classroom", q=0.5)


@pytest.mark.parametrize("kwargs, message", [
    ({"customers": 0}, r"customers must be a whole number >= 1, got 0"),
    ({"customers": 2.5}, r"customers must be a whole number >= 1, got 2\.5"),
    ({"years": -1}, r"years must be a number > 0, got -1"),
    ({"seed": -3}, r"seed must be a whole number >= 0, got -3"),
    ({"strategy": "win back"}, r"strategy must have a decide\(today, log\) method, got 'win back'"),
])
def test_unit_simulate_arguments(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        sim.simulate("classroom", **kwargs)


def test_unit_round_trip_through_dict():
    cfg = sim.scenario("bank", locale="zh_CN")
    assert sim.config.from_dict(cfg.to_dict()) == cfg
