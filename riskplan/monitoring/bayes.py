"""Bayesian pieces: the history prior, posterior exceedance, predictive tail, known risks.

A stratum's unqualified rate ``p`` has a beta prior (from the risk scores: history shrunk towards
its group, see :func:`prior_from_scores`); this year's results update it to
``Beta(alpha + fails, beta + passes)``.

* :func:`predictive_tail`: ``P(X >= x)`` of the beta-binomial predictive, how surprising a count
  is given the prior (the ``news`` alerts of :mod:`riskplan.monitoring.alerts` use it, pooled
  over a unit's strata).
* :func:`posterior_exceedance`: ``P(p > threshold | data)``; on history alone it lists the
  **known high-risk strata** (:func:`known_high_risk`). That is what history says, which the
  allocation already uses: a standing table, never an alert.
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


def known_high_risk(
    scores: pd.DataFrame,
    threshold: float = 0.05,
    level: float = 0.90,
    allocation: pd.DataFrame | None = None,
    results: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The strata that history says are risky: a standing table, not an alert.

    A stratum is listed when ``P(rate > threshold | history) > level`` under its posterior from
    history (the risk stage's group prior updated with the stratum's own past results, not
    capped). The allocation already leans on these strata (their risk weight); this year's
    results are shown beside them, but they do not decide the listing.

    Parameters
    ----------
    scores
        Risk scores (key columns, ``n_fail``/``n_samples`` or their recency-weighted ``_w``
        versions, ``prior_alpha``/``prior_beta``).
    threshold, level
        Rate of concern [fraction] and the probability it is exceeded [-].
    allocation
        Key columns and ``samples`` planned (optional, adds ``planned``).
    results
        This year's results (key columns, ``result``; optional, adds ``sampled``,
        ``unqualified``).

    Returns
    -------
    One row per listed stratum, riskiest first: key columns, ``history_samples``,
    ``history_unqualified``, ``rate_mean``, ``rate_lo``, ``rate_hi`` (90 % interval),
    ``p_exceed``, and ``planned``, ``weight_share``, ``sampled``, ``unqualified`` when known.
    """
    post = prior_from_scores(scores, cap=np.inf)
    a, b = post["prior_alpha"].to_numpy(float), post["prior_beta"].to_numpy(float)
    out = post[KEY].copy()
    y, n = ("n_fail_w", "n_samples_w") if "n_fail_w" in scores else ("n_fail", "n_samples")
    hist = scores[KEY + [n, y]].rename(columns={n: "history_samples", y: "history_unqualified"})
    out = out.merge(hist, on=KEY, how="left")
    out["rate_mean"] = a / (a + b)
    out["rate_lo"] = stats.beta.ppf(0.05, a, b)
    out["rate_hi"] = stats.beta.ppf(0.95, a, b)
    out["p_exceed"] = stats.beta.sf(threshold, a, b)
    out = out[out["p_exceed"] > level]
    if "weight_share" in scores:
        out = out.merge(scores[KEY + ["weight_share"]], on=KEY, how="left")
    if allocation is not None:
        out = out.merge(allocation[KEY + ["samples"]].rename(columns={"samples": "planned"}),
                        on=KEY, how="left")
        out["planned"] = out["planned"].fillna(0).astype(int)
    if results is not None:
        done = results.assign(unqualified=(results["result"] == "fail").astype(int)).groupby(
            KEY).agg(sampled=("result", "size"), unqualified=("unqualified", "sum")).reset_index()
        out = out.merge(done, on=KEY, how="left")
        for c in ("sampled", "unqualified"):
            out[c] = out[c].fillna(0).astype(int)
    return out.sort_values(["p_exceed", "rate_mean"], ascending=False,
                           kind="stable").reset_index(drop=True)
