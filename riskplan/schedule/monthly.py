"""Monthly schedule: each stratum's annual samples split by month, integer and exact.

1. District monthly totals: each stratum's seasonal profile (ordinary open months weigh 1,
   in-season months ``season_weight``, closed months and months after ``last_month`` 0), summed;
   then the cumulative totals are raised where needed so that at the end of each of
   ``progress_months`` at least ``ceil(target * total)`` samples are done, and made integers
   (largest remainder within each progress period).
2. The strata x months table of seasonal profiles is fitted to the strata's annual numbers (rows)
   and those monthly totals (columns) by iterative proportional fitting.
3. Controlled rounding (min-cost flow) of that table: every stratum's months sum exactly to its
   annual number and every month's total equals its integer target, so the progress targets hold
   exactly; each township's monthly totals are within one of their fitted values.
4. (``school_days_only``) A stratum whose business type is visited only on school days keeps no
   sample in a month without school days (:mod:`riskplan.schedule.allowed`).
5. (``months_within_establishments``) A stratum with k establishments keeps at most k distinct
   months: its earliest month and its k - 1 busiest others; the samples of a dropped month move
   to the nearest earlier kept month. Samples only move earlier, so the cumulative share at each
   progress month can only rise and no closed month or month after ``last_month`` is used.
6. (given the district's supply) A stratum's samples move out of months in which its
   establishments cannot be sampled (rotation windows from the history and from its own earlier
   months, school terms, closed months): :mod:`riskplan.schedule.eligible`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskplan.allocation.allocate import Allocation
from riskplan.allocation.apportion import apportion
from riskplan.allocation.rounding import controlled_round
from riskplan.allocation.supply import Supply
from riskplan.errors import InfeasibleError, RiskplanError
from riskplan.roles import resolve_section, role_tables
from riskplan.schedule.allowed import keep_to_months
from riskplan.schedule.eligible import fit_to_eligibility
from riskplan.settings.schedule import ScheduleRules
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)


class ScheduleInputError(RiskplanError, ValueError):
    """The allocation table given to :func:`monthly` is malformed (the message names the column)."""


def _checked_table(allocation: Allocation | pd.DataFrame) -> pd.DataFrame:
    """The allocation table with key columns as text and ``samples`` as int64, checked."""
    table = allocation.table if hasattr(allocation, "table") else allocation
    if not isinstance(table, pd.DataFrame):
        raise ScheduleInputError("allocation must be an Allocation or a DataFrame (one row per stratum)")
    missing = [c for c in (*KEY, "samples") if c not in table.columns]
    if missing:
        raise ScheduleInputError(
            f"allocation table lacks column(s) {', '.join(missing)} (has: {', '.join(map(str, table.columns))})"
        )
    out = table.copy()
    raw = out["samples"]
    num = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = ~np.isfinite(num.to_numpy()) | (num.to_numpy() < 0) | (num.to_numpy() != np.round(num.to_numpy()))
    if bad.any():
        shown = ", ".join(repr(v) for v in raw[bad].head(3).tolist())
        raise ScheduleInputError(f"allocation column 'samples' must hold whole numbers >= 0; got {shown}")
    out["samples"] = num.astype(np.int64)
    if "n_establishments" in out.columns:
        ne = pd.to_numeric(out["n_establishments"], errors="coerce").astype(float)
        if (ne.to_numpy() < 0).any():
            raise ScheduleInputError("allocation column 'n_establishments' must hold numbers >= 0")
        out["n_establishments"] = ne
    for c in KEY:
        out[c] = out[c].astype(str)
    return out


def consolidate_months(counts: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """At most ``limit[i]`` distinct months for stratum ``i``, moving samples only earlier.

    Parameters
    ----------
    counts
        Samples per stratum and month (n x 12), whole numbers >= 0.
    limit
        Most distinct months per stratum (its number of establishments); values < 1 count as 1.

    Returns
    -------
    numpy.ndarray
        The new counts: same row sums; the earliest month and the ``limit - 1`` busiest other
        months (ties: the earlier) are kept, each dropped month's samples go to the nearest
        earlier kept month.
    """
    out = counts.copy()
    used = (out > 0).sum(axis=1)
    for i in np.flatnonzero(used > np.maximum(limit, 1)):
        row = out[i]
        months = np.flatnonzero(row > 0)
        k = max(1, int(limit[i]))
        busiest = sorted(months[1:], key=lambda m: (-row[m], m))[: k - 1]
        keep = np.array(sorted([int(months[0]), *map(int, busiest)]))
        new = np.zeros_like(row)
        for m in months:
            new[keep[keep <= m].max()] += row[m]
        out[i] = new
    return out


def seasonal_profile(categories: pd.Series, rules: ScheduleRules) -> np.ndarray:
    """Month weights (n x 12) for each category code: 0 closed, 1 ordinary, ``season_weight`` in season."""
    open_mask = np.zeros(12)
    open_mask[[m - 1 for m in rules.open_months]] = 1.0
    uniq = pd.unique(categories)
    prof: dict[str, np.ndarray] = {}
    for c in uniq:
        w = open_mask.copy()
        for name in rules.seasons_of(str(c)):
            for m in rules.season_months[name]:
                if open_mask[m - 1] > 0:
                    w[m - 1] = rules.season_weight * 1.0
        prof[str(c)] = w
    mat = np.vstack([prof[str(c)] for c in categories]) if len(categories) else np.zeros((0, 12))
    return mat


def monthly_targets(profile_sum: np.ndarray, total: int, rules: ScheduleRules) -> np.ndarray:
    """Integer district totals per month (12) meeting the cumulative progress targets."""
    if total == 0:
        return np.zeros(12, dtype=np.int64)
    nat = profile_sum / profile_sum.sum() * total
    # period ends: the progress months, then December
    ends = [m for m in rules.progress_months] + [12]
    cum_req = [math.ceil(t * total - 1e-9) for t in rules.progress_targets] + [total]
    cum = []
    prev = 0
    nat_cum = np.cumsum(nat)
    for end, req in zip(ends, cum_req):
        c = max(prev, req, int(math.floor(nat_cum[end - 1] + 0.5)))
        c = min(c, total)
        cum.append(c)
        prev = c
    cum[-1] = total
    out = np.zeros(12, dtype=np.int64)
    start = 0
    prev = 0
    open_mask = profile_sum > 0
    for end, c in zip(ends, cum):
        block = np.arange(start, end)
        k = c - prev
        if k > 0:
            w = profile_sum[block]
            if w.sum() <= 0:
                raise InfeasibleError(
                    f"{k} samples must be taken in months {start + 1}-{end} to meet the progress "
                    f"targets, but no sampling month is open then (schedule.closed_months / "
                    "first_month / last_month / progress_targets)"
                )
            out[block] = apportion(w, k, "hamilton")
        start = end
        prev = c
    assert out.sum() == total and np.all(out[~open_mask] == 0)
    return out


def _ipf(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iters: int = 500, tol: float = 1e-10) -> np.ndarray:
    x = seed.astype(float).copy()
    for _ in range(iters):
        rs = x.sum(axis=1)
        x *= np.divide(rows, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = x.sum(axis=0)
        x *= np.divide(cols, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
        if np.abs(x.sum(axis=1) - rows).max() < tol * max(1.0, rows.max()):
            break
    # make the row sums exact (rounding needs whole-number rows; columns absorb the noise)
    rs = x.sum(axis=1)
    x *= np.divide(rows, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
    return x


def monthly(allocation: Allocation | pd.DataFrame, rules: ScheduleRules | None = None,
            months_allowed: Mapping[str, np.ndarray] | None = None,
            categories: pd.DataFrame | None = None, supply: Supply | None = None) -> pd.DataFrame:
    """Split every stratum's annual samples into months.

    Parameters
    ----------
    allocation
        An :class:`~riskplan.allocation.Allocation` or its table (key columns + ``samples``,
        and ``n_establishments`` to limit each stratum's months, see
        :attr:`ScheduleRules.months_within_establishments`). Row order does not matter.
    rules
        Schedule rules; default :class:`ScheduleRules()`.
    months_allowed
        Business type -> capacity per month (12 numbers, e.g. school days; 0 = cannot be
        sampled then), applied when ``rules.school_days_only``
        (:func:`riskplan.schedule.allowed.school_day_months`). Default: every month allowed.
    categories
        The categories table: with it the seasons may name category roles and names (``spring
        festival food``, ``糕点``) and its local seasons are added (``rules.local_seasons``);
        without it they must name codes.
    supply
        What the establishments can supply (:func:`riskplan.allocation.district_supply`): with
        it, each stratum's samples are kept to months its establishments can be sampled in
        (``df.attrs["moved_to_eligible_months"]`` counts the samples moved).

    Returns
    -------
    pandas.DataFrame
        Long table ``township_code, business_type, category_code, month (1-12), samples (int),
        in_season (bool), focus`` (``;`` list of the season names active), one row per stratum
        and month with samples > 0. Each stratum's months sum exactly to its annual samples;
        ``df.attrs["monthly_totals"]`` holds the district total per month (1-12).

    Raises
    ------
    InfeasibleError
        When the progress targets need samples in a period with no open month.
    ScheduleInputError
        When the table lacks a key column or ``samples``, or ``samples`` is not whole numbers
        >= 0.
    """
    rules = ScheduleRules() if rules is None else rules
    if categories is not None:  # seasons may name roles: the table says which categories
        rules = resolve_section("schedule", rules, role_tables(categories=categories))
    table = _checked_table(allocation)
    cols = [*KEY, "samples"] + (["n_establishments"] if "n_establishments" in table.columns else [])
    # one canonical row order: the rounding breaks ties by arc order
    t = (table.loc[table["samples"] > 0, cols].sort_values(KEY, kind="stable").reset_index(drop=True))
    n = t["samples"].to_numpy(dtype=np.int64)
    total = int(n.sum())
    profile = seasonal_profile(t["category_code"].astype(str), rules)
    targets = monthly_targets(profile.sum(axis=0) if len(t) else np.ones(12), total, rules)
    cols_used = np.flatnonzero(profile.sum(axis=0) > 0) if len(t) else np.array([], dtype=int)
    x = np.zeros_like(profile)
    if total > 0:
        x[:, cols_used] = _ipf(profile[:, cols_used], n.astype(float), targets[cols_used].astype(float))
    r, c = np.nonzero(x > 0)
    # columns are township x month inside month, so each township's monthly totals also stay
    # within one of their fitted values (a smooth workload per township)
    town, towns = pd.factorize(t["township_code"])
    tm = town[r] * 12 + c
    vals = controlled_round(r, tm, x[r, c], n_rows=len(t), n_cols=12 * max(1, len(towns)),
                            col_parents=[np.tile(np.arange(12), max(1, len(towns)))])
    month_totals = np.bincount(c, weights=vals, minlength=12).astype(np.int64)
    if not np.array_equal(month_totals, targets):  # the rounding keeps whole-number margins exactly
        raise InfeasibleError(f"internal error: monthly totals {month_totals.tolist()} != {targets.tolist()}")
    counts = np.zeros((len(t), 12), dtype=np.int64)
    counts[r, c] = np.round(vals).astype(np.int64)
    if rules.school_days_only and months_allowed:
        counts = keep_to_months(counts, t["business_type"], months_allowed, rules)
    if rules.months_within_establishments and "n_establishments" in t.columns:
        limit = t["n_establishments"].fillna(12).clip(upper=12).to_numpy(dtype=float).astype(np.int64)
        counts = consolidate_months(counts, limit)
    moved = 0
    if supply is not None:
        counts, moved = fit_to_eligibility(counts, t[KEY], supply)
    r, c = np.nonzero(counts)
    out = t.loc[r, KEY].reset_index(drop=True)
    out["month"] = (c + 1).astype(int)
    out["samples"] = counts[r, c].astype(int)
    season_cache: dict[tuple[str, int], str] = {}

    def focus(cat: str, month: int) -> str:
        k = (cat, month)
        if k not in season_cache:
            season_cache[k] = ";".join(
                nm for nm in rules.seasons_of(cat) if month in rules.season_months[nm]
            )
        return season_cache[k]

    out["focus"] = [focus(cc, m) for cc, m in zip(out["category_code"], out["month"])]
    out["in_season"] = out["focus"] != ""
    out = out.sort_values([*KEY, "month"], kind="stable").reset_index(drop=True)
    out.attrs["monthly_totals"] = {m + 1: int(v) for m, v in enumerate(counts.sum(axis=0))}
    out.attrs["moved_to_eligible_months"] = moved
    return out


def progress(schedule: pd.DataFrame) -> pd.DataFrame:
    """District samples per month and the cumulative share of the year (12 rows)."""
    s = schedule.groupby("month")["samples"].sum().reindex(range(1, 13), fill_value=0)
    total = s.sum()
    return pd.DataFrame(
        {"month": range(1, 13), "samples": s.to_numpy(),
         "cumulative": s.cumsum().to_numpy(),
         "cumulative_share": (s.cumsum() / total).to_numpy() if total else np.zeros(12)}
    )
