"""A matplotlib canvas that renders each piece of text once and reuses the bitmap.

Why: on the course machine, matplotlib 3.11 spends most of an explorer's redraw
on text — every tick label, title and count is laid out by FreeType glyph by
glyph each time the figure is drawn, although the strings rarely change ("0",
"20", "share (%)" ...). This canvas keeps a small cache:

* **text bitmaps**: ``draw_text`` renders a string once per (string, font,
  antialiasing) into a grey-level bitmap, as matplotlib up to 3.10 did, and
  afterwards only stamps the cached bitmap at the text's pixel position. The
  position is rounded to whole pixels (3.11 places glyphs at 1/64 pixel), so a
  glyph may sit a pixel away from where plain matplotlib puts it (two for a
  rotated label) — invisible on screen, and checked by a test;
* **font height metrics** per (font, dpi): matplotlib asks the renderer for
  them through ``_get_font_height_metrics`` when it lays out any text; the
  values are the same ones matplotlib reads from the font's tables, read once.

Math text (``$...$``) goes through matplotlib's own code. Only the explorers use
this canvas (:func:`crmlab.explore.explorer`); figures shown inline do not.

This follows matplotlib 3.11's renderer from the inside (``_prepare_font``,
``_renderer.draw_text_image``, the ``_get_font_height_metrics`` hook), so
``pyproject.toml`` asks for matplotlib 3.11.x; ``tests/notebooks/test_nb_explore_blit.py``
compares the result with matplotlib's own rendering and fails if a new
version stops calling the hook.

Example
-------
>>> from matplotlib.figure import Figure
>>> fig = Figure(figsize=(3, 2), dpi=50); canvas = CachedTextCanvas(fig)
>>> _ = fig.text(0.1, 0.5, "hello"); canvas.draw(); canvas.draw()
>>> len(canvas.get_renderer().text_images)   # drawn twice, rendered once
1
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font

__all__ = ["CachedTextCanvas", "CachedTextRenderer"]

#: the cache is emptied when it holds more bitmaps than this (a long session)
MAX_TEXTS = 5000

# where matplotlib 3.11's Text._get_layout reads the height metrics, in this order
_METRIC_TABLES = (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                  ("hhea", "lineGap", "ascent", "descent"))


class CachedTextRenderer(RendererAgg):
    """matplotlib's Agg renderer with cached text bitmaps and font metrics (see the module text)."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self.text_images = {}
        self.font_metrics = {}

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        """Stamp the bitmap of ``s`` with its baseline's left end at ``(x, y)`` (y downwards)."""
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        key = (s, prop, gc.get_antialiased())
        cached = self.text_images.get(key)
        if cached is None:
            if len(self.text_images) >= MAX_TEXTS:
                self.text_images.clear()
            font = self._prepare_font(prop)
            font.set_text(s, 0, flags=get_hinting_flag())
            font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
            xo, yo = font.get_bitmap_offset()
            cached = (np.array(font.get_image(), dtype=np.uint8), xo / 64, yo / 64, font.get_descent() / 64)
            self.text_images[key] = cached
        image, xo, yo, descent = cached
        # the bitmap is unrotated; draw_text_image turns it by ``angle`` about its corner
        xd, yd = descent * math.sin(math.radians(angle)), descent * math.cos(math.radians(angle))
        self._renderer.draw_text_image(image, round(x + xo + xd), round(y + yo + yd) + 1, angle, gc)

    def _get_font_height_metrics(self, prop):
        """(ascent, descent, line gap) of the font of ``prop`` in pixels, as matplotlib computes them."""
        key = (prop, self.dpi)
        if key not in self.font_metrics:
            font = get_font(fontManager._find_fonts_by_props(prop))
            metrics = (None, None, None)
            for table_name, gap_key, ascent_key, descent_key in _METRIC_TABLES:
                table = font.get_sfnt_table(table_name)
                if table is None:
                    continue
                scale = prop.get_size_in_points() * self.dpi / 72 / font.get_sfnt_table("head")["unitsPerEm"]
                metrics = (table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale)
                break
            self.font_metrics[key] = metrics
        return self.font_metrics[key]


class CachedTextCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer is a :class:`CachedTextRenderer` (kept while the size stays)."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = (w, h, self.figure.dpi)
        if self._lastKey != key:
            self.renderer = CachedTextRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
