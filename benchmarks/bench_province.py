"""A synthetic province, and how fast riskplan plans it on Dask (issue 16).

Write N invented districts (populations 100,000 to 2 million, dense, mixed and mountainous,
each with its own outline and hidden truth; valid under ``riskplan validate``)::

    .venv/bin/python -m benchmarks.bench_province --districts 90 --seed 16 --out /tmp/province

Then measure (each step optional, all on the districts written)::

    --measure          one month of every district with 1 and with 2 workers: wall time, speed-up,
                       seconds per district, peak memory per worker
    --alone K          K districts planned alone, one after another in this process (read, plan,
                       write), against their time as a Dask task
    --year K           the whole year (every month) of the first K districts on 2 workers, and
                       extrapolated to all N
    --backtest         do province priors predict the hidden truth better than district-only ones?

    --subset K         measure on K of the N districts only, spread over the range of populations
                       (every N/K-th by population), and extrapolate the wall times to all N by
                       population (a district's cost grows about with its population): for a
                       shared machine where planning all N twice would take too long

It ends with the projection for 2,850 districts on a 64-core cluster from the measured
per-district cost. Not run by pytest; note the machine's load (``uptime``) beside the figures.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
MONTH = "2026-07"


def _build_one(n: int, seed: int, k: int, lo: int, hi: int, out: str) -> str:
    from riskplan.synthetic import build_district, write_district
    from riskplan.synthetic.ouhai import read_reference
    from riskplan.synthetic.province import district_metadata, province_specs

    if (Path(out) / f"d{k + 1:03d}" / "dataset.toml").is_file():  # the folder names of province_specs
        return f"d{k + 1:03d} kept"
    ref = read_reference(ROOT / "data" / "reference")
    d = province_specs(n, seed, ref.food_categories, ref.business_types, population=(lo, hi))[k]
    folder = Path(out) / d.folder
    t0 = time.perf_counter()
    built = build_district(d.spec)
    tmp = Path(out) / f".{d.folder}.building"
    shutil.rmtree(tmp, ignore_errors=True)
    write_district(built, district_metadata(built, d.character), tmp)
    os.replace(tmp, folder)
    c = built.counts()
    return (f"{d.folder} {d.character:<11} population {d.spec.population:>9,} townships {c['townships']:>2} "
            f"establishments {c['establishments']:>6,} history {c['history']:>6,}  {time.perf_counter() - t0:.1f} s")


def generate(n: int, seed: int, out: Path, population: tuple[int, int], jobs: int) -> None:
    """Write the N districts into ``out`` (districts already there are kept)."""
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futs = [pool.submit(_build_one, n, seed, k, *population, str(out)) for k in range(n)]
        for f in concurrent.futures.as_completed(futs):
            print("  " + f.result(), flush=True)
    print(f"generated {n} districts into {out} in {time.perf_counter() - t0:.0f} s ({jobs} processes)")


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def population(folder: Path) -> int:
    """Residents of the district in ``folder`` (sum of its townships' population)."""
    import pandas as pd

    return int(pd.read_csv(folder / "townships.csv", usecols=["population"])["population"].sum())


def spread(names: list[str], pops: dict[str, int], k: int) -> list[str]:
    """``k`` of ``names`` spread evenly over the range of populations (smallest and largest included)."""
    by_pop = sorted(names, key=lambda n: (pops[n], n))
    if k >= len(by_pop):
        return sorted(by_pop)
    step = (len(by_pop) - 1) / max(k - 1, 1)
    return sorted({by_pop[round(i * step)] for i in range(k)})


def run_province(data: Path, workers: int, months: str, only: list[str] | None = None) -> dict:
    """Plan the province (or the districts ``only``) on a fresh local cluster; return the figures."""
    from riskplan.province import ProvinceRules, plan_province

    src: list[Path] = [data / d for d in only] if only else [data]
    with tempfile.TemporaryDirectory(prefix="bench_province_") as tmp:
        t0 = time.perf_counter()
        res = plan_province(src, Path(tmp) / "out", months=months, rules=ProvinceRules(workers=workers))
        wall = time.perf_counter() - t0
    per_worker: dict[str, float] = {}
    busy: dict[str, float] = {}  # CPU seconds of each worker's tasks
    for o in res.outcomes:
        per_worker[o.worker] = max(per_worker.get(o.worker, 0.0), o.peak_rss_mb)
        busy[o.worker] = busy.get(o.worker, 0.0) + o.cpu_seconds
    secs = [o.seconds for o in res.outcomes if o.ok]
    cpu = [o.cpu_seconds for o in res.outcomes if o.ok]
    return {"wall": wall, "task_sum": sum(secs), "task_mean": sum(secs) / max(len(secs), 1),
            "cpu_sum": sum(cpu), "cpu_mean": sum(cpu) / max(len(cpu), 1),
            "cpu": {o.name: o.cpu_seconds for o in res.outcomes},
            "peak": per_worker, "busy": busy, "failed": res.failed, "n": len(res.outcomes),
            "tasks": {o.name: o.seconds for o in res.outcomes}, "timings": [o.timings for o in res.outcomes]}


def alone(data: Path, names: list[str], months: str) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds to read, plan and write each district alone in this process."""
    from riskplan.config import Config
    from riskplan.datasets import read_dataset
    from riskplan.export.plan_folder import write_plan
    from riskplan.pipeline import run_plan

    out = {}
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            t0, c0 = time.perf_counter(), time.process_time()
            ds = read_dataset(data / name)
            m = None if months == "default" else (list(range(1, 13)) if months == "all" else [int(months[5:])])
            result = run_plan(ds, Config(), m)
            write_plan(result, ds, Path(tmp) / "plan")
            out[name] = (time.perf_counter() - t0, time.process_time() - c0)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--districts", type=int, default=90)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--out", default=None, help="folder of the districts (default: a temporary one)")
    ap.add_argument("--min-population", type=int, default=100_000)
    ap.add_argument("--max-population", type=int, default=2_000_000)
    ap.add_argument("--jobs", type=int, default=2, help="processes writing districts")
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--alone", type=int, default=0, metavar="K")
    ap.add_argument("--year", type=int, default=0, metavar="K")
    ap.add_argument("--backtest", action="store_true")
    ap.add_argument("--workers", default="1,2", help="worker counts for --measure (default 1,2)")
    ap.add_argument("--subset", type=int, default=0, metavar="K",
                    help="measure on K districts spread over the populations, extrapolate to all")
    args = ap.parse_args(argv)

    data = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="province_"))
    generate(args.districts, args.seed, data, (args.min_population, args.max_population), args.jobs)
    names = sorted(p.name for p in data.iterdir() if (p / "dataset.toml").is_file())[: args.districts]
    pops = {n: population(data / n) for n in names}
    measured = spread(names, pops, args.subset) if args.subset else names
    scale = sum(pops.values()) / sum(pops[n] for n in measured)  # all N / the measured, by population
    only = measured if args.subset else None
    if args.subset:
        print(f"\nmeasuring {len(measured)} of {len(names)} districts (populations "
              f"{min(pops[n] for n in measured):,} to {max(pops[n] for n in measured):,}; "
              f"{sum(pops[n] for n in measured):,} of {sum(pops.values()):,} residents): "
              f"wall times x {scale:.1f} extrapolate to all {len(names)}")
    cost_month = cost_year = None
    if args.measure:
        runs = {}
        for w in (int(x) for x in args.workers.split(",")):
            print(f"\n[{_uptime()}]\none month ({MONTH}) of {len(measured)} districts on {w} worker(s) ...",
                  flush=True)
            r = run_province(data, w, MONTH, only=only)
            runs[w] = r
            print(f"  wall {r['wall']:.0f} s, sum of task times {r['task_sum']:.0f} s, mean per district "
                  f"{r['task_mean']:.1f} s (CPU {r['cpu_mean']:.1f} s), failed {r['failed']}")
            print("  peak memory per worker [MB]: " + ", ".join(f"{v:.0f}" for v in sorted(r["peak"].values())))
            # what the split of the tasks allows when each worker has a core of its own (load aside)
            print("  CPU per worker [s]: " + ", ".join(f"{v:.0f}" for v in sorted(r["busy"].values()))
                  + f"; CPU-bound speed-up of this split {r['cpu_sum'] / max(r['busy'].values()):.2f}")
            if args.subset:
                print(f"  extrapolated to {len(names)} districts: {r['wall'] * scale / 60:.0f} min")
        if 1 in runs and 2 in runs:
            print(f"  speed-up 2 workers / 1 worker: {runs[1]['wall'] / runs[2]['wall']:.2f}")
        # CPU per district of the whole province (the measured mean, scaled by population when a subset)
        cost_month = runs[min(runs)]["cpu_sum"] * scale / len(names)
    if args.alone:
        pick = spread(measured, pops, args.alone)
        print(f"\n[{_uptime()}]\n{len(pick)} districts planned alone (one month) ...", flush=True)
        t = alone(data, pick, MONTH)
        r = run_province(data, 1, MONTH, only=pick)
        for name in pick:
            print(f"  {name}: alone {t[name][0]:.1f} s (CPU {t[name][1]:.1f} s), as a Dask task "
                  f"{r['tasks'][name]:.1f} s (CPU {r['cpu'][name]:.1f} s)")
        print(f"  total alone {sum(v[0] for v in t.values()):.0f} s (CPU {sum(v[1] for v in t.values()):.0f} s); "
              f"as Dask tasks {sum(r['tasks'][n] for n in pick):.0f} s (CPU {sum(r['cpu'][n] for n in pick):.0f} s; "
              f"wall with cluster start {r['wall']:.0f} s)")
    if args.year:
        sub = spread(measured, pops, args.year)
        print(f"\n[{_uptime()}]\nthe whole year of {len(sub)} districts on 2 workers ...", flush=True)
        r = run_province(data, 2, "all", only=sub)
        year_scale = sum(pops.values()) / sum(pops[n] for n in sub)
        cost_year = r["cpu_sum"] * year_scale / len(names)
        print(f"  wall {r['wall']:.0f} s, mean per district {r['task_mean']:.1f} s (CPU {r['cpu_mean']:.1f} s), "
              f"failed {r['failed']}")
        print(f"  extrapolated to {len(names)} districts on 2 workers (x {year_scale:.1f}, by population): "
              f"{r['wall'] * year_scale / 60:.0f} min")
    if args.backtest:
        from riskplan.datasets import read_dataset
        from riskplan.io import read_table
        from riskplan.province.backtest import province_backtest
        from riskplan.synthetic.truth import hidden_truth

        print(f"\n[{_uptime()}]\nprovince priors back-test on {len(measured)} districts ...", flush=True)
        sets = {name: read_dataset(data / name) for name in measured}
        truths = {}
        from riskplan.synthetic.ouhai import read_reference
        from riskplan.synthetic.province import province_specs

        ref = read_reference(ROOT / "data" / "reference")
        specs = {d.folder: d.spec for d in province_specs(args.districts, args.seed, ref.food_categories,
                                                          ref.business_types,
                                                          population=(args.min_population, args.max_population))}
        for name in measured:
            folder = data / name
            truths[name] = hidden_truth(read_table(folder / "townships.csv", "townships"),
                                        read_table(folder / "business_types.csv", "business_types"),
                                        read_table(folder / "categories.csv", "categories"),
                                        seed=specs[name].seed, years=specs[name].truth_years)
        bt = province_backtest(sets, truths=truths)
        print(bt.summary())
    for label, cost in (("one month", cost_month), ("the whole year", cost_year)):
        if cost is not None:
            hours = cost * 2850 / 64 / 3600
            print(f"\nprojection, {label}: 2,850 districts x {cost:.1f} CPU-s per district (mean) / 64 cores = "
                  f"{hours:.2f} h ({hours * 60:.0f} min) at perfect scaling")
    return 0


if __name__ == "__main__":
    sys.exit(main())
