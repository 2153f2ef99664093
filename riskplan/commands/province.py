"""The province side of ``riskplan plan`` and ``riskplan monitor``: many districts on Dask.

``riskplan plan --data DIR [DIR ...]`` plans a province when the folders hold several districts
(a folder of district folders, or several district folders): see :mod:`riskplan.province`.
:func:`add_arguments` adds the cluster options to a command's parser; :func:`is_province` tells
the command which way to go; :func:`rules` turns the options into
:class:`~riskplan.settings.province.ProvinceRules`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from riskplan.errors import RiskplanError
from riskplan.province.sources import is_district_folder
from riskplan.settings.province import ProvinceRules

__all__ = ["OPTIONS", "add_arguments", "is_province", "is_province_plan", "refuse_single", "rules",
           "run_monitor", "run_plan"]

OPTIONS = ("workers", "threads_per_worker", "memory_limit", "retries", "scheduler", "scheduler_file",
           "province_priors")
"""Destinations of the province-only options (refused for a single district)."""


def add_arguments(p: argparse.ArgumentParser, *, priors: bool = True) -> None:
    """Add the options of a province run (a group of their own in ``--help``)."""
    g = p.add_argument_group("many districts (a folder of district folders) 多区县",
                             "Each district is one task on a Dask cluster: a local one by default, "
                             "or an existing one (docs/province.md).")
    g.add_argument("--workers", type=int, metavar="N", help="worker processes of the local cluster "
                   "(default: one per CPU core)")
    g.add_argument("--threads-per-worker", type=int, metavar="N", help="threads per worker (default 1)")
    g.add_argument("--memory-limit", metavar="SIZE", help="memory per worker, e.g. 4GiB (default: "
                   "auto, the machine's memory shared between the workers; 0: no limit)")
    g.add_argument("--retries", type=int, metavar="N", help="reruns of a district's task after an "
                   "unexpected error (default 2; bad data is never retried)")
    where = g.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. "
                       "tcp://host:8786 (its workers must see the same paths)")
    where.add_argument("--scheduler-file", metavar="PATH", help="an existing Dask scheduler's file "
                       "(dask scheduler --scheduler-file PATH)")
    if priors:
        g.add_argument("--province-priors", action="store_true", help="let each district's category "
                       "priors borrow from the province (fitted once over every district's history)")


def is_province(data: Sequence[str] | None) -> bool:
    """True when ``--data`` names several districts (or a folder of district folders)."""
    if not data:
        return False
    return len(data) > 1 or (Path(data[0]).is_dir() and not is_district_folder(Path(data[0])))


def is_province_plan(plan: str) -> bool:
    """True when ``--plan`` is a province's output folder (district plan folders, a summary)."""
    p = Path(plan)
    if not p.is_dir() or (p / "manifest.json").exists():
        return False
    return (p / "province" / "manifest.json").is_file() or any(
        (sub / "manifest.json").is_file() for sub in p.iterdir() if sub.is_dir())


def rules(args: argparse.Namespace) -> ProvinceRules:
    """The :class:`ProvinceRules` of the options given (defaults for the others)."""
    given = {k: getattr(args, k) for k in OPTIONS if getattr(args, k, None) not in (None, False)}
    return ProvinceRules(**given)


def refuse_single(args: argparse.Namespace) -> None:
    """Raise when a province-only option is given for a single district."""
    given = [f"--{k.replace('_', '-')}" for k in OPTIONS if getattr(args, k, None) not in (None, False)]
    if given:
        raise RiskplanError(f"{', '.join(given)}: only for several districts (--data with a folder of "
                            "district folders, or several folders)")


def run_plan(args: argparse.Namespace) -> int:
    """``riskplan plan`` for a province; exit status 1 when a district failed."""
    if args.month and not re.fullmatch(r"\d{4}-(0?[1-9]|1[0-2])", args.month.strip()):
        raise RiskplanError(f"--month must be YYYY-MM, got {args.month!r}")
    if args.seed is not None and args.seed < 0:
        raise RiskplanError(f"--seed must be a non-negative integer, got {args.seed}")
    month = "all" if args.all_months else (f"{args.month[:4]}-{int(args.month.strip()[5:]):02d}"
                                           if args.month else None)
    command = ["plan"] + [f"--{k.replace('_', '-')}={v}" for k, v in (
        ("data", ";".join(args.data)), ("config", args.config), ("month", args.month),
        ("all_months", args.all_months or None), ("seed", args.seed), ("lang", args.lang),
        ("province_priors", args.province_priors or None),
    ) if v is not None]
    progress = not os.environ.get("TQDM_DISABLE") and sys.stderr.isatty()
    # heavy (dask.distributed): loaded only when a province is planned, not at every start-up
    from riskplan.province.run import plan_province

    try:
        result = plan_province(args.data, args.out, config=args.config, months=month, seed=args.seed,
                               lang=args.lang, rules=rules(args), progress=progress, command=command)
    except KeyboardInterrupt:
        print("riskplan plan: the districts finished before the interrupt are kept whole, nothing "
              "half-written is left; run the same command again to resume / 已完成的区县保留，"
              "重新运行同一命令即可继续", file=sys.stderr)
        raise
    print(result.summary())
    return 1 if result.failed else 0


def run_monitor(args: argparse.Namespace) -> int:
    """``riskplan monitor`` for a province; exit status 1 when a district's monitoring failed."""
    if args.problems or args.targets:
        raise RiskplanError("--problems and --targets are for a single plan folder: a province's "
                            "summary has problems.csv, and each district's targets are its own")
    as_of = None
    if args.as_of:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.as_of.strip()):
            raise RiskplanError(f"--as-of must be a date YYYY-MM-DD, got {args.as_of!r}")
        as_of = args.as_of.strip()
    command = ["monitor"] + [f"--{k.replace('_', '-')}={v}" for k, v in (
        ("plan", args.plan), ("results", args.results), ("data", args.data), ("as_of", args.as_of),
        ("no_replan", args.no_replan or None), ("no_charts", args.no_charts or None)) if v is not None]
    progress = not os.environ.get("TQDM_DISABLE") and sys.stderr.isatty()
    # heavy (dask.distributed): loaded only when a province is monitored
    from riskplan.province.monitor import monitor_province

    result = monitor_province(args.plan, args.out, results=args.results, data=args.data, as_of=as_of,
                              do_replan=not args.no_replan, charts=not args.no_charts, rules=rules(args),
                              progress=progress, command=command)
    print(result.summary())
    return 1 if result.failed else 0
