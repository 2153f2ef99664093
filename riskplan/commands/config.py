"""``riskplan config``: print the default configuration, or check a configuration file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riskplan.commands import SUMMARIES
from riskplan.config import Config
from riskplan.configure import check_config
from riskplan.datasets import read_dataset


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``riskplan config``."""
    p = subparsers.add_parser(
        "config",
        help=SUMMARIES["config"],
        description="Print the complete default configuration as TOML (every key with its default), "
        "or check a configuration file and list every problem at once (unknown keys, wrong types, "
        "out-of-range values; with --data also every code, role or name the dataset does not have, "
        "and every rule that matches nothing in it). Exit 0 when valid, 1 otherwise.",
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--show", action="store_true", help="print the default configuration as TOML")
    g.add_argument("--check", metavar="FILE", help="check a configuration file; exit 0 when valid")
    p.add_argument("--data", metavar="DIR", help="with --check: also check codes, roles and names "
                   "against this dataset (without it they are not checked, and the output says so)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``riskplan config``: 0 when the file is valid, 1 when it has errors."""
    if args.show:
        sys.stdout.write(Config().to_toml())
        return 0
    dataset = read_dataset(Path(args.data)) if args.data else None
    report = check_config(args.check, dataset)
    print(report.summary())
    return 0 if report.ok else 1
