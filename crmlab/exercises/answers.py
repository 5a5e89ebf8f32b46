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
import hashlib
import json
import math
import numbers
import secrets
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmlab.exercises import messages

__all__ = ["NotAnswered", "AnswerTypeError", "normalise", "answers_match", "describe_answer",
           "encode_entry", "decode_entry", "key_folder", "key_path", "read_key", "write_key", "KEY_DIR",
           "DEFAULT_RTOL", "DEFAULT_ATOL", "SEALED_FORMAT", "seal_entry", "seal_key", "sealed_match",
           "describe_sealed"]

KEY_DIR = Path(__file__).resolve().parent
DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-9


class NotAnswered(Exception):
    """The answer is still ``...`` (or contains ``...``)."""


class AnswerTypeError(TypeError):
    """The answer has a type the checker cannot compare (e.g. a whole DataFrame).

    The message is in the course language (:func:`crmlab.exercises.messages.course_language`).
    """


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
            raise AnswerTypeError(messages.text("answer.itself"))
        _path = _path + (id(answer),)
    if answer is Ellipsis:
        raise NotAnswered()
    if answer is None:
        raise AnswerTypeError(messages.text("answer.none"))
    if isinstance(answer, (bool, np.bool_)):
        return {"kind": "bool", "value": bool(answer)}
    if isinstance(answer, numbers.Number) and not isinstance(answer, complex):
        value = float(answer)
        if math.isnan(value):
            raise AnswerTypeError(messages.text("answer.nan"))
        return {"kind": "number", "value": value}
    if isinstance(answer, str):
        return {"kind": "text", "value": answer.strip().casefold()}
    if answer is pd.NaT or (isinstance(answer, np.datetime64) and np.isnat(answer)):
        raise AnswerTypeError(messages.text("answer.nat"))
    if isinstance(answer, (pd.Timestamp, _dt.date)):
        return {"kind": "text", "value": pd.Timestamp(answer).date().isoformat()}
    if isinstance(answer, np.datetime64):
        return {"kind": "text", "value": pd.Timestamp(answer).date().isoformat()}
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] == 1:
            return normalise(answer.iloc[:, 0], _path)
        raise AnswerTypeError(messages.text("answer.table", rows=answer.shape[0], columns=answer.shape[1]))
    if isinstance(answer, pd.Series):
        return {"kind": "dict", "value": {_key(k): normalise(v, _path) for k, v in answer.items()}}
    if isinstance(answer, dict):
        return {"kind": "dict", "value": {_key(k): normalise(v, _path) for k, v in answer.items()}}
    if isinstance(answer, (set, frozenset)):
        items = [normalise(v, _path) for v in answer]
        return {"kind": "set", "value": sorted(items, key=lambda d: json.dumps(d, sort_keys=True))}
    if isinstance(answer, (list, tuple, np.ndarray, pd.Index)):
        return {"kind": "list", "value": [normalise(v, _path) for v in list(answer)]}
    raise AnswerTypeError(messages.text("answer.type", type=type(answer).__name__))


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


_KIND_WORDS = {kind: f"kind.{kind}" for kind in ("number", "bool", "text", "list", "set", "dict")}  # messages keys


def _kind_words(kind: str, n: int | None, lang: str | None) -> str:
    """``"a list of 3 items"`` / ``"一个列表（共 3 项）"``: the words of :data:`crmlab.exercises.messages.MESSAGES`."""
    words = messages.text(_KIND_WORDS[kind], lang=lang)
    return words if n is None else messages.text("kind.items", lang=lang, words=words, n=n)


def describe_answer(expected: dict, lang: str | None = None) -> str:
    """What kind of answer is expected, in words (no value is revealed), in ``lang``
    (default: the course language, :func:`crmlab.exercises.messages.course_language`)."""
    sized = expected["kind"] in ("list", "set", "dict")
    return _kind_words(expected["kind"], len(expected["value"]) if sized else None, lang)


