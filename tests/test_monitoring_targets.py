"""The seed plan's targets scorecard: met / at risk / missed, gaps, computed targets, credit."""

import pandas as pd
import pytest

from riskplan.datasets import embedded_data_dir
from riskplan.monitoring import MonitoringRules, computed_actuals, scorecard
from riskplan.monitoring.targets import SCORECARD_COLUMNS, load_targets

TARGETS = pd.DataFrame([
    # id, comparator, target, unit, deadline, lead
    ("T01", "<=", 0.16, "kg/mu", "", "区农业农村局"),
    ("T03", ">=", 99.0, "%", "", "区市场监管局"),
    ("T07", ">=", 100.0, "%", "", "区市场监管局"),
    ("T08", ">=", 100.0, "%", "2022-12-31", "区市场监管局"),
    ("T20", ">=", 100.0, "%", "2027-12-31", "区卫生健康局"),
    ("T15", ">=", 40.0, "hours", "", "区市场监管局"),
    ("T19", ">=", 1.0, "samples per 1000 residents", "", "区卫生健康局"),
    ("T22", ">=", 100.0, "%", "", "区市场监管局"),
    ("T23", ">=", 100.0, "%", "", "区市场监管局"),
    ("T24", ">=", 100.0, "%", "", "区市场监管局"),
    ("T25", ">=", 100.0, "%", "", "区教育局"),
], columns=["id", "comparator", "target", "unit", "deadline", "lead_department"])
TARGETS["indicator_zh"] = TARGETS["id"]
TARGETS["indicator_en"] = TARGETS["id"]

ACTUALS = pd.DataFrame([
    ("T01", "district", 0.17), ("T03", "区市场监管局", 98.7), ("T07", "区市场监管局", 83.3),
    ("T08", "区市场监管局", 96.4), ("T20", "区卫生健康局", 60.0), ("T15", "区市场监管局", 22.0),
    ("T22", "district", 10.0),  # typed, but computed wins
], columns=["target_id", "scope", "actual"])
ACTUALS["as_of"] = "2026-06-30"
ACTUALS["note"] = ""


@pytest.fixture
def card():
    comp = computed_actuals(
        as_of="2026-06-30", plan_done=420, plan_quota=964, followup_rate=10 / 17,
        coverage_counts=(18, 19), population=963_238, risk_monitoring_samples=420,
        township_completion=pd.DataFrame({"township_code": ["330304001"], "done": [20], "annual": [40]}))
    return scorecard(TARGETS, ACTUALS, comp, as_of="2026-06-30", plan_year=2026, share_due=0.5,
                     rules=MonitoringRules()).set_index(["target_id", "scope"])


def test_status_rules(card):
    st = card["status"].to_dict()
    assert st[("T01", "district")] == "at_risk"          # standing, <=, 0.01 over: within 10 %
    assert card.loc[("T01", "district"), "gap"] == pytest.approx(0.01)
    assert st[("T03", "区市场监管局")] == "at_risk"       # 0.3 short of 99, within the margin
    assert st[("T07", "区市场监管局")] == "missed"        # 16.7 short: beyond the margin
    assert st[("T08", "区市场监管局")] == "missed"        # deadline passed, no margin
    assert st[("T20", "区卫生健康局")] == "at_risk"       # deadline ahead, trajectory short
    assert st[("T15", "区市场监管局")] == "met"           # 22 h >= 40 h x 50 % due by June
    assert card.loc[("T15", "区市场监管局"), "target_to_date"] == 20
    assert st[("T25", "district")] == "no_data"


def test_computed_targets_replace_typed_and_are_credited(card):
    t22 = card.loc[("T22", "district")]
    assert t22["source"] == "computed" and t22["reported_actual"] == 10.0
    assert t22["actual"] == pytest.approx(100 * 420 / 964)
    assert t22["status"] == "at_risk" and t22["gap"] == pytest.approx(50 - 100 * 420 / 964)
    assert card.loc[("T22", "330304001"), "status"] == "met"  # 50 % of its own plan
    t19 = card.loc[("T19", "district")]
    assert t19["actual"] == pytest.approx(420 / 963.238) and t19["credited_to"] == "区卫生健康局"
    assert card.loc[("T23", "district"), "actual"] == pytest.approx(100 * 10 / 17)
    assert card.loc[("T23", "district"), "status"] == "missed"
    assert card.loc[("T24", "district"), "status"] == "at_risk"  # year-end target, not yet 100 %
    assert card.loc[("T24", "district"), "credited_to"] == "区市场监管局"
    # a department scope is credited to that department
    assert card.loc[("T03", "区市场监管局"), "credited_to"] == "区市场监管局"


def test_t19_only_for_the_risk_monitoring_programme():
    comp = computed_actuals(as_of="2026-06-30", plan_done=10, plan_quota=20, followup_rate=None,
                            coverage_counts=None, population=1000, risk_monitoring_samples=10,
                            programme="supervision")
    assert comp["target_id"].tolist() == ["T22"]


def test_embedded_targets_file(ouhai):
    t = load_targets(embedded_data_dir("ouhai") / "creation_targets.csv")
    assert len(t) == 25 and t["target_id"].iloc[0] == "T01"
    assert set(t["comparator"]) <= {">=", "<="}
    # the same table is part of the dataset: the scorecard reads it from there
    pd.testing.assert_frame_equal(t.reset_index(drop=True), ouhai.creation_targets.reset_index(drop=True))


def test_a_dataset_without_targets_gets_no_scorecard() -> None:
    sc = scorecard(None, None, None, as_of="2026-06-30")
    assert sc.empty and list(sc.columns) == list(SCORECARD_COLUMNS)
