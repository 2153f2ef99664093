"""Validation of a district dataset: every table, every cross-reference, every problem at once.

:func:`validate_dataset` returns a problems table (file, 1-based data row, column, value, message
in English and Chinese, level). ``level`` is ``error`` (the data cannot be used as they are: the
command ``riskplan validate`` exits 1 and ``read_dataset(validate=True)`` raises) or ``warning``
(kept and reported, e.g. an establishment without coordinates, which can be sampled but not routed).

Cell-level checks (types, empty required cells, allowed values, ranges) happen while reading
(:mod:`riskplan.io`); this module adds the checks that need several rows or tables: unique IDs,
known codes, stage consistency, station coverage, references, time windows, geography.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskplan._problems import PROBLEM_COLUMNS, Problems
from riskplan.schema import TABLES

__all__ = ["validate_dataset", "summarize", "PROBLEM_COLUMNS", "DISTRICT_TOLERANCE_KM",
           "FACILITY_TOLERANCE_KM"]

DISTRICT_TOLERANCE_KM: float = 1.0
"""Establishments may lie this far outside the district outline [km] (the outline is generalised)."""

FACILITY_TOLERANCE_KM: float = 30.0
"""Stations and labs may lie this far outside the district outline [km] (e.g. a city lab)."""

TOWNSHIP_TOLERANCE_KM: float = 1.0
"""An establishment further than this outside its township's polygon gets a warning [km]."""

# Rough bounding box of China (lon, lat): anything outside is not a plausible coordinate here.
_CHINA = (73.0, 136.0, 3.0, 54.0)

_FILE_ORDER = ["dataset.toml", *TABLES, "townships.geojson", "district.geojson"]


def validate_dataset(data: str | Path | Any) -> pd.DataFrame:
    """Check a dataset folder (or a loaded :class:`~riskplan.datasets.Dataset`) and list problems.

    Parameters
    ----------
    data
        A dataset folder, or a Dataset (then its in-memory tables are checked; rows are positions
        in each table, 1-based).

    Returns
    -------
    pandas.DataFrame
        One row per problem with columns ``file``, ``row`` (1-based data row, header not counted;
        None for table-level problems), ``column``, ``value``, ``message_en``, ``message_zh`` and
        ``level`` (``error`` or ``warning``); empty when everything is fine. Never raises for bad
        content; a folder that does not exist raises :class:`~riskplan.errors.RiskplanError`.
    """
    return validate_folder(data)[1] if isinstance(data, (str, Path)) else _validate_memory(data)


def validate_folder(folder: str | Path) -> tuple[Any, pd.DataFrame]:
    """Read ``folder`` without raising and check it: ``(dataset, problems table)``.

    The dataset holds whatever could be read (cells that did not convert are empty), so a
    summary can be shown next to the problems.
    """
    from riskplan.io import _read_folder

    dataset, problems = _read_folder(folder)
    _check_dataset(dataset, problems)
    return dataset, _sorted(problems.to_frame())


def _validate_memory(dataset: Any) -> pd.DataFrame:
    """Re-convert in-memory tables (type problems) and run every check."""
    import copy

    from riskplan.io import _convert_table

    problems = Problems()
    ds = copy.copy(dataset)
    files = (getattr(dataset, "metadata", None) or {}).get("files", {})
    for name, spec in TABLES.items():
        df = getattr(dataset, name, None)
        file = files.get(name, spec.file)
        if df is None:
            df = pd.DataFrame()
            if not spec.optional:
                problems.add(file, None, "", "", f"table '{name}' is missing",
                             f"缺少数据表 '{name}'")
        df = df.reset_index(drop=True)
        converted = _convert_table(df, spec, problems, file)
        if name == "townships" and hasattr(df, "geometry"):
            import geopandas as gpd

            converted = gpd.GeoDataFrame(converted, geometry=df.geometry.values, crs=4326)
        setattr(ds, name, converted)
    _check_dataset(ds, problems)
    return _sorted(problems.to_frame())


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {f: i for i, f in enumerate(_FILE_ORDER)}
    key_file = frame["file"].map(lambda f: rank.get(Path(str(f)).stem if Path(str(f)).stem in rank
                                                    else str(f), len(rank)))
    key_row = frame["row"].map(lambda r: -1 if r is None else r)
    order = np.lexsort((np.arange(len(frame)), key_row.to_numpy(dtype=float),
                        key_file.to_numpy(dtype=float)))
    return frame.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Cross-table checks