def encode_entry(entry: dict) -> str:
    """Base64 text of compressed JSON (see the module docstring for why)."""
    raw = json.dumps(entry, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def decode_entry(text: str) -> dict:
    """Inverse of :func:`encode_entry`."""
    return json.loads(zlib.decompress(base64.b64decode(text.encode("ascii"))).decode("utf-8"))


def key_folder() -> Path:
    """Where the answer keys are read from: the student's ``keys`` folder when a student file
    (``crmlab-student.toml``, see :mod:`crmlab.student`) is in force, else the shipped keys."""
    from crmlab import student

    found = student.find()
    return found.keys if found is not None else KEY_DIR


def key_path(chapter: str, folder: str | Path | None = None) -> Path:
    """File of a chapter's answer key, e.g. ``crmlab/exercises/key_04.json`` (or in ``folder``)."""
    return Path(folder if folder is not None else key_folder()) / f"key_{chapter}.json"


def read_key(chapter: str, folder: str | Path | None = None) -> dict[str, dict] | None:
    """Entries of a chapter's key by exercise id, or ``None`` if there is no key file.

    A plain key (the instructor's) gives each entry with its ``answer``; a sealed key
    (a student edition, :func:`seal_key`) gives each entry with ``sealed`` — digests
    that :func:`sealed_match` compares, never the answer — and the key's ``salt`` and
    ``iterations``.
    """
    path = key_path(chapter, folder)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") == SEALED_FORMAT:
        extra = {"salt": data["salt"], "iterations": data["iterations"]}
        return {ex_id: {**extra, **entry} for ex_id, entry in data["exercises"].items()}
    return {ex_id: decode_entry(text) for ex_id, text in data["exercises"].items()}


def write_key(chapter: str, entries: dict[str, dict], *, source: str, folder: str | Path | None = None) -> Path:
    """Write a chapter's key file (sorted, so rebuilding the same key gives the same bytes).

    ``folder``: where to write (default: the shipped keys, ``crmlab/exercises``).
    """
    data = {
        "chapter": chapter,
        "source": source,
        "rebuild": f"python -m tools.keys {chapter}",
        "exercises": {ex_id: encode_entry(entries[ex_id]) for ex_id in sorted(entries)},
    }
    path = key_path(chapter, folder if folder is not None else KEY_DIR)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


# -- sealed keys (student editions) ------------------------------------------------------------------
#
# A sealed key stores, for each expected value, salted slow hashes (PBKDF2-SHA256) of
#   * a text or a bool: the value itself;
#   * a number, relative tolerance rtol > 0: its sign and the cell k = floor(ln|x| / w) on a
#     logarithmic grid of width w = -ln(1 - rtol); a value within atol of 0 is the cell "zero";
#   * a number, rtol = 0 (exact): the cell k = floor(x / q) of a grid of width q = max(atol, 1e-6);
#     an exercise with both rtol > 0 and atol > 1e-6 stores both cells;
#   * a list, set or dict whose items are all exact (texts, bools, numbers with rtol = 0): ONE digest
#     of the whole, in a canonical form (numbers as round(x / q), sets sorted, dict keys sorted) — so a
#     set of 100 customer ids cannot be found one id at a time. Other containers: item by item.
# A given number is hashed in its own cell and the two neighbours (k-1, k, k+1), so every answer
# within the tolerance is accepted; an answer up to about twice the tolerance away may be too.
# Dict keys are hashed too; list, set and dict sizes are kept (check() says "a list of 3 items").
# The answer is not stored, so reading the key gives digests, not values — but a value can still
# be found by trying candidates (a bool in one try, a small whole number in seconds, a number on
# the grid in minutes at SEAL_ITERATIONS); see notebooks/AUTHORING.md, "Keys in a student edition".

SEALED_FORMAT = "crmlab-key-sealed/1"
SEAL_ITERATIONS = 40_000
_EXACT_QUANTUM = 1e-6


class _Sealer:
    """Digests of answer cells under one key's salt (memoised: a cell is hashed once per check)."""

    def __init__(self, salt: str, iterations: int, rtol: float, atol: float):
        self.salt, self.iterations = bytes.fromhex(salt), int(iterations)
        self.rtol, self.atol = float(rtol), float(atol)
        self._memo: dict[str, str] = {}

    def digest(self, *parts) -> str:
        payload = json.dumps(parts, separators=(",", ":"))
        if payload not in self._memo:
            self._memo[payload] = hashlib.pbkdf2_hmac("sha256", payload.encode("utf-8"), self.salt,
                                                      self.iterations).hex()[:32]
        return self._memo[payload]

    def number_cells(self, x: float, *, given: bool) -> list[tuple]:
        """The grid cells of a number: its own (expected) or its own and the neighbours (given)."""
        spread = (-1, 0, 1) if given else (0,)
        cells: list[tuple] = []
        if self.rtol > 0:
            if abs(x) <= self.atol:
                cells.append(("zero",))
            if x != 0 and (given or abs(x) > self.atol):
                width = -math.log1p(-min(self.rtol, 0.5))
                k = math.floor(math.log(abs(x)) / width)
                cells += [("rel", 1 if x > 0 else -1, k + d) for d in spread]
        if self.rtol == 0 or self.atol > _EXACT_QUANTUM:
            q = max(self.atol, _EXACT_QUANTUM)
            k = math.floor(x / q)
            cells += [("abs", k + d) for d in spread]
        return cells

    def _exact(self, answer: dict) -> bool:
        """Whether every leaf compares exactly (so the whole container can be one digest)."""
        kind, value = answer["kind"], answer["value"]
        if kind == "number":
            return self.rtol == 0 and self.atol <= _EXACT_QUANTUM
        if kind in ("text", "bool"):
            return True
        items = value.values() if kind == "dict" else value
        return all(self._exact(v) for v in items)

    def _canonical(self, answer: dict):
        kind, value = answer["kind"], answer["value"]
        if kind == "number":
            return ["n", round(value / max(self.atol, _EXACT_QUANTUM))]
        if kind in ("text", "bool"):
            return [kind[0], value]
        if kind == "list":
            return ["l", [self._canonical(v) for v in value]]
        if kind == "set":
            return ["s", sorted((self._canonical(v) for v in value), key=json.dumps)]
        return ["d", [[k, self._canonical(value[k])] for k in sorted(value)]]

    def seal(self, expected: dict, top: bool = True) -> dict:
        kind, value = expected["kind"], expected["value"]
        if top and kind in ("list", "set", "dict") and self._exact(expected):
            return {"kind": kind, "n": len(value), "whole": self.digest("whole", self._canonical(expected))}
        if kind == "number":
            return {"kind": kind, "d": sorted(self.digest(*c) for c in self.number_cells(value, given=False))}
        if kind in ("text", "bool"):
            return {"kind": kind, "d": [self.digest(kind, value)]}
        if kind in ("list", "set"):
            return {"kind": kind, "items": [self.seal(v, False) for v in value]}
        if kind == "dict":
            return {"kind": kind,
                    "items": {self.digest("key", k): self.seal(v, False) for k, v in sorted(value.items())}}
        raise ValueError(f"unknown answer kind {kind!r}")

    def matches(self, given: dict, sealed: dict) -> bool:
        kind = sealed["kind"]
        if given["kind"] != kind:
            return False
        value = given["value"]
        if "whole" in sealed:
            if len(value) != sealed["n"] or not self._exact(given):
                return False
            return self.digest("whole", self._canonical(given)) == sealed["whole"]
        if kind == "number":
            return any(self.digest(*c) in sealed["d"] for c in self.number_cells(value, given=True))
        if kind in ("text", "bool"):
            return self.digest(kind, value) in sealed["d"]
        items = sealed["items"]
        if len(value) != len(items):
            return False
        if kind == "list":
            return all(self.matches(g, e) for g, e in zip(value, items))
        if kind == "set":
            remaining = list(items)
            for item in value:
                hit = next((i for i, e in enumerate(remaining) if self.matches(item, e)), None)
                if hit is None:
                    return False
                remaining.pop(hit)
            return True
        given_items = {self.digest("key", k): v for k, v in value.items()}
        return set(given_items) == set(items) and all(self.matches(given_items[k], items[k]) for k in items)


def _leaves(answer: dict) -> int:
    kind, value = answer["kind"], answer["value"]
    if kind in ("list", "set"):
        return sum(_leaves(v) for v in value) or 1
    if kind == "dict":
        return sum(_leaves(v) for v in value.values()) or 1
    return 1


def seal_entry(entry: dict, salt: str, iterations: int = SEAL_ITERATIONS) -> dict:
    """A plain key entry with its ``answer`` replaced by ``sealed`` digests (hints, tolerances kept).

    A container sealed item by item (not all exact) has many digests to check: its rounds
    are divided by its number of items (at least 2,000), so ``check`` stays well under a second.
    """
    sealer = _Sealer(salt, iterations, entry.get("rtol", DEFAULT_RTOL), entry.get("atol", DEFAULT_ATOL))
    out = {k: v for k, v in entry.items() if k != "answer"}
    if entry["answer"]["kind"] in ("list", "set", "dict") and not sealer._exact(entry["answer"]):
        sealer.iterations = min(iterations, max(2000, iterations // _leaves(entry["answer"])))
        out["iterations"] = sealer.iterations
    out["sealed"] = sealer.seal(entry["answer"])
    return out


def sealed_match(given: dict, entry: dict) -> bool:
    """Whether a normalised answer matches a sealed entry (as :func:`read_key` returns it)."""
    sealer = _Sealer(entry["salt"], entry["iterations"], entry.get("rtol", DEFAULT_RTOL),
                     entry.get("atol", DEFAULT_ATOL))
    return sealer.matches(given, entry["sealed"])


def describe_sealed(sealed: dict, lang: str | None = None) -> str:
    """What kind of answer a sealed entry expects, in words (as :func:`describe_answer`)."""
    n = (sealed["n"] if "whole" in sealed else len(sealed["items"])) if sealed["kind"] in ("list", "set", "dict") else None
    return _kind_words(sealed["kind"], n, lang)


def seal_key(chapter: str, plain_folder: str | Path, out_folder: str | Path, *,
             iterations: int = SEAL_ITERATIONS) -> Path:
    """Write the sealed form of ``plain_folder/key_NN.json`` to ``out_folder/key_NN.json``.

    A fresh random salt per key file, so digests cannot be compared across
    students or chapters.
    """
    entries = read_key(chapter, plain_folder)
    if entries is None:
        raise FileNotFoundError(f"no answer key {key_path(chapter, plain_folder)}")
    salt = secrets.token_hex(16)
    data = {"chapter": chapter, "format": SEALED_FORMAT, "salt": salt, "iterations": int(iterations),
            "exercises": {ex_id: seal_entry(entries[ex_id], salt, iterations) for ex_id in sorted(entries)}}
    path = key_path(chapter, out_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
