"""Unit and functional tests of the explorers' rendering (crmlab.explore.render) and figure helpers.

The contract: an explorer's update shows exactly what a brand-new figure rendered
cold shows for the same control values, the frame is drawn again whenever the
limits, ticks or axis labels changed (and only then), and the code uses only
matplotlib's public API, so it runs on any matplotlib >= 3.8.
"""
import importlib.util
import io
import re
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

import crmlab.explore
import crmlab.explore.render
from crmlab.explore import nice_limits
from crmlab.explore.render import FigureRenderer, animated_artists, encode_png, frame_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _agg():
    matplotlib.use("agg")


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _small_figure():
    fig = Figure(figsize=(4, 3), dpi=60)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


# ---------------------------------------------------------------- encode_png, nice_limits

def test_unit_encode_png_round_trip():
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(7, 11, 4), dtype=np.uint8)
    png = encode_png(pixels)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert np.array_equal(_pixels(png), pixels)           # Pillow reads back exactly the pixels


@pytest.mark.parametrize("low, high, kwargs, expected", [
    (0, 730, {}, (0.0, 800.0)),                 # 730 · 1.05 = 766.5 → 8 · 10²
    (-1.2, 47.0, {}, (-1.5, 50.0)),             # −1.26 → −1.5; 49.35 → 5 · 10¹
    (0, 100, {"headroom": 0}, (0.0, 100.0)),    # a round number stays
    (0, 37, {"steps": (1, 2.5, 5, 10)}, (0.0, 50.0)),
    (0, 0.004, {}, (0.0, 0.005)),
    (0, 0, {}, (0.0, 1.0)),                     # nothing to show: a unit axis
    (5, 9, {}, (0.0, 10.0)),                    # always from 0
])
def test_unit_nice_limits(low, high, kwargs, expected):
    assert nice_limits(low, high, **kwargs) == pytest.approx(expected)


def test_unit_nice_limits_refuses_nan():
    with pytest.raises(ValueError, match="must be finite numbers, got 0, nan"):
        nice_limits(0, float("nan"))


# ---------------------------------------------------------------- frame key and renderer

def test_unit_animated_artists_in_drawing_order():
    fig, ax = _small_figure()
    fixed, = ax.plot([0, 1], label="fixed")
    top = ax.text(0.5, 0.5, "top", zorder=9, animated=True)
    line, = ax.plot([0, 1], animated=True)
    headline = fig.suptitle("headline", animated=True)
    assert animated_artists(fig) == [line, top, headline]   # z-order within the axes, then the figure's


def test_unit_frame_key_follows_limits_ticks_and_labels_only():
    fig, ax = _small_figure()
    line, = ax.plot([0, 1], [0, 1], animated=True)
    ax.set_ylim(0, 1)
    key = frame_key(fig)
    line.set_ydata([0.5, 0.2])                              # data only
    ax.set_title("a new title")
    assert frame_key(fig) == key
    for change in (lambda: ax.set_ylim(0, 2), lambda: ax.set_xlabel("days"),
                   lambda: ax.set_xticks([0, 1], ["a", "b"]), lambda: ax.set_xticks([0, 1], ["a", "c"]),
                   lambda: ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")):
        change()
        assert frame_key(fig) != key
        key = frame_key(fig)


def test_unit_warm_renderer_reuses_the_frame_and_equals_a_cold_one():
    fig, ax = _small_figure()
    ax.set_ylim(0, 10)
    line, = ax.plot([1, 5], animated=True)
    renderer = FigureRenderer(fig)
    renderer.png()
    for ys in ([2, 8], [9, 1], [3, 3]):
        line.set_ydata(ys)
        assert renderer.png() == FigureRenderer(fig).png()
    assert renderer.frames_drawn == 1
    ax.set_ylim(0, 20)                                      # the frame changed: drawn again
    assert renderer.png() == FigureRenderer(fig).png()
    assert renderer.frames_drawn == 2


def _two_panels():
    fig = crmlab.explore.explorer_figure()
    ax1, ax2 = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.08, right=0.98, wspace=0.3)
    for ax in (ax1, ax2):
        ax.plot([0, 1], [0, 1], label="line", animated=True)
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left")
    return fig, ax1, ax2


