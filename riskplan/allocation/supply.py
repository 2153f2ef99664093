"""What the establishments can supply in the plan year: eligible visits x samples per visit.

An establishment can be visited in a month of the plan year when

* the month is a sampling month (``schedule.first_month`` .. ``last_month`` without
  ``closed_months``),
* its business type may be sampled then (school canteens: a month with school days, when
  ``schedule.school_days_only``; other types: every month), and
* it is outside its rotation window (``selection.rotation_months`` by grade, or
  ``rotation_by_business_type``), counted from the last time it was sampled: the history and
  this year's results before the month, and the visits this computation plans earlier in the year.

Its *visits* are counted greedily (the earliest eligible month, then the earliest eligible month a
window later, ...), which gives the most visits the rotation allows. A visit takes up to
``selection.max_samples_per_category`` samples of each category (1 without ``combine_samples``)
and, over all its categories, no more than its visit windows leave time for
(``per_visit_limit``, from the routing rules: 0 when a team can never visit it in working hours).
Seasons only weight months; they do not forbid any.

Time is counted in calendar months, ``12 * year + month - 1``, as the selection does
(:mod:`riskplan.selection.rotation`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.settings.schedule import ScheduleRules
from riskplan.settings.selection import SelectionRules
from riskplan.tables import STRATUM_KEY, explode_categories

KEY = list(STRATUM_KEY)

__all__ = ["Supply", "district_supply"]


@dataclasses.dataclass
class Supply:
    """What the district's establishments can give in the plan year.

    Attributes
    ----------
    establishments
        One row per establishment: ``establishment_id, township_code, business_type,
        risk_grade, window_months, first_month`` (first month it can be sampled, 0 if none),
        ``visits`` (most visits the rotation allows in the year), ``per_visit`` (samples one
        visit can take, all categories together), ``capacity`` (samples it can give in the year
        = visits x per_visit) and ``category_capacity`` (samples of one category it can give in
        the year = visits x the smaller of per_visit and ``max_samples_per_category``).
    eligible
        Establishments x 12 booleans: the months each could be visited if it had not been
        visited earlier in the year (history and results only).
    strata
        One row per stratum with establishments: the key, ``n_establishments``, ``visits``
        (summed over its establishments), ``capacity`` [samples] and ``eligible_1`` ..
        ``eligible_12`` (its establishments eligible in each month).
    members
        One row per (stratum, establishment) that can give the stratum samples: the key and
        ``pos`` (row of ``establishments``).
    per_visit
        Samples of one category a visit can take (``selection.max_samples_per_category``).
    year
        The plan year.
    """

    establishments: pd.DataFrame
    eligible: np.ndarray
    strata: pd.DataFrame
    members: pd.DataFrame
    per_visit: int
    year: int

    @property
    def total(self) -> int:
        """Samples the district can supply in the year [samples]."""
        return int(self.establishments["capacity"].sum())


def _last_sampled(ids: np.ndarray, history: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Register position and month index of every dated sample of ``history``."""
    if history is None or len(history) == 0:
        return np.array([], dtype=int), np.array([], dtype=float)
    missing = {"establishment_id", "sample_date"} - set(history.columns)
    if missing:
        raise RiskplanError(f"history lacks column(s): {', '.join(sorted(missing))}")
    pos_of = {e: i for i, e in enumerate(ids)}
    pos = history["establishment_id"].astype(str).map(pos_of).to_numpy(dtype=float)
    try:
        d = pd.to_datetime(history["sample_date"], errors="raise")
    except (ValueError, TypeError) as exc:
        raise RiskplanError(f"history: sample_date must be ISO YYYY-MM-DD ({exc})") from None
    mi = (12 * d.dt.year + d.dt.month - 1).to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(pos) & ~np.isnan(mi)
    return pos[ok].astype(int), mi[ok]


