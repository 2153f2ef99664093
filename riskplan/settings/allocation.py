"""Settings of the allocation stage (TOML section ``allocation``)."""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

from riskplan._settings import check, check_range

#: Products targeted by the 2021-2024 national action against banned drugs and residues in edible
#: agricultural products (食用农产品"治违禁 控药残 促提升"三年行动), as an example list mapped to the
#: category role ``key product``'s categories in Ouhai (meat C33, vegetables C34, aquatic products
#: C35, eggs C37). The seed speaks of 17 products; the national list could not be confirmed. It is
#: not a default any more: the categories with role ``key product`` are the key products.
KEY_PRODUCTS: dict[str, str] = {
    "豇豆 cowpea": "C34",
    "韭菜 Chinese chives": "C34",
    "芹菜 celery": "C34",
    "鸡蛋 hen eggs": "C37",
    "鸭蛋 duck eggs": "C37",
    "肉鸡 broiler chicken": "C33",
    "羊肉 mutton": "C33",
    "乌鸡 black-bone chicken": "C33",
    "牛肉 beef": "C33",
    "大口黑鲈 largemouth bass": "C35",
    "乌鳢 snakehead": "C35",
    "黄颡鱼 yellow catfish": "C35",
    "甲鱼 soft-shell turtle": "C35",
    "牛蛙 bullfrog": "C35",
    "泥鳅 loach": "C35",
    "鳊鱼 bream": "C35",
    "大黄鱼 large yellow croaker": "C35",
    "滩涂贝类 tidal-flat shellfish": "C35",
    "黄鳝 swamp eel": "C35",
}

LEAVE_OUT_KINDS: tuple[str, ...] = ("townships", "business_types", "categories")
"""Keys of ``allocation.exclude`` and ``allocation.fixed``."""


