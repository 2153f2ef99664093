"""Every mandated sample lands: supply, allocation moves, eligible months, carry/substitution, accounting."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from riskplan.allocation import allocate_strata, district_supply, fit_to_supply
from riskplan.errors import InfeasibleError
from riskplan.pipeline import run_plan
from riskplan.schedule import school_day_months
from riskplan.schedule.eligible import fit_to_eligibility
from riskplan.settings.allocation import AllocationRules
from riskplan.settings.schedule import ScheduleRules
from riskplan.settings.selection import SelectionRules

NO_FLOORS = AllocationRules(township_min=0, stage_min=0, business_type_min=0, category_min=0,
                            key_min_share=0.0, school_min_share=0.0)


def _register() -> pd.DataFrame:
    return pd.DataFrame({
        "establishment_id": ["E1", "E2", "E3", "E4"],
        "township_code": ["T1", "T1", "T1", "T2"],
        "business_type": ["SHOP", "SHOP", "CANTEEN", "SHOP"],
        "categories": ["K1", "K1;K2", "K1", "K1"],
        "risk_grade": ["B", "D", "A", "C"],
    })


def _history() -> pd.DataFrame:
    # E1 (B, 6 months) last sampled in September 2025: eligible again in March 2026
    return pd.DataFrame({"establishment_id": ["E1", "E3"], "sample_date": ["2025-09-10", "2025-01-05"]})


def test_supply_counts_visits_by_rotation_history_and_allowed_months() -> None:
    closed = ScheduleRules(closed_months=(2,))
    school = {"CANTEEN": np.array([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1], dtype=float)}
    s = district_supply(_register(), _history(), 2026, SelectionRules(), closed, school)
    e = s.establishments.set_index("establishment_id")
    # E1: March, then September (a six-month window after March)
    assert e.loc["E1", "first_month"] == 3 and e.loc["E1", "visits"] == 2
    assert s.eligible[0].tolist() == [m >= 3 and m not in (2, 12) for m in range(1, 13)]
    # E2 (D, 3 months), never sampled: January, April, July, October (February closed is skipped)
    assert e.loc["E2", "visits"] == 4
    # E3: a canteen (A, 12 months), only in school months: January once
    assert e.loc["E3", "visits"] == 1 and not s.eligible[2][6] and not s.eligible[2][7]
    # a visit takes two samples of one category (max_samples_per_category), of each of E2's two
    assert e.loc["E2", "capacity"] == 4 * 4 and e.loc["E2", "category_capacity"] == 4 * 2
    k1 = s.strata.set_index(["township_code", "business_type", "category_code"])
    assert k1.loc[("T1", "SHOP", "K1"), "capacity"] == 2 * 2 + 4 * 2


def test_supply_per_visit_limit_zero_means_never_visited() -> None:
    s = district_supply(_register(), None, 2026, SelectionRules(), ScheduleRules(),
                        per_visit_limit=np.array([0, 1, 2, 2]))
    e = s.establishments.set_index("establishment_id")
    assert e.loc["E1", "capacity"] == 0 and not s.eligible[0].any()
    assert e.loc["E2", "per_visit"] == 1 and e.loc["E2", "category_capacity"] == e.loc["E2", "visits"]


def _scores() -> pd.DataFrame:
    return pd.DataFrame({
        "township_code": ["T1", "T1", "T1", "T2"],
        "business_type": ["CANTEEN", "SHOP", "SHOP", "SHOP"],
        "category_code": ["K1", "K1", "K2", "K1"],
        "stage": ["catering", "distribution", "distribution", "distribution"],
        "weight": [10.0, 1.0, 1.0, 1.0],
        "n_establishments": [1, 2, 1, 1],
    })


def test_allocation_moves_what_a_stratum_cannot_supply_and_records_it() -> None:
    supply = district_supply(_register(), _history(), 2026, SelectionRules(), ScheduleRules())
    alloc = allocate_strata(_scores(), 12, NO_FLOORS)
    assert alloc.table.set_index("business_type").loc["CANTEEN", "samples"] > 2  # riskiest: asks too much
    fitted = fit_to_supply(alloc, supply)
    t = fitted.table.set_index(["township_code", "business_type", "category_code"])
    assert int(t["samples"].sum()) == 12
    assert (t["samples"] <= t["capacity"]).all()
    # the canteen (one establishment, one visit in the year x 2) keeps 2; the rest goes to the
    # same category in the same township first
    assert t.loc[("T1", "CANTEEN", "K1"), "samples"] == 2
    moves = fitted.moves
    assert set(moves["from_stratum"]) == {"T1|CANTEEN|K1"}
    assert moves["to_stratum"].iloc[0] == "T1|SHOP|K1"
    assert int(moves["samples"].sum()) == int(-t.loc[("T1", "CANTEEN", "K1"), "moved"])
    assert moves["reason"].str.contains("can give 2 in 2026").all()


def test_allocation_beyond_supply_is_refused_up_front_with_the_numbers() -> None:
    supply = district_supply(_register(), _history(), 2026, SelectionRules(), ScheduleRules())
    alloc = allocate_strata(_scores(), supply.total + 1, NO_FLOORS)
    with pytest.raises(InfeasibleError, match=rf"quota of {supply.total + 1} samples exceeds .* "
                                               rf"{supply.total} samples .*T1\|CANTEEN\|K1"):
        fit_to_supply(alloc, supply)


def test_schedule_keeps_samples_in_months_the_establishments_can_take() -> None:
    reg = _register().iloc[[0]]  # E1 alone: B, six-month window, sampled September 2025
    supply = district_supply(reg, _history(), 2026, SelectionRules(), ScheduleRules())
    counts = np.zeros((1, 12), dtype=np.int64)
    counts[0, 0] = 4  # all in January, when E1 is still inside its window
    strata = pd.DataFrame({"township_code": ["T1"], "business_type": ["SHOP"], "category_code": ["K1"]})
    out, moved = fit_to_eligibility(counts, strata, supply)
    assert out[0].tolist() == [0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0] and moved == 4


@pytest.fixture(scope="module")
def yunling_year(yunling, yunling_config):
    return run_plan(yunling, yunling_config, range(1, 13), seed=3)


def test_every_sample_of_the_year_is_accounted_for_once(yunling_year) -> None:
    r = yunling_year
    k = r.key_numbers()
    assert k["scheduled"] == k["allocated"] == k["quota"]
    assert k["samples_routed"] + k["samples_bought"] + k["samples_short"] + k["samples_unassigned"] \
        == k["scheduled"]
    assert k["delivered"] == k["samples_routed"] + k["samples_bought"]
    # the year plan of Yunling left 57-65 samples short before supply-aware planning
    assert k["samples_short"] <= 5 and k["samples_unassigned"] <= 5
    assert (r.allocation["samples"] <= r.allocation["capacity"]).all()
    acc = r.accounting()
    assert acc["visit_id"].is_unique and set(acc["outcome"]) <= {"routed", "unassigned", "purchase"}
    p = r.placements
    assert set(p["kind"]) <= {"carried", "substituted"} and (p["reason"].str.len() > 0).all()
    assert (p.loc[p["kind"] == "carried", "to_month"] > p.loc[p["kind"] == "carried", "from_month"]).all()
    assert "delivery 落实" in r.summary()


def test_no_school_canteen_sample_outside_term(yunling_year) -> None:
    r = yunling_year
    types = r.config.routing.school_day_types
    days = next(iter(school_day_months(types, r.plan_year, r.config.calendar).values()))
    holiday = [m for m in range(1, 13) if days[m - 1] == 0]
    v = r.visits
    school = v[v["business_type"].isin(types)]
    assert r.config.schedule.school_days_only and 8 in holiday
    assert len(school) and not school["month"].isin(holiday).any()
    sched = r.schedule[r.schedule["business_type"].isin(types)]
    assert not sched["month"].isin(holiday).any()


def test_a_quota_beyond_the_district_is_refused_before_planning(yunling, yunling_config) -> None:
    big = dataclasses.replace(yunling_config, quota=dataclasses.replace(yunling_config.quota,
                                                                         population=50_000_000))
    with pytest.raises(InfeasibleError, match=r"exceeds what the district's establishments can supply"):
        run_plan(yunling, big, 1, seed=0)
