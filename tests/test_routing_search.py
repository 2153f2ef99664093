"""Tests of the time-limited search settings of the routing engine (riskplan.routing.search)."""

from __future__ import annotations

import dataclasses
import signal
import sys
import time

import numpy as np
import pytest
from interrupt_driver import hook_for
from ortools.constraint_solver import routing_ils_pb2

from riskplan.routing.instances import InstanceSpec, generate_instance, write_vrplib
from riskplan.routing.model import RoutingProblem
from riskplan.routing.search import (
    SearchSettings,
    fleet_cost,
    ils_parameters,
    improve_gls,
    insertion_order,
    mean_arc_cost,
    portfolio,
    route_capacity,
    ruin_size,
    solution_cost,
    solve_ils,
    temperature,
)
from riskplan.routing.vrptw import check_routes, solve_instance, vrptw_problem

INST = generate_instance(InstanceSpec("RC", False, 60, 0.75, 0.1, seed=11))


def test_larger_problems_get_a_larger_ruin():
    assert ruin_size(SearchSettings(), 150) == (10, 10)
    assert ruin_size(SearchSettings(), 151) == (20, 15)
    assert ruin_size(SearchSettings(larger_ruins=()), 1000) == (10, 10)
    steps = SearchSettings(ruin_visits=5, ruin_sequence=3, larger_ruins=((50, 8, 4), (100, 12, 6)))
    assert [ruin_size(steps, n) for n in (50, 51, 100, 101)] == [(5, 3), (8, 4), (8, 4), (12, 6)]
    big = vrptw_problem(generate_instance(InstanceSpec("R", False, 160, 1.0, 0.1, seed=3)))
    sisr = ils_parameters(big, SearchSettings(), "SAVINGS", 1.0) \
        .iterated_local_search_parameters.ruin_recreate_parameters.ruin_strategies[0].sisr
    assert (sisr.avg_num_removed_visits, sisr.max_removed_sequence_size) == (20, 15)


def test_larger_problems_run_one_start():
    assert portfolio(SearchSettings(), 150) == ("SAVINGS", "PARALLEL_CHEAPEST_INSERTION")
    assert portfolio(SearchSettings(), 151) == ("SAVINGS",)
    assert portfolio(SearchSettings(larger_starts=()), 1000) == ("SAVINGS", "PARALLEL_CHEAPEST_INSERTION")
    # the solve runs the portfolio of its size: the strategy of the solution it returns says which
    problem = vrptw_problem(INST)  # 60 visits
    other = (("PARALLEL_CHEAPEST_INSERTION",),)
    for above, expected in ((59, "PARALLEL_CHEAPEST_INSERTION"), (60, "SAVINGS")):
        settings = SearchSettings(starts=("SAVINGS",), larger_starts=((above, *other),), solution_limit=20)
        sol = solve_ils(problem, 60.0, settings)
        assert sol is not None and sol.strategy == expected


def test_route_capacity_is_the_fewer_of_load_and_time():
    # two visits 10 apart (transit 10 plus 5 of service), a working day of 300, a capacity of 40
    problem = RoutingProblem(
        cost=np.array([[0, 10, 10], [10, 0, 10], [10, 10, 0]]),
        time=np.array([[0, 10, 10], [15, 0, 15], [15, 15, 0]]),
        windows=[[], [], []], horizon=300, starts=[0], ends=[0],
        vehicle_start_window=[(0, 300)], vehicle_end_window=[(0, 300)],
        loads={"load": ([0, 4, 6], [40])})
    assert route_capacity(problem) == pytest.approx(8.0)  # 40 / mean demand 5; time allows 20
    assert route_capacity(dataclasses.replace(problem, loads={})) == pytest.approx(20.0)
    # a shorter span than the window bounds the working time; a window closing before it opens
    # counts as no time; no visits, no bound
    assert route_capacity(dataclasses.replace(problem, loads={}, max_span=[150])) == pytest.approx(10.0)
    assert route_capacity(dataclasses.replace(problem, loads={}, vehicle_end_window=[(0, -5)])) == 0.0
    no_visits = dataclasses.replace(problem, cost=problem.cost[:1, :1], time=problem.time[:1, :1],
                                    windows=[[]], loads={})
    assert route_capacity(no_visits) == float("inf")
    # Solomon's two types fall on either side of the 25 visits of the default rule
    short = vrptw_problem(generate_instance(InstanceSpec("R", False, 160, 1.0, 0.1, seed=3)))
    long = vrptw_problem(generate_instance(InstanceSpec("R", True, 160, 1.0, 0.1, seed=3)))
    assert route_capacity(short) < 25.0 < route_capacity(long)


