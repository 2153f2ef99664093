"""The PNG route maps of a plan, drawn month by month while the plan is still being made.

A year's maps cost more CPU than any other file of the plan folder (a few hundred A4 maps).
:class:`PlanMaps` starts the drawing processes before the plan is made and takes each month's
routes as soon as they exist (:meth:`PlanMaps.add_month`, the ``on_month`` hook of
:func:`riskplan.pipeline.run_plan`), so the maps of January are drawn while later months are
routed; :func:`riskplan.export.plan_folder.write_plan` adds the months not yet given and writes
every map. The maps of a month depend only on that month's routes
(:func:`riskplan.export.map_tasks.map_tasks`), so the files are the same whether a month was
added early, late or by ``write_plan`` alone. The report's charts need only the allocation and
the schedule: :meth:`PlanMaps.add_schedule` (the ``on_schedule`` hook) starts them before the
first month is selected.
"""

from __future__ import annotations

import dataclasses
import functools
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any

import pandas as pd

from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.export import maps, report
from riskplan.export.map_tasks import MapTask
from riskplan.settings import ExportRules
from riskplan.workers import call, pool_size

__all__ = ["MAP_COLUMNS", "MapBackground", "PlanMaps", "geo_depots", "map_stops", "month_map_tasks",
           "townships_by_station"]

MAP_COLUMNS = ("station_id", "date", "team", "stop_order", "lon_wgs84", "lat_wgs84")
"""The columns of the routed stops a map draws (and ``lab_lon`` / ``lab_lat`` of the route's end)."""

def geo_depots(dataset: Dataset) -> dict[str, tuple[float, float]]:
    """``station_id`` -> the station's (lon, lat) [degrees, WGS-84]."""
    st = dataset.stations
    return {str(s): (float(lo), float(la)) for s, lo, la in
            zip(st["station_id"], st["lon_wgs84"], st["lat_wgs84"])}


def townships_by_station(dataset: Dataset) -> dict[str, Any]:
    """``station_id`` -> GeoDataFrame of the townships the station covers (a map's background)."""
    out = {}
    tw = dataset.townships
    for sid, codes in zip(dataset.stations["station_id"], dataset.stations["township_codes"]):
        keep = set(str(codes).split(";"))
        out[str(sid)] = tw[tw["township_code"].astype(str).isin(keep)]
    return out


