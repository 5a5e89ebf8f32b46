"""Experiments: replications, KPIs and strategy comparisons with confidence intervals.

One simulated market is one draw from a random world; a strategy's effect is
only believable over many replications. This module runs a scenario ``n``
times from one seed and reports key performance indicators (KPIs) with 95 %
confidence intervals:

* :func:`kpis` — the KPIs of one event log (revenue, profit, acquisition
  cost, active customers, retention, churn, …);
* :func:`run_replications` — one row of KPIs per replication;
* :func:`compare` — several strategies on the *same* replications (common
  random numbers) with the mean, a t-interval, the paired difference against
  the first strategy, its % uplift and the return on the money spent
  (:func:`run_comparison` gives the replications behind it,
  :func:`summarize_replications` turns them into the intervals);
* :func:`sweep` — one scenario parameter set to several values on the same
  replications, with paired differences against the first value
  (:func:`run_sweep` gives the replications).

Seeds. Replication ``i`` of an experiment with seed ``s`` uses the stream
``SeedSequence(s, spawn_key=(i,))`` — the ``i``-th child of
``SeedSequence(s).spawn(n)``. Every task rebuilds it from ``(s, i)``, so the
results never depend on which worker ran which task, or on how many workers
there were. Strategies compared with :func:`compare` see the same
replication seeds, hence the same customers, purchases and tickets as far as
their actions do not change them (the simulator keys its random streams by
customer and purpose): the paired difference then cancels most of the noise.

Parallel runs. ``executor=`` takes any :class:`concurrent.futures.Executor`:
``None`` runs serially in this process, a ``ProcessPoolExecutor`` uses the
machine's cores, and a Dask cluster's ``client.get_executor()`` spreads the
tasks over many machines. Tasks return a small dict of KPIs, never the log.
A strategy class used with a process pool or Dask must be importable by the
workers (defined in a module, not in a notebook cell).

Progress. A run longer than a few seconds shows a ``tqdm`` progress bar
(``progress=None``, the default: only where somebody watches — a terminal
or a Jupyter front end — and only after 3 s). ``progress=True`` always
shows it, ``False`` never.

Example
-------
>>> import sim
>>> reps = sim.run_replications("classroom", n=2, seed=1, customers=200, years=1, progress=False)
>>> reps[["replication", "revenue"]].shape
(2, 2)
"""
from __future__ import annotations

import copy
import numbers
from concurrent.futures import Executor

import numpy as np
import pandas as pd

__all__ = ["kpis", "replication_seed", "run_replications", "run_comparison", "compare",
           "summarize_replications", "run_sweep", "sweep"]

ACQUISITION_PREFIX = "acquire_"


