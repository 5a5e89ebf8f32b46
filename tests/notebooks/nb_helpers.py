"""Helpers shared by the notebook tests (imported as a plain module; no fixtures)."""
from __future__ import annotations

import json
from pathlib import Path

from tools.generate import NOTEBOOKS, instructor_notebooks, student_path

CHAPTERS_N1 = ("00", "01", "02", "03")


def all_notebooks() -> list[Path]:
    """Every instructor notebook and its student version (those that exist)."""
    found = []
    for source in instructor_notebooks(NOTEBOOKS):
        found.append(source)
        if student_path(source).exists():
            found.append(student_path(source))
    return found


def notebook_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def plain_value(normalised: dict):
    """The Python value a student would type for a normalised answer."""
    kind, value = normalised["kind"], normalised["value"]
    if kind in ("number", "bool", "text"):
        return value
    if kind == "list":
        return [plain_value(v) for v in value]
    if kind == "set":
        return {plain_value(v) for v in value}
    if kind == "dict":
        return {k: plain_value(v) for k, v in value.items()}
    raise ValueError(kind)


def wrong_value(normalised: dict, rtol: float, atol: float):
    """A value that must be rejected: numbers moved well outside the tolerance, one item changed."""
    kind, value = normalised["kind"], normalised["value"]
    if kind == "number":
        return value + 10 * (atol + rtol * abs(value)) + 1.0
    if kind == "bool":
        return not value
    if kind == "text":
        return value + " (not this)"
    if kind == "list":
        return [wrong_value(value[0], rtol, atol)] + [plain_value(v) for v in value[1:]]
    if kind == "set":
        return {plain_value(v) for v in value[1:]} | {"something else"}
    if kind == "dict":
        first = sorted(value)[0]
        return {k: (wrong_value(v, rtol, atol) if k == first else plain_value(v)) for k, v in value.items()}
    raise ValueError(kind)

