"""The customer database in SQL (客户数据库): DuckDB over the event log's Parquet files.

DuckDB is an SQL engine that runs inside Python, like SQLite, but built for
analysis: it reads Parquet files where they lie, so a saved event log
(:meth:`crmlab.data.EventLog.save`, or the classroom dataset at
``crmlab.data.dataset_path("classroom")``) is a database without loading or
copying anything and without a server to start.

:func:`connect` opens an in-memory database with one **view** per table of
:mod:`crmlab.schema` (``customers``, ``transactions``, ``stages``, ``contacts``,
``service``, ``surveys``, ``truth``; those the folder holds), a ``calendar``
view (one row per day of the transactions: the date dimension of a data
warehouse, see :data:`WAREHOUSE`) and the privacy view ``customers_marketing``
(:data:`HIDDEN_COLUMNS` left out). :func:`query` runs a query and returns a
DataFrame.

The chapter-04 and chapter-02 measures written in SQL, each cross-checked
against the library in the tests:

* :func:`rfm_sql` / :func:`rfm` — RFM with window functions. The SQL answer to
  "score 1–5 by quintile" is ``NTILE(5) OVER (ORDER BY x)``, and it is **not**
  crmlab's rule (:mod:`crmlab.rfm`): NTILE deals the sorted rows into 5 buckets
  of (nearly) equal size by row number, so

  - customers with **equal** values can land in different buckets (customers
    with the same number of orders are split over two or three F scores, and
    which of them gets which depends on the row order — arbitrary unless you
    add a tie-break);
  - when n is not a multiple of 5 the *first* buckets get the extra rows
    (NTILE: sizes ⌈n/5⌉ first), while crmlab's floor rule puts them later.

  crmlab's rule — equal values share the score of their tie group's lowest
  position, ``score = floor(bins · (rank_min − 1) / n) + 1`` — is one window
  function away: ``RANK()`` *is* rank_min (ties share the lowest position),
  ``COUNT(*) OVER ()`` is n, so

      bins * (RANK() OVER (ORDER BY x) - 1) // COUNT(*) OVER () + 1

  with the worst value first (largest recency first for R), and money compared
  in whole cents (``CAST(round_even(100 * m, 0) AS BIGINT)``, the rounding of
  :func:`crmlab.rfm.cents`). ``scores="rank"`` (default) writes that and agrees
  with :func:`crmlab.rfm.rfm_table` cell for cell; ``scores="ntile"`` writes
  NTILE with ``customer_id`` as the tie-break, to show the difference.
* :func:`composition_sql` / :func:`composition` — customers, buyers and
  revenue per value of a customer field (:func:`crmlab.composition.customer_composition`).
* :func:`product_mix_sql` / :func:`product_mix` — sales share, gross margin,
  contribution ratio and, with an inventory, turnover and cross ratio
  (:func:`crmlab.composition.product_mix`).

Only this module imports ``duckdb`` (``import crmlab`` stays light).

Example
-------
>>> con = connect()                                   # the classroom dataset
>>> int(query(con, "SELECT COUNT(*) AS n FROM customers")["n"].iloc[0])
5000
>>> "name" in query(con, "SELECT * FROM customers_marketing LIMIT 1").columns
False
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.errors import CRMDataError, ParameterError, check_int
from crmlab.schema import TABLES

__all__ = ["connect", "query", "tables", "rfm_sql", "rfm", "composition_sql", "composition", "product_mix_sql",
           "product_mix", "group_sizes", "HIDDEN_COLUMNS", "MARKETING_VIEW", "marketing_view_sql", "WAREHOUSE", "warehouse_table"]

#: customer columns a marketing analyst does not see (the privacy view leaves them out):
#: ``name`` names the person; ``birth_date`` with gender makes almost everybody unique
#: (4,360 of the classroom's 5,000); ``city`` with gender and birth decade still leaves
#: 590 people alone in their group. The view gives ``birth_decade`` instead of the date.
HIDDEN_COLUMNS = ("name", "birth_date", "city")

#: the privacy view's name
MARKETING_VIEW = "customers_marketing"

#: the data-warehouse roles of the seven tables (Kimball's star schema: facts hold the events
#: and their measures, dimensions describe who, what and when)
WAREHOUSE = (
    # table, role, one row per (grain), keys to dimensions, measures
    ("transactions", "fact", "order", "customer_id, date → calendar, category", "amount, cost"),
    ("contacts", "fact", "marketing or care contact", "customer_id, date → calendar, campaign", "cost, responded"),
    ("service", "fact", "call-centre ticket", "customer_id, opened_at → calendar, kind",
     "waiting and handling time, satisfaction"),
    ("surveys", "fact", "survey answer", "customer_id, date → calendar", "satisfaction, nps"),
    ("stages", "fact (events)", "stage change", "customer_id, date → calendar", "none: the event itself"),
    ("customers", "dimension", "customer", "customer_id (its key)",
     "attributes: gender, city, channel, acquired_at, referred_by"),
    ("calendar", "dimension", "day", "day (its key)", "attributes: year, quarter, month, weekday"),
    ("truth", "not in the warehouse", "person", "customer_id",
     "the simulator's hidden state: the answer key, never a model input"),
)


def warehouse_table() -> pd.DataFrame:
    """:data:`WAREHOUSE` as a table: every table's role (fact or dimension), grain, keys and measures."""
    return pd.DataFrame(list(WAREHOUSE), columns=["table", "role", "one row per", "keys", "measures"]).set_index("table")