# ----------------------------------------------------------------------------- KPIs
def _stage_at(stages: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    """Each person's stage at ``when`` (last change on or before it), index customer_id."""
    upto = stages[stages["date"] <= when]
    return upto.groupby("customer_id", sort=True)["to_stage"].last()


def kpis(log, holdout_retention_cost: float | None = None) -> dict[str, float]:
    """Key performance indicators of one simulated market.

    Money is summed over the observation period; counts are people.

    =========================  ===================================================
    ``revenue``                Σ order amounts
    ``gross_profit``           Σ (amount − cost of goods and serving)
    ``acquisition_cost``       Σ cost of acquisition contacts (campaign ``acquire_*``)
    ``retention_cost``         Σ cost of all other contacts (strategy actions)
    ``profit``                 gross_profit − acquisition_cost − retention_cost
    ``customers_acquired``     people who became customers
    ``cost_per_acquisition``   acquisition_cost / customers_acquired
    ``active_customers``       people in stage ``customer`` at the end
    ``retention_rate``         of those in stage ``customer`` one year before
                               the end (the middle of a shorter period), the
                               share still ``customer`` at the end
    ``churn_rate``             1 − retention_rate (labelled dormant or lost)
    ``true_churn_rate``        share of acquired customers who really left
                               (from ``truth``: a researcher's view only)
    ``holdout_profit``         profit the customers really produce after the end
                               (from ``truth``)
    ``holdout_retention_cost`` what the strategy's actions cost after the end
                               (the log stops at the end, so this is passed in;
                               :func:`run_replications` measures it)
    ``holdout_net_profit``     holdout_profit − holdout_retention_cost
    ``total_profit``           profit + holdout_net_profit (e.g. three years:
                               two observed, one holdout)
    ``retention_spend``        retention_cost + holdout_retention_cost
    =========================  ===================================================

    Parameters
    ----------
    log : EventLog
        A simulated log (``sim.simulate``); not modified.
    holdout_retention_cost : float, optional
        Cost of the strategy's actions after the observation end. Default:
        0 for a log simulated without a strategy, otherwise unknown (NaN, and
        so are the KPIs built on it).

    Returns
    -------
    dict of str to float

    Example
    -------
    >>> import sim
    >>> k = kpis(sim.simulate("classroom", customers=200, years=1, seed=2))
    >>> round(k["profit"], 6) == round(k["gross_profit"] - k["acquisition_cost"] - k["retention_cost"], 6)
    True
    """
    tx, contacts, stages, truth = log.transactions, log.contacts, log.stages, log.truth
    end = log.observation_end
    revenue = float(tx["amount"].sum())
    gross = float((tx["amount"] - tx["cost"]).sum())
    is_acq = contacts["campaign"].str.startswith(ACQUISITION_PREFIX).to_numpy(dtype=bool)
    acquisition_cost = float(contacts["cost"].to_numpy()[is_acq].sum())
    retention_cost = float(contacts["cost"].to_numpy()[~is_acq].sum())
    acquired = int(log.customers["acquired_at"].notna().sum())

    start = pd.Timestamp(log.config.start)
    one_year_before = end - pd.Timedelta(days=365)
    before = one_year_before if one_year_before > start else start + (end - start) / 2
    at_end = _stage_at(stages, end)
    at_before = _stage_at(stages, before)
    cohort = at_before.index[at_before.to_numpy() == "customer"]
    kept = int((at_end.reindex(cohort).to_numpy() == "customer").sum())
    retention = kept / len(cohort) if len(cohort) else float("nan")

    churned = truth["churned"].to_numpy(dtype=bool) & truth["acquired"].to_numpy(dtype=bool)
    if holdout_retention_cost is None:
        card = getattr(log, "card", None) or {}
        no_strategy = "strategy" in card and card["strategy"] is None
        holdout_retention_cost = 0.0 if no_strategy else float("nan")
    holdout_cost = float(holdout_retention_cost)
    profit = gross - acquisition_cost - retention_cost
    holdout_net = float(truth["holdout_profit"].sum()) - holdout_cost
    return {
        "revenue": revenue,
        "gross_profit": gross,
        "acquisition_cost": acquisition_cost,
        "retention_cost": retention_cost,
        "profit": profit,
        "customers_acquired": float(acquired),
        "cost_per_acquisition": acquisition_cost / acquired if acquired else float("nan"),
        "active_customers": float((at_end.to_numpy() == "customer").sum()),
        "retention_rate": retention,
        "churn_rate": 1.0 - retention,
        "true_churn_rate": float(churned.sum()) / acquired if acquired else float("nan"),
        "holdout_profit": float(truth["holdout_profit"].sum()),
        "holdout_retention_cost": holdout_cost,
        "holdout_net_profit": holdout_net,
        "total_profit": profit + holdout_net,
        "retention_spend": retention_cost + holdout_cost,
    }


# ----------------------------------------------------------------------------- one task
def replication_seed(seed: int, index: int) -> int:
    """The simulation seed of replication ``index``: from ``SeedSequence(seed, spawn_key=(index,))``.

    The same child as ``SeedSequence(seed).spawn(n)[index]``, turned into the
    integer seed ``sim.simulate`` takes (its first 63 bits).

    >>> import numpy as np
    >>> child = np.random.SeedSequence(5).spawn(3)[2]
    >>> replication_seed(5, 2) == int(child.generate_state(1, dtype=np.uint64)[0] >> 1)
    True
    """
    child = np.random.SeedSequence(seed, spawn_key=(index,))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> 1)


class _Watched:
    """A strategy passed through unchanged, remembering the model it acts in.

    The event log ends at the observation end, but the strategy goes on
    acting (and paying) in the holdout period; the model's recorder still has
    those contacts, so :func:`_run_task` can sum what they cost.
    """

    def __init__(self, strategy):
        self.strategy, self.model = strategy, None
        self.name = getattr(strategy, "name", type(strategy).__name__)

    def decide(self, today, log):
        self.model = log._model
        return self.strategy.decide(today, log)


