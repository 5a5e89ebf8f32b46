"""What ``check()`` says, in English and in Chinese (中文), and the course language that picks one.

The course language is, first match wins:

1. the environment variable ``CRMLAB_LANG`` (``en`` or ``zh``; ``zh_CN``,
   ``zh-CN``, ``zh-Hans`` and ``en_US`` are read as ``zh`` / ``en``);
2. ``lang = "zh"`` in the student file ``crmlab-student.toml`` (:mod:`crmlab.student`);
3. English.

Every text :func:`crmlab.exercises.check` shows is in :data:`MESSAGES`, keyed
by a short name, one entry per language; :func:`text` fills in its ``{fields}``.
A hint comes from the key entry: ``hints_zh`` (written beside ``hints`` in the
chapter's ``.exercises.toml``) in a Chinese course, else ``hints``.

Example
-------
>>> text("title.right", lang="zh"), text("title.right", lang="en")
('回答正确！', 'Right!')
>>> text("hint.step", lang="zh", k=1, n=3, step="先想概念")
'提示 1/3：先想概念'
>>> hint_steps({"hints": ["concept"], "hints_zh": ["概念"]}, lang="zh")
['概念']
"""
from __future__ import annotations

import os

__all__ = ["LANG_ENV", "LANGUAGES", "MESSAGES", "course_language", "text", "hint_steps", "praise"]

LANG_ENV = "CRMLAB_LANG"
LANGUAGES = ("en", "zh")
_ALIASES = {"en": "en", "en_us": "en", "en-us": "en", "english": "en",
            "zh": "zh", "zh_cn": "zh", "zh-cn": "zh", "zh-hans": "zh", "cn": "zh", "chinese": "zh", "中文": "zh"}

MESSAGES: dict[str, dict[str, str]] = {
    # the title of each verdict (the coloured box's first words)
    "title.right": {"en": "Right!", "zh": "回答正确！"},
    "title.wrong": {"en": "Not quite.", "zh": "还不对。"},
    "title.not answered": {"en": "Not answered yet.", "zh": "还没有作答。"},
    "title.no key": {"en": "No answer key.", "zh": "没有答案文件。"},
    "title.unknown exercise": {"en": "Unknown exercise.", "zh": "没有这道练习。"},
    "title.recorded": {"en": "Recorded for the answer key.", "zh": "已记入答案文件。"},
    # what to do next
    "bad id": {"en": 'An exercise id looks like "04.rfm_cells": copy it from the notebook.',
               "zh": '练习编号的样子是 "04.rfm_cells"：请从笔记本里复制。'},
    "no key": {"en": "There is no answer key for chapter {chapter} yet (authors: python -m tools.keys {chapter}).",
               "zh": "第 {chapter} 章还没有答案文件（作者请运行：python -m tools.keys {chapter}）。"},
    "unknown id": {"en": "Check the exercise name; chapter {chapter} has: {known}.",
                   "zh": "请核对练习名称；第 {chapter} 章的练习有：{known}。"},
    "not answered": {"en": "Replace the `...` with your code or number, then run the cell again.",
                     "zh": "把 `...` 换成你的代码或数字，然后再运行这个单元格。"},
    "expected": {"en": "Expected {expected}, got {given}.", "zh": "应当是{expected}，你给出的是{given}。"},
    "hint.one": {"en": "Hint: {step}", "zh": "提示：{step}"},
    "hint.step": {"en": "Hint {k} of {n}: {step}", "zh": "提示 {k}/{n}：{step}"},
    # the kind of an answer, in "Expected {expected}, got {given}." (crmlab.exercises.answers.describe_answer)
    "kind.number": {"en": "a number", "zh": "一个数字"},
    "kind.bool": {"en": "True or False", "zh": "True 或 False"},
    "kind.text": {"en": "a text (str)", "zh": "一段文本（str）"},
    "kind.list": {"en": "a list", "zh": "一个列表"},
    "kind.set": {"en": "a set", "zh": "一个集合（set）"},
    "kind.dict": {"en": "a dict or Series", "zh": "一个字典（dict）或 Series"},
    "kind.items": {"en": "{words} of {n} items", "zh": "{words}（共 {n} 项）"},
    # an answer the checker cannot compare (crmlab.exercises.answers.AnswerTypeError)
    "answer.itself": {"en": "your answer contains itself (a list or dict that holds itself, "
                            "e.g. after `x.append(x)`); build a new list instead.",
                      "zh": "你的答案包含它自己（一个装着自身的列表或字典，例如执行 `x.append(x)` 之后）；请改为构建一个新列表。"},
    "answer.none": {"en": "your answer is None — did the cell assign `answer = ...` "
                          "to a value (a function without `return` gives None)?",
                    "zh": "你的答案是 None——这个单元格是否把 `answer = ...` 赋成了一个值？（没有 `return` 的函数返回 None）"},
    "answer.nan": {"en": "your answer is NaN (not a number) — check for empty groups or missing values.",
                   "zh": "你的答案是 NaN（不是数字）——请检查是否有空的分组或缺失值。"},
    "answer.nat": {"en": "your answer is a missing date (NaT) — check for empty groups or dates that did not parse.",
                   "zh": "你的答案是一个缺失的日期（NaT）——请检查是否有空的分组或未能解析的日期。"},
    "answer.table": {"en": "your answer is a whole table ({rows} rows × {columns} columns); "
                           "the exercise asks for a number, a list or one column.",
                     "zh": "你的答案是一整张表（{rows} 行 × {columns} 列）；这道练习要的是一个数字、一个列表或一列。"},
    "answer.type": {"en": "cannot check an answer of type {type}; give a number, a text, a list or a dict.",
                    "zh": "无法检查类型为 {type} 的答案；请给出一个数字、一段文本、一个列表或一个字典。"},
}


