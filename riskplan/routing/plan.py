"""Monthly inspection routes: :func:`plan_routes` and the :class:`RoutePlan` it returns.

:func:`plan_routes` chains the steps, one module each:

1. :mod:`~riskplan.routing.prepare`: visits with coordinates (a visit without any is placed at its
   township's centre and flagged "navigate by address"), working days, stations and labs; visits
   that need no route or cannot have one are reported at once;
2. :mod:`~riskplan.routing.network`: one travel network of the district's stations, labs and
   the month's visits (:class:`~riskplan.routing.network.Month`);
3. :mod:`~riskplan.routing.feasible`: what each visit could do alone, on each day, with its own
   station's teams or the nearest other station's;
4. :mod:`~riskplan.routing.month`: one CP-SAT model assigns the whole month's visits to team-days
   (hours, samples, cold box, lab capacity per day, field days per week and the gap between them,
   field days spread over the dates), starting from a greedy assignment
   (:mod:`~riskplan.routing.hint`);
5. :mod:`~riskplan.routing.day`: every station-day is one OR-Tools model whose vehicles are the
   teams sent out that day;
6. :mod:`~riskplan.routing.fallback`: visits no route took are offered to the other days and teams
   of their station, then to the nearest station's teams; the rest are reported with the first
   constraint they cannot meet alone (:func:`~riskplan.routing.feasible.reason_of`).

Every visit is either routed or in ``RoutePlan.unassigned`` with a reason; nothing is lost
silently, and no lab day goes over its capacity. :mod:`~riskplan.routing.reach` tells the stages
before routing which establishments can never deliver a perishable sample, so that none is drawn.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from riskplan.roles import resolve_section, role_tables
from riskplan.routing.day import (
    SolvedDay,
    day_model,
    route_frame,
    search_budget,
    solve_days,
    solved_day,
    stop_frame,
)
from riskplan.routing.fallback import LabKey, offer_elsewhere
from riskplan.routing.feasible import assess, assess_month, candidate_stations, reason_of
from riskplan.routing.month import assign_month
from riskplan.routing.network import Month, build_month
from riskplan.routing.prepare import (
    area_types,
    lab_infos,
    later_working_days,
    prepare_visits,
    station_infos,
    triage,
    working_days,
)
from riskplan.routing.reasons import UNASSIGNED_COLUMNS, unassigned_row
from riskplan.routing.result import LAB_DAY_COLUMNS, RoutePlan
from riskplan.routing.travel import read_travel_matrix
from riskplan.settings.routing import RoutingRules
from riskplan.tables import station_of_township

__all__ = ["RoutePlan", "plan_routes", "booked_loads"]


def booked_loads(lab_booked: pd.DataFrame | None) -> dict[LabKey, int]:
    """``(lab_id, date) -> samples`` of a table ``lab_id, date, samples`` (None: nothing booked)."""
    if lab_booked is None or not len(lab_booked):
        return {}
    out: dict[LabKey, int] = defaultdict(int)
    for lab, date, n in zip(lab_booked["lab_id"].astype(str), pd.to_datetime(lab_booked["date"]),
                            lab_booked["samples"]):
        out[(lab, pd.Timestamp(date))] += int(n)
    return dict(out)


def _lab_days(month: Month, routes: pd.DataFrame, booked: dict[LabKey, int]) -> pd.DataFrame:
    """``RoutePlan.lab_days``: samples per lab and day, from the routes, beside what was booked."""
    rows: dict[LabKey, list[int]] = defaultdict(lambda: [0, 0])
    for r in routes.itertuples(index=False):
        key = (str(r.lab_id), pd.Timestamp(r.lab_date))
        rows[key][0] += int(r.samples)
        rows[key][1] += int(r.perishable_samples) - int(r.held_samples)
    for key in booked:
        rows.setdefault(key, [0, 0])
    cap = {lab.lab_id: (np.nan if lab.capacity is None else float(lab.capacity)) for lab in month.labs}
    out = pd.DataFrame(
        [(lab, date, n, p, int(booked.get((lab, date), 0)), cap.get(lab, np.nan))
         for (lab, date), (n, p) in sorted(rows.items())],
        columns=LAB_DAY_COLUMNS,
    )
    out["date"] = pd.to_datetime(out["date"])
    return out


def _route_month(month: Month, booked: dict[LabKey, int], seed: int, time_limit: float | None,
                 progress: bool, pool: Executor | None) -> tuple[list[SolvedDay], list[int], dict[str, Any]]:
    """Assign, route every station-day, offer what is left elsewhere."""
    rules = month.rules
    budget = search_budget(rules, time_limit)
    fits = assess_month(month, booked)
    assignment = assign_month(month, fits, booked, seed)
    by_day: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for (s, _, d), t in assignment.team_days.items():
        by_day[(s, d)].append(t)
    quiet = os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false")
    bar = tqdm(total=len(by_day), desc="routes", unit="day", disable=True if (quiet or not progress) else None,
               leave=False)
    solved: dict[tuple[int, int], SolvedDay] = {}
    pending: list[tuple[int, int]] = [(i, -1) for i in assignment.unplaced]
    models = [day_model(month, s, d, tds, budget) for (s, d), tds in sorted(by_day.items())]
    for model, sol in zip(models, solve_days(models, pool)):
        solved[(model.station, model.day)] = day = solved_day(month, model, sol)
        pending += [(i, model.day) for i in day.dropped]
        bar.update(1)
    bar.close()
    left, calls = offer_elsewhere(month, solved, pending, fits, booked, budget)
    params = {
        "assignment": {"status": assignment.status, "objective": round(assignment.objective, 1),
                       "seconds": round(assignment.seconds, 3), "booleans": assignment.size,
                       "unplaced": len(assignment.unplaced)},
        "dropped_by_routes": len(pending) - len(assignment.unplaced),
        "solver_calls": len(by_day) + calls,
    }
    return [solved[k] for k in sorted(solved)], left, params


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
    business_types: pd.DataFrame | None = None,
    categories: pd.DataFrame | None = None,
    later_calendar: pd.DataFrame | None = None,
    lab_booked: pd.DataFrame | None = None,
    pool: Executor | None = None,
) -> RoutePlan:
    """Plan a month's inspection routes for every station, team and working day.

    Parameters
    ----------
    visits
        The month's visits (``riskplan.selection.select``): ``visit_id, establishment_id,
        business_type, samples, perishable, mode`` (and ``categories_to_sample``) and, unless
        ``establishments`` is given, ``township_code, lon_wgs84, lat_wgs84, opening_hours``.
    stations
        ``station_id, township_codes, lon_wgs84, lat_wgs84, teams`` (and ``name``).
    labs
        ``lab_id, lon_wgs84, lat_wgs84, intake_cutoff`` and optionally ``intake_open``, ``name``,
        ``address``, ``capacity_per_day`` [samples], ``working_days`` (weekdays it takes samples).
    calendar
        The month's days: ``date, workday`` and optionally ``school_day, market_day``
        (``riskplan.calendar.work_calendar``).
    rules
        Routing settings (default :class:`RoutingRules`).
    establishments
        Establishments table to take coordinates, opening hours, names, addresses and township from.
    townships
        Townships with ``area_type`` (sets travel speeds) and their centres (a visit without
        coordinates is placed there); None: every place is ``urban``.
    travel_matrix
        A user travel-time matrix (path to a CSV or the table of
        :func:`riskplan.routing.travel.read_travel_matrix`) overriding estimated times.
    seed
        Seed of the month assignment's search (single-threaded and deterministic).
    time_limit
        Wall-clock limit per day model [s]; when given the plan is marked not reproducible and the
        solution limit is lifted.
    progress
        Show a progress bar over station-days (tqdm; ``TQDM_DISABLE=1`` silences it).
    business_types
        The business-type table: with it the rules may name roles (``school canteen``, ``wet
        market``); without it they must name codes.
    categories
        The categories table: which categories are perishable (for overnight holds).
    later_calendar
        The days after the month (``date, workday``, e.g. the next month's calendar): samples kept
        at the station after the month's last working day reach the lab on its first working
        day there. None: the weekdays after the month.
    lab_booked
        Samples already due at a lab on a day (``lab_id, date, samples``, e.g. the previous month's
        ``RoutePlan.lab_days`` after its last day), counted against the lab's capacity.
    pool
        Worker processes that solve day models beside this one (:func:`riskplan.workers.process_pool`);
        the routes are the same with or without.

    Returns
    -------
    RoutePlan
    """
    t0 = time.perf_counter()
    rules = rules or RoutingRules()
    if business_types is not None:  # rules may name roles: the table says which types have them
        rules = resolve_section("routing", rules, role_tables(business_types))
    if isinstance(travel_matrix, (str, Path)):
        travel_matrix = read_travel_matrix(travel_matrix)
    v = prepare_visits(visits, establishments, townships)
    st_info = station_infos(stations)
    lab_list = lab_infos(labs, rules.lab_id)
    v["station_id"] = v["township_code"].map(station_of_township(stations)).fillna("")
    routable, unassigned = triage(v)
    days = working_days(calendar)
    later = later_working_days(days, later_calendar)
    booked = booked_loads(lab_booked)
    month = build_month(v[routable].reset_index(drop=True), days, later, st_info, lab_list, rules,
                        area_types(townships), travel_matrix, categories)
    params: dict[str, Any] = {}
    solved: list[SolvedDay] = []
    if month.n_visits and len(days):
        solved, left, route_params = _route_month(month, booked, seed, time_limit, progress, pool)
        params.update(route_params)
    else:
        left = list(range(month.n_visits))
    if left:
        fits_left = {i: [f for s in candidate_stations(month, i) for d in range(len(days))
                         for f in [assess(month, i, s, d, booked)]] for i in left}
        for i in left:
            rec = month.visits.iloc[i]
            unassigned.append(unassigned_row(rec, str(rec["station_id"]), reason_of(fits_left[i], len(days))))
    routes = route_frame(solved)
    un = pd.DataFrame(unassigned, columns=UNASSIGNED_COLUMNS).sort_values("visit_id", kind="stable")
    params.update({
        "rules": rules.to_dict(), "seed": seed, "time_limit": time_limit,
        "seconds": time.perf_counter() - t0, "travel_matrix": travel_matrix is not None,
    })
    return RoutePlan(stop_frame(solved), routes, un.reset_index(drop=True), time_limit is None, params,
                     _lab_days(month, routes, booked))

