"""Allocation: coverage floors, risk split, controlled rounding (property tests on random tables)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskplan._settings import section_from_dict
from riskplan.allocation import AllocationRules, QuotaRules, allocate, controlled_round, quota_for
from riskplan.config import Config
from riskplan.errors import ConfigCheckError, ConfigError, InfeasibleError

KEY = ["township_code", "business_type", "category_code"]
BT_STAGE = {"P-FACTORY": "production", "D-WETMARKET": "distribution", "D-SUPERMARKET": "distribution",
            "C-RESTAURANT": "catering", "C-SCHOOL": "catering"}
CATS = ["C01", "C24", "C31", "C33", "C34", "C35", "C37"]


def synthetic_scores(n_townships=4, seed=0, density=0.6, zero_share=0.1, tie=False) -> pd.DataFrame:
    """A random score table following docs/contracts.md (present strata only, some zero weights)."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(n_townships):
        for bt, stage in BT_STAGE.items():
            for c in CATS:
                if rng.random() < density:
                    w = 0.0 if rng.random() < zero_share else (1.0 if tie else float(rng.gamma(1.0, 2.0)))
                    rows.append((f"33030400{t + 1}", bt, c, stage, int(rng.integers(1, 20)), w))
    return pd.DataFrame(rows, columns=[*KEY, "stage", "n_establishments", "weight"])


CATEGORIES = pd.DataFrame({"category_code": CATS, "cost_yuan": [300.0, 500, 800, 900, 600, 1200, 400]})


def check_invariants(a, scores, quota, rules):
    t = a.table
    present = t["n_establishments"] > 0
    assert a.total == quota == int(t["samples"].sum())
    assert (t.loc[~present, "samples"] == 0).all()
    assert (t["samples"] == t["floor"] + t["risk_part"]).all()
    assert (t["risk_part"] >= 0).all() and (t["floor"] >= 0).all()
    # every cell within one of its fractional quota
    assert (np.abs(t["samples"] - t["fractional"]) < 1 - 1e-9).all()
    # township totals and stratum (business type x category) totals within one
    # ... and, by nesting, township x category, business-type and stage totals
    for key in (["township_code"], ["business_type", "category_code"], ["township_code", "category_code"],
                ["business_type"], ["stage"]):
        g = t.groupby(key)[["samples", "fractional"]].sum()
        assert (np.abs(g["samples"] - g["fractional"]) < 1 - 1e-9).all(), key
    assert abs(t["fractional"].sum() - quota) < 1e-6
    # every coverage rule holds in the plan
    assert a.requirements["met_plan"].all()
    p = t[present]
    for col, need in (("township_code", rules.township_min), ("stage", rules.stage_min),
                      ("business_type", rules.business_type_min), ("category_code", rules.category_min)):
        assert (p.groupby(col)["samples"].sum() >= need).all(), col
    key_need = int(np.ceil(rules.key_min_share * quota - 1e-9))
    if p["key_product"].any():
        assert p.loc[p["key_product"], "samples"].sum() >= key_need
    if p["school"].any():
        assert p.loc[p["school"], "samples"].sum() >= int(np.ceil(rules.school_min_share * quota - 1e-9))
    assert a.cost == pytest.approx(float(t["cost_yuan"].sum()))


def test_basic_allocation():
    s = synthetic_scores()
    rules = AllocationRules()
    a = allocate(s, 200, rules, categories=CATEGORIES)
    check_invariants(a, s, 200, rules)
    assert a.floors_optimal
    assert set(a.table.attrs) >= {"quota", "total", "cost"}
    # the floor count is minimal: the covering lower bound is the number of categories (7) or
    # 2 x townships (8), whichever is larger, and it is reached; the shares are topped up on top
    assert a.coverage_total == max(len(CATS), 2 * s["township_code"].nunique()) == 8
    assert a.floor_total == int(a.table["floor"].sum()) >= a.coverage_total


