"""Monthly inspection routes: :func:`plan_routes` and the :class:`RoutePlan` it returns.

For each station, the month's visits (``mode == "visit"`` with a location) are spread over the
working days (:mod:`riskplan.routing.assign`), then every day is one OR-Tools model whose vehicles
are the station's teams (:mod:`riskplan.routing.model`). A team carrying perishable samples ends its
route at the lab before the intake cut-off; the others return to the station. Visits a day cannot
take are offered to other days, and whatever remains is reported in ``RoutePlan.unassigned`` with a
reason; nothing is lost silently.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from riskplan.errors import RiskplanError
from riskplan.routing import assign
from riskplan.routing.model import RoutingProblem, RoutingSolution, SearchBudget, solve
from riskplan.routing.travel import read_travel_matrix, travel_matrices
from riskplan.routing.windows import intersect, start_windows, visit_windows
from riskplan.settings.routing import RoutingRules
from riskplan.tables import as_bool
from riskplan.tables import station_of_township as _station_of_township
from riskplan.timeofday import Window, format_hhmm, parse_hhmm

REASONS: dict[str, str] = {
    "purchase": "sampled by online purchase, no visit / 网购抽样，无需上门",
    "no_location": "establishment has no coordinates / 无坐标",
    "no_station": "township not covered by any station / 所属街镇无监管所",
    "no_school_day": "school canteen in a month without school days / 本月无上课日",
    "window_outside_hours": "visit windows never meet the team's working hours / 可抽样时段不在工作时间内",
    "too_far": "cannot be reached and returned from within a working day / 一天内无法往返",
    "lab_deadline": "perishable samples cannot reach the lab before its cut-off / 易腐样品无法按时送检",
    "day_full": "no working day of the month had room / 本月工作日已排满",
}
"""Reasons a visit is not routed (code -> English / Chinese explanation)."""

STOP_COLUMNS = [
    "station_id", "team", "date", "stop_order", "visit_id", "establishment_id", "name", "business_type",
    "township_code", "lon_wgs84", "lat_wgs84", "arrival", "start_service", "end_service", "window",
    "lab_deadline", "perishable", "samples", "km_from_previous", "minutes_from_previous",
]
ROUTE_COLUMNS = [
    "station_id", "team", "date", "n_stops", "samples", "perishable_samples", "km", "travel_minutes",
    "start", "end", "minutes", "ends_at", "lab_id", "lab_arrival",
]
UNASSIGNED_COLUMNS = ["visit_id", "establishment_id", "station_id", "reason", "detail"]


@dataclasses.dataclass
class RoutePlan:
    """The month's routes.

    Attributes
    ----------
    stops
        One row per routed visit: ``station_id, team (int, 1-based), date, stop_order (1-based),
        visit_id, establishment_id, name, business_type, township_code, lon_wgs84, lat_wgs84,
        arrival, start_service, end_service`` [min after midnight], ``window`` (the visit's windows
        ``HH:MM-HH:MM;...``), ``lab_deadline`` (``HH:MM`` when the route carries perishables, else
        empty), ``perishable``, ``samples``, ``km_from_previous`` [km], ``minutes_from_previous`` [min].
    routes
        One row per station, team and day with at least one stop: ``n_stops, samples,
        perishable_samples, km, travel_minutes, start, end, minutes`` (end - start) [min],
        ``ends_at`` (``station`` or ``lab``), ``lab_id``, ``lab_arrival`` [min] (NaN at a station).
    unassigned
        ``visit_id, establishment_id, station_id, reason, detail``; reasons in :data:`REASONS`.
    reproducible
        False when a wall-clock time limit was used.
    parameters
        Settings, seed, time limit, solver calls and seconds.
    """

    stops: pd.DataFrame
    routes: pd.DataFrame
    unassigned: pd.DataFrame
    reproducible: bool
    parameters: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """Counts: visits routed, unassigned by reason, routes, km."""
        return {
            "routed": int(len(self.stops)),
            "unassigned": int(len(self.unassigned)),
            "by_reason": self.unassigned["reason"].value_counts().to_dict(),
            "routes": int(len(self.routes)),
            "km": float(self.routes["km"].sum()) if len(self.routes) else 0.0,
        }


# ----------------------------------------------------------------------------- input preparation

_VISIT_REQUIRED = ("visit_id", "establishment_id", "business_type", "samples", "perishable", "mode")


def _require(df: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise RiskplanError(f"{what} table lacks column(s): {', '.join(missing)}")


def prepare_visits(visits: pd.DataFrame, establishments: pd.DataFrame | None) -> pd.DataFrame:
    """Visits with the establishment columns routing needs (coordinates, opening hours, township)."""
    _require(visits, _VISIT_REQUIRED, "visits")
    v = visits.copy()
    need = ["lon_wgs84", "lat_wgs84", "opening_hours", "township_code", "name"]
    if establishments is not None:
        _require(establishments, ("establishment_id",), "establishments")
        est = establishments.drop_duplicates("establishment_id").set_index("establishment_id")
        for c in need + ["has_location"]:
            if c in est.columns and (c not in v.columns or v[c].isna().all()):
                v[c] = v["establishment_id"].map(est[c])
    for c in need:
        if c not in v.columns:
            if c in ("lon_wgs84", "lat_wgs84", "township_code"):
                raise RiskplanError(f"visits lack '{c}': pass establishments= to plan_routes")
            v[c] = "" if c != "lon_wgs84" else np.nan
    v["visit_id"] = v["visit_id"].astype(str)
    v["establishment_id"] = v["establishment_id"].astype(str)
    v["township_code"] = v["township_code"].astype(str)
    v["lon_wgs84"] = pd.to_numeric(v["lon_wgs84"], errors="coerce")
    v["lat_wgs84"] = pd.to_numeric(v["lat_wgs84"], errors="coerce")
    located = v["lon_wgs84"].notna() & v["lat_wgs84"].notna()
    v["has_location"] = (as_bool(v["has_location"]) & located) if "has_location" in v.columns else located
    v["perishable"] = as_bool(v["perishable"])
    v["samples"] = pd.to_numeric(v["samples"], errors="coerce").fillna(1).astype(int)
    v["opening_hours"] = v["opening_hours"].fillna("").astype(str)
    v["name"] = v["name"].fillna("").astype(str)
    dup = v["visit_id"].duplicated()
    if dup.any():
        raise RiskplanError(f"duplicate visit_id: {', '.join(v.loc[dup, 'visit_id'].head(5))}")
    return v.reset_index(drop=True)


def station_of_township(stations: pd.DataFrame) -> dict[str, str]:
    """Township code -> station_id, from ``stations.township_codes`` (``;`` lists)."""
    _require(stations, ("station_id", "township_codes", "lon_wgs84", "lat_wgs84", "teams"), "stations")
    return _station_of_township(stations)


def working_days(calendar: pd.DataFrame) -> pd.DataFrame:
    """The calendar's working days with ``date, school_day, market_day`` (missing flags: False)."""
    _require(calendar, ("date", "workday"), "calendar")
    cal = calendar.copy()
    cal["date"] = pd.to_datetime(cal["date"])
    for c in ("school_day", "market_day"):
        cal[c] = as_bool(cal[c]) if c in cal.columns else False
    cal = cal[as_bool(cal["workday"])].sort_values("date").reset_index(drop=True)
    return cal[["date", "school_day", "market_day"]]


