"""Tuning runs of the VRPTW engine: solve instance sets, log one JSON line per instance.

Runs one solver process at a time (the machine is shared): every instance of every set in turn,
with the search settings given as ``--set key=value`` overrides of
:class:`riskplan.routing.search.SearchSettings` (``--set d.key=value``: of
:class:`riskplan.routing.decompose.DecompositionSettings`). Each result line holds the distance, vehicles,
seconds, the independent feasibility check, the machine load and the settings, so gaps can be
computed later against the ``.sol`` beside each instance (``summary``).

Usage::

    nice -n 10 .venv/bin/python benchmarks/tune_routing.py run --sets tune-100 --label base \\
        [--time-limit 30] [--set ruin_size=15 --set ...] [--log benchmarks/vrptw/runs.jsonl]
    .venv/bin/python benchmarks/tune_routing.py summary [--log ...] [--labels a,b]
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import os
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
EIGHT = HERE.parent.parent / "shared" / "bench" / "vrptw"
DEFAULT_LOG = HERE / "vrptw" / "runs.jsonl"
BUDGET = {100: 30.0, 200: 30.0, 1000: 60.0}


def _set_dir(name: str) -> Path:
    if name.startswith("thr-"):  # benchmarks/vrptw_sets.py write-threshold
        return Path("/tmp/vrptw_threshold") / name
    return EIGHT if name == "eight" else HERE / "vrptw" / name


def _budget(name: str) -> float:
    if name == "eight":
        return 30.0
    return BUDGET.get(int(name.split("-")[1]), 60.0)


def _overrides(items: list[str]) -> dict:
    out = {}
    for it in items:
        key, _, val = it.partition("=")
        try:
            out[key.strip()] = ast.literal_eval(val.strip())
        except (ValueError, SyntaxError):
            out[key.strip()] = val.strip()
    return out


def _kwargs(overrides: dict) -> dict:
    try:
        from riskplan.routing.decompose import DecompositionSettings
        from riskplan.routing.search import SearchSettings
    except ImportError:  # the engine before this work (the "before" runs): no settings
        return {}
    search = {k: v for k, v in overrides.items() if not k.startswith("d.")}
    dec = {k[2:]: v for k, v in overrides.items() if k.startswith("d.")}
    return {"settings": dataclasses.replace(SearchSettings(), **search),
            "decomposition": dataclasses.replace(DecompositionSettings(), **dec)}


def _variants(args: argparse.Namespace) -> list[tuple[str, dict]]:
    """(label, overrides) of ``--label``/``--set`` and of every ``--variant LABEL:K=V;K=V``."""
    out = []
    if args.label:
        out.append((args.label, _overrides(args.set)))
    for v in args.variant:
        label, _, rest = v.partition(":")
        out.append((label, _overrides([x for x in rest.split(";") if x.strip()])))
    return out


def run(args: argparse.Namespace) -> None:
    """Every instance in turn, every variant on it back to back (so they share the load)."""
    from riskplan.errors import RiskplanError
    from riskplan.routing.vrptw import VrptwResult, instance_files, solve_instance

    variants = _variants(args)
    log = Path(args.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    for s in args.sets.split(","):
        limit = args.time_limit or _budget(s)
        for f in instance_files(_set_dir(s)):
            if args.only and not any(k in f.stem for k in args.only.split(",")):
                continue
            for label, overrides in variants:
                load = os.getloadavg()[0]
                t0, c0 = time.perf_counter(), time.process_time()
                try:
                    r = solve_instance(f, limit, args.solver, args.seed, **_kwargs(overrides))
                except RiskplanError as exc:  # logged as a failed run; the batch goes on
                    r = VrptwResult(f.stem, float("nan"), 0, [], 0.0, None, None, False)
                    print(f"{label} {f.stem}: {exc}", flush=True)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                row = {
                    "label": label, "set": s, "instance": r.name, "time_limit": limit,
                    "distance": r.distance, "vehicles": r.vehicles, "seconds": round(wall, 2),
                    "cpu": round(cpu, 2), "feasible": r.feasible, "load": round(load, 2),
                    "solver": args.solver, "overrides": overrides,
                    "stamp": time.strftime("%Y-%m-%d %H:%M:%S"),
                }
                with log.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row) + "\n")
                print(f"{label:<14}{s:<11}{r.name:<24}{r.distance:10.1f}{r.vehicles:5d}"
                      f"{wall:7.1f}{cpu:7.1f}{'' if r.feasible else ' INFEASIBLE'}  load {load:.1f}",
                      flush=True)


def _references(set_name: str) -> dict[str, float]:
    import vrplib

    refs = {}
    for sol in sorted(_set_dir(set_name).glob("*.sol")):
        refs[sol.stem] = float(vrplib.read_solution(str(sol))["cost"])
    return refs


def summary(args: argparse.Namespace) -> None:
    rows = [json.loads(line) for line in Path(args.log).read_text().splitlines() if line.strip()]
    labels = args.labels.split(",") if args.labels else list(dict.fromkeys(r["label"] for r in rows))
    refs: dict[str, dict[str, float]] = {}
    table: dict[tuple[str, str], list[float]] = defaultdict(list)
    worst: dict[tuple[str, str], float] = defaultdict(float)
    loads: dict[tuple[str, str], list[float]] = defaultdict(list)
    cpu_share: dict[tuple[str, str], list[float]] = defaultdict(list)
    # without a reference solution, gaps are to the best distance any run found
    best: dict[tuple[str, str], float] = {}
    to_best: set[tuple[str, str]] = set()
    for r in rows:
        if r["feasible"]:
            k = (r["set"], r["instance"])
            best[k] = min(best.get(k, float("inf")), r["distance"])
    if args.min_cpu > 0:  # leave out the instances where some run got too little CPU
        starved = {(r["set"], r["instance"]) for r in rows if r["label"] in labels
                   and r.get("cpu", 0.0) < args.min_cpu * r["time_limit"]}
        rows = [r for r in rows if (r["set"], r["instance"]) not in starved]
    for r in rows:
        if r["label"] not in labels:
            continue
        ref = refs.setdefault(r["set"], _references(r["set"])).get(r["instance"])
        if ref is None:
            ref = best.get((r["set"], r["instance"]))
            to_best.add((r["label"], r["set"]))
        if ref is None or not r["feasible"]:
            continue
        gap = 100.0 * (r["distance"] - ref) / ref
        key = (r["label"], r["set"])
        table[key].append(gap)
        worst[key] = max(worst[key], gap)
        loads[key].append(r["load"])
        cpu_share[key].append(r.get("cpu", float("nan")) / r["time_limit"])
        if args.verbose:
            print(f"{r['label']:<14}{r['set']:<11}{r['instance']:<24}{gap:7.2f} %  {r['vehicles']:4d} veh")
    print(f"{'label':<16}{'set':<12}{'n':>3}{'mean gap %':>11}{'max %':>8}{'load':>6}{'cpu/s':>7}")
    for (label, s), gaps in sorted(table.items(), key=lambda kv: (labels.index(kv[0][0]), kv[0][1])):
        mean_load = sum(loads[(label, s)]) / len(loads[(label, s)])
        share = cpu_share[(label, s)]
        print(f"{label:<16}{s:<12}{len(gaps):3d}{sum(gaps) / len(gaps):11.2f}"
              f"{worst[(label, s)]:8.2f}{mean_load:6.1f}{sum(share) / len(share):7.2f}"
              f"{'  (to the best run)' if (label, s) in to_best else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--sets", required=True, help="comma-separated: tune-100, valid-200, eight, ...")
    r.add_argument("--label", default="", help="label of the --set overrides")
    r.add_argument("--variant", action="append", default=[], metavar="LABEL:K=V;K=V",
                   help="a further variant, run on each instance right after the others")
    r.add_argument("--time-limit", type=float, default=None, help="default: the set's budget")
    r.add_argument("--solver", default="ortools")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    r.add_argument("--only", default="", help="comma-separated substrings of instance names")
    r.add_argument("--log", default=str(DEFAULT_LOG))
    s = sub.add_parser("summary")
    s.add_argument("--log", default=str(DEFAULT_LOG))
    s.add_argument("--labels", default="")
    s.add_argument("-v", "--verbose", action="store_true")
    s.add_argument("--min-cpu", type=float, default=0.0,
                   help="leave out instances where a run of the labels got less CPU than this share")
    args = ap.parse_args()
    run(args) if args.cmd == "run" else summary(args)


if __name__ == "__main__":
    main()
