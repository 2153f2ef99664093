"""Benchmark: false alarms and power of the monitoring alerts at a real plan's sample sizes.

Run: ``.venv/bin/python -m benchmarks.bench_monitoring [--sims N] [--seed S] [--district DIR]``.

The January plan of the district (default: the embedded Ouhai data; risk scores, quota, allocation,
monthly schedule with the default configuration) fixes how many samples each stratum gets in each
month. Every simulated year draws exactly those samples, each unqualified with its stratum's fitted
rate (``rate_mean`` of the risk scores: the history shrunk by the risk stage's beta-binomial), and
runs :func:`riskplan.monitoring.run_alerts` on them, as ``riskplan monitor`` does.

Figures printed (issue 14):

* **in control** (no change anywhere): the share of charted units (after aggregation) that raise
  any alarm in the year, all methods together (target <= 2 %), per level and rule too; the number of
  distinct units alerted in the half-year (results January-June) and the year (median, 90th
  percentile);
* **power**: one fixed township x category (charted on its own, the median planned size of those
  that are) gets three times its rates from July; the share of simulations in which it is flagged
  (an alert on that township x category or on a stratum inside it, July-September) by the end of
  September, and the median delay (months from July 1 to the end of the month of the first flag);
  also "flagged at any level" (its category counts); the same for a rise in every stratum of the
  category with the most planned samples;
* **hot spots**: whether the two hot spots injected into the embedded 2026 results are flagged at
  the township x category level (Ouhai only).

The script only uses ``run_alerts(results, scores, rules)`` and the alert table's ``level``, key
columns, ``rule`` and ``period``, so the same file measures the code before and after issue 14.
Load (``uptime``) is printed beside the timings: the machine is shared.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskplan.allocation import allocate, quota_for
from riskplan.config import Config, load_config
from riskplan.datasets import load_ouhai, read_dataset
from riskplan.monitoring import run_alerts, validate_results
from riskplan.risk import score
from riskplan.schedule import monthly

KEY = ["township_code", "business_type", "category_code"]
UNIT = ["level", *KEY]
HOT_SPOTS = [("330304002", "C35"), ("330304011", "C34")]


@dataclasses.dataclass
class Setting:
    """The district, its plan and what the simulations draw from."""

    config: Config
    scores: pd.DataFrame
    allocation: pd.DataFrame
    schedule: pd.DataFrame
    rates: pd.Series  # fitted unqualified rate per stratum (index: KEY)
    call: Callable[[pd.DataFrame], Any]


def build(district: str | None) -> tuple[Setting, Any]:
    """Plan the district (quota, allocation, schedule) with its default configuration."""
    if district:
        ds = read_dataset(Path(district))
        cfg_path = Path(district).parent / f"{Path(district).name}_config.toml"
        cfg = load_config(cfg_path) if cfg_path.is_file() else Config()
    else:
        ds, cfg = load_ouhai(), Config()
    cfg = cfg.replace(allocation=dataclasses.replace(cfg.allocation, floor_time_limit_s=5.0))
    scores = score(ds, config=cfg.risk)
    alloc = allocate(scores, quota_for(cfg.quota, ds), cfg.allocation, categories=ds.categories)
    sched = monthly(alloc, cfg.schedule)
    rates = scores.set_index(KEY)["rate_mean"]
    params = inspect.signature(run_alerts).parameters
    extra: dict[str, Any] = {}
    if "plan_strata" in params:  # after issue 14: units are aggregated from the plan's sizes
        extra["plan_strata"] = alloc.table
    if "design" in params:  # ... and the design (units, limits, CUSUM intervals) is computed once
        from riskplan.monitoring import design_alerts  # only exists after issue 14

        extra["design"] = design_alerts(alloc.table, scores, cfg.monitoring, schedule=sched)

    def call(results: pd.DataFrame) -> Any:
        return run_alerts(results, scores, cfg.monitoring, **extra)

    return Setting(cfg, scores, alloc.table, sched, rates, call), ds


def tables(out: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(charts, alerts) from either version's return value."""
    if isinstance(out, tuple):
        return out[0], out[2]
    return out.charts, out.alerts


