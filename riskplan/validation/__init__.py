"""Validation of a district dataset: every table, every cross-reference, every problem at once.

:func:`validate_dataset` returns a problems table (file, 1-based data row, column, value, message
in English and Chinese, level). ``level`` is ``error`` (the data cannot be used as they are: the
command ``riskplan validate`` exits 1 and ``read_dataset(validate=True)`` raises), ``warning``
(kept and reported, e.g. an establishment without coordinates, routed at its township's centre)
or ``info`` (no action needed to plan: a column riskplan does not use, one row per file and column).

Cell-level checks (types, empty required cells, allowed values, ranges) happen while reading
(:mod:`riskplan.io`); this module adds the checks that need several rows or tables: unique IDs,
known codes, stage consistency, station coverage, references, time windows, geography.
"""

from __future__ import annotations

import copy
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from riskplan._problems import PROBLEM_COLUMNS, Problems
from riskplan.dataset import Dataset
from riskplan.io import read_folder
from riskplan.io.aliases import note_unused, unused_columns
from riskplan.io.convert import convert_table
from riskplan.schema import TABLES
from riskplan.validation.examples import check_template_examples
from riskplan.validation.geography import (
    DISTRICT_TOLERANCE_KM,
    FACILITY_TOLERANCE_KM,
    check_geography,
)
from riskplan.validation.report import Reporter
from riskplan.validation.summary import summarize
from riskplan.validation.tables import check_tables

__all__ = ["validate_dataset", "validate_folder", "check_dataset", "summarize", "PROBLEM_COLUMNS",
           "DISTRICT_TOLERANCE_KM", "FACILITY_TOLERANCE_KM"]

_FILE_ORDER = ["dataset.toml", *TABLES, "townships.geojson", "district.geojson"]


def validate_dataset(data: str | Path | Dataset) -> pd.DataFrame:
    """Check a dataset folder (or a loaded :class:`~riskplan.datasets.Dataset`) and list problems.

    Parameters
    ----------
    data
        A dataset folder, or a Dataset (then its in-memory tables are checked; rows are positions
        in each table, 1-based).

    Returns
    -------
    pandas.DataFrame
        One row per problem with columns ``file``, ``row`` (1-based data row, header not counted;
        None for table-level problems), ``column``, ``value``, ``message_en``, ``message_zh`` and
        ``level`` (``error``, ``warning`` or ``info``); empty when everything is fine. Never raises for bad
        content; a folder that does not exist raises :class:`~riskplan.errors.RiskplanError`.
    """
    return validate_folder(data)[1] if isinstance(data, (str, Path)) else _validate_memory(data)


def validate_folder(folder: str | Path) -> tuple[Dataset, pd.DataFrame]:
    """Read ``folder`` without raising and check it: ``(dataset, problems table)``.

    The dataset holds whatever could be read (cells that did not convert are empty), so a
    summary can be shown next to the problems.
    """
    dataset, problems = read_folder(folder)
    check_dataset(dataset, problems)
    return dataset, _sorted(problems.to_frame())


def _validate_memory(dataset: Dataset) -> pd.DataFrame:
    """Re-convert in-memory tables (type problems) and run every check."""
    problems = Problems()
    ds = copy.copy(dataset)
    files = (getattr(dataset, "metadata", None) or {}).get("files", {})
    for name, spec in TABLES.items():
        df = getattr(dataset, name, None)
        file = files.get(name, spec.file)
        if df is None:
            df = pd.DataFrame()
            if not spec.optional:
                problems.add(file, None, "", "", f"table '{name}' is missing",
                             f"缺少数据表 '{name}'")
        df = df.reset_index(drop=True)
        for col in unused_columns(df.columns, name):
            note_unused(problems, file, name, col, df[col])
        converted = convert_table(df, spec, problems, file)
        if name == "townships" and hasattr(df, "geometry"):
            converted = gpd.GeoDataFrame(converted, geometry=df.geometry.values, crs=4326)
        setattr(ds, name, converted)
    check_dataset(ds, problems)
    return _sorted(problems.to_frame())


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {f: i for i, f in enumerate(_FILE_ORDER)}
    key_file = frame["file"].map(lambda f: rank.get(Path(str(f)).stem if Path(str(f)).stem in rank
                                                    else str(f), len(rank)))
    key_row = frame["row"].map(lambda r: -1 if r is None else r)
    order = np.lexsort((np.arange(len(frame)), key_row.to_numpy(dtype=float),
                        key_file.to_numpy(dtype=float)))
    return frame.iloc[order].reset_index(drop=True)




def check_dataset(ds: Dataset, problems: Problems) -> None:
    """Every multi-row and cross-table check of a read dataset; appends to ``problems``."""
    rep = Reporter(ds, problems)
    check_tables(ds, rep)
    check_geography(ds, rep)
    check_template_examples(ds, rep)
