"""Typing the cells of a table: conversion, emptiness, allowed values, ranges, coordinates.

A cell that does not convert is reported (file, 1-based data row, column, value, reason) and left
empty, never silently dropped. GCJ-02 (``lon_gcj02``/``lat_gcj02``) and BD-09 (``lon_bd09``/
``lat_bd09``) coordinates are converted to WGS-84 with :mod:`prcoords`; ``coord_source`` records
the datum of each row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import prcoords

from riskplan._problems import Problems
from riskplan.io.aliases import VALUE_ALIASES
from riskplan.schema import COORD_PAIRS, COORD_TABLES, Column, Table
from riskplan.tables import FALSE_TEXTS, TRUE_TEXTS, split_list
from riskplan.timeofday import parse_hhmm, split_windows

__all__ = ["as_text", "convert_column", "convert_table", "empty_column", "empty_table",
           "resolve_coordinates"]

_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


def as_text(series: pd.Series) -> pd.Series:
    """A column of any dtype as text cells (missing stays missing), for uniform parsing."""
    if isinstance(series.dtype, pd.StringDtype):
        return series.where(series != "", np.nan)
    if pd.api.types.is_datetime64_any_dtype(series):
        text = series.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_bool_dtype(series):
        text = series.map(lambda v: v if pd.isna(v) else ("true" if v else "false"))
    else:
        text = series.map(lambda v: v if (v is None or (not isinstance(v, (list, tuple))
                                                           and pd.isna(v))) else str(v).strip())
    return text.astype(object).where(series.notna() & (text.astype(object) != ""), None)


def per_distinct(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` computed once per distinct cell (dates, times and hours repeat down a column).

    The cache lives as long as the returned function: one column's conversion.
    """
    seen: dict[tuple[type, Any], Any] = {}

    def cached(v: Any) -> Any:
        key = (type(v), v)  # True and 1 apart
        try:
            return seen[key]
        except KeyError:
            out = seen[key] = fn(v)
            return out
        except TypeError:  # unhashable
            return fn(v)

    return cached


def convert_column(raw: pd.Series, col: Column) -> tuple[pd.Series, pd.Series, str, str]:
    """Convert a text column; returns (typed, bad mask, English reason, Chinese reason)."""
    present = raw.notna()
    bad = pd.Series(False, index=raw.index)
    if col.dtype in ("int", "float"):
        cleaned = raw.where(~present, raw.astype(object).map(
            lambda v: v if v is None else str(v).replace(",", "").replace("，", "")))
        num = pd.to_numeric(cleaned, errors="coerce")
        bad = present & num.isna()
        if col.dtype == "int":
            frac = present & num.notna() & (num != np.floor(num.fillna(0)))
            if frac.any():
                num = num.where(~frac)
                bad = bad | frac
            typed = num.astype("Int64")
            if not typed.isna().any():
                typed = typed.astype("int64")
            return typed, bad, "not a whole number", "不是整数"
        return num.astype("float64"), bad, "not a number", "不是数字"
    if col.dtype == "bool":
        low = raw.map(lambda v: v if v is None or pd.isna(v) else str(v).strip().lower())
        val = low.map(lambda v: True if v in TRUE_TEXTS else (False if v in FALSE_TEXTS else None))
        bad = present & val.isna()
        typed = val.astype("boolean")
        if not typed.isna().any():
            typed = typed.astype(bool)
        return typed, bad, "not a boolean (true/false)", "不是布尔值（true/false）"
    if col.dtype == "date":
        def norm_date(v: Any) -> Any:
            if v is None or pd.isna(v):
                return None
            m = _DATE_RE.match(str(v).strip())
            if not m:
                return "bad"
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"

        iso = raw.map(per_distinct(norm_date))
        parsed = pd.to_datetime(iso.where(iso != "bad"), format="%Y-%m-%d", errors="coerce")
        bad = present & parsed.isna()
        return parsed.astype("datetime64[ns]"), bad, "not a date YYYY-MM-DD", "不是日期（YYYY-MM-DD）"
    if col.dtype == "time":
        def norm_time(v: Any) -> Any:
            if v is None or pd.isna(v):
                return None
            try:
                minutes = parse_hhmm(str(v))
            except ValueError:
                return "bad"
            return f"{minutes // 60:02d}:{minutes % 60:02d}"

        normed = raw.map(per_distinct(norm_time))
        bad = present & (normed == "bad")
        out = normed.where(normed.notna() & ~bad, np.nan).astype("str")
        return out, bad, "not a time of day HH:MM", "不是时间（HH:MM）"
    if col.dtype == "windows":
        def norm_windows(v: Any) -> Any:
            if v is None or pd.isna(v):
                return None
            try:
                ws = split_windows(str(v))
            except ValueError:
                return "bad"
            if not ws:
                return None
            return ";".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in ws)

        normed = raw.map(per_distinct(norm_windows))
        bad = present & (normed == "bad")
        out = normed.where(normed.notna() & ~bad, np.nan).astype("str")
        return (out, bad, "not a list of time windows HH:MM-HH:MM",
                "不是营业时段（HH:MM-HH:MM，多个用 ; 分隔）")
    if col.dtype == "list":
        items = split_list(raw)
        out = pd.Series([";".join(x) if x else np.nan for x in items], index=raw.index,
                        dtype="str")
        return out, bad, "", ""
    # id / str
    text = raw.astype("str")
    if col.name in VALUE_ALIASES:
        aliases = VALUE_ALIASES[col.name]
        text = text.map(lambda v: aliases.get(v, v) if isinstance(v, str) else v).astype("str")
    return text, bad, "", ""


