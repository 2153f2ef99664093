"""Readers: encodings, XLSX, column aliases, IDs as text, datums, optional tables, helpers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from broken_inputs.minidata import rows_of, write_mini, write_table

from riskplan.datasets import read_dataset
from riskplan.errors import ValidationError
from riskplan.io import COLUMN_ALIASES, read_table
from riskplan.schema import TABLES
from riskplan.tables import explode_categories, split_list, stratum_id
from riskplan.timeofday import parse_hhmm, split_windows


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return write_mini(tmp_path / "mini")


# --- encodings and formats -------------------------------------------------------------------


@pytest.mark.parametrize("table", ["establishments", "townships", "history"])
def test_utf8_bom_gbk_and_xlsx_load_identically(tmp_path: Path, table: str) -> None:
    rows = rows_of(table)
    frames = []
    for i, (encoding, suffix) in enumerate(
            [("utf-8", ".csv"), ("utf-8-sig", ".csv"), ("gbk", ".csv"), ("gb18030", ".csv"),
             ("utf-8", ".xlsx")]):
        folder = tmp_path / str(i)
        folder.mkdir()
        path = write_table(folder, table, rows, encoding=encoding, suffix=suffix)
        if encoding == "utf-8-sig":
            assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        frames.append(read_table(path, table))
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)


def test_gbk_really_is_not_utf8(tmp_path: Path) -> None:
    path = write_table(tmp_path, "townships", rows_of("townships"), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert list(read_table(path, "townships")["name_zh"]) == ["西街道", "东镇"]


def test_ids_with_leading_zeros_stay_text(mini: Path) -> None:
    ds = read_dataset(mini)
    est = ds.establishments
    assert est["establishment_id"].iloc[0] == "0042"
    assert est["licence_no"].iloc[0] == "00123"
    assert ds.history["establishment_id"].iloc[0] == "0042"
    for df, col in [(est, "township_code"), (ds.townships, "township_code"),
                    (ds.stations, "station_id"), (ds.officers, "officer_id")]:
        assert pd.api.types.is_string_dtype(df[col]), col


def test_xlsx_numeric_looking_ids_stay_text(tmp_path: Path) -> None:
    rows = rows_of("establishments")
    path = write_table(tmp_path, "establishments", rows, suffix=".xlsx")
    est = read_table(path, "establishments")
    assert est["establishment_id"].iloc[0] == "0042"
    assert est["licence_no"].iloc[0] == "00123"


def test_types_after_reading(mini: Path) -> None:
    ds = read_dataset(mini)
    assert ds.townships["population"].dtype == np.int64
    assert ds.townships["population"].sum() == 100_000
    assert ds.history["sample_date"].dtype == "datetime64[ns]"
    assert ds.categories["perishable"].dtype == bool
    assert ds.business_types["vulnerable"].tolist() == [False, False, False, True]
    assert ds.stations["teams"].tolist() == [2, 1]
    assert ds.establishments["daily_customers"].dtype == "Int64"
    assert ds.reference_date.isoformat() == "2026-06-30" and ds.plan_year == 2026


def test_booleans_accept_variants(tmp_path: Path) -> None:
    rows = rows_of("categories")
    for r, v in zip(rows, ["是", "0", "YES"]):
        r["perishable"] = v
    cats = read_table(write_table(tmp_path, "categories", rows), "categories")
    assert cats["perishable"].tolist() == [True, False, True]


# --- column names ----------------------------------------------------------------------------


def test_chinese_headers_map_to_standard_names(tmp_path: Path) -> None:
    zh = {"establishment_id": "主体编号", "name": "名称", "address": "经营地址",
          "township_code": "乡镇代码", "stage": "环节", "business_type": "业态",
          "categories": "经营类别", "risk_grade": "风险等级", "opening_hours": "营业时间",
          "licence_no": "许可证编号", "lon_wgs84": "经度", "lat_wgs84": "纬度",
          "daily_customers": "日均客流"}
    rows = [{zh[k]: v for k, v in r.items()} for r in rows_of("establishments")]
    rows[0]["环节"] = "餐饮"  # coded values in Chinese are accepted too
    est = read_table(write_table(tmp_path, "establishments", rows), "establishments")
    expected = read_table(write_table(tmp_path, "establishments", rows_of("establishments")),
                          "establishments")
    pd.testing.assert_frame_equal(est, expected)


def test_bilingual_headers_are_read_by_the_name_in_brackets(tmp_path: Path) -> None:
    # what `riskplan template` writes: 中文(standard_name); full-width brackets and a space too
    labels = {"establishment_id": "编号(establishment_id)", "name": "名称（name）",
              "township_code": "所在地 (township_code)", "lon_wgs84": "经度(lon_wgs84)",
              "risk_grade": "等级(grade)"}  # an alias in brackets works as well
    rows = [{labels.get(k, k): v for k, v in r.items()} for r in rows_of("establishments")]
    est = read_table(write_table(tmp_path, "establishments", rows), "establishments")
    expected = read_table(write_table(tmp_path, "establishments", rows_of("establishments")),
                          "establishments")
    pd.testing.assert_frame_equal(est, expected)


def test_name_alias_depends_on_table(tmp_path: Path) -> None:
    rows = [{("名称" if k == "name_zh" else k): v for k, v in r.items()}
            for r in rows_of("townships")]
    town = read_table(write_table(tmp_path, "townships", rows), "townships")
    assert town["name_zh"].tolist() == ["西街道", "东镇"]


def test_every_alias_targets_a_schema_column() -> None:
    standard = {c.name for t in TABLES.values() for c in t.columns}
    standard |= {"lon_gcj02", "lat_gcj02", "lon_bd09", "lat_bd09"}
    for alias, target in COLUMN_ALIASES.items():
        for t in (target if isinstance(target, tuple) else (target,)):
            assert t in standard, (alias, t)


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    rows = rows_of("officers")
    for r in rows:
        r["phone"] = "0577-1234"
    off = read_table(write_table(tmp_path, "officers", rows), "officers")
    assert off["phone"].tolist() == ["0577-1234"] * 3


# --- coordinates -----------------------------------------------------------------------------

_A, _EE = 6378245.0, 0.00669342162296594323


def _wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    """The published GCJ-02 forward transform (eviltransform), independent of prcoords."""
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * math.sqrt(magic)) * math.pi)
    dlon = (dlon * 180.0) / (_A / math.sqrt(magic) * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    k = 111_320.0
    return math.hypot((lon1 - lon2) * k * math.cos(math.radians(lat1)), (lat1 - lat2) * k)


def test_gcj02_known_pair() -> None:
    # Reference pair from the published algorithm: WGS-84 (120.55, 27.97) near Ouhai shifts by
    # roughly 480 m to the north-east in GCJ-02.
    glon, glat = _wgs_to_gcj(120.55, 27.97)
    assert 300 < _metres(120.55, 27.97, glon, glat) < 700


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_gcj02_and_bd09_inputs_convert_to_wgs84(tmp_path: Path, datum: str) -> None:
    rows = rows_of("establishments")
    truth = []
    for r in rows:
        lon, lat = r.pop("lon_wgs84"), r.pop("lat_wgs84")
        if lon:
            truth.append((float(lon), float(lat)))
            g = _wgs_to_gcj(float(lon), float(lat))
            if datum == "bd09":  # the published GCJ-02 -> BD-09 step
                z = math.hypot(g[0], g[1]) + 0.00002 * math.sin(g[1] * math.pi * 3000 / 180)
                th = math.atan2(g[1], g[0]) + 0.000003 * math.cos(g[0] * math.pi * 3000 / 180)
                g = (z * math.cos(th) + 0.0065, z * math.sin(th) + 0.006)
            r[f"lon_{datum}"], r[f"lat_{datum}"] = f"{g[0]:.7f}", f"{g[1]:.7f}"
        else:
            truth.append((math.nan, math.nan))
            r[f"lon_{datum}"] = r[f"lat_{datum}"] = ""
    est = read_table(write_table(tmp_path, "establishments", rows), "establishments")
    for (lon, lat), got_lon, got_lat, src in zip(truth, est["lon_wgs84"], est["lat_wgs84"],
                                                 est["coord_source"]):
        if math.isnan(lon):
            assert math.isnan(got_lon) and pd.isna(src)
        else:
            assert _metres(lon, lat, got_lon, got_lat) < 3.0
            assert src == datum


def test_datum_column_says_which_rows_are_gcj02_or_bd09(tmp_path: Path) -> None:
    # one pair of lon/lat columns (经度/纬度) and a 坐标系 column per row, as a template has
    rows = rows_of("establishments")
    truth = [(float(r["lon_wgs84"]), float(r["lat_wgs84"])) for r in rows[:4]]
    datums = ["", "高德", "百度", "wgs84"]
    for r, (lon, lat), datum in zip(rows, truth, datums):
        g = _wgs_to_gcj(lon, lat)
        if datum == "百度":
            z = math.hypot(g[0], g[1]) + 0.00002 * math.sin(g[1] * math.pi * 3000 / 180)
            th = math.atan2(g[1], g[0]) + 0.000003 * math.cos(g[0] * math.pi * 3000 / 180)
            g = (z * math.cos(th) + 0.0065, z * math.sin(th) + 0.006)
        if datum in ("高德", "百度"):
            r["lon_wgs84"], r["lat_wgs84"] = f"{g[0]:.7f}", f"{g[1]:.7f}"
        r["坐标系"] = datum
    rows[4]["坐标系"] = "gcj02"  # no coordinates: stays without a location
    rows = [{{"lon_wgs84": "经度", "lat_wgs84": "纬度"}.get(k, k): v for k, v in r.items()}
            for r in rows]
    est = read_table(write_table(tmp_path, "establishments", rows), "establishments")
    assert est["coord_source"].tolist()[:4] == ["wgs84", "gcj02", "bd09", "wgs84"]
    assert est["coord_datum"].tolist()[1:4] == ["gcj02", "bd09", "wgs84"]
    for (lon, lat), got_lon, got_lat in zip(truth, est["lon_wgs84"], est["lat_wgs84"]):
        assert _metres(lon, lat, got_lon, got_lat) < 3.0
    assert est["lon_wgs84"].iloc[0] == truth[0][0]  # WGS-84 rows are not shifted
    assert not est["has_location"].iloc[4] and pd.isna(est["coord_source"].iloc[4])


def test_wgs84_rows_are_not_shifted(mini: Path) -> None:
    est = read_dataset(mini).establishments
    assert est["lon_wgs84"].iloc[0] == 120.55 and est["lat_wgs84"].iloc[0] == 27.97
    assert est["coord_source"].iloc[0] == "wgs84"


def test_establishment_without_coordinates_is_kept(mini: Path) -> None:
    est = read_dataset(mini).establishments
    assert len(est) == 5
    assert est["has_location"].tolist() == [True, True, True, True, False]
    assert est.loc[4, "establishment_id"] == "OH-E00005"


# --- folders ---------------------------------------------------------------------------------


def test_optional_tables_may_be_missing(tmp_path: Path) -> None:
    folder = write_mini(tmp_path / "m", skip=("results", "complaints", "target_actuals"))
    ds = read_dataset(folder)
    for name in ("results", "complaints", "target_actuals"):
        df = getattr(ds, name)
        assert len(df) == 0
        assert list(df.columns)[: len(TABLES[name].columns)] == list(TABLES[name].column_names)
    assert ds.results["sample_date"].dtype == "datetime64[ns]"


def test_any_table_may_be_xlsx(tmp_path: Path) -> None:
    folder = write_mini(tmp_path / "m")
    expected = read_dataset(folder)
    for name in ("townships", "establishments", "history"):
        (folder / f"{name}.csv").unlink()
        write_table(folder, name, rows_of(name), suffix=".xlsx")
    ds = read_dataset(folder)
    pd.testing.assert_frame_equal(ds.establishments, expected.establishments)
    pd.testing.assert_frame_equal(ds.history, expected.history)
    assert ds.metadata["files"]["townships"] == "townships.xlsx"


def test_townships_geodataframe_and_description(mini: Path) -> None:
    ds = read_dataset(mini)
    assert ds.townships.crs.to_epsg() == 4326
    assert ds.townships.geometry.notna().all()
    assert ds.district is not None and len(ds.district) == 1
    assert "made up for tests" in ds.description
    assert "establishments (5 rows) [SYNTHETIC]" in ds.description


def test_missing_centroid_taken_from_polygon(tmp_path: Path) -> None:
    folder = write_mini(tmp_path / "m")
    rows = rows_of("townships")
    for r in rows:
        r.pop("centroid_lon_wgs84"), r.pop("centroid_lat_wgs84")
    write_table(folder, "townships", rows)
    town = read_dataset(folder).townships
    assert 120.5 < town["centroid_lon_wgs84"].iloc[0] < 120.6


def test_read_table_raises_validation_error_not_pandas(tmp_path: Path) -> None:
    rows = rows_of("townships")
    rows[0]["population"] = "lots"
    with pytest.raises(ValidationError) as info:
        read_table(write_table(tmp_path, "townships", rows), "townships")
    assert info.value.problems["row"].tolist() == [1]
    assert "not a whole number" in str(info.value)


def test_missing_folder_is_a_clean_error(tmp_path: Path) -> None:
    from riskplan.errors import RiskplanError

    with pytest.raises(RiskplanError, match="not found"):
        read_dataset(tmp_path / "nope")


# --- helpers ---------------------------------------------------------------------------------


def test_split_list() -> None:
    s = pd.Series(["C31;C34;C35", "C01", None, " C02 ; C03 ;", "C04；C05"])
    assert split_list(s).tolist() == [["C31", "C34", "C35"], ["C01"], [], ["C02", "C03"],
                                      ["C04", "C05"]]


def test_explode_categories_and_stratum_id(mini: Path) -> None:
    est = read_dataset(mini).establishments
    long = explode_categories(est)
    assert len(long) == sum(len(x) for x in split_list(est["categories"])) == 7
    assert long[["establishment_id", "category_code"]].iloc[:2].values.tolist() == [
        ["0042", "C31"], ["0042", "C20"]]
    assert {"township_code", "business_type", "risk_grade"} <= set(long.columns)
    assert stratum_id(long).iloc[0] == "330304001|C-SCHOOL|C31"


def test_split_list_gives_each_row_its_own_list() -> None:
    s = pd.Series([" C1 ；C2;;", None, "C1;C2", "", "C1;C2", 7], dtype=object)
    lists = split_list(s)
    assert lists.tolist() == [["C1", "C2"], [], ["C1", "C2"], [], ["C1", "C2"], ["7"]]
    lists[2].append("X")  # a repeated text is split once, but not shared
    assert lists[4] == ["C1", "C2"]
    est = pd.DataFrame({"establishment_id": ["a", "b", "c"], "categories": ["C1;C2", "", "C3"]},
                       index=[5, 6, 7])
    long = explode_categories(est)
    assert long.to_dict("list") == {"establishment_id": ["a", "a", "c"],
                                    "categories": ["C1;C2", "C1;C2", "C3"],
                                    "category_code": ["C1", "C2", "C3"]}
    assert long.index.tolist() == [0, 1, 2] and long["category_code"].dtype == "str"


def test_times_and_windows() -> None:
    assert parse_hhmm("05:30") == 330
    assert parse_hhmm("24:00") == 1440
    for bad in ("25:00", "7", "12:60", "24:30", "ab:cd"):
        with pytest.raises(ValueError):
            parse_hhmm(bad)
    assert split_windows("05:30-09:00;14:00-17:00") == [(330, 540), (840, 1020)]
    assert split_windows("00:00-07:00;22:00-23:59") == [(0, 420), (1320, 1439)]


def test_parsed_windows_are_the_callers_own() -> None:
    """Each text is parsed once, but every call gets its own list and a bad text fails every time."""
    from riskplan.timeofday import parse_windows

    first = parse_windows("14:00-17:00;05:30-09:00")
    first.append((0, 1))
    split_windows("05:30-09:00").clear()
    assert parse_windows("14:00-17:00;05:30-09:00") == [(330, 540), (840, 1020)]
    assert split_windows("05:30-09:00") == [(330, 540)]
    assert parse_windows(["05:30-09:00", "08:00-10:00"]) == [(330, 600)]
    for _ in range(2):
        with pytest.raises(ValueError, match="ends before it starts: 10:00-09:00"):
            parse_windows(["05:30-06:00", "10:00-09:00"])
        with pytest.raises(ValueError, match="not a time of day"):
            parse_hhmm("25:00")


# --- the embedded dataset --------------------------------------------------------------------


def test_embedded_dataset_loads(ouhai) -> None:
    assert len(ouhai.townships) == 13
    assert ouhai.residents == 963_238
    assert ouhai.townships.crs.to_epsg() == 4326
    assert ouhai.establishments["establishment_id"].is_unique
    assert pd.api.types.is_string_dtype(ouhai.townships["township_code"])
    assert ouhai.reference_date.isoformat() == "2026-06-30"
    assert "SYNTHETIC" in ouhai.description


def test_blank_rows_are_skipped_in_xlsx_as_in_csv(tmp_path: Path) -> None:
    import openpyxl

    rows = rows_of("establishments")
    path = write_table(tmp_path, "establishments", rows, suffix=".xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.insert_rows(3)  # a blank row between two data rows
    wb.save(path)
    est = read_table(path, "establishments")  # raises on a row of missing values
    (tmp_path / "csv").mkdir()
    csv_est = read_table(write_table(tmp_path / "csv", "establishments", rows), "establishments")
    assert len(est) == len(csv_est) == len(rows)
    assert list(est["establishment_id"]) == list(csv_est["establishment_id"])
