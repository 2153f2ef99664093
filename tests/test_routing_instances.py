"""Tests of the seeded VRPTW instance generator (riskplan.routing.instances)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import vrplib

from riskplan.errors import RiskplanError
from riskplan.routing.instances import InstanceSpec, generate_instance, spec_from_name, write_vrplib
from riskplan.routing.vrptw import check_routes, dimacs_matrix

SETS = Path(__file__).resolve().parent.parent / "benchmarks" / "vrptw"

SPECS = [
    InstanceSpec(family, long_h, n, share, width, seed=5)
    for family in ("C", "R", "RC")
    for long_h in (False, True)
    for n, share, width in ((60, 1.0, 0.04), (250, 0.5, 0.2))
]


def _same(a: dict, b: dict) -> bool:
    keys = ("node_coord", "demand", "time_window")
    return all(np.array_equal(a[k], b[k]) for k in keys) and all(
        a[k] == b[k] for k in ("service_time", "capacity", "vehicles", "name")
    )


def test_seeded_and_reproducible():
    spec = InstanceSpec("RC", True, 120, 0.75, 0.1, seed=3)
    assert _same(generate_instance(spec), generate_instance(spec))
    other = generate_instance(InstanceSpec("RC", True, 120, 0.75, 0.1, seed=4))
    assert not np.array_equal(other["node_coord"], generate_instance(spec)["node_coord"])
    # C and R with the same seed are different draws
    c = generate_instance(InstanceSpec("C", False, 100, seed=1))
    r = generate_instance(InstanceSpec("R", False, 100, seed=1))
    assert not np.array_equal(c["node_coord"], r["node_coord"])


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_instances_are_valid(spec: InstanceSpec):
    inst = generate_instance(spec)
    n = spec.n_customers
    coords, tw, demand = inst["node_coord"], inst["time_window"], inst["demand"]
    assert coords.shape == (n + 1, 2) and tw.shape == (n + 1, 2) and demand.shape == (n + 1,)
    assert coords.dtype.kind == "i" and tw.dtype.kind == "i" and demand.dtype.kind == "i"
    side = 100 * np.sqrt(n / 100)
    assert coords.min() >= 0 and coords.max() <= round(side)
    assert demand[0] == 0 and demand[1:].min() >= 1 and demand.max() <= inst["capacity"]
    horizon = tw[0, 1]
    assert tw[0, 0] == 0 and np.all(tw[:, 0] <= tw[:, 1])
    # every customer can be served alone: reached in its window, back at the depot in time
    d = dimacs_matrix(coords.astype(float))
    service = 10 * inst["service_time"]
    assert np.all(d[0, 1:] <= 10 * tw[1:, 1])
    assert np.all(np.maximum(d[0, 1:], 10 * tw[1:, 0]) + service + d[1:, 0] <= 10 * horizon)
    # about the requested share of customers has a restrictive window
    restricted = (tw[1:, 1] - tw[1:, 0]) < 0.6 * horizon
    if spec.window_share == 1.0 and spec.window_width <= 0.1:
        assert restricted.all()
    assert inst["vehicles"] == n // 4


@pytest.mark.parametrize("family", ["C"])
def test_clustered_windows_follow_a_feasible_plan(family: str):
    """Clustered windows are drawn around a reference plan, as Solomon's: it must be feasible."""
    from riskplan.routing.instances import _reference_starts

    spec = InstanceSpec(family, False, 150, 1.0, 0.04, seed=2)  # type: ignore[arg-type]
    inst = generate_instance(spec)
    d = dimacs_matrix(inst["node_coord"].astype(float))
    starts = _reference_starts(d, inst["node_coord"], inst["demand"], inst["service_time"],
                               inst["capacity"], int(inst["time_window"][0, 1]))
    tw10 = 10 * inst["time_window"]
    assert np.all(tw10[1:, 0] <= starts[1:]) and np.all(starts[1:] <= tw10[1:, 1])


def test_write_and_read_back(tmp_path: Path):
    spec = InstanceSpec("R", True, 50, 0.5, 0.15, seed=9)
    inst = generate_instance(spec)
    path = write_vrplib(inst, tmp_path / f"{spec.name}.vrp")
    back = vrplib.read_instance(str(path))
    assert np.array_equal(back["node_coord"], inst["node_coord"])
    assert np.array_equal(back["time_window"], inst["time_window"])
    assert np.array_equal(back["demand"], inst["demand"])
    assert back["capacity"] == inst["capacity"] and back["vehicles"] == inst["vehicles"]
    assert spec_from_name(path.stem) == spec
    # one route per customer is a valid (bad) solution under the independent checker
    ok, _ = check_routes(back, [[i] for i in range(1, 51)])
    assert ok


def test_committed_sets_are_the_generated_ones(tmp_path: Path):
    files = sorted(SETS.glob("*/*.vrp"))
    assert len(files) == 50
    for f in files:
        out = write_vrplib(generate_instance(spec_from_name(f.stem)), tmp_path / f.name)
        assert out.read_text() == f.read_text(), f.name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"family": "X", "long_horizon": False, "n_customers": 10}, "family must be C, R or RC"),
        ({"family": "R", "long_horizon": False, "n_customers": 1}, "at least 2 customers"),
        ({"family": "R", "long_horizon": False, "n_customers": 10, "window_share": 0.0}, "window_share"),
        ({"family": "R", "long_horizon": False, "n_customers": 10, "window_width": 1.5}, "window_width"),
    ],
)
def test_bad_specs(kwargs: dict, message: str):
    with pytest.raises(RiskplanError, match=message):
        InstanceSpec(**kwargs)


def test_bad_name():
    with pytest.raises(RiskplanError, match="not a generated instance name"):
        spec_from_name("R101")
