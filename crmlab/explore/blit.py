"""Fast redraws for the explorers: keep the figure's frame as a bitmap, draw only the data.

Drawing text is what makes matplotlib slow. On the course machine the frame of a
two-panel figure (ticks, tick labels, axis labels) costs 30–60 ms, often more
than the data on it, while a student moving a slider seldom changes the frame.
So an explorer renders its figure the way animations do (*blitting*):

1. work out the :func:`frame_key`: everything that decides how the frame looks;
2. if it differs from the last one, hide the data artists, draw the figure (the
   frame alone), keep a copy of the bitmap and of each fixed legend;
   otherwise put the kept bitmap back (``canvas.restore_region``). When only
   one panel's frame changed (its limits, say), only that axes is drawn again,
   on its own patch of the kept bitmap;
3. draw the data artists on top (``fig.draw_artist``) in z-order, paste the
   kept legends over them, and encode the pixels as PNG.

Which artists are **data**: what :func:`crmlab.explore.figure` clears before a
redraw — per axes the images, collections, patches, lines, texts, tables,
other added artists (``ax.add_artist``), the titles and a legend placed with
``loc="best"`` (its place depends on the data) — and the figure's own texts
(its headline). Everything else is the **frame**.

A legend with a fixed place (``loc="upper right"``, ``bbox_to_anchor=...``) is
part of the frame, keyed by its labels and handle styles, and pasted back after
the data, so the data never cover it (its background is opaque in the picture).

Things a ``draw`` sets the same way every time (fonts, colours of the axes,
tick label rotation) are not in the key; a ``draw`` that changes them from one
update to the next must change something in the key too (or clear the figure).
The result never depends on the cache: a cold renderer and a warm one give the
same bytes (a test checks every explorer).

To keep the frame still, explorers pick axis limits with :func:`nice_limits`,
which changes only when the data cross a round number.

A few private matplotlib attributes are read here (``legend._loc``,
``ax._left_title``, ``axis._major_tick_kw``); the tests of this module exercise
each of them.
"""
from __future__ import annotations

import functools
import math
import struct
import zlib

import numpy as np
from matplotlib.ticker import FixedFormatter, FixedLocator

__all__ = ["FrameRenderer", "frame_key", "encode_png", "render_png", "nice_limits", "data_artists"]

# attributes a ticker sets while the figure draws (not settings): left out of the key
_DRAW_STATE = {"offset", "orderOfMagnitude", "format", "locs", "offset_string"}


def _fixed_legend(legend) -> bool:
    """True when a legend's place does not depend on the data (any loc but "best")."""
    return legend._loc not in (0, "best")


def _legends(fig) -> list:
    return [ax.legend_ for ax in fig.axes if ax.legend_ is not None] + list(fig.legends)


def data_artists(fig) -> list:
    """The artists a ``draw`` puts on ``fig`` each time, in drawing order (see the module text)."""
    out = []
    for ax in fig.axes:
        parts = [*ax.images, *ax.collections, *ax.patches, *ax.lines, *ax.texts, *ax.tables, *ax.artists,
                 ax.title, ax._left_title, ax._right_title]
        if ax.legend_ is not None and not _fixed_legend(ax.legend_):
            parts.append(ax.legend_)
        out.extend(sorted(parts, key=lambda a: a.get_zorder()))   # stable: ties keep the order above
    return out + list(fig.texts) + [leg for leg in fig.legends if not _fixed_legend(leg)]


def _plain(value):
    """``value`` as something hashable: arrays, lists and dicts as tuples; other objects by identity."""
    if isinstance(value, np.ndarray):
        return tuple(value.ravel().tolist())
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return tuple((_plain(k), _plain(v)) for k, v in value.items())
    try:
        hash(value)
    except TypeError:
        return ("object", id(value))
    return value