# --------------------------------------------------------------------------------------------


class _Reporter:
    """Adds problems for a dataset's tables, knowing each table's file name."""

    def __init__(self, dataset: Any, problems: Problems) -> None:
        files = (getattr(dataset, "metadata", None) or {}).get("files", {})
        self.files = {name: files.get(name, spec.file) for name, spec in TABLES.items()}
        self.problems = problems

    def __call__(self, table: str, pos: int | None, column: str, value: Any, en: str, zh: str,
                 level: str = "error") -> None:
        self.problems.add(self.files.get(table, table), None if pos is None else pos + 1,
                          column, value, en, zh, level)


def _check_dataset(ds: Any, problems: Problems) -> None:
    """Every multi-row and cross-table check; appends to ``problems``."""
    rep = _Reporter(ds, problems)
    t = {name: getattr(ds, name) for name in TABLES}
    _check_not_empty(t, rep)
    _check_unique(t, rep)
    _check_townships(t, rep)
    codes = _codes(t)
    _check_establishments(t, codes, rep)
    _check_stations(t, codes, rep)
    _check_officers(t, codes, rep)
    _check_labs(t, rep)
    for name in ("history", "results"):
        _check_samples(name, t, codes, ds, rep)
    _check_complaints(t, codes, ds, rep)
    _check_geography(ds, t, rep)


