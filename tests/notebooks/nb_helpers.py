"""Helpers shared by the notebook tests (imported as a plain module; no fixtures): the notebooks
found, answer values, and how a markdown cell's source is read (formulas, money, numbers)."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from tools.generate import NOTEBOOKS, instructor_notebooks, student_path

CHAPTERS_N1 = ("00", "01", "02", "03")


def all_notebooks() -> list[Path]:
    """Every instructor notebook and its student version (those that exist)."""
    found = []
    for source in instructor_notebooks(NOTEBOOKS):
        found.append(source)
        if student_path(source).exists():
            found.append(student_path(source))
    return found


def notebook_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def plain_value(normalised: dict):
    """The Python value a student would type for a normalised answer."""
    kind, value = normalised["kind"], normalised["value"]
    if kind in ("number", "bool", "text"):
        return value
    if kind == "list":
        return [plain_value(v) for v in value]
    if kind == "set":
        return {plain_value(v) for v in value}
    if kind == "dict":
        return {k: plain_value(v) for k, v in value.items()}
    raise ValueError(kind)


def wrong_value(normalised: dict, rtol: float, atol: float):
    """A value that must be rejected: numbers moved well outside the tolerance, one item changed."""
    kind, value = normalised["kind"], normalised["value"]
    if kind == "number":
        return value + 10 * (atol + rtol * abs(value)) + 1.0
    if kind == "bool":
        return not value
    if kind == "text":
        return value + " (not this)"
    if kind == "list":
        return [wrong_value(value[0], rtol, atol)] + [plain_value(v) for v in value[1:]]
    if kind == "set":
        return {plain_value(v) for v in value[1:]} | {"something else"}
    if kind == "dict":
        first = sorted(value)[0]
        return {k: (wrong_value(v, rtol, atol) if k == first else plain_value(v)) for k, v in value.items()}
    raise ValueError(kind)



# ---------------------------------------------------------------------------------------------
# The notebooks of the course and what their markdown says (used by test_nb_files.py and the
# real-browser test_browser_rendered_text.py, so both read a cell's source the same way).

LAST_CHAPTER = 13            # the course runs 00-13 (CHAPTER_TEMPLATE.md); chapter 00 maps them all


def chapter_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The student notebooks ``notebooks/NN_*.ipynb``, in chapter order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


CODE_BLOCK = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[^\n]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
#: what makes the inside of ``$…$`` a formula: a letter, a backslash, ^, _ or an operator
FORMULA_CHAR = re.compile(r"[A-Za-z\\^_+\-=<>*/×·÷±≤≥≈|]")
MONEY = re.compile(r"\\?\$\s?\d|\d\s?\\?\$")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _blank(text: str) -> str:
    """Spaces in place of ``text``, newlines kept (positions in the cell stay the same)."""
    return re.sub(r"[^\n]", " ", text)


def without_code(markdown: str) -> str:
    """The markdown with fenced code blocks and `code spans` blanked out (same length)."""
    return CODE_SPAN.sub(lambda m: _blank(m.group()), CODE_BLOCK.sub(lambda m: _blank(m.group()), markdown))


def formula_spans(markdown: str) -> list[tuple[int, int, bool]]:
    """``(start, end, meant)`` of every ``$…$`` / ``$$…$$`` pair in ``markdown`` (code already removed).

    Dollars pair from left to right as JupyterLab pairs them; ``\\$`` is a literal dollar, never a
    delimiter. A pair is **meant as a formula** when
      * ``$$…$$`` (display): its inside contains a letter, a backslash, ^, _ or an operator
        (``+ - = < > * / × · ÷ ± ≤ ≥ ≈ |``);
      * ``$…$`` (inline): the same, and (as in pandoc) the opening ``$`` is followed by a
        non-space, the closing ``$`` is preceded by a non-space and not followed by a digit.
    So ``$x^2 + 1$``, ``$\\sum_i m_i$`` and ``$0.9^t$`` are formulas; money never is:
    ``at $300 each, margin $100`` pairs ``$300 each, margin $`` (a space before the closing
    dollar), ``$5-$10`` has a digit after the closing dollar, ``$300$`` has no letter or operator.
    """
    spans, i, n = [], 0, len(markdown)
    while i < n:
        if markdown[i] == "\\":
            i += 2
            continue
        if markdown[i] != "$":
            i += 1
            continue
        delim = "$$" if markdown.startswith("$$", i) else "$"
        j = i + len(delim)
        while j < n and not (markdown.startswith(delim, j) and markdown[j - 1] != "\\"
                             and (delim == "$$" or not markdown.startswith("$$", j))):
            j += 1
        if j >= n:                                  # an unpaired dollar: plain text
            break
        inside, end = markdown[i + len(delim):j], j + len(delim)
        meant = bool(inside.strip()) and bool(FORMULA_CHAR.search(inside))
        if delim == "$" and meant:
            meant = (not inside[0].isspace() and not inside[-1].isspace()
                     and not (end < n and markdown[end].isdigit()))
        spans.append((i, end, meant))
        i = end
    return spans


def outside_formulas(markdown: str) -> str:
    """The markdown with code and the formulas meant as formulas blanked out (same length; money stays)."""
    text = without_code(markdown)
    for start, end, meant in formula_spans(text):
        if meant:
            text = text[:start] + _blank(text[start:end]) + text[end:]
    return text


def has_formula(markdown: str) -> bool:
    """True when the cell holds at least one ``$…$`` / ``$$…$$`` meant as a formula."""
    return any(meant for _, _, meant in formula_spans(without_code(markdown)))


def money_with_dollar(markdown: str) -> list[str]:
    """Snippets of the source where it writes ``$`` + digit or digit + ``$`` outside formulas
    (one snippet for matches close together)."""
    spans: list[list[int]] = []
    for m in MONEY.finditer(outside_formulas(markdown)):
        if spans and m.start() <= spans[-1][1]:
            spans[-1][1] = m.end() + 25
        else:
            spans.append([max(0, m.start() - 25), m.end() + 25])
    return [" ".join(markdown[start:end].split()) for start, end in spans]


def numbers_in_source(markdown: str) -> Counter:
    """The numbers a reader must see in the rendered cell: those outside formulas and code spans,
    leaving out what markdown does not show as text (link targets, images, HTML tags and
    comments, entities, the numbers of ordered-list items)."""
    text = outside_formulas(markdown)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)                 # images (alt text is not shown)
    text = re.sub(r"\]\([^)]*\)", "] ", text)                        # link targets
    text = re.sub(r"^\s*\[[^\]]+\]:\s*\S+.*$", " ", text, flags=re.M)  # reference-link definitions
    text = re.sub(r"<[^>\n]+>", " ", text)                           # HTML tags, autolinks
    text = re.sub(r"&#?\w+;", " ", text)                             # entities
    text = re.sub(r"^(\s*(?:>\s*)*)\d+[.)](?=\s|$)", r"\1 ", text, flags=re.M)   # ordered-list markers
    text = text.replace("$", " ")
    return Counter(NUMBER.findall(text))


def numbers_in_text(rendered: str) -> Counter:
    """The numbers of a rendered text (same tokens as :func:`numbers_in_source`)."""
    return Counter(NUMBER.findall(rendered))
