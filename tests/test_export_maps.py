"""PNG route maps are reproducible and carry no software version."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from riskplan.errors import RiskplanError
from riskplan.export import maps
from riskplan.export.atomic import staged_folder


def test_png_reproducible(tmp_path) -> None:
    stops = pd.DataFrame({"station_id": ["ST01"] * 3, "date": ["2026-07-01"] * 3, "team": [1, 1, 2],
                          "stop_order": [1, 2, 1], "lon_wgs84": [120.6, 120.62, 120.65],
                          "lat_wgs84": [28.0, 28.01, 27.99]})
    a = maps.write_station_day_maps(tmp_path / "a", stops, {"ST01": (120.61, 28.0)})
    b = maps.write_station_day_maps(tmp_path / "b", stops, {"ST01": (120.61, 28.0)})
    assert [p.name for p in a] == ["ST01_2026-07-01.png"]
    data = a[0].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data == b[0].read_bytes()
    assert b"matplotlib" not in data


def test_stop_numbers_are_spread_apart() -> None:
    pts = [(100.0, 100.0), (101.0, 100.0), (100.0, 102.0), (300.0, 300.0), (100.5, 100.5)]
    spots = maps.spread_labels(pts, 20.0)
    assert spots[0] == pts[0] and spots[3] == pts[3]  # free points keep their place
    for i, (x, y) in enumerate(spots):
        for a, b in spots[i + 1:]:
            assert (x - a) ** 2 + (y - b) ** 2 >= 20.0**2 - 1e-9
    assert spots == maps.spread_labels(pts, 20.0)  # deterministic


def test_map_is_a4_titled_with_the_station_name_and_draws_a_one_stop_route(tmp_path) -> None:
    import numpy as np
    from PIL import Image

    stops = pd.DataFrame({"station_id": ["ST01"] * 2, "date": ["2026-07-01", "2026-07-02"], "team": [1, 1],
                          "stop_order": [1, 1], "lon_wgs84": [120.6, 120.62], "lat_wgs84": [28.0, 28.01]})
    out = maps.write_station_day_maps(tmp_path, stops, {"ST01": (120.61, 28.0)}, dpi=100,
                                      station_names={"ST01": "景山所"})
    assert [p.name for p in out] == ["ST01_2026-07-01.png", "ST01_2026-07-02.png"]
    img = Image.open(out[0]).convert("RGB")
    assert img.size == (1169, 827)  # A4 landscape at 100 dpi
    # the one-stop route is drawn: team 1's colour (#1f77b4) covers a real stretch of pixels
    px = np.asarray(img, dtype=int)
    blue = (np.abs(px - np.array([0x1F, 0x77, 0xB4])) < 40).all(axis=2).sum()
    assert blue > 500


def _month_of_stops(stations: int, days: int) -> pd.DataFrame:
    rows = []
    for s in range(stations):
        for d in range(days):
            for k in range(3):
                rows.append({"station_id": f"ST{s + 1:02d}", "date": f"2026-07-{d + 1:02d}", "team": 1 + k % 2,
                             "stop_order": 1 + k // 2, "lon_wgs84": 120.6 + 0.01 * k + 0.002 * d,
                             "lat_wgs84": 28.0 + 0.01 * s - 0.003 * k})
    return pd.DataFrame(rows)


def test_workers_draw_the_same_files(tmp_path) -> None:
    stops = _month_of_stops(2, 3)  # 2 stations x 3 days: a task per station
    depots = {"ST01": (120.61, 28.0), "ST02": (120.61, 28.01)}
    one = maps.write_station_day_maps(tmp_path / "one", stops, depots, dpi=40, workers=1)
    two = maps.write_station_day_maps(tmp_path / "two", stops, depots, dpi=40, workers=2)
    assert len(one) == 6 and [p.name for p in one] == [p.name for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two))
    assert [t.days for t in maps.map_tasks(stops, depots, days_per_task=2)] == [
        ("2026-07-01", "2026-07-02"), ("2026-07-03",)] * 2


def test_a_dead_worker_leaves_no_folder(tmp_path) -> None:
    """A drawing process killed mid-run: a clear error, and no plan folder, staged or final."""
    stops = _month_of_stops(2, 9)
    depots = {"ST01": (120.61, 28.0), "ST02": (120.61, 28.01)}
    out = tmp_path / "plan"
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with staged_folder(out) as tmp:
                maps.write_station_day_maps(tmp / "maps", stops, depots, dpi=150, workers=2)
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    kids: list = []
    while not kids and time.monotonic() < deadline:
        kids = multiprocessing.active_children()
        time.sleep(0.02)
    assert kids, "no drawing process started"
    os.kill(kids[0].pid, signal.SIGKILL)
    thread.join(300)
    assert len(errors) == 1 and isinstance(errors[0], RiskplanError), errors
    assert "a worker process drawing the route maps (or a workbook, a chart) died" in str(errors[0])
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_workers_draw_leaves_no_folder_and_no_process(tmp_path) -> None:
    stops = _month_of_stops(2, 9)
    depots = {"ST01": (120.61, 28.0), "ST02": (120.61, 28.01)}
    out = tmp_path / "plan"

    def press_ctrl_c() -> None:
        deadline = time.monotonic() + 120
        while not multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    with pytest.raises(KeyboardInterrupt):
        with staged_folder(out) as tmp:
            maps.write_station_day_maps(tmp / "maps", stops, depots, dpi=60, workers=2)
    presser.join()
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []


def _pixels(png: bytes):  # type: ignore[no-untyped-def]
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_blitted_days_have_the_pixels_of_a_full_redraw(monkeypatch) -> None:
    """Each day is drawn over the task's background kept as pixels: the same image as redrawing
    the whole figure, and nothing of the day before is left on the next day's map."""
    from riskplan.export import map_drawing

    stops = _month_of_stops(1, 3)
    stops.loc[stops["date"] == "2026-07-02", "team"] = 1  # days unlike each other: one team, then two
    depots = {"ST01": (120.61, 28.0)}
    (task,) = maps.map_tasks(stops, depots, dpi=60)
    blitted = maps.draw_task(task)
    one_by_one = [m for day in task.days for m in maps.draw_task(dataclasses.replace(task, days=(day,)))]
    assert [n for n, _ in blitted] == [n for n, _ in one_by_one] == [f"ST01_2026-07-0{d}.png" for d in (1, 2, 3)]
    assert all(a == b for (_, a), (_, b) in zip(blitted, one_by_one))

    encode = map_drawing.png_bytes

    def redrawn(fig, encoder=None):  # type: ignore[no-untyped-def]
        fig.canvas.draw()  # the whole figure, as savefig does
        return encode(fig, encoder)

    monkeypatch.setattr(map_drawing, "png_bytes", redrawn)
    full = maps.draw_task(task)
    for (_, a), (_, b) in zip(blitted, full):
        assert (_pixels(a) == _pixels(b)).all()
    assert not (_pixels(blitted[0][1]) == _pixels(blitted[1][1])).all()  # the days differ


