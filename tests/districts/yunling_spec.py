"""The invented facts of Yunling County (云岭县) that ``build_yunling.py`` turns into files.

Everything here is made up for testing: codes, names, roles, rates. Positions are in the
generator's local plane [m] (x east, y north of lon 100.15, lat 25.55).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

DISTRICT: dict[str, str] = {"code": "530999", "name_zh": "云岭县", "name_en": "Yunling County"}

TOWNSHIPS: list[dict[str, Any]] = [
    {"township_code": "530999101000", "name_zh": "云岭镇", "name_en": "Yunling Town", "kind": "town",
     "population": 83_512, "population_source": "estimate", "area_type": "urban",
     "seat_m": (-1_000.0, -1_500.0), "reach": 0.7, "spread_m": 700.0, "effect": 0.95,
     "villages_m": [(2_500.0, -4_000.0), (-3_500.0, 1_500.0)], "short": "云岭",
     "roads": ["兴云路", "玉带路", "滨河路", "文笔路", "南山路"]},
    {"township_code": "530999201000", "name_zh": "坝湾乡", "name_en": "Bawan Township",
     "kind": "town", "population": 42_307, "population_source": "estimate", "area_type": "rural",
     "seat_m": (3_000.0, -13_000.0), "reach": 1.0, "spread_m": 1_200.0, "effect": 1.1,
     "villages_m": [(9_000.0, -9_000.0), (-5_000.0, -12_000.0)], "short": "坝湾",
     "roads": ["坝湾街", "稻香路", "水库路"]},
    {"township_code": "530999202000", "name_zh": "雪峰乡", "name_en": "Xuefeng Township",
     "kind": "town", "population": 28_964, "population_source": "estimate",
     "area_type": "mountain", "seat_m": (-9_000.0, 8_000.0), "reach": 1.15, "spread_m": 1_600.0,
     "effect": 1.3, "villages_m": [(-12_000.0, 0.0), (-4_000.0, 14_000.0)], "short": "雪峰",
     "roads": ["雪峰街", "松涛路"]},
    {"township_code": "530999203000", "name_zh": "松林彝族乡", "name_en": "Songlin Yi Ethnic Township",
     "kind": "town", "population": 25_654, "population_source": "estimate",
     "area_type": "mountain", "seat_m": (9_000.0, 9_000.0), "reach": 1.1, "spread_m": 1_600.0,
     "effect": 1.4, "villages_m": [(12_000.0, 1_000.0), (5_000.0, 15_000.0)], "short": "松林",
     "roads": ["火把街", "彝寨路"]},
]
"""Four township-level units: one town (the county seat) and three townships (乡)."""


def _jy(kind: int) -> Callable[[dict[str, Any], int, np.random.Generator], str]:
    """食品经营许可证 number: JY + kind (1 sale, 2 catering, 3 unit canteen) + area + serial."""
    return lambda town, serial, rng: f"JY{kind}530999{serial:06d}{int(rng.integers(10))}"


def _workshop(town: dict[str, Any], serial: int, rng: np.random.Generator) -> str:
    return f"ZF530999{serial:04d}"


def _vendor(town: dict[str, Any], serial: int, rng: np.random.Generator) -> str:
    return f"TF530999{serial:04d}" if rng.random() < 0.5 else ""


def _bt(stage: str, stage_zh: str, name_zh: str, name_en: str, vulnerable: bool, roles: str,
        note: str, grades: tuple[float, ...], customers: tuple[int, int] | None, rate_mult: float,
        effort: float, complaints: float, licence: Callable[..., str]) -> dict[str, Any]:
    return {"stage": stage, "stage_zh": stage_zh, "name_zh": name_zh, "name_en": name_en,
            "vulnerable": "true" if vulnerable else "false", "roles": roles, "note": note,
            "grades": grades, "customers": customers, "rate_mult": rate_mult, "effort": effort,
            "complaints": complaints, "licence": licence}


BUSINESS_TYPES: dict[str, dict[str, Any]] = {
    "SC-SCHOOL": _bt("catering", "餐饮", "学校食堂", "School canteen", True, "school canteen",
                     "寄宿制学校较多；仅上课日抽检", (0.55, 0.35, 0.1, 0.0), (200, 1500), 0.5, 2.0,
                     1.5, _jy(3)),
    "SC-KINDER": _bt("catering", "餐饮", "幼儿园食堂", "Kindergarten canteen", True,
                     "kindergarten canteen", "托幼机构；仅在园日抽检", (0.6, 0.3, 0.1, 0.0), (60, 300),
                     0.5, 2.0, 1.5, _jy(3)),
    "SC-ELDER": _bt("catering", "餐饮", "养老机构食堂", "Elderly-care canteen", True,
                    "elderly canteen", "敬老院、福利院", (0.4, 0.4, 0.2, 0.0), (30, 150), 0.7, 1.5,
                    1.0, _jy(3)),
    "SC-CENTRAL": _bt("catering", "餐饮", "集体用餐配送单位", "Collective meal supplier", False,
                      "central kitchen", "学生营养餐配送", (0.0, 1.0, 0.0, 0.0), (800, 2000), 0.8,
                      2.0, 1.0, _jy(3)),
    "SC-REST": _bt("catering", "餐饮", "餐馆", "Restaurant", False, "",
                   "含野生菌火锅店；避开用餐高峰", (0.25, 0.45, 0.22, 0.08), (40, 400), 1.0, 1.0,
                   1.2, _jy(2)),
    "SC-SNACK": _bt("catering", "餐饮", "小吃店/米线店", "Snack bar / rice-noodle shop", False, "",
                    "小餐饮", (0.15, 0.45, 0.28, 0.12), (30, 300), 1.3, 1.0, 1.2, _jy(2)),
    "VD-STREET": _bt("catering", "餐饮", "流动摊贩", "Street vendor", False, "street vendor",
                     "摊贩备案卡，可无许可证", (0.05, 0.35, 0.4, 0.2), None, 1.7, 0.8, 1.0, _vendor),
    "MK-WET": _bt("distribution", "流通", "农贸市场", "Farmers' (wet) market", False, "wet market",
                  "街天人多；宜早晨抽检", (0.1, 0.4, 0.35, 0.15), (500, 4000), 1.2, 2.5, 1.0,
                  _jy(1)),
    "MK-WHOLE": _bt("distribution", "流通", "农产品批发市场", "Agricultural wholesale market", False,
                    "wholesale market", "凌晨交易", (0.0, 0.0, 1.0, 0.0), (300, 800), 1.0, 3.0, 0.5,
                    _jy(1)),
    "MK-SUPER": _bt("distribution", "流通", "超市", "Supermarket", False, "", "",
                    (0.5, 0.35, 0.15, 0.0), (100, 1200), 0.6, 1.0, 0.8, _jy(1)),
    "WEB-SHOP": _bt("distribution", "流通", "网络食品销售", "Online food seller", False,
                    "online seller", "网购抽样，不上门", (0.3, 0.4, 0.2, 0.1), None, 0.9, 1.0, 0.6,
                    _jy(1)),
    "PF-WORKSHOP": _bt("production", "生产", "食品小作坊", "Small food workshop", False, "",
                       "腊肉、米线、菜籽油、茶叶、鲜花饼作坊", (0.1, 0.4, 0.35, 0.15), None, 1.4, 1.5,
                       0.8, _workshop),
}
"""Business types (业态) with their own codes and a ``roles`` column; none is Ouhai's."""

