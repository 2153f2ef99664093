"""XLSX workbooks for field teams: one workbook per team, one sheet per day.

IDs and codes are written as text cells (number format ``@``), so Excel and WPS keep leading
zeros and never show scientific notation; text cells are guarded against formula injection
(openpyxl would otherwise store a string beginning with ``=`` as a formula). The workbook
metadata (created/modified) and every zip entry's timestamp are fixed to a given moment (the
plan date), so the same plan gives a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from riskplan.export.atomic import write_bytes
from riskplan.export.csvfile import guard_cell
from riskplan.export.headers import Lang, headers, is_id_column

_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _cell_value(value: Any, id_column: bool) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if id_column:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return guard_cell(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"  # replaced by the caller for English sheets
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return guard_cell(str(value))


def _fill_sheet(ws: Any, df: pd.DataFrame, lang: Lang) -> None:
    cols = [str(c) for c in df.columns]
    ws.append([guard_cell(h) for h in headers(cols, lang)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    flags = [is_id_column(c) for c in cols]
    yes_no = ("是", "否") if lang == "zh" else ("yes", "no")
    for row in df.itertuples(index=False, name=None):
        values = []
        for v, f in zip(row, flags):
            if isinstance(v, (bool, np.bool_)):
                values.append(yes_no[0] if v else yes_no[1])
            else:
                values.append(_cell_value(v, f))
        ws.append(values)
    for j, (col, flag) in enumerate(zip(cols, flags), start=1):
        letter = get_column_letter(j)
        if flag:
            for cell in ws[letter]:
                cell.number_format = "@"
                cell.data_type = "s" if cell.value is not None else cell.data_type
        width = max([len(str(h)) for h in headers([col], lang)] + [8])
        # widest cell in characters; empty cells (NA) count as 0, also when the whole column is empty
        sample = max((0 if pd.isna(v) else len(str(v)) for v in df[col]), default=0)
        ws.column_dimensions[letter].width = min(60, max(width * 2, sample + 2))
    ws.freeze_panes = "A2"


def normalize_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite an OOXML zip with every entry timestamp and the core-properties dates set to ``when``."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, content)
    return out.getvalue()


def workbook_bytes(
    sheets: Mapping[str, pd.DataFrame],
    lang: Lang = "zh",
    *,
    when: dt.datetime,
    title: str = "",
) -> bytes:
    """Bytes of an XLSX workbook with one sheet per item of ``sheets`` (name -> table).

    Parameters
    ----------
    sheets
        Sheet name (at most 31 characters, e.g. the date ``2026-07-01``) -> table.
    lang
        Header language.
    when
        Timestamp written as the workbook's created/modified dates and zip entry times (UTC).
    title
        Workbook title property.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        _fill_sheet(wb.create_sheet(title=str(name)[:31]), df, lang)
    if not sheets:
        wb.create_sheet(title="-")
    wb.properties.creator = "riskplan"
    wb.properties.lastModifiedBy = "riskplan"
    wb.properties.title = title or None
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    return normalize_zip(buf.getvalue(), when)


def write_workbook(
    path: str | os.PathLike[str],
    sheets: Mapping[str, pd.DataFrame],
    lang: Lang = "zh",
    *,
    when: dt.datetime,
    title: str = "",
) -> Path:
    """Write :func:`workbook_bytes` to ``path`` atomically."""
    return write_bytes(path, workbook_bytes(sheets, lang, when=when, title=title))
