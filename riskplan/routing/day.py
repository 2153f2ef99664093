"""One station-day routed by one OR-Tools model: :func:`route_day` -> :class:`SolvedDay`.

The vehicles are the station's teams that the month assignment sends out that day
(:class:`~riskplan.routing.month.TeamDay`), each ending where the assignment says: at its lab before
the intake cut-off when it carries perishable samples, else back at the station. A visit may ride
any team of the same kind (same end, same lab), so the route may balance the day between them
without changing on which day any sample reaches which lab. Every visit is optional with a drop
penalty far above any route cost, so the model always has a solution and what it leaves out is
counted (:attr:`SolvedDay.dropped`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from riskplan.routing.assignment import TeamDay
from riskplan.routing.feasible import day_hours
from riskplan.routing.model import RoutingProblem, RoutingSolution, SearchBudget, solve
from riskplan.routing.network import Month
from riskplan.routing.windows import intersect, start_windows
from riskplan.settings.routing import RoutingRules
from riskplan.timeofday import Window, format_hhmm
from riskplan.workers import BrokenProcessPool, run_meanwhile, worker_died

STOP_COLUMNS: list[str] = [
    "station_id", "team", "date", "stop_order", "visit_id", "establishment_id", "name", "business_type",
    "township_code", "lon_wgs84", "lat_wgs84", "arrival", "start_service", "end_service", "window",
    "lab_deadline", "perishable", "samples", "km_from_previous", "minutes_from_previous", "lab_id", "lab_date",
    "held_overnight", "navigate_by_address", "other_station",
]
"""Columns of ``RoutePlan.stops`` (the keys of :attr:`SolvedDay.stops`)."""

ROUTE_COLUMNS: list[str] = [
    "station_id", "team", "date", "n_stops", "samples", "perishable_samples", "km", "travel_minutes",
    "start", "end", "minutes", "ends_at", "lab_id", "lab_arrival", "lab_date", "held_samples",
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
    station, day
        Station and working-day indices.
    team_days
        The team-days routed, each with the visits it holds after the solve (a visit may have
        moved to another team of the same kind).
    dropped
        Visits the model left out.
    stops
        Rows of ``RoutePlan.stops`` (:data:`STOP_COLUMNS`), by team and stop order.
    routes
        Rows of ``RoutePlan.routes`` (:data:`ROUTE_COLUMNS`), one per team with a stop.
    """

    station: int
    day: int
    team_days: tuple[TeamDay, ...]
    dropped: tuple[int, ...]
    stops: list[dict[str, Any]]
    routes: list[dict[str, Any]]

    @property
    def visits(self) -> list[int]:
        """Every visit the day holds (routed)."""
        return sorted(i for t in self.team_days for i in (*t.visits, *t.held))


def station_day_hours(month: Month, day: int, visits: Collection[int]) -> tuple[int, int]:
    """The teams' hours at a station on ``day`` [min]: the early start when a market visit is planned."""
    has_early = any(bool(month.early[i]) for i in visits)
    return day_hours(month.rules, month.market_day(day), has_early)


def station_nodes(
    month: Month, s: int, labs: Collection[int], visits: Sequence[int],
) -> tuple[list[int], dict[int, int], np.ndarray, np.ndarray]:
    """The nodes of a problem of station ``s``: the station, then each of ``labs`` (sorted), then ``visits``.

    Returns
    -------
    The month's node indices, each lab's position among the nodes, travel minutes between the
    nodes [min], and the time of each arc: travel rounded up plus the service at its start [min].
    """
    lab_pos = {lab: 1 + k for k, lab in enumerate(sorted(labs))}
    off = 1 + len(lab_pos)
    nodes = [s] + [month.lab_node(lab) for lab in lab_pos] + [month.visit_node(i) for i in visits]
    minutes = month.minutes[np.ix_(nodes, nodes)]
    service = np.array([0] * off + [int(month.service[i]) for i in visits])
    t_int = np.ceil(minutes - 1e-9).astype(np.int64) + service[:, None]
    np.fill_diagonal(t_int, 0)
    return nodes, lab_pos, minutes, t_int