def simulate(s: Setting, rng: np.random.Generator, months: range,
             rise: tuple[str | None, str] | None = None, factor: float = 3.0,
             rise_from: int = 7) -> pd.DataFrame:
    """One year's results: the schedule's samples, each failing with its stratum's rate."""
    sch = s.schedule[s.schedule["month"].isin(list(months))]
    rows = sch.loc[sch.index.repeat(sch["samples"].to_numpy(int)), KEY + ["month"]]
    rows = rows.reset_index(drop=True)
    p = s.rates.reindex(pd.MultiIndex.from_frame(rows[KEY])).to_numpy(float)
    if rise is not None:  # township None: the whole category
        town = (rows["township_code"] == rise[0]) if rise[0] is not None else True
        hit = (town & (rows["category_code"] == rise[1]) & (rows["month"] >= rise_from)).to_numpy()
        p = np.where(hit, np.minimum(factor * p, 1.0), p)
    rows["result"] = np.where(rng.random(len(rows)) < p, "fail", "pass")
    day = rng.integers(1, 29, len(rows))
    rows["sample_date"] = pd.to_datetime({"year": 2026, "month": rows["month"], "day": day})
    rows = rows.sort_values(["sample_date"], kind="stable").reset_index(drop=True)
    rows["sample_id"] = [f"S{i:06d}" for i in range(len(rows))]
    rows["establishment_id"] = ""
    rows["followup_status"] = np.where(rows["result"] == "fail", "pending", "not_required")
    rows["followup_date"] = pd.NaT
    return rows


def units(charts: pd.DataFrame) -> set[tuple[str, ...]]:
    """Distinct charted units (level + key columns)."""
    if charts.empty:
        return set()
    return set(map(tuple, charts[UNIT].astype(str).to_numpy()))


def quantiles(x: list[int] | list[float]) -> str:
    a = np.asarray(x, float)
    return f"median {np.median(a):.0f}, p90 {np.quantile(a, 0.9):.0f} (mean {a.mean():.1f})"


def in_control(s: Setting, sims: int, seed: int) -> None:
    share, per_year, per_half = [], [], []
    by_rule: dict[tuple[str, str], list[float]] = {}
    n_charted = []
    for i in range(sims):
        rng = np.random.default_rng([seed, 1, i])
        year = simulate(s, rng, range(1, 13))
        charts, alerts = tables(s.call(year))
        cu = units(charts)
        au = set(map(tuple, alerts[UNIT].astype(str).to_numpy())) if len(alerts) else set()
        n_charted.append(len(cu))
        share.append(len(au & cu) / max(len(cu), 1))
        per_year.append(len(au))
        for (lv, rule), g in alerts.groupby(["level", "rule"]) if len(alerts) else []:
            n_lv = sum(1 for u in cu if u[0] == lv)
            by_rule.setdefault((lv, rule), []).append(len(set(map(tuple, g[UNIT].astype(str).to_numpy()))
                                                          & cu) / max(n_lv, 1))
        half = year[year["month"] <= 6]
        _, a6 = tables(s.call(half))
        per_half.append(len(set(map(tuple, a6[UNIT].astype(str).to_numpy()))) if len(a6) else 0)
    print(f"in control, {sims} simulated years at the plan's sizes:")
    print(f"  charted units per year: {quantiles(n_charted)}")
    print(f"  share of charted units with any alarm in a year (all methods): "
          f"{100 * np.mean(share):.2f} %  (target <= 2 %)")
    for (lv, rule), v in sorted(by_rule.items()):
        # years without any such alarm count as 0
        print(f"    {lv:18s} {rule:22s} {100 * np.sum(v) / sims:6.2f} % of that level's charted units")
    print(f"  distinct units alerted in a half-year (Jan-Jun): {quantiles(per_half)}")
    print(f"  distinct units alerted in a year:                {quantiles(per_year)}")


