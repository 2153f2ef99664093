"""Print-ready team workbooks: one XLSX per team, one sheet per field day.

Each sheet opens with a title block (station name, team, date, the officers by name, the lab its
samples go to: name, address, cut-off and the day they reach it), a legend of the time columns,
then the stops in order: arrival (``HH:MM``), the hours the place may be sampled, the place, what
to sample and how many units, the cold-chain flag and the deadline, and navigation links (AMap,
Baidu). Set up for printing: A4 landscape, fitted to the page width, the header row repeated on
every page, columns sized to their content (a CJK character counts twice).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Mapping
from copy import copy
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from riskplan.export.atomic import write_bytes
from riskplan.export.csvfile import guard_cell
from riskplan.export.headers import Lang, header
from riskplan.export.xlsx import normalize_zip

__all__ = ["SHEET_COLUMNS", "DayInfo", "team_workbook_bytes", "write_team_workbook", "text_width"]

SHEET_COLUMNS: tuple[str, ...] = (
    "stop_order", "arrival", "window", "establishment_name", "address", "categories_to_sample_names",
    "units", "samples", "cold_chain", "lab_deadline", "licence_no", "visit_id", "amap_url", "baidu_url",
)
"""Columns of the printed stop table, in order (names in :mod:`riskplan.export.headers`); a plan of
several programmes adds ``programme_samples`` after ``samples`` (what each programme takes)."""

TEXT: dict[str, tuple[str, str]] = {
    "title": ("食品安全抽检任务单", "Food sampling task sheet"),
    "station": ("所站", "Station"),
    "team": ("小组", "Team"),
    "date": ("日期", "Date"),
    "officers": ("执法人员", "Officers"),
    "lab": ("检验机构", "Lab"),
    "lab_address": ("地址", "Address"),
    "cutoff": ("收样截止", "Intake cut-off"),
    "lab_date": ("送检日期", "Samples reach the lab on"),
    "ends_lab": ("本路线终点为检验机构（冷链样品当日送检）",
                 "The route ends at the lab (cold-chain samples the same day)"),
    "ends_station": ("本路线返回所站，样品于送检日送检",
                     "The route returns to the station; samples go to the lab on the date above"),
    "legend": (
        "说明：预计到达 = 计划到达时间 (HH:MM)；可抽样时段 = 该主体可抽样的时段，晚到时须在此时段内开始抽样；"
        "冷链样品须在送检截止前送达检验机构；导航链接在手机上打开高德或百度地图。",
        "Legend: Arrival = planned arrival (HH:MM); Sampling windows = the hours the place may be sampled "
        "(if late, start within them); cold-chain samples must reach the lab before the lab deadline; "
        "the navigation links open AMap or Baidu Maps on a phone.",
    ),
    "navigate": ("导航", "Navigate"),
}
"""Texts of the title block (Chinese, English)."""

WEEKDAY = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
MAX_WIDTH = 48
"""Widest column [characters]; longer text wraps."""


def text_width(value: Any) -> int:
    """Display width of a cell's text [characters]: a CJK (full-width) character counts twice."""
    text = "" if value is None else str(value)
    if text.isascii():
        return len(text)
    return len(text) + sum(ch > "\u2e80" for ch in text)


class DayInfo(dict[str, str]):
    """The title block of one day.

    Keys: ``station``, ``team``, ``date``, ``officers``, ``lab``, ``lab_address``, ``cutoff``,
    ``lab_date``, ``ends_at`` (``lab`` or ``station``).
    """


def _t(key: str, lang: Lang) -> str:
    zh, en = TEXT[key]
    return zh if lang == "zh" else en


def _cell_styles() -> dict[str, tuple[tuple[str, Any], ...]]:
    """Cell kind -> the style attributes its cells get, in the order they are set [openpyxl objects]."""
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = Alignment(wrap_text=True, vertical="top")
    return {
        "title": (("font", Font(bold=True, size=14)),),
        "label": (("font", Font(bold=True)),),
        "legend": (("alignment", Alignment(wrap_text=False)),),
        "head": (("font", Font(bold=True)), ("border", box),
                 ("alignment", Alignment(wrap_text=True, vertical="center"))),
        "text": (("number_format", "@"), ("border", box), ("alignment", top)),
        "number": (("border", box), ("alignment", top)),
        "link": (("font", Font(color="0563C1", underline="single")), ("border", box), ("alignment", top)),
    }


