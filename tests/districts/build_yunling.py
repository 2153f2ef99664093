"""Build the second test district, Yunling County (云岭县), an INVENTED mountainous county.

Seeded and deterministic: running it again writes byte-identical files (a test checks this).
It imports only numpy, pandas, shapely and openpyxl (not riskplan, not ``data/build_ouhai.py``),
so the dataset does not inherit anything from the embedded Ouhai data. See ``README.md`` here.

Usage::

    python tests/districts/build_yunling.py                    # writes yunling/ and yunling_truth.csv
    python tests/districts/build_yunling.py --out DIR --truth FILE
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import re
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the invented facts live next to this script, not in a package
from yunling_spec import (  # noqa: E402 - importable only after the sys.path line above
    BUSINESS_TYPES,
    CATEGORIES,
    COUNTS,
    DISTRICT,
    HAZARDS,
    LAB,
    OFFICERS,
    STATIONS,  # noqa: E402
    TOWNSHIPS,
    categories_for,
    name_and_address,
    opening_hours,
)

SEED = 530999
REFERENCE_DATE = dt.date(2026, 5, 31)
LON0, LAT0 = 100.15, 25.55  # centre of the local plane [degrees]
KX = 111_320.0 * math.cos(math.radians(LAT0))  # metres per degree of longitude here [m]
KY = 110_800.0  # metres per degree of latitude here [m]
ZIP_TIME = (2026, 5, 31, 0, 0, 0)


# ------------------------------------------------------------------------------ coordinates
def to_deg(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local plane [m] -> WGS-84 lon, lat [degrees] (equirectangular around LON0, LAT0)."""
    return LON0 + np.asarray(x) / KX, LAT0 + np.asarray(y) / KY


