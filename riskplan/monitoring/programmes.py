"""Monitoring a plan of several programmes: the plan as a whole, and each target from its programme.

A plan with ``[[programmes]]`` holds one allocation and schedule block per programme (column
``programme``). Progress, coverage and alerts watch the plan as a whole (:func:`whole_plan` adds
the blocks up per stratum); the scorecard computes each target from the programme whose
``targets`` names it (:func:`programme_actuals`): T19 (risk-monitoring samples per 1,000
residents) from the programme naming T19, T22 (completion) and T24 (coverage) from theirs. A
computed target no programme names (T23, T12, T13, or T22/T24 when unnamed) is computed from the
first programme. A result counts for the programme its ``programme`` column names; a result naming
none counts for the first programme.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskplan.monitoring.coverage import coverage
from riskplan.monitoring.progress import behind
from riskplan.monitoring.targets import COMPUTED_IDS, computed_actuals
from riskplan.settings.monitoring import MonitoringRules
from riskplan.tables import STRATUM_KEY, DateLike

__all__ = ["whole_plan", "programme_actuals", "target_owners"]

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
        cov = coverage(a, m).summary.set_index("dimension")
        counts = (int(cov.loc[["stage", "business_type"], "covered"].sum()),
                  int(cov.loc[["stage", "business_type"], "present"].sum()))
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
