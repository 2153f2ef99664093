"""Monthly schedule of the annual allocation: seasonal focus, closed months, balanced progress."""

from riskplan.schedule.monthly import (
    ScheduleInputError,
    consolidate_months,
    monthly,
    monthly_targets,
    progress,
)
from riskplan.settings.schedule import ScheduleRules

__all__ = [
    "ScheduleInputError",
    "ScheduleRules",
    "consolidate_months",
    "monthly",
    "monthly_targets",
    "progress",
]
