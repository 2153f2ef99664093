"""The chain: :func:`run_plan` runs the stages month after month and returns a :class:`PlanResult`.

There is no module-level state: a city can run one district per worker.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any

import pandas as pd
from tqdm import tqdm

from riskplan.allocation.detection import detection_table
from riskplan.config import Config
from riskplan.configure import prepare
from riskplan.dataset import Dataset
from riskplan.errors import RiskplanError
from riskplan.pipeline.campaign import campaign_visits, campaigns_of
from riskplan.pipeline.carry import PLACEMENT_COLUMNS, empty_placements, substitutes
from riskplan.pipeline.ledger import ProgrammeLedger, visit_programmes
from riskplan.pipeline.programmes import (
    ProgrammePlan,
    combined,
    higher_level_rows,
    plan_programmes,
    summed_allocation,
)
from riskplan.pipeline.result import PlanResult
from riskplan.pipeline.stages import (
    concat_months,
    per_visit_limit,
    school_months,
    stage_allocation,
    stage_calendar,
    stage_quota,
    stage_risk,
    stage_routes,
    stage_schedule,
    stage_selection,
    stage_supply,
    stage_teams,
    unreachable_samples,
)
from riskplan.routing.result import LAB_DAY_COLUMNS
from riskplan.selection.select import prepare_dataset
from riskplan.tables import STRATUM_KEY, stratum_id
from riskplan.workers import meanwhile

__all__ = ["run_plan", "default_month", "default_months"]

KEY = list(STRATUM_KEY)
REASON_NOT_ROUTED = "not returned by routing / 路径规划未返回"
REASON_NO_LOCATION = "no coordinates / 无坐标"


def _timed(timings: dict[str, float], name: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return out


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
        unassigned = concat_months([unassigned, extra])
    return unassigned.reset_index(drop=True)


def _nothing() -> Any:
    """No next month to select."""
    return None


def _history(dataset: Dataset) -> pd.DataFrame | None:
    """Past samples and this year's results, as the selection counts them for rotation."""
    parts = [x for x in (dataset.history, dataset.results) if x is not None and len(x)]
    return pd.concat(parts, ignore_index=True) if parts else None


def _month_schedule(sched: pd.DataFrame, month: int, adjust: dict[tuple[str, str, str], int]) -> pd.DataFrame:
    """The month's schedule rows (key, ``month``, ``samples``), with ``adjust`` added per stratum."""
    rows = sched[sched["month"].astype(int) == month]
    if not adjust:
        return rows
    base = rows.assign(**{k: rows[k].astype(str) for k in KEY}).groupby(KEY)["samples"].sum()
    for key, n in adjust.items():
        base[key] = int(base.get(key, 0)) + int(n)
    out = base[base > 0].rename("samples").reset_index()
    out["month"] = int(month)
    return out[[*KEY, "month", "samples"]]


