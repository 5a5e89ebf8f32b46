"""The explorers' labels in Chinese: one translation table, applied to a figure once when it is built.

An explorer writes its titles, axis labels, legend entries and control names in
English. When the course language is Chinese (``CRMLAB_LANG=zh`` or ``lang = "zh"``
in the student file, :func:`crmlab.exercises.messages.course_language`),
:func:`crmlab.explore.explorer` passes the figure and the controls through
:func:`translate_figure` and :func:`translate_controls` right after ``setup``:
every **fixed** text found in :data:`ZH` is replaced by its Chinese. A label
not in the table stays English. The texts an explorer rewrites at each update
(titles holding the current numbers, such as ``"CLV over 10 years = USD 1,234"``)
go, after every update, through :func:`translate_dynamic`: an ordered list of
patterns (:data:`DYNAMIC_ZH`), one per title shape, whose numbers are kept.

Money follows the data: when the course's dataset (the student's own, or the
shipped classroom one) is in yuan (``currency`` CNY in its data card, a
``zh_CN`` scenario), the fixed labels say ``CNY`` / ``元`` where they said
``USD`` / ``美元`` (:func:`data_currency`).

The fixed labels cost nothing at update time (the frame is drawn once, with
the translated labels); the dynamic pass is a few regular expressions over a few
dozen short texts (well under a millisecond). An English course on dollar data
consults nothing.

Example
-------
>>> tr("share of customers", "zh"), tr("share of customers", "en"), tr("not in the table", "zh")
('客户占比', 'share of customers', 'not in the table')
"""
from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["ZH", "DYNAMIC_ZH", "tr", "label", "data_currency", "translate_figure", "translate_controls",
           "translate_dynamic", "dynamic_texts", "translate_texts"]

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


#: (English pattern, Chinese template) for the texts the chapter explorers rewrite at each update, in the
#: order they are tried; every match in a text is replaced (``re.sub``), so a two-line title is two rules.
#: ``\g<n>`` keeps the numbers, names and dates the explorer wrote. Money stays ``USD x`` here: the money
#: rules of :func:`translate_dynamic` name it afterwards (``x 美元``, or ``x 元`` for a yuan dataset).
DYNAMIC_ZH = [(re.compile(pattern), template) for pattern, template in [
    # 00 market sandbox (market.py)
    (r"^After (\d+) years: ([\d,]+) customers, ([\d,]+) dormant, ([\d,]+) lost$",
     r"\1 年后：现实客户 \2，休眠客户 \3，流失客户 \4"),
    (r"^A market of ([\d,]+) people \(seed (\d+)\)$", r"\1 人的市场（随机种子 \2）"),
    # 01 retention economics (economics.py)
    (r"^Customers \(r = (\S+) vs (\S+)\)$", r"客户数（r = \1 对比 \2）"),
    (r"^Year (\d+): 5 points more retention = (\S+) profit$", r"第 \1 年：保持率高 5 个百分点 = 利润 \2"),
    (r"^A firm buying ([\d,]+) customers a year, margin (USD|CNY) ([\d,.]+) per customer per year$",
     r"一家每年获取 \1 位客户的企业，每位客户每年毛利 \2 \3"),
    # 02 composition (composition.py)
    (r"^Composition by (.+) \(([\d,]+) customers\)$", r"按 \1 的构成（\2 位客户）"),
    # 03 CLV calculator (clv_calculator.py)
    (r"^CLV over (\d+) years = ", r"\1 年 CLV = "),
    (r"   \(m = (.+), r = (\S+), d = (\S+)\)$", r"   （m = \1，r = \2，d = \3）"),
    # 04 RFM (rfm.py)
    (r"^Customers per R-F square, (\S+?)(?:; darkest ([\d,]+))?$",
     lambda m: f"每个 R-F 格的客户数，{m[1]}" + (f"；最多 {m[2]}" if m[2] else "")),
    (r"^share of M \(total spend\)$", "M（消费总额）占比"),
    (r"^share of M \(spend per order\)$", "M（每单消费）占比"),
    (r"^([\d,]+) customers?, (\d+) score levels$", r"\1 位客户，\2 个分数等级"),
    # 05 tiers (tiers.py)
    (r"^Customers per square$", "每格客户数"),
    (r"^cycle cut at (\S+) / (\S+) days, amount at (.+?) (\S+) / (\S+)$",
     r"周期分界 \1 / \2 天，金额分界 \3 \4 / \5"),
    (r"^Share per tier \(([\d,]+) changed tier since the start\)$", r"各层级占比（自开始以来 \1 位客户换了层级）"),
    (r"^Share per tier$", "各层级占比"),
    # 06 lifecycle and cohorts (lifecycle.py)
    (r"^(\d{4}-\d{2}-\d{2}), dormant after (\d+) days$", r"\1，休眠阈值 \2 天"),
    (r"^no dormant customer$", "没有休眠客户"),
    (r"^no win-back figure \(window not observed\)$", "无赢回数据（观察窗口不足）"),
    (r"^(\S+) of dormant buy within 90 days$", r"\1 的休眠客户在 90 天内再次购买"),
    (r"^Cohort retention: (.+)$", r"同期群留存：\1"),
    # 07 satisfaction and switching cost (loyalty.py)
    (r"^Mean satisfaction (\S+), switching cost (\S+): retention (\S+), repeat rate (\S+), referrals (\S+)$",
     r"平均满意度 \1，转移成本 \2：保持率 \3，重复购买率 \4，推荐占比 \5"),
    # 08 help desk (service.py)
    (r"^utilisation (\S+) · P\(wait\) (\S+) · mean wait (\S+) min$", r"利用率 \1 · P(等待) \2 · 平均等待 \3 分钟"),
    (r"^(\S+) answered within (\S+) min$", r"\1 在 \2 分钟内接通"),
    (r"^utilisation (\S+) ≥ 100%:$", r"利用率 \1 ≥ 100%："),
    (r"^the queue grows without limit$", "队列无限增长"),
    (r"^market, (\S+)-min handling:$", r"市场，处理时长 \1 分钟："),
    (r"^no run with (\d+) agents$", r"没有 \1 个坐席的运行"),
    (r"^market, (\S+)-min handling, (\d+) agents:$", r"市场，处理时长 \1 分钟，\2 个坐席："),
    (r"^churn (\S+) · profit (\S+)$", r"流失率 \1 · 利润 \2"),
    # retention experiments (retention.py)
    (r"^no action against itself: every difference is 0$", "不采取行动与自身比较：差值全为 0"),
    (r"^choose a strategy$", "请选择一个策略"),
    (r"^(.+): (\S+) \[(\S+), (\S+)\] over (\d+) replications$", r"\1：\2 [\3, \4]（\5 次重复）"),
    (r"^(.+): (\S+) from 1 replication$", r"\1：\2（1 次重复）"),
    (r"^no interval from one run$", "一次运行无法给出区间"),
    (r"^the interval is above 0: shown to pay$", "区间高于 0：证明有利可图"),
    (r"^the interval is below 0: shown to lose money$", "区间低于 0：证明会亏钱"),
    (r"^the interval includes 0: not shown to work yet$", "区间包含 0：尚未证明有效"),
    # churn prediction (predict.py)
    (r"^([\d,]+) targeted: ([\d,]+) churners \((\S+) of all\)$", r"目标客户 \1 位：其中流失者 \2 位（占全部的 \3）"),
    (r"^precision (\S+) · revenue held (\S+)$", r"精确率 \1 · 保住的收入 \2"),
    (r"^lift (\S+)$", r"提升度 \1"),
    (r"^score ≥ (\S+)$", r"得分 ≥ \1"),
    # SQL segments (sql.py)
    (r"^([\d,]+) customers match · they spent (USD|CNY) ([\d,.]+) in total$", r"\1 位客户符合 · 共消费 \2 \3"),
    # membership case (cases.py)
    (r"^Renewal (\S+): a member is worth (USD|CNY) ([\d,.\-−]+) \((\S+) of it from the fee\)$",
     r"续订率 \1：一位会员价值 \2 \3（其中 \4 来自会费）"),
]]

