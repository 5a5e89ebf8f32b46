"""The event-log contract: seven tables, their columns, dtypes and meaning, and the stages.

This module is the one place that says what an event log is. The simulator
(:mod:`sim`) builds its tables through :func:`frame` and saves them with
:meth:`crmlab.data.EventLog.save`; :func:`crmlab.data.load` checks every table it
reads against :data:`TABLES`; the data card's column list is :func:`card_columns`.

====================  ==========================================================
table                 one row per
====================  ==========================================================
``customers``         person or firm in the market (``acquired_at`` NaT if never)
``transactions``      order (``amount`` and ``cost`` in the log's currency)
``stages``            stage change (``target`` → ``prospect`` → ``opportunity`` →
                      ``customer`` ⇄ ``dormant`` → ``lost``)
``contacts``          marketing or care contact, with ``cost`` and ``responded``
``service``           call-centre ticket, with the customer's rating
``surveys``           survey answer: ``satisfaction`` 1–5, ``nps`` 0–10
``truth``             person: every latent draw, true churn, holdout value
                      (simulated logs only: the answer key, never a model input)
====================  ==========================================================

Dtypes are named as pandas names them: ``int64``, ``Int64`` (whole numbers
that may be missing), ``float64``, ``bool``, ``str`` (text; missing is NaN),
``datetime64[ns]`` (naive dates; missing is NaT).

Everybody starts as a ``target`` on the log's start date; the ``stages`` table
holds the changes only, each one of :data:`LEGAL_CHANGES`.

Example
-------
>>> TABLES
('customers', 'transactions', 'stages', 'contacts', 'service', 'surveys', 'truth')
>>> table("transactions").names
('order_id', 'customer_id', 'date', 'amount', 'cost', 'category')
>>> table("surveys").column("nps").meaning
'likelihood to recommend, 0–10'
>>> STAGES.index("customer")
3
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.errors import CRMDataError

__all__ = ["Column", "Table", "TABLES", "STAGES", "LEGAL_CHANGES", "DTYPES",
           "table", "frame", "check_table", "card_columns", "describe"]

#: the dtypes a column may have (see the module docstring)
DTYPES = ("int64", "Int64", "float64", "bool", "str", "datetime64[ns]")


@dataclass(frozen=True)
class Column:
    """One column of an event-log table.

    ``required`` marks the columns a table must have to be recognised as that
    table when it comes without a data card (a shop's own CSV export); a saved
    log must have every column.
    """

    name: str
    dtype: str
    meaning: str
    required: bool = False


@dataclass(frozen=True)
class Table:
    """One event-log table: what a row is and its columns, in order."""

    name: str
    row: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns a table without a data card must have."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise CRMDataError(name, f"not a column of the {self.name} table", detail=f"columns: {list(self.names)}")


def _table(name: str, row: str, *columns: tuple) -> Table:
    return Table(name, row, tuple(Column(*c) for c in columns))


_ID = ("customer_id", "int64", "the person or firm (1, 2, …; the same id in every table)", True)

_SPECS: dict[str, Table] = {t.name: t for t in (
    _table("customers", "person or firm in the market",
           _ID,
           ("name", "str", "full name (a company name for firms); invented by the simulator"),
           ("gender", "str", "F or M; missing for firms"),
           ("birth_date", "datetime64[ns]", "date of birth; NaT for firms"),
           ("city", "str", "city of residence"),
           ("acquisition_channel", "str", "channel that brought them in (a paid channel, referral or direct); "
                                          "missing if never acquired"),
           ("acquired_at", "datetime64[ns]", "when they first became a customer; NaT if never"),
           ("referred_by", "Int64", "customer_id of the customer who referred them; missing if not referred")),
    _table("transactions", "order",
           ("order_id", "int64", "order number 1, 2, … in date order"),
           _ID,
           ("date", "datetime64[ns]", "when the order was placed", True),
           ("amount", "float64", "what the customer paid, in the log's currency", True),
           ("cost", "float64", "cost of goods plus cost to serve the order; amount − cost is the order's profit"),
           ("category", "str", "product category, or the fee category for a membership fee")),
    _table("stages", "stage change",
           _ID,
           ("date", "datetime64[ns]", "when the change happened", True),
           ("from_stage", "str", "stage before the change (one of STAGES)", True),
           ("to_stage", "str", "stage after the change (one of STAGES)", True)),
    _table("contacts", "marketing or care contact",
           _ID,
           ("date", "datetime64[ns]", "when the contact was made", True),
           ("campaign", "str", "acquire_<channel> for acquisition, else the strategy action", True),
           ("cost", "float64", "what the contact cost the firm"),
           ("responded", "bool", "whether the person responded (was acquired, won back, …)")),
    _table("service", "call-centre ticket",
           _ID,
           ("opened_at", "datetime64[ns]", "when the ticket was opened", True),
           ("answered_at", "datetime64[ns]", "when an agent picked it up"),
           ("resolved_at", "datetime64[ns]", "when it was resolved"),
           ("kind", "str", "question or complaint"),
           ("satisfaction", "int64", "the customer's rating of the service, 1–5")),
    _table("surveys", "survey answer",
           _ID,
           ("date", "datetime64[ns]", "when the survey was answered", True),
           ("satisfaction", "int64", "overall satisfaction, 1–5"),
           ("nps", "int64", "likelihood to recommend, 0–10")),
    _table("truth", "person in the market (simulated logs only: the hidden state behind the other tables)",
           _ID,
           ("acquired", "bool", "became a customer by the observation end"),
           ("lambda", "float64", "purchase rate per week while alive"),
           ("p_dropout", "float64", "textbook world: dropout probability after each repeat order (else NaN)"),
           ("dropout_hazard_per_year", "float64",
            "market world: base dropout hazard with frailty and switching cost (else NaN)"),
           ("frailty", "float64", "multiplier of the dropout hazard drawn per person"),
           ("switching_cost", "float64", "how much leaving costs the person (lowers the hazard)"),
           ("spend_nu", "float64", "gamma-gamma ν of the person's order values"),
           ("mean_spend", "float64", "the person's mean order value, p / ν"),
           ("margin", "float64", "share of an order's amount that is gross margin"),
           ("cost_to_serve", "float64", "cost to serve one order"),
           ("satisfaction_initial", "float64", "satisfaction when acquired, 0–1"),
           ("satisfaction_final", "float64", "satisfaction at the end of the run, 0–1"),
           ("deterred", "bool", "word of mouth from a dissatisfied customer reached them"),
           ("contact_dropout_multiplier", "float64", "effect of retention contacts on the hazard (1 = none)"),
           ("manager_dropout_multiplier", "float64", "effect of an account manager on the hazard (1 = none)"),
           ("winbacks", "int64", "times a win-back brought them back"),
           ("churned", "bool", "really left by the observation end"),
           ("churn_date", "datetime64[ns]", "when they really left (also in the holdout period); NaT if never"),
           ("holdout_purchases", "int64", "orders in (observation_end, holdout_end]"),
           ("holdout_revenue", "float64", "Σ amount in (observation_end, holdout_end]"),
           ("holdout_profit", "float64", "Σ (amount − cost) in (observation_end, holdout_end]")),
)}

#: the table names, in the order they are saved
TABLES: tuple[str, ...] = tuple(_SPECS)

#: the stages of the simulated funnel, in order (a stage code is an index into this tuple)
STAGES: tuple[str, ...] = ("target", "prospect", "opportunity", "customer", "dormant", "lost")

#: the stage changes a log may hold, as (from_stage, to_stage)
LEGAL_CHANGES: frozenset[tuple[str, str]] = frozenset({
    ("target", "prospect"), ("target", "customer"),          # textbook customers start as customers
    ("prospect", "opportunity"), ("prospect", "lost"),
    ("opportunity", "customer"), ("opportunity", "lost"),
    ("customer", "dormant"), ("dormant", "customer"),        # silence; return or win-back
    ("dormant", "lost"), ("lost", "customer"),               # a lost customer may come back by itself
})


def table(name: str) -> Table:
    """The table called ``name`` (one of :data:`TABLES`): its row, its columns."""
    if name not in _SPECS:
        raise CRMDataError("table", "unknown table name", detail=f"got {name!r}; known: {list(TABLES)}")
    return _SPECS[name]


def _has_dtype(values: pd.Series, dtype: str) -> bool:
    """Whether a column holds ``dtype`` (text may be pandas' ``str`` or, in pandas 2, ``object`` holding str)."""
    if dtype == "str":
        if isinstance(values.dtype, pd.StringDtype):
            return True
        return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
    if dtype == "Int64":
        return isinstance(values.dtype, pd.Int64Dtype)
    return values.dtype == np.dtype(dtype)


def check_table(name: str, df: pd.DataFrame, *, complete: bool = True) -> None:
    """Raise :class:`~crmlab.errors.CRMDataError` unless ``df`` is the table ``name``.

    ``complete=True`` (a saved or simulated log): exactly the table's columns, in
    order, each of its dtype. ``complete=False`` (a table without a data card):
    at least the required columns.

    >>> check_table("stages", pd.DataFrame({"customer_id": [1]}), complete=False)
    Traceback (most recent call last):
    ...
    crmlab.errors.CRMDataError: column 'date': missing column in the stages table (columns present: ['customer_id'])
    """
    spec = table(name)
    if not isinstance(df, pd.DataFrame):
        raise CRMDataError(None, f"the {name} table must be a pandas DataFrame", detail=f"got {type(df).__name__}")
    present = [str(c) for c in df.columns]
    wanted = spec.names if complete else spec.required
    for column in wanted:
        if column not in present:
            raise CRMDataError(column, f"missing column in the {name} table", detail=f"columns present: {present}")
    if not complete:
        return
    if tuple(present) != spec.names:
        raise CRMDataError(None, f"the {name} table must have exactly the columns {list(spec.names)}",
                           detail=f"got {present}")
    for col in spec.columns:
        if not _has_dtype(df[col.name], col.dtype):
            raise CRMDataError(col.name, f"must have dtype {col.dtype} in the {name} table",
                               detail=f"got {df[col.name].dtype}")


def frame(name: str, columns: dict) -> pd.DataFrame:
    """Build the table ``name`` from its columns, checking names, order and dtypes.

    The simulator makes every table through this function, so a table that
    drifts from the contract fails where it is built.

    >>> frame("surveys", {"customer_id": np.array([3]), "date": np.array(["2024-01-02"], "M8[ns]"),
    ...                   "satisfaction": np.array([4]), "nps": np.array([9])}).shape
    (1, 4)
    """
    df = pd.DataFrame(columns)
    check_table(name, df, complete=True)
    return df


def card_columns() -> dict[str, list[str]]:
    """``{table: [column, …]}`` as a data card lists them."""
    return {name: list(t.names) for name, t in _SPECS.items()}


def describe(name: str | None = None) -> pd.DataFrame:
    """The contract as a table: one row per column (``table``, ``column``, ``dtype``, ``meaning``).

    >>> describe("stages")["column"].tolist()
    ['customer_id', 'date', 'from_stage', 'to_stage']
    """
    names = list(TABLES) if name is None else [table(name).name]
    rows = [(t, c.name, c.dtype, c.meaning) for t in names for c in _SPECS[t].columns]
    return pd.DataFrame(rows, columns=["table", "column", "dtype", "meaning"])
