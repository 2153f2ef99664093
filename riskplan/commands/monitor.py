"""``riskplan monitor``: the year's results against the plan.

Reads a plan folder written by ``riskplan plan`` (its ``config.toml`` and ``data_reference.toml``
say which configuration and dataset it was made with) and a results file (CSV or XLSX with the
columns of ``history``), validates the results, and writes into ``--out`` the KPI tables
(progress against the quarterly targets, coverage, follow-up), the alert list, the re-planned
remainder of the year, the seed plan's targets scorecard and ``report.md`` with PNG charts.

``--out`` is written as a whole and replaces only an earlier monitoring folder (one holding
nothing but what its manifest.json lists). Results that cannot be used (a duplicate sample ID,
an unknown result value, a missing column, an unreadable file) are refused: every problem is
printed, nothing is written to ``--out``, and the exit status is 2; ``--problems FILE`` also
writes them to FILE (CSV, UTF-8 with BOM), as ``riskplan validate --out`` does.

With a province's output folder as ``--plan`` (``riskplan plan --data PROVINCE --out OUT``),
every district is monitored as one task on a Dask cluster into ``OUT_MON/<district>/``, with a
provincial summary: each district's results are its dataset's own ``results`` table, or
``--results DIR/<district>.csv`` (see :mod:`riskplan.province.monitor`).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from riskplan._problems import Problems
from riskplan.commands import SUMMARIES, province
from riskplan.datasets import read_dataset, with_inspections
from riskplan.errors import RiskplanError, ValidationError
from riskplan.export.atomic import check_output_folder
from riskplan.export.csvfile import write_csv
from riskplan.monitoring import load_plan, monitor, read_results, write_outputs
from riskplan.monitoring.planio import dataset_for_plan
from riskplan.monitoring.report import export_settings
from riskplan.monitoring.targets import load_targets


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``riskplan monitor``."""
    p = subparsers.add_parser(
        "monitor",
        help=SUMMARIES["monitor"],
        description="\n\n".join(__doc__.split("\n\n")[1:3]) if __doc__ else None,
    )
    p.add_argument("--plan", metavar="DIR", required=True, help="plan folder written by `riskplan plan`")
    p.add_argument("--results", metavar="FILE",
                   help="results so far (CSV in UTF-8/GBK, or XLSX; columns of history.csv); for a "
                   "province: a folder with one file per district named after its folder (default: "
                   "each district's own results table)")
    p.add_argument("--out", metavar="DIR", required=True,
                   help="folder to write the tables and report into (new, empty, or an earlier "
                   "monitoring folder, replaced as a whole); untouched when the results are refused")
    p.add_argument("--problems", metavar="FILE",
                   help="also write the problems of the results file to this CSV (UTF-8 with BOM); "
                   "written on every run, header only when the results are accepted")
    p.add_argument("--data", metavar="DIR", help="dataset folder (default: the one the plan refers to)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="date of the assessment (default: the dataset's reference date)")
    p.add_argument("--inspections", metavar="FILE",
                   help="inspections done (CSV or XLSX; columns of inspections.csv: "
                   "establishment_id, date, optional programme, outcome, note): an inspection "
                   "programme's target (T25) is computed from them (default: the dataset's own "
                   "inspections table)")
    p.add_argument("--targets", metavar="FILE", help="creation targets CSV or XLSX (default: "
                   "the dataset's creation_targets; without them, no scorecard)")
    p.add_argument("--no-replan", action="store_true", help="skip the re-plan of the remainder")
    p.add_argument("--no-charts", action="store_true", help="write no PNG charts")
    province.add_arguments(p, priors=False)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``riskplan monitor``."""
    import pandas as pd

    if province.is_province_plan(args.plan):
        if args.inspections:
            raise RiskplanError("--inspections FILE is for a single plan folder (a province's "
                                "districts take their dataset's own inspections table)")
        return province.run_monitor(args)
    province.refuse_single(args)
    if not args.results:
        raise RiskplanError("--results FILE is needed for a single plan folder (a province's plan "
                            "takes each district's own results table)")
    t0 = time.perf_counter()
    plan = load_plan(args.plan)
    if args.data:
        dataset = read_dataset(Path(args.data))
    else:
        dataset = dataset_for_plan(plan)
    as_of = None
    if args.as_of:
        try:
            as_of = pd.Timestamp(args.as_of)
        except ValueError:
            raise RiskplanError(f"--as-of must be a date YYYY-MM-DD, got {args.as_of!r}") from None
    targets = None
    if args.targets:
        if not Path(args.targets).is_file():
            raise RiskplanError(f"targets file not found: {args.targets}")
        targets = load_targets(args.targets)
    out = Path(args.out)
    check_output_folder(out.absolute(), "monitor")  # before any work: a refusal costs nothing
    lang, excel_ids = export_settings(plan)
    try:
        results = read_results(args.results)
        if args.inspections:
            dataset = with_inspections(dataset, args.inspections)
        res = monitor(plan, results, dataset, as_of=as_of, targets=targets,
                      file=Path(args.results).name, do_replan=not args.no_replan)
    except ValidationError as exc:
        if args.problems:
            write_csv(exc.problems, Path(args.problems), lang, excel_ids=excel_ids)
            raise RiskplanError(f"{exc}\n  problems written to {args.problems}; nothing written "
                                f"to {out}") from None
        raise RiskplanError(f"{exc}\n  nothing written to {out} (--problems FILE writes every "
                            "problem to a CSV)") from None
    if args.problems:
        write_csv(Problems().to_frame(), Path(args.problems), lang, excel_ids=excel_ids)
    write_outputs(res, out, charts=not args.no_charts)
    lines = res.summary().splitlines()
    lines[0] = f"riskplan monitor: {dataset.name}, as of {res.as_of.date()}"
    lines.append(f"  files 输出: {out} (report.md)")
    lines.append(f"  time: {time.perf_counter() - t0:.1f} s")
    print("\n".join(lines))
    return 0
