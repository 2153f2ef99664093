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
