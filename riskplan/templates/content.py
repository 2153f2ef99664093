"""What a template holds, derived from the table registry and the column aliases.

For every table of :data:`riskplan.schema.TABLES`: the bilingual header of each column
(``中文(standard_name)``, the Chinese from :data:`riskplan.io.aliases.COLUMN_ALIASES`), one example
row, the values a drop-down offers (the allowed values and the Chinese spellings the reader
accepts), the code lists a column refers to, and the explanation of each column in Chinese. The
example rows of all tables fit together: read as a folder they form a valid one-township dataset.
"""

from __future__ import annotations

import re
from typing import Any

from riskplan.io.aliases import COLUMN_ALIASES, VALUE_ALIASES
from riskplan.schema import COORD_PAIRS, TABLES, Column, Table
from riskplan.templates.labels import (
    COLUMN_ZH,
    DTYPE_ZH,
    HEADER_ZH,
    TABLE_ZH,
    UNIT_ZH,
    VALUE_ZH,
)

__all__ = ["header_zh", "header", "example_row", "choices", "reference", "guide_rows",
           "GUIDE_COLUMNS", "LIST_REFERENCES", "BOOL_CHOICES"]

_CJK = re.compile(r"[\u4e00-\u9fff]")

BOOL_CHOICES: tuple[str, ...] = ("true", "false", "是", "否")
"""What a boolean column's drop-down offers (the reader accepts more, see riskplan.tables)."""

LIST_REFERENCES: dict[str, str] = {"categories": "categories", "township_codes": "townships"}
"""``;``-list columns -> the table whose codes they list (no drop-down: a list is free text)."""

_EXAMPLES: dict[str, dict[str, Any]] = {
    "townships": dict(township_code="123456001", name_zh="示例街道", name_en="Shili Subdistrict",
                      kind="subdistrict", population=52000, population_source="census",
                      area_type="urban", centroid_lon_wgs84=120.1, centroid_lat_wgs84=30.1),
    "establishments": dict(establishment_id="EX-0001", name="示例饭店", address="示例路 1 号",
                           township_code="123456001", stage="catering", business_type="C-REST",
                           categories="C01", risk_grade="B", opening_hours="10:00-14:00;16:30-21:00",
                           licence_no="JY13300000000001", lon_wgs84=120.1052,
                           lat_wgs84=30.0987, coord_datum="wgs84", daily_customers=150),
    "stations": dict(station_id="S01", name="示例市场监管所", township_codes="123456001",
                     lon_wgs84=120.0921, lat_wgs84=30.1043, coord_datum="wgs84", teams=2),
    "officers": dict(officer_id="P001", name="张三（示例）", station_id="S01"),
    "labs": dict(lab_id="L01", name="示例检验检测中心", lon_wgs84=120.1315, lat_wgs84=30.1120,
                 coord_datum="wgs84", intake_open="08:00", intake_cutoff="16:30",
                 address="示例路 9 号", capacity_per_day=40, working_days="mon;tue;wed;thu;fri"),
    "history": dict(sample_id="H2025-0001", sample_date="2025-05-20", establishment_id="EX-0001",
                    category_code="C01", result="fail", hazard="微生物污染", followup_status="done",
                    followup_date="2025-06-10", programme="supervision",
                    result_received_date="2025-06-03", notified_date="2025-06-05", retest="",
                    case_filed_date="", case_closed_date=""),
    "results": dict(sample_id="R2026-0001", sample_date="2026-03-10", establishment_id="EX-0001",
                    category_code="C01", result="pass", hazard="", followup_status="not_required",
                    followup_date="", programme="risk_monitoring",
                    result_received_date="2026-03-28", notified_date="", retest="",
                    case_filed_date="", case_closed_date=""),
    "complaints": dict(complaint_id="T0001", date="2026-01-15", establishment_id="EX-0001",
                       township_code="123456001", category_code="C01", kind="异物"),
    "categories": dict(category_code="C01", name_zh="餐饮食品（示例）", name_en="Catering food",
                       group="catering", classic_33_category="餐饮食品", hazard_severity=4,
                       perishable="true", cost_yuan=500, units_per_sample=3),
    "business_types": dict(business_type="C-REST", stage="catering", name_zh="餐馆（示例）",
                           name_en="Restaurant", vulnerable="false", note=""),
    "creation_targets": dict(target_id="T01", indicator_zh="示例：风险监测抽样量（批次/千人）",
                             indicator_en="Example: risk-monitoring samples per 1,000 residents",
                             comparator=">=", target=1.0, unit="批次/千人", deadline="2026-12-31",
                             lead_department="区市场监管局", seed_section="示例"),
    "target_actuals": dict(target_id="T01", scope="district", actual=4.2, as_of="2026-06-30",
                           note="示例"),
    "population": dict(year=2025, residents=123456, source="示例：统计公报"),
    "higher_level": dict(programme="示例national_2026", level="national", township_code="123456001",
                         business_type="C-REST", category_code="C01", month=5, samples=2),
    "inspections": dict(establishment_id="EX-0001", date="2026-03-02", programme="term_start",
                        outcome="合格", note="示例：开学季检查"),
}
"""Example row of each table (the dates fit a dataset frozen at 2026-06-30 for plan year 2026).
Each carries ``示例`` or ``EX-`` in a text cell, so a real row is never taken for an example."""


