"""An invented province: many synthetic districts of varied size and shape, for measuring at scale.

The province's outline is an invented polygon; :func:`province_specs` splits it into ``n``
districts (Voronoi cells of random seats, relaxed twice so the cells are not slivers), gives each
a population drawn log-uniformly between two bounds (100,000 to 2 million by default), a
character (``dense``: mostly urban subdistricts; ``mountainous``: mostly mountain towns;
``mixed``), townships placed inside its cell, stations, a lab, invented names and volumes scaled
from the embedded Ouhai district's by population. Each spec is then built by
:func:`riskplan.synthetic.build_district` like any other district, with its own seed and so its
own hidden truth (:func:`riskplan.synthetic.hidden_truth`). Nothing here is real: the province
code ``39`` is not a Chinese province.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import shapely
import shapely.affinity
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from riskplan.synthetic._common import stream
from riskplan.synthetic.district import SyntheticDistrict
from riskplan.synthetic.geography import transform, utm_transformers
from riskplan.synthetic.profiles import MIN_ONE
from riskplan.synthetic.spec import DistrictSpec, Lab, Naming, Station, Volumes
from riskplan.synthetic.writing import DatasetMeta

__all__ = ["CHARACTERS", "PROVINCE_CODE", "ProvinceDistrict", "district_metadata", "province_outline",
           "province_specs"]

PROVINCE_CODE = "39"
"""Invented province code (no Chinese province has it); district codes are ``39CCDD``."""

CHARACTERS: tuple[str, ...] = ("dense", "mixed", "mountainous")
"""Kinds of district: their township area types (see :data:`AREA_MIX`)."""

AREA_MIX: dict[str, tuple[float, float, float]] = {
    "dense": (0.75, 0.2, 0.05), "mixed": (0.35, 0.45, 0.2), "mountainous": (0.1, 0.25, 0.65),
}
"""Share of urban, rural and mountain townships by district character [-]."""

OUHAI_TYPE_COUNTS: tuple[tuple[str, int], ...] = (
    ("P-FACTORY", 110), ("P-WORKSHOP", 160), ("D-WHOLESALE", 2), ("D-WETMARKET", 42),
    ("D-SUPERMARKET", 240), ("D-GROCERY", 1450), ("D-ONLINE", 140), ("C-RESTAURANT", 1250),
    ("C-SMALL", 1480), ("C-SCHOOL", 255), ("C-CANTEEN", 190), ("C-SITE", 60), ("C-ELDERLY", 30),
    ("C-CENTRAL", 6), ("C-TAKEAWAY", 240), ("C-VENDOR", 210),
)
"""Establishments per business type of a district of :data:`OUHAI_POPULATION` residents."""
OUHAI_POPULATION = 963_238

_SYL = ("东", "西", "南", "北", "青", "云", "石", "清", "安", "永", "平", "龙", "凤", "金", "玉",
        "白", "桃", "松", "梅", "兰", "竹", "新", "长", "丰", "宁", "华", "泉", "川", "江", "湖")
_END = ("溪", "山", "桥", "塘", "湾", "岭", "城", "阳", "浦", "口", "坪", "田")
_PINYIN = dict(zip(_SYL + _END, (
    "Dong", "Xi", "Nan", "Bei", "Qing", "Yun", "Shi", "Qing", "An", "Yong", "Ping", "Long",
    "Feng", "Jin", "Yu", "Bai", "Tao", "Song", "Mei", "Lan", "Zhu", "Xin", "Chang", "Feng",
    "Ning", "Hua", "Quan", "Chuan", "Jiang", "Hu", "xi", "shan", "qiao", "tang", "wan", "ling",
    "cheng", "yang", "pu", "kou", "ping", "tian"), strict=True))


@dataclasses.dataclass(frozen=True)
class ProvinceDistrict:
    """One district of the invented province before it is built.

    Attributes
    ----------
    folder
        Folder name of the district (``d001`` ...), also its name in the province's summary.
    character
        ``dense``, ``mixed`` or ``mountainous``.
    spec
        What :func:`riskplan.synthetic.build_district` builds it from.
    """

    folder: str
    character: str
    spec: DistrictSpec


DISTRICT_KM2 = 1100.0
"""Mean area of a district of the invented province [km2] (Zhejiang: about 1,170)."""


def province_outline(n: int = 90) -> Polygon:
    """The invented province for ``n`` districts (WGS-84 lon/lat).

    An irregular octagon in the east of China, scaled about its centre so that its districts
    are :data:`DISTRICT_KM2` on average (90 districts: about 400 x 300 km).
    """
    shape = Polygon([(117.9, 27.4), (119.6, 27.0), (121.4, 27.3), (122.3, 28.6), (121.9, 30.2),
                     (120.6, 30.5), (119.0, 30.3), (118.1, 29.4)])
    fwd, _ = utm_transformers(_utm(shape.centroid.x))
    factor = math.sqrt(n * DISTRICT_KM2 * 1e6 / transform(shape, fwd).area)
    return shapely.affinity.scale(shape, factor, factor, origin=shape.centroid)


def _seats(outline: BaseGeometry, n: int, rng: np.random.Generator) -> list[Point]:
    """``n`` random points in ``outline``, relaxed twice towards their Voronoi cells' centroids."""
    x0, y0, x1, y1 = outline.bounds
    pts: list[Point] = []
    while len(pts) < n:
        p = Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        if outline.contains(p):
            pts.append(p)
    for _ in range(2):  # Lloyd relaxation: even-ish cells, still varied
        cells = _cells(outline, pts)
        pts = [c.representative_point() if not c.contains(c.centroid) else c.centroid for c in cells]
    return pts


