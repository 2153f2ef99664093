"""Keep each stratum's monthly samples where its establishments can be sampled.

A stratum's samples in a month need establishments of the stratum eligible in that month: a
sampling month their business type may be sampled in (school canteens in term), outside their
rotation window counted from the history and from the visits the stratum's earlier months will
make (an establishment sampled in March under a six-month window is eligible again in September).
:func:`fit_to_eligibility` walks each stratum's months in order, as the selection will, using at
most ``selection.max_samples_per_category`` samples (fewer where its windows allow fewer) per
establishment and month and taking the establishments with the
shortest windows first (they come back soonest). What a month cannot take goes to the next month
that can; what is left at the end of the year goes to the latest earlier month that can still take
it. Samples move only as far as needed, so the progress targets may slip by what moved.

The walk is per stratum: an establishment handling several categories may be drawn by several
strata; the selection carries what that still leaves short (:mod:`riskplan.pipeline`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskplan.allocation.supply import Supply
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)

__all__ = ["fit_to_eligibility"]


def _walk(row: np.ndarray, eligible: np.ndarray, window: np.ndarray, per_visit: np.ndarray,
          carry: bool) -> tuple[np.ndarray, int]:
    """The month counts the stratum can take, and what is left over [samples].

    ``carry``: a month's excess goes to the next month; otherwise it is left over.
    """
    out = row.astype(np.int64).copy()
    free_from = np.zeros(window.size, dtype=np.int64)
    order = np.argsort(window, kind="stable")
    left = 0
    for m in range(12):
        if carry:
            out[m] += left
            left = 0
        if out[m] == 0:
            continue
        avail = order[eligible[order, m] & (free_from[order] <= m) & (per_visit[order] > 0)]
        reach = np.cumsum(per_visit[avail])
        cap = int(reach[-1]) if reach.size else 0
        if out[m] > cap:
            left += int(out[m] - cap)
            out[m] = cap
        used = avail[: int(np.searchsorted(reach, out[m])) + 1] if out[m] > 0 else avail[:0]
        free_from[used] = m + np.maximum(window[used], 1)
    return out, left


def fit_to_eligibility(counts: np.ndarray, strata: pd.DataFrame, supply: Supply) -> tuple[np.ndarray, int]:
    """Move samples out of months in which a stratum's establishments cannot take them.

    Parameters
    ----------
    counts
        Samples per stratum and month (n x 12).
    strata
        The key columns of the ``n`` strata, in the order of ``counts``' rows.
    supply
        The district's supply (:func:`riskplan.allocation.district_supply`): eligibility by
        month and rotation windows of the establishments.

    Returns
    -------
    tuple
        The new counts (same row sums; a stratum whose establishments cannot take its samples in
        any month keeps them where they were, for the selection to report) and the number of
        samples moved.
    """
    out = counts.astype(np.int64).copy()
    mem = supply.members
    keys = list(zip(*(mem[c].to_numpy(dtype=object) for c in KEY)))
    pos = mem["pos"].to_numpy(dtype=np.int64)
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]] + [len(keys)]
    block = {keys[a]: pos[a:b] for a, b in zip(starts[:-1], starts[1:])}
    window = supply.establishments["window_months"].to_numpy(dtype=np.int64)
    per_e = np.minimum(supply.establishments["per_visit"].to_numpy(dtype=np.int64), supply.per_visit)
    moved = 0
    for i, key in enumerate(zip(*(strata[c].astype(str).to_numpy(dtype=object) for c in KEY))):
        row = out[i]
        if row.sum() == 0:
            continue
        p = block.get(key)
        if p is None:
            continue
        el, w, k = supply.eligible[p], window[p], per_e[p]
        fitted, left = _walk(row, el, w, k, carry=True)
        # what the end of the year cannot take: the latest earlier month that still can
        for _ in range(left):
            for m in range(11, -1, -1):
                trial = fitted.copy()
                trial[m] += 1
                if _walk(trial, el, w, k, carry=False)[1] == 0:
                    fitted = trial
                    left -= 1
                    break
            else:
                break
        if left:  # cannot be placed in any month: keep the schedule's months for the rest
            fitted = fitted + _leftover(row, fitted, left)
        moved += int(np.maximum(row - fitted, 0).sum())
        out[i] = fitted
    return out, moved


def _leftover(row: np.ndarray, fitted: np.ndarray, left: int) -> np.ndarray:
    """``left`` samples put back in the months the schedule had them (latest first)."""
    extra = np.zeros(12, dtype=np.int64)
    for m in range(11, -1, -1):
        take = min(left, int(max(row[m] - fitted[m], 0)))
        extra[m] += take
        left -= take
    if left:
        extra[int(np.flatnonzero(row)[-1])] += left
    return extra
