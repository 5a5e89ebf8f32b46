"""Loading and validating an event log.

The event log is a set of tables (``customers``, ``transactions``, ``stages``,
``contacts``, ``service``, ``surveys`` and, for simulated data, ``truth``).
``crmlab`` reads it from a Parquet folder or from CSV files, and checks a
transactions table once, at the boundary, before any analysis:

* the table is not empty;
* the named columns exist (column names are parameters, so a real shop's export
  with ``cust``/``order_date``/``total`` columns works too);
* every amount is a number, not NaN, and not negative (a zero amount — a free
  sample — is allowed);
* every date parses under one convention for the whole column (see
  :func:`to_datetime_column`) and none lies after the analysis day ``as_of``
  (orders at any time on the as-of day are in: the day is observed to its end);
* customer ids (and order ids) do not mix texts with numbers;
* order ids, when there is an order-id column, are unique.

A broken rule raises :class:`crmlab.errors.CRMDataError` naming the column, the
rule and the first offending rows. Nothing is dropped or repaired silently.
Analysis functions call :func:`select_transactions`, which applies the same
rules to just the columns they need.

Example
-------
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": [1, 1], "date": ["2024-01-05", "2024-02-01"],
...                    "amount": [20.0, 35.5]})
>>> validate_transactions(tx)["date"].dtype
dtype('<M8[ns]')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab import logfolder, schema
from crmlab.errors import CRMDataError, check_id_types
from crmlab.logfolder import LoadError, LogNotFoundError
from crmlab.schema import TABLES

__all__ = ["validate_transactions", "select_transactions", "resolve_as_of", "to_datetime_column", "load",
           "EventLog", "LoadError", "LogNotFoundError", "TABLES", "dataset_path", "classroom"]


def _first_rows(mask: pd.Series | np.ndarray, index: pd.Index) -> list:
    return list(index[np.asarray(mask, dtype=bool)][:5])


def _duplicated(ids: pd.Series) -> np.ndarray:
    """Boolean mask of ids that occur more than once (every occurrence marked).

    Whole-number ids in a compact range (the usual case: 1..n order numbers)
    are counted with ``numpy.bincount``, which is several times faster than
    hashing; any other ids go through ``Series.duplicated``.
    """
    if pd.api.types.is_integer_dtype(ids.dtype) and len(ids):
        values = ids.to_numpy(dtype=np.int64)
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < 4 * len(values):
            shifted = values - lo
            counts = np.bincount(shifted)
            if counts.max() <= 1:
                return np.zeros(len(values), dtype=bool)
            return counts[shifted] > 1
    return ids.duplicated(keep=False).to_numpy()


_DAY_MONTH = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?:[ T].*)?$"
"""A date written day and month first, in either order: ``01/02/2024``, ``13.02.24``."""


def _date_range_error(parsed: pd.Series, series: pd.Series, column: str) -> None:
    """Refuse dates that ``datetime64[ns]`` cannot hold (before 1677-09-22 or after 2262-04-11)."""
    lo, hi = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    out = (parsed < lo) | (parsed > hi)
    if out.any():
        rows = _first_rows(out, series.index)
        raise CRMDataError(column, f"date outside the range pandas can hold ({lo.date()} to {hi.date()})", rows,
                           detail=f"values {[series.loc[r] for r in rows]!r}")


def _tz_kind(value) -> int:
    """1 for a time-zone-aware date, 0 for a naive one, -1 for a missing or unparseable value."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        return -1
    if ts is pd.NaT:
        return -1
    return 0 if ts.tz is None else 1


def _parse_mixed_tz(series: pd.Series, column: str) -> pd.Series:
    """Dates some of which carry a time zone: refuse aware mixed with naive; aware only → wall-clock."""
    kinds = np.array([_tz_kind(v) for v in series], dtype=np.int64)
    aware, naive = kinds == 1, kinds == 0
    if aware.any() and naive.any():
        fewer, label = (aware, "with") if aware.sum() <= naive.sum() else (naive, "without")
        rows = _first_rows(fewer, series.index)
        raise CRMDataError(column, "mixes time-zone-aware and naive dates", rows,
                           detail=f"{int(aware.sum())} with a time zone, {int(naive.sum())} without; rows {label} one "
                                  f"are listed: values {[series.loc[r] for r in rows]!r}; give every date a time "
                                  "zone or none")
    # every date has a time zone, not all the same: each becomes its own wall-clock time
    return pd.Series([pd.Timestamp(v).tz_localize(None) if k == 1 else pd.NaT for v, k in zip(series, kinds)],
                     index=series.index, dtype="datetime64[us]")


