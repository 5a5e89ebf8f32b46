"""Widget explorers for the chapter notebooks.

Every explorer is two layers, so that the tests can check the numbers without a
browser:

1. a **pure compute function** in ``crmlab/explore/<concept>.py`` (or in the
   library module of the concept) — plain arguments in, a small DataFrame or dict
   out, no plotting, no widgets; the tests call it directly and
   ``benchmarks/bench_explorers.py`` times it;
2. a **figure** in two steps: ``setup(fig)`` builds the axes and every artist
   once — those that change with the controls with ``animated=True`` — and
   returns ``update(**values)``, which calls the compute function and changes
   those artists in place (``set_data``, ``set_verts``, ``set_text``, limits);
   :func:`explorer` wires ipywidgets controls to ``update``.

In a notebook the cell is one line::

    from crmlab.explore import economics
    economics.profit_explorer()

Why: building a new figure and letting the inline backend show it took
170–370 ms per update on the classroom dataset, far over the 100 ms budget. An
explorer keeps **one** figure (:func:`explorer_figure`, fixed layout: no tight or
constrained layout) and puts each update as PNG into an ``ipywidgets.Image``,
rendered by :class:`~crmlab.explore.render.FigureRenderer` with matplotlib's
public blitting: the frame (axes, ticks, labels) is drawn again only when the
limits or ticks change. Never ``%matplotlib widget``. :func:`display_figure`
shows the same figure once, without controls.
"""
from __future__ import annotations

import collections
import math
import time
from typing import Callable

import numpy as np

from crmlab.explore import labels
from crmlab.explore.render import FigureRenderer

__all__ = ["explorer", "explorer_figure", "render_png", "display_figure", "FigureRenderer", "bars",
           "bar_outlines", "category_labels", "set_category_labels", "nice_limits", "FIGSIZE", "DPI",
           "projector_style"]

#: figure size (inches) of an explorer's figure: wide enough for a projector
FIGSIZE = (10, 4.6)
#: resolution of an explorer's PNG: 10 × 4.6 inches → 1000 × 460 pixels
DPI = 100


def projector_style() -> dict:
    """Matplotlib settings for figures that must be readable from the back of a room.

    Use as ``with plt.rc_context(projector_style()): ...``. Chinese text is drawn
    with a CJK font when the machine has one (:func:`crmlab.fonts.font_rc`).
    """
    from crmlab.fonts import font_rc

    return {**font_rc(), "font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13,
            "xtick.labelsize": 12, "ytick.labelsize": 12, "legend.fontsize": 11,
            "axes.spines.top": False, "axes.spines.right": False,
            "axes.titley": 1.0}   # a fixed title height: an animated title is drawn where it was put


