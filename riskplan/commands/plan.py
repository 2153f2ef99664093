"""``riskplan plan``: the whole job in one command.

Loads and validates the data (default: the embedded Ouhai dataset), reads the configuration
(default: the documented defaults, see ``riskplan config --show``), scores risk, sizes and
allocates the annual quota, schedules it by month, selects the establishments of the month,
draws the teams, routes them, and writes the plan folder (see :mod:`riskplan.export.plan_folder`).

The default month is the month after the dataset's ``reference_date`` (2026-07 for Ouhai, whose
data are frozen on 2026-06-30); it is never computed from today's date. ``--all-months`` plans
every month of the plan year. A bad configuration or month fails before anything is written.

With a folder of district folders (or several folders) as ``--data``, every district is planned
as one task on a Dask cluster into ``OUT/<district>/``, with a provincial summary in
``OUT/province/`` (see :mod:`riskplan.commands.province` and ``docs/province.md``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
from pathlib import Path

from riskplan.commands import SUMMARIES, province
from riskplan.config import Config
from riskplan.configure import check_config
from riskplan.dataset import Dataset
from riskplan.datasets import load_ouhai, read_dataset, with_higher_level
from riskplan.errors import ConfigError, RiskplanError
from riskplan.export.atomic import check_output_folder
from riskplan.export.plan_folder import write_plan
from riskplan.export.plan_maps import PlanMaps
from riskplan.pipeline import PlanResult, run_plan
from riskplan.workers import call, preload, process_pool, workers


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``riskplan plan``."""
    p = subparsers.add_parser(
        "plan",
        help=SUMMARIES["plan"],
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    p.add_argument("--data", metavar="DIR", nargs="+", help="dataset folder (default: the embedded Ouhai "
                   "data); a folder of district folders, or several folders, plans each district")
    p.add_argument("--config", metavar="FILE.toml", help="configuration file (default: built-in "
                   "defaults, printed by `riskplan config --show`)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--month", metavar="YYYY-MM", help="month to select and route (default: the "
                      "month after the dataset's reference date, e.g. 2026-07 for Ouhai)")
    when.add_argument("--all-months", action="store_true", help="every month of the plan year")
    p.add_argument("--higher-level", metavar="FILE", help="samples of national, provincial and city "
                   "programmes in the district (the columns of higher_level.csv, docs/input-format.md); "
                   "replaces the dataset folder's higher_level.csv")
    p.add_argument("--seed", type=int, help="seed of the random steps (default: `seed` of the config, 2026)")
    p.add_argument("--lang", choices=("zh", "en"), help="language of headers and labels (default: "
                   "export.lang of the config, zh)")
    p.add_argument("--out", metavar="DIR", required=True, help="plan folder to write: new, empty, or "
                   "an earlier plan folder holding only what its manifest.json lists (replaced as a "
                   "whole, only once the new plan is complete); anything else is refused")
    province.add_arguments(p)
    p.set_defaults(func=run)
    return p


def parse_month(text: str, plan_year: int) -> int:
    """Month number of ``YYYY-MM``, which must be in ``plan_year``."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise RiskplanError(f"--month must be YYYY-MM, got {text!r}")
    if int(m.group(1)) != plan_year:
        raise RiskplanError(f"--month {text} is not in the dataset's plan year {plan_year}")
    return int(m.group(2))


def _load(args: argparse.Namespace) -> Dataset:
    if args.data:
        return read_dataset(Path(args.data))
    return load_ouhai()


def summary(result: PlanResult, out: Path, seconds: float, font_note: str | None = None) -> str:
    """The few lines printed at the end of a run: the plan's summary, where it went, how long.

    ``font_note``: see :meth:`riskplan.pipeline.PlanResult.summary`.
    """
    lines = [result.summary(font_note)]
    lines.append(f"  files 输出: {out}  (report: {out / ('report.' + result.config.export.report)})")
    lines.append(f"  time: {seconds:.1f} s")
    return "\n".join(lines)


WORKER_MODULES = ("riskplan.plotting.fonts", "riskplan.export.map_drawing", "riskplan.export.report_charts",
                  "riskplan.export.team_sheet")
"""What the worker processes import while the plan's first stages run: matplotlib and openpyxl, which
this process never imports (about a second of its start-up)."""


def plan_and_write(dataset: Dataset, config: Config, months: list[int] | None, out: Path, *,
                   progress: bool = False, command: list[str] | None = None) -> tuple[PlanResult, str]:
    """Make the plan and write its folder, with worker processes beside this one.

    The workers start first (forked: this process runs no other thread yet) and import the
    drawing libraries; they draw the report's charts as soon as the schedule is known, each
    month's maps while the next months are routed and solve day routes with this process, then
    build the workbooks, team files and interactive maps while it writes the other files. The plan
    and the files are those of :func:`run_plan` and :func:`write_plan` one after the other.

    Returns
    -------
    tuple of PlanResult and str
        The plan, and :func:`riskplan.plotting.fonts.font_note` as a worker found it (for the
        summary: this process does not import matplotlib).
    """
    with contextlib.ExitStack() as stack:
        pool = process_pool(workers(config.export.map_workers))
        if pool is not None:
            stack.callback(pool.shutdown, wait=True, cancel_futures=True)
        preload(pool, WORKER_MODULES)
        drawn = stack.enter_context(PlanMaps(dataset, config.export, pool))
        note = drawn.drawing.submit(call, "riskplan.plotting.fonts:font_note")
        result = run_plan(dataset, config, months, config.seed, progress=progress, on_month=drawn.add_month,
                          pool=pool, on_schedule=drawn.add_schedule)
        write_plan(result, dataset, out, progress=progress, command=command, maps=drawn)
        font_note: str = drawn.drawing.result(note)
    return result, font_note


def run(args: argparse.Namespace) -> int:
    """Run ``riskplan plan``. Every check happens before the plan folder is touched."""
    if province.is_province(args.data):
        if getattr(args, "higher_level", None):
            raise RiskplanError("--higher-level: for one district; put a higher_level.csv in each "
                                "district folder instead")
        return province.run_plan(args)
    province.refuse_single(args)
    args.data = args.data[0] if args.data else None
    t0 = time.perf_counter()
    progress = not os.environ.get("TQDM_DISABLE") and sys.stderr.isatty()
    out = Path(args.out)
    check_output_folder(out.absolute())
    dataset = _load(args)
    if getattr(args, "higher_level", None):
        dataset = with_higher_level(dataset, args.higher_level)
    # every problem of the file and of its codes against the data, in one run
    report = check_config(args.config, dataset) if args.config else check_config(Config(), dataset)
    report.raise_errors()
    config = report.config
    if args.seed is not None:
        if args.seed < 0:
            raise ConfigError("seed", f"--seed must be a non-negative integer, got {args.seed}")
        config = config.replace(seed=args.seed)
    if args.lang:
        import dataclasses

        config = config.replace(export=dataclasses.replace(config.export, lang=args.lang))
    if args.all_months:
        months: list[int] | None = list(range(1, 13))
    elif args.month:
        if dataset.plan_year is None:
            raise RiskplanError("--month needs the dataset's plan year (plan_year in dataset.toml)")
        months = [parse_month(args.month, int(dataset.plan_year))]
    else:
        months = None
    options = ["plan"] + [f"--{k.replace('_', '-')}={v}" for k, v in (
        ("data", args.data), ("config", args.config), ("higher_level", args.higher_level),
        ("month", args.month),
        ("all_months", args.all_months or None), ("seed", args.seed), ("lang", args.lang),
    ) if v is not None]  # --out left out: the manifest does not depend on where it is written
    result, font_note = plan_and_write(dataset, config, months, out, progress=progress, command=options)
    print(summary(result, out, time.perf_counter() - t0, font_note))
    return 0
