"""The documented roles: what a business type or a food category *is* for the rules that need it.

A district names its business types and categories its own way (``C-SCHOOL`` in one, ``SC-SCHOOL``
or ``学校食堂`` in another). Rules about a kind of place or food (school canteens only on school
days, wet markets early in the morning, online sellers bought online, festival foods in their
season) attach to these roles, which a dataset declares in the ``roles`` column of
``business_types.csv`` and ``categories.csv`` (a ``;`` list). A dataset may declare other roles too
(a configuration can name them); validation warns about roles outside these lists, since a typo
would make a rule match nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["Role", "BUSINESS_ROLES", "CATEGORY_ROLES", "VULNERABLE_ROLE"]


@dataclasses.dataclass(frozen=True)
class Role:
    """One documented role.

    Attributes
    ----------
    name
        The role as written in the data and the configuration (English, lower case).
    zh
        Chinese name.
    meaning
        What a business type or category with this role is.
    rules
        The configuration keys whose default names this role.
    """

    name: str
    zh: str
    meaning: str
    rules: tuple[str, ...] = ()


VULNERABLE_ROLE = "vulnerable consumers"
"""The role a business type gets from ``vulnerable = true`` in ``business_types.csv``."""


def _table(*roles: Role) -> Mapping[str, Role]:
    return MappingProxyType({r.name: r for r in roles})


BUSINESS_ROLES: Mapping[str, Role] = _table(
    Role("school canteen", "学校食堂", "canteen of a primary or secondary school: open on school days",
         ("allocation.school_business_types", "routing.school_day_types", "risk.vulnerable_types",
          "routing.windows")),
    Role("kindergarten canteen", "幼儿园（托幼机构）食堂", "canteen of a kindergarten or nursery: open "
         "on school days", ("allocation.school_business_types", "routing.school_day_types",
                            "risk.vulnerable_types", "routing.windows")),
    Role("elderly canteen", "养老机构食堂", "canteen of a care home or elderly-care centre",
         ("risk.vulnerable_types", "routing.windows")),
    Role(VULNERABLE_ROLE, "服务脆弱人群", "serves vulnerable consumers (also set by `vulnerable = "
         "true`)", ("risk.vulnerable_types",)),
    Role("work canteen", "机关、企事业单位食堂", "canteen of an office, enterprise or institution",
         ("routing.windows",)),
    Role("site canteen", "建筑工地食堂", "canteen of a construction site (early lunch)",
         ("routing.windows",)),
    Role("central kitchen", "集体用餐配送单位/中央厨房", "prepares meals delivered elsewhere",
         ("routing.windows",)),
    Role("restaurant", "餐馆/小餐饮", "serves meals: not visited in the meal peaks",
         ("routing.windows",)),
    Role("street vendor", "食品摊贩", "street food stall or mobile vendor", ("routing.windows",)),
    Role("wet market", "农贸市场/菜市场", "farmers' market: busiest and freshest early in the morning",
         ("routing.early_start_types", "routing.windows", "selection.rotation_by_business_type")),
    Role("wholesale market", "批发市场", "wholesale market: trades overnight to dawn",
         ("routing.early_start_types", "routing.windows", "selection.rotation_by_business_type")),
    Role("shop", "商场/超市/食杂店", "shop open in ordinary hours", ("routing.windows",)),
    Role("online seller", "网络食品销售", "sells online: sampled by purchase, no visit",
         ("selection.purchase_business_types",)),
)
"""Roles of business types, in documentation order."""

CATEGORY_ROLES: Mapping[str, Role] = _table(
    Role("key product", "重点品种", "key edible agricultural products of the national action "
         "(meat, vegetables, aquatic products, eggs: 食用农产品“治违禁 控药残 促提升”)",
         ("allocation.key_categories",)),
    Role("spring festival food", "年货", "bought for the Spring Festival (meat products, sweets, "
         "liquor, nuts, preserved fruit)", ("schedule.season_categories",)),
    Role("zongzi", "粽子", "includes zongzi (Dragon Boat Festival)", ("schedule.season_categories",)),
    Role("mooncake", "月饼", "includes mooncakes (Mid-Autumn Festival)", ("schedule.season_categories",)),
    Role("summer drink", "夏季饮品", "drinks and frozen desserts of the summer",
         ("schedule.season_categories",)),
    Role("summer seafood", "夏季水产品", "fresh aquatic products (summer spoilage, vibrio)",
         ("schedule.season_categories",)),
)
"""Roles of food categories, in documentation order."""