def to_m(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 lon, lat [degrees] -> local plane [m]."""
    return (np.asarray(lon) - LON0) * KX, (np.asarray(lat) - LAT0) * KY


def wgs_to_gcj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 -> GCJ-02 (the published forward formula used by Amap and Tencent maps)."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = np.asarray(lon) - 105.0, np.asarray(lat) - 35.0
    s = np.sin
    common = (20 * s(6 * x * np.pi) + 20 * s(2 * x * np.pi)) * 2 / 3
    dlat = (-100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
            + (20 * s(y * np.pi) + 40 * s(y / 3 * np.pi)) * 2 / 3
            + (160 * s(y / 12 * np.pi) + 320 * s(y * np.pi / 30)) * 2 / 3)
    dlon = (300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
            + (20 * s(x * np.pi) + 40 * s(x / 3 * np.pi)) * 2 / 3
            + (150 * s(x / 12 * np.pi) + 300 * s(x / 30 * np.pi)) * 2 / 3)
    rad = np.radians(lat)
    magic = 1 - ee * np.sin(rad) ** 2
    dlat = dlat * 180 / ((a * (1 - ee)) / (magic * np.sqrt(magic)) * np.pi)
    dlon = dlon * 180 / (a / np.sqrt(magic) * np.cos(rad) * np.pi)
    return np.asarray(lon) + dlon, np.asarray(lat) + dlat


# ------------------------------------------------------------------------------ geography
def outline_m(rng: np.random.Generator) -> Polygon:
    """District outline in the local plane [m]: a star-shaped polygon, hence always simple."""
    n = 30
    ang = (np.arange(n) + rng.uniform(-0.3, 0.3, n)) * 2 * np.pi / n
    wobble = 1 + 0.10 * np.sin(3 * ang + 1.0) + 0.07 * np.sin(5 * ang + 2.0) + rng.normal(0, 0.04, n)
    x = 18_500 * wobble * np.cos(ang)
    y = 21_500 * wobble * np.sin(ang)
    return Polygon(np.column_stack([x, y]))


def township_polygons(outline: Polygon, rng: np.random.Generator) -> list[Polygon]:
    """Split ``outline`` [m] into irregular township polygons that tile it exactly.

    Fine Voronoi cells of random points are given to the nearest township seat (distance divided
    by the township's reach), so borders zig-zag like ridges; a detached piece goes to the
    neighbour it shares most border with, so each township is one polygon.
    """
    seats = np.array([t["seat_m"] for t in TOWNSHIPS], dtype=float)
    reach = np.array([t["reach"] for t in TOWNSHIPS], dtype=float)
    minx, miny, maxx, maxy = outline.bounds
    pts: list[tuple[float, float]] = []
    while len(pts) < 500:
        p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if outline.contains(Point(p)):
            pts.append(p)
    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=outline.buffer(5_000))
    cells = [c.intersection(outline) for c in cells.geoms]
    cells = [c for c in cells if not c.is_empty and c.area > 0]
    owner = []
    for c in cells:
        cx, cy = c.centroid.x, c.centroid.y
        owner.append(int(np.argmin(np.hypot(seats[:, 0] - cx, seats[:, 1] - cy) / reach)))
    for _ in range(10):  # merge detached pieces until every township is one polygon
        parts = [shapely.union_all([c for c, o in zip(cells, owner) if o == k]) for k in range(len(seats))]
        detached = False
        for k, geom in enumerate(parts):
            if geom.geom_type == "Polygon":
                continue
            main = max(geom.geoms, key=lambda g: g.area)
            for i, c in enumerate(cells):
                if owner[i] == k and not c.intersects(main):
                    border = [c.intersection(parts[j]).length if j != k else -1.0
                              for j in range(len(parts))]
                    owner[i] = int(np.argmax(border))
                    detached = True
        if not detached:
            return [p.buffer(0) for p in parts]
    raise RuntimeError("township polygons did not become connected")


def to_deg_polygon(poly: Polygon) -> Polygon:
    """A polygon [m] in WGS-84 degrees, vertices rounded to 1e-6 degrees."""
    x, y = np.asarray(poly.exterior.coords).T
    lon, lat = to_deg(x, y)
    return Polygon(np.column_stack([np.round(lon, 6), np.round(lat, 6)])).buffer(0)


def points_in(poly_m: Polygon, n: int, centres: list[tuple[float, float, float]], spread: float,
              rng: np.random.Generator) -> np.ndarray:
    """``n`` points [m] inside ``poly_m`` at least 200 m from its edge, clustered on ``centres``."""
    inner = poly_m.buffer(-200)
    w = np.array([c[2] for c in centres])
    out = []
    while len(out) < n:
        if rng.random() < 0.15:  # scattered farms and hamlets
            minx, miny, maxx, maxy = inner.bounds
            p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        else:
            cx, cy, _ = centres[int(rng.choice(len(centres), p=w / w.sum()))]
            p = (cx + rng.normal(0, spread), cy + rng.normal(0, spread))
        if inner.contains(Point(p)):
            out.append(p)
    return np.array(out)


# ------------------------------------------------------------------------------ tables
def build_townships(rng: np.random.Generator) -> tuple[pd.DataFrame, list[Polygon], list[Polygon]]:
    """Townships table, their polygons in degrees and in metres."""
    polys_m = township_polygons(outline_m(rng), rng)
    polys = [to_deg_polygon(p) for p in polys_m]
    rows = [{k: t[k] for k in ("township_code", "name_zh", "name_en", "kind", "population",
                               "population_source", "area_type")} for t in TOWNSHIPS]
    return pd.DataFrame(rows), polys, polys_m


def build_establishments(polys_m: list[Polygon], rng: np.random.Generator) -> pd.DataFrame:
    """The register: counts per business type and township from COUNTS, points in GCJ-02."""
    rows = []
    serial = 0
    for bt, per_town in COUNTS.items():
        spec = BUSINESS_TYPES[bt]
        for k, n in enumerate(per_town):
            if n == 0:
                continue
            town = TOWNSHIPS[k]
            seat = town["seat_m"]
            centres = [(seat[0], seat[1], 0.6)] + [(v[0], v[1], 0.4 / len(town["villages_m"]))
                                                     for v in town["villages_m"]]
            xy = points_in(polys_m[k], n, centres, town["spread_m"], rng)
            for j in range(n):
                serial += 1
                name, address = name_and_address(bt, town, j, rng)
                lon, lat = wgs_to_gcj(*to_deg(xy[j, 0], xy[j, 1]))
                grade = str(rng.choice(list("ABCD"), p=spec["grades"]))
                customers = int(rng.integers(*spec["customers"])) if spec["customers"] else None
                rows.append({
                    "主体编号": f"YL2026-{serial:04d}",
                    "主体名称": name,
                    "经营地址": address,
                    "乡镇代码": town["township_code"],
                    "环节": spec["stage_zh"],
                    "业态": bt,
                    "食品类别": ";".join(categories_for(bt, rng)),
                    "风险等级": grade,
                    "营业时间": opening_hours(bt, rng),
                    "许可证编号": spec["licence"](town, serial, rng),
                    "高德经度": round(float(lon), 6),
                    "高德纬度": round(float(lat), 6),
                    "日均客流": customers,
                })
    est = pd.DataFrame(rows)
    # a snack bar, two street vendors and a workshop were registered without a location
    for eid in ("YL2026-0071", "YL2026-0098", "YL2026-0104", "YL2026-0149"):
        est.loc[est["主体编号"] == eid, ["高德经度", "高德纬度"]] = None
    return est


def hidden_truth(est: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """True unqualified rate of every stratum present (township x business type x category)."""
    pairs = est[["乡镇代码", "业态", "食品类别"]].assign(食品类别=est["食品类别"].str.split(";"))
    pairs = pairs.explode("食品类别")
    strata = (pairs.groupby(["乡镇代码", "业态", "食品类别"]).size().rename("n_establishments")
              .reset_index().set_axis(["township_code", "business_type", "category_code",
                                       "n_establishments"], axis=1))
    effect = {t["township_code"]: t["effect"] for t in TOWNSHIPS}
    mean = (strata["category_code"].map(lambda c: CATEGORIES[c]["base_rate"])
            * strata["business_type"].map(lambda b: BUSINESS_TYPES[b]["rate_mult"])
            * strata["township_code"].map(effect) * 0.6).clip(upper=0.5)
    size = np.maximum(40.0, 2.0 / mean)  # prior size: alpha >= 2, so no rate is ~0
    strata["true_rate"] = np.round(rng.beta(mean * size, (1 - mean) * size), 6)
    return strata


def _working_days(start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    """Monday-Friday between start and end, without the main public holidays (roughly)."""
    days = pd.bdate_range(start, end)
    closed = np.zeros(len(days), dtype=bool)
    for year in range(start.year, end.year + 1):
        for a, b in (("01-01", "01-03"), ("01-20", "02-20"), ("05-01", "05-05"), ("10-01", "10-07")):
            closed |= (days >= f"{year}-{a}") & (days <= f"{year}-{b}")
    return days[~closed]


def _allowed(days: pd.DatetimeIndex, bt: str, cat: str) -> pd.DatetimeIndex:
    """Days on which this business type and category can be sampled (season, school term)."""
    keep = np.ones(len(days), dtype=bool)
    if CATEGORIES[cat].get("season"):
        keep &= days.month.isin(CATEGORIES[cat]["season"])
    if BUSINESS_TYPES[bt]["roles"] in ("school canteen", "kindergarten canteen"):
        keep &= ~(days.month.isin([7, 8]) | ((days.month == 1) & (days.day > 15)) | (days.month == 2))
    return days[keep]


def draw_samples(est: pd.DataFrame, truth: pd.DataFrame, n: int, start: dt.date, end: dt.date,
                 prefix: str, programmes: dict[str, float], rng: np.random.Generator) -> pd.DataFrame:
    """``n`` samples between ``start`` and ``end``, each a Bernoulli draw from its stratum's rate."""
    pairs = est[["主体编号", "乡镇代码", "业态", "风险等级"]].assign(
        cat=est["食品类别"].str.split(";")).explode("cat").reset_index(drop=True)
    grade_w = pairs["风险等级"].map({"A": 1.0, "B": 1.3, "C": 1.8, "D": 2.5})
    w = (grade_w * pairs["业态"].map(lambda b: BUSINESS_TYPES[b]["effort"])
         * pairs["cat"].map(lambda c: CATEGORIES[c]["effort"])).to_numpy()
    rate = pairs.merge(truth, left_on=["乡镇代码", "业态", "cat"],
                       right_on=["township_code", "business_type", "category_code"],
                       how="left")["true_rate"].to_numpy()
    days = _working_days(start, end)
    allowed = [_allowed(days, b, c) for b, c in zip(pairs["业态"], pairs["cat"])]
    w = w * np.array([len(a) > 0 for a in allowed])  # e.g. no wild mushrooms before June
    picks = rng.choice(len(pairs), size=n, p=w / w.sum())
    rows = []
    for i in picks:
        p = pairs.iloc[i]
        date = allowed[i][int(rng.integers(len(allowed[i])))].date()
        fail = bool(rng.random() < rate[i])
        rows.append((date, p["主体编号"], p["cat"], fail))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    out = []
    prog_names, prog_p = list(programmes), np.array(list(programmes.values()))
    for k, (date, eid, cat, fail) in enumerate(rows, start=1):
        hazard, status, fdate = "", "not_required", None
        if fail:
            hazard = str(rng.choice(HAZARDS[cat]))
            lag = int(rng.integers(7, 70))  # [days]; late ones are still pending at the reference date
            if date + dt.timedelta(days=lag) <= REFERENCE_DATE:
                status, fdate = "done", date + dt.timedelta(days=lag)
            else:
                status = "pending"
        out.append({"sample_id": f"{prefix}{date.year}-{k:04d}", "sample_date": date.isoformat(),
                    "establishment_id": eid, "category_code": cat,
                    "result": "fail" if fail else "pass", "hazard": hazard,
                    "followup_status": status,
                    "followup_date": fdate.isoformat() if fdate else "",
                    "programme": str(rng.choice(prog_names, p=prog_p / prog_p.sum()))})
    return pd.DataFrame(out)


def add_stages(results: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The optional follow-up stage columns (issue 14) on the plan year's results.

    Every result gets the date it reached the bureau (7-35 days after sampling, never after the
    follow-up or the reference date); an unqualified one may also have the business notified
    (2-6 days later), a re-test (one in six: upheld, overturned or still pending), a case filed
    (10-30 days after receipt, unless overturned; by the follow-up's completion when it is done)
    and closed (20-60 days later), each only when it happened by the reference date. Drawn from
    its own stream, so the other columns and files stay as they were.
    """
    out = results.copy()
    cols = {c: [] for c in ("result_received_date", "notified_date", "retest", "case_filed_date",
                            "case_closed_date")}

    def by_ref(d: dt.date | None) -> str:
        return d.isoformat() if d is not None and d <= REFERENCE_DATE else ""

    for r in out.itertuples(index=False):
        sampled = dt.date.fromisoformat(r.sample_date)
        received = sampled + dt.timedelta(days=int(rng.integers(7, 36)))
        if r.followup_date:
            received = min(received, dt.date.fromisoformat(r.followup_date))
        received = min(received, REFERENCE_DATE)
        cols["result_received_date"].append(received.isoformat())
        notified = retest = filed = closed = None
        if r.result == "fail":
            notified = received + dt.timedelta(days=int(rng.integers(2, 7)))
            if rng.random() < 1 / 6:
                retest = str(rng.choice(["upheld", "overturned", "requested"], p=[0.5, 0.3, 0.2]))
            if retest != "overturned":
                filed = received + dt.timedelta(days=int(rng.integers(10, 31)))
                closed = filed + dt.timedelta(days=int(rng.integers(20, 61)))
            if r.followup_date:  # a completed follow-up has served the notice and filed its case
                done = dt.date.fromisoformat(r.followup_date)
                notified = min(notified, done)
                filed = min(filed, done) if filed else None
        cols["notified_date"].append(by_ref(notified))
        cols["retest"].append(retest or "")
        filed_text = by_ref(filed)
        cols["case_filed_date"].append(filed_text)
        cols["case_closed_date"].append(by_ref(closed) if filed_text else "")
    for c, v in cols.items():
        out[c] = v
    return out


def build_history(est: pd.DataFrame, truth: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Samples 2023-2025 (about 200 a year), numbered per year."""
    progs = {"supervision": 0.6, "risk_monitoring": 0.3, "national": 0.1}
    years = [draw_samples(est, truth, n, dt.date(y, 1, 1), dt.date(y, 12, 31), "YL-JC", progs, rng)
             for y, n in ((2023, 190), (2024, 205), (2025, 210))]
    return pd.concat(years, ignore_index=True)


def build_complaints(est: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Consumer complaints 2023-01-01 .. the reference date; most name an establishment."""
    kinds = ["食物中毒疑似", "异物", "变质", "卫生条件差", "无证经营", "超过保质期", "野生菌中毒疑似"]
    days = pd.date_range("2023-01-01", REFERENCE_DATE)
    w = est["业态"].map(lambda b: BUSINESS_TYPES[b]["complaints"]).to_numpy()
    rows = []
    for _ in range(65):
        date = days[int(rng.integers(len(days)))].date()
        if rng.random() < 0.85:
            e = est.iloc[int(rng.choice(len(est), p=w / w.sum()))]
            cats = e["食品类别"].split(";")
            cat = str(rng.choice(cats)) if rng.random() < 0.7 else ""
            rows.append((date, e["主体编号"], e["乡镇代码"], cat))
        else:
            town = TOWNSHIPS[int(rng.integers(len(TOWNSHIPS)))]["township_code"]
            rows.append((date, "", town, ""))
    rows.sort(key=lambda r: r[0])
    return pd.DataFrame([{"complaint_id": f"YLTS-{k:04d}", "date": d.isoformat(),
                          "establishment_id": e, "township_code": t, "category_code": c,
                          "kind": "野生菌中毒疑似" if c == "F07" and rng.random() < 0.5
                          else str(rng.choice(kinds[:6]))}
                         for k, (d, e, t, c) in enumerate(rows, start=1)])


# ------------------------------------------------------------------------------ writing
def write_csv(df: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    """CSV with LF line ends; ``encoding`` ``gbk`` fails loudly on a character GBK lacks."""
    path.write_bytes(df.to_csv(index=False, lineterminator="\n").encode(encoding))


def write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """First sheet = the table; IDs and codes as text cells; fixed timestamps (byte-stable)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "经营主体名录"
    ws.append(list(df.columns))
    for rec in df.itertuples(index=False):
        ws.append([None if (v is None or (isinstance(v, float) and math.isnan(v))) else v
                   for v in rec])
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    # openpyxl stamps the time of writing on the zip entries and as "modified" in
    # docProps/core.xml (whatever wb.properties says): replace both with a fixed time
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*ZIP_TIME)
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


def _ring(poly: Polygon) -> list[list[float]]:
    return [[round(x, 6), round(y, 6)] for x, y in poly.exterior.coords]


def write_geojson(features: list[tuple[dict, Polygon]], path: Path) -> None:
    """A FeatureCollection (EPSG:4326), one feature per line."""
    lines = [json.dumps({"type": "Feature", "properties": props,
                         "geometry": {"type": "Polygon", "coordinates": [_ring(poly)]}},
                        ensure_ascii=False, separators=(",", ":")) for props, poly in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def write_metadata(path: Path) -> None:
    lines = [
        'name = "Yunling County (云岭县), an invented test district"',
        'district_code = "530999"',
        f"reference_date = {REFERENCE_DATE.isoformat()}",
        "plan_year = 2026",
        "population_year = 2025",
        'synthetic = ["townships", "establishments", "stations", "officers", "labs", "history", '
        '"results", "complaints", "categories", "business_types"]',
        "",
        "[provenance]",
        'all = "INVENTED by tests/districts/build_yunling.py (seeded): no such county exists. '
        'It is the second test district, unlike the embedded Ouhai data in codes, roles, size and '
        'geography (western Yunnan, UTM 47N)."',
        'establishments = "XLSX with Chinese headers; coordinates are GCJ-02 (Amap)."',
        'history = "GBK-encoded CSV with Chinese headers and values, drawn from a hidden true rate '
        'per stratum (tests/districts/yunling_truth.csv, outside this folder)."',
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _placed(rec: dict, before: list[str], after: list[str]) -> dict:
    """A station or lab row with WGS-84 coordinates (6 decimals) from its position ``at`` [m]."""
    lon, lat = to_deg(*rec["at"])
    return {**{k: rec[k] for k in before}, "lon_wgs84": f"{float(lon):.6f}",
            "lat_wgs84": f"{float(lat):.6f}", **{k: rec[k] for k in after}}


def build(out: Path, truth_path: Path) -> None:
    """Write the Yunling dataset folder ``out`` and its hidden truth ``truth_path``."""
    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True, exist_ok=True)
    town, polys, polys_m = build_townships(rng)
    est = build_establishments(polys_m, rng)
    truth = hidden_truth(est, rng)
    history = build_history(est, truth, rng)
    results = draw_samples(est, truth, 68, dt.date(2026, 1, 1), REFERENCE_DATE, "YL-JC",
                           {"risk_monitoring": 1.0}, rng)
    complaints = build_complaints(est, rng)
    results = add_stages(results, np.random.default_rng([SEED, 14]))

    write_metadata(out / "dataset.toml")
    write_csv(town, out / "townships.csv")
    area = [round(p.area / 1e6, 1) for p in polys_m]
    write_geojson([({"township_code": t["township_code"], "name_zh": t["name_zh"],
                     "approximate": True, "area_km2": a}, p)
                   for t, p, a in zip(TOWNSHIPS, polys, area)], out / "townships.geojson")
    outline = shapely.union_all(polys)
    write_geojson([({"district_code": DISTRICT["code"], "name_zh": DISTRICT["name_zh"],
                     "name_en": DISTRICT["name_en"]}, outline)], out / "district.geojson")
    write_xlsx(est, out / "establishments.xlsx")
    write_csv(pd.DataFrame([_placed(s, ["station_id", "name", "township_codes"], ["teams"])
                            for s in STATIONS]), out / "stations.csv")
    write_csv(pd.DataFrame(OFFICERS, columns=["officer_id", "name", "station_id"]),
              out / "officers.csv")
    write_csv(pd.DataFrame([_placed(LAB, ["lab_id", "name"], ["intake_open", "intake_cutoff", "address",
                                                      "capacity_per_day", "working_days"])]),
              out / "labs.csv")
    zh = history.rename(columns={
        "sample_id": "抽样单编号", "sample_date": "抽样日期", "establishment_id": "主体编号",
        "category_code": "食品类别代码", "result": "检验结论", "hazard": "不合格项目",
        "followup_status": "核查处置状态", "followup_date": "核查处置日期", "programme": "任务类别"})
    zh["检验结论"] = zh["检验结论"].map({"pass": "合格", "fail": "不合格"})
    zh["核查处置状态"] = zh["核查处置状态"].map(
        {"done": "已完成", "pending": "处置中", "not_required": "无需处置"})
    write_csv(zh, out / "history.csv", encoding="gbk")
    write_csv(results, out / "results.csv")
    write_csv(complaints, out / "complaints.csv")
    write_csv(pd.DataFrame([{"category_code": c, **{k: v for k, v in s.items()
                                                     if k not in ("base_rate", "effort", "season")}}
                            for c, s in CATEGORIES.items()]), out / "categories.csv")
    write_csv(pd.DataFrame([{"business_type": b, "stage": s["stage"], "name_zh": s["name_zh"],
                             "name_en": s["name_en"], "vulnerable": s["vulnerable"],
                             "roles": s["roles"], "note": s["note"]}
                            for b, s in BUSINESS_TYPES.items()]), out / "business_types.csv")
    write_csv(truth, truth_path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=HERE / "yunling", help="dataset folder to write")
    p.add_argument("--truth", type=Path, default=HERE / "yunling_truth.csv",
                   help="hidden true rates (kept outside the dataset folder)")
    args = p.parse_args(argv)
    build(args.out, args.truth)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
