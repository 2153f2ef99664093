"""Bayesian alerts on unqualified rates: posterior exceedance and predictive tail.

A stratum's unqualified rate ``p`` has a beta prior (from the risk scores: history shrunk towards
its group, see :func:`prior_from_scores`); this year's results update it to
``Beta(alpha + fails, beta + passes)``.

* **Exceedance alert**: ``P(p > threshold | data) > level``.
* **Predictive-tail alert**: a period's count ``x`` out of ``n`` is compared with the beta-binomial
  predictive of the posterior *before* that period; the alert fires when ``P(X >= x)`` is below a
  p-value, i.e. the count is surprisingly high given everything known before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from riskplan.errors import RiskplanError
from riskplan.risk import fit_beta_binomial
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)


def posterior_exceedance(
    fails: np.ndarray | float, samples: np.ndarray | float,
    alpha: np.ndarray | float, beta: np.ndarray | float, threshold: float,
) -> np.ndarray:
    """Posterior probability that the unqualified rate exceeds ``threshold``.

    Parameters
    ----------
    fails, samples
        Unqualified and tested samples this year [samples].
    alpha, beta
        Beta prior parameters (> 0).
    threshold
        Rate of concern [fraction].

    Returns
    -------
    ``P(p > threshold)`` under ``Beta(alpha + fails, beta + samples - fails)``.
    """
    f = np.asarray(fails, dtype=float)
    n = np.asarray(samples, dtype=float)
    if np.any(f > n) or np.any(f < 0):
        raise RiskplanError("posterior_exceedance: need 0 <= fails <= samples")
    return stats.beta.sf(threshold, np.asarray(alpha) + f, np.asarray(beta) + n - f)


def predictive_tail(
    x: np.ndarray | float, n: np.ndarray | float,
    alpha: np.ndarray | float, beta: np.ndarray | float,
) -> np.ndarray:
    """Upper-tail probability ``P(X >= x)`` of the beta-binomial predictive [-].

    ``X ~ BetaBinomial(n, alpha, beta)``; equals 1 when ``x = 0`` (and when ``n = 0``).
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    tail = stats.betabinom.sf(x - 1, n.astype(int), alpha, beta)
    return np.where((x <= 0) | (n <= 0), 1.0, tail)


def prior_from_scores(
    scores: pd.DataFrame, cap: float = 50.0, keys: list[str] | None = None
) -> pd.DataFrame:
    """Beta distribution of each unit's unqualified rate before this year, from the risk scores.

    The history behind the scores (recency-weighted ``n_fail_w`` of ``n_samples_w``, else the raw
    ``n_fail`` of ``n_samples``) is summed to the units of ``keys`` (default: the stratum). The
    group prior is the risk stage's own (``prior_alpha``, ``prior_beta``) at the stratum level, or
    a beta-binomial fitted across the units (:func:`riskplan.risk.fit_beta_binomial`) at a coarser
    level; the unit's history updates it. The total ``alpha + beta`` is then capped at ``cap``
    [pseudo-samples] (mean kept), so this year's results can still move it.

    Returns
    -------
    DataFrame with the ``keys`` columns, ``prior_alpha``, ``prior_beta``, ``prior_mean``.
    """
    keys = KEY if keys is None else list(keys)
    if {"n_fail_w", "n_samples_w"} <= set(scores.columns):
        y_col, n_col = "n_fail_w", "n_samples_w"
    elif {"n_fail", "n_samples"} <= set(scores.columns):
        y_col, n_col = "n_fail", "n_samples"
    else:
        raise RiskplanError("risk scores need n_fail/n_samples columns to build the alert prior")
    if keys == KEY and {"prior_alpha", "prior_beta"} <= set(scores.columns):
        out = scores[KEY + [y_col, n_col, "prior_alpha", "prior_beta"]].copy()
        a0, b0 = out["prior_alpha"].to_numpy(float), out["prior_beta"].to_numpy(float)
    else:
        out = scores.groupby(keys, as_index=False)[[y_col, n_col]].sum()
        y, n = out[y_col].to_numpy(float), out[n_col].to_numpy(float)
        if (n > 0).sum() >= 2:
            fit = fit_beta_binomial(y, n, warn=False)
            a0, b0 = np.full(len(out), fit.alpha), np.full(len(out), fit.beta)
        else:
            a0, b0 = np.ones(len(out)), np.ones(len(out))
    y, n = out[y_col].to_numpy(float), out[n_col].to_numpy(float)
    a, b = a0 + y, b0 + n - y
    shrink = np.minimum(1.0, cap / (a + b))
    res = out[keys].copy()
    res["prior_alpha"] = a * shrink
    res["prior_beta"] = b * shrink
    res["prior_mean"] = a / (a + b)
    return res


