"""The explorers' labels in Chinese: one translation table, applied to a figure once when it is built.

An explorer writes its titles, axis labels, legend entries and control names in
English. When the course language is Chinese (``CRMLAB_LANG=zh`` or ``lang = "zh"``
in the student file, :func:`crmlab.exercises.messages.course_language`),
:func:`crmlab.explore.explorer` passes the figure and the controls through
:func:`translate_figure` and :func:`translate_controls` right after ``setup``:
every **fixed** text found in :data:`ZH` is replaced by its Chinese (a text the
explorer rewrites at each update, such as a title holding the current numbers,
stays as the explorer writes it). A label not in the table stays English.

Money follows the data: when the course's dataset (the student's own, or the
shipped classroom one) is in yuan (``currency`` CNY in its data card, a
``zh_CN`` scenario), the fixed labels say ``CNY`` / ``元`` where they said
``USD`` / ``美元`` (:func:`data_currency`).

It costs nothing at update time (the frame is drawn once, with the translated
labels) and nothing in an English course on dollar data (nothing is consulted).

Example
-------
>>> tr("share of customers", "zh"), tr("share of customers", "en"), tr("not in the table", "zh")
('客户占比', 'share of customers', 'not in the table')
"""
from __future__ import annotations

import json
from pathlib import Path

__all__ = ["ZH", "tr", "label", "data_currency", "translate_figure", "translate_controls"]

#: English label → Chinese, for the chapter explorers' fixed titles, axis labels, legends and controls
ZH = {
    # 00 market sandbox: lifecycle stages and axes
    "target": "目标客户", "prospect": "潜在客户", "opportunity": "当前机会", "customer": "现实客户",
    "dormant": "休眠客户", "lost": "流失客户", "people": "人数", "date": "日期",
    "reach per year": "每年触达率", "dropout per year": "每年流失率", "referrals per customer-year": "每客户每年推荐数",
    # 01 retention economics
    "Profit per year": "每年利润", "customers (thousand)": "客户数（千）", "profit (thousand USD)": "利润（千美元）",
    "r − 5 points": "r − 5 个百分点", "retention r": "保持率 r", "year": "年", "retention": "保持率",
    "acquisition cost (USD)": "获取成本（美元）", "referrals per customer": "每位客户的推荐数",
    # 02 composition
    "share": "占比", "share of customers": "客户占比", "share of revenue": "收入占比", "dimension": "维度",
    # 03 CLV calculator
    "USD (today's money)": "美元（现值）", "running total": "累计", "term  m·r^t/(1+d)^t": "每年一项  m·r^t/(1+d)^t",
    "year t": "第 t 年", "margin m (USD/year)": "毛利 m（美元/年）", "discount rate d": "贴现率 d",
    "horizon T (years)": "期限 T（年）",
    # 04 RFM
    "F score (higher = more orders)": "F 分（越高 = 订单越多）", "R score (higher = more recent)": "R 分（越高 = 越近）",
    "share (%)": "占比（%）", "share of M (total spend)": "M（消费总额）占比", "as of": "截至日期", "bins": "分档数",
    "monetary": "消费金额",
    # 05 tiers
    "platinum": "铂金客户", "gold": "黄金客户", "silver": "白银客户", "development": "发展客户",
    "optimize": "优化客户", "amount per order": "每单金额", "customers": "客户数", "profit (tier colour)": "利润（按层级着色）",
    "purchase cycle": "消费周期", "cycle (days)": "周期（天）", "amount (USD)": "金额（美元）",
    # 06 lifecycle and cohorts
    "all cohorts": "全部同期群", "chosen cohort": "所选同期群", "customers buying that month (%)": "当月购买的客户（%）",
    "months since first purchase": "首次购买后的月数", "dormant after (days)": "休眠阈值（天）", "cohort": "同期群",
    # 07 satisfaction and switching cost
    "mean switching cost": "平均转移成本", "referral share": "推荐占比", "repeat rate": "重复购买率",
    "retention (last year)": "保持率（最后一年）", "mean satisfaction (0-1)": "平均满意度（0–1）",
    # 08 help desk
    "3-year profit (thousands)": "三年利润（千）", "agents": "坐席数", "share answered within t": "t 内接通的占比",
    "wait t (minutes)": "等待时间 t（分钟）", "calls per hour λ": "每小时来电 λ", "handling minutes": "处理时长（分钟）",
    "agents c": "坐席数 c", "target wait (min)": "目标等待（分钟）",
    "Erlang C (left) and the busy_desk market (right)": "Erlang C 公式（左）与 busy_desk 市场（右）",
}


def tr(text: str, lang: str = "zh") -> str:
    """``text`` in ``lang``: its Chinese from :data:`ZH` when ``lang`` is ``"zh"``, else ``text`` itself."""
    return ZH.get(text, text) if lang == "zh" else text


def data_currency() -> str:
    """The currency of the course's dataset: its data card's ``parameters.currency`` (``"USD"`` if unreadable)."""
    try:
        from crmlab import student

        folder = student.data_folder()
    except (ImportError, OSError, ValueError):
        folder = None
    try:
        if folder is None:
            from crmlab.data import dataset_path

            folder = dataset_path("classroom")
        card = json.loads((Path(folder) / "card.json").read_text(encoding="utf-8"))
        return str(card["parameters"]["currency"])
    except (OSError, ValueError, KeyError, TypeError):
        return "USD"


def label(text: str, lang: str, currency: str) -> str:
    """One fixed label in ``lang``, its dollars named as ``currency``."""
    new = tr(text, lang)
    if currency != "USD":
        new = new.replace("美元", "元" if currency == "CNY" else currency).replace("USD", currency)
    return new


def translate_figure(fig, lang: str = "zh", currency: str = "USD") -> int:
    """Every fixed text of ``fig`` in ``lang`` (found in :data:`ZH`), its dollars named as ``currency``; returns how many changed.

    Fixed texts: axes titles, axis labels, legend entries,
    the axes' and the figure's own texts — those not ``animated`` (the explorer's
    ``update`` rewrites the animated ones).
    """
    texts = list(fig.texts)
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            texts += list(legend.get_texts())
    changed = 0
    for text in texts:
        if text.get_animated():
            continue
        old = text.get_text()
        new = label(old, lang, currency)
        if new != old:
            text.set_text(new)
            changed += 1
    return changed


def translate_controls(controls: dict, lang: str = "zh", currency: str = "USD") -> None:
    """The controls' descriptions in ``lang`` (those in :data:`ZH`), their dollars named as ``currency``."""
    for control in controls.values():
        description = getattr(control, "description", None)
        if isinstance(description, str):
            control.description = label(description, lang, currency)
