"""``riskplan template --out DIR``: blank input files for a bureau's staff to fill."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from riskplan._version import __version__
from riskplan.commands import SUMMARIES
from riskplan.export.atomic import staged_folder
from riskplan.export.manifest import hash_folder, write_manifest
from riskplan.schema import TABLES
from riskplan.templates import TEMPLATE_MARKER, write_templates


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``template`` subcommand to ``subparsers`` and return its parser."""
    p = subparsers.add_parser(
        "template",
        help=SUMMARIES["template"],
        description="Write blank input files for a district: DIR/xlsx/ holds one workbook per "
        "table (Chinese and English headers, an example row, drop-downs for fixed lists and for "
        "codes listed on a sheet of the same workbook, a sheet explaining each column in "
        "Chinese), DIR/csv/ the same tables as UTF-8 CSV, each with a dataset.toml to fill. "
        "Fill one of them, add townships.geojson, then run `riskplan validate`.",
    )
    p.add_argument("--out", type=Path, metavar="DIR", required=True,
                   help="folder to write (created; replaced only if it is an earlier template folder "
                   "whose manifest.json lists every file in it)")
    return p


def run(args: argparse.Namespace) -> int:
    """Write the templates atomically into ``args.out``; 0 on success."""
    with staged_folder(args.out, "template") as tmp:
        write_templates(tmp)
        write_manifest(tmp, {
            "riskplan_version": __version__, "kind": "template",
            "run_time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "outputs_sha256": hash_folder(tmp),
        })
    out = args.out
    print(f"templates written to / 模板已写入 {out}")
    print(f"  {out / 'xlsx'}  {len(TABLES)} workbooks + dataset.toml / 个工作簿")
    print(f"  {out / 'csv'}  {len(TABLES)} CSV files (UTF-8) + dataset.toml / 个 CSV 文件")
    print(f"  {out / TEMPLATE_MARKER}, {out / 'column_guide.csv'}  how to fill them / 填表说明")
    print(f"next / 下一步: fill one folder, add townships.geojson, then "
          f"`riskplan validate {out / 'xlsx'}`")
    return 0
