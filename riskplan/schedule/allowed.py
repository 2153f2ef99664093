"""Months a business type can be sampled in: school canteens only in months with school days.

The schedule spreads a stratum's samples by season and progress; :func:`keep_to_months` then
moves the samples a stratum has in a month its business type cannot be sampled in (no school day
in it) to one it can: the month of the same progress period with the most school days (ties: the
nearest, then the earlier), else the nearest earlier month, else the nearest later one. Moving
within a progress period or earlier keeps every cumulative progress target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from riskplan.calendar import work_calendar
from riskplan.settings.calendar import CalendarRules
from riskplan.settings.schedule import ScheduleRules

__all__ = ["school_day_months", "keep_to_months"]


def school_day_months(business_types: Iterable[str], year: int,
                      rules: CalendarRules | None = None) -> dict[str, np.ndarray]:
    """Business type -> school days per month (12 numbers) of ``year``, for each type given.

    Parameters
    ----------
    business_types
        Codes visited only on school days (``RoutingRules.school_day_types``, resolved).
    year
        The plan year.
    rules
        Calendar settings (school terms, extra holidays).
    """
    types = list(business_types)
    if not types:
        return {}
    cal = work_calendar(int(year), None, rules or CalendarRules())
    days = cal.groupby(cal["date"].dt.month)["school_day"].sum().reindex(range(1, 13), fill_value=0)
    per_month = days.to_numpy(dtype=float)
    return {bt: per_month for bt in types}


def _target(m: int, cap: np.ndarray, open_mask: np.ndarray, rules: ScheduleRules) -> int | None:
    ok = (cap > 0) & open_mask
    ends = [p - 1 for p in rules.progress_months] + [11]
    start = 0
    for end in ends:
        if start <= m <= end:
            break
        start = end + 1
    same = [j for j in range(start, end + 1) if ok[j]]
    if same:
        return min(same, key=lambda j: (-cap[j], abs(j - m), j))
    earlier = [j for j in range(m) if ok[j]]
    if earlier:
        return earlier[-1]
    later = [j for j in range(m + 1, 12) if ok[j]]
    return later[0] if later else None


def keep_to_months(counts: np.ndarray, business_types: pd.Series,
                   allowed: Mapping[str, np.ndarray], rules: ScheduleRules) -> np.ndarray:
    """Move samples out of months their business type cannot be sampled in.

    Parameters
    ----------
    counts
        Samples per stratum and month (n x 12).
    business_types
        Business type of each row (length n).
    allowed
        Business type -> capacity per month (12; 0 = not allowed, e.g. school days); types not
        listed may be sampled in any month.
    rules
        Schedule rules (open months, progress months).

    Returns
    -------
    numpy.ndarray
        The new counts: same row sums, nothing in a month whose capacity is 0 unless the type
        has no allowed open month at all.
    """
    if not allowed:
        return counts
    out = counts.copy()
    open_mask = np.zeros(12, dtype=bool)
    open_mask[[m - 1 for m in rules.open_months]] = True
    for i, bt in enumerate(business_types.astype(str)):
        cap = allowed.get(bt)
        if cap is None:
            continue
        for m in np.flatnonzero((out[i] > 0) & (cap <= 0)):
            j = _target(int(m), cap, open_mask, rules)
            if j is not None:
                out[i, j] += out[i, m]
                out[i, m] = 0
    return out
