"""Large-neighbourhood search (ruin and recreate) on top of the OR-Tools routing model.

Each iteration removes a group of nearby visits from the current routes (strings cut out of
neighbouring routes, after Christiaens & Vanden Berghe's SISR ruin), warm-starts the OR-Tools model
from the partial routes (:meth:`RoutingModel.ReadAssignmentFromRoutes` on a model where every
visit may be dropped at a prohibitive penalty) and lets its local search re-insert and improve
(:meth:`RoutingModel.SolveFromAssignmentWithParameters`). The result replaces the current
solution when it is not much worse (record-to-record travel), and the best one is kept.
Only OR-Tools is used for the search; the ruin step is a few lines of Python.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from riskplan.routing.model import RoutingProblem, build_model


@dataclasses.dataclass(frozen=True)
class LnsSettings:
    """Ruin-and-recreate settings.

    Attributes
    ----------
    avg_removed
        Mean number of visits removed per iteration (SISR's c-bar).
    max_string
        Longest string cut out of one route (SISR's L-max).
    ls_time
        Time limit of each re-optimisation [s] (the local search usually stops earlier, at a
        local optimum).
    threshold
        Record-to-record travel: accept a solution at most this fraction above the best at the
        start, decreasing linearly to zero at the end of the budget.
    max_iterations
        Iteration cap (the deterministic bound when no wall-clock limit is given).
    """

    avg_removed: float = 10.0
    max_string: int = 10
    ls_time: float = 1.0
    threshold: float = 0.01
    max_iterations: int = 1_000_000


def _params(ls_time: float) -> pywrapcp.DefaultRoutingSearchParameters:
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    p.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    p.time_limit.FromMilliseconds(max(1, int(round(ls_time * 1000))))
    return p


def routes_cost(cost: np.ndarray, routes: list[list[int]], depot: int = 0) -> int:
    """Total arc cost of depot-to-depot ``routes``."""
    total = 0
    for r in routes:
        if r:
            path = [depot, *r, depot]
            total += int(cost[path[:-1], path[1:]].sum())
    return total


def ruin(
    routes: list[list[int]], neighbours: np.ndarray, rng: np.random.Generator, settings: LnsSettings
) -> list[list[int]]:
    """Remove strings of nearby visits from ``routes`` (SISR ruin); return the partial routes."""
    routes = [list(r) for r in routes if r]
    where = {c: i for i, r in enumerate(routes) for c in r}
    lmax = min(settings.max_string, max(len(r) for r in routes))
    mean_len = sum(len(r) for r in routes) / len(routes)
    ls_max = min(lmax, mean_len)
    ks_max = 4.0 * settings.avg_removed / (1.0 + ls_max) - 1.0
    n_strings = int(rng.uniform(1.0, ks_max + 1.0))
    seed = int(rng.integers(1, len(neighbours)))
    ruined: set[int] = set()
    removed: set[int] = set()
    for c in neighbours[seed]:
        c = int(c)
        if len(ruined) >= n_strings:
            break
        if c not in where or c in removed or where[c] in ruined:
            continue
        ri = where[c]
        r = routes[ri]
        l_max = min(len(r), ls_max)
        length = int(rng.uniform(1.0, l_max + 1.0))
        pos = r.index(c)
        start = int(rng.integers(max(0, pos - length + 1), min(pos, len(r) - length) + 1))
        removed.update(r[start : start + length])
        ruined.add(ri)
    return [[c for c in r if c not in removed] for r in routes]


def improve(
    problem: RoutingProblem,
    routes: list[list[int]],
    deadline: float,
    seed: int = 0,
    settings: LnsSettings = LnsSettings(),
    stats: dict[str, int] | None = None,
) -> list[list[int]]:
    """Ruin-and-recreate ``routes`` (all visits served) until ``deadline`` (``time.perf_counter``).

    Returns the best routes found (``routes`` itself when nothing better turns up); ``stats``, when
    given, receives the numbers of iterations and of improvements of the best.
    """
    cost = np.asarray(problem.cost)
    n = problem.n_nodes
    big = int(cost.max()) * n * 10 + 1
    lp = dataclasses.replace(problem, penalty=[None] + [big] * (n - 1))
    manager, routing = build_model(lp)
    params = _params(settings.ls_time)
    routing.CloseModelWithParameters(params)
    rng = np.random.default_rng(seed)
    order = np.argsort(cost + cost.T, axis=1, kind="stable")
    neighbours = np.array([[j for j in row if j != 0] for row in order])
    best = [list(r) for r in routes if r]
    best_cost = routes_cost(cost, best)
    cur, cur_cost = best, best_cost
    t0 = time.perf_counter()
    span = max(deadline - t0, 1e-9)
    n_iter = n_best = 0
    for _ in range(settings.max_iterations):
        n_iter += 1
        now = time.perf_counter()
        if now >= deadline:
            break
        partial = ruin(cur, neighbours, rng, settings)
        start = routing.ReadAssignmentFromRoutes(
            [[manager.NodeToIndex(c) for c in r] for r in partial], True
        )
        if start is None:
            continue
        left = deadline - now
        if left < settings.ls_time:
            p = _params(left)
            sol = routing.SolveFromAssignmentWithParameters(start, p)
        else:
            sol = routing.SolveFromAssignmentWithParameters(start, params)
        if sol is None:
            continue
        new: list[list[int]] = []
        for v in range(lp.n_vehicles):
            idx = sol.Value(routing.NextVar(routing.Start(v)))
            r = []
            while not routing.IsEnd(idx):
                r.append(manager.IndexToNode(idx))
                idx = sol.Value(routing.NextVar(idx))
            if r:
                new.append(r)
        if sum(len(r) for r in new) != n - 1:
            continue
        c_new = routes_cost(cost, new)
        frac = (time.perf_counter() - t0) / span
        limit = best_cost * (1.0 + settings.threshold * max(0.0, 1.0 - frac))
        if c_new < best_cost:
            best, best_cost = new, c_new
            n_best += 1
        if c_new <= limit or c_new < cur_cost:
            cur, cur_cost = new, c_new
    if stats is not None:
        stats.update(iterations=n_iter, improvements=n_best)
    return best