def choose_lab(labs: pd.DataFrame, lon: float, lat: float, lab_id: str = "") -> pd.Series:
    """The lab named ``lab_id``, or the one nearest to (lon, lat)."""
    _require(labs, ("lab_id", "lon_wgs84", "lat_wgs84", "intake_cutoff"), "labs")
    if len(labs) == 0:
        raise RiskplanError("labs table is empty")
    if lab_id:
        hit = labs[labs["lab_id"].astype(str) == lab_id]
        if hit.empty:
            raise RiskplanError(f"routing.lab_id {lab_id!r} is not in the labs table")
        return hit.iloc[0]
    d = (labs["lon_wgs84"].astype(float) - lon) ** 2 + (labs["lat_wgs84"].astype(float) - lat) ** 2
    return labs.iloc[int(np.argmin(d.to_numpy()))]


def area_types(townships: pd.DataFrame | None) -> dict[str, str]:
    """Township code -> area type (empty when no townships table is given: everything urban)."""
    if townships is None or "area_type" not in getattr(townships, "columns", []):
        return {}
    return dict(zip(townships["township_code"].astype(str), townships["area_type"].astype(str)))


# ----------------------------------------------------------------------------- one station-day


@dataclasses.dataclass
class _Station:
    sid: str
    teams: int
    lon: float
    lat: float
    lab: pd.Series
    lab_open: int
    lab_cutoff: int
    visits: pd.DataFrame  # routable visits of this station, local index 0..m-1
    km: np.ndarray  # (m+2, m+2): node 0 station, 1 lab, 2.. visits
    minutes: np.ndarray
    service: np.ndarray
    windows: list[list[Window]]
    early: np.ndarray
    school: np.ndarray


