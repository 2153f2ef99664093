"""Scorecard of the district's quantitative creation targets (``creation_targets.csv``).

The targets and their typed-in actual values are tables of the dataset (``creation_targets``,
``target_actuals``); a district without targets gets no scorecard (an empty table, said once),
never another district's.

Each target row (``id``, ``comparator`` ``>=``/``<=``, ``target``, ``unit``, ``deadline``,
``lead_department``) is scored against its actual value(s): typed in (``target_actuals``: one row
per target and scope, the scope being ``district``, a township code or a department) or, for the
targets riskplan's own data answer, computed (:func:`computed_actuals`):

* ``T19`` risk-monitoring samples per 1,000 residents (only when the plan is the
  ``risk_monitoring`` programme),
* ``T22`` plan completion (samples done / annual plan, %),
* ``T23`` follow-up completion of unqualified samples (%), the clock starting at receipt,
* ``T24`` coverage of every stage and business type in the plan (%),
* ``T12`` case filing rate and ``T13`` case closing rate (%), only when the results record case
  dates (:mod:`riskplan.monitoring.followup`).
* ``T25`` (or whatever target an inspection programme names): the share of the campaign's target
  establishments inspected within the first working days of each term begun, from the
  inspections table (:mod:`riskplan.monitoring.inspections`); without one the typed-in value (or
  ``no_data``) stays and its note says why.

A computed value replaces a typed one of the same target and scope (the typed one is kept in
``reported_actual``). Year-to-date flows (``MonitoringRules.year_to_date_targets``: T15 training
hours, T19, T22) are judged, before the year end, against the target pro-rated to the share of the
year due by the quarterly targets (50 % at the end of June by default).

Status (three kinds of target):

* a target with a ``deadline`` that has passed: ``met`` or ``missed``;
* a target with a ``deadline`` still ahead, a year-to-date flow or a year-end target
  (``year_end_targets``) before the end of the plan year: ``met`` or, when short, ``at_risk``
  (time is left, but the trajectory is short of the target);
* a standing target (no deadline: a rate that should hold all the time): ``met``; ``at_risk`` when
  short by no more than ``at_risk_margin`` x target; ``missed`` beyond that;
* a computed value whose window is still open (``open_until``, an inspection campaign's window
  not over at ``as_of``): ``met`` or, when short, ``at_risk``;
* ``no_data`` when there is no actual value.

``gap`` is the shortfall in the target's unit (0 when met).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from riskplan.io import read_table
from riskplan.settings.monitoring import MonitoringRules
from riskplan.tables import DateLike

COMPUTED_IDS = ("T12", "T13", "T19", "T22", "T23", "T24")


NO_TARGETS = ("no creation targets in the dataset (creation_targets.csv): no scorecard / "
              "数据中没有创建目标表，不评分")
"""What a district without creation targets is told, once."""

SCORECARD_COLUMNS: tuple[str, ...] = (
    "target_id", "indicator_zh", "indicator_en", "scope", "comparator", "target", "target_to_date",
    "unit", "actual", "reported_actual", "source", "status", "gap", "deadline", "kind",
    "lead_department", "credited_to", "note")
"""Columns of :func:`scorecard` (also of the empty scorecard of a district without targets)."""


def load_targets(path: str | Path) -> pd.DataFrame:
    """A creation targets file (CSV in UTF-8/GBK or XLSX; columns of ``creation_targets``).

    Raises
    ------
    ValidationError
        For a malformed file (the problems name row and column).
    """
    return read_table(Path(path), "creation_targets")


def _targets_frame(targets: pd.DataFrame) -> pd.DataFrame:
    """Targets as the scorecard reads them: ``id``, numeric ``target``, text ``deadline``."""
    t = targets.rename(columns={"target_id": "id"}) if "id" not in targets.columns else targets.copy()
    t["target"] = pd.to_numeric(t["target"])
    dl = t["deadline"] if "deadline" in t.columns else pd.Series("", index=t.index)
    if pd.api.types.is_datetime64_any_dtype(dl):
        dl = dl.dt.strftime("%Y-%m-%d")
    t["deadline"] = dl.fillna("").astype(str).replace({"NaT": "", "nan": "", "<NA>": ""})
    for c in ("indicator_zh", "indicator_en", "unit", "lead_department", "comparator"):
        if c not in t.columns:
            t[c] = ""
        t[c] = t[c].fillna("").astype(str)
    return t


def computed_actuals(
    *,
    as_of: DateLike,
    plan_done: int,
    plan_quota: int,
    followup_rate: float | None,
    coverage_counts: tuple[int, int] | None,
    population: int | None = None,
    risk_monitoring_samples: int | None = None,
    programme: str = "risk_monitoring",
    township_completion: pd.DataFrame | None = None,
    case_filing_rate: float | None = None,
    case_closing_rate: float | None = None,
) -> pd.DataFrame:
    """Actual values of the targets riskplan can answer itself.

    Parameters
    ----------
    as_of
        Date of the figures.
    plan_done, plan_quota
        Samples done that count against the plan, and the annual quota [samples].
    followup_rate
        Follow-up completion [fraction] (``FollowUp.summary["completion_rate_due"]``), or None.
    coverage_counts
        (covered, present) stages plus business types of the plan.
    population
        Residents [persons] (for T19).
    risk_monitoring_samples
        Risk-monitoring samples done this year [samples] (for T19).
    programme
        The plan's programme; T19 is computed only for ``risk_monitoring``.
    township_completion
        Optional ``township_code, done, annual``: adds T22 rows per township.
    case_filing_rate, case_closing_rate
        T12 and T13 [fraction] (``FollowUp.summary``), or None / NaN when the data hold no case
        dates.

    Returns
    -------
    ``target_id, scope, actual, as_of, note, source`` (``computed``).
    """
    d = pd.Timestamp(as_of).date().isoformat()
    rows = []
    if programme == "risk_monitoring" and population and risk_monitoring_samples is not None:
        rows.append(("T19", "district", 1000 * risk_monitoring_samples / population,
                     f"{risk_monitoring_samples} samples / {population} residents x 1000 (year to date)"))
    if plan_quota > 0:
        rows.append(("T22", "district", 100 * plan_done / plan_quota,
                     f"{plan_done} of {plan_quota} planned samples done (year to date)"))
    if township_completion is not None:
        for r in township_completion.itertuples(index=False):
            if r.annual > 0:
                rows.append(("T22", str(r.township_code), 100 * r.done / r.annual,
                             f"{r.done} of {r.annual} planned samples done (year to date)"))
    if followup_rate is not None and not math.isnan(followup_rate):
        rows.append(("T23", "district", 100 * followup_rate,
                     "follow-ups done / unqualified results done or past their deadline "
                     "(counted from receipt of the result)"))
    if case_filing_rate is not None and not math.isnan(case_filing_rate):
        rows.append(("T12", "district", 100 * case_filing_rate,
                     "cases filed / unqualified results calling for one (not overturned on "
                     "re-test; filed or past the follow-up deadline)"))
    if case_closing_rate is not None and not math.isnan(case_closing_rate):
        rows.append(("T13", "district", 100 * case_closing_rate, "cases closed / cases filed"))
    if coverage_counts is not None and coverage_counts[1] > 0:
        cov, pres = coverage_counts
        rows.append(("T24", "district", 100 * cov / pres,
                     f"{cov} of {pres} stages and business types of the plan sampled"))
    out = pd.DataFrame(rows, columns=["target_id", "scope", "actual", "note"])
    out["as_of"] = d
    out["source"] = "computed"
    return out[["target_id", "scope", "actual", "as_of", "note", "source"]]


def _short(comparator: str, actual: float, target: float) -> float:
    return max(0.0, target - actual) if comparator.strip() in (">=", ">") else max(0.0, actual - target)


def scorecard(
    targets: pd.DataFrame | None,
    actuals: pd.DataFrame | None = None,
    computed: pd.DataFrame | None = None,
    *,
    as_of: DateLike,
    plan_year: int | None = None,
    share_due: float = 1.0,
    rules: MonitoringRules | None = None,
    notes: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Score every target (see the module notes for the status rules).

    Parameters
    ----------
    targets
        The district's creation targets (``dataset.creation_targets``: ``target_id`` (or ``id``),
        ``indicator_zh, indicator_en, comparator, target, unit, deadline, lead_department``);
        None or empty gives an empty scorecard.
    actuals
        Typed values ``target_id, scope, actual, as_of, note`` (the dataset's
        ``target_actuals``), or None.
    computed
        Output of :func:`computed_actuals`, or None.
    as_of
        Date of the assessment.
    plan_year
        Year whose end is the deadline of targets without one (default: ``as_of``'s year).
    share_due
        Share of the year's flow due at ``as_of`` [fraction] for year-to-date targets.
    notes
        Target ID -> a remark added to the note of each of its rows (why a target riskplan
        could compute was not computed, e.g. :data:`riskplan.monitoring.inspections.NO_INSPECTIONS`).

    Returns
    -------
    One row per (target, scope): ``target_id, indicator_zh, indicator_en, scope, comparator,
    target, target_to_date, unit, actual, reported_actual, source, status, gap, deadline,
    lead_department, credited_to, note``; targets without any actual get one ``no_data`` row.
    """
    rules = rules or MonitoringRules()
    if targets is None or len(targets) == 0:
        return pd.DataFrame(columns=list(SCORECARD_COLUMNS))
    targets = _targets_frame(targets)
    as_of = pd.Timestamp(as_of).normalize()
    year = plan_year or as_of.year
    typed = (actuals.copy() if actuals is not None
             else pd.DataFrame(columns=["target_id", "scope", "actual", "as_of", "note"]))
    typed["source"] = "reported"
    typed["scope"] = typed["scope"].astype(str).replace({"": "district", "nan": "district"})
    typed["actual"] = pd.to_numeric(typed["actual"], errors="coerce")
    comp = computed if computed is not None else typed.iloc[0:0]
    comp_keys = set(zip(comp["target_id"], comp["scope"]))
    reported = {(r.target_id, r.scope): r.actual for r in typed.itertuples(index=False)}
    keep = typed[[k not in comp_keys for k in zip(typed["target_id"], typed["scope"])]]
    allact = pd.concat([comp, keep], ignore_index=True)
    rows = []
    for t in targets.itertuples(index=False):
        acts = allact[allact["target_id"] == t.id]
        if acts.empty:
            acts = pd.DataFrame([{"target_id": t.id, "scope": "district", "actual": float("nan"),
                                  "source": "", "note": ""}])
        year_end = pd.Timestamp(year=year, month=12, day=31)
        explicit = bool(str(t.deadline).strip())
        deadline = pd.Timestamp(t.deadline) if explicit else year_end
        in_year = t.id in rules.year_to_date_targets or t.id in rules.year_end_targets
        ytd = t.id in rules.year_to_date_targets and as_of < year_end
        target_to_date = float(t.target) * (share_due if ytd else 1.0)
        kind = ("deadline" if explicit else "in_year" if in_year else "standing")
        for a in acts.itertuples(index=False):
            actual = float(a.actual) if pd.notna(a.actual) else float("nan")
            scope = str(a.scope)
            if math.isnan(actual):
                status, gap = "no_data", float("nan")
            else:
                gap = _short(t.comparator, actual, target_to_date)
                if gap <= 1e-9:
                    status, gap = "met", 0.0
                elif kind in ("deadline", "in_year"):
                    status = "at_risk" if as_of < deadline else "missed"
                else:
                    status = "at_risk" if gap <= rules.at_risk_margin * abs(t.target) else "missed"
                open_until = getattr(a, "open_until", "")
                if (status == "missed" and isinstance(open_until, str) and open_until
                        and as_of <= pd.Timestamp(open_until)):
                    status = "at_risk"  # its window is still open: the value may still rise
            dept_scope = not (scope == "district" or scope.isdigit())
            rows.append({
                "target_id": t.id, "indicator_zh": t.indicator_zh, "indicator_en": t.indicator_en,
                "scope": scope, "comparator": t.comparator, "target": float(t.target),
                "target_to_date": target_to_date, "unit": t.unit, "actual": actual,
                "reported_actual": reported.get((t.id, scope), float("nan")),
                "source": a.source, "status": status, "gap": gap,
                "deadline": deadline.date().isoformat() if explicit else "",
                "kind": kind, "lead_department": t.lead_department,
                "credited_to": scope if dept_scope else t.lead_department,
                "note": "; ".join(x for x in ("" if pd.isna(a.note) else str(a.note),
                                              (notes or {}).get(t.id, "")) if x),
            })
    return pd.DataFrame(rows)
