"""Time of writing the team workbooks (one XLSX per team, a sheet per field day) of a plan folder.

Run: ``.venv/bin/python -m benchmarks.bench_team_sheet PLAN_DIR [--repeat N]`` on a folder written
by ``riskplan plan`` on the embedded Ouhai data (``--all-months`` for the year: 10 teams,
205 sheets). Reads the folder's ``stops.csv`` and ``routes.csv`` and the Ouhai labs, builds the
workbooks' inputs as :func:`riskplan.export.plan_folder.write_plan` does, and prints the seconds
of :func:`riskplan.export.team_sheet.team_workbook_bytes` for all teams (wall and CPU, best of
``--repeat``), with the machine's load (on a busy machine the CPU time is the steadier figure).
Not run by pytest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import pandas as pd

from riskplan.datasets import load_ouhai
from riskplan.export.plan_reader import read_plan
from riskplan.export.team_sheet import day_infos, team_workbook_bytes


def main(argv: list[str] | None = None) -> int:
    """Write the plan folder's team workbooks in memory and print the time."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("plan", help="plan folder written by riskplan plan (embedded Ouhai data)")
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best is printed")
    ap.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of the sheets")
    args = ap.parse_args(argv)

    plan = read_plan(args.plan)
    stops = plan.stops.assign(date=pd.to_datetime(plan.stops["date"]).dt.strftime("%Y-%m-%d"))
    titles = day_infos(stops, plan.routes, load_ouhai().labs, args.lang)
    teams = []
    for (sid, team), grp in stops.groupby(["station_id", "team"], sort=True):
        days = {str(day): d for day, d in grp.groupby("date", sort=True)}
        infos = {day: info for (s, t, day), info in titles.items() if (s, t) == (str(sid), str(team))}
        teams.append((days, infos))
    when = dt.datetime(2026, 1, 1)  # fixed: the figure is a time, the bytes are not kept
    walls, cpus, size = [], [], 0
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        size = sum(len(team_workbook_bytes(days, infos, args.lang, when=when)) for days, infos in teams)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    sheets = sum(len(days) for days, _ in teams)
    print(f"team workbooks: {len(teams)} teams, {sheets} sheets, {size / 1e6:.2f} MB: "
          f"best {min(walls):.2f} s wall, {min(cpus):.2f} s CPU "
          f"(runs: {', '.join(f'{t:.2f}' for t in walls)} s wall; load {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
