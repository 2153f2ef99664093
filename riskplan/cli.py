"""The ``riskplan`` command line: one subcommand per module in :mod:`riskplan.commands`.

Each subcommand lives in ``riskplan/commands/<name>.py`` and provides ``add_parser(subparsers)``
and ``run(args) -> int``; listing the module in :data:`COMMAND_MODULES` is all it takes to add it. Any
:class:`~riskplan.errors.RiskplanError` is printed as a clean message on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from riskplan._version import __version__
from riskplan.commands import bench, config, init, monitor, plan, validate
from riskplan.errors import RiskplanError

COMMAND_MODULES: tuple[ModuleType, ...] = (validate, init, plan, config, monitor, bench)
"""Subcommand modules, in the order ``riskplan --help`` lists them."""

COMMANDS: tuple[str, ...] = tuple(m.__name__.rpartition(".")[2] for m in COMMAND_MODULES)
"""Subcommand names (module names in riskplan.commands), in the same order."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="riskplan",
        description="Risk-weighted food sampling plans and inspection routes for a district "
        "regulator / 食品安全风险抽检计划与检查路线",
    )
    parser.add_argument("--version", action="version", version=f"riskplan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for module in COMMAND_MODULES:
        sp = module.add_parser(sub)
        sp.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 the job found problems, 2 error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args._run(args))
    except RiskplanError as exc:
        print(f"riskplan {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unwritable --out, a folder given as a file, a full disk...
        where = f": {exc.filename}" if exc.filename else ""
        print(f"riskplan {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
