"""Run the control charts and the Bayesian alerts on the strata's unqualified rates per period.

Per period and stratum the unqualified rate is ``p_i = d_i / n_i``. Sample sizes vary (and are
small), so CUSUM and EWMA run on the standardised rate
``z_i = (p_i - p0) / sqrt(p0 (1 - p0) / n_i)`` with target 0 and sigma 1, where ``p0`` is the
stratum's expected rate (its prior mean from the risk scores, else the district's pooled rate).
The p-chart uses the same ``p0`` as its standard.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskplan.monitoring.bayes import bayes_alerts, prior_from_scores
from riskplan.monitoring.charts import cusum, ewma, p_chart
from riskplan.settings.monitoring import LEVELS, MonitoringRules
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)


def period_counts(results: pd.DataFrame, keys: list[str] | None = None,
                  period: str = "month") -> pd.DataFrame:
    """Sampled and unqualified counts per (unit, period); ``period`` 1-12 or 1-4 (quarter)."""
    keys = KEY if keys is None else keys
    r = results.assign(
        period=results["month"] if period == "month" else (results["month"] - 1) // 3 + 1,
        unqualified=(results["result"] == "fail").astype(int), sampled=1)
    return r.groupby(keys + ["period"], as_index=False)[["sampled", "unqualified"]].sum()


def chart_unit(counts: pd.DataFrame, p0: float, rules: MonitoringRules) -> pd.DataFrame:
    """p-chart, CUSUM and EWMA of one unit's periods (``counts`` sorted by period)."""
    p0 = float(min(max(p0, 1e-4), 1 - 1e-4))
    d, n = counts["unqualified"].to_numpy(float), counts["sampled"].to_numpy(float)
    pc = p_chart(d, n, p0=p0, sigma=rules.p_chart_sigma)
    z = (d / n - p0) / np.sqrt(p0 * (1 - p0) / n)
    cs = cusum(z, 0.0, 1.0, rules.cusum_k, rules.cusum_h)
    ew = ewma(z, 0.0, 1.0, rules.ewma_lambda, rules.ewma_L)
    return pd.DataFrame({
        "period": counts["period"].to_numpy(), "sampled": n.astype(int),
        "unqualified": d.astype(int), "p": pc["p"].to_numpy(), "p0": p0,
        "ucl": pc["ucl"].to_numpy(), "lcl": pc["lcl"].to_numpy(),
        "p_chart_signal": pc["out_of_control"].to_numpy(), "z": z,
        "c_plus": cs["c_plus"].to_numpy(), "c_minus": cs["c_minus"].to_numpy(),
        "cusum_signal": (cs["c_plus"] > rules.cusum_h).to_numpy(),
        "ewma": ew["statistic"].to_numpy(), "ewma_ucl": ew["ucl"].to_numpy(),
        "ewma_signal": (ew["statistic"] > ew["ucl"]).to_numpy(),
    })


def stratum_charts(results: pd.DataFrame, prior: pd.DataFrame | None = None,
                   rules: MonitoringRules | None = None,
                   keys: list[str] | None = None) -> pd.DataFrame:
    """Charts for every unit (default: stratum) with at least ``min_samples_for_chart`` samples.

    Only upward signals are kept for CUSUM and EWMA (a falling unqualified rate is no alarm).

    Returns
    -------
    Long table: unit key columns plus the columns of :func:`chart_unit`.
    """
    rules = rules or MonitoringRules()
    keys = KEY if keys is None else keys
    counts = period_counts(results, keys, rules.period)
    pooled = counts["unqualified"].sum() / max(counts["sampled"].sum(), 1)
    p0s: dict = {}
    if prior is not None and set(keys) <= set(prior.columns):
        pm = prior["prior_alpha"] / (prior["prior_alpha"] + prior["prior_beta"])
        p0s = dict(zip(map(tuple, prior[keys].to_numpy()), pm))
    frames = []
    for unit, g in counts.groupby(keys, sort=True):
        unit = unit if isinstance(unit, tuple) else (unit,)
        if g["sampled"].sum() < rules.min_samples_for_chart:
            continue
        ch = chart_unit(g.sort_values("period"), p0s.get(unit, pooled), rules)
        for k, v in zip(keys, unit):
            ch.insert(keys.index(k), k, v)
        frames.append(ch)
    if not frames:
        return pd.DataFrame(columns=keys + ["period", "sampled", "unqualified", "p"])
    return pd.concat(frames, ignore_index=True)


