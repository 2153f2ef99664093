"""VRPTW quality benchmark: solve VRPLIB (Solomon) instances with the routing engine.

The instances are solved with the same :mod:`riskplan.routing.model` engine as the inspection
routes, in the DIMACS convention of the best-known solutions: Euclidean distances and travel times
truncated to one decimal, so everything is computed in integer tenths. The objective is total
distance. The ``ortools`` solver runs OR-Tools' iterated local search (ruin and recreate, see
:mod:`riskplan.routing.search`) from two first solutions, and above
:data:`~riskplan.routing.decompose.DECOMPOSE_ABOVE` visits solves by parts
(:mod:`riskplan.routing.decompose`); measured on the eight development instances at 30 s each:
mean gap 0.58 % at a full core (the former guided-local-search multi-start,
:func:`solve_ortools_gls`, solver ``ortools-gls``, 1.46 %). PyVRP (optional extra ``pyvrp``)
can be run on the same instances as a comparator. The settings and their measurements are in
``benchmarks/ROUTING.md``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np

from riskplan.errors import RiskplanError
from riskplan.routing.decompose import DecompositionSettings, solve_decomposed
from riskplan.routing.model import RoutingProblem, SearchBudget, _params, build_model, run_stoppable
from riskplan.routing.search import SearchSettings, solve_ils

Solver = Literal["ortools", "ortools-gls", "pyvrp"]

#: Extra local search operators tried with guided local search (off by default in OR-Tools);
#: measured worse at 10-30 s per instance (slower neighbourhoods), so not used.
BENCH_OPERATORS: tuple[tuple[str, bool], ...] = (
    ("use_relocate_neighbors", True),
    ("use_cross_exchange", True),
    ("use_extended_swap_active", False),
    ("use_relocate_expensive_chain", True),
    ("use_exchange_subtrip", True),
    ("use_global_cheapest_insertion_expensive_chain_lns", True),
    ("use_local_cheapest_insertion_expensive_chain_lns", True),
    ("use_global_cheapest_insertion_close_nodes_lns", True),
    ("use_local_cheapest_insertion_close_nodes_lns", True),
    ("use_path_lns", True),
    ("use_inactive_lns", False),
)


@dataclasses.dataclass
class VrptwResult:
    """One solved instance.

    Attributes
    ----------
    name
        Instance name.
    distance
        Total distance (DIMACS convention, one decimal).
    vehicles
        Routes used.
    routes
        Client numbers per route (VRPLIB numbering: depot 0, clients 1..n).
    seconds
        Wall-clock solve time [s].
    bks
        Best-known distance from a ``.sol`` beside the instance, or None.
    gap
        ``100 * (distance - bks) / bks`` [%], or None.
    feasible
        Whether the routes passed the independent re-check.
    """

    name: str
    distance: float
    vehicles: int
    routes: list[list[int]]
    seconds: float
    bks: float | None
    gap: float | None
    feasible: bool


def dimacs_matrix(coords: np.ndarray) -> np.ndarray:
    """Euclidean distances truncated to one decimal, in integer tenths."""
    d = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1))
    # the small epsilon keeps exact decimals such as 1.3 (1.29999...) from truncating down
    return np.floor(10.0 * d + 1e-9).astype(np.int64)


def _instance_arrays(inst: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
    coords = np.asarray(inst["node_coord"], dtype=float)
    n = len(coords)
    dist = dimacs_matrix(coords)
    service = np.broadcast_to(np.asarray(inst.get("service_time", 0), dtype=float), (n,))
    service10 = np.rint(10 * service).astype(np.int64)
    service10[0] = 0  # a scalar SERVICE_TIME applies to clients, not to the depot
    tw = np.rint(10 * np.asarray(inst["time_window"], dtype=float)).astype(np.int64)
    demand = np.asarray(inst["demand"], dtype=np.int64)
    capacity = int(inst["capacity"])
    vehicles = int(inst.get("vehicles", n - 1))
    return dist, service10, tw, demand, capacity, vehicles


def check_routes(inst: dict, routes: list[list[int]]) -> tuple[bool, float]:
    """Re-check VRPTW routes independently (every client once, load, windows); return (ok, distance)."""
    dist, service10, tw, demand, capacity, _ = _instance_arrays(inst)
    n = len(dist)
    seen = sorted(c for r in routes for c in r)
    ok = seen == list(range(1, n))
    total = 0
    for r in routes:
        t, prev, load = tw[0, 0], 0, 0
        for c in r:
            t = max(t + service10[prev] + dist[prev, c], tw[c, 0])
            ok &= bool(t <= tw[c, 1])
            load += demand[c]
            total += dist[prev, c]
            prev = c
        total += dist[prev, 0]
        ok &= bool(t + service10[prev] + dist[prev, 0] <= tw[0, 1]) and load <= capacity
    return bool(ok), total / 10.0


def vrptw_problem(inst: dict, max_vehicles: int | None = None) -> RoutingProblem:
    """The engine's :class:`RoutingProblem` for a VRPLIB VRPTW instance (integer tenths)."""
    dist, service10, tw, demand, capacity, vehicles = _instance_arrays(inst)
    if max_vehicles is not None:
        vehicles = min(vehicles, max_vehicles)
    time_m = dist + service10[:, None]
    horizon = int(tw[0, 1])
    windows = [[(int(a), int(b))] for a, b in tw]
    return RoutingProblem(
        cost=dist,
        time=time_m,
        windows=windows,
        horizon=horizon,
        starts=[0] * vehicles,
        ends=[0] * vehicles,
        vehicle_start_window=[(int(tw[0, 0]), horizon)] * vehicles,
        vehicle_end_window=[(int(tw[0, 0]), horizon)] * vehicles,
        loads={"load": (demand.tolist(), [capacity] * vehicles)},
    )


