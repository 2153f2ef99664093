"""Speed of establishment selection on the embedded Ouhai dataset.

Run: ``.venv/bin/python benchmarks/bench_selection.py``. Prints seconds and peak memory for one
month (systematic and conditional Poisson PPS), a whole year (``select_year``), the team draw of a
month, and the shortfall of the year with strict and relaxed rotation.
"""

from __future__ import annotations

import time
import tracemalloc

import pandas as pd

from riskplan import pipeline as P
from riskplan.calendar import work_calendar
from riskplan.config import Config
from riskplan.datasets import load_ouhai
from riskplan.selection import SelectionRules, draw_teams, select_dataset, select_year


def timed(label: str, fn, *args, repeat: int = 3, **kw):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn(*args, **kw)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:<45s} {best:8.3f} s   peak {peak:7.1f} MiB")
    return out


def main() -> None:
    ds = load_ouhai()
    cfg = Config()
    scores = P.stage_risk(ds, cfg)
    alloc = P.stage_allocation(scores, P.stage_quota(ds, cfg), ds, cfg)
    sched = P.stage_schedule(alloc, ds, cfg)
    history = pd.concat([ds.history, ds.results], ignore_index=True)
    july = int(sched.loc[sched["month"] == 7, "samples"].sum())
    print(f"Ouhai: {len(ds.establishments)} establishments, {len(history)} past samples, "
          f"{int(sched['samples'].sum())} samples a year, {july} in July")
    sel = timed("select July (systematic)", select_dataset, ds, sched, 7, SelectionRules(), 0)
    timed("select July (conditional Poisson)", select_dataset, ds, sched, 7,
          SelectionRules(method="conditional_poisson"), 0)
    print(f"  July: {len(sel.visits)} visits ({len(sel.purchase_orders)} purchases), "
          f"{sel.delivered} of {sel.requested} samples, shortfall {int(sel.shortfall['missing'].sum())}")
    for rules, label in ((SelectionRules(), "strict rotation"),
                         (SelectionRules(relax_rotation=True), "relaxed rotation")):
        year = timed(f"select_year ({label})", select_year, sched, ds.establishments, history, ds.plan_year,
                     rules, 0, categories=ds.categories, stations=ds.stations, repeat=1)
        req = sum(s.requested for s in year.values())
        miss = sum(int(s.shortfall["missing"].sum()) for s in year.values())
        print(f"  year: {req} samples requested, {miss} short ({100 * miss / req:.1f} %)")
    timed("draw_teams July", draw_teams, ds.stations, ds.officers, work_calendar(ds.plan_year, 7),
          SelectionRules(), 0)
    timed("work_calendar 2026", work_calendar, 2026)


if __name__ == "__main__":
    main()
