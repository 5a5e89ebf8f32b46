"""Chapter 10 explorer: target the customers a churn model ranks first.

A churn score ranks the customers; a campaign contacts the top share s of the
ranking. With n customers, the k = ⌈s · n⌉ highest scores are targeted and,
counting churners (customers with no purchase in the next year) among them:

    captured share = churners targeted / all churners
    precision      = churners targeted / k
    lift           = captured share / (k / n)

The left panel is the gains curve (captured share against the share
targeted; the diagonal is what a random list would capture) with the same
ranking's share of next year's *revenue* — the money a retention offer sent to
these customers would be protecting. The right panel is the lift curve.

The ranking and its running sums are computed once (:func:`targeting_curves`);
moving the slider only looks up row k (:func:`targeting`).

Example
-------
>>> import pandas as pd
>>> score = pd.Series([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
>>> churned = pd.Series([1, 1, 0, 1, 0, 0, 0, 0, 0, 0])
>>> revenue = pd.Series([0, 0, 50, 0, 10, 10, 10, 10, 10, 0.0])
>>> t = targeting(targeting_curves(score, churned, revenue), 0.2)
>>> t["targeted"], t["churners"], round(t["captured_share"], 3), t["precision"], round(t["lift"], 3)
(2, 2, 0.667, 1.0, 3.333)
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crmlab import predict
from crmlab.errors import CRMDataError, check_number

__all__ = ["targeting_curves", "targeting", "classroom_scores", "targeting_figure", "draw_targeting",
           "targeting_explorer"]


def targeting_curves(score: pd.Series, churned: pd.Series, revenue: pd.Series) -> pd.DataFrame:
    """Running totals down the ranking by ``score`` (highest first; ties by customer id).

    Returns
    -------
    DataFrame indexed by k = 0, 1, …, n (customers targeted)
        ``share`` (k / n), ``churners`` (churners among the first k),
        ``captured_share``, ``revenue_share`` (share of the next-year revenue held
        by the first k) and ``min_score`` (the k-th score: the threshold; NaN at k = 0).
    """
    n = len(score)
    if n == 0:
        raise CRMDataError("score", "no customers to rank")
    per_one = predict.gains_table(score, churned.astype(float), bins=n)    # one customer per bin, in rank order
    money = predict.gains_table(score, revenue.astype(float), bins=n)
    k = np.arange(n + 1)
    churners = np.concatenate([[0.0], per_one["captured"].cumsum().to_numpy()])
    total = churners[-1]
    revenue_share = np.concatenate([[0.0], money["cum_captured_share"].to_numpy(dtype=float)])
    out = pd.DataFrame({
        "share": k / n,
        "churners": churners.astype("int64"),
        "captured_share": churners / total if total > 0 else np.zeros(n + 1),
        "revenue_share": revenue_share,
        "min_score": np.concatenate([[np.nan], per_one["min_score"].to_numpy(dtype=float)]),
    }, index=pd.RangeIndex(n + 1, name="k"))
    return out


def targeting(curves: pd.DataFrame, share: float) -> dict:
    """What targeting the top ``share`` of the ranking gives (formulas in the module docstring).

    Returns a dict: ``targeted`` (k), ``churners``, ``captured_share``,
    ``precision``, ``lift``, ``revenue_share`` and ``threshold`` (the lowest
    score targeted).
    """
    share = check_number("share", share, minimum=0.0, maximum=1.0)
    n = len(curves) - 1
    k = math.ceil(share * n - 1e-9)
    if k == 0:
        raise CRMDataError("share", "targets nobody", detail=f"share={share}, customers={n}")
    row = curves.iloc[k]
    return {"targeted": int(k), "churners": int(row["churners"]), "captured_share": float(row["captured_share"]),
            "precision": float(row["churners"]) / k, "lift": float(row["captured_share"]) / (k / n),
            "revenue_share": float(row["revenue_share"]), "threshold": float(row["min_score"])}


def classroom_scores(data=None, *, model: str = "gradient boosting", random_state: int = 0) -> pd.DataFrame:
    """The chapter's set-up on the classroom log: train at 2024-12-31 on 2025, score at 2025-12-31.

    Returns the test customers with ``score`` (P(no purchase in 2026) from
    ``model``, one of :func:`crmlab.predict.churn_models`), ``churned`` (no
    purchase in 2026, from the truth's holdout) and ``revenue`` (2026 revenue).
    """
    if data is None:
        import crmlab.data

        data = crmlab.data.classroom()
    end = pd.Timestamp(data.card["observation_end"]).normalize()
    split = predict.time_split(data.transactions, end - pd.DateOffset(years=1), end, service=data.service,
                               truth=data.truth)
    models = predict.fit_churn_models(split.train, random_state=random_state)
    if model not in models:
        raise CRMDataError("model", "unknown model", detail=f"got {model!r}; one of {list(models)}")
    scores = predict.churn_scores({model: models[model]}, split.test)
    return pd.DataFrame({"score": scores[model], "churned": split.test["no_purchase"].astype("int64"),
                         "revenue": split.test["next_revenue"]})


def targeting_figure(fig, curves: pd.DataFrame):
    """Set up the gains and lift panels; returns ``update(share)``."""
    fig.subplots_adjust(left=0.08, right=0.97, bottom=0.14, top=0.80, wspace=0.28)
    ax, bx = fig.subplots(1, 2)
    x = curves["share"].to_numpy()
    ax.plot([0, 1], [0, 1], color="0.6", ls=":", lw=1.5, label="random list")
    ax.plot(x, curves["captured_share"], color="C3", lw=2.5, label="churners captured")
    ax.plot(x, curves["revenue_share"], color="C0", lw=2, ls="--", label="next-year revenue held")
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="share of customers targeted (highest risk first)",
           ylabel="cumulative share")
    cut = ax.axvline(0, color="0.3", lw=1.2, animated=True)
    (dots,) = ax.plot([], [], "o", color="k", ms=7, animated=True)
    left_title = ax.set_title("", animated=True, fontsize=12)

    n = len(curves) - 1
    lift = np.divide(curves["captured_share"].to_numpy(), x, out=np.full(n + 1, np.nan), where=x > 0)
    bx.plot(x[1:], lift[1:], color="C3", lw=2.5)
    bx.axhline(1.0, color="0.6", ls=":", lw=1.5)
    top = float(np.nanmax(lift[max(1, n // 100):]))
    bx.set(xlim=(0, 1), ylim=(0, math.ceil(top + 0.5)), xlabel="share of customers targeted",
           ylabel="lift (× a random list)")
    (here,) = bx.plot([], [], "o", color="k", ms=8, animated=True)
    right_title = bx.set_title("", animated=True, fontsize=12)
    # the legend of both panels sits in the lift panel's empty upper right, off every curve
    bx.legend(*ax.get_legend_handles_labels(), loc="upper right", fontsize=10, frameon=False)
    fig.suptitle("Target the top of the churn ranking: what the list holds", fontsize=13)

    def update(share: float) -> None:
        t = targeting(curves, share)
        s = t["targeted"] / n
        cut.set_xdata([s, s])
        dots.set_data([s, s], [t["captured_share"], t["revenue_share"]])
        here.set_data([s], [t["lift"]])
        left_title.set_text(f"{t['targeted']:,} targeted: {t['churners']:,} churners ({t['captured_share']:.0%} "
                            f"of all)\nprecision {t['precision']:.0%} · revenue held {t['revenue_share']:.0%}")
        right_title.set_text(f"lift {t['lift']:.2f}\nscore ≥ {t['threshold']:.2f}")

    return update


def draw_targeting(curves: pd.DataFrame, share: float = 0.2) -> None:
    """Show the explorer's figure once (no controls)."""
    from crmlab.explore import display_figure

    display_figure(lambda fig: targeting_figure(fig, curves), share=share)


def targeting_explorer(curves: pd.DataFrame, share: float = 0.2):
    """A slider on the share targeted → churners captured, precision, lift, revenue held."""
    import ipywidgets as widgets

    from crmlab.explore import explorer

    controls = {"share": widgets.FloatSlider(value=share, min=0.05, max=1.0, step=0.05, readout_format=".0%",
                                             description="share targeted", style={"description_width": "initial"},
                                             continuous_update=False)}
    return explorer(lambda fig: targeting_figure(fig, curves), controls, title="Who to target against churn")
