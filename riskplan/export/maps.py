"""PNG route maps, one per station and day: drawn by worker processes, written in a fixed order.

The drawing itself is :mod:`riskplan.export.map_drawing` (A4 landscape at ``export.map_dpi``,
titled, townships, numbered stops, every route, a legend; re-exported here). The maps of a year
(a few hundred) are drawn by a pool of worker processes (``export.map_workers``), each drawing
some days of one station in one figure (:class:`~riskplan.export.map_tasks.MapTask`), and
written by the main process in a fixed order: the files are the same whatever the number of
workers, and an interrupted or failed run leaves none behind (the plan folder is staged).

:func:`start_maps` submits the tasks and returns at once, so the caller can write its other
files while the workers draw (:func:`riskplan.export.plan_folder.write_plan` does);
:meth:`MapDrawing.write` then collects and writes the maps. :func:`write_station_day_maps` does
both in one call. A plan's maps are fed month by month, to workers shared with the routing
(:class:`riskplan.export.plan_maps.PlanMaps`).
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
from tqdm import tqdm

from riskplan.errors import RiskplanError
from riskplan.export.atomic import write_bytes
from riskplan.export.map_tasks import MapTask, map_tasks
from riskplan.workers import BrokenProcessPool, call, process_pool, worker_died, workers

if TYPE_CHECKING:
    from riskplan.export.map_drawing import (
        A4_LANDSCAPE,
        LABEL_GAP,
        PNG_METADATA,
        TEAM_COLOURS,
        draw_task,
        figure_png,
        plot_station_day,
        spread_labels,
    )

DRAW_TASK = "riskplan.export.map_drawing:draw_task"
"""The drawing function, by name (:func:`riskplan.workers.call`): matplotlib is imported where maps are drawn."""

_DRAWING = ("A4_LANDSCAPE", "LABEL_GAP", "PNG_METADATA", "TEAM_COLOURS", "draw_task", "figure_png",
            "plot_station_day", "spread_labels")


def __getattr__(name: str) -> Any:
    """The names of :mod:`riskplan.export.map_drawing`, imported with matplotlib when first used."""
    if name in _DRAWING:
        from riskplan.export import map_drawing  # matplotlib: only where maps are drawn

        return getattr(map_drawing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

T = TypeVar("T")

__all__ = ["A4_LANDSCAPE", "LABEL_GAP", "PNG_METADATA", "TEAM_COLOURS", "MapDrawing", "MapTask", "draw_task",
           "figure_png", "map_tasks", "map_workers", "plot_station_day", "spread_labels",
           "start_maps", "write_station_day_maps"]


def _died(exc: BaseException) -> RiskplanError:
    """The error of a worker process that died (killed, out of memory, a script without a main guard)."""
    return worker_died("drawing the route maps (or a workbook, a chart)", exc)


class MapDrawing:
    """The maps of ``tasks`` being drawn: by worker processes, else here.

    With one worker or more (outside a daemon process such as a Dask worker, which may have no
    children) the worker processes are started when the object is made (or ``pool``'s are used)
    and the tasks are submitted to them, so the caller may do other work while they draw; more
    tasks may be added later (:meth:`add`: a plan's months, as each is routed), and other work
    too (:meth:`submit`). ``in_flight`` keeps a shared pool free for the caller's own work:
    at most that many map tasks are with the workers until the maps are collected. With no
    worker, the tasks are drawn in this process as they are collected. Either way the maps come
    back in task order, each drawn the same way in its own figure: the same files whatever the
    number of workers. The caller writes the files (:meth:`write`), so a worker never leaves a
    file behind.

    A context manager: leaving it (done, an error, Ctrl-C) cancels the tasks not started, waits
    for the running ones and stops the workers it started. Ctrl-C reaches the main process only
    (the workers ignore it).

    Parameters
    ----------
    tasks
        The maps to draw (:func:`~riskplan.export.map_tasks.map_tasks`).
    workers
        Processes to start for them [-] (:func:`map_workers` turns a setting into a number); 0:
        drawn in this process. Ignored when ``pool`` is given.
    pool
        Worker processes shared with other work (:func:`riskplan.workers.process_pool`), left
        running when this object is closed.
    in_flight
        At most this many map tasks with the workers at once until the maps are collected
        (None: all of them).
    """

    def __init__(self, tasks: list[MapTask], workers: int = 1, pool: ProcessPoolExecutor | None = None,
                 in_flight: int | None = None) -> None:
        self.tasks: list[MapTask] = []
        self._futures: list[Future[list[tuple[str, bytes]]] | None] = []
        self._waiting: collections.deque[int] = collections.deque()
        self._limit = in_flight
        self._running = 0
        self._closed = False
        self._lock = threading.RLock()  # the workers' results call back from the pool's thread
        self._own = process_pool(workers) if pool is None else None
        self._pool = pool if pool is not None else self._own
        try:
            self.add(tasks)
        except BaseException:
            self.close()
            raise

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(*args)`` in a worker process too (after the tasks submitted before), or here at once.

        For other files of the plan folder that take CPU (workbooks, charts): their bytes come
        back through the future; the caller writes them. ``fn`` and its arguments are pickled.
        """
        if self._pool is not None:
            return self._pool.submit(fn, *args)
        done: Future[T] = Future()
        done.set_result(fn(*args))
        return done

    def result(self, future: Future[T]) -> T:
        """The result of a :meth:`submit`; a worker that died is a :class:`RiskplanError`."""
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise _died(exc) from None

    def add(self, tasks: list[MapTask]) -> None:
        """Draw ``tasks`` too; their maps come after the others."""
        with self._lock:
            for task in tasks:
                self.tasks.append(task)
                self._futures.append(None)
                self._waiting.append(len(self.tasks) - 1)
        self._pump()

    def _pump(self) -> None:
        """Submit waiting tasks while fewer than the limit are with the workers."""
        if self._pool is None:
            return
        with self._lock:
            while self._waiting and not self._closed and (self._limit is None or self._running < self._limit):
                k = self._waiting[0]
                future = self._pool.submit(call, DRAW_TASK, self.tasks[k])
                self._waiting.popleft()
                self._futures[k] = future
                self._running += 1
                future.add_done_callback(self._finished)

    def _finished(self, future: Future[Any]) -> None:
        """A task is done (in the pool's thread, or here): let the next one go."""
        with self._lock:
            self._running -= 1
        with contextlib.suppress(RuntimeError):  # the pool was shut down meanwhile: nothing to start
            self._pump()

    def __enter__(self) -> MapDrawing:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        """(file name, PNG bytes) of every map, in task order, as each task is done.

        Every task still waiting goes to the workers now.

        Raises
        ------
        RiskplanError
            When a worker process died (killed, out of memory): no map of the run is kept.
        """
        if self._pool is None:
            for task in self.tasks:
                yield from call(DRAW_TASK, task)
            return
        with self._lock:
            self._limit = None
        try:
            self._pump()
            for future in list(self._futures):
                assert future is not None  # every task was submitted by the pump above
                yield from future.result()
        except BrokenProcessPool as exc:
            raise _died(exc) from None

    def write(self, folder: str | os.PathLike[str], progress: bool = False) -> list[Path]:
        """Collect the maps and write each as ``folder/<station_id>_<date>.png``, in task order.

        Parameters
        ----------
        folder
            Where the PNG files go.
        progress
            Show a tqdm progress bar.

        Returns
        -------
        list of Path
            The files written.
        """
        folder = Path(folder)
        written: list[Path] = []
        with tqdm(total=sum(len(t.days) for t in self.tasks), desc="maps", unit="map",
                  disable=not progress) as bar:
            for name, png in self:
                written.append(write_bytes(folder / name, png))
                bar.update()
        return written

    def close(self) -> None:
        """Cancel the tasks not started; stop the workers started here (waiting for their running task)."""
        with self._lock:
            self._closed = True
            self._waiting.clear()
        for future in self._futures:
            if future is not None:
                future.cancel()
        if self._own is not None:
            self._own.shutdown(wait=True, cancel_futures=True)


def map_workers(setting: int, n_tasks: int) -> int:
    """Worker processes for ``n_tasks`` map tasks: ``setting``, or (0) one per usable CPU."""
    return min(workers(setting), max(1, n_tasks))


def start_maps(
    stops: pd.DataFrame,
    depots: Mapping[str, tuple[float, float]],
    townships_by_station: Mapping[str, Any] | None = None,
    dpi: int = 100,
    station_names: Mapping[str, str] | None = None,
    workers: int = 1,
) -> MapDrawing:
    """Start drawing a map for every station and day of ``stops``; write them with :meth:`MapDrawing.write`.

    Parameters
    ----------
    stops
        Routed stops with ``station_id``, ``date``, ``team``, ``stop_order``, coordinates.
    depots
        ``station_id`` -> (lon, lat) [degrees].
    townships_by_station
        ``station_id`` -> GeoDataFrame of its townships (background), optional.
    dpi
        Resolution [dots per inch].
    station_names
        ``station_id`` -> name, for the titles (the ID alone when missing).
    workers
        Processes drawing the maps (0: one per CPU, :func:`map_workers`); the files are the
        same whatever the number.

    Returns
    -------
    MapDrawing
        The maps being drawn (a context manager: use it in a ``with`` block).
    """
    tasks = map_tasks(stops, depots, townships_by_station, dpi, station_names)
    return MapDrawing(tasks, map_workers(workers, len(tasks)))


def write_station_day_maps(
    folder: str | os.PathLike[str],
    stops: pd.DataFrame,
    depots: Mapping[str, tuple[float, float]],
    townships_by_station: Mapping[str, Any] | None = None,
    dpi: int = 100,
    progress: bool = False,
    station_names: Mapping[str, str] | None = None,
    workers: int = 1,
) -> list[Path]:
    """Write ``<station_id>_<date>.png`` for every station and day that has stops.

    :func:`start_maps` and :meth:`MapDrawing.write` in one call.

    Parameters
    ----------
    folder
        Where the PNG files go.
    stops
        Routed stops with ``station_id``, ``date``, ``team``, ``stop_order``, coordinates.
    depots
        ``station_id`` -> (lon, lat) [degrees].
    townships_by_station
        ``station_id`` -> GeoDataFrame of its townships (background), optional.
    dpi
        Resolution [dots per inch].
    progress
        Show a tqdm progress bar.
    station_names
        ``station_id`` -> name, for the titles (the ID alone when missing).
    workers
        Processes drawing the maps (0: one per CPU); the files are the same whatever the number.

    Returns
    -------
    list of Path
        The files written, in task order.
    """
    with start_maps(stops, depots, townships_by_station, dpi, station_names, workers) as drawing:
        return drawing.write(folder, progress)
