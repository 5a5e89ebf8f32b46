"""Chapter 13 explorer: a customer selection written as SQL, and what it returns.

A marketer rarely writes SQL from nothing: they pick conditions (silent for at
least so many days, at least so many orders, spent at least so much, came
through this channel) and a tool writes the query. This explorer shows both
sides: the query text :func:`selection_sql` builds from the controls, and
:func:`run_selection`'s answer — how many customers match, what they spent,
and in which lifecycle stage (:func:`crmlab.lifecycle.stage_at` at the same
day) they are.

The query reads the analyst's views only (``transactions`` and
``customers_marketing``, :func:`crmlab.sql.connect` with ``analyst=True``).

Example
-------
>>> from crmlab import sql
>>> con = sql.connect(analyst=True)
>>> r = run_selection(con, "2025-12-31", silent_days=120, min_orders=3, min_spend=0, channel="any")
>>> r["customers"] == int(r["by_stage"].sum()), int(r["by_stage"]["active"] + r["by_stage"]["new"])
(True, 0)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import lifecycle
from crmlab.errors import ParameterError

__all__ = ["selection_sql", "run_selection", "selection_figure", "draw", "selection_explorer", "CHANNELS"]

#: the channel menu: "any", or one acquisition channel of the customers table
CHANNELS = ("any", "referral", "search_ads", "social_media", "direct_mail")


def _number(name: str, value, minimum: float = 0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, "must be a number", detail=f"got {value!r}") from None
    if not np.isfinite(v) or v < minimum:
        raise ParameterError(name, f"must be a finite number ≥ {minimum}", detail=f"got {value!r}")
    return v


def selection_sql(as_of, *, silent_days: int = lifecycle.DORMANT_AFTER_DAYS, min_orders: int = 1,
                  min_spend: float = 0.0, channel: str = "any") -> str:
    """The query selecting customers silent ≥ ``silent_days`` on the day ``as_of``, with ≥ ``min_orders``
    orders and ≥ ``min_spend`` spent in total, acquired through ``channel`` (``"any"``: every channel).

    Silence is counted as :func:`crmlab.lifecycle.stage_at` counts it: days (with
    fractions) from the last order to the instant ``as_of`` (a day alone means its
    midnight, 00:00), and only orders up to that instant. So ``silent_days = 120``
    selects exactly the customers ``stage_at`` calls dormant or lost at the
    default threshold (and, with 1 order, every one of them).
    """
    from crmlab.data import parse_date

    ts = parse_date("as_of", as_of)
    at = ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M:%S")
    silent = int(_number("silent_days", silent_days))
    orders = int(_number("min_orders", min_orders, 1))
    spend = _number("min_spend", min_spend)
    if channel not in CHANNELS:
        raise ParameterError("channel", f"must be one of {', '.join(CHANNELS)}", detail=f"got {channel!r}")
    lines = ["SELECT customer_id,",
             "       COUNT(*) AS orders,",
             "       SUM(amount) AS spend,",
             f"       (epoch(TIMESTAMP '{at}') - epoch(MAX(date)))",
             "         / 86400 AS silent_days",
             "FROM transactions",
             f"WHERE date <= TIMESTAMP '{at}'"]
    lines += ["GROUP BY customer_id",
              f"HAVING silent_days >= {silent} AND orders >= {orders}",
              f"   AND spend >= {spend:g}"]
    if channel != "any":
        lines += ["   AND customer_id IN (",
                  "       SELECT customer_id FROM customers_marketing",
                  f"       WHERE acquisition_channel = '{channel}')"]
    lines += ["ORDER BY customer_id"]
    return "\n".join(lines)


def run_selection(con, as_of, *, silent_days: int = lifecycle.DORMANT_AFTER_DAYS, min_orders: int = 1,
                  min_spend: float = 0.0, channel: str = "any", stages: pd.Series | None = None) -> dict:
    """Run :func:`selection_sql` on ``con``: the query, the ids and their count, spend and stages.

    ``stages`` (customer → observable stage at ``as_of``) may be passed when it
    was computed once; by default it is read with :func:`crmlab.lifecycle.stage_at`
    from the connection's transactions.

    Returns
    -------
    dict with ``sql`` (text), ``ids`` (ndarray of customer ids), ``customers``
    (count), ``spend`` (their total spend) and ``by_stage`` (Series: customers
    matched per stage new / active / dormant / lost).
    """
    text = selection_sql(as_of, silent_days=silent_days, min_orders=min_orders, min_spend=min_spend,
                         channel=channel)
    result = con.execute(text).fetchnumpy()     # columns as NumPy arrays: no DataFrame needed here
    if stages is None:
        stages = stage_of_customers(con, as_of)
    ids = np.asarray(result["customer_id"], dtype=np.int64)
    by_stage = (stages.reindex(ids).value_counts().reindex(list(lifecycle.OBSERVABLE_STAGES), fill_value=0)
                .astype(np.int64))
    by_stage.index = pd.Index(list(lifecycle.OBSERVABLE_STAGES), name="stage")
    return {"sql": text, "ids": ids, "customers": int(len(ids)), "spend": float(np.sum(result["spend"])),
            "by_stage": by_stage.rename("customers")}


def stage_of_customers(con, as_of) -> pd.Series:
    """Observable stage of every buyer on the day ``as_of`` (:func:`crmlab.lifecycle.stage_at`), as text."""
    from crmlab.data import parse_date
    from crmlab.sql import query

    at = parse_date("as_of", as_of)
    tx = query(con, "SELECT customer_id, date FROM transactions")
    return lifecycle.stage_at(tx, at, order_id=None)["stage"].astype(str)


def selection_figure(fig, con, as_of):
    """Set up the figure: the query text (left) and matched customers per stage (right); returns ``update``."""
    from crmlab.explore import bar_outlines, bars, nice_limits

    stages = stage_of_customers(con, as_of)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.14, top=0.84, wspace=0.22)
    grid = fig.add_gridspec(1, 2, width_ratios=[1.25, 1.0])
    text_ax, ax = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    text_ax.set_axis_off()
    text_ax.set_title("The query", loc="left")
    # the query's head (up to GROUP BY) depends on the as-of day only: drawn once with the frame; the
    # conditions below it move with the controls (one animated text: little to draw at each update)
    head_lines = selection_sql(as_of).split("\n")
    cut = head_lines.index("GROUP BY customer_id") + 1
    head = text_ax.text(0.0, 0.97, "\n".join(head_lines[:cut]), family="monospace", fontsize=9.5, va="top",
                        ha="left", transform=text_ax.transAxes)
    query_text = text_ax.annotate("", xy=(0, 0), xycoords=head, xytext=(0, -1.5), textcoords="offset points",
                                  family="monospace", fontsize=9.5, va="top", ha="left", animated=True)
    names = list(lifecycle.OBSERVABLE_STAGES)
    x = np.arange(len(names))
    colours = ["#90caf9", "#2e7d32", "#f9a825", "#c62828"]
    everyone = stages.value_counts().reindex(names, fill_value=0).to_numpy(dtype=float)
    # every buyer of the stage, pale behind the matched ones: a fixed frame (the y limit does not move)
    bars(ax, x, everyone, color=colours, alpha=0.25)
    matched = bars(ax, x, np.zeros(len(x)), color=colours, animated=True)
    ax.set_xticks(x, names)
    ax.set_ylim(nice_limits(0, everyone.max()))
    ax.set_title("Matched (dark) of all in the stage (pale)", fontsize=12)
    ax.set(xlim=(-0.6, len(x) - 0.4), xlabel="lifecycle stage on the as-of day", ylabel="customers")
    ax.yaxis.set_label_coords(-0.16, 0.5)
    headline = fig.suptitle("", fontsize=14, animated=True)

    def update(silent_days: int, min_orders: int, min_spend: float, channel: str) -> None:
        r = run_selection(con, as_of, silent_days=silent_days, min_orders=min_orders, min_spend=min_spend,
                          channel=channel, stages=stages)
        lines = r["sql"].split("\n")
        if lines[:cut] != head_lines[:cut]:
            raise AssertionError("the query's head changed with the controls")   # never: selection_sql's layout
        query_text.set_text("\n".join(lines[cut:]))
        counts = r["by_stage"].to_numpy(dtype=float)
        matched.set_verts(bar_outlines(x, counts))
        headline.set_text(f"{r['customers']:,} customers match · they spent USD {r['spend']:,.0f} in total")

    return update


def draw(con, as_of, silent_days: int = lifecycle.DORMANT_AFTER_DAYS, min_orders: int = 1,
         min_spend: float = 0.0, channel: str = "any") -> None:
    """Show the explorer's figure once."""
    from crmlab.explore import display_figure

    display_figure(lambda fig: selection_figure(fig, con, as_of), silent_days=silent_days,
                   min_orders=min_orders, min_spend=min_spend, channel=channel)


def selection_explorer(con=None, as_of="2025-12-31"):
    """Sliders and a channel menu → the SQL text they build, and how many customers it returns, by stage.

    ``con`` defaults to the analyst's connection to the classroom dataset.
    """
    import ipywidgets as widgets

    from crmlab.explore import explorer
    from crmlab.sql import connect

    con = connect(analyst=True) if con is None else con
    style = {"description_width": "initial"}
    controls = {
        "silent_days": widgets.IntSlider(value=int(lifecycle.DORMANT_AFTER_DAYS), min=0, max=720, step=30,
                                         description="silent at least (days)", style=style),
        "min_orders": widgets.IntSlider(value=1, min=1, max=10, description="orders at least", style=style),
        "min_spend": widgets.IntSlider(value=0, min=0, max=2000, step=50, description="spent at least (USD)",
                                       style=style),
        "channel": widgets.Dropdown(options=list(CHANNELS), value="any", description="channel"),
    }
    return explorer(lambda fig: selection_figure(fig, con, as_of), controls,
                    title="A customer selection in SQL (analyst's views: no names, no birth dates, no cities)",
                    columns=2)
