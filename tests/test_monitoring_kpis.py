"""Progress against the quarterly targets, coverage and follow-up on small hand-made tables."""

import numpy as np
import pandas as pd
import pytest

from riskplan.errors import ConfigError
from riskplan.monitoring import (
    MonitoringRules,
    behind,
    coverage,
    followup,
    monthly_progress,
    share_due,
)

T1, T2 = "330304001", "330304002"


def schedule():
    # two strata in T1 (12 a year, one a month / 6 in Mar+Jun), one in T2 (4, one a quarter end)
    rows = [(T1, "C-SCHOOL", "C31", m, 1) for m in range(1, 13)]
    rows += [(T1, "D-WETMARKET", "C34", m, 3) for m in (3, 6)]
    rows += [(T2, "C-SCHOOL", "C31", m, 1) for m in (3, 6, 9, 12)]
    return pd.DataFrame(rows, columns=["township_code", "business_type", "category_code", "month", "samples"])


def allocation():
    s = schedule().groupby(["township_code", "business_type", "category_code"], as_index=False)["samples"].sum()
    s["stage"] = s["business_type"].map({"C-SCHOOL": "catering", "D-WETMARKET": "distribution"})
    return s


def done(rows):
    """rows: (township, business_type, category, month, n, n_fail)"""
    out = []
    for t, b, c, m, n, f in rows:
        for i in range(n):
            out.append({"township_code": t, "business_type": b, "category_code": c, "month": m,
                        "sample_date": pd.Timestamp(2026, m, 10),
                        "stage": "catering" if b == "C-SCHOOL" else "distribution",
                        "result": "fail" if i < f else "pass"})
    return pd.DataFrame(out)


RESULTS = done([(T1, "C-SCHOOL", "C31", 1, 2, 0), (T1, "C-SCHOOL", "C31", 4, 3, 1),
                (T1, "D-WETMARKET", "C34", 3, 1, 0), (T2, "C-SCHOOL", "C31", 5, 1, 0)])


def test_share_due_by_quarter():
    r = MonitoringRules()
    assert share_due(pd.Timestamp("2026-03-30"), r) == 0.0
    assert share_due(pd.Timestamp("2026-03-31"), r) == 0.25
    assert share_due(pd.Timestamp("2026-06-30"), r) == 0.5
    assert share_due(pd.Timestamp("2026-08-15"), r) == 0.5
    assert share_due(pd.Timestamp("2026-12-31"), r) == 1.0


def test_monthly_progress_cumulates_exactly():
    mp = monthly_progress(schedule(), RESULTS, level="district")
    assert len(mp) == 12
    assert mp["planned"].sum() == 22 and mp["annual"].iloc[0] == 22
    assert mp["done"].sum() == len(RESULTS) == 7
    assert mp.loc[mp["month"] == 6, "cum_planned"].item() == 6 + 6 + 2
    assert mp.loc[mp["month"] == 4, "cum_done"].item() == 6
    assert mp.loc[mp["month"] == 6, "target_share"].item() == 0.5
    by_t = monthly_progress(schedule(), RESULTS, level="township")
    assert set(by_t["township_code"]) == {T1, T2}
    assert by_t.groupby("township_code")["done"].sum().to_dict() == {T1: 6, T2: 1}


def test_behind_says_by_how_much():
    b = behind(schedule(), RESULTS, pd.Timestamp("2026-06-30"), level="township").set_index("township_code")
    # T1: annual 18, due ceil(0.5*18)=9, done 6 -> 3 short; schedule to June: 6+6 = 12 -> 6 short
    columns = ["annual", "done", "due", "gap_target", "scheduled", "gap_schedule"]
    assert b.loc[T1, columns].tolist() == [18, 6, 9, 3, 12, 6]
    # T2: annual 4, due 2, done 1 -> 1 short
    assert b.loc[T2, ["annual", "done", "due", "gap_target"]].tolist() == [4, 1, 2, 1]
    assert b["behind"].all()
    d = behind(schedule(), RESULTS, pd.Timestamp("2026-06-30"), level="district").iloc[0]
    assert (d["annual"], d["done"], d["due"], d["gap_target"]) == (22, 7, 11, 4)
    s = behind(schedule(), RESULTS, pd.Timestamp("2026-06-30"), level="stratum")
    assert len(s) == 3 and s["gap_target"].sum() == 2 + 1 + 1  # 6-4, 3-1, 2-1
    # results after as_of do not count
    early = behind(schedule(), RESULTS, pd.Timestamp("2026-03-31"), level="district").iloc[0]
    assert early["done"] == 3 and early["due"] == 6


def test_coverage_lists_what_is_uncovered():
    cov = coverage(allocation(), RESULTS[RESULTS["township_code"] == T1])
    s = cov.summary.set_index("dimension")
    assert s.loc["township_code", "present"] == 2 and s.loc["township_code", "covered"] == 1
    assert s.loc["stage", "rate"] == 1.0
    assert cov.uncovered[["dimension", "code"]].values.tolist() == [["township_code", T2]]
    m = cov.matrix
    assert m.loc[T1, "C-SCHOOL"] == 5 and m.loc[T2, "C-SCHOOL"] == 0
    assert pd.isna(m.loc[T2, "D-WETMARKET"])  # no such cell in the plan
    assert cov.rate("township_code") == 0.5


