"""Invented names: shops, schools, canteens, addresses, licence numbers and officers.

Place names come from :class:`riskplan.synthetic.spec.Naming`; the word lists here are generic.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from riskplan.synthetic.spec import Naming

BRANDS: tuple[str, ...] = tuple(
    "鑫 盛 福 来 嘉 和 顺 发 金 源 华 联 兴 旺 隆 泰 永 康 瑞 丰 宏 达 恒 昌 新 阳 佳 美 万 家 "
    "天 成 百 惠 益 民 东 方 海 鸿 宝 安 春 晓 祥 云 乐 品 鲜 味 香 一 品 老 张 阿 强 小 王 "
    "李 陈 林 黄 周 吴 徐 郑 潘 叶 蔡 池 瓯 江 湖 仙 岩".split())
"""Characters two of which make a shop's brand."""

SHOP: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "P-FACTORY": ("食品有限公司", "食品厂", "食品科技有限公司"),
    "P-WORKSHOP": ("糕点坊", "豆腐坊", "面条加工坊", "食品加工坊", "酒坊", "卤味加工坊"),
    "D-SUPERMARKET": ("超市", "购物中心", "生活超市", "平价超市"),
    "D-GROCERY": ("便利店", "食杂店", "副食品店", "烟酒商行", "小卖部"),
    "D-ONLINE": ("电子商务有限公司", "网店", "商贸有限公司"),
    "C-RESTAURANT": ("饭店", "酒楼", "大酒店", "餐馆", "海鲜楼", "土菜馆"),
    "C-SMALL": ("小吃店", "面馆", "快餐店", "奶茶店", "早餐店", "馄饨店", "粉干店", "糕点铺"),
    "C-TAKEAWAY": ("外卖", "餐饮店（外卖）", "简餐"),
    "C-VENDOR": ("小吃摊", "早餐摊", "烧烤摊", "糖水摊"),
})
"""Name endings per business type (types with their own pattern are not listed)."""

SCHOOLS: tuple[str, ...] = ("小学", "中学", "幼儿园", "实验小学", "第一中学", "中心幼儿园", "职业学校")
COMPANIES: tuple[str, ...] = ("机械有限公司", "鞋业有限公司", "眼镜有限公司", "服饰有限公司",
                              "阀门有限公司", "电器有限公司", "医院", "街道办事处", "卫生院",
                              "物流有限公司")
ROAD_SUFFIX: tuple[str, ...] = ("大道", "中路", "东路", "西路", "南路", "北路", "街", "路")
WETMARKET_PREFIX: tuple[str, ...] = ("", "东", "西", "南", "北", "中心", "新")
ELDERLY: tuple[str, ...] = ("敬老院", "颐养院", "养老服务中心", "居家养老服务照料中心")
SURNAMES: tuple[str, ...] = tuple(
    "王 李 张 陈 林 黄 周 吴 徐 郑 潘 叶 蔡 池 金 朱 胡 杨 刘 赵 孙 谢 郭 董 项 邵".split())
GIVEN: tuple[str, ...] = tuple(
    "伟 芳 娜 敏 静 磊 强 军 洋 勇 艳 杰 涛 明 超 秀 霞 平 刚 华 丹 萍 鹏 辉 斌 婷 宇 "
    "浩 凯 健 俊 帆 琳 晨 颖 倩 雪 瑶 怡 博 文 思 远 佳 晓 亮 欣".split())
UNIT_CANTEENS: frozenset[str] = frozenset({"C-SCHOOL", "C-CANTEEN", "C-SITE", "C-ELDERLY"})
"""Canteens of units (licence kind 3)."""


def short(name_zh: str) -> str:
    """A township's name without ``街道`` / ``镇`` / ``乡``."""
    return name_zh.removesuffix("街道").removesuffix("镇").removesuffix("乡")


