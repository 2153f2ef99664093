"""Monitoring a plan of several programmes: the plan as a whole, and each target from its programme.

A plan with ``[[programmes]]`` holds one allocation and schedule block per programme (column
``programme``). Progress, coverage and alerts watch the plan as a whole (:func:`whole_plan` adds
the blocks up per stratum); the scorecard computes each target from the programme whose
``targets`` names it (:func:`programme_actuals`): T19 (risk-monitoring samples per 1,000
residents) from the programme naming T19, T22 (completion) and T24 (coverage) from theirs. A
computed target no programme names (T23, T12, T13, or T22/T24 when unnamed) is computed from the
first programme. A result counts for the programme its ``programme`` column names; a result naming
none counts for the first programme. An inspection campaign's target (T25) is computed from the
inspections done (:mod:`riskplan.monitoring.inspections`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskplan.dataset import Dataset
from riskplan.monitoring.coverage import Coverage, coverage
from riskplan.monitoring.inspections import InspectionActuals, inspection_actuals
from riskplan.monitoring.planio import MonitorPlan
from riskplan.monitoring.progress import behind
from riskplan.monitoring.targets import COMPUTED_IDS, computed_actuals
from riskplan.settings.monitoring import MonitoringRules
from riskplan.tables import STRATUM_KEY, DateLike

__all__ = ["whole_plan", "programme_actuals", "target_owners", "monitor_actuals"]

KEY = list(STRATUM_KEY)
_SUMMED = ("samples", "floor", "risk_part", "fractional", "cost_yuan", "higher_level", "moved")


def whole_plan(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``table`` (allocation or schedule) with its programme blocks added up per ``by``.

    A table without a ``programme`` column is returned as it is.
    """
    if "programme" not in table.columns:
        return table
    rest = [c for c in table.columns if c not in by and c != "programme"]
    agg = {c: ("sum" if c in _SUMMED else "first") for c in rest}
    return table.groupby(by, as_index=False, sort=True).agg(agg)[[*by, *rest]]


def _sampling(programmes: Any) -> list[Any]:
    """The sampling programmes (a higher-level task scores no target)."""
    return [p for p in programmes if getattr(p, "kind", "sampling") == "sampling"]


def target_owners(programmes: Any) -> dict[str, str]:
    """Target ID -> the programme computing it (named by its ``targets``, else the first)."""
    programmes = _sampling(programmes)
    ids = [p.id for p in programmes]
    owners = {t: p.id for p in programmes for t in p.targets}
    return {t: owners.get(t, ids[0]) for t in COMPUTED_IDS}


def _stage_and_type_counts(summary: pd.DataFrame) -> tuple[int, int]:
    """(covered, present) stages and business types of a coverage summary (T24's counts)."""
    rows = summary.set_index("dimension").loc[["stage", "business_type"]]
    return int(rows["covered"].sum()), int(rows["present"].sum())