def _day_bounds(rules: RoutingRules, market_day: bool, has_early: bool) -> tuple[int, int]:
    lb = parse_hhmm(rules.early_start) if (market_day or has_early) else parse_hhmm(rules.day_start)
    return lb, parse_hhmm(rules.day_end)


def _single_visit_ok(st: _Station, v: int, lb: int, ub: int, rules: RoutingRules) -> str | None:
    """Reason a visit alone cannot be done on a day with hours [lb, ub] (None: it can)."""
    node = v + 2
    t_in = math.ceil(st.minutes[0, node])
    sw = start_windows(intersect(st.windows[v], [(lb, ub)]), int(st.service[v]))
    if not sw:
        return "window_outside_hours"
    arrive = lb + t_in
    start = next((max(a, arrive) for a, b in sw if b >= arrive), None)
    if start is None:
        return "too_far"
    end = start + int(st.service[v])
    if bool(st.visits["perishable"].iat[v]):
        back = end + math.ceil(st.minutes[node, 1])
        back = max(back, st.lab_open)
        if back > min(ub, st.lab_cutoff):
            return "lab_deadline"
    else:
        back = end + math.ceil(st.minutes[node, 0])
        if back > ub:
            return "too_far"
    if back - (start - t_in) > rules.max_shift_minutes:
        return "too_far"
    return None