def pick_unit(s: Setting, threshold: int = 12) -> tuple[str, str, int]:
    """The township x category of the power test: the median planned size among those with at
    least ``threshold`` planned samples (chartable on their own), hot spots excluded."""
    tc = s.allocation.groupby(["township_code", "category_code"])["samples"].sum()
    tc = tc[(tc >= threshold) & ~tc.index.isin(HOT_SPOTS)].reset_index()
    tc = tc.sort_values(["samples", "township_code", "category_code"]).reset_index(drop=True)
    r = tc.iloc[(len(tc) - 1) // 2]
    all_tc = s.allocation.groupby(["township_code", "category_code"])["samples"].sum()
    print(f"  planned samples per township x category: median {all_tc[all_tc > 0].median():.0f} "
          f"over {int((all_tc > 0).sum())} units; {len(tc)} have >= {threshold}")
    return str(r["township_code"]), str(r["category_code"]), int(r["samples"])


def power(s: Setting, sims: int, seed: int) -> None:
    town, cat, n = pick_unit(s)
    rate = (s.rates.reset_index().query("township_code == @town and category_code == @cat")
            .merge(s.allocation[KEY + ["samples"]], on=KEY))
    p_bar = float((rate["rate_mean"] * rate["samples"]).sum() / rate["samples"].sum())
    print(f"power: three-fold rise from July in {town} x {cat} ({n} planned samples a year, "
          f"mean fitted rate {p_bar:.3f}), {sims} simulations, results January-September:")
    flagged, anylevel, delays, base = 0, 0, [], 0
    for i in range(sims):
        for rise in ((town, cat), None):
            rng = np.random.default_rng([seed, 2, i])
            res = simulate(s, rng, range(1, 10), rise=rise)
            _, al = tables(s.call(res))
            if al.empty:
                continue
            late = al[al["period"].astype(int) >= 7]
            own = late[(late["township_code"].astype(str) == town)
                       & (late["category_code"].astype(str) == cat)]
            if rise is None:
                base += int(len(own) > 0)
                continue
            cover = late[(late["category_code"].astype(str) == cat)
                         & late["township_code"].astype(str).isin([town, "*"])]
            if len(own):
                flagged += 1
                delays.append(int(own["period"].astype(int).min()) - 6)
            anylevel += int(len(cover) > 0)
    print(f"  flagged (that township x category or a stratum in it) by end of September: "
          f"{100 * flagged / sims:.1f} %; median delay "
          f"{np.median(delays) if delays else float('nan'):.0f} month(s) after July 1")
    print(f"  flagged at any level (incl. its category): {100 * anylevel / sims:.1f} %")
    print(f"  same unit flagged July-September without any rise (false): {100 * base / sims:.1f} %")


def power_category(s: Setting, sims: int, seed: int) -> None:
    """The same rise across the whole category with the most planned samples."""
    c = s.allocation.groupby("category_code")["samples"].sum().sort_values(kind="stable")
    cat, n = str(c.index[-1]), int(c.iloc[-1])
    print(f"power: three-fold rise from July in every stratum of category {cat} ({n} planned "
          f"samples a year), {sims} simulations, results January-September:")
    flagged, base, delays = 0, 0, []
    for i in range(sims):
        for rise in ((None, cat), None):
            rng = np.random.default_rng([seed, 3, i])
            _, al = tables(s.call(simulate(s, rng, range(1, 10), rise=rise)))
            late = al[(al["period"].astype(int) >= 7)
                      & (al["category_code"].astype(str) == cat)] if len(al) else al
            if rise is None:
                base += int(len(late) > 0)
            elif len(late):
                flagged += 1
                delays.append(int(late["period"].astype(int).min()) - 6)
    print(f"  flagged (any unit of that category) by end of September: {100 * flagged / sims:.1f} %; "
          f"median delay {np.median(delays) if delays else float('nan'):.0f} month(s) after July 1")
    print(f"  flagged July-September without any rise (false): {100 * base / sims:.1f} %")


def hot_spots(s: Setting, ds: Any) -> None:
    ing = validate_results(ds.results, ds.establishments, ds.categories, s.allocation,
                           ds.plan_year, as_of=ds.reference_date)
    _, al = tables(s.call(ing.matched))
    tc = al[al["level"] == "township_category"] if len(al) else al
    got = set(zip(tc["township_code"].astype(str), tc["category_code"].astype(str))) if len(tc) else set()
    for h in HOT_SPOTS:
        print(f"hot spot {h[0]} x {h[1]} flagged at township x category level: {h in got}")
    print(f"embedded results: {len(al)} alert rows in "
          f"{len(set(map(tuple, al[UNIT].astype(str).to_numpy()))) if len(al) else 0} units")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", type=int, default=200, help="simulated years per figure")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--district", default=None, help="dataset folder (default: embedded Ouhai)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    s, ds = build(args.district)
    print(f"plan: {int(s.allocation['samples'].sum())} samples in "
          f"{int((s.allocation['samples'] > 0).sum())} strata (built in {time.perf_counter() - t0:.1f} s)")
    t1 = time.perf_counter()
    in_control(s, args.sims, args.seed)
    power(s, args.sims, args.seed)
    power_category(s, args.sims, args.seed)
    if args.district is None:
        hot_spots(s, ds)
    load = os.getloadavg()
    print(f"time {time.perf_counter() - t1:.0f} s for the simulations "
          f"(load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
