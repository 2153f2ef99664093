"""The second test district, the invented Yunling County (云岭县): nothing may depend on Ouhai.

Yunling (tests/districts/yunling, built by tests/districts/build_yunling.py) differs from the
embedded Ouhai data in every code, in size, geography (UTM 47N), reference date and file formats.
These tests check that the dataset is what it claims to be, that it validates, and that today's
pipeline plans it with its own configuration: exact quota, every visit accounted for, and routes
that pass the independent checker.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from riskplan.calendar import work_calendar
from riskplan.cli import main
from riskplan.export.report import report_markdown
from riskplan.pipeline import PlanResult, run_plan
from riskplan.routing import check_plan
from riskplan.routing.plan import RoutePlan
from riskplan.tables import explode_categories
from riskplan.validation import validate_dataset

DISTRICTS = Path(__file__).resolve().parent / "districts"
BUILD = DISTRICTS / "build_yunling.py"
TRUTH = DISTRICTS / "yunling_truth.csv"
KEY = ["township_code", "business_type", "category_code"]


# ------------------------------------------------------------------------------ the files
def test_rebuild_is_byte_identical(tmp_path: Path, yunling_dir: Path) -> None:
    out, truth = tmp_path / "yunling", tmp_path / "truth.csv"
    subprocess.run([sys.executable, str(BUILD), "--out", str(out), "--truth", str(truth)],
                   check=True, capture_output=True, cwd=tmp_path)
    built = sorted(p.name for p in out.iterdir())
    assert built == sorted(p.name for p in yunling_dir.iterdir())
    for name in built:
        assert (out / name).read_bytes() == (yunling_dir / name).read_bytes(), f"{name} differs"
    assert truth.read_bytes() == TRUTH.read_bytes()


def test_mixed_file_formats(yunling_dir: Path) -> None:
    assert not (yunling_dir / "establishments.csv").exists()
    header = next(openpyxl.load_workbook(yunling_dir / "establishments.xlsx", read_only=True)
                  .worksheets[0].iter_rows(max_row=1, values_only=True))
    assert "高德经度" in header and "主体编号" in header
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in header)  # every header is Chinese
    raw = (yunling_dir / "history.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gbk").startswith("抽样单编号,抽样日期,")
    for name in ("townships.csv", "results.csv", "business_types.csv", "categories.csv"):
        (yunling_dir / name).read_bytes().decode("utf-8")
    assert not (yunling_dir / "target_actuals.csv").exists()


def test_validate_passes_with_only_the_missing_locations_warned(yunling_dir: Path, capsys) -> None:
    assert main(["validate", str(yunling_dir)]) == 0
    assert "0 errors" in capsys.readouterr().out
    problems = validate_dataset(yunling_dir)
    # a column the schema does not know (yet) is an info, never a warning or an error
    problems = problems[problems["level"] != "info"]
    assert (problems["level"] == "warning").all(), problems.to_string()
    assert list(problems["row"]) == [71, 98, 104, 149]
    assert set(problems["column"]) == {"lon_wgs84"}


# ------------------------------------------------------------------------------ unlike Ouhai
def test_no_code_is_shared_with_ouhai(yunling, ouhai) -> None:
    for table, col in (("townships", "township_code"), ("business_types", "business_type"),
                       ("categories", "category_code"), ("establishments", "establishment_id"),
                       ("stations", "station_id"), ("officers", "officer_id"), ("labs", "lab_id")):
        mine, theirs = set(getattr(yunling, table)[col]), set(getattr(ouhai, table)[col])
        assert mine and not mine & theirs, table
    assert yunling.district_code == "530999" != ouhai.district_code
    assert str(yunling.reference_date) == "2026-05-31" and yunling.plan_year == 2026
    assert all(re.fullmatch(r"530999\d{6}", c) for c in yunling.townships["township_code"])
    assert all(re.fullmatch(r"YL2026-\d{4}", e) for e in yunling.establishments["establishment_id"])
    assert all(re.fullmatch(r"F\d\d", c) for c in yunling.categories["category_code"])


def test_geography_is_western_yunnan(yunling) -> None:
    town = yunling.townships
    minx, miny, maxx, maxy = town.total_bounds
    assert 99.9 <= minx and maxx <= 100.4 and 25.3 <= miny and maxy <= 25.8
    assert int((town.geometry.union_all().centroid.x + 180) // 6) + 1 == 47  # UTM zone 47N
    area = town.to_crs("EPSG:32647").area.to_numpy() / 1e6  # [km2]
    outline = yunling.district.to_crs("EPSG:32647").geometry.iloc[0]
    assert outline.geom_type == "Polygon" and not outline.interiors  # no gaps inside
    assert area.sum() == pytest.approx(outline.area / 1e6, rel=1e-6)  # the townships tile it
    for i, g in enumerate(town.geometry):
        assert g.geom_type == "Polygon" and g.is_valid
        assert len(g.exterior.coords) > 12  # irregular, not rectangles
        for h in town.geometry.iloc[i + 1:]:
            assert g.intersection(h).area < 1e-10
    assert sorted(town["area_type"]) == ["mountain", "mountain", "rural", "urban"]
    assert 175_000 <= yunling.residents <= 185_000
    est = yunling.establishments
    assert (est.loc[est["has_location"], "coord_source"] == "gcj02").all()
    assert (~est["has_location"]).sum() == 4
    labs = gpd.GeoSeries(gpd.points_from_xy(yunling.labs["lon_wgs84"], yunling.labs["lat_wgs84"]),
                         crs=4326).to_crs("EPSG:32647")
    lab_km = labs.distance(outline).to_numpy() / 1000
    assert ((lab_km > 0) & (lab_km < 30)).all()  # the prefecture city's lab, outside the county


def test_register_shape(yunling) -> None:
    est, bt = yunling.establishments, yunling.business_types
    assert 140 <= len(est) <= 160
    assert set(est["stage"]) == {"production", "distribution", "catering"}
    assert len(bt) >= 10 and set(est["business_type"]) == set(bt["business_type"])
    assert "roles" in bt.columns  # read by riskplan.roles (tests/test_district_rules.py)
    allowed = {"school canteen", "kindergarten canteen", "elderly canteen", "wet market",
               "wholesale market", "online seller", "central kitchen", "street vendor"}
    roles = {r for cell in bt["roles"].dropna() for r in cell.split(";")}
    assert roles == allowed
    assert set(bt.loc[bt["vulnerable"].astype(bool), "business_type"]) == {
        "SC-SCHOOL", "SC-KINDER", "SC-ELDER"}
    # a stratum with exactly one establishment: the only school canteen of 松林彝族乡
    songlin = est[(est["township_code"] == "530999203000") & (est["business_type"] == "SC-SCHOOL")]
    assert len(songlin) == 1
    strata = explode_categories(est).groupby(KEY).size()
    assert (strata == 1).any()
    assert 10 <= len(yunling.categories) <= 14
    assert set(explode_categories(est)["category_code"]) == set(yunling.categories["category_code"])
    assert yunling.categories.set_index("category_code").loc["F07", "name_zh"] == "野生菌"
    assert sorted(yunling.stations["teams"]) == [1, 2] and len(yunling.officers) == 10


def test_history_is_drawn_from_the_hidden_truth(yunling) -> None:
    truth = pd.read_csv(TRUTH, dtype={"township_code": str})
    strata = explode_categories(yunling.establishments).groupby(KEY).size().rename("n").reset_index()
    assert len(truth) == len(strata)
    assert (truth.merge(strata, on=KEY)["n"] == truth["n_establishments"]).all()
    hist = yunling.history.merge(yunling.establishments[["establishment_id", "township_code",
                                                         "business_type"]], on="establishment_id")
    assert set(hist["sample_date"].dt.year) == {2023, 2024, 2025} and 550 <= len(hist) <= 650
    joined = hist.merge(truth, on=KEY, how="left", validate="m:1")
    assert joined["true_rate"].notna().all()
    fails, p = (joined["result"] == "fail").sum(), joined["true_rate"].to_numpy()
    assert abs(fails - p.sum()) < 4 * math.sqrt((p * (1 - p)).sum())
    # seasonal and school-term sampling: wild mushrooms June-September, no canteen in summer
    both = pd.concat([yunling.history, yunling.results]).merge(
        yunling.establishments[["establishment_id", "business_type"]], on="establishment_id")
    months = both["sample_date"].dt.month
    assert months[both["category_code"] == "F07"].between(6, 9).all()
    school = both["business_type"].isin(["SC-SCHOOL", "SC-KINDER"])
    assert not months[school].isin([7, 8]).any()
    res = yunling.results["sample_date"]
    assert res.dt.year.eq(2026).all() and res.max() <= pd.Timestamp("2026-05-31")


# ------------------------------------------------------------------------------ the plan
def test_config_names_yunling_codes(yunling, yunling_config, yunling_config_path, yunling_dir,
                                    capsys) -> None:
    yunling_config.check_codes(yunling)
    assert main(["config", "--check", str(yunling_config_path), "--data", str(yunling_dir)]) == 0
    assert "OK" in capsys.readouterr().out
    assert yunling_config.allocation.school_business_types == ("SC-SCHOOL", "SC-KINDER")
    assert yunling_config.routing.school_day_types == ("SC-SCHOOL", "SC-KINDER")


@pytest.fixture(scope="module")
def june(yunling, yunling_config) -> PlanResult:
    """The plan for the default month (the month after 2026-05-31)."""
    return run_plan(yunling, yunling_config)


@pytest.fixture(scope="module")
def year(yunling, yunling_config) -> PlanResult:
    """The plan for every month of 2026."""
    return run_plan(yunling, yunling_config, list(range(1, 13)))


def _check_routes(result: PlanResult, dataset, config) -> pd.DataFrame:
    """Violations of the independent route checker, month by month."""
    found = []
    for m in result.months:
        visits = result.visits[(result.visits["month"] == m) & (result.visits["mode"] != "purchase")]
        ids = set(visits["visit_id"])
        plan = RoutePlan(result.stops[result.stops["visit_id"].isin(ids)],
                         result.routes[pd.to_datetime(result.routes["date"]).dt.month == m],
                         result.unassigned[result.unassigned["visit_id"].isin(ids)], True, {})
        cal = result.calendar[pd.to_datetime(result.calendar["date"]).dt.month == m]
        later = work_calendar(result.plan_year, m + 1, config.calendar) if m < 12 else None
        # samples the month before sends to the lab on this month's days count against its capacity
        r = result.routes
        spill = r[(pd.to_datetime(r["date"]).dt.month == m - 1) & (pd.to_datetime(r["lab_date"]).dt.month == m)]
        booked = spill.groupby(["lab_id", "lab_date"], as_index=False)["samples"].sum().rename(
            columns={"lab_date": "date"})
        found.append(check_plan(plan, visits.reset_index(drop=True), dataset.stations,
                                dataset.labs, cal, config.routing,
                                establishments=dataset.establishments,
                                townships=dataset.townships, later_calendar=later, lab_booked=booked))
    return pd.concat(found, ignore_index=True)


def _check_plan(result: PlanResult, dataset, config) -> None:
    rate = Fraction(repr(config.quota.rate_per_1000))
    assert result.quota == math.ceil(dataset.residents * rate / 1000) == 217
    assert int(result.allocation["samples"].sum()) == result.quota
    assert int(result.schedule["samples"].sum()) == result.quota
    acc = result.accounting()
    assert acc["visit_id"].is_unique and len(acc) == len(result.visits) > 0
    assert set(acc["outcome"]) <= {"routed", "unassigned", "purchase"}
    assert result.unassigned["reason"].astype(str).str.len().gt(0).all()
    assert set(result.purchases["business_type"]) <= {"WEB-SHOP"}
    assert (result.visits["mode"] == "purchase").sum() == len(result.purchases)
    problems = _check_routes(result, dataset, config)
    assert len(problems) == 0, problems.head().to_string()


def test_default_month_plan(june, yunling, yunling_config) -> None:
    assert june.months == [6]
    _check_plan(june, yunling, yunling_config)
    assert june.n_routed > 0 and set(june.stops["station_id"]) == set(yunling.stations["station_id"])


@pytest.mark.slow
def test_all_months_plan(year, yunling, yunling_config) -> None:
    assert year.months == list(range(1, 13))
    _check_plan(year, yunling, yunling_config)
    assert set(year.visits["month"]) <= set(range(1, 12))  # sampling is done by November
    # the city's lab: 12 samples a day, Monday to Thursday; every lab day within it, over the year
    lab = year.lab_days
    assert len(lab) and (lab["samples"] <= 12).all() and (lab["capacity"] == 12).all()
    assert set(pd.to_datetime(lab["date"]).dt.day_name()) <= {"Monday", "Tuesday", "Wednesday", "Thursday"}
    assert int(lab["samples"].sum()) == int(year.routes["samples"].sum())  # every sample on a lab day
    assert (pd.to_datetime(year.routes["lab_date"]) >= pd.to_datetime(year.routes["date"])).all()
    school = year.stops[year.stops["business_type"].isin(["SC-SCHOOL", "SC-KINDER"])]
    days = set(pd.to_datetime(year.calendar.loc[year.calendar["school_day"], "date"]))
    assert len(school) and pd.to_datetime(school["date"]).isin(days).all()


@pytest.mark.slow
def test_cli_plan_writes_a_complete_folder(yunling_dir, yunling_config_path, tmp_path,
                                           capsys) -> None:
    from riskplan.export.plan_folder import read_plan

    out = tmp_path / "plan"
    rc = main(["plan", "--data", str(yunling_dir), "--config", str(yunling_config_path),
               "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    folder = read_plan(out)
    visits = folder.tables["visits"]
    placed = pd.concat([folder.tables[t]["visit_id"] for t in ("stops", "unassigned", "purchases")
                        if t in folder.tables])
    assert sorted(placed) == sorted(visits["visit_id"])
    assert folder.manifest["months"] == ["2026-06"]
    assert np.isclose(folder.config.quota.rate_per_1000, 1.2)


def test_what_the_plan_can_detect(june, yunling) -> None:
    """detection.csv's table, the district's figures and the report's comparison, on Yunling."""
    det, alloc = june.detection, june.allocation
    assert len(det) == len(alloc) and int(det["samples"].sum()) == int(alloc["samples"].sum())
    assert det["surveillance_sensitivity"].between(0, 1).all()
    k = june.key_numbers()
    assert k["design_prevalence"] == 0.05 and 0 < k["district_sensitivity"] < 1
    assert k["expected_detections"] == pytest.approx(float(det["expected_found"].sum()), abs=1e-4)
    md = report_markdown(june, yunling, ["detection_comparison.png"], "yunling")
    assert "What the plan can detect" in md and "按人口 / by population" in md
    for code in yunling.townships["township_code"]:
        assert f"| {code} |" in md
