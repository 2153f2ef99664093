"""Tests of the decomposition of large routing problems (riskplan.routing.decompose).

The searches run with one worker, a solution limit per run and short time limits (OR-Tools'
iterated local search does not always stop at its solution limit: where the clock cuts it, the
routes differ from run to run). So the tests assert properties: solutions are checked by an
independent simulation, costs never increase; routes are never compared.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from riskplan.routing import decompose
from riskplan.routing.decompose import (
    DecompositionSettings,
    _angles,
    _hand_on_edge_route,
    _pair_of,
    _search_without_route,
    improve_by_parts,
    mandatory_penalty,
    part_settings,
    solve_decomposed,
    subproblem,
)
from riskplan.routing.instances import InstanceSpec, generate_instance
from riskplan.routing.model import RoutingProblem, RoutingSolution
from riskplan.routing.search import SearchSettings, solution_cost, solve_ils
from riskplan.routing.vrptw import check_routes, vrptw_problem

FAST = SearchSettings(solution_limit=20)


def _simulate(problem: RoutingProblem, sol: RoutingSolution) -> list[str]:
    """Independent re-check of a solution: every rule of the problem, returned as messages."""
    errors = []
    special = set(problem.starts) | set(problem.ends)
    seen: list[int] = [i for r in sol.routes for i in r]
    if len(seen) != len(set(seen)):
        errors.append("a visit is served twice")
    visits = [i for i in range(problem.n_nodes) if i not in special]
    if sorted(seen + list(sol.dropped)) != visits:
        errors.append("served + dropped is not the set of visits")
    for i in sol.dropped:
        if problem.penalty is None or problem.penalty[i] is None:
            errors.append(f"mandatory visit {i} dropped")
    used = {v for v, r in enumerate(sol.routes) if r}
    for a, b in problem.exclusive_pairs:
        if a in used and b in used:
            errors.append(f"vehicles {a} and {b} both used")
    for v, route in enumerate(sol.routes):
        if not route:
            continue
        # earliest schedule: leave at the start of the vehicle's window, wait when early
        t, prev = problem.vehicle_start_window[v][0], problem.starts[v]
        for node in route:
            t += int(problem.time[prev, node])
            wins = sorted(problem.windows[node]) or [(0, problem.horizon)]
            starts = [max(t, a) for a, b in wins if max(t, a) <= b]
            if not starts:
                errors.append(f"vehicle {v}: visit {node} missed its windows")
                break
            t, prev = starts[0], node
        t += int(problem.time[prev, problem.ends[v]])
        if t > problem.vehicle_end_window[v][1]:
            errors.append(f"vehicle {v} back at {t} after {problem.vehicle_end_window[v][1]}")
        for name, (demand, cap) in problem.loads.items():
            if sum(demand[i] for i in route) > cap[v]:
                errors.append(f"vehicle {v} over its {name} capacity")
        if problem.allowed_vehicles is not None:
            for i in route:
                allowed = problem.allowed_vehicles[i]
                if allowed is not None and v not in allowed:
                    errors.append(f"visit {i} on vehicle {v}, allowed {allowed}")
    return errors


@pytest.mark.parametrize(("family", "long_h"), [("R", False), ("C", True), ("RC", False)])
def test_vrptw_by_parts_is_feasible(family: str, long_h: bool):
    inst = generate_instance(InstanceSpec(family, long_h, 240, 1.0, 0.08, seed=4))  # type: ignore[arg-type]
    problem = vrptw_problem(inst)
    dec = DecompositionSettings(part_visits=60, rounds=1, part_time=0.5)
    sol = solve_decomposed(problem, inst["node_coord"], 10.0, FAST, dec)
    assert sol is not None and sol.dropped == [] and sol.strategy == "decomposed"
    routes = [r for r in sol.routes if r]
    ok, dist = check_routes(inst, routes)
    assert ok
    assert sol.objective == pytest.approx(10 * dist)
    assert _simulate(problem, sol) == []


def test_improvement_rounds_never_make_it_worse():
    inst = generate_instance(InstanceSpec("R", False, 200, 0.75, 0.1, seed=8))
    problem = vrptw_problem(inst)
    dec = DecompositionSettings(part_visits=50, rounds=0, part_time=0.3)
    first = solve_decomposed(problem, inst["node_coord"], 4.0, FAST, dec)
    assert first is not None and check_routes(inst, [r for r in first.routes if r])[0]
    kept = [list(r) for r in first.routes]
    better = improve_by_parts(problem, first, inst["node_coord"], 4.0, FAST,
                              DecompositionSettings(part_visits=50, rounds=2, part_time=0.3))
    assert first.routes == kept  # the input is not modified
    assert check_routes(inst, [r for r in better.routes if r])[0]
    assert solution_cost(problem, better) <= solution_cost(problem, first)
    assert better.objective == solution_cost(problem, better)


def _general_problem(seed: int = 0) -> tuple[RoutingProblem, np.ndarray]:
    """Two stations, six vehicles (two exclusive pairs), 60 visits: double windows, optional
    visits (two unreachable), visits reserved for some vehicles, a cold-box load."""
    rng = np.random.default_rng(seed)
    n_vis = 60
    coords = np.vstack([[[20.0, 50.0], [80.0, 50.0]], rng.uniform(0, 100, size=(n_vis, 2))])
    d = np.sqrt(((coords[:, None] - coords[None]) ** 2).sum(-1))
    cost = np.ceil(d).astype(np.int64)
    time_m = cost + np.where(np.arange(len(coords)) >= 2, 10, 0)[:, None]
    windows: list[list[tuple[int, int]]] = [[], []]
    for k in range(n_vis):
        if k % 3 == 0:
            windows.append([(60, 250), (350, 560)])
        elif k % 3 == 1:
            windows.append([(0, 600)])
        else:
            a = int(rng.integers(0, 450))
            windows.append([(a, a + 150)])
    windows[2 + 5] = [(2, 3)]  # unreachable in time from either station
    windows[2 + 6] = [(1, 2)]
    penalty: list[int | None] = [None, None] + [None] * n_vis
    for k in range(0, n_vis, 2):
        penalty[2 + k] = 1000
    penalty[2 + 5] = 1000  # the unreachable visits are optional
    allowed: list[list[int] | None] = [None] * (n_vis + 2)
    for k in range(1, n_vis, 10):
        allowed[2 + k] = [0, 1] if k % 20 == 1 else [4, 5]
    starts = [0, 0, 0, 1, 1, 1]
    problem = RoutingProblem(
        cost=cost, time=time_m, windows=windows, horizon=600,
        starts=starts, ends=[0, 0, 1, 1, 1, 0],
        vehicle_start_window=[(0, 600)] * 6, vehicle_end_window=[(0, 600)] * 6,
        loads={"cold": ([0, 0] + [1] * n_vis, [16] * 6)},
        penalty=penalty, allowed_vehicles=allowed, exclusive_pairs=[(0, 1), (3, 4)],
    )
    return problem, coords


@pytest.mark.parametrize(("search", "eliminate_every"), [("ils", 0), ("gls", 0), ("ils_routes", 0), ("ils_routes", 3)])
def test_general_problem_by_parts(search: str, eliminate_every: int):
    # eliminate_every=3: the third of three rounds closes a route in each part (stations, allowed
    # vehicles, exclusive pairs all in play), the first two route the visits the sectors left out
    problem, coords = _general_problem()
    dec = DecompositionSettings(part_visits=20, rounds=2 if eliminate_every == 0 else 3, idle_vehicles=1,
                                part_time=0.3, part_search=search, eliminate_every=eliminate_every)
    first = solve_decomposed(problem, coords, 6.0, FAST, dataclasses.replace(dec, rounds=0))
    sol = solve_decomposed(problem, coords, 6.0, FAST, dec)
    assert sol is not None
    assert {7, 8} <= set(sol.dropped)  # the two unreachable visits

    def cost(x: RoutingSolution) -> int:  # what the parts minimise: a mandatory visit dropped is dear
        unrouted = sum(problem.penalty[i] is None for i in x.dropped)
        return solution_cost(problem, x) + mandatory_penalty(problem) * unrouted

    assert cost(sol) <= cost(first)  # parts only replaced by cheaper ones
    if search != "gls":  # by ruin and recreate, the parts find room for every mandatory visit
        assert _simulate(problem, sol) == []
    else:  # from the parts' routes, under load a mandatory visit may stay unrouted: never silently
        assert [e for e in _simulate(problem, sol) if not e.startswith("mandatory visit")] == []


def test_subproblem_keeps_the_rules():
    problem, _ = _general_problem()
    sub, nodes = subproblem(problem, [0, 1, 4], [2 + 3, 2 + 4, 2 + 11, 2 + 21], mandatory_penalty=99)
    assert nodes == [0, 1, 5, 6, 13, 23]  # the two stations, then the visits
    assert sub.starts == [0, 0, 1] and sub.ends == [0, 0, 1]
    assert sub.exclusive_pairs == [(0, 1)]  # (3, 4) has one vehicle outside
    assert sub.allowed_vehicles is not None
    assert sub.allowed_vehicles[4] == [2]  # visit 13: vehicles [4, 5] -> 4 is the third here
    assert sub.allowed_vehicles[5] == [0, 1]  # visit 23: vehicles [0, 1]
    assert sub.penalty == [99, 99, 99, 1000, 99, 99]  # optional visit 6 keeps its penalty
    assert sub.loads["cold"] == ([0, 0, 1, 1, 1, 1], [16, 16, 16])
    assert np.array_equal(sub.cost, problem.cost[np.ix_(nodes, nodes)])


def test_time_limit_is_respected():
    inst = generate_instance(InstanceSpec("RC", False, 500, 1.0, 0.1, seed=1))
    problem = vrptw_problem(inst)
    t0 = time.perf_counter()
    sol = solve_decomposed(problem, inst["node_coord"], 4.0)
    elapsed = time.perf_counter() - t0
    assert sol is not None
    assert elapsed <= 4.0 + 1.0
    # every rule holds; on a loaded machine 4 s may leave visits unrouted, but never silently
    assert [e for e in _simulate(problem, sol) if not e.startswith("mandatory visit")] == []
    assert len(sol.dropped) < 500


def test_bad_coordinates():
    problem, coords = _general_problem()
    with pytest.raises(ValueError, match="coords must have shape"):
        solve_decomposed(problem, coords[:-1], 1.0)


@pytest.mark.parametrize("search", ["gls", "ils_routes"])
def test_elimination_closes_a_route_split_in_two(search: str):
    inst = generate_instance(InstanceSpec("R", True, 120, 0.5, 0.2, seed=5))
    problem = vrptw_problem(inst)
    # budgets far above what the solution limits need: the searches end on their limits, so the
    # test is deterministic on a slow or loaded machine
    # the first solution this case was found with: sectors that hand no route on (another first
    # solution, split the same way, need not show the difference)
    first = solve_decomposed(problem, inst["node_coord"], 100.0, FAST,
                             DecompositionSettings(part_visits=60, rounds=0, carry_route=False))
    assert first is not None and first.dropped == []
    used = [v for v, r in enumerate(first.routes) if r]
    longest = max(used, key=lambda v: len(first.routes[v]))
    idle = next(v for v, r in enumerate(first.routes) if not r)
    split = dataclasses.replace(first, routes=[list(r) for r in first.routes])
    half = len(split.routes[longest]) // 2
    split.routes[idle] = split.routes[longest][half:]
    split.routes[longest] = split.routes[longest][:half]
    assert check_routes(inst, [r for r in split.routes if r])[0]
    settings = SearchSettings(solution_limit=300)
    plain, closing = (
        improve_by_parts(problem, split, inst["node_coord"], 300.0, settings,
                         DecompositionSettings(part_visits=200, rounds=1, part_time=300.0, eliminate_every=every,
                                               part_search=search))
        for every in (0, 1)
    )
    for sol in (plain, closing):
        assert sol.dropped == [] and check_routes(inst, [r for r in sol.routes if r])[0]
        assert solution_cost(problem, sol) <= solution_cost(problem, split)
    n_routes = [sum(1 for r in sol.routes if r) for sol in (split, plain, closing)]
    if search == "gls":  # the descent alone does not close the split route; emptying it does
        assert n_routes[2] < n_routes[1] <= n_routes[0], n_routes
    else:  # the ruin and recreate closes it either way
        assert max(n_routes[1:]) < n_routes[0], n_routes


def test_a_part_searched_without_its_shortest_route_cannot_open_it_again():
    inst = generate_instance(InstanceSpec("R", True, 120, 0.5, 0.2, seed=5))
    problem = vrptw_problem(inst)
    visits = list(range(1, problem.n_nodes))
    sub, nodes = subproblem(problem, list(range(problem.n_vehicles)), visits, mandatory_penalty(problem))
    assert nodes == list(range(problem.n_nodes))  # the depot, then the visits: the same numbers
    start = solve_ils(sub, 100.0, SearchSettings(solution_limit=50))
    assert start is not None and start.dropped == []
    used = [v for v, r in enumerate(start.routes) if r]
    closed = min(used, key=lambda v: len(start.routes[v]))
    sol = _search_without_route(sub, start.routes, closed, 100.0, SearchSettings(solution_limit=300))
    assert sol is not None
    opened = [v for v, r in enumerate(sol.routes) if r]
    assert closed not in opened and set(opened) <= set(used)  # neither it nor an idle vehicle
    assert sorted([i for r in sol.routes for i in r] + sol.dropped) == visits  # every visit accounted for
    if not sol.dropped:
        assert check_routes(inst, [r for r in sol.routes if r])[0]


def test_a_sector_hands_on_its_route_nearest_the_next_sector():
    inst = generate_instance(InstanceSpec("R", False, 120, 1.0, 0.1, seed=6))
    problem = vrptw_problem(inst)
    coords = np.asarray(inst["node_coord"], dtype=float)
    centre = coords[0]
    sol = solve_decomposed(problem, coords, 100.0, FAST, DecompositionSettings(part_visits=120))
    assert sol is not None and sol.dropped == []
    used = [v for v, r in enumerate(sol.routes) if r]
    sector = used[:4]
    angle = {v: float(_angles(coords[sol.routes[v]].mean(axis=0)[None], centre)[0] % (2 * np.pi)) for v in sector}
    edge = max(sector, key=lambda v: angle[v])
    route = list(sol.routes[edge])
    vehicles, moved = _hand_on_edge_route(problem, sol, sector, coords, centre, _pair_of(problem))
    assert vehicles == [edge] and moved == route
    assert sol.routes[edge] == [] and sorted(sol.dropped) == sorted(route)
    assert not set(route) & set(sol.service_start)
    assert _hand_on_edge_route(problem, sol, [used[5]], coords, centre, {}) == ([], [])  # one route: kept


@pytest.mark.parametrize("hand_on", [False, True])
def test_first_solution_by_sectors_routes_every_visit(hand_on: bool):
    inst = generate_instance(InstanceSpec("R", True, 240, 0.75, 0.1, seed=2))
    problem = vrptw_problem(inst)
    dec = DecompositionSettings(part_visits=60, rounds=0, carry_route=hand_on)
    sol = solve_decomposed(problem, inst["node_coord"], 100.0, FAST, dec)
    assert sol is not None and sol.dropped == []
    assert check_routes(inst, [r for r in sol.routes if r])[0]
    assert _simulate(problem, sol) == []


def test_sectors_and_parts_search_without_the_route_length_rules(monkeypatch):
    settings = SearchSettings(long_route_orders=((0, 25.0, ("RANDOM",)),),
                              short_route_temperatures=((0, 1000.0, 0.3),), solution_limit=5)
    plain = part_settings(settings, DecompositionSettings())
    assert plain == dataclasses.replace(settings, long_route_orders=(), short_route_temperatures=())
    assert part_settings(settings, DecompositionSettings(route_length_rules=True)) == settings
    # every search the decomposition runs gets the plain settings
    seen = []
    real = decompose.solve_ils

    def recording(problem, time_limit, s=None, start=None):
        seen.append((s, start is not None))
        return real(problem, time_limit, s, start)

    monkeypatch.setattr(decompose, "solve_ils", recording)
    inst = generate_instance(InstanceSpec("R", True, 240, 0.75, 0.1, seed=2))
    # the default part search (from the parts' routes), a round of route elimination included
    dec = DecompositionSettings(part_visits=60, rounds=3, eliminate_every=3)
    assert dec.part_search == "ils_routes"
    sol = solve_decomposed(vrptw_problem(inst), inst["node_coord"], 100.0, settings, dec)
    assert sol is not None and sol.dropped == []
    assert all(s == plain for s, _ in seen)
    sectors = [s for s, from_routes in seen if not from_routes]
    parts = [s for s, from_routes in seen if from_routes]
    assert len(sectors) >= 4 and len(parts) >= 3 * 3  # four sectors; three rounds of about four parts
