"""Monthly schedule of the annual allocation: seasonal focus, closed months, balanced progress."""

from riskplan.schedule.allowed import keep_to_months, school_day_months
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
    "keep_to_months",
    "school_day_months",
    "monthly",
    "monthly_targets",
    "progress",
]
