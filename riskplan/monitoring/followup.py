"""Follow-up (核查处置) of unqualified results: the clock from receipt, stages, T23, T12, T13.

**The clock starts when the unqualified result reaches the bureau** (``result_received_date``,
检验结论送达日期), not at sampling: the laboratory may take weeks. When a result has no receipt
date it is estimated as the sample date plus ``MonitoringRules.lab_turnaround_days``, but never
later than the first handling step recorded for it, and the case says so
(``received_estimated``). The follow-up is due ``followup_deadline_days`` after receipt (default
90: our reading of the 2019 SAMR Measures for food safety sampling inspection, see
:class:`riskplan.settings.monitoring.MonitoringRules`).

**Stages of handling**, in order (optional columns of ``results``/``history``; a case is at the
last stage it has reached by ``as_of``):

1. ``awaiting_result`` - sampled, the result not yet received (receipt after ``as_of``);
2. ``received`` - ``result_received_date`` (检验结论送达日期): the clock starts;
3. ``notified`` - ``notified_date`` (告知日期): the sampled business was served the result;
4. ``retest_requested`` / ``retest_upheld`` / ``retest_overturned`` - ``retest`` (复检): a
   re-test was asked for, and its outcome; an overturned result (qualified on re-test) needs no
   follow-up and no case, and leaves every rate below;
5. ``case_filed`` - ``case_filed_date`` (立案日期): an investigation case was opened;
6. ``case_closed`` - ``case_closed_date`` (结案日期);
7. ``done`` - ``followup_status = done`` with ``followup_date``: the follow-up is complete.

**Targets.** T23 (follow-up completion) = done / cases done or past their deadline (a case still
inside its deadline counts neither way). T12 (case filing) = cases filed / results calling for
one (received, not overturned, and filed or past the follow-up deadline); T13 (case closing) =
cases closed / cases filed. T12 and T13 are computed only when the data record case dates at all
(``has_case_data``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

STAGES: tuple[str, ...] = ("awaiting_result", "received", "notified", "retest_requested",
                           "retest_upheld", "retest_overturned", "case_filed", "case_closed",
                           "done")
"""Stages of handling an unqualified result, in order."""
STAGE_COLUMNS: tuple[str, ...] = ("result_received_date", "notified_date", "retest",
                                  "case_filed_date", "case_closed_date")
"""Optional columns of results and history that record the stages."""
_HANDLING_DATES = ("notified_date", "case_filed_date", "case_closed_date", "followup_date")


@dataclasses.dataclass
class FollowUp:
    """Follow-up tables.

    Attributes
    ----------
    cases
        One row per unqualified sample taken by ``as_of``: identifiers, ``sample_date``,
        ``result_received_date`` (given or estimated), ``received_estimated`` (bool),
        ``received`` (by ``as_of``), ``due_date``, ``stage`` (:data:`STAGES`), the stage
        columns, ``followup_status``, ``followup_date``, ``days_open`` [d] (from receipt),
        ``due``, ``done_on_time``, ``overdue``, ``late`` (bool), ``days_overdue`` [d].
    overdue
        The overdue cases, most overdue first.
    summary
        One-row table: ``unqualified``, ``received``, ``received_estimated``, ``overturned``,
        ``done``, ``pending``, ``due``, ``done_on_time``, ``overdue``, ``completion_rate`` (done
        / unqualified not overturned), ``completion_rate_due`` (T23, see the module notes),
        ``on_time_rate`` (done on time / due) [fraction], ``has_case_data``, ``cases_called``,
        ``cases_filed``, ``cases_closed``, ``case_filing_rate`` (T12), ``case_closing_rate``
        (T13) [fraction, NaN without case data], ``deadline_days``, ``lab_turnaround_days``,
        ``as_of``.
    """

    cases: pd.DataFrame
    overdue: pd.DataFrame
    summary: pd.DataFrame


def _date(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    return pd.to_datetime(df[col], errors="coerce")


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df:
        return pd.Series("", index=df.index, dtype="str")
    return df[col].astype("string").fillna("").str.strip().astype(str)


def followup(results: pd.DataFrame, as_of: pd.Timestamp, deadline_days: int = 90,
             lab_turnaround_days: int = 28) -> FollowUp:
    """Follow-up status of every unqualified result at ``as_of`` (see the module notes).

    Parameters
    ----------
    results
        Validated results (all rows, in plan or not: an unqualified product must be followed up
        wherever it was found); the stage columns are optional.
    as_of
        Date of the assessment; results sampled after it are ignored, and so are stage dates
        after it (not yet happened).
    deadline_days
        Days allowed from receipt of the result to the completed follow-up [d].
    lab_turnaround_days
        Days from sample to receipt when ``result_received_date`` is missing [d].
    """
    as_of = pd.Timestamp(as_of).normalize()
    has_case_data = any(_date(results, c).notna().any() for c in ("case_filed_date",
                                                                    "case_closed_date"))
    r = results[(results["result"] == "fail") & (results["sample_date"] <= as_of)]
    cols = [c for c in ["sample_id", "sample_date", "establishment_id", "township_code",
                        "business_type", "category_code", "hazard"] if c in r.columns]
    c = r[cols].reset_index(drop=True)
    rr = r.reset_index(drop=True)
    dates = {k: _date(rr, k) for k in ("result_received_date", *_HANDLING_DATES)}
    seen = {k: v.where(v <= as_of) for k, v in dates.items()}  # not yet happened: missing
    retest = _text(rr, "retest").str.lower()
    status = _text(rr, "followup_status").str.lower()
    given = dates["result_received_date"]
    first_step = pd.concat([dates[k] for k in _HANDLING_DATES], axis=1).min(axis=1)
    turnaround = c["sample_date"] + pd.Timedelta(days=lab_turnaround_days)
    estimate = pd.concat([turnaround, first_step], axis=1).min(axis=1)
    c["result_received_date"] = given.fillna(estimate)
    c["received_estimated"] = given.isna()
    c["received"] = c["result_received_date"] <= as_of
    c["due_date"] = c["result_received_date"] + pd.Timedelta(days=deadline_days)
    for k in ("notified_date", "case_filed_date", "case_closed_date"):
        c[k] = seen[k]
    c["retest"] = retest
    c["followup_status"] = status
    c["followup_date"] = seen["followup_date"]
    overturned = (retest == "overturned").to_numpy() & c["received"].to_numpy()
    is_done = ((status == "done") & c["followup_date"].notna()).to_numpy()
    c["stage"] = _stage(c, retest, is_done)
    needs = c["received"].to_numpy() & ~overturned
    c["due"] = needs & (c["due_date"] < as_of).to_numpy()
    c["done_on_time"] = is_done & needs & (c["followup_date"] <= c["due_date"]).to_numpy()
    end = c["followup_date"].where(is_done, as_of)
    c["days_open"] = (end - c["result_received_date"]).dt.days.clip(lower=0).where(c["received"])
    c["overdue"] = c["due"] & ~c["done_on_time"]
    c["late"] = is_done & needs & ~c["done_on_time"]
    c["days_overdue"] = ((end - c["due_date"]).dt.days).clip(lower=0).where(c["overdue"], 0)
    overdue = c[c["overdue"]].sort_values("days_overdue", ascending=False).reset_index(drop=True)
    n_need = int(needs.sum())
    n_done = int((is_done & needs).sum())
    n_due = int(c["due"].sum())
    n_judged = int((needs & (c["due"].to_numpy() | is_done)).sum())
    filed = c["case_filed_date"].notna().to_numpy() & needs
    called = needs & (filed | c["due"].to_numpy())
    closed = filed & c["case_closed_date"].notna().to_numpy()
    summary = pd.DataFrame([{
        "unqualified": len(c), "received": int(c["received"].sum()),
        "received_estimated": int(c["received_estimated"].sum()),
        "overturned": int(overturned.sum()), "done": n_done, "pending": n_need - n_done,
        "due": n_due, "done_on_time": int(c["done_on_time"].sum()),
        "overdue": int(c["overdue"].sum()),
        "completion_rate": n_done / n_need if n_need else float("nan"),
        "completion_rate_due": n_done / n_judged if n_judged else float("nan"),
        "on_time_rate": int((c["done_on_time"] & c["due"]).sum()) / n_due if n_due else float("nan"),
        "has_case_data": has_case_data, "cases_called": int(called.sum()),
        "cases_filed": int(filed.sum()), "cases_closed": int(closed.sum()),
        "case_filing_rate": (int((filed & called).sum()) / int(called.sum())
                             if has_case_data and called.sum() else float("nan")),
        "case_closing_rate": (int(closed.sum()) / int(filed.sum())
                              if has_case_data and filed.sum() else float("nan")),
        "deadline_days": deadline_days, "lab_turnaround_days": lab_turnaround_days,
        "as_of": as_of.date().isoformat(),
    }])
    return FollowUp(c, overdue, summary)


def _stage(c: pd.DataFrame, retest: pd.Series, is_done: np.ndarray) -> np.ndarray:
    """The last stage each case has reached (:data:`STAGES`)."""
    stage = np.where(c["received"], "received", "awaiting_result").astype(object)
    stage = np.where(c["received"] & c["notified_date"].notna(), "notified", stage)
    for value in ("requested", "upheld", "overturned"):
        stage = np.where(c["received"] & (retest == value).to_numpy(), f"retest_{value}", stage)
    stage = np.where(c["case_filed_date"].notna(), "case_filed", stage)
    stage = np.where(c["case_closed_date"].notna(), "case_closed", stage)
    return np.where(is_done, "done", stage)
