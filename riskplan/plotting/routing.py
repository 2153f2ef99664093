"""Static, offline plots of a :class:`~riskplan.routing.plan.RoutePlan` (matplotlib only)."""

from __future__ import annotations

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from riskplan.plotting.axes import axes_or_new
from riskplan.plotting.fonts import label
from riskplan.routing.plan import RoutePlan
from riskplan.tables import DateLike
from riskplan.timeofday import format_hhmm, parse_windows


def plot_routes(
    plan: RoutePlan,
    stations: pd.DataFrame,
    labs: pd.DataFrame,
    station_id: str | None = None,
    date: DateLike | None = None,
    townships: gpd.GeoDataFrame | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Map of the routes (straight legs) of one station (or all) on one day (or the month).

    Parameters
    ----------
    plan
        The route plan.
    stations, labs
        Tables with ``lon_wgs84, lat_wgs84`` (stations drawn as squares, labs as triangles).
    station_id
        Only this station's routes (None: all).
    date
        Only this day (None: every day, each route in its own colour).
    townships
        Optional GeoDataFrame drawn underneath (outlines).
    ax
        Matplotlib axes to draw on (None: a new figure).

    Returns
    -------
    The axes.
    """
    ax = axes_or_new(ax, (8, 7))
    if townships is not None:
        townships.boundary.plot(ax=ax, color="0.7", linewidth=0.6)
    stops = plan.stops
    routes = plan.routes
    st = stations.assign(station_id=stations["station_id"].astype(str)).set_index("station_id")
    if station_id is not None:
        stops = stops[stops["station_id"] == station_id]
        routes = routes[routes["station_id"] == station_id]
    if date is not None:
        day = pd.Timestamp(date)
        stops = stops[pd.to_datetime(stops["date"]) == day]
        routes = routes[pd.to_datetime(routes["date"]) == day]
    lab = labs.set_index(labs["lab_id"].astype(str))
    cmap = plt.get_cmap("tab20")
    for k, r in enumerate(routes.itertuples(index=False)):
        s = stops[(stops["station_id"] == r.station_id) & (stops["date"] == r.date) & (stops["team"] == r.team)]
        s = s.sort_values("stop_order")
        x0, y0 = float(st.at[r.station_id, "lon_wgs84"]), float(st.at[r.station_id, "lat_wgs84"])
        if r.ends_at == "lab" and r.lab_id in lab.index:
            x1, y1 = float(lab.at[r.lab_id, "lon_wgs84"]), float(lab.at[r.lab_id, "lat_wgs84"])
        else:
            x1, y1 = x0, y0
        xs = np.r_[x0, s["lon_wgs84"].to_numpy(float), x1]
        ys = np.r_[y0, s["lat_wgs84"].to_numpy(float), y1]
        color = cmap(k % 20)
        ax.plot(xs, ys, "-", color=color, linewidth=1.2, alpha=0.85)
        ax.scatter(xs[1:-1], ys[1:-1], s=18, color=color, zorder=3)
        if date is not None:
            for x, y, o in zip(xs[1:-1], ys[1:-1], s["stop_order"]):
                ax.annotate(str(o), (x, y), fontsize=7, xytext=(2, 2), textcoords="offset points")
    shown = st if station_id is None else st.loc[[station_id]]
    ax.scatter(shown["lon_wgs84"].astype(float), shown["lat_wgs84"].astype(float), marker="s", s=60,
               color="black", zorder=4, label=label("监管所", "station"))
    ax.scatter(labs["lon_wgs84"].astype(float), labs["lat_wgs84"].astype(float), marker="^", s=80,
               color="red", zorder=4, label=label("检验机构", "lab"))
    ax.set_xlabel(label("经度", "longitude"))
    ax.set_ylabel(label("纬度", "latitude"))
    lat0 = float(np.nanmean(shown["lat_wgs84"].astype(float))) if len(shown) else 28.0
    ax.set_aspect(1.0 / np.cos(np.radians(lat0)))
    ax.legend(loc="best", fontsize=8)
    title = label("检查路线", "inspection routes")
    if station_id is not None:
        title += f" {station_id}"
    if date is not None:
        title += f" {pd.Timestamp(date).date()}"
    ax.set_title(title)
    return ax


def plot_timeline(plan: RoutePlan, station_id: str, date: DateLike, ax: Axes | None = None) -> Axes:
    """Gantt chart of one station's day: per team, windows (light), travel and service (dark).

    Returns
    -------
    The axes.
    """
    ax = axes_or_new(ax, (9, 3))
    day = pd.Timestamp(date)
    routes = plan.routes[(plan.routes["station_id"] == station_id) & (pd.to_datetime(plan.routes["date"]) == day)]
    stops = plan.stops[(plan.stops["station_id"] == station_id) & (pd.to_datetime(plan.stops["date"]) == day)]
    teams = sorted(routes["team"].unique())
    for row, team in enumerate(teams):
        r = routes[routes["team"] == team].iloc[0]
        ax.barh(row, r["end"] - r["start"], left=r["start"], height=0.15, color="0.6")
        s = stops[stops["team"] == team].sort_values("stop_order")
        for rec in s.itertuples(index=False):
            for a, b in parse_windows(rec.window):
                ax.barh(row, b - a, left=a, height=0.6, color="tab:green", alpha=0.15)
            ax.barh(row, rec.end_service - rec.start_service, left=rec.start_service, height=0.45,
                    color="tab:red" if rec.perishable else "tab:blue")
            ax.text((rec.start_service + rec.end_service) / 2, row + 0.35, str(rec.stop_order),
                    ha="center", fontsize=7)
        if r["ends_at"] == "lab":
            ax.plot([r["lab_arrival"]], [row], marker="^", color="red")
    ax.set_ylim(-0.6, max(len(teams), 1) - 0.2)
    ax.set_yticks(range(len(teams)))
    ax.set_yticklabels([label(f"第{t}组", f"team {t}") for t in teams])
    lo = int(routes["start"].min()) if len(routes) else 8 * 60
    hi = int(routes["end"].max()) if len(routes) else 18 * 60
    ticks = np.arange(60 * (lo // 60), 60 * (hi // 60 + 2), 60)
    ax.set_xticks(ticks)
    ax.set_xticklabels([format_hhmm(t) for t in ticks.tolist()])
    ax.set_xlim(ticks[0], ticks[-1])
    ax.set_title(f"{station_id} {day.date()}")
    return ax
