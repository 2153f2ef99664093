"""Tests of riskplan.routing: small synthetic stations, every plan re-checked by the checker."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from riskplan._settings import section_from_dict
from riskplan.config import Config
from riskplan.errors import ConfigError, RiskplanError
from riskplan.roles import resolve_section, role_tables
from riskplan.routing import RoutingRules, check_plan, plan_routes
from riskplan.routing.windows import intersect, start_windows
from riskplan.synthetic.catalogue import BUSINESS_ROLES
from riskplan.timeofday import parse_windows

# ----------------------------------------------------------------------------- fixtures


def _world(n: int = 12, seed: int = 1, teams: int = 2):
    rng = np.random.default_rng(seed)
    stations = pd.DataFrame(
        {
            "station_id": ["S1"],
            "name": ["一所"],
            "township_codes": ["T1;T2"],
            "lon_wgs84": [120.60],
            "lat_wgs84": [28.00],
            "teams": [teams],
        }
    )
    labs = pd.DataFrame(
        {
            "lab_id": ["L1"],
            "name": ["检测中心"],
            "lon_wgs84": [120.63],
            "lat_wgs84": [28.01],
            "intake_open": ["08:00"],
            "intake_cutoff": ["16:30"],
        }
    )
    townships = pd.DataFrame({"township_code": ["T1", "T2"], "area_type": ["urban", "mountain"]})
    types = ["D-SUPERMARKET", "C-RESTAURANT", "D-WETMARKET", "D-GROCERY", "C-CANTEEN", "C-SMALL"]
    est = pd.DataFrame(
        {
            "establishment_id": [f"E{i:03d}" for i in range(n)],
            "name": [f"店{i}" for i in range(n)],
            "township_code": ["T1" if i % 3 else "T2" for i in range(n)],
            "business_type": [types[i % len(types)] for i in range(n)],
            "opening_hours": ["05:00-20:00"] * n,
            "lon_wgs84": 120.60 + rng.uniform(-0.06, 0.06, n),
            "lat_wgs84": 28.00 + rng.uniform(-0.05, 0.05, n),
        }
    )
    visits = pd.DataFrame(
        {
            "visit_id": [f"V{i:03d}" for i in range(n)],
            "establishment_id": est["establishment_id"],
            "township_code": est["township_code"],
            "business_type": est["business_type"],
            "category_code": "C31",
            "categories_to_sample": "C31",
            "samples": [1 + i % 3 for i in range(n)],
            "units": 3,
            "perishable": [i % 4 == 0 for i in range(n)],
            "mode": "visit",
            "has_location": True,
        }
    )
    dates = pd.date_range("2026-07-01", "2026-07-10")
    calendar = pd.DataFrame(
        {
            "date": dates,
            "workday": dates.day_of_week < 5,
            "school_day": (dates.day_of_week < 5) & (dates.day <= 3),
            "market_day": dates.day % 5 == 1,
        }
    )
    return visits, est, stations, labs, townships, calendar


# the national business types' roles (as in Ouhai's table): the default rules, which name roles,
# resolved to the codes these tests use
BUSINESS_TYPES = pd.DataFrame({"business_type": list(BUSINESS_ROLES), "roles": list(BUSINESS_ROLES.values())})
RULES = resolve_section("routing", RoutingRules(), role_tables(BUSINESS_TYPES))


def _plan_and_check(visits, est, stations, labs, townships, calendar, rules=None, **kw):
    rules = rules or RULES
    plan = plan_routes(visits, stations, labs, calendar, rules, establishments=est, townships=townships, **kw)
    viol = check_plan(
        plan, visits, stations, labs, calendar, rules, establishments=est, townships=townships,
        travel_matrix=kw.get("travel_matrix"), business_types=kw.get("business_types"),
    )
    assert viol.empty, viol.to_string()
    # exact accounting: every visit once, in stops or unassigned
    ids = sorted(list(plan.stops["visit_id"]) + list(plan.unassigned["visit_id"]))
    assert ids == sorted(visits["visit_id"])
    return plan


@pytest.fixture
def world():
    return _world()


# ----------------------------------------------------------------------------- windows


def test_windows_parse_and_intersect():
    assert parse_windows("14:00-17:00;05:30-09:00") == [(330, 540), (840, 1020)]
    assert parse_windows("00:00-07:00;22:00-23:59") == [(0, 420), (1320, 1440)]
    assert intersect([(540, 660), (810, 990)], [(600, 900)]) == [(600, 660), (810, 900)]
    assert start_windows([(600, 630), (840, 1020)], 35) == [(840, 985)]
    with pytest.raises(RiskplanError, match="HH:MM"):
        parse_windows("9-10")


# ----------------------------------------------------------------------------- plans


def test_basic_plan_all_routed_and_checked(world):
    plan = _plan_and_check(*world)
    assert len(plan.stops) == 12 and plan.unassigned.empty
    assert plan.reproducible
    # perishable stops are on routes ending at the lab, before the cut-off
    per = plan.stops[plan.stops["perishable"]]
    assert (per["lab_deadline"] == "16:30").all()
    lab_routes = plan.routes[plan.routes["ends_at"] == "lab"]
    assert len(lab_routes) >= 1 and (lab_routes["lab_arrival"] <= 16 * 60 + 30).all()
    assert set(plan.routes["team"]) <= {1, 2}
    assert plan.routes["n_stops"].sum() == 12


def test_multi_window_gap_is_respected():
    visits, est, stations, labs, townships, calendar = _world(n=1)
    est.loc[0, ["business_type", "opening_hours"]] = ["C-RESTAURANT", "10:00-10:30;14:00-17:00"]
    visits.loc[0, ["business_type", "samples", "perishable"]] = ["C-RESTAURANT", 1, False]
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar)
    # 35 min of service does not fit in 10:00-10:30: the visit is in the afternoon window
    assert plan.stops["start_service"].iat[0] >= 14 * 60
    assert plan.stops["window"].iat[0] == "10:00-10:30;14:00-17:00"


def test_school_canteen_without_school_days_is_reported(world):
    visits, est, stations, labs, townships, calendar = world
    visits.loc[1, "business_type"] = "C-SCHOOL"
    est.loc[1, "business_type"] = "C-SCHOOL"
    cal = calendar.assign(school_day=False)
    plan = _plan_and_check(visits, est, stations, labs, townships, cal)
    un = plan.unassigned.set_index("visit_id")
    assert un.loc["V001", "reason"] == "no_school_day"
    # with school days it is routed on one of them
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar)
    day = plan.stops.set_index("visit_id").loc["V001", "date"]
    assert day.day <= 3
    # the default rules name the role: given the business types, routing resolves it itself
    bt = pd.DataFrame({"business_type": ["C-SCHOOL"], "roles": ["school canteen"]})
    plan = _plan_and_check(visits, est, stations, labs, townships, cal, RoutingRules(), business_types=bt)
    assert plan.unassigned.set_index("visit_id").loc["V001", "reason"] == "no_school_day"
    plan = _plan_and_check(visits, est, stations, labs, townships, cal, RoutingRules())
    assert "V001" not in set(plan.unassigned["visit_id"])  # without the table the role matches nothing


def test_impossible_window_and_accounting(world):
    visits, est, stations, labs, townships, calendar = world
    est.loc[2, "opening_hours"] = "19:00-22:00"  # a night-only shop of a daytime type
    visits.loc[3, "mode"] = "purchase"
    est.loc[4, ["lon_wgs84", "lat_wgs84"]] = [np.nan, np.nan]
    est.loc[5, "township_code"] = "T9"
    visits.loc[5, "township_code"] = "T9"
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar)
    reasons = plan.unassigned.set_index("visit_id")["reason"].to_dict()
    assert reasons == {
        "V002": "window_outside_hours",
        "V003": "purchase",
        "V004": "no_location",
        "V005": "no_station",
    }
    assert len(plan.stops) == 8


def test_perishable_too_late_for_lab(world):
    visits, est, stations, labs, townships, calendar = world
    labs = labs.assign(intake_open="05:00", intake_cutoff="06:00")
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar)
    un = plan.unassigned.set_index("visit_id")["reason"]
    perishable = visits.loc[visits["perishable"], "visit_id"]
    assert set(un.index) == set(perishable)
    assert (un == "lab_deadline").all()


def test_day_full_is_offered_then_reported():
    visits, est, stations, labs, townships, calendar = _world(n=30, teams=1)
    cal = calendar[calendar["date"] <= "2026-07-02"]  # two working days, one team
    plan = _plan_and_check(visits, est, stations, labs, townships, cal)
    assert len(plan.stops) > 0
    full = plan.unassigned[plan.unassigned["reason"] == "day_full"]
    assert len(full) > 0
    assert len(plan.stops) + len(plan.unassigned) == 30
    assert plan.parameters["solver_calls"] > 2  # the dropped visits were offered to the other day


def test_deterministic(world):
    a = plan_routes(*world[:1], world[2], world[3], world[5], establishments=world[1], townships=world[4])
    b = plan_routes(*world[:1], world[2], world[3], world[5], establishments=world[1], townships=world[4])
    pd.testing.assert_frame_equal(a.stops, b.stops)
    pd.testing.assert_frame_equal(a.routes, b.routes)
    pd.testing.assert_frame_equal(a.unassigned, b.unassigned)


def test_time_limit_marks_not_reproducible(world):
    visits, est, stations, labs, townships, calendar = world
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar, time_limit=0.05)
    assert plan.reproducible is False


def test_travel_matrix_csv(world, tmp_path):
    visits, est, stations, labs, townships, calendar = world
    rows = [("S1", "E007", 500.0), ("E007", "S1", 500.0), ("E007", "L1", 500.0)]
    path = tmp_path / "matrix.csv"
    pd.DataFrame(rows, columns=["from_id", "to_id", "minutes"]).to_csv(path, index=False)
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar, travel_matrix=str(path))
    assert plan.unassigned.set_index("visit_id").loc["V007", "reason"] == "too_far"
    assert plan.parameters["travel_matrix"] is True


def test_cold_box_capacity(world):
    visits, est, stations, labs, townships, calendar = world
    visits = visits.assign(perishable=True, samples=3)
    rules = RoutingRules(cold_box_samples=6)
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar, rules)
    assert (plan.routes["perishable_samples"] <= 6).all()


def test_rules_from_dict_and_errors():
    r = section_from_dict(RoutingRules, {"detour_factor": 1.4, "windows": {"default": ["08:00-18:00"]}}, "routing")
    assert r.detour_factor == 1.4 and r.windows["default"] == ("08:00-18:00",)
    with pytest.raises(ConfigError, match="routing.detour_factor"):
        RoutingRules(detour_factor=0.5)
    with pytest.raises(ConfigError, match="routing.nope"):
        section_from_dict(RoutingRules, {"nope": 1}, "routing")
    with pytest.raises(ConfigError, match="routing.day_end"):
        RoutingRules(day_start="18:00")
    with pytest.raises(ConfigError, match="routing.windows.C-X"):
        RoutingRules(windows={"C-X": ("9-10",)})


def test_missing_columns_error(world):
    visits, est, stations, labs, townships, calendar = world
    with pytest.raises(RiskplanError, match="visits table lacks column"):
        plan_routes(visits.drop(columns="samples"), stations, labs, calendar, establishments=est)


def test_checker_catches_a_broken_plan(world):
    visits, est, stations, labs, townships, calendar = world
    plan = plan_routes(visits, stations, labs, calendar, establishments=est, townships=townships)
    plan.stops.loc[0, "start_service"] = 0
    plan.stops = plan.stops.drop(index=len(plan.stops) - 1)
    viol = check_plan(plan, visits, stations, labs, calendar, establishments=est, townships=townships)
    assert {"accounting", "window", "time"} <= set(viol["check"])


def test_lab_capacity_and_working_days_hold_and_the_checker_sees_them():
    """30 visits, a lab taking 6 samples a day on Monday, Wednesday and Friday only."""
    visits, est, stations, labs, townships, calendar = _world(n=30, teams=2)
    calendar = pd.concat([calendar, calendar.assign(date=calendar["date"] + pd.Timedelta(days=14))],
                         ignore_index=True)  # 2026-07-01 .. 07-10 and 07-15 .. 07-24
    labs = labs.assign(capacity_per_day=6, working_days="mon;wed;fri")
    plan = plan_routes(visits, stations, labs, calendar, RULES, establishments=est, townships=townships,
                       progress=False)
    assert len(plan.stops) + len(plan.unassigned) == 30 and len(plan.stops) >= 20
    days = plan.lab_days
    assert (days["samples"] <= 6).all() and plan.totals()["lab_days_over"] == 0
    assert set(pd.to_datetime(days["date"]).dt.day_name()) <= {"Monday", "Wednesday", "Friday"}
    # every route says the day its samples reach the lab; perishables the day they are taken
    lab_routes = plan.routes[plan.routes["ends_at"] == "lab"]
    assert (pd.to_datetime(lab_routes["lab_date"]) == pd.to_datetime(lab_routes["date"])).all()
    per = plan.routes.groupby(pd.to_datetime(plan.routes["lab_date"]))["samples"].sum()
    assert per.to_dict() == dict(zip(pd.to_datetime(days["date"]), days["samples"]))
    viol = check_plan(plan, visits, stations, labs, calendar, RULES, establishments=est, townships=townships)
    assert viol.empty, viol.to_string()
    # the same routes against a lab that takes only 3 a day: the checker names the lab days over
    small = check_plan(plan, visits, stations, labs.assign(capacity_per_day=3), calendar, RULES,
                       establishments=est, townships=townships)
    over = small[small["check"] == "lab_capacity"]
    assert len(over) == int((days["samples"] > 3).sum()) > 0
    assert over["message"].str.contains("L1").all()


def test_with_two_labs_the_full_one_sends_samples_to_the_other():
    """The nearer lab takes 2 samples a day: the month uses the second lab for the rest."""
    visits, est, stations, labs, townships, calendar = _world(n=30, teams=2)
    far = labs.assign(lab_id="L2", name="远端检测中心", lon_wgs84=120.70, lat_wgs84=28.05)
    labs = pd.concat([labs.assign(capacity_per_day=2), far.assign(capacity_per_day=40)], ignore_index=True)
    plan = plan_routes(visits, stations, labs, calendar, RULES, establishments=est, townships=townships,
                       progress=False)
    days = plan.lab_days
    assert (days.loc[days["lab_id"] == "L1", "samples"] <= 2).all()
    assert "L2" in set(plan.routes["lab_id"]) and plan.totals()["lab_days_over"] == 0
    assert len(plan.stops) >= 20
    # without the limit the nearer lab takes everything
    free = plan_routes(visits, stations, labs.assign(capacity_per_day=np.nan), calendar, RULES,
                       establishments=est, townships=townships, progress=False)
    assert set(free.routes["lab_id"]) == {"L1"}
    assert check_plan(plan, visits, stations, labs, calendar, RULES, establishments=est,
                      townships=townships).empty


def test_month_is_spread_over_its_working_days_within_the_week_limit():
    visits, est, stations, labs, townships, calendar = _world(n=30, teams=2)
    dates = pd.date_range("2026-07-01", "2026-07-31")
    calendar = pd.DataFrame({"date": dates, "workday": dates.day_of_week < 5, "school_day": False,
                             "market_day": False})
    rules = dataclasses.replace(RULES, field_days_per_week=2, min_gap_days=2)
    plan = plan_routes(visits, stations, labs, calendar, rules, establishments=est, townships=townships,
                       progress=False)
    assert plan.unassigned.empty
    r = plan.routes.assign(date=pd.to_datetime(plan.routes["date"]))
    r["week"] = r["date"].dt.isocalendar().week
    assert r.groupby(["team", "week"]).size().max() <= 2
    workdays = list(pd.to_datetime(calendar.loc[calendar["workday"], "date"]))
    for _, g in r.groupby("team"):
        idx = sorted(workdays.index(d) for d in g["date"])
        assert all(b - a >= 2 for a, b in zip(idx, idx[1:]))
    # spread: the field days cover at least three of the month's five weeks
    assert r["week"].nunique() >= 3
    assert check_plan(plan, visits, stations, labs, calendar, rules, establishments=est,
                      townships=townships).empty


def test_lab_working_days_are_parsed_with_a_clear_error():
    from riskplan.tables import parse_weekdays

    assert parse_weekdays("周一;周三") == frozenset({0, 2}) and parse_weekdays("") is None
    assert parse_weekdays("1, 7") == frozenset({0, 6})
    with pytest.raises(ValueError, match="'tues' is not a weekday"):
        parse_weekdays("mon;tues")


@pytest.mark.parametrize("effort", [None, 1.0])
def test_the_ouhai_plan_passes_the_independent_checker(ouhai, effort):
    """The default plan for the embedded data, re-simulated route by route (issue 5), with the
    default small budget of the month model and a larger one; both are spread (issue 13: with a
    partial hint and a small budget CP-SAT found no solution and the fallback put July on 3 dates;
    now the complete greedy hint is the first solution)."""
    from riskplan.calendar import work_calendar
    from riskplan.pipeline import run_plan
    from riskplan.routing import check_plan
    from riskplan.routing.plan import RoutePlan

    config = Config()
    if effort is not None:
        config = dataclasses.replace(config, routing=dataclasses.replace(config.routing, assign_effort=effort))
    result = run_plan(ouhai, config, month=7)
    field = result.visits[result.visits["mode"] != "purchase"].reset_index(drop=True)
    plan = RoutePlan(result.stops, result.routes, result.unassigned, True, {})
    assert result.config.routing.school_day_types == ("C-SCHOOL",)  # the plan's rules name codes
    august = work_calendar(2026, 8, result.config.calendar)
    problems = check_plan(plan, field, ouhai.stations, ouhai.labs, result.calendar, result.config.routing,
                          establishments=ouhai.establishments, townships=ouhai.townships,
                          later_calendar=august)
    assert len(problems) == 0, problems.head().to_string()
    assert len(result.stops) > 0.8 * len(field)  # most field visits are routed
    # the month is spread: the district on most working days, no date with more than a quarter of
    # the month's routes (before: 9 of 16 on one date), never more than the lab's 40 samples a day
    dates = pd.to_datetime(result.routes["date"])
    assert dates.nunique() >= 12 and result.routes.groupby("date").size().max() <= len(result.routes) / 4
    assert result.lab_days["samples"].max() <= 40 and (result.lab_days["capacity"] == 40).all()


def test_route_plan_repr_totals_and_summary(world):
    visits, est, stations, labs, townships, calendar = world
    visits.loc[3, "mode"] = "purchase"
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar)
    n_routes = len(plan.routes)
    assert repr(plan) == f"RoutePlan(months=1, stations=1, routes={n_routes}, stops=11, unassigned=1)"
    totals = plan.totals()
    assert totals["routed"] == 11 and totals["unassigned"] == 1 and totals["by_reason"] == {"purchase": 1}
    lines = plan.summary().splitlines()
    n_days = plan.routes["date"].nunique()
    assert lines[0] == f"11 visits routed on {n_routes} routes (1 station, {n_days} field day{'s' * (n_days != 1)})"
    assert lines[1] == "1 visit not routed: purchase 1"
    km, drive_h = plan.routes["km"].sum(), plan.routes["travel_minutes"].sum() / 60
    assert lines[2] == f"{km:,.1f} km driven, {drive_h:,.1f} h of driving"
    team_h = plan.routes["minutes"].sum() / 60
    assert lines[3] == f"{2 * team_h:,.1f} officer-hours in the field ({team_h:,.1f} team-hours x 2 officers)"
    three = plan.summary(officers_per_team=3).splitlines()[3]
    assert three == f"{3 * team_h:,.1f} officer-hours in the field ({team_h:,.1f} team-hours x 3 officers)"


def _months_of_a_plan(dataset, config, months, monkeypatch):
    """The inputs of every month assignment of a plan (the real assignment runs; its inputs are kept)."""
    import riskplan.routing.plan as route_plan
    from riskplan.pipeline import run_plan

    seen = []
    real = route_plan.assign_month

    def keep(month, fits, booked, seed):
        seen.append((month, fits, dict(booked), seed))
        return real(month, fits, booked, seed)

    monkeypatch.setattr(route_plan, "assign_month", keep)
    run_plan(dataset, config, month=months)
    return seen


@pytest.mark.parametrize("district", ["ouhai", "yunling"])
def test_the_greedy_hint_keeps_every_rule_of_the_month_model(district, ouhai, yunling, yunling_config,
                                                              monkeypatch):
    """The hint is CP-SAT's first solution, and the assignment when CP-SAT finds none (status HINT): with
    every variable fixed to it the model must be feasible (a visit that the greedy put beside another
    one in a short window that a third, unplaced visit's window encloses broke it before), and the
    HINT assignment is that solution."""
    from riskplan.routing.hint import greedy_assignment
    from riskplan.routing.month import TIGHT_WINDOW, assign_month, hint_assignment, month_options, workload

    dataset, config, months = ((ouhai, Config(), [7, 9]) if district == "ouhai"
                               else (yunling, yunling_config, [3, 10]))
    seen = _months_of_a_plan(dataset, config, months, monkeypatch)
    assert len(seen) == len(months)
    for month, fits, booked, seed in seen:
        checked = assign_month(month, fits, booked, seed, check_hint=True)
        assert checked.status in ("OPTIMAL", "FEASIBLE")
        options = month_options(month, fits)
        work_of = {(i, s): workload(month, i, s) for i, opts in options.items() for s, _, _ in opts}
        greedy = greedy_assignment(month, options, work_of, booked, TIGHT_WINDOW)
        hinted = hint_assignment(month, greedy, 0.0, 0)
        assert hinted.status == "HINT" and hinted.team_days == checked.team_days
        assert hinted.unplaced == checked.unplaced
        assert len(greedy) + len(hinted.unplaced) == month.n_visits  # every visit accounted for


@pytest.mark.parametrize("district", ["ouhai", "yunling"])
def test_assess_month_tests_alike_days_once_with_the_same_fits(district, ouhai, yunling, yunling_config,
                                                               monkeypatch):
    """assess_month tests a visit and station once per kind of day (market, school, lab days, hold,
    booked samples): every Fit must equal assess's own on that very day, also with samples booked
    on some of the lab's days (every other working day full)."""
    from riskplan.routing.feasible import assess, assess_month

    dataset, config, months = ((ouhai, Config(), [7]) if district == "ouhai"
                               else (yunling, yunling_config, [3]))
    [(month, fits, booked, _)] = _months_of_a_plan(dataset, config, months, monkeypatch)
    lab = month.labs[0]
    assert lab.capacity is not None
    full = {(lab.lab_id, month.date(d)): lab.capacity for d in range(0, len(month.days), 2)}
    for bk in (booked, full):
        got = assess_month(month, bk)
        assert len(got) >= month.n_visits * len(month.days) > 0
        for (i, s, d), fit in got.items():
            assert assess(month, i, s, d, bk) == fit, (district, i, s, d)
    assert assess_month(month, booked) == fits
    assert assess_month(month, full) != fits  # the booked samples matter
