"""Inspection campaigns (issue 15, T25): visits without samples in the first working days of a term.

Runs on the second district Yunling (tests/districts/): its spring term starts on 2026-03-02 and
its autumn term on 2026-09-01 (Yunling's own ``calendar.school_terms``), so its campaign visits
fall in March; and a quick Ouhai month (February: the spring term starts on the 23rd, so the
window runs into March and the canteens are shared between the two months).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from riskplan.config import Config, load_config
from riskplan.configure import prepare
from riskplan.errors import ConfigError
from riskplan.export.plan_folder import read_plan, write_plan
from riskplan.pipeline import run_plan
from riskplan.pipeline.campaign import campaign_score, campaign_targets, campaign_visits, campaign_windows
from riskplan.pipeline.programmes import programmes_of
from riskplan.pipeline.stages import stage_calendar
from riskplan.roles.lookup import match_business_types
from riskplan.routing.checker import check_plan
from riskplan.settings.programme import ProgrammeRules

ROOT = Path(__file__).resolve().parents[1]

CAMPAIGN = ProgrammeRules(id="term_start", name="开学检查 term-start inspection", kind="inspection",
                          targets=("T25",), window_working_days=6, visit_minutes=40)


def _with_campaign(config: Config, campaign: ProgrammeRules = CAMPAIGN) -> Config:
    monitoring = ProgrammeRules(id="risk_monitoring", rate_per_1000=config.quota.rate_per_1000,
                                targets=("T19",))
    return config.replace(programmes=(monitoring, campaign))


# --------------------------------------------------------------------------- settings
@pytest.mark.parametrize(("entry", "key", "words"), [
    ({"window_working_days": 0}, "programmes[term_start].window_working_days", "[1, 60]"),
    ({"window_working_days": 61}, "programmes[term_start].window_working_days", "[1, 60]"),
    ({"window_working_days": 2.5}, "programmes[term_start].window_working_days", "expected int"),
    ({"visit_minutes": 4}, "programmes[term_start].visit_minutes", "[5, 480]"),
    ({"visit_minutes": 481}, "programmes[term_start].visit_minutes", "[5, 480]"),
    ({"samples": 5}, "programmes[term_start].samples", "takes no samples"),
    ({"rate_per_1000": 1.0}, "programmes[term_start].rate_per_1000", "takes no samples"),
    ({"categories": ["F01"]}, "programmes[term_start].categories", "takes no samples"),
    ({"allocation": {"township_min": 1}}, "programmes[term_start].allocation", "allocates no samples"),
])
def test_bad_campaign_settings_name_the_programme(entry: dict, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"programmes": [{"id": "risk_monitoring", "rate_per_1000": 1.0},
                                         {"id": "term_start", "kind": "inspection", **entry}]})
    assert err.value.key == key
    assert words in str(err.value)


def test_campaign_defaults_and_sampling_programme_refuses_its_keys() -> None:
    cfg = Config.from_dict({"programmes": [{"id": "risk_monitoring", "rate_per_1000": 1.0},
                                           {"id": "term_start", "kind": "inspection"}]})
    camp = cfg.programmes[1]
    assert (camp.window_working_days, camp.visit_minutes) == (10, 45)
    assert [p.id for p in programmes_of(cfg)] == ["risk_monitoring"]  # no quota, no allocation
    assert Config.from_dict(tomllib.loads(cfg.to_toml())) == cfg
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"programmes": [{"id": "risk_monitoring", "rate_per_1000": 1.0,
                                          "visit_minutes": 30}]})
    assert err.value.key == "programmes[risk_monitoring].visit_minutes"
    assert "kind = \"inspection\"" in Config().to_toml()  # the commented example shows it


def test_campaign_unknown_business_type_is_an_error(yunling, yunling_config) -> None:
    bad = ProgrammeRules(id="term_start", kind="inspection", business_types=("C-SCHOOL",))
    with pytest.raises(ConfigError) as err:
        campaign_targets(bad, 1, yunling)
    assert err.value.key == "programmes[term_start].business_types"
    assert "C-SCHOOL" in str(err.value)


# --------------------------------------------------------------------------- visits
def test_windows_are_the_first_working_days_of_each_term(yunling_config) -> None:
    cfg = _with_campaign(yunling_config)
    windows = campaign_windows(CAMPAIGN, 2026, cfg)
    # Yunling: spring term from Monday 2026-03-02, autumn from Tuesday 2026-09-01 (the autumn
    # term of 2025 starts in the year before)
    assert [w[0] for w in windows] == [dt.date(2026, 3, 2), dt.date(2026, 9, 1)]
    assert [len(w) for w in windows] == [6, 6]
    assert windows[0][-1] == dt.date(2026, 3, 9)  # 6 working days: Mon-Fri, then Monday


def test_campaign_visits_one_per_canteen_no_samples(yunling, yunling_config) -> None:
    cfg = prepare(yunling, _with_campaign(yunling_config)).config
    canteens = match_business_types(["school canteen", "kindergarten canteen"], yunling).codes
    n = int(yunling.establishments["business_type"].isin(canteens).sum())
    v = campaign_visits(yunling, cfg, 2026, 3)
    assert n > 0 and len(v) == n and v["establishment_id"].is_unique
    assert (v["samples"] == 0).all() and (v["categories_to_sample"] == "").all()
    assert not v["perishable"].any() and (v["service_minutes"] == 40).all()
    assert set(v["programme"]) == {"term_start"} and v["visit_id"].is_unique
    assert set(v["allowed_dates"]) == {"2026-03-02;2026-03-03;2026-03-04;2026-03-05;2026-03-06;2026-03-09"}
    assert len(campaign_visits(yunling, cfg, 2026, 4)) == 0  # no term starts in April


# --------------------------------------------------------------------------- planned and routed
@pytest.fixture(scope="module")
def yunling_march(yunling, yunling_config):
    return run_plan(yunling, _with_campaign(yunling_config), month=3)


def test_yunling_campaign_routed_within_window_or_has_reason(yunling_march) -> None:
    r = yunling_march
    camp = r.visits[r.visits["programme"] == "term_start"]
    assert len(camp) > 0
    assert (camp["samples"] == 0).all()
    ids = set(camp["visit_id"])
    stops = r.stops[r.stops["visit_id"].isin(ids)]
    un = r.unassigned[r.unassigned["visit_id"].isin(ids)]
    assert len(stops) + len(un) == len(camp)  # every campaign visit accounted for, once
    assert stops["visit_id"].is_unique and not set(stops["visit_id"]) & set(un["visit_id"])
    allowed = {dt.date(2026, 3, d) for d in (2, 3, 4, 5, 6, 9)}
    assert set(pd.to_datetime(stops["date"]).dt.date) <= allowed
    assert (stops["samples"] == 0).all() and (stops["end_service"] - stops["start_service"] == 40).all()
    assert un["reason"].astype(str).str.len().gt(0).all()
    # the sampling visits of the month are planned and routed as well, on the same routes
    sampling = r.visits[r.visits["programme"] != "term_start"]
    assert len(sampling) > 0 and r.stops["visit_id"].isin(set(sampling["visit_id"])).any()
    score = campaign_score(r.visits, r.stops, r.config)
    assert score.loc[0, "targets"] == len(camp) and score.loc[0, "routed"] == len(stops)
    assert len(stops) >= 0.9 * len(camp)


def _check(ds, r, visits: pd.DataFrame) -> pd.DataFrame:
    """The independent checker on the month's routes (the plan result holds stops and routes)."""
    return check_plan(r, visits, ds.stations, ds.labs, r.calendar, r.config.routing,
                      establishments=ds.establishments, townships=ds.townships,
                      categories=ds.categories, later_calendar=stage_calendar(2026, [4], r.config))


