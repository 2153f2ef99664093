"""Blank input templates for a bureau's staff, generated from the table registry.

:func:`write_templates` writes one XLSX workbook per input table (bilingual header
``中文(standard_name)``, an example row, drop-downs for fixed lists and for codes from a sheet in
the same workbook, a sheet explaining each column in Chinese) and the same tables as UTF-8 CSV; see
:mod:`riskplan.templates.write`. ``riskplan template --out DIR`` is the command. Everything is
derived from :mod:`riskplan.schema` and :mod:`riskplan.io.aliases`; the Chinese texts are in
:mod:`riskplan.templates.labels`.
"""

from riskplan.templates.content import choices, example_row, guide_rows, header, header_zh, reference
from riskplan.templates.workbook import CODES_SHEET, GUIDE_SHEET, build_workbook, code_list_name
from riskplan.templates.write import TEMPLATE_MARKER, dataset_toml, table_csv, write_templates

__all__ = [
    "write_templates",
    "build_workbook",
    "table_csv",
    "dataset_toml",
    "header",
    "header_zh",
    "example_row",
    "choices",
    "reference",
    "guide_rows",
    "code_list_name",
    "CODES_SHEET",
    "GUIDE_SHEET",
    "TEMPLATE_MARKER",
]
