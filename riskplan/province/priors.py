"""Province-level category priors for a province run (``--province-priors``).

Each district's recency-weighted samples and failures per category are counted on the workers
(:func:`district_counts`, one task per district, reading its folder); the parent fits the
province level once (:func:`riskplan.risk.priors.fit_category_priors`), writes it to
``OUT/category_priors.csv`` and names that file in every district's configuration
(``risk.category_priors``), so each district's plan folder says which priors it used, its
manifest hashes them, and the district can be planned again alone from its own ``config.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from riskplan.config import Config
from riskplan.datasets import read_dataset
from riskplan.errors import RiskplanError
from riskplan.export.atomic import write_text
from riskplan.risk.priors import PRIOR_COLUMNS, category_counts, fit_category_priors

__all__ = ["district_counts", "fit_and_write"]


def district_counts(folder: str, config: dict[str, Any]) -> pd.DataFrame | None:
    """Weighted samples and failures per category of one district (a worker task).

    Returns
    -------
    pandas.DataFrame or None
        ``category_code, n_samples_w, n_fail_w``; None when the district's data or configuration
        is wrong (its planning task then fails with the problems; it adds nothing to the fit).
    """
    try:
        dataset = read_dataset(Path(folder))
        rules = Config.from_dict(config).risk
    except RiskplanError:
        return None
    return category_counts(dataset.history, dataset.establishments, dataset.reference_date,
                           rules.half_life_years)


def fit_and_write(counts: Mapping[str, pd.DataFrame | None], path: Path, *, min_prior_size: float,
                  max_prior_size: float) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit the province's category priors from every district's counts and write them to ``path``.

    Parameters
    ----------
    counts
        District name -> :func:`district_counts` (None for a district that could not be read).
    path
        The priors file (written atomically, UTF-8 CSV, :data:`~riskplan.risk.priors.PRIOR_COLUMNS`).
    min_prior_size, max_prior_size
        Bounds of the fitted prior sizes [samples].

    Returns
    -------
    (table, summary)
        What :func:`riskplan.risk.priors.fit_category_priors` returns.
    """
    frames = [c.assign(district=name) for name, c in counts.items() if c is not None and len(c)]
    if not frames:
        raise RiskplanError("no district could be read: no province priors can be fitted")
    table, summary = fit_category_priors(pd.concat(frames, ignore_index=True),
                                         min_prior_size=min_prior_size, max_prior_size=max_prior_size)
    text = table[list(PRIOR_COLUMNS)].to_csv(index=False, lineterminator="\n", float_format="%.10g")
    write_text(path, text)
    return table, summary
