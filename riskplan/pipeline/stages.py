"""The pipeline's stages as plain functions of a dataset's tables and the configuration.

Each ``stage_*`` function takes tables and the :class:`~riskplan.config.Config` and returns tables,
so a notebook can call any one on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from riskplan.allocation import Supply, allocate, district_supply, fit_to_supply, quota_for
from riskplan.calendar import work_calendar
from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.errors import RiskplanError
from riskplan.risk import score
from riskplan.risk.priors import category_priors_path, read_category_priors
from riskplan.routing import plan_routes
from riskplan.routing.reach import perishable_reach
from riskplan.routing.travel import travel_matrix_path
from riskplan.routing.windows import intersect, visit_windows
from riskplan.schedule import monthly, school_day_months
from riskplan.selection import draw_teams, select_dataset
from riskplan.timeofday import parse_hhmm

__all__ = ["STAGES", "per_visit_limit", "school_months", "stage_risk", "stage_quota", "stage_supply",
           "stage_allocation", "stage_schedule", "stage_calendar", "stage_selection", "stage_teams",
           "stage_routes", "concat_months", "unreachable_samples"]

STAGES: tuple[str, ...] = (
    "risk",
    "quota",
    "supply",
    "allocation",
    "schedule",
    "calendar",
    "selection",
    "teams",
    "routes",
)
"""Stage names, in order, as keys of :attr:`PlanResult.timings`."""


def stage_risk(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Risk scores per stratum (``riskplan.risk.score``), with ``risk.category_priors`` if set."""
    path = category_priors_path(dataset, config.risk.category_priors)
    priors = read_category_priors(path) if path is not None else None
    return score(dataset, config=config.risk, category_priors=priors)


def stage_quota(dataset: Dataset, config: Config) -> int:
    """Annual quota [samples] (``QuotaRules.quota_for``)."""
    return int(quota_for(config.quota, dataset))


def school_months(dataset: Dataset, config: Config) -> dict[str, Any] | None:
    """Business type -> school days per month (12 numbers) of the school-day-only types, or None.

    The types are ``routing.school_day_types``; None unless ``schedule.school_days_only``.
    """
    if not config.schedule.school_days_only or dataset.plan_year is None:
        return None
    return school_day_months(config.routing.school_day_types, int(dataset.plan_year), config.calendar)


def unreachable_samples(dataset: Dataset, config: Config) -> dict[str, np.ndarray]:
    """Per perishable category, the establishments no route can bring a sample of it from in time.

    ``riskplan.routing.reach.perishable_reach`` on the dataset's establishments, stations, labs
    and travel times (``{category_code: one boolean per establishment}``); establishments bought
    online are never reported.
    """
    rules = config.routing
    year = dataset.plan_year
    return perishable_reach(
        dataset.establishments, dataset.stations, dataset.labs, dataset.categories, rules,
        townships=dataset.townships, travel_matrix=travel_matrix_path(dataset, rules.travel_matrix),
        year=int(year) if year is not None else 2026, skip_types=config.selection.purchase_business_types,
    )


def stage_supply(dataset: Dataset, config: Config,
                 unreachable: Mapping[str, np.ndarray] | None = None) -> Supply:
    """What the establishments can supply in the plan year (``riskplan.allocation.district_supply``).

    History is ``dataset.history`` plus ``dataset.results``, as the selection counts it;
    ``unreachable`` (:func:`unreachable_samples`): samples an establishment can never deliver.
    """
    parts = [t for t in (dataset.history, dataset.results) if t is not None and len(t)]
    history = pd.concat(parts, ignore_index=True) if parts else None
    year = dataset.plan_year
    if year is None:
        raise RiskplanError("the dataset has no plan year (plan_year in dataset.toml)")
    return district_supply(dataset.establishments, history, int(year), config.selection,
                           config.schedule, school_months(dataset, config),
                           per_visit_limit(dataset.establishments, config), unreachable)


MOST_SAMPLES_PER_VISIT = 50
"""Samples counted at most for one visit by :func:`per_visit_limit` (more than any visit takes)."""


