"""Re-plan the rest of the year: update risk with this year's results, re-allocate what is left.

What is done stays done. The remaining quota (annual quota minus the samples done that count
against the plan) is allocated by :func:`riskplan.allocation.allocate` with the plan's own
allocation rules and its integer guarantees (coverage floors, controlled rounding), the samples
done entered as already taken (``higher_level``), so a township, stage, business type or category
already covered needs no new floor and the minimum shares (key products, school canteens) are of
the annual quota less what is done in them. The risk weights are re-scored with this year's
results added to the history; by default (``MonitoringRules.replan_mode = "catch_up"``) the
remainder goes in proportion to each stratum's shortfall against its risk-proportional share of the
annual quota under the updated weights (``max(0, quota x w / sum(w) - done)``), so a stratum that is
behind catches up and one already ahead gets only what the floors require; ``"proportional"``
weighs by the updated risk weight alone. The remainder is then spread over the remaining months by
:func:`riskplan.schedule.monthly` with the plan's schedule rules restricted to those months
(:func:`remainder_schedule_rules`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from riskplan.allocation import Allocation, allocate
from riskplan.config import Config
from riskplan.configure import prepare
from riskplan.dataset import Dataset
from riskplan.errors import RiskplanError
from riskplan.monitoring.ingest import check_as_of
from riskplan.monitoring.planio import MonitorPlan
from riskplan.pipeline import PlanResult
from riskplan.risk import score
from riskplan.schedule import ScheduleRules, monthly, school_day_months
from riskplan.settings.risk import RiskRules
from riskplan.tables import STRATUM_KEY, DateLike

KEY = list(STRATUM_KEY)
HISTORY_COLUMNS = ["sample_id", "sample_date", "establishment_id", "category_code", "result",
                   "hazard", "followup_status", "followup_date", "programme"]


@dataclasses.dataclass
class Replan:
    """The re-planned remainder of the year.

    Attributes
    ----------
    table
        One row per stratum of the plan: key columns, ``stage``, ``planned`` (original annual
        samples), ``done``, ``remaining`` (newly allocated), ``total`` (= done + remaining),
        ``weight`` (updated risk weight), ``rate_mean`` (updated).
    schedule
        Key columns, ``month``, ``samples`` of the remaining months only.
    allocation
        The :class:`riskplan.allocation.Allocation` of the remainder (None when nothing is left).
    scores
        The updated risk scores.
    quota, done, remaining
        Annual quota, samples done, samples left [samples]; ``done + remaining == quota`` unless
        more than the quota is already done (then ``remaining`` is 0).
    months
        The remaining months (1-12).
    as_of
        Date the results run to.
    """

    table: pd.DataFrame
    schedule: pd.DataFrame
    allocation: Allocation | None
    scores: pd.DataFrame
    quota: int
    done: int
    remaining: int
    months: list[int]
    as_of: pd.Timestamp

    def __repr__(self) -> str:
        return (f"Replan(as_of={self.as_of.date()}, done={self.done}, remaining={self.remaining}, "
                f"months={self.months[0] if self.months else '-'}-{self.months[-1] if self.months else '-'})")

    def summary(self) -> str:
        """The re-plan in a few lines: done, what is left and where it moved."""
        moved = self.table.groupby("township_code")[["planned", "total"]].sum()
        shift = int((moved["total"] - moved["planned"]).abs().sum() // 2)
        when = (f"months {self.months[0]}-{self.months[-1]}" if self.months else "no months left")
        return "\n".join([
            f"re-plan 重新分配 as of {self.as_of.date()}: {self.done} done + {self.remaining} "
            f"remaining = {self.done + self.remaining} (quota {self.quota}), {when}",
            f"  {shift} samples moved between townships by the updated risk",
        ])


def remaining_months(as_of: DateLike) -> list[int]:
    """Months still to plan after ``as_of``: from the next month, or this one if it is not over."""
    ts = pd.Timestamp(as_of)
    start = ts.month + 1 if ts.is_month_end else ts.month
    return list(range(start, 13))


def done_per_stratum(results: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """Samples done per stratum up to ``as_of`` (results that count against the plan)."""
    r = results[results["sample_date"] <= pd.Timestamp(as_of)]
    if "in_plan" in r.columns:
        r = r[r["in_plan"]]
    return r.groupby(KEY, as_index=False).size().rename(columns={"size": "samples"})


def updated_scores(
    dataset: Dataset, results: pd.DataFrame, as_of: DateLike, risk_config: RiskRules | None = None
) -> pd.DataFrame:
    """Risk scores with this year's results (known establishment and category) added to history."""
    r = results[results["known"]] if "known" in results.columns else results
    r = r[r["sample_date"] <= pd.Timestamp(as_of)]
    hist = dataset.history
    add = r[[c for c in HISTORY_COLUMNS if c in r.columns]].copy()
    for c in add.columns:
        if c in ("sample_date", "followup_date"):
            add[c] = pd.to_datetime(add[c])
        else:
            add[c] = add[c].astype(str)
    add = add[~add["sample_id"].isin(set(hist["sample_id"].astype(str)))]
    history = pd.concat([hist, add], ignore_index=True)
    return score(dataset, history=history, reference_date=pd.Timestamp(as_of), config=risk_config)