@dataclasses.dataclass(frozen=True)
class AllocationRules:
    """How the quota is split into strata (TOML section ``allocation``).

    Attributes
    ----------
    township_min
        Minimum samples in every township that has establishments [samples], >= 0. Default 2.
        Range: [0, 1000].
    township_min_overrides
        Per-township minimum overriding ``township_min``, keyed by township code [samples].
        Range: [0, 1000] (each value).
    stage_min
        Minimum samples in every stage present (production / distribution / catering). Default 1.
        Range: [0, 1000].
    business_type_min
        Minimum samples in every business type present. Default 1.
        Range: [0, 1000].
    category_min
        Minimum samples in every food category present in the district. Default 1.
        Range: [0, 1000].
    key_categories
        Categories whose samples count as key agricultural products: category roles, codes or
        names (``name_zh``, ``name_en``, ``classic_33_category``). Default ``("key product",)``:
        the categories the data give that role (Ouhai: meat, vegetables, aquatic products, eggs).
    key_products
        Further key products: product name -> the category (code, role or name) that samples
        it, e.g. ``"野生菌 wild mushrooms" = "F07"``. Default none (:data:`KEY_PRODUCTS` is an
        example list).
    key_min_share
        Minimum share of the quota for key agricultural products, in [0, 1]. Default 0.25.
        Range: [0, 1].
    school_business_types
        Business types counted as school canteens: roles or codes. Default ``("school canteen",
        "kindergarten canteen")``.
    school_min_share
        Minimum share of the quota for school canteens, in [0, 1]. Default 0.05.
        Range: [0, 1].
    exclude
        What this plan leaves out: ``townships`` (codes), ``business_types`` (codes or roles),
        ``categories`` (codes, roles or names), e.g. ``townships = ["330304108"]``. Excluded
        townships, business types and categories get no sample; their establishments, history
        rows, complaints and residents leave the plan (the quota is computed from the residents
        of the townships planned). Default: nothing.
    fixed
        Exact numbers of samples for some ``townships``, ``business_types`` or ``categories``
        (a role counts its business types or categories together), e.g. ``business_types =
        {"online seller" = 10}``: the group gets exactly that many samples, split by risk, and
        the rest of the quota goes to the others. Groups of one kind are disjoint; where a
        township and a business type share strata, the township's number is placed first and
        the business type's number counts what it already got there. Default: none.
    budget_yuan
        Optional cap on the plan's test fees [CNY]; None for no cap. A quota that costs more
        is an error naming the missing yuan and samples, unless ``allow_below_quota``.
        Range: (0, 1e12] or unset.
    allow_below_quota
        Whether a ``budget_yuan`` below the cost of the quota's allocation may cut the risk part
        until the plan fits (``Allocation.budget_limited``); the summary, the report and the
        manifest then say how many samples the plan is below the mandated quota. Default false:
        such a budget is an error.
    default_cost_yuan
        Test fee used for a category without ``cost_yuan`` [CNY per sample]. Default 0.
        Range: [0, 1e6].
    exact_limit
        Largest number of strata (with establishments) for which the floors are optimised by
        CP-SAT; above it the greedy covering is kept, and ``Allocation.floors_optimal`` says
        whether its count is provably minimal (see :mod:`riskplan.allocation.floors`).
        Default 5,000 (a district has a few thousand).
        Range: [1, 1e6].
    floor_time_limit_s
        Wall-clock limit of each CP-SAT solve of the floors [s]. Default 30.
        Range: (0, 3600].
    objective
        How the samples above the floors are placed: ``"risk"`` (default) in proportion to the
        risk weight, then rounded (``rounding``); ``"detection"`` to maximise the expected number
        of strata where at least one unqualified sample is found, sum of 1 - (1 - r Se)^n (r the
        posterior rate, Se the test sensitivity of ``detection``), by greedy marginal gains
        (:mod:`riskplan.allocation.for_detection`).
    rounding
        Rounding of the fractional allocation of ``objective = "risk"``: ``"controlled"``
        (default: the closest rounding keeping every total within one sample, the same plan for
        every seed) or ``"unbiased"`` (Cox 1987: every stratum rounded up with probability equal
        to its fractional part, drawn from the plan seed, the same totals kept; over seeds each
        stratum gets its fractional share on average).
    """

    township_min: int = 2
    township_min_overrides: dict[str, int] = dataclasses.field(default_factory=dict)
    stage_min: int = 1
    business_type_min: int = 1
    category_min: int = 1
    key_categories: tuple[str, ...] = ("key product",)
    key_products: dict[str, str] = dataclasses.field(default_factory=dict)
    key_min_share: float = 0.25
    school_business_types: tuple[str, ...] = ("school canteen", "kindergarten canteen")
    school_min_share: float = 0.05
    exclude: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    fixed: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    budget_yuan: float | None = None
    allow_below_quota: bool = False
    default_cost_yuan: float = 0.0
    exact_limit: int = 5_000
    floor_time_limit_s: float = 30.0
    objective: Literal["risk", "detection"] = "risk"
    rounding: Literal["controlled", "unbiased"] = "controlled"

    def __post_init__(self) -> None:
        for name in ("township_min", "stage_min", "business_type_min", "category_min"):
            v = getattr(self, name)
            check(v >= 0, f"allocation.{name}", f"must be >= 0, got {v}")
        for code, v in self.township_min_overrides.items():
            check(v >= 0, f"allocation.township_min_overrides.{code}", f"must be >= 0, got {v}")
        for name in ("key_min_share", "school_min_share"):
            v = getattr(self, name)
            check(0.0 <= v <= 1.0, f"allocation.{name}", f"must be between 0 and 1, got {v}")
        check(
            self.key_min_share + self.school_min_share <= 1.0,
            "allocation.key_min_share",
            "key_min_share + school_min_share must not exceed 1",
        )
        check(
            self.budget_yuan is None or (math.isfinite(self.budget_yuan) and self.budget_yuan > 0),
            "allocation.budget_yuan",
            f"must be a positive amount of yuan, got {self.budget_yuan}",
        )
        for name in ("exclude", "fixed"):
            for kind in getattr(self, name):
                check(kind in LEAVE_OUT_KINDS, f"allocation.{name}.{kind}",
                      f"unknown kind (known: {', '.join(LEAVE_OUT_KINDS)})")
        for kind, groups in self.fixed.items():
            for code, n in groups.items():
                check(n >= 0, f"allocation.fixed.{kind}.{code}", f"must be >= 0 samples, got {n}")
        check(self.default_cost_yuan >= 0, "allocation.default_cost_yuan", "must be >= 0")
        check(self.exact_limit >= 1, "allocation.exact_limit", "must be >= 1")
        check(self.floor_time_limit_s > 0, "allocation.floor_time_limit_s", "must be > 0")
        check(self.objective in ("risk", "detection"), "allocation.objective",
              f"must be 'risk' or 'detection', got {self.objective!r}")
        check(self.rounding in ("controlled", "unbiased"), "allocation.rounding",
              f"must be 'controlled' or 'unbiased', got {self.rounding!r}")
        # the documented ranges (Range: in the Attributes above)
        check_range(self.township_min, "allocation.township_min", "[0, 1000]")
        check_range(self.township_min_overrides, "allocation.township_min_overrides", "[0, 1000]")
        check_range(self.stage_min, "allocation.stage_min", "[0, 1000]")
        check_range(self.business_type_min, "allocation.business_type_min", "[0, 1000]")
        check_range(self.category_min, "allocation.category_min", "[0, 1000]")
        check_range(self.key_min_share, "allocation.key_min_share", "[0, 1]")
        check_range(self.school_min_share, "allocation.school_min_share", "[0, 1]")
        check_range(self.budget_yuan, "allocation.budget_yuan", "(0, 1e12]")
        check_range(self.default_cost_yuan, "allocation.default_cost_yuan", "[0, 1e6]")
        check_range(self.exact_limit, "allocation.exact_limit", "[1, 1e6]")
        check_range(self.floor_time_limit_s, "allocation.floor_time_limit_s", "(0, 3600]")

    @property
    def key_category_codes(self) -> tuple[str, ...]:
        """Sorted category codes of the key agricultural products (listed and via products)."""
        return tuple(sorted(set(self.key_categories) | set(self.key_products.values())))
