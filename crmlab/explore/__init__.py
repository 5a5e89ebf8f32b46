"""Widget explorers for the chapter notebooks.

Every explorer is two layers, so that the tests can check the numbers without a
browser:

1. a **pure compute function** in ``crmlab/explore/<concept>.py`` (or in the
   library module of the concept) — plain arguments in, a small DataFrame or dict
   out, no plotting, no widgets; the tests call it directly and
   ``benchmarks/bench_explorers.py`` times it (each update must take < 100 ms on
   the classroom dataset);
2. a **thin widget layer**: a ``draw(..., fig=None)`` function that calls the
   compute function and draws one matplotlib figure, and a ``..._explorer(...)``
   function that wires ipywidgets controls to ``draw`` with :func:`explorer`.

In a notebook the cell is one line::

    from crmlab.explore import economics
    economics.profit_explorer()

Why one figure per explorer: building a new figure and letting the inline
backend show it (PNG with a tight bounding box) took 170–370 ms per update on the
classroom dataset, far over the 100 ms budget. So an explorer makes **one**
figure when its cell runs (:func:`explorer_figure`), with a fixed layout
(``subplots_adjust``, no tight or constrained layout); each time a control
moves, ``draw`` clears the data off that figure and draws them again, and the
explorer renders it to PNG for its ``ipywidgets.Image`` with a
:class:`~crmlab.explore.blit.FrameRenderer`, which draws the axes, ticks and
labels again only when they changed (see :mod:`crmlab.explore.blit`), on a canvas
that renders each piece of text once (:mod:`crmlab.explore.text_cache`). Never
``%matplotlib widget``. Called on its own (no ``fig``), a ``draw`` function makes
a pyplot figure, shows it inline and closes it, so a long session does not pile
up open figures.

An explorer stays fast when its frame stays still: round axis limits
(:func:`nice_limits`), changing numbers in titles rather than in axis labels,
legends with a fixed place and fixed labels (``notebooks/AUTHORING.md``).
"""
from __future__ import annotations

import collections
import time
from typing import Callable

import matplotlib.pyplot as plt
import numpy as np

from crmlab.explore.blit import FrameRenderer, nice_limits, render_png
from crmlab.explore.text_cache import CachedTextCanvas

__all__ = ["explorer", "explorer_figure", "bars", "category_labels", "show", "figure", "render_png", "FrameRenderer", "nice_limits",
           "FIGSIZE", "DPI", "projector_style"]

#: figure size (inches) of an explorer's figure: wide enough for a projector
FIGSIZE = (10, 4.6)
#: resolution of an explorer's PNG: 10 × 4.6 inches → 1000 × 460 pixels
DPI = 100


def projector_style() -> dict:
    """Matplotlib settings for figures that must be readable from the back of a room.

    Use as ``with plt.rc_context(projector_style()): ...``.
    """
    return {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13,
            "xtick.labelsize": 12, "ytick.labelsize": 12, "legend.fontsize": 11,
            "axes.spines.top": False, "axes.spines.right": False,
            "axes.titley": 1.0}   # a fixed title height: matplotlib's automatic placement costs ~20 ms per axes


def figure(fig=None, ncols: int = 1):
    """The figure a ``draw`` function draws on, with ``ncols`` axes side by side.

    Without ``fig``: a new pyplot figure of size :data:`FIGSIZE` (shown and closed
    by :func:`show`). With ``fig`` (an explorer's own figure): that figure,
    cleared, with fresh axes. Call it inside ``plt.rc_context(projector_style())``
    so the axes get the projector fonts.

    Returns
    -------
    (Figure, Axes or array of Axes)
    """
    if fig is None:
        return plt.subplots(1, ncols, figsize=FIGSIZE)
    if len(fig.axes) != ncols:
        fig.clear()
        axes = fig.subplots(1, ncols)
        return fig, axes
    for ax in fig.axes:
        _empty(ax)
    if fig.get_suptitle():
        fig.suptitle("")
    return fig, (fig.axes[0] if ncols == 1 else np.array(fig.axes))


def bars(ax, x, heights, *, width: float = 0.8, bottom=0.0, color="C0", alpha: float | None = None,
         label: str | None = None):
    """Vertical bars from ``bottom`` to ``bottom + heights`` centred on ``x``, drawn as ONE artist; returns it.

    The same picture as ``ax.bar(x, heights, width=width, color=color)``, but one
    ``PolyCollection`` of rectangles instead of one ``Rectangle`` per bar: ``ax.bar``
    costs ~0.6 ms per bar on the course machine (each bar updates the axis limits
    alone), this ~0.1 ms for all of them, which counts in a 100 ms widget update.
    ``color`` is one colour or one per bar; the legend shows the first.
    """
    from matplotlib.collections import PolyCollection

    x, h = np.asarray(x, dtype=float), np.asarray(heights, dtype=float)
    low = np.broadcast_to(np.asarray(bottom, dtype=float), h.shape)
    left, right, high = x - width / 2, x + width / 2, low + h
    rects = np.stack([np.column_stack([left, low]), np.column_stack([left, high]),
                      np.column_stack([right, high]), np.column_stack([right, low])], axis=1)
    collection = PolyCollection(rects, facecolors=color, linewidths=0, alpha=alpha, label=label)
    if np.all(low == 0):
        collection.sticky_edges.y.append(0.0)   # autoscaling starts the axis at 0, as for ax.bar
    ax.add_collection(collection)
    return collection


