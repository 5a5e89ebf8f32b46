"""Chapter 04 explorer: RFM scores at a chosen date, and a simulated test mailing.

Two pure compute functions, tested without a browser:

* :func:`rfm_snapshot` — the RFM picture as it looked on an ``as_of`` date:
  customers per (R score, F score) square, their mean monetary value, and the
  share of customers and of money in each recency score;
* :func:`simulate_mailing`, :func:`cell_results`, :func:`rollout_outcome` — a
  Hughes test-and-roll-out with a no-mail **control** cell on a transaction
  log. A *response* is defined from behaviour: a customer responds when they
  place an order in the ``window_days`` after the mail date. A random, seeded
  ``test_share`` of the customers is the (mailed) test group, a random
  ``control_share`` the control group that gets nothing, and the rest the
  roll-out group. The **incremental response rate** = response rate of the
  mailed − response rate of the control. A log with no catalogue in it had no
  mailing at all, so there mailed and control respond alike and the
  incremental rate is zero up to chance: "response" without a control is not
  an effect of the mailing.

and one widget, :func:`rfm_explorer` (as-of date, bins, monetary definition).

Example
-------
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3], "amount": [10., 30., 5., 8.],
...                    "date": ["2024-01-05", "2024-03-01", "2024-02-01", "2024-04-20"]})
>>> snap = rfm_snapshot(tx, "2024-03-31", bins=2)   # customer 3 has not bought yet
>>> int(snap["customers"]), snap["grid"].to_numpy().tolist()
(2, [[1, 0], [0, 1]])
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import rfm
from crmlab.data import end_of_day, resolve_as_of, select_transactions
from crmlab.errors import CRMDataError, check_positive, check_probability
from crmlab import explore as _explore
from crmlab.explore import explorer
from crmlab.plots import text_colour

__all__ = ["rfm_snapshot", "simulate_mailing", "cell_results", "plan_rollout", "rollout_outcome",
           "month_ends", "rfm_figure", "draw", "rfm_explorer"]


def _upto(tx: pd.DataFrame, as_of: pd.Timestamp, date: str, *, whole_day: bool = True) -> pd.DataFrame:
    """Orders up to ``as_of``: its whole day (the as-of rule of rfm_table), or up to the instant."""
    upto = tx[tx[date] < end_of_day(as_of)] if whole_day else tx[tx[date] <= as_of]
    if len(upto) == 0:
        raise CRMDataError("as_of", "no purchase on or before this date", detail=f"as_of={as_of.date()}")
    return upto


def rfm_snapshot(
    tx: pd.DataFrame,
    as_of,
    *,
    bins: int = 5,
    monetary: str = "total",
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
) -> dict:
    """The RFM picture of the customers who had bought by ``as_of``.

    Orders after ``as_of`` are the future seen from that date and are left out;
    then :func:`crmlab.rfm.rfm_table` scores the rest.

    Parameters
    ----------
    tx : DataFrame
        Transactions (never modified).
    as_of : date-like
        Analysis date.
    bins : int
        Score levels (5 = quintiles).
    monetary : {"total", "mean"}
        Monetary value as total or mean spend per order.

    Returns
    -------
    dict
        ``customers`` (int), ``as_of`` (Timestamp), ``table`` (the RFM table),
        ``grid`` (DataFrame, R score rows × F score columns: customers per
        square, every score 1..bins present), ``mean_m`` (same shape: mean
        monetary value, NaN in empty squares), ``by_r`` (DataFrame indexed by R
        score: ``customer_share`` and ``money_share`` = Σ M in that score / Σ M).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 2], "amount": [10., 30.],
    ...                    "date": ["2024-01-01", "2024-02-01"]})
    >>> rfm_snapshot(tx, "2024-02-10", bins=2)["by_r"]["money_share"].tolist()   # 10/40, 30/40
    [0.25, 0.75]
    """
    if as_of is None:
        raise CRMDataError("as_of", "an analysis date is needed", detail="got None")
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=None)
    cutoff = resolve_as_of(as_of, t[date])
    table = rfm.rfm_of_valid(_upto(t, cutoff, date), cutoff, customer=customer, date=date, amount=amount,
                             monetary=monetary, bins=bins)
    b = int(bins)
    rows, cols = pd.RangeIndex(1, b + 1, name="r_score"), pd.RangeIndex(1, b + 1, name="f_score")
    r, f = table["r_score"].to_numpy(), table["f_score"].to_numpy()
    money = table["monetary"].to_numpy(dtype=float)
    square = (r - 1) * b + (f - 1)                     # one number per (R, F) square, row by row
    counts = np.bincount(square, minlength=b * b).reshape(b, b)
    sums = np.bincount(square, weights=money, minlength=b * b).reshape(b, b)
    grid = pd.DataFrame(counts.astype(np.int64), index=rows, columns=cols)
    mean_m = pd.DataFrame(np.divide(sums, counts, out=np.full((b, b), np.nan), where=counts > 0),
                          index=rows, columns=cols)
    by_r = pd.DataFrame({"customer_share": np.bincount(r - 1, minlength=b) / len(table),
                         "money_share": np.bincount(r - 1, weights=money, minlength=b) / money.sum()},
                        index=pd.RangeIndex(1, b + 1, name="r_score"))
    return {"customers": int(len(table)), "as_of": cutoff, "table": table, "grid": grid, "mean_m": mean_m,
            "by_r": by_r}


def simulate_mailing(
    tx: pd.DataFrame,
    mail_date,
    *,
    window_days: float = 30,
    test_share: float = 0.10,
    control_share: float = 0.10,
    seed: int = 0,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:
    """A test mailing with a no-mail control group, simulated on a transaction log.

    Every customer who bought on or before ``mail_date`` is on the mailing list.
    The list is shuffled with ``numpy.random.default_rng(seed)``: the first
    ``round(test_share · n)`` customers are the *test* group (mailed), the next
    ``round(control_share · n)`` the *control* group (held out: not mailed), the
    others the *roll-out* group. A customer **responds** when they order in the
    window ``(mail_date, mail_date + window_days]``; the response value is what
    they spend in that window.

    The log itself decides who orders, so the mailing here changes nobody's
    behaviour: whatever the groups' response rates, their difference is chance.
    That is the point of the control group — it measures the orders that
    would have come anyway.

    Parameters
    ----------
    tx : DataFrame
        Transactions (never modified); they must reach past the window.
    mail_date : date-like
        The day the catalogue goes out.
    window_days : float
        Days a response is counted after the mail date.
    test_share, control_share : float
        Shares of the mailing list in the test and control groups; both > 0 and
        together < 1 (the rest is the roll-out group).
    seed : int
        Seed of the random split (same seed → same groups).

    Returns
    -------
    DataFrame indexed by customer
        ``group`` ("test", "control" or "rollout"), ``mailed`` (bool: not in
        the control group), ``responded`` (bool), ``response_value`` (money
        spent in the window, 0 when no response).

    Raises
    ------
    CRMDataError
        If the window runs past the last date in ``tx`` (a late response could
        not be seen) or a parameter is out of range.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2, 3], "amount": [5., 8., 20., 7.],
    ...                    "date": ["2024-01-01", "2024-01-02", "2024-02-10", "2024-01-03"]})
    >>> m = simulate_mailing(tx, "2024-01-31", window_days=10, test_share=0.34, control_share=0.33, seed=1)
    >>> sorted(m["group"]), m["responded"].tolist()   # 2 buys on 10 Feb, inside the window
    (['control', 'rollout', 'test'], [False, True, False])
    """
    w = check_positive("window_days", window_days)
    share = check_probability("test_share", test_share)
    held = check_probability("control_share", control_share)
    for name, value, given in (("test_share", share, test_share), ("control_share", held, control_share)):
        if not 0 < value < 1:
            raise CRMDataError(name, "must lie strictly between 0 and 1", detail=f"got {given!r}")
    if share + held >= 1:
        raise CRMDataError("control_share", "test_share + control_share must be < 1 (a roll-out group is left)",
                           detail=f"{test_share!r} + {control_share!r}")
    t = select_transactions(tx, customer=customer, date=date, amount=amount, order_id=None)
    mail = resolve_as_of(mail_date, t[date])
    stop = mail + pd.Timedelta(days=w)
    last = t[date].max()
    if stop > last:
        raise CRMDataError("window_days", "response window runs past the last transaction",
                           detail=f"mail_date + window = {stop.date()} > last date {last.date()}")
    listed = pd.Index(np.sort(_upto(t, mail, date, whole_day=False)[customer].unique()), name=customer)
    n = len(listed)
    n_test, n_control = int(round(share * n)), int(round(held * n))
    for name, size in (("test_share", n_test), ("control_share", n_control), ("test_share", n - n_test - n_control)):
        if size <= 0:
            raise CRMDataError(name, "gives an empty test, control or roll-out group",
                               detail=f"{n} customers: test {n_test}, control {n_control}")
    order = np.random.default_rng(seed).permutation(n)
    group = np.full(n, "rollout", dtype=object)
    group[order[:n_test]] = "test"
    group[order[n_test:n_test + n_control]] = "control"
    window = t[(t[date] > mail) & (t[date] <= stop)]
    value = window.groupby(customer)[amount].sum().reindex(listed, fill_value=0.0)
    out = pd.DataFrame({"group": group.astype(str), "mailed": group != "control",
                        "responded": value.to_numpy() > 0,
                        "response_value": value.to_numpy(dtype=float)}, index=listed)
    out["group"] = out["group"].astype(str)
    out.attrs.update(mail_date=mail, window_days=w, seed=seed)
    return out


def _counts(part: pd.DataFrame, cells: pd.Series) -> pd.DataFrame:
    missing = part.index.difference(cells.index)
    if len(missing):
        raise CRMDataError("cells", "no RFM cell for customer on the mailing list", list(missing))
    g = part["responded"].groupby(cells.reindex(part.index).astype(str).to_numpy())
    return pd.DataFrame({"n": g.size().astype(np.int64), "responses": g.sum().astype(np.int64)})


def cell_results(mailing: pd.DataFrame, cells: pd.Series, group: str = "test") -> pd.DataFrame:
    """Response per RFM cell in one mailed group, beside the held-out control group.

    ``incremental_rate = responses / mailed − control_responses / held_out``
    per cell: the response the mailing added over what the control cell did
    anyway. A cell with nobody in the control group has no control rate (NaN).

    Parameters
    ----------
    mailing : DataFrame
        From :func:`simulate_mailing`.
    cells : Series
        RFM cell code per customer (``rfm_table(...)["cell"]`` at the mail date);
        every customer on the list needs one.
    group : {"test", "rollout"}
        The mailed group counted in ``mailed`` and ``responses``.

    Returns
    -------
    DataFrame indexed by cell (every cell of the group)
        ``mailed``, ``responses``, ``response_rate``, ``held_out``,
        ``control_responses``, ``control_rate``, ``incremental_rate``.

    Example
    -------
    >>> m = pd.DataFrame({"group": ["test"] * 3 + ["control"] * 2, "responded": [True, False, True, True, False],
    ...                   "response_value": 0.}, index=[1, 2, 3, 4, 5])
    >>> res = cell_results(m, pd.Series({1: "555", 2: "555", 3: "111", 4: "555", 5: "111"}))
    >>> res["incremental_rate"].to_dict()   # 111: 1/1 − 0/1;  555: 1/2 − 1/1
    {'111': 1.0, '555': -0.5}
    """
    if group not in ("test", "rollout"):
        raise CRMDataError("group", "must be 'test' or 'rollout' (a mailed group)", detail=f"got {group!r}")
    mailed = _counts(mailing[mailing["group"] == group], cells)
    control = _counts(mailing[mailing["group"] == "control"], cells).reindex(mailed.index, fill_value=0)
    out = pd.DataFrame({"mailed": mailed["n"], "responses": mailed["responses"],
                        "response_rate": mailed["responses"] / mailed["n"],
                        "held_out": control["n"].astype(np.int64),
                        "control_responses": control["responses"].astype(np.int64)})
    out["control_rate"] = out["control_responses"] / out["held_out"].where(out["held_out"] > 0)
    out["incremental_rate"] = out["response_rate"] - out["control_rate"]
    out.index.name = "cell"
    return out


def plan_rollout(
    mailing: pd.DataFrame,
    cells: pd.Series,
    cost_per_contact: float,
    margin_per_response: float,
) -> rfm.RolloutPlan:
    """Hughes' roll-out decision from a simulated test mailing, on incremental response.

    The test group's and the control group's responses per cell
    (:func:`cell_results`) go into :func:`crmlab.rfm.rollout` with the
    roll-out group's cell sizes (a tested cell with nobody left in the roll-out
    group gets size 0).

    Example
    -------
    >>> m = pd.DataFrame({"group": ["test", "test", "control", "control", "rollout", "rollout"],
    ...                   "responded": [True, False, False, False, False, False],
    ...                   "response_value": 0.}, index=[1, 2, 3, 4, 5, 6])
    >>> cells = pd.Series({1: "555", 2: "111", 3: "555", 4: "111", 5: "555", 6: "555"})
    >>> plan = plan_rollout(m, cells, 1.0, 10.0)   # 555: 1/1 − 0/1 = 1 > 0.1 → 2 · (1 · 10 − 1) = 18
    >>> plan.cells, plan.expected_profit
    (['555'], 18.0)
    """
    tested = cell_results(mailing, cells, group="test")
    sizes = _counts(mailing[mailing["group"] == "rollout"], cells)["n"].reindex(tested.index, fill_value=0)
    return rfm.rollout(tested, cost_per_contact, margin_per_response, sizes)


def rollout_outcome(
    mailing: pd.DataFrame,
    cells: pd.Series,
    chosen: list,
    cost_per_contact: float,
    margin_per_response: float,
) -> pd.DataFrame:
    """The roll-out group, chosen cells vs everyone: profit as credited and as incremental.

    For the roll-out group's customers in the chosen cells (and for all of them):

    * ``credited_profit = responses · margin − mailed · cost`` — every order in
      the window counted as caused by the mailing (no control);
    * ``expected_without_mail = Σ_cells mailed · control_rate`` — what the
      control cells say these customers would have ordered anyway (a cell with
      no control customers uses the control group's overall rate);
    * ``incremental_responses = responses − expected_without_mail`` and
      ``incremental_profit = incremental_responses · margin − mailed · cost``.

    Returns
    -------
    DataFrame with rows ``chosen cells`` and ``everyone`` and columns
        ``mailed``, ``responses``, ``response_rate``, ``control_rate``
        (= expected_without_mail / mailed), ``incremental_responses``,
        ``credited_profit``, ``incremental_profit``.

    Example
    -------
    >>> m = pd.DataFrame({"group": ["rollout"] * 4 + ["control"] * 2, "responded": [True, True, False, False, True, False],
    ...                   "response_value": 0.}, index=[1, 2, 3, 4, 5, 6])
    >>> cells = pd.Series({1: "555", 2: "555", 3: "111", 4: "111", 5: "555", 6: "111"})
    >>> out = rollout_outcome(m, cells, ["555"], 1.0, 10.0)
    >>> out["credited_profit"].tolist(), out["incremental_profit"].tolist()   # 2·10−2; (2−2·1)·10−2 | 2·10−4; (2−2)·10−4
    ([18.0, 16.0], [-2.0, -4.0])
    """
    cost = check_positive("cost_per_contact", cost_per_contact, allow_zero=True)
    margin = check_positive("margin_per_response", margin_per_response)
    if not (mailing["group"] == "control").any():
        raise CRMDataError("mailing", "has no control group", detail="groups: " + ", ".join(mailing["group"].unique()))
    res = cell_results(mailing, cells, group="rollout")
    overall = res["control_responses"].sum() / res["held_out"].sum()
    expected = res["mailed"] * res["control_rate"].fillna(overall)
    rows = {}
    for name, keep in (("chosen cells", res.index.isin([str(c) for c in chosen])), ("everyone", np.ones(len(res), bool))):
        mailed, responses = int(res.loc[keep, "mailed"].sum()), int(res.loc[keep, "responses"].sum())
        anyway = float(expected[keep].sum())
        rows[name] = {"mailed": mailed, "responses": responses,
                      "response_rate": responses / mailed if mailed else float("nan"),
                      "control_rate": anyway / mailed if mailed else float("nan"),
                      "incremental_responses": responses - anyway,
                      "credited_profit": responses * margin - mailed * cost,
                      "incremental_profit": (responses - anyway) * margin - mailed * cost}
    return pd.DataFrame.from_dict(rows, orient="index")


def month_ends(tx: pd.DataFrame, *, date: str = "date", skip_months: int = 3) -> list[pd.Timestamp]:
    """As-of choices for the widget: month ends inside the log, then its last date.

    The first ``skip_months`` month ends are left out (too few customers yet)
    when the log is long enough to spare them.

    Example
    -------
    >>> tx = pd.DataFrame({"date": pd.to_datetime(["2024-01-05", "2024-03-10"])})
    >>> [f"{d:%m-%d}" for d in month_ends(tx, skip_months=1)]
    ['02-29', '03-10']
    """
    d = pd.to_datetime(tx[date])
    ends = list(pd.date_range(d.min().normalize(), d.max(), freq="ME"))
    if len(ends) > skip_months:
        ends = ends[skip_months:]
    if not ends or ends[-1] < d.max():
        ends.append(pd.Timestamp(d.max()))
    return ends


#: the most score levels whose squares are labelled with their counts (each text costs ~1 ms per update)
COUNTED_LEVELS = 6
_MAX_BINS = 9


def rfm_figure(fig, tx: pd.DataFrame):
    """Set up the R-F squares and the share panel; returns ``update(as_of, bins, monetary)``.

    Left: customers per (R, F) square, coloured by their number and, up to
    :data:`COUNTED_LEVELS` score levels, labelled with it (no colour bar: every
    extra axis costs render time). Right: each R score's share of customers and
    of money. Scores sit at fixed places in 0..1, labelled by ticks: the frame is
    drawn again only when the bins change, not when the date or M moves.
    """
    from matplotlib.collections import PolyCollection

    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.25)  # fixed: tight_layout costs ~0.1 s
    ax1, ax2 = fig.subplots(1, 2)
    squares = PolyCollection([], cmap="Blues", linewidths=0, animated=True)
    ax1.add_collection(squares)
    counts_text = [ax1.text(0, 0, "", ha="center", va="center", animated=True) for _ in range(_MAX_BINS ** 2)]
    # axis labels that hold at any number of bins (the frame is not redrawn when only the bins move)
    ax1.set(xlim=(0, 1), ylim=(0, 1), xlabel="F score (higher = more orders)",
            ylabel="R score (higher = more recent)")
    title1 = ax1.set_title("", fontsize=13, animated=True)
    people = _explore.bars(ax2, [0], [0], label="share of customers", color="#90a4ae", animated=True)
    money = _explore.bars(ax2, [0], [0], label="share of M", color="#1565c0", animated=True)
    ax2.set(xlim=(0, 1), xlabel="R score (higher = more recent)", ylabel="share (%)")
    for ax, axis in ((ax1, "both"), (ax2, "x")):
        ax.tick_params(axis=axis, length=0)            # scores label the squares' centres: no tick marks
    title2 = ax2.set_title("", fontsize=13, animated=True)
    legend = ax2.legend(loc="upper left")
    legend.set_animated(True)                           # its label names the monetary definition

    def update(as_of, bins: int, monetary: str) -> None:
        snap = rfm_snapshot(tx, as_of, bins=bins, monetary=monetary)
        grid, by_r = snap["grid"], snap["by_r"]
        counts = grid.to_numpy()
        edges = np.linspace(0.0, 1.0, bins + 1)
        centres, step = (edges[:-1] + edges[1:]) / 2, 1.0 / bins
        rows, cols = np.divmod(np.arange(bins * bins), bins)       # square k: R score row, F score column
        squares.set_verts(_explore.bar_outlines(centres[cols], np.full(bins * bins, step), width=step,
                                                bottom=edges[rows]))
        squares.set_array(counts.ravel())
        squares.set_clim(0, max(int(counts.max()), 1) * 1.3)
        fills = squares.to_rgba(counts.ravel())                    # each square's colour, for its text
        shown = bins <= COUNTED_LEVELS
        for k, text in enumerate(counts_text):
            text.set_visible(shown and k < bins * bins and counts.flat[k] > 0)
            if text.get_visible():
                text.set_position((centres[cols[k]], centres[rows[k]]))
                text.set_text(f"{counts.flat[k]}")
                text.set_fontsize(12 if bins <= 5 else 10)
                text.set_color(text_colour(fills[k]))               # white on dark squares, black on light
        # the scores as tick labels: part of the frame, drawn again only when the bins change
        ax1.set_xticks(centres, [str(k) for k in grid.columns])
        ax1.set_yticks(centres, [str(k) for k in grid.index])
        ax2.set_xticks(centres, [str(k) for k in by_r.index])
        most = "" if shown else f"; darkest {int(counts.max()):,}"
        title1.set_text(f"Customers per R-F square, {snap['as_of']:%Y-%m-%d}{most}")
        people.set_verts(_explore.bar_outlines(centres - 0.2 * step, by_r["customer_share"] * 100, width=0.4 * step))
        money.set_verts(_explore.bar_outlines(centres + 0.2 * step, by_r["money_share"] * 100, width=0.4 * step))
        what = "total spend" if monetary == "total" else "spend per order"
        legend.get_texts()[1].set_text(f"share of M ({what})")
        top = 100 * max(by_r["customer_share"].max(), by_r["money_share"].max())
        ax2.set_ylim(_explore.nice_limits(0, top, steps=(1, 2.5, 5, 10)))   # 25, 50 or 100 %: a still frame
        n = snap["customers"]
        title2.set_text(f"{n:,} customer{'s' if n != 1 else ''}, {bins} score levels")

    return update


def draw(tx: pd.DataFrame, as_of, bins: int = 5, monetary: str = "total") -> None:
    """Show the explorer's figure once for these values."""
    _explore.display_figure(lambda fig: rfm_figure(fig, tx), as_of=as_of, bins=bins, monetary=monetary)


def rfm_explorer(tx: pd.DataFrame, *, date: str = "date", currency: str = "$"):
    """Widget: move the as-of date, the number of bins and the monetary definition.

    Returns the ipywidgets box (display it as the last line of a cell).
    """
    import ipywidgets as widgets

    t = select_transactions(tx, order_id=None, date=date)
    ends = month_ends(t, date=date)
    as_of = widgets.SelectionSlider(options=[(f"{d:%Y-%m-%d}", d) for d in ends], value=ends[-1],
                                    description="as of", continuous_update=False,
                                    layout=widgets.Layout(width="420px"))
    bins = widgets.IntSlider(value=5, min=3, max=9, description="bins", continuous_update=False)
    monetary = widgets.ToggleButtons(options=[("total", "total"), ("mean per order", "mean")],
                                     value="total", description="monetary",
                                     style={"button_width": "135px"})
    return explorer(lambda fig: rfm_figure(fig, t), {"as_of": as_of, "bins": bins, "monetary": monetary},
                    title="RFM at a date: move the date, the bins and the monetary definition")
