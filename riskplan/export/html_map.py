"""Interactive HTML route map, one per month: ``maps/<YYYY-MM>.html``, a single file that works offline.

The page holds everything it needs: the viewer (``map_viewer/viewer.js`` and ``viewer.css``,
riskplan's own code, no library) and the month's data as JSON, inlined. It draws on SVG: the
district's townships as the context layer, the stations and labs, and one layer per station,
team and day (the route from the station through the stops to where it ends, and the numbered
stops). Pan (drag, touch), zoom (wheel, pinch, double-click, buttons) with a scale bar; a check
box per layer; clicking a stop shows its team-sheet row (arrival, window, what to sample, ...)
and links that start navigation in AMap or Baidu Maps.

A Content-Security-Policy forbids every request the page could make (no script, style, font or
image from elsewhere), so the map cannot leak to or wait on a network. ``export.map_tiles``
adds an online tile layer (an XYZ URL template such as OpenStreetMap's): the policy then allows
images from that one origin only. Tiles must be WGS-84 Web Mercator (OpenStreetMap and most
international providers); Chinese providers' tiles are GCJ-02 and would appear shifted by a few
hundred metres.

Output is deterministic: the same plan gives byte-identical files (no timestamps, sorted data).
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from riskplan.export.atomic import write_text
from riskplan.export.geojson import route_lab
from riskplan.export.headers import Lang, header

__all__ = ["ROW_COLUMNS", "month_map_data", "month_map_html", "month_map_pages", "write_month_maps"]

ROW_COLUMNS = ("stop_order", "arrival", "window", "establishment_name", "address", "township_name",
               "categories_to_sample_names", "units", "samples", "cold_chain", "lab_deadline",
               "officer_names", "establishment_id", "visit_id")
"""Columns of a stop's team-sheet row shown when it is clicked, in this order (those present)."""

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#7f7f7f")
"""Colours of the team-day layers, in turn."""

VIEWER = Path(__file__).resolve().parent / "map_viewer"
"""The viewer's JavaScript and CSS (package data, inlined into every page)."""

SIMPLIFY = 0.0002
"""Tolerance of the township outlines [degrees] (about 20 m): keeps the file small."""

TEXT: dict[Lang, dict[str, str]] = {
    "zh": {"title": "路线图", "layers": "图层（所站·小组·日期）", "all": "全部", "none": "全不选",
           "station": "所站", "lab": "检验机构", "stop": "点位", "amap": "高德导航", "baidu": "百度导航",
           "unlocated": "{n} 个点位无坐标，未在图上", "stops": "{n} 个点位", "team": "第{t}组",
           "cold_yes": "是", "cold_no": "否", "fit": "全图", "offline": "离线地图：乡镇边界为底图"},
    "en": {"title": "route map", "layers": "Layers (station, team, day)", "all": "all", "none": "none",
           "station": "station", "lab": "lab", "stop": "stop", "amap": "AMap navigation",
           "baidu": "Baidu navigation", "unlocated": "{n} stops have no coordinates and are not on the map",
           "stops": "{n} stop{s}", "team": "team {t}", "cold_yes": "yes", "cold_no": "no", "fit": "fit",
           "offline": "offline map: township outlines as the background"},
}
WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def _round(x: float, decimals: int) -> float:
    return round(float(x), decimals)


def _cell(value: Any, column: str, text: Mapping[str, str]) -> str:
    if column == "cold_chain":
        return text["cold_yes"] if bool(value) else text["cold_no"]
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rings(geom: Any, decimals: int) -> list[list[list[float]]]:
    """Exterior and interior rings of a (multi)polygon as [lon, lat] lists, simplified."""
    if geom is None or geom.is_empty:
        return []
    geom = geom.simplify(SIMPLIFY, preserve_topology=True)
    polys = list(getattr(geom, "geoms", [geom]))
    rings: list[list[list[float]]] = []
    for poly in polys:
        for ring in (poly.exterior, *poly.interiors):
            rings.append([[_round(x, decimals), _round(y, decimals)] for x, y, *_ in ring.coords])
    return rings


def _townships(townships: Any, lang: Lang, decimals: int) -> list[dict[str, Any]]:
    if townships is None or not len(townships):
        return []
    name_col = "name_zh" if lang == "zh" and "name_zh" in townships.columns else (
        "name_en" if "name_en" in townships.columns else None)
    out = []
    for i, geom in enumerate(townships.geometry):
        rings = _rings(geom, decimals)
        if not rings:
            continue
        pt = geom.representative_point()
        name = str(townships[name_col].iloc[i]) if name_col else str(townships["township_code"].iloc[i])
        out.append({"name": name, "rings": rings, "label": [_round(pt.x, decimals), _round(pt.y, decimals)]})
    return out


