"""Several programmes in one plan (issue 15): configuration, quotas, shared visits, outputs, scorecard.

The plan runs on the second district Yunling (tests/districts/) with three programmes: a fixed
number of school-canteen samples restricted by role, risk monitoring (1.2 per 1,000, as Yunling's
own [quota]) and supervision sampling (3 per 1,000, without the school-canteen share floor).
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from riskplan.allocation import annual_quota, resolve_population
from riskplan.allocation.shared import supply_left
from riskplan.cli import main
from riskplan.config import Config, load_config
from riskplan.configure import check_config, prepare
from riskplan.datasets import with_higher_level
from riskplan.errors import ConfigError, ValidationError
from riskplan.export.plan_folder import read_plan, write_plan
from riskplan.monitoring import MonitorPlan, monitor
from riskplan.monitoring.programmes import programme_actuals, target_owners, whole_plan
from riskplan.pipeline import run_plan
from riskplan.pipeline.ledger import ProgrammeLedger
from riskplan.pipeline.programmes import plan_programmes, programmes_of, restrict
from riskplan.pipeline.result import programme_samples
from riskplan.pipeline.stages import stage_risk, stage_supply
from riskplan.settings import MonitoringRules
from riskplan.settings.programme import ProgrammeRules

ROOT = Path(__file__).resolve().parents[1]
MONTH = 5

PROGRAMMES = (
    # first: the school canteens are few (69 samples in the year) and the supply is shared in
    # this order; the programmes after it would take them all
    ProgrammeRules(id="school", name="学校食堂 school canteens", samples=20,
                   business_types=("school canteen", "kindergarten canteen")),
    ProgrammeRules(id="risk_monitoring", name="风险监测 risk monitoring", rate_per_1000=1.2,
                   targets=("T19",), document="风险监测抽样单"),
    ProgrammeRules(id="supervision", name="监督抽检 supervision", rate_per_1000=3.0,
                   targets=("T22", "T24"), document="监督抽检抽样单",
                   allocation={"school_min_share": 0.0}),
)


# --------------------------------------------------------------------------- configuration
def test_example_two_programmes_reads_and_round_trips() -> None:
    cfg = load_config(ROOT / "examples" / "two-programmes.toml")
    assert [p.id for p in cfg.programmes] == ["risk_monitoring", "supervision"]
    assert [p.rate_per_1000 for p in cfg.programmes] == [1.0, 4.0]
    text = cfg.to_toml()
    assert "[[programmes]]" in text and "# Identifier written in every output row" in text
    assert Config.from_dict(tomllib.loads(text)) == cfg


def test_one_quota_section_is_one_programme() -> None:
    cfg = Config()
    assert "programmes" not in cfg.to_dict()  # the one-programme file stays as it was
    (only,) = programmes_of(cfg)
    assert (only.id, only.rate_per_1000) == (cfg.quota.programme, cfg.quota.rate_per_1000)


BAD = [
    ({"id": "supervision"}, "programmes[supervision].rate_per_1000", "exactly one of"),
    ({"id": "supervision", "rate_per_1000": 4.0, "samples": 10},
     "programmes[supervision].rate_per_1000", "exactly one of"),
    ({"id": "supervision", "rate_per_1000": 0.0}, "programmes[supervision].rate_per_1000", "(0, 100]"),
    ({"id": "supervision", "samples": 0}, "programmes[supervision].samples", "[1, 1000000]"),
    ({"id": "supervision", "rate_per_1000": 4.0, "colour": "red"}, "programmes[supervision].colour",
     "unknown key"),
    ({"id": "supervision", "rate_per_1000": 4.0, "kind": "audit"}, "programmes[supervision].kind",
     "must be one of"),
    ({"id": "2nd", "rate_per_1000": 4.0}, "programmes[2nd].id", "a letter then"),
    ({"id": "supervision", "rate_per_1000": 4.0, "targets": ["T22x"]},
     "programmes[supervision].targets", "not a target ID"),
    ({"id": "supervision", "rate_per_1000": 4.0, "allocation": {"township_min": -1}},
     "programmes[supervision].allocation.township_min", ""),
    ({"id": "supervision", "rate_per_1000": 4.0, "allocation": {"no_such_key": 1}},
     "programmes[supervision].allocation.no_such_key", "unknown key"),
    ({"id": "supervision", "rate_per_1000": 4.0, "risk": {"half_life_years": -2.0}},
     "programmes[supervision].risk.half_life_years", ""),
]


@pytest.mark.parametrize(("entry", "key", "words"), BAD)
def test_bad_programme_names_the_programme_and_key(entry: dict, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"programmes": [{"id": "risk_monitoring", "rate_per_1000": 1.0}, entry]})
    assert err.value.key == key
    assert words in str(err.value)


def test_two_programmes_one_id_or_one_target_twice_are_refused() -> None:
    with pytest.raises(ConfigError, match="two programmes have this id"):
        Config.from_dict({"programmes": [{"id": "a", "samples": 5}, {"id": "a", "samples": 6}]})
    with pytest.raises(ConfigError, match="scored from one programme: T22"):
        Config.from_dict({"programmes": [{"id": "a", "samples": 5, "targets": ["T22"]},
                                         {"id": "b", "samples": 6, "targets": ["T22"]}]})
    with pytest.raises(ConfigError, match="expected a list of tables"):
        Config.from_dict({"programmes": {"id": "a"}})


def test_programme_restriction_unknown_code_is_an_error(yunling) -> None:
    scores = pd.DataFrame({"township_code": ["T1"], "business_type": ["SC-SCHOOL"],
                           "category_code": ["F01"]})
    bad = ProgrammeRules(id="school", samples=5, business_types=("C-SCHOOL",))
    with pytest.raises(ConfigError) as err:
        restrict(scores, bad, 2, yunling)
    assert err.value.key == "programmes[school].business_types"
    assert "C-SCHOOL" in str(err.value)


# --------------------------------------------------------------------------- higher level
HIGHER = ProgrammeRules(id="national_2026", kind="higher_level", counts_towards="risk_monitoring")


def _higher_rows(ds) -> pd.DataFrame:
    """Two higher-level rows on Yunling's own codes: a national task and an unconfigured city one."""
    e = ds.establishments.iloc[0]
    cat = str(e["categories"]).split(";")[0]
    return pd.DataFrame({"programme": ["national_2026", "city_2026"], "level": ["national", "city"],
                         "township_code": [e["township_code"]] * 2,
                         "business_type": [e["business_type"]] * 2, "category_code": [cat] * 2,
                         "month": [4, None], "samples": [5, 3]})