class _Styler:
    """Gives cells the style of their kind, each kind's style registered in the workbook once.

    Setting a cell's font, border or alignment makes openpyxl look the object up in the workbook's
    style lists (hashing it) on every assignment, and a year's workbooks have tens of thousands of
    cells of a few kinds. The first cell of a kind is styled attribute by attribute, so the style
    lists fill in first-use order exactly as if every cell were (the file is the same byte for
    byte); later cells get a copy of its style array (the private ``_style``, copied the way
    openpyxl's own ``WorksheetCopy`` copies cells).
    """

    def __init__(self) -> None:
        self.specs = _cell_styles()
        self.arrays: dict[str, Any] = {}

    def __call__(self, cell: Any, kind: str) -> None:
        """Style ``cell``, a cell of the sheet without a style yet, as a ``kind`` cell."""
        array = self.arrays.get(kind)
        if array is not None:
            cell._style = copy(array)
            return
        for attr, value in self.specs[kind]:
            setattr(cell, attr, value)
        self.arrays[kind] = copy(cell._style)

    def cell(self, ws: Worksheet, row: int, column: int, value: Any, kind: str) -> Cell:
        """A new ``kind`` cell of ``ws`` at ``(row, column)`` holding ``value`` (added by ``ws.append``)."""
        array = self.arrays.get(kind)
        if array is not None:
            return Cell(ws, row, column, value, style_array=array)  # Cell copies the array
        cell = Cell(ws, row, column, value)
        self(cell, kind)
        return cell


def _fill(ws: Worksheet, stops: pd.DataFrame, info: Mapping[str, str], lang: Lang, style: _Styler) -> None:
    cols = [c for c in SHEET_COLUMNS if c in stops.columns]
    if "programme_samples" in stops.columns and "samples" in cols:  # several programmes
        cols.insert(cols.index("samples") + 1, "programme_samples")
    date = pd.Timestamp(info.get("date", ""))
    day = f"{date:%Y-%m-%d} ({'周' if lang == 'zh' else ''}{WEEKDAY[lang][date.day_of_week]})"
    rows: list[list[tuple[str, str]]] = [
        [(_t("title", lang), "")],
        [(_t("station", lang), info.get("station", "")), (_t("team", lang), info.get("team", "")),
         (_t("date", lang), day)],
        [(_t("officers", lang), info.get("officers", ""))],
        [(_t("lab", lang), info.get("lab", "")), (_t("lab_address", lang), info.get("lab_address", ""))],
        [(_t("cutoff", lang), info.get("cutoff", "")), (_t("lab_date", lang), info.get("lab_date", "")),
         ("", _t("ends_lab" if info.get("ends_at") == "lab" else "ends_station", lang))],
        [("", _t("legend", lang))],
    ]
    style(ws.cell(1, 1, rows[0][0][0]), "title")
    for r, items in enumerate(rows[1:], start=2):
        c = 1
        for label, value in items:
            if label:
                style(ws.cell(r, c, guard_cell(label)), "label")
                c += 1
            ws.cell(r, c, guard_cell(value))
            c += 3 if label else 1
    style(ws.cell(6, 1), "legend")
    head = 8
    for j, col in enumerate(cols, start=1):
        style(ws.cell(head, j, guard_cell(header(col, lang))), "head")
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    widths = {col: text_width(header(col, lang)) for col in cols}
    kinds = ["link" if col in ("amap_url", "baidu_url") else "number" if col in ("stop_order", "units", "samples")
             else "text" for col in cols]
    # the Python scalars of each column, as itertuples gives them, without its per-row overhead
    records = zip(*(list(stops[col]) for col in cols))
    for i, rec in enumerate(records, start=head + 1):
        row = []
        for j, (col, kind, v) in enumerate(zip(cols, kinds, rec), start=1):
            if isinstance(v, bool) or col == "cold_chain":
                v = yes if bool(v) else no
            elif pd.isna(v):
                v = None
            if kind == "link" and v:
                cell = style.cell(ws, i, j, _t("navigate", lang), kind)
                cell.hyperlink = str(v)
                widths[col] = max(widths[col], text_width(cell.value))
            else:
                kind = "text" if kind == "link" else kind  # an empty link: a text cell
                value = guard_cell(str(v)) if (kind == "text" and v is not None) else v
                cell = style.cell(ws, i, j, value, kind)
                widths[col] = max(widths[col], text_width(v))
            row.append(cell)
        ws.append(row)  # lands on row i: append writes below the last row used (the header, then row i-1)
    for j, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, widths[col] + 2)
    ws.freeze_panes = ws.cell(head + 1, 1)
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"


