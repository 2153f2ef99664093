"""Drawing the PNG route maps: one figure per station, a map per day (matplotlib, Agg).

Sized to print on A4 landscape (11.7 x 8.3 in at ``export.map_dpi``), titled with the station's
name and the date, the station's townships outlined and named, each team's route in its own
colour (the same colour for a team on all of a station's maps) with numbered stops (numbers
moved apart where stops crowd, with a leader line to the stop), the station and the lab marked.
The legend stands in a strip right of the map, so it never covers a stop; under it, the day's
stop count per team.

A task (:class:`MapTask`, some days of one station) is drawn in one figure, its frame: the township
background, the station's name and the legend (an entry for each team of the station's month,
so a day's map is the same whichever task draws it) are rendered once and kept as pixels; each day's
routes, date and stop counts are drawn over a copy of them (blitting) and encoded, so a day costs
only its own artists and the PNG encoding. The pixels are the same as those of a full redraw:
every background artist of the axes lies below (a lower ``zorder`` than) every artist of a day,
a day's artists are drawn in the order the axes would draw them, and the legend overlaps none of
them.

A day's artists are cheap ones: a line per route, the stop-number discs as the markers of one
line per team, the numbers and the day's stop counts as glyph-outline markers
(:mod:`riskplan.export.map_labels`: a text artist costs 1-3 ms to lay out and render at 150
dpi), the leader lines in one collection; all added as artists, not through ``ax.plot``. The
background is cheap too: the townships as one patch collection (as geopandas' ``plot`` makes
it, without its overhead), the legend laid out by hand (:mod:`riskplan.export.map_legend`). The PNG
encoder is :mod:`riskplan.export.png` (filter "None" and zlib ``Z_RLE`` instead of Pillow's
adaptive filters; the rows a day leaves unchanged compressed once per task). Measured with
``benchmarks/bench_maps.py`` on the Ouhai year (204 maps at 150 dpi in 77 tasks, a station's
month each; before and after back to back at load about 5 on 2 cores): 12.5 s of CPU instead
of 30.5 s, 0.061 s a map instead of 0.149 s, 100 kB instead of 116 kB. A task's fixed cost
(figure and axes, townships, legend, the first full draw and encoding) is now most of it:
about 0.11 s, and each day 0.033 s (it was 0.10 s and 0.13 s). So a process keeps its frames
(:data:`FRAME_CACHE`): a station's month whose frame is that of an earlier month drawn by the
same process skips the fixed cost. On the Ouhai year the 77 tasks need 8 frames (7 stations, one
station's legend changes once); ``bench_maps.py``, back to back at load 1.2-1.4: 8.3 s of CPU
instead of 15.6 s, the same bytes.

PNG files are reproducible: no metadata text (no software version) and the Agg renderer is
deterministic for the same data, so the same plan gives byte-identical images.
:mod:`riskplan.export.maps` draws the tasks in worker processes and writes the files.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import io
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PatchCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402

from riskplan.export.map_labels import LABEL_GAP as LABEL_GAP  # noqa: E402  (re-exported)
from riskplan.export.map_labels import Numerals, add_line, draw_stop_numbers  # noqa: E402
from riskplan.export.map_labels import spread_labels as spread_labels  # noqa: E402  (re-exported)
from riskplan.export.map_legend import draw_strip, legend_entries  # noqa: E402
from riskplan.export.map_tasks import MapTask as MapTask  # noqa: E402  (re-exported)
from riskplan.export.map_tasks import map_tasks as map_tasks  # noqa: E402  (re-exported)
from riskplan.export.png import FrameEncoder  # noqa: E402
from riskplan.plotting.fonts import label  # noqa: E402

PNG_METADATA: dict[str, Any] = {"Software": None}
"""Metadata passed to savefig: no matplotlib version, so files do not change between installs."""

TEAM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")

A4_LANDSCAPE = (11.69, 8.27)
"""Figure size of a map [in]: A4 landscape."""

MAP_BOX = (0.02, 0.02, 0.77, 0.91)
"""The map's axes (left, bottom, width, height) [figure fraction]: left of the legend strip."""

