"""Unit and functional tests of the explorers' fast rendering (crmlab.explore.blit and .text_cache).

The contract: a warm renderer (frame kept from an earlier update, text bitmaps
cached) gives exactly the bytes a cold one gives for the same figure, the frame
is drawn again whenever something in it changed, and the cached text looks like
matplotlib's own.
"""
import doctest
import importlib.util
import io
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from PIL import Image
from scipy import ndimage

import crmlab.explore
import crmlab.explore.blit
import crmlab.explore.text_cache
from crmlab.explore.blit import FrameRenderer, data_artists, encode_png, frame_key, nice_limits, render_png
from crmlab.explore.text_cache import CachedTextCanvas, CachedTextRenderer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from nb_helpers import fresh_png  # noqa: E402


@pytest.fixture(autouse=True)
def _agg():
    matplotlib.use("agg")


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _small_figure(canvas=CachedTextCanvas):
    fig = Figure(figsize=(4, 3), dpi=60)
    canvas(fig)
    return fig, fig.add_subplot()


# ---------------------------------------------------------------- encode_png, nice_limits

def test_unit_encode_png_round_trip():
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(7, 11, 4), dtype=np.uint8)
    png = encode_png(pixels)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert np.array_equal(_pixels(png), pixels)           # Pillow reads back exactly the pixels


def test_unit_encode_png_names_a_bad_array():
    with pytest.raises(ValueError, match=r"rgba must be a height × width × 4 uint8 array, got float64 \(2, 2, 3\)"):
        encode_png(np.zeros((2, 2, 3)))


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


# ---------------------------------------------------------------- text cache

def _text_figure(canvas):
    fig = Figure(figsize=(6, 3), dpi=100)
    canvas(fig)
    ax = fig.add_subplot()
    ax.set_title("Customers per R-F square, 2025-06-30")
    ax.set_xlabel("F score (frequency)")
    ax.set_ylabel("R score (5 = most recent)")
    for i in range(4):
        ax.text(0.2 + 0.2 * i, 0.5, f"{(i + 1) * 137:,}", ha="center", fontsize=12, weight="bold")
    ax.set_xticks([0.2, 0.5, 0.8], ["short", "medium", "long"], rotation=25, ha="right")
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).astype(int)


def test_unit_cached_text_looks_like_matplotlib_text():
    plain, cached = _text_figure(FigureCanvasAgg), _text_figure(CachedTextCanvas)
    # same ink: glyphs are the same bitmaps, placed at whole pixels instead of 1/64 pixel
    ink_plain, ink_cached = (255 - plain[..., :3]).sum(), (255 - cached[..., :3]).sum()
    assert ink_cached == pytest.approx(ink_plain, rel=0.02)
    # at most two pixels away (one for level text, as measured; the rotated y label rounds once
    # more): every pixel where the two differ strongly lies within two pixels of ink in both
    # pictures, while a word drawn in the wrong place would differ far from any ink
    differ = np.abs(plain - cached)[..., :3].max(axis=2) > 100
    near_ink = lambda a: ndimage.binary_dilation(a[..., :3].min(axis=2) < 250, iterations=2)  # noqa: E731
    assert not (differ & ~(near_ink(plain) & near_ink(cached))).any()


def test_unit_font_metrics_are_matplotlibs_own():
    # a renderer with only the metrics cache (text drawn by matplotlib) gives identical pixels,
    # so the cached metrics are exactly what Text._get_layout computes itself
    calls = []

    class MetricsOnly(CachedTextRenderer):
        draw_text = RendererAgg.draw_text

        def _get_font_height_metrics(self, prop):
            calls.append(prop)
            return super()._get_font_height_metrics(prop)

    class Canvas(FigureCanvasAgg):
        def get_renderer(self):
            w, h = self.get_width_height(physical=True)
            if self._lastKey != (w, h, self.figure.dpi):
                self.renderer, self._lastKey = MetricsOnly(w, h, self.figure.dpi), (w, h, self.figure.dpi)
            return self.renderer

    assert np.array_equal(_text_figure(Canvas), _text_figure(FigureCanvasAgg))
    assert calls, "matplotlib no longer asks the renderer for font metrics: the cache in text_cache is unused"


def test_unit_each_string_is_rendered_once():
    fig, ax = _small_figure()
    ax.text(0.5, 0.5, "42")
    ax.text(0.2, 0.2, "42")
    fig.canvas.draw()
    texts = fig.canvas.get_renderer().text_images
    fig.canvas.draw()
    assert sum(key[0] == "42" for key in texts) == 1       # two texts, two draws: one bitmap
    assert fig.canvas.get_renderer().text_images is texts  # the cache lives as long as the canvas size


# ---------------------------------------------------------------- frame key and renderer

def test_unit_data_and_frame_split():
    fig, ax = _small_figure()
    line, = ax.plot([1, 2], label="a")
    fixed = ax.legend(loc="upper left")
    ax.set_title("t")
    assert line in data_artists(fig) and ax.title in data_artists(fig)
    assert fixed not in data_artists(fig)                  # a legend in a fixed place is frame
    best = ax.legend(loc="best")
    assert best in data_artists(fig)                       # its place follows the data


