"""Widget explorers for the chapter notebooks.

Every explorer is two layers, so that the tests can check the numbers without a
browser:

1. a **pure compute function** in ``crmlab/explore/<concept>.py`` (or in the
   library module of the concept) — plain arguments in, a small DataFrame or dict
   out, no plotting, no widgets; the tests call it directly and
   ``benchmarks/bench_explorers.py`` times it (each update must take < 100 ms on
   the classroom dataset);
2. a **thin widget layer**: a ``draw(...)`` function that calls the compute
   function and draws one matplotlib figure, and a ``..._explorer(...)`` function
   that wires ipywidgets controls to ``draw`` with :func:`explorer`.

In a notebook the cell is one line::

    from crmlab.explore import economics
    economics.profit_explorer()

Figures are shown with ``plt.show()`` inside the widget's Output area (never
``%matplotlib widget``) and closed afterwards, so a long session does not pile
up open figures.
"""
from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt

__all__ = ["explorer", "show", "FIGSIZE", "projector_style"]

#: figure size (inches) of an explorer's figure: wide enough for a projector
FIGSIZE = (10, 4.6)


def projector_style() -> dict:
    """Matplotlib settings for figures that must be readable from the back of a room.

    Use as ``with plt.rc_context(projector_style()): ...``.
    """
    return {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13,
            "xtick.labelsize": 12, "ytick.labelsize": 12, "legend.fontsize": 11,
            "axes.spines.top": False, "axes.spines.right": False}


def show(fig) -> None:
    """Show a figure (inline in Jupyter) and close it."""
    plt.show()
    plt.close(fig)


def explorer(draw: Callable[..., None], controls: dict, *, title: str = "", columns: int = 3):
    """Wire ipywidgets controls to a draw function.

    Parameters
    ----------
    draw : callable
        Called with one keyword argument per control, every time a control moves;
        it draws and shows one figure (and may print a short line).
    controls : dict
        Keyword name → ipywidgets control (slider, dropdown, ...).
    title : str
        A line of bold text above the controls.
    columns : int
        Controls per row.

    Returns
    -------
    ipywidgets.VBox
        Title, controls and the output area; display it (last line of a cell).
    """
    import ipywidgets as widgets

    items = list(controls.values())
    rows = [widgets.HBox(items[i:i + columns]) for i in range(0, len(items), columns)]
    out = widgets.interactive_output(draw, controls)
    parts = ([widgets.HTML(f"<b>{title}</b>")] if title else []) + rows + [out]
    return widgets.VBox(parts)
