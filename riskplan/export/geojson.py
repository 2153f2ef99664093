"""GeoJSON (RFC 7946) of routes and stops.

Coordinates are WGS-84 longitude, latitude in decimal degrees (RFC 7946 allows no other
reference system, so there is no ``crs`` member); each FeatureCollection carries a foreign member
``"coordinates_note"`` saying so for readers who do not know the RFC. Coordinates are rounded to
6 decimals (about 0.1 m), and keys are written in a fixed order, so files are reproducible.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskplan.export.atomic import write_text

COORDINATES_NOTE = "WGS-84 (EPSG:4326) longitude, latitude [decimal degrees], RFC 7946"


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _pos(lon: float, lat: float, decimals: int) -> list[float]:
    return [round(float(lon), decimals), round(float(lat), decimals)]


def feature_collection(features: Iterable[dict[str, Any]], name: str = "") -> dict[str, Any]:
    """A FeatureCollection with the WGS-84 note as a foreign member."""
    fc: dict[str, Any] = {"type": "FeatureCollection"}
    if name:
        fc["name"] = name
    fc["coordinates_note"] = COORDINATES_NOTE
    fc["features"] = list(features)
    return fc


def stop_features(
    stops: pd.DataFrame, properties: Iterable[str], decimals: int = 6
) -> list[dict[str, Any]]:
    """Point features, one per stop with coordinates (``lon_wgs84``, ``lat_wgs84``)."""
    props = [p for p in properties if p in stops.columns]
    feats = []
    for rec in stops.to_dict("records"):
        lon, lat = rec.get("lon_wgs84"), rec.get("lat_wgs84")
        if lon is None or lat is None or pd.isna(lon) or pd.isna(lat):
            continue
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": _pos(lon, lat, decimals)},
                "properties": {p: _plain(rec[p]) for p in props},
            }
        )
    return feats


def route_lab(route_stops: pd.DataFrame) -> tuple[float, float] | None:
    """(lon, lat) [degrees] of the lab a route ends at (``lab_lon`` / ``lab_lat`` of its stops), or None."""
    if "lab_lon" not in route_stops.columns or not len(route_stops):
        return None
    lon, lat = route_stops["lab_lon"].iloc[0], route_stops["lab_lat"].iloc[0]
    return None if pd.isna(lon) or pd.isna(lat) else (float(lon), float(lat))


def route_features(
    stops: pd.DataFrame,
    depots: Mapping[str, tuple[float, float]],
    keys: tuple[str, ...] = ("station_id", "team", "date"),
    decimals: int = 6,
) -> list[dict[str, Any]]:
    """LineString features, one per route.

    Each line runs from the depot through the stops in ``stop_order`` and back to the depot, or on
    to the route's lab when the stops carry ``lab_lon`` / ``lab_lat`` (routes with perishables).

    Parameters
    ----------
    stops
        Routed stops with ``lon_wgs84``, ``lat_wgs84``, ``stop_order`` and the ``keys`` columns.
    depots
        ``station_id`` -> (lon, lat) where routes start and end [degrees].
    keys
        Columns identifying one route.
    decimals
        Decimal places kept in coordinates [-].
    """
    feats = []
    located = stops.dropna(subset=["lon_wgs84", "lat_wgs84"])
    for key, grp in located.sort_values([*keys, "stop_order"]).groupby(list(keys), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        props = {k: _plain(v) for k, v in zip(keys, key)}
        coords = [_pos(lo, la, decimals) for lo, la in zip(grp["lon_wgs84"], grp["lat_wgs84"])]
        depot = depots.get(str(props.get("station_id")))
        lab = route_lab(grp)
        if depot is not None:
            coords = [_pos(*depot, decimals), *coords]
        end = lab if lab is not None else depot
        if end is not None:
            coords.append(_pos(*end, decimals))
        props["ends_at"] = "lab" if lab is not None else "station"
        if len(coords) < 2:
            coords = coords * 2  # a LineString needs two positions
        props["n_stops"] = int(len(grp))
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": props,
            }
        )
    return feats


def write_geojson(path: str | os.PathLike[str], collection: dict[str, Any]) -> Path:
    """Write a FeatureCollection as UTF-8 JSON (Chinese kept readable), atomically."""
    head = {k: v for k, v in collection.items() if k != "features"}
    feats = ",\n".join(json.dumps(f, ensure_ascii=False, allow_nan=False)
                       for f in collection.get("features", []))
    # one feature per line: compact, yet diff- and grep-friendly
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n' + feats + "\n]}\n"
    return write_text(path, text)
