"""The legend of the route maps, in a strip right of the map, and the day's stop counts under it.

Laid out here, with a sample (a :class:`~matplotlib.lines.Line2D`) and a name per entry in a
frame, not by :class:`matplotlib.legend.Legend`: its offsetbox layout and drawing were about 24
ms of every map when the legend was drawn per day, and a third of a task's fixed time once it
was drawn with the background (measured on the Ouhai year at 150 dpi).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from riskplan.export.map_labels import DISC_SIZE, add_line
from riskplan.plotting.fonts import label

LEGEND_AT = (0.805, 0.93)
"""Upper left corner of the legend [figure fraction], in the strip right of the map."""


def team_label(team: Any, n: int | None) -> str:
    """A team's name, with its stop count ``n`` unless None."""
    if n is None:
        return label(f"第{team}组", f"team {team}")
    return label(f"第{team}组（{n} 个点位）", f"team {team} ({n} stop{'s' * (n != 1)})")


def legend_entries(
    colours: Mapping[Any, str], counts: Mapping[Any, int] | None, station: bool, lab: bool,
) -> tuple[list[Line2D], list[str]]:
    """Legend handles and labels: a line per team (with its stop count when ``counts`` is given), station, lab."""
    handles = [Line2D([], [], color=c, linewidth=2.0, marker="o", markersize=DISC_SIZE * 0.75,
                                    markeredgecolor="white") for c in colours.values()]
    labels = [team_label(t, None if counts is None else counts.get(t, 0)) for t in colours]
    if station:
        handles.append(Line2D([], [], linestyle="none", marker="*", markersize=260 ** 0.5, color="black"))
        labels.append(label("所站", "station"))
    if lab:
        handles.append(Line2D([], [], linestyle="none", marker="s", markersize=60 ** 0.5, color="#555555"))
        labels.append(label("检验机构", "lab"))
    return handles, labels


def draw_strip(
    fig: Figure, ax: Axes, colours: Mapping[Any, str], station: bool, lab: bool,
) -> tuple[float, dict[Any, float]]:
    """The legend in the strip right of the map and, under it, the day's stop counts' heading and team names.

    Laid out here, not by :class:`matplotlib.legend.Legend` (whose layout took a third of a task's
    fixed time): a sample and a name per entry (:func:`legend_entries`) in a frame. Returns where
    the counts go: x and each team's y [figure fraction].
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width, height, pt = fig.bbox.width, fig.bbox.height, fig.dpi / 72.0  # [px], [px], [px per pt]
    handles, labels = legend_entries(colours, None, station, lab)
    left, top = LEGEND_AT[0] * width, LEGEND_AT[1] * height  # [px]
    y, right = top - 6.0 * pt, left
    in_figure: dict[str, Any] = {"transform": fig.transFigure, "clip_on": False, "zorder": 1.5}
    for handle, text in zip(handles, labels):
        y -= 9.0 * pt
        sample = (left + 6.0 * pt) / width, (left + 30.0 * pt) / width
        if handle.get_linestyle() not in ("None", "none", ""):
            add_line(ax, sample, [y / height] * 2, color=handle.get_color(), linewidth=handle.get_linewidth(),
                     **in_figure)
        add_line(ax, [sum(sample) / 2], [y / height], linestyle="none", marker=handle.get_marker(),
                 markersize=handle.get_markersize(), color=handle.get_color(),
                 markeredgecolor=handle.get_markeredgecolor(), **in_figure)
        name = ax.text((left + 38.0 * pt) / width, y / height, text, ha="left", va="center", fontsize=10, **in_figure)
        right = max(right, name.get_window_extent(renderer).x1)
        y -= 9.0 * pt
    if handles:
        y -= 6.0 * pt
        ax.add_artist(Rectangle((left / width, y / height), (right + 6.0 * pt - left) / width, (top - y) / height,
                                facecolor="white", edgecolor="#cccccc", linewidth=0.8, transform=fig.transFigure,
                                clip_on=False, zorder=1.4))
    x = (left + 6.0 * pt) / width
    y -= 14.0 * pt
    ax.text(x, y / height, label("当日点位数", "stops today"), transform=fig.transFigure, ha="left", va="top",
            fontsize=10, zorder=1)
    y -= 10.0 * pt
    rows: dict[Any, float] = {}
    right = x * width
    for team, colour in colours.items():
        y -= 16.0 * pt
        name = ax.text(x + 8.0 * pt / width, y / height, team_label(team, None), transform=fig.transFigure,
                       ha="left", va="center", fontsize=10, color=colour, fontweight="bold", zorder=1)
        right = max(right, name.get_window_extent(renderer).x1)
        rows[team] = y / height
    return (right + 16.0 * pt) / width, rows
