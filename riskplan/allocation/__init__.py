"""Annual quota and its integer allocation to strata (township x business type x food category).

:func:`annual_quota` sizes the year's task, :func:`apportion` is the classic apportionment building
block, and :func:`allocate` splits the quota into strata: fixed numbers first (``allocation.fixed``),
coverage floors (CP-SAT), the rest in proportion to risk, rounded by a controlled rounding
(min-cost flow, or its unbiased random form) that keeps every total within one of its fractional
value, or placed for detection (greedy marginal gains). :func:`detection_table` says what an
allocation can detect.
"""

from riskplan.allocation.allocate import Allocation, AllocationInputError, allocate_strata
from riskplan.allocation.apportion import apportion
from riskplan.allocation.deliverable import fit_to_supply
from riskplan.allocation.detection import (
    compare_detection,
    detection_table,
    district_detection,
    surveillance_sensitivity,
)
from riskplan.allocation.fixed import allocate
from riskplan.allocation.for_detection import greedy_detection
from riskplan.allocation.quota import (
    annual_quota,
    programme_quota,
    quota_for,
    resolve_population,
)
from riskplan.allocation.rounding import controlled_round
from riskplan.allocation.supply import Supply, district_supply
from riskplan.allocation.unbiased import unbiased_round
from riskplan.settings.allocation import KEY_PRODUCTS, AllocationRules
from riskplan.settings.quota import QuotaRules

__all__ = [
    "KEY_PRODUCTS",
    "Allocation",
    "AllocationInputError",
    "AllocationRules",
    "QuotaRules",
    "Supply",
    "allocate",
    "allocate_strata",
    "annual_quota",
    "apportion",
    "compare_detection",
    "controlled_round",
    "detection_table",
    "district_detection",
    "district_supply",
    "fit_to_supply",
    "greedy_detection",
    "programme_quota",
    "quota_for",
    "resolve_population",
    "surveillance_sensitivity",
    "unbiased_round",
]