COUNTS: dict[str, list[int]] = {
    # establishments per township, in TOWNSHIPS order; 松林彝族乡 has ONE school canteen
    "SC-SCHOOL": [5, 3, 2, 1],
    "SC-KINDER": [3, 2, 1, 0],
    "SC-ELDER": [2, 1, 0, 1],
    "SC-CENTRAL": [1, 0, 0, 0],
    "SC-REST": [18, 8, 5, 5],
    "SC-SNACK": [15, 8, 5, 4],
    "VD-STREET": [7, 4, 2, 1],
    "MK-WET": [2, 2, 1, 1],
    "MK-WHOLE": [1, 0, 0, 0],
    "MK-SUPER": [8, 4, 2, 2],
    "WEB-SHOP": [5, 2, 1, 0],
    "PF-WORKSHOP": [4, 4, 3, 3],
}


def _cat(name_zh: str, name_en: str, group: str, classic: str, severity: float, perishable: bool,
         cost: float, units: int, base_rate: float, effort: float,
         season: tuple[int, ...] = ()) -> dict[str, Any]:
    return {"name_zh": name_zh, "name_en": name_en, "group": group, "classic_33_category": classic,
            "hazard_severity": severity, "perishable": "true" if perishable else "false",
            "cost_yuan": cost, "units_per_sample": units, "base_rate": base_rate, "effort": effort,
            "season": season}