_AMOUNT = re.compile(r"\b(USD|CNY) ([+\-−]?[\d,]+(?:\.\d+)?)")
_CODE = re.compile(r"\bUSD\b")
_LETTERS = re.compile(r"[A-Za-z]")


def translate_dynamic(text: str, lang: str = "zh", currency: str = "USD") -> str:
    """One text an explorer wrote at an update, in ``lang``, its dollars named as ``currency``.

    In Chinese, each line goes through :data:`DYNAMIC_ZH` (every pattern that
    matches is applied, in order), then money is named after the amount:
    ``USD 1,234`` → ``1,234 美元`` (``1,234 元`` for a yuan dataset). In English on
    yuan data only the code changes: ``USD 1,234`` → ``CNY 1,234``.

    >>> translate_dynamic("CLV over 10 years = USD 1,234   (m = USD 100, r = 80%, d = 10%)")
    '10 年 CLV = 1,234 美元   （m = 100 美元，r = 80%，d = 10%）'
    >>> translate_dynamic("1,510 customers, 5 score levels"), translate_dynamic("T = ∞: USD 900", "en", "CNY")
    ('1,510 位客户，5 个分数等级', 'T = ∞: CNY 900')
    """
    if not _LETTERS.search(text):
        return text                     # a count or a date: nothing to translate (most texts of a heat map)
    if lang == "zh":
        lines = text.split("\n")
        for i, line in enumerate(lines):
            for pattern, template in DYNAMIC_ZH:
                line = pattern.sub(template, line)
            lines[i] = line
        text = "\n".join(lines)
        unit = "元" if currency == "CNY" else "美元" if currency == "USD" else currency
        text = _AMOUNT.sub(lambda m: f"{m[2]} {'元' if m[1] == 'CNY' else unit}", text)
        return _CODE.sub(unit, text)
    return _CODE.sub(currency, text) if currency != "USD" else text


def dynamic_texts(fig) -> list:
    """The texts an update may rewrite: ``fig``'s animated Text artists and the texts of its animated legends."""
    from matplotlib.text import Text

    found = [t for t in fig.findobj(Text) if t.get_animated()]
    for legend in [ax.get_legend() for ax in fig.axes] + list(fig.legends):
        if legend is not None and legend.get_animated():
            found += [t for t in legend.get_texts() if t not in found]
    return found


def translate_texts(texts: list, lang: str = "zh", currency: str = "USD") -> None:
    """Each of ``texts`` (matplotlib Text artists) through :func:`translate_dynamic`, set only when it changed."""
    for text in texts:
        old = text.get_text()
        if old:
            new = translate_dynamic(old, lang, currency)
            if new != old:
                text.set_text(new)
