"""All file reading of riskplan: one place, ``read_*`` functions, one column-name mapping.

A district dataset is a folder of CSV (or XLSX) tables, two GeoJSON files and ``dataset.toml``
(see ``docs/input-format.md`` and :mod:`riskplan.schema`). :func:`read_dataset` reads it into a
:class:`~riskplan.datasets.Dataset`; :func:`read_table` reads one table.

Reading is forgiving about *form* and strict about *content*:

- CSV in UTF-8, UTF-8 with BOM or GBK/GB18030, or an ``.xlsx`` of the same stem (first sheet);
- source column names (Chinese headers such as 许可证编号, 经度, 纬度, and common English variants)
  are mapped to the standard names by :data:`COLUMN_ALIASES`;
- every cell is read as text first (IDs keep leading zeros), then converted to the column's type;
  a cell that does not convert is reported (file, 1-based data row, column, value, reason) and left
  empty, never silently dropped;
- GCJ-02 (``lon_gcj02``/``lat_gcj02``) and BD-09 (``lon_bd09``/``lat_bd09``) coordinates are
  converted to WGS-84 with :mod:`prcoords`; ``coord_source`` records the datum of each row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _stdio
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskplan._problems import Problems
from riskplan.errors import RiskplanError, ValidationError
from riskplan.schema import TABLES, Column, Table

__all__ = [
    "COLUMN_ALIASES",
    "VALUE_ALIASES",
    "read_table",
    "read_dataset",
    "read_metadata",
    "read_geojson",
    "standardize_columns",
    "split_list",
    "as_bool",
    "explode_categories",
    "stratum_id",
    "time_to_minutes",
    "parse_windows",
]

# --------------------------------------------------------------------------------------------
# The one mapping from source column names to standard names
# --------------------------------------------------------------------------------------------

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
    "经度(bd09)": "lon_bd09", "纬度(bd09)": "lat_bd09", "经度(bd-09)": "lon_bd09",
    "纬度(bd-09)": "lat_bd09", "百度经度": "lon_bd09", "百度纬度": "lat_bd09", "lng_bd09": "lon_bd09",
    # townships
    "人口": "population", "常住人口": "population", "人口数": "population",
    "人口来源": "population_source", "区域类型": "area_type", "类型": "kind",
    # stations, officers, labs
    "站所编号": "station_id", "监管所编号": "station_id", "市场监管所编号": "station_id",
    "辖区乡镇": "township_codes", "管辖乡镇代码": "township_codes", "队伍数": "teams",
    "小组数": "teams", "执法人员编号": "officer_id", "人员编号": "officer_id",
    "检验机构编号": "lab_id", "实验室编号": "lab_id", "收样开始": "intake_open",
    "收样截止": "intake_cutoff", "收样截止时间": "intake_cutoff",
    # history, results
    "抽样单编号": "sample_id", "样品编号": "sample_id", "抽样编号": "sample_id",
    "抽样日期": "sample_date", "检验结论": "result", "判定结果": "result", "结果": "result",
    "不合格项目": "hazard", "危害因素": "hazard", "核查处置状态": "followup_status",
    "处置状态": "followup_status", "核查处置日期": "followup_date",
    "处置完成日期": "followup_date", "任务类别": "programme", "抽检类型": "programme",
    "program": "programme",
    # complaints
    "投诉编号": "complaint_id", "投诉举报编号": "complaint_id", "日期": "date",
    "投诉日期": "date", "投诉类型": "kind",
    # categories, business types
    "类别组": "group", "33大类": "classic_33_category", "危害程度": "hazard_severity",
    "易腐": "perishable", "冷链": "perishable", "检验费用": "cost_yuan", "检测费": "cost_yuan",
    "每批样品数量": "units_per_sample", "抽样数量": "units_per_sample",
    "脆弱人群": "vulnerable", "备注": "note",
    # target actuals
    "指标编号": "target_id", "范围": "scope", "实际值": "actual", "截至日期": "as_of",
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
}
"""Common Chinese spellings of coded values -> the standard code, per standard column."""

_TRUE = {"true", "1", "yes", "y", "t", "是", "真"}
_FALSE = {"false", "0", "no", "n", "f", "否", "假"}

_COORD_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("wgs84", "lon_wgs84", "lat_wgs84"),
    ("gcj02", "lon_gcj02", "lat_gcj02"),
    ("bd09", "lon_bd09", "lat_bd09"),
)
_COORD_TABLES = ("establishments", "stations", "labs")

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


def _normalise_header(name: Any) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"[\s\-]+", "_", text)


_ALIASES_NORMALISED: dict[str, str | tuple[str, ...]] = {
    _normalise_header(k): v for k, v in COLUMN_ALIASES.items()
}


def standardize_columns(
    df: pd.DataFrame, table: str, problems: Problems | None = None, file: str = ""
) -> pd.DataFrame:
    """Rename source columns of ``df`` to the standard names of ``table``.

    Standard names (in any case) are kept; aliases from :data:`COLUMN_ALIASES` are renamed;
    other columns are kept unchanged. When two source columns map to the same standard name the
    first is used and the other is reported (if ``problems`` is given) and kept under its own name.
    """
    known = set(TABLES[table].column_names) if table in TABLES else set()
    known |= {c for _, lon, lat in _COORD_PAIRS for c in (lon, lat)}
    mapping: dict[Any, str] = {}
    used: set[str] = set()
    for col in df.columns:
        norm = _normalise_header(col)
        target: str | None = norm if norm in known else None
        if target is None:
            alias = _ALIASES_NORMALISED.get(norm)
            if isinstance(alias, tuple):
                target = next((a for a in alias if a in known), None)
            elif alias is not None and (alias in known or not known):
                target = alias
        if target is None:
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
    return df.rename(columns=mapping)


# --------------------------------------------------------------------------------------------
# Small public helpers
# --------------------------------------------------------------------------------------------


def split_list(series: pd.Series) -> pd.Series:
    """Split a ``;``-separated list column into a Series of Python lists.

    Empty cells give ``[]``; items are stripped and empty items dropped.
    """

    def split(v: Any) -> list[str]:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return []
        return [p.strip() for p in str(v).replace("；", ";").split(";") if p.strip()]

    return pd.Series([split(v) for v in series], index=series.index, dtype=object,
                     name=series.name)


def as_bool(series: pd.Series, missing: bool = False) -> pd.Series:
    """Booleans from a column of booleans, numbers or text, as the readers parse them.

    Text ``true``/``false``, ``1``/``0``, ``yes``/``no``, ``y``/``n``, ``t``/``f``, ``是``/``否``,
    ``真``/``假`` (any case, surrounding spaces ignored); numbers are true when non-zero.

    Parameters
    ----------
    series
        The column.
    missing
        Value given to missing or empty cells.

    Returns
    -------
    pandas.Series
        ``bool`` dtype, same index and name.

    Raises
    ------
    RiskplanError
        For a value that is not a boolean, naming the column.
    """

    def one(v: Any) -> bool:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return missing
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, float, np.integer, np.floating)):
            return bool(v != 0)
        low = str(v).strip().lower()
        if low == "":
            return missing
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise RiskplanError(
            f"column '{series.name}': {v!r} is not a boolean (true/false) / 不是布尔值（true/false）"
        )

    return pd.Series([one(v) for v in series], index=series.index, dtype=bool, name=series.name)


def station_of_township(stations: pd.DataFrame) -> dict[str, str]:
    """Township code -> ``station_id``, from the stations' ``township_codes`` (``;`` lists)."""
    return {
        code: str(sid)
        for sid, codes in zip(stations["station_id"], split_list(stations["township_codes"]))
        for code in codes
    }


