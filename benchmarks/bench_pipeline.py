"""Time per stage of the default plan run (embedded Ouhai data, one month) and peak memory.

Run: ``.venv/bin/python -m benchmarks.bench_pipeline [--month 2026-07 | --all-months] [--out DIR]``.
Runs the plan as ``riskplan plan`` does (:func:`riskplan.commands.plan.plan_and_write`: worker
processes beside this one, the maps of each month drawn while the next are routed). Prints
seconds per stage (load, risk, quota, allocation, schedule, calendar, selection, teams, routes,
export: the rest), the CPU seconds of the process and of its workers, the machine's load and the
peak resident memory. Not run by pytest.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


def main(argv: list[str] | None = None) -> int:
    """Run the default plan once and print the time per stage."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--month", default=None, help="YYYY-MM (default: the month after the reference date)")
    ap.add_argument("--all-months", action="store_true", help="plan the whole year (every file written)")
    ap.add_argument("--out", default=None, help="plan folder (default: a temporary folder)")
    args = ap.parse_args(argv)

    from riskplan.commands.plan import plan_and_write
    from riskplan.config import Config
    from riskplan.datasets import load_ouhai
    from riskplan.pipeline import STAGES

    t_all = time.perf_counter()
    t0 = time.perf_counter()
    ds = load_ouhai()
    t_load = time.perf_counter() - t0
    month = int(args.month.split("-")[1]) if args.month else None
    load_before = os.getloadavg()[0]
    months = list(range(1, 13)) if args.all_months else ([month] if month else None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "plan"
        t0 = time.perf_counter()
        # as `riskplan plan` does it: workers beside this process, maps drawn month by month
        result, _ = plan_and_write(ds, Config(), months, out)
        t_export = time.perf_counter() - t0 - sum(result.timings.values())
        n_files = sum(1 for p in out.rglob("*") if p.is_file())
    total = time.perf_counter() - t_all
    print(f"riskplan default run: {ds.name}, months {result.months}, "
          f"{len(result.visits)} visits, {result.n_routed} routed, {len(result.unassigned)} unassigned, "
          f"{len(result.purchases)} purchases, {n_files} files")
    print(f"{'stage':<12} {'seconds':>8}")
    print(f"{'load':<12} {t_load:8.2f}")
    for name in STAGES:
        print(f"{name:<12} {result.timings.get(name, 0.0):8.2f}")
    print(f"{'export':<12} {t_export:8.2f}   (preparation and writing: all but the stages)")
    print(f"{'total':<12} {total:8.2f}   (cpu count {os.cpu_count()})")
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"cpu seconds: {own.ru_utime + own.ru_stime:.1f} main process, {kids.ru_utime + kids.ru_stime:.1f} "
          f"worker processes; load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
