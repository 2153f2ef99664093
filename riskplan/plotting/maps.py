"""Offline static maps of a district: township polygons and establishment points (matplotlib).

No web tiles and no JavaScript: the figures render anywhere, and Chinese labels are used only when
a CJK font is installed (see :mod:`riskplan.plotting.fonts`).
"""

from __future__ import annotations

import math

import geopandas as gpd
import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes

from riskplan.plotting.axes import axes_or_new
from riskplan.plotting.fonts import use_cjk_font

STAGE_COLOURS: dict[str, str] = {
    "production": "#1b9e77",
    "distribution": "#7570b3",
    "catering": "#d95f02",
}
STAGE_NAMES_ZH: dict[str, str] = {"production": "生产", "distribution": "流通", "catering": "餐饮"}


def _township_names(townships: pd.DataFrame, zh: bool) -> pd.Series:
    col = "name_zh" if zh and "name_zh" in townships.columns else "name_en"
    if col not in townships.columns:
        return townships["township_code"].astype(str)
    names = townships[col].astype(str)
    if col == "name_en":  # "Jingshan Subdistrict" -> "Jingshan": shorter map labels
        names = names.str.replace(r"\s+(Subdistrict|Town|Township)$", "", regex=True)
    return names


def plot_townships(townships: gpd.GeoDataFrame, column: str | None = None, ax: Axes | None = None,
                   labels: bool = True, cmap: str = "YlOrRd", legend: bool = True) -> Axes:
    """Draw township polygons, optionally coloured by a column, with their names.

    Parameters
    ----------
    townships
        GeoDataFrame of townships (EPSG:4326) with ``name_zh``/``name_en``.
    column
        Column to colour by (e.g. ``"population"``); None draws outlines only.
    ax
        Axes to draw on (a new figure when None).
    labels
        Write each township's name at a point inside it (Chinese with a CJK font, else English).
    cmap, legend
        Colour map and colour bar when ``column`` is given.

    Returns
    -------
    matplotlib.axes.Axes
    """
    zh = use_cjk_font()
    ax = axes_or_new(ax, (8, 7))
    gdf = townships[townships.geometry.notna()]
    if column is None:
        gdf.plot(ax=ax, facecolor="#f4f4f0", edgecolor="#555555", linewidth=0.8)
    else:
        gdf.plot(ax=ax, column=column, cmap=cmap, edgecolor="#555555", linewidth=0.8,
                 legend=legend, legend_kwds={"shrink": 0.6, "label": column})
    if labels:
        names = _township_names(gdf, zh)
        for pt, name in zip(gdf.geometry.representative_point(), names):
            ax.annotate(name, (pt.x, pt.y), ha="center", va="center", fontsize=8,
                        color="#222222")
    ax.set_xlabel("longitude / 经度 [°]" if zh else "longitude [°]")
    ax.set_ylabel("latitude / 纬度 [°]" if zh else "latitude [°]")
    ax.set_aspect(1.0 / max(0.1, _cos_lat(gdf)))
    return ax


def _cos_lat(gdf: gpd.GeoDataFrame) -> float:
    if not len(gdf):
        return 1.0
    minx, miny, maxx, maxy = gdf.total_bounds
    return math.cos(math.radians((miny + maxy) / 2.0))


def plot_establishments(establishments: pd.DataFrame, townships: gpd.GeoDataFrame, by: str = "stage",
                        ax: Axes | None = None, markersize: float = 3.0, labels: bool = False) -> Axes:
    """Draw establishments as points over the township outlines, coloured by a column.

    Parameters
    ----------
    establishments
        Table with ``lon_wgs84``/``lat_wgs84`` (rows without coordinates are counted in the title,
        not drawn).
    townships
        GeoDataFrame of townships, drawn underneath.
    by
        Column to colour by (``"stage"``, ``"business_type"``, ``"risk_grade"``, ...).
    ax
        Axes to draw on (a new figure when None).
    markersize
        Point size [pt²].
    labels
        Also write township names.

    Returns
    -------
    matplotlib.axes.Axes
    """
    zh = use_cjk_font()
    ax = plot_townships(townships, ax=ax, labels=labels)
    has = establishments["lon_wgs84"].notna() & establishments["lat_wgs84"].notna()
    pts = establishments[has]
    groups = sorted(pts[by].dropna().astype(str).unique())
    cycle = mpl.colormaps["tab20"]
    for i, g in enumerate(groups):
        sub = pts[pts[by].astype(str) == g]
        colour = STAGE_COLOURS.get(g) if by == "stage" else None
        name = STAGE_NAMES_ZH.get(g, g) if (zh and by == "stage") else g
        ax.scatter(sub["lon_wgs84"], sub["lat_wgs84"], s=markersize,
                   color=colour or cycle(i % 20), label=f"{name} ({len(sub)})", alpha=0.8,
                   linewidths=0)
    ax.legend(loc="best", fontsize=7, markerscale=3, frameon=True)
    missing = int((~has).sum())
    if zh:
        title = f"经营主体 {len(establishments)} 家（{missing} 家无坐标未绘出）"
    else:
        title = f"{len(establishments)} establishments ({missing} without coordinates not shown)"
    ax.set_title(title, fontsize=10)
    return ax
