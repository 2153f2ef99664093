"""``riskplan validate [DIR]``: check a dataset folder and print a summary and every problem."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

import pandas as pd

from riskplan.datasets import embedded_data_dir
from riskplan.errors import RiskplanError
from riskplan.export.csvfile import write_csv
from riskplan.validation import summarize, validate_folder


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``validate`` subcommand to ``subparsers`` and return its parser."""
    p = subparsers.add_parser(
        "validate",
        help="check a dataset folder (default: the embedded Ouhai data) / 校验数据",
        description="Check every table and cross-reference of a district dataset folder and print "
        "a summary and every problem (file, row, column, value, reason in Chinese and English). "
        "Exit code 1 when there are errors (warnings do not fail).",
    )
    p.add_argument("data", nargs="?", metavar="DIR", type=Path,
                   help="dataset folder (default: the embedded Ouhai dataset)")
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="also write the problems table to this CSV (UTF-8 with BOM)")
    p.add_argument("--no-warnings", action="store_true", help="list errors only")
    return p


def run(args: argparse.Namespace) -> int:
    """Validate, print the summary and the problems; 1 when there are errors, else 0."""
    folder = args.data
    if folder is None:
        try:
            folder = embedded_data_dir("ouhai")
        except FileNotFoundError as exc:
            raise RiskplanError(str(exc)) from None
    dataset, problems = validate_folder(folder)
    out = sys.stdout
    print(f"Dataset / 数据集: {folder}", file=out)
    try:
        table = summarize(dataset)
        width = max(_width(s) for s in table["item"])
        for item, value in table.itertuples(index=False):
            print(f"  {item}{' ' * (width - _width(item))}  {value}", file=out)
    except Exception as exc:  # a broken dataset may not summarise; the problems say why
        print(f"  (no summary: {type(exc).__name__})", file=out)
    n_err = int((problems["level"] == "error").sum())
    n_warn = int((problems["level"] == "warning").sum())
    shown = problems[problems["level"] == "error"] if args.no_warnings else problems
    if len(shown):
        print("", file=out)
        print(_format(shown), file=out)
    if args.out is not None:
        # the offending values are echoed: the same guard against formula injection as every export
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(problems, args.out, "en")
        print(f"\nproblems written to {args.out}", file=out)
    print("", file=out)
    if n_err:
        print(f"INVALID / 校验未通过: {n_err} error(s) / 错误, {n_warn} warning(s) / 警告", file=out)
        return 1
    print(f"OK / 校验通过: 0 errors / 错误, {n_warn} warning(s) / 警告", file=out)
    return 0


def _width(text: str) -> int:
    """Display width of ``text`` in a terminal (CJK characters take two columns)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _format(problems: pd.DataFrame, limit: int = 200) -> str:
    """Problems as aligned text lines (at most ``limit``)."""
    lines = ["level    file:row  column  [value]  message / 说明"]
    for r in problems.head(limit).itertuples(index=False):
        where = f"{r.file}:{r.row}" if r.row is not None else f"{r.file}"
        value = f" [{r.value}]" if r.value else ""
        col = f"  {r.column}" if r.column else ""
        lines.append(f"{r.level:<8} {where}{col}{value}  {r.message_en} / {r.message_zh}")
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more (use --out to get them all)")
    return "\n".join(lines)
