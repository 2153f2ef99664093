"""The month assignment of a large station: its visits to team-days by geographic decomposition.

One CP-SAT model of the whole district (:mod:`riskplan.routing.month`) holds a boolean per visit,
station, team and day; a city station's month of 500-1,000 visits makes it large and its greedy
hint the likely answer. Above :data:`LARGE_STATION_VISITS` visits, a station's month is instead one
vehicle routing problem solved by parts (:func:`riskplan.routing.decompose.solve_decomposed`):

- the vehicles are the station's team-days of a fixed pattern (:func:`team_day_pattern`: every
  team as many field days as ``field_days_per_week`` and ``min_gap_days`` allow, the teams
  staggered over the dates), each twice: ending back at the station, or at the nearest lab taking
  samples that day before its cut-off (an exclusive pair: one team, two possible route ends);
- a visit may ride a vehicle of a day where it fits alone (:mod:`riskplan.routing.feasible`), with
  a matching end: a perishable one ends at the lab, or is held overnight where allowed;
- samples within the team's day and cold box, and within the vehicle's share of the lab's
  capacity: the station gets its share of the district's samples of each lab day's free capacity,
  split evenly over its team-days out that day; where the routes still deliver more on a lab day
  (a team-day ending at the station delivers the next day), visits are taken off until none goes
  over (they are offered elsewhere afterwards);
- the search runs with solution limits and a fixed number of rounds (:data:`MONTH_SEARCH`,
  :data:`MONTH_DECOMPOSITION`), not against the clock: the same input gives the same plan. The
  wall-clock limit :data:`SAFETY_SECONDS` only stops a search that would run far longer than
  measured; a plan cut by it is not reproducible.

The team-days read off the routes book their lab loads; the CP-SAT model then assigns the other
stations' visits with that booking (:func:`assign_with_large`). Visits the routes leave out are
``unplaced`` and go the usual way: offered to other team-days, then reported with their reason.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping

import numpy as np

from riskplan.routing.assignment import Assignment, TeamDay
from riskplan.routing.day import station_nodes
from riskplan.routing.decompose import DECOMPOSE_ABOVE, DecompositionSettings, solve_decomposed
from riskplan.routing.fallback import LabKey, lab_loads
from riskplan.routing.feasible import Fit
from riskplan.routing.model import RoutingProblem
from riskplan.routing.month import WEIGHTS, assign_month
from riskplan.routing.network import Month
from riskplan.routing.search import SearchSettings
from riskplan.routing.windows import intersect, start_windows
from riskplan.timeofday import parse_hhmm

LARGE_STATION_VISITS: int = DECOMPOSE_ABOVE
"""A station's month with more routable visits than this is assigned by decomposition.

The break-even of one model against decomposition measured on VRPTW instances
(:data:`riskplan.routing.decompose.DECOMPOSE_ABOVE`, ``benchmarks/ROUTING.md``). Ouhai's
stations hold at most about 120 visits a month, far below it.
"""

MONTH_SEARCH = SearchSettings(
    solution_limit=30, larger_ruins=(), larger_starts=(), long_route_orders=(), short_route_temperatures=()
)
"""Search of every part (each OR-Tools run stops after this many solutions: deterministic).

One ruin size, one portfolio of first solutions, one recreate order and one temperature for
every part: the larger ruins, the larger problems' single start, the long routes' random order
and the short routes' temperature were measured on time-limited VRPTW runs, not on a month's
assignment bounded by solution limits."""

MONTH_DECOMPOSITION = DecompositionSettings(
    part_visits=120, rounds=2, part_time=1e6, above=0, carry_route=False, initial_share=0.3,
    part_search="gls", eliminate_every=0,
)
"""Parts of about 120 visits, two rounds of re-optimisation (the seams moved by half a part) by
guided local search from the parts' routes, no round of route elimination; the first solution's
sectors do not hand routes on and share the first 30 % of the safety limit (the hand-on, the
larger share, the iterated local search from the parts' routes and the route elimination were
measured on time-limited VRPTW runs only, like :data:`MONTH_SEARCH`)."""

SAFETY_SECONDS: float = 600.0
"""Wall-clock limit of one station's decomposition [s]; never reached on the measured months."""

