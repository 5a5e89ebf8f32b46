"""Chapter 02 explorer: pick a dimension, see the composition of the customer base.

The maths is in :mod:`crmlab.composition` (customer composition by a profile
field, product mix by category); this module adds an age-band column, computes
every view once (:class:`CompositionViews`) and draws one of them:

* for a customer dimension (acquisition channel, gender, age band): the share of
  **customers** next to the share of **revenue** of each group — a group whose
  revenue share is larger than its customer share buys more per head;
* for product category: the share of **sales** next to the share of **gross
  profit** — a category whose profit share is larger has a higher margin.

Example
-------
>>> import pandas as pd
>>> people = pd.DataFrame({"customer_id": [1, 2], "birth_date": pd.to_datetime(["2000-06-01", "1960-01-01"])})
>>> age_bands(people, as_of="2025-01-01").tolist()
['18-24', '65+']
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import composition
from crmlab.errors import CRMDataError

__all__ = ["AGE_BANDS", "age_bands", "CompositionViews", "composition_figure", "draw_composition", "composition_explorer"]

AGE_BANDS = ("under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_EDGES = (-np.inf, 18, 25, 35, 45, 55, 65, np.inf)


def age_bands(customers: pd.DataFrame, as_of, *, birth_date: str = "birth_date") -> pd.Series:
    """Age band of each person at the date ``as_of`` (whole years: 18-24, 25-34, …, 65+)."""
    if birth_date not in customers.columns:
        raise CRMDataError(birth_date, "missing column in customers",
                           detail=f"columns present: {list(customers.columns)}")
    born = pd.to_datetime(customers[birth_date])
    at = pd.Timestamp(as_of)
    had_birthday = (born.dt.month < at.month) | ((born.dt.month == at.month) & (born.dt.day <= at.day))
    age = at.year - born.dt.year - (~had_birthday).astype(int)
    bands = pd.cut(age, bins=list(_EDGES), right=False, labels=list(AGE_BANDS))
    return bands.astype(str).where(born.notna(), "(missing)")


class CompositionViews:
    """Every composition view of one event log, computed once.

    Parameters
    ----------
    customers, transactions : DataFrame
        The event log's tables (never modified). Only people who were acquired
        (``acquired_at`` is a date, or who have an order when there is no such
        column) count as customers.
    as_of : date-like, optional
        Date for the age bands (default: the last order date).

    ``views.table(dimension)`` returns the table of one dimension (see
    :data:`DIMENSIONS` of the instance): for customer dimensions the output of
    :func:`crmlab.composition.customer_composition`, for ``"product category"`` the
    output of :func:`crmlab.composition.product_mix`.
    """

    def __init__(self, customers: pd.DataFrame, transactions: pd.DataFrame, as_of=None):
        as_of = pd.Timestamp(as_of) if as_of is not None else pd.to_datetime(transactions["date"]).max()
        if "acquired_at" in customers.columns:
            people = customers[customers["acquired_at"].notna()]
        else:
            people = customers[customers["customer_id"].isin(transactions["customer_id"])]
        people = people.assign(age_band=age_bands(people, as_of)) if "birth_date" in people.columns else people
        dims = {"acquisition channel": "acquisition_channel", "gender": "gender", "age band": "age_band"}
        self.dimensions = tuple(name for name, col in dims.items() if col in people.columns) + ("product category",)
        self._tables = {name: composition.customer_composition(people, col, transactions)
                        for name, col in dims.items() if col in people.columns}
        self._tables["product category"] = composition.product_mix(transactions)
        self.customers = len(people)

    def table(self, dimension: str) -> pd.DataFrame:
        """The composition table of one dimension."""
        if dimension not in self._tables:
            raise CRMDataError("dimension", "unknown dimension", detail=f"got {dimension!r}; known: {self.dimensions}")
        return self._tables[dimension]

    def shares(self, dimension: str) -> pd.DataFrame:
        """The two shares the explorer draws, as a two-column table (groups in display order)."""
        t = self.table(dimension)
        if dimension == "product category":
            return pd.DataFrame({"share of sales": t["sales_share"], "share of profit": t["profit_share"]})
        out = pd.DataFrame({"share of customers": t["share"], "share of revenue": t["revenue_share"]})
        if dimension == "age band":
            out = out.reindex([b for b in AGE_BANDS + ("(missing)",) if b in out.index])
        return out


def composition_figure(fig, views: CompositionViews):
    """Set up grouped bars of the two shares of a dimension; returns ``update(dimension)``.

    The groups sit at fixed places in 0..1, labelled with texts rather than ticks,
    so changing the dimension keeps the frame (see :func:`crmlab.explore.category_labels`).
    """
    from crmlab.explore import bar_outlines, bars, category_labels, nice_limits, set_category_labels

    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9)   # fixed: tight_layout costs ~0.1 s
    ax = fig.subplots()
    light = bars(ax, [0], [0], color="#90caf9", animated=True)
    dark = bars(ax, [0], [0], color="#1565c0", animated=True)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set(xlim=(0, 1), xticks=[], ylabel="share")
    labels = category_labels(ax, "x", max(len(views.shares(d)) for d in views.dimensions))
    (name,) = category_labels(ax, "x", 1, pad=26, fontsize=13)   # the axis label: the dimension
    name.set_position((0.5, 0))
    title = ax.set_title("", animated=True)
    legend = ax.legend([light, dark], ["", ""], loc="upper right")
    legend.set_animated(True)                                       # its labels change with the dimension

    def update(dimension: str) -> None:
        shares = views.shares(dimension)
        n = len(shares)
        centres = (np.arange(n) + 0.5) / n
        light.set_verts(bar_outlines(centres - 0.1875 / n, shares.iloc[:, 0], width=0.375 / n))
        dark.set_verts(bar_outlines(centres + 0.1875 / n, shares.iloc[:, 1], width=0.375 / n))
        set_category_labels(labels, centres, shares.index)
        name.set_text(dimension)
        for text, column in zip(legend.get_texts(), shares.columns):
            text.set_text(column)
        title.set_text(f"Composition by {dimension} ({views.customers:,} customers)")
        ax.set_ylim(nice_limits(0, float(np.nanmax(shares.to_numpy()))))

    return update


def draw_composition(views: CompositionViews, dimension: str = "acquisition channel") -> None:
    """Show the explorer's figure once for one dimension."""
    from crmlab.explore import display_figure

    display_figure(lambda fig: composition_figure(fig, views), dimension=dimension)


def composition_explorer(views: CompositionViews):
    """A dropdown of dimensions → the composition bars."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    controls = {"dimension": widgets.Dropdown(options=views.dimensions, value=views.dimensions[0],
                                              description="dimension")}

    return explorer(lambda fig: composition_figure(fig, views), controls, title="Who are our customers, and who brings the revenue?")