def test_long_routes_reinsert_in_random_order():
    long = vrptw_problem(generate_instance(InstanceSpec("R", True, 160, 1.0, 0.1, seed=3)))
    short = vrptw_problem(generate_instance(InstanceSpec("R", False, 160, 1.0, 0.1, seed=3)))
    small_long = vrptw_problem(generate_instance(InstanceSpec("R", True, 100, 1.0, 0.1, seed=3)))
    assert insertion_order(SearchSettings(), long) == ("RANDOM",)
    assert insertion_order(SearchSettings(), short) == ()
    assert insertion_order(SearchSettings(), small_long) == ("RANDOM",)
    by_size = SearchSettings(long_route_orders=((150, 25.0, ("RANDOM",)),))
    assert insertion_order(by_size, small_long) == ()  # 100 visits: not above 150
    assert insertion_order(by_size, long) == ("RANDOM",)
    assert insertion_order(SearchSettings(long_route_orders=()), long) == ()
    assert insertion_order(SearchSettings(insertion_order=("PENALTY",)), short) == ("PENALTY",)
    rr = ils_parameters(long, SearchSettings(), "SAVINGS", 1.0).iterated_local_search_parameters \
        .ruin_recreate_parameters
    assert list(rr.recreate_strategy.parameters.local_cheapest_insertion.insertion_sorting_properties) == [8]


def test_larger_problems_with_short_routes_anneal_hotter():
    short = vrptw_problem(generate_instance(InstanceSpec("R", False, 160, 1.0, 0.1, seed=3)))
    long = vrptw_problem(generate_instance(InstanceSpec("R", True, 160, 1.0, 0.1, seed=3)))
    small_short = vrptw_problem(generate_instance(InstanceSpec("R", False, 100, 1.0, 0.1, seed=3)))
    assert temperature(SearchSettings(), short) == 0.2
    assert temperature(SearchSettings(), long) == 0.1
    assert temperature(SearchSettings(), small_short) == 0.1  # 150 visits or fewer
    assert temperature(SearchSettings(short_route_temperatures=()), short) == 0.1
    sa = ils_parameters(short, SearchSettings(), "SAVINGS", 1.0).iterated_local_search_parameters \
        .reference_solution_acceptance_strategy.simulated_annealing
    assert sa.initial_temperature == pytest.approx(0.2 * mean_arc_cost(short), rel=1e-5)


def test_parameters_follow_the_settings():
    problem = vrptw_problem(INST)
    s = SearchSettings(ruin_visits=7, ruin_sequence=4, random_walk=5, route_ruin=2, temperature=0.2,
                       operators_on=("use_cross_exchange",), insertion_order=("RANDOM",), neighbors=20)
    p = ils_parameters(problem, s, "SAVINGS", 2.5)
    assert p.time_limit.seconds == 2 and p.time_limit.nanos == 500_000_000
    assert p.use_iterated_local_search
    rr = p.iterated_local_search_parameters.ruin_recreate_parameters
    assert rr.ruin_strategies[0].sisr.avg_num_removed_visits == 7
    assert rr.ruin_strategies[0].sisr.max_removed_sequence_size == 4
    assert rr.ruin_strategies[1].random_walk.num_removed_visits == 5
    assert rr.ruin_strategies[2].spatially_close_routes.num_ruined_routes == 2
    assert rr.ruin_composition_strategy == routing_ils_pb2.RuinCompositionStrategy.RUN_ONE_RANDOMLY
    assert len(ils_parameters(problem, SearchSettings(), "SAVINGS", 1.0)
               .iterated_local_search_parameters.ruin_recreate_parameters.ruin_strategies) == 1
    assert list(rr.recreate_strategy.parameters.local_cheapest_insertion.insertion_sorting_properties) == [8]
    sa = p.iterated_local_search_parameters.reference_solution_acceptance_strategy.simulated_annealing
    assert sa.initial_temperature == pytest.approx(0.2 * mean_arc_cost(problem), rel=1e-5)
    assert sa.final_temperature == pytest.approx(sa.initial_temperature / 100, rel=1e-5)
    assert p.local_search_operators.use_cross_exchange == 3  # BOOL_TRUE
    assert p.local_search_operators.use_lin_kernighan == 2  # BOOL_FALSE, off by default here
    assert p.ls_operator_min_neighbors == 20
    assert not p.use_multi_armed_bandit_concatenate_operators  # the defaults: fixed order, exponential
    assert sa.cooling_schedule_strategy == routing_ils_pb2.CoolingScheduleStrategy.EXPONENTIAL
    other = ils_parameters(problem, SearchSettings(cooling="LINEAR", bandit=True), "SAVINGS", 1.0)
    assert other.use_multi_armed_bandit_concatenate_operators
    assert (other.iterated_local_search_parameters.reference_solution_acceptance_strategy
            .simulated_annealing.cooling_schedule_strategy) == routing_ils_pb2.CoolingScheduleStrategy.LINEAR
    raw = SearchSettings(raw_parameters="solution_limit: 7 local_search_operators { use_or_opt: BOOL_FALSE }")
    merged = ils_parameters(problem, raw, "SAVINGS", 1.0)
    assert merged.solution_limit == 7 and merged.local_search_operators.use_or_opt == 2
    assert merged.local_search_operators.use_two_opt == 3  # the rest of the message is kept


