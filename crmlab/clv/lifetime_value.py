"""Customer lifetime value from a purchase model and a spend model.

For each customer, with E[Y(k)] the expected purchases in the next k periods
(from a fitted :class:`~crmlab.clv.BGNBD` or :class:`~crmlab.clv.MBGNBD`) and
E[M] the expected spend per purchase (from a fitted
:class:`~crmlab.clv.GammaGamma`):

    CLV = margin · E[M] · Σ_{k=1..H} (E[Y(k)] - E[Y(k-1)]) / (1 + d)^k

— the purchases expected in period k, worth E[M] each, discounted k periods.
Time units are explicit: ``freq`` is the length of one period (``"W"``, ``"D"``,
``"4W"``, …), ``horizon`` H counts those periods and ``discount_rate`` d is the
rate *per period*. The purchase model's own time unit is the one of the summary
it was fitted on (``model.freq_``, from ``summary.attrs["freq"]`` set by
:func:`crmlab.clv.summarize`, or given to ``fit``/``from_params``). If the model
unit differs from ``freq``, period k ends at k · (period length / model unit)
model units — no hidden 30-day months.

The summary must be in the model's unit: a summary whose ``attrs["freq"]``
names another unit is refused (its recency and T would be read in the wrong
unit — a daily summary read as weeks makes every customer 7 times older). A
summary without ``attrs["freq"]`` (lost in a merge, say) is taken to be in the
model's unit.

Because E[Y(k)] = P(alive) · h(k), the sum is computed once per distinct
(frequency, T) and multiplied by each customer's P(alive).

Example
-------
A weekly discount rate of 0.2% is about 11% a year: 1.002^52 ≈ 1.11.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from crmlab.clv.bgnbd import BGNBD
from crmlab.clv.fitting import customer_arrays, unique_rows
from crmlab.clv.gamma_gamma import GammaGamma
from crmlab.clv.hypergeometric import expected_purchases_while_alive
from crmlab.clv.summary import time_unit
from crmlab.errors import CRMDataError, check_int, check_positive, check_probability

__all__ = ["customer_lifetime_value"]


def customer_lifetime_value(
    bgnbd: BGNBD,
    gamma_gamma: GammaGamma,
    summary: pd.DataFrame,
    horizon: int = 52,
    *,
    discount_rate: float,
    freq: str = "W",
    margin: float = 1.0,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary_value: str = "monetary_value",
) -> pd.Series:
    """Discounted expected value of each customer over the next ``horizon`` periods.

    Parameters
    ----------
    bgnbd : BGNBD or MBGNBD
        Fitted purchase model (or built with ``from_params``); its rates are per
        ``bgnbd.freq_``.
    gamma_gamma : GammaGamma
        Fitted spend model (or built with ``from_params``).
    summary : DataFrame
        Output of :func:`crmlab.clv.summarize` (or the same columns) in the
        purchase model's time unit; not modified.
    horizon : int
        Number of periods of length ``freq`` (≥ 1).
    discount_rate : float
        Discount rate per period of length ``freq`` (≥ 0), e.g. 0.002 per week.
    freq : str
        Length of one period: ``"W"`` (default), ``"D"``, ``"4W"``, …
    margin : float
        Share of spend that is profit (1.0 = value in revenue terms).

    Returns
    -------
    Series
        ``clv`` per customer, indexed like ``summary``.

    Raises
    ------
    CRMDataError
        Unfitted models, a bad horizon, rate or margin, a bad summary, or a
        summary in another time unit than the purchase model.

    Examples
    --------
    With the CDNOW estimates, customer 1 of the sample (x = 2, t_x = 30.43,
    T = 38.86 weeks, mean repeat spend 22.35) over 52 weeks with no discounting
    is worth about E[Y(52)] · E[M] ≈ 1.558 · 24.66 ≈ 38.4.
    """
    if not isinstance(bgnbd, BGNBD) or not hasattr(bgnbd, "params_"):
        raise CRMDataError("bgnbd", "must be a fitted BGNBD or MBGNBD model", detail=repr(bgnbd))
    if not isinstance(gamma_gamma, GammaGamma) or not hasattr(gamma_gamma, "params_"):
        raise CRMDataError("gamma_gamma", "must be a fitted GammaGamma model", detail=repr(gamma_gamma))
    horizon = check_int("horizon", horizon, minimum=1, what="a whole number of periods")   # "52" is refused
    d = check_positive("discount_rate", discount_rate, allow_zero=True)
    margin = check_probability("margin", margin, what="a margin (share of spend that is profit)")
    if not isinstance(summary, pd.DataFrame) or len(summary) == 0:
        raise CRMDataError(None, "summary must be a non-empty DataFrame")
    period = time_unit(freq)
    model_unit, summary_unit = bgnbd.freq_, summary.attrs.get("freq")
    if summary_unit is not None and time_unit(summary_unit) != time_unit(model_unit):
        raise CRMDataError("summary", "is in another time unit than the purchase model",
                           detail=f"the model was fitted in {model_unit!r} units, the summary is in "
                                  f"{summary_unit!r} units; summarise with freq={model_unit!r} or refit the model")
    step = period / time_unit(model_unit)            # model time units per period

    for col in (frequency, recency, T, monetary_value):
        if col not in summary.columns:
            raise CRMDataError(col, "missing column", detail=f"columns present: {list(summary.columns)}")
    x, tx, t_end = customer_arrays(summary[frequency], summary[recency], summary[T])
    spend = np.asarray(gamma_gamma.expected_spend(summary[frequency], summary[monetary_value]), dtype=float)
    alive = special.expit(-bgnbd._log_odds_dead(x, tx, t_end))

    # discounted purchases of a live customer, once per distinct (x, T)
    (xu, tu), inverse, _ = unique_rows(x.ravel(), t_end.ravel())
    ends = step * np.arange(0, horizon + 1, dtype=float)
    # (H+1, U): every (period end, customer type) pair is distinct, so no further grouping
    h = expected_purchases_while_alive(ends[:, None], *bgnbd.alive_posterior(xu[None, :], tu[None, :]))
    per_period = np.diff(h, axis=0)
    discount = (1.0 + d) ** -np.arange(1, horizon + 1, dtype=float)
    per_customer = (discount @ per_period)[inverse]
    return pd.Series(margin * spend * alive * per_customer, index=summary.index, name="clv")
