"""Errors raised by crmlab when its input breaks a rule.

Every error names the column (or parameter), the rule that was broken and the
first offending rows, so a student can find the problem in their own data.
"""
from __future__ import annotations

from typing import Sequence


class CRMDataError(ValueError):
    """Bad input to a crmlab function.

    The error is re-created from its ``args`` — ``(column, rule, rows, detail)``
    — as SimPy (which re-raises a failed process's error as
    ``type(err)(*err.args)``) and process pools (which pickle it) do, so the
    message survives both.

    Attributes
    ----------
    column : str or None
        The column or parameter at fault.
    rule : str
        A short name of the broken rule, e.g. ``"negative amount"``.
    rows : list
        Index labels of the first offending rows (at most 5), possibly empty.
    detail : str
        More about the bad value (may be empty).

    Example
    -------
    >>> err = CRMDataError("amount", "negative amount", rows=[3, 8], detail="got -2.5")
    >>> str(err)
    "column 'amount': negative amount (got -2.5); first offending rows: [3, 8]"
    >>> str(CRMDataError(*err.args)) == str(err)
    True
    """

    def __init__(self, column: str | None, rule: str, rows: Sequence = (), detail: str = ""):
        self.column = column
        self.rule = rule
        self.rows = list(rows)[:5]
        self.detail = detail
        super().__init__(column, rule, self.rows, detail)

    def __str__(self) -> str:
        where = f"column '{self.column}'" if self.column is not None else "input"
        msg = f"{where}: {self.rule}"
        if self.detail:
            msg += f" ({self.detail})"
        if self.rows:
            msg += f"; first offending rows: {self.rows}"
        return msg


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """Raise :class:`CRMDataError` unless ``value`` is a finite number > 0 (or ≥ 0)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise CRMDataError(name, "must be a number", detail=f"got {value!r}") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise CRMDataError(name, "must be finite", detail=f"got {value!r}")
    if v < 0 or (v == 0 and not allow_zero):
        bound = "≥ 0" if allow_zero else "> 0"
        raise CRMDataError(name, f"must be {bound}", detail=f"got {value!r}")
    return v


def check_probability(name: str, value: float) -> float:
    """Raise :class:`CRMDataError` unless ``0 ≤ value ≤ 1``."""
    v = check_positive(name, value, allow_zero=True)
    if v > 1:
        raise CRMDataError(name, "must be a probability in [0, 1]", detail=f"got {value!r}")
    return v