TITLE_Y = 0.955
"""Baseline of the title [figure fraction]; it starts at the map's left edge."""

COUNT_SIZE = 10.0
"""Font size of the day's stop counts under the legend [pt]."""


def _draw_background(ax: Axes, townships: Any) -> None:
    """The townships (GeoDataFrame, or None) filled and outlined, with their names."""
    if townships is not None and len(townships):
        # a patch per township as geopandas' plot makes it (its plotting costs a task 30-50 ms more)
        patches = [PathPatch(Path.make_compound_path(*[Path(np.asarray(ring.coords)[:, :2]) for ring in
                                                        [polygon.exterior, *polygon.interiors]]))
                   for geom in townships.geometry if geom is not None and not geom.is_empty
                   for polygon in getattr(geom, "geoms", [geom])]
        ax.add_collection(PatchCollection(patches, facecolor="#f2f2f2", edgecolor="#999999", linewidth=0.8),
                          autolim=True)
        ax.autoscale_view()
        names = townships["name_zh"] if "name_zh" in townships.columns else None
        if names is not None:
            en = townships["name_en"] if "name_en" in townships.columns else names
            for geom, zh, e in zip(townships.geometry, names, en):
                if geom is None or geom.is_empty:
                    continue
                pt = geom.representative_point()
                ax.annotate(label(str(zh), str(e)), (pt.x, pt.y), ha="center", va="center", fontsize=9,
                            color="#777777", zorder=1)


def _distinct_points(lon: np.ndarray, lat: np.ndarray) -> list[tuple[float, float]]:
    """The distinct (lon, lat) of the pairs with neither missing, sorted."""
    return sorted({(float(x), float(y)) for x, y in zip(lon, lat) if x == x and y == y})  # x == x: not NaN


def _labs_of(stops: pd.DataFrame) -> list[tuple[float, float]]:
    """Distinct labs (lon, lat) [degrees] the routes of ``stops`` end at (``lab_lon`` / ``lab_lat``), sorted."""
    if "lab_lon" not in stops.columns:
        return []
    return _distinct_points(stops["lab_lon"].to_numpy(float), stops["lab_lat"].to_numpy(float))


def team_colours(teams: Iterable[Any]) -> dict[Any, str]:
    """A colour per team, sorted, so a team keeps its colour on every map.

    Team numbers 1, 2, ... take :data:`TEAM_COLOURS` in that order (team 2 is red even on a
    month without team 1); other team names take them in sorted order.
    """
    distinct = sorted(set(teams))
    if all(isinstance(t, (int, np.integer)) and t >= 1 for t in distinct):
        return {team: TEAM_COLOURS[(int(team) - 1) % len(TEAM_COLOURS)] for team in distinct}
    return {team: TEAM_COLOURS[i % len(TEAM_COLOURS)] for i, team in enumerate(distinct)}