def bayes_alerts(
    counts: pd.DataFrame,
    prior: pd.DataFrame,
    threshold: float = 0.05,
    level: float = 0.90,
    p_value: float = 0.01,
    keys: list[str] | None = None,
) -> pd.DataFrame:
    """Per-unit (default: per-stratum) Bayesian alerts for the latest period.

    Parameters
    ----------
    counts
        One row per (stratum, period): key columns, ``period`` (sortable), ``sampled``,
        ``unqualified`` [samples].
    prior
        Key columns, ``prior_alpha``, ``prior_beta`` (see :func:`prior_from_scores`); strata
        missing there get a flat Beta(1, 1) prior.
    threshold, level
        Exceedance alert: flag when ``P(rate > threshold) > level``.
    p_value
        Predictive-tail alert: flag when the latest period's ``P(X >= x) < p_value``.
    keys
        Unit columns (default the stratum key).

    Returns
    -------
    One row per stratum with data: key columns, ``sampled``, ``unqualified`` (year to date),
    ``post_alpha``, ``post_beta``, ``post_mean``, ``p_exceed``, ``exceed_alert``, ``last_period``,
    ``last_sampled``, ``last_unqualified``, ``tail_p``, ``tail_alert``, ``alert`` (either).
    """
    keys = KEY if keys is None else list(keys)
    if counts.empty:
        return pd.DataFrame(columns=keys + ["sampled", "unqualified", "p_exceed", "alert"])
    c = counts.sort_values(keys + ["period"])
    g = c.groupby(keys, sort=True)
    tot = g[["sampled", "unqualified"]].sum().reset_index()
    last_period = g["period"].max().rename("last_period").reset_index()
    last = c.merge(last_period, on=keys)
    last = last[last["period"] == last["last_period"]]
    last = last.rename(columns={"sampled": "last_sampled", "unqualified": "last_unqualified"})
    out = tot.merge(last[keys + ["last_period", "last_sampled", "last_unqualified"]], on=keys)
    out = out.merge(prior[keys + ["prior_alpha", "prior_beta"]], on=keys, how="left")
    out["prior_alpha"] = out["prior_alpha"].fillna(1.0)
    out["prior_beta"] = out["prior_beta"].fillna(1.0)
    n, f = out["sampled"].to_numpy(float), out["unqualified"].to_numpy(float)
    out["post_alpha"] = out["prior_alpha"] + f
    out["post_beta"] = out["prior_beta"] + n - f
    out["post_mean"] = out["post_alpha"] / (out["post_alpha"] + out["post_beta"])
    out["p_exceed"] = posterior_exceedance(f, n, out["prior_alpha"], out["prior_beta"], threshold)
    out["exceed_alert"] = out["p_exceed"] > level
    # predictive for the last period from the posterior of everything before it
    ln, lf = out["last_sampled"].to_numpy(float), out["last_unqualified"].to_numpy(float)
    a_before = out["post_alpha"] - lf
    b_before = out["post_beta"] - (ln - lf)
    out["tail_p"] = predictive_tail(lf, ln, a_before, b_before)
    out["tail_alert"] = out["tail_p"] < p_value
    out["alert"] = out["exceed_alert"] | out["tail_alert"]
    return out