CATEGORIES: dict[str, dict[str, Any]] = {
    "F01": _cat("餐饮食品", "Catering foods", "catering", "餐饮食品", 4.0, True, 550.0, 2, 0.045, 1.2),
    "F02": _cat("畜禽肉", "Livestock and poultry meat", "agricultural", "食用农产品", 4.0, True,
                800.0, 3, 0.05, 1.5),
    "F03": _cat("蔬菜", "Vegetables", "agricultural", "食用农产品", 4.0, True, 450.0, 3, 0.06, 1.5),
    "F04": _cat("水果", "Fresh fruit", "agricultural", "食用农产品", 3.0, True, 450.0, 3, 0.03, 1.0),
    "F05": _cat("鲜蛋", "Fresh eggs", "agricultural", "食用农产品", 3.0, True, 550.0, 3, 0.02, 1.0),
    "F06": _cat("淡水产品", "Freshwater fish", "agricultural", "食用农产品", 4.0, True, 850.0, 3,
                0.06, 1.2),
    "F07": _cat("野生菌", "Wild mushrooms", "agricultural", "食用农产品", 5.0, True, 900.0, 3, 0.10,
                1.8, season=(6, 7, 8, 9)),
    "F08": _cat("腊肉及肉制品", "Cured meat and meat products", "processed", "肉制品", 4.0, False,
                900.0, 3, 0.05, 1.0),
    "F09": _cat("鲜米线", "Fresh rice noodles", "processed", "粮食加工品", 3.5, True, 500.0, 3, 0.07,
                1.3),
    "F10": _cat("菜籽油", "Rapeseed oil", "processed", "食用油、油脂及其制品", 3.0, False, 850.0, 2,
                0.03, 0.8),
    "F11": _cat("茶叶", "Tea", "processed", "茶叶及相关制品", 2.0, False, 950.0, 2, 0.015, 0.6),
    "F12": _cat("鲜花饼及糕点", "Flower cakes and pastries", "processed", "糕点", 3.0, False, 650.0,
                3, 0.04, 0.8),
}
"""Twelve food categories with their own codes; F07 wild mushrooms are in season June-September."""

HAZARDS: dict[str, list[str]] = {
    "F01": ["微生物污染", "食品添加剂超范围", "餐具清洗消毒不合格"],
    "F02": ["兽药残留", "非法添加"],
    "F03": ["农药残留", "重金属"],
    "F04": ["农药残留"],
    "F05": ["兽药残留"],
    "F06": ["兽药残留", "非法添加"],
    "F07": ["重金属"],  # cadmium and lead accumulate in wild mushrooms
    "F08": ["食品添加剂超范围", "质量指标", "微生物污染"],
    "F09": ["食品添加剂超范围", "微生物污染"],
    "F10": ["真菌毒素", "质量指标"],
    "F11": ["农药残留", "质量指标"],
    "F12": ["食品添加剂超范围", "微生物污染"],
}
"""What an unqualified sample of each category was found with (不合格项目)."""

