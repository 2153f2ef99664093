"""Excel-safe CSV: BOM, translated headers, IDs as text, formula-injection guard, read-back."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from riskplan.export import csvfile
from riskplan.export.headers import to_standard
from riskplan.export.plan_folder import read_table


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "establishment_id": ["OH-E00042", "OH-E00043"],
            "township_code": ["330304001", "030304001"],
            "licence_no": ["JY13303040012345", "12345678901234567890"],
            "name": ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0"],
            "address": ["-2+3", "@SUM(A1)"],
            "note": ["\tTAB", "\rCR"],
            "samples": [2, 3],
            "weight": [0.5, 1.0 / 3.0],
            "perishable": [True, False],
        }
    )


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_guard_prefixes_dangerous_cells(cell: str) -> None:
    assert csvfile.guard_cell(cell) == "'" + cell
    assert csvfile.unguard_cell(csvfile.guard_cell(cell)) == cell


def test_guard_leaves_safe_cells() -> None:
    for cell in ("abc", "瓯海区", "OH-E00042", "", "'quoted"):
        assert csvfile.guard_cell(cell) == cell


def test_bom_headers_zh_and_en(table: pd.DataFrame) -> None:
    zh = csvfile.to_csv_bytes(table, "zh")
    en = csvfile.to_csv_bytes(table, "en")
    assert zh.startswith(b"\xef\xbb\xbf") and en.startswith(b"\xef\xbb\xbf")
    assert zh.decode("utf-8-sig").splitlines()[0].startswith("主体编号,乡镇街道代码,许可证号")
    assert en.decode("utf-8-sig").splitlines()[0].startswith("Establishment ID,Township code,Licence no.")


def test_ids_stay_text_and_injection_is_guarded(table: pd.DataFrame) -> None:
    text = csvfile.to_csv_bytes(table, "en").decode("utf-8-sig")
    # number-like IDs in the ="..." form Excel shows as text (no lost zero, no 1.23E+19)
    assert '"=""330304001"""' in text
    assert '"=""030304001"""' in text
    assert '"=""12345678901234567890"""' in text
    assert "JY13303040012345" in text and '="JY' not in text
    for bad in ("=HYPERLINK", "+cmd", "-2+3", "@SUM", "\tTAB", "\rCR"):
        assert ("'" + bad) in text
    # numbers and booleans are not touched
    assert ",2," in text and "0.3333333333" in text and "true" in text


def test_read_back_standard_names(table: pd.DataFrame, tmp_path) -> None:
    for lang in ("zh", "en"):
        path = csvfile.write_csv(table, tmp_path / f"t_{lang}.csv", lang)
        back = read_table(path)
        assert list(back.columns)[:4] == ["establishment_id", "township_code", "licence_no", "name"]
        assert back["township_code"].tolist() == ["330304001", "030304001"]
        assert back["licence_no"].tolist()[1] == "12345678901234567890"
        assert back["name"].tolist() == table["name"].tolist()
        assert back["note"].tolist() == ["\tTAB", "\rCR"]
        assert back["samples"].tolist() == [2, 3]
        assert back["perishable"].tolist() == [True, False]


def test_to_standard_maps_both_languages() -> None:
    assert to_standard(["主体编号", "Arrival window", "unknown"]) == ["establishment_id", "arrival_window", "unknown"]


def test_each_cell_is_written_as_format_value_writes_it_alone() -> None:
    """Formatting each distinct value once keeps apart values that compare equal across types."""
    import datetime as dt

    import numpy as np

    mixed = [True, 1, 1.0, -0.0, "x", None, pd.NA, pd.Timestamp("2026-01-01"),
             dt.datetime(2026, 1, 1), dt.date(2026, 1, 1), np.nan, "0012", ["a", "b"], False, 0]
    df = pd.DataFrame({
        "mixed": pd.Series(mixed * 2, dtype=object),
        "township_code": pd.Series(["007", "=1", None] * 10, dtype="str")[:30],
        "samples": pd.array([1, None, 3] * 10, dtype="Int64"),
        "visits": np.arange(30, dtype=np.int64) - 3,
        "station_id": np.arange(30, dtype=np.int64),
        "share": [0.1, 1.0, -0.0, np.nan, 1e20, 2.5e-7, np.inf, 1e15, 999999999999999.0, 1 / 3] * 3,
    })
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [csvfile.format_value(v, id_column=c in ("township_code", "station_id")) for c, v in
         zip(df.columns, row)] for row in df.itertuples(index=False, name=None))
    text = csvfile.to_csv_bytes(df, "en").decode("utf-8-sig")
    assert text.split("\r\n", 1)[1] == buf.getvalue()  # cell by cell as format_value writes it
    lines = buf.getvalue().split("\r\n")
    assert [lines[i].split(",")[0] for i in (0, 1, 2, 13, 14, 7, 8)] == [
        "true", "1", "1", "false", "0", "2026-01-01", "2026-01-01T00:00:00"]
    assert lines[0].split(",")[-2:] == ['"=""0"""', "0.1"]  # an integer ID as Excel text


