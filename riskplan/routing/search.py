"""Search settings of the OR-Tools engine for time-limited solves: iterated local search.

OR-Tools' iterated local search (``RoutingModel.SolveWithIteratedLocalSearch``) repeats: cut
strings of visits out of neighbouring routes (SISR ruin), re-insert them (cheapest insertion),
descend with the local search operators, accept the result by simulated annealing. This module
holds the settings of that search (:class:`SearchSettings`), turns them into OR-Tools parameters
adapted to the instance (:func:`ils_parameters`), and runs a portfolio of first solutions, or one
search from given routes (:func:`start_from_routes`), within a wall-clock budget
(:func:`solve_ils`). The choices and their measurements are in
``benchmarks/ROUTING.md``.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TypeVar

import numpy as np
from google.protobuf import text_format
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from riskplan.routing.model import RoutingProblem, RoutingSolution, build_model, extract_solution, run_stoppable

_T = TypeVar("_T")

_BOOL_TRUE = 3  # ortools.util.optional_boolean_pb2.BOOL_TRUE
_BOOL_FALSE = 2  # ortools.util.optional_boolean_pb2.BOOL_FALSE

#: Local search operators switched off inside the iterated local search: the insertion-based LNS
#: operators (the ruin and recreate step does that job) and a few slow neighbourhoods; more
#: iterations per second measured better than richer descents. ``use_cross`` (exchange of route
#: ends) stays on: 0.77-0.81 % against 1.14 % without it on tune-100 (benchmarks/ROUTING.md).
ILS_OPERATORS_OFF: tuple[str, ...] = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    "use_relocate_expensive_chain",
    "use_lin_kernighan",
)

#: SISR ruin of larger problems, ``(above, visits, sequence)``: above 150 visits 20 visits on
#: average in strings of up to 15 (10 and 10 below). At 200 customers, 30 s, a full core:
#: tune-200 2.90 % mean gap against 3.60 %, valid-200 3.35 % against 3.67 %; at 100 customers
#: no gain (tune-100 0.80 % against 0.74 %). The cut at 150 lies between the two measured
#: sizes (benchmarks/ROUTING.md); the decomposition's sectors and parts hold fewer visits.
LARGER_RUINS: tuple[tuple[int, int, int], ...] = ((150, 20, 15),)

#: Portfolio of larger problems, ``(above, starts)``: above 150 visits one run from SAVINGS takes
#: the whole budget (SAVINGS and parallel cheapest insertion below). At 200 customers, 30 s, a
#: full core, one batch each: tune-200 2.38 % mean gap against 2.55 %, valid-200 2.05 % against
#: 2.83 % (benchmarks/ROUTING.md); the cut is the larger ruins' one.
LARGER_STARTS: tuple[tuple[int, tuple[str, ...]], ...] = ((150, ("SAVINGS",)),)

#: Recreate order of problems with long routes, ``(above, route_visits, order)``: when a route
#: can hold more than 25 visits (:func:`route_capacity`; Solomon's type 2 holds 34-71, type 1
#: 10-15) the ruined visits are re-inserted in random order, at every size. On the type-2
#: instances, 30 s, a full core: 200 customers (tune-200 and valid-200) 1.87 % mean gap against
#: 2.61 %, better on 7 of 10; 100 customers (tune-100, valid-100, the eight; 13 instances)
#: 0.63 % against 0.85 %. On type 1 random order was worse on 9 of 10 at 200 customers. The
#: decomposition's sectors keep the fixed order (``DecompositionSettings.route_length_rules``: at
#: 1,000 customers random order there was longer on 7 of 8 type-2 instances)
#: (benchmarks/ROUTING.md).
LONG_ROUTE_ORDERS: tuple[tuple[int, float, tuple[str, ...]], ...] = ((0, 25.0, ("RANDOM",)),)

#: Annealing temperature of larger problems with short routes, ``(above, route_visits,
#: temperature)``: above 150 visits, when a route holds at most 25 visits (Solomon's type 1) the
#: search starts at 0.2 of the mean arc cost instead of 0.1. At 200 customers, 30 s, a full core,
#: on the type-1 instances of tune-200 two batches at 0.2 gave 2.37 % and 2.53 % mean gap against
#: 2.55-3.44 % in four at 0.1, on valid-200 2.85 % and 2.94 % against 3.24 %; on type 2 it was
#: worse (valid-200 2.25 % against 2.06 %) (benchmarks/ROUTING.md).
SHORT_ROUTE_TEMPERATURES: tuple[tuple[int, float, float], ...] = ((150, 25.0, 0.2),)

#: First-solution strategies tried with the time left when no start of the portfolio found a
#: solution (only possible when every visit is mandatory and the windows are tight).
FALLBACK_STARTS: tuple[str, ...] = ("LOCAL_CHEAPEST_INSERTION", "SEQUENTIAL_CHEAPEST_INSERTION")


@dataclasses.dataclass(frozen=True)
class SearchSettings:
    """Settings of the time-limited iterated local search.

    Attributes
    ----------
    starts
        First-solution strategies of the portfolio: the budget is split evenly over them (time a
        run leaves unused goes to the next), each run searches afresh, the best solution is kept
        (larger problems: :attr:`larger_starts`).
    ruin_visits
        Average number of visits removed by one SISR ruin.
    ruin_sequence
        Longest string of consecutive visits removed from one route.
    larger_ruins
        ``(above, visits, sequence)``: in a problem of more than ``above`` visits the SISR ruin
        removes ``visits`` on average, in strings of at most ``sequence`` (instead of
        ``ruin_visits`` and ``ruin_sequence``); the last entry that applies wins, ``()`` keeps
        one ruin size for every problem.
    larger_starts
        ``(above, starts)``: a problem of more than ``above`` visits runs the portfolio
        ``starts`` instead of :attr:`starts`; the last entry that applies wins, ``()`` keeps one
        portfolio for every problem.
    long_route_orders
        ``(above, route_visits, order)``: in a problem of more than ``above`` visits whose
        routes can hold more than ``route_visits`` visits (:func:`route_capacity`), the recreate
        step inserts in ``order`` instead of :attr:`insertion_order`; the last entry that
        applies wins, ``()`` keeps one order for every problem.
    short_route_temperatures
        ``(above, route_visits, temperature)``: in a problem of more than ``above`` visits whose
        routes hold at most ``route_visits`` visits (:func:`route_capacity`), the annealing
        starts at ``temperature`` instead of :attr:`temperature`; the last entry that applies
        wins, ``()`` keeps one temperature for every problem.
    bypass
        SISR bypass factor: chance of keeping a visit inside a removed string.
    random_walk
        When positive, a second ruin (a random walk of this many visits through neighbouring
        routes) alternates with SISR.
    route_ruin
        When positive, a further ruin, drawn at random with SISR (and the random walk) at each
        iteration: this many spatially close routes removed whole, their visits re-inserted
        elsewhere (a way to close a route).
    recreate
        First-solution heuristic that re-inserts the removed visits (``LOCAL_CHEAPEST_INSERTION``:
        one visit after the other at its cheapest place; ``PARALLEL_CHEAPEST_INSERTION``: the
        cheapest insertion over all visits first, slower).
    insertion_order
        Order in which local cheapest insertion re-inserts the removed visits
        (``InsertionSortingProperty`` names without the ``SORTING_PROPERTY_`` prefix, e.g.
        ``RANDOM``; empty: OR-Tools' default); :attr:`long_route_orders` replaces it where it
        applies.
    temperature
        Initial simulated-annealing temperature as a share of the mean arc cost (OR-Tools'
        automatic choice: 0.1); it falls to a hundredth of that by the end of the run;
        :attr:`short_route_temperatures` replaces it where it applies.
    cooling
        How the temperature falls (``CoolingScheduleStrategy`` name): ``LINEAR`` or
        ``EXPONENTIAL``.
    bandit
        Whether the descent orders its operators by a multi-armed bandit (the operators that
        improved recently are tried first) instead of a fixed order.
    neighbors
        Nearest neighbours per visit considered by the local search operators and the insertion
        heuristics (0: all). Large instances need a bound: every descent then costs
        O(visits x neighbours) instead of O(visits^2).
    operators_off
        Local search operators switched off (``local_search_operators`` field names).
    operators_on
        Local search operators switched on (off by default in OR-Tools).
    fleet_cost
        Fixed cost per vehicle used during the search, as a share of the mean distance from the
        depot to a visit (there and back); 0 minimises distance only. Fewer routes are then
        preferred unless they cost more distance than this.
    solution_limit
        Solutions each run may visit (None: no limit). With a limit and an ample time limit the
        search is deterministic (tests).
    polish
        Share of the budget left, after the iterated local search, to a guided local search
        from its best solution (0: none).
    raw_parameters
        OR-Tools ``RoutingSearchParameters`` in protobuf text format, merged last onto the
        parameters this module builds (for experiments with settings it does not name; empty:
        none).
    """

    starts: tuple[str, ...] = ("SAVINGS", "PARALLEL_CHEAPEST_INSERTION")
    ruin_visits: int = 10
    ruin_sequence: int = 10
    larger_ruins: tuple[tuple[int, int, int], ...] = LARGER_RUINS
    larger_starts: tuple[tuple[int, tuple[str, ...]], ...] = LARGER_STARTS
    long_route_orders: tuple[tuple[int, float, tuple[str, ...]], ...] = LONG_ROUTE_ORDERS
    short_route_temperatures: tuple[tuple[int, float, float], ...] = SHORT_ROUTE_TEMPERATURES
    bypass: float = 0.01
    random_walk: int = 0
    route_ruin: int = 0
    recreate: str = "LOCAL_CHEAPEST_INSERTION"
    insertion_order: tuple[str, ...] = ()
    temperature: float = 0.1
    cooling: str = "EXPONENTIAL"
    bandit: bool = False
    neighbors: int = 0
    operators_off: tuple[str, ...] = ILS_OPERATORS_OFF
    operators_on: tuple[str, ...] = ()
    fleet_cost: float = 0.0
    solution_limit: int | None = None
    polish: float = 0.0
    raw_parameters: str = ""


def mean_arc_cost(problem: RoutingProblem) -> float:
    """Mean cost of an arc between two distinct nodes (the scale of the temperatures)."""
    c = np.asarray(problem.cost, dtype=float)
    n = c.shape[0]
    return float((c.sum() - np.trace(c)) / max(1, n * (n - 1)))


def ruin_size(settings: SearchSettings, n_visits: int) -> tuple[int, int]:
    """SISR ruin of a problem of ``n_visits`` visits: (average visits removed, longest string)."""
    size = (settings.ruin_visits, settings.ruin_sequence)
    for above, visits, sequence in settings.larger_ruins:
        if n_visits > above:
            size = (visits, sequence)
    return size


def portfolio(settings: SearchSettings, n_visits: int) -> tuple[str, ...]:
    """First-solution strategies of the portfolio for a problem of ``n_visits`` visits."""
    starts = settings.starts
    for above, larger in settings.larger_starts:
        if n_visits > above:
            starts = larger
    return starts


def route_capacity(problem: RoutingProblem, nearest: int = 5) -> float:
    """Visits one route can hold, estimated before any search (how long the routes are).

    The fewer of two bounds: each load's vehicle capacity over the mean demand of a visit, and
    the vehicles' median working time (their window, or their longest span when shorter) over
    the mean time a visit takes (service plus the transit to its ``nearest`` nearest visits,
    averaged).

    Parameters
    ----------
    problem
        The problem.
    nearest
        Neighbours over which a visit's onward transit is averaged.

    Returns
    -------
    float
        Visits per route [visits]; ``inf`` when no bound applies (no visits, no load with a
        demand, no transit time).
    """
    visits = np.array(sorted(set(range(problem.n_nodes)) - problem.terminals), dtype=int)
    if visits.size == 0:
        return float("inf")
    bounds = []
    for demand, capacity in problem.loads.values():
        mean_demand = float(np.mean(np.asarray(demand, dtype=float)[visits]))
        if mean_demand > 0 and len(capacity):
            bounds.append(float(np.median(capacity)) / mean_demand)
    if visits.size > 1 and problem.n_vehicles:
        t = np.asarray(problem.time, dtype=float)[np.ix_(visits, visits)]
        np.fill_diagonal(t, np.inf)
        k = min(nearest, visits.size - 1)
        per_visit = float(np.mean(np.partition(t, k - 1, axis=1)[:, :k]))
        spans = problem.max_span or [None] * problem.n_vehicles
        hours = []
        for start, end, span in zip(problem.vehicle_start_window, problem.vehicle_end_window, spans):
            window = end[1] - start[0]
            hours.append(max(0, window if span is None else min(window, span)))
        working = float(np.median(hours))
        if per_visit > 0:
            bounds.append(working / per_visit)
    return min(bounds) if bounds else float("inf")


def _route_length_rules(
    problem: RoutingProblem, rules: tuple[tuple[int, float, _T], ...], long_routes: bool
) -> list[_T]:
    """Values of the ``(above, route_visits, value)`` rules that apply to ``problem``, in order.

    A rule applies to a problem of more than ``above`` visits whose routes hold more than
    ``route_visits`` visits (``long_routes``) or at most that many (not ``long_routes``);
    :func:`route_capacity` is computed only when some rule's size applies.
    """
    values: list[_T] = []
    per_route: float | None = None
    for above, route_visits, value in rules:
        if problem.n_visits > above:
            per_route = route_capacity(problem) if per_route is None else per_route
            if (per_route > route_visits) == long_routes:
                values.append(value)
    return values


def insertion_order(settings: SearchSettings, problem: RoutingProblem) -> tuple[str, ...]:
    """Order in which the recreate step re-inserts the ruined visits of ``problem``."""
    orders = _route_length_rules(problem, settings.long_route_orders, long_routes=True)
    return orders[-1] if orders else settings.insertion_order


def temperature(settings: SearchSettings, problem: RoutingProblem) -> float:
    """Initial annealing temperature of ``problem``, as a share of its mean arc cost."""
    shares = _route_length_rules(problem, settings.short_route_temperatures, long_routes=False)
    return shares[-1] if shares else settings.temperature


def ils_parameters(
    problem: RoutingProblem, settings: SearchSettings, strategy: str, time_limit: float
) -> pywrapcp.DefaultRoutingSearchParameters:
    """OR-Tools search parameters of one iterated-local-search run of ``problem``.

    Parameters
    ----------
    problem
        The problem (its size and mean arc cost scale the neighbourhoods and temperatures).
    settings
        The search settings.
    strategy
        First-solution strategy (``routing_enums_pb2.FirstSolutionStrategy`` name).
    time_limit
        Wall-clock limit of the run [s].
    """
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    p.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    p.time_limit.FromMilliseconds(max(1, int(round(time_limit * 1000))))
    if settings.solution_limit is not None:
        p.solution_limit = int(settings.solution_limit)
    p.use_multi_armed_bandit_concatenate_operators = settings.bandit
    for name in settings.operators_off:
        setattr(p.local_search_operators, name, _BOOL_FALSE)
    for name in settings.operators_on:
        setattr(p.local_search_operators, name, _BOOL_TRUE)
    n = problem.n_nodes
    if settings.neighbors and settings.neighbors < n:
        ratio = settings.neighbors / n
        p.ls_operator_neighbors_ratio = ratio
        p.ls_operator_min_neighbors = settings.neighbors
        p.savings_parameters.neighbors_ratio = ratio
        p.global_cheapest_insertion_first_solution_parameters.neighbors_ratio = ratio
        p.global_cheapest_insertion_first_solution_parameters.min_neighbors = settings.neighbors
        p.global_cheapest_insertion_ls_operator_parameters.neighbors_ratio = ratio
        p.global_cheapest_insertion_ls_operator_parameters.min_neighbors = settings.neighbors
    p.use_iterated_local_search = True
    t0 = temperature(settings, problem) * mean_arc_cost(problem)
    removed, sequence = ruin_size(settings, problem.n_visits)
    ruins = (
        f"ruin_strategies {{ sisr {{ max_removed_sequence_size: {sequence} "
        f"avg_num_removed_visits: {removed} bypass_factor: {settings.bypass} }} }}"
    )
    if settings.random_walk > 0:
        ruins += f" ruin_strategies {{ random_walk {{ num_removed_visits: {settings.random_walk} }} }}"
    if settings.route_ruin > 0:
        ruins += f" ruin_strategies {{ spatially_close_routes {{ num_ruined_routes: {settings.route_ruin} }} }}"
    if settings.random_walk > 0 or settings.route_ruin > 0:
        ruins += " ruin_composition_strategy: RUN_ONE_RANDOMLY"
    recreate_params = ""
    order = insertion_order(settings, problem)
    if order:
        props = " ".join(f"insertion_sorting_properties: SORTING_PROPERTY_{o}" for o in order)
        recreate_params = f"parameters {{ local_cheapest_insertion {{ {props} }} }}"
    ils = f"""
perturbation_strategy: RUIN_AND_RECREATE
ruin_recreate_parameters {{
  {ruins}
  recreate_strategy {{ heuristic: {settings.recreate} {recreate_params} }}
}}
improve_perturbed_solution: true
reference_solution_acceptance_strategy {{
  simulated_annealing {{ cooling_schedule_strategy: {settings.cooling} automatic_temperatures: false
    initial_temperature: {t0:.6g} final_temperature: {t0 / 100.0:.6g} }}
}}
best_solution_acceptance_strategy {{ greedy_descent {{}} }}
"""
    # merged onto OR-Tools' defaults (route selection neighbours etc.)
    text_format.Merge(ils, p.iterated_local_search_parameters)
    if settings.raw_parameters:
        text_format.Merge(settings.raw_parameters, p)
    return p


def solution_cost(problem: RoutingProblem, sol: RoutingSolution) -> int:
    """Cost of ``sol`` in ``problem``'s terms: arcs, spans and penalties of dropped visits.

    Computed from the routes, so that searches steered by other costs (a fleet cost) compare on
    the problem's own objective.
    """
    cost = np.asarray(problem.cost)
    total = 0
    for v, route in enumerate(sol.routes):
        if not route:
            continue
        path = [problem.starts[v], *route, problem.ends[v]]
        total += int(cost[path[:-1], path[1:]].sum())
        total += problem.span_cost * (sol.end_time[v] - sol.start_time[v])
        total += problem.vehicle_fixed_cost
    if problem.penalty is not None:
        total += sum(int(problem.penalty[i] or 0) for i in sol.dropped)
    return total


def fleet_cost(problem: RoutingProblem, share: float) -> int:
    """Fixed cost per vehicle of ``share`` times the mean round trip from the starts to a visit."""
    if share <= 0:
        return 0
    cost = np.asarray(problem.cost, dtype=float)
    special = sorted(problem.terminals)
    visits = np.setdiff1d(np.arange(problem.n_nodes), special)
    if len(visits) == 0:
        return 0
    starts, ends = np.asarray(problem.starts), np.asarray(problem.ends)
    trip = cost[np.ix_(starts, visits)].mean() + cost[np.ix_(visits, ends)].mean()
    return int(round(share * trip))


def solve_ils(
    problem: RoutingProblem, time_limit: float, settings: SearchSettings | None = None,
    start: list[list[int]] | None = None,
) -> RoutingSolution | None:
    """Iterated local search from each start of the portfolio (:func:`portfolio`); the cheapest.

    Parameters
    ----------
    problem
        The problem.
    time_limit
        Wall-clock budget of the whole call [s], model building included.
    settings
        Search settings (None: the defaults).
    start
        Routes to start from instead of the portfolio (per vehicle, its visits in order; visits
        on no route are placed first): one run takes the whole budget
        (:func:`start_from_routes`). From a feasible start the solution returned is never dearer
        than it in the search's objective (with a ``fleet_cost``, distance plus that cost). A
        start that cannot be completed to a feasible first solution (a broken window, a mandatory
        visit with no place) is given up: the fallback strategies search afresh.

    Returns
    -------
    RoutingSolution or None
        None when no first-solution strategy found a solution (only possible when some visit is
        mandatory). OR-Tools' ruin and recreate draws from its own fixed-seed generator: runs are
        reproducible apart from where the wall clock cuts them.
    """
    final_deadline = time.perf_counter() + time_limit
    settings = settings or SearchSettings()
    # the iterated local search ends early when a guided-local-search polish follows
    ils_limit = time_limit * (1.0 - settings.polish)
    deadline = time.perf_counter() + ils_limit
    steered = problem
    if settings.fleet_cost > 0:
        steered = dataclasses.replace(
            problem, vehicle_fixed_cost=problem.vehicle_fixed_cost + fleet_cost(problem, settings.fleet_cost)
        )
    best: RoutingSolution | None = None
    best_cost = 0
    starts = list(portfolio(settings, problem.n_visits)) if start is None else ["LOCAL_CHEAPEST_INSERTION"]
    n_starts = len(starts)
    k = 0
    while k < len(starts):
        strategy = starts[k]
        manager, routing = build_model(steered)
        now = time.perf_counter()
        left = deadline - now
        if left <= 0.005:
            break
        # this run ends at its share of the budget; the last run takes what is left
        share_end = deadline - ils_limit * (n_starts - k - 1) / n_starts
        run_time = max(0.005, min(left, share_end - now))
        params = ils_parameters(steered, settings, strategy, run_time)
        from_routes = start if k == 0 else None  # later runs are the fallbacks
        if from_routes is not None:
            start_from_routes(manager, routing, params, from_routes)
        sol = run_stoppable(routing, routing.SolveWithIteratedLocalSearch, params)
        if sol is not None:
            found = extract_solution(problem, manager, routing, sol, "routes" if from_routes is not None else strategy)
            cost = solution_cost(problem, found)
            if best is None or cost < best_cost:
                best, best_cost = found, cost
        k += 1
        if k == len(starts) and best is None:  # a fallback runs with all the time left
            starts.extend(s for s in FALLBACK_STARTS if s not in starts)
    if best is not None and settings.polish > 0 and final_deadline - time.perf_counter() > 0.05:
        polished = improve_gls(problem, best.routes, final_deadline - time.perf_counter())
        if polished is not None and solution_cost(problem, polished) < best_cost:
            best = polished
    return best


def start_from_routes(
    manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel,
    params: pywrapcp.DefaultRoutingSearchParameters, routes: list[list[int]],
) -> None:
    """Make the next search of ``routing`` start from ``routes``: its first solution is them.

    OR-Tools' iterated local search ignores a first-solution hint and returns after one descent
    when solved from an assignment (9.15, ``benchmarks/ROUTING.md``). Routes locked into the
    model instead (``ApplyLocksToAllVehicles``) are its first solution; the first-solution
    heuristic then only places the visits on no route, at the end of a route or on an unused
    vehicle (the ruin and recreate steps later put them anywhere). The locks are released at
    that first solution; kept, they would be restored at every recreate and the search could not
    move a locked visit.

    Parameters
    ----------
    manager, routing
        The model (not yet solved; this closes it with ``params``).
    params
        The search parameters the model will be solved with.
    routes
        Per vehicle, its visits in order (nodes; missing vehicles have no route).

    Raises
    ------
    ValueError
        When the routes are not paths of the model (a node that is no visit, a visit twice, or
        on a vehicle it may not ride).
    """
    if len(routes) > routing.vehicles():
        raise ValueError(f"the start routes are not paths of the routing model: {len(routes)} routes, "
                         f"{routing.vehicles()} vehicles")
    n_nodes = manager.GetNumberOfNodes()
    locks: list[list[int]] = [[] for _ in range(routing.vehicles())]
    for lock, route in zip(locks, routes):
        for node in route:
            index = manager.NodeToIndex(node) if 0 <= node < n_nodes else -1
            if index < 0 or routing.IsStart(index):  # -1: outside, or a route's end only
                raise ValueError(f"the start routes are not paths of the routing model: node {node} is no visit")
            lock.append(index)
    routing.CloseModelWithParameters(params)
    if not routing.ApplyLocksToAllVehicles(locks, False):
        raise ValueError("the start routes are not paths of the routing model")
    pre = routing.MutablePreAssignment()
    released: list[bool] = []

    def release() -> None:  # at the first solution only: later ones must not clear anything
        if not released:
            released.append(True)
            pre.Clear()

    routing.AddAtSolutionCallback(release)


def improve_gls(
    problem: RoutingProblem, routes: list[list[int]], time_limit: float, gls_lambda: float = 0.5,
    solution_limit: int | None = None,
) -> RoutingSolution | None:
    """Guided local search from given routes (a warm start; iterated local search cannot).

    Parameters
    ----------
    problem
        The problem.
    routes
        Per vehicle, its visits in order (``[]`` for an idle vehicle); visits on no route are
        inactive (dropped) in the start solution.
    time_limit
        Wall-clock limit [s].
    gls_lambda
        Guided local search lambda coefficient.
    solution_limit
        Solutions the search may visit (None: no limit). With a limit and an ample time limit the
        search is deterministic.

    Returns
    -------
    RoutingSolution or None
        The best solution visited, never worse than the start; None when the routes are not a
        solution of ``problem``.
    """
    t_end = time.perf_counter() + time_limit
    manager, routing = build_model(problem)
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    p.guided_local_search_lambda_coefficient = gls_lambda
    p.time_limit.FromMilliseconds(max(1, int(round(1000 * time_limit))))
    if solution_limit is not None:
        p.solution_limit = int(solution_limit)
    routing.CloseModelWithParameters(p)
    start = routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(i) for i in r] for r in routes], True)
    if start is None:
        return None
    p.time_limit.FromMilliseconds(max(1, int(round(1000 * (t_end - time.perf_counter())))))
    sol = run_stoppable(routing, routing.SolveFromAssignmentWithParameters, start, p)
    return None if sol is None else extract_solution(problem, manager, routing, sol, "GLS")
