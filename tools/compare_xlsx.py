"""Compare XLSX workbooks by content: are two workbooks the same, whatever their zip bytes?

usage: python tools/compare_xlsx.py BEFORE AFTER

BEFORE and AFTER are two ``.xlsx`` files or two folders (every ``.xlsx`` below them, matched by
relative path, e.g. two plan folders). Loads both with openpyxl and compares the sheet names and
order, workbook properties (title, creator, dates), and per sheet: every cell's value, type,
number format, font, fill, border, alignment, protection and hyperlink; merged cells; column
widths and row heights; freeze panes; print settings (page setup, fit to page, print titles and
area, print options, margins, header and footer). Prints every difference and exits 1 when there
is one, 0 when the workbooks are the same.
"""

from __future__ import annotations

import sys
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles.proxy import StyleProxy
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

_STYLE = ("number_format", "font", "fill", "border", "alignment", "protection")


def _xml(obj: Any) -> bytes | None:
    """An openpyxl object as its XML (style proxies and header items do not compare by value)."""
    if obj is None:
        return None
    if isinstance(obj, StyleProxy):
        obj = copy(obj)  # the proxied style
    return bytes(tostring(obj.to_tree()))


def _cell(cell: Any) -> tuple[Any, ...]:
    link = cell.hyperlink.target if cell.hyperlink is not None else None
    styles = (_xml(getattr(cell, a)) for a in _STYLE[1:])
    return (cell.value, cell.data_type, link, cell.number_format, *styles)


def _dims(dims: Any, attrs: tuple[str, ...]) -> dict[Any, tuple[Any, ...]]:
    return {k: tuple(getattr(d, a) for a in attrs) for k, d in dims.items()}


def _sheet(ws: Worksheet) -> dict[str, Any]:
    """Everything compared of one sheet, by aspect."""
    cells = {(r, c): _cell(ws.cell(r, c)) for (r, c) in sorted(ws._cells)}
    return {
        "cells": cells,
        "merged cells": sorted(str(r) for r in ws.merged_cells.ranges),
        "column widths": _dims(ws.column_dimensions, ("width", "customWidth", "hidden", "min", "max")),
        "row heights": _dims(ws.row_dimensions, ("height", "customHeight", "hidden")),
        "freeze panes": ws.freeze_panes,
        "page setup": _xml(ws.page_setup),
        "fit to page": _xml(ws.sheet_properties.pageSetUpPr),
        "print titles": (ws.print_title_rows, ws.print_title_cols, str(ws.print_area)),
        "print options": _xml(ws.print_options),
        "page margins": _xml(ws.page_margins),
        "header and footer": _xml(ws.HeaderFooter),
        "sheet state": ws.sheet_state,
    }


def compare_workbooks(before: Path, after: Path) -> list[str]:
    """Every content difference between the workbooks ``before`` and ``after``, as sentences."""
    a, b = openpyxl.load_workbook(before), openpyxl.load_workbook(after)
    out = []
    if a.sheetnames != b.sheetnames:
        out.append(f"{after}: sheets {b.sheetnames} instead of {a.sheetnames}")
    props = ("title", "creator", "lastModifiedBy", "created", "modified")
    for p in props:
        if getattr(a.properties, p) != getattr(b.properties, p):
            out.append(f"{after}: property {p} differs")
    for name in [n for n in a.sheetnames if n in b.sheetnames]:
        sa, sb = _sheet(a[name]), _sheet(b[name])
        for aspect, va in sa.items():
            vb = sb[aspect]
            if aspect == "cells":
                diff = sorted(set(va) ^ set(vb)) + [k for k in va if k in vb and va[k] != vb[k]]
                out += [f"{after} [{name}] cell {k}: {va.get(k)} -> {vb.get(k)}" for k in diff[:5]]
                if len(diff) > 5:
                    out.append(f"{after} [{name}]: {len(diff) - 5} more cells differ")
            elif va != vb:
                out.append(f"{after} [{name}] {aspect}: {va} -> {vb}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    before, after = Path(argv[0]), Path(argv[1])
    if before.is_dir():
        files_a = {p.relative_to(before) for p in before.rglob("*.xlsx")}
        files_b = {p.relative_to(after) for p in after.rglob("*.xlsx")}
        out = [f"only in {before}: {p}" for p in sorted(files_a - files_b)]
        out += [f"only in {after}: {p}" for p in sorted(files_b - files_a)]
        pairs = [(before / p, after / p) for p in sorted(files_a & files_b)]
    else:
        out, pairs = [], [(before, after)]
    for fa, fb in pairs:
        out += compare_workbooks(fa, fb)
    for line in out:
        print(line)
    print(f"{len(pairs)} workbook(s) compared: " + ("same" if not out else f"{len(out)} difference(s)"))
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
