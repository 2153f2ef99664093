"""One mapping from standard column names to Chinese and English headers.

Every file in a plan folder is written with headers in one language (``--lang``); readers map
either language back to the standard (contract) names with :func:`to_standard`, so a plan folder
reads the same whatever language it was written in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Lang = Literal["zh", "en"]

COLUMNS: dict[str, tuple[str, str]] = {
    # standard name: (Chinese header, English header)
    "township_code": ("乡镇街道代码", "Township code"),
    "township_name": ("乡镇街道", "Township"),
    "business_type": ("业态代码", "Business type"),
    "business_type_name": ("业态", "Business type name"),
    "category_code": ("食品类别代码", "Category code"),
    "category_name": ("食品类别", "Category"),
    "stage": ("环节", "Stage"),
    "stratum_id": ("层代码", "Stratum"),
    "weight": ("风险权重", "Risk weight"),
    "floor": ("保底批次", "Floor samples"),
    "risk_part": ("风险分配批次", "Risk-weighted samples"),
    "samples": ("批次", "Samples"),
    "programme": ("任务类别", "Programme"),
    "programme_samples": ("各任务样品", "Samples by programme"),
    "service_minutes": ("检查时长(分钟)", "Visit length (min)"),
    "allowed_dates": ("限定日期", "Allowed dates"),
    "task_level": ("任务层级", "Task level"),
    "counts_towards": ("计入任务", "Counts towards"),
    "counted_as": ("计入方式", "Counted as"),
    "fractional": ("理论批次", "Fractional samples"),
    "cost_yuan": ("检验费用(元)", "Test cost [CNY]"),
    "n_establishments": ("主体数", "Establishments"),
    "month": ("月份", "Month"),
    "visit_id": ("任务编号", "Visit ID"),
    "establishment_id": ("主体编号", "Establishment ID"),
    "establishment_name": ("主体名称", "Establishment name"),
    "name": ("名称", "Name"),
    "address": ("地址", "Address"),
    "licence_no": ("许可证号", "Licence no."),
    "categories_to_sample": ("抽检类别代码", "Categories to sample"),
    "categories_to_sample_names": ("抽检食品", "What to sample"),
    "units": ("购样数量(件)", "Units to buy"),
    "perishable": ("冷链", "Cold chain"),
    "cold_chain": ("冷链", "Cold chain"),
    "mode": ("方式", "Mode"),
    "has_location": ("有坐标", "Has location"),
    "risk_grade": ("风险等级", "Risk grade"),
    "lon_wgs84": ("经度(WGS-84)", "Longitude (WGS-84)"),
    "lat_wgs84": ("纬度(WGS-84)", "Latitude (WGS-84)"),
    "station_id": ("所站编号", "Station ID"),
    "station_name": ("所站", "Station"),
    "team": ("小组", "Team"),
    "team_id": ("小组编号", "Team ID"),
    "officers": ("执法人员", "Officers"),
    "date": ("日期", "Date"),
    "stop_order": ("顺序", "Stop"),
    "arrival": ("预计到达", "Arrival"),
    "arrival_window": ("到达时段", "Arrival window"),
    "officer_names": ("执法人员姓名", "Officer names"),
    "amap_url": ("高德导航", "AMap navigation"),
    "baidu_url": ("百度导航", "Baidu navigation"),
    "held_overnight": ("冷藏过夜", "Held overnight"),
    "navigate_by_address": ("按地址导航", "Navigate by address"),
    "start": ("开始", "Start"),
    "end": ("结束", "End"),
    "lab_deadline": ("送检截止", "Lab deadline"),
    "lab_id": ("检验机构编号", "Lab ID"),
    "lab_name": ("检验机构", "Lab"),
    "reason": ("原因代码", "Reason code"),
    "reason_text": ("原因", "Reason"),
    "detail": ("说明", "Detail"),
    "year": ("年度", "Year"),
    "inclusion_probability": ("入样概率", "Inclusion probability"),
    "opening_hours": ("营业时间", "Opening hours"),
    "window": ("可抽样时段", "Sampling windows"),
    "higher_level": ("上级任务批次", "Higher-level samples"),
    "key_product": ("重点品种", "Key product"),
    "school": ("学校食堂", "School canteen"),
    "cost_per_sample_yuan": ("单批检验费(元)", "Cost per sample [CNY]"),
    "requested": ("计划批次", "Requested"),
    "delivered": ("落实批次", "Delivered"),
    "missing": ("缺口批次", "Missing"),
    "n_eligible": ("可抽主体数", "Eligible establishments"),
    "capacity": ("全年可抽批次", "Capacity in the year"),
    "moved": ("调剂批次", "Moved samples"),
    "kind": ("类型", "Kind"),
    "from_month": ("原月份", "From month"),
    "to_month": ("新月份", "To month"),
    "from_stratum": ("原层", "From stratum"),
    "to_stratum": ("新层", "To stratum"),
    "n_stops": ("点位数", "Stops"),
    "distance_km": ("里程(km)", "Distance [km]"),
    "duration_min": ("用时(分钟)", "Duration [min]"),
    "platform": ("平台", "Platform"),
    "order_by": ("下单截止", "Order by"),
    "quota": ("任务量", "Quota"),
    "perishable_samples": ("冷链批次", "Cold-chain samples"),
    "held_samples": ("留存过夜批次", "Samples held overnight"),
    "km": ("里程(km)", "Distance [km]"),
    "travel_minutes": ("行车(分钟)", "Driving [min]"),
    "minutes": ("用时(分钟)", "Duration [min]"),
    "ends_at": ("终点", "Ends at"),
    "lab_arrival": ("送达检验机构", "Lab arrival"),
    "lab_date": ("送检日期", "Lab date"),
    "booked": ("此前已排批次", "Booked earlier"),
    "capacity_per_day": ("日收样能力", "Capacity per day"),
    "roster_size": ("在册人数", "Roster size"),
    "seed": ("随机种子", "Seed"),
    "posterior_rate": ("不合格率(后验)", "Posterior unqualified rate"),
    "test_sensitivity": ("检验灵敏度", "Test sensitivity"),
    "sampling_fraction": ("抽样比例", "Sampling fraction"),
    "sensitivity_method": ("灵敏度算法", "Sensitivity method"),
    "surveillance_sensitivity": ("监测灵敏度", "Surveillance sensitivity"),
    "expected_found": ("预期检出批次", "Expected unqualified found"),
    "p_found": ("检出概率", "Chance of a find"),
}

TEXT_SUFFIXES: tuple[str, ...] = ("_id", "_code", "_no", "_codes")
"""Columns whose names end like this are identifiers or codes: always text, never numbers."""

TEXT_COLUMNS: frozenset[str] = frozenset(
    {"business_type", "categories_to_sample", "stratum_id", "team_id", "risk_grade", "officers"}
)


def is_id_column(column: str) -> bool:
    """True for identifier and code columns (kept as text in every export)."""
    return column in TEXT_COLUMNS or column.endswith(TEXT_SUFFIXES)


def header(column: str, lang: Lang) -> str:
    """Header of ``column`` in ``lang`` (the standard name itself when it has no translation)."""
    pair = COLUMNS.get(column)
    if pair is None:
        return column
    return pair[0] if lang == "zh" else pair[1]


def headers(columns: Iterable[str], lang: Lang) -> list[str]:
    """Headers of several columns in ``lang``."""
    return [header(c, lang) for c in columns]


def to_standard(columns: Iterable[str]) -> list[str]:
    """Map headers in either language (or standard names) back to the standard names.

    Where two standard names share a Chinese header (``perishable``/``cold_chain``), the first
    one in :data:`COLUMNS` wins.
    """
    reverse: dict[str, str] = {}
    for std, (zh, en) in COLUMNS.items():
        reverse.setdefault(zh, std)
        reverse.setdefault(en, std)
    return [c if c in COLUMNS else reverse.get(c, c) for c in columns]
