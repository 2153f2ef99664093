"""Monthly inspection routes: :func:`plan_routes` and the :class:`RoutePlan` it returns.

:func:`plan_routes` chains the steps, one module each:

1. :mod:`~riskplan.routing.prepare`: visits with coordinates and opening hours, working days, and
   per station its lab, travel matrices, service times and visit windows; visits that need no
   route or cannot have one are reported at once;
2. :mod:`~riskplan.routing.feasible` and :mod:`~riskplan.routing.assign`: the days each visit
   could go on alone, then each station's month spread over few, full field days;
3. :mod:`~riskplan.routing.day`: every station-day is one OR-Tools model whose vehicles are the
   station's teams (a team carrying perishable samples ends its route at the lab before the
   intake cut-off) -> :class:`~riskplan.routing.day.SolvedDay`;
4. :mod:`~riskplan.routing.fallback`: visits a day cannot take are offered to other days, and
   whatever remains is reported;
5. the :class:`RoutePlan` tables are assembled here. Every visit is either routed or in
   ``RoutePlan.unassigned`` with a reason; nothing is lost silently.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from riskplan.roles import resolve_section, role_tables
from riskplan.routing.assign import assign_days, visits_by_day
from riskplan.routing.day import ROUTE_COLUMNS, STOP_COLUMNS, SolvedDay, route_day, search_budget
from riskplan.routing.fallback import offer_elsewhere
from riskplan.routing.feasible import allowed_days
from riskplan.routing.model import SearchBudget
from riskplan.routing.prepare import (
    STATION_COLUMNS,
    Station,
    area_types,
    prepare_station,
    prepare_visits,
    require_columns,
    triage,
    working_days,
)
from riskplan.routing.reasons import UNASSIGNED_COLUMNS, unassigned_row
from riskplan.routing.travel import read_travel_matrix
from riskplan.settings.routing import RoutingRules
from riskplan.tables import station_of_township


@dataclasses.dataclass(repr=False)
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
        ``visit_id, establishment_id, station_id, reason, detail``; reasons in
        :data:`~riskplan.routing.reasons.REASONS`.
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

    def _count(self, what: str) -> int:
        """Distinct months (``"months"``), days or stations among the routes."""
        if not len(self.routes):
            return 0
        if what == "stations":
            return int(self.routes["station_id"].nunique())
        dates = pd.to_datetime(self.routes["date"])
        return int((dates.dt.to_period("M") if what == "months" else dates.dt.normalize()).nunique())

    def __repr__(self) -> str:
        return (
            f"RoutePlan(months={self._count('months')}, stations={self._count('stations')}, "
            f"routes={len(self.routes)}, stops={len(self.stops)}, unassigned={len(self.unassigned)})"
        )

    def totals(self) -> dict[str, Any]:
        """Counts: visits ``routed``, ``unassigned`` and ``by_reason``, ``routes``, ``km`` driven [km]."""
        return {
            "routed": int(len(self.stops)),
            "unassigned": int(len(self.unassigned)),
            "by_reason": self.unassigned["reason"].value_counts().to_dict(),
            "routes": int(len(self.routes)),
            "km": float(self.routes["km"].sum()) if len(self.routes) else 0.0,
        }

    def summary(self, officers_per_team: int = 2) -> str:
        """The plan in a few lines: visits routed, not routed by reason, distance, officer time.

        Parameters
        ----------
        officers_per_team
            Officers in a team (``selection.officers_per_team``, 2 by default): officer-hours are
            the teams' hours in the field (route start to end) times this.

        Returns
        -------
        Four lines of text.
        """
        t = self.totals()
        routes = self.routes
        travel_h = float(routes["travel_minutes"].sum()) / 60 if len(routes) else 0.0
        team_h = float(routes["minutes"].sum()) / 60 if len(routes) else 0.0
        by_reason = sorted(t["by_reason"].items(), key=lambda kv: (-kv[1], str(kv[0])))
        not_routed = (
            f"{_n(t['unassigned'], 'visit')} not routed: " + ", ".join(f"{r} {n}" for r, n in by_reason)
            if t["unassigned"] else "every visit routed"
        )
        return "\n".join([
            f"{_n(t['routed'], 'visit')} routed on {_n(t['routes'], 'route')} "
            f"({_n(self._count('stations'), 'station')}, {_n(self._count('days'), 'field day')})",
            not_routed,
            f"{t['km']:,.1f} km driven, {travel_h:,.1f} h of driving",
            f"{team_h * officers_per_team:,.1f} officer-hours in the field "
            f"({team_h:,.1f} team-hours x {officers_per_team} officers)",
        ])


def _n(count: int, noun: str) -> str:
    """``3 visits``, ``1 visit``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _route_station(
    st: Station, days: pd.DataFrame, rules: RoutingRules, budget: SearchBudget, tick: Callable[[], object],
) -> tuple[list[SolvedDay], list[dict[str, Any]], int]:
    """One station's month: days per visit, the assignment, one model per day, the fallback.

    Returns the final solved days, the rows of ``RoutePlan.unassigned`` for the station's visits
    that no day took, and the number of day models solved. ``tick`` is called once per day.
    """
    allowed, unfit = allowed_days(st, days, rules)
    unassigned = [unassigned_row(st.visits.iloc[i], st.station_id, reason) for i, reason in unfit.items()]
    home = assign_days(st, allowed, len(days), rules)
    solved: list[SolvedDay] = []
    pending: list[int] = []
    for d, members in enumerate(visits_by_day(home, len(days))):
        solved.append(route_day(st, members, d, days, rules, budget))
        pending += list(solved[-1].dropped)
        tick()
    fb = offer_elsewhere(st, days, solved, home, allowed, pending, rules, budget)
    unassigned += [unassigned_row(st.visits.iloc[i], st.station_id, "day_full") for i in fb.unplaced]
    return fb.days, unassigned, sum(s.solved for s in solved) + fb.solver_calls


