"""Writing the template folder: ``xlsx/`` and ``csv/`` (each a dataset folder to fill), the guide.

::

    DIR/README_template.txt    what to do, in Chinese and English
    DIR/column_guide.csv       every column of every table explained in Chinese
    DIR/xlsx/<table>.xlsx      one workbook per table (see riskplan.templates.workbook)
    DIR/xlsx/dataset.toml      the dataset's metadata, to fill
    DIR/csv/<table>.csv        the same tables as CSV (UTF-8 with BOM): header and example row
    DIR/csv/dataset.toml

Everything comes from :data:`riskplan.schema.TABLES` (tables, columns, types, allowed values),
:data:`riskplan.schema.METADATA_KEYS` and :mod:`riskplan.io.aliases` (Chinese headers, Chinese
spellings of values), so the templates follow the schema.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from riskplan.schema import METADATA_KEYS, TABLES
from riskplan.templates.content import GUIDE_COLUMNS, example_row, guide_rows, header
from riskplan.templates.labels import METADATA_ZH, TABLE_ZH
from riskplan.templates.workbook import build_workbook

__all__ = ["write_templates", "TEMPLATE_MARKER", "dataset_toml", "table_csv"]

TEMPLATE_MARKER = "README_template.txt"
"""A folder holding this file is a template folder (``riskplan template`` may replace it)."""

_METADATA_EXAMPLES: dict[str, str] = {
    "name": '"示例区 Example District"',
    "district_code": '"123456"',
    "reference_date": "2026-06-30",
    "plan_year": "2026",
    "population_year": "2025",
    "synthetic": "[]",
}
"""Example value of each ``dataset.toml`` key, as TOML text (``provenance`` is a table)."""


def _csv_text(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def table_csv(table: str) -> str:
    """The CSV template of ``table``: the bilingual header and the example row (no BOM)."""
    spec = TABLES[table]
    example = example_row(table)
    return _csv_text([[header(table, c) for c in spec.column_names],
                      [example[c] for c in spec.column_names]])


def dataset_toml() -> str:
    """The ``dataset.toml`` template: every key of the schema with its meaning and an example."""
    lines = ["# dataset.toml: 数据集说明 / what the dataset is (written by riskplan template).",
             "# 请把示例值改为本区县的实际值。 Replace the example values with your district's.", ""]
    for key, meaning in METADATA_KEYS.items():
        if key == "provenance":
            continue
        lines.append(f"# {METADATA_ZH.get(key, '')} / {meaning}")
        value = _METADATA_EXAMPLES.get(key)
        lines.append(f"{key} = {value}" if value is not None else f"# {key} = ")
        lines.append("")
    lines.append(f"# {METADATA_ZH.get('provenance', '')} / {METADATA_KEYS['provenance']}")
    lines.append("[provenance]")
    for table in TABLES:
        lines.append(f'{table} = "请填写来源 / where it came from"')
    return "\n".join(lines) + "\n"


def _guide_csv() -> str:
    rows: list[list[Any]] = [["文件", *GUIDE_COLUMNS]]
    for table in TABLES:
        for row in guide_rows(table):
            rows.append([f"{table}.csv / {table}.xlsx", *row])
    return _csv_text(rows)


def _readme() -> str:
    tables = "\n".join(
        f"  {table + '.xlsx / .csv':<34} {TABLE_ZH[table][0]}：{TABLE_ZH[table][1]}"
        + ("（可不提供 / optional）" if spec.optional else "")
        for table, spec in TABLES.items())
    return f"""riskplan 数据模板 / input templates

xlsx/  每张表一个工作簿：第一个工作表为数据（表头 + 一行灰色示例），“填表说明 guide”逐列说明，
       “代码表 codes”列出下拉选择用的代码（乡镇、业态、食品类别、主体、监管所）。
       One workbook per table: the data sheet (header + a grey example row), a sheet explaining
       each column, and a codes sheet the drop-downs take their codes from.
csv/   同样的表，UTF-8（带 BOM）CSV：表头 + 示例行。 The same tables as UTF-8 CSV.
column_guide.csv  所有表的逐列说明。 Every column of every table explained (Chinese).

步骤 / Steps
1. 选用 xlsx/ 或 csv/ 文件夹（两种格式可混用，同名 .csv 优先）。 Use xlsx/ or csv/ (or mix).
2. 删除或覆盖示例行，逐表填写；编号、代码、日期、时间按文本填写。 Delete the example rows, fill in.
3. 修改 dataset.toml；再放入乡镇边界 townships.geojson（必需）和区县边界 district.geojson（可选）。
   Edit dataset.toml; add townships.geojson (required) and district.geojson (optional).
4. 检查：riskplan validate 文件夹 ；然后 riskplan plan --data 文件夹 --out 计划。
   Check with `riskplan validate DIR`, then `riskplan plan --data DIR --out PLAN`.

表头为“中文名(标准列名)”：读取时按括号中的标准列名识别，只写中文名或只写标准列名也可以。
Headers are "Chinese (standard name)"; either part alone is read as well. Columns riskplan does
not know are kept and listed by `riskplan validate` as "not used".

表 / Tables
{tables}

格式详见 / Full input format: docs/input-format.zh.md, docs/input-format.md
"""


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_templates(out: str | Path) -> list[Path]:
    """Write the blank input templates into the folder ``out`` (created if missing).

    Parameters
    ----------
    out
        Folder to write into; existing files of the same names are overwritten. Use
        ``riskplan template --out DIR`` for an atomic write.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out)
    bom = b"\xef\xbb\xbf"
    written = [_write(out / TEMPLATE_MARKER, _readme().encode("utf-8")),
               _write(out / "column_guide.csv", bom + _guide_csv().encode("utf-8"))]
    toml = dataset_toml().encode("utf-8")
    for folder in ("xlsx", "csv"):
        written.append(_write(out / folder / "dataset.toml", toml))
    for table in TABLES:
        (out / "xlsx").mkdir(parents=True, exist_ok=True)
        path = out / "xlsx" / f"{table}.xlsx"
        build_workbook(table).save(path)
        written.append(path)
        written.append(_write(out / "csv" / f"{table}.csv", bom + table_csv(table).encode("utf-8")))
    return written