def test_a_kept_frame_draws_the_same_maps_as_a_new_one(monkeypatch) -> None:
    """A station's frame is kept for its next task (its extent, teams and labs alike); the maps
    drawn on it are byte-identical to those of a fresh frame, and a task cut short by an error
    leaves no frame behind to draw on."""
    from riskplan.export import map_drawing

    stops = _month_of_stops(2, 4)
    depots = {"ST01": (120.61, 28.0), "ST02": (120.61, 28.01)}
    tasks = maps.map_tasks(stops, depots, dpi=50, days_per_task=2)  # two tasks per station
    assert [t.station for t in tasks] == ["ST01", "ST01", "ST02", "ST02"]
    made = []
    new_frame = map_drawing._new_frame
    monkeypatch.setattr(map_drawing, "_new_frame", lambda *a: made.append(a[0].station) or new_frame(*a))
    map_drawing.clear_frames()
    kept = [m for task in tasks for m in maps.draw_task(task)]
    assert made == ["ST01", "ST02"]  # each station's second task found its frame
    fresh = []
    for task in tasks:
        map_drawing.clear_frames()
        fresh += maps.draw_task(task)
    assert len(made) == 6 and len(kept) == 8
    assert [n for n, _ in kept] == [n for n, _ in fresh] and all(a == b for (_, a), (_, b) in zip(kept, fresh))

    other = dataclasses.replace(tasks[0], stops=tasks[0].stops.assign(team=3))  # other teams: another legend
    maps.draw_task(other)
    assert made[-1] == "ST01" and len(made) == 7

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    assert maps.draw_task(tasks[0]) == kept[:2] and len(made) == 8  # ST01's frame made again, and kept
    monkeypatch.setattr(map_drawing, "png_bytes", failing)
    with pytest.raises(OSError):
        maps.draw_task(tasks[1])  # on the kept frame: its first day's routes are drawn, then the error
    assert len(made) == 8
    monkeypatch.undo()
    monkeypatch.setattr(map_drawing, "_new_frame", lambda *a: made.append(a[0].station) or new_frame(*a))
    assert maps.draw_task(tasks[1]) == kept[2:4]  # the frame the error left was dropped: a new one
    assert len(made) == 9
    map_drawing.clear_frames()
    assert not map_drawing._FRAMES


def test_png_is_opaque_rgb_at_the_map_dpi() -> None:
    import io

    from PIL import Image

    stops = _month_of_stops(1, 1)
    ((_, png),) = maps.draw_task(maps.map_tasks(stops, {"ST01": (120.61, 28.0)}, dpi=150)[0])
    img = Image.open(io.BytesIO(png))
    assert img.mode == "RGB" and img.size == (1753, 1240)
    assert [round(d) for d in img.info["dpi"]] == [150, 150]


