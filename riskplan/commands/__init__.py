"""Subcommands of the ``riskplan`` command line.

Each module ``riskplan/commands/<name>.py`` provides::

    def add_parser(subparsers) -> argparse.ArgumentParser   # adds and returns its parser
    def run(args: argparse.Namespace) -> int                # the exit code

and is registered by adding ``"<name>"`` to :data:`riskplan.cli.COMMANDS`. Commands raise
:class:`riskplan.errors.RiskplanError` for bad input; the CLI prints it without a traceback.
"""