def remainder_schedule_rules(
    rules: ScheduleRules | None, months: list[int], quota: int, done: int
) -> ScheduleRules:
    """The plan's :class:`~riskplan.schedule.ScheduleRules` restricted to the remaining months.

    Sampling starts at the first remaining month (and may run to December when the plan's
    ``last_month`` has passed); each progress check still ahead keeps its *annual* meaning: the
    share of the remainder due by then is ``(target x quota - done) / (quota - done)``, clipped
    to [0, 1].
    """
    rules = rules or ScheduleRules()
    start = months[0]
    left = quota - done
    pm, pt = [], []
    for m, t in zip(rules.progress_months, rules.progress_targets):
        if m >= start and m < 12 and left > 0:
            pm.append(m)
            pt.append(min(1.0, max(0.0, (t * quota - done) / left)))
    for i in range(1, len(pt)):  # keep non-decreasing after clipping
        pt[i] = max(pt[i], pt[i - 1])
    last = rules.last_month if rules.last_month >= start else 12
    closed = tuple(m for m in rules.closed_months if m >= start)
    if not [m for m in range(start, last + 1) if m not in closed]:
        closed = ()
    return dataclasses.replace(rules, first_month=start, last_month=last, closed_months=closed,
                      progress_months=tuple(pm), progress_targets=tuple(pt))


def _schedule_remaining(
    alloc_table: pd.DataFrame, months: list[int], config: Config, quota: int, done: int,
    plan_year: int | None,
) -> pd.DataFrame:
    """Spread the remainder over ``months`` with :func:`riskplan.schedule.monthly`.

    As in the plan, business types visited only on school days keep to months with school days.
    """
    rules = remainder_schedule_rules(config.schedule, months, quota, done)
    allowed = (school_day_months(config.routing.school_day_types, plan_year, config.calendar)
               if rules.school_days_only and plan_year is not None else None)
    return monthly(alloc_table, rules, months_allowed=allowed)


