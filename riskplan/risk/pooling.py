"""Hierarchical partial pooling of unqualified rates (nested empirical Bayes).

The levels are district -> food category -> category x business type -> stratum (township x
business type x category); optionally the business type's and the township's relative risks
(observed over expected failures across all categories) multiply the parent means, so a cell
also borrows from its business type's record in other categories, and a stratum from its
township's. Each level's rate is shrunk towards its parent's rate by a beta prior
whose sample size ``alpha + beta`` is fitted by marginal maximum likelihood over all groups of that
level (:func:`riskplan.risk.betabinom.fit_concentration`). A sparse stratum therefore ends up near
its category x business-type rate, a well-sampled one keeps (mostly) its own rate, and a stratum
without any history gets its parent's rate with a wide interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaincinv

from riskplan.risk.betabinom import fit_concentration
from riskplan.tables import STRATUM_KEY

KEY: list[str] = list(STRATUM_KEY)


def _level(
    y: np.ndarray, n: np.ndarray, parent_mean: np.ndarray, lo: float, hi: float
) -> tuple[np.ndarray, float, bool]:
    """Shrink groups' rates towards their parents' means; return (means, concentration, flat)."""
    conc, flat = fit_concentration(y, n, parent_mean, min_concentration=lo, max_concentration=hi)
    return (y + conc * parent_mean) / (n + conc), conc, flat


def _relative_risk(groups: np.ndarray, y: np.ndarray, expected: np.ndarray, prior_failures: float) -> np.ndarray:
    """Shrunk observed/expected ratio per group, returned per row (indirect standardisation).

    ``(O + k) / (E + k)`` with ``k = prior_failures``: a gamma prior centred on 1 worth ``k``
    expected failures, so a group with few expected failures stays near 1.
    """
    codes, idx = np.unique(groups, return_inverse=True)
    o = np.bincount(idx, weights=y, minlength=codes.size)
    e = np.bincount(idx, weights=expected, minlength=codes.size)
    return ((o + prior_failures) / (e + prior_failures))[idx]


def partial_pool(
    strata: pd.DataFrame,
    *,
    y: str = "n_fail_w",
    n: str = "n_samples_w",
    credible_level: float = 0.90,
    min_prior_size: float = 0.5,
    max_prior_size: float = 100.0,
    main_effects: bool = True,
    effect_prior_failures: float = 10.0,
    category_prior: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Posterior unqualified rate of every stratum, borrowing strength from its groups.

    Parameters
    ----------
    strata
        One row per stratum with the key columns and the (effective) counts ``y`` and ``n``.
        Strata with ``n == 0`` are allowed: they get their parent's prior.
    y, n
        Column names of the unqualified and total counts [samples].
    credible_level
        Mass of the equal-tailed credible interval (0.90 gives the 5 % and 95 % quantiles).
    min_prior_size, max_prior_size
        Bounds on each level's prior sample size ``alpha + beta`` [samples].
    main_effects
        Multiply the parent means by business-type and township relative risks (observed over
        expected failures across all categories), so a cell borrows from its business type's
        record in other categories and a stratum from its township's. Without it a cell's prior
        is its category's rate and a stratum's prior its cell's rate.
    effect_prior_failures
        Shrinkage of those relative risks towards 1, as a number of expected failures [samples].
    category_prior
        Province-level priors (:func:`riskplan.risk.priors.read_category_priors`: ``category_code,
        prior_mean, prior_size``): a category listed there is shrunk towards the province's
        rate with that prior size instead of towards the district mean; None (default), or a
        category not listed, keeps the district-only prior.

    Returns
    -------
    (table, summary)
        ``table`` is ``strata`` plus ``district_mean``, ``category_mean``, ``business_type_rr``,
        ``cell_mean`` (the category x business-type rate), ``township_rr``, ``prior_mean`` (the
        stratum's prior mean: ``cell_mean * township_rr``), ``prior_alpha``, ``prior_beta``, ``post_alpha``,
        ``post_beta``, ``rate_mean``, ``rate_lo``, ``rate_hi``. ``summary`` gives each level's
        fitted prior sample size and whether its likelihood was flat (held at the cap).
    """
    out = strata.copy()
    yy = out[y].to_numpy(dtype=float)
    nn = out[n].to_numpy(dtype=float)
    ysum, nsum = float(yy.sum()), float(nn.sum())
    # Half a pseudo-count keeps the top level off zero when nothing has ever failed.
    mu0 = (ysum + 0.5) / (nsum + 1.0)

    cat_codes, cat_idx = np.unique(out["category_code"].to_numpy(dtype=str), return_inverse=True)
    cy = np.bincount(cat_idx, weights=yy, minlength=cat_codes.size)
    cn = np.bincount(cat_idx, weights=nn, minlength=cat_codes.size)
    mu_c, conc_c, flat_c = _level(cy, cn, np.full(cat_codes.size, mu0), min_prior_size, max_prior_size)
    from_province = np.zeros(cat_codes.size, dtype=bool)
    if category_prior is not None and len(category_prior):
        prior = category_prior.drop_duplicates("category_code").set_index("category_code")
        p_mean = prior["prior_mean"].reindex(cat_codes).to_numpy(dtype=float)
        p_size = prior["prior_size"].reindex(cat_codes).to_numpy(dtype=float)
        from_province = np.isfinite(p_mean) & np.isfinite(p_size)
        mu_c = np.where(from_province, (cy + p_size * p_mean) / (cn + p_size), mu_c)

    cell_key = out["category_code"].astype(str) + "|" + out["business_type"].astype(str)
    cell_codes, cell_idx = np.unique(cell_key.to_numpy(dtype=str), return_inverse=True)
    by = np.bincount(cell_idx, weights=yy, minlength=cell_codes.size)
    bn = np.bincount(cell_idx, weights=nn, minlength=cell_codes.size)
    row_parent = mu_c[cat_idx]
    bt_rr = np.ones(len(out))
    if main_effects:
        bt_rr = _relative_risk(out["business_type"].to_numpy(dtype=str), yy, nn * row_parent, effect_prior_failures)
        row_parent = np.clip(row_parent * bt_rr, 1e-9, 0.999)
    cell_parent = np.zeros(cell_codes.size)
    cell_parent[cell_idx] = row_parent
    mu_b, conc_b, flat_b = _level(by, bn, cell_parent, min_prior_size, max_prior_size)

    cell_mean = mu_b[cell_idx]
    tw_rr = np.ones(len(out))
    prior_mean = cell_mean
    if main_effects:
        tw_rr = _relative_risk(out["township_code"].to_numpy(dtype=str), yy, nn * cell_mean, effect_prior_failures)
        prior_mean = np.clip(cell_mean * tw_rr, 1e-9, 0.999)
    conc_s, flat_s = fit_concentration(
        yy, nn, prior_mean, min_concentration=min_prior_size, max_concentration=max_prior_size
    )
    a0 = conc_s * prior_mean
    b0 = conc_s * (1.0 - prior_mean)
    a1 = a0 + yy
    b1 = b0 + (nn - yy)
    tail = (1.0 - credible_level) / 2.0
    out["district_mean"] = mu0
    out["category_mean"] = mu_c[cat_idx]
    out["business_type_rr"] = bt_rr
    out["cell_mean"] = cell_mean
    out["township_rr"] = tw_rr
    out["prior_mean"] = prior_mean
    out["prior_alpha"] = a0
    out["prior_beta"] = b0
    out["post_alpha"] = a1
    out["post_beta"] = b1
    out["rate_mean"] = a1 / (a1 + b1)
    # the beta quantiles (scipy.stats.beta.ppf gives the same numbers: both are Boost's ibeta_inv),
    # without importing scipy.stats (seconds) at every start of the command line
    out["rate_lo"] = betaincinv(a1, b1, tail)
    out["rate_hi"] = betaincinv(a1, b1, 1.0 - tail)
    summary = {
        "district_mean": float(mu0),
        "prior_size_category": float(conc_c),
        "prior_size_cell": float(conc_b),
        "prior_size_stratum": float(conc_s),
        "flat_category": bool(flat_c),
        "flat_cell": bool(flat_b),
        "flat_stratum": bool(flat_s),
        "credible_level": float(credible_level),
        "category_prior": "province" if from_province.any() else "district",
        "categories_from_province": int(from_province.sum()),
    }
    return out, summary
