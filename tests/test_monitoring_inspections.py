"""An inspection campaign's target (T25) computed from the inspections done (issue 15).

Yunling (tests/districts/): 17 school and kindergarten canteens, spring term from Monday
2026-03-02 (window of 6 working days: 2 to 9 March), autumn term from 2026-09-01; data frozen at
2026-05-31. Ouhai: 255 canteens, spring term from 2026-02-23 (a holiday), window of 10 working days
from 24 February to 6 March (examples/term-start-inspection.toml).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from riskplan.cli import main
from riskplan.config import Config, load_config
from riskplan.dataset import Dataset
from riskplan.datasets import with_inspections
from riskplan.errors import ValidationError
from riskplan.monitoring import MonitoringRules, scorecard
from riskplan.monitoring.inspections import NO_INSPECTIONS, inspection_actuals
from riskplan.pipeline.campaign import campaign_targets
from riskplan.settings.programme import ProgrammeRules
from riskplan.validation import validate_dataset

ROOT = Path(__file__).resolve().parents[1]
KEY = ["township_code", "business_type", "category_code"]
CAMPAIGN = ProgrammeRules(id="term_start", kind="inspection", targets=("T25",), window_working_days=6,
                          visit_minutes=40)
T25 = pd.DataFrame([{"target_id": "T25", "indicator_zh": "开学检查", "indicator_en": "term-start checks",
                     "comparator": ">=", "target": 100.0, "unit": "%", "deadline": "",
                     "lead_department": "区教育局"}])


def _config(base: Config, campaign: ProgrammeRules = CAMPAIGN) -> Config:
    rm = ProgrammeRules(id="risk_monitoring", rate_per_1000=base.quota.rate_per_1000, targets=("T19",))
    return base.replace(programmes=(rm, campaign))


def _targets(ds: Dataset, cfg: Config) -> list[str]:
    return campaign_targets(cfg.programmes[1], 1, ds)["establishment_id"].astype(str).tolist()


def _yunling_inspections(t: list[str]) -> pd.DataFrame:
    """12 targets inside the spring window (one twice, one on the Saturday), 2 after it, 1 before
    the term, 1 after the assessment date, 1 never; and one establishment that is no target."""
    inside = ["03-02", "03-02", "03-03", "03-03", "03-04", "03-05", "03-06", "03-06", "03-07", "03-09",
              "03-09", "03-09"]
    rows = [(t[i], f"2026-{d}") for i, d in enumerate(inside)]
    rows += [(t[0], "2026-03-04"),                      # a second visit: counted once
             (t[12], "2026-03-10"), (t[13], "2026-04-01"),  # after the window
             (t[14], "2026-02-27"),                      # before the term
             (t[15], "2026-06-05"),                      # after the assessment date
             ("YL2026-0018", "2026-03-03")]              # not a canteen
    df = pd.DataFrame(rows, columns=["establishment_id", "date"])
    df["date"] = pd.to_datetime(df["date"])
    df["programme"] = ""
    return df


@pytest.fixture(scope="module")
def yl(yunling, yunling_config):
    cfg = _config(yunling_config)
    t = _targets(yunling, cfg)
    assert len(t) == 17 and "YL2026-0018" not in t
    return dataclasses.replace(yunling, inspections=_yunling_inspections(t)), cfg


def test_yunling_share_inspected_within_the_window(yl) -> None:
    ds, cfg = yl
    res = inspection_actuals(cfg, ds, "2026-05-31", 2026)
    (row,) = res.computed.to_dict("records")
    assert (row["target_id"], row["scope"], row["source"]) == ("T25", "district", "computed")
    assert row["actual"] == pytest.approx(100 * 12 / 17)
    assert row["open_until"] == "" and res.notes == {}
    assert row["note"].startswith("12 of 17 target inspections done")
    assert "window 2026-03-02..2026-03-09: 12 of 17 in the window, 2 after it" in row["note"]
    (term,) = res.terms.to_dict("records")  # the autumn term has not begun
    assert (term["targets"], term["inspected_in_window"], term["inspected_late"]) == (17, 12, 2)
    card = scorecard(T25, None, res.computed, as_of="2026-05-31", plan_year=2026,
                     rules=MonitoringRules(), notes=res.notes).set_index(["target_id", "scope"])
    assert card.loc[("T25", "district"), "status"] == "missed"  # window over, 29 % short
    assert card.loc[("T25", "district"), "gap"] == pytest.approx(100 * 5 / 17)


def test_yunling_open_window_is_at_risk_and_terms_not_begun_do_not_count(yl) -> None:
    ds, cfg = yl
    res = inspection_actuals(cfg, ds, "2026-03-05", 2026)  # 6 targets done by the window's 4th day
    (row,) = res.computed.to_dict("records")
    assert row["actual"] == pytest.approx(100 * 6 / 17) and row["open_until"] == "2026-03-09"
    card = scorecard(T25, None, res.computed, as_of="2026-03-05", plan_year=2026, rules=MonitoringRules())
    assert card["status"].tolist() == ["at_risk"]
    before = inspection_actuals(cfg, ds, "2026-02-15", 2026)
    assert before.computed.empty and "no school term of 2026 has begun by 2026-02-15" in before.notes["T25"]
    # the autumn term has begun (window open, nobody inspected yet): both terms count
    autumn = inspection_actuals(cfg, ds, "2026-09-02", 2026).computed.iloc[0]
    assert autumn["actual"] == pytest.approx(100 * 12 / 34)  # the June visit came after the window
    assert autumn["open_until"] == "2026-09-08"
    year_end = inspection_actuals(cfg, ds, "2026-12-31", 2026)
    assert year_end.computed.iloc[0]["actual"] == pytest.approx(100 * 12 / 34)
    assert year_end.terms["inspected_late"].tolist() == [3, 0]  # April and June, after the window


def test_inspections_of_another_campaign_are_not_counted_and_unknown_ones_refused(yl) -> None:
    ds, cfg = yl
    other = ProgrammeRules(id="elderly_check", kind="inspection", business_types=("elderly canteen",))
    cfg2 = cfg.replace(programmes=(*cfg.programmes, other))
    insp = ds.inspections.copy()
    insp.loc[insp.index[:3], "programme"] = ["elderly_check", "term_start", "elderly_check"]
    # rows 1 and 3 (targets 0 and 2) belong to the other campaign; target 0's second visit counts
    res = inspection_actuals(cfg2, dataclasses.replace(ds, inspections=insp), "2026-05-31", 2026)
    assert res.computed.iloc[0]["actual"] == pytest.approx(100 * 11 / 17)
    insp.loc[insp.index[4], "programme"] = "spring_check"
    with pytest.raises(ValidationError) as err:
        inspection_actuals(cfg2, dataclasses.replace(ds, inspections=insp), "2026-05-31", 2026)
    assert "inspections.csv, row 5, column programme: not an inspection programme of the plan" in str(err.value)


def test_inspections_file_with_chinese_headers_and_its_errors(yunling, tmp_path) -> None:
    f = tmp_path / "开学检查.csv"
    f.write_text("主体编号,检查日期,检查任务,检查结果\n"
                 "YL2026-0001,2026-03-02,term_start,合格\n"
                 "YL-NOPE,2026-03-03,term_start,合格\n"
                 "YL2026-0002,2026-03-32,,责令整改\n"
                 "YL2026-0003,2025-12-01,,\n", encoding="utf-8-sig")
    with pytest.raises(ValidationError) as err:
        with_inspections(yunling, f)
    text = str(err.value)
    assert "开学检查.csv, row 2, column establishment_id: unknown establishment (not in establishments) " \
           "(value 'YL-NOPE')" in text
    assert "开学检查.csv, row 3, column date" in text
    assert "开学检查.csv, row 4, column date: inspections must be from the plan year 2026" in text
    assert len(err.value.problems) == 3
    f.write_text("主体编号,检查日期,检查任务,检查结果\nYL2026-0001,2026-03-02,term_start,合格\n",
                 encoding="utf-8-sig")
    ds = with_inspections(yunling, f)
    assert ds.inspections[["establishment_id", "programme", "outcome"]].values.tolist() == [
        ["YL2026-0001", "term_start", "合格"]]
    assert ds.metadata["files"]["inspections"] == "开学检查.csv"
    with pytest.raises(ValidationError, match="inspections file not found"):
        with_inspections(yunling, tmp_path / "none.csv")


def test_dataset_validation_reports_unknown_inspected_establishment(yunling) -> None:
    bad = pd.DataFrame({"establishment_id": ["YL2026-0001", "YL-NOPE"],
                        "date": pd.to_datetime(["2026-03-02", "2026-03-03"])})
    p = validate_dataset(dataclasses.replace(yunling, inspections=bad))
    p = p[p["file"] == "inspections.csv"]
    assert p[["row", "column", "value", "level"]].values.tolist() == [
        [2, "establishment_id", "YL-NOPE", "error"]]


def test_no_canteens_and_no_inspections_table_keep_the_typed_value(yunling, yunling_config) -> None:
    cfg = _config(yunling_config)
    typed = pd.DataFrame([{"target_id": "T25", "scope": "district", "actual": 100.0, "as_of": "2026-05-31",
                           "note": "typed in"}])
    none = inspection_actuals(cfg, yunling, "2026-05-31", 2026)  # Yunling ships no inspections
    assert none.computed.empty and none.notes == {"T25": NO_INSPECTIONS}
    card = scorecard(T25, typed, none.computed, as_of="2026-05-31", plan_year=2026, notes=none.notes)
    assert card[["source", "status", "actual"]].values.tolist() == [["reported", "met", 100.0]]
    assert card.loc[0, "note"] == f"typed in; {NO_INSPECTIONS}"
    card = scorecard(T25, None, none.computed, as_of="2026-05-31", plan_year=2026, notes=none.notes)
    assert card[["source", "status"]].values.tolist() == [["", "no_data"]]
    assert "no inspections table" in card.loc[0, "note"]
    # a district without school or kindergarten canteens: nothing to inspect, nothing computed
    est = yunling.establishments
    no_canteens = est[~est["business_type"].isin(["SC-SCHOOL", "SC-KINDER"])]
    ds = dataclasses.replace(yunling, establishments=no_canteens,
                             inspections=pd.DataFrame({"establishment_id": [no_canteens["establishment_id"].iloc[0]],
                                                       "date": pd.to_datetime(["2026-03-02"])}))
    res = inspection_actuals(cfg, ds, "2026-05-31", 2026)
    assert res.computed.empty
    assert res.notes["T25"].startswith("not computed: campaign term_start has no target establishment")
    card = scorecard(T25, typed, res.computed, as_of="2026-05-31", plan_year=2026, notes=res.notes)
    assert card[["source", "actual"]].values.tolist() == [["reported", 100.0]]


def test_without_an_inspection_campaign_nothing_changes(yl, yunling_config) -> None:
    ds, _ = yl
    res = inspection_actuals(yunling_config, ds, "2026-05-31", 2026)
    assert res.computed.empty and res.notes == {} and res.terms.empty


def test_ouhai_spring_term_from_the_example_configuration(ouhai) -> None:
    cfg = load_config(ROOT / "examples" / "term-start-inspection.toml")
    t = _targets(ouhai, cfg)
    assert len(t) == 255
    window = pd.bdate_range("2026-02-24", "2026-03-06")  # the window's weekdays
    dates = [window[i % len(window)] for i in range(250)]
    rows = list(zip(t[:250], dates))
    rows += [(t[250], pd.Timestamp("2026-03-09")), (t[251], pd.Timestamp("2026-03-09")),
             (t[252], pd.Timestamp("2026-04-20")), (t[253], pd.Timestamp("2026-02-20"))]
    insp = pd.DataFrame(rows, columns=["establishment_id", "date"]).assign(programme="term_start")
    ds = dataclasses.replace(ouhai, inspections=insp)
    res = inspection_actuals(cfg, ds, ouhai.reference_date, ouhai.plan_year)
    (row,) = res.computed.to_dict("records")
    assert row["actual"] == pytest.approx(100 * 250 / 255)
    assert "window 2026-02-24..2026-03-06: 250 of 255 in the window, 3 after it" in row["note"]
    card = scorecard(ouhai.creation_targets, ouhai.target_actuals, res.computed,
                     as_of=ouhai.reference_date, plan_year=2026, notes=res.notes)
    t25 = card[card["target_id"] == "T25"].set_index("scope")
    assert t25.loc["district", "status"] == "at_risk"  # 1.96 points short: within the margin
    assert t25.loc["district", "source"] == "computed"
    # the district's typed value is scoped to the education bureau: it stays, as for T12/T13
    assert t25.loc["区教育局", "source"] == "reported" and t25.loc["区教育局", "actual"] == 100.0


@pytest.mark.slow
def test_riskplan_monitor_computes_t25_from_an_inspections_file(yunling, yunling_config, yunling_dir,
                                                                  tmp_path, capsys) -> None:
    """``riskplan monitor --inspections FILE`` on a Yunling plan folder with the campaign."""
    from riskplan.allocation import allocate, quota_for
    from riskplan.export.plan_folder import read_table as read_out
    from riskplan.risk import score
    from riskplan.schedule import monthly

    cfg = _config(yunling_config)
    cfg = cfg.replace(allocation=dataclasses.replace(cfg.allocation, floor_time_limit_s=2.0))
    scores = score(yunling, config=cfg.risk)
    alloc = allocate(scores, quota_for(cfg.quota, yunling), cfg.allocation, categories=yunling.categories)
    sched = monthly(alloc, cfg.schedule)
    d = tmp_path / "plan"
    d.mkdir()
    alloc.table.assign(programme="risk_monitoring").to_csv(d / "allocation.csv", index=False,
                                                           encoding="utf-8-sig")
    sched[KEY + ["month", "samples"]].assign(programme="risk_monitoring").to_csv(
        d / "schedule.csv", index=False, encoding="utf-8-sig")
    scores.to_csv(d / "risk_scores.csv", index=False, encoding="utf-8-sig")
    (d / "config.toml").write_text(cfg.to_toml(), encoding="utf-8")
    (d / "manifest.json").write_text(json.dumps({"seed": 2026}), encoding="utf-8")
    (d / "data_reference.toml").write_text("plan_year = 2026\n", encoding="utf-8")
    targets = tmp_path / "targets.csv"
    T25.to_csv(targets, index=False)
    insp = _yunling_inspections(_targets(yunling, cfg)).iloc[:-2]  # within the data's dates
    f = tmp_path / "inspections.csv"
    insp.rename(columns={"establishment_id": "主体编号", "date": "检查日期"}).to_csv(
        f, index=False, date_format="%Y-%m-%d")
    args = ["monitor", "--plan", str(d), "--data", str(yunling_dir), "--results",
            str(yunling_dir / "results.csv"), "--targets", str(targets), "--no-replan", "--no-charts"]
    assert main([*args, "--inspections", str(f), "--out", str(tmp_path / "mon")]) == 0
    card = read_out(tmp_path / "mon" / "targets_scorecard.csv")
    (t25,) = card[card["target_id"] == "T25"].to_dict("records")
    assert float(t25["actual"]) == pytest.approx(100 * 12 / 17, abs=1e-6)
    assert (t25["source"], t25["status"]) == ("computed", "missed")
    terms = read_out(tmp_path / "mon" / "inspection_terms.csv")
    assert terms[["targets", "inspected_in_window", "inspected_late"]].astype(int).values.tolist() == [[17, 12, 2]]
    # without --inspections (Yunling ships none): no_data, and the note says why
    assert main([*args, "--out", str(tmp_path / "mon2")]) == 0
    card = read_out(tmp_path / "mon2" / "targets_scorecard.csv")
    (t25,) = card[card["target_id"] == "T25"].to_dict("records")
    assert t25["status"] == "no_data" and "no inspections table" in t25["note"]
    # an unknown establishment: refused with file, row and column, nothing written
    insp.iloc[[0]].assign(establishment_id="YL-NOPE").to_csv(f, index=False, date_format="%Y-%m-%d")
    capsys.readouterr()
    assert main([*args, "--inspections", str(f), "--out", str(tmp_path / "mon3")]) == 2
    err = capsys.readouterr().err
    assert "inspections.csv, row 1, column establishment_id: unknown establishment" in err
    assert not (tmp_path / "mon3").exists()


def test_ouhai_example_inspections_file(ouhai, tmp_path) -> None:
    """examples/ouhai-inspections-2026.csv is what data/build_ouhai_inspections.py writes, and
    gives T25 = 251 of 255 canteens within the spring window (4 late) at the data's date."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_insp", ROOT / "data" / "build_ouhai_inspections.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.main(["--out", str(tmp_path / "x.csv")]) == 0
    example = ROOT / "examples" / "ouhai-inspections-2026.csv"
    assert (tmp_path / "x.csv").read_bytes() == example.read_bytes()
    cfg = load_config(ROOT / "examples" / "term-start-inspection.toml")
    ds = with_inspections(ouhai, example)
    res = inspection_actuals(cfg, ds, ouhai.reference_date, ouhai.plan_year)
    assert res.computed.iloc[0]["actual"] == pytest.approx(100 * 251 / 255)
    assert res.terms[["targets", "inspected_in_window", "inspected_late"]].values.tolist() == [[255, 251, 4]]


def test_inspections_file_is_refused_for_a_province_plan(tmp_path, capsys) -> None:
    """A province's districts take their own datasets' inspections: --inspections is refused."""
    (tmp_path / "prov" / "province").mkdir(parents=True)
    (tmp_path / "prov" / "province" / "manifest.json").write_text("{}", encoding="utf-8")
    assert main(["monitor", "--plan", str(tmp_path / "prov"), "--inspections", "x.csv",
                 "--out", str(tmp_path / "mon")]) == 2
    assert "--inspections FILE is for a single plan folder" in capsys.readouterr().err
