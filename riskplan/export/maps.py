"""PNG route maps, one per station and day, drawn offline with matplotlib (Agg).

Sized to print on A4 landscape (11.7 x 8.3 in at ``export.map_dpi``), titled with the station's
name and the date, the station's townships outlined and named, each team's route in its own
colour with numbered stops (numbers moved apart where stops crowd, with a leader line), the
station and the lab marked, and a legend.

PNG files are reproducible: the ``Software`` metadata entry (which carries the matplotlib
version) is dropped and the Agg renderer is deterministic for the same data, so the same plan
gives byte-identical images.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from riskplan.export.atomic import write_bytes  # noqa: E402
from riskplan.export.geojson import route_lab  # noqa: E402
from riskplan.plotting.fonts import label  # noqa: E402

PNG_METADATA: dict[str, Any] = {"Software": None}
"""Metadata passed to savefig: no matplotlib version, so files do not change between installs."""

TEAM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")

A4_LANDSCAPE = (11.69, 8.27)
"""Figure size of a map [in]: A4 landscape."""

LABEL_GAP = 22.0
"""Smallest distance between two stop numbers on a map [px at 100 dpi]."""


def _draw_background(ax: Axes, townships: Any) -> None:
    if townships is not None and len(townships):
        townships.plot(ax=ax, color="#f2f2f2", edgecolor="#999999", linewidth=0.8)
        names = townships["name_zh"] if "name_zh" in townships.columns else None
        if names is not None:
            en = townships["name_en"] if "name_en" in townships.columns else names
            for geom, zh, e in zip(townships.geometry, names, en):
                if geom is None or geom.is_empty:
                    continue
                pt = geom.representative_point()
                ax.annotate(label(str(zh), str(e)), (pt.x, pt.y), ha="center", va="center", fontsize=9,
                            color="#777777", zorder=1)


def spread_labels(points: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Label positions near ``points`` (display units) such that no two are closer than ``gap``.

    Each label stays on its point when it can; otherwise it is moved out along eight directions
    at growing distances until it is ``gap`` away from every label placed before it (greedy, in
    the order given, so the result is deterministic).
    """
    placed: list[tuple[float, float]] = []
    dirs = [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)]

    def free(x: float, y: float) -> bool:
        return all((x - a) ** 2 + (y - b) ** 2 >= gap * gap for a, b in placed)

    for x, y in points:
        spot = (x, y)
        if not free(x, y):
            for ring in range(1, 40):
                r = gap * ring
                options = [(x + dx * r / (2 ** 0.5 if dx and dy else 1), y + dy * r / (2 ** 0.5 if dx and dy else 1))
                           for dx, dy in dirs]
                found = next((o for o in options if free(*o)), None)
                if found is not None:
                    spot = found
                    break
        placed.append(spot)
    return placed


def _labs_of(stops: pd.DataFrame) -> list[tuple[float, float]]:
    """Distinct labs (lon, lat) [degrees] the routes of ``stops`` end at (``lab_lon`` / ``lab_lat``)."""
    if "lab_lon" not in stops.columns:
        return []
    pts = stops[["lab_lon", "lab_lat"]].dropna().drop_duplicates().sort_values(["lab_lon", "lab_lat"])
    return [(float(x), float(y)) for x, y in pts.itertuples(index=False)]


def _draw_routes(
    ax: Axes,
    stops: pd.DataFrame,
    depot: tuple[float, float] | None,
    title: str,
) -> list[Any]:
    """Draw one day's routes on ``ax``; return the artists (so they can be removed again).

    A route whose stops carry ``lab_lon`` / ``lab_lat`` ends at that lab, else at the depot.
    """
    artists: list[Any] = []
    located = stops.dropna(subset=["lon_wgs84", "lat_wgs84"])
    numbers: list[tuple[float, float, str, str]] = []
    for i, (team, grp) in enumerate(located.sort_values(["team", "stop_order"]).groupby("team")):
        colour = TEAM_COLOURS[i % len(TEAM_COLOURS)]
        xs, ys = list(grp["lon_wgs84"]), list(grp["lat_wgs84"])
        route_end = route_lab(grp)
        if depot is not None:
            xs, ys = [depot[0], *xs], [depot[1], *ys]
        end = route_end if route_end is not None else depot
        if end is not None:  # back to the station, or on to the lab with perishable samples
            xs, ys = [*xs, end[0]], [*ys, end[1]]
        n = len(grp)
        artists += ax.plot(xs, ys, "-", color=colour, linewidth=2.0, alpha=0.85, zorder=2,
                           label=label(f"第{team}组（{n} 个点位）", f"team {team} ({n} stop{'s' * (n != 1)})"))
        numbers += [(x, y, str(int(k)), colour) for x, y, k in zip(grp["lon_wgs84"], grp["lat_wgs84"],
                                                                    grp["stop_order"])]
    # stop numbers in coloured discs, moved apart where stops crowd (a leader line to the stop)
    ax.apply_aspect()  # the final axes box, so data -> pixel is what will be drawn
    fig = ax.get_figure()
    scale = (fig.dpi / 100.0) if fig is not None else 1.0
    px = [tuple(ax.transData.transform((x, y))) for x, y, _, _ in numbers]
    spots = spread_labels([(float(a), float(b)) for a, b in px], LABEL_GAP * scale)
    inv = ax.transData.inverted()
    for (x, y, text, colour), (a, b), spot in zip(numbers, px, spots):
        lx, ly = inv.transform(spot)
        moved = (spot[0] - a) ** 2 + (spot[1] - b) ** 2 > 1.0
        artists.append(ax.annotate(
            text, (x, y), xytext=(lx, ly), textcoords="data", ha="center", va="center", fontsize=8,
            color="white", fontweight="bold", zorder=5,
            bbox=dict(boxstyle="circle,pad=0.25", fc=colour, ec="white", lw=0.8),
            arrowprops=dict(arrowstyle="-", color=colour, lw=0.8) if moved else None))
        artists.append(ax.scatter([x], [y], s=14, color=colour, zorder=4))
    if depot is not None:
        artists.append(ax.scatter([depot[0]], [depot[1]], marker="*", s=260, color="black",
                                  zorder=4, label=label("所站", "station")))
    labs = _labs_of(located)
    if labs:
        artists.append(ax.scatter([x for x, _ in labs], [y for _, y in labs], marker="s", s=60,
                                  color="#555555", zorder=4, label=label("检验机构", "lab")))
    artists.append(ax.set_title(title, fontsize=14))
    if ax.get_legend_handles_labels()[0]:
        artists.append(ax.legend(fontsize=10, loc="upper right", framealpha=0.9))
    return artists


