"""Stations (where teams start), the officers' roster and the labs of a synthetic district."""

from __future__ import annotations

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from riskplan.synthetic._common import stream
from riskplan.synthetic.geography import transform, utm_transformers
from riskplan.synthetic.naming import person_name
from riskplan.synthetic.spec import DistrictSpec

TEAM_THRESHOLDS: tuple[int, int] = (700, 1300)
"""Establishments covered below which a station has one team, two teams; above: three."""

OFFICERS_PER_STATION: tuple[int, int] = (4, 8)
"""Smallest and largest roster of a station [officers]."""


def build_stations(spec: DistrictSpec, towns: pd.DataFrame, polys: tuple[BaseGeometry, ...],
                   est: pd.DataFrame) -> pd.DataFrame:
    """``stations.csv``: each station's point about 1 km from its main township's centre.

    Parameters
    ----------
    spec
        The district (its ``stations``; stream 5).
    towns, polys
        Townships table and polygons (WGS-84), same order.
    est
        The register (the workload sets the number of teams, see :data:`TEAM_THRESHOLDS`).

    Returns
    -------
    pandas.DataFrame
        ``station_id, name, township_codes, lon_wgs84, lat_wgs84, teams``, all text.
    """
    rng = stream(spec.seed, 5)
    fwd, inv = utm_transformers(spec.utm_crs)
    rows = []
    n_est = est.groupby("township_code").size()
    code_idx = {c: i for i, c in enumerate(towns["township_code"])}
    for st in spec.stations:
        codes = st.township_codes
        main = code_idx[codes[0]]
        t = towns.iloc[main]
        poly_m = transform(polys[main], fwd)
        cx, cy = fwd.transform(t["centroid_lon_wgs84"], t["centroid_lat_wgs84"])
        inner = poly_m.buffer(-200.0)
        while True:  # a point about 1 km from the township centre, inside it
            x, y = cx + rng.normal(0, 700), cy + rng.normal(0, 700)
            if inner.contains(shapely.Point(x, y)):
                break
        lon, lat = inv.transform(x, y)
        workload = int(sum(n_est.get(c, 0) for c in codes))
        teams = 1 if workload < TEAM_THRESHOLDS[0] else (2 if workload < TEAM_THRESHOLDS[1] else 3)
        rows.append({"station_id": st.station_id, "name": st.name,
                     "township_codes": ";".join(codes), "lon_wgs84": f"{lon:.6f}",
                     "lat_wgs84": f"{lat:.6f}", "teams": str(teams)})
    return pd.DataFrame(rows)


def build_officers(spec: DistrictSpec, stations: pd.DataFrame) -> pd.DataFrame:
    """``officers.csv``: two per team plus one or two spares per station, unique invented names.

    Returns
    -------
    pandas.DataFrame
        ``officer_id`` (``OF001`` ...), ``name``, ``station_id`` (stream 6).
    """
    rng = stream(spec.seed, 6)
    lo, hi = OFFICERS_PER_STATION
    rows, k, seen = [], 0, set()
    for _, s in stations.iterrows():
        n = int(s["teams"]) * 2 + int(rng.integers(1, 3))
        n = max(lo, min(hi, n))
        for _ in range(n):
            while True:
                name = person_name(rng)
                if name not in seen:
                    seen.add(name)
                    break
            k += 1
            rows.append({"officer_id": f"OF{k:03d}", "name": name, "station_id": s["station_id"]})
    return pd.DataFrame(rows)


def build_labs(spec: DistrictSpec) -> pd.DataFrame:
    """``labs.csv`` from ``spec.labs`` (coordinates with 6 decimals)."""
    return pd.DataFrame([{
        "lab_id": lab.lab_id, "name": lab.name,
        "lon_wgs84": f"{lab.lon_wgs84:.6f}", "lat_wgs84": f"{lab.lat_wgs84:.6f}",
        "intake_open": lab.intake_open, "intake_cutoff": lab.intake_cutoff,
        "address": lab.address, "capacity_per_day": lab.capacity_per_day or "",
        "working_days": lab.working_days,
    } for lab in spec.labs])
