"""Placing what a month's selection leaves short: carried to a later month, else substituted.

During the year reality moves (a shop closes, results arrive, several strata draw the same shop):
a scheduled sample may find no eligible establishment. :func:`run_plan` then

1. carries it to the next planned sampling month (``schedule.open_months``) of this run, where the
   stratum's establishments may be eligible again, or, when there is none,
2. substitutes it, in the same month, into the stratum nearest to it with room (establishments
   eligible that month x samples per visit, less what the month already asks of it): the same
   category (same township first), then the same business type (same township first), then the
   same township, then the rest; within each tier the riskiest stratum first;
3. and reports in ``shortfall`` only what neither can place.

Every carry and substitution is a row of ``PlanResult.placements`` (:data:`PLACEMENT_COLUMNS`)
with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskplan.selection.candidates import prepare_candidates
from riskplan.selection.rotation import rotation_table
from riskplan.settings.selection import SelectionRules
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)

__all__ = ["PLACEMENT_COLUMNS", "empty_placements", "schedule_rows", "substitutes"]

PLACEMENT_COLUMNS: tuple[str, ...] = (
    "kind", "from_month", "to_month", "from_stratum", "to_stratum", "samples", "reason",
)
"""Columns of ``PlanResult.placements``: ``kind`` is ``carried`` or ``substituted``."""


def empty_placements() -> pd.DataFrame:
    """A placements table with no row."""
    return pd.DataFrame({
        "kind": pd.Series(dtype="str"), "from_month": pd.Series(dtype="int64"),
        "to_month": pd.Series(dtype="int64"), "from_stratum": pd.Series(dtype="str"),
        "to_stratum": pd.Series(dtype="str"), "samples": pd.Series(dtype="int64"),
        "reason": pd.Series(dtype="str"),
    })


def _sid(row: tuple[str, str, str]) -> str:
    return "|".join(row)


def schedule_rows(extra: Mapping[tuple[str, str, str], int], month: int) -> pd.DataFrame:
    """Schedule rows (key, ``month``, ``samples``) of extra samples for ``month``."""
    keys = sorted(k for k, n in extra.items() if n > 0)
    out = pd.DataFrame(keys, columns=KEY) if keys else pd.DataFrame({c: pd.Series(dtype=str) for c in KEY})
    out["month"] = int(month)
    out["samples"] = [int(extra[k]) for k in keys]
    return out


def _tier(src: tuple[str, str, str], dst: tuple[str, str, str]) -> int:
    town, btype, cat = (a == b for a, b in zip(src, dst))
    if cat:
        return 0 if town else 1
    if btype:
        return 2 if town else 3
    return 4 if town else 5


def substitutes(
    short: pd.DataFrame,
    requested: pd.DataFrame,
    establishments: pd.DataFrame,
    history: pd.DataFrame | None,
    planned: pd.DataFrame | None,
    year: int,
    month: int,
    rules: SelectionRules,
    weights: pd.DataFrame,
    allowed: Mapping[str, np.ndarray] | None,
    unreachable: Mapping[str, np.ndarray] | None = None,
) -> tuple[dict[tuple[str, str, str], int], list[tuple]]:
    """Strata of ``month`` that take the samples ``short`` could not place.

    Parameters
    ----------
    short
        The month's shortfall (key, ``missing``, ``reason``).
    requested
        The month's schedule (key, ``samples``), carried samples included.
    establishments, history, planned
        The register, past samples and this year's results, visits planned for earlier months.
    year, month
        The month.
    rules
        Selection settings (rotation, samples per visit).
    weights
        Risk weight per stratum (key, ``weight``): riskiest first within a tier.
    allowed
        Business type -> 12 numbers, 0 where it cannot be sampled (school days), or None.
    unreachable
        Category -> one boolean per row of ``establishments``: True where a sample of that
        category can never be delivered (it gives no room), or None.

    Returns
    -------
    tuple
        ``{stratum key: extra samples}`` to add to the month, and the placement rows
        (:data:`PLACEMENT_COLUMNS`).
    """
    per_visit = rules.max_samples_per_category if rules.combine_samples else 1
    rot = rotation_table(establishments, history, year, month, rules, planned)
    cand = prepare_candidates(establishments, rules)
    ok = cand["establishment_id"].astype(str).map(dict(zip(rot["establishment_id"], rot["eligible"])))
    cand = cand[ok.fillna(False).astype(bool).to_numpy()]
    if allowed:
        blocked = [bt for bt, days in allowed.items() if float(np.asarray(days)[month - 1]) <= 0]
        cand = cand[~cand["business_type"].isin(blocked)]
    if unreachable:
        ids = establishments["establishment_id"].astype(str).to_numpy(dtype=object)
        never = {(str(e), c) for c, mask in unreachable.items() for e in ids[np.asarray(mask, dtype=bool)]}
        pairs = zip(cand["establishment_id"].astype(str), cand["category_code"].astype(str))
        cand = cand[[p not in never for p in pairs]]
    room = cand.groupby(KEY).size() * per_visit
    asked = requested.groupby(KEY)["samples"].sum() if len(requested) else pd.Series(dtype=int)
    room = room.sub(asked.reindex(room.index, fill_value=0), fill_value=0)
    room = room[room > 0].astype(int)
    w = weights.set_index(KEY)["weight"].astype(float)
    targets: list[tuple[tuple[str, str, str], int, float]] = [
        ((str(k[0]), str(k[1]), str(k[2])), int(r), float(w.get(k, 0.0))) for k, r in room.items()]
    left = {k: r for k, r, _ in targets}
    extra: dict[tuple[str, str, str], int] = {}
    rows: list[tuple] = []
    for rec in short.sort_values(KEY).itertuples(index=False):
        src = (str(rec.township_code), str(rec.business_type), str(rec.category_code))
        need = int(rec.missing)
        order = sorted((t for t in targets if t[0] != src),
                       key=lambda t: (_tier(src, t[0]), -t[2], t[0]))
        for dst, _, _ in order:
            if need == 0:
                break
            take = min(need, left[dst])
            if take <= 0:
                continue
            left[dst] -= take
            need -= take
            extra[dst] = extra.get(dst, 0) + take
            rows.append(("substituted", month, month, _sid(src), _sid(dst), take,
                         f"{rec.reason}; no later sampling month in this plan / 替代抽样"))
    return extra, rows
