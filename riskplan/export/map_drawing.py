"""Drawing the PNG route maps: one figure per station, a map per day (matplotlib, Agg).

Sized to print on A4 landscape (11.7 x 8.3 in at ``export.map_dpi``), titled with the station's
name and the date, the station's townships outlined and named, each team's route in its own
colour with numbered stops (numbers moved apart where stops crowd, with a leader line), the
station and the lab marked, and a legend.

A task (:class:`MapTask`, some days of one station) is drawn in one figure: the township
background is rendered once and kept as pixels; each day's routes are drawn over a copy of it
(blitting) and encoded, so a day costs only its own artists and the PNG encoding. The pixels are
the same as those of a full redraw: every background artist lies below (a lower ``zorder`` than)
every artist of a day, and a day's artists are drawn in the order the axes would draw them.

PNG files are reproducible: the ``Software`` metadata entry (which carries the matplotlib
version) is dropped and the Agg renderer is deterministic for the same data, so the same plan
gives byte-identical images. :mod:`riskplan.export.maps` draws the tasks in worker processes and
writes the files.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import PIL.Image  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from riskplan.export.geojson import route_lab  # noqa: E402
from riskplan.plotting.fonts import label  # noqa: E402

PNG_METADATA: dict[str, Any] = {"Software": None}
"""Metadata passed to savefig: no matplotlib version, so files do not change between installs."""

TEAM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")

A4_LANDSCAPE = (11.69, 8.27)
"""Figure size of a map [in]: A4 landscape."""

PNG_COMPRESS_LEVEL = 3
"""zlib level of the PNG maps (0-9): 3 encodes in about half the time of the default 6, for
files about 8 % larger (measured on the Ouhai maps at 150 dpi)."""

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
    """Distinct labs (lon, lat) [degrees] the routes of ``stops`` end at (``lab_lon`` / ``lab_lat``), sorted."""
    if "lab_lon" not in stops.columns:
        return []
    lon, lat = stops["lab_lon"].to_numpy(float), stops["lab_lat"].to_numpy(float)
    return sorted({(float(x), float(y)) for x, y in zip(lon, lat) if x == x and y == y})  # x == x: not NaN


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
    # the stop dots: one collection per run of stops of one colour (a team), in the same order as
    # a dot per stop would be drawn (all at zorder 4: the same pixels, a tenth of the time)
    run: list[tuple[float, float]] = []
    for k, (x, y, _, colour) in enumerate(numbers):
        run.append((x, y))
        if k + 1 == len(numbers) or numbers[k + 1][3] != colour:
            artists.append(ax.scatter([p[0] for p in run], [p[1] for p in run], s=14, color=colour, zorder=4))
            run = []
    if depot is not None:
        artists.append(ax.scatter([depot[0]], [depot[1]], marker="*", s=260, color="black",
                                  zorder=4, label=label("所站", "station")))
    labs = _labs_of(located)
    if labs:
        artists.append(ax.scatter([x for x, _ in labs], [y for _, y in labs], marker="s", s=60,
                                  color="#555555", zorder=4, label=label("检验机构", "lab")))
    artists.append(ax.set_title(title, fontsize=14, y=1.0))  # placed: no tick layout to find it
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


@dataclasses.dataclass(frozen=True)
class MapTask:
    """Some days of one station's maps: what a worker process needs to draw them (picklable).

    Attributes
    ----------
    station
        The station's ID.
    stops
        The station's stops of the month (they fix the map's extent, the same for every day of
        the month) with ``date``, ``team``, ``stop_order``, coordinates and route ends.
    days
        The dates (``YYYY-MM-DD``) to draw, a map each.
    depot
        The station (lon, lat) [degrees], or None.
    townships
        GeoDataFrame of its townships (the background), or None.
    name
        The station's name, for the titles ("" for none).
    dpi
        Resolution [dots per inch].
    """

    station: str
    stops: pd.DataFrame
    days: tuple[str, ...]
    depot: tuple[float, float] | None
    townships: Any
    name: str
    dpi: int


def png_bytes(fig: Figure) -> bytes:
    """PNG bytes of what ``fig``'s Agg canvas holds now (no redraw), at ``fig.dpi``.

    Encoded by PIL as ``savefig`` would, with no metadata text (:data:`PNG_METADATA`), zlib level
    :data:`PNG_COMPRESS_LEVEL`, and as RGB when every pixel is opaque (a figure's white face:
    the same image, a quarter fewer bytes to filter and compress).
    """
    rgba = np.asarray(fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
    image = PIL.Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), np.require(rgba, requirements="C"),
                                 "raw", "RGBA", 0, 1)
    if int(rgba[..., 3].min()) == 255:
        image = image.convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", dpi=(fig.dpi, fig.dpi), compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


def _title(task: MapTask, day: str) -> str:
    """The title of ``task``'s map of ``day``: station name and ID, date, weekday."""
    when = pd.Timestamp(day)
    weekday = label(f"周{'一二三四五六日'[when.day_of_week]}", when.strftime("%a"))
    return f"{task.name} ({task.station})  {day} {weekday}" if task.name else f"{task.station}  {day} {weekday}"