def _unit(r: pd.Series, keys: list[str]) -> dict[str, object]:
    return {k: (r[k] if k in keys else "*") for k in KEY}


def alert_list(charts: pd.DataFrame, bayes: pd.DataFrame, level: str = "stratum") -> pd.DataFrame:
    """One row per (unit, rule) that fired.

    Columns: ``level``, the key columns (``*`` where the level does not split by it), ``rule``,
    ``period``, ``value``, ``detail``.
    """
    keys = LEVELS[level]
    rows = []
    for _, r in charts.iterrows():
        for rule, col, val in [("p_chart", "p_chart_signal", "p"), ("cusum", "cusum_signal", "c_plus"),
                               ("ewma", "ewma_signal", "ewma")]:
            if r[col]:
                rows.append({"level": level, **_unit(r, keys), "rule": rule,
                             "period": int(r["period"]), "value": float(r[val]),
                             "detail": f"{r['unqualified']}/{r['sampled']} unqualified in the period, "
                                       f"expected rate {r['p0']:.3f}"})
    for _, r in bayes.iterrows():
        if r.get("exceed_alert", False):
            rows.append({"level": level, **_unit(r, keys), "rule": "posterior_exceedance",
                         "period": int(r["last_period"]), "value": float(r["p_exceed"]),
                         "detail": f"{r['unqualified']}/{r['sampled']} this year, "
                                   f"posterior mean {r['post_mean']:.3f}"})
        if r.get("tail_alert", False):
            rows.append({"level": level, **_unit(r, keys), "rule": "predictive_tail",
                         "period": int(r["last_period"]), "value": float(r["tail_p"]),
                         "detail": f"{r['last_unqualified']}/{r['last_sampled']} in the period, "
                                   f"P(X >= x) = {r['tail_p']:.2g}"})
    cols = ["level"] + KEY + ["rule", "period", "value", "detail"]
    return pd.DataFrame(rows, columns=cols)


def run_alerts(
    results: pd.DataFrame, scores: pd.DataFrame | None, rules: MonitoringRules | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Charts, Bayesian alert table and the combined alert list at every ``rules.alert_levels``.

    Parameters
    ----------
    results
        Validated results counting against the plan (key columns, ``month``, ``result``).
    scores
        Risk scores the plan was built on (the prior, see :func:`prior_from_scores`); None gives
        flat Beta(1, 1) priors and the pooled rate as the charts' standard.

    Returns
    -------
    charts, bayes, alerts
        Long tables with a ``level`` column (``*`` in key columns a level does not split by).
    """
    rules = rules or MonitoringRules()
    ch_l: list[pd.DataFrame] = []
    b_l: list[pd.DataFrame] = []
    a_l: list[pd.DataFrame] = []
    for level in rules.alert_levels:
        keys = LEVELS[level]
        prior = prior_from_scores(scores, rules.prior_strength_cap, keys) if scores is not None else None
        charts = stratum_charts(results, prior, rules, keys)
        counts = period_counts(results, keys, rules.period)
        pr = prior if prior is not None else counts[keys].drop_duplicates().assign(
            prior_alpha=1.0, prior_beta=1.0)
        b = bayes_alerts(counts, pr, rules.exceedance_threshold, rules.exceedance_level,
                         rules.predictive_p_value, keys=keys)
        a_l.append(alert_list(charts, b, level))
        for df, lst in ((charts, ch_l), (b, b_l)):
            df = df.copy()
            for k in KEY:
                if k not in df.columns:
                    df[k] = "*"
            df.insert(0, "level", level)
            lst.append(df[["level"] + KEY + [c for c in df.columns if c not in KEY + ["level"]]])
    return _concat(ch_l), _concat(b_l), _concat(a_l)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    full = [f for f in frames if len(f)]
    return pd.concat(full, ignore_index=True) if full else frames[0]
