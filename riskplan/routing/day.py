"""One station-day routed by one OR-Tools model: :func:`route_day` -> :class:`SolvedDay`.

The vehicles are the station's teams. When a visit of the day is perishable, each team gets two
mutually exclusive vehicles, one ending at the station and one at the lab before the intake
cut-off, and perishable visits may only ride the lab vehicles. Every visit is optional with a drop
penalty far above any route cost, so the model always has a solution and what it leaves out is
counted (:attr:`SolvedDay.dropped`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from riskplan.routing.feasible import day_hours
from riskplan.routing.model import RoutingProblem, RoutingSolution, SearchBudget, solve
from riskplan.routing.prepare import Station
from riskplan.routing.windows import intersect, start_windows
from riskplan.settings.routing import RoutingRules
from riskplan.timeofday import Window, format_hhmm

STOP_COLUMNS: list[str] = [
    "station_id", "team", "date", "stop_order", "visit_id", "establishment_id", "name", "business_type",
    "township_code", "lon_wgs84", "lat_wgs84", "arrival", "start_service", "end_service", "window",
    "lab_deadline", "perishable", "samples", "km_from_previous", "minutes_from_previous",
]
"""Columns of ``RoutePlan.stops`` (the keys of :attr:`SolvedDay.stops`)."""

ROUTE_COLUMNS: list[str] = [
    "station_id", "team", "date", "n_stops", "samples", "perishable_samples", "km", "travel_minutes",
    "start", "end", "minutes", "ends_at", "lab_id", "lab_arrival",
]
"""Columns of ``RoutePlan.routes`` (the keys of :attr:`SolvedDay.routes`)."""


def search_budget(rules: RoutingRules, time_limit: float | None) -> SearchBudget:
    """The solver budget of every day model.

    Parameters
    ----------
    rules
        Routing settings (``first_solution``, ``solution_limit``).
    time_limit
        Wall-clock limit per day model [s]; None keeps the deterministic solution limit, a limit
        lifts it.
    """
    return SearchBudget(
        first_solution=tuple(rules.first_solution),
        solution_limit=None if time_limit is not None else rules.solution_limit,
        time_limit=time_limit,
    )


@dataclasses.dataclass(frozen=True)
class SolvedDay:
    """The routes of one station on one working day.

    Attributes
    ----------
    day
        Index of the day among the working days.
    date
        The day.
    hours
        The teams' working hours that day ``(start, end)`` [min after midnight].
    kept
        Visits (local indices into the station's visits) the day holds: those it was given minus
        :attr:`dropped`, in the order given.
    dropped
        Visits the day could not take -> reason code: ``window_outside_hours`` or
        ``no_school_day`` (not possible that day at all), ``day_full`` (left out by the solver).
    stops
        Rows of ``RoutePlan.stops`` (:data:`STOP_COLUMNS`), by team and stop order.
    routes
        Rows of ``RoutePlan.routes`` (:data:`ROUTE_COLUMNS`), one per team with a stop.
    solved
        A model was solved (False when no visit was left to route).
    """

    day: int
    date: pd.Timestamp
    hours: tuple[int, int]
    kept: list[int]
    dropped: dict[int, str]
    stops: list[dict[str, Any]]
    routes: list[dict[str, Any]]
    solved: bool


@dataclasses.dataclass(frozen=True)
class _DayModel:
    """The day model's node and vehicle layout, to read its solution back."""

    off: int  # visit nodes start here: node 0 the station, node 1 the lab when any visit is perishable
    usable: list[int]  # node off + k is visit usable[k]
    ends: list[int]  # end node of each vehicle (0 station, 1 lab)
    team_of_vehicle: list[int]  # 1-based team of each vehicle


def _problem(
    st: Station, usable: list[int], wins: list[list[Window]], hours: tuple[int, int],
    rules: RoutingRules, placed: Collection[int],
) -> tuple[RoutingProblem, _DayModel]:
    """The OR-Tools problem of the ``usable`` visits (start windows ``wins``) on a day with ``hours``."""
    lb, ub = hours
    perish = st.visits["perishable"].to_numpy(bool)
    any_perishable = bool(perish[usable].any())
    # node 0 the station, node 1 the lab (only when some visit is perishable), then the visits
    head = [0, 1] if any_perishable else [0]
    off = len(head)
    nodes = head + [v + 2 for v in usable]
    minutes = st.minutes[np.ix_(nodes, nodes)]
    service = np.array([0] * off + [int(st.service[v]) for v in usable])
    # integer transit times: travel rounded up, plus the service at the origin
    t_int = np.ceil(minutes - 1e-9).astype(np.int64) + service[:, None]
    np.fill_diagonal(t_int, 0)
    cost = np.rint(minutes * 60).astype(np.int64)  # travel seconds
    n_veh_per_team = 2 if any_perishable else 1
    starts: list[int] = []
    ends: list[int] = []
    sw_v: list[tuple[int, int]] = []
    ew_v: list[tuple[int, int]] = []
    pairs: list[tuple[int, int]] = []
    lab_end = (st.lab_open, min(ub, st.lab_cutoff))
    for _ in range(st.teams):
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
    # perishable samples ride only on vehicles that end at the lab; depots and the rest are free
    allowed: list[list[int] | None] = [None] * off
    allowed += [lab_vehicles if perish[v] else None for v in usable]
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
        # a visit kept from an earlier solve of this day costs twice as much to drop again
        penalty=[None] * off + [rules.drop_penalty * (2 if v in placed else 1) for v in usable],
        allowed_vehicles=allowed,
        exclusive_pairs=pairs,
        max_span=[rules.max_shift_minutes] * nv,
    )
    layout = _DayModel(off, usable, ends, [i // n_veh_per_team + 1 for i in range(nv)])
    return problem, layout


def _rows(
    st: Station, sol: RoutingSolution, layout: _DayModel, date: pd.Timestamp,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Stop rows and route rows of a solved day, with exact (unrounded) distances and times."""
    km, minutes, sv = st.km, st.minutes, st.visits
    sid = st.station_id
    visit_of_node = {k + layout.off: v for k, v in enumerate(layout.usable)}
    stops: list[dict[str, Any]] = []
    routes: list[dict[str, Any]] = []
    for veh, route in enumerate(sol.routes):
        if not route:
            continue
        team = layout.team_of_vehicle[veh]
        end_node = layout.ends[veh]
        to_lab = end_node == 1
        prev_node, prev_end = 0, sol.start_time[veh]
        km_total = travel_total = 0.0
        n_samples = n_perish = 0
        for k, node in enumerate(route, start=1):
            i = visit_of_node[node]
            # station-matrix nodes: 0 the station, 2 + i visit i
            g_prev, g = (0 if prev_node == 0 else visit_of_node[prev_node] + 2), i + 2
            leg_km, leg_min = float(km[g_prev, g]), float(minutes[g_prev, g])
            rec = sv.iloc[i]
            start = sol.service_start[node]
            stops.append({
                "station_id": sid, "team": team, "date": date, "stop_order": k,
                "visit_id": rec["visit_id"], "establishment_id": rec["establishment_id"],
                "name": rec["name"], "business_type": rec["business_type"],
                "township_code": rec["township_code"],
                "lon_wgs84": rec["lon_wgs84"], "lat_wgs84": rec["lat_wgs84"],
                "arrival": int(prev_end + math.ceil(leg_min - 1e-9)),
                "start_service": int(start), "end_service": int(start + st.service[i]),
                "window": ";".join(f"{format_hhmm(a)}-{format_hhmm(b)}" for a, b in st.windows[i]),
                "lab_deadline": format_hhmm(st.lab_cutoff) if to_lab else "",
                "perishable": bool(rec["perishable"]), "samples": int(rec["samples"]),
                "km_from_previous": round(leg_km, 2), "minutes_from_previous": round(leg_min, 1),
            })
            km_total += leg_km
            travel_total += leg_min
            n_samples += int(rec["samples"])
            n_perish += int(rec["samples"]) if rec["perishable"] else 0
            prev_node, prev_end = node, start + st.service[i]
        g_last = visit_of_node[prev_node] + 2
        km_total += float(km[g_last, end_node])
        travel_total += float(minutes[g_last, end_node])
        routes.append({
            "station_id": sid, "team": team, "date": date, "n_stops": len(route),
            "samples": n_samples, "perishable_samples": n_perish, "km": round(km_total, 2),
            "travel_minutes": round(travel_total, 1), "start": int(sol.start_time[veh]),
            "end": int(sol.end_time[veh]), "minutes": int(sol.end_time[veh] - sol.start_time[veh]),
            "ends_at": "lab" if to_lab else "station",
            "lab_id": str(st.lab["lab_id"]) if to_lab else "",
            "lab_arrival": float(sol.end_time[veh]) if to_lab else np.nan,
        })
    return stops, routes


def route_day(
    st: Station,
    members: list[int],
    day: int,
    days: pd.DataFrame,
    rules: RoutingRules,
    budget: SearchBudget,
    placed: Collection[int] = frozenset(),
) -> SolvedDay:
    """Route the visits ``members`` of station ``st`` on working day ``day``.

    Parameters
    ----------
    st
        The station.
    members
        Local indices of the visits planned on the day.
    day
        Index of the day in ``days``.
    days
        Working days (:func:`riskplan.routing.prepare.working_days`): ``date, school_day,
        market_day``.
    rules
        Routing settings.
    budget
        Solver budget (:func:`search_budget`).
    placed
        Visits the day held before (a re-solve with visits offered from other days): dropping
        one of them costs twice the drop penalty.

    Returns
    -------
    SolvedDay
    """
    row = days.iloc[day]
    date = days["date"].iat[day]
    has_early = bool(st.early[members].any()) if members else False
    hours = day_hours(rules, bool(row["market_day"]), has_early)
    usable: list[int] = []
    dropped: dict[int, str] = {}
    wins: list[list[Window]] = []
    for v in members:
        sw = start_windows(intersect(st.windows[v], [hours]), int(st.service[v]))
        if not sw:
            dropped[v] = "window_outside_hours"
        elif st.school[v] and not bool(row["school_day"]):
            dropped[v] = "no_school_day"
        else:
            usable.append(v)
            wins.append(sw)
    sol: RoutingSolution | None = None
    stops: list[dict[str, Any]] = []
    routes: list[dict[str, Any]] = []
    if usable:
        problem, layout = _problem(st, usable, wins, hours, rules, placed)
        if len(usable) <= 2 and budget.time_limit is None:
            # nothing for a metaheuristic to improve on: a descent ends by itself
            budget = dataclasses.replace(budget, metaheuristic="GREEDY_DESCENT")
        sol = solve(problem, budget)
        if sol is None:  # cannot happen with every visit optional, kept for safety
            dropped.update({v: "day_full" for v in usable})
        else:
            dropped.update({usable[n - layout.off]: "day_full" for n in sol.dropped if n >= layout.off})
            stops, routes = _rows(st, sol, layout, date)
    kept = [v for v in members if v not in dropped]
    return SolvedDay(day, date, hours, kept, dropped, stops, routes, sol is not None)
