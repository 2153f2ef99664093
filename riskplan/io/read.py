"""Reading a dataset folder: one table, ``dataset.toml``, the GeoJSON files, the whole folder.

Reading is forgiving about *form* and strict about *content*: CSV in UTF-8, UTF-8 with BOM or
GBK/GB18030, or an ``.xlsx`` of the same stem (first sheet); Chinese and English source headers
(:mod:`riskplan.io.aliases`); every cell typed with problems reported (:mod:`riskplan.io.convert`).
Cross-table checks are :mod:`riskplan.validation`'s; :func:`riskplan.datasets.read_dataset` reads
and validates.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from riskplan._problems import Problems
from riskplan.dataset import Dataset
from riskplan.errors import RiskplanError, ValidationError
from riskplan.io.aliases import standardize_columns
from riskplan.io.convert import convert_table, empty_table, resolve_coordinates
from riskplan.io.decode import FileProblem, decode_text, find_files, read_raw
from riskplan.schema import COORD_TABLES, TABLES

__all__ = ["read_table", "read_metadata", "read_geojson", "read_folder"]


def read_table(path: str | Path, table: str, problems: Problems | None = None) -> pd.DataFrame:
    """Read one table file (CSV in UTF-8/UTF-8-BOM/GBK/GB18030, or XLSX) into standard form.

    Parameters
    ----------
    path
        The ``.csv`` or ``.xlsx`` file.
    table
        Name of the table in :data:`riskplan.schema.TABLES`, e.g. ``"establishments"``.
    problems
        Collector to record problems into; when None, problems raise instead.

    Returns
    -------
    pandas.DataFrame
        Standard column names, typed columns (IDs as text), one row per data row of the file, in
        file order (row ``i`` of the file is index ``i - 1``). Unknown extra columns are kept.

    Raises
    ------
    ValidationError
        When ``problems`` is None and the file has error-level problems.
    """
    path = Path(path)
    spec = TABLES[table]
    own = Problems() if problems is None else problems
    file = path.name
    try:
        raw, row_problems = read_raw(path)
    except FileProblem as exc:
        own.add(file, exc.row, "", "", exc.en, exc.zh)
        df = empty_table(spec)
    except OSError as exc:
        own.add(file, None, "", "", f"cannot open the file: {exc.strerror}",
                f"无法打开文件：{exc.strerror}")
        df = empty_table(spec)
    else:
        for row, en, zh in row_problems:
            own.add(file, row or None, "", "", en, zh, "error" if row else "warning")
        raw = standardize_columns(raw, table, own, file)
        df = convert_table(raw, spec, own, file)
    if spec.name in COORD_TABLES and "has_location" not in df.columns:
        df = resolve_coordinates(df, own, file)
    if problems is None and own.has_errors:
        raise ValidationError(own.to_frame().query("level == 'error'").reset_index(drop=True))
    return df


def read_metadata(path: str | Path, problems: Problems | None = None) -> dict[str, Any]:
    """Read ``dataset.toml`` (see :data:`riskplan.schema.METADATA_KEYS`) and check its keys."""
    path = Path(path)
    own = Problems() if problems is None else problems
    file = path.name
    meta: dict[str, Any] = {}
    try:
        meta = tomllib.loads(decode_text(path))
    except FileNotFoundError:
        own.add(file, None, "", "", "missing file dataset.toml (name, reference_date, plan_year)",
                "缺少文件 dataset.toml（名称、基准日期、计划年度）")
    except FileProblem as exc:
        own.add(file, None, "", "", exc.en, exc.zh)
    except tomllib.TOMLDecodeError as exc:
        own.add(file, None, "", "", f"not valid TOML: {exc}", f"TOML 格式错误：{exc}")
    else:
        checks = (("name", str, "text", "文本"), ("district_code", str, "text", "文本"),
                  ("reference_date", dt.date, "a date (2026-06-30, unquoted)", "日期（不加引号）"),
                  ("plan_year", int, "an integer year", "整数年份"))
        for key, tp, en, zh in checks:
            if key not in meta:
                own.add(file, None, key, "", f"missing key '{key}'", f"缺少键 '{key}'")
            elif not isinstance(meta[key], tp) or isinstance(meta[key], (bool, dt.datetime)):
                own.add(file, None, key, meta[key], f"'{key}' must be {en}", f"'{key}' 应为{zh}")
                meta.pop(key)
        code = meta.get("district_code")
        if isinstance(code, str) and not re.fullmatch(r"\d{6}", code.strip()):
            own.add(file, None, "district_code", code,
                    "district_code must be the 6-digit administrative division code of the "
                    "district (县级行政区划代码, e.g. \"330304\"), written as text",
                    "district_code 应为 6 位县级行政区划代码（如 \"330304\"），写成文本")
            meta.pop("district_code")
        if "provenance" in meta and not isinstance(meta["provenance"], Mapping):
            own.add(file, None, "provenance", "", "'provenance' must be a table of texts",
                    "'provenance' 应为文本表")
            meta.pop("provenance")
    if problems is None and own.has_errors:
        raise ValidationError(own.to_frame().query("level == 'error'").reset_index(drop=True))
    return meta


def read_geojson(path: str | Path, table: str = "townships",
                 problems: Problems | None = None) -> gpd.GeoDataFrame | None:
    """Read a GeoJSON file into a GeoDataFrame in EPSG:4326 (properties renamed to standard).

    Returns None (and records a problem) when the file cannot be read.
    """
    path = Path(path)
    own = Problems() if problems is None else problems
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = msg.replace(f"'{path}'", path.name).replace(str(path), path.name).split(";")[0]
        own.add(path.name, None, "", "", f"cannot read the GeoJSON file: {msg}",
                f"无法读取该 GeoJSON 文件：{msg}")
        if problems is None:
            raise ValidationError(own.to_frame()) from None
        return None
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    elif gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    geom = gdf.geometry
    gdf = standardize_columns(gdf.drop(columns=geom.name), table).set_geometry(geom)
    return gdf


def read_folder(folder: str | Path) -> tuple[Dataset, Problems]:
    """Read everything readable in ``folder``, without cross-table checks.

    Returns
    -------
    tuple
        The :class:`~riskplan.dataset.Dataset` (cells that did not convert are empty) and the
        problems found while reading.

    Raises
    ------
    RiskplanError
        If ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RiskplanError(f"dataset folder not found: {folder} / 找不到数据文件夹：{folder}")
    problems = Problems()
    meta = read_metadata(folder / "dataset.toml", problems)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name, spec in TABLES.items():
        found = find_files(folder, name)
        path = found[0] if found else None
        if len(found) > 1:  # the first is still read, so that its own problems are reported too
            both = " and ".join(p.name for p in found)
            problems.add(found[0].name, None, "", "",
                         f"two files for the table {name}: {both}; keep only one",
                         f"同一张表 {name} 有多个文件：{both}，请只保留一个")
        if path is None:
            if not spec.optional:
                problems.add(spec.file, None, "", "",
                             f"missing file {spec.file} (or {name}.xlsx)",
                             f"缺少文件 {spec.file}（或 {name}.xlsx）")
            tables[name] = convert_table(empty_table(spec), spec, Problems(), spec.file)
            files[name] = spec.file
            continue
        files[name] = path.name
        tables[name] = read_table(path, name, problems)

    # township polygons
    town = tables["townships"]
    geo_path = folder / "townships.geojson"
    geometry = pd.Series([None] * len(town), index=town.index, dtype=object)
    if not geo_path.is_file():
        problems.add("townships.geojson", None, "", "", "missing file townships.geojson",
                     "缺少文件 townships.geojson（乡镇边界）")
    else:
        gdf = read_geojson(geo_path, "townships", problems)
        if gdf is not None and "township_code" not in gdf.columns:
            problems.add("townships.geojson", None, "township_code", "",
                         "features have no 'township_code' property",
                         "要素缺少 'township_code' 属性")
        elif gdf is not None:
            codes = gdf["township_code"].map(
                lambda v: v if v is None or pd.isna(v) else str(v).strip())
            dup = codes.duplicated(keep="first") & codes.notna()
            for i in np.flatnonzero(dup.to_numpy()):
                problems.add("townships.geojson", int(i) + 1, "township_code", codes.iloc[i],
                             "duplicate township polygon", "乡镇边界重复")
            known = set(town["township_code"].dropna())
            for row, code in enumerate(codes, start=1):
                if code is not None and not pd.isna(code) and code not in known:
                    problems.add("townships.geojson", row, "township_code", code,
                                 "polygon of a township not in townships.csv",
                                 "该边界对应的乡镇不在 townships.csv 中")
            lookup = dict(zip(codes[~dup], gdf.geometry[~dup.to_numpy()]))
            geometry = town["township_code"].map(lambda c: lookup.get(c)).astype(object)
            geometry = geometry.where(geometry.map(lambda g: isinstance(g, BaseGeometry)), None)
    townships = gpd.GeoDataFrame(town, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)
    for axis, col in (("x", "centroid_lon_wgs84"), ("y", "centroid_lat_wgs84")):
        fill = townships[col].isna() & townships.geometry.notna()
        if fill.any():
            pts = townships.geometry[fill].representative_point()
            townships.loc[fill, col] = getattr(pts, axis)
    tables["townships"] = townships

    district = None
    d_path = folder / "district.geojson"
    if d_path.is_file():
        district = read_geojson(d_path, "district", problems)
        if district is not None and (len(district) == 0 or district.geometry.isna().all()):
            problems.add("district.geojson", None, "", "", "no district outline in the file",
                         "文件中没有区域边界")
            district = None

    reference_date = meta.get("reference_date")
    dataset = Dataset(
        **tables,
        name=str(meta.get("name", folder.name)),
        district_code=str(meta.get("district_code", "")),
        reference_date=reference_date if isinstance(reference_date, dt.date) else None,
        plan_year=meta.get("plan_year") if isinstance(meta.get("plan_year"), int) else None,
        description=describe(meta, tables),
        metadata=meta,
        source=folder,
        district=district,
    )
    dataset.metadata.setdefault("files", files)
    return dataset, problems


def describe(meta: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> str:
    """Text description of a dataset from its metadata and provenance."""
    name = meta.get("name", "dataset")
    lines = [str(name)]
    bits = []
    if meta.get("district_code"):
        bits.append(f"district code {meta['district_code']}")
    if meta.get("reference_date"):
        bits.append(f"data frozen at {meta['reference_date']}")
    if meta.get("plan_year"):
        bits.append(f"plan year {meta['plan_year']}")
    if meta.get("population_year"):
        bits.append(f"population of {meta['population_year']}")
    if bits:
        lines.append("; ".join(bits) + ".")
    synthetic = set(meta.get("synthetic", []) or [])
    provenance = meta.get("provenance", {}) or {}
    lines.append("")
    lines.append("Tables (rows) and where they came from:")
    for t, df in tables.items():
        flag = " [SYNTHETIC]" if t in synthetic else ""
        src = provenance.get(t, "(no provenance given)")
        lines.append(f"- {t} ({len(df)} rows){flag}: {src}")
    for key, src in provenance.items():
        if key not in tables:
            lines.append(f"- {key}: {src}")
    return "\n".join(lines)