def _draw_routes(
    ax: Axes,
    stops: pd.DataFrame,
    depot: tuple[float, float] | None,
    colours: Mapping[Any, str],
    numerals: Numerals | None = None,
) -> tuple[list[Artist], dict[Any, int]]:
    """Draw one day's routes on ``ax``; return the artists (so they can be removed again) and the stops per team.

    A route whose stops carry ``lab_lon`` / ``lab_lat`` ends at that lab, else at the depot. A
    team missing from ``colours`` is drawn in the colour after the last one. ``numerals``: the
    number markers made so far, to reuse (:class:`~riskplan.export.map_labels.Numerals`).
    """
    artists: list[Artist] = []
    counts: dict[Any, int] = {}
    # numpy, not pandas (a few ms a day): the located stops, by team then stop order
    lon, lat = stops["lon_wgs84"].to_numpy(float), stops["lat_wgs84"].to_numpy(float)
    keep = np.flatnonzero(~(np.isnan(lon) | np.isnan(lat)))
    order, teams = stops["stop_order"].to_numpy()[keep], stops["team"].to_numpy()[keep]
    by_order = np.argsort(order, kind="stable")
    rows = keep[by_order[np.argsort(teams[by_order], kind="stable")]]
    lon, lat = lon[rows], lat[rows]
    order, teams = stops["stop_order"].to_numpy()[rows], stops["team"].to_numpy()[rows]
    has_lab = "lab_lon" in stops.columns
    lab_lon = stops["lab_lon"].to_numpy(float)[rows] if has_lab else None
    lab_lat = stops["lab_lat"].to_numpy(float)[rows] if has_lab else None
    starts = [i for i in range(len(teams)) if i == 0 or teams[i] != teams[i - 1]]
    stop_colour: list[str] = []
    for s, e in zip(starts, [*starts[1:], len(teams)]):  # a route: a team's run of stops
        team = teams[s]
        colour = colours.get(team, TEAM_COLOURS[len(colours) % len(TEAM_COLOURS)])
        stop_colour += [colour] * (e - s)
        counts[team] = e - s
        xs, ys = list(lon[s:e]), list(lat[s:e])
        if depot is not None:
            xs, ys = [depot[0], *xs], [depot[1], *ys]
        lab_end = None
        if lab_lon is not None and lab_lat is not None and lab_lon[s] == lab_lon[s] and lab_lat[s] == lab_lat[s]:
            lab_end = (float(lab_lon[s]), float(lab_lat[s]))  # the route's lab (its first stop's, as route_lab)
        end = lab_end if lab_end is not None else depot
        if end is not None:  # back to the station, or on to the lab with perishable samples
            xs, ys = [*xs, end[0]], [*ys, end[1]]
        artists.append(add_line(ax, xs, ys, color=colour, linewidth=2.0, alpha=0.85, zorder=2))
    if len(lon):
        artists += draw_stop_numbers(ax, lon, lat, [int(k) for k in order], stop_colour, numerals or Numerals())
    if depot is not None:
        artists.append(add_line(ax, [depot[0]], [depot[1]], linestyle="none", marker="*", markersize=260 ** 0.5,
                                color="black", zorder=4))
    labs = _distinct_points(lab_lon, lab_lat) if lab_lon is not None and lab_lat is not None else []
    if labs:
        artists.append(add_line(ax, [x for x, _ in labs], [y for _, y in labs], linestyle="none", marker="s",
                                markersize=60 ** 0.5, color="#555555", zorder=4))
    return artists, counts


