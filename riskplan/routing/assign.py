"""Spreading a station's month of visits over its working days (before each day is routed).

A sweep around the station: visits sorted by bearing from the station are cut into consecutive
sectors of about equal workload, one sector per field day, so each day's visits lie close
together. :func:`pack_days` first decides how many field days the month's workload needs and spreads
those days evenly over the month, so that a team goes out for a fuller day rather than for one
visit every day. Visits that may only take place on some days (school
canteens on school days, early-only windows on market days) are then moved to their nearest
allowed day with the least work.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from riskplan.routing.prepare import Station
from riskplan.settings.routing import RoutingRules


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


def field_days(n_days: int, workload: float, capacity: float) -> list[int]:
    """Working-day indices to go out on: as few as the workload needs, evenly spread.

    Parameters
    ----------
    n_days
        Working days in the period.
    workload
        Total estimated work of the period's visits [min].
    capacity
        Work one field day of the station takes (all its teams) [min].

    Returns
    -------
    Sorted day indices, ``ceil(workload / capacity)`` of them (at least 1, at most ``n_days``),
    centred in equal slices of the period.
    """
    if n_days <= 0:
        return []
    need = int(np.ceil(workload / capacity)) if capacity > 0 else n_days
    n_field = min(n_days, max(1, need))
    return sorted({int((k + 0.5) * n_days / n_field) for k in range(n_field)})


def pack_days(
    bearing: np.ndarray,
    workload: np.ndarray,
    allowed: Sequence[Sequence[int]],
    n_days: int,
    capacity: float,
) -> list[int]:
    """Assign each visit to a working day, using only as many field days as the work needs.

    Parameters are those of :func:`sweep_days`, plus ``capacity``, the work one field day of the
    station takes [min]. Visits that may go on none of the chosen field days (a school canteen when
    no field day is a school day) go to their nearest allowed day.

    Returns
    -------
    Day index (into the ``n_days`` working days) of each visit.
    """
    if len(bearing) == 0:
        return []
    field = field_days(n_days, float(np.sum(workload)), capacity)
    sector_ok = [[s for s, d in enumerate(field) if d in set(a)] for a in allowed]
    sectors = sweep_days(bearing, workload, [ok or list(range(len(field))) for ok in sector_ok], len(field))
    days = []
    for a, s in zip(allowed, sectors):
        d = field[s]
        days.append(d if d in a else min(a, key=lambda x: (abs(x - d), x)))
    return days


def bearing(lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Bearing [rad] of points seen from (lon0, lat0), on a local flat projection."""
    dx = (np.asarray(lon, float) - lon0) * np.cos(np.radians(lat0))
    dy = np.asarray(lat, float) - lat0
    return np.arctan2(dy, dx)


def assign_days(st: Station, allowed: Sequence[Sequence[int]], n_days: int, rules: RoutingRules) -> dict[int, int]:
    """The working day each of the station's visits is planned on (before any day is routed).

    Parameters
    ----------
    st
        The station (its visits' locations, :attr:`~riskplan.routing.prepare.Station.workload`).
    allowed
        Per visit, the day indices it may go on (:func:`riskplan.routing.feasible.allowed_days`);
        visits with none are left out.
    n_days
        Number of working days.
    rules
        Routing settings: with ``pack_days`` a field day takes ``teams x day_fill x
        max_shift_minutes`` [min] of work, without it the visits spread over every working day.

    Returns
    -------
    Visit (local index) -> day index, in visit order.
    """
    idx = np.array([i for i, a in enumerate(allowed) if a], dtype=int)
    lon = st.visits["lon_wgs84"].to_numpy(float)[idx]
    lat = st.visits["lat_wgs84"].to_numpy(float)[idx]
    capacity = 0.0 if not rules.pack_days else st.teams * rules.day_fill * rules.max_shift_minutes
    days = pack_days(
        bearing(st.lon, st.lat, lon, lat), st.workload[idx].astype(float), [allowed[i] for i in idx], n_days, capacity,
    )
    return dict(zip(idx.tolist(), days))


def visits_by_day(home: dict[int, int], n_days: int) -> list[list[int]]:
    """Per day index, the visits planned on it (ascending), from visit -> day."""
    members: list[list[int]] = [[] for _ in range(n_days)]
    for i, d in sorted(home.items()):
        members[d].append(i)
    return members