def test_floors_are_joint_and_minimal():
    # one township, one business type (school canteen), one category: one sample meets the
    # township, stage, business type, category and school rules at once
    s = pd.DataFrame({"township_code": ["330304001"], "business_type": ["C-SCHOOL"], "category_code": ["C31"],
                      "stage": ["catering"], "n_establishments": [3], "weight": [1.0]})
    rules = AllocationRules(township_min=1, key_min_share=0.0, school_min_share=0.0)
    a = allocate(s, 1, rules)
    assert a.floor_total == 1 and a.total == 1


def test_floors_prefer_risky_strata():
    s = synthetic_scores(n_townships=1, density=1.0, zero_share=0.0)
    rules = AllocationRules(township_min=1, key_min_share=0.0, school_min_share=0.0, category_min=0,
                            business_type_min=0, stage_min=0)
    a = allocate(s, 1, rules)
    top = s["weight"].idxmax()
    assert a.table.loc[a.table["floor"] > 0, KEY].values.tolist() == [s.loc[top, KEY].tolist()]


def test_floors_exceeding_the_quota_raise_with_numbers():
    s = synthetic_scores(n_townships=6)
    with pytest.raises(InfeasibleError, match=r"floors need (\d+) samples but the quota has only 10"):
        allocate(s, 10, AllocationRules(township_min=3))


def test_zero_establishment_strata_get_nothing():
    s = synthetic_scores()
    s.loc[s.index[:5], "n_establishments"] = 0
    s.loc[s.index[:5], "weight"] = 100.0
    a = allocate(s, 300)
    assert (a.table.loc[a.table["n_establishments"] == 0, "samples"] == 0).all()
    assert len(a.table) == len(s)


def test_higher_level_samples_count_for_coverage_and_quota():
    s = synthetic_scores()
    rules = AllocationRules(key_min_share=0.0, school_min_share=0.0)
    base = allocate(s, 200, rules)
    # a national task already samples every category in every township
    hl = (s.groupby(["township_code", "category_code"]).first().reset_index()[KEY].assign(samples=2))
    a = allocate(s, 200, rules, higher_level=hl)
    assert a.floor_total < base.floor_total and a.total == 200
    assert a.higher_level_total == 2 * len(hl)
    b = allocate(s, 200 + a.higher_level_total, rules, higher_level=hl, count_higher_level=True)
    assert b.quota == 200 and b.total == 200


def test_budget_cap():
    s = synthetic_scores()
    a = allocate(s, 300, categories=CATEGORIES)
    capped = AllocationRules(budget_yuan=0.8 * a.cost, allow_below_quota=True)
    b = allocate(s, 300, capped, categories=CATEGORIES)
    assert b.cost <= capped.budget_yuan and b.budget_limited and b.total < 300
    assert b.requirements["met_plan"].all()
    # not allowed (the default): the missing yuan and samples are named
    with pytest.raises(InfeasibleError) as exc:
        allocate(s, 300, dataclasses.replace(capped, allow_below_quota=False), categories=CATEGORIES)
    assert (f"is {a.cost - 0.8 * a.cost:,.0f} yuan short of the {a.cost:,.0f} yuan the quota of 300 "
            f"samples costs: it pays for {b.total} samples, {300 - b.total} below the quota") in str(exc.value)
    with pytest.raises(InfeasibleError, match="budget"):
        allocate(s, 300, AllocationRules(budget_yuan=1000.0), categories=CATEGORIES)


def test_all_zero_weights_fall_back_to_establishments():
    s = synthetic_scores().assign(weight=0.0)
    a = allocate(s, 150)
    assert a.total == 150