def test_higher_level_file_read_with_chinese_headers_and_checked(yunling, tmp_path) -> None:
    rows = _higher_rows(yunling)
    zh = rows.assign(level=["国家级", "市级"]).rename(columns={
        "programme": "上级任务", "level": "任务层级", "township_code": "乡镇代码",
        "business_type": "业态代码", "category_code": "食品类别代码", "month": "月份",
        "samples": "批次数"})
    good = tmp_path / "上级任务.csv"
    zh.to_csv(good, index=False, encoding="utf-8-sig")
    ds = with_higher_level(yunling, good)
    assert ds.higher_level["level"].tolist() == ["national", "city"]
    assert ds.higher_level["samples"].tolist() == [5, 3]
    bad = tmp_path / "bad.csv"
    rows.assign(category_code=["F01", "NOPE"], samples=[5, 0]).to_csv(bad, index=False)
    with pytest.raises(ValidationError) as err:
        with_higher_level(yunling, bad)
    probs = err.value.problems
    assert {(r.file, r.row, r.column) for r in probs.itertuples()} >= {
        ("bad.csv", 2, "category_code"), ("bad.csv", 2, "samples")}
    with pytest.raises(ValidationError, match="not found"):
        with_higher_level(yunling, tmp_path / "missing.csv")


def test_higher_level_programme_config_is_checked() -> None:
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"programmes": [
            {"id": "risk_monitoring", "rate_per_1000": 1.0},
            {"id": "national", "kind": "higher_level", "counts_towards": "supervision"}]})
    assert err.value.key == "programmes[national].counts_towards"
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"programmes": [
            {"id": "risk_monitoring", "rate_per_1000": 1.0},
            {"id": "national", "kind": "higher_level", "samples": 5}]})
    assert err.value.key == "programmes[national].samples"


# --------------------------------------------------------------------------- the plan
@pytest.fixture(scope="module")
def two_plan(yunling, yunling_config):
    ds = dataclasses.replace(yunling, higher_level=_higher_rows(yunling))
    return run_plan(ds, yunling_config.replace(programmes=(*PROGRAMMES, HIGHER)), MONTH)


