"""``riskplan monitor``: the year's results against the plan.

Reads a plan folder written by ``riskplan plan`` (its ``config.toml`` and ``data_reference.toml``
say which configuration and dataset it was made with) and a results file (CSV or XLSX with the
columns of ``history``), validates the results, and writes into ``--out`` the KPI tables
(progress against the quarterly targets, coverage, follow-up), the alert list, the re-planned
remainder of the year, the seed plan's targets scorecard and ``report.md`` with PNG charts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from riskplan.errors import RiskplanError, ValidationError


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``riskplan monitor``."""
    p = subparsers.add_parser(
        "monitor",
        help="progress, coverage, follow-up, alerts, re-plan and targets from the year's results",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    p.add_argument("--plan", metavar="DIR", required=True, help="plan folder written by `riskplan plan`")
    p.add_argument("--results", metavar="FILE", required=True,
                   help="results so far (CSV in UTF-8/GBK, or XLSX; columns of history.csv)")
    p.add_argument("--out", metavar="DIR", required=True, help="folder to write the tables and report into")
    p.add_argument("--data", metavar="DIR", help="dataset folder (default: the one the plan refers to)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="date of the assessment (default: the dataset's reference date)")
    p.add_argument("--targets", metavar="FILE", help="creation targets CSV (default: the embedded one)")
    p.add_argument("--no-replan", action="store_true", help="skip the re-plan of the remainder")
    p.add_argument("--no-charts", action="store_true", help="write no PNG charts")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``riskplan monitor``."""
    import pandas as pd

    from riskplan.monitoring import load_plan, monitor, read_results, write_outputs
    from riskplan.monitoring.planio import dataset_for_plan
    from riskplan.monitoring.targets import load_targets

    t0 = time.perf_counter()
    plan = load_plan(args.plan)
    if args.data:
        from riskplan.io import read_dataset

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
    try:
        results = read_results(args.results)
        res = monitor(plan, results, dataset, as_of=as_of, targets=targets,
                      file=Path(args.results).name, do_replan=not args.no_replan)
    except ValidationError as exc:
        from riskplan.export.csvfile import write_csv
        from riskplan.monitoring.report import export_settings

        lang, excel_ids = export_settings(plan)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(exc.problems, out / "results_problems.csv", lang, excel_ids=excel_ids)
        raise
    write_outputs(res, out, charts=not args.no_charts)
    d = res.behind_district.iloc[0]
    fu = res.followup.summary.iloc[0]
    sc = res.scorecard["status"].value_counts()
    lines = [
        f"riskplan monitor: {dataset.name}, as of {res.as_of.date()}",
        f"  completion 完成: {int(d['done'])}/{int(d['annual'])} ({100 * d['completion']:.1f} %), "
        f"due {int(d['due'])} by the quarterly target, short {int(d['gap_target'])}",
        f"  results 结果: {len(res.ingest.results)} rows, {len(res.ingest.unmatched)} outside the plan",
        f"  follow-up 核查处置: {int(fu['done'])}/{int(fu['unqualified'])} done, {int(fu['overdue'])} overdue",
        f"  alerts 预警: {len(res.alerts)} signals",
        "  targets 目标: " + ", ".join(f"{k} {v}" for k, v in sc.items()),
    ]
    if res.replan is not None:
        lines.append(f"  re-plan 重新分配: {res.replan.remaining} samples over months "
                     f"{res.replan.months[0]}-{res.replan.months[-1]}" if res.replan.months
                     else "  re-plan: no months left")
    elif res.replan_error:
        lines.append(f"  re-plan not done: {res.replan_error}")
    lines.append(f"  files 输出: {out} (report.md)")
    lines.append(f"  time: {time.perf_counter() - t0:.1f} s")
    print("\n".join(lines))
    return 0