def test_a_one_stop_route_is_drawn_as_a_line_from_the_station_in_the_map_area() -> None:
    """The route of a single stop is a line to it and back, not just its numbered disc; the legend
    and the stop counts stand in the strip right of the map."""
    from riskplan.export import map_drawing

    stops = pd.DataFrame({"station_id": ["ST01"], "date": ["2026-07-01"], "team": [1], "stop_order": [1],
                          "lon_wgs84": [120.70], "lat_wgs84": [28.0]})
    ((_, png),) = maps.draw_task(maps.map_tasks(stops, {"ST01": (120.60, 28.0)}, dpi=100)[0])
    px = _pixels(png).astype(int)
    width = px.shape[1]
    blue = (np.abs(px - np.array([0x1F, 0x77, 0xB4])) < 40).all(axis=2)
    right_of_map = int((map_drawing.MAP_BOX[0] + map_drawing.MAP_BOX[2]) * width)
    cols = np.flatnonzero(blue[:, :right_of_map].any(axis=0))
    # depot and stop 0.1 degree apart across a map 0.12 degree wide: the line spans most of it
    assert cols.max() - cols.min() > 0.5 * right_of_map
    assert blue[:, right_of_map:].sum() > 0  # the legend's team 1 (line, disc, name) in the strip


def test_crowded_stop_numbers_do_not_overlap() -> None:
    """Stops a few metres apart: every number's disc clear of the others, each moved one joined to its stop."""
    import matplotlib.pyplot as plt

    from riskplan.export import map_labels

    fig = plt.figure(figsize=(6, 4), dpi=150)
    try:
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(120.5, 120.7)
        ax.set_ylim(27.9, 28.1)
        lon = np.array([120.6, 120.6001, 120.6002, 120.5999, 120.6, 120.65])
        lat = np.array([28.0, 28.0001, 27.9999, 28.0, 28.0002, 28.05])
        colours = ["#1f77b4"] * 3 + ["#d62728"] * 3
        artists = map_labels.draw_stop_numbers(ax, lon, lat, [1, 2, 3, 1, 2, 3], colours, map_labels.Numerals())
        discs = [a for a in artists if getattr(a, "get_marker", lambda: None)() == "o"
                 and a.get_markersize() == map_labels.DISC_SIZE]
        centres = np.vstack([ax.transData.transform(np.column_stack(d.get_data())) for d in discs])
        assert len(centres) == 6
        diameter = map_labels.DISC_SIZE * fig.dpi / 72  # [px]
        gaps = [np.hypot(*(a - b)) for i, a in enumerate(centres) for b in centres[i + 1:]]
        assert min(gaps) >= diameter
        (leaders,) = [a for a in artists if isinstance(a, LineCollection)]
        assert len(leaders.get_segments()) == 4  # the first stop and the far one keep their place
        numbers = [a for a in artists if a not in discs and a is not leaders and a.get_zorder() == 6]
        assert sorted(len(a.get_xdata()) for a in numbers) == [2, 2, 2]  # "1", "2", "3": a line each
    finally:
        plt.close(fig)


def test_legend_and_stop_counts_stand_right_of_the_map() -> None:
    """Every stop lies inside the map's axes (its extent holds them all): the strip must not reach it."""
    import matplotlib.pyplot as plt

    from riskplan.export import map_drawing, map_legend

    fig = plt.figure(figsize=map_drawing.A4_LANDSCAPE, dpi=100)
    try:
        ax = fig.add_axes(map_drawing.MAP_BOX)
        before = set(map(id, ax.get_children()))
        colours = map_drawing.team_colours([1, 2, 3])
        counts_x, rows = map_legend.draw_strip(fig, ax, colours, station=True, lab=True)
        strip = [a for a in ax.get_children() if id(a) not in before]
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        right_of_map = ax.get_window_extent(renderer).x1
        assert len(strip) >= 3 * 3 + 2 * 2 + 1  # team samples (line, disc, name), station, lab, frame
        assert min(a.get_window_extent(renderer).x0 for a in strip) > right_of_map
        assert counts_x * fig.bbox.width > right_of_map and list(rows) == [1, 2, 3]
        assert all(0 < y < map_legend.LEGEND_AT[1] for y in rows.values())
    finally:
        plt.close(fig)


def test_a_team_keeps_its_colour_whichever_teams_work() -> None:
    from riskplan.export import map_drawing

    colours = map_drawing.TEAM_COLOURS
    assert map_drawing.team_colours([2, 2]) == {2: colours[1]}  # team 2 alone: still its own colour
    assert map_drawing.team_colours([3, 1]) == {1: colours[0], 3: colours[2]}
    assert map_drawing.team_colours(["B", "A"]) == {"A": colours[0], "B": colours[1]}
