"""The one mapping from source column names (Chinese headers, English variants) to standard names.

:data:`COLUMN_ALIASES` maps a normalised source header to the standard column name;
:data:`VALUE_ALIASES` maps common Chinese spellings of coded values to the standard codes;
:func:`standardize_columns` renames a table's columns with them. A bilingual header
``中文(standard_name)`` (what ``riskplan template`` writes) is read by the name in brackets. A column
that maps to nothing is kept and reported as "not used" (level ``info``, :func:`unused_columns`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from riskplan._problems import Problems
from riskplan.schema import COORD_PAIRS, COORD_TABLES, DERIVED_COLUMNS, TABLES

__all__ = ["COLUMN_ALIASES", "VALUE_ALIASES", "normalise_header", "standardize_columns",
           "unused_columns", "note_unused"]

COLUMN_ALIASES: dict[str, str | tuple[str, ...]] = {
    # identifiers and names
    "乡镇代码": "township_code", "乡镇街道代码": "township_code", "街道代码": "township_code",
    "乡镇(街道)代码": "township_code", "区划代码": "township_code",
    "统计用区划代码": "township_code", "所属乡镇代码": "township_code", "town_code": "township_code",
    "township_id": "township_code", "adcode": "township_code",
    "名称": ("name", "name_zh"), "中文名称": "name_zh", "英文名称": "name_en", "名称英文": "name_en",
    "单位名称": "name", "企业名称": "name", "主体名称": "name", "店名": "name", "经营者名称": "name",
    "机构名称": "name", "姓名": "name",
    "主体编号": "establishment_id", "单位编号": "establishment_id", "企业编号": "establishment_id",
    "经营主体编号": "establishment_id", "被抽样单位编号": "establishment_id",
    "establishment": "establishment_id", "est_id": "establishment_id",
    "地址": "address", "经营地址": "address", "经营场所": "address", "住所": "address",
    # establishments
    "环节": "stage", "业态环节": "stage", "业态": "business_type", "业态代码": "business_type",
    "经营类型": "business_type", "business_type_code": "business_type",
    "食品类别": ("categories", "category_code"), "经营类别": "categories",
    "经营食品类别": "categories", "category_codes": "categories",
    "食品类别代码": "category_code", "类别代码": "category_code", "食品大类代码": "category_code",
    "category": "category_code",
    "风险等级": "risk_grade", "风险分级": "risk_grade", "grade": "risk_grade",
    "营业时间": "opening_hours", "opening_hour": "opening_hours",
    "许可证编号": "licence_no", "许可证号": "licence_no", "食品经营许可证编号": "licence_no",
    "食品生产许可证编号": "licence_no", "license_no": "licence_no", "licence": "licence_no",
    "license": "licence_no", "license_number": "licence_no", "licence_number": "licence_no",
    "日均客流": "daily_customers", "日客流量": "daily_customers",
    # coordinates: a bare 经度/纬度 or lon/lat is taken to be WGS-84 (GPS); map-service
    # coordinates must say their datum (Amap/Tencent = GCJ-02, Baidu = BD-09).
    "经度": "lon_wgs84", "纬度": "lat_wgs84", "lon": "lon_wgs84", "lat": "lat_wgs84",
    "lng": "lon_wgs84", "longitude": "lon_wgs84", "latitude": "lat_wgs84",
    "经度wgs84": "lon_wgs84", "纬度wgs84": "lat_wgs84", "经度(wgs84)": "lon_wgs84",
    "纬度(wgs84)": "lat_wgs84", "经度(wgs-84)": "lon_wgs84", "纬度(wgs-84)": "lat_wgs84",
    "经度(gcj02)": "lon_gcj02", "纬度(gcj02)": "lat_gcj02", "经度(gcj-02)": "lon_gcj02",
    "纬度(gcj-02)": "lat_gcj02", "高德经度": "lon_gcj02", "高德纬度": "lat_gcj02",
    "腾讯经度": "lon_gcj02", "腾讯纬度": "lat_gcj02", "lng_gcj02": "lon_gcj02",
    "坐标系": "coord_datum", "坐标类型": "coord_datum", "坐标来源": "coord_datum",
    "datum": "coord_datum",
    "经度(bd09)": "lon_bd09", "纬度(bd09)": "lat_bd09", "经度(bd-09)": "lon_bd09",
    "纬度(bd-09)": "lat_bd09", "百度经度": "lon_bd09", "百度纬度": "lat_bd09", "lng_bd09": "lon_bd09",
    # townships
    "人口": "population", "常住人口": "population", "人口数": "population",
    "人口来源": "population_source", "区域类型": "area_type", "类型": "kind",
    "中心点经度": "centroid_lon_wgs84", "中心点纬度": "centroid_lat_wgs84",
    # stations, officers, labs
    "站所编号": "station_id", "监管所编号": "station_id", "市场监管所编号": "station_id",
    "辖区乡镇": "township_codes", "管辖乡镇代码": "township_codes", "队伍数": "teams",
    "小组数": "teams", "执法人员编号": "officer_id", "人员编号": "officer_id",
    "检验机构编号": "lab_id", "实验室编号": "lab_id", "收样开始": "intake_open",
    "收样截止": "intake_cutoff", "收样截止时间": "intake_cutoff",
    "日收样能力": "capacity_per_day", "每日收样量": "capacity_per_day", "日检测能力": "capacity_per_day",
    "收样日": "working_days", "收样工作日": "working_days",
    # history, results
    "抽样单编号": "sample_id", "样品编号": "sample_id", "抽样编号": "sample_id",
    "抽样日期": "sample_date", "检验结论": "result", "判定结果": "result", "结果": "result",
    "不合格项目": "hazard", "危害因素": "hazard", "核查处置状态": "followup_status",
    "处置状态": "followup_status", "核查处置日期": "followup_date",
    "处置完成日期": "followup_date", "任务类别": "programme", "抽检类型": "programme",
    "program": "programme", "检验结论送达日期": "result_received_date",
    "结论送达日期": "result_received_date", "收到检验结论日期": "result_received_date",
    "告知日期": "notified_date", "送达被抽样单位日期": "notified_date", "复检": "retest",
    "复检情况": "retest", "立案日期": "case_filed_date", "结案日期": "case_closed_date",
    # complaints
    "投诉编号": "complaint_id", "投诉举报编号": "complaint_id", "日期": "date",
    "投诉日期": "date", "投诉类型": "kind",
    # categories, business types
    "类别组": "group", "33大类": "classic_33_category", "危害程度": "hazard_severity",
    "易腐": "perishable", "冷链": "perishable", "检验费用": "cost_yuan", "检测费": "cost_yuan",
    "每批样品数量": "units_per_sample", "抽样数量": "units_per_sample",
    "脆弱人群": "vulnerable", "备注": "note", "角色": "roles", "规则角色": "roles",
    "适用角色": "roles", "本地时令": "local_seasons", "时令": "local_seasons",
    "本地时令食品": "local_seasons",
    # creation targets
    "id": "target_id", "指标": "indicator_zh", "指标名称": "indicator_zh",
    "指标英文": "indicator_en", "比较": "comparator", "比较符": "comparator",
    "目标值": "target", "单位": "unit", "期限": "deadline", "完成期限": "deadline",
    "牵头部门": "lead_department", "责任部门": "lead_department", "出处": "seed_section",
    # target actuals
    "指标编号": "target_id", "范围": "scope", "实际值": "actual", "截至日期": "as_of",
    # higher-level programmes
    "上级任务": "programme", "上级任务名称": "programme", "任务层级": "level", "层级": "level",
    "批次数": "samples", "抽检批次": "samples", "月份": "month", "抽样月份": "month",
    # inspections done (inspection campaigns)
    "检查日期": "date", "检查时间": "date", "检查任务": "programme", "检查结果": "outcome",
    "检查结论": "outcome", "检查情况": "outcome",
    # population by year
    "年份": "year", "年度": "year", "常住人口数": "residents", "全区人口": "residents",
    "数据来源": "source", "来源": "source",
}
"""Source column name (normalised: stripped, lower case, spaces and hyphens as ``_``, full-width
brackets as ASCII) -> standard name, or a tuple of candidates of which the first one that belongs
to the table is used (``名称`` is ``name`` in most tables, ``name_zh`` in townships)."""

VALUE_ALIASES: dict[str, dict[str, str]] = {
    "result": {"合格": "pass", "不合格": "fail", "qualified": "pass", "unqualified": "fail"},
    "stage": {"生产": "production", "流通": "distribution", "销售": "distribution",
              "餐饮": "catering"},
    "followup_status": {"已完成": "done", "已处置": "done", "处置中": "pending",
                        "待处置": "pending", "无需处置": "not_required"},
    "retest": {"已申请复检": "requested", "复检中": "requested", "复检维持": "upheld",
               "复检不合格": "upheld", "复检合格": "overturned", "复检撤销": "overturned"},
    "level": {"国家": "national", "国家级": "national", "省": "provincial", "省级": "provincial",
              "市": "city", "市级": "city"},
    "coord_datum": {"WGS84": "wgs84", "WGS-84": "wgs84", "wgs-84": "wgs84", "GPS": "wgs84",
                    "GCJ02": "gcj02", "GCJ-02": "gcj02", "gcj-02": "gcj02", "高德": "gcj02",
                    "腾讯": "gcj02", "BD09": "bd09", "BD-09": "bd09", "bd-09": "bd09",
                    "百度": "bd09"},
}
"""Common Chinese spellings of coded values -> the standard code, per standard column."""



def normalise_header(name: Any) -> str:
    """Header as looked up in :data:`COLUMN_ALIASES`: stripped, lower case, spaces and hyphens as ``_``."""
    text = str(name).replace("\ufeff", "").strip().lower()
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"[\s\-]+", "_", text)


_ALIASES_NORMALISED: dict[str, str | tuple[str, ...]] = {
    normalise_header(k): v for k, v in COLUMN_ALIASES.items()
}


_BILINGUAL = re.compile(r"^.*?_?\((?P<name>[a-z][a-z0-9_]*)\)$")
"""A normalised header ``中文(standard_name)`` or ``中文 (standard_name)``."""


def _known(table: str) -> set[str]:
    """Standard names a source column of ``table`` may take (schema columns, coordinate pairs)."""
    known = set(TABLES[table].column_names) if table in TABLES else set()
    return known | {c for _, lon, lat in COORD_PAIRS for c in (lon, lat)}


def _target(norm: str, known: set[str]) -> str | None:
    """Standard name of the normalised header ``norm`` in a table with columns ``known``."""
    if norm in known:
        return norm
    bilingual = _BILINGUAL.match(norm)
    for candidate in ((bilingual.group("name"),) if bilingual else ()) + (norm,):
        if candidate in known:
            return candidate
        alias = _ALIASES_NORMALISED.get(candidate)
        if isinstance(alias, tuple):
            hit = next((a for a in alias if a in known), None)
            if hit is not None:
                return hit
        elif alias is not None and (alias in known or not known):
            return alias
    return None


def standardize_columns(
    df: pd.DataFrame, table: str, problems: Problems | None = None, file: str = ""
) -> pd.DataFrame:
    """Rename source columns of ``df`` to the standard names of ``table``.

    Standard names (in any case) are kept; aliases from :data:`COLUMN_ALIASES` and bilingual
    headers ``中文(standard_name)`` are renamed; other columns are kept unchanged and, if
    ``problems`` is given, each is reported once as not used (level ``info``). When two source
    columns map to the same standard name the first is used and the other is reported (level
    ``warning``) and kept under its own name.
    """
    known = _known(table)
    mapping: dict[Any, str] = {}
    unknown: list[Any] = []
    used: set[str] = set()
    for col in df.columns:
        target = _target(normalise_header(col), known)
        if target is None:
            unknown.append(col)
            continue
        if target in used:
            if problems is not None:
                problems.add(file, None, str(col), "",
                             f"column maps to '{target}', which is already given by another column; "
                             "this one is ignored",
                             f"该列对应 '{target}'，但已有其他列对应该字段，此列被忽略", "warning")
            continue
        used.add(target)
        mapping[col] = target
    if problems is not None and table in TABLES:
        for col in unknown:
            note_unused(problems, file, table, str(col), df[col], given=used)
    return df.rename(columns=mapping)


def unused_columns(columns: Iterable[Any], table: str) -> list[str]:
    """Columns of a loaded ``table`` that riskplan does not use (not in the schema, not derived).

    Parameters
    ----------
    columns
        Column names of the table, already standardised.
    table
        Name of the table in :data:`riskplan.schema.TABLES`.

    Returns
    -------
    list of str
        The names, in the order given.
    """
    derived = set(DERIVED_COLUMNS.get(table, {}))
    if table in COORD_TABLES:
        derived |= {"coord_source", "has_location"}
    known = _known(table) | derived | {"geometry"}
    return [str(c) for c in columns if str(c) not in known]


def note_unused(problems: Problems, file: str, table: str, column: str, cells: pd.Series,
                given: Iterable[str] = ()) -> None:
    """Report that ``column`` of ``table`` is not used (one ``info`` row for the whole column).

    Parameters
    ----------
    problems
        Collector to add the row to.
    file
        File name the table was read from.
    table
        Name of the table in :data:`riskplan.schema.TABLES`.
    column
        The header as given in the file.
    cells
        The column's cells (the message says how many are filled).
    given
        Standard names already given by other columns (never suggested as a correction).
    """
    filled = int(cells.notna().sum())
    hint_en = hint_zh = ""
    taken = set(given)
    candidates: dict[str, str] = {c: c for c in TABLES[table].column_names if c not in taken}
    for alias, target in _ALIASES_NORMALISED.items():
        for t in (target,) if isinstance(target, str) else target:
            if t in candidates:
                candidates.setdefault(alias, t)
                break
    close = difflib.get_close_matches(normalise_header(column), list(candidates), n=1, cutoff=0.75)
    if close:
        hint_en = f"; did you mean '{candidates[close[0]]}'?"
        hint_zh = f"；是否应为 '{candidates[close[0]]}'？"
    problems.add(file, None, column, "",
                 f"column not used: '{table}' has no such column, so riskplan keeps it but "
                 f"ignores it ({filled} filled cell{'' if filled == 1 else 's'}){hint_en}",
                 f"未使用的列：{table} 表没有该列，保留但不参与计算（{filled} 个非空单元格）{hint_zh}",
                 "info")
