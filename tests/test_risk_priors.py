"""Province-level category priors (riskplan.risk.priors) and the province back-test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskplan.config import Config
from riskplan.errors import ConfigError, RiskplanError
from riskplan.pipeline import run_plan
from riskplan.risk import partial_pool, score
from riskplan.risk.backtest import load_hidden_truth
from riskplan.risk.priors import (
    PRIOR_COLUMNS,
    category_counts,
    fit_category_priors,
    read_category_priors,
)


def _counts() -> pd.DataFrame:
    return pd.DataFrame({
        "district": ["a", "a", "b", "b", "c"],
        "category_code": ["X", "Y", "X", "Y", "X"],
        "n_samples_w": [100.0, 200.0, 50.0, 80.0, 30.0],
        "n_fail_w": [10.0, 2.0, 6.0, 1.0, 3.0],
    })


def test_fit_category_priors_pools_the_districts():
    table, summary = fit_category_priors(_counts())
    assert list(table.columns) == list(PRIOR_COLUMNS)
    t = table.set_index("category_code")
    assert summary["province_mean"] == pytest.approx((22 + 0.5) / (460 + 1))
    assert t.loc["X", "samples"] == 180 and t.loc["X", "failures"] == 19 and t.loc["X", "districts"] == 3
    assert t.loc["Y", "districts"] == 2
    # X fails far more often than Y, and each province rate lies between its raw rate and the mean
    assert t.loc["X", "prior_mean"] > t.loc["Y", "prior_mean"]
    assert 3 / 280 <= t.loc["Y", "prior_mean"] <= summary["province_mean"] <= t.loc["X", "prior_mean"] <= 19 / 180
    assert (t["prior_size"] == summary["prior_size_district"]).all()
    with pytest.raises(RiskplanError, match="no district has any sampling history"):
        fit_category_priors(_counts().assign(n_samples_w=0.0))


def test_a_category_without_district_data_takes_the_province_rate():
    strata = pd.DataFrame({"township_code": ["t1", "t1", "t2"], "business_type": ["B", "B", "B"],
                           "category_code": ["X", "Z", "X"], "n_fail_w": [1.0, 0.0, 0.0],
                           "n_samples_w": [20.0, 0.0, 10.0]})
    prior = pd.DataFrame({"category_code": ["Z", "X"], "prior_mean": [0.2, 0.05], "prior_size": [50.0, 50.0]})
    plain, s0 = partial_pool(strata)
    pooled, s1 = partial_pool(strata, category_prior=prior)
    z = pooled[pooled["category_code"] == "Z"].iloc[0]
    assert z["category_mean"] == pytest.approx(0.2)  # no samples: exactly the province's rate
    x = pooled[pooled["category_code"] == "X"].iloc[0]
    assert x["category_mean"] == pytest.approx((1 + 50 * 0.05) / (30 + 50))
    assert s0["category_prior"] == "district" and s1["category_prior"] == "province"
    assert s1["categories_from_province"] == 2
    assert not np.allclose(plain["rate_mean"], pooled["rate_mean"])


def test_read_category_priors_names_row_and_column(tmp_path):
    good = tmp_path / "p.csv"
    good.write_text("category_code,prior_mean,prior_size\nC01,0.01,40\nC02,0.05,40\n", encoding="utf-8")
    assert list(read_category_priors(good)["category_code"]) == ["C01", "C02"]
    bad = tmp_path / "bad.csv"
    bad.write_text("category_code,prior_mean,prior_size\nC01,0.01,40\nC02,1.5,40\n", encoding="utf-8")
    with pytest.raises(RiskplanError, match=r"bad.csv: row 2, column prior_mean: '1.5' must be a number in \(0, 1\)"):
        read_category_priors(bad)
    dup = tmp_path / "dup.csv"
    dup.write_text("category_code,prior_mean,prior_size\nC01,0.01,40\nC01,0.02,40\n", encoding="utf-8")
    with pytest.raises(RiskplanError, match="row 2, column category_code: 'C01' is a duplicate"):
        read_category_priors(dup)
    missing = tmp_path / "m.csv"
    missing.write_text("category_code,prior_mean\nC01,0.01\n", encoding="utf-8")
    with pytest.raises(RiskplanError, match=r"\['prior_size'\] missing"):
        read_category_priors(missing)


def test_priors_from_a_config_reach_the_plan_of_the_second_district(yunling, yunling_config, tmp_path):
    counts = category_counts(yunling.history, yunling.establishments, yunling.reference_date, 2.0)
    table, _ = fit_category_priors(counts.assign(district="yunling"))
    path = tmp_path / "priors.csv"
    table.to_csv(path, index=False)
    cfg = yunling_config.replace(risk=__import__("dataclasses").replace(yunling_config.risk,
                                                                        category_priors=str(path)))
    with_priors = score(yunling, config=cfg.risk, category_priors=read_category_priors(path))
    plain = score(yunling, config=yunling_config.risk)
    assert with_priors.attrs["risk"]["pooling"]["category_prior"] == "province"
    assert not np.allclose(np.sort(plain["category_mean"]), np.sort(with_priors["category_mean"]))
    missing = cfg.replace(risk=__import__("dataclasses").replace(cfg.risk, category_priors="nowhere.csv"))
    with pytest.raises(ConfigError, match="risk.category_priors"):
        run_plan(yunling, missing, 6)
    assert Config().risk.category_priors == ""


def test_province_backtest_on_two_districts(ouhai, yunling):
    from riskplan.province.backtest import province_backtest

    bt = province_backtest({"ouhai": ouhai, "yunling": yunling}, truths={"ouhai": load_hidden_truth()})
    d = bt.districts.set_index("district")
    assert list(d.index) == ["ouhai", "yunling"]
    assert d.loc["ouhai", "population"] == ouhai.residents
    for err in ("mse_observed", "logloss_observed"):
        assert np.isfinite(d[[f"{err}_raw", f"{err}_shrunk", f"{err}_province"]].to_numpy()).all()
    assert np.isfinite(d.loc["ouhai", "mse_truth_province"]) and np.isnan(d.loc["yunling", "mse_truth_province"])
    assert d.loc["yunling", "mse_observed_province"] != d.loc["yunling", "mse_observed_shrunk"]
    assert set(bt.priors["category_code"]) >= set(ouhai.categories["category_code"]) - {""}
    assert "province priors back-test" in bt.summary() and "mse_observed" in bt.summary()
