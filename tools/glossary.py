"""Add every chapter's Key terms rows that are missing from the glossary ``crmlab/glossary.csv``.

Run from the repository root after writing a chapter's *Key terms* table::

    python -m tools.glossary          # appends the missing rows, prints them
    python -m tools.glossary --check  # exit 1 and list them, change nothing

A row is the same term when its English and its Chinese are the same; its
meaning is taken from the first chapter that uses it. The test
``tests/crmlab/test_cl_unit_chinese.py`` fails while a row is missing.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crmlab.glossary import PATH

__all__ = ["key_terms", "missing_rows", "main"]

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks" / "instructor"


def key_terms(notebook: Path) -> list[dict]:
    """The rows (``term_en``, ``term_zh``, ``meaning``) of a notebook's ``## Key terms`` table."""
    import nbformat

    rows = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## Key terms"):
            for line in cell.source.splitlines():
                parts = [p.strip() for p in line.strip().strip("|").split("|")]
                if len(parts) == 3 and parts[0] != "English" and not set(parts[0]) <= {"-"}:
                    rows.append({"term_en": parts[0], "term_zh": parts[1], "meaning": parts[2]})
    return rows


def missing_rows(folder: Path = NOTEBOOKS, glossary: Path = PATH) -> list[dict]:
    """Key terms rows of the instructor notebooks in ``folder`` that ``glossary`` lacks (first meaning kept)."""
    with open(glossary, encoding="utf-8", newline="") as fh:
        known = {(r["term_en"], r["term_zh"]) for r in csv.DictReader(fh)}
    out = []
    for notebook in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        for row in key_terms(notebook):
            if (row["term_en"], row["term_zh"]) not in known:
                known.add((row["term_en"], row["term_zh"]))
                out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.glossary", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list the missing rows (exit 1 if any)")
    args = parser.parse_args(argv)
    rows = missing_rows()
    for row in rows:
        print(f"{'missing' if args.check else 'added'}: {row['term_en']} | {row['term_zh']} | {row['meaning']}")
    if args.check:
        return 1 if rows else 0
    if rows:
        with open(PATH, "a", encoding="utf-8", newline="") as fh:
            csv.DictWriter(fh, fieldnames=["term_en", "term_zh", "meaning"], lineterminator="\n").writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
