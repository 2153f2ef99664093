"""score(): one row per stratum present, every component visible, weights move as configured."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
import warnings

import numpy as np
import pandas as pd
import pytest

from riskplan._settings import section_from_dict
from riskplan.errors import ConfigError, RiskplanError
from riskplan.risk import RiskInputError, RiskRules, explain, score
from riskplan.risk.inputs import explode_categories
from riskplan.synthetic import make_synthetic

KEY = ["township_code", "business_type", "category_code"]


@pytest.fixture(scope="module")
def synth():
    return make_synthetic(seed=3)


@pytest.fixture(scope="module")
def scores(synth):
    return score(synth)


def tiny_tables():
    """Two townships, two categories, hand-made history for exact checks."""
    categories = pd.DataFrame({"category_code": ["C01", "C02"], "name_zh": ["肉", "菜"], "name_en": ["Meat", "Veg"],
                               "hazard_severity": [5.0, 2.0]})
    business_types = pd.DataFrame({"business_type": ["D-MARKET", "C-SCHOOL"], "stage": ["distribution", "catering"],
                                   "name_zh": ["市场", "学校食堂"], "name_en": ["Market", "School"],
                                   "vulnerable": ["false", "true"]})
    establishments = pd.DataFrame({
        "establishment_id": ["E1", "E2", "E3", "E4", "E5"],
        "township_code": ["T1", "T1", "T2", "T2", "T2"],
        "business_type": ["D-MARKET", "D-MARKET", "D-MARKET", "C-SCHOOL", "D-MARKET"],
        "categories": ["C01;C02", "C01", "C01", "C01;C02", "C02"],
        "risk_grade": ["A", "D", "B", "C", "A"],
        "daily_customers": [100, 300, np.nan, 50, 80],
    })
    rows = []
    # T1 market C01: 200 samples, 40 failures (well sampled, 20 %)
    rows += [("E1", "C01", "fail" if i < 40 else "pass", "2025-06-01") for i in range(200)]
    # T2 market C01: 3 samples, 0 failures (sparse)
    rows += [("E3", "C01", "pass", "2025-03-01") for _ in range(3)]
    # T1 market C02: 50 samples 1 failure
    rows += [("E1", "C02", "fail" if i < 1 else "pass", "2024-06-01") for i in range(50)]
    history = pd.DataFrame(rows, columns=["establishment_id", "category_code", "result", "sample_date"])
    history["sample_id"] = [f"S{i}" for i in range(len(history))]
    complaints = pd.DataFrame({"complaint_id": ["K1", "K2"], "date": ["2025-10-01", "2025-11-01"],
                               "establishment_id": ["E4", ""], "township_code": ["T2", "T1"],
                               "category_code": ["C01", "C02"], "kind": ["x", "y"]})
    return dict(establishments=establishments, history=history, categories=categories,
                business_types=business_types, complaints=complaints, reference_date=dt.date(2025, 12, 31))


def test_one_row_per_present_stratum(synth, scores):
    ex = explode_categories(synth.establishments)
    present = ex[KEY].drop_duplicates()
    assert len(scores) == len(present)
    assert not scores.duplicated(KEY).any()
    assert set(map(tuple, scores[KEY].to_numpy())) == set(map(tuple, present.to_numpy()))
    counts = ex.groupby(KEY).size()
    got = scores.set_index(KEY)["n_establishments"]
    assert (got.sort_index() == counts.sort_index()).all()


def test_contract_columns_and_invariants(scores):
    for col in ["township_code", "business_type", "category_code", "stage", "n_establishments", "n_samples",
                "n_fail", "n_samples_w", "n_fail_w", "rate_mean", "rate_lo", "rate_hi", "prior_alpha", "prior_beta",
                "exposure", "hazard_severity", "complaints_per_establishment", "share_grade_cd", "vulnerable",
                "weight", "no_history"]:
        assert col in scores.columns, col
    assert (scores["weight"] >= 0).all() and np.isfinite(scores["weight"]).all()
    assert (scores["rate_lo"] <= scores["rate_mean"]).all() and (scores["rate_mean"] <= scores["rate_hi"]).all()
    assert ((scores["rate_lo"] > 0) & (scores["rate_hi"] < 1)).all()
    assert (scores["n_fail"] <= scores["n_samples"]).all()
    assert (scores["n_samples_w"] <= scores["n_samples"] + 1e-9).all()
    assert scores["weight_share"].sum() == pytest.approx(1.0)
    assert scores["weight"].is_monotonic_decreasing
    assert scores["stage"].isin(["production", "distribution", "catering"]).all()
    assert scores["township_code"].map(type).eq(str).all()


def test_raw_counts_match_history(synth, scores):
    h = synth.history.merge(synth.establishments[["establishment_id", "township_code", "business_type"]],
                            on="establishment_id")
    present = scores.set_index(KEY)
    g = h.groupby(KEY).agg(n=("result", "size"), y=("result", lambda r: (r == "fail").sum()))
    g = g[g.index.isin(present.index)]
    assert (present.loc[g.index, "n_samples"] == g["n"]).all()
    assert (present.loc[g.index, "n_fail"] == g["y"]).all()


def test_sparse_shrinks_well_sampled_keeps_rate():
    t = tiny_tables()
    s = score(**t, config=RiskRules(half_life_years=0)).set_index(KEY)
    big = s.loc[("T1", "D-MARKET", "C01")]
    sparse = s.loc[("T2", "D-MARKET", "C01")]
    assert big["raw_rate"] == pytest.approx(0.2)
    assert abs(big["rate_mean"] - 0.2) < 0.03  # keeps (nearly) its own rate
    assert sparse["raw_rate"] == 0.0
    assert sparse["rate_mean"] > 0.05  # 0 of 3 is not zero risk
    assert sparse["rate_hi"] > sparse["rate_mean"] > sparse["rate_lo"]
    assert sparse["rate_hi"] - sparse["rate_lo"] > big["rate_hi"] - big["rate_lo"]


def test_no_history_strata_scored_and_flagged():
    t = tiny_tables()
    s = score(**t).set_index(KEY)
    nh = s.loc[("T2", "C-SCHOOL", "C02")]
    assert nh["no_history"] and nh["n_samples"] == 0
    assert nh["weight"] > 0 and np.isfinite(nh["rate_mean"])
    assert nh["rate_mean"] == pytest.approx(nh["prior_mean"])
    assert nh["prior_mean"] == pytest.approx(nh["cell_mean"] * nh["township_rr"])
    assert not s.loc[("T1", "D-MARKET", "C01"), "no_history"]


def test_vulnerable_and_grade_and_complaints_components():
    t = tiny_tables()
    s = score(**t).set_index(KEY)
    school = s.loc[("T2", "C-SCHOOL", "C01")]
    assert school["vulnerable"] and school["vulnerable_factor"] == pytest.approx(1.5)
    assert school["share_grade_cd"] == 1.0  # E4 is grade C
    assert school["complaints"] == pytest.approx(1.0)  # K1 names E4 and C01
    # K2 names township T1 and C02 only: T1 market C02 is the only such stratum
    assert s.loc[("T1", "D-MARKET", "C02"), "complaints"] == pytest.approx(1.0)
    assert s["complaints"].sum() == pytest.approx(2.0)
    assert s.loc[("T1", "D-MARKET", "C01"), "share_grade_cd"] == pytest.approx(0.5)  # E1 A, E2 D


def test_reference_date_from_data_not_today():
    t = tiny_tables()
    a = score(**t)
    assert a.attrs["risk"]["reference_date"] == "2025-12-31"
    later = score(**{**t, "reference_date": dt.date(2035, 12, 31)})
    # ten years later every result is old, but the ratio of weights is the same; effective counts shrink
    assert later["n_samples_w"].sum() < a["n_samples_w"].sum()


def test_recency_half_life_downweights_old_failures():
    t = tiny_tables()
    h = t["history"]
    # T1 market C02: make the 2024 failures many, then recent passes
    extra = pd.DataFrame({"establishment_id": "E1", "category_code": "C02", "result": "fail",
                          "sample_date": "2021-01-01", "sample_id": [f"X{i}" for i in range(20)]})
    t["history"] = pd.concat([h, extra], ignore_index=True)
    key = ("T1", "D-MARKET", "C02")
    short = score(**t, config=RiskRules(half_life_years=0.5)).set_index(KEY).loc[key]
    none = score(**t, config=RiskRules(half_life_years=0)).set_index(KEY).loc[key]
    assert short["n_fail_w"] < none["n_fail_w"] == 21
    assert short["raw_rate"] == none["raw_rate"]


BASE = RiskRules()


@pytest.mark.parametrize(
    ("field", "value", "who", "direction"),
    [
        ("complaint_weight", 2.0, lambda s: s["complaints"] > 0, +1),
        ("complaint_weight", 2.0, lambda s: s["complaints"] == 0, 0),
        ("grade_weight", 2.0, lambda s: s["share_grade_cd"] > 0, +1),
        ("grade_weight", 2.0, lambda s: s["share_grade_cd"] == 0, 0),
        ("vulnerable_weight", 2.0, lambda s: s["vulnerable"], +1),
        ("vulnerable_weight", 2.0, lambda s: ~s["vulnerable"], 0),
        ("hazard_exponent", 2.0, lambda s: s["hazard_severity"] > 1, +1),
        ("exposure_exponent", 1.0, lambda s: s["n_establishments"] > 1, +1),
        ("rate_exponent", 2.0, lambda s: s["rate_mean"] < 1, -1),
        ("volume_exponent", 1.0, lambda s: s["volume_index"] > 1, +1),
        ("volume_exponent", 1.0, lambda s: s["volume_index"] < 1, -1),
    ],
)
def test_each_weight_moves_scores(synth, scores, field, value, who, direction):
    assert getattr(BASE, field) != value
    changed = score(synth, config=dataclasses.replace(BASE, **{field: value}))
    a = scores.set_index("stratum_id")
    b = changed.set_index("stratum_id").loc[a.index]
    mask = who(a).to_numpy()
    assert mask.any()
    diff = (b["weight"] - a["weight"]).to_numpy()[mask]
    if direction > 0:
        assert (diff > 0).all()
    elif direction < 0:
        assert (diff < 0).all()
    else:
        assert np.allclose(diff, 0)


def test_rate_basis_upper_favours_uncertain(synth, scores):
    up = score(synth, config=RiskRules(rate_basis="upper")).set_index("stratum_id")
    a = scores.set_index("stratum_id")
    ratio = (up["weight"] / a.loc[up.index, "weight"])
    width = (a["rate_hi"] - a["rate_lo"]) / a["rate_mean"]
    assert (ratio > 1).all()
    # relative uplift grows with relative uncertainty
    assert np.corrcoef(ratio.loc[width.index], width)[0, 1] > 0.9


def test_config_from_toml_and_checks():
    doc = tomllib.loads("[risk]\nhalf_life_years = 1.5\ngrade_weight = 1\nrate_basis = 'upper'\n")
    cfg = section_from_dict(RiskRules, doc["risk"], prefix="risk")
    assert cfg.half_life_years == 1.5 and cfg.grade_weight == 1.0 and cfg.rate_basis == "upper"
    with pytest.raises(ConfigError, match="risk.grade_wieght"):
        section_from_dict(RiskRules, {"grade_wieght": 1.0}, prefix="risk")
    with pytest.raises(ConfigError, match="risk.credible_level"):
        section_from_dict(RiskRules, {"credible_level": 1.5}, prefix="risk")
    with pytest.raises(ConfigError, match="risk.complaint_weight"):
        RiskRules(complaint_weight=-1)
    with pytest.raises(ConfigError, match="risk.max_prior_size"):
        RiskRules(min_prior_size=10, max_prior_size=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.grade_weight = 3  # type: ignore[misc]


def _broken(**change):
    t = tiny_tables()
    for k, fn in change.items():
        t[k] = fn(t[k])
    return t


@pytest.mark.parametrize(
    ("tables", "match"),
    [
        (_broken(history=lambda h: h.drop(columns="result")), "'history' lacks column.*result"),
        (_broken(establishments=lambda e: e.drop(columns="categories")), "'establishments' lacks column.*categories"),
        (_broken(categories=lambda c: c.drop(columns="hazard_severity")), "'categories' lacks.*hazard_severity"),
        (_broken(history=lambda h: h.assign(category_code="C99")), "'history', column 'category_code'.*C99"),
        (_broken(establishments=lambda e: e.assign(categories="C01;C77")), "'establishments'.*C77"),
        (_broken(establishments=lambda e: e.assign(business_type="X-NOPE")), "business_type.*X-NOPE"),
        (_broken(history=lambda h: h.assign(establishment_id="E404")), "establishment_id.*E404"),
        (_broken(history=lambda h: h.assign(result="maybe")), "'pass' or 'fail'"),
        (_broken(categories=lambda c: c.assign(hazard_severity=[-1.0, 2.0])), "hazard_severity"),
    ],
)
def test_bad_input_raises_clear_error(tables, match):
    with pytest.raises(RiskInputError, match=match) as info:
        score(**tables)
    assert isinstance(info.value, RiskplanError)


def test_missing_table():
    t = tiny_tables()
    del t["history"]
    with pytest.raises(RiskInputError, match="'history' is missing"):
        score(**t)


def test_no_warnings_on_normal_data(synth):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score(synth)


def test_explain_mentions_components():
    t = tiny_tables()
    s = score(**t)
    text = explain(s, "T2|D-MARKET|C01")
    assert "0 unqualified of 3 samples" in text
    assert "Meat" in text and "肉" in text
    assert "credible interval" in text and "rank" in text
    assert f"{s.set_index('stratum_id').loc['T2|D-MARKET|C01', 'weight']:.4g}" in text
    assert "No sampling history" in explain(s, ("T2", "C-SCHOOL", "C02"))
    assert "vulnerable" in explain(s, {"township_code": "T2", "business_type": "C-SCHOOL", "category_code": "C01"})
    with pytest.raises(RiskInputError, match="not in the scores"):
        explain(s, "T9|D-MARKET|C01")


def test_posterior_between_own_rate_and_prior(scores):
    """Exact beta-binomial invariant: the posterior mean lies between the data and the prior mean."""
    h = scores[~scores["no_history"]]
    own = h["n_fail_w"] / h["n_samples_w"]
    lo = np.minimum(own, h["prior_mean"]) - 1e-12
    hi = np.maximum(own, h["prior_mean"]) + 1e-12
    assert h["rate_mean"].between(lo, hi).all()
    # and the data's share grows with the effective sample size
    share = h["n_samples_w"] / (h["n_samples_w"] + h["prior_alpha"] + h["prior_beta"])
    assert np.corrcoef(share, h["n_samples_w"])[0, 1] > 0.5


def test_scores_ignore_row_order(synth, scores):
    shuffled = synth.history.sample(frac=1.0, random_state=1)
    again = score(synth, history=shuffled)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), scores.reset_index(drop=True),
                                  check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("how", ["drop", "all_na"])
def test_scores_without_daily_customers(ouhai, how):
    """No volume information (column absent or all empty, as read_dataset gives it): volume index 1."""
    est = ouhai.establishments
    if how == "drop":
        est = est.drop(columns="daily_customers")
    else:
        est = est.assign(daily_customers=pd.array([pd.NA] * len(est), dtype="Int64"))
    out = score(ouhai, establishments=est)
    assert len(out) > 0
    assert np.isfinite(out["weight"]).all() and (out["weight"] >= 0).all()
    vol = [c for c in out.columns if "volume" in c]
    for c in vol:
        if pd.api.types.is_numeric_dtype(out[c]):
            assert np.allclose(out[c].astype(float), 1.0)


def test_scores_with_one_establishment(ouhai):
    est = ouhai.establishments.iloc[:1].assign(daily_customers=pd.array([pd.NA], dtype="Int64"))
    eid = est["establishment_id"].iloc[0]
    hist = ouhai.history[ouhai.history["establishment_id"] == eid]
    comp = ouhai.complaints[ouhai.complaints["establishment_id"].isna()
                            | (ouhai.complaints["establishment_id"].astype(str).isin(["", eid]))]
    out = score(ouhai, establishments=est, history=hist, complaints=comp)
    assert out["n_establishments"].tolist() == [1] * len(out)
    assert len(out) == len(str(est["categories"].iloc[0]).split(";"))
    assert np.isfinite(out["weight"]).all()


def test_vulnerable_read_like_io():
    """``vulnerable`` is parsed by riskplan.io.as_bool: "真" is true, "假" / "否" false."""
    t = tiny_tables()
    t["business_types"] = t["business_types"].assign(vulnerable=["假", "真"])
    s = score(**t).set_index(KEY)
    assert s.loc[("T2", "C-SCHOOL", "C01"), "vulnerable"]
    assert not s.loc[("T1", "D-MARKET", "C01"), "vulnerable"]