def convert_table(df: pd.DataFrame, table: Table, problems: Problems,
                   file: str) -> pd.DataFrame:
    """Type-convert every schema column of ``df`` and check cells; report into ``problems``."""
    out = df.copy()
    coord_cols = {c for _, lon, lat in COORD_PAIRS for c in (lon, lat)}
    has_coords_alt = table.name in COORD_TABLES
    for col in table.columns:
        if col.name not in out.columns:
            alt_ok = has_coords_alt and col.name in coord_cols and any(
                lon in out.columns or lat in out.columns for _, lon, lat in COORD_PAIRS[1:])
            if col.required and not alt_ok:
                extra = (" (or lon_gcj02/lat_gcj02, lon_bd09/lat_bd09)"
                         if col.name in coord_cols else "")
                problems.add(file, None, col.name, "",
                             f"required column '{col.name}' is missing{extra}",
                             f"缺少必填列 '{col.name}'{extra}")
            out[col.name] = empty_column(col, len(out), out.index)
            continue
        raw = as_text(out[col.name])
        typed, bad, en, zh = convert_column(raw, col)
        for i in np.flatnonzero(bad.to_numpy()):
            problems.add(file, int(i) + 1, col.name, raw.iloc[i], en, zh)
        empty = raw.isna() | bad
        if not col.nullable and not (has_coords_alt and col.name in coord_cols):
            for i in np.flatnonzero((raw.isna()).to_numpy()):
                problems.add(file, int(i) + 1, col.name, "", "value is missing",
                             "缺少数值（该项必填）")
        if col.allowed:
            ok = typed.isin(col.allowed) | empty
            for i in np.flatnonzero((~ok).to_numpy()):
                problems.add(file, int(i) + 1, col.name, raw.iloc[i],
                             f"must be one of {', '.join(col.allowed)}",
                             f"取值必须是 {', '.join(col.allowed)} 之一")
        if col.min is not None or col.max is not None:
            num = pd.to_numeric(typed, errors="coerce")
            low = pd.Series(False, index=num.index)
            if col.min is not None:
                low = (num <= col.min) if col.min_exclusive else (num < col.min)
            high = (num > col.max) if col.max is not None else pd.Series(False, index=num.index)
            rng = col.allowed_text
            for i in np.flatnonzero(((low | high) & ~empty).fillna(False).to_numpy()):
                problems.add(file, int(i) + 1, col.name, raw.iloc[i],
                             f"out of range (must be {rng})", f"超出允许范围（应 {rng}）")
        out[col.name] = typed
    if table.name in COORD_TABLES:
        out = resolve_coordinates(out, problems, file)
    return out


def empty_column(col: Column, n: int, index: pd.Index) -> pd.Series:
    """An all-missing column of the pandas dtype that ``col`` converts to.

    Parameters
    ----------
    col
        The column's declaration.
    n
        Number of rows.
    index
        Index of the new column (length ``n``).

    Returns
    -------
    pandas.Series
        ``Int64``/``boolean`` columns hold ``<NA>``, the others ``NaN``/``NaT``; text is ``str``.
    """
    dtype = {"int": "Int64", "float": "float64", "bool": "boolean", "date": "datetime64[ns]"}.get(
        col.dtype, "str")
    return pd.Series([pd.NA if dtype in ("Int64", "boolean") else np.nan] * n, index=index,
                     dtype=dtype)


def empty_table(table: Table) -> pd.DataFrame:
    """A table with every declared column of ``table``, no rows, and the converted dtypes."""
    return pd.DataFrame({c.name: empty_column(c, 0, pd.RangeIndex(0)) for c in table.columns})


def _apply_datum_column(df: pd.DataFrame) -> pd.DataFrame:
    """Move ``lon_wgs84``/``lat_wgs84`` of rows whose ``coord_datum`` is GCJ-02 or BD-09 to that pair.

    A row keeps a value already given in the other pair's own columns; its WGS-84 cells are then
    emptied all the same (they were declared to be in another datum).
    """
    datum = df["coord_datum"]
    out = df.copy()
    for name, lon_col, lat_col in COORD_PAIRS[1:]:
        rows = (datum == name).fillna(False).to_numpy(dtype=bool)
        if not rows.any():
            continue
        for src, dst in (("lon_wgs84", lon_col), ("lat_wgs84", lat_col)):
            if dst not in out.columns:
                out[dst] = pd.Series([None] * len(out), index=out.index, dtype="str")
            moved = as_text(out[src].astype(object)).astype("str")
            target = as_text(out[dst].astype(object)).astype("str")
            take = rows & target.isna().to_numpy() & moved.notna().to_numpy()
            out[dst] = target.where(~take, moved)
            out[src] = out[src].where(~rows)
    return out