def district_supply(
    establishments: pd.DataFrame,
    history: pd.DataFrame | None,
    year: int,
    selection: SelectionRules,
    schedule: ScheduleRules,
    months_allowed: Mapping[str, np.ndarray] | None = None,
    per_visit_limit: np.ndarray | None = None,
    unreachable: Mapping[str, np.ndarray] | None = None,
) -> Supply:
    """Eligible visits and sample capacity of every establishment and stratum in ``year``.

    Parameters
    ----------
    establishments
        The register (``establishment_id, township_code, business_type, categories,
        risk_grade``).
    history
        Past samples and this year's results (``establishment_id, sample_date``), or None.
    year
        The plan year.
    selection
        Rotation windows and samples per visit (roles resolved to codes).
    schedule
        Sampling months (``open_months``).
    months_allowed
        Business type -> 12 numbers (0 = cannot be sampled in that month, e.g. no school day);
        types not listed may be sampled in every open month. None: no such limit.
    per_visit_limit
        Most samples one visit of each establishment can take (register order), e.g. from its
        visit windows and service times; 0 = it cannot be visited. None: no such limit.
    unreachable
        Category -> one boolean per establishment (register order): True where a sample of that
        category can never be delivered (a perishable sample that no route can bring to a lab
        in time, ``riskplan.routing.reach``); such an establishment gives that stratum nothing.

    Returns
    -------
    Supply
    """
    est = establishments.reset_index(drop=True)
    ids = est["establishment_id"].astype(str).to_numpy(dtype=object)
    n = ids.size
    window = selection.window_months(est["risk_grade"], est["business_type"])
    window = np.nan_to_num(window, nan=0.0)
    open_mask = np.zeros(12, dtype=bool)
    open_mask[[m - 1 for m in schedule.open_months]] = True
    allowed = np.tile(open_mask, (n, 1))
    if months_allowed:
        bt = est["business_type"].astype(str).to_numpy()
        for code, days in months_allowed.items():
            rows = bt == code
            if rows.any():
                allowed[rows] &= np.asarray(days, dtype=float) > 0
    per_cat = int(selection.max_samples_per_category) if selection.combine_samples else 1
    n_cats = est["categories"].astype(str).str.count(";").to_numpy(dtype=np.int64) + 1
    per_e = n_cats * per_cat  # no limit: every category of a visit
    if per_visit_limit is not None:
        per_e = np.minimum(per_e, np.asarray(per_visit_limit, dtype=np.int64))
        allowed[per_e <= 0] = False
    pos, mi = _last_sampled(ids, history)
    base = 12 * int(year)
    eligible = np.zeros((n, 12), dtype=bool)
    last_hist = np.full(n, np.nan)
    planned_last = np.full(n, np.nan)
    visits = np.zeros(n, dtype=np.int64)
    first = np.zeros(n, dtype=np.int64)
    order = np.argsort(mi, kind="stable")
    pos, mi = pos[order], mi[order]
    k = 0
    for m in range(12):
        now = base + m
        while k < mi.size and mi[k] < now:  # samples before this month count
            last_hist[pos[k]] = mi[k] if np.isnan(last_hist[pos[k]]) else max(last_hist[pos[k]], mi[k])
            k += 1
        free_hist = np.isnan(last_hist) | (now - last_hist >= window)
        eligible[:, m] = allowed[:, m] & free_hist
        last = np.fmax(last_hist, planned_last)
        can = allowed[:, m] & (np.isnan(last) | (now - last >= window))
        visits += can
        first = np.where(can & (first == 0), m + 1, first)
        planned_last = np.where(can, float(now), planned_last)
    per_visit = int(selection.max_samples_per_category) if selection.combine_samples else 1
    table = pd.DataFrame({
        "establishment_id": ids,
        "township_code": est["township_code"].astype(str).to_numpy(),
        "business_type": est["business_type"].astype(str).to_numpy(),
        "risk_grade": est["risk_grade"].astype(str).to_numpy(),
        "window_months": window.astype(np.int64),
        "first_month": first,
        "visits": visits,
        "per_visit": per_e,
        "capacity": visits * per_e,
        "category_capacity": visits * np.minimum(per_e, per_cat),
    })
    cand = explode_categories(est[["township_code", "business_type", "categories"]]
                              .astype(str).assign(pos=np.arange(n)))
    members = cand[[*KEY, "pos"]].sort_values([*KEY, "pos"], kind="stable").reset_index(drop=True)
    p = members["pos"].to_numpy(dtype=int)
    can = np.ones(len(members), dtype=bool)  # the member can give this stratum's category at all
    for code, mask in (unreachable or {}).items():
        can &= ~((members["category_code"].to_numpy(dtype=object) == code) & np.asarray(mask, dtype=bool)[p])
    per = members.assign(visits=visits[p] * can, capacity=visits[p] * np.minimum(per_e[p], per_cat) * can,
                         **{f"eligible_{m + 1}": (eligible[p, m] & can).astype(np.int64) for m in range(12)})
    agg = {"visits": "sum", "capacity": "sum", **{f"eligible_{m}": "sum" for m in range(1, 13)}}
    strata = per.groupby(KEY, sort=True).agg(agg).reset_index()
    strata.insert(3, "n_establishments", per.groupby(KEY, sort=True).size().to_numpy())
    members = members[can].reset_index(drop=True)  # an establishment that cannot give it is no arc
    return Supply(table, eligible, strata, members, per_visit, int(year))
