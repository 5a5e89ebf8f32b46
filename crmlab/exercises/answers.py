"""Turning a student's answer into plain data, comparing it with a key, and the key files.

An answer key is stored per chapter in ``crmlab/exercises/key_NN.json``. Each
exercise's entry is base64 text of compressed JSON, so the expected value is not
readable with ``??`` or a quick look at the file (it is not encryption: the point is
that a student is not shown the answer by accident).

Answers are *normalised* before they are stored or compared:

=======================  ==========================================
student gives            compared as
=======================  ==========================================
``...`` (Ellipsis)       not answered yet
bool                     ``{"kind": "bool"}`` — exact
int, float, NumPy number ``{"kind": "number"}`` — within a tolerance
str                      ``{"kind": "text"}`` — ignoring case and outer spaces
date / Timestamp         ``{"kind": "text"}`` — ISO date ``YYYY-MM-DD``
list, tuple, array,      ``{"kind": "list"}`` — item by item, in order
Index
set, frozenset           ``{"kind": "set"}`` — items in any order
dict, Series             ``{"kind": "dict"}`` — same keys, values item by item
=======================  ==========================================

A number matches when ``|given − expected| ≤ atol + rtol·|expected|`` (the rule of
``math.isclose``); the default ``rtol = 1e-3`` (0.1 %) forgives rounding to a few
significant digits, an exercise can set its own.

Example
-------
>>> expected = normalise(12.5)
>>> answers_match(normalise(12.51), expected, rtol=1e-3, atol=0.0)
True
>>> answers_match(normalise(13), expected, rtol=1e-3, atol=0.0)
False
"""
from __future__ import annotations

import base64
import datetime as _dt
import json
import math
import numbers
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NotAnswered", "AnswerTypeError", "normalise", "answers_match", "describe_answer",
           "encode_entry", "decode_entry", "key_path", "read_key", "write_key", "KEY_DIR",
           "DEFAULT_RTOL", "DEFAULT_ATOL"]

KEY_DIR = Path(__file__).resolve().parent
DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-9


class NotAnswered(Exception):
    """The answer is still ``...`` (or contains ``...``)."""


class AnswerTypeError(TypeError):
    """The answer has a type the checker cannot compare (e.g. a whole DataFrame)."""


def _key(k: Any) -> str:
    if isinstance(k, (pd.Timestamp, _dt.date)):
        return pd.Timestamp(k).date().isoformat()
    if isinstance(k, (np.integer,)):
        return str(int(k))
    if isinstance(k, (float, np.floating)) and float(k).is_integer():
        return str(int(k))
    return str(k).strip().casefold()


def normalise(answer: Any, _path: tuple = ()) -> dict:
    """Plain-JSON form of an answer (see the module docstring for the rules).

    Raises
    ------
    NotAnswered
        If the answer is ``...`` or contains ``...``.
    AnswerTypeError
        If the answer is of a type that cannot be compared, with a message a
        student can act on (also for a missing date ``NaT`` and for a list or
        dict that contains itself).
    """
    if isinstance(answer, (list, tuple, dict, set, frozenset)):
        if id(answer) in _path:
            raise AnswerTypeError("your answer contains itself (a list or dict that holds itself, "
                                  "e.g. after `x.append(x)`); build a new list instead")
        _path = _path + (id(answer),)
    if answer is Ellipsis:
        raise NotAnswered()
    if answer is None:
        raise AnswerTypeError("your answer is None — did the cell assign `answer = ...` "
                              "to a value (a function without `return` gives None)?")
    if isinstance(answer, (bool, np.bool_)):
        return {"kind": "bool", "value": bool(answer)}
    if isinstance(answer, numbers.Number) and not isinstance(answer, complex):
        value = float(answer)
        if math.isnan(value):
            raise AnswerTypeError("your answer is NaN (not a number) — check for empty groups or missing values")
        return {"kind": "number", "value": value}
    if isinstance(answer, str):
        return {"kind": "text", "value": answer.strip().casefold()}
    if answer is pd.NaT or (isinstance(answer, np.datetime64) and np.isnat(answer)):
        raise AnswerTypeError("your answer is a missing date (NaT) — check for empty groups or "
                              "dates that did not parse")
    if isinstance(answer, (pd.Timestamp, _dt.date)):
        return {"kind": "text", "value": pd.Timestamp(answer).date().isoformat()}
    if isinstance(answer, np.datetime64):
        return {"kind": "text", "value": pd.Timestamp(answer).date().isoformat()}
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] == 1:
            return normalise(answer.iloc[:, 0], _path)
        raise AnswerTypeError(f"your answer is a whole table ({answer.shape[0]} rows × {answer.shape[1]} "
                              "columns); the exercise asks for a number, a list or one column")
    if isinstance(answer, pd.Series):
        return {"kind": "dict", "value": {_key(k): normalise(v, _path) for k, v in answer.items()}}
    if isinstance(answer, dict):
        return {"kind": "dict", "value": {_key(k): normalise(v, _path) for k, v in answer.items()}}
    if isinstance(answer, (set, frozenset)):
        items = [normalise(v, _path) for v in answer]
        return {"kind": "set", "value": sorted(items, key=lambda d: json.dumps(d, sort_keys=True))}
    if isinstance(answer, (list, tuple, np.ndarray, pd.Index)):
        return {"kind": "list", "value": [normalise(v, _path) for v in list(answer)]}
    raise AnswerTypeError(f"cannot check an answer of type {type(answer).__name__}; "
                          "give a number, a text, a list or a dict")


