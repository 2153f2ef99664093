"""The plan pipeline as plain functions: load -> risk -> quota -> allocation -> schedule ->
calendar -> selection -> team draw -> routes.

Each ``stage_*`` function takes tables and the :class:`~riskplan.config.Config` and returns
tables, so a notebook can call any one on its own; :func:`run_plan` chains them and returns every
table in a :class:`PlanResult`. There is no module-level state: a city can run one district per
worker.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
from tqdm import tqdm

from riskplan.allocation import Allocation, allocate, quota_for
from riskplan.calendar import work_calendar
from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.errors import RiskplanError
from riskplan.risk import score
from riskplan.routing import plan_routes
from riskplan.routing.travel import travel_matrix_path
from riskplan.schedule import monthly
from riskplan.selection import draw_teams, select_dataset

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

REASON_NOT_ROUTED = "not returned by routing / 路径规划未返回"
REASON_NO_LOCATION = "no coordinates / 无坐标"


@dataclasses.dataclass
class PlanResult:
    """Every table of one plan run.

    Attributes
    ----------
    months
        The planned months (1-12) of ``plan_year``.
    plan_year
        The year planned.
    seed
        The seed used.
    config
        The configuration used.
    scores
        Risk scores, one row per stratum (``riskplan.risk.score``).
    quota
        Annual quota [samples].
    allocation
        One row per stratum with ``samples`` (``riskplan.allocation.allocate``).
    schedule
        ``township_code, business_type, category_code, month, samples`` for the whole year.
    calendar
        Work calendar of the planned months (``riskplan.calendar.work_calendar``).
    visits
        The selected visits of the planned months, with ``month``.
    teams
        The officers drawn per station, team and day, or an empty table.
    stops
        Routed stops of every planned month (``RoutePlan.stops``).
    routes
        One row per station, team and day (``RoutePlan.routes``).
    unassigned
        ``visit_id, reason`` of every visit with ``mode == "visit"`` that is not routed.
    purchases
        The visits with ``mode == "purchase"`` (online sellers).
    shortfall
        Strata whose monthly request selection could not meet in full, with ``month`` and
        ``reason`` (``Selection.shortfall``).
    allocation_result
        The :class:`riskplan.allocation.Allocation` (quota, totals, coverage requirements).
    dataset
        The dataset the plan was made from.
    reproducible
        False if any routing run used a wall-clock limit (results may differ between runs).
    timings
        Seconds spent per stage [s].
    """

    months: list[int]
    plan_year: int
    seed: int
    config: Config
    scores: pd.DataFrame
    quota: int
    allocation: pd.DataFrame
    schedule: pd.DataFrame
    calendar: pd.DataFrame
    visits: pd.DataFrame
    teams: pd.DataFrame
    stops: pd.DataFrame
    routes: pd.DataFrame
    unassigned: pd.DataFrame
    purchases: pd.DataFrame
    shortfall: pd.DataFrame
    allocation_result: Allocation | None = None
    dataset: Dataset | None = None
    reproducible: bool = True
    timings: dict[str, float] = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        k = self.key_numbers()
        return (f"{type(self).__name__}({', '.join(k['months'])}, quota={k['quota']}, "
                f"visits={k['visits']}, routed={k['routed']}, routes={k['routes']}, "
                f"unassigned={k['unassigned']}, seed={self.seed})")

    def key_numbers(self) -> dict[str, Any]:
        """The headline figures of the plan.

        Returns
        -------
        dict
            ``quota``, ``allocated``, coverage counts (``townships_covered`` / ``townships``, and
            the same for business types and categories present), the planned months' ``visits``,
            ``samples``, ``scheduled`` (samples the schedule asks for in those months),
            ``shortfall`` (scheduled samples no establishment could take), ``routed``,
            ``unassigned``, ``purchases``, ``routes``, ``unassigned_reasons`` and
            ``reproducible``.
        """
        alloc = self.allocation
        got = alloc[alloc["samples"] > 0]
        visits = self.visits
        reasons = (self.unassigned["reason"].value_counts().sort_index() if len(self.unassigned)
                   else pd.Series(dtype=int))
        n_townships = (len(self.dataset.townships) if self.dataset is not None
                       else alloc["township_code"].nunique())
        return {
            "quota": int(self.quota),
            "allocated": int(alloc["samples"].sum()),
            "strata": int(len(alloc)),
            "strata_covered": int(len(got)),
            "townships": int(n_townships),
            "townships_covered": int(got["township_code"].nunique()),
            "business_types": int(alloc["business_type"].nunique()),
            "business_types_covered": int(got["business_type"].nunique()),
            "categories": int(alloc["category_code"].nunique()),
            "categories_covered": int(got["category_code"].nunique()),
            "months": [f"{self.plan_year}-{m:02d}" for m in self.months],
            "visits": int(len(visits)),
            "samples": int(visits["samples"].sum()) if len(visits) else 0,
            "scheduled": int(self.schedule.loc[self.schedule["month"].isin(self.months),
                                               "samples"].sum()),
            "shortfall": int(self.shortfall["missing"].sum()) if len(self.shortfall) else 0,
            "routed": int(self.n_routed),
            "unassigned": int(len(self.unassigned)),
            "purchases": int(len(self.purchases)),
            "routes": int(len(self.routes)),
            "unassigned_reasons": {str(k): int(v) for k, v in reasons.items()},
            "reproducible": bool(self.reproducible),
        }

    def summary(self) -> str:
        """The plan in a few lines (what ``riskplan plan`` prints before the files)."""
        k = self.key_numbers()
        name = self.dataset.name if self.dataset is not None else "plan"
        lines = [
            f"riskplan plan: {name}, {', '.join(k['months'])} (seed {self.seed})",
            f"  annual quota 年度任务量: {k['quota']} samples, allocated {k['allocated']}",
            f"  coverage 覆盖: townships {k['townships_covered']}/{k['townships']}, business types "
            f"{k['business_types_covered']}/{k['business_types']}, categories "
            f"{k['categories_covered']}/{k['categories']}",
            f"  samples 样品: {k['scheduled']} scheduled, {k['samples']} selected, {k['shortfall']} "
            "short (see shortfall.csv)",
            f"  visits 任务: {k['visits']} selected, {k['routed']} routed on {k['routes']} routes, "
            f"{k['unassigned']} unassigned, {k['purchases']} purchase orders",
        ]
        for reason, n in k["unassigned_reasons"].items():
            lines.append(f"    unassigned: {n} x {reason}")
        if not k["reproducible"]:
            lines.append("  note: routing used a wall-clock limit; routes may differ between runs")
        return "\n".join(lines)

    @property
    def n_routed(self) -> int:
        """Visits placed on a route."""
        return int(self.stops["visit_id"].nunique()) if len(self.stops) else 0

    def accounting(self) -> pd.DataFrame:
        """Where each selected visit ended up: ``visit_id, establishment_id, month, outcome``.

        ``outcome`` is ``routed``, ``unassigned`` or ``purchase``; a visit in none of them or in
        two would show as ``missing`` or twice. :func:`run_plan` guarantees exactly one row per
        visit.
        """
        parts = [
            pd.DataFrame({"visit_id": self.stops["visit_id"], "outcome": "routed"}),
            pd.DataFrame({"visit_id": self.unassigned["visit_id"], "outcome": "unassigned"}),
            pd.DataFrame({"visit_id": self.purchases["visit_id"], "outcome": "purchase"}),
        ]
        where = pd.concat(parts, ignore_index=True)
        out = self.visits[["visit_id", "establishment_id", "month"]].merge(
            where, on="visit_id", how="outer"
        )
        out["outcome"] = out["outcome"].fillna("missing")
        return out


# --------------------------------------------------------------------------- stages
def stage_risk(dataset: Any, config: Config) -> pd.DataFrame:
    """Risk scores per stratum (``riskplan.risk.score``)."""
    return score(dataset, config=config.risk)


def stage_quota(dataset: Any, config: Config) -> int:
    """Annual quota [samples] (``QuotaRules.quota_for``)."""
    return int(quota_for(config.quota, dataset))


def stage_allocation(scores: pd.DataFrame, quota: int, dataset: Any, config: Config) -> Any:
    """Integer allocation of the quota to strata (``riskplan.allocation.allocate`` -> Allocation)."""
    return allocate(scores, quota, config.allocation, categories=dataset.categories)


def stage_schedule(allocation: pd.DataFrame, dataset: Any, config: Config) -> pd.DataFrame:
    """Monthly schedule of the year (``riskplan.schedule.monthly``)."""
    return monthly(allocation, config.schedule)


def stage_calendar(year: int, months: Iterable[int], config: Config) -> pd.DataFrame:
    """Work calendar of the planned months (``riskplan.calendar.work_calendar``)."""
    return _concat([work_calendar(year, m, config.calendar) for m in months])


def stage_selection(
    dataset: Any, schedule: pd.DataFrame, month: int, config: Config, seed: int,
    planned: pd.DataFrame | None = None,
) -> Any:
    """Visits of one month (``riskplan.selection.select_dataset`` -> Selection)."""
    return select_dataset(dataset, schedule, month, config.selection, seed, planned=planned)


def stage_teams(dataset: Any, calendar: pd.DataFrame, config: Config, seed: int) -> pd.DataFrame:
    """Officers drawn per station, team and working day (``riskplan.selection.draw_teams``)."""
    return draw_teams(dataset.stations, dataset.officers, calendar, config.selection, seed)


def stage_routes(
    dataset: Any, visits: pd.DataFrame, calendar: pd.DataFrame, config: Config, seed: int,
    progress: bool = False,
) -> Any:
    """Routes of one month's field visits (``riskplan.routing.plan_routes`` -> ``RoutePlan``).

    Purchase orders (``mode == "purchase"``) are not passed to routing: they are not visits.
    """
    field = visits[visits["mode"].astype(str) != "purchase"].reset_index(drop=True)
    rules = config.routing
    return plan_routes(
        field, dataset.stations, dataset.labs, calendar, rules,
        establishments=dataset.establishments, townships=dataset.townships,
        travel_matrix=travel_matrix_path(dataset, rules.travel_matrix), seed=seed,
        time_limit=rules.time_limit_s or None, progress=progress,
    )


# --------------------------------------------------------------------------- the chain
def _timed(timings: dict[str, float], name: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return out


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate month tables; their ``attrs`` (which may hold tables) are dropped first."""
    plain = []
    for f in frames:
        f = f.copy(deep=False)
        f.attrs = {}
        plain.append(f)
    return pd.concat(plain, ignore_index=True)


