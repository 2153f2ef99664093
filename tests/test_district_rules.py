"""Issue 12's targets on the second district: `riskplan init`, then a whole year planned with no
manual edit, and every rule that applies to a role applied there, in the schedule, the routes and
the re-plan alike (one test per rule)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import riskplan as rp
from riskplan.calendar import work_calendar
from riskplan.cli import main
from riskplan.config import load_config
from riskplan.export.plan_folder import read_plan
from riskplan.pipeline import PlanResult, run_plan
from riskplan.selection import rotation_table
from riskplan.timeofday import parse_hhmm

SCHOOL = {"SC-SCHOOL", "SC-KINDER"}


@pytest.fixture(scope="module")
def init_path(tmp_path_factory, yunling_dir: Path) -> Path:
    """The configuration `riskplan init --data tests/districts/yunling` writes."""
    out = tmp_path_factory.mktemp("init") / "yunling.toml"
    assert main(["init", "--data", str(yunling_dir), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def year(init_path: Path, yunling) -> PlanResult:
    """Every month of 2026 planned with that configuration, untouched."""
    return run_plan(yunling, load_config(init_path), list(range(1, 13)))


@pytest.fixture(scope="module")
def replanned(year: PlanResult, yunling):
    """The year monitored at the reference date (2026-05-31): the re-plan of June-December."""
    return rp.monitor(year, yunling.results).replan


def _school_days(result: PlanResult) -> set[pd.Timestamp]:
    cal = work_calendar(result.plan_year, None, result.config.calendar)
    return set(cal.loc[cal["school_day"], "date"])


def _school_months(result: PlanResult) -> set[int]:
    return {d.month for d in _school_days(result)}


@pytest.mark.slow
def test_init_then_plan_all_months_with_no_manual_edit(init_path, yunling_dir, tmp_path, capsys) -> None:
    out = tmp_path / "plan"
    assert main(["plan", "--data", str(yunling_dir), "--config", str(init_path), "--all-months",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "warning" not in printed  # every rule of the configuration matches something
    folder = read_plan(out)
    visits, stops = folder.tables["visits"], folder.tables["stops"]
    placed = pd.concat([folder.tables[t]["visit_id"] for t in ("stops", "unassigned", "purchases")
                        if t in folder.tables])
    assert sorted(placed) == sorted(visits["visit_id"])
    assert folder.manifest["months"] == [f"2026-{m:02d}" for m in range(1, 13)]
    # no school-canteen visit outside the school terms
    terms = folder.config.calendar.school_terms
    school = stops.merge(visits[["visit_id", "business_type"]], on="visit_id")
    school = school[school["business_type"].isin(SCHOOL)]
    assert len(school) > 0
    dates = pd.to_datetime(school["date"]).dt.strftime("%Y-%m-%d")
    assert all(any(a <= d <= b for a, b in terms) for d in dates)


def test_the_rules_name_yunling_codes(year: PlanResult) -> None:
    c = year.config
    assert set(c.routing.school_day_types) == SCHOOL == set(c.allocation.school_business_types)
    assert set(c.routing.early_start_types) == {"MK-WET", "MK-WHOLE"}
    assert c.selection.purchase_business_types == ("WEB-SHOP",)
    assert c.selection.rotation_by_business_type == {"MK-WET": 1, "MK-WHOLE": 1}
    assert set(c.risk.vulnerable_types) == {"SC-SCHOOL", "SC-KINDER", "SC-ELDER"}
    assert c.allocation.key_category_codes == ("F02", "F03", "F05", "F06")
    assert set(c.routing.windows) >= {"SC-REST", "SC-SNACK", "MK-WET", "SC-SCHOOL", "default"}
    assert not year.warnings


# ----------------------------------------------------------------------------------- school days
def test_school_days_in_the_schedule(year: PlanResult) -> None:
    months = set(year.schedule.loc[year.schedule["business_type"].isin(SCHOOL), "month"])
    assert months and months <= _school_months(year)
    assert 8 not in _school_months(year)  # the summer holiday: no school day in August


def test_school_days_in_the_routes(year: PlanResult) -> None:
    school = year.stops[year.stops["business_type"].isin(SCHOOL)]
    assert len(school) > 0
    assert pd.to_datetime(school["date"]).isin(_school_days(year)).all()
    assert "no_school_day" not in set(year.unassigned["reason"])  # the schedule kept them to school months


def test_school_days_in_the_replan(year: PlanResult, replanned) -> None:
    months = set(replanned.schedule.loc[replanned.schedule["business_type"].isin(SCHOOL), "month"])
    assert months and months <= _school_months(year)


# ---------------------------------------------------------------------------------- school share
def test_school_share_in_the_allocation_and_the_replan(year: PlanResult, replanned) -> None:
    need = math.ceil(year.config.allocation.school_min_share * year.quota)
    assert year.allocation.loc[year.allocation["business_type"].isin(SCHOOL), "samples"].sum() >= need
    assert set(year.allocation.loc[year.allocation["school"], "business_type"]) == SCHOOL
    t = replanned.table
    assert t.loc[t["business_type"].isin(SCHOOL), "total"].sum() >= need


# ------------------------------------------------------------------------------ windows, early start
def test_restaurants_are_not_visited_in_the_lunch_peak(year: PlanResult) -> None:
    food = year.stops[year.stops["business_type"].isin(["SC-REST", "SC-SNACK"])]
    assert len(food) > 0
    start, end = food["start_service"].to_numpy(float), food["end_service"].to_numpy(float)
    peak = (parse_hhmm("11:30"), parse_hhmm("13:00"))
    assert ((end <= peak[0]) | (start >= peak[1])).all()


def test_windows_of_each_role_hold_in_the_routes(year: PlanResult, yunling) -> None:
    windows = year.config.routing.windows
    for bt, stops in year.stops.groupby("business_type"):
        allowed = [tuple(map(parse_hhmm, w.split("-"))) for w in windows.get(bt, windows["default"])]
        for s, e in zip(stops["start_service"], stops["end_service"]):
            assert any(a <= s and e <= b + 1e-6 for a, b in allowed), (bt, s, e, allowed)


def test_early_starts_only_for_markets(year: PlanResult) -> None:
    rules = year.config.routing
    day_start = parse_hhmm(rules.day_start)
    early = year.stops[year.stops["start_service"] < day_start]
    assert set(early["business_type"]) <= set(rules.early_start_types)
    markets = year.stops[year.stops["business_type"].isin(rules.early_start_types)]
    assert len(markets) > 0 and (markets["start_service"] < parse_hhmm("10:00")).all()


# ------------------------------------------------------------------------------- rotation by type
def test_markets_have_their_own_rotation_window(year: PlanResult, yunling) -> None:
    wet = yunling.establishments[yunling.establishments["business_type"] == "MK-WET"]["establishment_id"]
    hist = pd.DataFrame({"establishment_id": [wet.iloc[0], "YL2026-0001"], "sample_date": ["2026-05-15"] * 2})
    rot = rotation_table(yunling.establishments, hist, 2026, 6, year.config.selection).set_index("establishment_id")
    assert rot.loc[wet.iloc[0], "window_months"] == 1 and rot.loc[wet.iloc[0], "eligible"]
    assert not rot.loc["YL2026-0001", "eligible"]  # a canteen sampled last month waits its grade's window


# ---------------------------------------------------------------------------------- online sellers
def test_online_sellers_are_bought_online(year: PlanResult) -> None:
    web = year.visits[year.visits["business_type"] == "WEB-SHOP"]
    assert len(web) > 0 and (web["mode"] == "purchase").all()
    assert not set(web["visit_id"]) & set(year.stops["visit_id"])
    assert set(year.purchases["business_type"]) == {"WEB-SHOP"}


# ---------------------------------------------------------------------------- vulnerable consumers
def test_vulnerable_consumers_weigh_more(year: PlanResult, replanned) -> None:
    for scores in (year.scores, replanned.scores):
        vul = set(scores.loc[scores["vulnerable"], "business_type"])
        assert vul == {"SC-SCHOOL", "SC-KINDER", "SC-ELDER"}
        assert (scores.loc[scores["vulnerable"], "vulnerable_factor"] > 1).all()


# ------------------------------------------------------------------------- seasons and key products
def test_festival_seasons_by_category(year: PlanResult, replanned) -> None:
    s = year.schedule
    jan_feb = s[(s["category_code"] == "F08") & s["month"].isin([1, 2])]
    assert len(jan_feb) and jan_feb["focus"].str.contains("spring_festival").all()
    assert not s.loc[(s["category_code"] == "F08") & ~s["month"].isin([1, 2]), "in_season"].any()
    r = replanned.schedule
    summer = r[(r["category_code"] == "F06") & r["month"].isin([6, 7, 8])]
    assert len(summer) and summer["focus"].str.contains("summer_seafood").all()


def test_key_products_share(year: PlanResult, replanned) -> None:
    need = math.ceil(year.config.allocation.key_min_share * year.quota)
    a = year.allocation
    assert set(a.loc[a["key_product"], "category_code"]) == {"F02", "F03", "F05", "F06"}
    assert a.loc[a["key_product"], "samples"].sum() >= need
    t = replanned.table
    assert t.loc[t["category_code"].isin(["F02", "F03", "F05", "F06"]), "total"].sum() >= need


def test_replan_totals(year: PlanResult, replanned) -> None:
    assert replanned.done + replanned.remaining == replanned.quota == year.quota
    assert replanned.schedule["month"].min() >= 6


def test_the_summary_says_once_when_labels_are_english(year: PlanResult, monkeypatch) -> None:
    monkeypatch.setenv("RISKPLAN_NO_CJK_FONT", "1")
    assert year.summary().count("labels are in English") == 1
    monkeypatch.delenv("RISKPLAN_NO_CJK_FONT")
    assert "labels are in English" not in year.summary()


def test_no_scorecard_without_creation_targets(replanned, year: PlanResult, yunling) -> None:
    res = rp.monitor(year, yunling.results, do_replan=False)
    assert res.scorecard.empty and len(yunling.creation_targets) == 0
    assert res.summary().count("no creation targets") == 1
