"""A Chinese classroom (中文课堂): ``sim.scenario(..., locale="zh_CN")`` is the same market in yuan and Chinese."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim import locales
from sim.__main__ import main

CHINESE = r"^[\u4e00-\u9fff]+$"


@pytest.fixture(scope="module")
def runs():
    en = sim.simulate("classroom", customers=600, years=1.5, seed=11)
    zh = sim.simulate(sim.scenario("classroom", locale="zh_CN"), customers=600, years=1.5, seed=11)
    return en, zh


def test_unit_zh_scenario_money_times_seven_and_chinese_words():
    en, zh = sim.scenario("classroom"), sim.scenario("classroom", locale="zh_CN")
    assert (zh.locale, zh.currency) == ("zh_CN", "CNY") and (en.locale, en.currency) == ("en_US", "USD")
    # hand-worked: v 15 -> 105, so the mean order p*v/(q-1) = 6*105/3 = 210 yuan (30 dollars x 7)
    assert zh.v == 105.0 and zh.p * zh.v / (zh.q - 1) == 210.0
    assert (zh.serve_cost_per_order, zh.winback_cost, zh.manager_cost) == (28.0, 35.0, 1050.0)
    assert [(c.name, c.cost_per_contact) for c in zh.channels] == [("搜索广告", 14.0), ("社交媒体", 7.0), ("直邮", 21.0)]
    assert zh.categories == ("食品杂货", "家居用品", "电子产品", "服装")
    assert zh.category_weights == en.category_weights and zh.fee_category == "年费"
    # nothing but locale, currency, money and words differs
    differ = {k for k, v in en.to_dict().items() if zh.to_dict()[k] != v}
    assert differ == {"locale", "currency", "channels", "categories", "fee_category", *locales.MONEY_FIELDS} - {
        "annual_fee", "fee_cost"}          # the classroom has no fee: 0 x 7 = 0


@pytest.mark.parametrize("name", sim.scenarios())
def test_unit_every_builtin_scenario_is_fully_chinese_and_converts_back(name):
    zh = sim.scenario(name, locale="zh_CN")
    for word in (*zh.categories, zh.fee_category, *(c.name for c in zh.channels)):
        assert pd.Series([word]).str.contains(CHINESE).all(), (name, word)
    back = zh.replace(locale="en_US")
    assert back == sim.scenario(name)                      # ¥ / 7 gives the dollars back exactly
    assert sim.config.from_dict(zh.to_dict()) == zh        # a card rebuilds the yuan scenario (no double x7)
    assert sim.scenario(zh, locale="zh_CN") == zh          # already Chinese: unchanged


def test_unit_other_overrides_are_in_the_target_locale():
    zh = sim.scenario("classroom", locale="zh_CN", v=150.0, currency="CNY")
    assert zh.v == 150.0 and zh.serve_cost_per_order == 28.0
    with pytest.raises(sim.ConfigError, match=r"locale must be one of \('en_US', 'zh_CN'\), got 'zh_TW'"):
        sim.scenario("classroom", locale="zh_TW")


def test_unit_english_classroom_untouched():
    cfg = sim.scenario("classroom")
    assert cfg == sim.config.Scenario() and cfg.v == 15.0 and cfg.channels[0].name == "search_ads"
    assert locales.channel_word("en_US", "referral") == "referral"


def test_functional_same_seed_same_market_amounts_in_yuan(runs):
    en, zh = runs
    for name in ("transactions", "contacts", "stages", "service", "surveys", "truth", "customers"):
        assert getattr(en, name).shape == getattr(zh, name).shape, name
    te, tz = en.transactions, zh.transactions
    assert te["date"].equals(tz["date"]) and te["customer_id"].equals(tz["customer_id"])
    np.testing.assert_allclose(tz["amount"], 7 * te["amount"], rtol=1e-12)
    np.testing.assert_allclose(tz["cost"], 7 * te["cost"], rtol=1e-12)
    words = dict(zip(["grocery", "household", "electronics", "clothing"], zh.config.categories))
    assert tz["category"].astype(str).tolist() == te["category"].astype(str).map(words).tolist()
    np.testing.assert_allclose(zh.truth["holdout_revenue"], 7 * en.truth["holdout_revenue"], rtol=1e-12)
    assert en.truth["churned"].equals(zh.truth["churned"])
    assert en.stages.equals(zh.stages)
    ce, cz = en.customers, zh.customers
    assert ce["acquired_at"].equals(cz["acquired_at"]) and ce["gender"].equals(cz["gender"])
    channel = {"search_ads": "搜索广告", "social_media": "社交媒体", "direct_mail": "直邮", "referral": "转介绍"}
    assert cz["acquisition_channel"].dropna().tolist() == ce["acquisition_channel"].dropna().map(channel).tolist()
    assert cz["name"].str.contains(CHINESE).all() and cz["city"].str.contains(r"^[\u4e00-\u9fff]+市$").all()
    campaigns = set(zh.contacts["campaign"])
    assert campaigns <= {"acquire_搜索广告", "acquire_社交媒体", "acquire_直邮"} and campaigns
    np.testing.assert_allclose(zh.contacts["cost"], 7 * en.contacts["cost"], rtol=1e-12)
    # the referral share is measured from the Chinese channel name too
    assert zh.card["measured"] == en.card["measured"] and en.card["measured"]["referral_share"] > 0


def test_functional_cli_locale_writes_a_yuan_data_card(tmp_path, capsys):
    out = tmp_path / "zh"
    assert main(["--scenario", "classroom", "--customers", "300", "--years", "1", "--seed", "5",
                 "--locale", "zh_CN", "--out", str(out)]) == 0
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert card["parameters"]["currency"] == "CNY" and card["parameters"]["v"] == 105.0
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "--locale zh_CN" in readme and "人民币元（¥）" in readme and "× 7" in readme
    log = sim.load(out)
    assert log.config == sim.scenario("classroom", locale="zh_CN")
    assert set(log.transactions["category"].astype(str)) <= {"食品杂货", "家居用品", "电子产品", "服装"}
