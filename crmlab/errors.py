"""Errors raised by crmlab when its input breaks a rule.

Every error names the column (or parameter), the rule that was broken and the
first offending rows, so a student can find the problem in their own data.
"""
from __future__ import annotations

import math
import numbers
from typing import Sequence

import numpy as np
import pandas as pd


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


class ParameterError(CRMDataError):
    """A function argument (not a data column) of the wrong kind or out of range.

    The same as :class:`CRMDataError` (``column`` holds the parameter name), but
    the message says *parameter*, so ``margin=1.5`` reads
    ``parameter 'margin': must be ...`` and not as a column of the data.

    >>> str(ParameterError("bins", "must be a whole number", detail="got 2.7"))
    "parameter 'bins': must be a whole number (got 2.7)"
    """

    def __init__(self, column: str | None, rule: str, rows=(), detail: str = ""):
        super().__init__(column, rule, rows, detail)
        self.detail = detail

    def __str__(self) -> str:
        msg = f"parameter '{self.column}': {self.rule}"
        detail = getattr(self, "detail", "")
        if detail:
            msg += f" ({detail})"
        return msg


def _is_number(value) -> bool:
    """A real number given as a number: int, float, NumPy number — not a bool, not a text."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_number(name: str, value, *, minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite real number within ``[minimum, maximum]``, or :class:`ParameterError`.

    Texts such as ``"52"`` and bools are refused, not converted.

    >>> check_number("rate", 0.1, minimum=0)
    0.1
    """
    if not _is_number(value):
        raise ParameterError(name, "must be a number", detail=f"got {value!r} of type {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ParameterError(name, "must be finite", detail=f"got {value!r}")
    if minimum is not None and v < minimum:
        raise ParameterError(name, f"must be ≥ {minimum:g}", detail=f"got {value!r}")
    if maximum is not None and v > maximum:
        raise ParameterError(name, f"must be ≤ {maximum:g}", detail=f"got {value!r}")
    return v


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None,
              what: str = "a whole number") -> int:
    """A whole number within ``[minimum, maximum]``, or :class:`ParameterError` saying it must be ``what``.

    ``3`` and ``3.0`` are accepted; ``2.7``, ``"3"`` and ``True`` are refused
    (never rounded or converted).

    >>> check_int("bins", 5.0, minimum=2)
    5
    """
    if not _is_number(value) or not float(value).is_integer():
        raise ParameterError(name, f"must be {what}", detail=f"got {value!r}")
    v = int(value)
    if minimum is not None and v < minimum:
        raise ParameterError(name, f"must be {what} ≥ {minimum}", detail=f"got {value!r}")
    if maximum is not None and v > maximum:
        raise ParameterError(name, f"must be {what} ≤ {maximum}", detail=f"got {value!r}")
    return v


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """Raise :class:`ParameterError` unless ``value`` is a finite number > 0 (or ≥ 0)."""
    v = check_number(name, value)
    if v < 0 or (v == 0 and not allow_zero):
        bound = "≥ 0" if allow_zero else "> 0"
        raise ParameterError(name, f"must be {bound}", detail=f"got {value!r}")
    return v


def check_probability(name: str, value: float, *, what: str = "a probability") -> float:
    """Raise :class:`ParameterError` unless ``0 ≤ value ≤ 1``; ``what`` says what the number is.

    >>> check_probability("margin", 1.5, what="a margin (share of spend that is profit)")
    Traceback (most recent call last):
    ...
    crmlab.errors.ParameterError: parameter 'margin': must be a margin (share of spend that is profit) in [0, 1] (got 1.5)
    """
    v = check_positive(name, value, allow_zero=True)
    if v > 1:
        raise ParameterError(name, f"must be {what} in [0, 1]", detail=f"got {value!r}")
    return v


def _plain(x):
    """A NumPy scalar as the Python value it holds (for readable messages)."""
    return x.item() if isinstance(x, np.generic) else x


def check_finite(values, name: str) -> np.ndarray:
    """Float array of a column of numbers, or :class:`CRMDataError` naming the column and rows.

    NaN, ±inf, text and missing values are refused (an infinite profit or
    amount makes sums, shares and min–max scales meaningless).

    >>> check_finite(pd.Series([1.0, float("inf")], index=["a", "b"]), "profit")
    Traceback (most recent call last):
    ...
    crmlab.errors.CRMDataError: column 'profit': NaN, infinite or non-numeric value (values [inf]); first offending rows: ['b']
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(v)
    if bad.any():
        rows = list(s.index[bad][:5])
        raise CRMDataError(name, "NaN, infinite or non-numeric value", rows,
                           detail=f"values {[_plain(s.loc[r]) for r in rows]!r}")
    return v


def check_id_types(ids: pd.Series, column: str) -> None:
    """Refuse a column of ids that mixes texts with numbers (``1`` and ``"1"`` are different ids).

    Such a column counts one customer twice, or cannot be sorted; the rows
    whose type differs from the first id's are reported.

    >>> check_id_types(pd.Series([1, "1"]), "customer_id")
    Traceback (most recent call last):
    ...
    crmlab.errors.CRMDataError: column 'customer_id': ids mix texts and numbers (first id 1 is a int; convert the column with .astype(str) or .astype(int)); first offending rows: [1]
    """
    if ids.dtype != object:
        return
    kind = pd.api.types.infer_dtype(ids, skipna=True)
    if kind not in ("mixed", "mixed-integer"):
        return
    is_text = ids.map(lambda x: isinstance(x, str)).to_numpy(dtype=bool)
    present = ids.notna().to_numpy()
    first = int(np.flatnonzero(present)[0])
    odd = present & (is_text != is_text[first])
    if not odd.any():   # no texts at all: e.g. numbers mixed with other objects
        types = ids.map(type).to_numpy()
        odd = present & (types != types[first])
    rows = list(ids.index[odd][:5])
    first_id = ids.iloc[first]
    raise CRMDataError(column, "ids mix texts and numbers", rows,
                       detail=f"first id {first_id!r} is a {type(first_id).__name__}; "
                              "convert the column with .astype(str) or .astype(int)")
