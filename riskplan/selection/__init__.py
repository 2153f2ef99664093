"""Selection: which establishments to sample each month, and which officers go ("double random").

* :func:`select` - PPS by risk grade without replacement, rotation window, merged visits,
  explicit shortfall (see :class:`Selection`); :func:`select_year` runs it month after month.
* :func:`inclusion_probabilities`, :func:`systematic_sample`, :func:`conditional_poisson_sample` -
  the PPS building blocks.
* :func:`draw_teams` - the officers of each team for each working day, logged.
* :class:`SelectionRules` - the settings (TOML section ``selection``).
"""

from riskplan.selection.pps import (
    conditional_poisson_sample,
    inclusion_probabilities,
    pps_sample,
    systematic_sample,
)
from riskplan.selection.result import SAMPLE_COLUMNS, SHORTFALL_COLUMNS, VISIT_COLUMNS, Selection
from riskplan.selection.roster import ROSTER_COLUMNS, draw_teams
from riskplan.selection.rotation import rotation_table
from riskplan.selection.select import select, select_dataset, select_year
from riskplan.settings.selection import SelectionRules

__all__ = [
    "ROSTER_COLUMNS",
    "SAMPLE_COLUMNS",
    "SHORTFALL_COLUMNS",
    "VISIT_COLUMNS",
    "Selection",
    "SelectionRules",
    "conditional_poisson_sample",
    "draw_teams",
    "inclusion_probabilities",
    "pps_sample",
    "rotation_table",
    "select",
    "select_dataset",
    "select_year",
    "systematic_sample",
]
