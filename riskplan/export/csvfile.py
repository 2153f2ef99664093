"""CSV files that open cleanly in Excel and WPS.

* UTF-8 with a byte-order mark, so Excel detects the encoding of Chinese text;
* identifier and code columns stay text: a value Excel would turn into a number (all digits,
  leading zeros, ``1E5``...) is written as ``="330304001"``, which Excel shows as that text
  (``export.csv_excel_text = false`` writes plain values instead);
* formula-injection guard (OWASP): a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return gets a leading single quote, so a spreadsheet shows it as text;
* headers in Chinese or English from :mod:`riskplan.export.headers`;
* deterministic formatting (CRLF line ends as RFC 4180, fixed float format, ``true``/``false``, ISO dates),
  so two runs give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskplan.export.atomic import write_bytes
from riskplan.export.headers import Lang, headers, is_id_column

DANGEROUS_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Cell beginnings that spreadsheets may interpret as a formula (OWASP CSV injection)."""

_NUMBER_LIKE = re.compile(r"^\s*[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?\s*$")
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)


def guard_cell(value: str) -> str:
    """Neutralize formula injection: prefix a single quote if ``value`` starts dangerously."""
    if value and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def unguard_cell(value: str) -> str:
    """Undo :func:`guard_cell` and the ``="..."`` text form (for readers of plan folders)."""
    m = _EXCEL_TEXT.match(value)
    if m:
        return m.group(1).replace('""', '"')
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(DANGEROUS_PREFIXES):
        return value[1:]
    return value


def excel_text(value: str) -> str:
    """``="value"`` for an ID Excel would otherwise read as a number, else ``value`` unchanged."""
    if value and _NUMBER_LIKE.match(value):
        return '="' + value.replace('"', '""') + '"'
    return value


def format_value(value: Any, *, id_column: bool = False, excel_ids: bool = True) -> str:
    """Text of one cell, deterministic and guarded.

    Parameters
    ----------
    value
        The cell value (str, number, bool, date, None/NA).
    id_column
        Identifier/code column: kept as text, protected from Excel's number conversion.
    excel_ids
        Use the ``="..."`` form for number-like IDs.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        if float(value).is_integer() and abs(float(value)) < 1e15:
            text = str(int(value))
        else:
            text = f"{float(value):.10g}"
        return excel_text(text) if (id_column and excel_ids) else text
    if isinstance(value, (int, np.integer)):
        text = str(int(value))
        return excel_text(text) if (id_column and excel_ids) else text
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = guard_cell(str(value))
    if id_column and excel_ids:
        text = excel_text(text)
    return text


def to_csv_bytes(df: pd.DataFrame, lang: Lang = "zh", *, excel_ids: bool = True) -> bytes:
    """Encode ``df`` as UTF-8-with-BOM CSV bytes with translated headers (see module notes)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)  # RFC 4180
    cols = [str(c) for c in df.columns]
    writer.writerow([guard_cell(h) for h in headers(cols, lang)])
    columns = [column_texts(df.iloc[:, j], id_column=is_id_column(c), excel_ids=excel_ids)
               for j, c in enumerate(cols)]
    writer.writerows(zip(*columns))
    return buf.getvalue().encode("utf-8-sig")


def column_texts(column: pd.Series, *, id_column: bool = False, excel_ids: bool = True) -> list[str]:
    """:func:`format_value` of every cell of ``column``, each distinct value formatted once.

    Columns repeat their values (codes, names, dates, flags): a value is looked up by its type
    and value, so ``True`` and ``1``, or a ``Timestamp`` and a ``datetime``, stay apart; an
    unhashable cell (a list) is formatted on its own.
    """
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu" and not id_column:
        # numpy integers (never missing): their decimal digits
        return [str(v) for v in column.tolist()]
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "f" and not id_column:
        # numpy floats (mostly distinct): format_value's rule for a float, inline
        return ["" if v != v else str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.10g}"
                for v in column.tolist()]
    seen: dict[tuple[type, Any], str] = {}
    out = []
    for v in column.tolist():
        key = (type(v), v)
        try:
            text = seen[key]
        except KeyError:
            text = seen[key] = format_value(v, id_column=id_column, excel_ids=excel_ids)
        except TypeError:  # unhashable
            text = format_value(v, id_column=id_column, excel_ids=excel_ids)
        out.append(text)
    return out


def write_csv(
    df: pd.DataFrame, path: str | os.PathLike[str], lang: Lang = "zh", *, excel_ids: bool = True
) -> Path:
    """Write ``df`` to ``path`` atomically as Excel-friendly CSV (see :func:`to_csv_bytes`)."""
    return write_bytes(path, to_csv_bytes(df, lang, excel_ids=excel_ids))


def read_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV written by :func:`write_csv`: every cell as text, guards and ``="..."`` undone.

    Headers are returned as written; map them with :func:`riskplan.export.headers.to_standard`.
    """
    # the csv module (not pandas' C parser) keeps a carriage return inside a quoted cell
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return pd.DataFrame()
    head, body = rows[0], rows[1:]
    # only a cell beginning with = or ' can carry a guard
    data = {h: [(unguard_cell(r[i]) if r[i][:1] in ("=", "'") else r[i]) if i < len(r) else ""
                for r in body] for i, h in enumerate(head)}
    return pd.DataFrame(data, columns=head, dtype=object).astype("string") if body else pd.DataFrame(
        columns=head, dtype="string")
