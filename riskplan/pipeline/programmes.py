"""The programmes of a plan, each allocated and scheduled on its own, sharing the supply.

A configuration lists its programmes in ``[[programmes]]``; without any, the plan is one programme
made of ``[quota]`` (:func:`programmes_of`). Each sampling programme gets its own quota (a rate per
1,000 residents, or a fixed number), its own floors and weights (its ``allocation`` / ``risk``
overrides) and, where it differs, its own categories and business types; its allocation is
fitted to what the establishments can still supply after the programmes before it
(:func:`riskplan.allocation.shared.supply_left`) and scheduled over the months. The month loop of
:func:`riskplan.pipeline.run.run_plan` then selects and routes them together.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from riskplan.allocation import Allocation, Supply, annual_quota, resolve_population
from riskplan.allocation.shared import supply_left
from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.errors import ConfigError, InfeasibleError
from riskplan.pipeline.stages import stage_allocation, stage_risk, stage_schedule
from riskplan.roles.lookup import match_business_types, match_categories
from riskplan.settings import AllocationRules, RiskRules
from riskplan.settings.programme import ProgrammeRules, programme_key

__all__ = ["ProgrammePlan", "programmes_of", "programme_quota_of", "plan_programmes", "combined"]


@dataclasses.dataclass(frozen=True)
class ProgrammePlan:
    """One programme's part of the plan.

    Attributes
    ----------
    rules
        The programme's settings.
    quota
        Its annual quota [samples].
    allocation
        Its allocation, fitted to the supply left by the programmes before it.
    schedule
        Its monthly schedule (key, ``month``, ``samples``).
    """

    rules: ProgrammeRules
    quota: int
    allocation: Allocation
    schedule: pd.DataFrame


def programmes_of(config: Config) -> tuple[ProgrammeRules, ...]:
    """The plan's programmes: ``config.programmes``, or the one programme ``[quota]`` describes."""
    if config.programmes:
        return config.programmes
    q = config.quota
    return (ProgrammeRules(id=q.programme, name=q.programme_name_zh, rate_per_1000=q.rate_per_1000),)


def programme_quota_of(rules: ProgrammeRules, config: Config, dataset: Dataset) -> int:
    """A programme's annual quota [samples]: its fixed number, or its rate x residents / 1,000.

    The residents are those ``[quota]`` resolves (``population_year``, ``population``).
    """
    if rules.samples is not None:
        return int(rules.samples)
    return int(annual_quota(resolve_population(config.quota, dataset), float(rules.rate_per_1000 or 0)))


def _override(base: Any, changes: dict[str, Any]) -> Any:
    return dataclasses.replace(base, **changes) if changes else base


def programme_config(rules: ProgrammeRules, config: Config) -> Config:
    """``config`` with the programme's ``allocation`` and ``risk`` keys."""
    alloc: AllocationRules = _override(config.allocation, rules.allocation)
    risk: RiskRules = _override(config.risk, rules.risk)
    return config.replace(allocation=alloc, risk=risk)


def restrict(scores: pd.DataFrame, rules: ProgrammeRules, index: int, dataset: Dataset) -> pd.DataFrame:
    """The strata of ``scores`` the programme samples (its categories and business types).

    Raises
    ------
    ConfigError
        For a code or role of the programme that the dataset does not have, naming the
        programme and the key.
    """
    keep = pd.Series(True, index=scores.index)
    key = programme_key(index, rules.id)
    for name, items, match, column in (
            ("business_types", rules.business_types, match_business_types, "business_type"),
            ("categories", rules.categories, match_categories, "category_code")):
        if not items:
            continue
        m = match(list(items), dataset)
        if m.unknown:
            raise ConfigError(f"{key}.{name}", f"not in the dataset: {', '.join(m.unknown)}")
        if not m.codes:
            raise ConfigError(f"{key}.{name}", f"{', '.join(items)} match(es) nothing in the dataset")
        keep &= scores[column].astype(str).isin(m.codes)
    return scores[keep].reset_index(drop=True)


def plan_programmes(scores: pd.DataFrame, dataset: Dataset, config: Config,
                    supply: Supply) -> list[ProgrammePlan]:
    """Allocate and schedule every sampling programme, in the order of the configuration.

    Each programme is fitted to the supply the programmes before it left; its quota is met
    exactly (or :class:`~riskplan.errors.InfeasibleError` says which numbers do not fit).
    """
    out: list[ProgrammePlan] = []
    left = supply
    for i, rules in enumerate(programmes_of(config)):
        cfg = programme_config(rules, config)
        own = stage_risk(dataset, cfg) if rules.risk else scores
        quota = programme_quota_of(rules, config, dataset)
        try:
            alloc = stage_allocation(restrict(own, rules, i, dataset), quota, dataset, cfg, left)
        except InfeasibleError as exc:
            before = ", ".join(p.rules.id for p in out)
            raise InfeasibleError(
                f"programme {rules.id} ({quota} samples"
                + (f", after {before} took {sum(p.quota for p in out)}" if out else "")
                + f"): {exc}") from None
        sched = stage_schedule(alloc, dataset, cfg, left)
        out.append(ProgrammePlan(rules, quota, alloc, sched))
        left = supply_left(left, alloc.table)
    return out


def combined(plans: list[ProgrammePlan]) -> tuple[Allocation, pd.DataFrame]:
    """The programmes' allocations and schedules, one below the other, each with ``programme``.

    Returns
    -------
    tuple
        An :class:`~riskplan.allocation.Allocation` whose ``table`` and ``moves`` hold every
        programme's rows (column ``programme``) and whose totals are summed (the coverage
        requirements and rules are the first programme's), and the schedule of every programme.
    """
    def tagged(frames: list[pd.DataFrame]) -> pd.DataFrame:
        out = pd.concat([f.assign(programme=p.rules.id) for f, p in zip(frames, plans)],
                        ignore_index=True)
        out["programme"] = out["programme"].astype("str")
        return out

    first = plans[0].allocation
    alloc = dataclasses.replace(
        first, table=tagged([p.allocation.table for p in plans]),
        moves=tagged([p.allocation.moves for p in plans]),
        quota=sum(p.allocation.quota for p in plans), total=sum(p.allocation.total for p in plans),
        cost=sum(p.allocation.cost for p in plans),
        floor_total=sum(p.allocation.floor_total for p in plans),
        coverage_total=sum(p.allocation.coverage_total for p in plans))
    return alloc, tagged([p.schedule for p in plans])
