"""What a plan can detect; allocation for detection (greedy vs CP-SAT); unbiased controlled rounding."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from ortools.sat.python import cp_model

from riskplan.allocation import (
    AllocationRules,
    allocate,
    compare_detection,
    detection_table,
    district_detection,
    greedy_detection,
    surveillance_sensitivity,
    unbiased_round,
)
from riskplan.allocation.for_detection import detection_gain
from riskplan.config import Config
from riskplan.configure import prepare
from riskplan.cpsat import solve_stoppable
from riskplan.errors import ConfigError, InfeasibleError, RiskplanError
from riskplan.pipeline.stages import stage_quota, stage_risk
from riskplan.settings import DetectionRules

KEY = ["township_code", "business_type", "category_code"]


# ----------------------------------------------------------------------------- settings
def test_detection_settings_defaults_and_ranges():
    d = DetectionRules()
    assert (d.design_prevalence, d.default_sensitivity, d.finite_fraction) == (0.05, 1.0, 0.1)
    assert d.sensitivity_of(["X"]) == [1.0]
    assert DetectionRules(test_sensitivity={"C33": 0.8}).sensitivity_of(["C33", "C34"]) == [0.8, 1.0]
    with pytest.raises(ConfigError, match="detection.design_prevalence"):
        DetectionRules(design_prevalence=0.0)
    with pytest.raises(ConfigError, match="detection.test_sensitivity.C33"):
        DetectionRules(test_sensitivity={"C33": 1.5})
    with pytest.raises(ConfigError, match="allocation.objective"):
        AllocationRules(objective="coverage")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="allocation.rounding"):
        AllocationRules(rounding="random")  # type: ignore[arg-type]
    c = Config()
    assert (c.allocation.objective, c.allocation.rounding) == ("risk", "controlled")
    text = c.to_toml()
    assert "[detection]" in text and "design_prevalence = 0.05" in text
    assert 'objective = "risk"' in text and 'rounding = "controlled"' in text


# ----------------------------------------------------------------------------- sensitivity
def test_surveillance_sensitivity_forms():
    rules = DetectionRules(design_prevalence=0.05, finite_fraction=0.1)
    n = np.array([0, 10, 10, 3, 50])
    big_n = np.array([100, 1000, 20, 2, 0])
    se = np.array([1.0, 0.9, 1.0, 1.0, 1.0])
    sens, method = surveillance_sensitivity(n, big_n, se, rules)
    assert list(method) == ["none", "binomial", "hypergeometric", "hypergeometric", "none"]
    assert sens[0] == 0.0 and sens[4] == 0.0
    assert sens[1] == pytest.approx(1 - (1 - 0.05 * 0.9) ** 10)
    assert sens[2] == pytest.approx(1 - (1 - 10 / 20) ** math.ceil(20 * 0.05))
    assert sens[3] == 1.0  # 3 samples from 2 establishments: a present problem is found (Se 1)


# ----------------------------------------------------------------------------- greedy vs CP-SAT
def _cpsat_best(q: np.ndarray, start: np.ndarray, rest: int, upper: np.ndarray) -> float:
    """max sum 1 - (1 - q)^n by CP-SAT: piecewise-linear objective (one boolean per extra sample)."""
    scale = 10**9
    model = cp_model.CpModel()
    terms = []
    take = []
    for i in range(q.size):
        prev = None
        for k in range(1, int(upper[i] - start[i]) + 1):
            b = model.new_bool_var(f"b{i}_{k}")
            if prev is not None:
                model.add_implication(b, prev)  # the k-th extra sample needs the (k-1)-th
            gain = detection_gain(q[i:i + 1], start[i:i + 1] + k)[0] - detection_gain(
                q[i:i + 1], start[i:i + 1] + k - 1)[0]
            terms.append(round(gain * scale) * b)
            take.append(b)
            prev = b
    model.add(sum(take) == rest)
    model.maximize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solve_stoppable(solver, model) == cp_model.OPTIMAL
    return solver.objective_value / scale


@pytest.mark.parametrize("seed", range(12))
def test_greedy_detection_matches_cpsat(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 6))
    q = rng.choice([0.0, 0.01, 0.05, 0.2, 0.5, 0.9], size=m) if seed % 3 == 0 else rng.uniform(0, 0.6, m)
    start = rng.integers(0, 3, m)
    rest = int(rng.integers(0, 9))
    upper = start + rng.integers(1, 6, m)
    if int((upper - start).sum()) < rest:
        upper = start + rest
    n = greedy_detection(q, start, rest, upper)
    assert n.sum() == start.sum() + rest and (n >= start).all() and (n <= upper).all()
    got = float(detection_gain(q, n).sum() - detection_gain(q, start).sum())
    assert got == pytest.approx(_cpsat_best(q, start, rest, upper), abs=1e-6 * (rest + 1))


def test_greedy_detection_errors_and_zero_gains():
    assert list(greedy_detection(np.zeros(3), np.zeros(3, dtype=int), 5)) == [2, 2, 1]
    with pytest.raises(ValueError, match="upper bounds take only 2 of the 5"):
        greedy_detection(np.full(2, 0.1), np.zeros(2, dtype=int), 5, np.array([1, 1]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        greedy_detection(np.array([1.5]), np.zeros(1, dtype=int), 1)


# ----------------------------------------------------------------------------- unbiased rounding
def _small_table():
    rows = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3])
    cols = np.array([0, 1, 2, 0, 2, 1, 2, 3, 3])
    x = np.array([0.3, 1.45, 0.25, 2.7, 0.15, 0.55, 0.85, 1.1, 0.65])
    x[-1] += math.ceil(x.sum()) - x.sum()  # a whole grand total
    row_parents = [np.array([0, 0, 1, 1])]
    col_parents = [np.array([0, 0, 1, 1])]
    return rows, cols, x, row_parents, col_parents


def _within_one(values: np.ndarray, rounded: np.ndarray, groups: np.ndarray) -> bool:
    f = np.bincount(groups, weights=values)
    r = np.bincount(groups, weights=rounded)
    return bool(np.all((r >= np.floor(f + 1e-9)) & (r <= np.ceil(f - 1e-9))))


def test_unbiased_round_mean_equals_fraction():
    rows, cols, x, rp, cp = _small_table()
    k = 4000
    total = np.zeros(x.size)
    for seed in range(k):
        n = unbiased_round(rows, cols, x, seed, row_parents=rp, col_parents=cp)
        # every guarantee of controlled rounding, for every seed
        assert n.sum() == round(x.sum())
        assert np.all((n == np.floor(x)) | (n == np.ceil(x)))
        assert _within_one(x, n, rows) and _within_one(x, n, cols)
        assert _within_one(x, n, rp[0][rows]) and _within_one(x, n, cp[0][cols])
        total += n
    frac = x - np.floor(x)
    sigma = np.sqrt(frac * (1 - frac) / k)
    err = np.abs(total / k - x)
    # 4.5 sigma per cell: over 9 cells a false alarm has probability < 1e-4
    assert np.all(err <= 4.5 * sigma + 1e-12), (err, sigma)
    # and it is not the deterministic rounding: some cell takes both values
    assert np.any((total / k != np.floor(x)) & (total / k != np.ceil(x)))


def test_unbiased_round_seeded_and_checked():
    rows, cols, x, rp, cp = _small_table()
    a = unbiased_round(rows, cols, x, 7, row_parents=rp, col_parents=cp)
    b = unbiased_round(rows, cols, x, 7, row_parents=rp, col_parents=cp)
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="not a whole number"):
        unbiased_round(rows, cols, x + 0.1, 0)
    with pytest.raises(ValueError, match=">= 0"):
        unbiased_round(rows, cols, -x, 0)
    ints = np.array([1.0, 2.0, 0.0])
    assert list(unbiased_round(np.array([0, 1, 1]), np.array([0, 0, 1]), ints, 3)) == [1, 2, 0]


# ----------------------------------------------------------------------------- on districts
@pytest.fixture(scope="module", params=["ouhai", "yunling"])
def district(request):
    """(scores, quota, dataset, config) of Ouhai (default configuration) and Yunling (its own)."""
    dataset = request.getfixturevalue(request.param)
    config = request.getfixturevalue("yunling_config") if request.param == "yunling" else Config()
    ready = prepare(dataset, config)
    return stage_risk(ready.dataset, ready.config), stage_quota(ready.dataset, ready.config), ready


def _alloc(district, **changes):
    scores, quota, ready = district
    rules = dataclasses.replace(ready.config.allocation, **changes)
    return allocate(scores, quota, rules, categories=ready.dataset.categories,
                    business_types=ready.dataset.business_types, detection=ready.config.detection,
                    seed=ready.config.seed)


def test_detection_objective_on_district(district):
    risk = _alloc(district)
    det = _alloc(district, objective="detection")
    t_r, t_d = risk.table, det.table
    assert det.total == det.quota == risk.quota  # quota met exactly
    assert (t_d["samples"] >= t_d["floor"]).all()  # floors kept
    assert det.floor_total == risk.floor_total
    assert bool(det.requirements["met_plan"].all())
    # the risk allocation is feasible for the same problem: greedy cannot do worse
    f_r = district_detection(detection_table(t_r))["strata_with_find"]
    f_d = district_detection(detection_table(t_d))["strata_with_find"]
    assert f_d >= f_r - 1e-9
    assert (t_d["samples"] > 0).sum() >= 1


def test_unbiased_rounding_on_district(district):
    scores, quota, ready = district
    base = _alloc(district)
    a = _alloc(district, rounding="unbiased")
    again = _alloc(district, rounding="unbiased")
    other = allocate(scores, quota, dataclasses.replace(ready.config.allocation, rounding="unbiased"),
                     categories=ready.dataset.categories, business_types=ready.dataset.business_types,
                     seed=ready.config.seed + 1)
    assert a.table.equals(again.table)  # seeded
    assert not a.table["samples"].equals(other.table["samples"])
    for t in (a.table, other.table):
        assert int(t["samples"].sum()) == base.total
        assert (t["samples"] >= t["floor"]).all()
        x = t["fractional"].to_numpy()
        n = t["samples"].to_numpy()
        assert np.all((n >= np.floor(x + 1e-9)) & (n <= np.ceil(x - 1e-9)))
        for key in (["township_code"], ["business_type", "category_code"], ["stage"]):
            g = t.groupby(key)[["samples", "fractional"]].sum()
            assert ((g["samples"] - g["fractional"]).abs() < 1).all()
    # the fractional table is the same as the deterministic plan's
    assert np.allclose(a.table["fractional"], base.table["fractional"])


def test_detection_table_and_comparison(district):
    scores, quota, ready = district
    alloc = _alloc(district).table
    det = detection_table(alloc, ready.config.detection)
    assert len(det) == len(alloc)
    assert det["surveillance_sensitivity"].between(0, 1).all() and det["p_found"].between(0, 1).all()
    assert ((det["samples"] == 0) == (det["sensitivity_method"] == "none")).all() or (
        det.loc[det["samples"] == 0, "surveillance_sensitivity"] == 0).all()
    assert det["expected_found"].sum() == pytest.approx(
        (alloc["samples"] * alloc["rate_mean"]).sum())  # Se 1 by default
    residents = ready.dataset.townships.set_index("township_code")["population"]
    cmp = compare_detection(alloc, residents, ready.config.detection)
    d = cmp[cmp["level"] == "district"].set_index("allocation")
    assert list(d.index) == ["plan", "detection", "population", "uniform"]
    assert (d["samples"] == alloc["samples"].sum()).all()
    # the detection-optimal allocation keeps the floors, so it finds in the most strata
    assert d.loc["detection", "strata_with_find"] >= d["strata_with_find"].max() - 1e-9
    for level, col in (("township", "township_code"), ("category", "category_code")):
        part = cmp[(cmp["level"] == level) & (cmp["allocation"] == "plan")]
        assert sorted(part["key"]) == sorted(alloc[col].astype(str).unique())
        assert part["samples"].sum() == alloc["samples"].sum()


def test_detection_needs_rates():
    scores = pd.DataFrame({"township_code": ["T1", "T2"], "business_type": ["B", "B"],
                           "category_code": ["C", "C"], "stage": ["s", "s"], "weight": [1.0, 2.0],
                           "n_establishments": [3, 4]})
    rules = AllocationRules(township_min=0, stage_min=0, business_type_min=0, category_min=0,
                            key_min_share=0, school_min_share=0, objective="detection")
    with pytest.raises(RiskplanError, match="rate_mean"):
        allocate(scores, 3, rules)
    got = allocate(scores.assign(rate_mean=[0.5, 0.01]), 3, rules).table
    assert got.set_index("township_code")["samples"].to_dict() == {"T1": 3, "T2": 0}


@pytest.mark.parametrize("name", ["ouhai", "yunling"])
def test_test_sensitivity_names_roles_or_codes(name, request):
    dataset = request.getfixturevalue(name)
    base = request.getfixturevalue("yunling_config") if name == "yunling" else Config()
    key_codes = list(base.resolve(dataset).allocation.key_categories)
    assert key_codes
    doc = base.to_dict()
    doc["detection"] = {"test_sensitivity": {"key product": 0.9, key_codes[0]: 0.8}}
    got = Config.from_dict(doc).resolve(dataset).detection.test_sensitivity
    assert got == {key_codes[0]: 0.8, **{c: 0.9 for c in key_codes[1:]}}


def test_detection_objective_under_a_budget():
    scores = pd.DataFrame({"township_code": ["T1", "T1", "T2"], "business_type": ["B", "B", "B"],
                           "category_code": ["C1", "C2", "C1"], "stage": ["s"] * 3,
                           "weight": [1.0, 2.0, 1.0], "n_establishments": [5, 5, 5],
                           "rate_mean": [0.2, 0.1, 0.05]})
    categories = pd.DataFrame({"category_code": ["C1", "C2"], "cost_yuan": [100.0, 300.0]})
    rules = AllocationRules(township_min=1, stage_min=0, business_type_min=0, category_min=0,
                            key_min_share=0, school_min_share=0, objective="detection",
                            budget_yuan=1000.0, allow_below_quota=True)
    a = allocate(scores, 12, rules, categories=categories)
    assert a.budget_limited and a.cost <= 1000.0 and a.total < 12
    assert (a.table["samples"] >= a.table["floor"]).all()
    assert "for detection" in a.summary()
    with pytest.raises(InfeasibleError, match="budget"):
        allocate(scores, 12, dataclasses.replace(rules, allow_below_quota=False), categories=categories)