def _team_text(team: Any, text: Mapping[str, str]) -> str:
    t = str(team)
    return text["team"].format(t=t[:-2] if t.endswith(".0") else t)


def month_map_data(
    stops: pd.DataFrame,
    depots: Mapping[str, tuple[float, float]],
    *,
    station_names: Mapping[str, str] | None = None,
    townships: Any = None,
    labs: pd.DataFrame | None = None,
    lang: Lang = "zh",
    tiles: str = "",
    attribution: str = "",
    decimals: int = 6,
) -> dict[str, Any]:
    """The JSON the viewer draws for one month's stops.

    Parameters
    ----------
    stops
        The month's stops as in ``stops.csv`` (field-team columns, ``lon_wgs84`` / ``lat_wgs84``
        [degrees]), with ``lab_lon`` / ``lab_lat`` on the stops of routes that end at a lab.
    depots
        ``station_id`` -> (lon, lat) [degrees]: where each route starts (and ends, if not at a lab).
    station_names
        ``station_id`` -> name, for the layer labels.
    townships
        GeoDataFrame of the district's townships (WGS-84), the context layer; None for none.
    labs
        The labs table (``lab_id``, ``name``, ``lon_wgs84``, ``lat_wgs84``), drawn as squares.
    lang
        Language of the labels and of the sheet-row headers.
    tiles, attribution
        Optional XYZ tile URL template and its attribution text (``export.map_tiles``).
    decimals
        Decimals kept in coordinates [-].

    Returns
    -------
    dict
        ``layers`` (one per station, team and day, in that order, each with ``path`` and
        ``stops``), ``townships``, ``stations``, ``labs``, ``bounds`` ([[lon, lat], [lon, lat]]),
        ``unlocated`` (stops without coordinates, not drawn), ``text``, ``tiles``.
    """
    text = TEXT[lang]
    names = dict(station_names or {})
    located = stops["lon_wgs84"].notna() & stops["lat_wgs84"].notna()
    cols = [c for c in ROW_COLUMNS if c in stops.columns]
    layers: list[dict[str, Any]] = []
    xs: list[float] = []
    ys: list[float] = []
    keyed = stops[located].assign(_d=stops["date"].astype(str), _s=stops["station_id"].astype(str),
                                  _t=stops["team"].astype(str))
    # rows as dicts, made once: a pandas row or sub-table per stop costs more than the rest
    records = keyed.to_dict("records")
    order = keyed["stop_order"].to_numpy()
    routes = keyed.groupby(["_d", "_s", "_t"], sort=True).indices
    for day, sid, team in sorted(routes):
        rows = routes[(day, sid, team)]
        rows = rows[np.argsort(order[rows], kind="stable")]
        grp = [records[i] for i in rows]
        depot = depots.get(sid)
        path = [[_round(r["lon_wgs84"], decimals), _round(r["lat_wgs84"], decimals)] for r in grp]
        end = route_lab(keyed.iloc[rows[:1]]) or depot
        route = ([[_round(depot[0], decimals), _round(depot[1], decimals)]] if depot else []) + path + (
            [[_round(end[0], decimals), _round(end[1], decimals)]] if end else [])
        when = pd.Timestamp(day)
        station = f"{names[sid]} ({sid})" if names.get(sid) else sid
        n = len(grp)
        layer_stops = []
        for (x, y), row in zip(path, grp):
            layer_stops.append({
                "n": int(row["stop_order"]), "lon": x, "lat": y,
                "name": str(row.get("establishment_name", "")), "arrival": str(row.get("arrival", "")),
                "row": [[header(c, lang), _cell(row[c], c, text), c] for c in cols],
                "links": [[text[k], str(row[c])] for k, c in (("amap", "amap_url"), ("baidu", "baidu_url"))
                          if c in row and str(row[c]).startswith("https://")],
            })
        xs += [p[0] for p in route]
        ys += [p[1] for p in route]
        layers.append({
            "id": f"{sid}|{team}|{day}", "date": day, "station": sid, "team": team,
            "day_label": f"{day} {WEEKDAYS[lang][when.day_of_week]}",
            "label": f"{station} {_team_text(team, text)} · {text['stops'].format(n=n, s='s' * (n != 1))}",
            "colour": COLOURS[len(layers) % len(COLOURS)], "path": route, "stops": layer_stops,
        })
    tw = _townships(townships, lang, decimals)
    for t in tw:
        for ring in t["rings"]:
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
    stations = [{"lon": _round(lo, decimals), "lat": _round(la, decimals),
                 "label": f"{text['station']}: {names.get(s, '')} ({s})"} for s, (lo, la) in sorted(depots.items())
                if math.isfinite(lo) and math.isfinite(la)]
    lab_list = []
    if labs is not None:
        for lid, nm, lo, la in zip(labs["lab_id"], labs.get("name", labs["lab_id"]), labs["lon_wgs84"],
                                   labs["lat_wgs84"]):
            if pd.notna(lo) and pd.notna(la):
                lab_list.append({"lon": _round(lo, decimals), "lat": _round(la, decimals),
                                 "label": f"{text['lab']}: {nm} ({lid})"})
    if not xs:
        xs = [float(lo) for lo, _ in depots.values() if math.isfinite(lo)] or [0.0]
        ys = [float(la) for _, la in depots.values() if math.isfinite(la)] or [0.0]
    return {
        "text": text, "tiles": tiles, "attribution": attribution,
        "bounds": [[min(xs), min(ys)], [max(xs), max(ys)]],
        "townships": tw, "stations": stations, "labs": lab_list, "layers": layers,
        "unlocated": int((~located).sum()),
    }


