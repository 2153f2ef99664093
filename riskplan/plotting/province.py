"""The provincial map: each district coloured by its samples per 1,000 residents (offline, static)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from riskplan.plotting.axes import axes_or_new
from riskplan.plotting.fonts import label, use_cjk_font

__all__ = ["plot_samples_per_1000"]


def plot_samples_per_1000(districts: gpd.GeoDataFrame, ax: Axes | None = None, *,
                          column: str = "samples_per_1000", labels: bool = True,
                          cmap: str = "YlGnBu") -> Axes:
    """Draw the districts of a province coloured by samples per 1,000 residents.

    Parameters
    ----------
    districts
        One row per district (EPSG:4326) with ``district`` (its name), ``status`` and
        ``column``; a district whose ``column`` is missing (it failed) is drawn hatched grey.
    ax
        Axes to draw on (a new figure when None).
    column
        The figure to colour by [samples per 1,000 residents].
    labels
        Write each district's name at a point inside it (small districts of a large province
        get crowded: switch off for hundreds of districts).
    cmap
        Colour map.

    Returns
    -------
    matplotlib.axes.Axes
    """
    use_cjk_font()
    ax = axes_or_new(ax, (9, 7))
    gdf = districts[districts.geometry.notna() & ~districts.geometry.is_empty]
    values = (gdf[column].astype(float) if column in gdf.columns
              else gdf["district"].map(lambda _: np.nan).astype(float))
    known = gdf[values.notna().to_numpy()]
    missing = gdf[values.isna().to_numpy()]
    if len(known):
        known.plot(column=column, ax=ax, cmap=cmap, edgecolor="#333333", linewidth=0.4, legend=True,
                   legend_kwds={"label": label("每千人抽检批次", "samples per 1,000 residents"),
                                "shrink": 0.7})
    if len(missing):
        missing.plot(ax=ax, color="#dddddd", edgecolor="#999999", hatch="///", linewidth=0.4)
        ax.legend(handles=[Patch(facecolor="#dddddd", edgecolor="#999999", hatch="///",
                                 label=label("未完成（数据有误）", "not planned (failed)"))],
                  loc="lower right", fontsize=8)
    if labels:
        size = 7 if len(gdf) <= 30 else 5
        for name, geom in zip(gdf["district"], gdf.geometry):
            pt = geom.representative_point()
            ax.annotate(str(name), (pt.x, pt.y), ha="center", va="center", fontsize=size,
                        color="#111111")
    ax.set_title(label("各区县每千人抽检批次", "Samples per 1,000 residents by district"))
    ax.set_xlabel(label("经度", "longitude") + " [°]")
    ax.set_ylabel(label("纬度", "latitude") + " [°]")
    if len(gdf):  # degrees of longitude are shorter than degrees of latitude away from the equator
        y0, y1 = gdf.total_bounds[1], gdf.total_bounds[3]
        ax.set_aspect(1.0 / max(float(np.cos(np.radians((y0 + y1) / 2))), 0.1))
    return ax