def route_ends(stops: pd.DataFrame, routes: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """``stops`` with where its route ends.

    Adds ``ends_at`` (``station`` or ``lab``) and, for routes ending at a lab, that lab's
    ``lab_lon`` / ``lab_lat`` [degrees] (each route has its own lab).
    """
    if not len(stops) or "ends_at" not in routes.columns:
        return stops
    key = ["_s", "_t", "_d"]
    ends = pd.DataFrame({
        "_s": routes["station_id"].astype(str), "_t": routes["team"].astype(str),
        "_d": pd.to_datetime(routes["date"]).dt.strftime("%Y-%m-%d"),
        "ends_at": routes["ends_at"].astype(str),
        "lab_id": routes["lab_id"].astype(str) if "lab_id" in routes.columns else "",
    })
    coords = labs.assign(lab_id=labs["lab_id"].astype(str)).set_index("lab_id")
    at_lab = ends["ends_at"] == "lab"
    ends["lab_lon"] = ends["lab_id"].map(coords["lon_wgs84"]).where(at_lab).astype(float)
    ends["lab_lat"] = ends["lab_id"].map(coords["lat_wgs84"]).where(at_lab).astype(float)
    left = stops.assign(
        _s=stops["station_id"].astype(str), _t=stops["team"].astype(str),
        _d=pd.to_datetime(stops["date"]).dt.strftime("%Y-%m-%d"),
    )
    return left.merge(ends.drop(columns="lab_id"), on=key, how="left").drop(columns=key)


def map_stops(stops: pd.DataFrame, routes: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """What the maps draw of routed ``stops`` (:data:`MAP_COLUMNS`, route ends), dates as ``YYYY-MM-DD``.

    Parameters
    ----------
    stops, routes
        The routing's stops and routes (``RoutePlan.stops`` / ``.routes``, or the plan's).
    labs
        The dataset's labs (``lab_id``, coordinates).
    """
    out = stops[list(MAP_COLUMNS)].copy()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return route_ends(out, routes, labs)


@dataclasses.dataclass(frozen=True)
class MapBackground:
    """What every map of a dataset draws besides the routes: stations, their townships, the labs."""

    depots: dict[str, tuple[float, float]]
    townships: dict[str, Any]
    names: dict[str, str]
    labs: pd.DataFrame

    @classmethod
    def of(cls, dataset: Dataset) -> MapBackground:
        """The background of ``dataset``'s maps."""
        names = dict(zip(dataset.stations["station_id"].astype(str), dataset.stations["name"].astype(str)))
        return cls(geo_depots(dataset), townships_by_station(dataset), names, dataset.labs)


def month_map_tasks(stops: pd.DataFrame, routes: pd.DataFrame, dataset: Dataset | MapBackground,
                    dpi: int) -> list[MapTask]:
    """The map tasks of routed ``stops`` (one month's or several whole months')."""
    back = dataset if isinstance(dataset, MapBackground) else MapBackground.of(dataset)
    return maps.map_tasks(map_stops(stops, routes, back.labs), back.depots, back.townships, dpi, back.names)


class PlanMaps:
    """A plan's PNG maps, drawn by worker processes and fed month by month.

    A context manager: leaving it cancels the maps not drawn yet and stops the workers it
    started (see :class:`riskplan.export.maps.MapDrawing`). Start it before the plan is made,
    while the process runs no other thread, so that the workers are forked at once rather than
    spawned.

    Parameters
    ----------
    dataset
        The dataset the plan is made from (stations, townships, labs).
    settings
        ``export`` settings: ``maps`` (none drawn when False), ``map_dpi``, ``map_workers``.
    pool
        Worker processes shared with the plan's own work (the day routes,
        :func:`riskplan.workers.process_pool`): until the maps are collected, they get at most
        one process fewer than the pool has (at least one), so a process is free for the day
        routes. None: processes of their own (``map_workers``).
    """

    def __init__(self, dataset: Dataset, settings: ExportRules, pool: ProcessPoolExecutor | None = None) -> None:
        self.dataset = dataset
        self.settings = settings
        self.months: set[int] = set()
        self.charts: Future[dict[str, bytes]] | None = None
        self.background = MapBackground.of(dataset)
        # the same processes build the team workbooks and the report charts
        if pool is None:
            self.drawing = maps.MapDrawing([], maps.map_workers(settings.map_workers, 12 * len(dataset.stations)))
        else:
            self.drawing = maps.MapDrawing([], pool=pool, in_flight=max(1, pool_size(pool) - 1))

    def __enter__(self) -> PlanMaps:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.drawing.close()

    def add_month(self, month: int, stops: pd.DataFrame, routes: pd.DataFrame) -> None:
        """Start drawing the maps of ``month``'s routed ``stops`` (each month once; later calls ignored).

        The signature of :func:`riskplan.pipeline.run_plan`'s ``on_month`` hook.
        """
        if month in self.months:
            return
        self.months.add(month)
        if self.settings.maps and len(stops):
            self.drawing.add(month_map_tasks(stops, routes, self.background, self.settings.map_dpi))

    def add_charts(self, inputs: dict[str, Any]) -> Future[dict[str, bytes]]:
        """The report's charts (:func:`riskplan.export.report_charts.charts_from` of ``inputs``), started once.

        A later call returns the charts started first (``write_plan``'s, when the plan started them).
        """
        if self.charts is None:
            self.charts = self.drawing.submit(functools.partial(
                call, "riskplan.export.report_charts:charts_from", **inputs, dpi=self.settings.map_dpi))
        return self.charts

    def add_schedule(self, months: list[int], allocation: pd.DataFrame, schedule: pd.DataFrame,
                     detection: pd.DataFrame, config: Config) -> None:
        """Start drawing the report's charts of a plan whose allocation and schedule are known.

        The signature of :func:`riskplan.pipeline.run_plan`'s ``on_schedule`` hook: the charts
        need nothing of the routes, so the workers draw them while the first month is planned.
        """
        self.add_charts(report.chart_inputs_of(allocation, schedule, months, detection, config, self.dataset))

    def add_plan(self, months: list[int], stops: pd.DataFrame, routes: pd.DataFrame) -> None:
        """Start drawing the maps of the plan's ``months`` not added yet (``stops`` / ``routes``: the whole plan's)."""
        if not len(stops):
            return
        stop_month = pd.to_datetime(stops["date"]).dt.month
        route_month = pd.to_datetime(routes["date"]).dt.month if len(routes) else pd.Series(dtype=int)
        for m in months:
            if m not in self.months:
                self.add_month(m, stops[stop_month == m], routes[route_month == m])
