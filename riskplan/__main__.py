"""``python -m riskplan``: the command line (:mod:`riskplan.cli`)."""

from riskplan.cli import console

console()