def test_higher_level_samples_count_as_configured(two_plan) -> None:
    hl = two_plan.higher_level
    assert hl[["programme", "counts_towards", "counted_as"]].values.tolist() == [
        ["national_2026", "risk_monitoring", "quota"], ["city_2026", "", "coverage"]]
    nums = two_plan.programme_numbers().set_index("programme")
    # risk monitoring plans 5 fewer: its allocation + the national samples = its quota
    assert nums.loc["risk_monitoring", "higher_level_counted"] == 5
    assert nums.loc["risk_monitoring", "allocated"] + 5 == nums.loc["risk_monitoring", "quota"]
    assert nums.loc["supervision", "allocated"] == nums.loc["supervision", "quota"]
    # every higher-level sample counts for every programme's coverage
    alloc = two_plan.allocation
    for p in ("risk_monitoring", "supervision"):
        assert alloc.loc[alloc["programme"] == p, "higher_level"].sum() == 8
    assert any("city_2026" in w for w in two_plan.warnings)
    k = two_plan.key_numbers()
    assert (k["higher_level_samples"], k["higher_level_counted"], k["below_quota"]) == (8, 5, 0)


def test_each_programme_quota_met_exactly(two_plan, yunling, yunling_config) -> None:
    residents = resolve_population(yunling_config.quota, yunling)
    want = {"risk_monitoring": annual_quota(residents, 1.2), "supervision": annual_quota(residents, 3.0),
            "school": 20}
    got = {p.rules.id: p.quota for p in two_plan.programmes}
    assert got == want
    # what the district plans + the higher-level samples counting towards the programme
    counted = {"risk_monitoring": 5}
    alloc = two_plan.allocation.groupby("programme")["samples"].sum().to_dict()
    sched = two_plan.schedule.groupby("programme")["samples"].sum().to_dict()
    assert {p: n + counted.get(p, 0) for p, n in alloc.items()} == want
    assert {p: n + counted.get(p, 0) for p, n in sched.items()} == want
    assert two_plan.quota == sum(want.values())
    # what the plan can detect: one row per stratum, every programme's samples together
    key = ["township_code", "business_type", "category_code"]
    strata = two_plan.allocation.groupby(key)["samples"].sum()
    assert len(two_plan.detection) == len(strata)
    assert int(two_plan.detection["samples"].sum()) == int(strata.sum())
    # the restricted programme samples only the school canteens' strata
    school = two_plan.allocation[two_plan.allocation["programme"] == "school"]
    assert set(school.loc[school["samples"] > 0, "business_type"]) <= {"SC-SCHOOL", "SC-KINDER"}
    assert school["samples"].sum() == 20
    # a programme's allocation override applies to it alone
    assert two_plan.programmes[2].allocation.rules.school_min_share == 0.0
    assert two_plan.programmes[1].allocation.rules.school_min_share == 0.06


def test_every_sample_of_the_month_names_its_programme(two_plan) -> None:
    v = two_plan.visits
    assert v["programme"].str.len().gt(0).all()
    per = programme_samples(v)
    # what the programmes take at a visit adds up to the visit's samples
    assert per.groupby("visit_id")["samples"].sum().reindex(v["visit_id"]).tolist() == v["samples"].tolist()
    # each programme: selected + short = scheduled for the month (nothing carried in one month)
    nums = two_plan.programme_numbers().set_index("programme")
    assert (nums["samples"] + nums["samples_short"] >= nums["scheduled"]).all()
    assert nums["samples"].sum() + int(two_plan.shortfall["missing"].sum()) == nums["scheduled"].sum()
    sched = two_plan.schedule[two_plan.schedule["month"] == MONTH].groupby("programme")["samples"].sum()
    assert nums["scheduled"].to_dict() == sched.to_dict()


def test_visits_are_shared_and_fewer_than_separately(two_plan) -> None:
    nums = two_plan.programme_numbers()
    assert nums["shared_visits"].sum() > 0
    # planned apart, each programme would visit at least its own establishments
    assert nums["visits"].sum() > len(two_plan.visits)
    shared = two_plan.visits[two_plan.visits["programme"].str.contains(";")]
    assert len(shared) == (programme_samples(shared).groupby("visit_id")["programme"].nunique() > 1).sum()
    # and the routes serve them: a shared visit is routed like any other
    routed = set(two_plan.stops["visit_id"])
    assert len(set(shared["visit_id"]) & routed) > 0


