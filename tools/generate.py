"""Generate the student notebooks from the instructor notebooks.

Run from the repository root (``make notebooks`` does it)::

    python -m tools.generate            # write notebooks/NN_name.ipynb
    python -m tools.generate --check    # only say which are out of date (exit 1)
    python -m tools.generate 03 04      # only these chapters

For every ``notebooks/instructor/NN_name.ipynb`` it writes ``notebooks/NN_name.ipynb``:

* in a code cell, each region from a ``### BEGIN SOLUTION`` line to a
  ``### END SOLUTION`` line is replaced by ``# your code here`` and one line
  ``NAME = ...`` for every name the region assigns at its top level, in order
  (so ``answer = rfm.rfm_table(tx)["cell"].eq("555").sum()`` becomes the two
  lines ``# your code here`` and ``answer = ...``); ``...`` is what :func:`crmlab.exercises.check`
  reads as *not answered yet*, so the student notebook runs top to bottom;
* in a markdown cell, the region is replaced by ``*Your answer here.*``;
* outputs and execution counts are removed, cell ids are kept, cell metadata is
  reduced to ``tags``, notebook metadata to the kernel and language — so that
  regenerating gives byte-identical files.

The instructor notebooks themselves are cleaned the same way (outputs removed),
in place, so they can be committed as they are.
"""
from __future__ import annotations

import argparse
import ast
import copy
import sys
import textwrap
from pathlib import Path

import nbformat

__all__ = ["BEGIN", "END", "GenerateError", "student_source", "clean_notebook", "student_notebook",
           "notebook_text", "instructor_notebooks", "student_path", "main", "REPO", "NOTEBOOKS"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"

_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


class GenerateError(ValueError):
    """An instructor notebook breaks the solution-region rules."""


def _assigned_names(code: str) -> list[str]:
    names: list[str] = []

    def add(target):
        if isinstance(target, ast.Name) and target.id not in names:
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                add(elt)

    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                add(target)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            add(node.target)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name not in names:
            names.append(node.name)
    return names


def student_source(source: str, cell_type: str = "code", where: str = "cell") -> str:
    """The student version of one cell's source (solution regions replaced).

    >>> print(student_source("x = 2\\n### BEGIN SOLUTION\\nanswer = x * 21\\n### END SOLUTION\\ncheck('00.x', answer)"))
    x = 2
    # your code here
    answer = ...
    check('00.x', answer)
    """
    lines = source.split("\n")
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for line in lines:
        marker = line.strip()
        if marker == BEGIN:
            if region is not None:
                raise GenerateError(f"{where}: nested '{BEGIN}'")
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if region is None:
                raise GenerateError(f"{where}: '{END}' without '{BEGIN}'")
            if cell_type == "code":
                code = textwrap.dedent("\n".join(region))
                try:
                    names = _assigned_names(code)
                except SyntaxError as err:
                    raise GenerateError(f"{where}: the solution region is not valid Python: {err}") from None
                out.append(f"{indent}# your code here")
                out.extend(f"{indent}{name} = ..." for name in names)
                if not names:
                    out.append(f"{indent}...")
            else:
                out.append(f"{indent}*Your answer here.*")
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise GenerateError(f"{where}: '{BEGIN}' without '{END}'")
    return "\n".join(out)


def clean_notebook(nb) -> nbformat.NotebookNode:
    """A copy without outputs, execution counts and editor metadata (ids kept)."""
    nb = copy.deepcopy(nb)
    nb.metadata = nbformat.from_dict(copy.deepcopy(_METADATA))
    for index, cell in enumerate(nb.cells):
        if "id" not in cell:
            cell["id"] = f"cell-{index:03d}"
        tags = cell.get("metadata", {}).get("tags")
        cell["metadata"] = nbformat.from_dict({"tags": list(tags)} if tags else {})
        if cell.cell_type == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        if "attachments" in cell and not cell["attachments"]:
            del cell["attachments"]
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def student_notebook(nb, where: str = "notebook") -> nbformat.NotebookNode:
    """The student version of an instructor notebook."""
    nb = clean_notebook(nb)
    for index, cell in enumerate(nb.cells):
        cell["source"] = student_source(cell.source, cell.cell_type, f"{where}, cell {index}")
    return nb


def notebook_text(nb) -> str:
    """The exact text written to disk (nbformat's JSON, one trailing newline)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def instructor_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """``notebooks/instructor/NN_*.ipynb``, sorted."""
    return sorted((folder / "instructor").glob("[0-9][0-9]_*.ipynb"))


def student_path(instructor: Path) -> Path:
    """``notebooks/instructor/NN_x.ipynb`` → ``notebooks/NN_x.ipynb``."""
    return instructor.parent.parent / instructor.name


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list out-of-date notebooks and exit 1 if there are any")
    parser.add_argument("--folder", type=Path, default=NOTEBOOKS, help="the notebooks folder (default: %(default)s)")
    parser.add_argument("chapters", nargs="*", help="chapter numbers (default: all)")
    args = parser.parse_args(argv)
    sources = instructor_notebooks(args.folder)
    if args.chapters:
        wanted = {f"{int(c):02d}" for c in args.chapters}
        sources = [s for s in sources if s.name[:2] in wanted]
    if not sources:
        print(f"no instructor notebooks in {args.folder / 'instructor'}", file=sys.stderr)
        return 1
    stale = []
    for source in sources:
        nb = nbformat.read(source, as_version=4)
        clean_text = notebook_text(clean_notebook(nb))
        student_text = notebook_text(student_notebook(nb, where=source.name))
        target = student_path(source)
        if args.check:
            if source.read_text(encoding="utf-8") != clean_text:
                stale.append(f"{source} (has outputs or editor metadata: run the generator)")
            if not target.exists() or target.read_text(encoding="utf-8") != student_text:
                stale.append(f"{target} (out of date with {source.name})")
            continue
        changed = _write_if_changed(source, clean_text)
        changed = _write_if_changed(target, student_text) or changed
        print(f"{'wrote' if changed else 'up to date'}: {target.relative_to(args.folder.parent)}")
    if stale:
        print("out of date:\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
