"""One blank XLSX workbook per input table, with drop-downs, an example row and an explanation sheet.

Sheets, in order: the table itself (first, as the reader wants: bilingual header row, one example
row), ``填表说明 guide`` (each column explained in Chinese) and, when a column takes codes of another
table, ``代码表 codes`` (one column of codes per such table, filled with the example's code, which
the bureau extends). Drop-downs (Excel data validation): fixed lists inline (risk grades, stages,
results, booleans, coordinate datum, ...), code columns from the codes sheet through a defined name
that grows with the list, ranges for numbers; every column shows its explanation as an input hint.
ID, code, date and time columns are formatted as text so Excel keeps leading zeros and ``08:00``.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from riskplan.schema import TABLES, Column
from riskplan.templates.content import (
    GUIDE_COLUMNS,
    LIST_REFERENCES,
    choices,
    example_row,
    guide_rows,
    header,
    header_zh,
    reference,
)
from riskplan.templates.labels import COLUMN_ZH, TABLE_ZH

__all__ = ["build_workbook", "CODES_SHEET", "GUIDE_SHEET", "data_sheet_title", "code_list_name"]

CODES_SHEET = "代码表 codes"
"""Title of the sheet holding the code lists the drop-downs refer to."""
GUIDE_SHEET = "填表说明 guide"
"""Title of the sheet explaining each column."""

_LAST_ROW = 1048576  # the last row of a sheet: drop-downs cover every row below the header
_TEXT_DTYPES = ("id", "str", "list", "windows", "time", "date")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_EXAMPLE_NOTE = ("示例行：仅作填写参考，请删除或用实际数据覆盖。\n"
                 "Example row: delete it or overwrite it with real data.")


def data_sheet_title(table: str) -> str:
    """Title of the table's own (first) sheet, e.g. ``经营主体 establishments``."""
    return f"{TABLE_ZH[table][0]} {table}"[:31]


def code_list_name(table: str) -> str:
    """Defined name of the code list of ``table`` (its key column), e.g. ``codes_township_code``."""
    return f"codes_{TABLES[table].key}"


def _referenced(table: str) -> list[str]:
    """Tables whose codes columns of ``table`` take (drop-downs first, then ``;``-list columns)."""
    out: list[str] = []
    for col in TABLES[table]:
        ref = reference(table, col.name)
        if ref is not None and ref not in out:
            out.append(ref)
    for col in TABLES[table]:
        ref = LIST_REFERENCES.get(col.name)
        if ref is not None and ref not in out:
            out.append(ref)
    return out


def _name_column(table: str) -> str:
    names = TABLES[table].column_names
    return next(c for c in ("name_zh", "name", TABLES[table].key) if c in names)


def _codes_sheet(wb: Workbook, tables: list[str]) -> None:
    """The codes sheet: a code column and a name column per referenced table, with defined names."""
    ws = wb.create_sheet(CODES_SHEET)
    for i, ref in enumerate(tables):
        key, name = TABLES[ref].key, _name_column(ref)
        code_col, name_col = 2 * i + 1, 2 * i + 2
        example = example_row(ref)
        for j, (col, value) in enumerate(((key, example[key]), (name, example[name]))):
            c = ws.cell(row=1, column=code_col + j, value=header(ref, col))
            c.font, c.fill = Font(bold=True), _HEADER_FILL
            ws.cell(row=2, column=code_col + j, value=str(value))
            ws.column_dimensions[get_column_letter(code_col + j)].width = 24
            ws.column_dimensions[get_column_letter(code_col + j)].number_format = "@"
        letter = get_column_letter(code_col)
        sheet = quote_sheetname(CODES_SHEET)
        # grows with the list: from row 2 down to the last filled row of the column
        ref_text = (f"OFFSET({sheet}!${letter}$2,0,0,MAX(1,COUNTA({sheet}!${letter}:${letter})-1),1)")
        wb.defined_names[code_list_name(ref)] = DefinedName(code_list_name(ref), attr_text=ref_text)
        ws.cell(row=1, column=name_col).comment = Comment(
            f"在此列出{TABLE_ZH[ref][0]}表的全部 {key}（第一列）及名称，供下拉选择。\n"
            f"List every {key} of {ref} here (first column) for the drop-downs.", "riskplan")
    ws.freeze_panes = "A2"


