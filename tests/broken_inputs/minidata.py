"""A tiny valid district dataset written as files, for the io / validation / CLI tests.

Two townships side by side inside a 0.2 x 0.15 degree square near Wenzhou, every table of
docs/contracts.md with a handful of rows. Tests copy it into ``tmp_path`` and break one thing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

W, E, S, N, MID = 120.50, 120.70, 27.90, 28.05, 120.60

TOML = """\
name = "Mini District (迷你区)"
district_code = "330304"
reference_date = 2026-06-30
plan_year = 2026
population_year = 2020
synthetic = ["establishments", "stations", "officers", "labs", "history", "results", "complaints"]

[provenance]
townships = "made up for tests"
establishments = "made up for tests"
"""

TABLES: dict[str, list[dict[str, str]]] = {
    "townships": [
        dict(township_code="330304001", name_zh="西街道", name_en="West", kind="subdistrict",
             population="60000", population_source="census", area_type="urban",
             centroid_lon_wgs84="120.55", centroid_lat_wgs84="27.975"),
        dict(township_code="330304108", name_zh="东镇", name_en="East", kind="town",
             population="40000", population_source="estimate", area_type="rural",
             centroid_lon_wgs84="120.65", centroid_lat_wgs84="27.975"),
    ],
    "establishments": [
        dict(establishment_id="0042", name="西街小学食堂", address="西街1号",
             township_code="330304001", stage="catering", business_type="C-SCHOOL",
             categories="C31;C20", risk_grade="B", opening_hours="07:00-17:00",
             licence_no="00123", lon_wgs84="120.55", lat_wgs84="27.97", daily_customers="800"),
        dict(establishment_id="OH-E00002", name="东镇菜市场", address="东镇2号",
             township_code="330304108", stage="distribution", business_type="D-WETMARKET",
             categories="C20", risk_grade="C", opening_hours="05:30-09:00;14:00-17:00",
             licence_no="JY13303040000002", lon_wgs84="120.65", lat_wgs84="27.98",
             daily_customers=""),
        dict(establishment_id="OH-E00003", name="西街食品厂", address="西街3号",
             township_code="330304001", stage="production", business_type="P-FACTORY",
             categories="C01", risk_grade="A", opening_hours="08:00-17:00",
             licence_no="SC10133030400003", lon_wgs84="120.52", lat_wgs84="27.95",
             daily_customers=""),
        dict(establishment_id="OH-E00004", name="东镇饭店", address="东镇4号",
             township_code="330304108", stage="catering", business_type="C-RESTAURANT",
             categories="C31", risk_grade="D", opening_hours="10:00-14:00;16:30-21:00",
             licence_no="JY23303040000004", lon_wgs84="120.68", lat_wgs84="28.02",
             daily_customers="150"),
        dict(establishment_id="OH-E00005", name="无坐标小吃店", address="",
             township_code="330304108", stage="catering", business_type="C-RESTAURANT",
             categories="C31;C01", risk_grade="A", opening_hours="06:00-20:00",
             licence_no="", lon_wgs84="", lat_wgs84="", daily_customers="40"),
    ],
    "stations": [
        dict(station_id="S1", name="西所", township_codes="330304001", lon_wgs84="120.56",
             lat_wgs84="27.99", teams="2"),
        dict(station_id="S2", name="东所", township_codes="330304108", lon_wgs84="120.64",
             lat_wgs84="27.96", teams="1"),
    ],
    "officers": [
        dict(officer_id="P001", name="张三", station_id="S1"),
        dict(officer_id="P002", name="李四", station_id="S1"),
        dict(officer_id="P003", name="王五", station_id="S2"),
    ],
    "labs": [
        dict(lab_id="L1", name="市检验院", lon_wgs84="120.72", lat_wgs84="28.00",
             intake_open="08:00", intake_cutoff="16:30"),
    ],
    "history": [
        dict(sample_id="H0001", sample_date="2024-03-05", establishment_id="0042",
             category_code="C31", result="pass", hazard="", followup_status="not_required",
             followup_date="", programme="risk_monitoring"),
        dict(sample_id="H0002", sample_date="2024-07-11", establishment_id="OH-E00002",
             category_code="C20", result="fail", hazard="农药残留", followup_status="done",
             followup_date="2024-07-30", programme="supervision"),
        dict(sample_id="H0003", sample_date="2025-05-20", establishment_id="OH-E00003",
             category_code="C01", result="pass", hazard="", followup_status="not_required",
             followup_date="", programme="risk_monitoring"),
        dict(sample_id="H0004", sample_date="2025-09-02", establishment_id="OH-E00004",
             category_code="C31", result="fail", hazard="微生物污染", followup_status="pending",
             followup_date="", programme="risk_monitoring"),
    ],
    "results": [
        dict(sample_id="R0001", sample_date="2026-03-10", establishment_id="OH-E00004",
             category_code="C31", result="pass", hazard="", followup_status="not_required",
             followup_date="", programme="risk_monitoring"),
    ],
    "complaints": [
        dict(complaint_id="T001", date="2025-11-02", establishment_id="OH-E00004",
             township_code="330304108", category_code="C31", kind="变质"),
        dict(complaint_id="T002", date="2026-01-15", establishment_id="",
             township_code="330304001", category_code="", kind="无证经营"),
    ],
    "categories": [
        dict(category_code="C01", name_zh="粮食加工品", name_en="Cereal products",
             group="processed", classic_33_category="粮食加工品", hazard_severity="2",
             perishable="false", cost_yuan="600", units_per_sample="3"),
        dict(category_code="C20", name_zh="蔬菜", name_en="Vegetables", group="agricultural",
             classic_33_category="食用农产品", hazard_severity="3", perishable="true",
             cost_yuan="450", units_per_sample="3"),
        dict(category_code="C31", name_zh="餐饮食品", name_en="Catering food", group="catering",
             classic_33_category="餐饮食品", hazard_severity="4", perishable="true",
             cost_yuan="500", units_per_sample="3"),
    ],
    "business_types": [
        dict(business_type="P-FACTORY", stage="production", name_zh="食品生产企业",
             name_en="Food factory", vulnerable="false", note=""),
        dict(business_type="D-WETMARKET", stage="distribution", name_zh="农贸市场",
             name_en="Wet market", vulnerable="false", note="early morning"),
        dict(business_type="C-RESTAURANT", stage="catering", name_zh="餐馆",
             name_en="Restaurant", vulnerable="false", note=""),
        dict(business_type="C-SCHOOL", stage="catering", name_zh="学校食堂",
             name_en="School canteen", vulnerable="true", note="school days only"),
    ],
    "creation_targets": [
        dict(target_id="T01", indicator_zh="抽检量", indicator_en="samples per 1,000 residents",
             comparator=">=", target="4", unit="per 1000", deadline="", lead_department="市场监管局"),
    ],
    "target_actuals": [
        dict(target_id="T01", scope="district", actual="4.2", as_of="2026-06-30", note="例"),
    ],
}


def _square(w: float, s: float, e: float, n: float) -> list:
    return [[[w, s], [e, s], [e, n], [w, n], [w, s]]]


def townships_geojson() -> dict:
    feats = []
    for code, (w, e) in (("330304001", (W, MID)), ("330304108", (MID, E))):
        feats.append({"type": "Feature",
                      "properties": {"township_code": code, "approximate": True},
                      "geometry": {"type": "Polygon", "coordinates": _square(w, S, e, N)}})
    return {"type": "FeatureCollection", "features": feats}


def district_geojson() -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Mini"},
         "geometry": {"type": "Polygon", "coordinates": _square(W, S, E, N)}}]}


def write_table(folder: Path, name: str, rows: list[dict[str, str]], encoding: str = "utf-8",
                suffix: str = ".csv") -> Path:
    """Write rows as ``<name><suffix>`` (CSV in ``encoding``, or XLSX with every cell as text)."""
    path = folder / f"{name}{suffix}"
    header = list(rows[0]) if rows else list(TABLES[name][0])
    if suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for r in rows:
            ws.append([r.get(h, "") or None for h in header])
        wb.save(path)
        return path
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return path


def write_mini(folder: Path, skip: tuple[str, ...] = ()) -> Path:
    """Write the valid mini dataset into ``folder`` (created) and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.toml").write_text(TOML, encoding="utf-8")
    (folder / "townships.geojson").write_text(json.dumps(townships_geojson()), encoding="utf-8")
    (folder / "district.geojson").write_text(json.dumps(district_geojson()), encoding="utf-8")
    for name, rows in TABLES.items():
        if name not in skip:
            write_table(folder, name, rows)
    return folder


def rows_of(name: str) -> list[dict[str, str]]:
    """A deep copy of the mini rows of table ``name``."""
    return [dict(r) for r in TABLES[name]]