def test_unit_only_the_changed_panel_is_drawn_again():
    fig, ax1, ax2 = _two_panels()
    renderer = FigureRenderer(fig)
    renderer.png()
    ax2.set_ylim(0, 250)                                   # wider tick labels on the right panel only
    ax2.set_ylabel("customers")
    assert renderer.png() == FigureRenderer(fig).png()     # blanked and redrawn in place: same pixels
    assert (renderer.frames_drawn, renderer.axes_drawn) == (1, 1)
    ax2.set_ylim(0, 1)                                     # back: the first frame is found again, not drawn
    ax2.set_ylabel("")
    assert renderer.png() == FigureRenderer(fig).png()
    assert (renderer.frames_drawn, renderer.axes_drawn, renderer.frames_reused) == (1, 1, 1)
    ax1.set_ylim(0, 5)
    ax2.set_ylim(0, 5)                                     # every panel changed: one whole frame
    assert renderer.png() == FigureRenderer(fig).png()
    assert (renderer.frames_drawn, renderer.axes_drawn) == (2, 1)


def test_unit_frames_kept_by_key_are_reused_and_the_oldest_forgotten():
    from crmlab.explore.render import FRAMES_KEPT

    fig, ax = _small_figure()
    renderer = FigureRenderer(fig)
    tops = range(1, FRAMES_KEPT + 2)                       # one more frame than are kept
    for top in tops:
        ax.set_ylim(0, top)
        renderer.png()
    assert (renderer.frames_drawn, renderer.frames_reused) == (FRAMES_KEPT + 1, 0)
    ax.set_ylim(0, tops[-2])                               # kept: found again, same pixels as a fresh frame
    assert renderer.png() == FigureRenderer(fig).png()
    assert (renderer.frames_drawn, renderer.frames_reused) == (FRAMES_KEPT + 1, 1)
    ax.set_ylim(0, tops[0])                                # the oldest was forgotten: drawn again
    assert renderer.png() == FigureRenderer(fig).png()
    assert (renderer.frames_drawn, renderer.frames_reused) == (FRAMES_KEPT + 2, 1)


def test_unit_overlapping_axes_get_a_whole_frame():
    fig, ax1, _ = _two_panels()
    twin = ax1.twinx()                                     # same place as ax1: their pixels mix
    twin.set_ylim(0, 1)
    renderer = FigureRenderer(fig)
    renderer.png()
    twin.set_ylim(0, 300)
    assert renderer.png() == FigureRenderer(fig).png()
    assert (renderer.frames_drawn, renderer.axes_drawn) == (2, 0)


def test_unit_frame_holds_only_what_is_not_animated():
    # the frame bitmap is drawn without the animated line: moving the line leaves no trace
    fig, ax = _small_figure()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    line, = ax.plot([0, 1], [0.9, 0.9], color="red", lw=6, animated=True)
    renderer = FigureRenderer(fig)
    high = _pixels(renderer.png())
    line.set_ydata([0.1, 0.1])
    low = _pixels(renderer.png())
    red = lambda p: (p[..., 0] > 200) & (p[..., 1] < 60)    # noqa: E731
    rows_high, rows_low = np.nonzero(red(high).any(axis=1))[0], np.nonzero(red(low).any(axis=1))[0]
    assert rows_high.max() < rows_low.min()                 # the line moved down, nothing red left above


def test_unit_fixed_legend_stays_above_the_data():
    fig, ax = _small_figure()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.plot([0, 1], [0.9, 0.9], color="red", lw=20, label="thick red line", animated=True)
    legend = ax.legend(loc="upper left")
    png = FigureRenderer(fig).png()
    box = legend.get_window_extent(fig.canvas.get_renderer())
    x, y = int(box.x1 - 3), int(fig.bbox.height - box.y0 - 3)   # inside the legend, right of its text
    r, g, b, _ = _pixels(png)[y, x]
    assert (r, g, b) != (255, 0, 0) and g > 200              # legend background, not the red line


def test_unit_explorer_module_uses_no_private_matplotlib_name():
    # matplotlib's public API only: no attribute with a leading underscore on anything but our own
    # objects (the pin-free requirement); the tests run on matplotlib 3.10 too (.ci/check-matplotlib-310)
    for path in sorted((ROOT / "crmlab" / "explore").glob("*.py")):
        found = re.findall(r"(\w+)\.(_\w+)", path.read_text(encoding="utf-8"))
        private = [f"{owner}.{name}" for owner, name in found if owner != "self" and not name.startswith("__")]
        assert not private, f"{path.name}: {private}"


# ---------------------------------------------------------------- every chapter explorer

