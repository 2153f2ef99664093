"""Ctrl-C at any moment: exit 130, "interrupted", ``--out`` as it was, nothing left beside it.

In process, each solver is interrupted mid-search by a real SIGINT (a profile hook sends it from
the solver's own callback, or a timer while CP-SAT searches in C++): the solve raises
KeyboardInterrupt instead of returning the result of a cut search, and Python's handler is back in
place afterwards. Then ``riskplan plan`` and ``riskplan monitor`` are run as a user runs them, in a
subprocess, and interrupted at several exact moments (``interrupt_driver.py``), each time over an
earlier output that must come through unchanged; and once by the parent, like a user's Ctrl-C.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from interrupt_driver import hook_for
from ortools.sat.python import cp_model
from test_cli_plan import make_small_district

from riskplan.allocation import controlled_round
from riskplan.cli import main
from riskplan.cpsat import solve_stoppable as solve_cpsat
from riskplan.interrupts import deferred, stoppable
from riskplan.routing.model import RoutingProblem, SearchBudget
from riskplan.routing.model import solve as solve_routing

DRIVER = Path(__file__).with_name("interrupt_driver.py")
ENV = {**os.environ, "TQDM_DISABLE": "1", "MPLBACKEND": "Agg"}


@pytest.fixture
def profiled() -> Iterator[None]:
    """Whatever profile hook a test sets is gone afterwards; the SIGINT handler is Python's."""
    try:
        yield
    finally:
        sys.setprofile(None)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------------------ the machinery
def test_stoppable_holds_ctrl_c_until_the_block_ends(profiled: None) -> None:
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with stoppable() as interrupt:
            signal.raise_signal(signal.SIGINT)
            reached.append(interrupt.requested)
    assert reached == [True]


def test_deferred_raises_after_the_block_or_drops_a_late_interrupt(profiled: None) -> None:
    done = []
    with pytest.raises(KeyboardInterrupt):
        with deferred():
            signal.raise_signal(signal.SIGINT)
            done.append("swap")
    with deferred(reraise=False) as late:
        signal.raise_signal(signal.SIGINT)
        done.append("cleanup")
    assert done == ["swap", "cleanup"] and late.requested


def test_an_ignored_sigint_stays_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with stoppable() as interrupt:
            signal.raise_signal(signal.SIGINT)
        assert not interrupt.requested
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


# ------------------------------------------------------------------ each solver, mid-search
def hard_model() -> cp_model.CpModel:
    """A knapsack-like model CP-SAT does not finish within seconds."""
    rng = np.random.default_rng(1)
    model = cp_model.CpModel()
    x = [model.new_int_var(0, 10, f"x{i}") for i in range(300)]
    for _ in range(150):
        idx = rng.choice(300, 30, replace=False)
        model.add(sum(int(rng.integers(1, 21)) * x[i] for i in idx) <= int(rng.integers(100, 401)))
    model.maximize(sum(int(rng.integers(1, 31)) * v for v in x))
    return model


def test_cpsat_is_stopped_at_once_while_it_searches_in_cpp(profiled: None) -> None:
    """The signal comes while CP-SAT runs in C++: the watcher stops the search at once."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60.0
    model = hard_model()
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    t0 = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        solve_cpsat(solver, model)
    assert time.perf_counter() - t0 < 20.0  # not the 60 s limit
    assert solver.response_proto.status in (cp_model.FEASIBLE, cp_model.UNKNOWN)  # cut short
    assert signal.set_wakeup_fd(-1) == -1  # the watcher's wake-up socket is gone


def test_cpsat_floors_interrupted_from_a_solution_callback(yunling, yunling_config, profiled: None) -> None:
    """The coverage floors of the second district, Ctrl-C at CP-SAT's first solution."""
    from riskplan.allocation import allocate, quota_for
    from riskplan.risk import score

    scores = score(yunling, config=yunling_config.risk)
    quota = quota_for(yunling_config.quota, yunling)
    sys.setprofile(hook_for("call:_StopOnInterrupt.on_solution_callback"))
    with pytest.raises(KeyboardInterrupt):
        allocate(scores, quota, yunling_config.allocation, categories=yunling.categories)


