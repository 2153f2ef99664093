"""Several programmes in one plan against the same programmes planned separately (issue 15).

Plans Ouhai (the embedded data) with ``examples/two-programmes.toml`` (risk monitoring 1 per
1,000 + supervision sampling 4 per 1,000) as one plan, then each programme alone (the same
configuration with only that programme: the supply is then not shared), and prints per programme
the quota, what was allocated and scheduled, and for the planned months the visits, routed
visits, routes, km and officer-hours of the combined plan against the sum of the two separate
plans, with the shared visits.

Run: ``.venv/bin/python -m benchmarks.bench_programmes [--months 7] [--data DIR --config FILE]``
(``--months 1-12`` for the year; note ``uptime`` beside the timings).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from riskplan.config import load_config
from riskplan.datasets import load_ouhai, read_dataset
from riskplan.pipeline import PlanResult, run_plan

ROOT = Path(__file__).resolve().parents[1]


def _months(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(m) for m in text.split(",")]


def figures(result: PlanResult) -> dict[str, float]:
    """Visits, routed visits, routes, km and officer-hours [h] of the planned months."""
    per_team = result.config.selection.officers_per_team
    r = result.routes
    return {
        "visits": len(result.visits),
        "samples": int(result.visits["samples"].sum()),
        "routed": result.n_routed,
        "routes": len(r),
        "km": float(r["km"].sum()) if len(r) else 0.0,
        "officer_hours": float(r["minutes"].sum()) / 60 * per_team if len(r) else 0.0,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", default="7", help="months to plan: 7, 1-12 or 6,7 (default 7)")
    ap.add_argument("--data", default=None, help="dataset folder (default: the embedded Ouhai data)")
    ap.add_argument("--config", default=str(ROOT / "examples" / "two-programmes.toml"))
    args = ap.parse_args(argv)
    months = _months(args.months)
    ds = read_dataset(args.data) if args.data else load_ouhai()
    cfg = load_config(args.config)
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores shared)")
    t0 = time.perf_counter()
    both = run_plan(ds, cfg, months)
    t_both = time.perf_counter() - t0
    print(f"combined plan, months {months}: {t_both:.0f} s")
    nums = both.programme_numbers()
    print(nums[["programme", "quota", "allocated", "scheduled", "samples", "samples_short", "visits",
                "shared_visits"]].to_string(index=False))
    for p in both.programmes:
        ok = int(p.allocation.table["samples"].sum()) == p.quota == int(p.schedule["samples"].sum())
        print(f"  {p.rules.id}: quota {p.quota} met exactly in the allocation and the year's "
              f"schedule: {ok}")
    alone: dict[str, dict[str, float]] = {}
    for p in cfg.programmes:
        t0 = time.perf_counter()
        one = run_plan(ds, cfg.replace(programmes=(p,)), months)
        alone[p.id] = figures(one)
        print(f"{p.id} planned alone: {time.perf_counter() - t0:.0f} s, {alone[p.id]}")
    f_both = figures(both)
    print(f"\n{'figure':<15}{'combined':>12}{'separately':>12}{'saved':>10}")
    for k, v in f_both.items():
        sep = sum(a[k] for a in alone.values())
        print(f"{k:<15}{v:>12,.1f}{sep:>12,.1f}{sep - v:>10,.1f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