STATIONS: list[dict[str, Any]] = [
    {"station_id": "YL-SJS-A", "name": "云岭县市场监管局城区市场监管所",
     "township_codes": "530999101000", "at": (-700.0, -1_300.0), "teams": 2},
    {"station_id": "YL-SJS-B", "name": "云岭县市场监管局山区市场监管所",
     "township_codes": "530999201000;530999202000;530999203000", "at": (3_300.0, -12_800.0),
     "teams": 1},
]
"""Two stations (2 teams in the county seat, 1 for the three mountain townships); ``at`` [m]."""

OFFICERS: list[tuple[str, str, str]] = [
    ("YLZF-01", "杨丽萍", "YL-SJS-A"), ("YLZF-02", "段志强", "YL-SJS-A"),
    ("YLZF-03", "赵建华", "YL-SJS-A"), ("YLZF-04", "李春燕", "YL-SJS-A"),
    ("YLZF-05", "和永福", "YL-SJS-A"), ("YLZF-06", "张海波", "YL-SJS-A"),
    ("YLZF-07", "普阿依", "YL-SJS-B"), ("YLZF-08", "罗成林", "YL-SJS-B"),
    ("YLZF-09", "字文秀", "YL-SJS-B"), ("YLZF-10", "杜明", "YL-SJS-B"),
]

LAB: dict[str, Any] = {"lab_id": "LAB-DX", "name": "澜峰市食品检验检测中心", "at": (24_000.0, -2_000.0),
                       "intake_open": "09:00", "intake_cutoff": "16:00",
                       "address": "澜峰市东城区检测路8号", "capacity_per_day": 12,
                       "working_days": "周一;周二;周三;周四"}
"""The prefecture city's lab, a few km east of the county outline: it takes 12 of the county's
samples a day, Monday to Thursday only (Friday is for its own city's samples)."""


def categories_for(bt: str, rng: np.random.Generator) -> list[str]:
    """Categories an establishment of business type ``bt`` handles (sorted codes)."""
    def some(always: list[str], optional: dict[str, float]) -> list[str]:
        return sorted(always + [c for c, p in optional.items() if rng.random() < p])

    def one_of(options: list[str], extra: float = 0.0) -> list[str]:
        picks = rng.choice(options, size=2 if rng.random() < extra else 1, replace=False)
        return sorted(str(c) for c in picks)

    rules: dict[str, Callable[[], list[str]]] = {
        "SC-SCHOOL": lambda: some(["F01"], {"F03": 0.5, "F02": 0.3, "F09": 0.3}),
        "SC-KINDER": lambda: some(["F01"], {"F05": 0.4, "F04": 0.4}),
        "SC-ELDER": lambda: some(["F01"], {"F03": 0.5}),
        "SC-CENTRAL": lambda: ["F01", "F02", "F03"],
        "SC-REST": lambda: some(["F01"], {"F07": 0.35, "F09": 0.25, "F08": 0.3, "F06": 0.2}),
        "SC-SNACK": lambda: some(["F01"], {"F09": 0.6, "F12": 0.3}),
        "VD-STREET": lambda: one_of(["F01", "F09", "F12", "F04"], extra=0.3),
        "MK-WET": lambda: some(["F02", "F03", "F04"],
                               {"F05": 0.8, "F06": 0.7, "F07": 0.7, "F09": 0.5}),
        "MK-WHOLE": lambda: ["F02", "F03", "F04", "F07"],
        "MK-SUPER": lambda: some(["F10", "F12"],
                                 {"F08": 0.6, "F11": 0.6, "F05": 0.5, "F04": 0.5, "F03": 0.4}),
        "WEB-SHOP": lambda: one_of(["F07", "F11", "F08", "F12"], extra=0.5),
        "PF-WORKSHOP": lambda: one_of(["F08", "F09", "F10", "F11", "F12"], extra=0.2),
    }
    return rules[bt]()