def _parse_day_month(text: pd.Series, column: str) -> pd.Series:
    """Parse ``dd/mm/yyyy``-like texts under ONE day/month order read off the whole column.

    A first number above 12 shows day-first, a second number above 12 shows
    month-first. Both in one column, or neither (every date ambiguous, like
    ``01/02/2024``), is refused: the order is never guessed row by row.
    """
    parts = text.str.extract(_DAY_MONTH)
    first, second = parts[0].astype(int), parts[1].astype(int)
    day_first, month_first = (first > 12).to_numpy(), (second > 12).to_numpy()
    hint = ("write dates as YYYY-MM-DD, or parse the column yourself with "
            "pd.to_datetime(column, format='%d/%m/%Y') (or '%m/%d/%Y')")
    if day_first.any() and month_first.any():
        rows = _first_rows(day_first, text.index)[:2] + _first_rows(month_first, text.index)[:2]
        raise CRMDataError(column, "day/month order differs between rows", rows,
                           detail=f"values {[text.loc[r] for r in rows]!r} (day first, then month first); {hint}")
    if not day_first.any() and not month_first.any():
        rows = list(text.index[:5])
        raise CRMDataError(column, "ambiguous day/month order", rows,
                           detail=f"values {[text.loc[r] for r in rows]!r} could be day/month or month/day; {hint}")
    return pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=bool(day_first.any()))


def _parse_text_dates(series: pd.Series, column: str) -> pd.Series:
    """Parse a column of date texts (or date objects): ISO 8601 first, then the other forms."""
    try:
        parsed = pd.to_datetime(series, errors="coerce", format="ISO8601")
    except (ValueError, TypeError):   # "Mixed timezones detected"
        return _parse_mixed_tz(series, column)
    todo = (parsed.isna() & series.notna()).to_numpy()
    if getattr(parsed.dt, "tz", None) is not None:
        if todo.any():   # naive dates among aware ones come back as NaT
            return _parse_mixed_tz(series, column)
        return parsed.dt.tz_localize(None)
    if todo.any():
        parsed = parsed.astype("datetime64[us]")
        rest = series[todo]
        text = rest.astype(str)
        day_month = text.str.match(_DAY_MONTH).to_numpy()
        if day_month.any():
            parsed.loc[rest.index[day_month]] = _parse_day_month(text[day_month], column).to_numpy()
        if (~day_month).any():
            other = rest[~day_month]
            try:
                values = pd.to_datetime(other, errors="coerce", format="mixed")
            except (ValueError, TypeError):
                return _parse_mixed_tz(series, column)
            if getattr(values.dt, "tz", None) is not None:
                return _parse_mixed_tz(series, column)
            parsed.loc[other.index] = values.to_numpy()
    return parsed


