"""Benchmark: score() on a synthetic 1,000,000-row history over about 10,000 strata.

Run: ``.venv/bin/python benchmarks/bench_risk.py [--rows N] [--seed S]``. Prints the time and the
peak memory (tracemalloc, Python allocations incl. numpy/pandas buffers) of one ``score()`` call,
plus the process's peak resident set size.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

from riskplan.risk import score
from riskplan.synthetic import make_synthetic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="history rows")
    ap.add_argument("--establishments", type=int, default=40_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t0 = time.perf_counter()
    d = make_synthetic(n_townships=13, n_categories=39, n_establishments=args.establishments,
                       n_history=args.rows, n_extra_business_types=16, seed=args.seed)
    t_build = time.perf_counter() - t0
    print(f"synthetic data: {len(d.history):,} history rows, {len(d.establishments):,} establishments "
          f"(built in {t_build:.1f} s)")

    tracemalloc.start()
    t0 = time.perf_counter()
    s = score(d)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # a second, untraced run: tracemalloc slows allocation-heavy code
    t1 = time.perf_counter()
    score(d)
    elapsed_plain = time.perf_counter() - t1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(f"strata scored: {len(s):,} ({int((~s['no_history']).sum()):,} with history)")
    print(f"score(): {elapsed_plain:.2f} s (untraced), {elapsed:.2f} s under tracemalloc")
    print(f"peak memory of score() (tracemalloc): {peak / 2**20:.0f} MiB; process peak RSS {rss:.0f} MiB")
    print(f"pooling: {s.attrs['risk']['pooling']}")


if __name__ == "__main__":
    main()