def random_problem(n: int = 50, vehicles: int = 4) -> RoutingProblem:
    rng = np.random.default_rng(3)
    pts = rng.random((n, 2)) * 1000
    dist = np.ceil(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    return RoutingProblem(cost=dist, time=dist, windows=[[] for _ in range(n)], horizon=100_000,
                          starts=[0] * vehicles, ends=[0] * vehicles,
                          vehicle_start_window=[(0, 100_000)] * vehicles,
                          vehicle_end_window=[(0, 100_000)] * vehicles)


def test_routing_stops_at_the_solution_where_ctrl_c_came(profiled: None) -> None:
    calls = [0]
    fire = hook_for("call:_cancel_on_interrupt.<locals>.at_solution#20")

    def hook(frame, event, arg):  # type: ignore[no-untyped-def]  # a profile hook
        if event == "call" and frame.f_code.co_qualname == "_cancel_on_interrupt.<locals>.at_solution":
            calls[0] += 1
        fire(frame, event, arg)

    sys.setprofile(hook)
    with pytest.raises(KeyboardInterrupt):
        solve_routing(random_problem(), SearchBudget(solution_limit=2000))
    sys.setprofile(None)
    assert calls[0] == 20  # cancelled at that very solution, not at the limit
    assert solve_routing(random_problem(12, 2), SearchBudget(solution_limit=20)) is not None


@pytest.mark.parametrize("moment", ["c_call", "c_return"])
def test_min_cost_flow_interrupted_on_entry_and_exit(moment: str, profiled: None) -> None:
    rows, cols = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    values = np.array([0.5, 1.5, 1.5, 0.5])
    assert controlled_round(rows, cols, values).sum() == 4
    sys.setprofile(hook_for(f"{moment}:solve@controlled_round"))
    with pytest.raises(KeyboardInterrupt):
        controlled_round(rows, cols, values)


# ------------------------------------------------------------------ the command line, as run by a user
def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small district, a plan of it and a monitoring folder of that plan (in process)."""
    base = tmp_path_factory.mktemp("earlier")
    data = make_small_district(base / "district")
    plan, mon = base / "plan", base / "monitor"
    assert main(["plan", "--data", str(data), "--seed", "5", "--out", str(plan)]) == 0
    assert main(["monitor", "--plan", str(plan), "--data", str(data), "--results",
                 str(data / "results.csv"), "--out", str(mon), "--no-charts"]) == 0
    return {"data": data, "plan": plan, "monitor": mon}


PLAN_MOMENTS = {
    "loading the program": "audit:import:pandas",  # the command modules load pandas first
    "reading the data": "audit:open:establishments",
    "CP-SAT floors mid-search": "call:_StopOnInterrupt.on_solution_callback",
    "min-cost flow entry": "c_call:solve@controlled_round",
    "routing mid-search": "call:_cancel_on_interrupt.<locals>.at_solution#3",
    "writing the folder": "audit:open:.xlsx",
    "renaming it into place": "audit:os.rename:.plan.old-",
}
MONITOR_MOMENTS = {
    "monitor: CP-SAT of the re-plan": "call:_StopOnInterrupt.on_solution_callback",
    "monitor: renaming it into place": "audit:os.rename:.monitor.old-",
}


def _run(case: str, spec: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(DRIVER), spec, "--", *args], capture_output=True,
                          text=True, env=ENV, timeout=300, cwd=DRIVER.parent)


@pytest.fixture(scope="module")
def interrupted(earlier: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Every moment of both commands interrupted, over a copy of the earlier output (2 at a time)."""
    jobs = {}
    for case, spec in {**PLAN_MOMENTS, **MONITOR_MOMENTS}.items():
        kind = "monitor" if case.startswith("monitor") else "plan"
        parent = tmp_path_factory.mktemp("run")
        out = parent / kind
        shutil.copytree(earlier[kind], out)
        if kind == "plan":
            args = ["plan", "--data", str(earlier["data"]), "--seed", "6", "--out", str(out)]
        else:
            args = ["monitor", "--plan", str(earlier["plan"]), "--data", str(earlier["data"]),
                    "--results", str(earlier["data"] / "results.csv"), "--out", str(out)]
        jobs[case] = (spec, args, parent, out, snapshot(out))
    with ThreadPoolExecutor(max_workers=2) as pool:
        procs = {case: pool.submit(_run, case, spec, args) for case, (spec, args, *_) in jobs.items()}
        return {case: (procs[case].result(), *jobs[case][2:]) for case in jobs}


@pytest.mark.slow
@pytest.mark.parametrize("case", [*PLAN_MOMENTS, *MONITOR_MOMENTS])
def test_ctrl_c_at_this_moment_leaves_the_earlier_output(interrupted: dict[str, tuple], case: str) -> None:
    proc, parent, out, before = interrupted[case]
    assert "SIGINT sent" in proc.stderr, proc.stderr  # the moment came
    assert proc.returncode == 130, proc.stderr
    assert "interrupted" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(out) == before  # the earlier plan / monitoring folder, byte for byte
    assert [p.name for p in parent.iterdir()] == [out.name]  # no staging or old folder left


@pytest.mark.slow
def test_ctrl_c_from_the_terminal_on_a_first_run(tmp_path: Path) -> None:
    """The user's Ctrl-C, sent by the parent a few seconds into a default run: nothing is written."""
    out = tmp_path / "plan"
    proc = subprocess.Popen([sys.executable, "-m", "riskplan", "plan", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=_sigint_default)
    time.sleep(4.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def _sigint_default() -> None:
    """In the child before exec: SIGINT handled by default, as in a terminal (a test runner
    started in the background may hand down SIGINT ignored, and Python keeps it so)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_ctrl_c_while_the_libraries_load(tmp_path: Path) -> None:
    """Ctrl-C in the middle of importing pandas is held until the command's module is loaded.

    An interrupt cut into a library's import can leave it half-loaded, and Python can turn a
    KeyboardInterrupt raised inside a class body's ``__set_name__`` (matplotlib's ticker module,
    which ``riskplan plan`` leaves to its worker processes) into a RuntimeError with a traceback;
    the command line holds the interrupt while it imports, then ends with "interrupted" and 130.
    """
    out = tmp_path / "plan"
    code = (
        "import atexit, signal, sys\n"
        "def hook(event, args):\n"
        "    if event == 'import' and args[0] == 'pandas.core.frame':\n"
        "        signal.raise_signal(signal.SIGINT)\n"
        "sys.addaudithook(hook)\n"
        "atexit.register(lambda: print('loaded:', 'riskplan.commands.plan' in sys.modules,\n"
        "                              'riskplan.commands.bench' in sys.modules))\n"
        "from riskplan.cli import main\n"
        f"sys.exit(main(['plan', '--out', {str(out)!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV,
                          preexec_fn=_sigint_default, timeout=300)
    assert proc.returncode == 130, proc.stderr
    assert "interrupted" in proc.stderr and "Traceback" not in proc.stderr
    # the command's imports ran to their end before the interrupt; no other command's module loaded
    assert "loaded: True False" in proc.stdout
    assert list(tmp_path.iterdir()) == []
