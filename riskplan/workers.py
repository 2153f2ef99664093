"""Worker processes beside the main one: started once, forked while nothing else runs.

A plan has CPU work that can go on beside the main process's own (the day routes of a month, the
PNG maps of the months already routed, workbooks and charts). :func:`process_pool` starts the
processes for it: forked at once when this process runs no other thread (instant, and the
workers share the modules already imported), else spawned (a fresh interpreter that imports
what it needs: forking a process in which other threads run can copy a lock one of them
holds). The workers ignore Ctrl-C: it is the main process's to handle, and leaving the pool's
``with`` block (done, an error, Ctrl-C) cancels what has not started and stops them.

Work that needs matplotlib or openpyxl is sent by name (:func:`call`) and imported by the
workers (:func:`preload`), so the main process never imports them. What the main process may do
while it waits for its workers is handed over with :func:`meanwhile`.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from riskplan.errors import RiskplanError

__all__ = ["BrokenProcessPool", "Job", "call", "cpus", "meanwhile", "pool_size", "preload", "process_pool",
           "run_meanwhile", "worker_died", "workers"]

T = TypeVar("T")


def cpus() -> int:
    """CPUs this process may run on [-]."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def workers(setting: int) -> int:
    """Worker processes for a setting (``export.map_workers``): ``setting``, or (0) one per CPU [-]."""
    return max(1, setting or cpus())


def pool_size(pool: ProcessPoolExecutor) -> int:
    """The number of worker processes of ``pool`` [-]."""
    return int(pool._max_workers)  # type: ignore[attr-defined]  # not public, stable since 3.2


def _start_worker() -> None:
    """Worker initializer: Ctrl-C is the main process's to handle (it stops the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_method() -> Any:
    """How to start the workers: fork (instant) while this process has a single thread, else spawn."""
    if "fork" in mp.get_all_start_methods() and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("spawn")


def process_pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` processes, started now when they can be forked; None for none.

    None too inside a daemon process (a Dask worker), which may have no children: the caller
    then does the work itself.

    Raises
    ------
    RiskplanError
        When a process died while starting.
    """
    if workers < 1 or mp.current_process().daemon:
        return None
    context = _start_method()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
    if context.get_start_method() == "fork":
        try:  # a first task starts every worker now, while this process runs no other thread
            pool.submit(int).result()
        except BrokenProcessPool as exc:
            pool.shutdown(wait=True, cancel_futures=True)
            raise worker_died("starting", exc) from None
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return pool


def call(target: str, *args: Any, **kwargs: Any) -> Any:
    """``module:function`` (a dotted module path, a colon, the function's name) called with the arguments.

    A task given by name is imported in the worker process that runs it: the main process
    sends work that needs matplotlib or openpyxl without importing them itself (about a second
    of its start-up, see :func:`preload`).
    """
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def _import(modules: tuple[str, ...]) -> None:
    for module in modules:
        importlib.import_module(module)


def preload(pool: ProcessPoolExecutor | None, modules: tuple[str, ...]) -> None:
    """Have a worker of ``pool`` import ``modules`` now, while the workers have nothing else to do.

    One task, not waited for: one worker imports them before its first real task would have
    (more would take CPU from the main process, busy with the plan's first stages on the other
    core); a worker that lacks a module imports it when a task needs it.
    """
    if pool is not None:
        pool.submit(_import, modules)


class Job(Generic[T]):
    """A function to run once: when the workers are busy (:func:`run_meanwhile`), or at :meth:`result`."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn: Callable[[], T] | None = fn
        self._value: T | None = None
        self.seconds = 0.0
        """Wall time the function took [s] (0 until it ran)."""

    @property
    def done(self) -> bool:
        """Whether the function ran (or started and raised)."""
        return self._fn is None

    def run(self) -> None:
        """Run the function unless it ran already (its error is raised here; the job is spent)."""
        fn, self._fn = self._fn, None
        if fn is not None:
            start = time.perf_counter()
            try:
                self._value = fn()
            finally:
                self.seconds = time.perf_counter() - start

    def result(self) -> T:
        """The function's value, running it now if it has not run."""
        self.run()
        return self._value  # type: ignore[return-value]


_MEANWHILE: contextvars.ContextVar[Job[Any] | None] = contextvars.ContextVar("riskplan_meanwhile", default=None)


@contextlib.contextmanager
def meanwhile(fn: Callable[[], T]) -> Iterator[Job[T]]:
    """Give this process ``fn`` to do while, inside the block, it waits for its workers.

    Code that hands work to the worker processes calls :func:`run_meanwhile` once it has
    (``riskplan.routing.day.solve_days``): ``fn`` then runs in this process while the workers
    solve, instead of after the block. Yields a :class:`Job`; its ``result()`` is ``fn``'s value
    (computed then, when nothing in the block ran it). ``fn`` must not depend on what the block
    computes, nor the block on ``fn``: they run in either order. The plan selects the next month
    this way while a month's day routes are solved.
    """
    job = Job(fn)
    token = _MEANWHILE.set(job)
    try:
        yield job
    finally:
        _MEANWHILE.reset(token)


def run_meanwhile() -> None:
    """Run the job of the enclosing :func:`meanwhile` block, if there is one and it has not run."""
    job = _MEANWHILE.get()
    if job is not None:
        _MEANWHILE.set(None)
        job.run()


def worker_died(doing: str, exc: BaseException) -> RiskplanError:
    """The error of a worker process that died ``doing`` something (killed, out of memory, no main guard)."""
    return RiskplanError(
        f"a worker process {doing} died ({exc}); no plan folder was written. Run again; a script that "
        "writes plan folders must keep its own code under `if __name__ == \"__main__\":` (the worker "
        "processes may import it)")
