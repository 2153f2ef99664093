"""The generated VRPTW sets of the routing benchmark: tuning and validation, 100 to 1,000 customers.

Each set is drawn by :func:`riskplan.routing.instances.generate_instance` with fixed seeds and
kept under ``benchmarks/vrptw/<set>/`` as VRPLIB files: ``<name>.vrp`` and ``<name>.sol``, the
reference solution of a long PyVRP run (five times the benchmark's budget, in CPU time: 150 s
at 100 and 200 customers, 300 s at 1,000), so nobody has to rerun it. ``riskplan bench routing --instances
benchmarks/vrptw/tune-100`` then reports gaps to those references. The search settings of the
engine are chosen on the ``tune-*`` sets; the ``valid-*`` sets (other seeds, same recipe) report
how the choice carries over.

Usage::

    .venv/bin/python benchmarks/vrptw_sets.py write            # (re)write the .vrp files
    .venv/bin/python benchmarks/vrptw_sets.py check            # .vrp as generated, .sol feasible
    .venv/bin/python benchmarks/vrptw_sets.py write-threshold  # /tmp/vrptw_threshold/thr-<n>
    nice -n 10 .venv/bin/python benchmarks/vrptw_sets.py reference [--sets tune-100,...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from riskplan.routing.instances import InstanceSpec, generate_instance, write_vrplib

HERE = Path(__file__).resolve().parent
SETS_DIR = HERE / "vrptw"

#: Family and type of the instances of a set of ten: every Solomon class, the harder R and RC
#: classes twice.
COMPOSITION_10: tuple[tuple[str, bool], ...] = (
    ("C", False), ("C", True), ("R", False), ("R", False), ("R", True), ("R", True),
    ("RC", False), ("RC", False), ("RC", True), ("RC", True),
)

#: The 1,000-customer sets hold five instances each (compute: a reference run takes 300 s).
COMPOSITION_5: dict[str, tuple[tuple[str, bool], ...]] = {
    "tune": (("C", False), ("R", False), ("R", True), ("RC", False), ("RC", True)),
    "valid": (("C", True), ("R", False), ("R", True), ("RC", False), ("RC", True)),
}

SIZES: tuple[int, ...] = (100, 200, 1000)
KINDS: tuple[str, ...] = ("tune", "valid")

#: Time budget of the benchmark per size [s]; references run five times as long.
BUDGET: dict[int, float] = {100: 30.0, 200: 30.0, 1000: 60.0}
REFERENCE_FACTOR: float = 5.0


def set_specs(kind: str, n: int) -> list[InstanceSpec]:
    """The instance specs of set ``<kind>-<n>``: windows drawn per instance from a seeded stream."""
    comp = COMPOSITION_10 if n < 1000 else COMPOSITION_5[kind]
    rng = np.random.default_rng([n, KINDS.index(kind)])
    base_seed = 1 if kind == "tune" else 1001
    specs = []
    for k, (family, long_h) in enumerate(comp):
        # Solomon's sets hold more instances with windows everywhere than with a quarter
        share = float(rng.choice([0.25, 0.5, 0.75, 1.0], p=[0.15, 0.2, 0.25, 0.4]))
        width = round(float(rng.uniform(0.03, 0.25)), 2)
        if n >= 1000 and (family, long_h) == ("R", False):
            share, width = 1.0, 0.05  # the class of R1_10_1, the 1,000-customer figure
        specs.append(InstanceSpec(family, long_h, n, share, width, seed=base_seed + k))  # type: ignore[arg-type]
    return specs


#: Sizes and classes of the instances that place the decomposition threshold (no references:
#: the one-model and the by-parts searches are compared with each other, at the same budget).
THRESHOLD_SIZES: tuple[int, ...] = (200, 300, 400, 600, 800)
THRESHOLD_DIR = Path("/tmp/vrptw_threshold")


def threshold_specs(n: int) -> list[InstanceSpec]:
    """Three instances of ``n`` customers (R1 tight, RC2 mixed windows, C1) for the threshold."""
    return [
        InstanceSpec("R", False, n, 1.0, 0.05, seed=7001),
        InstanceSpec("RC", True, n, 0.75, 0.15, seed=7002),
        InstanceSpec("C", False, n, 1.0, 0.1, seed=7003),
    ]


def set_names() -> list[str]:
    return [f"{kind}-{n}" for n in SIZES for kind in KINDS]


def _write(sets: list[str]) -> None:
    for s in sets:
        kind, n = s.split("-")
        for spec in set_specs(kind, int(n)):
            write_vrplib(generate_instance(spec), SETS_DIR / s / f"{spec.name}.vrp")
        print(f"{s}: {len(set_specs(kind, int(n)))} instances written")


def _check(sets: list[str]) -> int:
    import vrplib

    from riskplan.routing.vrptw import check_routes

    bad = 0
    for s in sets:
        kind, n = s.split("-")
        for spec in set_specs(kind, int(n)):
            path = SETS_DIR / s / f"{spec.name}.vrp"
            tmp = Path("/tmp") / f"vrptw_check_{spec.name}.vrp"
            write_vrplib(generate_instance(spec), tmp)
            same = tmp.read_text() == path.read_text()
            tmp.unlink()
            sol = path.with_suffix(".sol")
            ok, dist, ref = False, float("nan"), float("nan")
            if sol.exists():
                inst = vrplib.read_instance(str(path))
                data = vrplib.read_solution(str(sol))
                ok, dist = check_routes(inst, data["routes"])
                ref = float(data["cost"])
                ok &= abs(dist - ref) < 1e-6
            bad += (not same) + (not ok)
            print(f"{s:<11}{spec.name:<24}{'same' if same else 'DIFFERS':>8}{ref:11.1f}"
                  f"{'' if ok else '  reference missing or infeasible'}")
    return 1 if bad else 0


class CpuTime:
    """PyVRP stopping criterion: ``limit`` seconds of this process's CPU time.

    The machine is shared: a wall-clock limit would give the reference runs whatever share of a
    core the other jobs leave, so the references would depend on the load of the day.
    """

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.start: float | None = None

    def __call__(self, best_cost: float) -> bool:
        now = time.process_time()
        if self.start is None:
            self.start = now
        return now - self.start > self.limit


def _reference(sets: list[str], seed: int, only: str = "") -> None:
    from importlib.metadata import version

    import pyvrp
    import vrplib

    from riskplan.routing.vrptw import VrptwResult, check_routes, write_solution

    for s in sets:
        n = int(s.split("-")[1])
        limit = REFERENCE_FACTOR * BUDGET[n]
        for path in sorted((SETS_DIR / s).glob("*.vrp")):
            if path.with_suffix(".sol").exists():
                continue
            if only and not any(k in path.stem for k in only.split(",")):
                continue
            t0, c0 = time.perf_counter(), time.process_time()
            data = pyvrp.read(str(path), round_func="dimacs")
            res = pyvrp.solve(data, stop=CpuTime(limit), seed=seed, display=False)
            routes = [[int(a.idx) + data.num_depots for a in r if a.is_client()] for r in res.best.routes()]
            ok, dist = check_routes(vrplib.read_instance(str(path)), routes)
            if not ok:
                print(f"{s} {path.stem}: PyVRP found no feasible solution", flush=True)
                continue
            r = VrptwResult(path.stem, dist, len(routes), routes, 0.0, None, None, True)
            write_solution(r, path.parent, comment=f"PyVRP {version('pyvrp')}, {limit:g} s CPU, seed {seed}")
            print(f"{s:<11}{path.stem:<24}{dist:11.1f}{len(routes):5d}{time.perf_counter() - t0:8.1f} s"
                  f"{time.process_time() - c0:8.1f} s CPU", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["write", "check", "reference", "write-threshold"])
    ap.add_argument("--sets", default=",".join(set_names()), help="comma-separated set names")
    ap.add_argument("--seed", type=int, default=0, help="seed of the PyVRP reference runs")
    ap.add_argument("--only", default="", help="reference: comma-separated substrings of instance names")
    args = ap.parse_args()
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = sorted(set(sets) - set(set_names()))
    if unknown:
        ap.error(f"unknown set(s) {unknown}; known: {set_names()}")
    if args.action == "write-threshold":
        for n in THRESHOLD_SIZES:
            for spec in threshold_specs(n):
                write_vrplib(generate_instance(spec), THRESHOLD_DIR / f"thr-{n}" / f"{spec.name}.vrp")
        print(f"threshold instances written under {THRESHOLD_DIR}")
    elif args.action == "write":
        _write(sets)
    elif args.action == "check":
        return _check(sets)
    else:
        _reference(sets, args.seed, args.only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
