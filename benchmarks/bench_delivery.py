"""Is the quota delivered? The year plan (every month) per seed: samples routed, bought, short.

Run: ``.venv/bin/python -m benchmarks.bench_delivery [--seeds 0-9] [--rerun] [--tables-only]
[--district yunling]``.

For each seed the whole plan year of the embedded Ouhai data (or the test district Yunling with
its configuration) is planned and its folder written, as ``riskplan plan --all-months`` does, and
the sample accounting is printed: quota, allocated, scheduled, routed + bought (= delivered),
short, unassigned (samples and visits), carried and substituted samples, moves of the
allocation, the seconds of the run (plan + files) and of its routing stage, and the load average
beside them (the machine is shared). ``--rerun`` plans every seed a second time
and compares the two folders' data files byte for byte (the manifest aside). Not run by pytest.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def _figures(result: Any) -> dict[str, int]:
    """The sample accounting of a plan (works on plans written before the delivery table too)."""
    stops, visits = result.stops, result.visits
    routed_ids = set(stops["visit_id"]) if len(stops) else set()
    field = visits[visits["mode"].astype(str) != "purchase"]
    k = result.key_numbers()
    out = {
        "quota": int(result.quota),
        "allocated": int(result.allocation["samples"].sum()),
        "scheduled": int(k["scheduled"]),
        "routed": int(field.loc[field["visit_id"].isin(routed_ids), "samples"].sum()),
        "bought": int(result.purchases["samples"].sum()) if len(result.purchases) else 0,
        "short": int(k["shortfall"]),
        "unassigned": int(field.loc[~field["visit_id"].isin(routed_ids), "samples"].sum()),
        "unassigned_visits": int(len(result.unassigned)),
        "carried": int(k.get("carried", 0)),
        "substituted": int(k.get("substituted", 0)),
        "moved": int(k.get("moved", 0)),
    }
    out["delivered"] = out["routed"] + out["bought"]
    return out


def _data_files_equal(a: Path, b: Path) -> bool:
    sys.path.insert(0, str(ROOT / "tools"))
    from compare_plans import compare  # tools/ is not a package

    return not compare(a, b)


def main(argv: list[str] | None = None) -> int:
    """Plan the year per seed and print what is delivered."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0-9", help="seeds, e.g. 0-9 or 0,3,7 (default 0-9)")
    ap.add_argument("--district", choices=("ouhai", "yunling"), default="ouhai")
    ap.add_argument("--rerun", action="store_true", help="plan each seed twice and compare the folders")
    ap.add_argument("--tables-only", action="store_true",
                    help="write no maps and no XLSX (the sample accounting does not depend on them)")
    args = ap.parse_args(argv)

    from riskplan.config import Config, load_config
    from riskplan.datasets import load_ouhai, read_dataset
    from riskplan.errors import InfeasibleError
    from riskplan.export.plan_folder import write_plan
    from riskplan.pipeline import run_plan

    if args.district == "ouhai":
        ds, config = load_ouhai(), Config()
    else:
        ds = read_dataset(ROOT / "tests" / "districts" / "yunling")
        config = load_config(ROOT / "tests" / "districts" / "yunling_config.toml")
    if args.tables_only:
        config = dataclasses.replace(config, export=dataclasses.replace(
            config.export, maps=False, html_map=False, xlsx=False))
    print(f"delivery of the year plan: {ds.name}, seeds {args.seeds}, load {os.getloadavg()[0]:.1f}, "
          f"cpu count {os.cpu_count()}")
    cols = ("quota", "allocated", "scheduled", "delivered", "routed", "bought", "short", "unassigned",
            "unassigned_visits", "carried", "substituted", "moved")
    print(f"{'seed':>5} " + " ".join(f"{c[:10]:>10}" for c in cols)
          + f" {'seconds':>8} {'routing s':>9} {'load':>5} {'rerun':>6}")
    bad = 0
    for seed in _seeds(args.seeds):
        with tempfile.TemporaryDirectory() as tmp:
            folders = []
            seconds = routing = 0.0
            try:
                for run in range(2 if args.rerun else 1):
                    t0 = time.perf_counter()
                    result = run_plan(ds, config, range(1, 13), seed)
                    out = Path(tmp) / f"plan{run}"
                    write_plan(result, ds, out)
                    if run == 0:
                        seconds = time.perf_counter() - t0
                        routing = float(result.timings.get("routes", 0.0))
                    folders.append(out)
            except InfeasibleError as exc:
                print(f"{seed:>5} refused up front: {exc}")
                continue
            f = _figures(result)
            same = "-" if len(folders) < 2 else ("same" if _data_files_equal(*folders) else "DIFF")
            bad += same == "DIFF" or f["delivered"] + f["unassigned"] + f["short"] != f["allocated"]
            print(f"{seed:>5} " + " ".join(f"{f[c]:>10}" for c in cols)
                  + f" {seconds:8.1f} {routing:9.1f} {os.getloadavg()[0]:5.1f} {same:>6}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
