"""Do province-level category priors predict better than district-only priors? A back-test.

The province level is fitted on the training years of every district only
(:func:`riskplan.risk.priors.fit_category_priors`); each district is then back-tested
(:func:`riskplan.risk.backtest`) with its district-only shrunk rates (``shrunk``) and with the
province priors (``province``), against its test year's observed rates and, for a synthetic
province, against the hidden true rates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskplan.dataset import Dataset
from riskplan.risk import backtest
from riskplan.risk.priors import category_counts, fit_category_priors
from riskplan.settings.risk import RiskRules

__all__ = ["ProvinceBacktest", "province_backtest"]


@dataclasses.dataclass(frozen=True)
class ProvinceBacktest:
    """Outcome of :func:`province_backtest`.

    Attributes
    ----------
    districts
        One row per district: ``district``, ``population``, ``strata``, ``test_samples`` and, for
        each estimator (``raw``, ``shrunk``, ``province``) and error (``mse_observed``,
        ``logloss_observed``, ``mse_truth``, ``logloss_truth``), a column ``<error>_<estimator>``.
    priors
        The province's category priors, fitted on the training years.
    train_years, test_year
        The years used.
    """

    districts: pd.DataFrame
    priors: pd.DataFrame
    train_years: tuple[int, ...]
    test_year: int

    def pooled(self, error: str = "mse_truth", estimator: str = "province",
               districts: pd.Series | None = None) -> float:
        """An error over all (or the selected) districts, weighted by their test samples."""
        d = self.districts if districts is None else self.districts[districts.to_numpy()]
        w = d["test_samples"].to_numpy(float)
        return float(np.sum(w * d[f"{error}_{estimator}"].to_numpy(float)) / np.sum(w))

    def improvement(self, error: str = "mse_truth", districts: pd.Series | None = None) -> float:
        """Relative reduction of ``error`` by the province priors: ``1 - province / shrunk``."""
        return 1.0 - self.pooled(error, "province", districts) / self.pooled(error, "shrunk", districts)

    def summary(self) -> str:
        """The verdict in a few lines: better or not, overall and for the small districts."""
        d = self.districts
        small = d["population"] < d["population"].median()
        lines = [f"province priors back-test: fit on {', '.join(map(str, self.train_years))}, scored on "
                 f"{self.test_year}, {len(d)} districts"]
        for error in ("mse_truth", "logloss_truth", "mse_observed", "logloss_observed"):
            if d[f"{error}_province"].notna().all():
                better = int((d[f"{error}_province"] < d[f"{error}_shrunk"]).sum())
                lines.append(f"  {error}: district-only {self.pooled(error, 'shrunk'):.6f}, province "
                             f"{self.pooled(error, 'province'):.6f} ({self.improvement(error):+.1%}); "
                             f"better in {better}/{len(d)} districts; smaller half "
                             f"{self.improvement(error, small):+.1%}")
        return "\n".join(lines)


def province_backtest(
    districts: Mapping[str, Dataset],
    *,
    truths: Mapping[str, pd.DataFrame] | None = None,
    train_years: tuple[int, ...] = (2023, 2024),
    test_year: int = 2025,
    rules: RiskRules | None = None,
    max_prior_size: float = 1000.0,
) -> ProvinceBacktest:
    """Back-test district-only against province priors on every district of a province.

    Parameters
    ----------
    districts
        Name -> dataset.
    truths
        Name -> hidden truth (key columns, ``year``, ``true_rate``), for a synthetic province.
    train_years, test_year
        Years to fit on and to score against.
    rules
        Risk settings of the district fits.
    max_prior_size
        Upper bound of the province level's prior sizes [samples].

    Returns
    -------
    ProvinceBacktest
    """
    cfg = rules or RiskRules()
    ref = pd.Timestamp(f"{max(train_years)}-12-31")
    counts = []
    for name, ds in districts.items():
        years = pd.to_datetime(ds.history["sample_date"]).dt.year
        train = ds.history[years.isin(list(train_years)).to_numpy()]
        counts.append(category_counts(train, ds.establishments, ref, cfg.half_life_years).assign(district=name))
    priors, _ = fit_category_priors(pd.concat(counts, ignore_index=True), min_prior_size=cfg.min_prior_size,
                                    max_prior_size=max_prior_size)
    rows = []
    for name, ds in districts.items():
        bt = backtest(ds, train_years=train_years, test_year=test_year, config=cfg,
                      truth=(truths or {}).get(name), category_priors=priors)
        row: dict[str, float | int | str] = {"district": name, "population": int(ds.residents),
                                             "strata": len(bt.strata),
                                             "test_samples": int(bt.strata["n_test"].sum())}
        m = bt.metrics.set_index("estimator")
        for error in ("mse_observed", "logloss_observed", "mse_truth", "logloss_truth"):
            for est in m.index:
                row[f"{error}_{est}"] = float(m.loc[est, error])
        rows.append(row)
    return ProvinceBacktest(pd.DataFrame(rows), priors, tuple(train_years), int(test_year))
