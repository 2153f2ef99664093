"""Routing places every visit or says exactly why not (issue 11).

Small synthetic districts, each plan re-simulated by the independent checker: the reason of an
unassigned visit is the constraint that binds (a street vendor's late window, not the lab), a visit
that fits alone but not with the others gets ``day_full``, a visit no team of its station can reach
goes to the nearest station's team, an establishment without coordinates is routed at its
township's centre and flagged, overnight holds happen only where configured, and the
establishments that can never deliver a perishable sample are known before anything is drawn.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from riskplan.allocation import district_supply
from riskplan.roles import resolve_section, role_tables
from riskplan.routing import RoutingRules, check_plan, plan_routes
from riskplan.routing.reach import perishable_reach
from riskplan.selection import select
from riskplan.settings import ScheduleRules, SelectionRules
from riskplan.synthetic.catalogue import BUSINESS_ROLES

BUSINESS_TYPES = pd.DataFrame({"business_type": list(BUSINESS_ROLES), "roles": list(BUSINESS_ROLES.values())})
RULES = resolve_section("routing", RoutingRules(), role_tables(BUSINESS_TYPES))
CATEGORIES = pd.DataFrame({"category_code": ["C31", "C01"], "perishable": ["true", "false"],
                           "units_per_sample": [1, 1]})


def _world(n: int = 6, hours: str = "05:00-20:00", two_stations: bool = False, s2_lon: float = 120.90):
    """Stations, a lab 3 km east, ``n`` shops around station S1 (C-SMALL, perishable C31), a calendar."""
    stations = pd.DataFrame({
        "station_id": ["S1", "S2"], "name": ["一所", "二所"], "township_codes": ["T1", "T2"],
        "lon_wgs84": [120.60, s2_lon], "lat_wgs84": [28.00, 28.00], "teams": [1, 1],
    })
    stations = stations if two_stations else stations.iloc[:1]
    labs = pd.DataFrame({"lab_id": ["L1"], "name": ["检测中心"], "lon_wgs84": [120.63], "lat_wgs84": [28.00],
                         "intake_open": ["08:00"], "intake_cutoff": ["16:30"]})
    townships = pd.DataFrame({"township_code": ["T1", "T2"], "area_type": ["urban", "urban"],
                              "centroid_lon_wgs84": [120.61, 120.90], "centroid_lat_wgs84": [28.01, 28.00]})
    rng = np.random.default_rng(3)
    est = pd.DataFrame({
        "establishment_id": [f"E{i:03d}" for i in range(n)], "name": [f"店{i}" for i in range(n)],
        "township_code": "T1", "business_type": "C-SMALL", "categories": "C31;C01", "risk_grade": "B",
        "opening_hours": hours, "has_location": True,
        "lon_wgs84": 120.60 + rng.uniform(-0.02, 0.02, n), "lat_wgs84": 28.00 + rng.uniform(-0.02, 0.02, n),
    })
    visits = pd.DataFrame({
        "visit_id": [f"V{i:03d}" for i in range(n)], "establishment_id": est["establishment_id"],
        "township_code": "T1", "business_type": "C-SMALL", "category_code": "C31",
        "categories_to_sample": "C31", "samples": 1, "units": 1, "perishable": True, "mode": "visit",
    })
    dates = pd.date_range("2026-07-06", "2026-07-10")  # Monday to Friday
    calendar = pd.DataFrame({"date": dates, "workday": True, "school_day": True, "market_day": False})
    return visits, est, stations, labs, townships, calendar


def _plan_and_check(visits, est, stations, labs, townships, calendar, rules=RULES, **kw):
    plan = plan_routes(visits, stations, labs, calendar, rules, establishments=est, townships=townships,
                       categories=CATEGORIES, progress=False, **kw)
    problems = check_plan(plan, visits, stations, labs, calendar, rules, establishments=est,
                          townships=townships, categories=CATEGORIES, travel_matrix=kw.get("travel_matrix"))
    assert problems.empty, problems.to_string()
    ids = sorted([*plan.stops["visit_id"], *plan.unassigned["visit_id"]])
    assert ids == sorted(visits["visit_id"])  # every visit once: routed or unassigned
    return plan


def test_a_street_vendor_open_too_late_is_its_window_not_the_lab():
    visits, est, stations, labs, townships, calendar = _world(n=3)
    est.loc[0, ["business_type", "opening_hours"]] = ["C-VENDOR", "16:00-21:00"]  # window 16:00-17:00
    visits.loc[0, "business_type"] = "C-VENDOR"
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar)
    reasons = plan.unassigned.set_index("visit_id")["reason"].to_dict()
    assert reasons == {"V000": "window_too_late"}  # 3 km from the lab: a start on arrival would make it
    # open from 14:00 it is routed: the window was the cause
    est.loc[0, "opening_hours"] = "14:00-21:00"
    assert _plan_and_check(visits, est, stations, labs, townships, calendar).unassigned.empty
    # a lab that closes before the team can reach it from the station: the lab is the cause
    early = labs.assign(intake_cutoff="08:45")
    plan = _plan_and_check(visits, est, stations, early, townships, calendar)
    assert set(plan.unassigned["reason"]) == {"lab_deadline"} and len(plan.unassigned) == 3


def test_a_visit_that_fits_alone_but_not_with_the_others_is_day_full():
    visits, est, stations, labs, townships, calendar = _world(n=14)
    visits = visits.assign(perishable=False, samples=3)  # 75 min each: about 5 a day for one team
    one_day = calendar.iloc[:1]
    plan = _plan_and_check(visits, est, stations, labs, townships, one_day)
    assert len(plan.stops) > 0 and len(plan.unassigned) > 0
    assert set(plan.unassigned["reason"]) == {"day_full"}
    for vid in plan.unassigned["visit_id"]:  # each of them alone is routed on that day
        alone = _plan_and_check(visits[visits["visit_id"] == vid], est, stations, labs, townships, one_day)
        assert list(alone.stops["visit_id"]) == [vid]


def test_a_visit_its_station_cannot_reach_goes_to_the_nearest_station():
    visits, est, stations, labs, townships, calendar = _world(n=2, two_stations=True)
    visits = visits.assign(perishable=False)
    matrix = pd.DataFrame([("S1", "E001", 600.0, 30.0), ("E001", "S1", 600.0, 30.0)],
                          columns=["from_id", "to_id", "minutes", "km"])  # a river between them
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar, travel_matrix=matrix)
    assert plan.unassigned.empty
    stops = plan.stops.set_index("visit_id")
    assert stops.loc["V001", "station_id"] == "S2"
    assert bool(stops.loc["V001", "other_station"]) and not bool(stops.loc["V000", "other_station"])


def test_a_day_full_visit_is_offered_to_the_nearest_station_before_it_is_reported():
    visits, est, stations, labs, townships, calendar = _world(n=14, two_stations=True, s2_lon=120.62)
    visits = visits.assign(perishable=False, samples=3)
    one_day = calendar.iloc[:1]  # one team-day at S1 cannot take them all
    plan = _plan_and_check(visits, est, stations, labs, townships, one_day)
    by_station = plan.stops.groupby("station_id").size().to_dict()
    assert by_station.get("S1", 0) > 0 and by_station.get("S2", 0) > 0
    assert plan.stops.loc[plan.stops["station_id"] == "S2", "other_station"].all()
    assert set(plan.unassigned["reason"]) <= {"day_full"}
    assert plan.parameters["solver_calls"] > 2  # routed again after the offers


def test_an_establishment_without_coordinates_is_routed_at_its_township_centre_and_flagged():
    visits, est, stations, labs, townships, calendar = _world(n=3)
    est.loc[1, ["lon_wgs84", "lat_wgs84", "has_location"]] = [np.nan, np.nan, False]
    plan = _plan_and_check(visits, est, stations, labs, townships, calendar)
    assert plan.unassigned.empty
    stop = plan.stops.set_index("visit_id").loc["V001"]
    assert bool(stop["navigate_by_address"])
    assert (stop["lon_wgs84"], stop["lat_wgs84"]) == (120.61, 28.01)  # the township's centre
    assert not plan.stops.set_index("visit_id").loc[["V000", "V002"], "navigate_by_address"].any()
    # without a centre for its township it cannot be placed: reported, never silently dropped
    plan = _plan_and_check(visits, est, stations, labs, townships.drop(columns=["centroid_lon_wgs84",
                                                                                 "centroid_lat_wgs84"]), calendar)
    assert plan.unassigned.set_index("visit_id")["reason"].to_dict() == {"V001": "no_location"}


def test_overnight_hold_only_where_configured_and_delivered_at_the_next_intake():
    visits, est, stations, labs, townships, calendar = _world(n=3)
    morning = labs.assign(intake_open="08:00", intake_cutoff="09:00")  # no same-day delivery
    plan = _plan_and_check(visits, est, stations, morning, townships, calendar)
    assert set(plan.unassigned["reason"]) == {"lab_deadline"} and len(plan.unassigned) == 3
    held = dataclasses.replace(RULES, overnight_hold_hours={"C31": 24.0})
    plan = _plan_and_check(visits, est, stations, morning, townships, calendar, held)
    assert plan.unassigned.empty and plan.stops["held_overnight"].all()
    for r in plan.routes.itertuples():  # back at the station, the samples at the next working day's intake
        assert r.ends_at == "station" and r.held_samples == r.samples
        nxt = calendar["date"][calendar["date"] > pd.Timestamp(r.date)].min()
        assert pd.Timestamp(r.lab_date) == (nxt if pd.notna(nxt) else pd.Timestamp("2026-07-13"))
    # a hold shorter than the night, or for another category: not held
    for other in ({"C31": 12.0}, {"C05": 24.0}):
        rules = dataclasses.replace(RULES, overnight_hold_hours=other)
        plan = _plan_and_check(visits, est, stations, morning, townships, calendar, rules)
        assert len(plan.unassigned) == 3 and not len(plan.stops)


def test_perishable_reach_names_the_establishments_that_can_never_deliver():
    _, est, stations, labs, townships, _ = _world(n=4)
    est.loc[[0, 1], "business_type"] = "C-VENDOR"
    est.loc[0, "opening_hours"] = "16:00-21:00"
    est.loc[1, "opening_hours"] = "14:00-21:00"
    est.loc[2, "business_type"] = "E-ONLINE"
    est.loc[2, "opening_hours"] = "19:00-22:00"
    out = perishable_reach(est, stations, labs, CATEGORIES, RULES, townships, skip_types=["E-ONLINE"])
    assert list(out) == ["C31"]  # C01 keeps every establishment: it is not perishable
    assert out["C31"].tolist() == [True, False, False, False]
    held = dataclasses.replace(RULES, overnight_hold_hours={"C31": 24.0})
    assert perishable_reach(est, stations, labs, CATEGORIES, held, townships, skip_types=["E-ONLINE"]) == {}
    assert perishable_reach(est, stations, labs, None, RULES, townships) == {}


def test_the_selection_never_draws_a_sample_that_cannot_be_delivered():
    _, est, stations, labs, townships, _ = _world(n=4)
    never = {"C31": np.array([True, True, False, False])}
    schedule = pd.DataFrame({"township_code": ["T1", "T1"], "business_type": ["C-SMALL"] * 2,
                             "category_code": ["C31", "C01"], "month": [7, 7], "samples": [2, 4]})
    sel = select(schedule, est, None, 7, seed=0, year=2026, categories=CATEGORIES, stations=stations,
                 unreachable=never)
    s = sel.samples.set_index(["category_code", "establishment_id"])["samples"]
    assert sorted(s.loc["C31"].index) == ["E002", "E003"]  # the two that can deliver, whatever the seed
    assert s.loc["C01"].sum() == 4 and set(s.loc["C01"].index) == {"E000", "E001", "E002", "E003"}
    sel = select(schedule.assign(samples=[6, 4]), est, None, 7, seed=0, year=2026, categories=CATEGORIES,
                 stations=stations, unreachable=never)
    short = sel.shortfall.set_index("category_code")
    assert int(short.loc["C31", "missing"]) == 2 and int(short.loc["C31", "n_establishments"]) == 2


def test_the_supply_counts_no_sample_that_cannot_be_delivered():
    _, est, _, _, _, _ = _world(n=4)
    never = {"C31": np.array([True, True, False, False])}
    rules, sched = SelectionRules(), ScheduleRules()
    full = district_supply(est, None, 2026, rules, sched).strata.set_index("category_code")
    part = district_supply(est, None, 2026, rules, sched, unreachable=never)
    strata = part.strata.set_index("category_code")
    assert int(strata.loc["C31", "capacity"]) * 2 == int(full.loc["C31", "capacity"]) > 0
    assert int(strata.loc["C01", "capacity"]) == int(full.loc["C01", "capacity"])
    members = part.members[part.members["category_code"] == "C31"]
    assert members["pos"].tolist() == [2, 3]  # the flow cannot send C31 samples to E000, E001