def plot_station_day(
    stops: pd.DataFrame,
    depot: tuple[float, float] | None = None,
    townships: Any = None,
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Draw one station's routes of one day, with a legend right of the axes.

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
    located = stops.dropna(subset=["lon_wgs84", "lat_wgs84"])
    labs = _labs_of(stops)
    points = [*zip(located["lon_wgs84"], located["lat_wgs84"]), *([depot] if depot is not None else []), *labs]
    if points:  # the extent first: the stop numbers are placed in pixels
        ax.update_datalim(points)
        ax.autoscale_view()
    ax.set_aspect("equal", adjustable="datalim")
    colours = team_colours(located["team"])
    _, counts = _draw_routes(ax, stops, depot, colours)
    ax.set_title(title, fontsize=14)
    handles, labels = legend_entries(colours, counts, depot is not None, bool(labs))
    if handles:
        ax.legend(handles, labels, fontsize=10, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """PNG bytes of ``fig`` with fixed metadata; closes the figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
    plt.close(fig)
    return buf.getvalue()


def _canvas_rgba(fig: Figure) -> np.ndarray:
    """The pixels ``fig``'s Agg canvas holds now (a view: they change with the canvas)."""
    return np.asarray(fig.canvas.buffer_rgba())  # type: ignore[attr-defined]


def png_bytes(fig: Figure, encoder: FrameEncoder | None = None) -> bytes:
    """PNG bytes of what ``fig``'s Agg canvas holds now (no redraw), at ``fig.dpi``.

    Encoded by :mod:`riskplan.export.png` (``encoder``, which may reuse the compressed rows of a
    background, or a new one): no metadata text, RGB when every pixel is opaque (a figure's
    white face: the same image, a quarter fewer bytes to compress).
    """
    return (encoder or FrameEncoder(None, fig.dpi)).encode(_canvas_rgba(fig))


def _station_title(task: MapTask) -> str:
    """The part of ``task``'s map titles that is the same every day: the station's name and ID."""
    return f"{task.name} ({task.station})" if task.name else task.station


def _day_title(day: str) -> str:
    """The part of a map's title that changes: date and weekday."""
    when = pd.Timestamp(day)
    weekday = label(f"周{'一二三四五六日'[when.day_of_week]}", when.strftime("%a"))
    return f"{day} {weekday}"


@dataclasses.dataclass
class _Frame:
    """A station's map with nothing of a day on it, ready to draw days over (see :func:`draw_task`)."""

    fig: Figure
    ax: Axes
    background: Any  # the canvas's saved pixels (an Agg BufferRegion)
    encoder: FrameEncoder
    top: float  # the highest zorder of the background's artists
    date_x: float  # where the title's date starts [figure fraction]
    counts_x: float
    counts_y: dict[Any, float]
    numerals: Numerals


FRAME_CACHE = 8
"""Station frames a process keeps for its next tasks (least recently used dropped first).

At 150 dpi a frame holds about 26 MB (the canvas, its saved copy and the encoder's copy). A
station's month has the same frame as the month before whenever its extent, teams and labs are
the same, so a worker that drew it keeps it: on the Ouhai year most tasks find their frame (see
:func:`draw_task`)."""

_FRAMES: collections.OrderedDict[tuple[Any, ...], _Frame] = collections.OrderedDict()


def clear_frames() -> None:
    """Close and forget the station frames this process keeps."""
    while _FRAMES:
        plt.close(_FRAMES.popitem()[1].fig)


def _townships_key(townships: Any) -> str:
    """A digest of what the background draws of ``townships``: their shapes and names."""
    if townships is None or not len(townships):
        return ""
    digest = hashlib.sha256()
    for geom in townships.geometry:
        digest.update(b"" if geom is None else geom.wkb)
    for column in ("name_zh", "name_en"):
        if column in townships.columns:
            digest.update("\x1f".join(map(str, townships[column])).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def _extent(task: MapTask, located: pd.DataFrame, labs: list[tuple[float, float]]) -> tuple[float, ...] | None:
    """The map's (x0, x1, y0, y1) [degrees]: the stops of the task's month, the station, the labs and the townships."""
    extra = ([task.depot] if task.depot is not None else []) + labs
    xs = list(located["lon_wgs84"]) + [p[0] for p in extra]
    ys = list(located["lat_wgs84"]) + [p[1] for p in extra]
    tw = task.townships
    if tw is not None and len(tw):
        x0, y0, x1, y1 = tw.total_bounds
        xs, ys = xs + [x0, x1], ys + [y0, y1]
    if not xs:
        return None
    pad = 0.01
    return (float(min(xs) - pad), float(max(xs) + pad), float(min(ys) - pad), float(max(ys) + pad))


def _new_frame(task: MapTask, colours: dict[Any, str], extent: tuple[float, ...] | None,
               labs: list[tuple[float, float]]) -> _Frame:
    """Draw the parts of ``task``'s maps that are the same every day, and keep them as pixels."""
    dpi = task.dpi
    fig = plt.figure(figsize=A4_LANDSCAPE, dpi=dpi)
    try:
        ax = fig.add_axes(MAP_BOX)
        ax.set_axis_off()
        _draw_background(ax, task.townships)
        if extent is not None:
            ax.set_xlim(extent[0], extent[1])
            ax.set_ylim(extent[2], extent[3])
        ax.set_aspect("equal", adjustable="box")
        # the title's station part, and the strip right of the map: like the extent, the legend is
        # that of the task's stops (the station's month: every team; the lab when a route ends at
        # one), so a day's map is the same whichever task of the month draws it
        name = ax.text(MAP_BOX[0], TITLE_Y, _station_title(task), transform=fig.transFigure, ha="left",
                       va="baseline", fontsize=14, zorder=1)
        counts_x, counts_y = draw_strip(fig, ax, colours, task.depot is not None, bool(labs))
        canvas = fig.canvas
        canvas.draw()  # the background alone (and the final axes box)
        background = canvas.copy_from_bbox(fig.bbox)  # type: ignore[attr-defined]
        encoder = FrameEncoder(_canvas_rgba(fig), dpi)  # reuses the rows of the background a day leaves alone
        renderer = canvas.get_renderer()  # type: ignore[attr-defined]
        top = max((a.get_zorder() for a in [*ax.collections, *ax.patches, *ax.lines, *ax.texts]), default=0.0)
        date_x = (name.get_window_extent(renderer).x1 + 12.0 * dpi / 72.0) / fig.bbox.width
    except BaseException:
        plt.close(fig)
        raise
    return _Frame(fig, ax, background, encoder, top, date_x, counts_x, counts_y, Numerals())


def _frame(task: MapTask, colours: dict[Any, str], extent: tuple[float, ...] | None,
           labs: list[tuple[float, float]]) -> _Frame:
    """The frame of ``task``: one this process kept when another task had the same, else a new one."""
    key = (task.station, task.name, task.dpi, task.depot, extent, tuple(colours.items()), tuple(labs),
           _townships_key(task.townships), label("中", "en"))
    frame = _FRAMES.pop(key, None)
    if frame is None:
        frame = _new_frame(task, colours, extent, labs)
    _FRAMES[key] = frame  # the most recently used last
    while len(_FRAMES) > FRAME_CACHE:
        plt.close(_FRAMES.popitem(last=False)[1].fig)
    return frame


def draw_task(task: MapTask) -> list[tuple[str, bytes]]:
    """The PNG maps of ``task``: (file name, PNG bytes) per day, in the order of ``task.days``.

    The task's frame (the township background, the extent, the station's name and the legend,
    rendered once and kept as pixels) is reused from an earlier task of the same station when
    they are the same; each day's routes, date and stop counts are drawn over a copy of it and
    removed again (see the module docstring: the same pixels as a full redraw, a fraction of the
    time).
    """
    station, st_stops, depot = task.station, task.stops, task.depot
    dates = st_stops["date"].map(lambda d: pd.Timestamp(d).strftime("%Y-%m-%d"))
    located = st_stops.dropna(subset=["lon_wgs84", "lat_wgs84"])
    colours = team_colours(located["team"])  # the task's teams (the station's of the month)
    labs = _labs_of(st_stops)
    frame = _frame(task, colours, _extent(task, located, labs), labs)
    fig, ax = frame.fig, frame.ax
    canvas = fig.canvas
    renderer = canvas.get_renderer()  # type: ignore[attr-defined]
    out: list[tuple[str, bytes]] = []
    in_task = dates.isin(task.days)
    by_day = dict(iter(st_stops[in_task].groupby(dates[in_task], sort=False)))
    try:
        for day in task.days:
            artists, counts = _draw_routes(ax, by_day.get(day, st_stops.iloc[:0]), depot, colours, frame.numerals)
            artists.append(ax.text(frame.date_x, TITLE_Y, _day_title(day), transform=fig.transFigure, ha="left",
                                   va="baseline", fontsize=14, zorder=6))
            artists += frame.numerals.draw(ax, [frame.counts_x] * len(frame.counts_y),
                                           list(frame.counts_y.values()),
                                           [str(counts.get(team, 0)) for team in frame.counts_y], COUNT_SIZE,
                                           "black", 6, transform=fig.transFigure, clip_on=False)
            day_ids = {id(a) for a in artists}
            # the order Axes.draw would use: its children, sorted by zorder (stable)
            ordered = sorted((a for a in ax.get_children() if id(a) in day_ids), key=lambda a: a.get_zorder())
            if ordered and ordered[0].get_zorder() < frame.top:  # a day's artist under the background: redraw all
                canvas.draw()
            else:
                canvas.restore_region(frame.background)  # type: ignore[attr-defined]
                for a in ordered:
                    a.draw(renderer)
            out.append((f"{station}_{day}.png", png_bytes(fig, frame.encoder)))
            for a in artists:
                a.remove()
    except BaseException:  # a day cut short may have left artists on the frame: it is not kept
        for key, kept in list(_FRAMES.items()):
            if kept is frame:
                del _FRAMES[key]
        plt.close(fig)
        raise
    return out
