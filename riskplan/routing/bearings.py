"""Bearings of a month's visits seen from a station, for the month assignment's compactness term.

The month model (:mod:`riskplan.routing.month`) keeps a team-day's visits within a narrow sector
around its station: each visit gets a bearing on a scale that starts after the widest empty sector,
so that visits on either side of the cut are far apart on the scale, as they are on the ground.
"""

from __future__ import annotations

import numpy as np

from riskplan.routing.network import Month

__all__ = ["bearings", "station_bearings"]


def station_bearings(month: Month, s: int) -> np.ndarray:
    """Bearing of every visit of the month seen from station ``s`` [degrees, 0-360)."""
    st = month.stations[s]
    lon = month.visits["lon_wgs84"].to_numpy(float)
    lat = month.visits["lat_wgs84"].to_numpy(float)
    return np.degrees(np.arctan2(lat - st.lat, (lon - st.lon) * np.cos(np.radians(st.lat)))) % 360.0


def bearings(angles: np.ndarray, visits: list[int]) -> dict[int, int]:
    """Bearing of each visit seen from a station [tenths of a degree, 0-3599], cut at the widest gap.

    The sweep starts after the widest empty sector around the station, so visits on either side
    of the cut are far apart on this scale, as they are on the ground.

    Parameters
    ----------
    angles
        :func:`station_bearings` of the station [degrees].
    visits
        The visits (indices into ``angles``).
    """
    if not visits:
        return {}
    ang = angles[visits]
    order = np.sort(ang)
    gaps = np.diff(np.append(order, order[0] + 360.0))
    cut = order[(int(np.argmax(gaps)) + 1) % len(order)]
    return {v: int(round(((a - cut) % 360.0) * 10)) % 3600 for v, a in zip(visits, ang.tolist())}
