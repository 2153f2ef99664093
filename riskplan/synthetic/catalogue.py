"""The category and business-type tables of a district, from the national code lists.

The code lists themselves are real (national sampling rules); the columns added here (hazard
severity, cold chain, test fee, units per sample, vulnerable consumers, roles) are assumptions of the
riskplan team, the same for every district.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pandas as pd

from riskplan.synthetic._common import text_bool

PROCESSED: tuple[str, ...] = (*(f"C{i:02d}" for i in range(1, 31)), "C32")
"""Processed (packaged) food categories."""

AGRICULTURAL: tuple[str, ...] = ("C33", "C34", "C35", "C36", "C37", "C38", "C39")
"""Edible agricultural product categories."""

CATERING: str = "C31"
"""The catering-food category."""

SEVERITY: Mapping[str, int] = MappingProxyType({
    "C01": 2, "C02": 3, "C03": 2, "C04": 4, "C05": 4, "C06": 2, "C07": 2, "C08": 1, "C09": 2,
    "C10": 2, "C11": 3, "C12": 1, "C13": 1, "C14": 2, "C15": 2, "C16": 3, "C17": 2, "C18": 2,
    "C19": 3, "C20": 1, "C21": 1, "C22": 3, "C23": 3, "C24": 3, "C25": 3, "C26": 2, "C27": 4,
    "C28": 4, "C29": 5, "C30": 5, "C31": 4, "C32": 3, "C33": 4, "C34": 4, "C35": 4, "C36": 3,
    "C37": 3, "C38": 2, "C39": 3,
})
"""Hazard severity per category, 1 (low) to 5 (high)."""

PERISHABLE: frozenset[str] = frozenset({"C04", "C05", "C10", "C11", "C25", "C31", "C33", "C34",
                                        "C35", "C36", "C37"})
"""Categories that need the cold chain and same-day delivery to the lab."""

COST_YUAN: Mapping[str, int] = MappingProxyType({
    "C01": 450, "C02": 900, "C03": 600, "C04": 900, "C05": 1200, "C06": 700, "C07": 600,
    "C08": 500, "C09": 800, "C10": 700, "C11": 800, "C12": 500, "C13": 500, "C14": 1000,
    "C15": 700, "C16": 600, "C17": 600, "C18": 600, "C19": 700, "C20": 800, "C21": 350,
    "C22": 900, "C23": 600, "C24": 700, "C25": 500, "C26": 900, "C27": 2200, "C28": 1800,
    "C29": 2400, "C30": 2500, "C31": 600, "C32": 1200, "C33": 800, "C34": 500, "C35": 900,
    "C36": 500, "C37": 600, "C38": 400, "C39": 500,
})
"""Typical test fee per sample [CNY]."""

UNITS: Mapping[str, int] = MappingProxyType({"C06": 6, "C10": 6, "C12": 6, "C13": 6})
"""Units bought per sample where it is not 3 (small packs: more units)."""

VULNERABLE: frozenset[str] = frozenset({"C-SCHOOL", "C-ELDERLY"})
"""Business types serving vulnerable consumers (school and elderly-care canteens)."""

BUSINESS_ROLES: Mapping[str, str] = MappingProxyType({
    "D-WHOLESALE": "wholesale market", "D-WETMARKET": "wet market", "D-SUPERMARKET": "shop",
    "D-GROCERY": "shop", "D-ONLINE": "online seller", "C-RESTAURANT": "restaurant",
    "C-SMALL": "restaurant", "C-SCHOOL": "school canteen;kindergarten canteen",
    "C-CANTEEN": "work canteen", "C-SITE": "site canteen", "C-ELDERLY": "elderly canteen",
    "C-CENTRAL": "central kitchen", "C-TAKEAWAY": "restaurant", "C-VENDOR": "street vendor",
})
"""Roles of the national business types (``business_types.roles``, see :mod:`riskplan.roles`)."""

CATEGORY_ROLES: Mapping[str, str] = MappingProxyType({
    "C04": "spring festival food", "C06": "summer drink", "C10": "summer drink",
    "C13": "spring festival food", "C15": "spring festival food", "C17": "spring festival food",
    "C18": "spring festival food", "C24": "zongzi;mooncake", "C33": "key product",
    "C34": "key product", "C35": "key product;summer seafood", "C37": "key product",
})
"""Roles of the national food categories (``categories.roles``): the key agricultural products
of the national action and the festival foods."""


def _check_known(codes: pd.Series, known: Mapping[str, int], what: str) -> None:
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise ValueError(f"food_categories: no {what} for category codes {unknown}")


def categories_table(food_categories: pd.DataFrame,
                     local_seasons: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The ``categories.csv`` table (all cells text) from the national category list.

    Parameters
    ----------
    food_categories
        Columns ``code``, ``name_zh``, ``name_en``, ``group``, ``classic_33_category``.
    local_seasons
        Category code -> its ``local_seasons`` cell (the district's own seasonal products,
        e.g. ``杨梅 bayberry:6``); none by default.

    Returns
    -------
    pandas.DataFrame
        Columns of ``categories.csv`` (docs/contracts.md), one row per category, input order.
    """
    ref = food_categories
    local_seasons = local_seasons or {}
    _check_known(ref["code"], SEVERITY, "hazard severity")
    _check_known(ref["code"], COST_YUAN, "test fee")
    return pd.DataFrame({
        "category_code": ref["code"],
        "name_zh": ref["name_zh"],
        "name_en": ref["name_en"],
        "group": ref["group"],
        "classic_33_category": ref["classic_33_category"],
        "hazard_severity": [f"{SEVERITY[c]:.1f}" for c in ref["code"]],
        "perishable": [text_bool(c in PERISHABLE) for c in ref["code"]],
        "cost_yuan": [f"{COST_YUAN[c]:.1f}" for c in ref["code"]],
        "units_per_sample": [str(UNITS.get(c, 3)) for c in ref["code"]],
        "roles": [CATEGORY_ROLES.get(c, "") for c in ref["code"]],
        "local_seasons": [local_seasons.get(c, "") for c in ref["code"]],
    })


def business_types_table(business_types: pd.DataFrame) -> pd.DataFrame:
    """The ``business_types.csv`` table (all cells text) from the national business-type list.

    Parameters
    ----------
    business_types
        Columns ``code``, ``stage``, ``name_zh``, ``name_en``, ``note``.

    Returns
    -------
    pandas.DataFrame
        Columns of ``business_types.csv`` (docs/contracts.md), one row per type, input order.
    """
    ref = business_types
    return pd.DataFrame({
        "business_type": ref["code"],
        "stage": ref["stage"],
        "name_zh": ref["name_zh"],
        "name_en": ref["name_en"],
        "vulnerable": [text_bool(c in VULNERABLE) for c in ref["code"]],
        "roles": [BUSINESS_ROLES.get(c, "") for c in ref["code"]],
        "note": ref["note"],
    })
