"""Roles proposed from the names a bureau gives its business types and categories.

Used by ``riskplan init`` when a dataset declares no roles: every guess is written into the
configuration it makes *and listed*, so a person can correct it. The pipeline itself never
guesses. The patterns are the standard Chinese names of the national sampling forms (学校食堂,
农贸市场, 网络食品销售, ...) and their usual English renderings.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from riskplan.dataset import Dataset

__all__ = ["Guess", "guess_business_type_roles", "guess_category_roles"]


@dataclasses.dataclass(frozen=True)
class Guess:
    """One proposed role.

    Attributes
    ----------
    code
        Business type or category code.
    name
        Its name as the dataset gives it (``name_zh`` / ``name_en``).
    role
        The role proposed.
    because
        The part of the name the guess rests on.
    """

    code: str
    name: str
    role: str
    because: str


# (role, stages it may apply to, pattern on the names, pattern that vetoes it)
_BUSINESS: tuple[tuple[str, tuple[str, ...], str, str | None], ...] = (
    ("school canteen", ("catering",), r"学校|中小学|校园|school", None),
    ("kindergarten canteen", ("catering",), r"幼儿园|托幼|托育|kindergarten|nursery", None),
    ("elderly canteen", ("catering",), r"养老|敬老|老年|福利院|elderly|care home", None),
    ("central kitchen", ("catering",), r"集体用餐|中央厨房|配餐|central kitchen|meal supplier",
     None),
    ("site canteen", ("catering",), r"工地|construction", None),
    ("work canteen", ("catering",), r"机关|企事业|单位食堂|职工食堂|office|enterprise canteen",
     r"学校|幼儿园|托幼|养老|工地"),
    ("restaurant", ("catering",),
     r"餐馆|饭店|酒店|餐厅|小吃|快餐|小餐饮|饮品店|米线|面馆|外卖|网络餐饮|restaurant|eatery|snack|"
     r"takeaway|fast food", r"食堂|摊|canteen|vendor"),
    ("street vendor", ("catering", "distribution"), r"摊贩|流动摊|小摊|摊点|vendor|stall", None),
    ("wet market", ("distribution",), r"农贸市场|菜市场|集贸市场|wet market|farmers", r"批发"),
    ("wholesale market", ("distribution",), r"批发|wholesale", None),
    ("shop", ("distribution",), r"超市|商场|食杂|便利店|小卖部|supermarket|grocery|convenience",
     None),
    ("online seller", ("distribution",), r"网店|网络食品销售|网购|电商|网络销售|online", r"外卖|餐饮"),
)

# (role, category groups it may apply to, pattern on name_zh / name_en / classic_33_category)
_CATEGORY: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("key product", ("agricultural",), r"畜禽肉|^蔬菜|^水产品|淡水产品|海水产品|鲜蛋|禽蛋"),
    ("spring festival food", ("processed",), r"肉制品|腊肉|糖果|酒类|炒货|坚果制品|水果制品|蜜饯"),
    ("zongzi", ("processed",), r"粽子|糕点"),
    ("mooncake", ("processed",), r"月饼|糕点"),
    ("summer drink", ("processed",), r"饮料|冷冻饮品|冷饮"),
    ("summer seafood", ("agricultural",), r"^水产品|淡水产品|海水产品|海鲜"),
)


def _names(row: pd.Series, cols: tuple[str, ...]) -> str:
    return " / ".join(str(row[c]) for c in cols if c in row.index and isinstance(row[c], str)
                      and row[c].strip())


def guess_business_type_roles(dataset: Dataset) -> list[Guess]:
    """Roles proposed for every business type from its names (and stage), in table order."""
    out: list[Guess] = []
    for _, row in dataset.business_types.iterrows():
        names = _names(row, ("name_zh", "name_en"))
        stage = str(row.get("stage", ""))
        for role, stages, pattern, veto in _BUSINESS:
            if stage not in stages:
                continue
            m = re.search(pattern, names, flags=re.IGNORECASE)
            if m and not (veto and re.search(veto, names, flags=re.IGNORECASE)):
                out.append(Guess(str(row["business_type"]), names, role, m.group(0)))
    return out


def guess_category_roles(dataset: Dataset) -> list[Guess]:
    """Roles proposed for every category from its names (and group), in table order."""
    out: list[Guess] = []
    for _, row in dataset.categories.iterrows():
        group = str(row.get("group", ""))
        for role, groups, pattern in _CATEGORY:
            if group not in groups:
                continue
            for col in ("name_zh", "classic_33_category", "name_en"):
                text = row.get(col)
                m = re.search(pattern, text) if isinstance(text, str) else None
                if m:
                    out.append(Guess(str(row["category_code"]), _names(row, ("name_zh", "name_en")),
                                     role, m.group(0)))
                    break
    return out