def _complete_unassigned(visits: pd.DataFrame, stops: pd.DataFrame, unassigned: pd.DataFrame) -> pd.DataFrame:
    """Add any field visit that routing neither routed nor reported (never lose a visit)."""
    field = visits[visits["mode"].astype(str) != "purchase"]
    seen = set(stops["visit_id"]) | set(unassigned["visit_id"])
    missing = field[~field["visit_id"].isin(seen)]
    if len(missing):
        has_loc = missing["has_location"].astype(bool) if "has_location" in missing else True
        reason = pd.Series(REASON_NOT_ROUTED, index=missing.index)
        reason[~has_loc] = REASON_NO_LOCATION
        extra = pd.DataFrame({"visit_id": missing["visit_id"], "reason": reason})
        unassigned = _concat([unassigned, extra])
    return unassigned.reset_index(drop=True)


def run_plan(
    dataset: Any,
    config: Config | None = None,
    month: int | Iterable[int] | None = None,
    seed: int | None = None,
    progress: bool = False,
) -> PlanResult:
    """Run the whole pipeline for one or several months of the dataset's plan year.

    Parameters
    ----------
    dataset
        A :class:`~riskplan.datasets.Dataset` (validated).
    config
        The configuration; defaults to ``Config()``.
    month
        Month (1-12) or months to select and route; None: the month after the dataset's
        ``reference_date`` (never computed from today's date).
    seed
        Seed of the random steps; None uses ``config.seed``.
    progress
        Show tqdm progress bars on the long steps.

    Returns
    -------
    PlanResult
        Every table, and seconds per stage in ``timings``.
    """
    config = config or Config()
    seed = config.seed if seed is None else int(seed)
    year = int(dataset.plan_year)
    months = default_months(dataset) if month is None else (
        [int(month)] if isinstance(month, int) else sorted({int(m) for m in month})
    )
    if not months or any(not 1 <= m <= 12 for m in months):
        raise RiskplanError(f"months must be 1-12, got {months}")
    config.check_codes(dataset)
    t: dict[str, float] = {}
    scores = _timed(t, "risk", stage_risk, dataset, config)
    quota = _timed(t, "quota", stage_quota, dataset, config)
    alloc_result = _timed(t, "allocation", stage_allocation, scores, quota, dataset, config)
    alloc = alloc_result.table
    sched = _timed(t, "schedule", stage_schedule, alloc_result, dataset, config)
    cal = _timed(t, "calendar", stage_calendar, year, months, config)
    visits_l, stops_l, routes_l, un_l, teams_l, short_l = [], [], [], [], [], []
    reproducible = True
    planned: pd.DataFrame | None = None
    for m in tqdm(months, desc="months", unit="month", disable=not progress or len(months) == 1):
        sel = _timed(t, "selection", stage_selection, dataset, sched, m, config, seed, planned)
        v = sel.visits
        short_l.append(sel.shortfall.assign(month=m))
        planned = v if planned is None else _concat([planned, v])
        cal_m = cal[pd.to_datetime(cal["date"]).dt.month == m]
        teams_l.append(_timed(t, "teams", stage_teams, dataset, cal_m, config, seed))
        plan = _timed(t, "routes", stage_routes, dataset, v, cal_m, config, seed, progress)
        reproducible = reproducible and bool(getattr(plan, "reproducible", True))
        visits_l.append(v)
        stops_l.append(plan.stops)
        routes_l.append(plan.routes)
        un = plan.unassigned
        un = un[un["reason"].astype(str) != "purchase"] if len(un) else un
        un_l.append(_complete_unassigned(v, plan.stops, un))
    visits = _concat(visits_l)
    purchases = visits[visits["mode"].astype(str) == "purchase"].reset_index(drop=True)
    return PlanResult(
        months=months,
        plan_year=year,
        seed=seed,
        config=config,
        scores=scores,
        quota=quota,
        allocation=alloc,
        allocation_result=alloc_result,
        dataset=dataset,
        schedule=sched,
        calendar=cal,
        visits=visits,
        teams=_concat(teams_l),
        stops=_concat(stops_l),
        routes=_concat(routes_l),
        unassigned=_concat(un_l),
        purchases=purchases,
        shortfall=_concat(short_l),
        reproducible=reproducible,
        timings=t,
    )


def default_month(dataset: Any) -> int:
    """The month after the dataset's ``reference_date`` (2026-06-30 -> 7), within the plan year.

    Raises
    ------
    RiskplanError
        When the reference date is the end of the plan year or later (give ``--month``).
    """
    ref = pd.Timestamp(dataset.reference_date)
    nxt = (ref + pd.offsets.MonthBegin(1)).normalize()
    if nxt.year != int(dataset.plan_year):
        raise RiskplanError(
            f"the month after the reference date {ref.date()} is not in plan year "
            f"{dataset.plan_year}: give --month"
        )
    return int(nxt.month)


def default_months(dataset: Any) -> list[int]:
    """``[default_month(dataset)]``."""
    return [default_month(dataset)]