def test_unit_frame_key_follows_ticks_labels_and_limits():
    fig, ax = _small_figure()
    ax.plot([0, 1], [0, 1])
    ax.set_ylim(0, 1)
    key = frame_key(fig)
    ax.lines[0].set_ydata([0.5, 0.2])                       # data only
    assert frame_key(fig) == key
    for change in (lambda: ax.set_ylim(0, 2), lambda: ax.set_xlabel("days"),
                   lambda: ax.set_xticks([0, 1], ["a", "b"]), lambda: ax.set_xticks([0, 1], ["a", "c"]),
                   lambda: ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}"), lambda: ax.set_facecolor("0.9"),
                   lambda: ax.spines["top"].set_visible(False), lambda: ax.grid(True)):
        change()
        assert frame_key(fig) != key
        key = frame_key(fig)


def test_unit_frame_key_same_lambda_same_key_new_closure_new_key():
    fig, ax = _small_figure()

    def set_formatter(digits):
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.{digits}f}")

    set_formatter(1)
    key = frame_key(fig)
    set_formatter(1)                                        # a new lambda object, same code and value
    assert frame_key(fig) == key
    set_formatter(2)
    assert frame_key(fig) != key


def test_unit_warm_renderer_reuses_the_frame_and_equals_a_cold_one():
    fig, ax = _small_figure()
    ax.set_ylim(0, 10)
    renderer = FrameRenderer()
    line, = ax.plot([1, 5])
    renderer.png(fig)
    for ys in ([2, 8], [9, 1], [3, 3]):
        line.set_ydata(ys)
        assert renderer.png(fig) == render_png(fig)
    assert renderer.frames_drawn == 1
    ax.set_xlabel("year")                                   # the frame changed: drawn again
    assert renderer.png(fig) == render_png(fig)
    assert renderer.frames_drawn == 2


def test_unit_fixed_legend_stays_above_the_data():
    fig, ax = _small_figure()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.plot([0, 1], [0.9, 0.9], color="red", lw=20, label="thick red line")
    legend = ax.legend(loc="upper left")
    png = FrameRenderer().png(fig)
    renderer = fig.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    x, y = int(box.x1 - 3), int(fig.bbox.height - box.y0 - 3)   # inside the legend, right of its text
    r, g, b, _ = _pixels(png)[y, x]
    assert (r, g, b) != (255, 0, 0) and g > 200              # legend background, not the red line


# ---------------------------------------------------------------- every chapter explorer

def _bench_explorers():
    spec = importlib.util.spec_from_file_location("bench_explorers", ROOT / "benchmarks" / "bench_explorers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_explorers", module)        # its dataclasses look their module up
    spec.loader.exec_module(sys.modules["bench_explorers"])
    module = sys.modules["bench_explorers"]
    return module.EXPLORERS


@pytest.mark.parametrize("index", range(7))
def test_functional_every_explorer_update_equals_a_fresh_figure(index):
    # each control change of the benchmark: the warm explorer shows exactly what a brand-new
    # explorer figure rendered cold shows for the same control values
    ex = _bench_explorers()[index]
    case = ex.setup()
    box = case.box
    for name, new in case.changes:
        box.controls[name].value = new
        values = {k: c.value for k, c in box.controls.items()}
        assert bytes(box.image.value) == fresh_png(box.draw, **values), f"{ex.name}: after {name} = {new!r}"
    assert box.renderer.frames_drawn <= 1 + len(case.changes)


def test_functional_lifecycle_explorer_keeps_its_frame():
    # threshold and cohort change only data and titles: the frame is drawn once
    ex = _bench_explorers()[6]
    case = ex.setup()
    for name, new in case.changes:
        case.box.controls[name].value = new
    assert case.box.renderer.frames_drawn == 1


@pytest.mark.parametrize("module", [crmlab.explore.blit, crmlab.explore.text_cache])
def test_unit_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_unit_bars_are_the_rectangles_of_ax_bar():
    fig, ax = _small_figure()
    coll = crmlab.explore.bars(ax, [1, 2, 3], [4.0, -2.0, 0.5], width=0.4, color=["red", "green", "blue"],
                               label="profit")
    corners = np.array([(p.vertices[:4, 0].min(), p.vertices[:4, 0].max(), p.vertices[:4, 1].min(),
                         p.vertices[:4, 1].max()) for p in coll.get_paths()])
    assert corners == pytest.approx(np.array([(0.8, 1.2, 0.0, 4.0), (1.8, 2.2, -2.0, 0.0), (2.8, 3.2, 0.0, 0.5)]))
    assert [tuple(c) for c in coll.get_facecolor()] == [(1, 0, 0, 1), (0, 0.5019607843137255, 0, 1), (0, 0, 1, 1)]
    assert ax.get_ylim()[0] < -2.0 and ax.get_ylim()[1] > 4.0 and ax.get_xlim() == pytest.approx((0.68, 3.32))   # 5 % margins of 2.4
    assert [t.get_text() for t in ax.legend().get_texts()] == ["profit"]


