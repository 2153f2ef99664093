"""Settings of the plan-folder export (TOML section ``export``)."""

from __future__ import annotations

import dataclasses
from typing import Literal

from riskplan._settings import check, check_range


@dataclasses.dataclass(frozen=True)
class ExportRules:
    """How a plan folder is written.

    Attributes
    ----------
    lang
        Language of column headers and labels: ``"zh"`` (Chinese) or ``"en"``; ``--lang``
        overrides it.
    csv_excel_text
        Write number-like IDs and codes in CSV as ``="330304001"`` so Excel and WPS keep them as
        text (no lost leading zeros, no scientific notation); readers of plan folders undo it.
    xlsx
        Write one XLSX workbook per team (a sheet per day) next to the CSV files.
    maps
        Write a PNG route map per station and day.
    map_dpi
        Resolution of the PNG maps [dots per inch]; the maps are A4 landscape (150: print quality).
        Range: [20, 600].
    map_workers
        Worker processes beside the main one [-]: they draw the PNG maps (each month's while the
        next months are routed), build the team workbooks and report charts, and one of them
        solves day routes with the main process; 0: one per CPU. The files are the same whatever
        the number.
        Range: [0, 64].
    html_map
        Write an interactive HTML route map per month (``maps/<YYYY-MM>.html``): one file that
        works offline, with the townships as background.
    map_tiles
        Online tile layer under the HTML map: an XYZ URL template with ``{z}``, ``{x}``, ``{y}``
        (``https://tile.openstreetmap.org/{z}/{x}/{y}.png``; WGS-84 Web Mercator tiles). Empty
        (default): no tiles, the map makes no request at all.
    map_tiles_attribution
        Attribution shown with the tiles (``© OpenStreetMap contributors``).
    geojson
        Write routes and stops as GeoJSON (RFC 7946).
    coordinate_decimals
        Decimals kept in GeoJSON coordinates [-] (6 = about 0.1 m).
        Range: [1, 9].
    report
        Format of the summary report: ``"md"`` (Markdown) or ``"html"``.
    """

    lang: Literal["zh", "en"] = "zh"
    csv_excel_text: bool = True
    xlsx: bool = True
    maps: bool = True
    map_dpi: int = 150
    map_workers: int = 0
    html_map: bool = True
    map_tiles: str = ""
    map_tiles_attribution: str = ""
    geojson: bool = True
    coordinate_decimals: int = 6
    report: Literal["md", "html"] = "md"

    def __post_init__(self) -> None:
        check(20 <= self.map_dpi <= 600, "export.map_dpi", f"must be 20-600, got {self.map_dpi}")
        check(
            1 <= self.coordinate_decimals <= 9,
            "export.coordinate_decimals",
            f"must be 1-9, got {self.coordinate_decimals}",
        )
        tiles = self.map_tiles
        check(
            not tiles or (tiles.startswith(("https://", "http://")) and all(k in tiles for k in ("{z}", "{x}", "{y}"))),
            "export.map_tiles",
            f"must be empty or an http(s) URL template with {{z}}, {{x}} and {{y}}, got {tiles!r}",
        )
        # the documented ranges (Range: in the Attributes above)
        check_range(self.map_dpi, "export.map_dpi", "[20, 600]")
        check_range(self.coordinate_decimals, "export.coordinate_decimals", "[1, 9]")
        check_range(self.map_workers, "export.map_workers", "[0, 64]")