def _function_key(func):
    """A tick-formatting function: its code and the values it closes over.

    The same lambda written in a ``draw`` is a new object at every redraw, with
    the same code; ``set_xticks(labels=...)`` formats with a ``functools.partial``
    holding the labels.
    """
    if isinstance(func, functools.partial):
        return ("partial", _function_key(func.func), _plain(func.args), _plain(func.keywords))
    code = getattr(func, "__code__", None)
    if code is None:
        return ("object", id(func))
    cells = tuple(_plain(cell.cell_contents) for cell in (func.__closure__ or ()))
    return (code, cells, _plain(func.__defaults__))


def _ticker_key(ticker) -> tuple:
    """A locator or formatter: its kind and its settings.

    An automatic locator's ticks follow from its settings, the view limits and the
    axes size (also in the key), so its ticks need not be computed here, which
    would cost as much as drawing them for a date axis.
    """
    if isinstance(ticker, FixedLocator):
        return ("FixedLocator", _plain(ticker.locs), ticker.nbins)
    if isinstance(ticker, FixedFormatter):
        return ("FixedFormatter", _plain(ticker.seq))
    settings = tuple(sorted((k, v) for k, v in vars(ticker).items()
                            if k.lstrip("_") not in _DRAW_STATE and isinstance(v, (int, float, str, bool, type(None)))))
    func = getattr(ticker, "func", None)   # FuncFormatter
    return (type(ticker).__qualname__, settings, _function_key(func) if func is not None else None)


def _axis_key(axis) -> tuple:
    return (_ticker_key(axis.get_major_locator()), _ticker_key(axis.get_major_formatter()),
            _ticker_key(axis.get_minor_locator()), _ticker_key(axis.get_minor_formatter()),
            axis.label.get_text(), axis.get_visible(), _plain(list(axis._major_tick_kw.items())))


def _style_key(artist) -> tuple:
    """Colours, line style, marker of a legend handle."""
    names = ("get_facecolor", "get_edgecolor", "get_color", "get_linestyle", "get_linewidth", "get_marker",
             "get_alpha", "get_hatch")
    return tuple(_plain(getattr(artist, n)()) for n in names if hasattr(artist, n))


def _legend_key(legend) -> tuple:
    anchor = legend.get_bbox_to_anchor()
    return (_plain(legend._loc), tuple(anchor.bounds), tuple(t.get_text() for t in legend.get_texts()),
            tuple(_style_key(h) for h in legend.legend_handles if h is not None))


def _axes_key(ax) -> tuple:
    """Everything that decides how one axes' frame looks (see :func:`frame_key`)."""
    legend = ax.legend_
    fixed = _legend_key(legend) if legend is not None and _fixed_legend(legend) else None
    spines = tuple((name, spine.get_visible(), spine.get_linewidth(), spine.get_edgecolor())
                   for name, spine in ax.spines.items())
    return (ax.get_position().bounds, ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.axison,
            ax.get_facecolor(), spines, _axis_key(ax.xaxis), _axis_key(ax.yaxis), fixed)


def frame_key(fig) -> tuple:
    """Everything that decides how the frame of ``fig`` looks: ``(layout, per-axes keys)``.

    Layout: figure size, dpi, which axes, the figure's own fixed legends. Per
    axes: its place, limits, scales, background colour, spines, tick locators
    and formatters (with their settings), tick and grid settings, axis labels,
    its fixed legend. Two figures with the same key have
    pixel-identical frames. Reading the limits lets matplotlib autoscale to the
    data just drawn.
    """
    layout = (tuple(fig.get_size_inches()), fig.dpi, tuple(id(ax) for ax in fig.axes),
              tuple(_legend_key(leg) for leg in fig.legends if _fixed_legend(leg)))
    return layout, tuple(_axes_key(ax) for ax in fig.axes)


