"""Probabilistic customer lifetime value: BG/NBD, MBG/NBD, Gamma-Gamma.

A customer's future value = how many more purchases they will make (a purchase
model) × how much each purchase is worth (a spend model), discounted. The usual
workflow::

    from crmlab import clv
    summary = clv.summarize(tx, observation_end="1997-09-30", freq="W")
    bg = clv.BGNBD().fit(summary)             # purchases and dropout, in the summary's unit (bg.freq_)
    bg.summary                                # estimate, standard error, 95% interval per parameter
    bg.probability_alive(summary["frequency"], summary["recency"], summary["T"])
    bg.expected_purchases(52, summary["frequency"], summary["recency"], summary["T"])
    gg = clv.GammaGamma().fit(summary)        # spend per purchase (repeat buyers)
    clv.customer_lifetime_value(bg, gg, summary, horizon=52, discount_rate=0.002, freq="W")

The models follow scikit-learn and lifetimes: ``fit`` returns the model, what it
learned ends in ``_`` (``params_``, ``standard_errors_``, ``freq_``, …), and
``summary`` tabulates the estimates. A model with known parameters (published
estimates, a simulation's truth) is built with ``from_params``, e.g.
``clv.BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, freq="W")``.

Modules, one concept each: :mod:`~crmlab.clv.summary` (the RFM-like summary and
its conventions), :mod:`~crmlab.clv.bgnbd`, :mod:`~crmlab.clv.mbgnbd`,
:mod:`~crmlab.clv.gamma_gamma`, :mod:`~crmlab.clv.lifetime_value`,
:mod:`~crmlab.clv.hypergeometric` (the stable 2F1 term) and
:mod:`~crmlab.clv.fitting` (checks and maximum likelihood shared by the models).
"""
from crmlab.clv.bgnbd import BGNBD
from crmlab.clv.fitting import ConvergenceWarning
from crmlab.clv.gamma_gamma import GammaGamma, SpendFrequencyCorrelationWarning
from crmlab.clv.hypergeometric import expected_purchases_while_alive
from crmlab.clv.lifetime_value import customer_lifetime_value
from crmlab.clv.mbgnbd import MBGNBD
from crmlab.clv.summary import HoldoutOnlyWarning, summarize, time_unit

__all__ = [
    "summarize", "time_unit", "BGNBD", "MBGNBD", "GammaGamma", "customer_lifetime_value",
    "expected_purchases_while_alive", "HoldoutOnlyWarning", "SpendFrequencyCorrelationWarning",
    "ConvergenceWarning",
]
