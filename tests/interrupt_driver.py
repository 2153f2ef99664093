"""Run the ``riskplan`` command line and press Ctrl-C at one exact moment (for the interrupt tests).

usage: python interrupt_driver.py MOMENT -- riskplan arguments...

The driver sends the process a real SIGINT (``os.kill``) the N-th time (default 1) the moment
named by the first argument happens:

- ``audit:EVENT:TEXT[#N]``: an audit event (:func:`sys.addaudithook`, cheap) one of whose
  arguments contains TEXT, e.g. ``audit:open:establishments`` (a data file is opened),
  ``audit:import:pandas`` (the command modules start loading) or ``audit:os.rename:.plan.old-``
  (the earlier plan folder is moved aside to put the new one in place);
- ``call:QUALNAME[#N]``: a Python function starts (a profile hook, which slows the run), e.g.
  ``call:_StopOnInterrupt.on_solution_callback`` (CP-SAT finds a solution);
- ``c_call:NAME@CALLER`` / ``c_return:NAME@CALLER``: a built-in (C++) function ``NAME`` called
  from the Python function ``CALLER`` starts or returns, e.g. ``c_call:solve@controlled_round``
  (the min-cost flow solver).

The signal goes to the command's own process, as Ctrl-C in a terminal reaches it (its worker
processes ignore SIGINT), whichever process meets the moment first: the worker processes are
forked with the hooks, and a moment such as a routing search's solution may happen in one of
them. It is sent once per run. The driver prints ``SIGINT sent`` on stderr when it sent the
signal, and exits with the command's exit code.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from types import FrameType
from typing import Any

from riskplan.cli import main


class CtrlC:
    """Sends SIGINT once to the process that made it, from it or from any process forked from it.

    The flag lies in memory shared with the forked processes, so the signal goes once a run.
    """

    def __init__(self) -> None:
        self.main = os.getpid()
        self.sent = multiprocessing.Value("b", 0)

    def press(self) -> None:
        with self.sent.get_lock():
            if self.sent.value:
                return
            self.sent.value = 1
        print("SIGINT sent", file=sys.stderr, flush=True)
        os.kill(self.main, signal.SIGINT)


def parse(spec: str) -> tuple[str, str, str, int]:
    """``EVENT:NAME[@CALLER][#N]`` -> (event, name, caller or '', n)."""
    event, _, rest = spec.partition(":")
    rest, _, nth = rest.partition("#")
    name, _, caller = rest.partition("@")
    return event, name, caller, int(nth or 1)


def audit_hook_for(spec: str) -> Any:
    """A :func:`sys.addaudithook` hook that sends SIGINT at the audit event ``spec`` names."""
    _, rest = spec.split(":", 1)
    event, _, text = rest.partition(":")
    text, _, nth = text.partition("#")
    seen = [0]
    ctrl_c = CtrlC()

    def hook(ev: str, args: tuple[Any, ...]) -> None:
        if ev != event or seen[0] >= int(nth or 1) or not any(text in str(a) for a in args):
            return
        seen[0] += 1
        if seen[0] == int(nth or 1):
            ctrl_c.press()

    return hook


def hook_for(spec: str) -> Any:
    """A ``sys.setprofile`` hook that sends SIGINT at the moment ``spec`` names."""
    event, name, caller, nth = parse(spec)
    seen = [0]
    ctrl_c = CtrlC()

    def hook(frame: FrameType, ev: str, arg: Any) -> None:
        if ev != event:
            return
        if ev == "call":
            here = frame.f_code.co_qualname
            up = frame.f_back.f_code.co_qualname if frame.f_back else ""
        else:
            here = getattr(arg, "__name__", "")
            up = frame.f_code.co_qualname
        if here != name or (caller and up != caller):
            return
        seen[0] += 1
        if seen[0] == nth:
            sys.setprofile(None)
            ctrl_c.press()

    return hook


if __name__ == "__main__":
    spec, sep, *args = sys.argv[1:]
    assert sep == "--", __doc__
    if spec.startswith("audit:"):
        sys.addaudithook(audit_hook_for(spec))
    else:
        sys.setprofile(hook_for(spec))
    code = main(args)
    sys.setprofile(None)
    sys.exit(code)