def _frame_extent(ax, renderer):
    """Pixels an axes' frame can cover: the axes box, its tick labels, axis labels and fixed legend."""
    from matplotlib.transforms import Bbox

    boxes = [ax.bbox]
    for axis in (ax.xaxis, ax.yaxis):
        box = axis.get_tightbbox(renderer)
        if box is not None:
            boxes.append(box)
    if ax.legend_ is not None and _fixed_legend(ax.legend_) and ax.legend_.get_visible():
        boxes.append(ax.legend_.get_window_extent(renderer))
    return Bbox.union(boxes).padded(3)   # tick marks, spines and antialiased edges


class FrameRenderer:
    """Renders an explorer's figure to PNG, drawing its frame again only where it changed.

    See the module text for the recipe. When the layout is the same and only
    some axes' frames changed (one panel's limits, say), only those axes are
    drawn again, on a patch of blank figure, if their pixels touch no other
    axes' frame. ``frames_drawn`` counts whole frames, ``axes_drawn`` single
    axes drawn again (a benchmark and the tests read them).

    Example
    -------
    >>> from matplotlib.figure import Figure
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> fig = Figure(figsize=(4, 3), dpi=50); _ = FigureCanvasAgg(fig); ax = fig.add_subplot()
    >>> ax.set_ylim(0, 10); renderer = FrameRenderer()
    (0.0, 10.0)
    >>> line, = ax.plot([1, 5]); first = renderer.png(fig)
    >>> line.set_ydata([2, 8]); second = renderer.png(fig)   # same frame, new data
    >>> renderer.frames_drawn, first != second, second == FrameRenderer().png(fig)
    (1, True, True)
    """

    def __init__(self):
        self.key = None
        self.background = None
        self.extents = None
        self.legends = []
        self.frames_drawn = 0
        self.axes_drawn = 0

    def png(self, fig) -> bytes:
        canvas = fig.canvas
        data = data_artists(fig)
        key = frame_key(fig)
        if key == self.key:
            canvas.restore_region(self.background)
        else:
            self._draw_frame(fig, key, data)
        for a in data:
            if a.get_visible():
                fig.draw_artist(a)
        for patch in self.legends:
            canvas.restore_region(patch)
        return encode_png(canvas.buffer_rgba())

    def _draw_frame(self, fig, key, data) -> None:
        """Draw the frame (the changed panels, or all of it) with the data hidden, and keep it."""
        canvas = fig.canvas
        shown = [a for a in data if a.get_visible()]
        for a in shown:
            a.set_visible(False)
        try:
            if not self._redraw_changed_axes(fig, key):
                canvas.draw()
                self.extents = None            # measured by settle(), after the picture has gone out
                self.frames_drawn += 1
            renderer = canvas.get_renderer()
            self.background = canvas.copy_from_bbox(fig.bbox)
            self.legends = [canvas.copy_from_bbox(leg.get_window_extent(renderer).padded(2))
                            for leg in _legends(fig) if _fixed_legend(leg) and leg.get_visible()]
            self.key = key
        finally:
            for a in shown:
                a.set_visible(True)

    def settle(self, fig) -> None:
        """Measure where each panel's frame lies, for a later single-panel redraw.

        Call it right after :meth:`png`, on the same unchanged figure. Measuring
        costs about 5 ms per panel (tick label sizes), so :meth:`png` leaves it
        for after the new picture has been sent: the explorer calls this once the
        image widget holds the PNG, while the student looks at it. Without it, the
        next frame change redraws the whole frame.
        """
        if self.extents is None and len(fig.axes) > 1:
            renderer = fig.canvas.get_renderer()
            self.extents = [_frame_extent(ax, renderer) for ax in fig.axes]

    def _redraw_changed_axes(self, fig, key) -> bool:
        """Draw again only the axes whose frame changed; False when the whole frame must be drawn.

        Called with the data hidden. Each changed axes gets the pixels of its old and
        new frame blanked to the figure colour, then draws itself there.
        """
        if self.key is None or key[0] != self.key[0] or self.extents is None:
            return False                                  # another layout, or panels not measured (settle)
        changed = [i for i, (new, old) in enumerate(zip(key[1], self.key[1])) if new != old]
        colour = fig.get_facecolor()
        if colour[3] != 1 or len(changed) == len(fig.axes):
            return False                                  # see-through figure, or everything changed
        canvas = fig.canvas
        renderer = canvas.get_renderer()
        new = {i: _frame_extent(fig.axes[i], renderer) for i in changed}
        regions = {i: type(new[i]).union([new[i], self.extents[i]]) for i in changed}
        others = [self.extents[j] for j in range(len(fig.axes)) if j not in new]
        if any(region.overlaps(other) for region in regions.values() for other in others):
            return False                                  # the axes' pixels mix with a neighbour's
        canvas.restore_region(self.background)
        pixels = np.asarray(canvas.buffer_rgba())
        height, width = pixels.shape[:2]
        fill = np.round(np.asarray(colour) * 255).astype(np.uint8)
        for i in changed:
            x0, y0, x1, y1 = regions[i].extents           # display pixels, y upwards
            rows = slice(max(0, height - math.ceil(y1)), min(height, height - math.floor(y0)))
            cols = slice(max(0, math.floor(x0)), min(width, math.ceil(x1)))
            pixels[rows, cols] = fill
            fig.axes[i].draw(renderer)
            self.extents[i] = new[i]
            self.axes_drawn += 1
        return True


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(rgba) -> bytes:
    """RGBA pixels (height × width × 4, uint8) as PNG bytes.

    A PNG is a signature and three chunks: IHDR (size, 8 bits, colour type 6 =
    RGBA), IDAT (the rows, each led by filter byte 0 = "none", deflated) and
    IEND. zlib level 1: the PNG goes from the kernel to a browser on the same
    machine, so a bigger file costs nothing, while Pillow's encoder (adaptive row
    filters) takes about twice as long on an explorer's figure.
    """
    pixels = np.asarray(rgba)
    if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8:
        raise ValueError(f"encode_png: rgba must be a height × width × 4 uint8 array, got {pixels.dtype} "
                         f"{pixels.shape}")
    height, width = pixels.shape[:2]
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)   # column 0: filter byte 0
    rows[:, 1:] = pixels.reshape(height, 4 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
            + _chunk(b"IEND", b""))


