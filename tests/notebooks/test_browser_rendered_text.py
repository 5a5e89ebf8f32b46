"""Real browser: every chapter's markdown, as JupyterLab shows it, says what its source says.

JupyterLab reads ``$…$`` in markdown as LaTeX, so "at $300 each, margin $100" comes out as the
formula *300 each, margin* followed by 100 — the 300 is gone from the text and a sentence is set
in math italics. This test opens every student notebook ``notebooks/NN_*.ipynb`` (so chapters
07–13 inherit it) in JupyterLab in headless Chromium (1400×1000), without running it — markdown
renders when the notebook opens; every cell is attached to the page because the server's user
settings set the notebook's ``windowingMode`` to ``none`` — and checks each markdown cell:

(a) **numbers kept**: every number of the source outside formulas and code spans appears in the
    rendered text with the math elements taken out (as often as in the source). Link targets,
    images, HTML tags and ordered-list markers are left out of the source first (markdown does
    not show them as text);
(b) **math only where meant**: the rendered cell holds math (MathJax's ``mjx-container`` /
    ``.MathJax``, KaTeX's ``.katex``) only if its source holds a formula meant as one.

*Meant as a formula* (``nb_helpers.formula_spans``): a ``$…$`` or ``$$…$$`` pair whose inside
contains a letter, a backslash, ``^``, ``_`` or an operator (``+ - = < > * / × · ÷ ± ≤ ≥ ≈ |``);
for inline ``$…$`` also the opening dollar is followed by a non-space, the closing one preceded
by a non-space and not followed by a digit (pandoc's rule). ``$x^2 + 1$``, ``$\\sum_i m_i$``,
``$0.9^t$`` are formulas. Money never is: in "at $300 each, margin $100" the pair
``$300 each, margin $`` ends in a space; ``$5-$10`` has a digit after the closing dollar; a bare
number ``$0.85$`` has no letter or operator (write 0.85, or ``$r = 0.85$``).

All violations of all notebooks are reported in one assertion message (notebook, cell index,
snippet). One screenshot per chapter goes to ``test-artifacts/rendered_<notebook>.png`` (the first
offending cell, else the top). One JupyterLab server and one browser serve every notebook; the
application loads once; each notebook is opened by JupyterLab's ``docmanager:open`` command
after the previous one is closed, and the kernel it starts is shut down.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest

import jupyterlab_server   # helper modules beside this test (tests/notebooks is on pytest's pythonpath)
from nb_helpers import NUMBER, chapter_notebooks, has_formula, numbers_in_source, numbers_in_text

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM, CHROMIUM_ARGS = jupyterlab_server.CHROMIUM, jupyterlab_server.CHROMIUM_ARGS
FAKE = "zz_money_and_formula.ipynb"   # the checker's own test notebook, served beside the chapters

MATH = "mjx-container, .MathJax, .MathJax_Display, .MathJax_Preview, .katex, .katex-display, script[type^='math/tex']"
#: per cell of the visible notebook: markdown or not, the rendered text without math, the number of math elements
READ_CELLS = """(math) => {
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find(p => !p.classList.contains('lm-mod-hidden'));
  if (!panel) return null;
  return [...panel.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => {
    const md = cell.classList.contains('jp-MarkdownCell');
    const rendered = cell.querySelector('.jp-RenderedMarkdown');
    if (!md || !rendered) return {md, rendered: false, text: '', math: 0};
    const copy = rendered.cloneNode(true);
    copy.querySelectorAll(math).forEach(m => m.remove());
    return {md, rendered: true, text: copy.textContent, math: rendered.querySelectorAll(math).length};
  });
}"""


#: close every open document (unsaved or not: they are temporary copies) and open one notebook
OPEN_ONLY = """async (path) => {
  const app = window.jupyterapp;
  for (const widget of Array.from(app.shell.widgets('main'))) {
    if (widget.context) widget.context.model.dirty = false;
    widget.dispose();
  }
  await app.commands.execute('docmanager:open', {path});
}"""


def open_lab(page, server: dict) -> None:
    """Load JupyterLab once (a fresh workspace); notebooks are then opened by its own command,
    which is twice as fast as loading the application again for each one."""
    page.goto(f"{server['base']}/lab?reset&token={jupyterlab_server.TOKEN}")
    page.wait_for_selector(".jp-LabShell", timeout=90_000)
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=90_000)
    page.evaluate("() => window.jupyterapp.restored")


def _snippet(source: str, near: str, width: int = 70) -> str:
    """The source around the first ``near`` (a dollar, a number), on one line."""
    flat = " ".join(source.split())
    at = max(0, flat.find(near) - width // 2)
    return ("…" if at else "") + flat[at:at + width] + ("…" if at + width < len(flat) else "")


def cell_violations(source: str, rendered_text: str, math_elements: int) -> list[str]:
    """What is wrong with one rendered markdown cell (empty when nothing is), each with a snippet."""
    problems = []
    missing = numbers_in_source(source) - numbers_in_text(rendered_text)
    if missing:
        near = next((m for m in re.findall(r"\\?\$\s?\d[\d.,]*", source) if NUMBER.search(m).group() in missing),
                    sorted(missing)[0])
        problems.append(f"numbers eaten by the math renderer: {sorted(missing)} — {_snippet(source, near)!r}")
    if math_elements and not has_formula(source):
        problems.append(f"{math_elements} math element(s) but no formula meant (money written with $?) — "
                        f"{_snippet(source, '$')!r}")
    return problems


def _read_rendered(page, notebook: Path, n_cells: int, timeout: float = 45) -> list[dict]:
    """Wait until every cell of the open notebook is on the page, its markdown rendered and the
    math typeset, then read the cells. Typesetting is done when the math count and the text
    stay unchanged for 1 s — 4 s while a notebook with dollars in its markdown shows no math yet
    (MathJax loads lazily, after the markdown is on the page)."""
    expect_math = any(c.cell_type == "markdown" and c.source.count("$") >= 2
                      for c in nbformat.read(notebook, as_version=4).cells)
    deadline, stable_since, last, cells = time.time() + timeout, time.time(), None, None
    while time.time() < deadline:
        cells = page.evaluate(READ_CELLS, MATH)
        ready = (cells is not None and len(cells) == n_cells
                 and all(c["rendered"] for c in cells if c["md"]))
        state = (ready, sum(c["math"] for c in cells or []), sum(len(c["text"]) for c in cells or []))
        if state != last:
            stable_since, last = time.time(), state
        elif ready and time.time() - stable_since >= (4.0 if expect_math and not state[1] else 1.0):
            return cells
        time.sleep(0.25)
    found = "no notebook panel" if cells is None else f"{len(cells)} cells, {sum(c['rendered'] for c in cells)} rendered"
    raise AssertionError(f"{notebook.name}: JupyterLab did not render its {n_cells} cells within {timeout} s ({found})")


def check_notebooks(page, server: dict, notebooks: list[Path]) -> dict[str, list[str]]:
    """Open each notebook in turn in the JupyterLab page ``open_lab`` loaded;
    ``{notebook name: [violation, ...]}``. Screenshots go to ARTIFACTS."""
    ARTIFACTS.mkdir(exist_ok=True)
    report = {}
    for notebook in notebooks:
        notebook = Path(server["root"]) / notebook.name   # the served copy (the repository's may change meanwhile)
        nb = nbformat.read(notebook, as_version=4)
        page.evaluate(OPEN_ONLY, notebook.name)
        cells = _read_rendered(page, notebook, len(nb.cells))
        found, first_bad = [], None
        for index, (cell, shown) in enumerate(zip(nb.cells, cells)):
            if cell.cell_type != "markdown":
                continue
            for problem in cell_violations(cell.source, shown["text"], shown["math"]):
                found.append(f"cell {index}: {problem}")
                first_bad = index if first_bad is None else first_bad
        target = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(first_bad or 0)
        target.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"rendered_{notebook.stem}.png"))
        report[notebook.name] = found
        jupyterlab_server.shutdown_kernels(server)
    return report


def _fake_notebook(folder: Path) -> Path:
    """Two cells: money written with dollars (garbled), and a real formula beside a number."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("A firm buys 1,000 customers a year at $300 each, margin $100 per customer."),
        nbformat.v4.new_markdown_cell("Retention $r = 0.85$ keeps $r^t$ of them after $t$ years, 42 in all."),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    path = folder / FAKE
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    """One JupyterLab server serving every chapter notebook and the fake one, one Chromium page."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the real-browser test cannot run. Install Debian's chromium "
                    "(`make browser` or `sudo apt-get install chromium`).")
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("rendered")
    fake = _fake_notebook(tmp_path_factory.mktemp("fake"))
    try:
        with jupyterlab_server.jupyterlab([*chapter_notebooks(), fake], tmp, expose_app=True) as server, \
                sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                open_lab(page, server)
                yield page, server, fake
            finally:
                browser.close()
    except jupyterlab_server.ServerError as e:
        pytest.fail(str(e))


@pytest.mark.browser
@pytest.mark.slow
def test_checker_catches_money_rendered_as_math(browser_page):
    """The checker itself, in the real browser: the money cell is caught on both counts (300
    eaten, math where none was meant); the formula cell passes (42 kept, math meant)."""
    page, server, fake = browser_page
    report = check_notebooks(page, server, [fake])[FAKE]
    assert len(report) == 2, report
    assert report[0].startswith("cell 0: numbers eaten by the math renderer: ['300']"), report
    assert report[1].startswith("cell 0: 1 math element(s) but no formula meant"), report


@pytest.mark.browser
@pytest.mark.slow
def test_every_chapter_renders_its_text(browser_page):
    page, server, _ = browser_page
    notebooks = chapter_notebooks()
    assert notebooks, "no chapter notebook notebooks/NN_*.ipynb found"
    report = check_notebooks(page, server, notebooks)
    bad = {name: found for name, found in report.items() if found}
    assert not bad, (
        "markdown that JupyterLab renders differently from its source (write money as 'USD 300', "
        "keep $…$ for formulas; notebooks/AUTHORING.md, 'What the student sees'); screenshots in "
        f"test-artifacts/rendered_*.png:\n" + "\n".join(
            f"{name} {line}" for name, found in bad.items() for line in found))