def _problem(
    month: Month, s: int, team_days: Sequence[TeamDay], usable: list[int], wins: list[list[Window]],
    hours: tuple[int, int], placed: Collection[int],
) -> tuple[RoutingProblem, list[int]]:
    """The OR-Tools problem; node 0 the station, then one node per lab used, then ``usable``."""
    rules = month.rules
    lb, ub = hours
    nodes, lab_pos, minutes, t_int = station_nodes(month, s, {t.lab for t in team_days if t.to_lab}, usable)
    off = 1 + len(lab_pos)
    cost = np.rint(minutes * 60).astype(np.int64)  # travel seconds
    kind = [(t.to_lab, t.lab) for t in team_days]
    ends = [lab_pos[t.lab] if t.to_lab else 0 for t in team_days]
    end_windows = [(month.labs[t.lab].open, min(ub, month.labs[t.lab].cutoff)) if t.to_lab else (lb, ub)
                   for t in team_days]
    team_of = {i: k for k, t in enumerate(team_days) for i in (*t.visits, *t.held)}
    allowed: list[list[int] | None] = [None] * off
    allowed += [[v for v in range(len(team_days)) if kind[v] == kind[team_of[i]]] for i in usable]
    per = month.perishable
    samples = [0] * off + [int(month.samples[i]) for i in usable]
    cold = [0] * off + [int(month.samples[i]) if per[i] else 0 for i in usable]
    nv = len(team_days)
    problem = RoutingProblem(
        cost=cost,
        time=t_int,
        windows=[[]] * off + wins,
        horizon=24 * 60,
        starts=[0] * nv,
        ends=ends,
        vehicle_start_window=[(lb, ub)] * nv,
        vehicle_end_window=end_windows,
        loads={
            "samples": (samples, [rules.max_samples_per_team_day] * nv),
            "cold": (cold, [rules.cold_box_samples] * nv),
        },
        # a visit kept from an earlier solve of this day costs ten times as much to drop again
        penalty=[None] * off + [rules.drop_penalty * (10 if i in placed else 1) for i in usable],
        allowed_vehicles=allowed,
        max_span=[rules.max_shift_minutes] * nv,
    )
    return problem, nodes