def _validation(table: str, col: Column) -> DataValidation:
    """The data validation of one column: a drop-down, a number range or only an input hint."""
    title = (header_zh(table, col.name) or col.name)[:32]
    hint = COLUMN_ZH.get(table, {}).get(col.name, col.description)
    kw: dict[str, Any] = dict(allow_blank=True, showInputMessage=True, promptTitle=title,
                              prompt=hint[:255], showErrorMessage=True, errorTitle=title[:32])
    ref = reference(table, col.name)
    options = choices(col)
    if options:
        return DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                              error=f"请从下拉列表中选择：{'、'.join(options)}"[:255], **kw)
    if ref is not None:
        return DataValidation(type="list", formula1=code_list_name(ref), errorStyle="warning",
                              error=f"不在“代码表”中：请先在代码表列出该{TABLES[ref].key}"[:255],
                              **kw)
    if col.dtype in ("int", "float") and (col.min is not None or col.max is not None):
        kind = "whole" if col.dtype == "int" else "decimal"
        low = None if col.min is None else f"{col.min:g}"
        high = None if col.max is None else f"{col.max:g}"
        f1: str | None
        f2: str | None = None
        if low is not None and high is not None:
            op, f1, f2 = "between", low, high
        elif low is not None:
            op, f1 = ("greaterThan" if col.min_exclusive else "greaterThanOrEqual"), low
        else:
            op, f1 = "lessThanOrEqual", high
        return DataValidation(type=kind, operator=op, formula1=f1, formula2=f2,
                              error=f"应为{'整数' if kind == 'whole' else '数字'}，"
                              f"{col.allowed_text}", **kw)
    kw["showErrorMessage"] = False
    return DataValidation(**kw)


def _data_sheet(ws: Worksheet, table: str) -> None:
    spec = TABLES[table]
    ws.title = data_sheet_title(table)
    example = example_row(table)
    for j, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j, value=header(table, col.name))
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if col.required and not col.nullable else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        value = example[col.name]
        text = col.dtype in _TEXT_DTYPES or col.dtype == "bool"
        ex = ws.cell(row=2, column=j, value=(str(value) if text else value) if value != "" else None)
        ex.font = _EXAMPLE_FONT
        if col.dtype in _TEXT_DTYPES:
            ws.column_dimensions[letter].number_format = "@"
            ex.number_format = "@"
        zh = header_zh(table, col.name)
        ws.column_dimensions[letter].width = max(14, min(40, 2 * len(zh) + len(col.name) + 4))
        dv = _validation(table, col)
        dv.add(f"{letter}2:{letter}{_LAST_ROW}")
        ws.add_data_validation(dv)
    ws.cell(row=2, column=1).comment = Comment(_EXAMPLE_NOTE, "riskplan", width=320, height=80)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"


def _guide_sheet(wb: Workbook, table: str, has_codes: bool) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    title, what = TABLE_ZH[table]
    spec = TABLES[table]
    lines = [
        f"{title}（{table}.xlsx 或 {table}.csv）填表说明",
        f"每行：{what}。" + (f"{spec.key} 不得重复。" if spec.key else "")
        + ("该表可不提供（缺少时视为空表）。" if spec.optional else "该表必须提供。"),
        "第一行为表头“中文名(标准列名)”，请勿修改括号中的标准列名；第二行为示例行（灰色斜体），"
        "填写时请删除或覆盖。橙色表头为必填列。",
        "带下拉箭头的列请从列表中选择"
        + ("；代码列的可选值来自“代码表 codes”工作表，请先在那里列出本区县的代码。" if has_codes else "。"),
        "编号、代码、日期、时间请按文本填写（如 2026-03-10、08:00），不要改成数字格式。"
        "填好后可另存为 CSV（UTF-8），用 riskplan validate 文件夹 检查。",
    ]
    for i, text in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=text).font = Font(bold=(i == 1), size=12 if i == 1 else 11)
    start = len(lines) + 2
    for j, name in enumerate(GUIDE_COLUMNS, start=1):
        c = ws.cell(row=start, column=j, value=name)
        c.font, c.fill = Font(bold=True), _HEADER_FILL
    for i, row in enumerate(guide_rows(table), start=start + 1):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value).alignment = Alignment(wrap_text=True,
                                                                        vertical="top")
    for j, width in enumerate((26, 20, 16, 8, 12, 40, 48, 20), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def build_workbook(table: str) -> Workbook:
    """The blank workbook of ``table`` (a name in :data:`riskplan.schema.TABLES`).

    Returns
    -------
    openpyxl.Workbook
        The data sheet first (header, example row, drop-downs), then the explanation sheet, then
        the codes sheet when the table refers to other tables' codes.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has one sheet
    _data_sheet(ws, table)
    refs = _referenced(table)
    _guide_sheet(wb, table, bool(refs))
    if refs:
        _codes_sheet(wb, refs)
    return wb
