"""PNG route maps, one per station and day: drawn by worker processes, written in a fixed order.

The drawing itself is :mod:`riskplan.export.map_drawing` (A4 landscape at ``export.map_dpi``,
titled, townships, numbered stops, every route, a legend; re-exported here). The maps of a year
(a few hundred) are drawn by a pool of worker processes (``export.map_workers``), each drawing
some days of one station in one figure (:class:`~riskplan.export.map_drawing.MapTask`), and
written by the main process in a fixed order: the files are the same whatever the number of
workers, and an interrupted or failed run leaves none behind (the plan folder is staged).

:func:`start_maps` submits the tasks and returns at once, so the caller can write its other
files while the workers draw (:func:`riskplan.export.plan_folder.write_plan` does);
:meth:`MapDrawing.write` then collects and writes the maps. :func:`write_station_day_maps` does
both in one call.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import pandas as pd
from tqdm import tqdm

from riskplan.errors import RiskplanError
from riskplan.export.atomic import write_bytes
from riskplan.export.map_drawing import (
    A4_LANDSCAPE,
    LABEL_GAP,
    PNG_METADATA,
    TEAM_COLOURS,
    MapTask,
    draw_task,
    figure_png,
    map_tasks,
    plot_station_day,
    spread_labels,
)

T = TypeVar("T")

__all__ = ["A4_LANDSCAPE", "LABEL_GAP", "PNG_METADATA", "TEAM_COLOURS", "MapDrawing", "MapTask", "draw_task",
           "drawn_maps", "figure_png", "map_tasks", "map_workers", "plot_station_day", "spread_labels",
           "start_maps", "write_station_day_maps"]


def _start_worker() -> None:
    """Worker initializer: Ctrl-C is the main process's to handle (it stops the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_method() -> Any:
    """How to start the workers: fork (instant) while this process has a single thread, else spawn.

    Forking a process in which other threads run can copy a lock one of them holds; a fresh
    (spawned) process imports what it needs instead (a second or two each).
    """
    if "fork" in mp.get_all_start_methods() and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("spawn")


def _died(exc: BaseException) -> RiskplanError:
    """The error of a worker process that died (killed, out of memory, a script without a main guard)."""
    return RiskplanError(
        f"a process drawing the route maps (or a workbook, a chart) died ({exc}); no plan folder was written. "
        "Run again; a script that writes plan folders must keep its own code under "
        "`if __name__ == \"__main__\":` (the drawing processes may import it)")


class MapDrawing:
    """The maps of ``tasks`` being drawn: by a pool of ``workers`` processes started at once, else here.

    With one worker or more (outside a daemon process such as a Dask worker, which may have no
    children) the worker processes are started when the object is made and every task is
    submitted to them (:func:`_start_method`), so the caller may do other work while they draw;
    more tasks may be added later (:meth:`add`: a plan's months, as each is routed), and other
    work too (:meth:`submit`). With none, the tasks are drawn in this process as they are
    collected. Either way the maps come back in task order, each drawn the same way in its own
    figure: the same files whatever the number of workers. The caller writes the files
    (:meth:`write`), so a worker never leaves a file behind.

    A context manager: leaving it (done, an error, Ctrl-C) cancels the tasks not started, waits
    for the running ones and stops the workers. Ctrl-C reaches the main process only (the
    workers ignore it).

    Parameters
    ----------
    tasks
        The maps to draw (:func:`~riskplan.export.map_drawing.map_tasks`).
    workers
        Processes drawing them [-] (:func:`map_workers` turns a setting into a number); 0: drawn
        in this process.
    """

    def __init__(self, tasks: list[MapTask], workers: int = 1) -> None:
        self.tasks: list[MapTask] = []
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[list[tuple[str, bytes]]]] = []
        if workers >= 1 and not mp.current_process().daemon:
            context = _start_method()
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
        try:
            if self._pool is not None and context.get_start_method() == "fork":
                # every worker is forked now (instant), while this process runs no other thread
                self._pool.submit(int).result()
            self.add(tasks)
        except BrokenProcessPool as exc:
            self.close()
            raise _died(exc) from None
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
        """Draw ``tasks`` too (submitted to the workers at once); their maps come after the others."""
        for task in tasks:
            self.tasks.append(task)
            if self._pool is not None:
                self._futures.append(self._pool.submit(draw_task, task))

    def __enter__(self) -> MapDrawing:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        """(file name, PNG bytes) of every map, in task order, as each task is done.

        Raises
        ------
        RiskplanError
            When a worker process died (killed, out of memory): no map of the run is kept.
        """
        if self._pool is None:
            for task in self.tasks:
                yield from draw_task(task)
            return
        try:
            for future in self._futures:
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
        """Cancel the tasks not started, wait for the running ones, stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def drawn_maps(tasks: list[MapTask], workers: int = 1) -> Iterator[tuple[str, bytes]]:
    """(file name, PNG bytes) of every map of ``tasks``, in task order, drawn by ``workers`` processes.

    :class:`MapDrawing` as a generator: its pool stops when the generator ends or is closed.

    Raises
    ------
    RiskplanError
        When a worker process died (killed, out of memory).
    """
    with MapDrawing(tasks, workers) as drawing:
        yield from drawing


def map_workers(setting: int, n_tasks: int) -> int:
    """Worker processes for ``n_tasks`` map tasks: ``setting``, or (0) one per usable CPU but one.

    The main process keeps a CPU for its own work (routing the next months, writing the other
    files) while the workers draw; with one CPU, one worker shares it.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(setting or cpus - 1, n_tasks))


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
