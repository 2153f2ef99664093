"""Subcommands of the ``riskplan`` command line.

Each module ``riskplan/commands/<name>.py`` provides::

    def add_parser(subparsers) -> argparse.ArgumentParser   # adds and returns its parser
    def run(args: argparse.Namespace) -> int                # the exit code

and is registered by adding ``"<name>": "<one-line help>"`` to :data:`SUMMARIES` (its parser
takes its ``help`` from there). Commands raise :class:`riskplan.errors.RiskplanError` for bad
input; the CLI prints it without a traceback.

This package module imports nothing: ``riskplan --help`` lists the commands from
:data:`SUMMARIES` without loading any of them, and ``riskplan <command>`` loads only that
command's module (see :mod:`riskplan.cli`).
"""

SUMMARIES: dict[str, str] = {
    "validate": "check a dataset folder (default: the embedded Ouhai data) / 校验数据",
    "template": "write blank input files (XLSX with drop-downs, CSV) to fill in / 生成数据填报模板",
    "init": "write a first configuration made from a dataset (roles, seasons, school terms)",
    "plan": "risk scores, quota, allocation, schedule, selection, routes and field-team files",
    "config": "print the default configuration (--show) or check a file (--check FILE)",
    "monitor": "progress, coverage, follow-up, alerts, re-plan and targets from the year's results",
    "bench": "quality benchmark of the routing engine / 路径求解质量基准",
}
"""Subcommand name (its module in this package) -> the line ``riskplan --help`` shows for it, in
the order listed there."""
