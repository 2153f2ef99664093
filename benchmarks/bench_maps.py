"""PNG route-map benchmark: CPU per map and PNG size, drawn from a written plan folder.

Reads a plan folder written by ``riskplan plan`` on the embedded Ouhai data (its ``stops.csv``
and ``routes.csv``), rebuilds the map tasks the plan folder's writer draws
(:func:`riskplan.export.maps.map_tasks`, A4 at ``--dpi``) and draws them in this process, one
task at a time, timing each with the process CPU clock. Prints the maps drawn, CPU per map
[s] (total / maps, and the first map of a task apart: it carries the task's background), the
mean PNG size [kB], and the machine's load.

Usage::

    riskplan plan --all-months --out /tmp/year
    .venv/bin/python -m benchmarks.bench_maps /tmp/year [--tasks 6] [--dpi 150] [--save DIR]

``--save DIR`` writes the PNG files drawn, to look at or compare with another run.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


def main() -> int:
    """Draw the maps of a plan folder's stops and print the CPU per map."""
    from riskplan.datasets import load_ouhai
    from riskplan.export import maps, plan_folder, plan_maps

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a plan folder written on the embedded Ouhai data")
    parser.add_argument("--tasks", type=int, default=0, help="draw only the first N tasks (0: all)")
    parser.add_argument("--dpi", type=int, default=150, help="resolution [dots per inch]")
    parser.add_argument("--save", type=Path, default=None, help="write the PNG files here")
    args = parser.parse_args()

    dataset = load_ouhai()
    plan = plan_folder.read_plan(args.folder)
    tasks = plan_maps.month_map_tasks(plan.stops, plan.routes, dataset, args.dpi)
    if args.tasks:
        tasks = tasks[:args.tasks]
    n, cpu, size = 0, 0.0, 0
    wall = time.perf_counter()
    for task in tasks:
        start = time.process_time()
        drawn = maps.draw_task(task)
        cpu += time.process_time() - start
        n += len(drawn)
        size += sum(len(png) for _, png in drawn)
        if args.save is not None:
            args.save.mkdir(parents=True, exist_ok=True)
            for name, png in drawn:
                (args.save / name).write_bytes(png)
    wall = time.perf_counter() - wall
    load = os.getloadavg()[0]
    print(f"{len(tasks)} tasks, {n} maps at {args.dpi} dpi: CPU {cpu:.2f} s ({cpu / max(n, 1):.3f} s per map), "
          f"wall {wall:.2f} s, mean PNG {size / max(n, 1) / 1024:.0f} kB, load {load:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