def _solve_day(
    st: _Station,
    members: list[int],
    day: pd.Series,
    rules: RoutingRules,
    budget: SearchBudget,
    placed: set[int],
) -> tuple[RoutingSolution | None, list[int], list[int], tuple[int, int]]:
    """Route the visits ``members`` (local indices) on one day; return solution, node->visit, dropped."""
    has_early = bool(st.early[members].any()) if members else False
    lb, ub = _day_bounds(rules, bool(day["market_day"]), has_early)
    usable: list[int] = []
    dropped: list[int] = []
    wins: list[list[Window]] = []
    for v in members:
        sw = start_windows(intersect(st.windows[v], [(lb, ub)]), int(st.service[v]))
        if not sw or (st.school[v] and not bool(day["school_day"])):
            dropped.append(v)
        else:
            usable.append(v)
            wins.append(sw)
    if not usable:
        return None, [], dropped, (lb, ub)
    perish = st.visits["perishable"].to_numpy(bool)
    any_perishable = bool(perish[usable].any())
    # node 0 the station, node 1 the lab (only when some visit is perishable), then the visits
    head = [0, 1] if any_perishable else [0]
    off = len(head)
    nodes = head + [v + 2 for v in usable]
    minutes = st.minutes[np.ix_(nodes, nodes)]
    service = np.array([0] * off + [int(st.service[v]) for v in usable])
    t_int = np.ceil(minutes - 1e-9).astype(np.int64) + service[:, None]
    np.fill_diagonal(t_int, 0)
    cost = np.rint(minutes * 60).astype(np.int64)  # travel seconds
    n_veh_per_team = 2 if any_perishable else 1
    starts, ends, sw_v, ew_v, pairs = [], [], [], [], []
    lab_end = (st.lab_open, min(ub, st.lab_cutoff))
    for t in range(st.teams):
        base = len(starts)
        starts.append(0)
        ends.append(0)
        sw_v.append((lb, ub))
        ew_v.append((lb, ub))
        if any_perishable:
            starts.append(0)
            ends.append(1)
            sw_v.append((lb, ub))
            ew_v.append(lab_end)
            pairs.append((base, base + 1))
    lab_vehicles = [i for i, e in enumerate(ends) if e == 1]
    samples = [0] * off + [int(st.visits["samples"].iat[v]) for v in usable]
    cold = [0] * off + [int(st.visits["samples"].iat[v]) if perish[v] else 0 for v in usable]
    nv = len(starts)
    problem = RoutingProblem(
        cost=cost,
        time=t_int,
        windows=[[]] * off + wins,
        horizon=24 * 60,
        starts=starts,
        ends=ends,
        vehicle_start_window=sw_v,
        vehicle_end_window=ew_v,
        loads={
            "samples": (samples, [rules.max_samples_per_team_day] * nv),
            "cold": (cold, [rules.cold_box_samples] * nv),
        },
        penalty=[None] * off
        + [rules.drop_penalty * (2 if v in placed else 1) for v in usable],
        allowed_vehicles=[None] * off + [lab_vehicles if perish[v] else None for v in usable],
        exclusive_pairs=pairs,
        max_span=[rules.max_shift_minutes] * nv,
    )
    if len(usable) <= 2 and budget.time_limit is None:
        # nothing for a metaheuristic to improve on: a descent ends by itself
        budget = dataclasses.replace(budget, metaheuristic="GREEDY_DESCENT")
    sol = solve(problem, budget)
    if sol is None:  # cannot happen with every visit optional, kept for safety
        return None, usable, dropped + usable, (lb, ub)
    dropped += [usable[n - off] for n in sol.dropped if n >= off]
    # keep the vehicle -> team mapping with the solution
    sol.team_of_vehicle = [i // n_veh_per_team + 1 for i in range(nv)]  # type: ignore[attr-defined]
    sol.ends_of_vehicle = ends  # type: ignore[attr-defined]
    sol.visit_of_node = {k + off: v for k, v in enumerate(usable)}  # type: ignore[attr-defined]
    return sol, usable, dropped, (lb, ub)


# ----------------------------------------------------------------------------- the month


def plan_routes(
    visits: pd.DataFrame,
    stations: pd.DataFrame,
    labs: pd.DataFrame,
    calendar: pd.DataFrame,
    rules: RoutingRules | None = None,
    establishments: pd.DataFrame | None = None,
    townships: pd.DataFrame | None = None,
    travel_matrix: pd.DataFrame | str | Path | None = None,
    seed: int = 0,
    time_limit: float | None = None,
    progress: bool = True,
) -> RoutePlan:
    """Plan a month's inspection routes for every station, team and working day.

    Parameters
    ----------
    visits
        The month's visits (``riskplan.selection.select``): ``visit_id, establishment_id,
        business_type, samples, perishable, mode`` and, unless ``establishments`` is given,
        ``township_code, lon_wgs84, lat_wgs84, opening_hours``.
    stations
        ``station_id, township_codes, lon_wgs84, lat_wgs84, teams``.
    labs
        ``lab_id, lon_wgs84, lat_wgs84, intake_cutoff`` (and ``intake_open``).
    calendar
        The month's days: ``date, workday`` and optionally ``school_day, market_day``
        (``riskplan.calendar.work_calendar``).
    rules
        Routing settings (default :class:`RoutingRules`).
    establishments
        Establishments table to take coordinates, opening hours and township from.
    townships
        Townships with ``area_type`` (sets travel speeds); None: every place is ``urban``.
    travel_matrix
        A user travel-time matrix (path to a CSV or the table of
        :func:`riskplan.routing.travel.read_travel_matrix`) overriding estimated times.
    seed
        Recorded for reproducibility; the search itself is deterministic.
    time_limit
        Wall-clock limit per day model [s]; when given the plan is marked not reproducible and the
        solution limit is lifted.
    progress
        Show a progress bar over stations and days (tqdm; ``TQDM_DISABLE=1`` silences it).

    Returns
    -------
    RoutePlan
    """
    t0 = time.perf_counter()
    rules = rules or RoutingRules()
    if isinstance(travel_matrix, (str, Path)):
        travel_matrix = read_travel_matrix(travel_matrix)
    v = prepare_visits(visits, establishments)
    station_map = station_of_township(stations)
    cal = working_days(calendar)
    areas = area_types(townships)
    budget = SearchBudget(
        first_solution=tuple(rules.first_solution),
        solution_limit=None if time_limit is not None else rules.solution_limit,
        time_limit=time_limit,
    )
    unassigned: list[dict[str, Any]] = []

    def report(row: pd.Series, sid: str, reason: str, detail: str = "") -> None:
        unassigned.append(
            {
                "visit_id": row["visit_id"],
                "establishment_id": row["establishment_id"],
                "station_id": sid,
                "reason": reason,
                "detail": detail or REASONS[reason],
            }
        )

    v["station_id"] = v["township_code"].map(station_map).fillna("")
    routable = np.zeros(len(v), dtype=bool)
    for i, row in v.iterrows():
        if str(row["mode"]) != "visit":
            report(row, row["station_id"], "purchase")
        elif not row["has_location"]:
            report(row, row["station_id"], "no_location")
        elif not row["station_id"]:
            report(row, "", "no_station", f"township {row['township_code']} is in no station's township_codes")
        else:
            routable[i] = True

    stops_rows: list[dict[str, Any]] = []
    route_rows: list[dict[str, Any]] = []
    n_calls = 0
    st_tab = stations.copy()
    st_tab["station_id"] = st_tab["station_id"].astype(str)
    total_steps = int(st_tab["station_id"].isin(v.loc[routable, "station_id"]).sum()) * max(len(cal), 1)
    quiet = os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false")
    bar = tqdm(total=total_steps, desc="routes", unit="day", disable=True if (quiet or not progress) else None,
               leave=False)
    for srow in st_tab.itertuples(index=False):
        sid = str(srow.station_id)
        sv = v[routable & (v["station_id"] == sid)].reset_index(drop=True)
        if sv.empty:
            continue
        teams = int(srow.teams)
        if teams < 1:
            raise RiskplanError(f"station {sid} has no team (teams = {teams})")
        slon, slat = float(srow.lon_wgs84), float(srow.lat_wgs84)
        lab = choose_lab(labs, slon, slat, rules.lab_id)
        first_town = str(srow.township_codes).split(";")[0].strip()
        ids = [sid, str(lab["lab_id"])] + sv["establishment_id"].tolist()
        lon = np.r_[slon, float(lab["lon_wgs84"]), sv["lon_wgs84"].to_numpy(float)]
        lat = np.r_[slat, float(lab["lat_wgs84"]), sv["lat_wgs84"].to_numpy(float)]
        at = [areas.get(first_town, "urban"), "urban"] + [areas.get(t, "urban") for t in sv["township_code"]]
        km, minutes = travel_matrices(ids, lon, lat, at, rules.detour_factor, rules.speeds, travel_matrix)
        service = np.array([rules.service_minutes(s) for s in sv["samples"]], dtype=int)
        wins = [
            visit_windows(bt, oh, rules.windows)
            for bt, oh in zip(sv["business_type"].astype(str), sv["opening_hours"])
        ]
        lab_open = parse_hhmm(str(lab["intake_open"])) if "intake_open" in lab.index and str(lab["intake_open"]) not in ("", "nan") else 0
        st = _Station(
            sid, teams, slon, slat, lab, lab_open, parse_hhmm(str(lab["intake_cutoff"])), sv, km, minutes, service,
            wins,
            sv["business_type"].isin(rules.early_start_types).to_numpy(),
            sv["business_type"].isin(rules.school_day_types).to_numpy(),
        )
        # which days may each visit be planned on, and why not when none
        allowed: list[list[int]] = []
        ok_mask = np.ones(len(sv), dtype=bool)
        for i in range(len(sv)):
            days_ok: list[int] = []
            reasons: list[str] = []
            for d, day in cal.iterrows():
                if st.school[i] and not bool(day["school_day"]):
                    reasons.append("no_school_day")
                    continue
                lb, ub = _day_bounds(rules, bool(day["market_day"]), bool(st.early[i]))
                why = _single_visit_ok(st, i, lb, ub, rules)
                if why is None:
                    days_ok.append(int(d))
                else:
                    reasons.append(why)
            if not days_ok:
                ok_mask[i] = False
                if not len(cal):
                    reason = "day_full"
                elif st.school[i] and not cal["school_day"].any():
                    reason = "no_school_day"
                else:
                    rs = [r for r in reasons if r != "no_school_day"]
                    # the most frequent reason; ties go to the first in name order (set order varies per run)
                    reason = max(sorted(set(rs)), key=rs.count) if rs else "no_school_day"
                report(sv.iloc[i], sid, reason)
            allowed.append(days_ok)
        idx = np.flatnonzero(ok_mask)
        workload = service + np.ceil(minutes[0, 2:] + minutes[2:, 0])
        day_of = dict(zip(
            idx.tolist(),
            assign.pack_days(
                assign.bearing(slon, slat, sv["lon_wgs84"].to_numpy(float)[idx], sv["lat_wgs84"].to_numpy(float)[idx]),
                workload[idx].astype(float),
                [allowed[i] for i in idx],
                len(cal),
                # every working day when packing is off, else what the station's teams do in a day
                0.0 if not rules.pack_days else teams * rules.day_fill * rules.max_shift_minutes,
            ),
        ))
        members: dict[int, list[int]] = {d: [] for d in range(len(cal))}
        for i, d in day_of.items():
            members[d].append(i)
        solutions: dict[int, tuple[RoutingSolution | None, list[int], tuple[int, int]]] = {}
        pending: list[int] = []
        tried: dict[int, set[int]] = {i: {d} for i, d in day_of.items()}
        for d in range(len(cal)):
            sol, usable, dropped, bounds = _solve_day(st, sorted(members[d]), cal.iloc[d], rules, budget, set())
            n_calls += sol is not None
            solutions[d] = (sol, usable, bounds)
            for i in dropped:
                members[d].remove(i)
            pending += dropped
            bar.update(1)
        # offer what did not fit to other days, least-loaded first
        for _ in range(rules.retry_days):
            if not pending:
                break
            load = [float(workload[members[d]].sum()) for d in range(len(cal))]
            offers: dict[int, list[int]] = {}
            still: list[int] = []
            for i in sorted(pending):
                cand = assign.retry_order(list(cal["date"]), load, day_of[i], tried[i], allowed[i])
                if not cand:
                    still.append(i)
                    continue
                d = cand[0]
                tried[i].add(d)
                offers.setdefault(d, []).append(i)
                load[d] += float(workload[i])
            pending = still
            for d, new in sorted(offers.items()):
                placed = set(members[d])
                members[d] = sorted(members[d] + new)
                sol, usable, dropped, bounds = _solve_day(st, members[d], cal.iloc[d], rules, budget, placed)
                n_calls += sol is not None
                solutions[d] = (sol, usable, bounds)
                for i in dropped:
                    members[d].remove(i)
                    day_of[i] = d
                pending += dropped
        for i in sorted(pending):
            report(sv.iloc[i], sid, "day_full")
        # tables
        for d in range(len(cal)):
            sol, usable, _ = solutions[d]
            if sol is None:
                continue
            date = cal["date"].iat[d]
            for veh, route in enumerate(sol.routes):
                if not route:
                    continue
                team = sol.team_of_vehicle[veh]  # type: ignore[attr-defined]
                end_node = sol.ends_of_vehicle[veh]  # type: ignore[attr-defined]
                to_lab = end_node == 1
                prev_node, prev_end = 0, sol.start_time[veh]
                km_total = travel_total = 0.0
                n_samples = n_perish = 0
                for k, node in enumerate(route, start=1):
                    i = sol.visit_of_node[node]  # type: ignore[attr-defined]
                    g_prev, g = (0 if prev_node == 0 else sol.visit_of_node[prev_node] + 2), i + 2  # type: ignore[attr-defined]
                    leg_km, leg_min = float(km[g_prev, g]), float(minutes[g_prev, g])
                    rec = sv.iloc[i]
                    start = sol.service_start[node]
                    stops_rows.append({
                        "station_id": sid, "team": team, "date": date, "stop_order": k,
                        "visit_id": rec["visit_id"], "establishment_id": rec["establishment_id"],
                        "name": rec["name"], "business_type": rec["business_type"],
                        "township_code": rec["township_code"],
                        "lon_wgs84": rec["lon_wgs84"], "lat_wgs84": rec["lat_wgs84"],
                        "arrival": int(prev_end + math.ceil(leg_min - 1e-9)),
                        "start_service": int(start), "end_service": int(start + service[i]),
                        "window": ";".join(f"{format_hhmm(a)}-{format_hhmm(b)}" for a, b in wins[i]),
                        "lab_deadline": format_hhmm(st.lab_cutoff) if to_lab else "",
                        "perishable": bool(rec["perishable"]), "samples": int(rec["samples"]),
                        "km_from_previous": round(leg_km, 2), "minutes_from_previous": round(leg_min, 1),
                    })
                    km_total += leg_km
                    travel_total += leg_min
                    n_samples += int(rec["samples"])
                    n_perish += int(rec["samples"]) if rec["perishable"] else 0
                    prev_node, prev_end = node, start + service[i]
                g_last = sol.visit_of_node[prev_node] + 2  # type: ignore[attr-defined]
                km_total += float(km[g_last, end_node])
                travel_total += float(minutes[g_last, end_node])
                route_rows.append({
                    "station_id": sid, "team": team, "date": date, "n_stops": len(route),
                    "samples": n_samples, "perishable_samples": n_perish, "km": round(km_total, 2),
                    "travel_minutes": round(travel_total, 1), "start": int(sol.start_time[veh]),
                    "end": int(sol.end_time[veh]), "minutes": int(sol.end_time[veh] - sol.start_time[veh]),
                    "ends_at": "lab" if to_lab else "station",
                    "lab_id": str(lab["lab_id"]) if to_lab else "",
                    "lab_arrival": float(sol.end_time[veh]) if to_lab else np.nan,
                })
    bar.close()
    stops = pd.DataFrame(stops_rows, columns=STOP_COLUMNS)
    if len(stops):
        stops = stops.sort_values(["station_id", "date", "team", "stop_order"], kind="stable").reset_index(drop=True)
    routes = pd.DataFrame(route_rows, columns=ROUTE_COLUMNS)
    if len(routes):
        routes = routes.sort_values(["station_id", "date", "team"], kind="stable").reset_index(drop=True)
    un = pd.DataFrame(unassigned, columns=UNASSIGNED_COLUMNS)
    un = un.sort_values("visit_id", kind="stable").reset_index(drop=True)
    params = {
        "rules": rules.to_dict(),
        "seed": seed,
        "time_limit": time_limit,
        "solver_calls": n_calls,
        "seconds": time.perf_counter() - t0,
        "travel_matrix": travel_matrix is not None,
    }
    return RoutePlan(stops, routes, un, time_limit is None, params)