def _rows(
    month: Month, s: int, day: int, team_days: Sequence[TeamDay], sol: RoutingSolution, nodes: list[int],
    off: int, usable: list[int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[TeamDay]]:
    """Stop rows, route rows and the team-days as solved, with exact (unrounded) distances and times."""
    km, minutes = month.km, month.minutes
    cols = {c: month.visit_columns[c] for c in ("visit_id", "establishment_id", "name", "business_type",
                                                "township_code", "lon_wgs84", "lat_wgs84", "perishable",
                                                "samples", "navigate_by_address")}
    st = month.stations[s]
    date = month.date(day)
    held_set = {i for t in team_days for i in t.held}
    stops: list[dict[str, Any]] = []
    routes: list[dict[str, Any]] = []
    solved: list[TeamDay] = []
    for veh, route in enumerate(sol.routes):
        td = team_days[veh]
        if not route:
            continue
        lab = month.labs[td.lab]
        lab_date = date if td.to_lab else month.delivery_date(td.lab, day)
        end_node = month.lab_node(td.lab) if td.to_lab else s
        prev, prev_end = s, sol.start_time[veh]
        km_total = travel_total = 0.0
        n_samples = n_perish = n_held = 0
        mine: list[int] = []
        for k, node in enumerate(route, start=1):
            i = usable[node - off]
            g = nodes[node]
            leg_km, leg_min = float(km[prev, g]), float(minutes[prev, g])
            rec = {c: v[i] for c, v in cols.items()}
            start = sol.service_start[node]
            held = i in held_set
            stops.append({
                "station_id": st.station_id, "team": td.team, "date": date, "stop_order": k,
                "visit_id": rec["visit_id"], "establishment_id": rec["establishment_id"],
                "name": rec["name"], "business_type": rec["business_type"],
                "township_code": rec["township_code"],
                "lon_wgs84": rec["lon_wgs84"], "lat_wgs84": rec["lat_wgs84"],
                "arrival": int(prev_end + math.ceil(leg_min - 1e-9)),
                "start_service": int(start), "end_service": int(start + month.service[i]),
                "window": ";".join(f"{format_hhmm(a)}-{format_hhmm(b)}" for a, b in month.windows[i]),
                "lab_deadline": format_hhmm(lab.cutoff) if td.to_lab else "",
                "perishable": bool(rec["perishable"]), "samples": int(rec["samples"]),
                "km_from_previous": round(leg_km, 2), "minutes_from_previous": round(leg_min, 1),
                "lab_id": lab.lab_id, "lab_date": lab_date, "held_overnight": held,
                "navigate_by_address": bool(rec["navigate_by_address"]),
                "other_station": s != int(month.home[i]),
            })
            km_total += leg_km
            travel_total += leg_min
            n_samples += int(rec["samples"])
            n_perish += int(rec["samples"]) if rec["perishable"] else 0
            n_held += int(rec["samples"]) if held else 0
            prev, prev_end = g, start + month.service[i]
            mine.append(i)
        km_total += float(km[prev, end_node])
        travel_total += float(minutes[prev, end_node])
        routes.append({
            "station_id": st.station_id, "team": td.team, "date": date, "n_stops": len(route),
            "samples": n_samples, "perishable_samples": n_perish, "km": round(km_total, 2),
            "travel_minutes": round(travel_total, 1), "start": int(sol.start_time[veh]),
            "end": int(sol.end_time[veh]), "minutes": int(sol.end_time[veh] - sol.start_time[veh]),
            "ends_at": "lab" if td.to_lab else "station", "lab_id": lab.lab_id,
            "lab_arrival": float(sol.end_time[veh]) if td.to_lab else np.nan,
            "lab_date": lab_date, "held_samples": n_held,
        })
        solved.append(dataclasses.replace(
            td, visits=tuple(sorted(i for i in mine if i not in held_set)),
            held=tuple(sorted(i for i in mine if i in held_set))))
    return stops, routes, solved


@dataclasses.dataclass(frozen=True)
class DayModel:
    """One station-day before its solve (:func:`day_model`): what :func:`solved_day` needs after it.

    Attributes
    ----------
    station, day
        Station and working-day indices.
    team_days
        The station's team-days that day, by team.
    usable
        Visits with a start window within the day's hours (the model's visits), in node order.
    dropped
        Visits without one (left out before the solve).
    problem
        The OR-Tools problem (None when no visit is usable); picklable, so another process may
        solve it (:func:`riskplan.routing.model.solve`).
    nodes
        The problem's nodes (the team-days' ends, then ``usable``).
    budget
        The solver budget of this day.
    """

    station: int
    day: int
    team_days: tuple[TeamDay, ...]
    usable: tuple[int, ...]
    dropped: tuple[int, ...]
    problem: RoutingProblem | None
    nodes: list[int]
    budget: SearchBudget


def day_model(
    month: Month,
    s: int,
    day: int,
    team_days: Sequence[TeamDay],
    budget: SearchBudget,
    placed: Collection[int] = frozenset(),
) -> DayModel:
    """The OR-Tools problem of the team-days ``team_days`` of station ``s`` on working day ``day``.

    Parameters are those of :func:`route_day`.
    """
    team_days = sorted(team_days, key=lambda t: t.team)
    members = sorted(i for t in team_days for i in (*t.visits, *t.held))
    hours = station_day_hours(month, day, members)
    usable: list[int] = []
    wins: list[list[Window]] = []
    dropped: list[int] = []
    for i in members:
        sw = start_windows(intersect(month.windows[i], [hours]), int(month.service[i]))
        if sw:
            usable.append(i)
            wins.append(sw)
        else:
            dropped.append(i)
    if not usable:
        return DayModel(s, day, tuple(team_days), (), tuple(dropped), None, [], budget)
    problem, nodes = _problem(month, s, team_days, usable, wins, hours, placed)
    if len(usable) <= 2 and budget.time_limit is None:
        # nothing for a metaheuristic to improve on: a descent ends by itself
        budget = dataclasses.replace(budget, metaheuristic="GREEDY_DESCENT")
    return DayModel(s, day, tuple(team_days), tuple(usable), tuple(dropped), problem, nodes, budget)


def solve_day(model: DayModel) -> RoutingSolution | None:
    """Solve a day's problem (None without one); a plain function, so a worker process may run it."""
    return None if model.problem is None else solve(model.problem, model.budget)


def solved_day(month: Month, model: DayModel, sol: RoutingSolution | None) -> SolvedDay:
    """The routes of a day model from its solution (:func:`solve_day`)."""
    s, day, usable = model.station, model.day, list(model.usable)
    dropped = list(model.dropped)
    if model.problem is None:
        return SolvedDay(s, day, (), tuple(dropped), [], [])
    if sol is None:  # cannot happen with every visit optional, kept for safety
        return SolvedDay(s, day, (), tuple(sorted(dropped + usable)), [], [])
    off = len(model.nodes) - len(usable)
    dropped += [usable[n - off] for n in sol.dropped if n >= off]
    stops, routes, solved = _rows(month, s, day, list(model.team_days), sol, model.nodes, off, usable)
    return SolvedDay(s, day, tuple(solved), tuple(sorted(dropped)), stops, routes)


def route_day(
    month: Month,
    s: int,
    day: int,
    team_days: Sequence[TeamDay],
    budget: SearchBudget,
    placed: Collection[int] = frozenset(),
) -> SolvedDay:
    """Route the team-days ``team_days`` of station ``s`` on working day ``day``.

    :func:`day_model`, :func:`solve_day` and :func:`solved_day` in one call.

    Parameters
    ----------
    month
        The month.
    s, day
        Station and working-day indices.
    team_days
        The station's team-days that day (:class:`~riskplan.routing.month.TeamDay`).
    budget
        Solver budget (:func:`search_budget`).
    placed
        Visits the day held before (a re-solve with a visit offered from elsewhere): dropping one
        of them costs ten times the drop penalty.

    Returns
    -------
    SolvedDay
    """
    model = day_model(month, s, day, team_days, budget, placed)
    return solved_day(month, model, solve_day(model))


def solve_days(models: Sequence[DayModel], pool: Executor | None = None) -> list[RoutingSolution | None]:
    """Solve every day model, in ``pool``'s processes and this one at once; None: here, in order.

    Every model is submitted to the pool; this process meanwhile does the work it was given to do
    while it waits (:func:`riskplan.workers.meanwhile`), then solves the models no worker has
    started, from the last one back. A model's solution does not depend on the process that
    solves it (one search, deterministic), so the routes are the same either way.

    Raises
    ------
    RiskplanError
        When a worker process died.
    """
    if pool is None or len(models) < 2:
        return [solve_day(m) for m in models]
    futures = [pool.submit(solve_day, m) for m in models]
    out: list[RoutingSolution | None] = [None] * len(models)
    here = [False] * len(models)
    try:
        run_meanwhile()  # this process's other work first (the next month's selection), if it has any
        for k in reversed(range(len(models))):
            if futures[k].cancel():  # not started by a worker: solved here
                out[k], here[k] = solve_day(models[k]), True
        for k, future in enumerate(futures):
            if not here[k]:
                out[k] = future.result()
    except BrokenProcessPool as exc:
        raise worker_died("routing the days", exc) from None
    finally:
        for future in futures:
            future.cancel()
    return out


def stop_frame(days: Sequence[SolvedDay]) -> pd.DataFrame:
    """``RoutePlan.stops`` of solved days, sorted by station, date, team and stop order."""
    stops = pd.DataFrame([r for d in days for r in d.stops], columns=STOP_COLUMNS)
    if len(stops):
        stops = stops.sort_values(["station_id", "date", "team", "stop_order"], kind="stable").reset_index(drop=True)
    return stops


def route_frame(days: Sequence[SolvedDay]) -> pd.DataFrame:
    """``RoutePlan.routes`` of solved days, sorted by station, date and team."""
    routes = pd.DataFrame([r for d in days for r in d.routes], columns=ROUTE_COLUMNS)
    if len(routes):
        routes = routes.sort_values(["station_id", "date", "team"], kind="stable").reset_index(drop=True)
    return routes
