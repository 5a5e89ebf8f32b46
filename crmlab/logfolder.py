"""A saved event log on disk: written whole or not at all, checked when read, never lost.

A saved log is a folder::

    NAME/
      customers.parquet … truth.parquet     one file per table (crmlab.schema)
      csv/customers.csv … csv/truth.csv     the same tables for spreadsheets
      card.json                             the data card: "format", row counts,
                                            columns and the sha256 of every file
      README.md                             the card for people

Writing (:func:`write`):

1. the files go to a hidden folder ``.NAME.tmp-PID-xxxx`` beside ``NAME``, the
   card last;
2. an existing ``NAME`` is renamed to ``.NAME.old-PID-xxxx``, the new folder is
   renamed to ``NAME`` and the old one is deleted (its card first).

So only a complete log is ever at ``NAME``. A process killed between the two
renames leaves ``NAME`` missing and the old log complete in ``.NAME.old-PID-xxxx``;
:func:`recover` (called by every load and every save) renames it back. Hidden
folders left by saves whose process has died are removed by the next save to the
same place (:func:`remove_stale`), but only when they hold nothing but log files.

What a save may replace (:func:`check_target`): a missing path, an empty folder,
or (with ``overwrite``) a folder that is a saved log — its ``card.json`` says so
and it holds nothing else. Never a file, never the working folder or one of its
parents.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

import pandas as pd

from crmlab import schema

__all__ = ["LOG_FORMAT", "LoadError", "LogNotFoundError", "write", "check_target", "recover", "remove_stale",
           "read_card", "sha256", "not_a_saved_log"]

#: the ``format`` entry of a data card written by :func:`write`
LOG_FORMAT = "crmlab-event-log/1"


class LoadError(OSError):
    """A folder is not a readable event log: incomplete, changed or damaged (the message names the file)."""


class LogNotFoundError(LoadError, FileNotFoundError):
    """An event log folder, or a file it needs, does not exist."""


def sha256(path: str | os.PathLike) -> str:
    """The SHA-256 checksum of a file, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_card(folder: Path) -> dict | None:
    """The data card ``folder/card.json`` as a dict; ``None`` if there is none.

    Raises :class:`LoadError` naming the file if it is not a JSON object.
    """
    path = Path(folder) / "card.json"
    if not path.is_file():
        return None
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise LoadError(f"{path} is not a readable data card: {err}") from None
    if not isinstance(card, dict):
        raise LoadError(f"{path} is not a data card: expected a JSON object, got {type(card).__name__}")
    return card


def _log_entries() -> tuple[set[str], set[str]]:
    """Names a saved log holds: at its top level, and in its ``csv`` folder."""
    top = {f"{name}.parquet" for name in schema.TABLES} | {"csv", "card.json", "README.md"}
    return top, {f"{name}.csv" for name in schema.TABLES}


def _foreign_entries(folder: Path) -> list[str]:
    """The entries of ``folder`` that a save does not write (empty list: only log files)."""
    top, csv = _log_entries()
    extra = [p.name for p in sorted(folder.iterdir()) if p.name not in top or (p.name == "csv") != p.is_dir()]
    if (folder / "csv").is_dir():
        extra += [f"csv/{p.name}" for p in sorted((folder / "csv").iterdir()) if p.name not in csv or p.is_dir()]
    return extra


def not_a_saved_log(folder: Path) -> str | None:
    """Why ``folder`` is not a saved event log that a save may replace (``None`` if it is one)."""
    try:
        card = read_card(folder)
    except LoadError:
        return "its card.json is not a readable data card"
    if card is None:
        return "it has no card.json"
    says_so = str(card.get("format", "")).startswith("crmlab-event-log/")
    older_card = {"package_version", "rows", "columns"} <= card.keys()      # written before "format" existed
    if not (says_so or older_card):
        return "its card.json does not say it is a crmlab event log"
    extra = _foreign_entries(folder)
    if extra:
        return f"it also holds {', '.join(extra[:5])}{' …' if len(extra) > 5 else ''}"
    return None


def check_target(path: str | os.PathLike, overwrite: bool = False, *, flag: str = "overwrite=True") -> Path:
    """Refuse, with :class:`FileExistsError`, a place a save must not write to; else return it (absolute).

    ``flag`` is how the message tells the user to allow overwriting
    (``"--overwrite"`` on the command line). A log that a killed save left in a
    hidden folder is put back first (:func:`recover`), so it counts as there.
    """
    target = Path(os.path.abspath(path))
    recover(target)
    if target.is_symlink():
        raise FileExistsError(f"{target} is a symbolic link; refusing to write an event log over it")
    if not target.exists():
        return target
    here = Path.cwd().resolve()
    real = target.resolve()
    if real == here or real in here.parents:
        raise FileExistsError(f"{target} is the working folder or one of its parents; "
                              "refusing to write an event log over it")
    if not target.is_dir():
        raise FileExistsError(f"{target} is a file, not an event log folder; refusing to replace it")
    if not any(target.iterdir()):
        return target
    if not overwrite:
        raise FileExistsError(f"{target} is not empty; pass {flag} to replace it")
    why = not_a_saved_log(target)
    if why is not None:
        raise FileExistsError(f"{target} is not a saved crmlab event log ({why}); refusing to replace it — "
                              "write to a new folder, or empty this one yourself")
    return target