def _sql_text(value: str) -> str:
    """A text literal: ``'...'`` with quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def marketing_view_sql(source: str = "customers") -> str:
    """The ``CREATE VIEW`` statement of the privacy view over ``source`` (:data:`HIDDEN_COLUMNS` left out)."""
    return (f"CREATE VIEW {MARKETING_VIEW} AS\n"
            f"SELECT customer_id, gender,\n"
            f"       year(birth_date) // 10 * 10 AS birth_decade,   -- 1970 = born in the 1970s\n"
            f"       acquisition_channel, acquired_at, referred_by\n"
            f"FROM {source}")


def connect(path=None, *, analyst: bool = False):
    """An in-memory DuckDB database over a saved event log's Parquet files.

    Parameters
    ----------
    path : str or Path, optional
        A folder holding ``NAME.parquet`` for tables of :mod:`crmlab.schema`
        (a saved log). Default: the classroom dataset.
    analyst : bool
        ``True``: the connection a marketing analyst gets — no ``customers``
        view with the personal columns (only ``customers_marketing``) and no
        ``truth`` (the simulator's answer key). A view hides columns from the
        analyst's *queries*; it protects the data only where the analyst cannot
        read the files themselves (in a company's warehouse: rights granted on the
        view, none on the table).

    Returns
    -------
    duckdb.DuckDBPyConnection
        Views: one per table found, ``calendar`` (with transactions) and
        ``customers_marketing`` (with customers). Nothing is copied: every query
        reads the Parquet files.
    """
    import duckdb

    from crmlab.data import dataset_path

    folder = Path(dataset_path("classroom") if path is None else path)
    if not folder.is_dir():
        raise CRMDataError("path", "not a folder", detail=f"got {str(path)!r}")
    found = [t for t in TABLES if (folder / f"{t}.parquet").is_file()]
    if not found:
        raise CRMDataError("path", "no table of the event log in this folder (NAME.parquet for NAME in "
                           f"{', '.join(TABLES)})", detail=f"got {str(folder)!r}")
    con = duckdb.connect(":memory:")
    files = {name: f"read_parquet({_sql_text((folder / f'{name}.parquet').as_posix())})" for name in found}
    for name in found:
        if analyst and name in ("customers", "truth"):
            continue
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM {files[name]}")
    if "customers" in found:
        # the analyst's view reads the file itself: no view with the personal columns exists
        con.execute(marketing_view_sql(files["customers"] if analyst else "customers"))
    if "transactions" in found:
        con.execute("CREATE VIEW calendar AS\n"
                    "SELECT CAST(d AS DATE) AS day, year(d) AS year, quarter(d) AS quarter, month(d) AS month,\n"
                    "       dayname(d) AS weekday\n"
                    "FROM (SELECT unnest(generate_series(CAST(MIN(date) AS DATE), CAST(MAX(date) AS DATE),\n"
                    "                                    INTERVAL 1 DAY)) AS d FROM transactions)")
    return con


def tables(con) -> list[str]:
    """The views and tables of a connection, by name (those starting with ``_`` left out)."""
    names = con.execute("SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall()
    return [n for (n,) in names if not n.startswith("_")]


def query(con, sql: str, params=None) -> pd.DataFrame:
    """Run one SQL query and return its result as a DataFrame (``params`` fill ``?`` / ``$name`` marks)."""
    if not isinstance(sql, str) or not sql.strip():
        raise ParameterError("sql", "need the text of a query", detail=f"got {sql!r}")
    return con.execute(sql, params).df() if params is not None else con.execute(sql).df()


# ---------------------------------------------------------------- RFM


def _segment_values() -> str:
    from crmlab.rfm import SEGMENT_MAP

    rows = [f"({r}, {f}, {_sql_text(name)})" for (r, f), name in sorted(SEGMENT_MAP.items())]
    lines = ",\n    ".join(", ".join(rows[i:i + 5]) for i in range(0, len(rows), 5))   # one line per R score
    return f"segment_map(r_score, f_score, segment) AS (VALUES\n    {lines})"


def _as_of_day(as_of) -> str:
    from crmlab.data import parse_date

    return parse_date("as_of", as_of).strftime("%Y-%m-%d")


def rfm_sql(as_of, *, bins: int = 5, monetary: str = "total", scores: str = "rank") -> str:
    """The SQL text of RFM at the day ``as_of`` (see the module docstring).

    R = as-of day − day of the last order (calendar days), F = orders, M = total
    (or mean) spend; orders after the as-of day are left out (``WHERE``). Scores:
    ``scores="rank"`` — crmlab's tie rule, ``bins · (RANK() − 1) // n + 1`` with
    money in whole cents; ``scores="ntile"`` — ``NTILE(bins)``, ties broken by
    ``customer_id``. With ``bins=5`` a ``segment`` column from
    :data:`crmlab.rfm.SEGMENT_MAP`.
    """
    bins = check_int("bins", bins, minimum=2, maximum=9)
    if monetary not in ("total", "mean"):
        raise ParameterError("monetary", "must be 'total' or 'mean'", detail=f"got {monetary!r}")
    if scores not in ("rank", "ntile"):
        raise ParameterError("scores", "must be 'rank' (crmlab's tie rule) or 'ntile'", detail=f"got {scores!r}")
    day = _as_of_day(as_of)
    money = "SUM(amount)" if monetary == "total" else "SUM(amount) / COUNT(*)"
    if scores == "rank":
        def score(order: str) -> str:
            return f"{bins} * (RANK() OVER (ORDER BY {order}) - 1) // COUNT(*) OVER () + 1"
    else:
        def score(order: str) -> str:
            return f"NTILE({bins}) OVER (ORDER BY {order}, customer_id)"
    segment = bins == 5
    head = f"WITH {_segment_values()},\n" if segment else "WITH "
    return (
        f"{head}per_customer AS (\n"
        f"  SELECT customer_id,\n"
        f"         date_diff('day', CAST(MAX(date) AS DATE), DATE '{day}') AS recency,\n"
        f"         COUNT(*) AS frequency,\n"
        f"         {money} AS monetary\n"
        f"  FROM transactions\n"
        f"  WHERE date < DATE '{day}' + INTERVAL 1 DAY\n"
        f"  GROUP BY customer_id\n"
        f"),\n"
        f"scored AS (\n"
        f"  SELECT *,\n"
        f"         {score('recency DESC')} AS r_score,\n"
        f"         {score('frequency')} AS f_score,\n"
        f"         {score('CAST(round_even(100 * monetary, 0) AS BIGINT)')} AS m_score\n"
        f"  FROM per_customer\n"
        f")\n"
        f"SELECT customer_id, recency, frequency, monetary, r_score, f_score, m_score,\n"
        f"       CAST(r_score AS VARCHAR) || CAST(f_score AS VARCHAR) || CAST(m_score AS VARCHAR) AS cell"
        + (",\n       segment\nFROM scored JOIN segment_map USING (r_score, f_score)\n" if segment else "\nFROM scored\n")
        + "ORDER BY customer_id")


def rfm(con, as_of=None, *, bins: int = 5, monetary: str = "total", scores: str = "rank") -> pd.DataFrame:
    """RFM computed by the database (:func:`rfm_sql`): a DataFrame like :func:`crmlab.rfm.rfm_table`.

    ``as_of`` defaults, as there, to the day of the last order. Indexed by
    ``customer_id``; columns ``recency``, ``frequency``, ``monetary``,
    ``r_score``, ``f_score``, ``m_score`` (int64), ``cell`` and, with
    ``bins=5``, ``segment``.
    """
    if as_of is None:
        last = con.execute("SELECT MAX(date) FROM transactions").fetchone()[0]
        if last is None:
            raise CRMDataError("transactions", "no orders: nothing to score")
        as_of = pd.Timestamp(last)
    out = query(con, rfm_sql(as_of, bins=bins, monetary=monetary, scores=scores)).set_index("customer_id")
    if len(out) == 0:
        raise CRMDataError("as_of", "no order on or before the as-of day", detail=f"got {as_of!r}")
    for c in ("recency", "frequency", "r_score", "f_score", "m_score"):
        out[c] = out[c].astype(np.int64)
    for c in ("cell", "segment"):
        if c in out.columns:
            out[c] = out[c].astype(object)
    return out


# ---------------------------------------------------------------- chapter 02


def _customer_column(by: str) -> str:
    from crmlab.schema import table

    names = table("customers").names
    if by not in names or by == "customer_id":
        raise ParameterError("by", "must be a column of the customers table", detail=f"got {by!r}; columns: {list(names)}")
    return by


def composition_sql(by: str = "acquisition_channel", *, source: str = "customers") -> str:
    """SQL of :func:`crmlab.composition.customer_composition` with transactions: one row per value of ``by``.

    Missing values are their own group ``'(missing)'``; largest group first.
    ``source`` names the customer view (``customers_marketing`` for an analyst).
    """
    by = _customer_column(by)
    if source not in ("customers", MARKETING_VIEW):
        raise ParameterError("source", f"must be 'customers' or '{MARKETING_VIEW}'", detail=f"got {source!r}")
    return (
        "WITH spend AS (\n"
        "  SELECT customer_id, SUM(amount) AS revenue FROM transactions GROUP BY customer_id\n"
        "),\n"
        "grouped AS (\n"
        f"  SELECT COALESCE(CAST(c.{by} AS VARCHAR), '(missing)') AS grp, s.revenue\n"
        f"  FROM {source} AS c LEFT JOIN spend AS s USING (customer_id)\n"
        ")\n"
        f"SELECT grp AS {by},\n"
        "       COUNT(*) AS customers,\n"
        "       COUNT(*) / SUM(COUNT(*)) OVER () AS share,\n"
        "       COUNT(revenue) AS buyers,\n"
        "       COALESCE(SUM(revenue), 0) AS revenue,\n"
        "       COALESCE(SUM(revenue), 0) / SUM(SUM(revenue)) OVER () AS revenue_share,\n"
        "       COALESCE(SUM(revenue), 0) / COUNT(*) AS revenue_per_customer\n"
        "FROM grouped\n"
        "GROUP BY grp\n"
        "ORDER BY customers DESC, grp")


def composition(con, by: str = "acquisition_channel", *, source: str = "customers") -> pd.DataFrame:
    """:func:`composition_sql` run: a DataFrame indexed by the values of ``by``."""
    return query(con, composition_sql(by, source=source)).set_index(by)


def _inventory_values(inventory) -> str:
    inv = pd.Series(inventory, dtype=float)
    if len(inv) == 0 or not np.isfinite(inv.to_numpy()).all() or (inv <= 0).any():
        raise ParameterError("inventory", "need a positive, finite average inventory per category",
                             detail=f"got {inv.to_dict()!r}")
    rows = ", ".join(f"({_sql_text(c)}, {float(v)!r})" for c, v in inv.items())
    return f"inventory(category, inventory) AS (VALUES {rows})"


def product_mix_sql(*, inventory=None, years: float | None = None) -> str:
    """SQL of :func:`crmlab.composition.product_mix`: per category, by revenue (largest first).

    With ``inventory`` (average stock at cost per category) and ``years`` (the
    length of the period), also turnover = cost / years / inventory and
    cross ratio = gross margin × turnover.
    """
    with_inventory = inventory is not None
    if with_inventory:
        if years is None or not float(years) > 0:
            raise ParameterError("years", "need the length of the period in years (> 0) with inventory",
                                 detail=f"got {years!r}")
        years = float(years)
    head = "WITH " + (_inventory_values(inventory) + ",\n" if with_inventory else "")
    extra = (",\n       cost / {y!r} / inventory AS turnover,\n"
             "       (revenue - cost) / NULLIF(revenue, 0) * cost / {y!r} / inventory AS cross_ratio"
             .format(y=years)) if with_inventory else ""
    return (
        f"{head}mix AS (\n"
        "  SELECT category, COUNT(*) AS orders, SUM(amount) AS revenue, SUM(cost) AS cost\n"
        "  FROM transactions GROUP BY category\n"
        ")\n"
        "SELECT category, orders, revenue,\n"
        "       revenue / SUM(revenue) OVER () AS sales_share,\n"
        "       cost,\n"
        "       revenue - cost AS gross_profit,\n"
        "       (revenue - cost) / NULLIF(revenue, 0) AS gross_margin,\n"
        "       (revenue - cost) / SUM(revenue) OVER () AS contribution_ratio,\n"
        "       (revenue - cost) / SUM(revenue - cost) OVER () AS profit_share"
        f"{extra}\n"
        "FROM mix" + (" LEFT JOIN inventory USING (category)" if with_inventory else "") + "\n"
        "ORDER BY CAST(round_even(100 * revenue, 0) AS BIGINT) DESC, category")


def product_mix(con, *, inventory=None, years: float | None = None) -> pd.DataFrame:
    """:func:`product_mix_sql` run: a DataFrame indexed by category."""
    out = query(con, product_mix_sql(inventory=inventory, years=years)).set_index("category")
    if inventory is not None and out["turnover"].isna().any():
        raise CRMDataError("inventory", "no inventory for category", list(out.index[out["turnover"].isna()]))
    return out


# ---------------------------------------------------------------- privacy


def group_sizes(con, columns, *, table: str = "customers") -> dict:
    """How well a set of columns hides people: rows alone in their group, and the smallest group.

    ``columns`` are SQL expressions over ``table`` (``"city"``, ``"year(birth_date)"``);
    rows with equal values in all of them form a group (missing values form
    their own group). A person alone in their group (k = 1) is picked out by
    those columns alone; the smallest group size is the *k* of k-anonymity
    (Sweeney 2002: every person shares their values with at least k − 1 others).

    Returns
    -------
    dict with ``alone`` (rows in a group of one), ``smallest`` (size of the
    smallest group), ``groups`` (number of groups) and ``rows``.

    Example
    -------
    >>> con = connect()
    >>> group_sizes(con, ["gender"])["smallest"] > 1000
    True
    """
    if isinstance(columns, str) or not columns or not all(isinstance(c, str) and c.strip() for c in columns):
        raise ParameterError("columns", "need a list of column names or SQL expressions", detail=f"got {columns!r}")
    if table not in tables(con):
        raise ParameterError("table", "not a table or view of this connection", detail=f"got {table!r}")
    keys = ", ".join(columns)
    row = con.execute(
        f"SELECT COUNT(*) FILTER (WHERE k = 1), MIN(k), COUNT(*), SUM(k)\n"
        f"FROM (SELECT COUNT(*) AS k FROM {table} GROUP BY {keys})").fetchone()
    return {"alone": int(row[0]), "smallest": int(row[1]), "groups": int(row[2]), "rows": int(row[3])}