#: Guided local search lambda coefficient of :func:`solve_ortools_gls` (OR-Tools default 0.1;
#: larger values measured clearly better on the Solomon development set).
ORTOOLS_GLS_LAMBDA: float = 0.5

#: Multi-start of :func:`solve_ortools_gls`: (first-solution strategy, share of the time
#: budget); the best solution over the starts is kept.
ORTOOLS_STARTS: tuple[tuple[str, float], ...] = (
    ("PARALLEL_CHEAPEST_INSERTION", 0.34),
    ("SAVINGS", 0.33),
    ("LOCAL_CHEAPEST_INSERTION", 0.33),
)


def _routes_of(routing: Any, manager: Any, sol: Any, n_vehicles: int) -> list[list[int]]:
    """Client numbers per used vehicle of an OR-Tools assignment."""
    routes = []
    for v in range(n_vehicles):
        idx = sol.Value(routing.NextVar(routing.Start(v)))
        r = []
        while not routing.IsEnd(idx):
            r.append(manager.IndexToNode(idx))
            idx = sol.Value(routing.NextVar(idx))
        if r:
            routes.append(r)
    return routes


def solve_ortools_gls(
    inst: dict,
    time_limit: float,
    seed: int = 0,
    starts: tuple[tuple[str, float], ...] = ORTOOLS_STARTS,
    operators: tuple[tuple[str, bool], ...] = (),
    gls_lambda: float | None = ORTOOLS_GLS_LAMBDA,
) -> list[list[int]]:
    """Guided local search from several first solutions; keep the shortest.

    The former default, solver ``ortools-gls`` of :func:`solve_instance`, kept for comparison: mean
    gap 1.46 % at 30 s on the development set
    (C101 0.00, C201 0.00, R101 0.27, R105 1.03, R201 1.57, RC101 3.04, RC105 4.29, RC201 1.47).
    """
    problem = vrptw_problem(inst)
    t_end = time.perf_counter() + time_limit
    best_routes: list[list[int]] | None = None
    best_cost = math.inf
    total_share = sum(sh for _, sh in starts)
    for k, (strategy, share) in enumerate(starts):
        left = t_end - time.perf_counter()
        if left <= 0.05:
            break
        last = k == len(starts) - 1
        budget = SearchBudget(
            first_solution=(strategy,),
            solution_limit=None,
            time_limit=left if last else min(left, time_limit * share / total_share),
            gls_lambda=gls_lambda,
            operators=operators,
        )
        manager, routing = build_model(problem)
        params = _params(budget, strategy)
        sol = run_stoppable(routing, routing.SolveWithParameters, params)
        if sol is None or sol.ObjectiveValue() >= best_cost:
            continue
        best_cost = sol.ObjectiveValue()
        best_routes = _routes_of(routing, manager, sol, problem.n_vehicles)
    if best_routes is None:
        raise RiskplanError(f"OR-Tools found no solution for {inst.get('name', '?')}")
    return best_routes


#: Share of the budget kept for reading the routes after the search stops (at least
#: :data:`MIN_MARGIN`).
TIME_MARGIN: float = 0.01

#: Smallest time kept for reading the routes [s] (short budgets, a loaded machine).
MIN_MARGIN: float = 0.1


