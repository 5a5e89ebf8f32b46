"""Real browser: JupyterLab in headless Chromium runs the RFM chapter, a slider moves, the
explorer's output changes; a screenshot is saved to ``test-artifacts/``.

Chromium comes from Debian (``/usr/bin/chromium``, installed by ``make browser`` /
``.ci/install-browser``), driven by pip's ``playwright``. If the browser is missing the
test FAILS with a message saying how to install it — it never skips silently.

The notebook is copied to a temporary folder first, so JupyterLab's autosave can never
write outputs into the repository.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import jupyterlab_server   # a helper module beside this test (tests/notebooks is on pytest's pythonpath)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMIUM_ARGS = jupyterlab_server.CHROMIUM, jupyterlab_server.CHROMIUM_ARGS
ARTIFACTS = ROOT / "test-artifacts"


def _notebook() -> Path:
    rfm = ROOT / "notebooks" / "04_rfm.ipynb"
    return rfm if rfm.exists() else ROOT / "notebooks" / "00_welcome.ipynb"


@pytest.fixture()
def jupyterlab(tmp_path):
    """A JupyterLab server on a free port serving a temporary copy of the notebook."""
    try:
        with jupyterlab_server.jupyterlab(_notebook(), tmp_path) as server:
            yield server
    except jupyterlab_server.ServerError as e:
        pytest.fail(str(e))


@pytest.mark.browser
@pytest.mark.slow
def test_browser_run_all_and_move_slider(jupyterlab):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the real-browser test cannot run. Install Debian's chromium "
                    "(`make browser` or `sudo apt-get install chromium`).")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser_rfm_failure.png").unlink(missing_ok=True)   # only a failure of this run leaves one
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            before, after = _run_and_move_slider(page, jupyterlab["url"])
        finally:
            browser.close()
    assert after != before


def _run_and_move_slider(page, url: str) -> tuple[str, str]:
    try:
        return _drive(page, url)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "browser_rfm_failure.png"), full_page=False)
        raise


def _drive(page, url: str) -> tuple[str, str]:
    """Open the notebook, run all cells, move the first slider; the explorer output before and after."""
    slider = jupyterlab_server.run_all_cells(page, url)
    box = slider.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    output = box.locator(".widget-output")
    output.locator("img").first.wait_for(timeout=60_000)
    before = output.inner_html()
    slider.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle")
    at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    handle.focus()
    page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    page.wait_for_function(
        "([el, old]) => el.innerHTML !== old && el.querySelector('img') !== null",
        arg=[output.element_handle(), before], timeout=60_000)
    after = output.inner_html()
    page.screenshot(path=str(ARTIFACTS / "browser_rfm.png"), full_page=False)
    box.screenshot(path=str(ARTIFACTS / "browser_rfm_explorer.png"))
    return before, after