def _holdout_retention_cost(model) -> float:
    """Σ cost of the non-acquisition contacts after the observation end."""
    if model is None:
        return 0.0
    rec = model.rec
    t = np.asarray(rec.ct_time, dtype=float)
    cost = np.asarray(rec.ct_cost, dtype=float)
    acquire = np.char.startswith(np.asarray(rec.ct_campaign, dtype=str), ACQUISITION_PREFIX) if len(t) else t > 0
    return float(cost[(t > model.obs_end) & ~acquire].sum())


def _run_task(task: tuple) -> dict:
    """Run one replication (in whichever process or machine the executor picks)."""
    from .config import scenario
    from .engine import simulate

    config, strategy, customers, years, seed, index = task[:6]
    if len(task) > 6:                                        # a sweep: one parameter set to a value
        parameter, value = task[6]
        config = (scenario(config) if isinstance(config, str) else config).replace(**{parameter: value})
    watched = None if strategy is None else _Watched(strategy)
    log = simulate(config, customers=customers, years=years, seed=replication_seed(seed, index),
                   strategy=watched)
    return kpis(log, holdout_retention_cost=_holdout_retention_cost(getattr(watched, "model", None)))


def _check_n_seed(n, seed) -> tuple[int, int]:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    return int(n), int(seed)


def _someone_watches() -> bool:
    """Whether a progress bar would be seen: a terminal, or a Jupyter front end."""
    import sys

    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:                                      # pragma: no cover - IPython is a dependency
        shell = None
    if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
        return True                                          # a notebook: tqdm.auto draws a widget, not stderr
    stream = sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def _run_tasks(tasks: list[tuple], executor: Executor | None, progress: bool | None, label: str) -> list[dict]:
    """Results of ``_run_task`` in task order, serially or on ``executor``.

    The bar: ``progress=None`` shows it where somebody watches, after 3 s
    (a short run stays quiet); ``True`` always (at once); ``False`` never.
    """
    from tqdm.auto import tqdm

    if executor is not None and not callable(getattr(executor, "map", None)):
        raise ValueError(f"executor must be a concurrent.futures.Executor (with .map), got {executor!r}")
    if progress is not None and not isinstance(progress, bool):
        raise ValueError(f"progress must be True, False or None (automatic), got {progress!r}")
    show = _someone_watches() if progress is None else progress
    delay = 3.0 if progress is None else 0.0
    results = map(_run_task, tasks) if executor is None else executor.map(_run_task, tasks)
    return list(tqdm(results, total=len(tasks), desc=label, disable=not show, delay=delay))


def _fresh(strategy):
    """A private copy per replication: a strategy's memory must not leak between runs."""
    return None if strategy is None else copy.deepcopy(strategy)


# ----------------------------------------------------------------------------- public API
def run_replications(config, strategy=None, n: int = 20, seed: int = 0, customers: int | None = None,
                     years: float | None = None, executor: Executor | None = None,
                     progress: bool | None = None) -> pd.DataFrame:
    """Run a scenario ``n`` times from one seed; one row of KPIs per replication.

    Parameters
    ----------
    config : str or Scenario
        As for ``sim.simulate``.
    strategy : Strategy, optional
        Copied afresh for every replication.
    n : int
        Number of replications.
    seed : int
        Replication ``i`` runs with :func:`replication_seed` ``(seed, i)``.
    customers, years : optional
        As for ``sim.simulate``.
    executor : concurrent.futures.Executor, optional
        Where to run the tasks (default: serially here). The result does not
        depend on it.
    progress : bool or None
        A ``tqdm.auto`` progress bar: ``None`` (default) where somebody
        watches and the run takes more than 3 s, ``True`` always, ``False`` never.

    Returns
    -------
    DataFrame
        Columns ``replication``, ``seed`` (the simulation seed used) and the
        :func:`kpis`.
    """
    n, seed = _check_n_seed(n, seed)
    tasks = [(config, _fresh(strategy), customers, years, seed, i) for i in range(n)]
    name = getattr(strategy, "name", "no strategy")
    rows = _run_tasks(tasks, executor, progress, f"replications ({name})")
    table = pd.DataFrame(rows)
    table.insert(0, "seed", [replication_seed(seed, i) for i in range(n)])
    table.insert(0, "replication", np.arange(n, dtype=np.int64))
    return table


