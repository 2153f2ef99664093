"""The OR-Tools routing engine shared by the inspection routes and the VRPTW benchmark.

A :class:`RoutingProblem` is a small solver-neutral description (integer transit matrices, time
windows as lists of intervals, vehicles with their own start/end nodes and hours); :func:`solve`
builds the ``pywrapcp`` model, registers the matrices as transit matrices (much faster than Python
callbacks), and runs a first-solution fallback chain followed by guided local search bounded by a
solution limit (deterministic) or a wall-clock limit (on request).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from riskplan.interrupts import Interrupt, stoppable

T = TypeVar("T")

_BOOL_TRUE = 3  # ortools.util.optional_boolean_pb2.BOOL_TRUE
_BOOL_FALSE = 2  # ortools.util.optional_boolean_pb2.BOOL_FALSE

FIRST_SOLUTION_CHAIN: tuple[str, ...] = (
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SAVINGS",
)
"""Default first-solution strategies, tried in order until one finds a solution (PATH_CHEAPEST_ARC
finds none on tight windows, see DESIGN.md)."""


@dataclasses.dataclass
class RoutingProblem:
    """A vehicle routing problem with multiple time windows, in integer units.

    Attributes
    ----------
    cost
        (n, n) integer arc costs (the objective).
    time
        (n, n) integer transit times [time unit] including the service time at the origin node.
    windows
        Per node, a list of ``(open, close)`` intervals in which service may *start*; an empty list
        means no restriction beyond the horizon.
    horizon
        Latest time of the day [time unit].
    starts, ends
        Start and end node of each vehicle.
    vehicle_start_window, vehicle_end_window
        Per vehicle ``(earliest, latest)`` for leaving the start node and reaching the end node.
    loads
        Dimension name -> (per-node integer demand, per-vehicle capacity).
    penalty
        Per node drop penalty (None: the node must be served). Depots/start/end nodes are ignored.
    allowed_vehicles
        Per node, the vehicles allowed to serve it (None: all).
    exclusive_pairs
        Pairs of vehicles of which at most one may be used (one team, two possible route ends).
    max_span
        Per-vehicle upper bound on end time minus start time (None: none).
    span_cost
        Cost per time unit of each vehicle's span, added to the arc costs.
    vehicle_fixed_cost
        Cost of each vehicle used, added to the arc costs (0: none). The VRPTW search uses it
        to steer towards fewer routes (:mod:`riskplan.routing.search`).
    """

    cost: np.ndarray
    time: np.ndarray
    windows: list[list[tuple[int, int]]]
    horizon: int
    starts: list[int]
    ends: list[int]
    vehicle_start_window: list[tuple[int, int]]
    vehicle_end_window: list[tuple[int, int]]
    loads: dict[str, tuple[list[int], list[int]]] = dataclasses.field(default_factory=dict)
    penalty: list[int | None] | None = None
    allowed_vehicles: list[list[int] | None] | None = None
    exclusive_pairs: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    max_span: list[int | None] | None = None
    span_cost: int = 0
    vehicle_fixed_cost: int = 0

    @property
    def n_nodes(self) -> int:
        """Nodes of the problem (depots and visits)."""
        return int(self.cost.shape[0])

    @property
    def n_vehicles(self) -> int:
        """Vehicles (teams) of the problem."""
        return len(self.starts)

    @property
    def terminals(self) -> set[int]:
        """The vehicles' start and end nodes (every other node is a visit)."""
        return set(self.starts) | set(self.ends)

    @property
    def n_visits(self) -> int:
        """Visits of the problem (nodes that are no vehicle's start or end)."""
        return self.n_nodes - len(self.terminals)