def test_rules_from_toml_and_codes(ouhai):
    r = section_from_dict(AllocationRules, {"township_min": 3, "key_categories": ["C36"],
                                            "budget_yuan": 500000}, prefix="allocation")
    assert r.township_min == 3 and r.key_category_codes == ("C36",)
    # by default the key products are the categories with the role "key product"
    assert Config().resolve(ouhai).allocation.key_category_codes == ("C33", "C34", "C35", "C37")
    Config(allocation=r).check_codes(ouhai)
    bad = Config(allocation=AllocationRules(key_categories=("C99",), key_products={"x": "C98"}))
    with pytest.raises(ConfigCheckError) as exc:
        bad.check_codes(ouhai)
    errors = exc.value.problems.query("level == 'error'")
    assert list(errors["key"]) == ["allocation.key_categories[0]", "allocation.key_products.x"]
    with pytest.raises(ConfigError) as exc:
        section_from_dict(AllocationRules, {"key_min_share": 1.5}, prefix="allocation")
    assert exc.value.key == "allocation.key_min_share"
    with pytest.raises(ConfigError):
        section_from_dict(AllocationRules, {"township_min": -1}, prefix="allocation")


def test_bad_scores_raise_clear_errors():
    s = synthetic_scores()
    with pytest.raises(ValueError, match="missing column"):
        allocate(s.drop(columns="weight"), 100)
    with pytest.raises(ValueError, match="weight"):
        allocate(s.assign(weight=-1.0), 100)
    with pytest.raises(ValueError, match="more than once"):
        allocate(pd.concat([s, s.head(1)]), 100)


# --- property tests -------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_townships=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    density=st.floats(0.2, 1.0),
    zero_share=st.sampled_from([0.0, 0.3, 1.0]),
    tie=st.booleans(),
    extra=st.integers(0, 150),
    township_min=st.integers(0, 3),
    key_share=st.sampled_from([0.0, 0.25, 0.6]),
    exact=st.booleans(),
)
def test_allocation_properties(n_townships, seed, density, zero_share, tie, extra, township_min, key_share, exact):
    s = synthetic_scores(n_townships, seed, density, zero_share, tie)
    if s.empty:
        return
    # exact=False forces the greedy covering used for province-sized problems
    rules = AllocationRules(township_min=township_min, key_min_share=key_share, school_min_share=0.1,
                            exact_limit=5_000 if exact else 1)
    try:
        probe = allocate(s, 10_000, AllocationRules(township_min=township_min, key_min_share=0.0,
                                                    school_min_share=0.0, exact_limit=rules.exact_limit))
    except InfeasibleError:
        return
    # the coverage floors' count (so that floors bind when extra is small) plus a random extra
    quota = probe.floor_total + extra
    try:
        a = allocate(s, quota, rules, categories=CATEGORIES)
    except InfeasibleError as exc:
        # shares grow with the quota, so a quota just above the probe's floors can still bind
        assert "floors need" in str(exc)
        return
    check_invariants(a, s, quota, rules)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n_rows=st.integers(1, 8),
    n_cols=st.integers(1, 8),
)
def test_controlled_rounding_properties(data, n_rows, n_cols):
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=n_rows * n_cols, max_size=n_rows * n_cols)))
    if not mask.any():
        return
    r, c = np.divmod(np.flatnonzero(mask), n_cols)
    vals = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.5, 0.25, 1.0, 1.75, 2.5, 0.1, 3.0]),
                                       min_size=r.size, max_size=r.size)))
    fix = np.ceil(vals.sum()) - vals.sum()
    vals[0] += fix
    out = controlled_round(r, c, vals, n_rows, n_cols)
    assert out.sum() == round(vals.sum())
    assert np.all(np.abs(out - vals) < 1)
    for idx, n in ((r, n_rows), (c, n_cols)):
        assert np.all(np.abs(np.bincount(idx, out, n) - np.bincount(idx, vals, n)) < 1 - 1e-9)
    # nested groups of rows (pairs) and of columns (pairs, then all): their totals too
    rp, cp1 = np.arange(n_rows) // 2, np.arange(n_cols) // 2
    cp2 = np.zeros(cp1.max() + 1, dtype=np.int64)
    out2 = controlled_round(r, c, vals, n_rows, n_cols, row_parents=[rp], col_parents=[cp1, cp2])
    assert out2.sum() == round(vals.sum()) and np.all(np.abs(out2 - vals) < 1)
    for idx in (r, c, rp[r], cp1[c]):
        assert np.all(np.abs(np.bincount(idx, out2) - np.bincount(idx, vals)) < 1 - 1e-9)