def replan(
    plan: MonitorPlan | PlanResult,
    results: pd.DataFrame,
    dataset: Dataset,
    *,
    as_of: DateLike | None = None,
    config: Config | None = None,
    mode: str | None = None,
) -> Replan:
    """Re-allocate the remaining quota over the remaining months from updated risk.

    Parameters
    ----------
    plan
        The plan (:class:`MonitorPlan`, or a ``PlanResult``): its allocation gives the annual quota
        and its configuration the rules.
    results
        Validated results (:attr:`IngestResult.results`: with ``in_plan`` and ``known``).
    dataset
        The district dataset the plan was made from (history, register, categories).
    as_of
        Date the results run to; default the dataset's ``reference_date``.
    config
        The :class:`riskplan.config.Config`; default the plan's.
    mode
        ``"catch_up"`` or ``"proportional"`` (see the module notes); default
        ``config.monitoring.replan_mode``.

    Returns
    -------
    Replan

    Raises
    ------
    RiskplanError
        When ``as_of`` is outside the dataset's plan year.
    InfeasibleError
        When the coverage floors still to meet need more than what is left of the quota.
    """
    if not isinstance(plan, MonitorPlan):
        plan = MonitorPlan.from_plan_result(plan)
    # the plan's rules on this dataset: roles resolved, exclusions applied (as the plan did)
    ready = prepare(dataset, config or plan.config)
    dataset, config = ready.dataset, ready.config
    as_of = check_as_of(as_of if as_of is not None else dataset.reference_date,
                        getattr(dataset, "plan_year", None))
    alloc0 = plan.allocation.table if hasattr(plan.allocation, "table") else plan.allocation
    quota = int(alloc0["samples"].sum())
    done = done_per_stratum(results, as_of)
    n_done = int(done["samples"].sum())
    scores = updated_scores(dataset, results, as_of, getattr(config, "risk", None))
    # the annual quota with what is done entered as already taken: the allocation then places
    # exactly quota - done and credits the done samples to every coverage floor and share.
    mode = mode or getattr(getattr(config, "monitoring", None), "replan_mode", "catch_up")
    if mode not in ("catch_up", "proportional"):
        raise RiskplanError(f"replan mode must be 'catch_up' or 'proportional', got {mode!r}")
    weights = scores
    if mode == "catch_up":
        w = scores["weight"].to_numpy(float)
        d = scores[KEY].merge(done, on=KEY, how="left")["samples"].fillna(0).to_numpy(float)
        share = quota * w / w.sum() if w.sum() > 0 else np.zeros(len(w))
        weights = scores.assign(weight=np.maximum(0.0, share - d))
        if weights["weight"].sum() <= 0:  # every stratum at or above its share: fall back
            weights = scores
    if quota - n_done > 0:
        alloc = allocate(weights, quota, config.allocation, categories=dataset.categories,
                         higher_level=done, count_higher_level=True,
                         business_types=dataset.business_types)
        rem = alloc.table[KEY + ["stage", "samples", "weight"]].rename(
            columns={"samples": "remaining", "weight": "replan_weight"})
    else:  # nothing left to place (the plan is fulfilled): no allocation to make
        alloc = None
        rem = weights[KEY + ["stage", "weight"]].rename(columns={"weight": "replan_weight"})
        rem = rem.assign(remaining=0)
    rem = rem.merge(scores[KEY + [c for c in ("weight", "rate_mean") if c in scores.columns]],
                    on=KEY, how="left")
    base = alloc0[KEY + ["samples"]].rename(columns={"samples": "planned"})
    table = base.merge(rem, on=KEY, how="outer").merge(done.rename(columns={"samples": "done"}),
                                                       on=KEY, how="left")
    for c in ["planned", "remaining", "done"]:
        table[c] = table[c].fillna(0).astype(int)
    table["total"] = table["done"] + table["remaining"]
    months = remaining_months(as_of)
    if alloc is not None and months and int(table["remaining"].sum()) > 0:
        sched_in = alloc.table.copy()
        schedule = _schedule_remaining(sched_in, months, config, quota, n_done, dataset.plan_year)
        schedule = schedule[schedule["samples"] > 0].reset_index(drop=True)
    else:
        schedule = pd.DataFrame({**{c: pd.Series(dtype=str) for c in KEY},
                                 "month": pd.Series(dtype=int), "samples": pd.Series(dtype=int)})
    remaining = int(table["remaining"].sum())
    front = KEY + ["stage", "planned", "done", "remaining", "total"]
    table = table[front + [c for c in table.columns if c not in front]]
    table = table.sort_values(KEY).reset_index(drop=True)
    assert remaining == max(quota, n_done) - n_done
    return Replan(table, schedule, alloc, scores, quota, n_done, remaining, months, as_of)
