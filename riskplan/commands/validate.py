"""``riskplan validate [DIR]``: check a dataset folder and print a summary and every problem."""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd

from riskplan.commands import SUMMARIES
from riskplan.datasets import embedded_data_dir
from riskplan.errors import RiskplanError
from riskplan.export.csvfile import write_csv
from riskplan.validation import summarize, validate_folder

_UNUSED = re.compile(r"\((?P<n>\d+) filled cells?\)(?:; did you mean '(?P<name>[^']+)'\?)?")
"""The count and the suggestion in the message of a column not used (riskplan.io.note_unused)."""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``validate`` subcommand to ``subparsers`` and return its parser."""
    p = subparsers.add_parser(
        "validate",
        help=SUMMARIES["validate"],
        description="Check every table and cross-reference of a district dataset folder and print "
        "a summary and every problem (file, row, column, value, reason in Chinese and English). "
        "Exit code 1 when there are errors (warnings do not fail). Columns riskplan does not "
        "use are listed apart (level info, one line per file and column).",
    )
    p.add_argument("data", nargs="?", metavar="DIR", type=Path,
                   help="dataset folder (default: the embedded Ouhai dataset)")
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="also write the problems table to this CSV (UTF-8 with BOM)")
    p.add_argument("--no-warnings", action="store_true",
                   help="list errors only (no warnings, no columns not used)")
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
    infos = problems[problems["level"] == "info"]
    shown = problems[problems["level"] == "error"] if args.no_warnings else problems[
        problems["level"] != "info"]
    if len(shown):
        print("", file=out)
        print(_format(shown), file=out)
    if len(infos) and not args.no_warnings:
        print("", file=out)
        print(_format_infos(infos), file=out)
    if args.out is not None:
        # the offending values are echoed: the same guard against formula injection as every export
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(problems, args.out, "en")
        print(f"\nproblems written to {args.out}", file=out)
    print("", file=out)
    rest = f"{n_warn} warning(s) / 警告, {len(infos)} column(s) not used / 未使用的列"
    if n_err:
        print(f"INVALID / 校验未通过: {n_err} error(s) / 错误, {rest}", file=out)
        return 1
    print(f"OK / 校验通过: 0 errors / 错误, {rest}", file=out)
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


def _format_infos(infos: pd.DataFrame) -> str:
    """The ``info`` rows (columns riskplan does not use) as aligned lines, one per file and column."""
    lines = ["Columns not used (kept in the table, ignored by riskplan) / "
             "未使用的列（保留但不参与计算）:"]
    where = [f"{r.file}  {r.column}" for r in infos.itertuples(index=False)]
    width = max(_width(w) for w in where)
    for w, r in zip(where, infos.itertuples(index=False)):
        m = _UNUSED.search(r.message_en)
        if m is None:  # an info of another kind: its message as it is
            detail = f"{r.message_en} / {r.message_zh}"
        else:
            detail = f"({m['n']} filled / 非空)"
            if m["name"]:
                detail += f"  did you mean / 是否应为 '{m['name']}'?"
        lines.append(f"  {w}{' ' * (width - _width(w))}  {detail}")
    return "\n".join(lines)