def programme_actuals(programmes: Any, allocation: pd.DataFrame, schedule: pd.DataFrame,
                      matched: pd.DataFrame, as_of: DateLike, rules: MonitoringRules,
                      population: int, followup_summary: pd.Series) -> pd.DataFrame:
    """The computed targets, each from its programme (see the module notes).

    Parameters
    ----------
    programmes
        The plan's ``ProgrammeRules``, in order.
    allocation, schedule
        The plan's tables with their ``programme`` column.
    matched
        Results counting against the plan (optional column ``programme``).
    as_of
        Date of the figures.
    rules
        Monitoring settings.
    population
        Residents [persons] (T19).
    followup_summary
        ``FollowUp.summary`` row (T23, T12, T13: the plan as a whole).

    Returns
    -------
    pandas.DataFrame
        As :func:`~riskplan.monitoring.targets.computed_actuals`; ``note`` names the programme.
    """
    programmes = _sampling(programmes)
    owners = target_owners(programmes)
    first = programmes[0].id
    of = (matched["programme"].fillna("").astype(str).replace({"": first})
          if "programme" in matched.columns else pd.Series(first, index=matched.index))
    parts = []
    for p in programmes:
        mine = {t for t, o in owners.items() if o == p.id}
        if not mine:
            continue
        m = matched[of == p.id]
        a = allocation[allocation["programme"].astype(str) == p.id]
        s = schedule[schedule["programme"].astype(str) == p.id]
        counts = _stage_and_type_counts(coverage(a, m).summary)
        town = behind(s, m, pd.Timestamp(as_of), rules, "township")
        comp = computed_actuals(
            as_of=as_of, plan_done=len(m), plan_quota=int(a["samples"].sum()),
            followup_rate=float(followup_summary["completion_rate_due"]),
            case_filing_rate=float(followup_summary["case_filing_rate"]),
            case_closing_rate=float(followup_summary["case_closing_rate"]),
            coverage_counts=counts, population=population, risk_monitoring_samples=len(m),
            # T19 counts the samples of the programme that names it, whatever its id
            programme="risk_monitoring" if "T19" in mine else p.id,
            township_completion=town[["township_code", "done", "annual"]])
        comp = comp[comp["target_id"].isin(mine)].copy()
        comp["note"] = comp["note"].astype(str) + f" [programme {p.id}]"
        parts.append(comp)
    return pd.concat(parts, ignore_index=True)


def monitor_actuals(plan: MonitorPlan, alloc: pd.DataFrame, dataset: Dataset,
                    by_programme: pd.DataFrame, sched_by_programme: pd.DataFrame,
                    matched: pd.DataFrame, cov: Coverage, behind_township: pd.DataFrame,
                    followup_summary: pd.Series, as_of: pd.Timestamp,
                    rules: MonitoringRules) -> tuple[pd.DataFrame, InspectionActuals]:
    """Every target ``riskplan monitor`` computes: the plan's, each programme's, the campaigns'.

    Parameters
    ----------
    plan
        The plan (its ``config``: programmes and calendar; ``programme`` without programmes).
    alloc
        The allocation of the plan as a whole (programme blocks added up).
    dataset
        The district (population; establishments and inspections for the campaigns).
    by_programme, sched_by_programme
        Allocation and schedule with their ``programme`` column (several programmes).
    matched
        Results counting against the plan by ``as_of``.
    cov
        Coverage of the plan as a whole.
    behind_township
        Progress per township (``township_code, done, annual``).
    followup_summary
        ``FollowUp.summary`` row.
    as_of
        Date of the assessment.
    rules
        Monitoring settings.

    Returns
    -------
    tuple
        The computed actuals (:func:`~riskplan.monitoring.targets.computed_actuals` columns plus
        ``open_until``) and the campaigns' :class:`InspectionActuals` (notes of targets not
        computed, terms).
    """
    population = int(dataset.townships["population"].sum())
    programmes = tuple(getattr(plan.config, "programmes", ()) or ())
    if programmes:  # each target from the programme naming it
        comp = programme_actuals(programmes, by_programme, sched_by_programme, matched, as_of,
                                 rules, population, followup_summary)
    else:
        counts = _stage_and_type_counts(cov.summary)
        rm = matched
        if "programme" in matched.columns:
            rm = matched[matched["programme"].isin(["risk_monitoring", ""])]
        comp = computed_actuals(
            as_of=as_of, plan_done=len(matched), plan_quota=int(alloc["samples"].sum()),
            followup_rate=float(followup_summary["completion_rate_due"]),
            case_filing_rate=float(followup_summary["case_filing_rate"]),
            case_closing_rate=float(followup_summary["case_closing_rate"]),
            coverage_counts=counts, population=population, risk_monitoring_samples=len(rm),
            programme=plan.programme,
            township_completion=behind_township[["township_code", "done", "annual"]])
    insp = inspection_actuals(plan.config, dataset, as_of, getattr(dataset, "plan_year", None))
    if len(insp.computed):
        comp = pd.concat([comp.assign(open_until=""), insp.computed], ignore_index=True)
    return comp, insp