def _two_panels():
    fig = crmlab.explore.explorer_figure()
    ax1, ax2 = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.08, right=0.98, wspace=0.3)
    for ax in (ax1, ax2):
        ax.plot([0, 1], [0, 1], label="line")
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left")
    return fig, ax1, ax2


def test_unit_only_the_changed_panel_is_drawn_again():
    fig, ax1, ax2 = _two_panels()
    renderer = FrameRenderer()
    renderer.png(fig)
    renderer.settle(fig)                                   # (the explorer does this after each update)
    ax2.set_ylim(0, 250)                                   # wider tick labels on the right panel only
    ax2.set_ylabel("customers")
    assert renderer.png(fig) == render_png(fig)            # blanked and redrawn in place: same pixels
    assert (renderer.frames_drawn, renderer.axes_drawn) == (1, 1)
    renderer.settle(fig)
    ax2.set_ylim(0, 1)                                     # back: the old, wider labels are blanked too
    ax2.set_ylabel("")
    assert renderer.png(fig) == render_png(fig)
    renderer.settle(fig)
    ax1.set_ylim(0, 5)
    ax2.set_ylim(0, 5)                                     # every panel changed: one whole frame
    assert renderer.png(fig) == render_png(fig)
    assert (renderer.frames_drawn, renderer.axes_drawn) == (2, 2)


def test_unit_without_settle_a_changed_panel_gets_a_whole_frame():
    fig, _, ax2 = _two_panels()
    renderer = FrameRenderer()
    renderer.png(fig)                                      # panels not measured: no single-panel redraw
    ax2.set_ylim(0, 250)
    assert renderer.png(fig) == render_png(fig)
    assert (renderer.frames_drawn, renderer.axes_drawn) == (2, 0)


def test_unit_overlapping_axes_get_a_whole_frame():
    fig, ax1, _ = _two_panels()
    twin = ax1.twinx()                                     # same place as ax1: their pixels mix
    twin.set_ylim(0, 1)
    renderer = FrameRenderer()
    renderer.png(fig)
    renderer.settle(fig)
    twin.set_ylim(0, 300)
    assert renderer.png(fig) == render_png(fig)
    assert (renderer.frames_drawn, renderer.axes_drawn) == (2, 0)


def test_unit_bars_with_a_bottom_are_squares_of_a_grid():
    fig, ax = _small_figure()
    coll = crmlab.explore.bars(ax, [0.5, 1.5], [1.0, 1.0], bottom=[2.0, 0.0], width=1.0)
    corners = np.array([(p.vertices[:4, 0].min(), p.vertices[:4, 0].max(), p.vertices[:4, 1].min(),
                         p.vertices[:4, 1].max()) for p in coll.get_paths()])
    assert corners == pytest.approx(np.array([(0.0, 1.0, 2.0, 3.0), (1.0, 2.0, 0.0, 1.0)]))
    assert coll.sticky_edges.y == []                        # not bars from 0: no sticky 0 for autoscaling


def test_functional_tables_and_added_artists_are_redrawn_data():
    # a draw using ax.table or ax.add_artist (an AnchoredText box) must show the new content each
    # update, not a copy kept in the frame
    import ipywidgets
    from matplotlib.offsetbox import AnchoredText

    def draw(n, fig):
        fig, ax = crmlab.explore.figure(fig)
        ax.table(cellText=[[f"{n}", f"{n * 2}"]], loc="upper center")
        ax.add_artist(AnchoredText(f"n = {n}", loc="lower left"))

    slider = ipywidgets.IntSlider(value=1)
    box = crmlab.explore.explorer(draw, {"n": slider})
    for n in (2, 3, 40):
        slider.value = n
        assert bytes(box.image.value) == fresh_png(draw, n=n)
    ax = box.figure.axes[0]
    assert len(ax.tables) == 1 and len(ax.artists) == 1      # cleared before each redraw, not piled up


def test_unit_category_labels_are_texts_under_the_axis():
    fig, ax = _small_figure()
    ax.set(xlim=(0, 1), ylim=(0, 1), xticks=[], yticks=[])
    crmlab.explore.category_labels(ax, "x", [0.25, 0.75], ["1", "2"])
    crmlab.explore.category_labels(ax, "y", [0.5], ["low"])
    assert [t.get_text() for t in ax.texts] == ["1", "2", "low"]
    assert all(t in data_artists(fig) for t in ax.texts)  # redrawn with the data, never in the frame
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    one, two, low = (t.get_window_extent(renderer) for t in ax.texts)
    assert one.y1 < ax.bbox.y0 and low.x1 < ax.bbox.x0    # below the axes, left of it
    assert one.x0 < ax.bbox.x0 + 0.25 * ax.bbox.width < one.x1 and two.x0 < ax.bbox.x0 + 0.75 * ax.bbox.width < two.x1
    with pytest.raises(ValueError, match="axis must be 'x' or 'y', got 'z'"):
        crmlab.explore.category_labels(ax, "z", [0.5], ["a"])
