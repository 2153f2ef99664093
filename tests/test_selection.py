"""riskplan.selection.select: PPS by grade, rotation, combining, shortfall, merged visits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riskplan._settings import section_from_dict, section_to_dict
from riskplan.errors import ConfigError, RiskplanError
from riskplan.selection import (
    SAMPLE_COLUMNS,
    SHORTFALL_COLUMNS,
    VISIT_COLUMNS,
    SelectionRules,
    inclusion_probabilities,
    select,
    select_year,
)
from riskplan.selection.draw import draw_stratum
from riskplan.selection.rotation import rotation_table

KEY = ["township_code", "business_type", "category_code"]
T1, T2 = "330304001", "330304002"


# the default rules name roles (online seller, wet market); these tables have no business-type
# table to resolve them, so the rules name the codes, as a configuration may
CODES = SelectionRules(purchase_business_types=("D-ONLINE",),
                       rotation_by_business_type={"D-WETMARKET": 1, "D-WHOLESALE": 1})


def make_establishments() -> pd.DataFrame:
    """Two townships; restaurants (C31, C34), wet-market stalls (C20, C21), online sellers (C05)."""
    rows = []
    grades = "ABCDABCDABCD"
    for t_i, town in enumerate((T1, T2)):
        for i in range(12):
            rows.append((f"OH-E{t_i}{i:03d}", town, "catering", "C-RESTAURANT", "C31;C34", grades[i],
                         "10:00-11:00;14:00-17:00", 120.6 + i / 100, 28.0 + t_i / 10, 50 + 10 * i))
        for i in range(4):
            rows.append((f"OH-M{t_i}{i:03d}", town, "distribution", "D-WETMARKET", "C20;C21", "CD"[i % 2],
                         "05:30-09:00", 120.65, 28.05 + t_i / 10, None))
    rows.append(("OH-W0001", T1, "distribution", "D-ONLINE", "C05", "B", "", None, None, None))
    rows.append(("OH-W0002", T1, "distribution", "D-ONLINE", "C05", "C", "", None, None, None))
    df = pd.DataFrame(rows, columns=["establishment_id", "township_code", "stage", "business_type",
                                     "categories", "risk_grade", "opening_hours", "lon_wgs84",
                                     "lat_wgs84", "daily_customers"])
    df["has_location"] = df["lon_wgs84"].notna()
    return df


def make_categories() -> pd.DataFrame:
    return pd.DataFrame({
        "category_code": ["C05", "C20", "C21", "C31", "C34"],
        "perishable": [False, True, True, True, False],
        "units_per_sample": [3, 2, 2, 4, 3],
    })


def make_stations() -> pd.DataFrame:
    return pd.DataFrame({"station_id": ["S1", "S2"], "township_codes": [T1, T2], "teams": [2, 1],
                         "lon_wgs84": [120.6, 120.7], "lat_wgs84": [28.0, 28.1]})


def make_schedule() -> pd.DataFrame:
    rows = [
        (T1, "C-RESTAURANT", "C31", 7, 3),
        (T1, "C-RESTAURANT", "C34", 7, 2),
        (T2, "C-RESTAURANT", "C31", 7, 4),
        (T1, "D-WETMARKET", "C20", 7, 2),
        (T2, "D-WETMARKET", "C21", 7, 6),   # 4 stalls: 2 extra samples combined at drawn stalls
        (T1, "D-ONLINE", "C05", 7, 1),
        (T1, "C-SCHOOL", "C31", 7, 2),      # no school canteen in the register
        (T1, "C-RESTAURANT", "C31", 8, 5),
        (T2, "D-WETMARKET", "C20", 8, 1),
    ]
    return pd.DataFrame(rows, columns=KEY + ["month", "samples"])


def make_history() -> pd.DataFrame:
    return pd.DataFrame({
        "sample_id": ["H1", "H2", "H3", "H4"],
        "sample_date": ["2026-05-10", "2026-06-20", "2025-06-01", "2026-07-15"],
        # A shop 2 months ago (window 12), D shop 1 month ago (window 3), B shop 13 months ago,
        # and a sample after the plan month started (ignored)
        "establishment_id": ["OH-E0000", "OH-E0003", "OH-E0001", "OH-E0002"],
        "category_code": ["C31", "C31", "C34", "C31"],
        "result": ["pass", "fail", "pass", "pass"],
    })


def run(month=7, seed=1, rules=None, **kw):
    kw.setdefault("year", 2026)
    kw.setdefault("categories", make_categories())
    kw.setdefault("stations", make_stations())
    return select(make_schedule(), make_establishments(), make_history(), month, rules or CODES,
                  seed, **kw)


# --------------------------------------------------------------------------- outputs


def test_columns_and_types():
    sel = run()
    assert tuple(sel.visits.columns) == VISIT_COLUMNS
    assert tuple(sel.samples.columns) == SAMPLE_COLUMNS
    assert tuple(sel.shortfall.columns) == SHORTFALL_COLUMNS
    v = sel.visits
    assert v["visit_id"].is_unique and v["establishment_id"].is_unique
    assert v["visit_id"].str.fullmatch(r"2026-07-[VP]\d{4}").all()
    assert set(v["mode"]) <= {"visit", "purchase"}
    assert v["samples"].dtype.kind == "i" and v["units"].dtype.kind == "i"
    assert v["perishable"].dtype == bool and v["has_location"].dtype == bool
    assert ((v["inclusion_probability"] > 0) & (v["inclusion_probability"] <= 1)).all()
    assert (v["year"] == 2026).all() and (v["month"] == 7).all()


def test_every_requested_sample_is_accounted_for_exactly():
    sched = make_schedule()
    for seed in range(4):
        sel = run(seed=seed)
        req = sched[sched["month"] == 7].groupby(KEY)["samples"].sum()
        got = sel.samples.groupby(KEY)["samples"].sum()
        short = sel.shortfall.set_index(KEY)["missing"]
        total = got.add(short, fill_value=0).reindex(req.index, fill_value=0)
        assert (total == req).all()
        assert sel.requested == int(req.sum())
        assert sel.visits["samples"].sum() == sel.samples["samples"].sum() == sel.delivered
        # shortfall rows are consistent
        s = sel.shortfall
        assert (s["requested"] == s["delivered"] + s["missing"]).all() and (s["missing"] > 0).all()


def test_shortfall_reports_missing_stratum():
    sel = run()
    s = sel.shortfall.set_index("business_type")
    assert s.loc["C-SCHOOL", "missing"] == 2
    assert s.loc["C-SCHOOL", "reason"] == "no establishment in stratum"
    assert len(sel.shortfall) == 1  # the wet market's 6 samples fit with 2 per stall


def test_combining_several_products_at_one_shop():
    sel = run()
    wet = sel.samples[(sel.samples["township_code"] == T2) & (sel.samples["category_code"] == "C21")]
    assert wet["samples"].sum() == 6
    assert len(wet) == 4 and wet["samples"].max() == 2
    # without combining the same request is a shortfall of 2, with its reason
    sel = run(rules=SelectionRules(combine_samples=False))
    row = sel.shortfall[(sel.shortfall["township_code"] == T2) & (sel.shortfall["category_code"] == "C21")]
    assert row[["requested", "delivered", "missing"]].iloc[0].tolist() == [6, 4, 2]
    assert "not enough establishments (4 eligible of 4" in row["reason"].iloc[0]


def test_strata_merged_into_one_visit_per_establishment():
    sel = run()
    v = sel.visits.set_index("establishment_id")
    per = sel.samples.groupby("establishment_id")["samples"].sum()
    assert (v.loc[per.index, "samples"] == per).all()
    cats = sel.samples.groupby("establishment_id")["category_code"].apply(lambda c: ";".join(sorted(c)))
    assert (v.loc[cats.index, "categories_to_sample"] == cats).all()
    # units and perishable follow the categories table
    units = {"C05": 3, "C20": 2, "C21": 2, "C31": 4, "C34": 3}
    exp_units = (sel.samples["samples"] * sel.samples["category_code"].map(units)).groupby(
        sel.samples["establishment_id"]).sum()
    assert (v.loc[exp_units.index, "units"] == exp_units).all()
    perishable = {"C05": False, "C20": True, "C21": True, "C31": True, "C34": False}
    exp_p = v["categories_to_sample"].str.split(";").map(lambda cs: any(perishable[c] for c in cs))
    assert (v["perishable"] == exp_p).all()


def test_shops_sampled_in_two_strata_get_one_visit():
    # a township with only 2 restaurants asked for C31 and C34: both strata hit both shops
    est = make_establishments()
    est = est[~((est["township_code"] == T1) & (est["business_type"] == "C-RESTAURANT"))
              | est["establishment_id"].isin(["OH-E0004", "OH-E0005"])]
    sched = pd.DataFrame([(T1, "C-RESTAURANT", "C31", 7, 2), (T1, "C-RESTAURANT", "C34", 7, 2)],
                         columns=KEY + ["month", "samples"])
    sel = select(sched, est, None, 7, SelectionRules(), 0, year=2026)
    assert len(sel.visits) == 2
    assert (sel.visits["categories_to_sample"] == "C31;C34").all()
    assert (sel.visits["samples"] == 2).all()


def test_mode_station_and_ids():
    sel = run()
    v = sel.visits
    assert (v.loc[v["business_type"] == "D-ONLINE", "mode"] == "purchase").all()
    assert (v.loc[v["business_type"] != "D-ONLINE", "mode"] == "visit").all()
    assert v.loc[v["mode"] == "purchase", "visit_id"].str.contains("-P").all()
    assert (v["station_id"] == v["township_code"].map({T1: "S1", T2: "S2"})).all()
    assert not v.loc[v["mode"] == "purchase", "has_location"].any()
    assert len(sel.route_visits) + len(sel.purchase_orders) == len(v)
    ids = v.loc[v["mode"] == "visit", "visit_id"].tolist()
    assert ids == [f"2026-07-V{i:04d}" for i in range(1, len(ids) + 1)]


def test_reproducible_and_seed_dependent():
    a, b = run(seed=5), run(seed=5)
    pd.testing.assert_frame_equal(a.visits, b.visits)
    pd.testing.assert_frame_equal(a.shortfall, b.shortfall)
    differs = [not run(seed=s).visits["establishment_id"].equals(a.visits["establishment_id"])
               for s in range(6, 12)]
    assert any(differs)


def test_stratum_draw_does_not_depend_on_other_strata():
    full = run(seed=3)
    sched = make_schedule()
    only = select(sched[sched["township_code"] == T2], make_establishments(), make_history(), 7,
                  SelectionRules(), 3, year=2026)
    a = full.samples[full.samples["township_code"] == T2].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, only.samples.reset_index(drop=True))


@pytest.mark.parametrize("method", ["systematic", "conditional_poisson"])
def test_stratum_draw_frequencies_match_inclusion_probabilities(method):
    # the stratum-level draw used by select(), over many seeds: 12 shops, 2 inside their window
    rules = SelectionRules(method=method)
    pos = np.arange(12)
    size = np.array([1, 2, 4, 8] * 3, dtype=float)
    eligible = np.ones(12, dtype=bool)
    eligible[[3, 4]] = False
    pik = np.zeros(12)
    pik[eligible] = inclusion_probabilities(size[eligible], 4)
    draws = 1500
    counts = np.zeros(12)
    for seed in range(draws):
        got, probs, phase, missing, _ = draw_stratum(pos, size, eligible, 4, rules,
                                                       np.random.default_rng(seed))
        assert missing == 0 and sum(got.values()) == 4 and len(got) == 4
        for p in got:
            counts[p] += 1
            assert probs[p] == pytest.approx(pik[p])
    assert counts[3] == counts[4] == 0  # never inside the rotation window
    free = eligible & (pik < 1)
    z = (counts[free] - draws * pik[free]) / np.sqrt(draws * pik[free] * (1 - pik[free]))
    assert np.max(np.abs(z)) < 4.0
    assert stats.chi2.sf(float(np.sum(z**2)), df=int(free.sum())) > 1e-3


@pytest.mark.parametrize("method", ["systematic", "conditional_poisson"])
def test_select_draws_d_shops_more_often_than_a(method):
    rules = SelectionRules(method=method)
    est = make_establishments()
    sched = pd.DataFrame([(T1, "C-RESTAURANT", "C31", 7, 3)], columns=KEY + ["month", "samples"])
    shops = est[(est["township_code"] == T1) & (est["business_type"] == "C-RESTAURANT")]
    grade = shops.set_index("establishment_id")["risk_grade"]
    pik = pd.Series(inclusion_probabilities(grade.map(rules.grade_weights).to_numpy(), 3), index=grade.index)
    counts = pd.Series(0, index=grade.index)
    for seed in range(30):
        sel = select(sched, est, None, 7, rules, seed, year=2026)
        counts[sel.samples["establishment_id"].to_numpy()] += 1
        got = sel.samples.set_index("establishment_id")["inclusion_probability"]
        np.testing.assert_allclose(got.to_numpy(), pik[got.index].to_numpy())
    by_grade = counts.groupby(grade).sum()
    assert by_grade["D"] > 3 * by_grade["A"]
    assert counts.sum() == 90


# --------------------------------------------------------------------------- rotation


def test_rotation_window_by_grade():
    rot = rotation_table(make_establishments(), make_history(), 2026, 7, SelectionRules()).set_index(
        "establishment_id")
    assert not rot.loc["OH-E0000", "eligible"]  # A, sampled 2 months ago, window 12
    assert not rot.loc["OH-E0003", "eligible"]  # D, 1 month ago, window 3
    assert rot.loc["OH-E0001", "eligible"]      # B, 13 months ago, window 6
    assert rot.loc["OH-E0002", "eligible"]      # sampled after the plan month began: ignored
    assert rot.loc["OH-E0000", "months_since"] == 2
    # in October the D shop is due again (3 months), the A shop is not
    rot = rotation_table(make_establishments(), make_history(), 2026, 10, SelectionRules()).set_index(
        "establishment_id")
    assert rot.loc["OH-E0003", "eligible"] and not rot.loc["OH-E0000", "eligible"]


def test_markets_have_their_own_short_window():
    est = make_establishments()
    hist = pd.DataFrame({"establishment_id": ["OH-M0000", "OH-E0002"], "sample_date": ["2026-06-15"] * 2})
    rot = rotation_table(est, hist, 2026, 7, CODES).set_index("establishment_id")
    assert rot.loc["OH-M0000", "window_months"] == 1 and rot.loc["OH-M0000", "eligible"]
    assert rot.loc["OH-E0002", "window_months"] == 4 and not rot.loc["OH-E0002", "eligible"]
    strict = SelectionRules(rotation_by_business_type={})
    rot = rotation_table(est, hist, 2026, 7, strict).set_index("establishment_id")
    assert rot.loc["OH-M0000", "window_months"] == 4 and not rot.loc["OH-M0000", "eligible"]


def test_rotation_excludes_recent_shops_from_the_draw():
    for seed in range(8):
        sel = run(seed=seed)
        assert not {"OH-E0000", "OH-E0003"} & set(sel.visits["establishment_id"])


def test_rotation_shortfall_and_relaxation():
    est = make_establishments()
    shops = est[(est["township_code"] == T1) & (est["business_type"] == "C-RESTAURANT")]
    hist = pd.DataFrame({"establishment_id": shops["establishment_id"], "sample_date": "2026-06-01"})
    sched = pd.DataFrame([(T1, "C-RESTAURANT", "C31", 7, 2)], columns=KEY + ["month", "samples"])
    sel = select(sched, est, hist, 7, SelectionRules(), 0, year=2026)
    assert sel.visits.empty
    row = sel.shortfall.iloc[0]
    assert (row["requested"], row["delivered"], row["missing"], row["n_eligible"]) == (2, 0, 2, 0)
    assert row["reason"] == "all establishments inside their rotation window"
    sel = select(sched, est, hist, 7, SelectionRules(relax_rotation=True), 0, year=2026)
    assert sel.shortfall.empty and sel.visits["samples"].sum() == 2
    assert (sel.samples["phase"] == "rotation_relaxed").all()


def test_planned_visits_count_for_rotation():
    sel7 = run(month=7, seed=2)
    sel8 = run(month=8, seed=2, planned=sel7.visits)
    again = set(sel7.visits["establishment_id"]) & set(sel8.visits["establishment_id"])
    # only markets (1-month window) may come back the next month
    assert again <= set(sel7.visits.loc[sel7.visits["business_type"] == "D-WETMARKET", "establishment_id"])
    strict = SelectionRules(rotation_by_business_type={})
    sel7 = run(month=7, seed=2, rules=strict)
    sel8 = run(month=8, seed=2, rules=strict, planned=sel7.visits)
    assert not set(sel7.visits["establishment_id"]) & set(sel8.visits["establishment_id"])
    # without the planned visits, the July shops could be drawn again
    free = run(month=8, seed=2, rules=strict)
    drawn_free, drawn_sel8 = set(free.visits["establishment_id"]), set(sel8.visits["establishment_id"])
    assert drawn_free != drawn_sel8
    assert drawn_free & set(sel7.visits["establishment_id"])


def test_select_year_chains_months_and_respects_windows():
    out = select_year(make_schedule(), make_establishments(), make_history(), 2026, CODES, 4,
                      categories=make_categories(), stations=make_stations())
    assert sorted(out) == [7, 8]
    both = set(out[7].visits["establishment_id"]) & set(out[8].visits["establishment_id"])
    assert all(e.startswith("OH-M") for e in both)
    pd.testing.assert_frame_equal(out[8].visits, run(month=8, seed=4, planned=out[7].visits).visits)


# --------------------------------------------------------------------------- options and errors


def test_size_by_customers_changes_probabilities():
    est = make_establishments()
    sched = pd.DataFrame([(T1, "C-RESTAURANT", "C31", 7, 3)], columns=KEY + ["month", "samples"])
    base = select(sched, est, None, 7, SelectionRules(), 0, year=2026).samples
    cust = select(sched, est, None, 7, SelectionRules(size_by_customers=True), 0, year=2026).samples
    # the probabilities of the stratum's shops differ with and without customers in the size
    rest = est[(est["township_code"] == T1) & (est["business_type"] == "C-RESTAURANT")]
    grade_only = rest["risk_grade"].map(SelectionRules().grade_weights).to_numpy(dtype=float)
    with_cust = grade_only * rest["daily_customers"].to_numpy(dtype=float)
    p_base = pd.Series(inclusion_probabilities(grade_only, 3), index=rest["establishment_id"])
    p_cust = pd.Series(inclusion_probabilities(with_cust, 3), index=rest["establishment_id"])
    assert not np.allclose(p_base, p_cust)
    np.testing.assert_allclose(base.set_index("establishment_id")["inclusion_probability"],
                               p_base[base["establishment_id"]].to_numpy())
    np.testing.assert_allclose(cust.set_index("establishment_id")["inclusion_probability"],
                               p_cust[cust["establishment_id"]].to_numpy())
    shops = est.set_index("establishment_id")
    size = shops["risk_grade"].map(SelectionRules().grade_weights) * shops["daily_customers"]
    ratio = cust.set_index("establishment_id")["inclusion_probability"] / size
    ratio = ratio.dropna()
    ratio = ratio[cust.set_index("establishment_id")["inclusion_probability"] < 1]
    np.testing.assert_allclose(ratio, ratio.iloc[0])


def test_month_as_text_and_year_from_attrs():
    sched = make_schedule()
    a = select(sched, make_establishments(), None, "2026-07", SelectionRules(), 0)
    sched.attrs["plan_year"] = 2026
    b = select(sched, make_establishments(), None, 7, SelectionRules(), 0)
    pd.testing.assert_frame_equal(a.visits, b.visits)


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda s, e: (s.drop(columns="samples"), e), "schedule lacks column"),
        (lambda s, e: (s.assign(samples=-1), e), "whole numbers >= 0"),
        (lambda s, e: (s, e.assign(risk_grade="E")), "risk_grade must be A-D"),
        (lambda s, e: (s.assign(month=0), e), "schedule.month must be whole numbers 1-12"),
        (lambda s, e: (s, pd.concat([e, e.iloc[:1]])), "establishment_id must be unique"),
        (lambda s, e: (s, e.drop(columns="categories")), "establishments lacks column"),
    ],
)
def test_bad_inputs_raise_clear_errors(change, match):
    s, e = change(make_schedule(), make_establishments())
    with pytest.raises(RiskplanError, match=match):
        select(s, e, None, 7, SelectionRules(), 0, year=2026)


def test_month_without_schedule_rows_gives_empty_tables():
    sel = run(month=3)
    assert sel.visits.empty and sel.samples.empty and sel.shortfall.empty
    assert tuple(sel.visits.columns) == VISIT_COLUMNS and sel.requested == sel.delivered == 0


def test_bad_month_and_missing_year():
    with pytest.raises(RiskplanError, match="month must be 1-12"):
        select(make_schedule(), make_establishments(), None, 13, SelectionRules(), 0, year=2026)
    with pytest.raises(RiskplanError, match="plan year is unknown"):
        select(make_schedule(), make_establishments(), None, 7, SelectionRules(), 0)


def test_unknown_category_and_uncovered_township():
    cats = make_categories()
    with pytest.raises(RiskplanError, match="not in the categories table: C31"):
        run(categories=cats[cats["category_code"] != "C31"])
    with pytest.raises(RiskplanError, match="no station covers township"):
        run(stations=make_stations().iloc[:1])


def test_settings_from_toml_and_range_checks():
    rules = section_from_dict(SelectionRules, {"method": "conditional_poisson",
                                               "grade_weights": {"A": 1, "B": 3, "C": 9, "D": 27}},
                              prefix="selection")
    assert rules.grade_weights["D"] == 27.0 and rules.method == "conditional_poisson"
    assert section_from_dict(SelectionRules, section_to_dict(rules), "selection") == rules
    with pytest.raises(ConfigError, match="selection.grade_weights"):
        section_from_dict(SelectionRules, {"grade_weights": {"A": 1, "B": 2}}, "selection")
    with pytest.raises(ConfigError, match="selection.grade_weights"):
        section_from_dict(SelectionRules, {"grade_weights": {"A": 0, "B": 2, "C": 3, "D": 4}}, "selection")
    with pytest.raises(ConfigError, match="selection.method"):
        section_from_dict(SelectionRules, {"method": "srs"}, "selection")
    with pytest.raises(ConfigError, match="selection.max_samples_per_category"):
        section_from_dict(SelectionRules, {"max_samples_per_category": 0}, "selection")
    with pytest.raises(ConfigError, match="selection.rotation_months"):
        section_from_dict(SelectionRules, {"rotation_months": {"A": 12, "B": 6, "C": 4, "D": -1}},
                          "selection")
    with pytest.raises(ConfigError, match="selection.rotation_by_business_type"):
        section_from_dict(SelectionRules, {"rotation_by_business_type": {"D-WETMARKET": 99}}, "selection")
    with pytest.raises(ConfigError, match="selection.colour"):
        section_from_dict(SelectionRules, {"colour": 1}, "selection")


def test_synthetic_year_accounts_for_every_requested_sample():
    # ~4,000 establishments (Ouhai-sized), ~300 samples a month over 300 strata
    rng = np.random.default_rng(0)
    towns = [f"3303040{i:02d}" for i in range(1, 14)]
    types = ["C-RESTAURANT", "C-SMALL", "D-GROCERY", "D-WETMARKET", "C-SCHOOL", "D-ONLINE"]
    cats = [f"C{i:02d}" for i in range(1, 40)]
    n = 4000
    est = pd.DataFrame({
        "establishment_id": [f"OH-E{i:05d}" for i in range(n)],
        "township_code": rng.choice(towns, n),
        "business_type": rng.choice(types, n),
        "stage": "catering",
        "categories": [";".join(rng.choice(cats, rng.integers(1, 5), replace=False)) for _ in range(n)],
        "risk_grade": rng.choice(list("ABCD"), n, p=[0.4, 0.3, 0.2, 0.1]),
    })
    exploded = est.assign(category_code=est["categories"].str.split(";")).explode("category_code")
    strata = exploded[KEY].drop_duplicates().sample(300, random_state=0)
    sched = pd.concat([strata.assign(month=m, samples=rng.integers(0, 3, len(strata))) for m in range(1, 13)])
    hist = pd.DataFrame({"establishment_id": rng.choice(est["establishment_id"], 3000),
                         "sample_date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, 3000), "D")})
    select(sched, est, hist, 7, SelectionRules(), 0, year=2026)
    out = select_year(sched, est, hist, 2026, SelectionRules(), 0)
    total = sum(s.requested for s in out.values())
    assert total == int(sched["samples"].sum())


def test_combining_comes_before_relaxing_the_rotation():
    # 1 eligible shop, 11 inside their window, 3 samples: 2 at the eligible shop, then 1 relaxed
    pos = np.arange(12)
    size = np.array([1, 2, 4, 8] * 3, dtype=float)
    eligible = np.zeros(12, dtype=bool)
    eligible[5] = True
    counts, probs, phase, missing, reason = draw_stratum(
        pos, size, eligible, 3, SelectionRules(relax_rotation=True), np.random.default_rng(0))
    assert missing == 0 and counts[5] == 2 and phase[5] == "pps" and probs[5] == 1.0
    others = [p for p in counts if p != 5]
    assert len(others) == 1 and phase[others[0]] == "rotation_relaxed" and counts[others[0]] == 1
    counts, _, _, missing, reason = draw_stratum(
        pos, size, eligible, 3, SelectionRules(), np.random.default_rng(0))
    assert counts == {5: 2} and missing == 1
    assert reason == "not enough establishments (1 eligible of 12, at most 2 sample(s) per establishment)"


def test_perishable_read_from_text():
    """``perishable`` as text: "false" is False (astype(bool) made every non-empty text True)."""
    cats = make_categories()
    cats["perishable"] = ["false", "true", "是", "真", "否"]
    sel = run(categories=cats)
    v = sel.visits.set_index("establishment_id")
    online = v.loc[v["business_type"] == "D-ONLINE", "perishable"]
    assert len(online) and not online.any()  # C05: "false"
    assert v.loc[v["business_type"] == "D-WETMARKET", "perishable"].all()  # C20 "true", C21 "是"
    cats["perishable"] = ["maybe", "true", "true", "true", "false"]
    with pytest.raises(RiskplanError, match="perishable"):
        run(categories=cats)


def test_categories_split_like_io():
    """Full-width "；" separates categories; a missing category list gives no candidate."""
    est = make_establishments()
    est["categories"] = est["categories"].astype(object)
    est.loc[est["establishment_id"] == "OH-W0002", "categories"] = None
    sched = pd.DataFrame([(T1, "C-RESTAURANT", "C34", 7, 12), (T1, "D-ONLINE", "C05", 7, 2)],
                         columns=KEY + ["month", "samples"])
    base = select(sched, est, None, 7, SelectionRules(), 0, year=2026)
    est.loc[est["township_code"] == T1, "categories"] = (
        est.loc[est["township_code"] == T1, "categories"].str.replace(";", "；"))
    wide = select(sched, est, None, 7, SelectionRules(), 0, year=2026)
    for sel in (base, wide):
        assert sel.samples.loc[sel.samples["category_code"] == "C34", "samples"].sum() == 12
        assert "nan" not in set(sel.samples["category_code"])
        online = sel.samples[sel.samples["business_type"] == "D-ONLINE"]
        assert online["establishment_id"].tolist() == ["OH-W0001"]