# -- hidden folders of a save: .NAME.tmp-PID-xxxx (being written), .NAME.old-PID-xxxx (being replaced) --------

def _hidden(target: Path, kind: str) -> list[tuple[Path, int]]:
    """Hidden ``tmp``/``old`` folders of saves to ``target``, with the PID of the process that made them."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.{kind}-(\d+)(-.*)?")
    if not target.parent.is_dir():
        return []
    found = []
    for p in target.parent.iterdir():
        m = pattern.fullmatch(p.name)
        if m and p.is_dir() and not p.is_symlink():
            found.append((p, int(m.group(1))))
    return found


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    if pid == os.getpid():
        return True
    if os.name == "nt":                                      # os.kill(pid, 0) would stop the process there
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)     # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5              # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259                         # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(folder: Path) -> None:
    """Delete a log folder, its card first (so a half-deleted folder never looks complete)."""
    (folder / "card.json").unlink(missing_ok=True)
    shutil.rmtree(folder)


def recover(path: str | os.PathLike, wait: float = 2.0) -> bool:
    """If ``path`` is missing because a save was killed between its two renames, put the old log back.

    A save still running in another process gets up to ``wait`` seconds to
    finish its rename first. Returns whether a log was put back.
    """
    target = Path(os.path.abspath(path))
    deadline = time.monotonic() + wait
    while not target.exists() and not target.is_symlink():
        olds = [(p, pid) for p, pid in _hidden(target, "old") if (p / "card.json").is_file()]
        dead = [p for p, pid in olds if not _pid_alive(pid)]
        if dead:
            newest = max(dead, key=lambda p: p.stat().st_mtime)
            newest.rename(target)
            return True
        if not olds or time.monotonic() > deadline:
            return False
        time.sleep(0.05)                                     # a live save is between its renames
    return False


def remove_stale(path: str | os.PathLike) -> list[Path]:
    """Delete hidden folders left beside ``path`` by saves whose process has died.

    Only folders named by a save (``.NAME.tmp-PID-…``, ``.NAME.old-PID-…``) whose
    PID no longer runs and that hold nothing but log files; returns them.
    """
    target = Path(os.path.abspath(path))
    removed = []
    for kind in ("tmp", "old"):
        for p, pid in _hidden(target, kind):
            if not _pid_alive(pid) and not _foreign_entries(p):
                _remove(p)
                removed.append(p)
    return removed


def write(path: str | os.PathLike, tables: dict[str, pd.DataFrame], card: dict, *, overwrite: bool = False,
          readme: Callable[[dict], str] | None = None) -> Path:
    """Save ``tables`` (checked against :mod:`crmlab.schema`) and their card to the folder ``path``.

    The card gets ``format``, ``rows``, ``columns`` (from the schema) and the
    ``sha256`` of every file written. ``readme(card)`` gives the README text.

    Raises
    ------
    FileExistsError
        If :func:`check_target` refuses ``path``; nothing is touched then.
    """
    target = Path(os.path.abspath(path))
    check_target(target, overwrite)
    for name, df in tables.items():
        schema.check_table(name, df, complete=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        (tmp / "csv").mkdir()
        sums = {}
        for name, df in tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
            df.to_csv(tmp / "csv" / f"{name}.csv", index=False)
        for name in tables:
            for file in (f"{name}.parquet", f"csv/{name}.csv"):
                sums[file] = sha256(tmp / file)
        card = {"format": LOG_FORMAT, **card}
        card["rows"] = {name: int(len(df)) for name, df in tables.items()}
        card["columns"] = {name: list(schema.table(name).names) for name in tables}
        card["sha256"] = sums
        if readme is not None:
            (tmp / "README.md").write_text(readme(card), encoding="utf-8")
        (tmp / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False, default=str) + "\n",
                                       encoding="utf-8")
        _replace(tmp, target)
    finally:
        if tmp.exists():
            _remove(tmp)
    return target


def _replace(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``; an existing ``target`` goes to a hidden ``.old`` folder, then away."""
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()                                       # an empty folder: nothing to keep
    if not target.exists():
        new.rename(target)
        return
    old = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        old.rename(target)                                   # put the old log back, then report
        raise
    _remove(old)