def _cells(outline: BaseGeometry, pts: list[Point]) -> list[BaseGeometry]:
    """Voronoi cell of each point (same order) clipped to ``outline``, largest part only."""
    vor = shapely.voronoi_polygons(MultiPoint(pts), extend_to=outline.buffer(1.0))
    out = []
    for p in pts:
        cell = next(c for c in vor.geoms if c.contains(p)).intersection(outline)
        if cell.geom_type != "Polygon":
            cell = max(getattr(cell, "geoms", [cell]), key=lambda g: g.area)
        # short edges: a straight edge in degrees is not straight in metres (the validator's UTM)
        out.append(shapely.set_precision(shapely.segmentize(cell, 0.01), 1e-6))
    return out


def _utm(lon: float) -> str:
    return f"EPSG:{32600 + int((lon + 180) // 6) + 1}"


def _names(rng: np.random.Generator, k: int, taken: set[str]) -> list[tuple[str, str]]:
    """``k`` invented two-character place names (Chinese, pinyin) not in ``taken``."""
    out: list[tuple[str, str]] = []
    while len(out) < k:
        a, b = str(rng.choice(_SYL)), str(rng.choice(_END))
        if a + b in taken:
            continue
        taken.add(a + b)
        out.append((a + b, _PINYIN[a] + _PINYIN[b]))
    return out