def header_zh(table: str, column: str) -> str:
    """The Chinese header of ``column`` in ``table`` ('' when no Chinese alias maps to it).

    :data:`riskplan.templates.labels.HEADER_ZH` where it names one, else the first Chinese alias of
    :data:`riskplan.io.aliases.COLUMN_ALIASES` that the reader maps to this column in this table.
    """
    preferred = HEADER_ZH.get(table, {}).get(column)
    if preferred is not None:
        return preferred
    known = set(TABLES[table].column_names) | {c for _, lon, lat in COORD_PAIRS for c in (lon, lat)}
    for alias, target in COLUMN_ALIASES.items():
        if not _CJK.search(alias):
            continue
        hit = (next((t for t in target if t in known), None) if isinstance(target, tuple)
               else target)
        if hit == column:
            return alias
    return ""


def header(table: str, column: str) -> str:
    """The template header ``中文(standard_name)`` (the reader takes the name in brackets)."""
    zh = header_zh(table, column)
    return f"{zh}({column})" if zh else column


def _fallback(col: Column) -> Any:
    """An example value for a column without one in :data:`_EXAMPLES` (a new schema column)."""
    if col.allowed:
        return col.allowed[0]
    if col.nullable or not col.required:
        return ""
    low = 1.0 if col.min is None else col.min + (1.0 if col.min_exclusive else 0.0)
    return {"bool": "false", "int": int(max(low, 1.0)), "float": max(low, 1.0),
            "date": "2026-01-01", "time": "08:00", "windows": "08:00-17:00"}.get(col.dtype, "示例")


def example_row(table: str) -> dict[str, Any]:
    """The example row of ``table``: standard column name -> value (text, number or '')."""
    given = _EXAMPLES.get(table, {})
    return {c.name: given[c.name] if c.name in given else _fallback(c) for c in TABLES[table]}


def choices(column: Column) -> tuple[str, ...]:
    """Values a drop-down offers for ``column``: allowed values, then Chinese spellings read as one.

    Empty for a column without a fixed list (free text, numbers, dates, codes of another table).
    """
    if column.dtype == "bool":
        return BOOL_CHOICES
    if not column.allowed:
        return ()
    aliases = VALUE_ALIASES.get(column.name, {})
    zh = [a for a, v in aliases.items() if v in column.allowed and _CJK.search(a)]
    return tuple(column.allowed) + tuple(zh)


def reference(table: str, column: str) -> str | None:
    """The table whose codes ``column`` of ``table`` takes (its key column has this name), or None.

    ``;``-list columns are not references (see :data:`LIST_REFERENCES`).
    """
    for other in TABLES.values():
        if other.name != table and other.key == column and TABLES[table].key != column:
            return other.name
    return None


def _required_zh(col: Column) -> str:
    if not col.required:
        return "选填"
    return "必填列，可留空" if col.nullable else "必填"


def _allowed_zh(table: Table, col: Column) -> str:
    """Allowed values, range or referenced codes of a column, in Chinese."""
    if col.dtype == "bool":
        return "true/是 或 false/否（也可填 1/0、yes/no）"
    if col.allowed:
        meaning = VALUE_ZH.get(col.name, {})
        parts = [f"{v}（{meaning[v]}）" if v in meaning else v for v in col.allowed]
        extra = [a for a in choices(col) if a not in col.allowed]
        text = "、".join(parts)
        return text + (f"；也可填 {'、'.join(extra)}" if extra else "")
    ref = reference(table.name, col.name)
    if ref is not None:
        return f"{TABLE_ZH[ref][0]}表中的 {TABLES[ref].key}（下拉选择，见“代码表”）"
    if col.name in LIST_REFERENCES:
        ref = LIST_REFERENCES[col.name]
        return f"{TABLE_ZH[ref][0]}表中的 {TABLES[ref].key}，多个用 ; 分隔"
    parts = []
    if col.min is not None:
        parts.append(f"{'>' if col.min_exclusive else '≥'} {col.min:g}")
    if col.max is not None:
        parts.append(f"≤ {col.max:g}")
    return " 且 ".join(parts)


GUIDE_COLUMNS: tuple[str, ...] = ("表头", "标准列名", "类型", "单位", "是否必填", "可填值 / 范围",
                                  "说明", "示例")
"""Columns of an explanation sheet (one row per column of the table)."""


def guide_rows(table: str) -> list[tuple[str, ...]]:
    """The explanation of each column of ``table`` in Chinese, one tuple per column."""
    spec = TABLES[table]
    example = example_row(table)
    rows: list[tuple[str, ...]] = []
    for col in spec:
        rows.append((header(table, col.name), col.name, DTYPE_ZH[col.dtype],
                     UNIT_ZH.get(col.unit, col.unit), _required_zh(col), _allowed_zh(spec, col),
                     COLUMN_ZH.get(table, {}).get(col.name, col.description),
                     str(example[col.name])))
    return rows