def explorer_figure():
    """A new, empty figure as an explorer keeps it: :data:`FIGSIZE` at :data:`DPI`, on an Agg canvas.

    Not pyplot's: never shown by itself, freed with its widget.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _build(setup: Callable, values: dict):
    """A new explorer figure, set up and updated to ``values``: ``(fig, update)``.

    In a Chinese course or on yuan data the fixed labels are translated once here,
    and the returned ``update`` passes the texts it rewrites through
    :func:`crmlab.explore.labels.translate_dynamic` after each call.
    """
    import matplotlib.pyplot as plt

    fig = explorer_figure()
    with plt.rc_context(projector_style()):
        update = setup(fig)
        lang, currency = _language_and_currency()
        if lang == "zh" or currency != "USD":
            labels.translate_figure(fig, lang, currency)   # fixed labels in Chinese / in yuan (crmlab.explore.labels)
            update = _translating(update, labels.dynamic_texts(fig), lang, currency)
        update(**values)
    return fig, update


def _translating(update: Callable, texts: list, lang: str, currency: str) -> Callable:
    """``update`` followed by the translation of ``texts`` (the figure's animated texts) into ``lang``/``currency``."""
    def translated_update(**values) -> None:
        update(**values)
        labels.translate_texts(texts, lang, currency)

    return translated_update


def _language_and_currency() -> tuple[str, str]:
    """The course language (:func:`crmlab.exercises.messages.course_language`) and the dataset's currency."""
    from crmlab.exercises.messages import course_language

    return course_language(), labels.data_currency()


def render_png(setup: Callable, **values) -> bytes:
    """PNG bytes of a brand-new explorer figure for these control values (what the explorer shows)."""
    import matplotlib.pyplot as plt

    fig, _ = _build(setup, values)
    with plt.rc_context(projector_style()):
        return FigureRenderer(fig).png()


def display_figure(setup: Callable, **values) -> None:
    """Show an explorer's figure once, for these values, as an image in the notebook (no controls)."""
    from IPython.display import Image, display

    display(Image(render_png(setup, **values)))


def explorer(setup: Callable, controls: dict, *, title: str = "", columns: int = 3):
    """Wire ipywidgets controls to an explorer figure.

    Parameters
    ----------
    setup : callable
        ``setup(fig)`` builds the figure's artists once (those that change with
        ``animated=True``) and returns ``update``; ``update(**values)``, with one
        keyword argument per control, changes them in place each time a control moves.
    controls : dict
        Keyword name → ipywidgets control (slider, dropdown, ...).
    title : str
        A line of bold text above the controls.
    columns : int
        Controls per row.

    Returns
    -------
    ipywidgets.VBox
        Title, rows of controls, and last an Output area holding the figure's
        ``ipywidgets.Image`` (an error while updating is shown there too); display
        it (last line of a cell). ``box.figure`` is the explorer's figure,
        ``box.image`` its image widget, ``box.controls`` the ``controls`` dict,
        ``box.setup`` the ``setup`` function, ``box.renderer`` its
        :class:`~crmlab.explore.render.FigureRenderer`, and ``box.update_ms``
        the kernel-side time of each update so far, from the control change until
        the new PNG is in the image widget (ms, the last 1000; the first is the
        cell's own draw).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    lang, currency = _language_and_currency()
    if lang == "zh" or currency != "USD":
        labels.translate_controls(controls, lang, currency)
        title = labels.translate_dynamic(labels.label(title, lang, currency), lang, currency)
    values = lambda: {name: c.value for name, c in controls.items()}  # noqa: E731
    fig, update_figure = _build(setup, values())
    renderer = FigureRenderer(fig)
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
    shown = {"output_type": "display_data", "metadata": {},
             "data": {"text/plain": "explorer figure",
                      "application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0,
                                                                   "model_id": image.model_id}}}
    out = widgets.Output()
    out.outputs = (shown,)
    with plt.rc_context(projector_style()):
        image.value = renderer.png()
    times = collections.deque([(time.perf_counter() - start) * 1000], maxlen=1000)

    def update(change) -> None:
        start = time.perf_counter()
        try:
            with plt.rc_context(projector_style()):
                update_figure(**values())
                image.value = renderer.png()
        except Exception:
            out.outputs = (shown,)
            with out:      # in Jupyter: the traceback goes under the figure; elsewhere it propagates
                raise
        times.append((time.perf_counter() - start) * 1000)
        if len(out.outputs) != 1:
            out.outputs = (shown,)   # drop an error shown by an earlier update
        # (no ``with out:`` on the normal path: each use sends two widget messages to the browser)

    for control in controls.values():
        control.observe(update, names="value")
    items = list(controls.values())
    rows = [widgets.HBox(items[i:i + columns]) for i in range(0, len(items), columns)]
    box = widgets.VBox(([widgets.HTML(f"<b>{title}</b>")] if title else []) + rows + [out])
    box.figure, box.image, box.controls, box.setup, box.renderer = fig, image, controls, setup, renderer
    box.update_ms = times
    return box


def bar_outlines(x, heights, *, width: float = 0.8, bottom=0.0) -> np.ndarray:
    """Corners of vertical bars from ``bottom`` to ``bottom + heights`` centred on ``x`` (bars × 4 × 2)."""
    x, h = np.asarray(x, dtype=float), np.asarray(heights, dtype=float)
    low = np.broadcast_to(np.asarray(bottom, dtype=float), h.shape)
    left, right, high = x - width / 2, x + width / 2, low + h
    return np.stack([np.column_stack([left, low]), np.column_stack([left, high]),
                     np.column_stack([right, high]), np.column_stack([right, low])], axis=1)


def bars(ax, x, heights, *, width: float = 0.8, bottom=0.0, color="C0", alpha: float | None = None,
         label: str | None = None, animated: bool = False):
    """Vertical bars drawn as ONE artist (a ``PolyCollection``); returns it.

    The same picture as ``ax.bar(x, heights, width=width, color=color)``, but one
    artist instead of one ``Rectangle`` per bar, so an update can change the number
    of bars: ``collection.set_verts(bar_outlines(x, heights, width=...))``.
    ``color`` is one colour or one per bar; the legend shows the first.
    """
    from matplotlib.collections import PolyCollection

    collection = PolyCollection(bar_outlines(x, heights, width=width, bottom=bottom), facecolors=color,
                                linewidths=0, alpha=alpha, label=label, animated=animated)
    ax.add_collection(collection)
    return collection


def category_labels(ax, axis: str, count: int, *, pad: float = 6.0, fontsize=None) -> list:
    """``count`` empty, animated texts to label categories along an axis instead of ticks.

    An explorer whose number of categories moves with a control (3 to 9 RFM score
    levels, the groups of a dimension) would change its ticks, and with them its
    frame, at each move. Put the categories at fixed axis coordinates (e.g.
    centres in 0..1), remove the ticks (``ax.set_xticks([])``) and label them with
    these texts, set in ``update`` by :func:`set_category_labels`. ``pad`` is the
    gap to the axes in points; give the axis label room with ``labelpad``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.transforms import offset_copy

    if axis == "x":
        where = offset_copy(ax.get_xaxis_transform(), fig=ax.figure, y=-pad, units="points")
        size = fontsize or plt.rcParams["xtick.labelsize"]
        return [ax.text(0, 0, "", transform=where, ha="center", va="top", fontsize=size, animated=True)
                for _ in range(count)]
    if axis == "y":
        where = offset_copy(ax.get_yaxis_transform(), fig=ax.figure, x=-pad, units="points")
        size = fontsize or plt.rcParams["ytick.labelsize"]
        return [ax.text(0, 0, "", transform=where, ha="right", va="center", fontsize=size, animated=True)
                for _ in range(count)]
    raise ValueError(f"category_labels: axis must be 'x' or 'y', got {axis!r}")


def set_category_labels(texts: list, positions, labels) -> None:
    """Put ``labels`` at ``positions`` (axis coordinates along the texts' axis); hide the texts left over."""
    positions, labels = list(positions), list(labels)
    if len(labels) > len(texts) or len(positions) != len(labels):
        raise ValueError(f"set_category_labels: {len(labels)} labels at {len(positions)} positions "
                         f"for {len(texts)} texts")
    for i, text in enumerate(texts):
        text.set_visible(i < len(labels))
        if i < len(labels):
            along_x = text.get_horizontalalignment() == "center"
            text.set_position((positions[i], 0) if along_x else (0, positions[i]))
            text.set_text(str(labels[i]))


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
