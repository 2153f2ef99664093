"""Navigation links that open turn-by-turn driving directions to a stop in AMap and Baidu Maps.

The plan keeps WGS-84 (GeoJSON stays WGS-84, RFC 7946); the Chinese map apps expect their own
datums, so each link converts with :mod:`prcoords`: GCJ-02 for AMap (高德地图), BD-09 for Baidu.

Formats (the apps' public URI APIs):

- AMap: ``https://uri.amap.com/navigation?to=LON,LAT,NAME&mode=car&coordinate=gaode&callnative=1``
  (``callnative=1`` opens the app on a phone where it is installed, else the web page);
- Baidu: ``https://api.map.baidu.com/direction?destination=latlng:LAT,LON|name:NAME&coord_type=bd09ll``
  ``&mode=driving&output=html&src=riskplan``.

An establishment without coordinates is routed at its township's centre and flagged "navigate by
address": its links search the address instead (AMap ``https://uri.amap.com/search?keyword=ADDRESS``
``&callnative=1``, Baidu ``https://api.map.baidu.com/geocoder?address=ADDRESS&output=html&src=riskplan``).

Names are percent-encoded (UTF-8), so a link survives being pasted anywhere.
"""

from __future__ import annotations

import math
from urllib.parse import quote

import prcoords

__all__ = ["amap_search_url", "amap_url", "baidu_search_url", "baidu_url", "to_gcj02", "to_bd09"]

DECIMALS = 6
"""Decimals of the coordinates in a link (about 0.1 m)."""


def _finite(lon: float, lat: float) -> bool:
    return math.isfinite(lon) and math.isfinite(lat)


def to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 -> GCJ-02 ``(lon, lat)`` [deg]; outside China the coordinates are returned unchanged."""
    c = prcoords.wgs_gcj(prcoords.Coords(lat, lon), True)
    return float(c.lon), float(c.lat)


def to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 -> BD-09 ``(lon, lat)`` [deg] (via GCJ-02)."""
    g = prcoords.wgs_gcj(prcoords.Coords(lat, lon), True)
    b = prcoords.gcj_bd(g)
    return float(b.lon), float(b.lat)


def amap_url(lon: float, lat: float, name: str) -> str:
    """AMap link navigating by car to WGS-84 ``(lon, lat)`` [deg]; ``""`` without coordinates."""
    if not _finite(lon, lat):
        return ""
    x, y = to_gcj02(lon, lat)
    return (f"https://uri.amap.com/navigation?to={x:.{DECIMALS}f},{y:.{DECIMALS}f},{quote(str(name), safe='')}"
            "&mode=car&coordinate=gaode&callnative=1")


def baidu_url(lon: float, lat: float, name: str) -> str:
    """Baidu Maps link with driving directions to WGS-84 ``(lon, lat)`` [deg]; ``""`` without coordinates."""
    if not _finite(lon, lat):
        return ""
    x, y = to_bd09(lon, lat)
    return (f"https://api.map.baidu.com/direction?destination=latlng:{y:.{DECIMALS}f},{x:.{DECIMALS}f}"
            f"|name:{quote(str(name), safe='')}&coord_type=bd09ll&mode=driving&output=html&src=riskplan")


def amap_search_url(address: str, name: str = "") -> str:
    """AMap link searching ``address`` (the name when the address is empty); ``""`` with neither."""
    text = str(address).strip() or str(name).strip()
    return f"https://uri.amap.com/search?keyword={quote(text, safe='')}&callnative=1" if text else ""


def baidu_search_url(address: str, name: str = "") -> str:
    """Baidu Maps link locating ``address`` (the name when the address is empty); ``""`` with neither."""
    text = str(address).strip() or str(name).strip()
    return (f"https://api.map.baidu.com/geocoder?address={quote(text, safe='')}&output=html&src=riskplan"
            if text else "")
