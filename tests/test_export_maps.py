"""PNG route maps are reproducible and carry no software version."""

from __future__ import annotations

import pandas as pd

from riskplan.export import maps


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
