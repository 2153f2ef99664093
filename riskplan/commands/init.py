"""``riskplan init``: a first configuration made from a dataset, to check and edit.

Writes a configuration that fits the dataset (its roles, its festival-food categories, its
school terms for the plan year) with every key documented; roles are proposed from the names of
business types and categories that declare none, and each guess is listed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riskplan.commands import SUMMARIES
from riskplan.configure import init_config
from riskplan.datasets import read_dataset
from riskplan.errors import RiskplanError
from riskplan.export.atomic import write_text


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``riskplan init``."""
    p = subparsers.add_parser(
        "init",
        help=SUMMARIES["init"],
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    p.add_argument("--data", metavar="DIR", required=True, help="dataset folder")
    p.add_argument("--out", metavar="FILE", help="configuration file to write (default: print it)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``riskplan init``."""
    dataset = read_dataset(Path(args.data))
    result = init_config(dataset, source=args.data)
    if args.out:
        out = Path(args.out)
        if out.exists() and not args.force:
            raise RiskplanError(f"{out} exists: give --force to replace it")
        write_text(out, result.text)
        print(result.summary())
        print(f"  configuration 配置: {out}  (check: riskplan config --check {out} --data {args.data})")
    else:
        sys.stdout.write(result.text)
        print(result.summary(), file=sys.stderr)
    return 0