def test_controlled_rounding_rejects_fractional_total():
    with pytest.raises(ValueError, match="whole number"):
        controlled_round([0, 1], [0, 0], [0.5, 0.2])


def test_ouhai_allocation(ouhai):
    from riskplan.risk import score

    rules = Config().resolve(ouhai).allocation  # roles -> Ouhai's codes
    assert rules.school_business_types == ("C-SCHOOL",)
    s = score(ouhai)
    quota = quota_for(QuotaRules(), ouhai)
    a = allocate(s, quota, rules, categories=ouhai.categories)
    # the same with the roles resolved by allocate itself from the tables
    b = allocate(s, quota, AllocationRules(), categories=ouhai.categories,
                 business_types=ouhai.business_types)
    pd.testing.assert_frame_equal(a.table, b.table)
    check_invariants(a, s, quota, rules)
    assert quota == 1002  # population.csv: end of 2023
    assert a.floors_optimal
    assert set(a.table["township_code"]) == set(ouhai.townships["township_code"])
    assert a.cost > 0


def test_greedy_floors_match_cp_sat_count():
    s = synthetic_scores(n_townships=5, seed=3)
    exact = allocate(s, 400, AllocationRules())
    greedy = allocate(s, 400, AllocationRules(exact_limit=1))
    assert exact.floors_optimal
    assert greedy.coverage_total >= exact.coverage_total
    if greedy.floors_optimal:
        assert greedy.coverage_total == exact.coverage_total


def test_plots_draw_on_given_axes(ouhai):
    import matplotlib.pyplot as plt

    from riskplan.plotting import allocation as plot
    from riskplan.schedule import monthly

    s = synthetic_scores(n_townships=3)
    s["township_code"] = s["township_code"].map(
        dict(zip(sorted(s["township_code"].unique()), ouhai.townships["township_code"])))
    a = allocate(s, 120)
    fig, axes = plt.subplots(1, 4)
    assert plot.bars(a, "category_code", ax=axes[0]) is axes[0]
    assert plot.bars(a.table, "business_type", ax=axes[1]) is axes[1]
    assert plot.township_map(a, ouhai.townships, ax=axes[2]) is axes[2]
    assert plot.progress_curve(monthly(a), ax=axes[3]) is axes[3]
    plt.close(fig)


def test_no_establishments_at_all():
    s = synthetic_scores(n_townships=1).assign(n_establishments=0)
    assert allocate(s, 0).total == 0
    with pytest.raises(InfeasibleError, match="no stratum has an establishment"):
        allocate(s, 5)


@pytest.mark.parametrize("rule, value", [("category_min", 4), ("business_type_min", 4), ("stage_min", 4)])
def test_minimums_above_one_use_spare_quota(rule, value):
    """A category / business type / stage minimum above its number of strata puts several floor
    samples in a stratum, as the township minimum does, instead of raising."""
    s = pd.DataFrame({"township_code": ["330304001", "330304002", "330304003"],
                      "business_type": ["C-RESTAURANT"] * 3, "category_code": ["C24"] * 3,
                      "stage": ["catering"] * 3, "n_establishments": [5, 5, 5], "weight": [1.0, 2.0, 3.0]})
    rules = AllocationRules(township_min=1, key_min_share=0.0, school_min_share=0.0, **{rule: value})
    a = allocate(s, 100, rules)
    assert a.total == 100 and a.coverage_total == max(3, value)
    assert a.requirements["met_plan"].all()
    check_invariants(a, s, 100, rules)


def test_allocation_ignores_row_order():
    s = synthetic_scores(seed=5, tie=True)
    rules = AllocationRules()
    a = allocate(s, 150, rules, categories=CATEGORIES)
    for seed in range(3):
        shuffled = s.sample(frac=1.0, random_state=seed)
        b = allocate(shuffled, 150, rules, categories=CATEGORIES)
        pd.testing.assert_frame_equal(a.table, b.table)
        pd.testing.assert_frame_equal(a.requirements, b.requirements)
