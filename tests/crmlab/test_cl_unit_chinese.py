"""A Chinese classroom (中文课堂): Chinese in figures, check() in Chinese, explorer labels, the glossary."""
from __future__ import annotations

import csv
import io
import pickle
import re
import tomllib
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402

import crmlab.exercises as ex  # noqa: E402
from crmlab import fonts, glossary  # noqa: E402
from crmlab.exercises import messages  # noqa: E402
from crmlab.explore import labels, projector_style  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
GLYPH = re.compile(r"Glyph \d+ .* missing from font")


@pytest.fixture
def english(monkeypatch, tmp_path):
    """An English course whatever the machine says (no CRMLAB_LANG, no student file around)."""
    monkeypatch.delenv("CRMLAB_LANG", raising=False)
    monkeypatch.delenv("CRMLAB_STUDENT", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def chinese(english, monkeypatch):
    monkeypatch.setenv("CRMLAB_LANG", "zh")


def _render(text: str, rc: dict) -> np.ndarray:
    """Pixels of one text drawn in a small figure with the settings ``rc``."""
    with plt.rc_context({"font.family": ["sans-serif"], **rc}):
        fig = plt.figure(figsize=(2, 1), dpi=80)
        fig.text(0.1, 0.4, text, fontsize=20)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return plt.imread(io.BytesIO(buf.getvalue()))


# ---------------------------------------------------------------- figures draw Chinese

def test_functional_chinese_figure_renders_without_missing_glyph_warnings(english):
    found = fonts.cjk_font()
    if found is None:
        pytest.skip("no CJK font on this machine (make test installs fonts-noto-cjk as root: .ci/install-cjk-font)")
    family, path = found
    assert family in fonts.CJK_FAMILIES and Path(path).is_file()
    rc = projector_style()
    assert rc["font.family"] == ["sans-serif", family]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with plt.rc_context(rc):
            fig, ax = plt.subplots()
            ax.bar(["食品杂货", "家居用品", "电子产品", "服装"], [210.0, 120.0, 80.0, 60.0])
            ax.set(title="每单平均金额（¥）", ylabel="金额（¥）")
            fig.savefig(io.BytesIO(), format="png")
            plt.close(fig)
        食品, 服装 = _render("食品", rc), _render("服装", rc)
    assert not [w for w in caught if GLYPH.search(str(w.message))]
    # real glyphs: two different words look different (missing glyphs would be two identical boxes each)
    assert not np.array_equal(食品, 服装)
    # Latin text keeps the sans-serif font: the same pixels with or without the CJK fallback
    assert np.array_equal(_render("RFM 543", rc), _render("RFM 543", {}))


def test_unit_no_cjk_font_one_note_no_warning_flood(chinese, monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    fonts.cjk_font.cache_clear()
    monkeypatch.setattr(fonts, "_noted", False)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rc = projector_style()                   # the search finds nothing: the note, once
            assert "font.family" not in rc and fonts.use_cjk_font() is None
            projector_style()
            with plt.rc_context({"font.family": ["DejaVu Sans"]}):
                fig, ax = plt.subplots()
                ax.bar(["食品杂货", "家居用品", "电子产品", "服装"], [4.0, 3.0, 2.0, 1.0])
                ax.set_title("客户占比（按渠道）")
                fig.savefig(io.BytesIO(), format="png")
                plt.close(fig)
        notes = [w for w in caught if issubclass(w.category, fonts.NoCJKFontWarning)]
        assert len(notes) == 1 and "fonts-noto-cjk" in str(notes[0].message)
        assert not [w for w in caught if GLYPH.search(str(w.message))]      # not dozens: none
    finally:
        fonts.cjk_font.cache_clear()


def test_unit_no_cjk_font_in_an_english_course_says_nothing(english, monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    fonts.cjk_font.cache_clear()
    monkeypatch.setattr(fonts, "_noted", False)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert fonts.font_rc() == {}
        assert caught == []
    finally:
        fonts.cjk_font.cache_clear()


def test_unit_font_search_registers_a_font_file_matplotlib_did_not_know(monkeypatch):
    found = fonts.cjk_font()
    if found is None:
        pytest.skip("no CJK font on this machine")
    monkeypatch.setattr(fonts, "_known_font", lambda: None)       # as with a stale font cache
    again = fonts.find_cjk_font()
    assert again is not None and Path(again[1]).is_file()
    from matplotlib import font_manager
    assert again[0] in {f.name for f in font_manager.fontManager.ttflist}


# ---------------------------------------------------------------- the course language

def test_unit_course_language_env_then_student_file(english, monkeypatch, tmp_path):
    assert messages.course_language() == "en"
    (tmp_path / "crmlab-student.toml").write_text('student = "s01"\ndata = "data"\nlang = "zh"\n', encoding="utf-8")
    sub = tmp_path / "notebooks"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert messages.course_language() == "zh"                     # the student file, found in a parent
    monkeypatch.setenv("CRMLAB_LANG", "en_US")
    assert messages.course_language() == "en"                     # the environment wins
    monkeypatch.setenv("CRMLAB_LANG", "zh-CN")
    assert messages.course_language() == "zh"
    monkeypatch.setenv("CRMLAB_LANG", "fr")
    with pytest.raises(ValueError, match=r"CRMLAB_LANG must be one of \('en', 'zh'\) \(or zh_CN, en_US\), got 'fr'"):
        messages.course_language()


def test_unit_every_message_has_both_languages_and_the_same_fields():
    for key, entry in messages.MESSAGES.items():
        assert set(entry) == {"en", "zh"}, key
        assert re.search(r"[\u4e00-\u9fff]", entry["zh"]), key
        assert sorted(re.findall(r"\{(\w+)\}", entry["en"])) == sorted(re.findall(r"\{(\w+)\}", entry["zh"])), key
    for status in ex._STYLE:
        assert f"title.{status}" in messages.MESSAGES


# ---------------------------------------------------------------- check() in Chinese

KEY = {"99.total": {"answer": {"kind": "number", "value": 210.0}, "hints": ["concept", "method", "code"],
                    "hints_zh": ["概念", "方法", "代码"], "praise": "Well done.", "praise_zh": "做得好。"},
       "99.old": {"answer": {"kind": "number", "value": 1.0}, "hints": ["only English"]}}


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setattr(ex, "read_key", lambda chapter: KEY if chapter == "99" else None)
    monkeypatch.delenv(ex.RECORD_ENV, raising=False)
    ex._wrong_attempts.clear()
    yield
    ex._wrong_attempts.clear()


def test_functional_check_speaks_chinese(chinese, key, capsys):
    assert ex._evaluate("99.total", ...).text() == "… [99.total] 还没有作答。 把 `...` 换成你的代码或数字，然后再运行这个单元格。"
    wrong = ex._evaluate("99.total", 200.0)
    assert wrong.status == "wrong" and wrong.text() == "✘ [99.total] 还不对。 提示 1/3：概念"
    assert ex._evaluate("99.total", 201.0).message == "提示 1/3：概念\n提示 2/3：方法"
    typed = ex._evaluate("99.total", "two hundred")
    assert typed.status == "wrong" and typed.message.startswith("应当是") and "提示 1/3：概念" in typed.message
    right = ex._evaluate("99.total", 210.0)
    assert right.text() == "✔ [99.total] 回答正确！ 做得好。" and "回答正确！" in right._repr_html_()
    # no hints_zh in the key: the English hint, in a Chinese frame
    assert ex._evaluate("99.old", 2.0).message == "提示：only English"
    assert ex._evaluate("99.nope", 1.0).message == "请核对练习名称；第 99 章的练习有：99.old, 99.total。"
    assert ex._evaluate("rfm", 1.0).message.startswith("练习编号的样子是")
    assert ex._evaluate("98.x", 1.0).message == "第 98 章还没有答案文件（作者请运行：python -m tools.keys 98）。"


def test_functional_check_in_english_is_unchanged(english, key):
    assert ex._evaluate("99.total", ...).text() == ("… [99.total] Not answered yet. Replace the `...` with your code "
                                                    "or number, then run the cell again.")
    assert ex._evaluate("99.total", 200.0).text() == "✘ [99.total] Not quite. Hint 1 of 3: concept"
    assert ex._evaluate("99.total", 210.0).text() == "✔ [99.total] Right! Well done."
    assert ex._evaluate("99.old", 2.0).message == "Hint: only English"


def test_unit_exercise_list_accepts_hints_zh_one_per_step(tmp_path):
    from tools.keys import read_exercise_list

    nb = tmp_path / "99_test.ipynb"
    toml = tmp_path / "99_test.exercises.toml"
    toml.write_text('["99.a"]\nhints = ["c", "m", "x"]\nhints_zh = ["概念", "方法", "代码"]\npraise_zh = "好"\n',
                    encoding="utf-8")
    assert read_exercise_list(nb)["99.a"]["hints_zh"] == ["概念", "方法", "代码"]
    toml.write_text('["99.a"]\nhints = ["c", "m", "x"]\nhints_zh = ["概念"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"99\.a.*hints_zh must be the 3 hint steps in Chinese"):
        read_exercise_list(nb)


# ---------------------------------------------------------------- explorer labels

def test_functional_explorer_labels_in_chinese(chinese):
    from crmlab.explore.clv_calculator import clv_explorer

    box = clv_explorer()
    ax = box.figure.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("第 t 年", "美元（现值）")
    assert [c.description for c in box.controls.values()] == ["毛利 m（美元/年）", "保持率 r", "贴现率 d", "期限 T（年）"]
    box.controls["retention"].value = 0.5                       # updates still work, labels stay
    assert ax.get_xlabel() == "第 t 年" and len(box.update_ms) == 2


def test_functional_explorer_labels_in_english_untouched(english):
    from crmlab.explore.clv_calculator import clv_explorer

    box = clv_explorer()
    assert box.figure.axes[0].get_xlabel() == "year t"
    assert [c.description for c in box.controls.values()][0] == "margin m (USD/year)"


def test_unit_translation_table_is_chinese_and_skips_animated_texts():
    assert all(re.search(r"[\u4e00-\u9fff]", zh) for zh in labels.ZH.values())
    fig = plt.figure()
    ax = fig.subplots()
    ax.set_xlabel("year t")
    ax.set_title("share", animated=True)                        # rewritten by update: left alone
    assert labels.translate_figure(fig) == 1 and ax.get_xlabel() == "第 t 年" and ax.get_title() == "share"
    plt.close(fig)


# ---------------------------------------------------------------- glossary

def _key_terms(notebook: Path) -> list[tuple[str, str]]:
    import nbformat

    rows = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## Key terms"):
            for line in cell.source.splitlines():
                parts = [p.strip() for p in line.strip().strip("|").split("|")]
                if len(parts) == 3 and parts[0] != "English" and not set(parts[0]) <= {"-"}:
                    rows.append((parts[0], parts[1]))
    return rows


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks" / "instructor").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.name[:2])
def test_functional_every_key_term_is_in_the_glossary(notebook):
    rows = _key_terms(notebook)
    assert rows, f"{notebook.name} has no Key terms table"
    known = set(zip(glossary.terms()["term_en"], glossary.terms()["term_zh"]))
    missing = [r for r in rows if r not in known]
    assert not missing, f"{notebook.name}: add to crmlab/glossary.csv: {missing}"


def test_unit_glossary_file_and_lookup():
    with open(glossary.PATH, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["term_en", "term_zh", "meaning"] and len(rows) >= 110
    pairs = [(r["term_en"], r["term_zh"]) for r in rows]
    assert len(pairs) == len(set(pairs)) and all(all(r.values()) for r in rows)
    assert glossary.lookup("Churn").term_zh.tolist() == ["客户流失"]          # exact English match alone
    assert set(glossary.lookup("流失").term_en) >= {"churn", "churn rate"}
    with pytest.raises(ValueError, match=r"lookup: text must be a non-empty text .* got ''"):
        glossary.lookup("")
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "glossary.csv" in spec["tool"]["setuptools"]["package-data"]["crmlab"]


def test_functional_explorer_money_labels_follow_a_yuan_dataset(english, monkeypatch, tmp_path):
    import sim
    from crmlab.explore.clv_calculator import clv_explorer

    assert labels.data_currency() == "USD"                     # the shipped classroom dataset
    sim.simulate(sim.scenario("classroom", locale="zh_CN"), customers=100, years=1, seed=2).save(tmp_path / "zh")
    monkeypatch.setenv("CRMLAB_STUDENT_DATA", str(tmp_path / "zh"))
    assert labels.data_currency() == "CNY"
    box = clv_explorer()
    assert box.figure.axes[0].get_ylabel() == "CNY (today's money)"
    assert box.controls["margin"].description == "margin m (CNY/year)"
    monkeypatch.setenv("CRMLAB_LANG", "zh")
    box = clv_explorer()
    assert box.figure.axes[0].get_ylabel() == "元（现值）" and box.controls["margin"].description == "毛利 m（元/年）"


def test_unit_glossary_tool_finds_missing_key_terms(tmp_path):
    import nbformat

    from tools import glossary as tool

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "## Key terms\n\n| English | 中文 | meaning |\n|---|---|---|\n| churn | 客户流失 | x |\n| new term | 新术语 | y |\n")])
    nbformat.write(nb, tmp_path / "99_x.ipynb")
    assert tool.missing_rows(tmp_path) == [{"term_en": "new term", "term_zh": "新术语", "meaning": "y"}]
    assert tool.missing_rows() == []                               # the shipped glossary is complete


# ---------------------------------------------------------------- answer kinds and answer errors in Chinese

def test_unit_answer_kind_words_follow_the_course_language(chinese, key):
    from crmlab.exercises import answers

    three = {"kind": "list", "value": [{"kind": "number", "value": 1.0}] * 3}
    assert answers.describe_answer({"kind": "number", "value": 1.0}) == "一个数字"
    assert answers.describe_answer(three) == "一个列表（共 3 项）"
    assert answers.describe_answer(three, lang="en") == "a list of 3 items"
    assert answers.describe_sealed({"kind": "dict", "items": ["a", "b"]}) == "一个字典（dict）或 Series（共 2 项）"
    assert answers.describe_sealed({"kind": "set", "n": 4, "whole": "x"}, lang="en") == "a set of 4 items"
    typed = ex._evaluate("99.total", "two hundred")
    assert typed.message == "应当是一个数字，你给出的是一段文本（str）。\n提示 1/3：概念"
    with pytest.raises(answers.AnswerTypeError, match="你的答案是 None") as err:
        answers.normalise(None)
    assert pickle.loads(pickle.dumps(err.value)).args == err.value.args
    with pytest.raises(answers.AnswerTypeError, match=r"一整张表（2 行 × 2 列）"):
        answers.normalise(pd.DataFrame({"a": [1, 2], "b": [3, 4]}))
    assert ex._evaluate("99.total", float("nan")).message.startswith(   # the 2nd wrong try: two steps
        "你的答案是 NaN（不是数字）——请检查是否有空的分组或缺失值。\n提示 1/3：概念\n提示 2/3：方法")


def test_unit_answer_kind_words_in_english_are_unchanged(english, key):
    from crmlab.exercises import answers

    assert ex._evaluate("99.total", "two hundred").message == \
        "Expected a number, got a text (str).\nHint 1 of 3: concept"
    assert ex._evaluate("99.total", [1, 2]).message.startswith("Expected a number, got a list of 2 items.")
    assert ex._evaluate("99.total", None).message.startswith("your answer is None — did the cell assign")
    with pytest.raises(answers.AnswerTypeError, match="cannot check an answer of type complex"):
        answers.normalise(1j)


# ---------------------------------------------------------------- explorer titles rewritten at each update

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _dynamic_titles(box) -> list[str]:
    return [t.get_text() for t in labels.dynamic_texts(box.figure) if re.search(r"[A-Za-z\u4e00-\u9fff]", t.get_text())]


def _move(box, name, value) -> None:
    box.controls[name].value = value


@pytest.mark.parametrize("case", ["clv", "market", "loyalty", "desk", "rfm", "members"])
def test_functional_explorer_dynamic_titles_follow_a_chinese_course(chinese, case):
    from crmlab.explore import cases, clv_calculator, loyalty, market, rfm, service

    if case == "clv":
        box = clv_calculator.clv_explorer()
        _move(box, "retention", 0.5)
        english_words = ["CLV over", "years", "USD"]
        expected = ["年 CLV = ", " 美元", "T = ∞: "]
    elif case == "market":
        box = market.market_explorer()
        english_words = ["After", "customers", "dormant", "lost"]
        expected = ["年后：现实客户"]
    elif case == "loyalty":
        box = loyalty.loyalty_explorer()
        english_words = ["Mean satisfaction", "switching cost", "retention", "repeat rate", "referrals"]
        expected = ["平均满意度", "重复购买率"]
    elif case == "desk":
        box = service.desk_explorer()
        _move(box, "agents", box.controls["agents"].value + 1)
        english_words = ["utilisation", "mean wait", "answered", "market,", "handling", "agents", "churn", "profit"]
        expected = ["利用率", "坐席"]
    elif case == "members":
        box = cases.member_explorer()
        english_words = ["Renewal", "member", "worth", "USD", "fee"]
        expected = ["续订率", "美元"]
    else:
        tx = pd.DataFrame({"customer_id": [1, 1, 2, 3, 4, 4],
                           "date": ["2024-01-05", "2024-03-01", "2024-02-01", "2024-04-20", "2024-03-10",
                                    "2024-04-02"], "amount": [10.0, 30.0, 5.0, 8.0, 12.0, 12.0]})
        box = rfm.rfm_explorer(tx)
        _move(box, "bins", 3)
        monetary = box.controls["monetary"]
        last = monetary.options[-1]
        monetary.value = last[1] if isinstance(last, tuple) else last
        english_words = ["Customers per", "customers", "score levels", "share of M"]
        expected = ["位客户，3 个分数等级", "M（每单消费）占比", "每个 R-F 格的客户数"]
    titles = _dynamic_titles(box)
    joined = "\n".join(titles)
    assert titles and all(_HAN.search(t) for t in titles if not t.startswith("T = ∞")), titles
    assert not [w for w in english_words if w in joined], joined
    assert all(e in joined for e in expected), joined


def test_functional_render_png_translates_the_dynamic_titles(chinese):
    from crmlab.explore import economics, render_png

    figures = []

    def setup(fig):
        figures.append(fig)
        return economics.profit_figure(fig)

    assert render_png(setup, retention=0.8, acquisition_cost=300.0, referral_rate=0.0).startswith(b"\x89PNG")
    titles = [t.get_text() for t in labels.dynamic_texts(figures[0])]
    assert "客户数（r = 80% 对比 75%）" in titles
    assert any(t.startswith("第 10 年：保持率高 5 个百分点 = 利润 +") for t in titles), titles


def test_unit_translate_dynamic_money_and_english_untouched(english):
    assert labels.translate_dynamic("1,510 customers, 5 score levels", "en", "USD") == "1,510 customers, 5 score levels"
    assert labels.translate_dynamic("9 customers match · they spent USD 1,234 in total", "zh", "CNY") == \
        "9 位客户符合 · 共消费 1,234 元"
    assert labels.translate_dynamic("CLV over 3 years = USD 50   (m = USD 20, r = 50%, d = 0%)", "en", "CNY") == \
        "CLV over 3 years = CNY 50   (m = CNY 20, r = 50%, d = 0%)"
    assert labels.translate_dynamic("1,518", "zh") == "1,518"
    from crmlab.explore.clv_calculator import clv_explorer

    box = clv_explorer()                                          # an English course on dollar data: unchanged
    assert any(t.startswith("CLV over 10 years = USD ") for t in _dynamic_titles(box))
