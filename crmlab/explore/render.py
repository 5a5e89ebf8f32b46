"""Render an explorer's figure to PNG fast, with matplotlib's public blitting.

Drawing text is what makes matplotlib slow: the frame of a two-panel figure
(ticks, tick labels, axis labels, legends) costs 30–60 ms on the course machine,
while a student moving a slider seldom changes it. So an explorer follows
matplotlib's own blitting recipe (the "Faster rendering by using blitting"
guide):

1. ``setup`` creates the artists that change with the controls with
   ``animated=True``; a normal ``canvas.draw()`` leaves them out, so it draws
   the **frame** alone, which is kept as a bitmap (``canvas.copy_from_bbox``);
2. at each update the kept frame goes back (``canvas.restore_region``) and the
   animated artists are drawn on it (``fig.draw_artist``), then the legends
   that are not animated are pasted back on top, so data never cover them;
3. the pixels are encoded as PNG by Pillow (zlib level 1: the picture goes to a
   browser on the same machine, a bigger file costs nothing).

The frame is drawn again when its :func:`frame_key` changes: the axis limits,
the tick positions and labels, the axis labels. Anything else in the frame
(colours, fixed texts, legends) is set once in ``setup``. When only some panels'
keys changed, only those panels are drawn again, on their own patch of the kept
frame (blanked to the figure's colour), unless their pixels would touch another
panel's frame. The last few frames are kept by their key, so a control that
moves back and forth between two settings (RFM's 3 and 9 score levels) finds
its frame again instead of drawing it.
"""
from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

__all__ = ["FigureRenderer", "frame_key", "animated_artists", "encode_png", "FRAMES_KEPT"]

#: how many frames (one full-figure bitmap each, ~2.5 MB) a renderer keeps by their key
FRAMES_KEPT = 6


def _axis_key(axis) -> tuple:
    locs = axis.get_majorticklocs()
    return tuple(locs), tuple(axis.get_major_formatter().format_ticks(locs)), axis.label.get_text()


def frame_key(fig) -> tuple:
    """What an update may change in the frame: per axes the limits, ticks, tick labels and axis labels."""
    return tuple((ax.get_xlim(), ax.get_ylim(), _axis_key(ax.xaxis), _axis_key(ax.yaxis)) for ax in fig.axes)


def animated_artists(fig) -> list:
    """The figure's animated artists in drawing order: axes by axes by z-order, then the figure's own."""
    out = []
    for ax in fig.axes:
        out += sorted((a for a in ax.get_children() if a.get_animated()), key=lambda a: a.get_zorder())
    return out + [a for a in fig.get_children() if a.get_animated() and a not in fig.axes]


def encode_png(rgba) -> bytes:
    """RGBA pixels (a canvas' ``buffer_rgba()``) as PNG bytes, by Pillow at zlib level 1."""
    out = io.BytesIO()
    Image.fromarray(np.asarray(rgba)).save(out, format="png", compress_level=1)
    return out.getvalue()


def _extent(ax, renderer):
    """Pixels an axes' frame can cover: the axes box, its ticks and axis labels, a fixed title and legend."""
    from matplotlib.transforms import Bbox

    boxes = [ax.bbox] + [axis.get_tightbbox(renderer) for axis in (ax.xaxis, ax.yaxis)]
    if not ax.title.get_animated():
        boxes.append(ax.title.get_window_extent(renderer))
    if ax.get_legend() is not None:
        boxes.append(ax.get_legend().get_window_extent(renderer))
    return Bbox.union([box for box in boxes if box is not None]).padded(3)   # tick marks, antialiased edges


class FigureRenderer:
    """Renders one figure to PNG, drawing its frame only when :func:`frame_key` changed.

    The artists it redraws at each update are those animated when it is made
    (make it after ``setup``). ``frames_drawn`` counts whole frames drawn,
    ``axes_drawn`` single panels drawn again, ``frames_reused`` frames found
    again among the last :data:`FRAMES_KEPT` by their key.

    Example
    -------
    >>> from matplotlib.figure import Figure
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> fig = Figure(figsize=(4, 3), dpi=50); _ = FigureCanvasAgg(fig); ax = fig.add_subplot()
    >>> line, = ax.plot([1, 5], animated=True); renderer = FigureRenderer(fig)
    >>> first = renderer.png()
    >>> line.set_ydata([2, 3]); second = renderer.png()       # same frame, new data
    >>> renderer.frames_drawn, first != second, second == FigureRenderer(fig).png()
    (1, True, True)
    """

    def __init__(self, fig):
        self.fig = fig
        self.animated = animated_artists(fig)
        self.key = self.background = None
        self.legends, self.extents = [], []
        self.frames_drawn = self.axes_drawn = self.frames_reused = 0
        self.kept = {}                        # frame key -> (background, legends, extents), oldest first

    def png(self) -> bytes:
        fig, canvas = self.fig, self.fig.canvas
        key = frame_key(fig)
        if key != self.key and key in self.kept:
            self.background, self.legends, extents = self.kept[key]
            self.extents = list(extents)
            self.frames_reused += 1
            self.key = key
        if key != self.key:
            renderer = canvas.get_renderer()
            if not self._draw_changed_axes(key, renderer):
                canvas.draw()                 # the frame: animated artists are left out
                self.frames_drawn += 1
                self.extents = [_extent(ax, renderer) for ax in fig.axes] if len(fig.axes) > 1 else []
            self.background = canvas.copy_from_bbox(fig.bbox)
            legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
            self.legends = [canvas.copy_from_bbox(leg.get_window_extent(renderer).padded(2))
                            for leg in legends if leg is not None and leg.get_visible() and not leg.get_animated()]
            self.key = key
            self.kept[key] = (self.background, self.legends, list(self.extents))
            while len(self.kept) > FRAMES_KEPT:
                del self.kept[next(iter(self.kept))]
        else:
            canvas.restore_region(self.background)
        for artist in self.animated:
            if artist.get_visible():
                fig.draw_artist(artist)
        for legend in self.legends:
            canvas.restore_region(legend)
        return encode_png(canvas.buffer_rgba())

    def _draw_changed_axes(self, key, renderer) -> bool:
        """Draw again only the panels whose key changed; False when the whole frame must be drawn."""
        fig = self.fig
        if not self.extents or len(key) != len(self.key):
            return False
        changed = [i for i, (new, old) in enumerate(zip(key, self.key)) if new != old]
        colour = np.round(np.asarray(fig.get_facecolor()) * 255).astype(np.uint8)
        if len(changed) == len(key) or colour[3] != 255:
            return False                      # every panel changed, or a see-through figure
        new = {i: _extent(fig.axes[i], renderer) for i in changed}
        regions = {i: type(new[i]).union([new[i], self.extents[i]]) for i in changed}
        others = [self.extents[j] for j in range(len(key)) if j not in new]
        if any(region.overlaps(other) for region in regions.values() for other in others):
            return False                      # the panel's pixels mix with a neighbour's
        fig.canvas.restore_region(self.background)
        pixels = np.asarray(fig.canvas.buffer_rgba())
        height, width = pixels.shape[:2]
        for i in changed:
            x0, y0, x1, y1 = regions[i].extents          # display pixels, y upwards
            pixels[max(0, height - math.ceil(y1)):min(height, height - math.floor(y0)),
                   max(0, math.floor(x0)):min(width, math.ceil(x1))] = colour
            fig.draw_artist(fig.axes[i])                 # its frame: animated children are left out
            self.extents[i] = new[i]
            self.axes_drawn += 1
        return True