def run_plan(
    dataset: Dataset,
    config: Config | None = None,
    month: int | Iterable[int] | None = None,
    seed: int | None = None,
    progress: bool = False,
    on_month: Callable[[int, pd.DataFrame, pd.DataFrame], None] | None = None,
    pool: Executor | None = None,
    on_schedule: Callable[[list[int], pd.DataFrame, pd.DataFrame, pd.DataFrame, Config], None] | None = None,
) -> PlanResult:
    """Run the whole pipeline for one or several months of the dataset's plan year.

    Parameters
    ----------
    dataset
        A :class:`~riskplan.datasets.Dataset` (validated).
    config
        The configuration; defaults to ``Config()``. Its roles are resolved against the
        dataset (:func:`riskplan.configure.prepare`): the result's ``config`` names codes only.
    month
        Month (1-12) or months to select and route; None: the month after the dataset's
        ``reference_date`` (never computed from today's date).
    seed
        Seed of the random steps; None uses ``config.seed``.
    progress
        Show tqdm progress bars on the long steps.
    on_month
        Called as ``on_month(month, stops, routes)`` with each month's routed stops and routes as
        soon as the month is routed (a writer may start on them while later months are planned:
        :class:`riskplan.export.plan_maps.PlanMaps`). The tables are the plan's own: do not
        change them.
    pool
        Worker processes that solve the day routes beside this one
        (:func:`riskplan.workers.process_pool`); the plan is the same with or without.
    on_schedule
        Called as ``on_schedule(months, allocation, schedule, detection, config)`` once the
        year's allocation, monthly schedule and detection table are known, before any month is selected
        (the report's charts need nothing more: :class:`riskplan.export.plan_maps.PlanMaps`
        draws them meanwhile). These are the result's own tables and (resolved) configuration:
        do not change them.

    Returns
    -------
    PlanResult
        Every table, and seconds per stage in ``timings``.
    """
    config = config or Config()
    seed = config.seed if seed is None else int(seed)
    year = plan_year_of(dataset)
    months = default_months(dataset) if month is None else (
        [int(month)] if isinstance(month, int) else sorted({int(m) for m in month})
    )
    if not months or any(not 1 <= m <= 12 for m in months):
        raise RiskplanError(f"months must be 1-12, got {months}")
    # roles applied, codes and roles checked (every error at once), rules resolved to codes,
    # exclusions applied: the stages below see the dataset's codes only
    ready = prepare(dataset, config)
    dataset, config = ready.dataset, ready.config
    t: dict[str, float] = {}
    scores = _timed(t, "risk", stage_risk, dataset, config)
    quota = _timed(t, "quota", stage_quota, dataset, config)
    unreach = _timed(t, "supply", unreachable_samples, dataset, config)
    supply = _timed(t, "supply", stage_supply, dataset, config, unreach)
    progs: list[ProgrammePlan] = []
    ledger: ProgrammeLedger | None = None
    higher, hl_warnings = higher_level_rows(dataset, config)
    if config.programmes:  # each programme allocated and scheduled, the supply shared in order
        progs = _timed(t, "allocation", plan_programmes, scores, dataset, config, supply, higher, seed)
        quota = sum(p.quota for p in progs)
        alloc_result, sched = combined(progs)
        alloc = alloc_result.table
        # what the plan can detect: every programme's samples of a stratum together
        detection = _timed(t, "detection", detection_table, summed_allocation(alloc), config.detection)
        ledger = ProgrammeLedger([p.rules.id for p in progs],
                                 {p.rules.id: p.schedule for p in progs})
    else:
        alloc_result = _timed(t, "allocation", stage_allocation, scores, quota, dataset, config, supply,
                              seed, **({"higher_level": higher,
                                        "count_higher_level": config.quota.count_higher_level}
                                       if len(higher) else {}))
        alloc = alloc_result.table
        detection = _timed(t, "detection", detection_table, alloc, config.detection)
        sched = _timed(t, "schedule", stage_schedule, alloc_result, dataset, config, supply)
    if on_schedule is not None:
        on_schedule(months, alloc, sched, detection, config)
    cal = _timed(t, "calendar", stage_calendar, year, months, config)
    visits_l, stops_l, routes_l, un_l, teams_l, short_l, lab_l = [], [], [], [], [], [], []
    reproducible = True
    planned: pd.DataFrame | None = None
    previous: tuple[int, pd.DataFrame] | None = None  # the month routed just before, its lab days
    history = _history(dataset)
    allowed = school_months(dataset, config)
    limit = per_visit_limit(dataset.establishments, config)
    open_months = set(config.schedule.open_months)
    carry_in: dict[int, dict[tuple[str, str, str], int]] = {}
    placed_l: list[tuple] = []
    campaigns = campaigns_of(config)
    register = _timed(t, "selection", prepare_dataset, dataset, config.selection)  # the same every month

    def select_month(i: int, m: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Month ``m``'s visits (campaigns' included) and teams; the selection's state moves on to it."""
        nonlocal planned
        sched_m = _month_schedule(sched, m, carry_in.pop(m, {}))
        demand = ledger.demand(m) if ledger is not None else {}
        sel = _timed(t, "selection", stage_selection, dataset, sched_m, m, config, seed, planned,
                     limit, unreach, register)
        short = sel.shortfall
        later = [n for n in months[i + 1:] if n in open_months]
        carried: set[str] = set()
        if len(short) and later:  # carried to the next month of this run its type can be sampled in
            stay = []
            for j, rec in enumerate(short.itertuples(index=False)):
                key = (str(rec.township_code), str(rec.business_type), str(rec.category_code))
                days = (allowed or {}).get(key[1])
                to = next((n for n in later if days is None or float(days[n - 1]) > 0), None)
                if to is None:
                    stay.append(j)
                    continue
                into = carry_in.setdefault(to, {})
                into[key] = into.get(key, 0) + int(rec.missing)
                if ledger is not None:
                    ledger.carry_to(to, ledger.take_last(demand, key, int(rec.missing)), key)
                carried.add("|".join(key))
                placed_l.append(("carried", m, to, "|".join(key), "|".join(key), int(rec.missing),
                                 f"{rec.reason} / 顺延"))
            short = short.iloc[stay]
        if len(short):  # substituted into the nearest strata with room this month
            add, rows = _timed(t, "selection", substitutes, short, sched_m, dataset.establishments,
                               history, planned, year, m, config.selection, scores, allowed, unreach)
            if add:
                for r in rows:
                    a, b, c = str(r[3]).split("|")
                    add[(a, b, c)] = add.get((a, b, c), 0) - int(r[5])
                    if ledger is not None:  # the substitute belongs to the programme that missed it
                        x, y, z = str(r[4]).split("|")
                        for prog, n in ledger.take_last(demand, (a, b, c), int(r[5])):
                            demand[prog][(x, y, z)] = demand[prog].get((x, y, z), 0) + n
                sched_m = _month_schedule(sched_m, m, add)
                sel = _timed(t, "selection", stage_selection, dataset, sched_m, m, config, seed, planned,
                             limit, unreach, register)
                placed_l.extend(rows)
                short = sel.shortfall  # its carried strata draw as before: their shortfall moved on
                short = short[~stratum_id(short).isin(carried)] if carried else short
        v = sel.visits
        if ledger is not None:  # every sample, and so every visit, names its programme(s)
            v = visit_programmes(v, ledger.attribute(sel.samples, demand), ledger.order)
            short = _short_programmes(short, demand, sel.samples, ledger.order)
        short_l.append(short.assign(month=m))
        planned = v if planned is None else concat_months([planned, v])
        if campaigns:  # inspection visits (no samples) routed with the sampling visits
            v = concat_months([v, _timed(t, "selection", campaign_visits, dataset, config, year, m)])
            v["service_minutes"] = v["service_minutes"].fillna(0).astype("int64")
            v["allowed_dates"] = v["allowed_dates"].fillna("").astype("str")
        cal_m = cal[pd.to_datetime(cal["date"]).dt.month == m]
        return v, _timed(t, "teams", stage_teams, dataset, cal_m, config, seed)

    # a month's selection does not depend on the routes of the months before it: the next month is
    # selected while the workers solve this month's day routes
    selected = select_month(0, months[0])
    for i, m in enumerate(tqdm(months, desc="months", unit="month",
                               disable=not progress or len(months) == 1)):
        v, teams_m = selected
        teams_l.append(teams_m)
        cal_m = cal[pd.to_datetime(cal["date"]).dt.month == m]
        next_cal = stage_calendar(year, [m + 1], config) if m < 12 else None
        booked = _spill_over(previous, m)
        with meanwhile(functools.partial(select_month, i + 1, months[i + 1]) if i + 1 < len(months)
                       else _nothing) as ahead:
            plan = _timed(t, "routes", stage_routes, dataset, v, cal_m, config, seed, progress,
                          later_calendar=next_cal, lab_booked=booked, pool=pool)
        if ahead.done:  # the routes' time without the selection's, which has its own entry
            t["routes"] -= ahead.seconds
        previous = (m, plan.lab_days)
        if on_month is not None:
            on_month(m, plan.stops, plan.routes)
        selected = ahead.result()  # selected while the day routes were solved, or now
        lab_l.append(plan.lab_days)
        reproducible = reproducible and bool(getattr(plan, "reproducible", True))
        visits_l.append(v)
        stops_l.append(plan.stops)
        routes_l.append(plan.routes)
        un = plan.unassigned
        un = un[un["reason"].astype(str) != "purchase"] if len(un) else un
        un_l.append(_complete_unassigned(v, plan.stops, un))
    visits = concat_months(visits_l)
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
        detection=detection,
        dataset=dataset,
        schedule=sched,
        calendar=cal,
        visits=visits,
        teams=concat_months(teams_l),
        stops=concat_months(stops_l),
        routes=concat_months(routes_l),
        unassigned=concat_months(un_l),
        purchases=purchases,
        shortfall=concat_months(short_l),
        placements=(pd.DataFrame(placed_l, columns=list(PLACEMENT_COLUMNS)).astype(
            empty_placements().dtypes.to_dict()) if placed_l else empty_placements()),
        reproducible=reproducible,
        timings=t,
        warnings=[*ready.warnings, *hl_warnings],
        lab_days=_merge_lab_days(lab_l),
        programmes=progs,
        higher_level=higher,
    )


