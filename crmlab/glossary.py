"""The course glossary: every key term in English and Chinese (术语表), shipped with the package.

``crmlab/glossary.csv`` has three columns — ``term_en``, ``term_zh``, ``meaning``
— one row per term: the course's glossary plus every row of every chapter's
*Key terms* table (a test checks that none is missing).

Example
-------
>>> g = terms()
>>> list(g.columns)
['term_en', 'term_zh', 'meaning']
>>> lookup("终身价值")[["term_en", "term_zh"]].values.tolist()
[['customer lifetime value (CLV)', '客户终身价值']]
>>> lookup("whale curve").term_zh.tolist()
['鲸鱼曲线']
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = ["PATH", "terms", "lookup"]

#: the glossary file (package data)
PATH = Path(__file__).resolve().parent / "glossary.csv"


@lru_cache(maxsize=1)
def _read() -> pd.DataFrame:
    return pd.read_csv(PATH, dtype=str, keep_default_na=False, encoding="utf-8")


def terms() -> pd.DataFrame:
    """Every term: columns ``term_en``, ``term_zh``, ``meaning`` (a copy; change it freely)."""
    return _read().copy()


def lookup(text: str) -> pd.DataFrame:
    """The terms whose English or Chinese contains ``text`` (case ignored); an exact English match alone if there is one.

    Raises
    ------
    ValueError
        If ``text`` is not a non-empty text.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"lookup: text must be a non-empty text such as 'churn' or '流失', got {text!r}")
    g = _read()
    needle = text.strip().lower()
    exact = g[g["term_en"].str.lower().eq(needle) | g["term_zh"].eq(text.strip())]
    if len(exact):
        return exact.reset_index(drop=True).copy()
    hit = g["term_en"].str.lower().str.contains(needle, regex=False) | g["term_zh"].str.contains(text.strip(), regex=False)
    return g[hit].reset_index(drop=True).copy()
