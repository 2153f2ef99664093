"""Month-scale routing problems (500 visits and more) solved by geographic decomposition.

One OR-Tools model of a month of visits is slow to improve: every descent of the iterated local
search scans all visits, so in a minute the search barely leaves its first local optimum (21.5 %
above the best-known distance on a 1,000-customer instance). :func:`solve_decomposed` splits the
problem instead:

1. a first solution: the visits are cut into sectors by polar angle around the depot (the
   centroid of the vehicles' start nodes), each sector solved on its own with a share of the
   vehicles, in turn round the depot; each sector hands its route nearest the next sector on
   to be solved again with it, so that the seams do not leave a short route on both sides (or,
   with ``initial="whole"``, one search of the whole problem);
2. rounds of improvement: the routes are ordered by the polar angle of their barycentre and
   grouped into parts of about ``part_visits`` visits; each part (its routes, its vehicles, a
   few idle vehicles, nearby dropped visits) is a small problem re-optimised on its own (an
   iterated local search starting from the part's routes), and its routes are replaced when they
   got cheaper. Every round starts the grouping half a part
   further round, so that the seams between parts move and routes on both sides of a seam are
   re-optimised together.

The function works on any :class:`~riskplan.routing.model.RoutingProblem` (several windows per
visit, optional visits with penalties, allowed vehicles, vehicles with their own start and end
nodes, exclusive vehicle pairs), so the month assignment of the inspection routes can call it
when a station's month is above :data:`DECOMPOSE_ABOVE` visits.
"""

from __future__ import annotations

import copy
import dataclasses
import time

import numpy as np

from riskplan.routing.model import RoutingProblem, RoutingSolution
from riskplan.routing.search import SearchSettings, improve_gls, solution_cost, solve_ils

#: Number of visits above which the VRPTW engine decomposes: the measured break-even
#: (benchmarks/ROUTING.md, "Where decomposition starts to pay"). One model against decomposition,
#: same budget, back to back, 3 instances a size (R1 tight, RC2, C1; ``vrptw_sets.py
#: write-threshold``), load 4-7 on 2 cores, 0.4-0.7 of a core each: the decomposition's mean
#: distance is -0.5 % at 300 customers (30 s; one of three instances +1.6 % worse), -3.5 % at 400
#: (30 s; all three better), -11.4 % at 600 and -17.5 % at 800 (60 s; every instance better).
DECOMPOSE_ABOVE: int = 300


@dataclasses.dataclass(frozen=True)
class DecompositionSettings:
    """How a large problem is cut and re-optimised.

    Attributes
    ----------
    part_visits
        Target number of visits per part.
    initial
        ``sectors`` (a first solution per sector of visits) or ``whole`` (one search of the
        whole problem).
    initial_share
        Share of the budget spent on the first solution (0.45: at 1,000 customers, 60 s, a
        full core, with the sectors' hand-on, -1.1 % on valid-1000 against 0.3 over three
        batches; ``benchmarks/ROUTING.md``).
    part_time
        Budget of one part's re-optimisation [s]; the rounds go on until the budget is spent
        (1 s: with ``ils_routes`` at 1,000 customers, 60 s, a full core, tune-1000 1.2 % above
        the best run of the round against 1.2 % at 0.5 s, 2.0 % at 2 s and 2.7 % at 4 s,
        valid-1000 7.29 % mean gap against 8.49 % at 2 s; 0.5 s, no better on tune-1000, was not
        run on valid-1000; ``benchmarks/ROUTING.md``).
    idle_vehicles
        Unused vehicles lent to each part (so that a part may open a route).
    above
        Number of visits above which the VRPTW benchmark decomposes.
    rounds
        Most rounds of improvement (None: until the budget is spent).
    part_search
        How a part is re-optimised (the result kept when cheaper): ``ils_routes`` (iterated
        local search from the part's current routes), ``ils`` (iterated local search afresh) or
        ``gls`` (guided local search from the part's current routes). At 1,000 customers, 60 s,
        a full core, ``ils_routes`` measured shorter than ``gls`` on all five of tune-1000
        (-0.9 to -1.2 % at 2 s a part) and on valid-1000 8.49 % mean gap against 9.46 % at 2 s,
        7.29 % at 1 s (``benchmarks/ROUTING.md``).
    eliminate_every
        Every this many rounds (0: never), each part's search starts with its shortest route
        emptied, its visits left for the search to insert elsewhere (a way to close a route);
        the result is kept only when every visit found a place and the part got cheaper. Off:
        with ``ils_routes`` at 1,000 customers, 60 s, a full core, every third round was longer
        than none on tune-1000 (+0.2 % mean) and on valid-1000 (7.70 % mean gap against
        7.42 %); ``benchmarks/ROUTING.md``.
    carry_route
        Whether the first solution by sectors hands on, after each sector, the sector's route
        nearest the next sector (its visits and its vehicle) to be solved with the next sector:
        the routes along the seams are then filled, not left short on both sides.
    route_length_rules
        Whether the sectors' and parts' iterated local search follows the route-length rules of
        :class:`SearchSettings` (``long_route_orders``, ``short_route_temperatures``; off:
        OR-Tools' recreate order and one temperature, the search measured before those rules;
        at 1,000 customers, 60 s, random order in the sectors was longer on 7 of 8 type-2
        instances, +0.3 % mean; ``benchmarks/ROUTING.md``).
    """

    part_visits: int = 120
    initial: str = "sectors"
    initial_share: float = 0.45
    part_time: float = 1.0
    idle_vehicles: int = 2
    above: int = DECOMPOSE_ABOVE
    rounds: int | None = None
    part_search: str = "ils_routes"
    eliminate_every: int = 0
    carry_route: bool = True
    route_length_rules: bool = False


