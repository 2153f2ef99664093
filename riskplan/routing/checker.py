"""Independent re-check of a :class:`~riskplan.routing.plan.RoutePlan`.

Nothing from the solver is trusted: travel times are recomputed from the coordinates (or the user
matrix) with exact, unrounded values; windows are recomputed from business types and opening hours;
each route is re-simulated stop by stop (arrival, waiting, service, working hours, shift length,
loads, the lab deadline of perishable samples); and every visit must appear exactly once, either in
the stops or in the unassigned table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskplan.roles import resolve_section, role_tables
from riskplan.routing.plan import RoutePlan
from riskplan.routing.prepare import (
    STATION_COLUMNS,
    area_types,
    choose_lab,
    prepare_visits,
    require_columns,
    working_days,
)
from riskplan.routing.travel import read_travel_matrix, travel_matrices
from riskplan.routing.windows import visit_windows
from riskplan.settings.routing import RoutingRules
from riskplan.tables import station_of_township
from riskplan.timeofday import parse_hhmm

VIOLATION_COLUMNS = ["check", "station_id", "team", "date", "visit_id", "message"]
EPS = 1e-6  # [min]


def check_plan(
    plan: RoutePlan,
    visits: pd.DataFrame,
    stations: pd.DataFrame,
    labs: pd.DataFrame,
    calendar: pd.DataFrame,
    rules: RoutingRules | None = None,
    establishments: pd.DataFrame | None = None,
    townships: pd.DataFrame | None = None,
    travel_matrix: pd.DataFrame | str | None = None,
    business_types: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Re-simulate every route of ``plan`` and list what is wrong.

    Parameters are those given to :func:`~riskplan.routing.plan.plan_routes` (with
    ``business_types`` the rules may name roles).

    Returns
    -------
    One row per violation (``check, station_id, team, date, visit_id, message``); empty when the
    plan is fine.
    """
    rules = rules or RoutingRules()
    if business_types is not None:  # rules may name roles: the table says which types have them
        rules = resolve_section("routing", rules, role_tables(business_types))
    if isinstance(travel_matrix, str):
        travel_matrix = read_travel_matrix(travel_matrix)
    out: list[dict[str, Any]] = []

    def bad(check: str, message: str, sid: str = "", team: object = "", date: object = "", vid: str = "") -> None:
        out.append({"check": check, "station_id": sid, "team": team, "date": date, "visit_id": vid, "message": message})

    v = prepare_visits(visits, establishments).set_index("visit_id", drop=False)
    # 1. accounting: every visit exactly once
    ids = list(plan.stops["visit_id"].astype(str)) + list(plan.unassigned["visit_id"].astype(str))
    counts = pd.Series(ids, dtype=object).value_counts()
    for vid in v.index:
        c = int(counts.get(vid, 0))
        if c != 1:
            bad("accounting", f"visit appears {c} times in stops + unassigned", vid=vid)
    for vid in set(counts.index) - set(v.index):
        bad("accounting", "unknown visit_id in the plan", vid=vid)
    if len(plan.unassigned):
        routed_ok = v.loc[v.index.intersection(plan.stops["visit_id"].astype(str))]
        for vid in routed_ok.index[(routed_ok["mode"] != "visit") | ~routed_ok["has_location"]]:
            bad("accounting", "purchase or unlocated visit was routed", vid=vid)

    cal = working_days(calendar).set_index("date")
    require_columns(stations, STATION_COLUMNS, "stations")
    smap = station_of_township(stations)
    areas = area_types(townships)
    st_tab = stations.assign(station_id=stations["station_id"].astype(str)).set_index("station_id")
    day_start, day_end = parse_hhmm(rules.day_start), parse_hhmm(rules.day_end)
    early = parse_hhmm(rules.early_start)
    # the early start is a property of the station's day (a market visit that day), as in
    # RoutingRules.early_start: every team of that station may start early that day
    early_type = plan.stops["visit_id"].astype(str).map(v["business_type"]).isin(rules.early_start_types)
    early_days = set(
        zip(plan.stops.loc[early_type, "station_id"], pd.to_datetime(plan.stops.loc[early_type, "date"]))
    )
    routes_seen: set[tuple] = set()
    for (sid, date, team), g in plan.stops.groupby(["station_id", "date", "team"], sort=True):
        key = (sid, pd.Timestamp(date), int(team))
        routes_seen.add(key)
        g = g.sort_values("stop_order")
        if list(g["stop_order"]) != list(range(1, len(g) + 1)):
            bad("order", "stop_order is not 1..n", sid, team, date)
        if sid not in st_tab.index:
            bad("station", "unknown station", sid, team, date)
            continue
        srow = st_tab.loc[sid]
        if not (1 <= int(team) <= int(srow["teams"])):
            bad("team", f"team {team} outside 1..{int(srow['teams'])}", sid, team, date)
        if pd.Timestamp(date) not in cal.index:
            bad("calendar", "route on a non-working day", sid, team, date)
            continue
        day = cal.loc[pd.Timestamp(date)]
        vr = v.loc[g["visit_id"].astype(str)]
        for vid, tw in zip(vr.index, vr["township_code"]):
            if smap.get(str(tw)) != sid:
                bad("station", "visit routed by a station not covering its township", sid, team, date, vid)
        lab = choose_lab(labs, float(srow["lon_wgs84"]), float(srow["lat_wgs84"]), rules.lab_id)
        rrow = plan.routes[
            (plan.routes["station_id"] == sid)
            & (pd.to_datetime(plan.routes["date"]) == pd.Timestamp(date))
            & (plan.routes["team"] == team)
        ]
        if len(rrow) != 1:
            bad("routes", f"{len(rrow)} route rows for this team-day", sid, team, date)
            continue
        rrow = rrow.iloc[0]
        to_lab = rrow["ends_at"] == "lab"
        first_town = str(srow["township_codes"]).split(";")[0].strip()
        pts_id = [sid] + vr["establishment_id"].tolist() + [str(lab["lab_id"]) if to_lab else sid]
        end = lab if to_lab else srow
        lon = np.r_[float(srow["lon_wgs84"]), vr["lon_wgs84"].to_numpy(float), float(end["lon_wgs84"])]
        lat = np.r_[float(srow["lat_wgs84"]), vr["lat_wgs84"].to_numpy(float), float(end["lat_wgs84"])]
        at = [areas.get(first_town, "urban")] + [areas.get(str(t), "urban") for t in vr["township_code"]]
        at.append("urban" if to_lab else areas.get(first_town, "urban"))
        _, mins = travel_matrices(pts_id, lon, lat, at, rules.detour_factor, rules.speeds, travel_matrix)
        has_early = (sid, pd.Timestamp(date)) in early_days
        lb = early if (bool(day["market_day"]) or has_early) else day_start
        t = float(rrow["start"])
        if t < lb - EPS:
            bad("hours", f"route starts at {t:.0f} before {lb}", sid, team, date)
        samples = perish = 0
        for k, (vid, rec) in enumerate(vr.iterrows(), start=1):
            srec = g.iloc[k - 1]
            arrive = t + mins[k - 1, k]
            start, end = float(srec["start_service"]), float(srec["end_service"])
            service = rules.service_minutes(int(rec["samples"]))
            if start < arrive - EPS:
                bad("time", f"service starts {start:.0f} before arrival {arrive:.2f}", sid, team, date, vid)
            if abs(end - start - service) > EPS:
                bad("service", f"service lasts {end - start:.0f} min, expected {service}", sid, team, date, vid)
            wins = visit_windows(str(rec["business_type"]), rec["opening_hours"], rules.windows)
            if not any(a - EPS <= start and start + service <= b + EPS for a, b in wins):
                bad("window", f"service {start:.0f}-{start + service:.0f} outside windows {wins}", sid, team, date, vid)
            if rec["business_type"] in rules.school_day_types and not bool(day["school_day"]):
                bad("school_day", "school canteen visited on a non-school day", sid, team, date, vid)
            samples += int(rec["samples"])
            perish += int(rec["samples"]) if bool(rec["perishable"]) else 0
            if bool(rec["perishable"]) and not to_lab:
                bad("lab", "perishable samples on a route that does not end at the lab", sid, team, date, vid)
            t = start + service
        back = t + mins[len(vr), len(vr) + 1]
        end = float(rrow["end"])
        if end < back - EPS:
            bad("time", f"route ends {end:.0f} before getting back {back:.2f}", sid, team, date)
        if end > day_end + EPS:
            bad("hours", f"route ends {end:.0f} after {day_end}", sid, team, date)
        if end - float(rrow["start"]) > rules.max_shift_minutes + EPS:
            bad("hours", f"shift of {end - float(rrow['start']):.0f} min", sid, team, date)
        if to_lab and back > parse_hhmm(str(lab["intake_cutoff"])) + EPS:
            bad("lab", f"lab reached at {back:.2f} after the cut-off {lab['intake_cutoff']}", sid, team, date)
        if samples > rules.max_samples_per_team_day:
            bad("capacity", f"{samples} samples > {rules.max_samples_per_team_day}", sid, team, date)
        if perish > rules.cold_box_samples:
            bad("capacity", f"{perish} perishable samples > cold box {rules.cold_box_samples}", sid, team, date)
        if int(rrow["n_stops"]) != len(vr):
            bad("routes", "n_stops does not match the stops", sid, team, date)
    for r in plan.routes.itertuples(index=False):
        if (r.station_id, pd.Timestamp(r.date), int(r.team)) not in routes_seen:
            bad("routes", "route without stops", r.station_id, r.team, r.date)
    return pd.DataFrame(out, columns=VIOLATION_COLUMNS)