def explode_categories(establishments: pd.DataFrame) -> pd.DataFrame:
    """One row per (establishment, category handled), with a ``category_code`` column.

    The other establishment columns are repeated; establishments with no category give no row.
    """
    out = establishments.assign(category_code=split_list(establishments["categories"]))
    out = out.explode("category_code")
    out = out[out["category_code"].notna()].reset_index(drop=True)
    out["category_code"] = out["category_code"].astype(str)
    return out


STRATUM_KEY: tuple[str, str, str] = ("township_code", "business_type", "category_code")
"""The columns that identify a stratum (see docs/contracts.md)."""


def stratum_id(df: pd.DataFrame) -> pd.Series:
    """``"township_code|business_type|category_code"`` for every row of ``df``."""
    town, btype, cat = (df[k].astype(str) for k in STRATUM_KEY)
    return (town + "|" + btype + "|" + cat).rename("stratum_id")


def time_to_minutes(text: str) -> int:
    """Minutes after midnight [min] of an ``HH:MM`` time (``24:00`` allowed as an end).

    Raises
    ------
    ValueError
        If ``text`` is not a valid ``HH:MM`` time.
    """
    m = _TIME_RE.match(str(text).strip())
    if not m:
        raise ValueError(f"not a time of day HH:MM: {text!r}")
    h, mi = int(m.group(1)), int(m.group(2))
    if h > 24 or mi > 59 or (h == 24 and mi != 0):
        raise ValueError(f"not a time of day HH:MM: {text!r}")
    return h * 60 + mi


