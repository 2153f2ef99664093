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

__all__ = ["ProgrammePlan", "programmes_of", "programme_quota_of", "plan_programmes", "combined",
           "higher_level_rows", "HIGHER_LEVEL_COLUMNS", "summed_allocation"]


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
    """The plan's sampling programmes: those of ``config.programmes``, or the one of ``[quota]``."""
    if config.programmes:
        return tuple(p for p in config.programmes if p.kind == "sampling")
    q = config.quota
    return (ProgrammeRules(id=q.programme, name=q.programme_name_zh, rate_per_1000=q.rate_per_1000),)


HIGHER_LEVEL_COLUMNS: tuple[str, ...] = (
    "programme", "task_level", "township_code", "business_type", "category_code", "month", "samples",
    "counts_towards", "counted_as")
"""Columns of :func:`higher_level_rows` (``higher_level.csv`` of a plan folder); the input's ``level``
is written as ``task_level`` (``level`` is the problem or alert level in other tables)."""


def higher_level_rows(dataset: Dataset, config: Config) -> tuple[pd.DataFrame, list[str]]:
    """The dataset's higher-level samples, each with what it counts towards.

    ``counts_towards`` is the sampling programme whose quota the row counts towards (the
    ``counts_towards`` of its ``higher_level`` programme; without ``[[programmes]]``,
    ``quota.programme`` when ``quota.count_higher_level``), empty when it counts for coverage only;
    ``counted_as`` is ``quota`` or ``coverage``. Every row counts for coverage.

    Returns
    -------
    tuple
        The rows (:data:`HIGHER_LEVEL_COLUMNS`) and warnings (a task no programme describes).
    """
    hl = getattr(dataset, "higher_level", None)
    if hl is None or not len(hl):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "samples" else "str")
                             for c in HIGHER_LEVEL_COLUMNS}), []
    out = hl.reset_index(drop=True).rename(columns={"level": "task_level"})
    names = out["programme"].astype(str)
    warnings = []
    if config.programmes:
        towards = {p.id: p.counts_towards for p in config.programmes if p.kind == "higher_level"}
        unknown = sorted(set(names) - set(towards))
        if unknown:
            warnings.append(f"higher-level task(s) {', '.join(unknown)} of the higher-level table "
                            "are no [[programmes]] entry of kind higher_level: their samples count "
                            "for coverage only / 未配置的上级任务只计入覆盖")
        out["counts_towards"] = names.map(lambda n: towards.get(n, "")).astype("str")
    else:
        q = config.quota
        out["counts_towards"] = pd.Series(q.programme if q.count_higher_level else "",
                                          index=out.index, dtype="str")
    out["counted_as"] = out["counts_towards"].map(lambda t: "quota" if t else "coverage").astype("str")
    return out[list(HIGHER_LEVEL_COLUMNS)], warnings


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


def plan_programmes(scores: pd.DataFrame, dataset: Dataset, config: Config, supply: Supply,
                    higher_level: pd.DataFrame | None = None,
                    seed: int | None = None) -> list[ProgrammePlan]:
    """Allocate and schedule every sampling programme, in the order of the configuration.

    Each programme is fitted to the supply the programmes before it left; its quota is met
    exactly (or :class:`~riskplan.errors.InfeasibleError` says which numbers do not fit):
    its allocation plus the higher-level samples counting towards it (``higher_level``, from
    :func:`higher_level_rows`; every such sample counts for every programme's coverage).
    ``seed`` seeds an unbiased rounding (default ``config.seed``).
    """
    out: list[ProgrammePlan] = []
    left = supply
    hl = higher_level if higher_level is not None and len(higher_level) else None
    for i, rules in enumerate(programmes_of(config)):
        cfg = programme_config(rules, config)
        own = stage_risk(dataset, cfg) if rules.risk else scores
        quota = programme_quota_of(rules, config, dataset)
        counted = (int(hl.loc[hl["counts_towards"] == rules.id, "samples"].sum())
                   if hl is not None else 0)
        try:
            alloc = stage_allocation(restrict(own, rules, i, dataset), max(0, quota - counted),
                                     dataset, cfg, left, seed, higher_level=hl)
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


_SUMMED = ("higher_level", "floor", "risk_part", "samples", "fractional", "cost_yuan", "moved")


def summed_allocation(table: pd.DataFrame) -> pd.DataFrame:
    """The programmes' allocation blocks added up per stratum (no ``programme`` column).

    Samples, floors, risk parts, fractional samples, costs and moves are summed; every other
    column (the stratum's scores) is the stratum's own.
    """
    key = ["township_code", "business_type", "category_code"]
    rest = [c for c in table.columns if c not in key and c != "programme"]
    agg = {c: ("sum" if c in _SUMMED else "first") for c in rest}
    return table.groupby(key, as_index=False, sort=True).agg(agg)[[*key, *rest]]