def _asset(name: str) -> str:
    return (VIEWER / name).read_text(encoding="utf-8")


def _policy(tiles: str) -> str:
    """The page's Content-Security-Policy: nothing from outside, except tiles when asked for."""
    img = "data:"
    if tiles:
        parts = urlsplit(tiles)
        img += f" {parts.scheme}://{parts.netloc}"
    return ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            f"img-src {img}; connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'")


def month_map_html(data: Mapping[str, Any], title: str, lang: Lang = "zh") -> str:
    """The whole HTML page for :func:`month_map_data`'s ``data``, titled ``title``."""
    text = data["text"]
    # "</" cannot end the JSON's script element early once escaped ("<\/" is the same JSON)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    esc = html.escape
    attribution = esc(str(data.get("attribution", ""))) if data.get("tiles") else esc(text["offline"])
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(_policy(str(data.get('tiles', ''))))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{esc(title)}</title>
<style>
{_asset("viewer.css")}</style>
</head>
<body>
<header>{esc(title)}<small id="no-location"></small></header>
<main>
<nav id="panel">
<div><b>{esc(text["layers"])}</b></div>
<button type="button" id="layers-all">{esc(text["all"])}</button>
<button type="button" id="layers-none">{esc(text["none"])}</button>
<div id="layer-list"></div>
</nav>
<div id="stage">
<svg id="map" xmlns="http://www.w3.org/2000/svg"></svg>
<div id="controls">
<button type="button" id="zoom-in" title="+">+</button>
<button type="button" id="zoom-out" title="-">&minus;</button>
<button type="button" id="zoom-fit" title="{esc(text["fit"])}">&#9635;</button>
</div>
<div id="attribution">{attribution}</div>
<div id="scale"><div id="scale-bar"></div><span id="scale-text"></span></div>
<div id="legend">&#9733; {esc(text["station"])} &nbsp; &#9632; {esc(text["lab"])}
&nbsp; &#9679; {esc(text["stop"])}</div>
<div id="popup" hidden><button type="button" id="popup-close">&times;</button><div id="popup-body"></div></div>
</div>
</main>
<script type="application/json" id="map-data">{payload}</script>
<script>
{_asset("viewer.js")}</script>
</body>
</html>
"""


def month_map_pages(
    stops: pd.DataFrame,
    depots: Mapping[str, tuple[float, float]],
    *,
    station_names: Mapping[str, str] | None = None,
    townships: Any = None,
    labs: pd.DataFrame | None = None,
    lang: Lang = "zh",
    tiles: str = "",
    attribution: str = "",
    district: str = "",
) -> dict[str, str]:
    """``<YYYY-MM>.html`` -> the page, for every month that has stops.

    Parameters are those of :func:`month_map_data`; ``district`` starts each page's title.
    """
    pages = {}
    month = stops["date"].astype(str).str[:7]
    for ym, grp in stops.groupby(month, sort=True):
        data = month_map_data(grp, depots, station_names=station_names, townships=townships, labs=labs,
                              lang=lang, tiles=tiles, attribution=attribution)
        title = f"{district} {ym} {TEXT[lang]['title']}".strip()
        pages[f"{ym}.html"] = month_map_html(data, title, lang)
    return pages


def write_month_maps(
    folder: str | os.PathLike[str],
    stops: pd.DataFrame,
    depots: Mapping[str, tuple[float, float]],
    **options: Any,
) -> list[Path]:
    """Write :func:`month_map_pages` in ``folder`` (keyword options as there)."""
    folder = Path(folder)
    return [write_text(folder / name, page) for name, page in month_map_pages(stops, depots, **options).items()]