def to_datetime_column(series: pd.Series, column: str) -> pd.Series:
    """Parse a column of dates to ``datetime64[ns]``, or raise naming the bad rows.

    Rules (one for the whole column, never row by row):

    * ISO dates (``2024-02-13``, ``2024-02-13 15:00``) are read as such;
    * dates written day and month first (``13/02/2024``, ``02/13/2024``) use the
      order the column shows: a first number above 12 means day first, a second
      number above 12 means month first. A column that shows both orders, or
      neither (every such date ambiguous, like ``01/02/2024``), is refused;
    * time-zone-aware dates become their wall-clock time; a column mixing aware
      and naive dates is refused (the rows of the rarer kind are named);
    * dates outside 1677-09-22 … 2262-04-11 (what ``datetime64[ns]`` holds) are refused;
    * missing values (NaN/None/NaT) and text that is not a date are errors.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = series
        if getattr(series.dt, "tz", None) is not None:
            parsed = series.dt.tz_localize(None)
    elif series.dtype == object or pd.api.types.is_string_dtype(series):
        parsed = _parse_text_dates(series, column)
    else:
        parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    bad = parsed.isna()
    if bad.any():
        rows = _first_rows(bad, series.index)
        values = [series.loc[r] for r in rows]
        raise CRMDataError(column, "unparseable or missing date", rows, detail=f"values {values!r}")
    _date_range_error(parsed, series, column)
    return parsed.astype("datetime64[ns]")


def validate_transactions(
    tx: pd.DataFrame,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str | None = "amount",
    order_id: str | None = "order_id",
    as_of=None,
    _copy: bool = True,
) -> pd.DataFrame:
    """Check a transactions table and return a copy with parsed dates.

    Parameters
    ----------
    tx : DataFrame
        One row per order. It is never modified.
    customer, date, amount : str
        Column names. ``amount=None`` skips the amount checks (for count-only data).
    order_id : str or None
        Order-id column; checked for duplicates when present. With the default
        name and no such column, the check is skipped; a non-default name that is
        missing is an error.
    as_of : date-like, optional
        Analysis day (observation end). **The as-of rule**, the same in every
        crmlab function: ``as_of`` names a calendar day (a time of day in it is
        ignored) and the data are observed to the *end* of that day — an order
        at 15:00 on the as-of day is in; an order on a later day is an error.
        Durations to ``as_of`` (RFM recency, a single buyer's span) count
        whole calendar days.

    Returns
    -------
    DataFrame
        A copy of ``tx`` whose ``date`` column is ``datetime64[ns]`` and whose
        ``amount`` column is float.

    Raises
    ------
    CRMDataError
        Naming the column, the rule and the first offending rows.
    """
    if not isinstance(tx, pd.DataFrame):
        raise CRMDataError(None, "transactions must be a pandas DataFrame", detail=f"got {type(tx).__name__}")
    if len(tx) == 0:
        raise CRMDataError(None, "transactions table is empty")
    needed = [customer, date] + ([amount] if amount is not None else [])
    if order_id is not None and order_id != "order_id":
        needed.append(order_id)
    for col in needed:
        if col not in tx.columns:
            raise CRMDataError(col, "missing column", detail=f"columns present: {list(tx.columns)}")
    out = tx.copy() if _copy else tx
    missing_customer = out[customer].isna()
    if missing_customer.any():
        raise CRMDataError(customer, "missing customer id", _first_rows(missing_customer, out.index))
    check_id_types(out[customer], customer)
    out[date] = to_datetime_column(out[date], date)
    if amount is not None:
        values = pd.to_numeric(out[amount], errors="coerce")
        not_number = values.isna() & out[amount].notna()
        if not_number.any():
            rows = _first_rows(not_number, out.index)
            raise CRMDataError(amount, "amount is not a number", rows,
                               detail=f"values {[out[amount].loc[r] for r in rows]!r}")
        nan = values.isna()
        if nan.any():
            raise CRMDataError(amount, "NaN amount", _first_rows(nan, out.index))
        inf = ~np.isfinite(values.to_numpy(dtype=float))
        if inf.any():
            raise CRMDataError(amount, "infinite amount", _first_rows(inf, out.index))
        neg = values < 0
        if neg.any():
            rows = _first_rows(neg, out.index)
            raise CRMDataError(amount, "negative amount", rows,
                               detail=f"values {[float(values.loc[r]) for r in rows]!r}")
        out[amount] = values.astype(float)
    if as_of is not None:
        day = resolve_as_of(as_of, out[date]).normalize()
        late = out[date] >= end_of_day(day)
        if late.any():
            raise CRMDataError(date, f"date after the analysis date as_of={day.date()}",
                               _first_rows(late, out.index),
                               detail="orders on the as-of day itself, at any time, are in")
    if order_id is not None and order_id in out.columns:
        check_id_types(out[order_id], order_id)
        dup = _duplicated(out[order_id])
        if dup.any():
            rows = _first_rows(dup, out.index)
            raise CRMDataError(order_id, "duplicate order id", rows,
                               detail=f"ids {sorted({out[order_id].loc[r] for r in rows})!r}")
    return out


def select_transactions(
    tx: pd.DataFrame,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str | None = "amount",
    order_id: str | None = "order_id",
    as_of=None,
    extra: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Validate only the columns an analysis needs and return them as a new table.

    The same rules as :func:`validate_transactions`, applied to the columns
    ``customer``, ``date``, ``amount`` (unless ``None``), ``order_id`` (when
    present) and ``extra``. Copying a few columns instead of the whole table keeps
    large logs fast. ``tx`` is never modified.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1], "date": ["2024-01-05"], "amount": [9.5], "city": ["Wuhan"]})
    >>> list(select_transactions(tx).columns)
    ['customer_id', 'date', 'amount']
    """
    if not isinstance(tx, pd.DataFrame):
        raise CRMDataError(None, "transactions must be a pandas DataFrame", detail=f"got {type(tx).__name__}")
    cols = [customer, date] + ([amount] if amount is not None else [])
    if order_id is not None and (order_id in tx.columns or order_id != "order_id"):
        cols.append(order_id)
    cols += [c for c in extra if c not in cols]
    for col in cols:
        if col not in tx.columns:
            raise CRMDataError(col, "missing column", detail=f"columns present: {list(tx.columns)}")
    # a new table object: replacing a whole column in it (which is all validation
    # does) never writes into tx's arrays, in pandas 2 and in copy-on-write pandas 3
    subset = tx[cols].copy(deep=False)
    return validate_transactions(subset, customer=customer, date=date, amount=amount,
                                 order_id=order_id, as_of=as_of, _copy=False)


def parse_date(name: str, value) -> pd.Timestamp:
    """Parse one date given as a parameter (``as_of``, ``at`` …), or raise naming it.

    A time-zone-aware date becomes naive wall-clock time, like parsed columns.
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise CRMDataError(name, "unparseable date", detail=f"got {value!r}") from None
    if ts is pd.NaT:
        raise CRMDataError(name, "unparseable date", detail=f"got {value!r}")
    return ts.tz_localize(None) if ts.tz is not None else ts


def end_of_day(day) -> pd.Timestamp:
    """The first instant after the calendar day of ``day``: the as-of rule of crmlab.

    An analysis date ``as_of`` names a day observed to its end, so an order at any time
    on that day is in (``date < end_of_day(as_of)``) and an order on a later day is not.

    >>> end_of_day(pd.Timestamp("2024-03-31 15:00"))
    Timestamp('2024-04-01 00:00:00')
    """
    return pd.Timestamp(day).normalize() + pd.Timedelta(days=1)


def resolve_as_of(as_of, dates: pd.Series) -> pd.Timestamp:
    """The analysis date: ``as_of`` parsed, or the last date in ``dates`` when ``None``."""
    if as_of is None:
        return pd.Timestamp(dates.max())
    return parse_date("as_of", as_of)


@dataclass(repr=False)
class EventLog:
    """An event log: the tables of :mod:`crmlab.schema` and its data card.

    :func:`load` reads one from disk (a table the folder does not hold is
    ``None``); :func:`sim.simulate` returns one with all seven tables and the
    simulation's config (``sim.EventLog``, a subclass).

    Attributes
    ----------
    customers, transactions, stages, contacts, service, surveys, truth : DataFrame or None
        The tables; their columns are listed by ``crmlab.schema.describe()``.
    card : dict
        The data card (``card.json``): where the log comes from, row counts,
        columns and the checksum of every file.
    """

    customers: pd.DataFrame | None = None
    transactions: pd.DataFrame | None = None
    stages: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    service: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    truth: pd.DataFrame | None = None
    card: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables that are present, by name."""
        return {name: getattr(self, name) for name in TABLES if getattr(self, name) is not None}

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v)}" for k, v in self.tables().items())
        return f"{type(self).__name__}({rows})"

    def save(self, path: str | Path, overwrite: bool = False) -> None:
        """Write the log to a folder: ``NAME.parquet``, ``csv/NAME.csv``, ``card.json``, ``README.md``.

        The folder appears whole or not at all, and an overwritten log is never
        lost, not even when the process is killed (see :mod:`crmlab.logfolder`).
        The card records the sha256 of every file; :func:`load` checks them.

        Raises
        ------
        FileExistsError
            If ``path`` is a file, the working folder or one of its parents, a
            folder that is not empty (unless ``overwrite=True``), or — with
            ``overwrite=True`` — a folder that is not a saved event log. Nothing
            is touched then.
        CRMDataError
            If a table breaks the contract of :mod:`crmlab.schema`.
        """
        logfolder.write(path, self.tables(), self.card, overwrite=overwrite, readme=self.readme_text)

    def readme_text(self, card: dict) -> str:
        """The ``README.md`` written beside the tables: the card for people."""
        lines = ["# Data card — event log", "", "| table | rows | columns |", "|---|---|---|"]
        lines += [f"| {k} | {v} | {', '.join(card['columns'][k])} |" for k, v in card["rows"].items()]
        lines += ["", "What every column means: `crmlab.schema.describe()`. Checksums are in `card.json`.", ""]
        return "\n".join(lines)


