"""GeoJSON per RFC 7946: lon/lat order, 6 decimals, no crs member, LineString routes, Point stops."""

from __future__ import annotations

import json

import pandas as pd

from riskplan.export import geojson


def _stops() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station_id": ["ST01", "ST01", "ST01"],
            "team": [1, 1, 2],
            "date": ["2026-07-01"] * 3,
            "stop_order": [2, 1, 1],
            "visit_id": ["V2", "V1", "V3"],
            "lon_wgs84": [120.61234567, 120.6, 120.7],
            "lat_wgs84": [27.98765432, 28.0, None],
        }
    )


def test_points_and_lines(tmp_path) -> None:
    stops = _stops()
    pts = geojson.stop_features(stops, ["visit_id", "team"])
    assert len(pts) == 2  # the stop without coordinates has no feature
    assert pts[0]["geometry"] == {"type": "Point", "coordinates": [120.612346, 27.987654]}
    lines = geojson.route_features(stops, {"ST01": (120.5, 28.1)})
    assert len(lines) == 1
    coords = lines[0]["geometry"]["coordinates"]
    assert lines[0]["geometry"]["type"] == "LineString"
    assert coords == [[120.5, 28.1], [120.6, 28.0], [120.612346, 27.987654], [120.5, 28.1]]
    fc = geojson.feature_collection(pts + lines, name="x")
    path = geojson.write_geojson(tmp_path / "x.geojson", fc)
    back = json.loads(path.read_text(encoding="utf-8"))
    assert back["type"] == "FeatureCollection" and "crs" not in back
    assert "WGS-84" in back["coordinates_note"]
    for f in back["features"]:
        lon, lat = (f["geometry"]["coordinates"] if f["geometry"]["type"] == "Point"
                    else f["geometry"]["coordinates"][0])
        assert 73 < lon < 136 and 3 < lat < 54  # lon first: China's extent


def test_route_carrying_perishables_ends_at_the_lab() -> None:
    from riskplan.export.geojson import route_features

    stops = pd.DataFrame({
        "station_id": ["ST01", "ST01", "ST01"], "team": [1, 1, 2], "date": ["2026-07-01"] * 3,
        "stop_order": [1, 2, 1], "lon_wgs84": [120.60, 120.62, 120.65],
        "lat_wgs84": [28.00, 28.01, 27.99], "ends_at": ["lab", "lab", "station"],
        "lab_lon": [120.66, 120.66, None], "lab_lat": [28.02, 28.02, None],
    })
    depot, lab = (120.61, 28.0), (120.66, 28.02)
    feats = route_features(stops, {"ST01": depot})
    team1, team2 = feats
    assert team1["geometry"]["coordinates"][0] == list(depot)
    assert team1["geometry"]["coordinates"][-1] == list(lab)
    assert team1["properties"]["ends_at"] == "lab"
    assert team2["geometry"]["coordinates"][-1] == list(depot)
    assert team2["properties"]["ends_at"] == "station"


def test_each_route_ends_at_its_own_lab() -> None:
    from riskplan.export.geojson import route_features
    from riskplan.export.plan_maps import route_ends

    stops = pd.DataFrame({
        "station_id": ["TS01", "TS02"], "team": [1, 1], "date": ["2026-07-01", "2026-07-01"],
        "stop_order": [1, 1], "lon_wgs84": [120.60, 120.70], "lat_wgs84": [28.00, 27.95],
    })
    routes = pd.DataFrame({
        "station_id": ["TS01", "TS02"], "team": [1, 1], "date": pd.to_datetime(["2026-07-01"] * 2),
        "ends_at": ["lab", "lab"], "lab_id": ["LAB01", "LAB02"],
    })
    labs = pd.DataFrame({"lab_id": ["LAB01", "LAB02"], "lon_wgs84": [120.63, 120.72],
                         "lat_wgs84": [28.00, 27.93]})
    feats = route_features(route_ends(stops, routes, labs),
                           {"TS01": (120.61, 28.0), "TS02": (120.71, 27.96)})
    ends = {f["properties"]["station_id"]: f["geometry"]["coordinates"][-1] for f in feats}
    assert ends == {"TS01": [120.63, 28.0], "TS02": [120.72, 27.93]}