def test_yunling_campaign_routes_pass_the_checker(yunling, yunling_march) -> None:
    r = yunling_march
    bad = _check(yunling, r, r.visits[r.visits["mode"] != "purchase"])
    assert bad.empty, bad.head().to_string()


def test_checker_flags_a_campaign_visit_outside_its_window(yunling, yunling_march) -> None:
    r = yunling_march
    v = r.visits[r.visits["mode"] != "purchase"].copy()
    camp = v["programme"] == "term_start"
    routed = v["visit_id"].isin(set(r.stops["visit_id"])) & camp
    first = v.index[routed][0]
    v.loc[first, "allowed_dates"] = "2026-03-31"
    bad = _check(yunling, r, v)
    assert "campaign_window" in set(bad["check"])


def test_yunling_key_numbers_score_the_campaign(yunling_march) -> None:
    r = yunling_march
    (row,) = r.key_numbers()["campaigns"]
    camp = r.visits[r.visits["programme"] == "term_start"]
    routed = int(r.stops["visit_id"].isin(set(camp["visit_id"])).sum())
    assert (row["programme"], row["targets"], row["routed"]) == ("term_start", len(camp), routed)
    assert row["share"] == round(routed / len(camp), 4)
    assert row["visit_hours"] == round(routed * 40 / 60, 2)
    assert "campaign 检查 term_start" in r.summary()