def answers_match(given: dict, expected: dict, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> bool:
    """True when two normalised answers match (numbers within ``atol + rtol·|expected|``)."""
    kind = expected["kind"]
    if given["kind"] != kind:
        return False
    a, b = given["value"], expected["value"]
    if kind == "number":
        return abs(a - b) <= atol + rtol * abs(b)
    if kind in ("bool", "text"):
        return a == b
    if kind in ("list", "set"):
        if len(a) != len(b):
            return False
        if kind == "set":
            remaining = list(b)
            for item in a:
                match = next((i for i, e in enumerate(remaining) if answers_match(item, e, rtol=rtol, atol=atol)), None)
                if match is None:
                    return False
                remaining.pop(match)
            return True
        return all(answers_match(x, y, rtol=rtol, atol=atol) for x, y in zip(a, b))
    if kind == "dict":
        if set(a) != set(b):
            return False
        return all(answers_match(a[k], b[k], rtol=rtol, atol=atol) for k in b)
    raise ValueError(f"unknown answer kind {kind!r}")


_KIND_WORDS = {"number": "a number", "bool": "True or False", "text": "a text (str)",
               "list": "a list", "set": "a set", "dict": "a dict or Series"}


def describe_answer(expected: dict) -> str:
    """What kind of answer is expected, in words (no value is revealed)."""
    words = _KIND_WORDS[expected["kind"]]
    if expected["kind"] in ("list", "set", "dict"):
        words += f" of {len(expected['value'])} items"
    return words


def encode_entry(entry: dict) -> str:
    """Base64 text of compressed JSON (see the module docstring for why)."""
    raw = json.dumps(entry, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def decode_entry(text: str) -> dict:
    """Inverse of :func:`encode_entry`."""
    return json.loads(zlib.decompress(base64.b64decode(text.encode("ascii"))).decode("utf-8"))


def key_path(chapter: str) -> Path:
    """File of a chapter's answer key, e.g. ``crmlab/exercises/key_04.json``."""
    return KEY_DIR / f"key_{chapter}.json"


def read_key(chapter: str) -> dict[str, dict] | None:
    """Decoded entries of a chapter's key by exercise id, or ``None`` if there is no key file."""
    path = key_path(chapter)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {ex_id: decode_entry(text) for ex_id, text in data["exercises"].items()}


def write_key(chapter: str, entries: dict[str, dict], *, source: str) -> Path:
    """Write a chapter's key file (sorted, so rebuilding the same key gives the same bytes)."""
    data = {
        "chapter": chapter,
        "source": source,
        "rebuild": f"python -m tools.keys {chapter}",
        "exercises": {ex_id: encode_entry(entries[ex_id]) for ex_id in sorted(entries)},
    }
    path = key_path(chapter)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path
