"""Back-test on the embedded Ouhai data, pooling properties, recency weights."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from riskplan.risk import RiskRules, backtest, half_life_weights, partial_pool, score
from riskplan.risk.backtest import load_hidden_truth
from riskplan.synthetic import make_synthetic


@pytest.fixture(scope="module")
def truth():
    return load_hidden_truth()


@pytest.fixture(scope="module")
def ouhai_backtest(ouhai, truth):
    return backtest(ouhai, train_years=(2023, 2024), test_year=2025, truth=truth)


def test_hidden_truth_shape(truth):
    assert set(truth.columns) >= {"township_code", "business_type", "category_code", "year", "true_rate"}
    assert set(truth["year"]) >= {2023, 2024, 2025}


def test_shrunk_beats_raw_on_ouhai(ouhai_backtest):
    m = ouhai_backtest.metrics.set_index("estimator")
    for col in ("mse_observed", "logloss_observed", "mse_truth", "logloss_truth"):
        assert m.loc["shrunk", col] < m.loc["raw", col], col
    assert ouhai_backtest.improvement("mse_truth") > 0.5
    assert m.loc["raw", "n_strata"] > 100
    assert (ouhai_backtest.strata["n_train"] > 0).all() and (ouhai_backtest.strata["n_test"] > 0).all()


def test_backtest_uses_only_training_years(ouhai, ouhai_backtest):
    s = ouhai_backtest.strata
    h = ouhai.history
    years = pd.to_datetime(h["sample_date"]).dt.year
    assert s["n_train"].sum() <= int(years.isin([2023, 2024]).sum())
    assert s["n_test"].sum() == ouhai_backtest.metrics["n_test_samples"].iloc[0]


def test_shrunk_beats_raw_on_synthetic():
    d = make_synthetic(n_establishments=600, n_history=4000, seed=7)
    b = backtest(d, truth=d.truth.assign(year=2025))
    m = b.metrics.set_index("estimator")
    assert m.loc["shrunk", "mse_truth"] < m.loc["raw", "mse_truth"]


def test_ouhai_scores_cover_present_strata(ouhai):
    s = score(ouhai)
    assert s.attrs["risk"]["reference_date"] == "2026-06-30"
    assert (s["weight"] > 0).all()
    assert s["no_history"].any() and (~s["no_history"]).any()
    assert s["township_name_zh"].notna().all()


def test_half_life_weights():
    dates = pd.Series(pd.to_datetime(["2026-06-30", "2024-06-30", "2022-06-30", None, "2027-01-01"]))
    w = half_life_weights(dates, dt.date(2026, 6, 30), 2.0)
    assert w[0] == pytest.approx(1.0)
    assert w[1] == pytest.approx(0.5, abs=0.002)
    assert w[2] == pytest.approx(0.25, abs=0.002)
    assert w[3] == 0.0 and w[4] == 1.0
    assert (half_life_weights(dates[:3], dt.date(2026, 6, 30), 0) == 1).all()


def test_partial_pool_sparse_vs_rich():
    rng = np.random.default_rng(0)
    k = 60
    cats = np.repeat(["C1", "C2"], k // 2)
    true = np.where(cats == "C1", 0.05, 0.20) * np.exp(rng.normal(0, 0.3, k))
    n = np.where(np.arange(k) % 2 == 0, 400, 2)
    y = rng.binomial(n, true)
    df = pd.DataFrame({"township_code": [f"T{i}" for i in range(k)], "business_type": "B", "category_code": cats,
                       "y": y.astype(float), "n": n.astype(float)})
    # one township per stratum here, so township effects would explain everything: switch them off
    out, summ = partial_pool(df, y="y", n="n", max_prior_size=1000, main_effects=False)
    rich, sparse = out[n == 400], out[n == 2]
    # rich strata keep their own rate; sparse ones sit near their category's rate
    assert np.abs(rich["rate_mean"] - rich["y"] / rich["n"]).max() < 0.03
    assert np.abs(sparse["rate_mean"] - sparse["cell_mean"]).max() < 0.05
    assert (out.loc[cats == "C2", "cell_mean"] > out.loc[cats == "C1", "cell_mean"].max()).all()
    assert ((out["rate_lo"] < out["rate_mean"]) & (out["rate_mean"] < out["rate_hi"])).all()
    assert not summ["flat_stratum"]


def test_credible_level_widens_interval(ouhai):
    a = score(ouhai, config=RiskRules(credible_level=0.5))
    b = score(ouhai, config=RiskRules(credible_level=0.95)).set_index("stratum_id").loc[a["stratum_id"]]
    assert ((b["rate_hi"].to_numpy() - b["rate_lo"].to_numpy()) > (a["rate_hi"] - a["rate_lo"]).to_numpy()).all()


def test_main_effects_borrow_from_business_type():
    """A business type that fails often in category C1 gets a higher prior in sparse C2 cells."""
    rows = []
    for t in range(10):
        rows.append((f"T{t}", "RISKY", "C1", 30.0, 100.0))
        rows.append((f"T{t}", "SAFE", "C1", 3.0, 100.0))
        rows.append((f"T{t}", "RISKY", "C2", 0.0, 1.0))
        rows.append((f"T{t}", "SAFE", "C2", 1.0, 100.0))
    df = pd.DataFrame(rows, columns=["township_code", "business_type", "category_code", "y", "n"])
    with_me, _ = partial_pool(df, y="y", n="n", main_effects=True)
    without, _ = partial_pool(df, y="y", n="n", main_effects=False)
    pick = (df["business_type"] == "RISKY") & (df["category_code"] == "C2")
    assert (with_me.loc[pick, "business_type_rr"] > 1.5).all()
    assert (with_me.loc[pick, "rate_mean"] > 2 * without.loc[pick, "rate_mean"]).all()
    assert np.allclose(with_me["township_rr"], with_me["township_rr"].iloc[0], atol=0.2)
