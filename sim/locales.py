"""Locales of a scenario: the same market told in US dollars and English, or in yuan and Chinese.

A built-in scenario is written in ``en_US``: amounts in US dollars, English
product categories and channel names. ``sim.scenario(name, locale="zh_CN")``
returns the same market for a Chinese classroom (中文课堂):

* **money in yuan** — every money parameter is multiplied by :data:`CNY_PER_USD`
  (a round 7 yuan per dollar, the rate of 2023–2025): the spend scale ``v``
  (so every order, mean p·v/(q − 1), is 7 times larger), the cost to serve,
  fees, channel and action costs. ``currency`` becomes ``"CNY"`` (¥);
* **Chinese words** — product categories, the fee category and the channels
  (``acquisition_channel``, ``acquire_<channel>`` campaigns, and the two
  channels every scenario has, ``referral`` → 转介绍 and ``direct`` → 自然到店);
* Chinese names and real Chinese cities (:mod:`sim.profiles`).

Nothing else changes, and the amounts are the only numbers that do: with the
same seed, a ``zh_CN`` run has the same customers (other names), the same
orders on the same days and the same churn as the ``en_US`` run, and every
``amount``/``cost`` is 7 times the dollar one (to floating-point rounding).

Example
-------
>>> from sim import scenario
>>> zh = scenario("classroom", locale="zh_CN")
>>> zh.currency, zh.v, zh.serve_cost_per_order, zh.categories[0], zh.channels[0].name
('CNY', 105.0, 28.0, '食品杂货', '搜索广告')
>>> channel_word("zh_CN", "referral"), channel_word("en_US", "referral")
('转介绍', 'referral')
"""
from __future__ import annotations

import dataclasses

__all__ = ["CNY_PER_USD", "CURRENCY", "SYMBOL", "MONEY_FIELDS", "WORDS_ZH", "localize", "channel_word",
           "currency_symbol"]

#: yuan per US dollar used to turn a dollar scenario into a yuan one (a round rate)
CNY_PER_USD = 7.0
#: currency of each locale, and the sign written before an amount in text and figures
CURRENCY = {"en_US": "USD", "zh_CN": "CNY"}
SYMBOL = {"USD": "USD ", "CNY": "¥"}   # never "$": a pair of $ starts math mode in Markdown and matplotlib

#: scenario fields holding money (besides each channel's ``cost_per_contact``)
MONEY_FIELDS = ("v", "serve_cost_per_order", "annual_fee", "fee_cost", "winback_cost", "contact_cost",
                "discount_cost", "manager_cost")

#: English word → Chinese word, for categories, fee categories and channels of the built-in scenarios
WORDS_ZH = {
    # product categories
    "grocery": "食品杂货", "household": "家居用品", "electronics": "电子产品", "clothing": "服装",
    "fuel": "燃油", "deposits": "存款", "cards": "银行卡", "loans": "贷款", "investment": "投资理财",
    "steel": "钢材", "components": "零部件", "services": "服务", "all": "全部商品",
    # fee categories
    "fee": "年费", "account fee": "账户管理费", "membership fee": "会员费",
    # channels
    "search_ads": "搜索广告", "social_media": "社交媒体", "direct_mail": "直邮", "branch": "网点",
    "online": "线上", "trade_fair": "展会", "sales_call": "销售拜访",
    "referral": "转介绍", "direct": "自然到店",
}
_WORDS_EN = {zh: en for en, zh in WORDS_ZH.items()}


def channel_word(locale: str, channel: str) -> str:
    """The name of a built-in channel (``"referral"``, ``"direct"``) in ``locale``."""
    return WORDS_ZH.get(channel, channel) if locale == "zh_CN" else channel


def currency_symbol(currency: str) -> str:
    """What goes before an amount: ``"¥"`` for CNY, ``"USD "`` for USD, else the code and a space.

    >>> currency_symbol("CNY") + f"{210:,.0f}", currency_symbol("USD") + "30"
    ('¥210', 'USD 30')
    """
    return SYMBOL.get(currency, f"{currency} ")


def _word(word: str, table: dict) -> str:
    return table.get(word, word)


def localize(cfg, locale: str):
    """``cfg`` told in ``locale``: money converted, words translated, ``locale`` and ``currency`` set.

    From ``en_US`` (USD) to ``zh_CN``: money × :data:`CNY_PER_USD`, English
    words → Chinese (words not in :data:`WORDS_ZH` stay as they are); back from
    ``zh_CN`` (CNY) to ``en_US``: the inverse. A scenario already in ``locale``
    is returned as it is. A currency other than the one of its locale (set by
    hand) is left alone and only the words change.
    """
    if cfg.locale == locale:
        return cfg
    convert = cfg.currency == CURRENCY.get(cfg.locale) and locale in CURRENCY
    if not convert:
        money = lambda x: x                     # noqa: E731
    elif locale == "zh_CN":
        money = lambda x: x * CNY_PER_USD       # noqa: E731
    else:
        money = lambda x: x / CNY_PER_USD       # noqa: E731  (¥105 / 7 = USD 15 exactly)
    table = WORDS_ZH if locale == "zh_CN" else _WORDS_EN
    changes = {name: money(getattr(cfg, name)) for name in MONEY_FIELDS}
    changes["channels"] = tuple(dataclasses.replace(c, name=_word(c.name, table),
                                                    cost_per_contact=money(c.cost_per_contact))
                                for c in cfg.channels)
    changes["categories"] = tuple(_word(c, table) for c in cfg.categories)
    changes["fee_category"] = _word(cfg.fee_category, table)
    changes["locale"] = locale
    if convert:
        changes["currency"] = CURRENCY[locale]
    return dataclasses.replace(cfg, **changes)