def _codes(t: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    def s(name: str, col: str) -> set[str]:
        return set(t[name][col].dropna().astype(str)) if col in t[name].columns else set()

    return {
        "township": s("townships", "township_code"),
        "business_type": s("business_types", "business_type"),
        "category": s("categories", "category_code"),
        "establishment": s("establishments", "establishment_id"),
        "station": s("stations", "station_id"),
    }


def _check_not_empty(t: dict[str, pd.DataFrame], rep: _Reporter) -> None:
    for name in ("townships", "establishments", "stations", "labs", "categories",
                 "business_types"):
        if len(t[name]) == 0 and not rep.problems.file_failed(rep.files[name]):
            rep(name, None, "", "", "the table has no data rows", "该表没有数据行")


def _check_unique(t: dict[str, pd.DataFrame], rep: _Reporter) -> None:
    for name, spec in TABLES.items():
        if not spec.key or spec.key not in t[name].columns:
            continue
        ids = t[name][spec.key].reset_index(drop=True)
        first: dict[str, int] = {}
        for pos, v in enumerate(ids):
            if pd.isna(v):
                continue
            if v in first:
                rep(name, pos, spec.key, v, f"duplicate {spec.key} (first in row {first[v] + 1})",
                    f"{spec.key} 重复（首次出现在第 {first[v] + 1} 行）")
            else:
                first[v] = pos


def _check_townships(t: dict[str, pd.DataFrame], rep: _Reporter) -> None:
    town = t["townships"].reset_index(drop=True)
    for pos, code in enumerate(town["township_code"]):
        if isinstance(code, str) and not (code.isdigit() and len(code) in (9, 12)):
            rep("townships", pos, "township_code", code,
                "township code must be the 9-digit (or 12-digit) NBS code",
                "乡镇代码应为 9 位（或 12 位）统计用区划代码")
    if "geometry" in town.columns:
        for pos, (code, geom) in enumerate(zip(town["township_code"], town.geometry)):
            if geom is None or (not hasattr(geom, "is_empty")) or geom.is_empty:
                rep("townships", pos, "township_code", code,
                    "no polygon for this township in townships.geojson",
                    "townships.geojson 中没有该乡镇的边界")
            elif geom.geom_type not in ("Polygon", "MultiPolygon"):
                rep("townships", pos, "township_code", code,
                    f"township geometry must be a polygon, got {geom.geom_type}",
                    f"乡镇边界应为多边形，实际为 {geom.geom_type}")
            elif not geom.is_valid:
                rep("townships", pos, "township_code", code,
                    "township polygon is not a valid geometry (self-intersection?)",
                    "乡镇边界多边形无效（自相交？）", "warning")


def _windows_ok(text: str) -> tuple[bool, str, str]:
    from riskplan.io import parse_windows

    try:
        windows = parse_windows(text)
    except ValueError:
        return True, "", ""  # format problems are reported when reading
    for a, b in windows:
        if a >= b:
            return (False, "a time window must end after it starts (split a window that crosses "
                    "midnight into two)", "时段结束时间必须晚于开始时间（跨午夜的时段请拆成两段）")
    return True, "", ""


def _check_establishments(t: dict[str, pd.DataFrame], codes: dict[str, set[str]],
                          rep: _Reporter) -> None:
    from riskplan.io import split_list

    est = t["establishments"].reset_index(drop=True)
    bt = t["business_types"]
    stage_of = dict(zip(bt["business_type"], bt["stage"])) if len(bt) else {}
    cats = split_list(est["categories"])
    for pos, rec in enumerate(est[["township_code", "business_type", "stage", "opening_hours"]]
                              .itertuples(index=False)):
        if isinstance(rec.township_code, str) and rec.township_code not in codes["township"]:
            rep("establishments", pos, "township_code", rec.township_code,
                "unknown township code (not in townships)", "乡镇代码不存在（townships 中没有）")
        if isinstance(rec.business_type, str):
            if rec.business_type not in codes["business_type"]:
                rep("establishments", pos, "business_type", rec.business_type,
                    "unknown business type (not in business_types)",
                    "业态代码不存在（business_types 中没有）")
            elif isinstance(rec.stage, str) and stage_of.get(rec.business_type) != rec.stage:
                rep("establishments", pos, "stage", rec.stage,
                    f"stage does not match business type {rec.business_type} "
                    f"(which is {stage_of.get(rec.business_type)})",
                    f"环节与业态 {rec.business_type} 不一致（应为 {stage_of.get(rec.business_type)}）")
        if isinstance(rec.opening_hours, str):
            ok, en, zh = _windows_ok(rec.opening_hours)
            if not ok:
                rep("establishments", pos, "opening_hours", rec.opening_hours, en, zh)
    raw_cats = est["categories"]
    for pos, items in enumerate(cats):
        if not items:
            if not pd.isna(raw_cats.iloc[pos]):
                rep("establishments", pos, "categories", raw_cats.iloc[pos],
                    "at least one food category is needed", "至少需要一个食品类别")
            continue
        unknown = [c for c in items if c not in codes["category"]]
        if unknown:
            rep("establishments", pos, "categories", ";".join(unknown),
                "unknown category code(s) (not in categories)", "食品类别代码不存在（categories 中没有）")
        dups = sorted({c for c in items if items.count(c) > 1})
        if dups:
            rep("establishments", pos, "categories", ";".join(dups),
                "category listed twice", "食品类别重复列出", "warning")
    if "has_location" in est.columns:
        for pos in np.flatnonzero(~est["has_location"].astype(bool).to_numpy()):
            rep("establishments", int(pos), "lon_wgs84", "",
                "no coordinates: kept, can be sampled but not routed",
                "无坐标：保留该主体，可抽样但无法排入路线", "warning")


def _check_stations(t: dict[str, pd.DataFrame], codes: dict[str, set[str]],
                    rep: _Reporter) -> None:
    from riskplan.io import split_list

    st = t["stations"].reset_index(drop=True)
    covered: dict[str, int] = {}
    for pos, items in enumerate(split_list(st["township_codes"])):
        for code in items:
            if code not in codes["township"]:
                rep("stations", pos, "township_codes", code,
                    "unknown township code (not in townships)", "乡镇代码不存在（townships 中没有）")
            elif code in covered:
                rep("stations", pos, "township_codes", code,
                    f"township already covered by the station in row {covered[code] + 1}",
                    f"该乡镇已由第 {covered[code] + 1} 行的监管所负责（每个乡镇只能属于一个所）")
            else:
                covered[code] = pos
    if len(st):
        for code in sorted(codes["township"] - set(covered)):
            rep("stations", None, "township_codes", code,
                "township not covered by any station", "该乡镇没有任何监管所负责")


def _check_officers(t: dict[str, pd.DataFrame], codes: dict[str, set[str]],
                    rep: _Reporter) -> None:
    off = t["officers"].reset_index(drop=True)
    for pos, sid in enumerate(off["station_id"]):
        if isinstance(sid, str) and sid not in codes["station"]:
            rep("officers", pos, "station_id", sid, "unknown station (not in stations)",
                "监管所不存在（stations 中没有）")


def _check_labs(t: dict[str, pd.DataFrame], rep: _Reporter) -> None:
    from riskplan.io import time_to_minutes

    labs = t["labs"].reset_index(drop=True)
    for pos, (a, b) in enumerate(zip(labs["intake_open"], labs["intake_cutoff"])):
        if isinstance(a, str) and isinstance(b, str):
            try:
                if time_to_minutes(a) >= time_to_minutes(b):
                    rep("labs", pos, "intake_cutoff", b,
                        f"intake cut-off must be after intake opening ({a})",
                        f"收样截止时间必须晚于收样开始时间（{a}）")
            except ValueError:
                pass


def _check_samples(name: str, t: dict[str, pd.DataFrame], codes: dict[str, set[str]], ds: Any,
                   rep: _Reporter) -> None:
    df = t[name].reset_index(drop=True)
    if not len(df):
        return
    ref = pd.Timestamp(ds.reference_date) if getattr(ds, "reference_date", None) else None
    plan_year = getattr(ds, "plan_year", None)
    cols = ["establishment_id", "category_code", "result", "followup_status", "followup_date",
            "sample_date"]
    for pos, r in enumerate(df[cols].itertuples(index=False)):
        if isinstance(r.establishment_id, str) and r.establishment_id not in codes["establishment"]:
            rep(name, pos, "establishment_id", r.establishment_id,
                "unknown establishment (not in establishments)", "被抽样主体不存在（establishments 中没有）")
        if isinstance(r.category_code, str) and r.category_code not in codes["category"]:
            rep(name, pos, "category_code", r.category_code,
                "unknown category code (not in categories)", "食品类别代码不存在（categories 中没有）")
        status = r.followup_status if isinstance(r.followup_status, str) else None
        if r.result == "pass" and status not in (None, "not_required"):
            rep(name, pos, "followup_status", status,
                "a passing sample needs no follow-up (use not_required)",
                "合格样品无需核查处置（应为 not_required）")
        if r.result == "fail" and status == "not_required":
            rep(name, pos, "followup_status", status,
                "an unqualified sample needs follow-up (done or pending)",
                "不合格样品必须核查处置（done 或 pending）")
        if not pd.isna(r.followup_date):
            if status is not None and status != "done":
                rep(name, pos, "followup_date", r.followup_date.date(),
                    "follow-up date given but the follow-up is not done",
                    "填写了处置日期，但处置状态不是 done")
            elif not pd.isna(r.sample_date) and r.followup_date < r.sample_date:
                rep(name, pos, "followup_date", r.followup_date.date(),
                    "follow-up date is before the sample date", "处置日期早于抽样日期")
        if not pd.isna(r.sample_date):
            if ref is not None and r.sample_date > ref:
                rep(name, pos, "sample_date", r.sample_date.date(),
                    f"after the reference date {ref.date()} the data are frozen at",
                    f"晚于数据基准日期 {ref.date()}")
            elif name == "results" and plan_year and r.sample_date.year != plan_year:
                rep(name, pos, "sample_date", r.sample_date.date(),
                    f"results must be from the plan year {plan_year}",
                    f"本年度结果应在计划年度 {plan_year} 内", "warning")


def _check_complaints(t: dict[str, pd.DataFrame], codes: dict[str, set[str]], ds: Any,
                      rep: _Reporter) -> None:
    df = t["complaints"].reset_index(drop=True)
    if not len(df):
        return
    ref = pd.Timestamp(ds.reference_date) if getattr(ds, "reference_date", None) else None
    est = t["establishments"]
    town_of = dict(zip(est["establishment_id"], est["township_code"]))
    cols = ["establishment_id", "township_code", "category_code", "date"]
    for pos, r in enumerate(df[cols].itertuples(index=False)):
        if isinstance(r.establishment_id, str):
            if r.establishment_id not in codes["establishment"]:
                rep("complaints", pos, "establishment_id", r.establishment_id,
                    "unknown establishment (not in establishments)", "主体不存在（establishments 中没有）")
            elif isinstance(r.township_code, str) and town_of.get(r.establishment_id) != r.township_code:
                rep("complaints", pos, "township_code", r.township_code,
                    f"township differs from the establishment's ({town_of.get(r.establishment_id)})",
                    f"乡镇与该主体所在乡镇（{town_of.get(r.establishment_id)}）不一致", "warning")
        if isinstance(r.township_code, str) and r.township_code not in codes["township"]:
            rep("complaints", pos, "township_code", r.township_code,
                "unknown township code (not in townships)", "乡镇代码不存在（townships 中没有）")
        if isinstance(r.category_code, str) and r.category_code not in codes["category"]:
            rep("complaints", pos, "category_code", r.category_code,
                "unknown category code (not in categories)", "食品类别代码不存在（categories 中没有）")
        if ref is not None and not pd.isna(r.date) and r.date > ref:
            rep("complaints", pos, "date", r.date.date(),
                f"after the reference date {ref.date()} the data are frozen at",
                f"晚于数据基准日期 {ref.date()}")


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------


def _outline(ds: Any, town: pd.DataFrame) -> Any:
    """District outline (shapely geometry, EPSG:4326) or None."""
    district = getattr(ds, "district", None)
    geoms = []
    if district is not None and len(district):
        geoms = [g for g in district.geometry if g is not None and not g.is_empty]
    if not geoms and "geometry" in town.columns:
        geoms = [g for g in town.geometry if g is not None and hasattr(g, "is_empty")
                 and not g.is_empty and g.geom_type in ("Polygon", "MultiPolygon")]
    if not geoms:
        return None
    from shapely import make_valid, union_all

    return union_all([make_valid(g) for g in geoms])


def _utm_crs(geom: Any) -> str:
    """The UTM zone CRS of a geometry's centre (EPSG:326xx north, 327xx south)."""
    c = geom.centroid
    zone = int((c.x + 180.0) // 6.0) % 60 + 1
    return f"EPSG:{32600 + zone if c.y >= 0 else 32700 + zone}"


def _check_geography(ds: Any, t: dict[str, pd.DataFrame], rep: _Reporter) -> None:
    import geopandas as gpd

    town = t["townships"]
    outline = _outline(ds, town)
    out_s = None
    if outline is not None:
        out_s = gpd.GeoSeries([outline], crs=4326)
        utm = _utm_crs(outline)
        outline_m = out_s.to_crs(utm).iloc[0]
    cases = [("establishments", DISTRICT_TOLERANCE_KM), ("stations", FACILITY_TOLERANCE_KM),
             ("labs", FACILITY_TOLERANCE_KM)]
    for name, tol in cases:
        df = t[name].reset_index(drop=True)
        if not len(df) or "lon_wgs84" not in df.columns:
            continue
        lon = df["lon_wgs84"].to_numpy(dtype=float, na_value=np.nan)
        lat = df["lat_wgs84"].to_numpy(dtype=float, na_value=np.nan)
        src = (df["coord_source"] if "coord_source" in df.columns
               else pd.Series("wgs84", index=df.index)).fillna("wgs84")
        has = ~np.isnan(lon) & ~np.isnan(lat)
        if name != "establishments":  # teams start and samples end here: a place is needed
            for pos in np.flatnonzero(~has):
                rep(name, int(pos), "lon_wgs84", "", "coordinates are required here",
                    "此处必须填写坐标")
        in_china = has & (lon >= _CHINA[0]) & (lon <= _CHINA[1]) & (lat >= _CHINA[2]) & (
            lat <= _CHINA[3])
        for pos in np.flatnonzero(has & ~in_china):
            col = f"lon_{src.iloc[pos]}"
            value = f"{lon[pos]:g}, {lat[pos]:g}"
            swapped = _CHINA[0] <= lat[pos] <= _CHINA[1] and _CHINA[2] <= lon[pos] <= _CHINA[3]
            if swapped:
                rep(name, int(pos), col, value, "longitude and latitude look swapped",
                    "经度和纬度似乎填反了")
            else:
                rep(name, int(pos), col, value,
                    "coordinates are not plausible (outside China; decimal degrees expected)",
                    "坐标不合理（不在中国境内；应为十进制度）")
        if outline is None or not in_china.any():
            continue
        pts = gpd.GeoSeries(gpd.points_from_xy(lon[in_china], lat[in_china]), crs=4326).to_crs(utm)
        dist_km = pts.distance(outline_m).to_numpy() / 1000.0
        idx = np.flatnonzero(in_china)
        for pos, d in zip(idx[dist_km > tol], dist_km[dist_km > tol]):
            col = f"lon_{src.iloc[pos]}"
            what = "the district" if name == "establishments" else f"{tol:g} km of the district"
            rep(name, int(pos), col, f"{lon[pos]:.6f}, {lat[pos]:.6f}",
                f"coordinates outside {what} ({d:.1f} km from its outline)",
                f"坐标超出辖区范围（距边界 {d:.1f} 公里）")
        if name == "establishments" and "geometry" in town.columns and len(town):
            _check_in_township(df, town, in_china, utm, rep)


def _check_in_township(est: pd.DataFrame, town: Any, mask: np.ndarray, utm: Any,
                       rep: _Reporter) -> None:
    import geopandas as gpd

    polys = {c: g for c, g in zip(town["township_code"], town.geometry)
             if g is not None and hasattr(g, "is_empty") and not g.is_empty}
    sel = mask & est["township_code"].isin(list(polys)).to_numpy()
    if not sel.any():
        return
    sub = est[sel]
    pts = gpd.GeoSeries(gpd.points_from_xy(sub["lon_wgs84"], sub["lat_wgs84"]), crs=4326)
    shapes = gpd.GeoSeries([polys[c] for c in sub["township_code"]], crs=4326)
    dist = pts.to_crs(utm).distance(shapes.to_crs(utm), align=False).to_numpy() / 1000.0
    for pos, d, code in zip(np.flatnonzero(sel), dist, sub["township_code"]):
        if d > TOWNSHIP_TOLERANCE_KM:
            rep("establishments", int(pos), "township_code", code,
                f"point lies {d:.1f} km outside this township's polygon",
                f"坐标位于该乡镇边界之外 {d:.1f} 公里", "warning")


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def summarize(dataset: Any) -> pd.DataFrame:
    """Key figures of a dataset as a two-column table (``item``, ``value``), for reports and the CLI.

    Items (Chinese / English): townships, population [persons], establishments (by stage, without
    location), stations and teams, officers, labs, history rows and years, unqualified rate,
    results so far, complaints.
    """
    rows: list[tuple[str, Any]] = []
    town, est = dataset.townships, dataset.establishments
    rows.append(("name / 名称", dataset.name))
    rows.append(("reference date / 基准日期", dataset.reference_date))
    rows.append(("plan year / 计划年度", dataset.plan_year))
    rows.append(("townships / 乡镇街道", len(town)))
    pop = pd.to_numeric(town["population"], errors="coerce")
    rows.append(("population / 常住人口", f"{int(pop.sum()):,}"))
    if "population_source" in town.columns:
        rows.append(("  census / estimate (townships) / 普查/估算", " / ".join(
            str(int((town["population_source"] == k).sum())) for k in ("census", "estimate"))))
    rows.append(("establishments / 经营主体", len(est)))
    for stage, n in est["stage"].value_counts().sort_index().items():
        rows.append((f"  {stage}", int(n)))
    if "has_location" in est.columns:
        rows.append(("  without coordinates / 无坐标", int((~est["has_location"].astype(bool)).sum())))
    teams = pd.to_numeric(dataset.stations["teams"], errors="coerce").sum()
    rows.append(("stations (teams) / 监管所（小组）", f"{len(dataset.stations)} ({int(teams)})"))
    rows.append(("officers / 执法人员", len(dataset.officers)))
    rows.append(("labs / 检验机构", len(dataset.labs)))
    hist = dataset.history
    years = hist["sample_date"].dt.year.dropna()
    span = f" ({int(years.min())}-{int(years.max())})" if len(years) else ""
    rows.append(("history samples / 历史抽检批次", f"{len(hist)}{span}"))
    if len(hist):
        fail = (hist["result"] == "fail").sum()
        rows.append(("  unqualified rate / 不合格率", f"{fail / len(hist):.2%} ({int(fail)})"))
    rows.append(("results this year / 本年度结果", len(dataset.results)))
    rows.append(("complaints / 投诉举报", len(dataset.complaints)))
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": str})