_NOT_HERE = Fit(0, False, (), (), (0, 0))


def large_stations(month: Month) -> list[int]:
    """Stations whose month holds more than :data:`LARGE_STATION_VISITS` visits."""
    counts = np.bincount(month.home.astype(int), minlength=len(month.stations))
    return [s for s in range(len(month.stations)) if counts[s] > LARGE_STATION_VISITS]


def team_day_pattern(month: Month, s: int) -> list[tuple[int, int]]:
    """``(team, day)`` of every field day the teams of station ``s`` are offered.

    Each team in turn takes every day the week limit and the gap allow
    (:meth:`~riskplan.routing.network.Month.may_go_out`), the days with the fewest teams out
    first, so that the teams are staggered over the dates.
    """
    n_days = len(month.days)
    out_on = [0] * n_days
    pattern: list[tuple[int, int]] = []
    for k in range(1, month.stations[s].teams + 1):
        used: list[int] = []
        for d in sorted(range(n_days), key=lambda d: (out_on[d], (d - k) % n_days)):
            if month.may_go_out(used, d):
                used.append(d)
                out_on[d] += 1
        pattern += [(k, d) for d in used]
    return sorted(pattern)


@dataclasses.dataclass(frozen=True)
class _Vehicle:
    team: int
    day: int
    to_lab: bool
    lab: int


def _nearest_lab(month: Month, s: int, day: int | None) -> int | None:
    """The lab nearest to station ``s`` (taking samples on ``day`` unless None)."""
    labs = [lab for lab in range(len(month.labs)) if day is None or month.takes(lab, day)]
    return min(labs, key=lambda lab: (month.minutes[s, month.lab_node(lab)], lab)) if labs else None


def _vehicles(month: Month, s: int) -> list[_Vehicle]:
    """Per team-day of the pattern: ending at the station, then (where a lab takes samples) at the lab."""
    home_lab = _nearest_lab(month, s, None)
    out: list[_Vehicle] = []
    for k, d in team_day_pattern(month, s):
        out.append(_Vehicle(k, d, False, int(home_lab or 0)))
        lab = _nearest_lab(month, s, d)
        if lab is not None:
            out.append(_Vehicle(k, d, True, lab))
    return out


def _delivers(month: Month, v: _Vehicle) -> LabKey:
    date = month.date(v.day) if v.to_lab else month.delivery_date(v.lab, v.day)
    return month.labs[v.lab].lab_id, date