def assemble(
    days: list[SolvedDay], unassigned: list[dict[str, Any]], reproducible: bool, parameters: dict[str, Any],
) -> RoutePlan:
    """The :class:`RoutePlan` of the solved station-days and the unassigned rows.

    Stops are sorted by station, date, team and stop order, routes by station, date and team,
    unassigned visits by ``visit_id``.
    """
    stops = pd.DataFrame([r for d in days for r in d.stops], columns=STOP_COLUMNS)
    if len(stops):
        stops = stops.sort_values(["station_id", "date", "team", "stop_order"], kind="stable").reset_index(drop=True)
    routes = pd.DataFrame([r for d in days for r in d.routes], columns=ROUTE_COLUMNS)
    if len(routes):
        routes = routes.sort_values(["station_id", "date", "team"], kind="stable").reset_index(drop=True)
    un = pd.DataFrame(unassigned, columns=UNASSIGNED_COLUMNS)
    un = un.sort_values("visit_id", kind="stable").reset_index(drop=True)
    return RoutePlan(stops, routes, un, reproducible, parameters)


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
    business_types
        The business-type table: with it the rules may name roles (``school canteen``, ``wet
        market``); without it they must name codes.

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
    v = prepare_visits(visits, establishments)
    require_columns(stations, STATION_COLUMNS, "stations")
    station_map = station_of_township(stations)
    cal = working_days(calendar)
    areas = area_types(townships)
    budget = search_budget(rules, time_limit)
    v["station_id"] = v["township_code"].map(station_map).fillna("")
    routable, unassigned = triage(v)

    st_tab = stations.copy()
    st_tab["station_id"] = st_tab["station_id"].astype(str)
    total_steps = int(st_tab["station_id"].isin(v.loc[routable, "station_id"]).sum()) * max(len(cal), 1)
    quiet = os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false")
    bar = tqdm(total=total_steps, desc="routes", unit="day", disable=True if (quiet or not progress) else None,
               leave=False)
    days: list[SolvedDay] = []
    n_calls = 0
    for srow in st_tab.itertuples(index=False):
        sv = v[routable & (v["station_id"] == srow.station_id)].reset_index(drop=True)
        if sv.empty:
            continue
        st = prepare_station(srow._asdict(), sv, labs, rules, areas, travel_matrix)
        st_days, st_unassigned, calls = _route_station(st, cal, rules, budget, lambda: bar.update(1))
        days += st_days
        unassigned += st_unassigned
        n_calls += calls
    bar.close()
    params = {
        "rules": rules.to_dict(),
        "seed": seed,
        "time_limit": time_limit,
        "solver_calls": n_calls,
        "seconds": time.perf_counter() - t0,
        "travel_matrix": travel_matrix is not None,
    }
    return assemble(days, unassigned, time_limit is None, params)