@dataclasses.dataclass
class _Part:
    vehicles: list[int]
    visits: list[int]


def _may_serve(problem: RoutingProblem, visit: int, vehicles: list[int]) -> bool:
    """Whether one of ``vehicles`` may serve ``visit``."""
    allowed = None if problem.allowed_vehicles is None else problem.allowed_vehicles[visit]
    return allowed is None or bool(set(allowed) & set(vehicles))


def _pair_of(problem: RoutingProblem) -> dict[int, int]:
    out: dict[int, int] = {}
    for a, b in problem.exclusive_pairs:
        out[a], out[b] = b, a
    return out


def subproblem(
    problem: RoutingProblem, vehicles: list[int], visits: list[int], mandatory_penalty: int | None = None
) -> tuple[RoutingProblem, list[int]]:
    """The problem restricted to ``vehicles`` and ``visits``; also its node -> original node map.

    A visit whose allowed vehicles are all outside ``vehicles`` must not be passed. With
    ``mandatory_penalty``, mandatory visits may be dropped at that cost (a part then always has
    a solution; the caller keeps the penalty far above any detour).
    """
    vset = {v: k for k, v in enumerate(vehicles)}
    terminals = sorted({problem.starts[v] for v in vehicles} | {problem.ends[v] for v in vehicles})
    nodes = terminals + sorted(visits)
    idx = {node: k for k, node in enumerate(nodes)}
    sub_ix = np.ix_(nodes, nodes)
    loads = {
        name: ([int(demand[i]) for i in nodes], [int(cap[v]) for v in vehicles])
        for name, (demand, cap) in problem.loads.items()
    }
    allowed = None
    if problem.allowed_vehicles is not None:
        allowed = []
        for i in nodes:
            a = problem.allowed_vehicles[i]
            allowed.append(None if a is None else [vset[v] for v in a if v in vset])
    sub = RoutingProblem(
        cost=np.asarray(problem.cost)[sub_ix],
        time=np.asarray(problem.time)[sub_ix],
        windows=[problem.windows[i] for i in nodes],
        horizon=problem.horizon,
        starts=[idx[problem.starts[v]] for v in vehicles],
        ends=[idx[problem.ends[v]] for v in vehicles],
        vehicle_start_window=[problem.vehicle_start_window[v] for v in vehicles],
        vehicle_end_window=[problem.vehicle_end_window[v] for v in vehicles],
        loads=loads,
        penalty=_penalties(problem, nodes, mandatory_penalty),
        allowed_vehicles=allowed,
        exclusive_pairs=[(vset[a], vset[b]) for a, b in problem.exclusive_pairs if a in vset and b in vset],
        max_span=None if problem.max_span is None else [problem.max_span[v] for v in vehicles],
        span_cost=problem.span_cost,
        vehicle_fixed_cost=problem.vehicle_fixed_cost,
    )
    return sub, nodes


