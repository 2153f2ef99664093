"""The interactive month map (``maps/<YYYY-MM>.html``) in a real headless browser, offline.

Debian's chromium and chromedriver (``make setup`` installs them: tools/install-browser.sh) are
driven by selenium. The browser runs with networking made impossible (a proxy that does not
exist, every host name unresolvable, background services off): the page must still draw every
stop of the month, show no console error, and request nothing but itself. The plan folder is
written by ``write_plan`` (PNG maps and workbooks switched off to keep the test quick) on Ouhai
and on the second district, Yunling.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from riskplan.config import Config
from riskplan.errors import RiskplanError
from riskplan.export.html_map import month_map_data, month_map_html
from riskplan.export.plan_folder import read_table, write_plan
from riskplan.pipeline import run_plan
from riskplan.settings import ExportRules

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
         "--disable-default-apps", "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--window-size=1280,900")


def _quick(config: Config) -> Config:
    export = dataclasses.replace(config.export, maps=False, xlsx=False)
    return dataclasses.replace(config, export=export)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMEDRIVER.exists() and CHROMIUM.exists()):
        pytest.fail("chromium and chromedriver are needed for the HTML map test: run `make setup` as root on "
                    "Debian (tools/install-browser.sh: apt-get install -y chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def ouhai_folder(ouhai, tmp_path_factory) -> Path:
    result = run_plan(ouhai, _quick(Config()), 7, seed=0)
    return write_plan(result, ouhai, tmp_path_factory.mktemp("ouhai") / "plan", lang="zh")


@pytest.fixture(scope="module")
def yunling_folder(yunling, yunling_config, tmp_path_factory) -> Path:
    result = run_plan(yunling, _quick(yunling_config), 3, seed=0)
    return write_plan(result, yunling, tmp_path_factory.mktemp("yunling") / "plan", lang="en")


def _open(driver, page: Path) -> list[dict]:
    driver.get_log("browser")  # drop what an earlier page logged
    driver.get(page.as_uri())
    assert driver.find_element("tag name", "body").get_attribute("data-ready") == "1", "the viewer did not start"
    return driver.get_log("browser")


def _check_month_map(driver, folder: Path, month: str) -> None:
    page = folder / "maps" / f"{month}.html"
    assert page.exists(), sorted(p.name for p in (folder / "maps").iterdir())
    stops = read_table(folder / "stops.csv", "stops")
    stops = stops[stops["date"].str.startswith(month)]
    assert len(stops) and stops["lon_wgs84"].notna().all()

    logs = _open(driver, page)
    assert not [e for e in logs if e["level"] in ("SEVERE", "WARNING")], logs

    # nothing leaves the page: a policy that forbids it, and no resource but the file itself
    policy = driver.find_element("css selector", 'meta[http-equiv="Content-Security-Policy"]')
    assert policy.get_attribute("content").startswith("default-src 'none'")
    urls = driver.execute_script(
        "return performance.getEntries().map(function (e) { return e.name; })"
        ".filter(function (n) { return /^[a-z]+:/.test(n); });")
    assert [u for u in urls if not u.startswith(("file:", "data:"))] == []

    # every stop of the month is a marker, in its layer (station, team, day)
    markers = driver.find_elements("css selector", "#stops g.stop")
    assert len(markers) == len(stops)
    layers = {(r.station_id, str(r.team), r.date) for r in stops.itertuples()}
    boxes = driver.find_elements("css selector", "#layer-list input[type=checkbox]")
    assert {tuple(b.get_attribute("data-layer").split("|")) for b in boxes} == layers
    per_layer = stops.groupby(["station_id", "team", "date"]).size()
    assert sum(m.is_displayed() for m in markers) == len(stops)

    # hiding one team-day layer hides exactly its markers and its route
    (sid, team, day), n = next(iter(per_layer.items()))
    team = str(team)
    layer_id = f"{sid}|{team}|{day}"
    box = next(b for b in boxes if b.get_attribute("data-layer") == layer_id)
    box.click()
    hidden = [m for m in markers if not m.is_displayed()]
    assert len(hidden) == n
    assert {m.get_attribute("data-layer") for m in hidden} == {layer_id}
    route = driver.find_element("css selector", f'polyline.route[data-layer="{layer_id}"]')
    assert not route.is_displayed()
    box.click()
    assert sum(m.is_displayed() for m in markers) == len(stops)

    # clicking a stop shows its team-sheet row: arrival HH:MM and the navigation links
    driver.find_element("id", "layers-none").click()
    assert not any(m.is_displayed() for m in markers)
    box.click()
    marker = [m for m in markers if m.get_attribute("data-layer") == layer_id][-1]  # drawn on top
    marker.click()
    popup = driver.find_element("id", "popup")
    assert popup.is_displayed()
    row = stops[(stops["station_id"] == sid) & (stops["team"].astype(str) == team) & (stops["date"] == day)
                & (stops["stop_order"] == int(marker.get_attribute("data-stop")))].iloc[0]
    arrival = popup.find_element("css selector", 'td[data-column="arrival"]').text
    assert re.fullmatch(r"\d\d:\d\d", arrival) and arrival == row["arrival"]
    assert row["establishment_name"] in popup.text
    links = [a.get_attribute("href") for a in popup.find_elements("css selector", "a.nav")]
    assert links == [row["amap_url"], row["baidu_url"]]
    assert links[0].startswith("https://uri.amap.com/navigation?to=")
    assert links[1].startswith("https://api.map.baidu.com/direction?destination=latlng:")

    # zoom changes the scale; dragging pans the view
    scale = driver.find_element("id", "scale")
    before = float(scale.get_attribute("data-metres-per-px"))
    driver.find_element("id", "zoom-in").click()
    after = float(scale.get_attribute("data-metres-per-px"))
    assert after == pytest.approx(before / 2, rel=1e-3)
    driver.find_element("id", "zoom-out").click()
    assert float(scale.get_attribute("data-metres-per-px")) == pytest.approx(before, rel=1e-3)
    from selenium.webdriver import ActionChains

    driver.find_element("id", "popup-close").click()
    assert not popup.is_displayed()
    view = driver.find_element("id", "map").get_attribute("data-view")
    ActionChains(driver).move_to_element_with_offset(driver.find_element("id", "map"), 10, 10) \
        .click_and_hold().move_by_offset(80, 40).release().perform()
    assert driver.find_element("id", "map").get_attribute("data-view") != view
    assert not [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def test_ouhai_july_map_offline(browser, ouhai_folder) -> None:
    _check_month_map(browser, ouhai_folder, "2026-07")
    manifest = json.loads((ouhai_folder / "manifest.json").read_text(encoding="utf-8"))
    assert "maps/2026-07.html" in manifest["outputs_sha256"]


def test_yunling_map_offline(browser, yunling_folder) -> None:
    months = sorted(p.stem for p in (yunling_folder / "maps").glob("*.html"))
    assert months
    for month in months:
        _check_month_map(browser, yunling_folder, month)


def test_tiles_setting_allows_only_the_tile_host(ouhai, ouhai_folder, browser, tmp_path) -> None:
    """With ``export.map_tiles`` the page asks the tile host for images (and nothing else)."""
    stops = read_table(ouhai_folder / "stops.csv", "stops")
    data = month_map_data(stops, {"ST": (120.6, 27.95)}, townships=ouhai.townships,
                          tiles="https://tile.example.org/{z}/{x}/{y}.png", attribution="© example")
    page = tmp_path / "tiles.html"
    page.write_text(month_map_html(data, "tiles", "zh"), encoding="utf-8")
    html = page.read_text(encoding="utf-8")
    assert "img-src data: https://tile.example.org;" in html
    browser.get(page.as_uri())
    tiles = browser.find_elements("css selector", "#tiles image")
    assert tiles and all(t.get_attribute("href").startswith("https://tile.example.org/") for t in tiles)
    assert "© example" in browser.find_element("id", "attribution").text


def test_map_is_deterministic_and_escapes_names(ouhai, ouhai_folder) -> None:
    stops = read_table(ouhai_folder / "stops.csv", "stops")
    stops = stops.assign(establishment_name=stops["establishment_name"].where(
        stops.index != stops.index[0], "</script><b>x</b>"))
    depots = {str(s): (float(x), float(y)) for s, x, y in
              zip(ouhai.stations["station_id"], ouhai.stations["lon_wgs84"], ouhai.stations["lat_wgs84"])}
    pages = [month_map_html(month_map_data(stops, depots, townships=ouhai.townships, labs=ouhai.labs), "t")
             for _ in range(2)]
    assert pages[0] == pages[1]
    assert pages[0].count("</script>") == 2  # the two script elements' own ends, not the name's
    data = json.loads(pages[0].split('id="map-data">')[1].split("</script>")[0])
    assert sum(len(layer["stops"]) for layer in data["layers"]) == len(stops)
    assert data["unlocated"] == 0


def test_stops_without_coordinates_are_counted_not_drawn(ouhai_folder) -> None:
    stops = read_table(ouhai_folder / "stops.csv", "stops")
    stops.loc[stops.index[:2], ["lon_wgs84", "lat_wgs84"]] = float("nan")
    data = month_map_data(stops, {})
    assert data["unlocated"] == 2
    assert sum(len(layer["stops"]) for layer in data["layers"]) == len(stops) - 2


def test_tiles_setting_is_checked() -> None:
    with pytest.raises(RiskplanError, match="export.map_tiles"):
        ExportRules(map_tiles="tile.example.org/{z}/{x}.png")
    assert ExportRules(map_tiles="https://t.example.org/{z}/{x}/{y}.png").map_tiles


def test_no_tiles_means_no_request_possible() -> None:
    data = month_map_data(pd.DataFrame(columns=["date", "station_id", "team", "stop_order", "lon_wgs84",
                                                "lat_wgs84"]), {"S": (120.0, 28.0)})
    page = month_map_html(data, "empty", "en")
    assert "img-src data:;" in page and "http://" not in page.split("<script")[0].replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