def _solve_ortools(
    inst: dict,
    time_limit: float,
    settings: SearchSettings | None = None,
    decomposition: DecompositionSettings | None = None,
) -> list[list[int]]:
    """The riskplan engine: iterated local search, by parts above ``decomposition.above`` visits."""
    # OR-Tools checks its clock between moves and the routes are read after it stops: a small
    # share of the budget is kept for that, so that the whole call ends within ``time_limit``
    t_end = time.perf_counter() + time_limit - min(0.5 * time_limit, max(MIN_MARGIN, TIME_MARGIN * time_limit))
    problem = vrptw_problem(inst)
    settings = settings or SearchSettings()
    decomposition = decomposition or DecompositionSettings()
    if problem.n_nodes - 1 > decomposition.above:
        coords = np.asarray(inst["node_coord"], dtype=float)
        sol = solve_decomposed(problem, coords, t_end - time.perf_counter(), settings, decomposition)
    else:
        sol = solve_ils(problem, t_end - time.perf_counter(), settings)
    if sol is None or sol.dropped:
        raise RiskplanError(f"OR-Tools found no solution for {inst.get('name', '?')}")
    return [r for r in sol.routes if r]


def _solve_pyvrp(path: Path, time_limit: float, seed: int = 0) -> list[list[int]]:
    try:
        import pyvrp
        from pyvrp.stop import MaxRuntime
    except ImportError as exc:  # pragma: no cover - optional extra
        raise RiskplanError("the pyvrp comparator needs the extra: pip install 'riskplan[pyvrp]'") from exc
    data = pyvrp.read(str(path), round_func="dimacs")
    res = pyvrp.solve(data, stop=MaxRuntime(time_limit), seed=seed, display=False, collect_stats=False)
    # activity indices count clients from 0; VRPLIB numbers them after the depot(s)
    nd = data.num_depots
    return [[int(a.idx) + nd for a in r if a.is_client()] for r in res.best.routes()]


def solve_instance(
    path: str | Path,
    time_limit: float = 30.0,
    solver: Solver = "ortools",
    seed: int = 0,
    settings: SearchSettings | None = None,
    decomposition: DecompositionSettings | None = None,
) -> VrptwResult:
    """Solve one VRPLIB VRPTW instance.

    Parameters
    ----------
    path
        The ``.vrp`` (or ``.txt``) instance file; a ``.sol`` with the same stem beside it gives the
        best-known distance.
    time_limit
        Wall-clock budget [s].
    solver
        ``ortools`` (the riskplan engine: iterated local search), ``ortools-gls`` (the same model
        with guided local search from several first solutions) or ``pyvrp`` (comparator, optional
        extra).
    seed
        Seed of the PyVRP run (OR-Tools' search is deterministic apart from the clock).
    settings
        Search settings of the ``ortools`` solver (None: the defaults).
    decomposition
        When and how the ``ortools`` solver cuts a large instance (None: the defaults).
    """
    import vrplib

    path = Path(path)
    if not path.exists():
        raise RiskplanError(f"instance file not found: {path}")
    fmt = "solomon" if path.suffix.lower() == ".txt" else "vrplib"
    inst = vrplib.read_instance(str(path), instance_format=fmt)
    inst.setdefault("name", path.stem)
    t0 = time.perf_counter()
    if solver == "ortools":
        routes = _solve_ortools(inst, time_limit, settings, decomposition)
    elif solver == "ortools-gls":
        routes = solve_ortools_gls(inst, time_limit, seed)
    elif solver == "pyvrp":
        routes = _solve_pyvrp(path, time_limit, seed)
    else:
        raise RiskplanError(f"unknown solver {solver!r}: use 'ortools', 'ortools-gls' or 'pyvrp'")
    seconds = time.perf_counter() - t0
    feasible, distance = check_routes(inst, routes)
    bks = None
    sol_path = path.with_suffix(".sol")
    if sol_path.exists():
        bks = float(vrplib.read_solution(str(sol_path))["cost"])
    gap = None if bks is None else 100.0 * (distance - bks) / bks
    return VrptwResult(path.stem, distance, len(routes), routes, seconds, bks, gap, feasible)


def write_solution(result: VrptwResult, out_dir: str | Path, comment: str | None = None) -> Path:
    """Write ``result`` as a VRPLIB ``.sol`` file named after the instance in ``out_dir``.

    ``comment`` (how the solution was found) goes to a ``Reference`` line after the cost.
    """
    import vrplib

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{result.name}.sol"
    data: dict[str, object] = {"Cost": round(result.distance, 1)}
    if comment:
        data["Reference"] = comment
    vrplib.write_solution(str(target), result.routes, data)
    return target


def instance_files(directory: str | Path) -> list[Path]:
    """The VRPLIB instance files of ``directory`` (``*.vrp``), sorted by name."""
    d = Path(directory)
    if not d.is_dir():
        raise RiskplanError(f"instance directory not found: {d}")
    files = sorted(d.glob("*.vrp")) or sorted(d.glob("*.txt"))
    if not files:
        raise RiskplanError(f"no .vrp instance files in {d}")
    return files
