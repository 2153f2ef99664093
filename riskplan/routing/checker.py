"""Independent re-check of a :class:`~riskplan.routing.plan.RoutePlan`.

Nothing from the solver is trusted: travel times are recomputed from the coordinates (or the user
matrix) with exact, unrounded values; windows are recomputed from business types and opening hours;
each route is re-simulated stop by stop (arrival, waiting, service, working hours, shift length,
loads, the lab deadline of perishable samples, overnight holds); the day each sample reaches its
lab is recomputed from the calendar and the lab's working days, and every lab day is checked
against the lab's capacity; each team's field days are checked against the week limit and the gap;
every visit must appear exactly once, either in the stops or in the unassigned table, and be routed
by its own station or, flagged, by the station nearest to it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from riskplan.roles import resolve_section, role_tables
from riskplan.routing.network import hold_limits
from riskplan.routing.plan import RoutePlan, booked_loads
from riskplan.routing.prepare import (
    STATION_COLUMNS,
    area_types,
    lab_infos,
    later_working_days,
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


def _nearest_other(stations: pd.DataFrame, home: str, lon: float, lat: float, town: str,
                   areas: dict[str, str], rules: RoutingRules, matrix: pd.DataFrame | None,
                   est_id: str) -> str:
    """The station other than ``home`` with the shortest travel time to the point (lon, lat)."""
    best, best_t = "", np.inf
    for sid, slon, slat, codes in zip(stations["station_id"].astype(str), stations["lon_wgs84"],
                                      stations["lat_wgs84"], stations["township_codes"]):
        if sid == home:
            continue
        first = str(codes).split(";")[0].strip()
        _, mins = travel_matrices([sid, est_id], np.array([float(slon), lon]), np.array([float(slat), lat]),
                                  [areas.get(first, "urban"), areas.get(town, "urban")],
                                  rules.detour_factor, rules.speeds, matrix)
        if mins[0, 1] < best_t - 1e-9:
            best, best_t = sid, float(mins[0, 1])
    return best


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
    categories: pd.DataFrame | None = None,
    later_calendar: pd.DataFrame | None = None,
    lab_booked: pd.DataFrame | None = None,
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

    v = prepare_visits(visits, establishments, townships).set_index("visit_id", drop=False)
    hold = dict(zip(v.index, hold_limits(v, rules, categories)))
    # 1. accounting: every visit exactly once
    ids = list(plan.stops["visit_id"].astype(str)) + list(plan.unassigned["visit_id"].astype(str))
    counts = pd.Series(ids, dtype=object).value_counts()
    for vid in v.index:
        c = int(counts.get(vid, 0))
        if c != 1:
            bad("accounting", f"visit appears {c} times in stops + unassigned", vid=vid)
    for vid in set(counts.index) - set(v.index):
        bad("accounting", "unknown visit_id in the plan", vid=vid)
    routed_ok = v.loc[v.index.intersection(plan.stops["visit_id"].astype(str))]
    for vid in routed_ok.index[routed_ok["mode"] != "visit"]:
        bad("accounting", "purchase was routed", vid=vid)

    cal = working_days(calendar).set_index("date")
    work = list(cal.index) + later_working_days(working_days(calendar), later_calendar)
    require_columns(stations, STATION_COLUMNS, "stations")
    smap = station_of_township(stations)
    areas = area_types(townships)
    st_tab = stations.assign(station_id=stations["station_id"].astype(str)).set_index("station_id")
    labs_by_id = {lab.lab_id: lab for lab in lab_infos(labs, rules.lab_id)}
    day_start, day_end = parse_hhmm(rules.day_start), parse_hhmm(rules.day_end)
    early = parse_hhmm(rules.early_start)
    # the early start is a property of the station's day (a market visit that day)
    early_type = plan.stops["visit_id"].astype(str).map(v["business_type"]).isin(rules.early_start_types)
    early_days = set(
        zip(plan.stops.loc[early_type, "station_id"], pd.to_datetime(plan.stops.loc[early_type, "date"]))
    )
    lab_load: dict[tuple[str, pd.Timestamp], int] = defaultdict(int)
    routes_seen: set[tuple] = set()
    for (sid, date, team), g in plan.stops.groupby(["station_id", "date", "team"], sort=True):
        day_ts = pd.Timestamp(date)
        key = (sid, day_ts, int(team))
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
        if day_ts not in cal.index:
            bad("calendar", "route on a non-working day", sid, team, date)
            continue
        day = cal.loc[day_ts]
        vr = v.loc[g["visit_id"].astype(str)]
        for vid, tw, other in zip(vr.index, vr["township_code"], g["other_station"].astype(bool)):
            home = smap.get(str(tw), "")
            if home == sid and not other:
                continue
            near = _nearest_other(stations, home, float(vr.at[vid, "lon_wgs84"]), float(vr.at[vid, "lat_wgs84"]),
                                  str(tw), areas, rules, travel_matrix, str(vr.at[vid, "establishment_id"]))
            if not (other and near == sid):
                bad("station", f"visit of {home or 'no station'} routed by {sid} (nearest other station: "
                    f"{near or '-'})", sid, team, date, vid)
        rrow = plan.routes[
            (plan.routes["station_id"] == sid)
            & (pd.to_datetime(plan.routes["date"]) == day_ts)
            & (plan.routes["team"] == team)
        ]
        if len(rrow) != 1:
            bad("routes", f"{len(rrow)} route rows for this team-day", sid, team, date)
            continue
        rrow = rrow.iloc[0]
        to_lab = rrow["ends_at"] == "lab"
        lab = labs_by_id.get(str(rrow["lab_id"]))
        if lab is None:
            bad("lab", f"unknown lab {rrow['lab_id']!r}", sid, team, date)
            continue
        # the day the samples reach the lab, recomputed from the calendar and the lab's days
        if to_lab:
            expect = day_ts
            if not lab.takes(day_ts):
                bad("lab", f"route ends at {lab.lab_id}, which takes no samples on {day_ts.date()}", sid, team, date)
        else:
            expect = next((d for d in work if d > day_ts and lab.takes(d)), pd.NaT)
        if pd.Timestamp(rrow["lab_date"]) != expect:
            bad("lab_date", f"lab_date {pd.Timestamp(rrow['lab_date']).date()} but samples reach {lab.lab_id} "
                f"on {expect.date() if pd.notna(expect) else '-'}", sid, team, date)
        for vid, when in zip(g["visit_id"], pd.to_datetime(g["lab_date"])):
            if when != pd.Timestamp(rrow["lab_date"]):
                bad("lab_date", "stop's lab_date differs from its route's", sid, team, date, str(vid))
        first_town = str(srow["township_codes"]).split(";")[0].strip()
        pts_id = [sid] + vr["establishment_id"].tolist() + [lab.lab_id if to_lab else sid]
        end_lon, end_lat = (lab.lon, lab.lat) if to_lab else (float(srow["lon_wgs84"]), float(srow["lat_wgs84"]))
        lon = np.r_[float(srow["lon_wgs84"]), vr["lon_wgs84"].to_numpy(float), end_lon]
        lat = np.r_[float(srow["lat_wgs84"]), vr["lat_wgs84"].to_numpy(float), end_lat]
        at = [areas.get(first_town, "urban")] + [areas.get(str(t), "urban") for t in vr["township_code"]]
        at.append("urban" if to_lab else areas.get(first_town, "urban"))
        _, mins = travel_matrices(pts_id, lon, lat, at, rules.detour_factor, rules.speeds, travel_matrix)
        has_early = (sid, day_ts) in early_days
        lb = early if (bool(day["market_day"]) or has_early) else day_start
        t = float(rrow["start"])
        if t < lb - EPS:
            bad("hours", f"route starts at {t:.0f} before {lb}", sid, team, date)
        samples = perish = 0
        for k, (vid, rec) in enumerate(vr.iterrows(), start=1):
            srec = g.iloc[k - 1]
            arrive = t + mins[k - 1, k]
            start, end = float(srec["start_service"]), float(srec["end_service"])
            own = pd.to_numeric(rec.get("service_minutes", 0), errors="coerce")
            service = int(own) if pd.notna(own) and own > 0 else rules.service_minutes(int(rec["samples"]))
            if start < arrive - EPS:
                bad("time", f"service starts {start:.0f} before arrival {arrive:.2f}", sid, team, date, vid)
            if abs(end - start - service) > EPS:
                bad("service", f"service lasts {end - start:.0f} min, expected {service}", sid, team, date, vid)
            wins = visit_windows(str(rec["business_type"]), rec["opening_hours"], rules.windows)
            if not any(a - EPS <= start and start + service <= b + EPS for a, b in wins):
                bad("window", f"service {start:.0f}-{start + service:.0f} outside windows {wins}", sid, team, date, vid)
            if rec["business_type"] in rules.school_day_types and not bool(day["school_day"]):
                bad("school_day", "school canteen visited on a non-school day", sid, team, date, vid)
            allowed = rec.get("allowed_dates", "")
            if isinstance(allowed, str) and allowed and day_ts.date().isoformat() not in allowed.split(";"):
                bad("campaign_window", f"visited on {day_ts.date()}, outside its allowed days",
                    sid, team, date, vid)
            samples += int(rec["samples"])
            perish += int(rec["samples"]) if bool(rec["perishable"]) else 0
            held = bool(srec["held_overnight"])
            if held:
                limit = float(hold.get(vid, 0.0))
                hours = ((expect + pd.Timedelta(minutes=lab.open)) - (day_ts + pd.Timedelta(minutes=end))
                         ) / pd.Timedelta(hours=1) if pd.notna(expect) else np.inf
                if not bool(rec["perishable"]) or to_lab or limit <= 0 or hours > limit + 1e-9:
                    bad("hold", f"held overnight {hours:.1f} h (allowed {limit:g} h, route ends at "
                        f"{rrow['ends_at']})", sid, team, date, vid)
            elif bool(rec["perishable"]) and not to_lab:
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
        if to_lab and back > lab.cutoff + EPS:
            bad("lab", f"lab reached at {back:.2f} after the cut-off {lab.cutoff}", sid, team, date)
        if samples > rules.max_samples_per_team_day:
            bad("capacity", f"{samples} samples > {rules.max_samples_per_team_day}", sid, team, date)
        if perish > rules.cold_box_samples:
            bad("capacity", f"{perish} perishable samples > cold box {rules.cold_box_samples}", sid, team, date)
        if int(rrow["n_stops"]) != len(vr):
            bad("routes", "n_stops does not match the stops", sid, team, date)
        if pd.notna(expect):
            lab_load[(lab.lab_id, pd.Timestamp(expect))] += samples
    for r in plan.routes.itertuples(index=False):
        if (r.station_id, pd.Timestamp(r.date), int(r.team)) not in routes_seen:
            bad("routes", "route without stops", r.station_id, r.team, r.date)
    # 3. every lab day within the lab's capacity
    booked = booked_loads(lab_booked)
    for (lab_id, when) in sorted(set(lab_load) | set(booked)):
        cap = labs_by_id[lab_id].capacity if lab_id in labs_by_id else None
        total = lab_load.get((lab_id, when), 0) + booked.get((lab_id, when), 0)
        if cap is not None and total > cap:
            bad("lab_capacity", f"{total} samples reach {lab_id} on {when.date()} (capacity {cap}, "
                f"{booked.get((lab_id, when), 0)} booked before)", date=when)
    # 4. each team's field days: the week limit and the gap
    pos = {d: k for k, d in enumerate(cal.index)}
    team_days = plan.routes.assign(_d=pd.to_datetime(plan.routes["date"]))
    for (sid, team), g in team_days.groupby(["station_id", "team"]):
        ds = sorted(set(g["_d"]))
        weeks = pd.Series([tuple(d.isocalendar())[:2] for d in ds]).value_counts()
        for w, n in weeks.items():
            if n > rules.field_days_per_week:
                bad("spread", f"{n} field days in week {w[1]} > {rules.field_days_per_week}", sid, team)
        for a, b in zip(ds[:-1], ds[1:]):
            if a in pos and b in pos and pos[b] - pos[a] < rules.min_gap_days:
                bad("spread", f"field days {a.date()} and {b.date()} closer than {rules.min_gap_days} "
                    "working days", sid, team, b)
    return pd.DataFrame(out, columns=VIOLATION_COLUMNS)
