"""Monthly schedule of the annual allocation: seasonal focus, closed months, balanced progress."""

from riskplan.schedule.monthly import monthly, monthly_targets, progress
from riskplan.schedule.rules import ScheduleRules

__all__ = ["ScheduleRules", "monthly", "monthly_targets", "progress"]