def _short_programmes(short: pd.DataFrame, demand: dict[str, dict[tuple[str, str, str], int]],
                      samples: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """``short`` with ``programme``: the programmes (``;`` list) whose demand the stratum misses."""
    if not len(short):
        return short.assign(programme=pd.Series(dtype="str"))
    got = samples.assign(**{k: samples[k].astype(str) for k in KEY}).groupby(KEY)["samples"].sum()
    names = []
    for key in zip(*(short[k].astype(str) for k in KEY)):
        n = int(got.get(key, 0))
        missing = []
        for p in order:  # the programmes in order took the drawn samples: the later ones miss
            asked = demand[p].get(key, 0)
            if asked > n:
                missing.append(p)
            n = max(0, n - asked)
        names.append(";".join(missing))
    return short.assign(programme=pd.Series(names, index=short.index, dtype="str"))


def _spill_over(previous: tuple[int, pd.DataFrame] | None, month: int) -> pd.DataFrame | None:
    """Samples the month before ``month`` (when it was routed in this run) sends to a lab in ``month``.

    Samples kept at the station after a month's last working day reach the lab on the next
    month's first working day: that lab day's capacity is partly booked already.
    """
    if previous is None or previous[0] != month - 1 or not len(previous[1]):
        return None
    days = previous[1]
    late = days[pd.to_datetime(days["date"]).dt.month == month]
    return late[["lab_id", "date", "samples"]].reset_index(drop=True) if len(late) else None


def _merge_lab_days(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """One row per lab and day over the months: samples of a day two months share are added up."""
    tables = [x for x in tables if len(x)]
    if not tables:
        return pd.DataFrame(columns=LAB_DAY_COLUMNS)
    both = pd.concat(tables, ignore_index=True)
    both["date"] = pd.to_datetime(both["date"])
    out = both.groupby(["lab_id", "date"], sort=True, as_index=False).agg(
        samples=("samples", "sum"), perishable_samples=("perishable_samples", "sum"),
        capacity=("capacity", "first"))
    # "booked" of a month is what an earlier month of this run sends: already in "samples" here
    out["booked"] = 0
    return out[LAB_DAY_COLUMNS].reset_index(drop=True)


def plan_year_of(dataset: Dataset) -> int:
    """The dataset's plan year.

    Raises
    ------
    RiskplanError
        When the dataset has none (``dataset.toml`` gives ``plan_year``).
    """
    if dataset.plan_year is None:
        raise RiskplanError("the dataset has no plan year (plan_year in dataset.toml)")
    return int(dataset.plan_year)


def default_month(dataset: Dataset) -> int:
    """The month after the dataset's ``reference_date`` (2026-06-30 -> 7), within the plan year.

    Raises
    ------
    RiskplanError
        When the reference date is the end of the plan year or later (give ``--month``).
    """
    ref = pd.Timestamp(dataset.reference_date)
    nxt = (ref + pd.offsets.MonthBegin(1)).normalize()
    if nxt.year != plan_year_of(dataset):
        raise RiskplanError(
            f"the month after the reference date {ref.date()} is not in plan year "
            f"{dataset.plan_year}: give --month"
        )
    return int(nxt.month)


def default_months(dataset: Dataset) -> list[int]:
    """``[default_month(dataset)]``."""
    return [default_month(dataset)]
