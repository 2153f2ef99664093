"""``riskplan bench routing``: solve VRPLIB VRPTW instances and compare with best-known solutions."""

from __future__ import annotations

import argparse
from pathlib import Path

from riskplan.commands import SUMMARIES
from riskplan.errors import RiskplanError
from riskplan.routing.vrptw import VrptwResult, instance_files, solve_instance, write_solution


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``bench`` subcommand to ``subparsers`` and return its parser."""
    p = subparsers.add_parser(
        "bench",
        help=SUMMARIES["bench"],
        description="Solve every VRPLIB VRPTW instance (*.vrp) of a folder with the routing engine "
        "(DIMACS convention: distances and times truncated to one decimal), write each solution as "
        "a VRPLIB .sol file and print distance, vehicles, gap to the best-known distance (from a "
        ".sol beside the instance) and seconds, and the mean gap.",
    )
    p.add_argument("what", choices=["routing"], help="what to benchmark")
    p.add_argument("--instances", type=Path, required=True, metavar="DIR", help="folder of .vrp files")
    p.add_argument("--time-limit", type=float, default=30.0, metavar="S", help="seconds per instance")
    p.add_argument("--out", type=Path, required=True, metavar="OUTDIR", help="where .sol files go")
    p.add_argument("--solver", choices=["ortools", "ortools-gls", "pyvrp"], default="ortools",
                   help="ortools (the riskplan engine), ortools-gls (guided local search, the "
                        "former default) or pyvrp (comparator, extra 'pyvrp')")
    p.add_argument("--seed", type=int, default=0, help="seed of the PyVRP run")
    return p


def format_row(r: VrptwResult) -> str:
    """One printed row of the benchmark table."""
    bks = f"{r.bks:10.1f}" if r.bks is not None else f"{'-':>10}"
    gap = f"{r.gap:7.2f}" if r.gap is not None else f"{'-':>7}"
    ok = "" if r.feasible else "  INFEASIBLE"
    return f"{r.name:<12}{r.distance:10.1f}{r.vehicles:9d}{bks}{gap}{r.seconds:9.1f}{ok}"


HEADER = f"{'instance':<12}{'distance':>10}{'vehicles':>9}{'bks':>10}{'gap%':>7}{'seconds':>9}"


def run(args: argparse.Namespace) -> int:
    """Solve, write the .sol files, print the table; 1 when a solution fails the re-check."""
    if args.time_limit <= 0:
        raise RiskplanError("--time-limit must be positive")
    files = instance_files(args.instances)
    print(f"solver {args.solver}, {args.time_limit:g} s per instance, DIMACS convention", flush=True)
    print(HEADER, flush=True)
    gaps: list[float] = []
    bad = 0
    for f in files:
        r = solve_instance(f, args.time_limit, args.solver, args.seed)
        write_solution(r, args.out)
        print(format_row(r), flush=True)
        if r.gap is not None:
            gaps.append(r.gap)
        bad += not r.feasible
    if gaps:
        print(f"mean gap {sum(gaps) / len(gaps):.2f} % over {len(gaps)} instance(s)")
    return 1 if bad else 0