def test_times_are_hhmm() -> None:
    from riskplan.export.field import hhmm

    assert hhmm(857) == "14:17" and hhmm(600.4) == "10:00" and hhmm(float("nan")) == ""


# The published WGS-84 -> GCJ-02 transformation (Krasovsky 1940 ellipsoid, a = 6378245 m,
# ee = 0.00669342162296594323) and GCJ-02 -> BD-09 (x_pi = pi * 3000 / 180), written out here
# independently of prcoords.
def _gcj02(lon: float, lat: float) -> tuple[float, float]:
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * math.sqrt(magic)) * math.pi)
    dlon = (dlon * 180.0) / (a / math.sqrt(magic) * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def _bd09(lon: float, lat: float) -> tuple[float, float]:
    x_pi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * x_pi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


@pytest.mark.parametrize("lon, lat", [(120.6345, 28.0012), (100.388963, 25.531949), (116.397, 39.909)])
def test_navigation_links_convert_to_the_apps_datums(lon, lat) -> None:
    from urllib.parse import parse_qs, unquote, urlsplit

    from riskplan.export.navigation import amap_url, baidu_url

    name = "瓯海 A&B 店 #1"
    amap = urlsplit(amap_url(lon, lat, name))
    assert (amap.scheme, amap.netloc, amap.path) == ("https", "uri.amap.com", "/navigation")
    q = parse_qs(amap.query)
    assert q["mode"] == ["car"] and q["coordinate"] == ["gaode"] and q["callnative"] == ["1"]
    x, y, label = q["to"][0].split(",", 2)
    gx, gy = _gcj02(lon, lat)
    assert abs(float(x) - gx) < 2e-6 and abs(float(y) - gy) < 2e-6 and label == name
    assert abs(gx - lon) > 1e-4  # the offset is real: hundreds of metres
    baidu = baidu_url(lon, lat, name)
    assert baidu.startswith("https://api.map.baidu.com/direction?destination=latlng:")
    q = parse_qs(urlsplit(baidu).query)
    assert q["coord_type"] == ["bd09ll"] and q["mode"] == ["driving"] and q["output"] == ["html"]
    latlng, label = q["destination"][0].split("|")
    by, bx = (float(v) for v in latlng.removeprefix("latlng:").split(","))
    ex, ey = _bd09(*_gcj02(lon, lat))
    assert abs(bx - ex) < 2e-6 and abs(by - ey) < 2e-6 and unquote(label) == f"name:{name}"
    assert "%E7%93%AF" in baidu and " " not in baidu  # names percent-encoded
    assert amap_url(float("nan"), lat, name) == "" == baidu_url(lon, float("nan"), name)


def test_a_stop_without_coordinates_is_flagged_and_its_links_search_the_address(yunling) -> None:
    """Routed at its township's centre: flagged "navigate by address", links search the address."""
    from urllib.parse import unquote

    from riskplan.export.field import field_table

    est = yunling.establishments.iloc[:2]
    centre = (float(est["lon_wgs84"].iloc[1]) + 0.01, float(est["lat_wgs84"].iloc[1]) + 0.01)
    stops = pd.DataFrame({
        "station_id": [str(yunling.stations["station_id"].iloc[0])] * 2, "team": [1, 1],
        "date": ["2026-03-03"] * 2, "stop_order": [1, 2], "visit_id": ["V1", "V2"],
        "establishment_id": est["establishment_id"].astype(str).tolist(), "arrival": [540, 600],
        "lab_deadline": [960, 960], "window": ["", ""],
        "lon_wgs84": [float(est["lon_wgs84"].iloc[0]), centre[0]],
        "lat_wgs84": [float(est["lat_wgs84"].iloc[0]), centre[1]],
        "navigate_by_address": [False, True], "held_overnight": [False, True],
    })
    visits = pd.DataFrame({"visit_id": ["V1", "V2"], "categories_to_sample": ["", ""], "samples": [1, 2],
                           "units": [1, 1], "perishable": [False, True],
                           "township_code": est["township_code"].astype(str).tolist()})
    out = field_table(stops, visits, yunling, "en").set_index("visit_id")
    assert out["navigate_by_address"].tolist() == [False, True]
    assert out["held_overnight"].tolist() == [False, True]
    assert out.loc["V1", "amap_url"].startswith("https://uri.amap.com/navigation?to=")
    address = str(est["address"].iloc[1])
    amap, baidu = out.loc["V2", "amap_url"], out.loc["V2", "baidu_url"]
    assert amap.startswith("https://uri.amap.com/search?keyword=") and "navigation" not in amap
    assert baidu.startswith("https://api.map.baidu.com/geocoder?address=")
    assert unquote(amap.split("keyword=")[1].split("&")[0]) == address
    assert unquote(baidu.split("address=")[1].split("&")[0]) == address
