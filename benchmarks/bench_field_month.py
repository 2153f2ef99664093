"""Field-month benchmark: how the routed month spreads over field days and the lab (issue 13).

Runs ``riskplan plan`` for one month (July) and for the whole year (``--all-months``) on the
embedded Ouhai data and on the test district Yunling, writes every file of the plan folder, and
prints per run:

- visits routed / unassigned, the independent checker's violations;
- distinct field days per station and month (min / mean / max over station-months);
- district dates with any field work per month, and the most routes on one date;
- the busiest lab day [samples delivered] and the days over capacity: every sample reaches the
  lab on a definite day, perishables (and everything on a route ending at the lab) the day they
  are taken, the rest at the next working day's intake from the station (computed here from the
  routes, independently of the plan's own ``lab_date`` when it has one);
- officer-hours (team-hours x officers per team) and kilometres driven;
- plan time with every file written [s], and the machine's load.

Usage::

    .venv/bin/python -m benchmarks.bench_field_month [--runs ouhai-july,ouhai-year,yunling-july,yunling-year]

Before issue 13 (no capacity in the labs table; count days over 40 a day)::

    cd /tmp/base && PYTHONPATH=/tmp/base .venv/bin/python /path/to/benchmarks/bench_field_month.py \
        --runs ouhai-july --capacity 40
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

HERE = Path(__file__).resolve().parent
YUNLING = HERE.parent / "tests" / "districts" / "yunling"
YUNLING_CONFIG = HERE.parent / "tests" / "districts" / "yunling_config.toml"


def lab_days(routes, calendar, labs, stations):  # type: ignore[no-untyped-def]
    """Samples delivered per (lab, date): same day at a lab-ending route, else next working day."""
    import numpy as np
    import pandas as pd

    work = sorted(pd.to_datetime(calendar.loc[calendar["workday"].astype(bool), "date"]).unique())
    nxt = {}
    for i, d in enumerate(work):
        if i + 1 < len(work):
            nxt[pd.Timestamp(d)] = pd.Timestamp(work[i + 1])
        else:  # after the planned period: the next weekday
            n = pd.Timestamp(d) + pd.Timedelta(days=1)
            while n.weekday() >= 5:
                n += pd.Timedelta(days=1)
            nxt[pd.Timestamp(d)] = n
    st = stations.set_index(stations["station_id"].astype(str))
    lab_xy = labs[["lon_wgs84", "lat_wgs84"]].to_numpy(float)

    def nearest_lab(sid: str) -> str:
        p = np.array([float(st.at[sid, "lon_wgs84"]), float(st.at[sid, "lat_wgs84"])])
        return str(labs["lab_id"].iloc[int(np.argmin(((lab_xy - p) ** 2).sum(axis=1)))])

    rows = []
    for r in routes.itertuples(index=False):
        d = pd.Timestamp(r.date)
        lab = str(r.lab_id) if str(getattr(r, "lab_id", "")) not in ("", "nan") else nearest_lab(str(r.station_id))
        if r.ends_at == "lab":
            held = int(getattr(r, "held_samples", 0) or 0)
            rows.append((lab, d, int(r.samples) - held))
            if held:
                rows.append((lab, nxt[d], held))
        else:
            rows.append((lab, nxt[d], int(r.samples)))
    df = pd.DataFrame(rows, columns=["lab_id", "date", "samples"])
    return df.groupby(["lab_id", "date"], as_index=False)["samples"].sum()


def measure(name: str, data: Path | None, config: Path | None, months: list[int] | None,
            capacity: int = 0) -> dict:
    import pandas as pd

    from riskplan.calendar import work_calendar
    from riskplan.config import Config, load_config
    from riskplan.datasets import load_ouhai, read_dataset
    from riskplan.export.plan_folder import write_plan
    from riskplan.pipeline import run_plan
    from riskplan.routing import check_plan

    t0 = time.perf_counter()
    ds = read_dataset(data) if data else load_ouhai()
    cfg = load_config(config) if config else Config()
    result = run_plan(ds, cfg, months)
    with tempfile.TemporaryDirectory() as tmp:
        write_plan(result, ds, Path(tmp) / "plan")
        n_files = sum(1 for p in (Path(tmp) / "plan").rglob("*") if p.is_file())
    seconds = time.perf_counter() - t0
    load = os.getloadavg()[0]

    routes, stops = result.routes, result.stops
    # the checker, month by month (it takes one month's visits and calendar)
    violations = 0
    from riskplan.routing.plan import RoutePlan

    for m in result.months:
        vm = result.visits[result.visits["month"] == m]
        cal = result.calendar[pd.to_datetime(result.calendar["date"]).dt.month == m]
        in_m = pd.to_datetime(routes["date"]).dt.month == m
        s_in = pd.to_datetime(stops["date"]).dt.month == m
        un = result.unassigned[result.unassigned["visit_id"].isin(vm["visit_id"])]
        purchase = vm[vm["mode"] == "purchase"][["visit_id", "establishment_id"]].assign(
            station_id="", reason="purchase", detail="")
        un = pd.concat([un.reindex(columns=["visit_id", "establishment_id", "station_id", "reason", "detail"]),
                        purchase], ignore_index=True)
        plan = RoutePlan(stops[s_in].reset_index(drop=True), routes[in_m].reset_index(drop=True), un, True, {})
        kw = {}
        if "later_calendar" in check_plan.__code__.co_varnames:  # the checker of issue 13
            spill = routes[(pd.to_datetime(routes["date"]).dt.month == m - 1)
                           & (pd.to_datetime(routes["lab_date"]).dt.month == m)]
            kw["lab_booked"] = spill.groupby(["lab_id", "lab_date"], as_index=False)["samples"].sum().rename(
                columns={"lab_date": "date"})
            kw["later_calendar"] = work_calendar(result.plan_year, m + 1, result.config.calendar) if m < 12 else None
        viol = check_plan(plan, vm, ds.stations, ds.labs, cal, result.config.routing,
                          establishments=ds.establishments, townships=ds.townships,
                          business_types=ds.business_types, **kw)
        if len(viol):
            print(viol.to_string(), flush=True)
        violations += len(viol)
    days = routes.assign(month=pd.to_datetime(routes["date"]).dt.month)
    per_station = days.groupby(["month", "station_id"])["date"].nunique()
    per_month_dates = days.groupby("month")["date"].nunique()
    routes_per_date = days.groupby("date").size()
    lab = lab_days(routes, result.calendar, ds.labs, ds.stations)
    ids = ds.labs["lab_id"].astype(str)
    if "capacity_per_day" in ds.labs.columns:  # a code base before issue 13 has no capacity: use --capacity
        cap = pd.to_numeric(ds.labs["capacity_per_day"], errors="coerce").set_axis(ids)
    else:
        cap = pd.Series(float(capacity) if capacity else float("nan"), index=ids)
    over = int(sum(1 for r in lab.itertuples() if pd.notna(cap.get(r.lab_id)) and r.samples > cap[r.lab_id]))
    busiest = lab.sort_values(["samples", "date"], ascending=[False, True]).iloc[0] if len(lab) else None
    per_team = int(result.config.selection.officers_per_team)
    team_h = float(routes["minutes"].sum()) / 60 if len(routes) else 0.0
    return {
        "name": name, "months": len(result.months), "visits": int(len(result.visits)),
        "routed": int(result.n_routed), "unassigned": int(len(result.unassigned)),
        "violations": violations, "routes": int(len(routes)),
        "st_days_min": int(per_station.min()), "st_days_mean": float(per_station.mean()),
        "st_days_max": int(per_station.max()),
        "dates_per_month": float(per_month_dates.mean()), "max_routes_one_date": int(routes_per_date.max()),
        "busiest_lab_day": (f"{int(busiest['samples'])} ({busiest['lab_id']} {busiest['date'].date()})"
                            if busiest is not None else "-"),
        "lab_days_over": over, "officer_hours": team_h * per_team, "km": float(routes["km"].sum()),
        "seconds": seconds, "files": n_files, "load": load,
    }


RUNS = {
    "ouhai-july": (None, None, [7]),
    "ouhai-year": (None, None, list(range(1, 13))),
    "yunling-july": (YUNLING, YUNLING_CONFIG, [7]),
    "yunling-year": (YUNLING, YUNLING_CONFIG, list(range(1, 13))),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", default=",".join(RUNS), help="comma-separated: " + ", ".join(RUNS))
    ap.add_argument("--capacity", type=int, default=0,
                    help="lab capacity [samples/day] to count days over when the labs table has none "
                         "(measuring the code before issue 13)")
    args = ap.parse_args(argv)
    rows = []
    for name in [r.strip() for r in args.runs.split(",") if r.strip()]:
        data, config, months = RUNS[name]
        r = measure(name, data, config, months, args.capacity)
        rows.append(r)
        print(
            f"{r['name']:<13} visits {r['visits']:4d} routed {r['routed']:4d} unassigned {r['unassigned']:3d} "
            f"checker violations {r['violations']:3d} | routes {r['routes']:4d}, field days per station-month "
            f"{r['st_days_min']}/{r['st_days_mean']:.1f}/{r['st_days_max']} (min/mean/max), dates with field work "
            f"per month {r['dates_per_month']:.1f}, most routes on one date {r['max_routes_one_date']} | busiest lab "
            f"day {r['busiest_lab_day']}, lab days over capacity {r['lab_days_over']} | officer-hours "
            f"{r['officer_hours']:.1f}, km {r['km']:.1f} | {r['seconds']:.1f} s with {r['files']} files "
            f"(load {r['load']:.1f}, {os.cpu_count()} cores)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
