"""Monthly schedule: exact integer split, seasons, closed months and balanced progress."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskplan._settings import section_from_dict
from riskplan.config import Config
from riskplan.errors import ConfigCheckError, ConfigError, InfeasibleError
from riskplan.schedule import (
    ScheduleInputError,
    ScheduleRules,
    consolidate_months,
    monthly,
    progress,
)

KEY = ["township_code", "business_type", "category_code"]


def annual(seed=0, n=60, max_samples=12, max_establishments=None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cats = ["C01", "C06", "C10", "C24", "C31", "C35", "C36", "C04"]
    rows = {(f"t{rng.integers(0, 5)}", f"B{rng.integers(0, 4)}", cats[rng.integers(0, len(cats))]) for _ in range(n)}
    df = pd.DataFrame(sorted(rows), columns=KEY)
    df["samples"] = rng.integers(0, max_samples, len(df))
    if max_establishments is not None:
        df["n_establishments"] = rng.integers(1, max_establishments + 1, len(df))
    return df


def check_months_within_establishments(schedule, table):
    used = schedule.groupby(KEY)["month"].nunique()
    n_est = table.set_index(KEY)["n_establishments"].reindex(used.index)
    assert (used <= n_est).all(), used[used > n_est]


def check(schedule, table, rules):
    got = schedule.groupby(KEY)["samples"].sum()
    want = table.set_index(KEY)["samples"]
    want = want[want > 0]
    assert got.reindex(want.index, fill_value=0).equals(want.astype(got.dtype))
    assert set(got.index) <= set(want.index)
    assert (schedule["samples"] > 0).all()
    months = set(schedule["month"])
    assert months <= set(rules.open_months)
    total = int(want.sum())
    prog = progress(schedule).set_index("month")
    for m, share in zip(rules.progress_months, rules.progress_targets):
        assert prog.loc[m, "cumulative"] >= np.ceil(share * total - 1e-9)
    assert prog.loc[rules.last_month, "cumulative"] == total


def test_defaults_hold():
    t = annual()
    rules = ScheduleRules()
    s = monthly(t, rules)
    check(s, t, rules)
    assert s["month"].max() <= 11
    assert sum(s.attrs["monthly_totals"].values()) == t["samples"].sum()


def test_seasons_named_products_within_a_category(ouhai):
    t = pd.DataFrame({"township_code": ["t"], "business_type": ["B"], "category_code": ["C24"], "samples": [110]})
    # the default seasons name category roles: Ouhai's categories table says C24 has both
    s = monthly(t, ScheduleRules(progress_targets=(0.0, 0.0, 0.0)), categories=ouhai.categories)
    per = s.set_index("month")["samples"]
    # zongzi (May-Jun) and mooncakes (Aug-Sep) are both pastries: those months weigh 3x
    assert per[[5, 6, 8, 9]].min() > per[[1, 2, 3, 4, 7, 10, 11]].max()
    assert s.set_index("month").loc[5, "focus"] == "zongzi" and s.set_index("month").loc[9, "focus"] == "mooncake"
    assert not s.set_index("month").loc[3, "in_season"]


def test_closed_months_and_last_month():
    t = annual(1)
    rules = ScheduleRules(closed_months=(2, 7), last_month=10)
    s = monthly(t, rules)
    check(s, t, rules)
    assert not set(s["month"]) & {2, 7, 11, 12}


def test_progress_targets_raise_early_months():
    t = pd.DataFrame({"township_code": ["t"] * 2, "business_type": ["B"] * 2, "category_code": ["C36", "C01"],
                      "samples": [40, 8]})
    # with a heavy autumn season the natural curve lags; the targets pull samples forward
    rules = ScheduleRules(season_categories={"autumn": "C36"}, season_months={"autumn": (10, 11)},
                          season_labels={}, season_weight=50.0, progress_targets=(0.3, 0.6, 0.8))
    s = monthly(t, rules)
    check(s, t, rules)


def test_unmeetable_progress_raises():
    t = annual(2)
    with pytest.raises(InfeasibleError, match="no sampling month"):
        monthly(t, ScheduleRules(closed_months=(1, 2, 3)))


def test_rules_from_toml_and_errors(ouhai):
    r = section_from_dict(ScheduleRules, {"last_month": 12, "closed_months": [2],
                                          "season_categories": {"x": "C01"}, "season_months": {"x": [3]}},
                          prefix="schedule")
    assert r.open_months == (1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
    for bad, key in (({"last_month": 13}, "schedule.last_month"),
                     ({"progress_targets": [0.5, 0.4, 0.9]}, "schedule.progress_targets"),
                     ({"season_months": {"zongzi": [13]}}, "schedule.season_months.zongzi"),
                     ({"closed_months": list(range(1, 13))}, "schedule.closed_months")):
        with pytest.raises(ConfigError) as exc:
            section_from_dict(ScheduleRules, bad, prefix="schedule")
        assert exc.value.key == key
    # a season naming a code, a role or a name the dataset does not have is a configuration error
    with pytest.raises(ConfigCheckError) as exc:
        Config(schedule=ScheduleRules(season_categories={"x": "C99;zongzi"}, season_months={"x": (3,)},
                                      season_labels={})).check_codes(ouhai)
    errors = exc.value.problems.query("level == 'error'")
    assert list(errors["key"]) == ["schedule.season_categories.x"] and list(errors["value"]) == ["C99"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), last=st.integers(9, 12),
       closed=st.lists(st.sampled_from([2, 4, 5, 7, 8, 10]), max_size=3, unique=True),
       max_samples=st.sampled_from([1, 3, 30]))
def test_schedule_properties(seed, last, closed, max_samples):
    t = annual(seed, max_samples=max_samples)
    rules = ScheduleRules(last_month=last, closed_months=tuple(closed))
    s = monthly(t, rules)
    check(s, t, rules)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), last=st.integers(9, 12),
       closed=st.lists(st.sampled_from([2, 4, 5, 7, 8, 10]), max_size=3, unique=True),
       max_samples=st.sampled_from([3, 30]), max_est=st.sampled_from([1, 2, 5]))
def test_schedule_properties_with_few_establishments(seed, last, closed, max_samples, max_est):
    """Every invariant still holds when strata keep at most one month per establishment."""
    t = annual(seed, max_samples=max_samples, max_establishments=max_est)
    rules = ScheduleRules(last_month=last, closed_months=tuple(closed))
    s = monthly(t, rules)
    check(s, t, rules)
    check_months_within_establishments(s, t)
    assert s.attrs["monthly_totals"] == progress(s).set_index("month")["samples"].to_dict()


def test_ouhai_schedule(ouhai):
    from riskplan.allocation import AllocationRules, allocate
    from riskplan.risk import score

    a = allocate(score(ouhai), 964, AllocationRules(), categories=ouhai.categories,
                 business_types=ouhai.business_types)
    rules = Config().resolve(ouhai).schedule  # roles and the local seasons -> Ouhai's codes
    assert rules.season_categories["spring_festival"] == "C04;C13;C15;C17;C18"
    assert rules.season_categories["bayberry"] == "C36" and rules.season_months["bayberry"] == (6,)
    s = monthly(a, rules)
    check(s, a.table, rules)
    # the same with the roles resolved by monthly itself from the categories table
    pd.testing.assert_frame_equal(s, monthly(a, ScheduleRules(), categories=ouhai.categories))


def test_settings_round_trip_through_toml():
    import tomllib

    import tomli_w

    from riskplan._settings import section_to_dict
    from riskplan.allocation import AllocationRules, QuotaRules

    for cls, name in ((QuotaRules, "quota"), (AllocationRules, "allocation"), (ScheduleRules, "schedule")):
        text = tomli_w.dumps({name: section_to_dict(cls())})
        back = section_from_dict(cls, tomllib.loads(text)[name], prefix=name)
        assert back == cls(), name


def test_empty_allocation():
    t = annual().assign(samples=0)
    s = monthly(t)
    assert s.empty and list(s.columns[:5]) == [*KEY, "month", "samples"]


def test_few_establishments_few_months():
    """A one-shop stratum with 6 samples gets them in one month (its earliest), not spread out."""
    t = pd.DataFrame({"township_code": ["t", "t"], "business_type": ["B", "B"], "category_code": ["C01", "C31"],
                      "samples": [6, 40], "n_establishments": [1, 3]})
    spread = monthly(t, ScheduleRules(months_within_establishments=False))
    s = monthly(t, ScheduleRules())
    rules = ScheduleRules()
    check(s, t, rules)
    check_months_within_establishments(s, t)
    one = s[s["category_code"] == "C01"]
    assert len(one) == 1 and one["samples"].iloc[0] == 6
    assert one["month"].iloc[0] == spread.loc[spread["category_code"] == "C01", "month"].min()
    assert spread.groupby("category_code")["month"].nunique()["C01"] > 1
    # without n_establishments there is nothing to limit
    pd.testing.assert_frame_equal(monthly(t.drop(columns="n_establishments")), spread)


def test_consolidate_months_moves_samples_earlier():
    counts = np.array([[0, 2, 0, 1, 5, 0, 3, 0, 0, 0, 0, 0],
                       [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]])
    got = consolidate_months(counts, np.array([2, 3]))
    # keeps February (earliest) and May (busiest); April -> February, July -> May
    assert got[0].tolist() == [0, 3, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]
    assert got[1].tolist() == counts[1].tolist()
    assert (np.cumsum(got, axis=1) >= np.cumsum(counts, axis=1)).all()


def test_row_order_does_not_matter():
    t = annual(3, n=80, max_establishments=3)
    s = monthly(t)
    for seed in range(3):
        again = monthly(t.sample(frac=1.0, random_state=seed))
        pd.testing.assert_frame_equal(again, s)
        assert again.attrs == s.attrs


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda t: t.drop(columns="samples"), "lacks column.*samples"),
        (lambda t: t.drop(columns="category_code"), "lacks column.*category_code"),
        (lambda t: t.assign(samples=2.5), "'samples' must hold whole numbers >= 0"),
        (lambda t: t.assign(samples="many"), "'samples' must hold whole numbers >= 0"),
        (lambda t: t.assign(samples=-1), "'samples' must hold whole numbers >= 0"),
        (lambda t: t.assign(samples=[None] + [1] * (len(t) - 1)), "'samples' must hold whole numbers"),
    ],
)
def test_bad_allocation_table_raises_clear_error(change, match):
    with pytest.raises(ScheduleInputError, match=match):
        monthly(change(annual()))


def test_ouhai_selection_not_blocked_by_the_schedule(ouhai):
    """Over the default schedule, no stratum is short because it has more months than shops."""
    from riskplan.allocation import allocate
    from riskplan.risk import score
    from riskplan.selection import select_year

    cfg = Config().resolve(ouhai)  # the roles in the default rules -> Ouhai's codes
    a = allocate(score(ouhai), 964, cfg.allocation, categories=ouhai.categories)
    s = monthly(a, cfg.schedule)
    check_months_within_establishments(s, a.table)
    history = pd.concat([ouhai.history, ouhai.results], ignore_index=True)
    out = select_year(s, ouhai.establishments, history, ouhai.plan_year, cfg.selection, 0,
                      categories=ouhai.categories, stations=ouhai.stations)
    short = pd.concat([x.shortfall for x in out.values()], ignore_index=True)
    n_months = s.groupby(KEY)["month"].nunique()
    over = short.join(n_months.rename("n_months"), on=KEY)
    assert (over["n_months"] <= over["n_establishments"]).all()
    # what is left comes from shops sampled recently (history) or for another category
    assert short["missing"].sum() <= 55
