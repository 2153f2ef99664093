"""CP-SAT's solve, stoppable by Ctrl-C: the one way the package runs a CP-SAT model.

CP-SAT catches SIGINT itself by default and swallows it; :func:`solve_stoppable` turns that off,
stops the search from :func:`riskplan.interrupts.stoppable`'s watcher (and at the next solution,
should the watcher miss it) and raises the interrupt as KeyboardInterrupt after the solve.

A solve lets go of the GIL while it searches. :func:`alongside` puts that time to use: a job
given to it runs in the calling thread during the next solve of the block, the solver in a
thread of its own (the plan selects the next month while a month's assignment is solved).
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from ortools.sat.python import cp_model

from riskplan.interrupts import Interrupt, stoppable

__all__ = ["Job", "alongside", "solve_stoppable"]

T = TypeVar("T")


class Job(Generic[T]):
    """A function to run once, at the first of: the next CP-SAT solve, or :meth:`result`."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn: Callable[[], T] | None = fn
        self._value: T | None = None

    def run(self) -> None:
        """Run the function unless it ran already (an error is raised here and the job is spent)."""
        fn, self._fn = self._fn, None
        if fn is not None:
            self._value = fn()

    def result(self) -> T:
        """The function's value, running it now if no solve has."""
        self.run()
        return self._value  # type: ignore[return-value]


_PENDING: contextvars.ContextVar[Job[Any] | None] = contextvars.ContextVar("riskplan_cpsat_pending", default=None)


@contextlib.contextmanager
def alongside(fn: Callable[[], T]) -> Iterator[Job[T]]:
    """Run ``fn`` in this thread while the block's next CP-SAT solve searches, or when asked.

    Yields a :class:`Job`: its ``result()`` after the block is ``fn``'s value, computed during
    the first :func:`solve_stoppable` of the block in this thread (its solver then runs in a
    thread of its own), or computed by ``result()`` when the block solved nothing. ``fn`` must
    not depend on what the block computes, nor the block on ``fn``: they run in either order.
    """
    job = Job(fn)
    token = _PENDING.set(job)
    try:
        yield job
    finally:
        _PENDING.reset(token)


class _StopOnInterrupt(cp_model.CpSolverSolutionCallback):
    """Ends the search at its next solution once Ctrl-C was pressed (the watcher usually has)."""

    def __init__(self, interrupt: Interrupt) -> None:
        super().__init__()
        self.interrupt = interrupt

    def on_solution_callback(self) -> None:
        """Called by CP-SAT at each solution."""
        if self.interrupt.requested:
            self.stop_search()


def solve_stoppable(solver: cp_model.CpSolver, model: cp_model.CpModel) -> cp_model.CpSolverStatus:
    """``solver.solve(model)`` that Ctrl-C stops at once and raises as KeyboardInterrupt.

    Parameters
    ----------
    solver
        The solver, with its parameters set (``catch_sigint_signal`` is turned off here).
    model
        The model to solve.

    Returns
    -------
    cp_model.CpSolverStatus
        The solve's status.
    """
    solver.parameters.catch_sigint_signal = False  # CP-SAT's own handler swallows Ctrl-C
    job = _PENDING.get()
    with stoppable(solver.stop_search) as interrupt:
        if job is None:
            return solver.solve(model, _StopOnInterrupt(interrupt))
        _PENDING.set(None)  # one solve runs the job
        return _solve_beside(solver, model, interrupt, job)


def _solve_beside(solver: cp_model.CpSolver, model: cp_model.CpModel, interrupt: Interrupt,
                  job: Job[Any]) -> cp_model.CpSolverStatus:
    """``solver.solve(model)`` in a thread while ``job`` runs here; the job's error stops the search."""
    outcome: dict[str, Any] = {}

    def search() -> None:
        try:
            outcome["status"] = solver.solve(model, _StopOnInterrupt(interrupt))
        except BaseException as exc:  # handed to the calling thread
            outcome["error"] = exc

    thread = threading.Thread(target=search, name="riskplan-cpsat", daemon=True)
    thread.start()
    try:
        job.run()
    except BaseException:
        solver.stop_search()
        raise
    finally:
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["status"]
