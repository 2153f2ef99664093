"""Stop numbers on the route maps: where they go (apart from each other) and how they are drawn.

Numbers are drawn as markers whose path is the outline of the number's glyphs (bold): the
renderer rasterises a marker once and stamps it, where a text artist lays out and renders its
glyphs each time (about 1-3 ms a text at 150 dpi, measured: a few texts a map were a third of
its time). :class:`Numerals` keeps the outlines made for a figure so each is made once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.textpath import TextPath

LABEL_GAP = 22.0
"""Smallest distance between two stop numbers on a map [px at 100 dpi]."""

DISC_SIZE = 13.0
"""Diameter of the disc a stop number stands in [pt] (less than ``LABEL_GAP``: discs never touch)."""

NUMBER_SIZE = 8.0
"""Font size of the stop numbers [pt] (bold, white)."""

DOT_SIZE = 14.0 ** 0.5
"""Diameter of the dot at a stop whose number was moved away [pt]."""


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


def add_line(ax: Axes, x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, **style: Any) -> Line2D:
    """A :class:`~matplotlib.lines.Line2D` added to ``ax`` as an artist.

    Unlike ``ax.plot``: no property cycle and no data limits to update (a third of the time;
    the map's extent is set before).
    """
    line = Line2D(np.asarray(x, dtype=float), np.asarray(y, dtype=float), **style)
    ax.add_artist(line)
    return line


def numeral_marker(text: str, size: float) -> tuple[Path, float]:
    """A marker of ``text`` in bold: its glyph outlines, centred on (0, 0), and the marker size [pt].

    The marker size is the one that draws the outlines at font ``size`` [pt].
    """
    outline = TextPath((0.0, 0.0), text, size=size, prop=FontProperties(weight="bold"))
    flat = np.concatenate(outline.to_polygons(closed_only=False))  # the curves as segments: the glyphs' box
    low, high = flat.min(axis=0), flat.max(axis=0)
    verts = outline.vertices - (low + high) / 2
    # matplotlib scales a path marker to |vertex| <= 0.5 marker size: undo that
    return Path(verts, outline.codes), 2.0 * float(np.abs(verts).max())


class Numerals:
    """The number markers (:func:`numeral_marker`) made for one figure, each made once.

    Made at 10 pt: a marker's outline is the same at any font size, only its marker size scales.
    """

    def __init__(self) -> None:
        self._made: dict[str, tuple[Path, float]] = {}

    def marker(self, text: str, size: float) -> tuple[Path, float]:
        """The marker path of ``text`` and its marker size [pt] at font ``size`` [pt]."""
        if text not in self._made:
            self._made[text] = numeral_marker(text, 10.0)
        path, marker_size = self._made[text]
        return path, marker_size * size / 10.0

    def draw(
        self, ax: Axes, x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, texts: Sequence[str],
        size: float, colour: str,
        zorder: float, **line: Any,
    ) -> list[Artist]:
        """Draw ``texts`` centred at (``x``, ``y``) (in ``ax``'s data coordinates, or ``line["transform"]``'s).

        One line (of markers only) per distinct text, in the order of first appearance.
        """
        artists: list[Artist] = []
        xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        labels = np.asarray(texts, dtype=object)
        for text in dict.fromkeys(texts):
            path, marker_size = self.marker(text, size)
            mine = labels == text
            artists.append(add_line(ax, xs[mine], ys[mine], linestyle="none", marker=path, markersize=marker_size,
                                    markerfacecolor=colour, markeredgewidth=0.0, zorder=zorder, **line))
        return artists


def draw_stop_numbers(
    ax: Axes, lon: np.ndarray, lat: np.ndarray, order: Sequence[int], colour: Sequence[str], numerals: Numerals,
) -> list[Artist]:
    """Stop numbers in coloured discs, moved apart where stops crowd, with a leader line to the stop.

    Parameters
    ----------
    ax
        The map's axes, its extent and box final.
    lon, lat
        The stops [degrees], in drawing order.
    order
        Each stop's number.
    colour
        Each stop's colour (its team's).
    numerals
        The number markers of the figure.

    Returns
    -------
    list of Artist
        Leader lines (one collection), dots at the stops whose number moved (a line per colour),
        discs (a line per colour), numbers (a line per number).
    """
    ax.apply_aspect()  # the final axes box, so data -> pixel is what will be drawn
    fig = ax.get_figure()
    scale = (fig.dpi / 100.0) if fig is not None else 1.0
    px = ax.transData.transform(np.column_stack([lon, lat]))
    spots = np.array(spread_labels([(float(a), float(b)) for a, b in px], LABEL_GAP * scale))
    at = ax.transData.inverted().transform(spots)
    moved = ((spots - px) ** 2).sum(axis=1) > 1.0
    artists: list[Artist] = []
    if moved.any():
        away = [int(i) for i in np.flatnonzero(moved)]
        segments = [[(lon[i], lat[i]), (at[i, 0], at[i, 1])] for i in away]
        leaders = LineCollection(segments, colors=[colour[i] for i in away], linewidths=0.8, zorder=3)
        artists.append(ax.add_collection(leaders, autolim=False))
    for c in dict.fromkeys(colour):  # in drawing order
        mine = np.array([k == c for k in colour])
        if (mine & moved).any():  # the stop itself, where its number moved away
            artists.append(add_line(ax, lon[mine & moved], lat[mine & moved], linestyle="none", marker="o",
                                    markersize=DOT_SIZE, color=c, zorder=4))
        artists.append(add_line(ax, at[mine, 0], at[mine, 1], linestyle="none", marker="o", markersize=DISC_SIZE,
                                markerfacecolor=c, markeredgecolor="white", markeredgewidth=0.8, zorder=5))
    texts = [str(int(k)) for k in order]
    artists += numerals.draw(ax, at[:, 0], at[:, 1], texts, NUMBER_SIZE, "white", 6)
    return artists