def draw_task(task: MapTask) -> list[tuple[str, bytes]]:
    """The PNG maps of ``task``: (file name, PNG bytes) per day, in the order of ``task.days``.

    One figure for the task: the township background and the extent are rendered once and kept
    as pixels; each day's routes are drawn over a copy of them and removed again (see the module
    docstring: the same pixels as a full redraw, a fraction of the time).
    """
    station, st_stops, depot, dpi = task.station, task.stops, task.depot, task.dpi
    fig = plt.figure(figsize=A4_LANDSCAPE, dpi=dpi)
    out: list[tuple[str, bytes]] = []
    try:
        ax = fig.add_axes((0.02, 0.02, 0.96, 0.91))
        ax.set_axis_off()
        tw = task.townships
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
        canvas = fig.canvas
        canvas.draw()  # the background alone (and the final axes box)
        background = canvas.copy_from_bbox(fig.bbox)  # type: ignore[attr-defined]
        renderer = canvas.get_renderer()  # type: ignore[attr-defined]
        top = max((a.get_zorder() for a in [*ax.collections, *ax.patches, *ax.lines, *ax.texts]), default=0.0)
        dates = st_stops["date"].map(lambda d: pd.Timestamp(d).strftime("%Y-%m-%d"))
        for day in task.days:
            artists = [a for a in _draw_routes(ax, st_stops[dates == day], depot, _title(task, day))
                       if a is not None]
            day_ids = {id(a) for a in artists}
            # the order Axes.draw would use: its children, sorted by zorder (stable)
            ordered = sorted((a for a in ax.get_children() if id(a) in day_ids), key=lambda a: a.get_zorder())
            if ordered and ordered[0].get_zorder() < top:  # a day's artist under the background: redraw all
                canvas.draw()
            else:
                canvas.restore_region(background)  # type: ignore[attr-defined]
                for a in ordered:
                    a.draw(renderer)
            out.append((f"{station}_{day}.png", png_bytes(fig)))
            for a in artists:
                if a is not ax.title:
                    a.remove()
            ax.set_title("")
    finally:
        plt.close(fig)
    return out


def map_tasks(
    stops: pd.DataFrame,
    depots: Mapping[str, tuple[float, float]],
    townships_by_station: Mapping[str, Any] | None = None,
    dpi: int = 100,
    station_names: Mapping[str, str] | None = None,
    days_per_task: int = 8,
) -> list[MapTask]:
    """The maps of ``stops`` as tasks: each station's days of a month in runs of at most ``days_per_task``.

    A month's maps of a station share its extent (the station's stops of that month, its
    townships, the station and the labs its routes end at), so the maps of a month can be drawn
    as soon as it is routed, whatever the months after it.
    """
    tasks = []
    for station, st_stops in stops.groupby("station_id", sort=True):
        dates = st_stops["date"].map(lambda d: pd.Timestamp(d).strftime("%Y-%m-%d"))
        for _, month_stops in st_stops.groupby(dates.str.slice(0, 7), sort=True):
            days = sorted(set(dates[month_stops.index]))
            for i in range(0, len(days), days_per_task):
                tasks.append(MapTask(str(station), month_stops, tuple(days[i:i + days_per_task]),
                                     depots.get(str(station)), (townships_by_station or {}).get(str(station)),
                                     (station_names or {}).get(str(station), ""), dpi))
    return tasks
