"""Follow-up (核查处置) of unqualified samples: completion rate and the overdue list.

Each unqualified sample must be verified and disposed of within ``deadline_days`` of its sample
date. At ``as_of`` a follow-up is *due* when that deadline has passed; it is *overdue* when due and
not done by then (still pending, or done after the deadline: ``late``).
"""

from __future__ import annotations

import dataclasses

import pandas as pd


@dataclasses.dataclass
class FollowUp:
    """Follow-up tables.

    Attributes
    ----------
    cases
        One row per unqualified sample: identifiers, ``sample_date``, ``due_date``,
        ``followup_status``, ``followup_date``, ``days_open`` [d], ``due`` (bool), ``done_on_time``,
        ``overdue`` (bool), ``days_overdue`` [d].
    overdue
        The overdue cases, most overdue first.
    summary
        One-row table: ``unqualified``, ``done``, ``pending``, ``due``, ``done_on_time``,
        ``overdue``, ``completion_rate`` (done / unqualified), ``completion_rate_due`` (done /
        cases that are done or past their deadline: a case still inside its deadline counts
        neither way) and ``on_time_rate`` (done on time / due) [fraction].
    """

    cases: pd.DataFrame
    overdue: pd.DataFrame
    summary: pd.DataFrame


def followup(results: pd.DataFrame, as_of: pd.Timestamp, deadline_days: int = 30) -> FollowUp:
    """Follow-up status of every unqualified result at ``as_of``.

    Parameters
    ----------
    results
        Validated results (all rows, in plan or not: an unqualified product must be followed up
        wherever it was found).
    as_of
        Date of the assessment; results after it are ignored.
    deadline_days
        Days allowed from sample to completed follow-up [d].
    """
    as_of = pd.Timestamp(as_of).normalize()
    r = results[(results["result"] == "fail") & (results["sample_date"] <= as_of)].copy()
    cols = [c for c in ["sample_id", "sample_date", "establishment_id", "township_code",
                        "business_type", "category_code", "hazard", "followup_status",
                        "followup_date"] if c in r.columns]
    c = r[cols].reset_index(drop=True)
    c["due_date"] = c["sample_date"] + pd.Timedelta(days=deadline_days)
    is_done = (c["followup_status"] == "done") & (c["followup_date"] <= as_of)
    c["due"] = c["due_date"] < as_of
    c["done_on_time"] = is_done & (c["followup_date"] <= c["due_date"])
    end = c["followup_date"].where(is_done, as_of)
    c["days_open"] = (end - c["sample_date"]).dt.days
    c["overdue"] = c["due"] & ~c["done_on_time"]
    c["late"] = is_done & ~c["done_on_time"]
    c["days_overdue"] = ((end - c["due_date"]).dt.days).clip(lower=0).where(c["overdue"], 0)
    overdue = c[c["overdue"]].sort_values("days_overdue", ascending=False).reset_index(drop=True)
    n = len(c)
    n_done = int(is_done.sum())
    n_due = int(c["due"].sum())
    on_time_due = int((c["done_on_time"] & c["due"]).sum())
    n_judged = int((c["due"] | is_done).sum())
    summary = pd.DataFrame([{
        "unqualified": n, "done": n_done, "pending": n - n_done, "due": n_due,
        "done_on_time": int(c["done_on_time"].sum()), "overdue": int(c["overdue"].sum()),
        "completion_rate": n_done / n if n else float("nan"),
        "completion_rate_due": n_done / n_judged if n_judged else float("nan"),
        "on_time_rate": on_time_due / n_due if n_due else float("nan"),
        "deadline_days": deadline_days, "as_of": as_of.date().isoformat(),
    }])
    return FollowUp(c, overdue, summary)