def brand(rng: np.random.Generator) -> str:
    """Two different brand characters."""
    i, j = rng.choice(len(BRANDS), size=2, replace=False)
    return BRANDS[i] + BRANDS[j]


def _one(options: tuple[str, ...], rng: np.random.Generator) -> str:
    return options[int(rng.integers(0, len(options)))]


def business_name(btype: str, town: str, rng: np.random.Generator, serial: int,
                  naming: Naming) -> str:
    """An invented name for an establishment.

    Parameters
    ----------
    btype
        Business type code.
    town
        Chinese name of its township.
    rng
        Random stream.
    serial
        1-based number of the establishment within its business type (chooses between fixed
        names such as the wholesale markets').
    naming
        The district's place names.

    Returns
    -------
    str
        E.g. ``瓯海鑫盛超市``, ``温州市瓯海区景山华联小学食堂``, ``景山东农贸市场``.
    """
    s = short(town)
    if btype == "D-WHOLESALE":
        return naming.wholesale_markets[serial % len(naming.wholesale_markets)]
    if btype == "D-WETMARKET":
        return f"{s}{WETMARKET_PREFIX[serial % len(WETMARKET_PREFIX)]}农贸市场"
    if btype == "C-SCHOOL":
        return f"{naming.city_zh}{naming.district_zh}{s}{brand(rng)}{_one(SCHOOLS, rng)}食堂"
    if btype == "C-CANTEEN":
        return f"{naming.city_short_zh}{brand(rng)}{_one(COMPANIES, rng)}职工食堂"
    if btype == "C-SITE":
        return f"{brand(rng)}建设有限公司{s}项目部工地食堂"
    if btype == "C-ELDERLY":
        return f"{naming.district_zh}{s}{ELDERLY[serial % len(ELDERLY)]}食堂"
    if btype == "C-CENTRAL":
        return f"{naming.city_short_zh}{brand(rng)}餐饮管理有限公司中央厨房"
    suffixes = SHOP[btype]
    if btype in ("P-FACTORY", "D-ONLINE"):
        prefix = naming.city_short_zh
    else:
        prefix = naming.district_short_zh if rng.random() < 0.2 else ""
    return f"{prefix}{brand(rng)}{_one(suffixes, rng)}"


def address(town: str, rng: np.random.Generator, naming: Naming) -> str:
    """An invented address: province, city, district, township, road and number."""
    if rng.random() < 0.12:
        road = _one(naming.shared_roads, rng)
    else:
        road = short(town) + _one(ROAD_SUFFIX, rng)
    return f"{naming.address_prefix}{town}{road}{int(rng.integers(1, 400))}号"


def licence_number(btype: str, stage: str, rng: np.random.Generator, serial: int,
                   cats: list[str], district_code: str) -> str:
    """A licence or registration number (text; may be empty for street vendors).

    ``JY1…`` food sale, ``JY2…`` catering, ``JY3…`` unit canteens, ``SC…`` production licence
    (16 characters), ``ZF…`` workshop, ``XC…`` small catering, ``TF…`` vendor registration.
    """
    check = int(rng.integers(0, 10))
    if btype == "P-FACTORY":
        return f"SC{100 + int(cats[0][1:]):03d}{district_code}{serial:04d}{check}"
    if btype == "P-WORKSHOP":
        return f"ZF{district_code}{serial:06d}"
    if btype == "C-VENDOR":
        return "" if rng.random() < 0.5 else f"TF{district_code}{serial:06d}"
    if btype == "C-SMALL" and rng.random() < 0.3:
        return f"XC{district_code}{serial:06d}"
    k = 1 if stage == "distribution" else (3 if btype in UNIT_CANTEENS else 2)
    return f"JY{k}{district_code}{serial:06d}{check}"


def person_name(rng: np.random.Generator) -> str:
    """A surname and one or two given-name characters."""
    return _one(SURNAMES, rng) + "".join(
        GIVEN[int(g)] for g in rng.integers(0, len(GIVEN), int(rng.integers(1, 3))))