def _townships(cell: BaseGeometry, code: str, n: int, character: str, rng: np.random.Generator,
               utm: str) -> pd.DataFrame:
    """Township inputs of a district: centres spread over its cell, area types by character."""
    fwd, inv = utm_transformers(utm)
    cell_m = transform(cell, fwd)
    inner = cell_m.buffer(-1500.0)
    inner = inner if not inner.is_empty else cell_m
    # spread centres: the best of a few random candidates (farthest from those already placed)
    x0, y0, x1, y1 = inner.bounds
    centres: list[Point] = [inner.representative_point()]
    while len(centres) < n:
        cand = [Point(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(12)]
        cand = [c for c in cand if inner.contains(c)]
        if cand:
            centres.append(max(cand, key=lambda c: min(c.distance(q) for q in centres)))
    mix = np.array(AREA_MIX[character])
    area = ["urban"] + list(rng.choice(["urban", "rural", "mountain"], size=n - 1, p=mix / mix.sum()))
    names = _names(rng, n, set())
    rows = []
    sub = town = 0
    for i, (c, a) in enumerate(zip(centres, area, strict=True)):
        kind = "subdistrict" if a == "urban" else "town"
        if kind == "subdistrict":
            sub += 1
            tcode = f"{code}{sub:03d}"
        else:
            town += 1
            tcode = f"{code}{100 + town:03d}"
        lon, lat = inv.transform(c.x, c.y)
        rows.append({"code": tcode, "name_zh": names[i][0] + ("街道" if kind == "subdistrict" else "镇"),
                     "name_pinyin": names[i][1], "kind": kind, "area_type": a,
                     "census_population": "", "approx_lon": f"{lon:.5f}", "approx_lat": f"{lat:.5f}"})
    return pd.DataFrame(rows)


def _stations(towns: pd.DataFrame, district_zh: str) -> tuple[Station, ...]:
    """One station per two or three neighbouring townships (greedy, nearest first)."""
    xy = towns[["approx_lon", "approx_lat"]].astype(float).to_numpy()
    left = list(range(len(towns)))
    out: list[Station] = []
    while left:
        main = left.pop(0)
        d = np.hypot(*(xy[left] - xy[main]).T) if left else np.array([])
        take = [left[j] for j in np.argsort(d, kind="stable")[: 1 if len(left) % 3 == 1 else 2]]
        left = [t for t in left if t not in take]
        codes = tuple(str(towns["code"].iloc[t]) for t in [main, *take])
        name = f"{district_zh}{towns['name_zh'].iloc[main][:2]}市场监管所"
        out.append(Station(f"ST{len(out) + 1:02d}", name, codes))
    return tuple(out)


def _volumes(population: int, character: str, n_townships: int, rng: np.random.Generator) -> Volumes:
    """Volumes scaled from Ouhai's by population; mountainous districts have fewer shops per head.

    The types every township has (:data:`~riskplan.synthetic.profiles.MIN_ONE`) get at least one
    per township.
    """
    per_head = {"dense": 1.1, "mixed": 1.0, "mountainous": 0.8}[character] * population / OUHAI_POPULATION
    counts = {k: max(1 if k in ("D-WHOLESALE", "C-CENTRAL") else 3, round(v * per_head))
              for k, v in OUHAI_TYPE_COUNTS}
    counts.update({k: max(counts[k], n_townships) for k in MIN_ONE if k in counts})
    scale = population / OUHAI_POPULATION
    n_est = sum(counts.values())
    return Volumes(type_counts=counts, history_base=max(150, round(4300 * scale)),
                   history_growth=round(200 * scale), history_jitter=round(150 * scale),
                   results_share=float(rng.uniform(0.3, 0.5)), hot_spot_samples=0,
                   complaints=max(10, round(380 * scale)), without_coordinates=max(1, n_est // 400))


def province_specs(
    n: int,
    seed: int,
    food_categories: pd.DataFrame,
    business_types: pd.DataFrame,
    *,
    population: tuple[int, int] = (100_000, 2_000_000),
    outline: BaseGeometry | None = None,
) -> list[ProvinceDistrict]:
    """The districts of an invented province, ready for :func:`~riskplan.synthetic.build_district`.

    Parameters
    ----------
    n
        Number of districts (1 to 999).
    seed
        Seed of the province; district ``k`` is built with seed ``[seed, k]`` folded to an int.
    food_categories, business_types
        The national code lists (columns of
        :data:`~riskplan.synthetic.spec.FOOD_CATEGORY_INPUT_COLUMNS` and
        :data:`~riskplan.synthetic.spec.BUSINESS_TYPE_INPUT_COLUMNS`; ``data/reference/`` in the
        source tree).
    population
        Smallest and largest district population [persons]; drawn log-uniformly.
    outline
        The province's outline (default :func:`province_outline` for ``n`` districts).

    Returns
    -------
    list of ProvinceDistrict
        Folder names ``d001`` ... in the order of their seats (west to east is not implied).
    """
    if not 1 <= n <= 999:
        raise ValueError(f"n must be 1..999, got {n}")
    lo, hi = population
    if not 0 < lo <= hi:
        raise ValueError(f"population bounds must be 0 < low <= high, got {population}")
    shape = outline if outline is not None else province_outline(n)
    rng = stream(seed, 0)
    cells = _cells(shape, _seats(shape, n, rng))
    taken: set[str] = set()
    out = []
    for k, cell in enumerate(cells, start=1):
        r = stream(seed, 1, k)
        pop = int(round(math.exp(r.uniform(math.log(lo), math.log(hi))), -2)) if hi > lo else lo
        character = CHARACTERS[int(r.integers(len(CHARACTERS)))]
        code = f"{PROVINCE_CODE}{(k - 1) // 99 + 1:02d}{(k - 1) % 99 + 1:02d}"
        n_towns = int(np.clip(round(4 + pop / 120_000 + r.normal(0, 1.5)), 4, 24))
        utm = _utm(cell.centroid.x)
        towns = _townships(cell, code, n_towns, character, r, utm)
        (zh, py), = _names(r, 1, taken)
        suffix = ("区", "District") if character == "dense" else ("县", "County")
        naming = Naming("东海省", "海州市", "海州", zh + suffix[0], zh, f"{py} {suffix[1]}",
                        (f"{zh}大道", "环城路"), (f"{zh}农副产品批发市场",))
        seat = towns.iloc[0]
        lab = Lab("LAB01", f"{zh}{suffix[0]}食品检验检测中心", round(float(seat["approx_lon"]) + 0.004, 6),
                  round(float(seat["approx_lat"]) + 0.003, 6), "08:30", "16:30")
        spec = DistrictSpec(
            code=code, naming=naming, townships=towns, population=pop, population_year=2025,
            outline=cell, outline_source="invented (synthetic province)",
            stations=_stations(towns, zh + suffix[0]), labs=(lab,), food_categories=food_categories,
            business_types=business_types, volumes=_volumes(pop, character, n_towns, r),
            seed=int(stream(seed, 2, k).integers(2**31)), reference_date=dt.date(2026, 6, 30),
            plan_year=2026, history_years=(2023, 2024, 2025), id_prefix=f"P{k:03d}", utm_crs=utm)
        out.append(ProvinceDistrict(f"d{k:03d}", character, spec))
    return out


def district_metadata(district: SyntheticDistrict, character: str) -> DatasetMeta:
    """``dataset.toml`` name, synthetic tables and provenance of a province district."""
    spec = district.spec
    name = f"{spec.naming.district_en} ({spec.naming.district_zh}), invented, {character}"
    text = "SYNTHETIC (riskplan.synthetic.province): invented province, seed-reproducible"
    tables = ("townships", "establishments", "stations", "officers", "labs", "history", "results",
              "complaints")
    return DatasetMeta(name, tables, {t: text for t in (*tables, "district")})
