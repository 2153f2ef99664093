"""Geographic checks of a dataset's coordinates.

Coordinates plausible, inside the district (or near it for stations and labs), establishments
inside their township's polygon. Distances in the district's UTM zone.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import make_valid, union_all
from shapely.geometry.base import BaseGeometry

from riskplan.dataset import Dataset
from riskplan.validation.report import Reporter

__all__ = ["check_geography", "DISTRICT_TOLERANCE_KM", "FACILITY_TOLERANCE_KM", "TOWNSHIP_TOLERANCE_KM"]

DISTRICT_TOLERANCE_KM: float = 1.0
"""Establishments may lie this far outside the district outline [km] (the outline is generalised)."""

FACILITY_TOLERANCE_KM: float = 30.0
"""Stations may lie this far outside the district outline [km]; a lab further out is a warning
(a county often sends its samples to the city's lab, 40-80 km away)."""

TOWNSHIP_TOLERANCE_KM: float = 1.0
"""An establishment further than this outside its township's polygon gets a warning [km]."""

# Rough bounding box of China (lon, lat): anything outside is not a plausible coordinate here.
_CHINA = (73.0, 136.0, 3.0, 54.0)


def _outline(ds: Dataset, town: pd.DataFrame) -> BaseGeometry | None:
    """District outline (shapely geometry, EPSG:4326) or None."""
    district = getattr(ds, "district", None)
    geoms = []
    if district is not None and len(district):
        geoms = [g for g in district.geometry if g is not None and not g.is_empty]
    if not geoms and "geometry" in town.columns:
        geoms = [g for g in town.geometry if g is not None and hasattr(g, "is_empty")
                 and not g.is_empty and g.geom_type in ("Polygon", "MultiPolygon")]
    if not geoms:
        return None
    return union_all([make_valid(g) for g in geoms])


def _utm_crs(geom: BaseGeometry) -> str:
    """The UTM zone CRS of a geometry's centre (EPSG:326xx north, 327xx south)."""
    c = geom.centroid
    zone = int((c.x + 180.0) // 6.0) % 60 + 1
    return f"EPSG:{32600 + zone if c.y >= 0 else 32700 + zone}"


def check_geography(ds: Dataset, rep: Reporter) -> None:
    """Coordinates plausible and inside the district (stations and labs near it); points in their township."""
    t = {name: getattr(ds, name) for name in ("townships", "establishments", "stations", "labs")}
    town = t["townships"]
    outline = _outline(ds, town)
    out_s = None
    if outline is not None:
        out_s = gpd.GeoSeries([outline], crs=4326)
        utm = _utm_crs(outline)
        outline_m = out_s.to_crs(utm).iloc[0]
    cases = [("establishments", DISTRICT_TOLERANCE_KM), ("stations", FACILITY_TOLERANCE_KM),
             ("labs", FACILITY_TOLERANCE_KM)]
    for name, tol in cases:
        df = t[name].reset_index(drop=True)
        if not len(df) or "lon_wgs84" not in df.columns:
            continue
        lon = df["lon_wgs84"].to_numpy(dtype=float, na_value=np.nan)
        lat = df["lat_wgs84"].to_numpy(dtype=float, na_value=np.nan)
        src = (df["coord_source"] if "coord_source" in df.columns
               else pd.Series("wgs84", index=df.index)).fillna("wgs84")
        has = ~np.isnan(lon) & ~np.isnan(lat)
        if name != "establishments":  # teams start and samples end here: a place is needed
            for pos in np.flatnonzero(~has):
                rep(name, int(pos), "lon_wgs84", "", "coordinates are required here",
                    "此处必须填写坐标")
        in_china = has & (lon >= _CHINA[0]) & (lon <= _CHINA[1]) & (lat >= _CHINA[2]) & (
            lat <= _CHINA[3])
        for pos in np.flatnonzero(has & ~in_china):
            col = f"lon_{src.iloc[pos]}"
            value = f"{lon[pos]:g}, {lat[pos]:g}"
            swapped = _CHINA[0] <= lat[pos] <= _CHINA[1] and _CHINA[2] <= lon[pos] <= _CHINA[3]
            if swapped:
                rep(name, int(pos), col, value, "longitude and latitude look swapped",
                    "经度和纬度似乎填反了")
            else:
                rep(name, int(pos), col, value,
                    "coordinates are not plausible (outside China; decimal degrees expected)",
                    "坐标不合理（不在中国境内；应为十进制度）")
        if outline is None or not in_china.any():
            continue
        pts = gpd.GeoSeries(gpd.points_from_xy(lon[in_china], lat[in_china]), crs=4326).to_crs(utm)
        dist_km = pts.distance(outline_m).to_numpy() / 1000.0
        idx = np.flatnonzero(in_china)
        for pos, d in zip(idx[dist_km > tol], dist_km[dist_km > tol]):
            col = f"lon_{src.iloc[pos]}"
            value = f"{lon[pos]:.6f}, {lat[pos]:.6f}"
            if name == "labs":  # a county often sends its samples to the city's lab: the routes drive there
                rep(name, int(pos), col, value,
                    f"lab lies {d:.1f} km outside the district: the routes include the drive there; "
                    "check its coordinates",
                    f"检验机构位于辖区外 {d:.1f} 公里：路线已计入往返车程，请核对坐标", "warning")
                continue
            what = "the district" if name == "establishments" else f"{tol:g} km of the district"
            rep(name, int(pos), col, value,
                f"coordinates outside {what} ({d:.1f} km from its outline)",
                f"坐标超出辖区范围（距边界 {d:.1f} 公里）")
        if name == "establishments" and "geometry" in town.columns and len(town):
            _check_in_township(df, town, in_china, utm, rep)


def _check_in_township(est: pd.DataFrame, town: gpd.GeoDataFrame, mask: np.ndarray, utm: str,
                       rep: Reporter) -> None:
    polys = {c: g for c, g in zip(town["township_code"], town.geometry)
             if g is not None and hasattr(g, "is_empty") and not g.is_empty}
    sel = mask & est["township_code"].isin(list(polys)).to_numpy()
    if not sel.any():
        return
    sub = est[sel]
    pts = gpd.GeoSeries(gpd.points_from_xy(sub["lon_wgs84"], sub["lat_wgs84"]), crs=4326)
    shapes = gpd.GeoSeries([polys[c] for c in sub["township_code"]], crs=4326)
    dist = pts.to_crs(utm).distance(shapes.to_crs(utm), align=False).to_numpy() / 1000.0
    for pos, d, code in zip(np.flatnonzero(sel), dist, sub["township_code"]):
        if d > TOWNSHIP_TOLERANCE_KM:
            rep("establishments", int(pos), "township_code", code,
                f"point lies {d:.1f} km outside this township's polygon",
                f"坐标位于该乡镇边界之外 {d:.1f} 公里", "warning")