def _t_interval(values: np.ndarray, confidence: float) -> tuple[float, float, float, float]:
    """mean, std, and the t-interval mean ± t_{(1+c)/2, n−1}·s/√n (NaN-free values)."""
    k = len(values)
    mean = float(np.mean(values)) if k else float("nan")
    if k < 2:
        return mean, float("nan"), float("nan"), float("nan")
    std = float(np.std(values, ddof=1))
    from scipy import stats   # imported here: scipy.stats costs ~1 s, and `import sim` should not pay it

    half = float(stats.t.ppf((1 + confidence) / 2, k - 1)) * std / np.sqrt(k)
    return mean, std, mean - half, mean + half


def summarize_replications(replications: pd.DataFrame, baseline=None, confidence: float = 0.95,
                           by: str = "strategy") -> pd.DataFrame:
    """Mean, standard deviation and t-interval per strategy and KPI, with paired differences.

    For strategy S and KPI k over the n replications: mean x̄, standard
    deviation s, and x̄ ± t_{0.975, n−1}·s/√n. The paired difference against
    the baseline uses d_i = k(S, i) − k(baseline, i) on the same replication i:
    d̄ ± t_{0.975, n−1}·s_d/√n. Replications where a KPI is undefined (NaN,
    e.g. a cost per acquisition without acquisitions) are left out of that
    KPI and ``n`` says how many were used.

    Two readings for a manager:

    * **% uplift** = 100 · d̄ / |x̄_baseline| (and its interval, the difference's
      interval on the same scale; the baseline mean is taken as known);
    * **return on spend** (a row ``kpi = "return_on_spend"`` when the KPIs
      ``total_profit`` and ``retention_spend`` are there): per replication
      r_i = Δtotal_profit_i / Δretention_spend_i — the profit each extra unit
      of money spent brings back *after* paying for itself (0 = break even,
      −1 = the money is simply lost), with its mean and t-interval over the
      replications where the spend differs.

    Parameters
    ----------
    replications : DataFrame
        Columns ``by`` (default ``strategy``), ``replication`` and KPI columns
        (as built by :func:`run_comparison` or :func:`run_sweep`).
    baseline : optional
        The group differences are taken against (default: the first).
    confidence : float
        Confidence level of the intervals, in (0, 1).
    by : str
        The column naming the groups compared (``"value"`` for a sweep).

    Returns
    -------
    DataFrame
        One row per (group, kpi): ``mean, std, ci_low, ci_high, n,
        diff_mean, diff_std, diff_ci_low, diff_ci_high, diff_n, uplift_pct,
        uplift_ci_low_pct, uplift_ci_high_pct`` (the baseline's differences
        are 0).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    for column in (by, "replication"):
        if column not in replications.columns:
            raise ValueError(f"replications must have a column {column!r}")
    names = list(dict.fromkeys(replications[by].tolist()))
    baseline = names[0] if baseline is None else baseline
    if baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not one of the {by} values {names}")
    kpi_names = [c for c in replications.columns if c not in (by, "replication", "seed", "parameter")]
    wide = {name: replications[replications[by] == name].set_index("replication") for name in names}
    base = wide[baseline]
    rows = []
    for name in names:
        table = wide[name]
        for k in kpi_names:
            values = table[k].to_numpy(dtype=float)
            mean, std, low, high = _t_interval(values[~np.isnan(values)], confidence)
            diff = (table[k] - base[k].reindex(table.index)).to_numpy(dtype=float)
            diff = diff[~np.isnan(diff)]
            d_mean, d_std, d_low, d_high = _t_interval(diff, confidence)
            base_values = base[k].to_numpy(dtype=float)
            scale = abs(float(np.nanmean(base_values))) if (~np.isnan(base_values)).any() else float("nan")
            pct = (lambda x: 100.0 * x / scale) if scale and np.isfinite(scale) else (lambda x: float("nan"))
            rows.append({by: name, "kpi": k, "mean": mean, "std": std, "ci_low": low, "ci_high": high,
                         "n": int((~np.isnan(values)).sum()), "diff_mean": d_mean, "diff_std": d_std,
                         "diff_ci_low": d_low, "diff_ci_high": d_high, "diff_n": len(diff),
                         "uplift_pct": pct(d_mean), "uplift_ci_low_pct": pct(d_low),
                         "uplift_ci_high_pct": pct(d_high)})
        if {"total_profit", "retention_spend"} <= set(kpi_names):
            gain = (table["total_profit"] - base["total_profit"].reindex(table.index)).to_numpy(dtype=float)
            spend = (table["retention_spend"] - base["retention_spend"].reindex(table.index)).to_numpy(dtype=float)
            ok = ~np.isnan(gain) & ~np.isnan(spend) & (spend != 0)
            r_mean, r_std, r_low, r_high = _t_interval(gain[ok] / spend[ok], confidence)
            nan = float("nan")
            rows.append({by: name, "kpi": "return_on_spend", "mean": r_mean, "std": r_std, "ci_low": r_low,
                         "ci_high": r_high, "n": int(ok.sum()), "diff_mean": nan, "diff_std": nan,
                         "diff_ci_low": nan, "diff_ci_high": nan, "diff_n": 0, "uplift_pct": nan,
                         "uplift_ci_low_pct": nan, "uplift_ci_high_pct": nan})
    return pd.DataFrame(rows)


def run_comparison(config, strategies: dict, n: int = 20, seed: int = 0, customers: int | None = None,
                   years: float | None = None, executor: Executor | None = None, progress: bool | None = None,
                   common_random_numbers: bool = True) -> pd.DataFrame:
    """Run every strategy on the same ``n`` replications; one row of KPIs per (strategy, replication).

    The raw material of :func:`compare` (which is ``summarize_replications(run_comparison(...))``),
    for a researcher who wants to look at every replication.

    Parameters
    ----------
    config : str or Scenario
    strategies : dict of name to Strategy (or None for no strategy)
        The first entry is the baseline of :func:`summarize_replications`.
    n, seed, customers, years, executor, progress
        As for :func:`run_replications`.
    common_random_numbers : bool
        ``True`` (default): every strategy runs on replications 0..n−1 of
        ``seed``. ``False`` gives strategy j its own replications j·n …
        j·n + n − 1 — only to show what pairing buys.

    Returns
    -------
    DataFrame
        Columns ``strategy``, ``replication``, ``seed`` and the :func:`kpis`.
    """
    if not isinstance(strategies, dict) or not strategies:
        raise ValueError(f"strategies must be a non-empty dict of name to Strategy, got {strategies!r}")
    n, seed = _check_n_seed(n, seed)
    tasks, labels = [], []
    for j, (name, strategy) in enumerate(strategies.items()):
        offset = 0 if common_random_numbers else j * n
        for i in range(n):
            tasks.append((config, _fresh(strategy), customers, years, seed, offset + i))
            labels.append((str(name), i, replication_seed(seed, offset + i)))
    rows = _run_tasks(tasks, executor, progress, f"compare {len(strategies)} strategies")
    reps = pd.DataFrame(rows)
    reps.insert(0, "seed", [s for _, _, s in labels])
    reps.insert(0, "replication", np.array([i for _, i, _ in labels], dtype=np.int64))
    reps.insert(0, "strategy", pd.Series([s for s, _, _ in labels], dtype="str"))
    return reps


def compare(config, strategies: dict, n: int = 20, seed: int = 0, customers: int | None = None,
            years: float | None = None, executor: Executor | None = None, progress: bool | None = None,
            common_random_numbers: bool = True, confidence: float = 0.95) -> pd.DataFrame:
    """Compare strategies over the same ``n`` replications, with 95 % intervals.

    Every strategy runs on replications 0..n−1 of ``seed`` (common random
    numbers), so the paired difference d_i = KPI(S, i) − KPI(first, i) is
    free of most of the market-to-market noise; its t-interval is usually far
    narrower than the difference of two separate intervals.

    Parameters
    ----------
    config : str or Scenario
    strategies : dict of name to Strategy (or None for no strategy)
        The first entry is the baseline.
    n, seed, customers, years, executor, progress, common_random_numbers
        As for :func:`run_comparison`.
    confidence : float
        Level of the intervals (default 0.95).

    Returns
    -------
    DataFrame
        :func:`summarize_replications` of :func:`run_comparison`: one row per (strategy,
        kpi) with ``mean, std, ci_low, ci_high, n``, the paired difference
        ``diff_mean, diff_std, diff_ci_low, diff_ci_high, diff_n``, the %
        uplift ``uplift_pct, uplift_ci_low_pct, uplift_ci_high_pct``, and a
        ``return_on_spend`` row per strategy (see :func:`summarize_replications`).

    Example
    -------
    >>> import sim
    >>> res = sim.compare("classroom", {"none": sim.strategies.NoAction(),
    ...                                  "win back": sim.strategies.WinBackDormant()},
    ...                   n=3, seed=1, customers=200, years=1, progress=False)
    >>> res.set_index(["strategy", "kpi"]).loc[("none", "profit"), "diff_mean"]
    np.float64(0.0)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    reps = run_comparison(config, strategies, n=n, seed=seed, customers=customers, years=years,
                          executor=executor, progress=progress, common_random_numbers=common_random_numbers)
    return summarize_replications(reps, confidence=confidence)


