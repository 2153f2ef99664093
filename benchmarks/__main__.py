"""Run every speed benchmark in turn and print their figures: ``python -m benchmarks``.

The monitoring benchmark (``benchmarks/bench_monitoring.py``, false alarms and power of the
alerts) runs with 50 simulated years (a few minutes; 100 for the figures in issue 14). The routing
quality benchmark (``benchmarks/bench_routing.py``) reads the VRPTW instances in
``../shared/bench/vrptw`` and takes minutes; it runs last, and only when that folder exists.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEED = ("bench_pipeline", "bench_risk", "bench_allocation", "bench_selection")


def _run(name: str, *args: str) -> int:
    sys.argv = [name, *args]
    try:
        runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
    except SystemExit as exc:  # the scripts end with raise SystemExit(main())
        return int(exc.code or 0)
    return 0


def main() -> int:
    """Run the benchmarks one after another (never in parallel: the figures are timings)."""
    failed = 0
    for name in SPEED:
        print(f"\n=== {name} ===", flush=True)
        failed += _run(name) != 0
    print("\n=== bench_monitoring (false alarms and power of the alerts, 50 simulated years) ===",
          flush=True)
    failed += _run("bench_monitoring", "--sims", "50") != 0
    shared = HERE.parent.parent / "shared" / "bench" / "vrptw"
    if shared.is_dir():
        print("\n=== bench_routing (VRPTW quality, ../shared/bench/vrptw) ===", flush=True)
        failed += _run("bench_routing", "--time-limit", "30") != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