def team_workbook_bytes(
    days: Mapping[str, pd.DataFrame],
    infos: Mapping[str, Mapping[str, str]],
    lang: Lang = "zh",
    *,
    when: dt.datetime,
    title: str = "",
) -> bytes:
    """Bytes of one team's workbook: a sheet per day (``YYYY-MM-DD`` -> the day's stops, in order).

    Parameters
    ----------
    days
        Sheet name (the date) -> the stops of the day (columns of :data:`SHEET_COLUMNS`).
    infos
        Sheet name -> the title block (:class:`DayInfo` keys).
    lang
        Language of the texts and headers.
    when
        Timestamp of the workbook's dates and zip entries (byte-identical output for one plan).
    title
        Workbook title property.
    """
    wb = Workbook()
    wb.remove(wb.active)
    style = _Styler()
    for name, stops in days.items():
        _fill(wb.create_sheet(title=str(name)[:31]), stops, infos.get(name, {}), lang, style)
    if not days:
        wb.create_sheet(title="-")
    wb.properties.creator = wb.properties.lastModifiedBy = "riskplan"
    wb.properties.title = title or None
    wb.properties.created = wb.properties.modified = when
    buf = io.BytesIO()
    # entries stored, not deflated: normalize_zip compresses them (once) as it rewrites the zip
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(wb, archive).save()
    return normalize_zip(buf.getvalue(), when)


def write_team_workbook(path: str | os.PathLike[str], days: Mapping[str, pd.DataFrame],
                        infos: Mapping[str, Mapping[str, str]], lang: Lang = "zh", *, when: dt.datetime,
                        title: str = "") -> Path:
    """Write :func:`team_workbook_bytes` to ``path`` atomically."""
    return write_bytes(path, team_workbook_bytes(days, infos, lang, when=when, title=title))


def day_infos(stops: pd.DataFrame, routes: pd.DataFrame, labs: pd.DataFrame,
              lang: Lang) -> dict[tuple[str, str, str], DayInfo]:
    """The title block of every team-day: ``(station_id, team, YYYY-MM-DD) -> DayInfo``.

    Parameters
    ----------
    stops
        The field table (``station_id, team, date, station_name, officer_names``).
    routes
        ``RoutePlan.routes`` (``ends_at, lab_id, lab_date``).
    labs
        The labs table (``lab_id, name``, optional ``address``, ``intake_cutoff``).
    lang
        Language of the texts.
    """
    lab = labs.assign(lab_id=labs["lab_id"].astype(str)).set_index("lab_id")
    r = routes.assign(_s=routes["station_id"].astype(str), _t=routes["team"].astype(str),
                      _d=pd.to_datetime(routes["date"]).dt.strftime("%Y-%m-%d"))
    ends = {(s, t, d): (str(e), str(i), ld) for s, t, d, e, i, ld in
            zip(r["_s"], r["_t"], r["_d"], r["ends_at"], r["lab_id"], r["lab_date"])}
    out: dict[tuple[str, str, str], DayInfo] = {}
    first = stops.drop_duplicates(["station_id", "team", "date"])
    for rec in first.itertuples(index=False):
        key = (str(rec.station_id), str(rec.team), str(rec.date))
        ends_at, lab_id, lab_date = ends.get(key, ("station", "", pd.NaT))
        row = lab.loc[lab_id] if lab_id in lab.index else None

        def get(col: str, row: Any = row) -> str:
            return "" if row is None or col not in row.index or pd.isna(row[col]) else str(row[col])

        team = f"{'第' if lang == 'zh' else 'Team '}{rec.team}{'组' if lang == 'zh' else ''}"
        out[key] = DayInfo(
            station=f"{getattr(rec, 'station_name', '')} ({rec.station_id})", team=team, date=str(rec.date),
            officers=str(getattr(rec, "officer_names", "") or "").replace(";", "、" if lang == "zh" else ", "),
            lab=f"{get('name')} ({lab_id})" if lab_id else "", lab_address=get("address"),
            cutoff=get("intake_cutoff"), ends_at=ends_at,
            lab_date="" if pd.isna(lab_date) else f"{pd.Timestamp(lab_date):%Y-%m-%d}",
        )
    return out
