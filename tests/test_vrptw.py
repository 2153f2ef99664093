"""Tests of the VRPTW benchmark solver and the ``riskplan bench routing`` command (tiny instance)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import vrplib

from riskplan.cli import main
from riskplan.errors import RiskplanError
from riskplan.routing.vrptw import check_routes, dimacs_matrix, solve_instance

TINY = """NAME : TINY6
TYPE : CVRPTW
DIMENSION : 7
VEHICLES : 4
CAPACITY : 30
SERVICE_TIME : 10
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 50 50
2 60 50
3 70 50
4 50 60
5 50 70
6 40 40
7 35 45
DEMAND_SECTION
1 0
2 10
3 10
4 10
5 10
6 10
7 10
TIME_WINDOW_SECTION
1 0 300
2 0 100
3 20 120
4 0 100
5 30 150
6 0 200
7 0 200
DEPOT_SECTION
1
-1
EOF
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "inst" / "TINY6.vrp"
    path.parent.mkdir()
    path.write_text(TINY)
    # a known solution: three routes of two clients
    vrplib.write_solution(str(path.with_suffix(".sol")), [[1, 2], [3, 4], [5, 6]], {"Cost": 140.0})
    return path


def test_dimacs_truncation():
    d = dimacs_matrix(np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 4.0]]))
    assert d[0, 1] == 14  # sqrt(2) = 1.414.. -> 1.4
    assert d[0, 2] == 50


def test_solve_tiny_and_write_sol(tiny: Path, tmp_path: Path):
    r = solve_instance(tiny, time_limit=1.0)
    assert r.feasible
    inst = vrplib.read_instance(str(tiny))
    ok, dist = check_routes(inst, r.routes)
    assert ok and dist == pytest.approx(r.distance)
    assert sorted(c for route in r.routes for c in route) == [1, 2, 3, 4, 5, 6]
    assert r.bks is not None and r.distance <= r.bks + 1e-9
    out = tmp_path / "out"
    args = ["bench", "routing", "--instances", str(tiny.parent), "--time-limit", "0.5", "--out", str(out)]
    assert main(args) == 0
    sol = vrplib.read_solution(str(out / "TINY6.sol"))
    assert sorted(c for route in sol["routes"] for c in route) == [1, 2, 3, 4, 5, 6]


def test_guided_local_search_variant(tiny: Path):
    r = solve_instance(tiny, time_limit=0.5, solver="ortools-gls")
    assert r.feasible and r.gap is not None and r.gap <= 1e-9


def test_pyvrp_comparator(tiny: Path):
    pytest.importorskip("pyvrp")
    r = solve_instance(tiny, time_limit=0.5, solver="pyvrp")
    assert r.feasible and r.gap is not None and r.gap <= 1e-9


def test_bad_inputs(tmp_path: Path):
    from riskplan.routing.vrptw import instance_files

    with pytest.raises(RiskplanError, match="no .vrp instance"):
        instance_files(tmp_path)
    assert main(["bench", "routing", "--instances", str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
