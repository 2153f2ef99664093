"""Province-level category priors: a level of the hierarchy above the district.

Within one district the category rates are shrunk towards the district's own mean
(:func:`riskplan.risk.pooling.partial_pool`). A small district has thin history, so its category
rates then say little beyond that mean. Fitted over every district of a province, the rate of
each food category (shrunk towards the province's mean) and how far a district's category rate
strays from it (one prior sample size, by marginal likelihood over all district x category
groups) give each district a better parent: its category rates are shrunk towards the province's
rate of that category instead.

The priors travel as a small CSV (``category_code, prior_mean, prior_size, districts, samples,
failures``) named by ``risk.category_priors``, so a district planned with them can be planned
again alone from its plan folder's ``config.toml``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskplan.errors import ConfigError, RiskplanError
from riskplan.risk.betabinom import fit_concentration
from riskplan.risk.score import history_counts

__all__ = ["PRIOR_COLUMNS", "category_counts", "category_priors_path", "fit_category_priors",
           "read_category_priors"]

PRIOR_COLUMNS: tuple[str, ...] = ("category_code", "prior_mean", "prior_size", "districts",
                                  "samples", "failures")
"""Columns of a category priors file."""


def category_counts(history: pd.DataFrame, establishments: pd.DataFrame,
                    reference_date: dt.date | pd.Timestamp, half_life_years: float) -> pd.DataFrame:
    """Recency-weighted samples and failures per food category of one district.

    Parameters
    ----------
    history, establishments
        The district's tables (``docs/contracts.md``).
    reference_date
        Date the half-life weights count back from.
    half_life_years
        Half-life of a result's weight [years] (``risk.half_life_years``).

    Returns
    -------
    pandas.DataFrame
        ``category_code``, ``n_samples_w``, ``n_fail_w`` [samples], one row per category sampled.
    """
    strata = history_counts(history, establishments, reference_date, half_life_years)
    out = strata.groupby("category_code", as_index=False)[["n_samples_w", "n_fail_w"]].sum()
    return out.sort_values("category_code", kind="stable").reset_index(drop=True)


def fit_category_priors(counts: pd.DataFrame, *, min_prior_size: float = 0.5,
                        max_prior_size: float = 1000.0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit the province's category rates and the spread of districts around them.

    Parameters
    ----------
    counts
        One row per district and category: ``district``, ``category_code``, ``n_samples_w``,
        ``n_fail_w`` (:func:`category_counts` of each district).
    min_prior_size, max_prior_size
        Bounds of both fitted prior sample sizes [samples].

    Returns
    -------
    (table, summary)
        ``table`` has :data:`PRIOR_COLUMNS`, one row per category: the province's rate of it
        (shrunk towards the province mean), the prior sample size a district's rate of it gets
        (the same for every category), how many districts sampled it and their weighted
        samples and failures. ``summary`` gives the province mean and both prior sizes.

    Raises
    ------
    RiskplanError
        When the counts hold no sample at all.
    """
    need = {"district", "category_code", "n_samples_w", "n_fail_w"}
    if not need <= set(counts.columns):
        raise RiskplanError(f"category counts need columns {sorted(need)}, got {list(counts.columns)}")
    c = counts[counts["n_samples_w"] > 0]
    if c.empty:
        raise RiskplanError("no district has any sampling history: no province priors can be fitted")
    y, n = c["n_fail_w"].to_numpy(float), c["n_samples_w"].to_numpy(float)
    mu = (y.sum() + 0.5) / (n.sum() + 1.0)
    by_cat = c.groupby("category_code", sort=True).agg(
        failures=("n_fail_w", "sum"), samples=("n_samples_w", "sum"), districts=("district", "nunique"))
    yc, nc = by_cat["failures"].to_numpy(float), by_cat["samples"].to_numpy(float)
    size_c, flat_c = fit_concentration(yc, nc, np.full(len(yc), mu), min_concentration=min_prior_size,
                                       max_concentration=max_prior_size)
    rate_c = (yc + size_c * mu) / (nc + size_c)
    parent = pd.Series(rate_c, index=by_cat.index).reindex(c["category_code"]).to_numpy()
    size_d, flat_d = fit_concentration(y, n, parent, min_concentration=min_prior_size,
                                       max_concentration=max_prior_size)
    table = pd.DataFrame({
        "category_code": by_cat.index.astype(str),
        "prior_mean": rate_c,
        "prior_size": float(size_d),
        "districts": by_cat["districts"].to_numpy(int),
        "samples": by_cat["samples"].to_numpy(float),
        "failures": by_cat["failures"].to_numpy(float),
    })
    summary = {"province_mean": float(mu), "prior_size_category": float(size_c),
               "prior_size_district": float(size_d), "flat_category": bool(flat_c),
               "flat_district": bool(flat_d), "districts": int(c["district"].nunique())}
    return table, summary


def category_priors_path(dataset: Any, path: str) -> Path | None:
    """The ``risk.category_priors`` file: a relative path is taken from the dataset's folder.

    Raises
    ------
    ConfigError
        On ``risk.category_priors`` when the file does not exist.
    """
    if not path:
        return None
    p = Path(path)
    if not p.is_absolute() and getattr(dataset, "source", None) is not None:
        p = Path(dataset.source) / p
    if not p.is_file():
        raise ConfigError("risk.category_priors", f"file not found: {p}")
    return p


def read_category_priors(path: str | Path) -> pd.DataFrame:
    """Read a category priors file (:data:`PRIOR_COLUMNS`; UTF-8, with or without BOM).

    Raises
    ------
    RiskplanError
        Naming the file, row and column of a missing column, a missing or duplicate category
        code, or a ``prior_mean`` outside (0, 1) or ``prior_size`` not > 0.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RiskplanError(f"{path}: cannot read category priors: {exc}") from None
    missing = [col for col in ("category_code", "prior_mean", "prior_size") if col not in df.columns]
    if missing:
        raise RiskplanError(f"{path}: column(s) {missing} missing (category priors need "
                            f"{', '.join(PRIOR_COLUMNS[:3])})")
    code = df["category_code"].str.strip().str.lstrip("=").str.strip('"')
    mean = pd.to_numeric(df["prior_mean"], errors="coerce")
    size = pd.to_numeric(df["prior_size"], errors="coerce")
    checks = ((code == "", "category_code", "is empty"),
              (code.duplicated(), "category_code", "is a duplicate"),
              (~((mean > 0) & (mean < 1)), "prior_mean", "must be a number in (0, 1)"),
              (~(size > 0) | ~np.isfinite(size), "prior_size", "must be a number > 0"))
    for bad, column, what in checks:
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise RiskplanError(f"{path}: row {row + 1}, column {column}: {df[column].iloc[row]!r} {what}")
    return pd.DataFrame({"category_code": code.astype(str), "prior_mean": mean.astype(float),
                         "prior_size": size.astype(float)})