#: the name of :class:`EventLog` before the simulator's and crmlab's classes became one
EventLogData = EventLog


def _read_parquet(file: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(file)
    except (OSError, ValueError) as err:
        raise LoadError(f"{file} is not a readable Parquet table: {err}") from None


def _read_csv(file: Path, name: str) -> pd.DataFrame:
    """A table from CSV, its columns parsed to the schema's dates and nullable whole numbers."""
    df = pd.read_csv(file)
    dtypes = {c.name: c.dtype for c in schema.table(name).columns}
    for col in df.columns:
        dtype = dtypes.get(col)
        looks_like_date = col == "date" or col.endswith("_at") or col.endswith("_date")
        if dtype == "datetime64[ns]" or (dtype is None and looks_like_date):
            present = df[col].notna()
            dates = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
            if present.any():
                try:
                    dates[present] = to_datetime_column(df[col][present], col)
                except CRMDataError as err:
                    raise LoadError(f"{file}: {err}") from None
            df[col] = dates
        elif dtype == "Int64":
            try:
                df[col] = df[col].astype("Int64")
            except (TypeError, ValueError):
                raise LoadError(f"{file}: column {col!r} must hold whole numbers or nothing") from None
    return df


def _check_table(file: Path, name: str, df: pd.DataFrame, complete: bool) -> None:
    try:
        schema.check_table(name, df, complete=complete)
    except CRMDataError as err:
        raise LoadError(f"{file} is not the {name} table of an event log: {err}") from None


def _read_saved(folder: Path, card: dict, tables) -> dict[str, pd.DataFrame]:
    """The tables of a log saved with a card: each file present, unchanged, and the table the card says."""
    rows, sums = card["rows"], card.get("sha256", {})
    if not isinstance(sums, dict):
        raise LoadError(f"{folder / 'card.json'}: the entry 'sha256' must map file names to checksums")
    wanted = [name for name in tables if name in rows]
    missing = [f"{name}.parquet" for name in wanted if not (folder / f"{name}.parquet").is_file()]
    if missing:
        raise LogNotFoundError(f"{folder} is not a complete event log: missing {', '.join(missing)} "
                               "(its card.json lists them)")
    found = {}
    for name in wanted:
        file = folder / f"{name}.parquet"
        expected = sums.get(f"{name}.parquet")
        if expected is not None:
            got = logfolder.sha256(file)
            if got != expected:
                other = [k for k, v in sums.items() if v == got]
                why = (f"it holds the file the card records as {other[0]} (swapped files?)" if other
                       else "the file was changed or damaged after it was saved")
                raise LoadError(f"{file}: checksum does not match card.json — {why} "
                                f"(sha256 {got[:12]}…, card.json {str(expected)[:12]}…)")
        df = _read_parquet(file)
        _check_table(file, name, df, complete=True)
        if len(df) != rows[name]:
            raise LoadError(f"{file} has {len(df)} rows but the card says {rows[name]}")
        found[name] = df
    return found


def _read_plain(folder: Path, tables) -> dict[str, pd.DataFrame]:
    """The tables of a folder without a data card (a shop's export): Parquet or CSV, each recognisable."""
    found = {}
    for name in tables:
        pq, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
        if pq.is_file():
            found[name] = _read_parquet(pq)
        elif csv.is_file():
            found[name] = _read_csv(csv, name)
        else:
            continue
        _check_table(pq if pq.is_file() else csv, name, found[name], complete=False)
    return found


def load(path: str | Path, *, tables: tuple[str, ...] = TABLES) -> EventLog:
    """Read an event log from a folder: a saved log, or Parquet (``NAME.parquet``) or CSV (``NAME.csv``) tables.

    A folder with a data card (``card.json``, written by :meth:`EventLog.save`)
    is checked in full: every table the card lists is there, its sha256 matches
    the card, it has exactly the columns and dtypes of :mod:`crmlab.schema` and
    the card's row count. A folder without a card (a shop's export) may hold any
    of the tables, each with at least the schema's required columns; Parquet is
    preferred when both exist, a ``csv`` subfolder is used when the folder holds
    no tables itself, and date columns in CSV files are parsed
    (:func:`to_datetime_column`).

    A log whose save was killed while it replaced the folder is put back first
    (:func:`crmlab.logfolder.recover`).

    Parameters
    ----------
    path : str or Path
    tables : tuple of str
        The tables to read (default all of :data:`crmlab.schema.TABLES`).

    Raises
    ------
    LogNotFoundError
        If the folder, a table the card lists, or the transactions table is
        missing (a ``FileNotFoundError`` and a :class:`LoadError`).
    LoadError
        Naming the file: a card that is not JSON, a checksum that does not
        match, a file that is not Parquet, a table that is not the one its name says.
    """
    for name in tables:
        if name not in TABLES:
            raise CRMDataError("tables", "unknown table name", detail=f"got {name!r}; known: {TABLES}")
    folder = Path(path)
    if not folder.is_dir():
        logfolder.recover(folder)
        if not folder.is_dir():
            raise LogNotFoundError(f"event log folder not found: {folder}")
    card = logfolder.read_card(folder)
    if card is not None and "rows" in card:
        if not isinstance(card["rows"], dict):
            raise LoadError(f"{folder / 'card.json'}: the entry 'rows' must map table names to row counts")
        found = _read_saved(folder, card, tables)
    else:
        holds_tables = any((folder / f"{n}.{ext}").is_file() for n in TABLES for ext in ("parquet", "csv"))
        if card is None and not holds_tables and (folder / "csv").is_dir():
            folder = folder / "csv"
        found = _read_plain(folder, tables)
    if "transactions" in tables and "transactions" not in found:
        raise LogNotFoundError(f"no transactions.parquet or transactions.csv in {folder}")
    return EventLog(card=card or {}, **found)


def dataset_path(name: str = "classroom") -> Path:
    """Folder of a dataset shipped inside the package (``crmlab/datasets/NAME``).

    The folder is package data: it is there in the repository, in an editable
    install and in an installed wheel alike (``pip install .`` copies its Parquet
    tables, ``card.json`` and ``README.md``; the CSV copies stay in the repository).
    """
    if not isinstance(name, str) or name in ("", ".", "..") or Path(name).name != name:
        raise ValueError(f"dataset name must be a plain folder name such as 'classroom', got {name!r}")
    datasets = Path(__file__).resolve().parent / "datasets"
    here = datasets / name
    if not here.is_dir():
        shipped = sorted(p.name for p in datasets.iterdir() if p.is_dir()) if datasets.is_dir() else []
        raise FileNotFoundError(
            f"dataset {name!r} not found at {here} (shipped: {shipped}); in the repository, regenerate "
            f"the classroom dataset with `make dataset`")
    return here


def classroom() -> EventLog:
    """The classroom dataset every chapter notebook uses: the student's own, or the shipped one.

    * In a class (``python -m sim class``) or a student edition, each student's
      folder holds a ``crmlab-student.toml`` naming their dataset; a notebook in that
      folder or below reads it (:func:`crmlab.student.find`; ``CRMLAB_STUDENT`` may
      name the file instead, ``CRMLAB_STUDENT_DATA`` the dataset folder alone).
    * Otherwise the shipped ``crmlab/datasets/classroom``, made by
      ``python -m sim --scenario classroom --seed 7`` (``make dataset``).

    Its data card (``.card``) records the scenario, size and seed.
    """
    from crmlab import student

    own = student.data_folder()
    return load(own if own is not None else dataset_path("classroom"))
