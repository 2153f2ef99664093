"""Back-test: whether shrunk rates predict next year's unqualified rates better than raw rates."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd

from riskplan.dataset import Dataset
from riskplan.risk.errors import RiskInputError
from riskplan.risk.pooling import KEY
from riskplan.risk.score import history_counts, score
from riskplan.settings.risk import RiskRules
from riskplan.synthetic import ouhai

DEFAULT_CLIP = 1e-3
"""Predictions are clipped to [clip, 1 - clip] for the log-loss, so a raw 0/3 is not infinitely wrong."""


@dataclasses.dataclass(frozen=True)
class BacktestResult:
    """Outcome of :func:`backtest`.

    Attributes
    ----------
    metrics
        One row per estimator (``raw``, ``shrunk``, and ``province`` when province category priors
        were given) with ``mse_observed`` and ``logloss_observed``
        (against the test year's observed rates, weighted by its samples) and ``mse_truth``,
        ``logloss_truth`` (against the true rates, same weights; NaN without a truth table).
    strata
        One row per stratum compared: key, ``n_train``, ``y_train``, ``n_test``, ``y_test``,
        ``raw``, ``shrunk``, ``observed`` and ``true_rate``.
    train_years, test_year
        The years used.
    """

    metrics: pd.DataFrame
    strata: pd.DataFrame
    train_years: tuple[int, ...]
    test_year: int

    def __repr__(self) -> str:
        return (f"BacktestResult(train={list(self.train_years)}, test={self.test_year}, "
                f"strata={len(self.strata)}, mse improvement={self.improvement():.1%})")

    def summary(self) -> str:
        """Raw against shrunk estimates in a few lines, on every error measure."""
        lines = [f"back-test: fit on {', '.join(map(str, self.train_years))}, scored on "
                 f"{self.test_year} ({len(self.strata)} strata)"]
        for col in ("mse_observed", "logloss_observed", "mse_truth", "logloss_truth"):
            if col in self.metrics.columns and self.metrics[col].notna().all():
                m = self.metrics.set_index("estimator")[col]
                lines.append(f"  {col}: raw {m['raw']:.5f}, shrunk {m['shrunk']:.5f} "
                             f"({self.improvement(col):+.1%} better)")
        return "\n".join(lines)

    def improvement(self, column: str = "mse_observed") -> float:
        """Relative reduction of an error by shrinkage: ``1 - shrunk / raw``."""
        m = self.metrics.set_index("estimator")[column]
        return float(1.0 - m["shrunk"] / m["raw"])


def _errors(pred: np.ndarray, obs: np.ndarray, w: np.ndarray, clip: float) -> tuple[float, float]:
    p = np.clip(pred, clip, 1 - clip)
    mse = float(np.sum(w * (pred - obs) ** 2) / np.sum(w))
    ll = float(-np.sum(w * (obs * np.log(p) + (1 - obs) * np.log(1 - p))) / np.sum(w))
    return mse, ll


def backtest(
    data: Dataset | SimpleNamespace | None = None,
    *,
    train_years: tuple[int, ...] = (2023, 2024),
    test_year: int = 2025,
    truth: pd.DataFrame | None = None,
    config: RiskRules | None = None,
    clip: float = DEFAULT_CLIP,
    category_priors: pd.DataFrame | None = None,
    **tables: pd.DataFrame | None,
) -> BacktestResult:
    """Fit on ``train_years``, predict ``test_year``; compare shrunk with raw rates.

    Parameters
    ----------
    data
        A :class:`riskplan.dataset.Dataset` (or the namespace of
        :func:`riskplan.synthetic.make_synthetic`) with ``establishments``, ``history``, ``categories``,
        ``business_types`` (and optionally ``complaints``); keywords in ``tables`` override them.
    train_years, test_year
        Calendar years to fit on and to score against. The fit's reference date is the last day
        of the last training year.
    truth
        Optional table with the key columns, ``year`` and ``true_rate`` (the generator's true
        unqualified rates), e.g. :func:`load_hidden_truth` for the embedded Ouhai data.
    config
        Risk settings for the shrunk estimate (half-life, prior-size bounds).
    clip
        Predictions are clipped to ``[clip, 1 - clip]`` inside the log-loss.
    category_priors
        Province-level category priors (:mod:`riskplan.risk.priors`, fitted on the training years
        only): adds the estimator ``province``, the shrunk rates with those priors.

    Returns
    -------
    BacktestResult
        Compared on strata with samples in both the training years and the test year; errors
        are weighted by the test year's samples (weighted MSE; binomial log-loss per sample).
    """
    def pick(name: str) -> pd.DataFrame | None:
        return tables[name] if tables.get(name) is not None else getattr(data, name, None)

    history = pick("history")
    establishments = pick("establishments")
    if history is None or establishments is None:
        raise RiskInputError("backtest needs the 'history' and 'establishments' tables")
    year = pd.to_datetime(history["sample_date"], errors="coerce").dt.year
    train = history[year.isin(list(train_years)).to_numpy()]
    test = history[(year == test_year).to_numpy()]
    if train.empty or test.empty:
        raise RiskInputError(f"backtest: no history in training years {train_years} or in test year {test_year}")
    ref = pd.Timestamp(f"{max(train_years)}-12-31")
    cfg = config or RiskRules()
    def fit(priors: pd.DataFrame | None) -> pd.DataFrame:
        return score(establishments=establishments, history=train, categories=pick("categories"),
                     business_types=pick("business_types"), complaints=pick("complaints"), reference_date=ref,
                     config=cfg, category_priors=priors)

    sc = fit(None)
    estimators = ["raw", "shrunk"]
    if category_priors is not None:
        sc = sc.merge(fit(category_priors)[[*KEY, "rate_mean"]].rename(columns={"rate_mean": "province"}),
                      on=KEY, how="left")
        estimators.append("province")
    obs = history_counts(test, establishments, ref, 0.0).rename(columns={"n_samples": "n_test", "n_fail": "y_test"})
    cmp = sc[[*KEY, "n_samples", "n_fail", "raw_rate", "rate_mean", *estimators[2:]]].rename(
        columns={"n_samples": "n_train", "n_fail": "y_train", "raw_rate": "raw", "rate_mean": "shrunk"})
    cmp = cmp.merge(obs[[*KEY, "n_test", "y_test"]], on=KEY, how="inner")
    cmp = cmp[(cmp["n_train"] > 0) & (cmp["n_test"] > 0)].reset_index(drop=True)
    cmp["observed"] = cmp["y_test"] / cmp["n_test"]
    if truth is not None:
        t = truth[truth["year"].astype(int) == test_year][[*KEY, "true_rate"]]
        cmp = cmp.merge(t, on=KEY, how="left")
    else:
        cmp["true_rate"] = np.nan
    w = cmp["n_test"].to_numpy(dtype=float)
    rows = []
    for est in estimators:
        pred = cmp[est].to_numpy(dtype=float)
        mse_o, ll_o = _errors(pred, cmp["observed"].to_numpy(dtype=float), w, clip)
        tr = cmp["true_rate"].to_numpy(dtype=float)
        ok = np.isfinite(tr)
        mse_t, ll_t = _errors(pred[ok], tr[ok], w[ok], clip) if ok.any() else (np.nan, np.nan)
        rows.append({"estimator": est, "mse_observed": mse_o, "logloss_observed": ll_o,
                     "mse_truth": mse_t, "logloss_truth": ll_t, "n_strata": len(cmp), "n_test_samples": int(w.sum())})
    return BacktestResult(pd.DataFrame(rows), cmp, tuple(train_years), int(test_year))


def load_hidden_truth() -> pd.DataFrame:
    """The true unqualified rates the embedded Ouhai data were drawn from.

    :func:`riskplan.synthetic.ouhai.hidden_truth`: recomputed from the embedded dataset's code
    lists and the build's seed (never stored in a data file), so it works from a wheel as well.

    Returns
    -------
    pandas.DataFrame
        Key columns, ``year`` (2023-2026) and ``true_rate`` [-], one row per stratum and year.
    """
    return ouhai.hidden_truth()