def render_png(fig) -> bytes:
    """The figure as an explorer shows it, rendered from scratch (PNG bytes).

    The same bytes as an explorer's warm :class:`FrameRenderer` gives for this figure.
    """
    return FrameRenderer().png(fig)


def nice_limits(low: float, high: float, *, headroom: float = 0.05,
                steps=(1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)) -> tuple[float, float]:
    """Axis limits around ``[low, high]`` on round numbers, always including 0.

    ``high`` (``low`` when negative) grows by ``headroom`` (room above the
    highest bar) and rounds away from 0 to the next ``step · 10^k``, so the
    limits — and the explorer's frame — stay put while the data move between
    two round numbers.

        nice(x) = min { s · 10^k ≥ (1 + headroom) · |x| : s in steps },  k = ⌊log10 |x|⌋

    Example
    -------
    >>> nice_limits(0, 730), nice_limits(-1.2, 47.0), nice_limits(0, 0), nice_limits(0, 100, headroom=0)
    ((0.0, 800.0), (-1.5, 50.0), (0.0, 1.0), (0.0, 100.0))
    """
    def up(x: float) -> float:
        if x <= 0:
            return 0.0
        scale = 10.0 ** math.floor(math.log10(x))
        return next(s * scale for s in steps if s * scale >= x * (1 - 1e-12))

    lo, hi = min(float(low), 0.0) * (1 + headroom), max(float(high), 0.0) * (1 + headroom)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"nice_limits: low and high must be finite numbers, got {low!r}, {high!r}")
    if lo == hi == 0:
        return 0.0, 1.0
    return (-up(-lo) if lo < 0 else 0.0), up(hi)