# ----------------------------------------------------------------------------- sweeps
def _sweep_values(config, parameter, values) -> tuple[object, list]:
    """Check the sweep's arguments; every value must make a valid scenario (fail before running)."""
    from .config import Scenario, scenario

    cfg = scenario(config) if isinstance(config, str) else config
    if not isinstance(cfg, Scenario):
        raise ValueError(f"config must be a scenario name or a Scenario, got {config!r}")
    if not isinstance(parameter, str) or parameter not in cfg.to_dict():
        raise ValueError(f"parameter must be a field of the scenario (e.g. 'dropout_per_year'), got {parameter!r}")
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"values must be a list of at least one value, got {values!r}")
    values = list(values)
    if not values:
        raise ValueError("values must be a list of at least one value, got []")
    if len(set(map(repr, values))) < len(values):
        raise ValueError(f"values must be different from each other, got {values!r}")
    for v in values:
        cfg.replace(**{parameter: v})                        # raises ConfigError naming the parameter and value
    return cfg, values


def run_sweep(config, parameter: str, values, strategy=None, n: int = 10, seed: int = 0,
              customers: int | None = None, years: float | None = None, executor: Executor | None = None,
              progress: bool | None = None) -> pd.DataFrame:
    """Run the scenario with ``parameter`` set to each of ``values``, on the same ``n`` replications.

    Every value runs on replications 0..n−1 of ``seed`` (common random
    numbers): replication i has the same seed — the same people, the same
    random streams — for every value, so the paired difference between two
    values is the parameter's effect plus far less noise than two separate
    runs would have.

    Parameters
    ----------
    config : str or Scenario
    parameter : str
        A field of the scenario (see ``sim.scenario("classroom").to_dict()``).
    values : list
        The values to try; the first is the baseline of the differences.
    strategy : Strategy, optional
        Applied (a fresh copy) in every run.
    n, seed, customers, years, executor, progress
        As for :func:`run_replications`.

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``value``, ``replication``, ``seed`` and the :func:`kpis`.
    """
    cfg, values = _sweep_values(config, parameter, values)
    n, seed = _check_n_seed(n, seed)
    tasks, labels = [], []
    for v in values:
        for i in range(n):
            tasks.append((cfg, _fresh(strategy), customers, years, seed, i, (parameter, v)))
            labels.append((v, i, replication_seed(seed, i)))
    rows = _run_tasks(tasks, executor, progress, f"sweep {parameter} over {len(values)} values")
    reps = pd.DataFrame(rows)
    reps.insert(0, "seed", [s for _, _, s in labels])
    reps.insert(0, "replication", np.array([i for _, i, _ in labels], dtype=np.int64))
    reps.insert(0, "value", pd.Series([v for v, _, _ in labels], dtype=object))
    reps.insert(0, "parameter", pd.Series([parameter] * len(labels), dtype="str"))
    return reps


def sweep(config, parameter: str, values, strategy=None, n: int = 10, seed: int = 0,
          customers: int | None = None, years: float | None = None, executor: Executor | None = None,
          progress: bool | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """A scenario parameter over several values, with paired differences against the first value.

    ``summarize_replications(run_sweep(...), by="value")`` with a
    ``parameter`` column in front: one row per (value, kpi) with the mean, its
    t-interval and the paired difference d_i = KPI(value, i) − KPI(first, i)
    over the same replications (common random numbers), its interval and the
    % uplift.

    Example
    -------
    >>> import sim
    >>> res = sim.sweep("classroom", "dropout_per_year", [0.45, 0.25], n=3, seed=1,
    ...                 customers=200, years=1, progress=False)
    >>> res.set_index(["value", "kpi"]).loc[(0.45, "profit"), "diff_mean"]
    np.float64(0.0)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    reps = run_sweep(config, parameter, values, strategy=strategy, n=n, seed=seed, customers=customers,
                     years=years, executor=executor, progress=progress)
    table = summarize_replications(reps.drop(columns="parameter"), confidence=confidence, by="value")
    table.insert(0, "parameter", pd.Series([parameter] * len(table), dtype="str"))
    return table