def plot_station_day(
    stops: pd.DataFrame,
    depot: tuple[float, float] | None = None,
    townships: Any = None,
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Draw one station's routes of one day.

    Parameters
    ----------
    stops
        That station's stops of the day: ``team``, ``stop_order``, ``lon_wgs84``, ``lat_wgs84``,
        and ``lab_lon`` / ``lab_lat`` on the stops of routes that end at a lab.
    depot
        Station (lon, lat) [degrees], where each route starts and ends.
    townships
        GeoDataFrame of the station's townships, drawn as the background, or None.
    title
        Axes title.
    ax
        Axes to draw on; a new figure when None.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=A4_LANDSCAPE)
    _draw_background(ax, townships)
    _draw_routes(ax, stops, depot, title)
    ax.set_aspect("equal", adjustable="datalim")
    return ax


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """PNG bytes of ``fig`` with fixed metadata; closes the figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
    plt.close(fig)
    return buf.getvalue()


def write_station_day_maps(
    folder: str | os.PathLike[str],
    stops: pd.DataFrame,
    depots: Mapping[str, tuple[float, float]],
    townships_by_station: Mapping[str, Any] | None = None,
    dpi: int = 100,
    progress: bool = False,
    station_names: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write ``<station_id>_<date>.png`` for every station and day that has stops.

    Parameters
    ----------
    folder
        Where the PNG files go.
    stops
        Routed stops with ``station_id``, ``date``, ``team``, ``stop_order``, coordinates.
    depots
        ``station_id`` -> (lon, lat) [degrees].
    townships_by_station
        ``station_id`` -> GeoDataFrame of its townships (background), optional.
    dpi
        Resolution [dots per inch].
    progress
        Show a tqdm progress bar.
    station_names
        ``station_id`` -> name, for the titles (the ID alone when missing).
    """
    from tqdm import tqdm

    folder = Path(folder)
    written: list[Path] = []
    by_station = list(stops.groupby("station_id", sort=True))
    bar = tqdm(total=int(stops.groupby(["station_id", "date"]).ngroups), desc="maps", unit="map",
               disable=not progress)
    for station, st_stops in by_station:
        # one figure per station: the township background and the extent are drawn once and
        # each day's routes are added and removed again (much faster than a figure per map)
        depot = depots.get(str(station))
        fig = plt.figure(figsize=A4_LANDSCAPE, dpi=dpi)
        ax = fig.add_axes((0.02, 0.02, 0.96, 0.91))
        ax.set_axis_off()
        tw = (townships_by_station or {}).get(str(station))
        _draw_background(ax, tw)
        extra = ([depot] if depot is not None else []) + _labs_of(st_stops)
        xs = list(st_stops["lon_wgs84"].dropna()) + [p[0] for p in extra]
        ys = list(st_stops["lat_wgs84"].dropna()) + [p[1] for p in extra]
        if tw is not None and len(tw):
            x0, y0, x1, y1 = tw.total_bounds
            xs, ys = xs + [x0, x1], ys + [y0, y1]
        if xs:
            pad = 0.01
            ax.set_xlim(min(xs) - pad, max(xs) + pad)
            ax.set_ylim(min(ys) - pad, max(ys) + pad)
        ax.set_aspect("equal", adjustable="box")
        for date, grp in st_stops.groupby("date", sort=True):
            day = pd.Timestamp(date).strftime("%Y-%m-%d")
            when = pd.Timestamp(date)
            name = (station_names or {}).get(str(station), "")
            weekday = label(f"周{'一二三四五六日'[when.day_of_week]}", when.strftime("%a"))
            title = f"{name} ({station})  {day} {weekday}" if name else f"{station}  {day} {weekday}"
            artists = _draw_routes(ax, grp, depot, title)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
            written.append(write_bytes(folder / f"{station}_{day}.png", buf.getvalue()))
            for a in artists:
                if a is not None and hasattr(a, "remove") and a is not ax.title:
                    a.remove()
            ax.set_title("")
            bar.update()
        plt.close(fig)
    bar.close()
    return written