def _sample_limits(month: Month, s: int, vehicles: list[_Vehicle], booked: Mapping[LabKey, int]) -> list[int]:
    """Per vehicle, the samples it may take: a team's day, and its share of the lab day's capacity.

    The station's share of the district's samples of the lab day's free capacity, split over the
    team-days of the pattern out that day (a team-day's other route end delivers on another day:
    :func:`_trim_to_capacity` removes what still goes over).
    """
    top = month.rules.max_samples_per_team_day
    share = _station_share(month, s)
    out_on: dict[LabKey, set[tuple[int, int]]] = defaultdict(set)
    for v in vehicles:
        if v.to_lab:
            out_on[_delivers(month, v)].add((v.team, v.day))
    out = []
    for v in vehicles:
        key = _delivers(month, v)
        room = _room_for(month, key, booked, share)
        out.append(top if room is None else min(top, room // max(len(out_on[key]), 1)))
    return out


def _trim_to_capacity(
    month: Month, s: int, team_days: dict[tuple[int, int, int], TeamDay], booked: Mapping[LabKey, int],
) -> list[int]:
    """Take visits off the team-days until no lab day goes over the station's share; the visits taken off.

    From the fullest team-day delivering to an over-full lab day, its last visit (by index) first:
    deterministic.
    """
    share = _station_share(month, s)
    removed: list[int] = []
    while True:
        loads = lab_loads(month, list(team_days.values()))
        over = [key for key, n in sorted(loads.items()) if (room := _room_for(month, key, booked, share)) is not None
                and n > room]
        if not over:
            return sorted(removed)
        key = over[0]
        on_key = [t for t in team_days.values() if key in lab_loads(month, [t])]
        t = max(on_key, key=lambda t: (len(t.visits) + len(t.held), t.team, t.day))
        last = max((*t.visits, *t.held))
        removed.append(last)
        visits = tuple(i for i in t.visits if i != last)
        held = tuple(i for i in t.held if i != last)
        if visits or held:
            team_days[(s, t.team, t.day)] = dataclasses.replace(t, visits=visits, held=held)
        else:
            del team_days[(s, t.team, t.day)]


def _station_share(month: Month, s: int) -> float:
    """Station ``s``'s share of the month's samples (0-1)."""
    return float(month.samples[month.home == s].sum()) / max(float(month.samples.sum()), 1.0)


def _room_for(month: Month, key: LabKey, booked: Mapping[LabKey, int], share: float) -> int | None:
    """The samples of the lab day ``key`` a station with ``share`` may deliver: that share of the free capacity.

    None when the lab has no daily capacity.
    """
    cap = next(lab.capacity for lab in month.labs if lab.lab_id == key[0])
    return None if cap is None else int(max(cap - int(booked.get(key, 0)), 0) * share)


def _may_ride(month: Month, i: int, v: _Vehicle, f: Fit) -> bool:
    if not f.ok:
        return False
    if v.to_lab:
        return f.lab_ok[v.lab]
    return f.hold_ok[v.lab] if month.perishable[i] else f.station_ok


def station_problem(
    month: Month, s: int, visits: list[int], fits: Mapping[tuple[int, int, int], Fit],
    booked: Mapping[LabKey, int],
) -> tuple[RoutingProblem, np.ndarray, list[_Vehicle]]:
    """The month of station ``s`` as one routing problem; node 0 the station, then the labs, then ``visits``.

    Returns
    -------
    The problem, planar node coordinates [degrees of latitude] and the vehicles.
    """
    rules = month.rules
    vehicles = _vehicles(month, s)
    nodes, lab_pos, minutes, t_int = station_nodes(month, s, {v.lab for v in vehicles if v.to_lab}, visits)
    labs, off = list(lab_pos), 1 + len(lab_pos)
    start, early, end = parse_hhmm(rules.day_start), parse_hhmm(rules.early_start), parse_hhmm(rules.day_end)
    windows: list[list[tuple[int, int]]] = [[] for _ in range(off)]
    allowed: list[list[int] | None] = [None] * off
    for i in visits:
        # the team leaves at the day's start: no visit starts before the drive from the station
        drive = int(np.ceil(month.minutes[s, month.visit_node(i)] - 1e-9))
        sw = start_windows(intersect(month.windows[i], [(start + drive, end)]), int(month.service[i]))
        if month.early[i] or not sw:
            sw = start_windows(intersect(month.windows[i], [(early + drive, end)]), int(month.service[i]))
        windows.append(sw or [(end, end)])
        allowed.append([n for n, v in enumerate(vehicles) if _may_ride(month, i, v, fits[(i, s, v.day)])])
    limits = _sample_limits(month, s, vehicles, booked)
    per = month.perishable
    n_v = len(vehicles)
    problem = RoutingProblem(
        cost=np.rint(minutes * 60).astype(np.int64),  # travel seconds
        time=t_int,
        windows=windows,
        horizon=24 * 60,
        starts=[0] * n_v,
        ends=[lab_pos[v.lab] if v.to_lab else 0 for v in vehicles],
        vehicle_start_window=[(early, end)] * n_v,
        vehicle_end_window=[(month.labs[v.lab].open, min(end, month.labs[v.lab].cutoff)) if v.to_lab
                            else (early, end) for v in vehicles],
        loads={
            "samples": ([0] * off + [int(month.samples[i]) for i in visits], limits),
            "cold": ([0] * off + [int(month.samples[i]) if per[i] else 0 for i in visits],
                     [rules.cold_box_samples] * n_v),
        },
        penalty=[None] * off + [rules.drop_penalty] * len(visits),
        allowed_vehicles=allowed,
        exclusive_pairs=[(a, a + 1) for a in range(n_v - 1)
                         if (vehicles[a].team, vehicles[a].day) == (vehicles[a + 1].team, vehicles[a + 1].day)],
        max_span=[rules.max_shift_minutes] * n_v,
    )
    lon = np.array([month.stations[s].lon] + [month.labs[lab].lon for lab in labs]
                   + list(month.visits["lon_wgs84"].to_numpy(float)[visits]))
    lat = np.array([month.stations[s].lat] + [month.labs[lab].lat for lab in labs]
                   + list(month.visits["lat_wgs84"].to_numpy(float)[visits]))
    coords = np.c_[lon * np.cos(np.radians(float(lat.mean()))), lat]
    return problem, coords, vehicles


def assign_station(
    month: Month, s: int, fits: Mapping[tuple[int, int, int], Fit], booked: Mapping[LabKey, int],
) -> tuple[dict[tuple[int, int, int], TeamDay], list[int], list[int]]:
    """Station ``s``'s visits that fit one of its days, to its team-days by decomposition.

    Returns
    -------
    The team-days, the visits taken up (routed or not) and those the routes left out.
    """
    visits = [i for i in range(month.n_visits) if int(month.home[i]) == s
              and any(fits[(i, s, d)].ok for d in range(len(month.days)))]
    problem, coords, vehicles = station_problem(month, s, visits, fits, booked)
    off = problem.n_nodes - len(visits)
    sol = solve_decomposed(problem, coords, SAFETY_SECONDS, MONTH_SEARCH, MONTH_DECOMPOSITION)
    if sol is None:  # cannot happen with every visit optional, kept for safety
        return {}, visits, visits
    team_days: dict[tuple[int, int, int], TeamDay] = {}
    for n, route in enumerate(sol.routes):
        if not route:
            continue
        v = vehicles[n]
        mine = sorted(visits[j - off] for j in route)
        held = tuple(i for i in mine if month.perishable[i] and not v.to_lab)
        done = tuple(i for i in mine if i not in held)
        team_days[(s, v.team, v.day)] = TeamDay(s, v.team, v.day, v.to_lab, v.lab, done, held)
    left = sorted(visits[j - off] for j in sol.dropped if j >= off)
    return team_days, visits, sorted(left + _trim_to_capacity(month, s, team_days, booked))


def assign_with_large(
    month: Month, fits: Mapping[tuple[int, int, int], Fit], booked: Mapping[LabKey, int], seed: int,
    large: list[int],
) -> Assignment:
    """The month assignment with the ``large`` stations assigned by decomposition (module docstring).

    The large stations' team-days book their lab loads; CP-SAT (:func:`assign_month`) assigns the
    other visits with that booking and never to a large station's teams (a visit may still be
    offered to them afterwards, :mod:`riskplan.routing.fallback`).
    """
    team_days: dict[tuple[int, int, int], TeamDay] = {}
    taken: set[int] = set()
    left: list[int] = []
    for s in large:
        tds, visits, dropped = assign_station(month, s, fits, booked)
        team_days.update(tds)
        taken |= set(visits)
        left += dropped
    with_large = dict(booked)
    for key, n in lab_loads(month, list(team_days.values())).items():
        with_large[key] = with_large.get(key, 0) + n
    rest = {key: (_NOT_HERE if key[0] in taken or key[1] in large else f) for key, f in fits.items()}
    others = assign_month(month, rest, with_large, seed)
    team_days.update(others.team_days)
    unplaced = sorted(set(left) | (set(others.unplaced) - taken))
    # the objective of the other stations' assignment, without the large stations' visits it left out
    objective = others.objective - WEIGHTS["unplaced"] * len(taken & set(others.unplaced))
    return Assignment(dict(sorted(team_days.items())), unplaced, f"DECOMPOSED+{others.status}",
                      objective, others.seconds, others.size)