def test_plan_folder_names_the_programme_everywhere(two_plan, yunling, tmp_path) -> None:
    out = write_plan(two_plan, yunling, tmp_path / "plan", lang="zh")
    visits = pd.read_csv(out / "visits.csv", encoding="utf-8-sig", dtype=str)
    stops = pd.read_csv(out / "stops.csv", encoding="utf-8-sig", dtype=str)
    assert "任务类别" in visits.columns and "各任务样品" in stops.columns
    sheet = next((out / "teams").glob("*/*.csv"))
    assert "任务类别" in pd.read_csv(sheet, encoding="utf-8-sig", dtype=str).columns
    book = openpyxl.load_workbook(next((out / "teams").glob("*.xlsx")), read_only=True)
    cells = {str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c}
    assert "各任务样品" in cells  # the printed sheet says what each programme takes
    back = read_plan(out)
    assert back.tables["visits"]["programme"].tolist() == two_plan.visits["programme"].tolist()
    assert set(back.tables["allocation"]["programme"]) == {"risk_monitoring", "supervision", "school"}
    man = (out / "manifest.json").read_text(encoding="utf-8")
    assert "shared_visits" in man
    # every higher-level sample accounted for, with how it counted
    hl = back.tables["higher_level"]
    assert hl["samples"].sum() == 8 and set(hl["counted_as"]) == {"quota", "coverage"}
    assert "higher_level.csv" in (out / "README.txt").read_text(encoding="utf-8")


def test_supply_is_shared_in_order(yunling, yunling_config, two_plan) -> None:
    ready = prepare(yunling, yunling_config)
    supply = stage_supply(ready.dataset, ready.config)
    first = two_plan.programmes[0].allocation.table
    left = supply_left(supply, first)
    used = supply.establishments["capacity"].to_numpy() - left.establishments["capacity"].to_numpy()
    assert used.sum() == first["samples"].sum()
    assert (left.establishments["capacity"] >= 0).all()
    assert (left.establishments["category_capacity"] <= left.establishments["capacity"]).all()


def test_ledger_takes_missing_samples_from_the_last_programme() -> None:
    key = ("T1", "B1", "C1")
    sched = {p: pd.DataFrame({"township_code": ["T1"], "business_type": ["B1"], "category_code": ["C1"],
                              "month": [3], "samples": [n]}) for p, n in (("a", 2), ("b", 3))}
    led = ProgrammeLedger(["a", "b"], sched)
    demand = led.demand(3)
    assert led.take_last(demand, key, 4) == [("b", 3), ("a", 1)]
    led.carry_to(4, [("b", 3), ("a", 1)], key)
    assert led.demand(4) == {"a": {key: 1}, "b": {key: 3}}
    drawn = pd.DataFrame({"township_code": ["T1", "T1"], "business_type": ["B1", "B1"],
                          "category_code": ["C1", "C1"], "establishment_id": ["E1", "E2"],
                          "samples": [2, 2]})
    out = led.attribute(drawn, {"a": {key: 1}, "b": {key: 3}})
    assert out[["establishment_id", "programme", "samples"]].values.tolist() == [
        ["E1", "a", 1], ["E1", "b", 1], ["E2", "b", 2]]


# --------------------------------------------------------------------------- scorecard
def test_each_target_from_its_programme() -> None:
    progs = PROGRAMMES[1:]
    assert target_owners(progs)["T19"] == "risk_monitoring"
    assert target_owners(progs)["T22"] == "supervision"
    assert target_owners(progs)["T23"] == "risk_monitoring"  # named by none: the first
    key = {"township_code": ["T1", "T1"], "business_type": ["B1", "B2"], "category_code": ["C1", "C1"],
           "stage": ["catering", "distribution"]}
    alloc = pd.concat([pd.DataFrame({**key, "samples": [3, 1], "programme": "risk_monitoring"}),
                       pd.DataFrame({**key, "samples": [6, 4], "programme": "supervision"})],
                      ignore_index=True)
    sched = alloc.assign(month=1)[["township_code", "business_type", "category_code", "month", "samples",
                                   "programme"]]
    matched = pd.DataFrame({"township_code": ["T1"] * 3, "business_type": ["B1", "B1", "B2"],
                            "category_code": ["C1"] * 3, "stage": ["catering", "catering", "distribution"],
                            "sample_date": pd.to_datetime(["2026-01-05"] * 3), "month": [1, 1, 1],
                            "programme": ["risk_monitoring", "supervision", "supervision"]})
    fs = pd.Series({"completion_rate_due": 1.0, "case_filing_rate": np.nan, "case_closing_rate": np.nan})
    comp = programme_actuals(progs, alloc, sched, matched, "2026-03-31", MonitoringRules(), 2000, fs)
    d = comp[comp["scope"] == "district"].set_index("target_id")
    assert d.loc["T19", "actual"] == pytest.approx(1000 * 1 / 2000)  # one risk-monitoring sample
    assert d.loc["T22", "actual"] == pytest.approx(100 * 2 / 10)  # 2 of supervision's 10
    assert d.loc["T24", "actual"] == pytest.approx(100.0)  # supervision covers both types
    assert "[programme supervision]" in d.loc["T22", "note"]
    assert whole_plan(alloc, ["township_code", "business_type", "category_code"])["samples"].tolist() == [9, 5]


