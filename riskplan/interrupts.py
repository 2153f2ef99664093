"""Ctrl-C (SIGINT) around solvers and steps that must not be cut in half.

Python turns SIGINT into ``KeyboardInterrupt``, but only between bytecodes of the main thread:
while a solver runs in C++ the signal waits. CP-SAT, by default, catches SIGINT itself
(``catch_sigint_signal``): it stops its search quietly, so a result of an interrupted optimisation
looks like a normal one, and leaves no Python handler behind, so the next Ctrl-C kills the
process without clean-up. Callers switch that option off and run every solve inside
:func:`stoppable`; irreversible steps (renaming a finished folder into place) run inside
:func:`deferred`.

* :func:`stoppable` installs, for one solve, a handler that only records the interrupt
  (:attr:`Interrupt.requested`) and a watcher thread woken by the signal itself
  (:func:`signal.set_wakeup_fd`) that calls the solver's thread-safe ``stop`` at once (CP-SAT
  ``stop_search``); solver callbacks check :attr:`Interrupt.requested` too (the routing solver
  holds the GIL, so only its callbacks can react mid-search). When the block ends, the previous
  handler is put back, repairing anything a solver changed, and a recorded interrupt is raised
  as ``KeyboardInterrupt``: an interrupted solve never returns a result.
* :func:`deferred` records an interrupt during a few steps and raises it when they are done
  (``reraise=False`` drops it: the work it would have stopped is complete).

Both act only in the main thread and when a Python handler is in place (normally
``signal.default_int_handler``); with SIGINT ignored, or in another thread, they just run the block.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

__all__ = ["Interrupt", "deferred", "stoppable"]

_WAKE = 0
"""Byte sent to the watcher to end it (no signal has number 0)."""


@dataclasses.dataclass
class Interrupt:
    """What happened to SIGINT during a :func:`stoppable` or :func:`deferred` block.

    Attributes
    ----------
    requested
        Ctrl-C was pressed (SIGINT received) during the block.
    """

    requested: bool = False

    def record(self, signum: int, frame: FrameType | None) -> None:
        """Signal handler: note the interrupt, do nothing else (the block decides when to stop)."""
        self.requested = True


def _handled_here() -> Any:
    """The current Python SIGINT handler, or None when this thread cannot or should not take over."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGINT)
    return previous if callable(previous) else None


def _restore(previous: Any, interrupt: Interrupt, reraise: bool) -> None:
    """Put ``previous`` back and hand it a recorded interrupt."""
    signal.signal(signal.SIGINT, previous)
    if interrupt.requested and reraise:
        if previous is signal.default_int_handler:
            raise KeyboardInterrupt
        signal.raise_signal(signal.SIGINT)  # another handler (an outer block, a notebook's) decides


def _watch(sock: socket.socket, interrupt: Interrupt, stop: Callable[[], object]) -> None:
    """Watcher thread: stop the solver as soon as SIGINT's byte arrives; end on :data:`_WAKE`."""
    while True:
        try:
            data = sock.recv(64)
        except OSError:
            return
        if signal.SIGINT in data:
            interrupt.requested = True
            with contextlib.suppress(Exception):  # a solver that already ended may refuse
                stop()
        if not data or _WAKE in data:
            return


@contextlib.contextmanager
def stoppable(stop: Callable[[], object] | None = None) -> Iterator[Interrupt]:
    """Run one solve so that Ctrl-C stops it cleanly and is then raised as KeyboardInterrupt.

    Parameters
    ----------
    stop
        Thread-safe function that ends the running search early (CP-SAT's
        ``CpSolver.stop_search``), called from a watcher thread the moment SIGINT arrives; None
        for a solver that cannot be stopped (min-cost flow: it is quick).

    Yields
    ------
    Interrupt
        Solver callbacks check ``requested`` and end the search when it is set.

    Raises
    ------
    KeyboardInterrupt
        After the block, when SIGINT was received during it (whatever the block returned or
        raised: the result of an interrupted search is never used).
    """
    interrupt = Interrupt()
    main = threading.current_thread() is threading.main_thread()
    previous = _handled_here()
    if previous is None:
        # SIGINT ignored, or not ours to handle: still undo whatever a solver may change
        before = signal.getsignal(signal.SIGINT) if main else None
        try:
            yield interrupt
        finally:
            if before is not None:
                signal.signal(signal.SIGINT, before)
        return
    with contextlib.ExitStack() as stack:
        stack.callback(_restore, previous, interrupt, True)  # runs last: raises the interrupt
        signal.signal(signal.SIGINT, interrupt.record)
        if stop is not None:
            stack.enter_context(_watcher(interrupt, stop))
        yield interrupt


@contextlib.contextmanager
def _watcher(interrupt: Interrupt, stop: Callable[[], object]) -> Iterator[None]:
    """A thread that calls ``stop`` the moment SIGINT arrives (the solver releases the GIL)."""
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    watcher = threading.Thread(target=_watch, args=(reader, interrupt, stop),
                               name="riskplan-interrupt-watcher", daemon=True)
    try:
        watcher.start()
        yield
    finally:
        signal.set_wakeup_fd(old_fd)
        with contextlib.suppress(OSError):
            writer.send(bytes([_WAKE]))
        if watcher.ident is not None:
            watcher.join()
        reader.close()
        writer.close()


@contextlib.contextmanager
def deferred(reraise: bool = True) -> Iterator[Interrupt]:
    """Hold Ctrl-C during the block; raise it afterwards (or drop it with ``reraise=False``).

    For a few quick steps that must happen together (renaming a finished folder into place and
    putting the earlier one back if needed). The block can look at ``requested`` to undo what it
    did before the interrupt is raised.

    Yields
    ------
    Interrupt
        ``requested`` is set as soon as SIGINT arrives.

    Raises
    ------
    KeyboardInterrupt
        After the block, when SIGINT was received during it and ``reraise`` is true.
    """
    interrupt = Interrupt()
    previous = _handled_here()
    if previous is None:
        yield interrupt
        return
    signal.signal(signal.SIGINT, interrupt.record)
    try:
        yield interrupt
    finally:
        _restore(previous, interrupt, reraise)
