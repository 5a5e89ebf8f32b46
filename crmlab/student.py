"""Whose course is this? The student file that points the notebooks at a student's own data and key.

A class made with ``python -m sim class`` (and every student edition made from it
with ``python -m tools.edition``) holds, per student, a small file
``crmlab-student.toml``::

    # crmlab student file: notebooks in this folder and below use this student's data and key
    student = "s017"
    data = "data"                   # the student's event log (a folder), relative to this file
    keys = "keys"                   # the student's answer keys key_NN.json, relative to this file
    attempts = "attempts.jsonl"     # where check() records each attempt
    lang = "en"                     # course language (optional)

A notebook finds it without any code change: :func:`find` looks in the working
folder (Jupyter runs a notebook in its own folder) and then in each parent folder.
Two environment variables take precedence:

``CRMLAB_STUDENT=<file or folder>``
    the student file to use (or the folder holding it) — what the key builder and
    the grader set for each student;
``CRMLAB_STUDENT_DATA=<folder>``
    only the dataset: ``crmlab.data.classroom()`` reads this event log folder (the
    answer key stays the shipped one unless a student file says otherwise).

With neither and no student file, the course uses the shipped classroom dataset
and the shipped keys.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CONFIG_NAME", "STUDENT_ENV", "DATA_ENV", "Student", "find", "read", "write", "data_folder"]

CONFIG_NAME = "crmlab-student.toml"
STUDENT_ENV = "CRMLAB_STUDENT"
DATA_ENV = "CRMLAB_STUDENT_DATA"

_FIELDS = {"student", "data", "keys", "attempts", "lang"}


@dataclass(frozen=True)
class Student:
    """A student file, read: the student id and the absolute paths it names."""

    id: str
    file: Path
    data: Path
    keys: Path
    attempts: Path
    lang: str | None = None


def read(path: str | os.PathLike) -> Student:
    """Read a ``crmlab-student.toml`` (or the folder that holds one).

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        Naming the file and the field, if a field is missing, unknown or not a text.
    """
    file = Path(path)
    if file.is_dir():
        file = file / CONFIG_NAME
    if not file.is_file():
        raise FileNotFoundError(f"no student file at {file} (expected {CONFIG_NAME})")
    try:
        spec = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{file} is not a readable student file: {err}") from None
    unknown = set(spec) - _FIELDS
    if unknown:
        raise ValueError(f"{file}: unknown fields {sorted(unknown)}; allowed: {sorted(_FIELDS)}")
    for name in ("student", "data"):
        if name not in spec:
            raise ValueError(f"{file}: the field {name!r} is missing")
    for name, value in spec.items():
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{file}: the field {name!r} must be a non-empty text, got {value!r}")
    base = file.parent.resolve()
    return Student(id=spec["student"], file=file.resolve(), data=base / spec["data"],
                   keys=base / spec.get("keys", "keys"), attempts=base / spec.get("attempts", "attempts.jsonl"),
                   lang=spec.get("lang"))


def find(start: str | os.PathLike | None = None) -> Student | None:
    """The student file in force: ``$CRMLAB_STUDENT``, else the first ``crmlab-student.toml``
    in ``start`` (default: the working folder) or one of its parents; ``None`` if there is none."""
    env = os.environ.get(STUDENT_ENV)
    if env:
        return read(env)
    here = Path(start if start is not None else os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return read(folder / CONFIG_NAME)
    return None


def data_folder() -> Path | None:
    """The student's own dataset folder (``$CRMLAB_STUDENT_DATA``, else the student file's), or ``None``."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    found = find()
    return found.data if found is not None else None


def write(folder: str | os.PathLike, student_id: str, *, data: str = "data", keys: str = "keys",
          attempts: str = "attempts.jsonl", lang: str | None = None) -> Path:
    """Write ``folder/crmlab-student.toml`` (paths relative to ``folder``); returns the file."""
    for name, value in (("student_id", student_id), ("data", data), ("keys", keys), ("attempts", attempts)):
        if not isinstance(value, str) or not value.strip() or any(c in value for c in '"\\\n'):
            raise ValueError(f"{name} must be a plain non-empty text without quotes, got {value!r}")
    lines = ["# crmlab student file: notebooks in this folder and below use this student's data and key",
             f'student = "{student_id}"', f'data = "{data}"', f'keys = "{keys}"', f'attempts = "{attempts}"']
    if lang:
        lines.append(f'lang = "{lang}"')
    file = Path(folder) / CONFIG_NAME
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return file
