"""Run the ``riskplan`` command line and press Ctrl-C at one exact moment (for the interrupt tests).

usage: python interrupt_driver.py EVENT:NAME[@CALLER][#N] -- riskplan arguments...

A profile hook watches the run (main thread) and sends the process a real SIGINT (``os.kill``) the
N-th time (default 1) the moment named by the first argument happens:

- ``call:QUALNAME``: a Python function starts, e.g. ``call:read_table`` or
  ``call:_StopOnInterrupt.on_solution_callback`` (CP-SAT finds a solution);
- ``c_call:NAME@CALLER`` / ``c_return:NAME@CALLER``: a built-in (C++) function ``NAME`` called
  from the Python function ``CALLER`` starts or returns, e.g. ``c_call:solve@controlled_round``
  (the min-cost flow solver) or ``c_call:replace@_swap`` (renaming the finished folder into place).

The driver prints ``SIGINT sent`` on stderr when it sent the signal, and exits with the command's
exit code.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Any

from riskplan.cli import main


def parse(spec: str) -> tuple[str, str, str, int]:
    """``EVENT:NAME[@CALLER][#N]`` -> (event, name, caller or '', n)."""
    event, _, rest = spec.partition(":")
    rest, _, nth = rest.partition("#")
    name, _, caller = rest.partition("@")
    return event, name, caller, int(nth or 1)


def hook_for(spec: str) -> Any:
    """A ``sys.setprofile`` hook that sends SIGINT at the moment ``spec`` names."""
    event, name, caller, nth = parse(spec)
    seen = [0]

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
            print("SIGINT sent", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGINT)

    return hook


if __name__ == "__main__":
    spec, sep, *args = sys.argv[1:]
    assert sep == "--", __doc__
    sys.setprofile(hook_for(spec))
    code = main(args)
    sys.setprofile(None)
    sys.exit(code)
