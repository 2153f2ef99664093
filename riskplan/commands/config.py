"""``riskplan config``: print the default configuration, or check a configuration file."""

from __future__ import annotations

import argparse
import sys

from riskplan.config import Config, load_config
from riskplan.datasets import load_ouhai, read_dataset


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``riskplan config``."""
    p = subparsers.add_parser(
        "config",
        help="print the default configuration (--show) or check a file (--check FILE)",
        description="Print the complete default configuration as TOML (every key with its default), "
        "or check a configuration file strictly (unknown keys, wrong types, out-of-range values; "
        "with --data also unknown category, business-type and township codes).",
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--show", action="store_true", help="print the default configuration as TOML")
    g.add_argument("--check", metavar="FILE", help="check a configuration file; exit 0 when valid")
    p.add_argument("--data", metavar="DIR", help="with --check: also check codes against this dataset "
                   "(default: the embedded Ouhai data)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``riskplan config``; a bad file raises ConfigError (naming the key)."""
    if args.show:
        sys.stdout.write(Config().to_toml())
        return 0
    cfg = load_config(args.check)
    if args.data:
        dataset = read_dataset(args.data)
    else:
        dataset = load_ouhai()
    cfg.check_codes(dataset)
    print(f"{args.check}: OK / 配置有效")
    return 0
