"""Start JupyterLab on a free local port and drive a notebook in headless Chromium (plain module).

Used by the real-browser tests (``test_browser_rfm.py``, ``test_browser_rendered_text.py``) and by
``benchmarks/bench_browser_explorer.py``. The notebook is copied to a temporary
folder first, so JupyterLab's autosave can never write outputs into the repository.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TOKEN = "crmlab-browser-test"


class ServerError(RuntimeError):
    """JupyterLab did not start; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"JupyterLab exited with code {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise ServerError(f"JupyterLab did not answer at {url} within {timeout} s:\n{log.read_text()[-3000:]}")


def _user_settings(folder: Path) -> None:
    apputils = folder / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True)
    # switch off the "Would you like to receive official Jupyter news?" pop-up
    (apputils / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    # render every cell (JupyterLab 4 only renders the cells in view by default); start the kernel without asking
    notebook = folder / "@jupyterlab" / "notebook-extension"
    notebook.mkdir(parents=True)
    (notebook / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none", "autoStartDefaultKernel": True}), encoding="utf-8")


@contextlib.contextmanager
def jupyterlab(notebook: Path | Sequence[Path], tmp: Path, *, expose_app: bool = False):
    """Serve copies of ``notebook`` (one path or several) from ``tmp``.

    Yields ``{"url": ..., "urls": {name: url}, "base": ..., "log": ...}``: ``url`` opens the (first)
    notebook, ``urls`` opens each one by its file name, ``base`` is the server's address (for the REST API), ``root`` the folder of the served copies.
    ``expose_app``: make the JupyterLab application reachable from page scripts as ``window.jupyterapp``.
    """
    notebooks = [notebook] if isinstance(notebook, (str, Path)) else list(notebook)
    if not notebooks:
        raise ValueError("notebook: no notebook to serve (got an empty list)")
    work = tmp / "work"
    work.mkdir()
    copies = [Path(shutil.copy(path, work / Path(path).name)) for path in notebooks]
    _user_settings(tmp / "user-settings")
    port = free_port()
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}",
           f"--LabApp.user_settings_dir={tmp / 'user-settings'}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    if expose_app:
        cmd.append("--LabApp.expose_app_in_browser=True")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}   # the kernel must draw inline figures
    env["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")
    log = tmp / "jupyterlab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=work)
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", proc, log)
        urls = {copy.name: f"http://127.0.0.1:{port}/lab/tree/{copy.name}?token={TOKEN}" for copy in copies}
        yield {"url": urls[copies[0].name], "urls": urls, "log": log, "base": f"http://127.0.0.1:{port}",
               "root": work}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def shutdown_kernels(server: dict) -> int:
    """Shut down every kernel the server runs (opening a notebook starts one); how many were running."""
    def call(method: str, path: str):
        request = urllib.request.Request(f"{server['base']}{path}?token={TOKEN}", method=method)
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.loads(r.read() or b"null")

    kernels = call("GET", "/api/kernels")
    for kernel in kernels:
        call("DELETE", f"/api/kernels/{kernel['id']}")
    return len(kernels)


def run_all_cells(page, url: str):
    """Open the notebook, run all cells and wait until they are done; the first slider's locator."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=90_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)   # kernel started and ready
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()
    started = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    for _ in range(3):
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
    return slider
