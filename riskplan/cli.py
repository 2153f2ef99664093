"""The ``riskplan`` command line: one subcommand per module in :mod:`riskplan.commands`.

Each subcommand lives in ``riskplan/commands/<name>.py`` and provides ``add_parser(subparsers)``
and ``run(args) -> int``; listing its name and one-line help in
:data:`riskplan.commands.SUMMARIES` is all it takes to add it. ``riskplan <command>`` imports only
that command's module (what it needs, nothing of the other commands); ``riskplan --help`` lists the
commands from their one-line help and imports none. Any
:class:`~riskplan.errors.RiskplanError` is printed as a clean message on stderr with exit code 2.
Ctrl-C at any moment ends the command with "interrupted" and exit code 130; output folders and
files are written atomically, so nothing of the interrupted run is left and an earlier output
stays as it was (see :mod:`riskplan.interrupts` and :mod:`riskplan.export.atomic`). A Ctrl-C
while the command's module is being imported is held until the import ends (a few seconds): an
import cut in half can turn the interrupt into another error (Python wraps it in a RuntimeError
inside ``__set_name__``, as matplotlib's import does) or leave a library half-loaded.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from riskplan._version import __version__
from riskplan.commands import SUMMARIES
from riskplan.errors import RiskplanError
from riskplan.interrupts import deferred

COMMANDS: tuple[str, ...] = tuple(SUMMARIES)
"""Subcommand names (module names in riskplan.commands), in the order ``riskplan --help`` lists them."""


def command_module(name: str) -> ModuleType:
    """The module of the subcommand ``name`` (one of :data:`COMMANDS`).

    Imported when the parser is built, not with this module: loading it (pandas, geopandas,
    OR-Tools, a few seconds) then happens inside :func:`main`, which turns a Ctrl-C into
    "interrupted" like at any other moment.
    """
    # heavy (pandas, geopandas, OR-Tools): loaded inside main(), where Ctrl-C is handled
    return importlib.import_module(f"riskplan.commands.{name}")


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, or None.

    Its first argument not starting with ``-``, when that is one of :data:`COMMANDS` (the
    top-level options, ``--help`` and ``--version``, take no value).
    """
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in SUMMARIES else None


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The argument parser: every subcommand listed, the options of those in ``commands``.

    Parameters
    ----------
    commands
        Subcommands whose modules are imported for their options and ``run`` (default: all);
        the others are listed with their one-line help only (enough for ``riskplan --help``
        and for an unknown command's error), without importing anything.
    """
    parser = argparse.ArgumentParser(
        prog="riskplan",
        description="Risk-weighted food sampling plans and inspection routes for a district "
        "regulator / 食品安全风险抽检计划与检查路线",
    )
    parser.add_argument("--version", action="version", version=f"riskplan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name in COMMANDS:
        if name in commands:
            module = command_module(name)
            module.add_parser(sub).set_defaults(_run=module.run)
        else:
            sub.add_parser(name, help=SUMMARIES[name])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 the job found problems, 2 error, 130 Ctrl-C)."""
    args = argparse.Namespace(command=None)
    argv = sys.argv[1:] if argv is None else list(argv)
    command = requested_command(argv)
    try:
        with deferred():  # raised once the imports are complete, never inside one
            parser = build_parser([command] if command else [])
        args = parser.parse_args(argv)
        if getattr(args, "_run", None) is None:
            parser.print_help()
            return 2
        return int(args._run(args))
    except RiskplanError as exc:
        print(f"riskplan {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unwritable --out, a folder given as a file, a full disk...
        where = f": {exc.filename}" if exc.filename else ""
        print(f"riskplan {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        name = f"riskplan {args.command}" if args.command else "riskplan"
        print(f"{name}: interrupted / 已中断 (nothing written; an earlier output is left as it "
              "was)", file=sys.stderr)
        return 130


def console() -> NoReturn:
    """The ``riskplan`` program: :func:`main`, then the process ends at once.

    A plan run leaves a large heap (a year: about 1 GB of tables and solver objects) whose
    teardown by the interpreter takes close to a second. Every file is written and closed by
    then, so the exit handlers run (they stop any child process left) and the output streams
    are flushed, and the process ends without the teardown.
    """
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