def parse_windows(text: str) -> list[tuple[int, int]]:
    """Parse ``"05:30-09:00;14:00-17:00"`` into ``[(330, 540), (840, 1020)]`` [min after midnight].

    Raises
    ------
    ValueError
        If a window is not ``HH:MM-HH:MM``. (Order within a window is checked by the validator.)
    """
    windows = []
    for part in str(text).replace("；", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        bits = re.split(r"\s*[-–~～]\s*", part)
        if len(bits) != 2:
            raise ValueError(f"not a time window HH:MM-HH:MM: {part!r}")
        windows.append((time_to_minutes(bits[0]), time_to_minutes(bits[1])))
    return windows


# --------------------------------------------------------------------------------------------
# Reading raw files
# --------------------------------------------------------------------------------------------


class _FileProblem(Exception):
    """A whole file cannot be read (internal; becomes one problem row)."""

    def __init__(self, en: str, zh: str, row: int | None = None) -> None:
        super().__init__(en)
        self.en, self.zh, self.row = en, zh, row


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _FileProblem("file is UTF-16 encoded; save it as UTF-8 or GBK CSV",
                           "文件为 UTF-16 编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _FileProblem("cannot decode the file as UTF-8 or GBK/GB18030 text",
                       "无法按 UTF-8 或 GBK/GB18030 编码读取该文件")


def _read_raw(path: Path) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Every cell of a CSV or XLSX file as stripped text (empty cells missing), with a RangeIndex.

    Returns the table and the row-level problems found while splitting rows (1-based data row,
    English, Chinese): a row with more cells than the header is kept (extra cells dropped) and
    reported, so one bad line does not hide the rest of the file.
    """
    row_problems: list[tuple[int, str, str]] = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            df = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise _FileProblem(f"cannot read the Excel file: {exc}",
                               f"无法读取该 Excel 文件：{exc}") from None
        df = df.loc[:, [not str(c).startswith("Unnamed:") or df[c].notna().any()
                        for c in df.columns]]
        df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
        df = df.apply(lambda col: col.astype("str").str.strip()).replace({"": np.nan})
        # blank rows are skipped and not counted, as blank lines of a CSV are
        return df.dropna(how="all").reset_index(drop=True), row_problems
    text = _decode(path)
    if not text.strip():
        raise _FileProblem("file is empty (no header row)", "文件为空（没有表头）")
    try:
        lines = [r for r in csv.reader(_stdio.StringIO(text)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise _FileProblem(f"malformed CSV: {exc}", f"CSV 格式错误：{exc}") from None
    header = [c.replace("\ufeff", "").strip() or f"column_{j + 1}"
              for j, c in enumerate(lines[0])]
    seen: set[str] = set()
    for j, h in enumerate(header):  # a repeated header name is kept apart, never merged
        if h in seen:
            header[j] = f"{h}.{j + 1}"
            row_problems.append((0, f"column '{h}' appears twice; column {j + 1} is ignored",
                                 f"列 '{h}' 重复出现；第 {j + 1} 列被忽略"))
        seen.add(h)
    width = len(header)
    data: list[list[str | None]] = []
    for i, cells in enumerate(lines[1:], start=1):
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            row_problems.append((i, f"malformed CSV row: {len(cells)} cells but the header has "
                                 f"{width} (a comma inside a value needs quotes)",
                                 f"CSV 行格式错误：该行有 {len(cells)} 个字段，表头只有 {width} 个"
                                 "（值中含逗号时需加引号）"))
        cells = (cells + [""] * width)[:width]
        data.append([c.strip() or None for c in cells])
    df = pd.DataFrame(data, columns=header, dtype="str") if data else pd.DataFrame(
        {h: pd.Series([], dtype="str") for h in header})
    return df, row_problems


def _find_file(folder: Path, stem: str) -> Path | None:
    for suffix in (".csv", ".xlsx", ".CSV", ".XLSX"):
        p = folder / f"{stem}{suffix}"
        if p.is_file():
            return p
    return None


# --------------------------------------------------------------------------------------------
# Cell conversion (type, emptiness, allowed values, ranges)
# --------------------------------------------------------------------------------------------


def _as_text(series: pd.Series) -> pd.Series:
    """A column of any dtype as text cells (missing stays missing), for uniform parsing."""
    if isinstance(series.dtype, pd.StringDtype):
        return series.where(series != "", np.nan)
    if pd.api.types.is_datetime64_any_dtype(series):
        text = series.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_bool_dtype(series):
        text = series.map(lambda v: v if pd.isna(v) else ("true" if v else "false"))
    else:
        text = series.map(lambda v: v if (v is None or (not isinstance(v, (list, tuple))
                                                           and pd.isna(v))) else str(v).strip())
    return text.astype(object).where(series.notna() & (text.astype(object) != ""), None)


def _convert_column(raw: pd.Series, col: Column) -> tuple[pd.Series, pd.Series, str, str]:
    """Convert a text column; returns (typed, bad mask, English reason, Chinese reason)."""
    present = raw.notna()
    bad = pd.Series(False, index=raw.index)
    if col.dtype in ("int", "float"):
        cleaned = raw.where(~present, raw.astype(object).map(
            lambda v: v if v is None else str(v).replace(",", "").replace("，", "")))
        num = pd.to_numeric(cleaned, errors="coerce")
        bad = present & num.isna()
        if col.dtype == "int":
            frac = present & num.notna() & (num != np.floor(num.fillna(0)))
            if frac.any():
                num = num.where(~frac)
                bad = bad | frac
            typed = num.astype("Int64")
            if not typed.isna().any():
                typed = typed.astype("int64")
            return typed, bad, "not a whole number", "不是整数"
        return num.astype("float64"), bad, "not a number", "不是数字"
    if col.dtype == "bool":
        low = raw.map(lambda v: v if v is None or pd.isna(v) else str(v).strip().lower())
        val = low.map(lambda v: True if v in _TRUE else (False if v in _FALSE else None))
        bad = present & val.isna()
        typed = val.astype("boolean")
        if not typed.isna().any():
            typed = typed.astype(bool)
        return typed, bad, "not a boolean (true/false)", "不是布尔值（true/false）"
    if col.dtype == "date":
        def norm_date(v: Any) -> Any:
            if v is None or pd.isna(v):
                return None
            m = _DATE_RE.match(str(v).strip())
            if not m:
                return "bad"
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"

        iso = raw.map(norm_date)
        parsed = pd.to_datetime(iso.where(iso != "bad"), format="%Y-%m-%d", errors="coerce")
        bad = present & parsed.isna()
        return parsed.astype("datetime64[ns]"), bad, "not a date YYYY-MM-DD", "不是日期（YYYY-MM-DD）"
    if col.dtype == "time":
        def norm_time(v: Any) -> Any:
            if v is None or pd.isna(v):
                return None
            try:
                minutes = time_to_minutes(str(v))
            except ValueError:
                return "bad"
            return f"{minutes // 60:02d}:{minutes % 60:02d}"

        normed = raw.map(norm_time)
        bad = present & (normed == "bad")
        out = normed.where(normed.notna() & ~bad, np.nan).astype("str")
        return out, bad, "not a time of day HH:MM", "不是时间（HH:MM）"
    if col.dtype == "windows":
        def norm_windows(v: Any) -> Any:
            if v is None or pd.isna(v):
                return None
            try:
                ws = parse_windows(str(v))
            except ValueError:
                return "bad"
            if not ws:
                return None
            return ";".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in ws)

        normed = raw.map(norm_windows)
        bad = present & (normed == "bad")
        out = normed.where(normed.notna() & ~bad, np.nan).astype("str")
        return (out, bad, "not a list of time windows HH:MM-HH:MM",
                "不是营业时段（HH:MM-HH:MM，多个用 ; 分隔）")
    if col.dtype == "list":
        items = split_list(raw)
        out = pd.Series([";".join(x) if x else np.nan for x in items], index=raw.index,
                        dtype="str")
        return out, bad, "", ""
    # id / str
    text = raw.astype("str")
    if col.name in VALUE_ALIASES:
        aliases = VALUE_ALIASES[col.name]
        text = text.map(lambda v: aliases.get(v, v) if isinstance(v, str) else v).astype("str")
    return text, bad, "", ""


def _convert_table(df: pd.DataFrame, table: Table, problems: Problems,
                   file: str) -> pd.DataFrame:
    """Type-convert every schema column of ``df`` and check cells; report into ``problems``."""
    out = df.copy()
    coord_cols = {c for _, lon, lat in _COORD_PAIRS for c in (lon, lat)}
    has_coords_alt = table.name in _COORD_TABLES
    for col in table.columns:
        if col.name not in out.columns:
            alt_ok = has_coords_alt and col.name in coord_cols and any(
                lon in out.columns or lat in out.columns for _, lon, lat in _COORD_PAIRS[1:])
            if col.required and not alt_ok:
                extra = (" (or lon_gcj02/lat_gcj02, lon_bd09/lat_bd09)"
                         if col.name in coord_cols else "")
                problems.add(file, None, col.name, "",
                             f"required column '{col.name}' is missing{extra}",
                             f"缺少必填列 '{col.name}'{extra}")
            out[col.name] = _empty_column(col, len(out), out.index)
            continue
        raw = _as_text(out[col.name])
        typed, bad, en, zh = _convert_column(raw, col)
        for i in np.flatnonzero(bad.to_numpy()):
            problems.add(file, int(i) + 1, col.name, raw.iloc[i], en, zh)
        empty = raw.isna() | bad
        if not col.nullable and not (has_coords_alt and col.name in coord_cols):
            for i in np.flatnonzero((raw.isna()).to_numpy()):
                problems.add(file, int(i) + 1, col.name, "", "value is missing",
                             "缺少数值（该项必填）")
        if col.allowed:
            ok = typed.isin(col.allowed) | empty
            for i in np.flatnonzero((~ok).to_numpy()):
                problems.add(file, int(i) + 1, col.name, raw.iloc[i],
                             f"must be one of {', '.join(col.allowed)}",
                             f"取值必须是 {', '.join(col.allowed)} 之一")
        if col.min is not None or col.max is not None:
            num = pd.to_numeric(typed, errors="coerce")
            low = pd.Series(False, index=num.index)
            if col.min is not None:
                low = (num <= col.min) if col.min_exclusive else (num < col.min)
            high = (num > col.max) if col.max is not None else pd.Series(False, index=num.index)
            rng = col.allowed_text
            for i in np.flatnonzero(((low | high) & ~empty).fillna(False).to_numpy()):
                problems.add(file, int(i) + 1, col.name, raw.iloc[i],
                             f"out of range (must be {rng})", f"超出允许范围（应 {rng}）")
        out[col.name] = typed
    if table.name in _COORD_TABLES:
        out = _resolve_coordinates(out, problems, file)
    return out


def _empty_column(col: Column, n: int, index: pd.Index) -> pd.Series:
    dtype = {"int": "Int64", "float": "float64", "bool": "boolean", "date": "datetime64[ns]"}.get(
        col.dtype, "str")
    return pd.Series([pd.NA if dtype in ("Int64", "boolean") else np.nan] * n, index=index,
                     dtype=dtype)


def _empty_table(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: _empty_column(c, 0, pd.RangeIndex(0)) for c in table.columns})


def _resolve_coordinates(df: pd.DataFrame, problems: Problems, file: str) -> pd.DataFrame:
    """Fill ``lon_wgs84``/``lat_wgs84`` from GCJ-02 / BD-09 columns; set ``coord_source``."""
    import prcoords

    n = len(df)
    lon = df["lon_wgs84"].to_numpy(dtype=float, na_value=np.nan).copy()
    lat = df["lat_wgs84"].to_numpy(dtype=float, na_value=np.nan).copy()
    source = np.full(n, None, dtype=object)
    for datum, lon_col, lat_col in _COORD_PAIRS:
        if lon_col not in df.columns and lat_col not in df.columns:
            continue
        if datum == "wgs84":
            x, y = lon, lat
        else:
            conv = Column(lon_col, "float", "", nullable=True)
            x, y = (np.full(n, np.nan), np.full(n, np.nan))
            for arr_name, c in (("x", lon_col), ("y", lat_col)):
                if c not in df.columns:
                    continue
                raw = _as_text(df[c])
                typed, bad, en, zh = _convert_column(raw, conv)
                for i in np.flatnonzero(bad.to_numpy()):
                    problems.add(file, int(i) + 1, c, raw.iloc[i], en, zh)
                vals = typed.to_numpy(dtype=float, na_value=np.nan)
                if arr_name == "x":
                    x = vals
                else:
                    y = vals
                df[c] = typed
        half = np.isnan(x) != np.isnan(y)
        for i in np.flatnonzero(half & np.equal(source, None)):
            problems.add(file, int(i) + 1, lon_col if np.isnan(x[i]) else lat_col, "",
                         "longitude and latitude must be given together",
                         "经度和纬度必须同时填写")
        take = ~np.isnan(x) & ~np.isnan(y) & np.equal(source, None)
        for i in np.flatnonzero(take):
            if datum == "wgs84":
                lo, la = x[i], y[i]
            elif not prcoords.sanity_in_china_p(prcoords.Coords(y[i], x[i])):
                lo, la = x[i], y[i]  # no datum shift outside China; the validator flags it
            elif datum == "gcj02":
                c = prcoords.gcj_wgs_bored(prcoords.Coords(y[i], x[i]), False)
                lo, la = c.lon, c.lat
            else:
                c = prcoords.bd_wgs_bored(prcoords.Coords(y[i], x[i]), False)
                lo, la = c.lon, c.lat
            lon[i], lat[i], source[i] = lo, la, datum
    # rows whose WGS-84 cells are incomplete and not filled from another datum stay empty
    missing = np.equal(source, None)
    lon[missing], lat[missing] = np.nan, np.nan
    df["lon_wgs84"] = lon
    df["lat_wgs84"] = lat
    df["coord_source"] = pd.Series(source, index=df.index, dtype="str")
    if "has_location" in df.columns:
        df = df.drop(columns="has_location")
    df["has_location"] = ~missing
    return df


# --------------------------------------------------------------------------------------------
# Public readers
# --------------------------------------------------------------------------------------------


def read_table(path: str | Path, table: str, problems: Problems | None = None) -> pd.DataFrame:
    """Read one table file (CSV in UTF-8/UTF-8-BOM/GBK/GB18030, or XLSX) into standard form.

    Parameters
    ----------
    path
        The ``.csv`` or ``.xlsx`` file.
    table
        Name of the table in :data:`riskplan.schema.TABLES`, e.g. ``"establishments"``.
    problems
        Collector to record problems into; when None, problems raise instead.

    Returns
    -------
    pandas.DataFrame
        Standard column names, typed columns (IDs as text), one row per data row of the file, in
        file order (row ``i`` of the file is index ``i - 1``). Unknown extra columns are kept.

    Raises
    ------
    ValidationError
        When ``problems`` is None and the file has error-level problems.
    """
    path = Path(path)
    spec = TABLES[table]
    own = Problems() if problems is None else problems
    file = path.name
    try:
        raw, row_problems = _read_raw(path)
    except _FileProblem as exc:
        own.add(file, exc.row, "", "", exc.en, exc.zh)
        df = _empty_table(spec)
    except OSError as exc:
        own.add(file, None, "", "", f"cannot open the file: {exc.strerror}",
                f"无法打开文件：{exc.strerror}")
        df = _empty_table(spec)
    else:
        for row, en, zh in row_problems:
            own.add(file, row or None, "", "", en, zh, "error" if row else "warning")
        raw = standardize_columns(raw, table, own, file)
        df = _convert_table(raw, spec, own, file)
    if spec.name in _COORD_TABLES and "has_location" not in df.columns:
        df = _resolve_coordinates(df, own, file)
    if problems is None and own.has_errors:
        raise ValidationError(own.to_frame().query("level == 'error'").reset_index(drop=True))
    return df


def read_metadata(path: str | Path, problems: Problems | None = None) -> dict[str, Any]:
    """Read ``dataset.toml`` (see :data:`riskplan.schema.METADATA_KEYS`) and check its keys."""
    path = Path(path)
    own = Problems() if problems is None else problems
    file = path.name
    meta: dict[str, Any] = {}
    try:
        meta = tomllib.loads(_decode(path))
    except FileNotFoundError:
        own.add(file, None, "", "", "missing file dataset.toml (name, reference_date, plan_year)",
                "缺少文件 dataset.toml（名称、基准日期、计划年度）")
    except _FileProblem as exc:
        own.add(file, None, "", "", exc.en, exc.zh)
    except tomllib.TOMLDecodeError as exc:
        own.add(file, None, "", "", f"not valid TOML: {exc}", f"TOML 格式错误：{exc}")
    else:
        checks = (("name", str, "text", "文本"), ("district_code", str, "text", "文本"),
                  ("reference_date", dt.date, "a date (2026-06-30, unquoted)", "日期（不加引号）"),
                  ("plan_year", int, "an integer year", "整数年份"))
        for key, tp, en, zh in checks:
            if key not in meta:
                own.add(file, None, key, "", f"missing key '{key}'", f"缺少键 '{key}'")
            elif not isinstance(meta[key], tp) or isinstance(meta[key], (bool, dt.datetime)):
                own.add(file, None, key, meta[key], f"'{key}' must be {en}", f"'{key}' 应为{zh}")
                meta.pop(key)
        if "provenance" in meta and not isinstance(meta["provenance"], Mapping):
            own.add(file, None, "provenance", "", "'provenance' must be a table of texts",
                    "'provenance' 应为文本表")
            meta.pop("provenance")
    if problems is None and own.has_errors:
        raise ValidationError(own.to_frame().query("level == 'error'").reset_index(drop=True))
    return meta


def read_geojson(path: str | Path, table: str = "townships",
                 problems: Problems | None = None) -> Any:
    """Read a GeoJSON file into a GeoDataFrame in EPSG:4326 (properties renamed to standard).

    Returns None (and records a problem) when the file cannot be read.
    """
    import geopandas as gpd

    path = Path(path)
    own = Problems() if problems is None else problems
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = msg.replace(f"'{path}'", path.name).replace(str(path), path.name).split(";")[0]
        own.add(path.name, None, "", "", f"cannot read the GeoJSON file: {msg}",
                f"无法读取该 GeoJSON 文件：{msg}")
        if problems is None:
            raise ValidationError(own.to_frame()) from None
        return None
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    elif gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    geom = gdf.geometry
    gdf = standardize_columns(gdf.drop(columns=geom.name), table).set_geometry(geom)
    return gdf


def read_dataset(folder: str | Path, validate: bool = True) -> Any:
    """Read a district dataset folder into a :class:`~riskplan.datasets.Dataset`.

    Parameters
    ----------
    folder
        Folder with ``dataset.toml``, the tables of ``docs/contracts.md`` as CSV (or XLSX of the
        same stem), ``townships.geojson`` and optionally ``district.geojson``. Optional tables
        (results, complaints, target_actuals) may be missing and then load empty.
    validate
        Check every table and cross-reference (:func:`riskplan.validation.validate_dataset`) and
        raise on any error-level problem.

    Returns
    -------
    Dataset
        ``townships`` is a GeoDataFrame (EPSG:4326); dates are ``datetime64[ns]``; coordinates
        WGS-84 with ``coord_source`` and (establishments) ``has_location``.

    Raises
    ------
    RiskplanError
        If ``folder`` is not a folder.
    ValidationError
        With every error-level problem at once, when ``validate`` is True.
    """
    dataset, problems = _read_folder(folder)
    if validate:
        from riskplan.validation import _check_dataset

        _check_dataset(dataset, problems)
        if problems.has_errors:
            frame = problems.to_frame()
            raise ValidationError(frame[frame["level"] == "error"].reset_index(drop=True))
    return dataset


def _read_folder(folder: str | Path) -> tuple[Any, Problems]:
    """Read everything readable in ``folder``; return the dataset and the reading problems."""
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

    from riskplan.datasets import Dataset

    folder = Path(folder)
    if not folder.is_dir():
        raise RiskplanError(f"dataset folder not found: {folder} / 找不到数据文件夹：{folder}")
    problems = Problems()
    meta = read_metadata(folder / "dataset.toml", problems)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name, spec in TABLES.items():
        path = _find_file(folder, name)
        if path is None:
            if not spec.optional:
                problems.add(spec.file, None, "", "",
                             f"missing file {spec.file} (or {name}.xlsx)",
                             f"缺少文件 {spec.file}（或 {name}.xlsx）")
            tables[name] = _convert_table(_empty_table(spec), spec, Problems(), spec.file)
            files[name] = spec.file
            continue
        files[name] = path.name
        tables[name] = read_table(path, name, problems)

    # township polygons
    town = tables["townships"]
    geo_path = folder / "townships.geojson"
    geometry = pd.Series([None] * len(town), index=town.index, dtype=object)
    if not geo_path.is_file():
        problems.add("townships.geojson", None, "", "", "missing file townships.geojson",
                     "缺少文件 townships.geojson（乡镇边界）")
    else:
        gdf = read_geojson(geo_path, "townships", problems)
        if gdf is not None and "township_code" not in gdf.columns:
            problems.add("townships.geojson", None, "township_code", "",
                         "features have no 'township_code' property",
                         "要素缺少 'township_code' 属性")
        elif gdf is not None:
            codes = gdf["township_code"].map(
                lambda v: v if v is None or pd.isna(v) else str(v).strip())
            dup = codes.duplicated(keep="first") & codes.notna()
            for i in np.flatnonzero(dup.to_numpy()):
                problems.add("townships.geojson", int(i) + 1, "township_code", codes.iloc[i],
                             "duplicate township polygon", "乡镇边界重复")
            known = set(town["township_code"].dropna())
            for i, code in enumerate(codes):
                if code is not None and not pd.isna(code) and code not in known:
                    problems.add("townships.geojson", i + 1, "township_code", code,
                                 "polygon of a township not in townships.csv",
                                 "该边界对应的乡镇不在 townships.csv 中")
            lookup = dict(zip(codes[~dup], gdf.geometry[~dup.to_numpy()]))
            geometry = town["township_code"].map(lambda c: lookup.get(c)).astype(object)
            geometry = geometry.where(geometry.map(lambda g: isinstance(g, BaseGeometry)), None)
    townships = gpd.GeoDataFrame(town, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)
    for axis, col in (("x", "centroid_lon_wgs84"), ("y", "centroid_lat_wgs84")):
        fill = townships[col].isna() & townships.geometry.notna()
        if fill.any():
            pts = townships.geometry[fill].representative_point()
            townships.loc[fill, col] = getattr(pts, axis)
    tables["townships"] = townships

    district = None
    d_path = folder / "district.geojson"
    if d_path.is_file():
        district = read_geojson(d_path, "district", problems)
        if district is not None and (len(district) == 0 or district.geometry.isna().all()):
            problems.add("district.geojson", None, "", "", "no district outline in the file",
                         "文件中没有区域边界")
            district = None

    reference_date = meta.get("reference_date")
    dataset = Dataset(
        **tables,
        name=str(meta.get("name", folder.name)),
        district_code=str(meta.get("district_code", "")),
        reference_date=reference_date if isinstance(reference_date, dt.date) else None,
        plan_year=meta.get("plan_year") if isinstance(meta.get("plan_year"), int) else None,
        description=_describe(meta, tables),
        metadata=meta,
        source=folder,
        district=district,
    )
    dataset.metadata.setdefault("files", files)
    return dataset, problems


def _describe(meta: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> str:
    """Text description of a dataset from its metadata and provenance."""
    name = meta.get("name", "dataset")
    lines = [str(name)]
    bits = []
    if meta.get("district_code"):
        bits.append(f"district code {meta['district_code']}")
    if meta.get("reference_date"):
        bits.append(f"data frozen at {meta['reference_date']}")
    if meta.get("plan_year"):
        bits.append(f"plan year {meta['plan_year']}")
    if meta.get("population_year"):
        bits.append(f"population of {meta['population_year']}")
    if bits:
        lines.append("; ".join(bits) + ".")
    synthetic = set(meta.get("synthetic", []) or [])
    provenance = meta.get("provenance", {}) or {}
    lines.append("")
    lines.append("Tables (rows) and where they came from:")
    for t, df in tables.items():
        flag = " [SYNTHETIC]" if t in synthetic else ""
        src = provenance.get(t, "(no provenance given)")
        lines.append(f"- {t} ({len(df)} rows){flag}: {src}")
    for key, src in provenance.items():
        if key not in tables:
            lines.append(f"- {key}: {src}")
    return "\n".join(lines)