def course_language() -> str:
    """``"en"`` or ``"zh"``: ``$CRMLAB_LANG``, else the student file's ``lang``, else English.

    Raises
    ------
    ValueError
        Naming ``CRMLAB_LANG`` (or the student file) and the value, for a language the course does not have.
    """
    value = os.environ.get(LANG_ENV)
    where = LANG_ENV
    if not value:
        try:
            from crmlab import student

            found = student.find()
        except (ImportError, OSError, ValueError):
            found = None                   # a broken student file is reported where its data is read
        value = found.lang if found is not None else None
        where = f"lang in {found.file}" if found is not None else where
    if not value:
        return "en"
    lang = _ALIASES.get(str(value).strip().lower())
    if lang is None:
        raise ValueError(f"{where} must be one of {LANGUAGES} (or zh_CN, en_US), got {value!r}")
    return lang


def text(key: str, lang: str | None = None, **fields) -> str:
    """The message ``key`` in ``lang`` (default: :func:`course_language`), with ``fields`` filled in."""
    lang = course_language() if lang is None else lang
    entry = MESSAGES[key]
    return entry.get(lang, entry["en"]).format(**fields)


def hint_steps(entry: dict, lang: str | None = None) -> list[str]:
    """The hint steps of a key entry in ``lang``: ``hints_zh`` in Chinese when the key has them, else ``hints``.

    A key built before staged hints has one ``hint``.
    """
    lang = course_language() if lang is None else lang
    if lang == "zh" and entry.get("hints_zh"):
        return list(entry["hints_zh"])
    return list(entry["hints"]) if "hints" in entry else [entry["hint"]]


def praise(entry: dict, lang: str | None = None) -> str:
    """What a right answer adds: ``praise_zh`` in Chinese when the key has it, else ``praise`` (or nothing)."""
    lang = course_language() if lang is None else lang
    if lang == "zh" and entry.get("praise_zh"):
        return entry["praise_zh"]
    return entry.get("praise", "")
