"""What a route map needs, cut into tasks for worker processes: no drawing here (and no matplotlib).

:func:`map_tasks` groups routed stops into :class:`MapTask` s (some days of one station's month);
:func:`riskplan.export.map_drawing.draw_task` draws one. The process that makes the plan builds the
tasks without importing matplotlib; the workers that draw import it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["MapTask", "map_tasks"]


@dataclasses.dataclass(frozen=True)
class MapTask:
    """Some days of one station's maps: what a worker process needs to draw them (picklable).

    Attributes
    ----------
    station
        The station's ID.
    stops
        The station's stops of the month (they fix the map's extent, the same for every day of
        the month) with ``date``, ``team``, ``stop_order``, coordinates and route ends.
    days
        The dates (``YYYY-MM-DD``) to draw, a map each.
    depot
        The station (lon, lat) [degrees], or None.
    townships
        GeoDataFrame of its townships (the background), or None.
    name
        The station's name, for the titles ("" for none).
    dpi
        Resolution [dots per inch].
    """

    station: str
    stops: pd.DataFrame
    days: tuple[str, ...]
    depot: tuple[float, float] | None
    townships: Any
    name: str
    dpi: int


def map_tasks(
    stops: pd.DataFrame,
    depots: Mapping[str, tuple[float, float]],
    townships_by_station: Mapping[str, Any] | None = None,
    dpi: int = 100,
    station_names: Mapping[str, str] | None = None,
    days_per_task: int = 8,
) -> list[MapTask]:
    """The maps of ``stops`` as tasks: each station's days of a month in runs of at most ``days_per_task``.

    A month's maps of a station share its extent (the station's stops of that month, its
    townships, the station and the labs its routes end at), so the maps of a month can be drawn
    as soon as it is routed, whatever the months after it.
    """
    tasks = []
    for station, st_stops in stops.groupby("station_id", sort=True):
        dates = st_stops["date"].map(lambda d: pd.Timestamp(d).strftime("%Y-%m-%d"))
        for _, month_stops in st_stops.groupby(dates.str.slice(0, 7), sort=True):
            days = sorted(set(dates[month_stops.index]))
            for i in range(0, len(days), days_per_task):
                tasks.append(MapTask(str(station), month_stops, tuple(days[i:i + days_per_task]),
                                     depots.get(str(station)), (townships_by_station or {}).get(str(station)),
                                     (station_names or {}).get(str(station), ""), dpi))
    return tasks
