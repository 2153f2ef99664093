"""Seeded VRPTW instances in the manner of Solomon (1987) and Gehring & Homberger (1999).

The routing engine is tuned and tested on instances drawn here rather than on the few published
ones (settings tuned on eight Solomon instances did not carry over to the others, see DESIGN.md).
An instance is described by an :class:`InstanceSpec`:

* ``family``: customers clustered (``C``), spread uniformly (``R``) or half and half (``RC``);
* ``long_horizon``: Solomon's type 2 (long horizon, large vehicles, long routes) instead of type 1;
* ``window_share``: share of customers with a time window narrower than the day;
* ``window_width``: mean width of those windows as a share of the horizon (Solomon: about 0.04
  for the tightest instances, 0.2 and more for the widest); each window's width varies by a
  factor drawn from [0.5, 1.5].

As in Solomon's and Gehring-Homberger's sets, the square of customers grows with the square root of
the number of customers (100 customers: 100 x 100, 1,000 customers: 316 x 316), so that the
customer density and the length of the hops within a route stay the same, and the horizon grows with
the distance to the far corners. Clustered instances take their windows around the service start
times of a cluster-by-cluster reference route, as Solomon did: that route proves the instance
feasible. Coordinates, demands, service times and windows are integers; distances and travel times
follow the DIMACS convention of :mod:`riskplan.routing.vrptw`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from typing import Literal

import numpy as np

from riskplan.errors import RiskplanError
from riskplan.routing.vrptw import dimacs_matrix

Family = Literal["C", "R", "RC"]

#: Solomon's horizon (depot due date) per family and type (1: short, 2: long) at 100 customers.
SOLOMON_HORIZON: dict[tuple[str, int], int] = {
    ("C", 1): 1236, ("C", 2): 3390, ("R", 1): 230, ("R", 2): 1000, ("RC", 1): 240, ("RC", 2): 960,
}

#: Vehicle capacity per family and type (Solomon's values).
SOLOMON_CAPACITY: dict[tuple[str, int], int] = {
    ("C", 1): 200, ("C", 2): 700, ("R", 1): 200, ("R", 2): 1000, ("RC", 1): 200, ("RC", 2): 1000,
}

#: Service time per customer and family (Solomon's values).
SOLOMON_SERVICE: dict[str, int] = {"C": 90, "R": 10, "RC": 10}


@dataclasses.dataclass(frozen=True)
class InstanceSpec:
    """What kind of VRPTW instance to draw.

    Attributes
    ----------
    family
        ``C`` (clustered customers), ``R`` (uniform) or ``RC`` (half clustered, half uniform).
    long_horizon
        Solomon type 2 (long horizon and large vehicles: long routes) instead of type 1.
    n_customers
        Number of customers (at least 2).
    window_share
        Share of customers with a restrictive time window, in (0, 1]; the others can be served
        at any time of the day.
    window_width
        Mean width of the restrictive windows as a share of the horizon, in (0, 1].
    seed
        Seed of the random draws.
    """

    family: Family
    long_horizon: bool
    n_customers: int
    window_share: float = 1.0
    window_width: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.family not in ("C", "R", "RC"):
            raise RiskplanError(f"instance family must be C, R or RC, not {self.family!r}")
        if self.n_customers < 2:
            raise RiskplanError(f"an instance needs at least 2 customers, not {self.n_customers}")
        if not 0.0 < self.window_share <= 1.0:
            raise RiskplanError(f"window_share must be in (0, 1], not {self.window_share}")
        if not 0.0 < self.window_width <= 1.0:
            raise RiskplanError(f"window_width must be in (0, 1], not {self.window_width}")

    @property
    def name(self) -> str:
        """``<family><type>_<customers>_s<share%>w<width%>_<seed>``, e.g. ``RC2_200_s50w12_7``."""
        kind = 2 if self.long_horizon else 1
        share, width = round(100 * self.window_share), round(100 * self.window_width)
        return f"{self.family}{kind}_{self.n_customers}_s{share}w{width}_{self.seed}"


def spec_from_name(name: str) -> InstanceSpec:
    """The spec of an instance named by :attr:`InstanceSpec.name` (e.g. ``RC2_200_s50w12_7``)."""
    m = re.fullmatch(r"(C|R|RC)([12])_(\d+)_s(\d+)w(\d+)_(\d+)", name)
    if m is None:
        raise RiskplanError(f"not a generated instance name: {name!r}")
    fam, kind, n, share, width, seed = m.groups()
    return InstanceSpec(fam, kind == "2", int(n), int(share) / 100, int(width) / 100, int(seed))  # type: ignore[arg-type]


def _side(n_customers: int) -> float:
    """Side of the square of customers [distance unit]: 100 at 100 customers, growing as sqrt(n)."""
    return 100.0 * math.sqrt(n_customers / 100.0)


def _clustered(rng: np.random.Generator, n: int, side: float, per_cluster: float) -> np.ndarray:
    """``n`` points in clusters of about ``per_cluster`` points (normal around uniform centres).

    The spread of a cluster (standard deviation 4 distance units, as in Solomon's C sets) does not
    grow with the square: larger instances have more clusters, not wider ones.
    """
    k = max(1, round(n / per_cluster))
    centres = rng.uniform(0.1 * side, 0.9 * side, size=(k, 2))
    which = rng.integers(0, k, size=n)
    return centres[which] + rng.normal(0.0, 4.0, size=(n, 2))


def _coordinates(rng: np.random.Generator, spec: InstanceSpec, side: float) -> np.ndarray:
    n = spec.n_customers
    if spec.family == "R":
        pts = rng.uniform(0.0, side, size=(n, 2))
    elif spec.family == "C":
        pts = _clustered(rng, n, side, per_cluster=10.0)
    else:
        n_clu = n // 2
        pts = np.vstack([_clustered(rng, n_clu, side, per_cluster=8.0),
                         rng.uniform(0.0, side, size=(n - n_clu, 2))])
        pts = pts[rng.permutation(n)]
    depot = rng.uniform(0.35 * side, 0.65 * side, size=(1, 2))
    return np.clip(np.rint(np.vstack([depot, pts])), 0, round(side)).astype(np.int64)


def _demands(rng: np.random.Generator, spec: InstanceSpec) -> np.ndarray:
    n = spec.n_customers
    if spec.family == "C":  # multiples of ten, as in Solomon's C sets
        d = 10 * rng.choice([1, 2, 3, 4], size=n, p=[0.4, 0.3, 0.2, 0.1])
    else:  # skewed, mean about 15, as in Solomon's R and RC sets
        d = np.clip(np.rint(rng.gamma(2.0, 7.5, size=n)), 1, 45)
    return np.concatenate([[0], d]).astype(np.int64)


def _reference_starts(dist: np.ndarray, coords: np.ndarray, demand: np.ndarray, service: int,
                      capacity: int, horizon: int) -> np.ndarray:
    """Service start [tenths] of each customer on cluster-by-cluster routes (a feasible plan).

    Customers are taken by polar angle around the depot, each route greedily extended to the
    nearest customer not yet served among the next few in angle order, until the load or the
    horizon is reached.
    """
    n = len(coords)
    ang = np.arctan2(coords[1:, 1] - coords[0, 1], coords[1:, 0] - coords[0, 0])
    pending = [int(i) + 1 for i in np.argsort(ang, kind="stable")]
    start = np.zeros(n, dtype=np.int64)
    h10 = 10 * horizon
    while pending:
        t, prev, load = 0, 0, 0
        while pending:
            window = pending[:8]
            nxt = min(window, key=lambda c: dist[prev, c])
            t_next = t + (10 * service if prev else 0) + dist[prev, nxt]
            if load + demand[nxt] > capacity or t_next + 10 * service + dist[nxt, 0] > h10:
                if prev == 0:  # a lone customer always fits: the horizon is chosen so
                    raise RiskplanError("reference route: customer unreachable (horizon too short)")
                break
            pending.remove(nxt)
            start[nxt], t, prev, load = t_next, t_next, nxt, load + demand[nxt]
    return start


def generate_instance(spec: InstanceSpec) -> dict:
    """Draw one VRPTW instance.

    Parameters
    ----------
    spec
        What to draw; the same spec always gives the same instance.

    Returns
    -------
    dict
        In the layout of ``vrplib.read_instance``: ``name``, ``node_coord`` ((n+1, 2), the depot
        first), ``demand``, ``time_window`` ((n+1, 2), [time unit]), ``service_time`` [time unit],
        ``capacity``, ``vehicles``.
    """
    family_code = ("C", "R", "RC").index(spec.family)
    rng = np.random.default_rng([spec.seed, spec.n_customers, family_code, int(spec.long_horizon)])
    kind = 2 if spec.long_horizon else 1
    side = _side(spec.n_customers)
    coords = _coordinates(rng, spec, side)
    demand = _demands(rng, spec)
    service = SOLOMON_SERVICE[spec.family]
    capacity = SOLOMON_CAPACITY[(spec.family, kind)]
    # the extra distance to the far corners, there and back, is added to Solomon's horizon
    horizon = int(SOLOMON_HORIZON[(spec.family, kind)] + math.ceil(1.42 * (side - 100.0)))
    dist = dimacs_matrix(coords.astype(float))  # tenths
    n = len(coords)
    # latest start at which a customer can still be served and the vehicle be back in time
    latest = (10 * horizon - 10 * service - dist[:, 0]) // 10
    earliest = -(-dist[0, :] // 10)  # rounded up
    if np.any(latest[1:] < earliest[1:]):
        raise RiskplanError(f"{spec.name}: a customer cannot be reached within the horizon")
    if spec.family == "C":
        centre = _reference_starts(dist, coords, demand, service, capacity, horizon) / 10.0
    else:
        centre = rng.uniform(earliest, latest + 1)
    width = spec.window_width * horizon * rng.uniform(0.5, 1.5, size=n)
    has_window = rng.random(n) < spec.window_share
    lo = np.where(has_window, np.floor(centre - width / 2), 0)
    hi = np.where(has_window, np.ceil(centre + width / 2), latest)
    lo = np.clip(lo, 0, latest).astype(np.int64)
    hi = np.clip(hi, earliest, latest).astype(np.int64)
    tw = np.column_stack([lo, hi])
    tw[0] = (0, horizon)
    return {
        "name": spec.name,
        "node_coord": coords,
        "demand": demand,
        "time_window": tw,
        "service_time": service,
        "capacity": capacity,
        "vehicles": max(2, spec.n_customers // 4),
    }


def write_vrplib(instance: dict, path: str | Path) -> Path:
    """Write ``instance`` (the layout of :func:`generate_instance`) as a VRPLIB ``.vrp`` file."""
    path = Path(path)
    coords = np.asarray(instance["node_coord"])
    tw = np.asarray(instance["time_window"])
    lines = [
        f"NAME : {instance['name']}",
        "TYPE : CVRPTW",
        f"DIMENSION : {len(coords)}",
        f"VEHICLES : {instance['vehicles']}",
        f"CAPACITY : {instance['capacity']}",
        f"SERVICE_TIME : {instance['service_time']}",
        "EDGE_WEIGHT_TYPE : EUC_2D",
        "NODE_COORD_SECTION",
        *(f"{i + 1} {x} {y}" for i, (x, y) in enumerate(coords)),
        "DEMAND_SECTION",
        *(f"{i + 1} {d}" for i, d in enumerate(instance["demand"])),
        "TIME_WINDOW_SECTION",
        *(f"{i + 1} {a} {b}" for i, (a, b) in enumerate(tw)),
        "DEPOT_SECTION",
        "1",
        "-1",
        "EOF",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
