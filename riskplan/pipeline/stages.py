"""The pipeline's stages as plain functions of a dataset's tables and the configuration.

Each ``stage_*`` function takes tables and the :class:`~riskplan.config.Config` and returns tables,
so a notebook can call any one on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from riskplan.allocation import allocate, quota_for
from riskplan.calendar import work_calendar
from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.risk import score
from riskplan.routing import plan_routes
from riskplan.routing.travel import travel_matrix_path
from riskplan.schedule import monthly, school_day_months
from riskplan.selection import draw_teams, select_dataset

__all__ = ["STAGES", "stage_risk", "stage_quota", "stage_allocation", "stage_schedule", "stage_calendar",
           "stage_selection", "stage_teams", "stage_routes", "concat_months"]

STAGES: tuple[str, ...] = (
    "risk",
    "quota",
    "allocation",
    "schedule",
    "calendar",
    "selection",
    "teams",
    "routes",
)
"""Stage names, in order, as keys of :attr:`PlanResult.timings`."""


def stage_risk(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Risk scores per stratum (``riskplan.risk.score``)."""
    return score(dataset, config=config.risk)


def stage_quota(dataset: Dataset, config: Config) -> int:
    """Annual quota [samples] (``QuotaRules.quota_for``)."""
    return int(quota_for(config.quota, dataset))


def stage_allocation(scores: pd.DataFrame, quota: int, dataset: Dataset, config: Config) -> Any:
    """Integer allocation of the quota to strata (``riskplan.allocation.allocate`` -> Allocation)."""
    return allocate(scores, quota, config.allocation, categories=dataset.categories,
                    business_types=dataset.business_types)


def stage_schedule(allocation: pd.DataFrame, dataset: Dataset, config: Config) -> pd.DataFrame:
    """Monthly schedule of the year (``riskplan.schedule.monthly``).

    Business types visited only on school days (``routing.school_day_types``, codes of a resolved
    configuration) are scheduled only in months with school days of the plan year.
    """
    allowed = (school_day_months(config.routing.school_day_types, int(dataset.plan_year),
                                 config.calendar)
               if config.schedule.school_days_only and dataset.plan_year is not None else None)
    return monthly(allocation, config.schedule, months_allowed=allowed)


def stage_calendar(year: int, months: Iterable[int], config: Config) -> pd.DataFrame:
    """Work calendar of the planned months (``riskplan.calendar.work_calendar``)."""
    return concat_months([work_calendar(year, m, config.calendar) for m in months])


def stage_selection(
    dataset: Dataset, schedule: pd.DataFrame, month: int, config: Config, seed: int,
    planned: pd.DataFrame | None = None,
) -> Any:
    """Visits of one month (``riskplan.selection.select_dataset`` -> Selection)."""
    return select_dataset(dataset, schedule, month, config.selection, seed, planned=planned)


def stage_teams(dataset: Dataset, calendar: pd.DataFrame, config: Config, seed: int) -> pd.DataFrame:
    """Officers drawn per station, team and working day (``riskplan.selection.draw_teams``)."""
    return draw_teams(dataset.stations, dataset.officers, calendar, config.selection, seed)


def stage_routes(
    dataset: Dataset, visits: pd.DataFrame, calendar: pd.DataFrame, config: Config, seed: int,
    progress: bool = False, later_calendar: pd.DataFrame | None = None,
    lab_booked: pd.DataFrame | None = None,
) -> Any:
    """Routes of one month's field visits (``riskplan.routing.plan_routes`` -> ``RoutePlan``).

    Purchase orders (``mode == "purchase"``) are not passed to routing: they are not visits.
    ``later_calendar`` (the next month's calendar) says when samples kept overnight after the
    month's last working day reach the lab; ``lab_booked`` (``lab_id, date, samples``) holds what
    an earlier month already sends to a lab on this month's days.
    """
    field = visits[visits["mode"].astype(str) != "purchase"].reset_index(drop=True)
    rules = config.routing
    return plan_routes(
        field, dataset.stations, dataset.labs, calendar, rules,
        establishments=dataset.establishments, townships=dataset.townships,
        travel_matrix=travel_matrix_path(dataset, rules.travel_matrix), seed=seed,
        time_limit=rules.time_limit_s or None, progress=progress,
        business_types=dataset.business_types, categories=dataset.categories,
        later_calendar=later_calendar, lab_booked=lab_booked,
    )


def concat_months(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate month tables; their ``attrs`` (which may hold tables) are dropped first."""
    plain = []
    for f in frames:
        f = f.copy(deep=False)
        f.attrs = {}
        plain.append(f)
    return pd.concat(plain, ignore_index=True)