def test_config_check_lists_every_programme_problem(yunling, tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[programmes]]\nid = "risk_monitoring"\nrate_per_1000 = 1.0\n\n'
        '[[programmes]]\nid = "supervision"\nrate_per_1000 = 400.0\n\n'
        '[[programmes]]\nid = "school"\nsamples = 10\nbusiness_types = ["C-SCHOOL"]\n'
        'categories = ["F01"]\n', encoding="utf-8")
    report = check_config(path, yunling)
    errors = report.errors
    assert set(errors["key"]) == {"programmes[supervision].rate_per_1000",
                                  "programmes[school].business_types"}
    assert errors.loc[errors["key"] == "programmes[school].business_types", "value"].tolist() == ["C-SCHOOL"]
    # the valid programmes are kept; the one out of range is left out
    assert [p.id for p in report.config.programmes] == ["risk_monitoring", "school"]
    good = check_config(ROOT / "examples" / "two-programmes.toml")
    assert good.ok


def test_monitor_a_plan_of_several_programmes(two_plan, yunling) -> None:
    plan = MonitorPlan.from_plan_result(two_plan)
    res = monitor(plan, yunling.results, yunling)
    # the plan as a whole: the programmes' allocations added up per stratum
    assert res.coverage.detail["planned"].sum() == 4 * int(two_plan.allocation["samples"].sum())
    assert int(whole_plan(two_plan.allocation, ["township_code", "business_type", "category_code"])
               ["samples"].sum()) == int(two_plan.allocation["samples"].sum())


def test_cli_refuses_a_bad_higher_level_file_or_programme_before_writing(yunling, yunling_dir, tmp_path,
                                                                       capsys) -> None:
    bad = tmp_path / "hl.csv"
    _higher_rows(yunling).assign(township_code=["999", "999"]).to_csv(bad, index=False)
    out = tmp_path / "out"
    assert main(["plan", "--data", str(yunling_dir), "--higher-level", str(bad), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert "hl.csv" in err and "township_code" in err
    cfg = tmp_path / "p.toml"
    cfg.write_text('[[programmes]]\nid = "supervision"\nrate_per_1000 = 4.0\nsamples = 3\n', encoding="utf-8")
    assert main(["plan", "--data", str(yunling_dir), "--config", str(cfg), "--out", str(out)]) == 2
    assert "programmes[supervision].rate_per_1000" in capsys.readouterr().err
    assert not out.exists()


def test_ouhai_two_programmes_each_quota_exact(ouhai) -> None:
    """The shipped example on the embedded data: 1,002 + 4,007 samples, the supply shared."""
    cfg = load_config(ROOT / "examples" / "two-programmes.toml")
    ready = prepare(ouhai, cfg)
    supply = stage_supply(ready.dataset, ready.config)
    plans = plan_programmes(stage_risk(ready.dataset, ready.config), ready.dataset, ready.config, supply)
    got = {p.rules.id: (p.quota, int(p.allocation.table["samples"].sum()), int(p.schedule["samples"].sum()))
           for p in plans}
    assert got == {"risk_monitoring": (1002, 1002, 1002), "supervision": (4007, 4007, 4007)}
    # the two together within what the establishments can give, the second fitted to what is left
    left = supply_left(supply_left(supply, plans[0].allocation.table), plans[1].allocation.table)
    assert supply.total - left.total == 1002 + 4007
