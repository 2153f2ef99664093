"""Annual quota and its integer allocation to strata (township x business type x food category).

:func:`annual_quota` sizes the year's task, :func:`apportion` is the classic apportionment building
block, and :func:`allocate` splits the quota into strata: coverage floors first (CP-SAT), the rest
in proportion to risk, rounded by a controlled rounding (min-cost flow) that keeps every total
within one of its fractional value.
"""

from riskplan.allocation.allocate import Allocation, AllocationInputError, allocate
from riskplan.allocation.apportion import apportion
from riskplan.allocation.quota import QuotaRules, annual_quota
from riskplan.allocation.rounding import controlled_round
from riskplan.allocation.rules import KEY_PRODUCTS, AllocationRules

__all__ = [
    "KEY_PRODUCTS",
    "Allocation",
    "AllocationInputError",
    "AllocationRules",
    "QuotaRules",
    "allocate",
    "annual_quota",
    "apportion",
    "controlled_round",
]
