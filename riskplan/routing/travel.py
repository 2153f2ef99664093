"""Travel distances and times between stations, establishments and labs.

By default the road distance is the great-circle (haversine) distance times a detour factor, and the
time uses the speed of the area type (urban / rural / mountain) of each end, half the way each. A
user travel-time matrix (CSV, e.g. from a road network) replaces the estimate for the pairs it lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskplan.errors import ConfigError, RiskplanError

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Great-circle distance matrix [km] between points given in WGS-84 degrees."""
    lam = np.radians(np.asarray(lon, dtype=float))
    phi = np.radians(np.asarray(lat, dtype=float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def travel_matrix_path(dataset: Any, path: str) -> Path | None:
    """The ``routing.travel_matrix`` file: a relative path is taken from the dataset's folder.

    Parameters
    ----------
    dataset
        The dataset (its ``source`` folder, None for data built in memory).
    path
        The configured path; empty when no matrix is used.

    Returns
    -------
    Path or None
        The file, None when ``path`` is empty.

    Raises
    ------
    ConfigError
        On ``routing.travel_matrix`` when the file does not exist.
    """
    if not path:
        return None
    p = Path(path)
    if not p.is_absolute() and dataset.source is not None:
        p = Path(dataset.source) / p
    if not p.is_file():
        raise ConfigError("routing.travel_matrix", f"file not found: {p}")
    return p


def read_travel_matrix(path: str | Path) -> pd.DataFrame:
    """Read a user travel-time matrix.

    Two layouts are accepted: long (columns ``from_id``, ``to_id``, ``minutes`` and optionally
    ``km``) or square (first column the IDs, one column per ID, cells in minutes).

    Returns
    -------
    Long table ``from_id, to_id, minutes, km`` (``km`` NaN when not given); IDs are text.
    """
    p = Path(path)
    if not p.exists():
        raise RiskplanError(f"travel matrix file not found: {p}")
    df = pd.read_csv(p, dtype=str, encoding="utf-8-sig")
    cols = [c.strip() for c in df.columns]
    df.columns = cols
    if {"from_id", "to_id", "minutes"} <= set(cols):
        out = pd.DataFrame(
            {
                "from_id": df["from_id"].str.strip(),
                "to_id": df["to_id"].str.strip(),
                "minutes": pd.to_numeric(df["minutes"], errors="coerce"),
                "km": pd.to_numeric(df["km"], errors="coerce") if "km" in cols else np.nan,
            }
        )
    else:
        ids = df.iloc[:, 0].str.strip()
        sq = df.iloc[:, 1:].apply(pd.to_numeric, errors="coerce")
        sq.index = ids
        sq.columns = [c.strip() for c in sq.columns]
        out = sq.stack(future_stack=True).rename("minutes").rename_axis(["from_id", "to_id"]).reset_index()
        out["km"] = np.nan
    bad = out["minutes"].isna() | (out["minutes"] < 0)
    if bad.any():
        raise RiskplanError(
            f"travel matrix {p.name}: {int(bad.sum())} cell(s) are not a non-negative number of minutes"
        )
    return out


def travel_matrices(
    ids: Sequence[str],
    lon: np.ndarray,
    lat: np.ndarray,
    area_type: Sequence[str],
    detour_factor: float,
    speeds: Mapping[str, float],
    matrix: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Road distance [km] and travel time [min] between all points, exact (not rounded).

    Parameters
    ----------
    ids
        Point identifiers (station, establishment or lab IDs), used to look pairs up in ``matrix``.
    lon, lat
        WGS-84 coordinates [deg].
    area_type
        Area type of each point; its speed [km/h] is taken from ``speeds`` (unknown: ``urban``).
    detour_factor
        Road distance / great-circle distance [-].
    speeds
        Speed by area type [km/h].
    matrix
        Optional long table ``from_id, to_id, minutes[, km]`` overriding the estimate pair by pair.
    """
    km = haversine_km(lon, lat) * float(detour_factor)
    default = float(speeds.get("urban", min(speeds.values())))
    v = np.array([float(speeds.get(a, default)) for a in area_type])
    # half of the way at each end's speed
    minutes = 60.0 * (km / 2.0) * (1.0 / v[:, None] + 1.0 / v[None, :])
    if matrix is not None and len(matrix):
        pos = {str(k): i for i, k in enumerate(ids)}
        m = matrix[matrix["from_id"].isin(pos) & matrix["to_id"].isin(pos)]
        if len(m):
            i = m["from_id"].map(pos).to_numpy(int)
            j = m["to_id"].map(pos).to_numpy(int)
            minutes[i, j] = m["minutes"].to_numpy(float)
            has_km = m["km"].notna().to_numpy()
            km[i[has_km], j[has_km]] = m["km"].to_numpy(float)[has_km]
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(minutes, 0.0)
    return km, minutes