def per_visit_limit(establishments: pd.DataFrame, config: Config) -> np.ndarray:
    """Most samples one visit of each establishment can take within working hours.

    A visit of ``s`` samples lasts ``routing.service_minutes(s)``; it must fit in one of the
    establishment's visit windows (business-type rule windows x opening hours) within the working
    day (from ``early_start`` for the early-start types, else ``day_start``, to ``day_end``).
    Establishments sampled by purchase have no limit (:data:`MOST_SAMPLES_PER_VISIT`).
    """
    rules = config.routing
    most = MOST_SAMPLES_PER_VISIT
    end = parse_hhmm(rules.day_end)
    buy = set(config.selection.purchase_business_types)
    early = set(rules.early_start_types)
    per = float(rules.service_per_sample_minutes)

    def limit(bt: str, oh: str | None) -> int:
        if bt in buy:
            return most
        start = parse_hhmm(rules.early_start if bt in early else rules.day_start)
        wins = intersect(visit_windows(bt, oh, rules.windows), [(start, end)])
        longest = max((b - a for a, b in wins), default=0)
        room = longest - float(rules.service_base_minutes)
        fit = most if per <= 0 and room >= 0 else int(max(room, -1.0) // per) if per > 0 else 0
        return min(max(fit, 0), most)

    hours = (establishments["opening_hours"] if "opening_hours" in establishments.columns
             else [None] * len(establishments))
    pairs = [(bt, oh if isinstance(oh, str) else None)
             for bt, oh in zip(establishments["business_type"].astype(str), hours)]
    # establishments share few (business type, opening hours) pairs: each one's windows parsed once
    limits = {pair: limit(*pair) for pair in dict.fromkeys(pairs)}
    return np.array([limits[pair] for pair in pairs], dtype=np.int64)


def stage_allocation(scores: pd.DataFrame, quota: int, dataset: Dataset, config: Config,
                     supply: Supply | None = None, seed: int | None = None,
                     higher_level: pd.DataFrame | None = None, count_higher_level: bool = False) -> Any:
    """Integer allocation of the quota to strata (``riskplan.allocation.allocate`` -> Allocation).

    With ``supply``, the allocation is then fitted to it (``riskplan.allocation.fit_to_supply``):
    no stratum is asked for more than its establishments can give, and every move is recorded.
    ``seed`` (default ``config.seed``) seeds ``allocation.rounding = "unbiased"``.
    ``higher_level`` (key, ``samples``): samples higher-level programmes take, counted for
    coverage, and towards ``quota`` when ``count_higher_level``.
    """
    alloc = allocate(scores, quota, config.allocation, categories=dataset.categories,
                     business_types=dataset.business_types, detection=config.detection,
                     seed=config.seed if seed is None else seed, higher_level=higher_level,
                     count_higher_level=count_higher_level)
    return alloc if supply is None else fit_to_supply(alloc, supply)


def stage_schedule(allocation: pd.DataFrame, dataset: Dataset, config: Config,
                   supply: Supply | None = None) -> pd.DataFrame:
    """Monthly schedule of the year (``riskplan.schedule.monthly``).

    Business types visited only on school days (``routing.school_day_types``, codes of a resolved
    configuration) are scheduled only in months with school days of the plan year.
    With ``supply``, each stratum's samples are kept to months its establishments can be sampled
    in (``riskplan.schedule.eligible``).
    """
    return monthly(allocation, config.schedule, months_allowed=school_months(dataset, config),
                   supply=supply)


def stage_calendar(year: int, months: Iterable[int], config: Config) -> pd.DataFrame:
    """Work calendar of the planned months (``riskplan.calendar.work_calendar``)."""
    return concat_months([work_calendar(year, m, config.calendar) for m in months])


def stage_selection(
    dataset: Dataset, schedule: pd.DataFrame, month: int, config: Config, seed: int,
    planned: pd.DataFrame | None = None, limit: np.ndarray | None = None,
    unreachable: Mapping[str, np.ndarray] | None = None, prepared: Any = None,
) -> Any:
    """Visits of one month (``riskplan.selection.select_dataset`` -> Selection).

    ``limit``: most samples one visit of each establishment can take (:func:`per_visit_limit`);
    ``unreachable``: samples an establishment can never deliver (:func:`unreachable_samples`);
    ``prepared``: the register in array form, made once for every month
    (``riskplan.selection.select.prepare_dataset``).
    """
    return select_dataset(dataset, schedule, month, config.selection, seed, planned=planned,
                          per_visit_limit=limit, unreachable=unreachable, prepared=prepared)


def stage_teams(dataset: Dataset, calendar: pd.DataFrame, config: Config, seed: int) -> pd.DataFrame:
    """Officers drawn per station, team and working day (``riskplan.selection.draw_teams``)."""
    return draw_teams(dataset.stations, dataset.officers, calendar, config.selection, seed)


def stage_routes(
    dataset: Dataset, visits: pd.DataFrame, calendar: pd.DataFrame, config: Config, seed: int,
    progress: bool = False, later_calendar: pd.DataFrame | None = None,
    lab_booked: pd.DataFrame | None = None, pool: Executor | None = None,
) -> Any:
    """Routes of one month's field visits (``riskplan.routing.plan_routes`` -> ``RoutePlan``).

    Purchase orders (``mode == "purchase"``) are not passed to routing: they are not visits.
    ``later_calendar`` (the next month's calendar) says when samples kept overnight after the
    month's last working day reach the lab; ``lab_booked`` (``lab_id, date, samples``) holds what
    an earlier month already sends to a lab on this month's days; ``pool``'s worker processes
    solve day models beside this one.
    """
    field = visits[visits["mode"].astype(str) != "purchase"].reset_index(drop=True)
    rules = config.routing
    return plan_routes(
        field, dataset.stations, dataset.labs, calendar, rules,
        establishments=dataset.establishments, townships=dataset.townships,
        travel_matrix=travel_matrix_path(dataset, rules.travel_matrix), seed=seed,
        time_limit=rules.time_limit_s or None, progress=progress,
        business_types=dataset.business_types, categories=dataset.categories,
        later_calendar=later_calendar, lab_booked=lab_booked, pool=pool,
    )


def concat_months(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate month tables; their ``attrs`` (which may hold tables) are dropped first."""
    plain = []
    for f in frames:
        f = f.copy(deep=False)
        f.attrs = {}
        plain.append(f)
    return pd.concat(plain, ignore_index=True)
