"""Blank input templates for a bureau's staff, generated from the table registry.

:func:`write_templates` writes one XLSX workbook per input table (bilingual header
``中文(standard_name)``, an example row, drop-downs for fixed lists and for codes from a sheet in
the same workbook, a sheet explaining each column in Chinese) and the same tables as UTF-8 CSV; see
:mod:`riskplan.templates.write`. ``riskplan template --out DIR`` is the command. Everything is
derived from :mod:`riskplan.schema` and :mod:`riskplan.io.aliases`; the Chinese texts are in
:mod:`riskplan.templates.labels`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from riskplan.templates.content import choices, example_row, guide_rows, header, header_zh, reference

if TYPE_CHECKING:
    from riskplan.templates.workbook import CODES_SHEET, GUIDE_SHEET, build_workbook, code_list_name
    from riskplan.templates.write import TEMPLATE_MARKER, dataset_toml, table_csv, write_templates

# the workbook's names are imported when first used: openpyxl takes a third of a second to
# import, and validation (every command) needs only the example rows
_LAZY = {name: "riskplan.templates.workbook" for name in ("CODES_SHEET", "GUIDE_SHEET", "build_workbook",
                                                           "code_list_name")}
_LAZY.update({name: "riskplan.templates.write" for name in ("TEMPLATE_MARKER", "dataset_toml", "table_csv",
                                                            "write_templates")})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
