"""Real browser: JupyterLab in headless Chromium runs the RFM chapter, a slider moves, the
explorer's output changes; a screenshot is saved to ``test-artifacts/``.

Chromium comes from Debian (``/usr/bin/chromium``, installed by ``make browser`` /
``.ci/install-browser``), driven by pip's ``playwright``. If the browser is missing the
test FAILS with a message saying how to install it — it never skips silently.

The notebook is copied to a temporary folder first, so JupyterLab's autosave can never
write outputs into the repository.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _notebook() -> Path:
    rfm = ROOT / "notebooks" / "04_rfm.ipynb"
    return rfm if rfm.exists() else ROOT / "notebooks" / "00_welcome.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer at {url} within {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture()
def jupyterlab(tmp_path):
    """A JupyterLab server on a free port serving a temporary copy of the notebook."""
    work = tmp_path / "work"
    work.mkdir()
    notebook = shutil.copy(_notebook(), work / _notebook().name)
    settings = tmp_path / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # switch off the "Would you like to receive official Jupyter news?" pop-up
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    # render every cell (JupyterLab 4 only renders the cells in view by default); start the kernel without asking
    notebook_settings = tmp_path / "user-settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none", "autoStartDefaultKernel": True}),
                                                                   encoding="utf-8")
    port, token = _free_port(), "crmlab-browser-test"
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
           f"--LabApp.user_settings_dir={tmp_path / 'user-settings'}",
           f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}   # the kernel must draw inline figures
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    log = tmp_path / "jupyterlab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=work)
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", proc, log)
        yield {"url": f"http://127.0.0.1:{port}/lab/tree/{Path(notebook).name}?token={token}", "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


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
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=90_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)   # kernel started and ready
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()
    started = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    for attempt in range(3):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        select_kernel = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
        try:
            select_kernel.click(timeout=3_000)      # only if JupyterLab still asks which kernel to use
        except PlaywrightTimeout:
            pass
        try:
            page.wait_for_function(started, timeout=15_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    else:
        raise AssertionError("Run → Run All Cells did not start any cell")
    slider = page.locator(".jp-NotebookPanel .widget-hslider").first
    slider.wait_for(timeout=120_000)
    # all cells done: no "[*]" prompt left and the kernel idle
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'))",
        timeout=120_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, "stderr/errors in the notebook: " + " | ".join(errors.all_inner_texts())[:2000]
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