@dataclasses.dataclass(frozen=True)
class SearchBudget:
    """How hard and how reproducibly the solver searches.

    Attributes
    ----------
    first_solution
        First-solution strategies (``routing_enums_pb2.FirstSolutionStrategy`` names), tried in order.
    metaheuristic
        ``GUIDED_LOCAL_SEARCH`` (best measured), ``GREEDY_DESCENT``, ``TABU_SEARCH``, ...
    solution_limit
        Number of solutions the local search may visit (deterministic bound), or None.
    time_limit
        Wall-clock limit [s] (not reproducible), or None.
    gls_lambda
        Guided local search lambda coefficient (None: OR-Tools default 0.1).
    operators
        ``local_search_operators`` fields to switch on (True) or off (False).
    lns_time_limit
        Time limit of each LNS sub-search [s] (only used with a wall-clock limit).
    branch_limit
        Deterministic cap on search branches: guided local search can cycle without producing
        new solutions on very small models (one visit and its drop), where a solution limit alone
        never stops it.
    """

    first_solution: tuple[str, ...] = FIRST_SOLUTION_CHAIN
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    solution_limit: int | None = 300
    time_limit: float | None = None
    gls_lambda: float | None = None
    operators: tuple[tuple[str, bool], ...] = ()
    lns_time_limit: float | None = None
    branch_limit: int | None = 100_000


@dataclasses.dataclass
class RoutingSolution:
    """Routes found by :func:`solve`.

    Attributes
    ----------
    routes
        Per vehicle, the visited nodes in order (start and end nodes excluded).
    start_time, end_time
        Per vehicle, the time it leaves its start node and reaches its end node.
    service_start
        Node -> time its service starts.
    dropped
        Nodes not served.
    objective
        Solver objective (arc costs + span costs + penalties).
    strategy
        The first-solution strategy that succeeded.
    """

    routes: list[list[int]]
    start_time: list[int]
    end_time: list[int]
    service_start: dict[int, int]
    dropped: list[int]
    objective: int
    strategy: str


def _params(budget: SearchBudget, strategy: str) -> pywrapcp.DefaultRoutingSearchParameters:
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    p.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, budget.metaheuristic
    )
    if budget.solution_limit is not None:
        p.solution_limit = int(budget.solution_limit)
    if budget.time_limit is not None:
        p.time_limit.FromMilliseconds(max(1, int(round(budget.time_limit * 1000))))
    if budget.gls_lambda is not None:
        p.guided_local_search_lambda_coefficient = float(budget.gls_lambda)
    if budget.lns_time_limit is not None:
        p.lns_time_limit.FromMilliseconds(max(1, int(round(budget.lns_time_limit * 1000))))
    for name, on in budget.operators:
        setattr(p.local_search_operators, name, _BOOL_TRUE if on else _BOOL_FALSE)
    return p


