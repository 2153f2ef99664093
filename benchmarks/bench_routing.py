"""Routing quality benchmark: OR-Tools engine vs PyVRP on VRPLIB VRPTW instances.

Reads the instances from ``../shared/bench/vrptw`` by default (the benchmarks are the only place
the project reads that folder; ``--instances benchmarks/vrptw/valid-100`` reads a generated set,
see ``benchmarks/vrptw_sets.py``), solves each with every solver at the same wall-clock limit,
one solver after the other (the machine is shared: never two solvers at once), writes the
``.sol`` files under ``--out`` and prints one row per instance with distance, vehicles and gap to
the best-known (or reference) distance, the mean gaps, and the peak memory. Search settings and
what they measured: ``benchmarks/ROUTING.md``.

Usage::

    .venv/bin/python benchmarks/bench_routing.py [--instances DIR] [--time-limit 30] [--out DIR]
"""

from __future__ import annotations

import argparse
import resource
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_INSTANCES = HERE.parent.parent / "shared" / "bench" / "vrptw"


def _run(solver: str, instances: str, time_limit: float, out: str) -> list[tuple]:
    from riskplan.routing.vrptw import instance_files, solve_instance, write_solution

    rows = []
    for f in instance_files(instances):
        r = solve_instance(f, time_limit, solver)  # type: ignore[arg-type]
        write_solution(r, Path(out) / solver)
        rows.append((r.name, r.distance, r.vehicles, r.bks, r.gap, r.seconds, r.feasible))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return rows + [("__peak_mb__", peak)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=Path, default=DEFAULT_INSTANCES)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--out", type=Path, default=Path("bench_out"))
    ap.add_argument("--solvers", default="ortools,pyvrp")
    args = ap.parse_args()
    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    results = {}
    for s in solvers:  # one process per solver, for its own peak memory; one at a time
        with ProcessPoolExecutor(max_workers=1) as ex:
            results[s] = ex.submit(_run, s, str(args.instances), args.time_limit, str(args.out)).result()
    peaks = {s: rows.pop()[1] for s, rows in results.items()}
    print(f"VRPTW, DIMACS convention, {args.time_limit:g} s per instance, instances {args.instances}")
    head = f"{'instance':<10}{'bks':>9}"
    for s in solvers:
        head += f"{s + ' dist':>14}{'veh':>5}{'gap%':>7}{'s':>6}"
    print(head)
    names = [r[0] for r in results[solvers[0]]]
    for i, name in enumerate(names):
        bks = results[solvers[0]][i][3]
        line = f"{name:<10}{bks if bks is not None else float('nan'):9.1f}"
        for s in solvers:
            _, dist, veh, _, gap, sec, ok = results[s][i]
            line += f"{dist:14.1f}{veh:5d}{gap if gap is not None else float('nan'):7.2f}{sec:6.1f}"
            line += "" if ok else "!"
        print(line)
    for s in solvers:
        gaps = [r[4] for r in results[s] if r[4] is not None]
        mean = sum(gaps) / len(gaps) if gaps else float("nan")
        print(f"mean gap {s}: {mean:.2f} %   peak memory {peaks[s]:.0f} MB")


if __name__ == "__main__":
    main()
