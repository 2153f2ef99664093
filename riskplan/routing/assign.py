"""Spreading a station's month of visits over its working days (before each day is routed).

A sweep around the station: visits sorted by bearing from the station are cut into consecutive
sectors of about equal workload, one sector per working day, so each day's visits lie close
together and the month's work is spread evenly. Visits that may only take place on some days (school
canteens on school days, early-only windows on market days) are then moved to their nearest
allowed day with the least work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np


def sweep_days(
    bearing: np.ndarray,
    workload: np.ndarray,
    allowed: Sequence[Sequence[int]],
    n_days: int,
) -> list[int]:
    """Assign each visit to a day index.

    Parameters
    ----------
    bearing
        Bearing of each visit seen from the station [rad].
    workload
        Estimated minutes of work of each visit [min].
    allowed
        Per visit, the day indices it may be planned on (non-empty).
    n_days
        Number of working days.

    Returns
    -------
    Day index of each visit.
    """
    n = len(bearing)
    if n == 0:
        return []
    order = np.lexsort((np.arange(n), bearing))
    # start the sweep after the widest angular gap so that no sector wraps around it
    b = bearing[order]
    gaps = np.diff(np.concatenate([b, [b[0] + 2 * np.pi]]))
    shift = int(np.argmax(gaps)) + 1
    order = np.roll(order, -shift)
    total = float(workload.sum())
    target = total / n_days if n_days else total
    day = np.zeros(n, dtype=int)
    load = np.zeros(max(n_days, 1))
    cum = 0.0
    for v in order:
        # the sector is chosen by the visit's middle point in the cumulative workload
        mid = cum + workload[v] / 2.0
        day[v] = min(int(mid // target) if target > 0 else 0, n_days - 1)
        cum += workload[v]
    for v in range(n):
        load[day[v]] += workload[v]
    for v in order:
        ok = list(allowed[v])
        if day[v] in ok:
            continue
        load[day[v]] -= workload[v]
        best = min(ok, key=lambda d: (abs(d - day[v]) > 3, load[d], abs(d - day[v]), d))
        day[v] = best
        load[best] += workload[v]
    return [int(d) for d in day]


def bearing(lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Bearing [rad] of points seen from (lon0, lat0), on a local flat projection."""
    dx = (np.asarray(lon, float) - lon0) * np.cos(np.radians(lat0))
    dy = np.asarray(lat, float) - lat0
    return np.arctan2(dy, dx)


def retry_order(days: Sequence[dt.date], load: Sequence[float], home: int, tried: set[int], allowed: Sequence[int]) -> list[int]:
    """Other days to offer a visit that did not fit, least-loaded first, then nearest in time."""
    cand = [d for d in allowed if d not in tried]
    return sorted(cand, key=lambda d: (load[d], abs(d - home), d))
