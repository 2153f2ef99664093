"""Reading the raw cells of a CSV or XLSX file: encodings, malformed rows, which file holds a table.

Every cell is read as stripped text (IDs keep their leading zeros); typing happens in
:mod:`riskplan.io.convert`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["FileProblem", "decode_text", "read_raw", "find_file", "find_files"]


class FileProblem(Exception):
    """A whole file cannot be read (internal; becomes one problem row)."""

    def __init__(self, en: str, zh: str, row: int | None = None) -> None:
        super().__init__(en)
        self.en, self.zh, self.row = en, zh, row


def decode_text(path: Path) -> str:
    """The text of ``path``: UTF-8 (with or without BOM) or GBK/GB18030; UTF-16 is refused."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("file is UTF-16 encoded; save it as UTF-8 or GBK CSV",
                           "文件为 UTF-16 编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("cannot decode the file as UTF-8 or GBK/GB18030 text",
                       "无法按 UTF-8 或 GBK/GB18030 编码读取该文件")


def read_raw(path: Path) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Every cell of a CSV or XLSX file as stripped text (empty cells missing), with a RangeIndex.

    Returns the table and the row-level problems found while splitting rows (1-based data row,
    English, Chinese): a row with more cells than the header is kept (extra cells dropped) and
    reported, so one bad line does not hide the rest of the file.
    """
    row_problems: list[tuple[int, str, str]] = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            df = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise FileProblem(f"cannot read the Excel file: {exc}",
                               f"无法读取该 Excel 文件：{exc}") from None
        df = df.loc[:, [not str(c).startswith("Unnamed:") or df[c].notna().any()
                        for c in df.columns]]
        df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
        df = df.apply(lambda col: col.astype("str").str.strip()).replace({"": np.nan})
        # blank rows are skipped and not counted, as blank lines of a CSV are
        return df.dropna(how="all").reset_index(drop=True), row_problems
    text = decode_text(path)
    if not text.strip():
        raise FileProblem("file is empty (no header row)", "文件为空（没有表头）")
    reader = csv.reader(io.StringIO(text))
    lines: list[list[str]] = []
    try:
        for r in reader:
            if any(c.strip() for c in r):
                lines.append(r)
    except csv.Error as exc:
        # name where: the line of the file, and the data row (blank lines not counted)
        row = len(lines) or None
        where = f"line {reader.line_num}" + (f", data row {row}" if row else " (the header)")
        raise FileProblem(f"malformed CSV at {where}: {exc}",
                          f"CSV 格式错误（第 {reader.line_num} 行{f'，数据第 {row} 行' if row else '，表头'}）：{exc}",
                          row) from None
    header = [c.replace("\ufeff", "").strip() or f"column_{j + 1}"
              for j, c in enumerate(lines[0])]
    seen: set[str] = set()
    seen_first: set[str] = set()
    for j, h in enumerate(header):  # a repeated header name is kept apart, never merged
        if h in seen:
            header[j] = f"{h}.{j + 1}"
            row_problems.append((0, f"column '{h}' appears twice; column {j + 1} is ignored",
                                 f"列 '{h}' 重复出现；第 {j + 1} 列被忽略"))
        else:
            seen_first.add(h)
        seen.add(h)
    width = len(header)
    data: list[list[str | None]] = []
    for i, cells in enumerate(lines[1:], start=1):
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            row_problems.append((i, f"malformed CSV row: {len(cells)} cells but the header has "
                                 f"{width} (a comma inside a value needs quotes)",
                                 f"CSV 行格式错误：该行有 {len(cells)} 个字段，表头只有 {width} 个"
                                 "（值中含逗号时需加引号）"))
        cells = (cells + [""] * width)[:width]
        data.append([c.strip() or None for c in cells])
    df = pd.DataFrame(data, columns=header, dtype="str") if data else pd.DataFrame(
        {h: pd.Series([], dtype="str") for h in header})
    # a repeated header's later columns are reported above and ignored: dropped here, so they
    # are not also reported as columns riskplan does not use
    return df.drop(columns=[h for h in header if h not in seen_first]), row_problems


def find_files(folder: Path, stem: str) -> list[Path]:
    """Every file of table ``stem`` in ``folder``: ``.csv`` first, then ``.xlsx`` (any case).

    More than one is an error for the reader to report (which one was meant cannot be guessed).
    """
    found: list[Path] = []
    for suffix in (".csv", ".CSV", ".Csv", ".xlsx", ".XLSX", ".Xlsx"):
        p = folder / f"{stem}{suffix}"
        # on a case-insensitive file system ".csv" and ".CSV" are one file
        if p.is_file() and not any(p.samefile(q) for q in found):
            found.append(p)
    return found


def find_file(folder: Path, stem: str) -> Path | None:
    """The ``.csv`` (or ``.xlsx``) file of table ``stem`` in ``folder``, or None."""
    found = find_files(folder, stem)
    return found[0] if found else None