def category_labels(ax, axis: str, positions, labels, *, pad: float = 6.0) -> None:
    """Label categories along an axis with plain texts instead of ticks: the frame stays still.

    An explorer whose number of categories moves with a slider (3 to 9 RFM
    score levels) would otherwise change its ticks at each move, and drawing
    ticks is what costs most in a frame (see :mod:`crmlab.explore.blit`). Put
    the categories at fixed axis coordinates (e.g. centres in 0..1), remove the
    ticks with ``ax.set_xticks([])``, and call this; the texts are data, redrawn
    with the rest. ``pad`` is the gap to the axes in points; give the axis label
    room with ``labelpad`` (about the font size plus ``pad``).
    """
    from matplotlib.transforms import offset_copy

    if axis == "x":
        where = offset_copy(ax.get_xaxis_transform(), fig=ax.figure, y=-pad, units="points")
        for p, text in zip(positions, labels):
            ax.text(p, 0, text, transform=where, ha="center", va="top", fontsize=plt.rcParams["xtick.labelsize"])
    elif axis == "y":
        where = offset_copy(ax.get_yaxis_transform(), fig=ax.figure, x=-pad, units="points")
        for p, text in zip(positions, labels):
            ax.text(0, p, text, transform=where, ha="right", va="center", fontsize=plt.rcParams["ytick.labelsize"])
    else:
        raise ValueError(f"category_labels: axis must be 'x' or 'y', got {axis!r}")


def _empty(ax) -> None:
    """Remove what a draw put on ``ax`` but keep the axes and its ticks.

    ``ax.clear()`` would rebuild every tick and label, which costs more than the
    drawing itself; the same ``draw`` redraws the same kinds of things each time,
    so it sets the titles, labels, ticks and limits again.
    """
    for artist in [*ax.lines, *ax.patches, *ax.texts, *ax.images, *ax.collections, *ax.tables, *ax.artists]:
        artist.remove()
    ax.containers.clear()
    if ax.legend_ is not None:
        ax.legend_.remove()
    ax.relim()
    ax.set_autoscale_on(True)
    ax.set_prop_cycle(None)   # colours start again from the first


def show(fig) -> None:
    """Show a pyplot figure inline and close it.

    An explorer's own figure (not managed by pyplot) is left alone: the explorer
    renders it into its image after ``draw`` returns.
    """
    if fig.canvas.manager is None:
        return
    plt.show()
    plt.close(fig)


def explorer_figure():
    """A new, empty figure as an explorer keeps it: :data:`FIGSIZE` at :data:`DPI`.

    Not pyplot's (never shown by itself, freed with its widget), on a
    :class:`~crmlab.explore.text_cache.CachedTextCanvas`, which renders each
    piece of text once.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    CachedTextCanvas(fig)
    return fig


def explorer(draw: Callable[..., None], controls: dict, *, title: str = "", columns: int = 3):
    """Wire ipywidgets controls to a draw function and one persistent figure.

    Parameters
    ----------
    draw : callable
        Called as ``draw(fig=fig, **values)`` with one keyword argument per
        control, every time a control moves; it redraws ``fig`` (see
        :func:`figure`) and calls :func:`show`.
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
        ``ipywidgets.Image`` (an error while drawing is shown there too); display
        it (last line of a cell). ``box.figure`` is the explorer's figure,
        ``box.image`` its image widget, ``box.controls`` the ``controls`` dict,
        ``box.renderer`` its :class:`~crmlab.explore.blit.FrameRenderer`,
        ``box.draw`` the ``draw`` function and ``box.update_ms`` the kernel-side
        time of each update so far, from the control change until the new PNG is
        in the image widget (ms, the last 1000; the first is the cell's own draw).
    """
    import ipywidgets as widgets

    fig = explorer_figure()
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
    shown = {"output_type": "display_data", "metadata": {},
             "data": {"text/plain": "explorer figure",
                      "application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0,
                                                                   "model_id": image.model_id}}}
    out = widgets.Output()
    renderer = FrameRenderer()

    times = collections.deque(maxlen=1000)

    def update(change=None) -> None:
        start = time.perf_counter()
        try:
            with plt.rc_context(projector_style()):
                draw(fig=fig, **{name: c.value for name, c in controls.items()})
                image.value = renderer.png(fig)
        except Exception:
            out.outputs = (shown,)
            with out:      # in Jupyter: the traceback goes under the figure; elsewhere it propagates
                raise
        times.append((time.perf_counter() - start) * 1000)   # the new picture is on its way
        if len(out.outputs) != 1:
            out.outputs = (shown,)   # drop an error shown by an earlier update
        # (no ``with out:`` on the normal path: each use sends two widget messages to the browser)
        renderer.settle(fig)         # bookkeeping for the next update, after the picture was sent

    for control in controls.values():
        control.observe(update, names="value")
    update()
    items = list(controls.values())
    rows = [widgets.HBox(items[i:i + columns]) for i in range(0, len(items), columns)]
    parts = ([widgets.HTML(f"<b>{title}</b>")] if title else []) + rows + [out]
    box = widgets.VBox(parts)
    box.figure, box.image, box.controls, box.renderer, box.draw = fig, image, controls, renderer, draw
    box.update_ms = times
    return box