@pytest.mark.parametrize(
    "settings",
    [SearchSettings(), SearchSettings(polish=0.3), SearchSettings(fleet_cost=0.5),
     SearchSettings(starts=("SAVINGS",), insertion_order=("RANDOM",)), SearchSettings(route_ruin=2)],
    ids=["default", "polish", "fleet", "one-start", "route-ruin"],
)
def test_feasible_within_the_time_limit(settings: SearchSettings):
    problem = vrptw_problem(INST)
    t0 = time.perf_counter()
    sol = solve_ils(problem, 1.0, settings)
    elapsed = time.perf_counter() - t0
    assert sol is not None and sol.dropped == []
    ok, dist = check_routes(INST, [r for r in sol.routes if r])
    assert ok
    assert solution_cost(problem, sol) == round(10 * dist)  # tenths, no fleet cost counted
    assert elapsed <= 1.0 + 0.5


def test_the_search_starts_from_given_routes():
    problem = vrptw_problem(INST)
    built = solve_ils(problem, 60.0, SearchSettings(starts=("SAVINGS",), solution_limit=1))  # the construction
    assert built is not None
    # with a limit of one solution the search returns its first: the routes it was given
    again = solve_ils(problem, 60.0, SearchSettings(solution_limit=1), start=built.routes)
    assert again is not None and again.routes == built.routes and again.strategy == "routes"
    # they are a start, not locks: the ruin and recreate moves every visit
    better = solve_ils(problem, 1.0, SearchSettings(), start=built.routes)
    assert better is not None and solution_cost(problem, better) < solution_cost(problem, built)
    # visits on no route of the start are inserted by the first-solution heuristic
    used = [v for v, r in enumerate(built.routes) if r]
    cut = [[] if v == used[0] else r for v, r in enumerate(built.routes)]
    refilled = solve_ils(problem, 1.0, SearchSettings(), start=cut)
    assert refilled is not None and refilled.dropped == []
    assert check_routes(INST, [r for r in refilled.routes if r])[0]
    twice = [list(r) for r in built.routes]
    twice[used[1]].append(twice[used[0]][0])
    with pytest.raises(ValueError, match="not paths of the routing model"):
        solve_ils(problem, 1.0, SearchSettings(), start=twice)
    with pytest.raises(ValueError, match="routes, .* vehicles"):  # more routes than vehicles
        solve_ils(problem, 1.0, SearchSettings(), start=[[] for _ in range(problem.n_vehicles + 1)])
    for node in (0, problem.n_nodes):  # the depot, a node beyond the problem
        with pytest.raises(ValueError, match=f"node {node} is no visit"):
            solve_ils(problem, 1.0, SearchSettings(), start=[[node]])


def test_fleet_cost_scale():
    problem = vrptw_problem(INST)
    assert fleet_cost(problem, 0.0) == 0
    one = fleet_cost(problem, 1.0)
    assert one > 0 and fleet_cost(problem, 0.5) == pytest.approx(one / 2, abs=1)


def test_solve_instance_respects_the_budget(tmp_path):
    path = write_vrplib(INST, tmp_path / f"{INST['name']}.vrp")
    r = solve_instance(path, time_limit=2.0)
    # the engine keeps 0.1 s for reading the routes; 0.1 s more for a loaded machine's scheduler
    assert r.feasible and r.seconds <= 2.0 + 0.1



def _interrupted_at(nth: int, run) -> float:  # type: ignore[no-untyped-def]
    """Seconds until ``run()`` raised KeyboardInterrupt for a SIGINT at its nth solution."""
    t0 = time.perf_counter()
    sys.setprofile(hook_for(f"call:_cancel_on_interrupt.<locals>.at_solution#{nth}"))
    try:
        with pytest.raises(KeyboardInterrupt):
            run()
    finally:
        sys.setprofile(None)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    return time.perf_counter() - t0


def test_ctrl_c_raises_instead_of_returning_routes():
    problem = vrptw_problem(INST)
    # OR-Tools' iterated local search (9.15) cancels its inner descent but runs its outer loop to
    # the run's time limit: the interrupt is raised when that run ends, its routes never returned
    assert _interrupted_at(5, lambda: solve_ils(problem, 2.0, SearchSettings(starts=("SAVINGS", "SAVINGS")))) < 1.8
    start = solve_ils(problem, 0.5, SearchSettings(starts=("SAVINGS",)))
    assert start is not None
    # guided local search stops at the solution where Ctrl-C came
    assert _interrupted_at(2, lambda: improve_gls(problem, start.routes, 20.0)) < 10.0
