"""Chapter 02: a deliberately messy export of a transactions table, for cleaning practice.

Real exports arrive untidy: typed by hand, merged from two tills, saved by a
spreadsheet. :func:`messy_export` takes a clean transactions table and returns a
seeded sample of it *as text* (what ``pd.read_csv(..., dtype=str)`` would give)
with the usual faults planted in it:

* dates written in four formats (``2024-03-05``, ``2024/03/05``, ``05 Mar 2024``,
  ``March 05, 2024``) and a few that are not dates at all (``unknown``, ``??``, empty);
* some orders exported twice (exact duplicate rows);
* some amounts as text with a currency sign and thousands separator (``$1,234.50``)
  and a few missing;
* a few rows without a customer id;
* category names with typos, stray spaces or upper case.

:func:`first_problem` runs :func:`crmlab.data.validate_transactions` and returns its
message, so a student can clean step by step with the validation error as a guide.
:func:`fault_counts` says how many faults of each kind were planted.

Regenerate the CSV copy in ``datasets/`` with::

    python -m crmlab.explore.messy datasets/messy_export.csv

Example
-------
>>> import pandas as pd
>>> tx = pd.DataFrame({"order_id": range(1, 41), "customer_id": [i % 7 + 1 for i in range(40)],
...                    "date": pd.date_range("2024-01-01", periods=40, freq="D"),
...                    "amount": [10.0 + i for i in range(40)], "category": ["food", "toys"] * 20})
>>> raw = messy_export(tx, n=30, seed=1)
>>> first_problem(raw).startswith("column 'customer_id'")
True
"""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from crmlab.data import validate_transactions
from crmlab.errors import CRMDataError

__all__ = ["messy_export", "first_problem", "fault_counts", "DATE_FORMATS", "COLUMNS"]

COLUMNS = ("order_id", "customer_id", "date", "amount", "category")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%B %d, %Y")
_NOT_DATES = ("unknown", "??", "")


def _share(n: int, share: float, minimum: int = 1) -> int:
    return max(minimum, int(round(n * share)))


def _typo(word: str, kind: int) -> str:
    if kind == 0:
        return word.upper()
    if kind == 1:
        return f" {word} "
    # swap two different neighbouring letters near the middle ("toys" -> "tyos")
    spots = [i for i in range(1, len(word)) if word[i] != word[i - 1] and word[i].isalpha() and word[i - 1].isalpha()]
    if not spots:
        return word + word[-1:] + "x"
    i = spots[len(spots) // 2]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def messy_export(tx: pd.DataFrame, *, n: int = 400, seed: int = 2024) -> pd.DataFrame:
    """A seeded, deliberately messy text export of ``n`` orders of ``tx``.

    Parameters
    ----------
    tx : DataFrame
        Clean transactions with ``order_id, customer_id, date, amount, category``
        (never modified).
    n : int
        Orders sampled before duplicates are added.
    seed : int
        Seed of every random choice: same seed, same export.

    Returns
    -------
    DataFrame
        Columns ``order_id, customer_id, date, amount, category``, all text
        (missing values are ``NaN``), about ``n`` × 1.03 rows, in shuffled order.
    """
    missing = [c for c in COLUMNS if c not in tx.columns]
    if missing:
        raise CRMDataError(missing[0], "missing column", detail=f"columns present: {list(tx.columns)}")
    if int(n) != n or n < 20 or n > len(tx):
        raise CRMDataError("n", f"must be a whole number between 20 and the {len(tx)} rows of tx",
                           detail=f"got {n!r}")
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(tx), size=int(n), replace=False))
    sample = tx.iloc[rows][list(COLUMNS)].reset_index(drop=True)
    dates = pd.to_datetime(sample["date"])
    fmt = rng.integers(0, len(DATE_FORMATS), size=n)
    out = pd.DataFrame({
        "order_id": sample["order_id"].astype(str).to_numpy(dtype=object),
        "customer_id": sample["customer_id"].astype(str).to_numpy(dtype=object),
        "date": np.array([d.strftime(DATE_FORMATS[f]) for d, f in zip(dates, fmt)], dtype=object),
        "amount": np.array([f"{a:.2f}" for a in sample["amount"]], dtype=object),
        "category": sample["category"].astype(str).to_numpy(dtype=object),
    })
    # each row gets at most one fault, so the faults can be counted and cleaned independently
    order = rng.permutation(n)
    cuts = np.cumsum([_share(n, 0.01), _share(n, 0.01), _share(n, 0.04), _share(n, 0.01), _share(n, 0.03)])
    no_date, no_customer, text_amount, no_amount, typo = np.split(order[:cuts[-1]], cuts[:-1])
    out.loc[no_date, "date"] = [_NOT_DATES[i % len(_NOT_DATES)] for i in range(len(no_date))]
    out.loc[no_customer, "customer_id"] = np.nan
    out.loc[text_amount, "amount"] = [f"${float(a):,.2f}" for a in out.loc[text_amount, "amount"]]
    out.loc[no_amount, "amount"] = np.nan
    out.loc[typo, "category"] = [_typo(c, i % 3) for i, c in enumerate(out.loc[typo, "category"])]
    out.loc[out["date"] == "", "date"] = np.nan
    dup = rng.choice(n, size=_share(n, 0.03), replace=False)
    out = pd.concat([out, out.iloc[dup]], ignore_index=True)
    out = out.iloc[rng.permutation(len(out))].reset_index(drop=True)
    return out


def fault_counts(tx: pd.DataFrame, *, n: int = 400) -> dict[str, int]:
    """How many faults of each kind :func:`messy_export` plants for ``n`` orders (any seed)."""
    return {"unparseable_date": _share(n, 0.01), "missing_customer": _share(n, 0.01),
            "text_amount": _share(n, 0.04), "missing_amount": _share(n, 0.01),
            "category_typo": _share(n, 0.03), "duplicate_rows": _share(n, 0.03)}


def first_problem(raw: pd.DataFrame, **columns) -> str:
    """The first rule :func:`crmlab.data.validate_transactions` finds broken, or ``"no problems found"``.

    Keyword arguments (``customer=``, ``date=``, ...) are passed on.
    """
    try:
        validate_transactions(raw, **columns)
    except CRMDataError as err:
        return str(err)
    return "no problems found"


def _main(argv: list[str]) -> int:
    from crmlab.data import classroom

    if len(argv) != 1:
        print("usage: python -m crmlab.explore.messy OUT.csv", file=sys.stderr)
        return 2
    messy_export(classroom().transactions).to_csv(argv[0], index=False)
    print(f"wrote {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
