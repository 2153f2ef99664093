"""CP-SAT's solve, stoppable by Ctrl-C: the one way the package runs a CP-SAT model.

CP-SAT catches SIGINT itself by default and swallows it; :func:`solve_stoppable` turns that off,
stops the search from :func:`riskplan.interrupts.stoppable`'s watcher (and at the next solution,
should the watcher miss it) and raises the interrupt as KeyboardInterrupt after the solve.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from riskplan.interrupts import Interrupt, stoppable

__all__ = ["solve_stoppable"]


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
    with stoppable(solver.stop_search) as interrupt:
        return solver.solve(model, _StopOnInterrupt(interrupt))
