"""Checks that need several rows or tables.

Unique IDs, known codes, stage consistency, station coverage, references between tables, time
windows, sample and complaint dates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskplan.dataset import Dataset
from riskplan.schema import TABLES
from riskplan.tables import parse_weekdays, split_list
from riskplan.timeofday import parse_hhmm, split_windows
from riskplan.validation.inspections import check_inspections
from riskplan.validation.report import Reporter
from riskplan.validation.roles import check_roles, check_targets
from riskplan.validation.stages import stage_problems

__all__ = ["check_tables", "check_higher_level"]


def check_tables(ds: Dataset, rep: Reporter) -> None:
    """Every multi-row and cross-table check except geography; reports through ``rep``."""
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
        for pos, col, value, en, zh in stage_problems(t[name]) if len(t[name]) else []:
            rep(name, pos, col, value, en, zh)
    _check_complaints(t, codes, ds, rep)
    check_higher_level(t["higher_level"], codes, rep)
    check_inspections(t["inspections"], codes["establishment"], rep,
                      getattr(ds, "plan_year", None), getattr(ds, "reference_date", None))
    check_roles(ds, rep)
    check_targets(ds, rep)


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


def _check_not_empty(t: dict[str, pd.DataFrame], rep: Reporter) -> None:
    for name in ("townships", "establishments", "stations", "labs", "categories",
                 "business_types"):
        if len(t[name]) == 0 and not rep.problems.file_failed(rep.files[name]):
            rep(name, None, "", "", "the table has no data rows", "该表没有数据行")


def _check_unique(t: dict[str, pd.DataFrame], rep: Reporter) -> None:
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


def _check_townships(t: dict[str, pd.DataFrame], rep: Reporter) -> None:
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
    try:
        windows = split_windows(text)
    except ValueError:
        return True, "", ""  # format problems are reported when reading
    for a, b in windows:
        if a >= b:
            return (False, "a time window must end after it starts (split a window that crosses "
                    "midnight into two)", "时段结束时间必须晚于开始时间（跨午夜的时段请拆成两段）")
    return True, "", ""


def _check_establishments(t: dict[str, pd.DataFrame], codes: dict[str, set[str]],
                          rep: Reporter) -> None:
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
        for no_location in np.flatnonzero(~est["has_location"].astype(bool).to_numpy()).tolist():
            rep("establishments", no_location, "lon_wgs84", "",
                "no coordinates: kept, routed at its township's centre and flagged navigate by address",
                "无坐标：保留该主体，按所属街镇中心排入路线并标注按地址导航", "warning")


def _check_stations(t: dict[str, pd.DataFrame], codes: dict[str, set[str]],
                    rep: Reporter) -> None:
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
                    rep: Reporter) -> None:
    off = t["officers"].reset_index(drop=True)
    for pos, sid in enumerate(off["station_id"]):
        if isinstance(sid, str) and sid not in codes["station"]:
            rep("officers", pos, "station_id", sid, "unknown station (not in stations)",
                "监管所不存在（stations 中没有）")


def _check_labs(t: dict[str, pd.DataFrame], rep: Reporter) -> None:
    labs = t["labs"].reset_index(drop=True)
    for pos, (a, b) in enumerate(zip(labs["intake_open"], labs["intake_cutoff"])):
        if isinstance(a, str) and isinstance(b, str):
            try:
                if parse_hhmm(a) >= parse_hhmm(b):
                    rep("labs", pos, "intake_cutoff", b,
                        f"intake cut-off must be after intake opening ({a})",
                        f"收样截止时间必须晚于收样开始时间（{a}）")
            except ValueError:
                pass
    if "working_days" in labs.columns:
        for pos, text in enumerate(labs["working_days"]):
            try:
                parse_weekdays(text)
            except ValueError as exc:
                rep("labs", pos, "working_days", text, str(exc),
                    "不是星期（mon…sun、1-7 或 周一…周日，多个用 ; 分隔）")


def _check_samples(name: str, t: dict[str, pd.DataFrame], codes: dict[str, set[str]], ds: Dataset,
                   rep: Reporter) -> None:
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


def _check_complaints(t: dict[str, pd.DataFrame], codes: dict[str, set[str]], ds: Dataset,
                      rep: Reporter) -> None:
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


def check_higher_level(df: pd.DataFrame, codes: dict[str, set[str]], rep: Reporter) -> None:
    """Every code of the higher-level table exists (township, business type, category)."""
    if not len(df):
        return
    df = df.reset_index(drop=True)
    for col, kind, table in (("township_code", "township", "townships"),
                             ("business_type", "business_type", "business_types"),
                             ("category_code", "category", "categories")):
        for pos, value in enumerate(df[col]):
            if isinstance(value, str) and value not in codes[kind]:
                rep("higher_level", pos, col, value, f"unknown code (not in {table})",
                    f"代码不存在（{table} 中没有）")
