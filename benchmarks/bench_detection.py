"""What the plan can detect, four allocations; unbiased controlled rounding over many seeds.

Prints, for Ouhai (and the second district Yunling with ``--yunling``):

1. Expected detections (unqualified samples found, posterior rates), district surveillance
   sensitivity at the design prevalence (default p* = 5 %) and expected strata with a find, for
   the plan's proportional-to-risk allocation (fitted to supply, as ``riskplan plan`` makes it),
   the detection-optimal one (``allocation.objective = "detection"``, fitted to supply), and the
   comparisons of :func:`riskplan.allocation.compare_detection` (plan's floors kept): detection-
   optimal, by population, uniform.
2. Unbiased rounding of Ouhai's fractional allocation over ``--seeds`` seeds (default 2,000): the
   largest |mean - fractional allocation| over the strata, beside its tolerance (``z`` standard
   errors of a Bernoulli mean, sqrt(f (1 - f) / K), with ``z`` the two-sided Bonferroni bound for
   the strata at alpha = 0.01), and whether every total stayed exact.
3. The share of strata with a fractional part in (0.1, 0.3] that get their extra sample:
   controlled rounding (the same every year) against unbiased (mean over the seeds).

Run: ``.venv/bin/python -m benchmarks.bench_detection [--seeds 2000] [--yunling]``
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np

from riskplan.allocation import (
    compare_detection,
    detection_table,
    district_detection,
    unbiased_round,
)
from riskplan.allocation.allocate import table_margins
from riskplan.config import Config, load_config
from riskplan.configure import prepare
from riskplan.datasets import load_ouhai, read_dataset
from riskplan.pipeline.stages import stage_allocation, stage_quota, stage_risk, stage_supply

YUNLING = Path(__file__).resolve().parents[1] / "tests" / "districts"


def allocations(dataset, config: Config) -> None:
    """Print the four allocations' detection figures for one district."""
    ready = prepare(dataset, config)
    ds, cfg = ready.dataset, ready.config
    scores, quota, supply = stage_risk(ds, cfg), stage_quota(ds, cfg), stage_supply(ds, cfg)
    p = cfg.detection.design_prevalence
    print(f"\n{ds.name}: quota {quota}, p* = {p:.1%}")
    print(f"  {'allocation':<34} {'samples':>7} {'expected found':>14} {'sensitivity':>11} "
          f"{'strata w/ find':>14}")
    plan = stage_allocation(scores, quota, ds, cfg, supply).table
    det_cfg = cfg.replace(allocation=dataclasses.replace(cfg.allocation, objective="detection"))
    t0 = time.perf_counter()
    det = stage_allocation(scores, quota, ds, det_cfg, supply).table
    t_det = time.perf_counter() - t0
    for name, table in (("risk (plan, supply-fitted)", plan), ("detection-optimal (supply-fitted)", det)):
        f = district_detection(detection_table(table, cfg.detection))
        print(f"  {name:<34} {int(table['samples'].sum()):>7} {f['expected_detections']:>14.2f} "
              f"{f['district_sensitivity']:>11.3f} {f['strata_with_find']:>14.1f}")
    residents = ds.townships.set_index("township_code")["population"]
    cmp = compare_detection(plan, residents, cfg.detection)
    for r in cmp[cmp["level"] == "district"].itertuples():
        name = f"{r.allocation} (plan's floors)"
        print(f"  {name:<34} {r.samples:>7} {r.expected_detections:>14.2f} {r.sensitivity:>11.3f} "
              f"{r.strata_with_find:>14.1f}")
    print(f"  (detection-optimal allocation incl. floors and supply fit: {t_det:.1f} s)")


def rounding(dataset, seeds: int) -> None:
    """Unbiased rounding of the district's fractional allocation over ``seeds`` seeds."""
    ready = prepare(dataset, Config())
    ds, cfg = ready.dataset, ready.config
    scores, quota = stage_risk(ds, cfg), stage_quota(ds, cfg)
    alloc = stage_allocation(scores, quota, ds, cfg).table
    t = alloc[alloc["n_establishments"] > 0].reset_index(drop=True)
    x = t["fractional"].to_numpy()
    rows, cols, rp, cp = table_margins(t)
    frac = x - np.floor(x + 1e-9)
    fractional = frac > 1e-9
    m = int(fractional.sum())
    total = np.zeros(x.size)
    exact = True
    t0 = time.perf_counter()
    for s in range(seeds):
        n = unbiased_round(rows, cols, x, s, row_parents=rp, col_parents=cp)
        exact &= int(n.sum()) == quota and bool(np.all((n == np.floor(x + 1e-9)) | (n == np.ceil(x - 1e-9))))
        total += n
    secs = time.perf_counter() - t0
    mean = total / seeds
    err = np.abs(mean - x)
    sigma = np.sqrt(frac * (1 - frac) / seeds)
    z = NormalDist().inv_cdf(1 - 0.01 / (2 * max(m, 1)))
    worst = int(np.argmax(np.where(fractional, err / np.where(sigma > 0, sigma, 1), 0)))
    print(f"\nunbiased rounding, {ds.name}: {len(t)} strata ({m} fractional), {seeds} seeds, "
          f"{secs:.1f} s ({1000 * secs / seeds:.0f} ms a rounding); load {os.getloadavg()[0]:.1f}")
    print(f"  max |mean - fractional| = {err.max():.4f} samples; tolerance z sigma with z = {z:.2f} "
          f"(Bonferroni, alpha 0.01): max over strata {z * sigma.max():.4f}")
    print(f"  largest error in standard errors: {err[worst] / max(sigma[worst], 1e-12):.2f} "
          f"(stratum with f = {frac[worst]:.3f}); within tolerance: "
          f"{bool(np.all(err <= z * sigma + 1e-12))}; totals and cells exact every seed: {exact}")
    band = fractional & (frac > 0.1) & (frac <= 0.3)
    up_ctl = float(np.mean(t["samples"].to_numpy()[band] > np.floor(x[band] + 1e-9)))
    up_unb = float(np.mean(mean[band] - np.floor(x[band] + 1e-9)))
    print(f"  strata with fraction in (0.1, 0.3]: {int(band.sum())}; rounded up: controlled "
          f"{up_ctl:.1%} (every year the same), unbiased {up_unb:.1%} on average "
          f"(their mean fraction {frac[band].mean():.1%})")
    never = fractional & (mean == np.floor(x + 1e-9))
    print(f"  fractional strata never rounded up in {seeds} seeds: unbiased {int(never.sum())}, "
          f"controlled {int((fractional & (t['samples'].to_numpy() == np.floor(x + 1e-9))).sum())}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2000)
    ap.add_argument("--yunling", action="store_true", help="also the second district")
    args = ap.parse_args()
    ouhai = load_ouhai()
    allocations(ouhai, Config())
    if args.yunling:
        allocations(read_dataset(YUNLING / "yunling"), load_config(YUNLING / "yunling_config.toml"))
    rounding(ouhai, args.seeds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
