"""The hidden truth: the true unqualified rate of every stratum and year of a synthetic district.

The sampling history and results are Bernoulli draws from it. It is never written to a data file,
so that risk estimates can be back-tested against it; it is a function of the district's code
lists and its seed only, so it can be recomputed from the dataset's own tables.

Model: ``rate = base[category] x mult[business type] x township effect x 0.745``, then a
stratum-level beta draw with that mean (``a + b = max(25, 2 / mean)``), then a year drift
``d[category] ** (year - first year)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd

from riskplan.synthetic._common import stream

KEY: tuple[str, str, str] = ("township_code", "business_type", "category_code")

BASE_RATE: Mapping[str, float] = MappingProxyType({
    # edible agricultural products
    "C33": 0.060, "C34": 0.070, "C35": 0.080, "C36": 0.050, "C37": 0.050, "C38": 0.040,
    "C39": 0.050,
    # packaged foods about 1 %, a few riskier chapters higher
    "C01": 0.008, "C02": 0.014, "C03": 0.010, "C04": 0.018, "C05": 0.004, "C06": 0.012,
    "C07": 0.006, "C08": 0.006, "C09": 0.004, "C10": 0.015, "C11": 0.014, "C12": 0.006,
    "C13": 0.008, "C14": 0.012, "C15": 0.010, "C16": 0.020, "C17": 0.016, "C18": 0.014,
    "C19": 0.012, "C20": 0.005, "C21": 0.004, "C22": 0.020, "C23": 0.020, "C24": 0.022,
    "C25": 0.022, "C26": 0.016, "C27": 0.010, "C28": 0.005, "C29": 0.003, "C30": 0.002,
    "C32": 0.010,
    # catering foods
    "C31": 0.042,
})
"""Base unqualified rate per category before business-type and township effects [-]."""

TYPE_MULT: Mapping[str, float] = MappingProxyType({
    "P-FACTORY": 0.55, "P-WORKSHOP": 1.6, "D-WHOLESALE": 1.2, "D-WETMARKET": 1.35,
    "D-SUPERMARKET": 0.65, "D-GROCERY": 1.1, "D-ONLINE": 1.25, "C-RESTAURANT": 1.0,
    "C-SMALL": 1.35, "C-SCHOOL": 0.55, "C-CANTEEN": 0.85, "C-SITE": 1.3, "C-ELDERLY": 0.75,
    "C-CENTRAL": 0.9, "C-TAKEAWAY": 1.2, "C-VENDOR": 1.8,
})
"""Multiplier of the base rate per business type [-]."""

DRIFT: Mapping[str, float] = MappingProxyType({"C35": 1.10, "C11": 1.12, "C24": 1.06,
                                               "C34": 0.93, "C31": 0.96, "C04": 0.95})
"""Mild year-to-year drift (multiplier per year after the first) for a few categories."""

TRUTH_SCALE = 0.745
"""Calibrates the overall unqualified rate of the Ouhai history to about 2.7 %."""
STRATUM_CONCENTRATION = 25.0
"""Beta noise around the structured rate: mean m, a + b = this ..."""
MIN_SHAPE = 2.0
"""... but at least a = 2 (relative sd about 0.7 whatever the mean)."""
TOWNSHIP_SIGMA = 0.25
"""Log-normal sd of the township effect."""
NON_URBAN_SHIFT = 0.15
"""Log shift of rural and mountain townships' effect (weaker oversight)."""


def _check(codes: Sequence[str], known: Mapping[str, float], what: str) -> None:
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise ValueError(f"hidden_truth: no {what} for {unknown}")


def hidden_truth(townships: pd.DataFrame, business_types: pd.DataFrame,
                 categories: pd.DataFrame, *, seed: int, years: Sequence[int]) -> pd.DataFrame:
    """The hidden true unqualified rate per stratum and year.

    Parameters
    ----------
    townships
        Columns ``township_code`` and ``area_type``, in the dataset's order.
    business_types
        Column ``business_type``, in the dataset's order.
    categories
        Column ``category_code``, in the dataset's order.
    seed
        The district's seed (the truth uses stream ``(seed, 1)``).
    years
        Calendar years, first one without drift.

    Returns
    -------
    pandas.DataFrame
        ``township_code``, ``business_type``, ``category_code`` (str), ``year`` (int),
        ``true_rate`` (float, probability that one sample of the stratum is unqualified [-]);
        one row per stratum of the full grid (townships x types x categories) and year.
    """
    for name, frame, cols in (("townships", townships, ("township_code", "area_type")),
                              ("business_types", business_types, ("business_type",)),
                              ("categories", categories, ("category_code",))):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"hidden_truth: {name} lacks columns {missing}")
    towns = [str(t) for t in townships["township_code"]]
    types = [str(b) for b in business_types["business_type"]]
    cats = [str(c) for c in categories["category_code"]]
    _check(cats, BASE_RATE, "base rate for categories")
    _check(types, TYPE_MULT, "multiplier for business types")
    rng = stream(seed, 1)
    # township effect: log-normal, rural and mountain units a little riskier (weaker oversight)
    town_shift = np.array([0.0 if a == "urban" else NON_URBAN_SHIFT
                           for a in townships["area_type"]])
    town_eff = np.exp(rng.normal(0.0, TOWNSHIP_SIGMA, len(towns)) + town_shift)
    town_eff = town_eff / town_eff.mean()
    # one structured mean per stratum
    t_grid, b_grid, c_grid = np.meshgrid(np.arange(len(towns)), np.arange(len(types)),
                                         np.arange(len(cats)), indexing="ij")
    t_idx, b_idx, c_idx = t_grid.ravel(), b_grid.ravel(), c_grid.ravel()
    base = np.array([BASE_RATE[c] for c in cats])
    mult = np.array([TYPE_MULT[b] for b in types])
    m = base[c_idx] * mult[b_idx] * town_eff[t_idx] * TRUTH_SCALE
    m = np.clip(m, 1e-4, 0.4)
    # stratum-level beta noise; concentration at least MIN_SHAPE / m so that rare-failure
    # strata are not mostly ~0
    k = np.maximum(STRATUM_CONCENTRATION, MIN_SHAPE / m)
    stratum_rate = rng.beta(k * m, k * (1.0 - m))
    stratum_rate = np.clip(stratum_rate, 2e-4, 0.5)
    drift = np.array([DRIFT.get(c, 1.0) for c in cats])[c_idx]
    frames = []
    for year in years:
        rate = np.clip(stratum_rate * drift ** (year - years[0]), 2e-4, 0.6)
        frames.append(pd.DataFrame({
            "township_code": np.array(towns, dtype=object)[t_idx],
            "business_type": np.array(types, dtype=object)[b_idx],
            "category_code": np.array(cats, dtype=object)[c_idx],
            "year": year,
            "true_rate": rate,
        }))
    out = pd.concat(frames, ignore_index=True)
    for col in KEY:
        out[col] = out[col].astype(str)
    out["year"] = out["year"].astype(int)
    return out


def truth_lookup(truth: pd.DataFrame, picked: pd.DataFrame, year: int) -> np.ndarray:
    """The true rate of each picked row's stratum in ``year`` (NaN where the truth has none)."""
    t = truth[truth["year"] == year].set_index(list(KEY))["true_rate"]
    key = pd.MultiIndex.from_frame(picked[list(KEY)])
    return np.array(t.reindex(key).to_numpy(), dtype=float)