def _bench_explorers():
    spec = importlib.util.spec_from_file_location("bench_explorers", ROOT / "benchmarks" / "bench_explorers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_explorers", module)        # its dataclasses look their module up
    spec.loader.exec_module(sys.modules["bench_explorers"])
    module = sys.modules["bench_explorers"]
    return module.EXPLORERS


@pytest.mark.parametrize("index", range(len(_bench_explorers())))    # every explorer the benchmark knows
def test_functional_every_explorer_update_equals_a_fresh_figure(index):
    # each control change of the benchmark: the warm explorer shows exactly what a brand-new
    # explorer figure rendered cold shows for the same control values
    ex = _bench_explorers()[index]
    case = ex.setup()
    box = case.box
    for name, new in case.changes:
        box.controls[name].value = new
        values = {k: c.value for k, c in box.controls.items()}
        assert bytes(box.image.value) == crmlab.explore.render_png(box.setup, **values), \
            f"{ex.name}: after {name} = {new!r}"
    assert box.renderer.frames_drawn <= 1 + len(case.changes)


@pytest.mark.parametrize("index", [0, 5, 6])
def test_functional_explorers_with_still_axes_keep_their_frame(index):
    # market sandbox, tier cut-offs, lifecycle: the controls change data and titles only, so the
    # frame is drawn once, when the cell runs
    case = _bench_explorers()[index].setup()
    for name, new in case.changes:
        case.box.controls[name].value = new
    assert case.box.renderer.frames_drawn == 1


# ---------------------------------------------------------------- figure helpers

def test_unit_bars_are_the_rectangles_of_ax_bar():
    fig, ax = _small_figure()
    coll = crmlab.explore.bars(ax, [1, 2, 3], [4.0, -2.0, 0.5], width=0.4, color=["red", "green", "blue"],
                               label="profit")
    corners = np.array([(p.vertices[:4, 0].min(), p.vertices[:4, 0].max(), p.vertices[:4, 1].min(),
                         p.vertices[:4, 1].max()) for p in coll.get_paths()])
    assert corners == pytest.approx(np.array([(0.8, 1.2, 0.0, 4.0), (1.8, 2.2, -2.0, 0.0), (2.8, 3.2, 0.0, 0.5)]))
    assert [tuple(c) for c in coll.get_facecolor()] == [(1, 0, 0, 1), (0, 0.5019607843137255, 0, 1), (0, 0, 1, 1)]
    assert [t.get_text() for t in ax.legend().get_texts()] == ["profit"]


def test_unit_bar_outlines_with_a_bottom_are_squares_of_a_grid():
    corners = crmlab.explore.bar_outlines([0.5, 1.5], [1.0, 1.0], bottom=[2.0, 0.0], width=1.0)
    assert corners.tolist() == [[[0.0, 2.0], [0.0, 3.0], [1.0, 3.0], [1.0, 2.0]],
                                [[1.0, 0.0], [1.0, 1.0], [2.0, 1.0], [2.0, 0.0]]]


def test_unit_category_labels_are_animated_texts_under_the_axis():
    fig, ax = _small_figure()
    ax.set(xlim=(0, 1), ylim=(0, 1), xticks=[], yticks=[])
    xs = crmlab.explore.category_labels(ax, "x", 3)
    ys = crmlab.explore.category_labels(ax, "y", 1)
    crmlab.explore.set_category_labels(xs, [0.25, 0.75], [1, 2])
    crmlab.explore.set_category_labels(ys, [0.5], ["low"])
    assert [t.get_text() for t in xs[:2] + ys] == ["1", "2", "low"] and not xs[2].get_visible()
    assert all(t.get_animated() for t in xs + ys)           # redrawn with the data, never in the frame
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    one, two, low = (t.get_window_extent(renderer) for t in xs[:2] + ys)
    assert one.y1 < ax.bbox.y0 and low.x1 < ax.bbox.x0    # below the axes, left of it
    assert one.x0 < ax.bbox.x0 + 0.25 * ax.bbox.width < one.x1 and two.x0 < ax.bbox.x0 + 0.75 * ax.bbox.width < two.x1
    with pytest.raises(ValueError, match="axis must be 'x' or 'y', got 'z'"):
        crmlab.explore.category_labels(ax, "z", 1)
    with pytest.raises(ValueError, match="4 labels at 4 positions for 3 texts"):
        crmlab.explore.set_category_labels(xs, [0, 1, 2, 3], "abcd")