def _penalties(problem: RoutingProblem, nodes: list[int], mandatory: int | None) -> list[int | None] | None:
    if mandatory is None:
        return None if problem.penalty is None else [problem.penalty[i] for i in nodes]
    pen = problem.penalty or [None] * problem.n_nodes
    return [mandatory if pen[i] is None else pen[i] for i in nodes]


def mandatory_penalty(problem: RoutingProblem) -> int:
    """Cost of dropping a mandatory visit inside a part.

    Ten times the dearest arc, so that any feasible insertion is cheaper.
    """
    return 10 * int(np.asarray(problem.cost).max()) + 1


def _angles(points: np.ndarray, centre: np.ndarray) -> np.ndarray:
    d = points - centre
    return np.arctan2(d[:, 1], d[:, 0])


def _route_angles(current: RoutingSolution, vehicles: list[int], coords: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Polar angle [rad, 0 to 2 pi] of the barycentre of each vehicle's route (routes not empty)."""
    bary = np.array([coords[current.routes[v]].mean(axis=0) for v in vehicles])
    return _angles(bary, centre) % (2 * np.pi)


def _merge(
    problem: RoutingProblem, current: RoutingSolution, part: _Part, sub_sol: RoutingSolution, nodes: list[int]
) -> None:
    """Write the routes of ``sub_sol`` (a solution of the part's subproblem) into ``current``."""
    part_visits = set(part.visits)
    for k, v in enumerate(part.vehicles):
        current.routes[v] = [nodes[i] for i in sub_sol.routes[k]]
        current.start_time[v] = sub_sol.start_time[k]
        current.end_time[v] = sub_sol.end_time[k]
    for i, t in sub_sol.service_start.items():
        current.service_start[nodes[i]] = t
    dropped = set(current.dropped) - part_visits
    dropped |= {nodes[i] for i in sub_sol.dropped}
    for i in dropped:
        current.service_start.pop(i, None)
    current.dropped = sorted(dropped)


def _empty_solution(problem: RoutingProblem) -> RoutingSolution:
    special = problem.terminals
    return RoutingSolution(
        routes=[[] for _ in range(problem.n_vehicles)],
        start_time=[lo for lo, _ in problem.vehicle_start_window],
        end_time=[lo for lo, _ in problem.vehicle_end_window],
        service_start={},
        dropped=[i for i in range(problem.n_nodes) if i not in special],
        objective=0,
        strategy="decomposed",
    )


def _solve_part(
    problem: RoutingProblem, current: RoutingSolution, part: _Part, time_limit: float,
    settings: SearchSettings, search: str = "ils", eliminate: bool = False,
) -> tuple[RoutingSolution, list[int]] | None:
    """Re-optimise the part alone; its new solution when cheaper than its current routes.

    With ``eliminate`` the part's shortest route is closed: ``gls`` starts with it emptied,
    ``ils_routes`` searches without its vehicle and without idle vehicles
    (:func:`_search_without_route`).
    """
    sub, nodes = subproblem(problem, part.vehicles, part.visits, mandatory_penalty(problem))
    idx = {node: k for k, node in enumerate(nodes)}
    visits = set(part.visits)
    mine = RoutingSolution(
        routes=[[idx[i] for i in current.routes[v]] for v in part.vehicles],
        start_time=[current.start_time[v] for v in part.vehicles],
        end_time=[current.end_time[v] for v in part.vehicles],
        service_start={},
        dropped=[idx[i] for i in current.dropped if i in visits],
        objective=0,
        strategy="current",
    )
    used = [k for k, r in enumerate(mine.routes) if r]
    shortest = min(used, key=lambda k: (len(mine.routes[k]), k)) if eliminate and len(used) > 1 else None
    # guided local search polishes the part's routes; a part with unrouted visits is searched
    # afresh (from its current routes the descent rarely finds room for them). The iterated local
    # search from the routes inserts unrouted visits at a route's end or on an idle vehicle in
    # its first solution, and anywhere in its recreate steps.
    if search == "ils_routes" and shortest is not None:
        sol = _search_without_route(sub, mine.routes, shortest, time_limit, settings)
    elif search == "ils_routes":
        sol = solve_ils(sub, time_limit, settings, start=mine.routes)
    elif search == "gls" and not mine.dropped:
        start = mine.routes if shortest is None else [[] if k == shortest else r for k, r in enumerate(mine.routes)]
        sol = improve_gls(sub, start, time_limit, solution_limit=settings.solution_limit)
    else:
        sol = solve_ils(sub, time_limit, settings)
    if sol is None or solution_cost(sub, sol) >= solution_cost(sub, mine):
        return None
    if eliminate and set(sol.dropped) - set(mine.dropped):
        # the penalty of a dropped visit is below what closing a long route saves: a route is
        # closed only when all its visits found a place
        return None
    return sol, nodes


def _search_without_route(
    sub: RoutingProblem, routes: list[list[int]], closed: int, time_limit: float, settings: SearchSettings
) -> RoutingSolution | None:
    """Iterated local search of a part from its routes on its used vehicles but ``closed``.

    Without the closed route's vehicle and without idle vehicles, the search cannot open the
    route again: its visits go into the other routes or stay unrouted at their penalty. The
    solution is returned over all of ``sub``'s vehicles (``closed`` and the idle ones empty).
    """
    empty = _empty_solution(sub)  # every vehicle idle, every visit unrouted
    visits = empty.dropped
    keep = [k for k, r in enumerate(routes) if r and k != closed]
    servable = [i for i in visits if _may_serve(sub, i, keep)]
    fewer, nodes = subproblem(sub, keep, servable)  # sub's penalties: every visit may be dropped
    idx = {node: j for j, node in enumerate(nodes)}
    sol = solve_ils(fewer, time_limit, settings, start=[[idx[i] for i in routes[k]] for k in keep])
    if sol is None:
        return None
    wide = dataclasses.replace(
        empty,
        service_start={nodes[i]: t for i, t in sol.service_start.items()},
        dropped=sorted({nodes[i] for i in sol.dropped} | (set(visits) - set(servable))),
        objective=sol.objective,
        strategy=sol.strategy,
    )
    for j, k in enumerate(keep):
        wide.routes[k] = [nodes[i] for i in sol.routes[j]]
        wide.start_time[k], wide.end_time[k] = sol.start_time[j], sol.end_time[j]
    return wide


def part_settings(settings: SearchSettings, decomposition: DecompositionSettings) -> SearchSettings:
    """Search settings of the decomposition's first solution, sectors and parts.

    The route-length rules of ``settings`` (``long_route_orders``, ``short_route_temperatures``)
    apply only when :attr:`DecompositionSettings.route_length_rules` is on.
    """
    if decomposition.route_length_rules:
        return settings
    return dataclasses.replace(settings, long_route_orders=(), short_route_temperatures=())


def _sectors(problem: RoutingProblem, coords: np.ndarray, centre: np.ndarray, n_parts: int,
             offset: float) -> list[list[int]]:
    """Visits cut into ``n_parts`` sectors of equal size by polar angle (rotated by ``offset``)."""
    special = problem.terminals
    visits = np.array([i for i in range(problem.n_nodes) if i not in special])
    ang = (_angles(coords[visits], centre) - offset) % (2 * np.pi)
    order = visits[np.argsort(ang, kind="stable")]
    return [list(map(int, chunk)) for chunk in np.array_split(order, n_parts) if len(chunk)]


def _initial_by_sectors(
    problem: RoutingProblem, coords: np.ndarray, centre: np.ndarray, n_parts: int, deadline: float,
    hard_deadline: float, settings: SearchSettings, hand_on: bool = False,
) -> RoutingSolution:
    """First solution: each sector solved alone with vehicles in proportion to its visits.

    The sectors share the time up to ``deadline``; every sector gets at least a moment (up to
    ``hard_deadline``) so that every visit is routed even when the first solution overruns. With
    ``hand_on``, each solved sector hands its route nearest the next sector (visits and vehicle)
    on to be solved again with the next sector.
    """
    current = _empty_solution(problem)
    sectors = _sectors(problem, coords, centre, n_parts, 0.0)
    pair = _pair_of(problem)
    # vehicles dealt round-robin, in proportion to the sectors' visits: each sector gets a mix of
    # the vehicles (of every day and team in a month's problem), partners kept together
    n_visits = sum(len(v) for v in sectors)
    want = [problem.n_vehicles * len(v) / n_visits for v in sectors]
    dealt: list[list[int]] = [[] for _ in sectors]
    seen: set[int] = set()
    for v in range(problem.n_vehicles):
        if v in seen:
            continue
        k = max(range(len(sectors)), key=lambda j: (want[j] - len(dealt[j]), -j))
        group = [v] + ([pair[v]] if v in pair else [])
        dealt[k].extend(group)
        seen.update(group)
    carry: list[int] = []
    for k in range(len(sectors)):  # by index: a sector may hand a route on to the next one
        visits = sectors[k]
        now = time.perf_counter()
        share = max(deadline - now, 0.0) / (len(sectors) - k)
        floor = min(0.3, max(hard_deadline - now, 0.0) / (len(sectors) - k))
        vehicles = dealt[k] + carry
        ok = [i for i in visits if _may_serve(problem, i, vehicles)]
        res = _solve_part(problem, current, _Part(vehicles, ok), max(share, floor, 0.01), settings)
        if res is None:  # no solution in this sector: its visits stay dropped, vehicles go on
            carry = vehicles
            continue
        sub_sol, nodes = res
        _merge(problem, current, _Part(vehicles, ok), sub_sol, nodes)
        carry = []  # idle vehicles stay idle: the improvement rounds lend them to the parts
        if hand_on and k + 1 < len(sectors):
            carry, moved = _hand_on_edge_route(problem, current, vehicles, coords, centre, pair)
            sectors[k + 1] = moved + sectors[k + 1]
    return current


def _hand_on_edge_route(
    problem: RoutingProblem, current: RoutingSolution, vehicles: list[int], coords: np.ndarray, centre: np.ndarray,
    pair: dict[int, int],
) -> tuple[list[int], list[int]]:
    """Take a solved sector's route nearest the next sector back out of ``current``.

    The route with the largest polar angle of its barycentre (the sectors run by increasing
    angle) is emptied and its visits marked unrouted again. ``pair`` maps a vehicle to its
    exclusive partner (:func:`_pair_of`).

    Returns
    -------
    tuple of list of int
        The vehicle (with its exclusive partner) and the visits handed on to the next sector;
        empty when the sector has fewer than two routes.
    """
    used = [v for v in vehicles if current.routes[v]]
    if len(used) < 2:
        return [], []
    v = used[int(np.argmax(_route_angles(current, used, coords, centre)))]
    moved = current.routes[v]
    current.routes[v] = []
    current.start_time[v] = problem.vehicle_start_window[v][0]
    current.end_time[v] = problem.vehicle_end_window[v][0]
    for i in moved:
        current.service_start.pop(i, None)
    current.dropped = sorted(set(current.dropped) | set(moved))
    return [v] + ([pair[v]] if v in pair else []), moved


def _parts(problem: RoutingProblem, current: RoutingSolution, coords: np.ndarray, centre: np.ndarray,
           part_visits: int, shift: float, idle: int) -> list[_Part]:
    """Group the routes by the polar angle of their barycentre into parts of ~``part_visits``."""
    used = [v for v, r in enumerate(current.routes) if r]
    if not used:
        return []
    ang = _route_angles(current, used, coords, centre)
    order = [used[k] for k in np.argsort(ang, kind="stable")]
    sizes = np.array([len(current.routes[v]) for v in order], dtype=float)
    total = float(sizes.sum())
    n_parts = max(1, round(total / part_visits))
    per_part = total / n_parts
    # each route goes to the part holding its middle visit; the cut points turn by ``shift``
    middle = np.cumsum(sizes) - sizes / 2
    which = np.floor((middle / per_part + shift) % n_parts).astype(int)
    groups = [[v for v, w in zip(order, which) if w == k] for k in range(n_parts)]
    groups = [g for g in groups if g]
    pair = _pair_of(problem)
    # an exclusive partner (idle, since its vehicle is used) travels with its vehicle
    members = [g + [pair[v] for v in g if v in pair] for g in groups]
    taken = {v for m in members for v in m}
    idle_pool = [v for v in range(problem.n_vehicles) if not current.routes[v] and v not in taken]
    parts = []
    for g, vehicles in zip(groups, members):
        for _ in range(idle):
            if not idle_pool:
                break
            v = idle_pool.pop(0)
            vehicles.append(v)
            if v in pair and pair[v] in idle_pool:
                idle_pool.remove(pair[v])
                vehicles.append(pair[v])
        parts.append(_Part(vehicles, [i for v in g for i in current.routes[v]]))
    # dropped visits join the part whose routes pass nearest
    if current.dropped:
        bary_part = np.array([coords[p.visits].mean(axis=0) for p in parts])
        for i in current.dropped:
            for k in np.argsort(((bary_part - coords[i]) ** 2).sum(axis=1)):
                if _may_serve(problem, i, parts[k].vehicles):
                    parts[k].visits.append(i)
                    break
    return parts


def solve_decomposed(
    problem: RoutingProblem,
    coords: np.ndarray,
    time_limit: float,
    settings: SearchSettings | None = None,
    decomposition: DecompositionSettings | None = None,
) -> RoutingSolution | None:
    """Solve a large routing problem by parts within a wall-clock budget.

    Parameters
    ----------
    problem
        The problem (any size; below about ``2 * part_visits`` visits there is one part).
    coords
        (n_nodes, 2) planar coordinates of the nodes [any length unit], used only to group
        visits and routes by direction from the depot.
    time_limit
        Wall-clock budget [s].
    settings
        Search settings of every part's iterated local search (None: the defaults).
    decomposition
        How the problem is cut (None: the defaults).

    Returns
    -------
    RoutingSolution or None
        The routes of every vehicle, with ``strategy="decomposed"``; None when no visit could be
        routed although all are mandatory. Mandatory visits left unrouted are in ``dropped``:
        the caller checks it.
    """
    deadline = time.perf_counter() + time_limit
    settings = settings or SearchSettings()
    decomposition = decomposition or DecompositionSettings()
    coords = _checked_coords(problem, coords)
    centre = coords[sorted(set(problem.starts))].mean(axis=0)
    n_visits = problem.n_visits
    n_parts = max(1, round(n_visits / decomposition.part_visits))
    if n_parts == 1:
        return solve_ils(problem, time_limit, settings)
    settings = part_settings(settings, decomposition)
    first_deadline = time.perf_counter() + decomposition.initial_share * time_limit
    current = None
    if decomposition.initial == "whole":
        current = solve_ils(problem, first_deadline - time.perf_counter(), settings)
    if current is None:
        current = _initial_by_sectors(problem, coords, centre, n_parts, first_deadline, deadline, settings,
                                      decomposition.carry_route)
    return improve_by_parts(problem, current, coords, deadline - time.perf_counter(), settings, decomposition)


def _checked_coords(problem: RoutingProblem, coords: np.ndarray) -> np.ndarray:
    coords = np.asarray(coords, dtype=float)
    if coords.shape != (problem.n_nodes, 2):
        raise ValueError(f"coords must have shape ({problem.n_nodes}, 2), not {coords.shape}")
    return coords


def improve_by_parts(
    problem: RoutingProblem,
    solution: RoutingSolution,
    coords: np.ndarray,
    time_limit: float,
    settings: SearchSettings | None = None,
    decomposition: DecompositionSettings | None = None,
) -> RoutingSolution:
    """Re-optimise ``solution`` part by part (rounds of :func:`solve_decomposed`, step 2).

    A part's routes are replaced only by cheaper ones: the cost never increases. ``solution``
    is not modified; the improved copy (``strategy="decomposed"``) is returned.

    Parameters
    ----------
    problem
        The problem.
    solution
        A solution of ``problem`` (routes of every vehicle; the dropped visits).
    coords
        (n_nodes, 2) planar coordinates of the nodes [any length unit].
    time_limit
        Wall-clock budget [s].
    settings, decomposition
        As for :func:`solve_decomposed`.
    """
    deadline = time.perf_counter() + time_limit
    decomposition = decomposition or DecompositionSettings()
    settings = part_settings(settings or SearchSettings(), decomposition)
    coords = _checked_coords(problem, coords)
    centre = coords[sorted(set(problem.starts))].mean(axis=0)
    current = copy.deepcopy(solution)
    current.strategy = "decomposed"
    rnd = 0
    while deadline - time.perf_counter() > 0.2 and (decomposition.rounds is None or rnd < decomposition.rounds):
        parts = _parts(problem, current, coords, centre, decomposition.part_visits, 0.5 * rnd,
                       decomposition.idle_vehicles)
        every = decomposition.eliminate_every
        eliminate = every > 0 and rnd % every == every - 1  # a round of route elimination
        for part in parts:
            left = deadline - time.perf_counter()
            if left <= 0.2:
                break
            res = _solve_part(problem, current, part, min(decomposition.part_time, left), settings,
                              decomposition.part_search, eliminate)
            if res is not None:
                _merge(problem, current, part, *res)
        rnd += 1
    current.objective = solution_cost(problem, current)
    return current
