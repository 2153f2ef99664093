"""The plan pipeline, stage after stage: risk, quota, allocation, schedule, calendar, selection, teams, routes.

Each ``stage_*`` function (:mod:`riskplan.pipeline.stages`) takes tables and the
:class:`~riskplan.config.Config` and returns tables, so a notebook can call any one on its own;
:func:`run_plan` (:mod:`riskplan.pipeline.run`) chains them and returns every table in a
:class:`PlanResult` (:mod:`riskplan.pipeline.result`).
"""

from riskplan.pipeline.result import PlanResult
from riskplan.pipeline.run import default_month, default_months, run_plan
from riskplan.pipeline.stages import (
    STAGES,
    stage_allocation,
    stage_calendar,
    stage_quota,
    stage_risk,
    stage_routes,
    stage_schedule,
    stage_selection,
    stage_teams,
)

__all__ = [
    "PlanResult",
    "STAGES",
    "default_month",
    "default_months",
    "run_plan",
    "stage_allocation",
    "stage_calendar",
    "stage_quota",
    "stage_risk",
    "stage_routes",
    "stage_schedule",
    "stage_selection",
    "stage_teams",
]