def build_model(problem: RoutingProblem) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    """Build the ``pywrapcp`` model of ``problem`` (without solving it)."""
    n = problem.n_nodes
    manager = pywrapcp.RoutingIndexManager(n, problem.n_vehicles, problem.starts, problem.ends)
    routing = pywrapcp.RoutingModel(manager)
    cost_cb = routing.RegisterTransitMatrix(np.asarray(problem.cost, dtype=np.int64).tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    time_cb = routing.RegisterTransitMatrix(np.asarray(problem.time, dtype=np.int64).tolist())
    routing.AddDimension(time_cb, problem.horizon, problem.horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    special = problem.terminals
    for node in range(n):
        if node in special:
            continue
        idx = manager.NodeToIndex(node)
        var = time_dim.CumulVar(idx)
        win = sorted(problem.windows[node])
        if win:
            var.SetRange(int(win[0][0]), int(win[-1][1]))
            # several windows a day: forbid the gaps between them
            for (_, b), (a2, _) in zip(win[:-1], win[1:]):
                if a2 - 1 >= b + 1:
                    var.RemoveInterval(int(b + 1), int(a2 - 1))
    for v in range(problem.n_vehicles):
        lo, hi = problem.vehicle_start_window[v]
        time_dim.CumulVar(routing.Start(v)).SetRange(int(lo), int(hi))
        lo, hi = problem.vehicle_end_window[v]
        time_dim.CumulVar(routing.End(v)).SetRange(int(lo), int(hi))
        span = problem.max_span[v] if problem.max_span is not None else None
        if span is not None:
            time_dim.SetSpanUpperBoundForVehicle(int(span), v)
        # leave as late as possible (no idle wait at the first stop), arrive back as early as possible
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
    if problem.span_cost:
        time_dim.SetSpanCostCoefficientForAllVehicles(int(problem.span_cost))
    if problem.vehicle_fixed_cost:
        routing.SetFixedCostOfAllVehicles(int(problem.vehicle_fixed_cost))
    for name, (demand, capacity) in problem.loads.items():
        cb = routing.RegisterUnaryTransitVector([int(d) for d in demand])
        routing.AddDimensionWithVehicleCapacity(cb, 0, [int(c) for c in capacity], True, name)
    if problem.penalty is not None:
        for node, pen in enumerate(problem.penalty):
            if pen is not None and node not in special:
                routing.AddDisjunction([manager.NodeToIndex(node)], int(pen))
    if problem.allowed_vehicles is not None:
        for node, allowed in enumerate(problem.allowed_vehicles):
            if allowed is not None and node not in special:
                banned = [v for v in range(problem.n_vehicles) if v not in set(allowed)]
                if banned:  # -1 (not performed) stays possible
                    routing.VehicleVar(manager.NodeToIndex(node)).RemoveValues(banned)
    solver = routing.solver()
    for a, b in problem.exclusive_pairs:
        solver.Add(routing.ActiveVehicleVar(a) + routing.ActiveVehicleVar(b) <= 1)
    return manager, routing


def extract_solution(
    problem: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    sol: pywrapcp.Assignment,
    strategy: str,
) -> RoutingSolution:
    """The :class:`RoutingSolution` of an OR-Tools assignment ``sol`` of ``build_model(problem)``."""
    time_dim = routing.GetDimensionOrDie("time")
    routes: list[list[int]] = []
    starts: list[int] = []
    ends: list[int] = []
    service: dict[int, int] = {}
    served: set[int] = set()
    for v in range(problem.n_vehicles):
        idx = routing.Start(v)
        starts.append(int(sol.Value(time_dim.CumulVar(idx))))
        idx = sol.Value(routing.NextVar(idx))
        route: list[int] = []
        while not routing.IsEnd(idx):
            node = manager.IndexToNode(idx)
            route.append(node)
            service[node] = int(sol.Value(time_dim.CumulVar(idx)))
            served.add(node)
            idx = sol.Value(routing.NextVar(idx))
        ends.append(int(sol.Value(time_dim.CumulVar(idx))))
        routes.append(route)
    special = problem.terminals
    dropped = [i for i in range(problem.n_nodes) if i not in special and i not in served]
    return RoutingSolution(routes, starts, ends, service, dropped, int(sol.ObjectiveValue()), strategy)


def _cancel_on_interrupt(routing: pywrapcp.RoutingModel, interrupt: Interrupt) -> Callable[[], None]:
    """At-solution callback ending the search once Ctrl-C was pressed.

    The routing solver holds the GIL while it searches, so Python notices SIGINT only when the
    solver calls back into Python: at each solution.
    """

    def at_solution() -> None:
        if interrupt.requested:
            routing.CancelSearch()

    return at_solution


def run_stoppable(routing: pywrapcp.RoutingModel, run: Callable[..., T], *args: Any) -> T:
    """``run(*args)`` (one solve of ``routing``) so that Ctrl-C ends it and is raised afterwards.

    Every OR-Tools solve of the package goes through this or :func:`solve`: an interrupted search
    raises ``KeyboardInterrupt`` and its routes are never used (:func:`riskplan.interrupts.stoppable`).
    """
    with stoppable() as interrupt:
        routing.AddAtSolutionCallback(_cancel_on_interrupt(routing, interrupt))
        return run(*args)


def solve(problem: RoutingProblem, budget: SearchBudget = SearchBudget()) -> RoutingSolution | None:
    """Solve ``problem``: first-solution chain, then the metaheuristic within ``budget``.

    Returns None when no strategy finds a solution (only possible when some node is mandatory).
    """
    for strategy in budget.first_solution:
        manager, routing = build_model(problem)
        if budget.branch_limit is not None:
            routing.AddSearchMonitor(routing.solver().BranchesLimit(int(budget.branch_limit)))
        with stoppable() as interrupt:  # Ctrl-C: KeyboardInterrupt, never routes of a cut search
            routing.AddAtSolutionCallback(_cancel_on_interrupt(routing, interrupt))
            sol = routing.SolveWithParameters(_params(budget, strategy))
        if sol is not None:
            return extract_solution(problem, manager, routing, sol, strategy)
    return None


def routes_to_assignment(
    routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, routes: Sequence[Sequence[int]]
) -> pywrapcp.Assignment | None:
    """Turn per-vehicle node lists into an OR-Tools assignment (None if infeasible)."""
    return routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(n) for n in r] for r in routes], True)
