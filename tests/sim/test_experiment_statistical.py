"""Statistical test: a strategy with a known injected effect, interval coverage and
common random numbers.

The injected effect: contacted customers' dropout hazard × 0.8 (the scenario's
``contact_dropout_multiplier``), with every other effect of a contact switched
off (no satisfaction gain, no immediate order), so the strategy "contact each
new customer once" changes the market only through that multiplier.

How the test is sized, and what "covers in ≥ 95 % of seeds" means here
----------------------------------------------------------------------
We run :func:`sim.compare` (``summarize_replications(run_comparison(...))``) with 30 different
experiment seeds, 4 paired replications each, in a small fast market (200 people, 1 year, quick
acquisition and a high base dropout so that the effect is visible): 240 runs,
about 30 s. The true effect has no closed form (churn feeds back into word of
mouth and acquisition), so for seed g we take as truth the mean paired
difference over the *other* 29 seeds (116 replications, independent of seed
g): its standard error is √(4/116) ≈ 0.19 of the spread of one seed's
estimate, so it barely moves the coverage (94.5 % instead of 95 % for an exact
interval).

A correctly calibrated 95 % interval misses in 5 % of seeds, so the number of
misses out of 30 is Binomial(30, 0.05): requiring literally 0 or 1 miss
(≥ 95 % observed) would fail a perfect interval 45 % of the time. We assert at
most 5 misses (≥ 25/30 observed), which a correct interval breaks with
probability 0.3 % (0.5 % at the 94.5 % the noisy reference allows), while an
interval that really covers only 80 % fails it more often than not. We also
require that the effect is real (the pooled paired interval of all 120
replications excludes 0), so the test cannot pass vacuously.

Common random numbers: pairing replication i of both strategies (same seed)
against pairing replication i with replication i + 1 of the other arm
(independent seeds) — the variance of the revenue and profit differences must
at least halve (it drops about four- to five-fold in this market; with 120
pairs the ratio of two sample variances is known to within about ±30 %).
"""
import numpy as np
import pytest
from scipy import stats

import sim
from sim.experiment import run_comparison, summarize_replications
from sim.strategies import Contact, NoAction, Strategy

SEEDS = 30
N = 4


class ContactNewCustomers(Strategy):
    """Contact every customer once, in the first week they are a customer."""

    name = "contact new customers"

    def __init__(self):
        self.contacted: set[int] = set()

    def decide(self, today, log):
        stage = log.current_stage()
        new = [c for c in stage.index[stage.to_numpy() == "customer"].tolist() if c not in self.contacted]
        self.contacted.update(new)
        return [Contact(c, "welcome") for c in new]


@pytest.mark.slow
def test_injected_effect_is_covered_and_crn_reduces_variance():
    cfg = sim.scenario("classroom", contact_dropout_multiplier=0.8, contact_response=0.0, contact_satisfaction=0.0,
                       reach_per_year=3.0, dropout_per_year=1.0, ticket_rate_per_year=0.0,
                       survey_rate_per_year=0.0, holdout_years=0.1)
    strategies = {"none": NoAction(), "contact": ContactNewCustomers()}
    kpis = ["true_churn_rate", "revenue"]
    estimates = {k: [] for k in kpis}   # (diff_mean, ci_low, ci_high) per seed
    diffs = {k: [] for k in kpis}       # paired differences per seed
    arms = {"none": [], "contact": []}  # revenue per replication, for the CRN check
    for seed in range(SEEDS):
        reps = run_comparison(cfg, strategies, n=N, seed=1000 + seed, customers=200, years=1, progress=False)
        res = summarize_replications(reps)            # what sim.compare(...) returns
        row = res[res["strategy"] == "contact"].set_index("kpi")
        for k in kpis:
            estimates[k].append((row.loc[k, "diff_mean"], row.loc[k, "diff_ci_low"], row.loc[k, "diff_ci_high"]))
            diffs[k].append(reps.loc[reps.strategy == "contact", k].to_numpy()
                            - reps.loc[reps.strategy == "none", k].to_numpy())
        for arm in arms:
            arms[arm].append(reps.loc[reps.strategy == arm, ["revenue", "profit"]].to_numpy())

    for k in kpis:
        d = np.array(diffs[k])                                       # SEEDS × N
        pooled = d.ravel()
        half = stats.t.ppf(0.975, pooled.size - 1) * pooled.std(ddof=1) / np.sqrt(pooled.size)
        assert abs(pooled.mean()) > half, f"{k}: the injected effect is not visible ({pooled.mean():.4g} ± {half:.2g})"
        misses = 0
        for g, (_, low, high) in enumerate(estimates[k]):
            truth = np.delete(d, g, axis=0).mean()                   # leave-one-out reference
            misses += not (low <= truth <= high)
        assert misses <= 5, f"{k}: the 95% interval missed the true effect in {misses} of {SEEDS} seeds"

    # the contact lowers true churn (multiplier 0.8 < 1)
    assert np.mean(diffs["true_churn_rate"]) < 0

    none, contact = np.concatenate(arms["none"]), np.concatenate(arms["contact"])   # (SEEDS·N) × 2
    crn = np.var(contact - none, axis=0, ddof=1)
    independent = np.var(contact - np.roll(none, 1, axis=0), axis=0, ddof=1)
    assert (crn < 0.5 * independent).all(), f"CRN variance {crn} vs independent seeds {independent}"