_HOURS: dict[str, list[str]] = {
    "SC-SCHOOL": ["06:30-19:00", "06:30-18:00"],
    "SC-KINDER": ["07:00-17:30"],
    "SC-ELDER": ["06:00-19:00"],
    "SC-CENTRAL": ["04:30-14:00"],
    "SC-REST": ["10:00-14:00;16:30-21:30", "09:30-22:00", "10:30-14:30;17:00-22:00"],
    "SC-SNACK": ["06:30-14:00", "07:00-21:00", "06:30-11:00;16:00-22:00"],
    "VD-STREET": ["06:30-10:00", "17:00-23:00", "11:00-14:00;17:00-21:00"],
    "MK-WET": ["06:00-13:00", "06:30-12:30"],
    "MK-WHOLE": ["03:30-09:00"],
    "MK-SUPER": ["08:30-22:00", "09:00-21:30"],
    "WEB-SHOP": ["09:00-18:00", ""],
    "PF-WORKSHOP": ["07:00-12:00;14:00-18:00", "06:00-11:00"],
}


def opening_hours(bt: str, rng: np.random.Generator) -> str:
    """Opening windows of one establishment (``;`` list, may be empty for online sellers)."""
    options = _HOURS[bt]
    return options[int(rng.integers(len(options)))]


_WORDS = ["苍山", "洱源", "金沙", "玉龙", "彩云", "山野", "老街", "古道", "松茸", "火塘", "茶马",
          "梅子", "乳扇", "杜鹃", "龙潭", "白族", "七彩", "高原", "清泉", "云雾"]
_SURNAMES = ["杨", "李", "段", "赵", "和", "张", "普", "罗", "字", "杜", "王", "施"]
_SCHOOLS = ["第一中学", "民族中学", "中心小学", "完全小学", "第二小学", "九年制学校", "职业中学"]


def name_and_address(bt: str, town: dict[str, Any], j: int,
                     rng: np.random.Generator) -> tuple[str, str]:
    """Invented shop name and address of the ``j``-th establishment of ``bt`` in ``town``."""
    short, word = town["short"], _WORDS[int(rng.integers(len(_WORDS)))]
    surname = _SURNAMES[int(rng.integers(len(_SURNAMES)))]
    names = {
        "SC-SCHOOL": f"云岭县{short}{_SCHOOLS[j % len(_SCHOOLS)]}食堂",
        "SC-KINDER": f"{short}{['中心', '第二', '阳光'][j % 3]}幼儿园食堂",
        "SC-ELDER": f"{short}{['敬老院', '社会福利院'][j % 2]}食堂",
        "SC-CENTRAL": "云岭县学生营养餐配送中心",
        "SC-REST": f"{word}{['野生菌火锅', '饭店', '农家乐', '土鸡馆'][j % 4]}",
        "SC-SNACK": f"{surname}记{['米线', '饵丝', '烧烤', '小吃'][j % 4]}店",
        "VD-STREET": f"{surname}氏{['烤乳扇', '凉米线', '鲜花饼', '水果'][j % 4]}摊",
        "MK-WET": f"{short}{['农贸市场', '街天集市'][j % 2]}",
        "MK-WHOLE": "云岭县农产品批发市场",
        "MK-SUPER": f"{word}{['超市', '便民超市', '购物中心'][j % 3]}",
        "WEB-SHOP": f"{word}山货网店",
        "PF-WORKSHOP": f"{surname}记{['腊肉', '米线', '菜籽油', '茶叶', '鲜花饼'][j % 5]}作坊",
    }
    road = town["roads"][int(rng.integers(len(town["roads"])))]
    address = f"云南省云岭县{town['name_zh']}{road}{int(rng.integers(1, 300))}号"
    return names[bt], address