def test_plan_folder_lists_the_campaign(yunling, yunling_march, tmp_path) -> None:
    r = yunling_march
    out = write_plan(r, yunling, tmp_path / "plan")
    back = read_plan(out)
    v = back.tables["visits"]
    camp = v[v["programme"] == "term_start"]
    assert len(camp) == int((r.visits["programme"] == "term_start").sum())
    assert (camp["samples"] == 0).all()
    stops = back.tables["stops"]
    mine = stops[stops["visit_id"].isin(set(camp["visit_id"]))]
    assert len(mine) > 0 and set(mine["programme"]) == {"term_start"} and (mine["samples"] == 0).all()
    assert '"campaigns"' in (out / "manifest.json").read_text(encoding="utf-8")


def test_example_with_inspection_campaign_reads() -> None:
    cfg = load_config(ROOT / "examples" / "term-start-inspection.toml")
    assert [(p.id, p.kind) for p in cfg.programmes] == [
        ("risk_monitoring", "sampling"), ("term_start", "inspection")]
    assert (cfg.programmes[1].window_working_days, cfg.programmes[1].visit_minutes) == (10, 45)
    assert cfg.programmes[1].targets == ("T25",)


def test_ouhai_month_with_a_small_campaign(ouhai) -> None:
    """A quick Ouhai month: a campaign on the 30 elderly canteens in the first 5 working days of
    the autumn term (from Tuesday 1 September 2026), with the risk-monitoring visits of September."""
    camp = ProgrammeRules(id="elderly_check", kind="inspection", business_types=("C-ELDERLY",),
                          window_working_days=5, visit_minutes=30, targets=("T25",))
    cfg = Config().replace(programmes=(
        ProgrammeRules(id="risk_monitoring", rate_per_1000=1.0, targets=("T19",)), camp))
    r = run_plan(ouhai, cfg, month=9)
    v = r.visits[r.visits["programme"] == "elderly_check"]
    n = int((ouhai.establishments["business_type"] == "C-ELDERLY").sum())
    assert len(v) == n == 30 and (v["samples"] == 0).all()
    stops = r.stops[r.stops["visit_id"].isin(set(v["visit_id"]))]
    un = r.unassigned[r.unassigned["visit_id"].isin(set(v["visit_id"]))]
    assert len(stops) + len(un) == n and un["reason"].astype(str).str.len().gt(0).all()
    allowed = {dt.date(2026, 9, d) for d in (1, 2, 3, 4, 7)}
    assert set(pd.to_datetime(stops["date"]).dt.date) <= allowed
    assert (stops["end_service"] - stops["start_service"] == 30).all()
    assert not stops["perishable"].astype(bool).any() and not stops["held_overnight"].astype(bool).any()
    sampling = r.visits[r.visits["programme"] == "risk_monitoring"]
    assert int(sampling["samples"].sum()) > 0 and r.stops["visit_id"].isin(set(sampling["visit_id"])).any()
