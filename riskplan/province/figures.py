"""A district's row of the provincial summary, read from its plan folder.

Every headline figure of the plan (``key_numbers`` in the folder's ``manifest.json``, i.e.
:meth:`riskplan.pipeline.PlanResult.key_numbers`) becomes a column as it is, so a figure added
there later reaches the summary without a change here; a few are added from the folder's
tables: what the planned months deliver, the year's cost and the field days. Reading the folder
(not the run's memory) gives the same row for a district planned now and one kept from an
earlier run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from riskplan.export.plan_folder import TABLE_FILES, read_table

__all__ = ["ADDED", "district_figures", "flatten"]

ADDED: dict[str, str] = {
    "delivered": "samples of the planned months that reach a lab: routed visits and purchase orders",
    "delivered_visits": "visits of the planned months routed or bought online",
    "cost_yuan": "test fees of the year's allocation [CNY]",
    "field_days": "team-days in the field in the planned months (one route = one team-day)",
    "field_dates": "working days with at least one route in the planned months",
}
"""Columns added to the key numbers, with their meaning (the summary's README lists them)."""


def flatten(numbers: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One level of ``{column: scalar}`` from nested key numbers.

    A nested mapping becomes ``outer.inner`` columns; a list becomes ``;``-joined text.
    """
    out: dict[str, Any] = {}
    for key, value in numbers.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, (list, tuple)):
            out[name] = ";".join(str(v) for v in value)
        else:
            out[name] = value
    return out


def district_figures(folder: str | Path) -> dict[str, Any]:
    """The summary row of the plan folder ``folder`` (without the district's name and status).

    Returns
    -------
    dict
        The flattened key numbers and :data:`ADDED`.
    """
    path = Path(folder)
    man = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    row = flatten(man.get("key_numbers") or {})

    def table(name: str, columns: list[str]) -> pd.DataFrame:
        # only the four tables the row needs (reading the whole folder back costs a district
        # about as much CPU as its selection and routing)
        file = path / TABLE_FILES[name]
        return read_table(file, name) if file.is_file() else pd.DataFrame(columns=columns)

    visits = table("visits", ["visit_id", "samples"])
    unassigned = table("unassigned", ["visit_id"])
    taken = visits[~visits["visit_id"].isin(unassigned["visit_id"])]
    row["delivered"] = int(pd.to_numeric(taken["samples"]).sum())
    row["delivered_visits"] = int(len(taken))
    alloc = table("allocation", ["cost_yuan"])
    row["cost_yuan"] = round(float(pd.to_numeric(alloc["cost_yuan"]).sum()), 2)
    routes = table("routes", ["date"])
    row["field_days"] = int(len(routes))
    row["field_dates"] = int(pd.Series(routes["date"]).nunique())
    return row
