"""A city station's month (600 visits) assigned by decomposition (riskplan.routing.month_large)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskplan.roles import resolve_section, role_tables
from riskplan.routing import RoutingRules, check_plan, plan_routes
from riskplan.routing.feasible import assess_month
from riskplan.routing.month_large import LARGE_STATION_VISITS, assign_station, large_stations, team_day_pattern
from riskplan.routing.network import build_month
from riskplan.routing.prepare import lab_infos, later_working_days, prepare_visits, station_infos, working_days
from riskplan.synthetic.catalogue import BUSINESS_ROLES

BUSINESS_TYPES = pd.DataFrame({"business_type": list(BUSINESS_ROLES), "roles": list(BUSINESS_ROLES.values())})
RULES = resolve_section("routing", RoutingRules(), role_tables(BUSINESS_TYPES))
CATEGORIES = pd.DataFrame({"category_code": ["C31", "C01"], "perishable": ["true", "false"],
                           "units_per_sample": [1, 1]})
LAB_CAPACITY = 45


def _city_month(n: int = 600, teams: int = 5, seed: int = 11):
    """One station with ``teams`` teams, one lab (``LAB_CAPACITY`` a day, no weekends), ``n`` shops
    within ~8 km (a third perishable, some open only mornings or afternoons), July 2026."""
    stations = pd.DataFrame({"station_id": ["S1"], "name": ["城区所"], "township_codes": ["T1"],
                             "lon_wgs84": [120.65], "lat_wgs84": [28.00], "teams": [teams]})
    labs = pd.DataFrame({"lab_id": ["L1"], "name": ["检测中心"], "lon_wgs84": [120.68], "lat_wgs84": [28.01],
                         "intake_open": ["08:00"], "intake_cutoff": ["16:30"], "capacity_per_day": [LAB_CAPACITY]})
    townships = pd.DataFrame({"township_code": ["T1"], "area_type": ["urban"],
                              "centroid_lon_wgs84": [120.65], "centroid_lat_wgs84": [28.00]})
    rng = np.random.default_rng(seed)
    # four neighbourhoods and a scatter: the clusters the decomposition cuts along
    centres = np.array([[120.60, 27.97], [120.70, 27.98], [120.63, 28.05], [120.69, 28.04]])
    which = rng.integers(0, 5, n)
    lon = np.where(which < 4, centres[np.minimum(which, 3), 0] + rng.normal(0, 0.012, n),
                   120.65 + rng.uniform(-0.08, 0.08, n))
    lat = np.where(which < 4, centres[np.minimum(which, 3), 1] + rng.normal(0, 0.012, n),
                   28.00 + rng.uniform(-0.07, 0.07, n))
    hours = rng.choice(["08:00-20:00", "08:00-12:00", "13:30-20:00"], n, p=[0.7, 0.15, 0.15])
    perishable = rng.random(n) < 0.33
    est = pd.DataFrame({
        "establishment_id": [f"E{i:04d}" for i in range(n)], "name": [f"店{i}" for i in range(n)],
        "township_code": "T1", "business_type": "C-SMALL", "categories": "C31;C01", "risk_grade": "B",
        "opening_hours": hours, "has_location": True, "lon_wgs84": lon, "lat_wgs84": lat,
    })
    visits = pd.DataFrame({
        "visit_id": [f"V{i:04d}" for i in range(n)], "establishment_id": est["establishment_id"],
        "township_code": "T1", "business_type": "C-SMALL",
        "category_code": np.where(perishable, "C31", "C01"), "categories_to_sample": np.where(perishable, "C31", "C01"),
        "samples": 1, "units": 1, "perishable": perishable, "mode": "visit",
    })
    dates = pd.date_range("2026-07-01", "2026-07-31")
    calendar = pd.DataFrame({"date": dates, "workday": dates.day_of_week < 5, "school_day": False, "market_day": False})
    return visits, est, stations, labs, townships, calendar


def _month(world):
    visits, est, stations, labs, townships, calendar = world
    days = working_days(calendar)
    return build_month(prepare_visits(visits, est, townships).assign(station_id="S1"), days,
                       later_working_days(days, None), station_infos(stations), lab_infos(labs, RULES.lab_id),
                       RULES, {"T1": "urban"}, None, CATEGORIES)


@pytest.fixture(scope="module")
def city():
    world = _city_month()
    visits, est, stations, labs, townships, calendar = world
    plan = plan_routes(visits, stations, labs, calendar, RULES, establishments=est, townships=townships,
                       categories=CATEGORIES, progress=False)
    return world, plan


def test_a_city_station_month_is_decomposed_and_every_visit_is_accounted_for(city):
    (visits, est, stations, labs, townships, calendar), plan = city
    assert len(visits) > LARGE_STATION_VISITS
    assert plan.parameters["assignment"]["status"].startswith("DECOMPOSED+")
    ids = sorted([*plan.stops["visit_id"], *plan.unassigned["visit_id"]])
    assert ids == sorted(visits["visit_id"])  # every visit once: routed or unassigned with a reason
    assert plan.unassigned["reason"].ne("").all()
    assert len(plan.stops) >= 0.95 * len(visits), plan.unassigned["reason"].value_counts().to_dict()
    problems = check_plan(plan, visits, stations, labs, calendar, RULES, establishments=est,
                          townships=townships, categories=CATEGORIES)
    assert problems.empty, problems.head(20).to_string()


def test_no_lab_day_over_capacity_and_the_team_rules_hold(city):
    _, plan = city
    assert (plan.lab_days["samples"] + plan.lab_days["booked"] <= LAB_CAPACITY).all()
    days = plan.routes.assign(date=pd.to_datetime(plan.routes["date"]))
    for _, team in days.groupby("team"):
        dates = sorted(team["date"])
        assert len(dates) == len(set(dates))
        weeks = pd.Series([d.isocalendar()[1] for d in dates]).value_counts()
        assert weeks.max() <= RULES.field_days_per_week


def test_the_same_input_gives_the_same_assignment():
    # a smaller large month (350 visits, 3 teams) keeps the test short; the search is bounded by
    # solution limits and rounds, not by the clock
    month = _month(_city_month(n=350, teams=3, seed=5))
    assert large_stations(month) == [0]
    fits = assess_month(month, {})
    first, second = (assign_station(month, 0, fits, {}) for _ in range(2))
    assert first == second
    team_days, taken, left = first
    assert len(taken) == month.n_visits
    placed = sorted(i for t in team_days.values() for i in (*t.visits, *t.held))
    assert sorted(placed + left) == list(range(month.n_visits))  # each visit once: a team-day or left


def test_the_team_day_pattern_keeps_the_week_limit_and_staggers_the_teams():
    month = _month(_city_month(n=20))
    days = month.days
    assert large_stations(month) == []
    pattern = team_day_pattern(month, 0)
    per_day = np.bincount([d for _, d in pattern], minlength=len(days))
    for week in set(month.weeks):  # staggered: 5 teams x 3 days over a week's working days
        out = [per_day[d] for d in range(len(days)) if month.weeks[d] == week]
        assert max(out) - min(out) <= 1, out
    assert len(pattern) == 5 * 3 + 5 * 3 * 4  # every team 3 days a week (1-3 July: 3 working days)
    for k in range(1, 6):
        mine = [d for t, d in pattern if t == k]
        assert all(month.may_go_out([x for x in mine if x != d], d) for d in mine)