def test_followup_overdue_and_rates():
    # receipt dates given: the clock runs 30 days (a short deadline, for the test) from receipt
    r = pd.DataFrame({
        "sample_id": ["A", "B", "C", "D", "E"],
        "sample_date": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-05-01", "2026-06-20", "2026-06-01"]),
        "result_received_date": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-05-01", "2026-06-20", None]),
        "result": ["fail", "fail", "fail", "fail", "pass"],
        "followup_status": ["done", "done", "pending", "pending", "not_required"],
        "followup_date": pd.to_datetime(["2026-01-20", "2026-03-01", None, None, None]),
    })
    fu = followup(r, pd.Timestamp("2026-06-30"), deadline_days=30)
    s = fu.summary.iloc[0]
    assert (s["unqualified"], s["done"], s["pending"], s["due"], s["overdue"]) == (4, 2, 2, 3, 2)
    assert s["completion_rate"] == 0.5 and s["received_estimated"] == 0
    assert s["completion_rate_due"] == pytest.approx(2 / 3)  # D is still inside its deadline
    assert fu.overdue["sample_id"].tolist() == ["C", "B"]  # C 30 days over, B 29 (done late)
    assert fu.overdue["days_overdue"].tolist() == [30, 29]
    assert fu.cases.set_index("sample_id").loc["B", "late"]
    # a longer deadline: nothing overdue but A.. B on time
    assert followup(r, pd.Timestamp("2026-06-30"), deadline_days=90).summary["overdue"].item() == 0


def test_followup_clock_starts_at_receipt():
    # sampled 2026-03-02, no receipt date: the result is taken to arrive 28 days later
    # (2026-03-30, estimated) and is due 90 days after that; on 2026-04-10 it is not overdue
    r = pd.DataFrame({"sample_id": ["A", "B"], "sample_date": pd.to_datetime(["2026-03-02"] * 2),
                      "result": ["fail", "fail"], "followup_status": ["pending", "done"],
                      "followup_date": pd.to_datetime([None, "2026-03-20"])})
    fu = followup(r, pd.Timestamp("2026-04-10"))
    c = fu.cases.set_index("sample_id")
    assert c.loc["A", "result_received_date"] == pd.Timestamp("2026-03-30")
    assert c.loc["A", "received_estimated"] and c.loc["A", "due_date"] == pd.Timestamp("2026-06-28")
    assert not c["overdue"].any()
    # a follow-up done on 2026-03-20 means the result was there by then: the estimate gives way
    assert c.loc["B", "result_received_date"] == pd.Timestamp("2026-03-20")
    late = followup(r, pd.Timestamp("2026-06-29")).summary.iloc[0]
    assert (late["overdue"], late["due"], late["done_on_time"]) == (1, 2, 1)
    # under the old rule (30 days from sampling) A was overdue on 2026-04-10
    early = followup(r.assign(result_received_date=r["sample_date"]), pd.Timestamp("2026-04-10"), 30)
    assert early.summary["overdue"].item() == 1


def test_followup_stages_and_case_targets():
    d = pd.to_datetime
    r = pd.DataFrame({
        "sample_id": ["A", "B", "C", "D", "E"],
        "sample_date": d(["2026-01-05"] * 5),
        "result": ["fail"] * 5,
        "result_received_date": d(["2026-01-20"] * 5),
        "notified_date": d(["2026-01-22", "2026-01-22", "2026-01-22", "2026-01-22", None]),
        "retest": ["", "overturned", "upheld", "", ""],
        "case_filed_date": d(["2026-02-01", None, "2026-03-01", None, None]),
        "case_closed_date": d(["2026-03-15", None, None, None, None]),
        "followup_status": ["done", "done", "pending", "pending", "pending"],
        "followup_date": d(["2026-03-15", "2026-02-10", None, None, None]),
    })
    fu = followup(r, pd.Timestamp("2026-06-30"))
    st = fu.cases.set_index("sample_id")["stage"].to_dict()
    assert st == {"A": "done", "B": "done", "C": "case_filed", "D": "notified", "E": "received"}
    s = fu.summary.iloc[0]
    # B was overturned on re-test: no follow-up due, no case called for
    assert (s["overturned"], s["due"], s["overdue"]) == (1, 4, 3)
    assert s["completion_rate_due"] == pytest.approx(1 / 4)                 # T23: A of A, C, D, E
    assert (s["cases_called"], s["cases_filed"], s["cases_closed"]) == (4, 2, 1)
    assert s["case_filing_rate"] == pytest.approx(2 / 4)                    # T12
    assert s["case_closing_rate"] == pytest.approx(1 / 2)                   # T13
    # stage dates after the assessment date have not happened yet
    early = followup(r, pd.Timestamp("2026-02-15")).cases.set_index("sample_id")["stage"]
    assert early.to_dict() == {"A": "case_filed", "B": "done", "C": "retest_upheld",
                               "D": "notified", "E": "received"}
    # without any case date the case targets are not computed
    none = followup(r.drop(columns=["case_filed_date", "case_closed_date"]), pd.Timestamp("2026-06-30"))
    assert not none.summary["has_case_data"].item() and np.isnan(none.summary["case_filing_rate"].item())


def test_rules_defaults_and_errors():
    from riskplan._settings import section_from_dict

    r = MonitoringRules()
    assert r.quarterly_targets == (0.25, 0.5, 0.75, 1.0) and r.followup_deadline_days == 90
    assert section_from_dict(MonitoringRules, {"followup_deadline_days": 15}, "monitoring").followup_deadline_days == 15
    with pytest.raises(ConfigError, match="monitoring.quarterly_targets"):
        section_from_dict(MonitoringRules, {"quarterly_targets": [0.5, 0.25, 0.75, 1.0]}, "monitoring")
    with pytest.raises(ConfigError, match="monitoring.alert_levels"):
        MonitoringRules(alert_levels=("galaxy",))
    with pytest.raises(ConfigError, match="monitoring.nope"):
        section_from_dict(MonitoringRules, {"nope": 1}, "monitoring")
