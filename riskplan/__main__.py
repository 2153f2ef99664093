"""``python -m riskplan``: the command line (:mod:`riskplan.cli`)."""

import sys

from riskplan.cli import main

sys.exit(main())
