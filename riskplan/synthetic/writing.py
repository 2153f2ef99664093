"""Write a built synthetic district as a dataset folder, byte for byte reproducibly.

Fixed row order, every cell formatted as text before writing, UTF-8, LF line endings, no
timestamps.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from shapely.geometry import LinearRing, Polygon
from shapely.geometry.polygon import orient

from riskplan.synthetic.district import SyntheticDistrict


@dataclasses.dataclass(frozen=True)
class DatasetMeta:
    """What ``dataset.toml`` says about a district beyond its spec.

    Attributes
    ----------
    name
        Human-readable name, e.g. ``Ouhai District (瓯海区), Wenzhou``.
    synthetic
        Names of the synthetic tables.
    provenance
        Where each table came from, one text per table, in output order.
    """

    name: str
    synthetic: tuple[str, ...]
    provenance: Mapping[str, str]


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as UTF-8 CSV with LF line endings, every cell text (so float formatting is fixed)."""
    out = df.astype(object).where(df.notna(), "")
    out = out.map(lambda v: v if isinstance(v, str) else str(v))
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _geojson_coords(geom: Polygon) -> list[list[list[float]]]:
    poly = orient(geom, 1.0)  # RFC 7946: exterior counter-clockwise

    def ring(r: LinearRing) -> list[list[float]]:
        return [[round(x, 6), round(y, 6)] for x, y in r.coords]

    return [ring(poly.exterior)] + [ring(i) for i in poly.interiors]


def write_geojson(features: list[tuple[dict[str, Any], Polygon]], path: Path) -> None:
    """A FeatureCollection of polygons, one feature per line (readable diffs), 6 decimals."""
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props,
             "geometry": {"type": "Polygon", "coordinates": _geojson_coords(geom)}}
            for props, geom in features
        ],
    }
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    text = text.replace('{"type":"Feature",', '\n{"type":"Feature",')
    path.write_text(text + "\n", encoding="utf-8", newline="\n")


def write_outline(geom: Polygon, path: Path, district_code: str, name_zh: str, name_en: str,
                  source: str) -> None:
    """``district.geojson``: the outline with its code, names and source."""
    props = {"district_code": district_code, "name_zh": name_zh, "name_en": name_en,
             "source": source}
    write_geojson([(props, geom)], path)


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def write_dataset_toml(district: SyntheticDistrict, meta: DatasetMeta, path: Path) -> None:
    """``dataset.toml``: name, code, reference date, plan and population year, provenance."""
    spec = district.spec
    lines = [
        f"name = {_toml_str(meta.name)}",
        f"district_code = {_toml_str(spec.code)}",
        f"reference_date = {spec.reference_date.isoformat()}",
        f"plan_year = {spec.plan_year}",
        f"population_year = {spec.population_year}",
        "synthetic = [" + ", ".join(_toml_str(s) for s in meta.synthetic) + "]",
        "",
        "[provenance]",
    ]
    lines += [f"{k} = {_toml_str(v)}" for k, v in meta.provenance.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def write_district(district: SyntheticDistrict, meta: DatasetMeta, out: Path) -> None:
    """Write every file of the dataset into ``out`` (created if needed).

    Parameters
    ----------
    district
        The built district.
    meta
        Name, synthetic tables and provenance for ``dataset.toml``.
    out
        Target folder; existing files of the same names are overwritten.
    """
    spec = district.spec
    out.mkdir(parents=True, exist_ok=True)
    write_outline(spec.outline, out / "district.geojson", spec.code, spec.naming.district_zh,
                  spec.naming.district_en, spec.outline_source)
    towns = district.townships
    write_csv(towns.drop(columns="area_km2").assign(
        population=towns["population"].astype(str),
        centroid_lon_wgs84=towns["centroid_lon_wgs84"].map(lambda x: f"{x:.6f}"),
        centroid_lat_wgs84=towns["centroid_lat_wgs84"].map(lambda x: f"{x:.6f}"),
    ), out / "townships.csv")
    write_geojson([
        ({"township_code": r["township_code"], "name_zh": r["name_zh"], "approximate": True,
          "area_km2": round(float(r["area_km2"]), 2)}, p)
        for (_, r), p in zip(towns.iterrows(), district.polygons, strict=True)
    ], out / "townships.geojson")
    for name in ("categories", "business_types", "establishments", "stations", "officers",
                 "labs", "history", "results", "complaints"):
        write_csv(getattr(district, name), out / f"{name}.csv")
    if district.targets is not None and district.target_actuals is not None:
        (out / "creation_targets.csv").write_bytes(district.targets.creation_targets_csv)
        write_csv(district.target_actuals, out / "target_actuals.csv")
    write_dataset_toml(district, meta, out / "dataset.toml")