PAIR_TOLERANCE_M = 50.0
"""Largest distance [m] between two coordinate pairs of one row (e.g. WGS-84 and GCJ-02) after
conversion: the GCJ-02 offset itself is hundreds of metres, the conversion and rounding of the
given decimals a few."""

_PAIR_NAMES = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09"}


def _to_wgs84(datum: str, lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 longitude and latitude [degrees] of a point given in ``datum``."""
    if datum == "wgs84" or not prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)):
        return lon, lat  # no datum shift outside China; the validator flags such points
    convert = prcoords.gcj_wgs_bored if datum == "gcj02" else prcoords.bd_wgs_bored
    c = convert(prcoords.Coords(lat, lon), False)
    return c.lon, c.lat


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance [m] between two WGS-84 points."""
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * 6_371_008.8 * np.arcsin(np.sqrt(min(1.0, h))))


def resolve_coordinates(df: pd.DataFrame, problems: Problems, file: str) -> pd.DataFrame:
    """Fill ``lon_wgs84``/``lat_wgs84`` from GCJ-02 / BD-09 columns; set ``coord_source``.

    A row may give several pairs; the first complete one (WGS-84, GCJ-02, BD-09) is used, and
    each other pair must lie within :data:`PAIR_TOLERANCE_M` of it after conversion (an error
    naming the row and both pairs otherwise). Rows whose ``coord_datum`` is ``gcj02`` or ``bd09``
    give their ``lon_wgs84``/``lat_wgs84`` cells in that datum; they are converted like the
    ``lon_gcj02``/``lon_bd09`` columns.
    """
    if "coord_datum" in df.columns:
        df = _apply_datum_column(df)
    n = len(df)
    lon = df["lon_wgs84"].to_numpy(dtype=float, na_value=np.nan).copy()
    lat = df["lat_wgs84"].to_numpy(dtype=float, na_value=np.nan).copy()
    source = np.full(n, None, dtype=object)
    filled = np.zeros(n, dtype=bool)  # source[i] is set
    pair: dict[int, tuple[float, float]] = {}  # the pair as given, of the datum in source
    for datum, lon_col, lat_col in COORD_PAIRS:
        if lon_col not in df.columns and lat_col not in df.columns:
            continue
        if datum == "wgs84":
            x, y = lon, lat
        else:
            conv = Column(lon_col, "float", "", nullable=True)
            x, y = (np.full(n, np.nan), np.full(n, np.nan))
            for arr_name, c in (("x", lon_col), ("y", lat_col)):
                if c not in df.columns:
                    continue
                raw = as_text(df[c])
                typed, bad, en, zh = convert_column(raw, conv)
                for i in np.flatnonzero(bad.to_numpy()):
                    problems.add(file, int(i) + 1, c, raw.iloc[i], en, zh)
                vals = typed.to_numpy(dtype=float, na_value=np.nan)
                if arr_name == "x":
                    x = vals
                else:
                    y = vals
                df[c] = typed
        half = np.isnan(x) != np.isnan(y)
        for i in np.flatnonzero(half & ~filled):
            problems.add(file, int(i) + 1, lon_col if np.isnan(x[i]) else lat_col, "",
                         "longitude and latitude must be given together",
                         "经度和纬度必须同时填写")
        given = ~np.isnan(x) & ~np.isnan(y)
        for r in map(int, np.flatnonzero(given)):
            lo, la = _to_wgs84(datum, x[r], y[r])
            if filled[r]:  # a second pair for the row: it must be the same place
                gap = _metres(lon[r], lat[r], lo, la)
                if gap > PAIR_TOLERANCE_M:
                    kept = f"{_PAIR_NAMES[str(source[r])]} pair ({pair[r][0]:.6f}, {pair[r][1]:.6f})"
                    other = f"{_PAIR_NAMES[datum]} pair ({x[r]:.6f}, {y[r]:.6f})"
                    problems.add(file, r + 1, lon_col, f"{x[r]:.6f}, {y[r]:.6f}",
                                 f"the {kept} and the {other} are {gap:,.0f} m apart after "
                                 f"conversion to WGS-84 (more than {PAIR_TOLERANCE_M:.0f} m): give "
                                 "one pair, or correct the wrong one",
                                 f"{kept} 与 {other} 换算为 WGS-84 后相距 {gap:,.0f} 米（超过 "
                                 f"{PAIR_TOLERANCE_M:.0f} 米）：请只保留一组坐标或改正错误的一组")
                continue
            lon[r], lat[r], source[r] = lo, la, datum
            pair[r] = (x[r], y[r])
            filled[r] = True
    # rows whose WGS-84 cells are incomplete and not filled from another datum stay empty
    lon[~filled], lat[~filled] = np.nan, np.nan
    df["lon_wgs84"] = lon
    df["lat_wgs84"] = lat
    df["coord_source"] = pd.Series(source, index=df.index, dtype="str")
    if "has_location" in df.columns:
        df = df.drop(columns="has_location")
    df["has_location"] = filled
    return df


