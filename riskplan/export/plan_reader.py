"""Read a plan folder back: every table with the pipeline's columns and dtypes.

The tables are typed by :mod:`riskplan.export.contract`, the same contract the writer
(:func:`riskplan.export.plan_folder.write_plan`) conforms them to, so ``read_plan(DIR).routes``
has ``km`` as ``float64`` and ``read_plan(DIR).shortfall`` has ``missing`` as ``int64``, whatever
language the headers were written in and whatever CSV guards (``="..."``, the leading ``'``) the
writer applied.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from riskplan.config import Config, load_config
from riskplan.errors import RiskplanError
from riskplan.export import contract, csvfile, manifest

TABLE_FILES: dict[str, str] = {name: spec.file for name, spec in contract.TABLES.items()}
"""Table name -> file of a plan folder."""


@dataclasses.dataclass
class PlanFolder:
    """A plan folder read back (standard column names, the pipeline's dtypes).

    Attributes
    ----------
    path
        The folder.
    tables
        Table name (:data:`TABLE_FILES` keys) -> DataFrame, for each table file in the folder
        (a folder written by ``riskplan plan`` has them all).
    config
        The configuration used.
    manifest
        The parsed ``manifest.json``.
    data_reference
        The parsed ``data_reference.toml``.
    """

    path: Path
    tables: dict[str, pd.DataFrame]
    config: Config
    manifest: dict[str, Any]
    data_reference: dict[str, Any]

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def require(self, table: str, columns: Sequence[str]) -> pd.DataFrame:
        """Table ``table``, checked to have ``columns``.

        Raises
        ------
        RiskplanError
            When the folder lacks the table's file or the file lacks one of ``columns``.
        """
        file = TABLE_FILES[table]
        if table not in self.tables:
            raise RiskplanError(f"plan folder {self.path}: {file} is missing")
        df = self.tables[table]
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise RiskplanError(f"plan folder {self.path}: {file} lacks column(s) {', '.join(missing)}")
        return df

    def team_sheets(self) -> dict[str, pd.DataFrame]:
        """``<team label>/<date>`` -> that team's day sheet (from ``teams/``)."""
        out = {}
        for p in sorted((self.path / "teams").glob("*/*.csv")):
            out[f"{p.parent.name}/{p.stem}"] = read_table(p, contract.TEAM_SHEET.name)
        return out


def read_table(path: str | os.PathLike[str], table: str | None = None) -> pd.DataFrame:
    """Read one CSV written by riskplan: standard column names, guards undone, typed.

    Parameters
    ----------
    path
        The CSV file.
    table
        Its table in :mod:`riskplan.export.contract` (``"allocation"``, ..., ``"team_sheet"``):
        every column gets the contract's dtype. None (another CSV, e.g. a monitoring output):
        the columns the contract knows get their dtype, the others stay text.

    Raises
    ------
    RiskplanError
        For a cell that does not fit its column (file, row and column named).
    """
    return contract.parse(table, csvfile.read_csv(path), str(path))


def read_plan(path: str | os.PathLike[str]) -> PlanFolder:
    """Read a plan folder written by ``riskplan plan`` (whatever its ``--lang``).

    Each table has the columns, in order, and the dtypes of :mod:`riskplan.export.contract`:
    the tables the pipeline produced. A folder made by other means may lack tables or columns
    (``riskplan monitor`` needs only the allocation and the schedule, see
    :meth:`PlanFolder.require`); what it has is typed by the contract.

    Raises
    ------
    RiskplanError
        If the folder has no ``manifest.json`` (not a plan folder), or a cell does not fit its
        column.
    """
    p = Path(path)
    if not (p / manifest.MANIFEST_NAME).is_file():
        raise RiskplanError(f"{p} is not a plan folder (no {manifest.MANIFEST_NAME}) / 不是计划文件夹")
    tables = {name: read_table(p / f, name) for name, f in TABLE_FILES.items() if (p / f).is_file()}
    hl = contract.HIGHER_LEVEL
    if (p / hl.file).is_file():  # only a plan with higher-level samples has it
        tables[hl.name] = contract.parse(hl, csvfile.read_csv(p / hl.file), str(p / hl.file))
    return PlanFolder(
        path=p,
        tables=tables,
        config=load_config(p / "config.toml"),
        manifest=json.loads((p / manifest.MANIFEST_NAME).read_text(encoding="utf-8")),
        data_reference=tomllib.loads((p / "data_reference.toml").read_text(encoding="utf-8")),
    )
