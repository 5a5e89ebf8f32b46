"""What the student sees: time from a key press on an explorer's slider to the new figure in the browser.

    .venv/bin/python benchmarks/bench_browser_explorer.py [--updates 12]

``bench_explorers.py`` times the kernel's side of an update (control change →
PNG bytes). This script times the whole round trip in a real browser: JupyterLab
serves chapter 04 (RFM), headless Chromium (Debian's, driven by playwright) runs
all cells, then the script presses an arrow key on a slider of the explorer and
measures, inside the page, the time until the explorer's ``<img>`` holds the new
picture, decoded and ready to paint (beside it: the kernel's own part, which the
explorer records in ``box.update_ms``):

    key press → widget message → kernel: compute, draw, render PNG → message back
    → new image source → image decoded

Two sliders: **as of** (one month per key press: data and titles change) and
**bins** (3 ↔ 9 levels: 9 to 81 squares, labelled with their counts up to 6
levels; the share panel may change scale, which redraws the frame).

Baseline, in the same page and kernel: the cheapest kernel round trip, an
``execute_request`` of ``pass`` sent by JupyterLab's own kernel connection
(``kernel.requestExecute``) until its reply — the cost of the messages alone.
"""
from __future__ import annotations

import argparse
import ast
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "notebooks"))
import jupyterlab_server  # noqa: E402

BUDGET_MS = 100.0   # median
WORST_MS = 150.0    # worst

# press a key on a slider handle; resolve with the ms until the explorer's image shows a new, decoded picture
_PRESS_AND_TIME = """
async ([handle, img, key]) => {
  const old = img.src;
  const changed = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (img.src !== old) { observer.disconnect(); resolve(); }
    });
    observer.observe(img, {attributes: true, attributeFilter: ['src']});
  });
  const start = performance.now();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key: key, bubbles: true}));
  await changed;
  await img.decode();
  return performance.now() - start;
}
"""

# the cheapest kernel round trip from the page: execute "pass", wait for the reply
_KERNEL_ROUND_TRIP = """
async () => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const start = performance.now();
  await kernel.requestExecute({code: 'pass', silent: true, store_history: false}).done;
  return performance.now() - start;
}
"""


# the kernel-side time of every explorer update so far (crmlab.explore.explorer keeps box.update_ms)
_KERNEL_TIMES = """
async () => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const expr = "__import__('json').dumps([list(w.update_ms) for w in "
             + "list(__import__('ipywidgets').widgets.widget._instances.values()) if hasattr(w, 'update_ms')])";
  const reply = await kernel.requestExecute({code: '', silent: true, store_history: false,
                                             user_expressions: {t: expr}}).done;
  return reply.content.user_expressions.t.data['text/plain'];
}
"""


def _kernel_times(page) -> list[float]:
    """Kernel-side ms of the RFM explorer's updates, oldest first."""
    (times,) = json.loads(ast.literal_eval(page.evaluate(_KERNEL_TIMES)))
    return times


def _time_presses(page, slider, img, keys: list[str]) -> list[float]:
    handle = slider.locator(".noUi-handle").element_handle()
    times = []
    for key in keys:
        times.append(page.evaluate(_PRESS_AND_TIME, [handle, img, key]))
        page.wait_for_timeout(150)    # let the kernel go idle between presses
    return times


def _summary(name: str, times: list[float], kernel: list[float]) -> str:
    median = statistics.median(times)
    verdict = "ok" if median <= BUDGET_MS and max(times) <= WORST_MS else "OVER"
    return (f"{name:44s} {len(times):4d} {median:10.1f} {max(times):8.1f} {statistics.median(kernel):10.1f} "
            f"{max(kernel):8.1f}  {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=12, help="key presses per slider")
    args = parser.parse_args()
    if not jupyterlab_server.CHROMIUM.exists():
        print(f"{jupyterlab_server.CHROMIUM} is missing: run `make browser` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, \
            jupyterlab_server.jupyterlab(ROOT / "notebooks" / "04_rfm.ipynb", Path(tmp), expose_app=True) as server, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(jupyterlab_server.CHROMIUM), headless=True,
                                     args=jupyterlab_server.CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            as_of = jupyterlab_server.run_all_cells(page, server["url"])
            box = as_of.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
            bins = box.locator(".widget-hslider").nth(1)
            img = box.locator(".widget-output img").first
            img.wait_for(timeout=60_000)
            img_handle = img.element_handle()
            _time_presses(page, as_of, img_handle, ["ArrowLeft", "ArrowRight"])   # warm up
            n = args.updates
            month = _time_presses(page, as_of, img_handle, ["ArrowLeft"] * (n // 2) + ["ArrowRight"] * (n - n // 2))
            month_kernel = _kernel_times(page)[-n:]
            levels = _time_presses(page, bins, img_handle, (["Home", "End"] * n)[:n])
            levels_kernel = _kernel_times(page)[-n:]
            base = []
            for _ in range(2 * n):
                base.append(page.evaluate(_KERNEL_ROUND_TRIP))
                page.wait_for_timeout(150)
        finally:
            browser.close()
    print("chapter 04 (RFM) explorer in JupyterLab + headless Chromium, classroom dataset")
    print(f"{'':44s} {'':4s} {'browser: key press → image':>19s} {'kernel: update':>19s}")
    print(f"{'update':44s} {'n':>4s} {'median ms':>10s} {'max ms':>8s} {'median ms':>10s} {'max ms':>8s}  "
          f"targets {BUDGET_MS:.0f} / {WORST_MS:.0f} ms")
    print(_summary("as of: one month (data and titles)", month, month_kernel))
    print(_summary("bins: 3 <-> 9 (9 to 81 squares)", levels, levels_kernel))
    print(f"{'baseline: kernel round trip of `pass`':44s} {len(base):4d} {statistics.median(base):10.1f} "
          f"{max(base):8.1f}")
    print(f"ratio (median update / median baseline): as of {statistics.median(month) / statistics.median(base):.1f}×, "
          f"bins {statistics.median(levels) / statistics.median(base):.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
