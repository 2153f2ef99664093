"""Scale benchmark: allocate a province-sized quota.

Builds a synthetic province (about 1,300 townships x 16 business types x 39 food categories, only
the strata with establishments present, as the score table has them) and allocates 65,000 samples
with the default rules; prints the time and the peak memory of the allocation, and checks the
totals. Target: under 30 s and under 4 GB on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_allocation.py [--townships 1300] [--samples 65000]``
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from riskplan.allocation import AllocationRules, allocate

STAGES = ["production"] * 2 + ["distribution"] * 5 + ["catering"] * 9
BUSINESS_TYPES = ["P-FACTORY", "P-WORKSHOP", "D-WHOLESALE", "D-WETMARKET", "D-SUPERMARKET", "D-GROCERY",
                  "D-ONLINE", "C-RESTAURANT", "C-SMALL", "C-SCHOOL", "C-CANTEEN", "C-SITE", "C-ELDERLY",
                  "C-CENTRAL", "C-TAKEAWAY", "C-VENDOR"]


def province(n_townships: int = 1300, seed: int = 0, density: float = 0.35) -> pd.DataFrame:
    """Synthetic score table: present strata only, gamma-distributed weights, some zeros."""
    rng = np.random.default_rng(seed)
    n_bt, n_cat = len(BUSINESS_TYPES), 39
    t, b, c = np.meshgrid(np.arange(n_townships), np.arange(n_bt), np.arange(n_cat), indexing="ij")
    t, b, c = t.ravel(), b.ravel(), c.ravel()
    keep = rng.random(t.size) < density
    t, b, c = t[keep], b[keep], c[keep]
    weight = rng.gamma(0.8, 1.0, t.size) * rng.gamma(2.0, 1.0, n_townships)[t]
    weight[rng.random(t.size) < 0.05] = 0.0
    return pd.DataFrame(
        {
            "township_code": pd.Series([f"{i:09d}" for i in range(n_townships)]).to_numpy()[t],
            "business_type": np.array(BUSINESS_TYPES)[b],
            "category_code": np.array([f"C{i + 1:02d}" for i in range(n_cat)])[c],
            "stage": np.array(STAGES)[b],
            "n_establishments": rng.integers(1, 30, t.size),
            "weight": weight,
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--townships", type=int, default=1300)
    ap.add_argument("--samples", type=int, default=65_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    scores = province(args.townships, args.seed)
    categories = pd.DataFrame({"category_code": [f"C{i + 1:02d}" for i in range(39)],
                               "cost_yuan": np.linspace(200, 2000, 39)})
    print(f"strata present: {len(scores):,} (of {args.townships * 16 * 39:,} possible)")
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    a = allocate(scores, args.samples, AllocationRules(), categories=categories)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB on Linux
    t = a.table
    assert a.total == args.samples == int(t["samples"].sum())
    assert (np.abs(t["samples"] - t["fractional"]) < 1).all()
    for key in (["township_code"], ["business_type", "category_code"], ["business_type"], ["stage"]):
        g = t.groupby(key)[["samples", "fractional"]].sum()
        assert (np.abs(g["samples"] - g["fractional"]) < 1).all()
    assert a.requirements["met_plan"].all()
    print(f"allocation time: {elapsed:.1f} s wall, {cpu:.1f} s CPU (with tracemalloc on)")
    print(f"peak Python memory (tracemalloc): {peak / 2**20:.0f} MB; max RSS of the process: {rss:.0f} MB")
    print(f"floors: {a.floor_total:,} samples, of which coverage {a.coverage_total:,} ({a.floor_method}, "
          f"proved minimal: {a.floors_optimal}); cost {a.cost:,.0f} yuan")


if __name__ == "__main__":
    main()
