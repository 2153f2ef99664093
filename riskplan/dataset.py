"""The district dataset: one container for every table of one district.

A :class:`Dataset` holds the tables of ``docs/contracts.md`` (townships, establishments, stations,
officers, labs, history, results, complaints, categories, business types, creation targets,
target actuals, population, higher-level samples, inspections) and where they came from.
:func:`riskplan.datasets.read_dataset` reads a folder into one; every pipeline stage takes its
inputs from it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from riskplan.schema import TABLES

__all__ = ["Dataset", "TABLE_NAMES"]

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
"""Names of the tables of a dataset, in reading order (each is a ``Dataset`` attribute)."""


@dataclasses.dataclass
class Dataset:
    """All tables of one district, plus where they came from.

    Attributes
    ----------
    townships
        GeoDataFrame (EPSG:4326), one row per township, with ``population`` [persons].
    establishments
        One row per food business; ``categories`` and ``opening_hours`` are ``;`` lists,
        ``has_location`` is False where the row has no coordinates.
    stations, officers, labs
        Where teams start, who is on each station's roster, where samples go.
    history, results
        Past sampling results, and the current plan year's results so far.
    complaints, categories, business_types
        See ``docs/contracts.md``; the ``roles`` columns of business types and categories say
        which rules apply to them (:mod:`riskplan.roles`).
    creation_targets, target_actuals
        The district's own creation targets and their actual values (both optional: empty
        without them, and then ``riskplan monitor`` makes no scorecard).
    population
        District residents by year (``population.csv``: ``year``, ``residents`` [persons],
        ``source``); optional, empty without it. The quota uses it (see
        :func:`riskplan.allocation.quota.resolve_population`).
    higher_level
        Samples higher-level programmes (national, provincial, city) take in the district
        (``higher_level.csv``: ``programme, level``, the stratum key, ``month``, ``samples``);
        optional, empty without it.
    inspections
        Inspections done in the plan year (``inspections.csv``: ``establishment_id, date``,
        optional ``programme, outcome, note``); optional, empty without it. ``riskplan monitor``
        scores an inspection campaign's target (T25) from it.
    name
        Human-readable name of the district.
    district_code
        6-digit administrative code of the district.
    reference_date
        Date at which the data are frozen; nothing is computed from today's date.
    plan_year
        Year that is planned and monitored.
    description
        Where each table came from (provenance), as text.
    metadata
        The parsed ``dataset.toml``.
    source
        Folder the dataset was read from.
    district
        GeoDataFrame with the district outline, or None.
    """

    townships: gpd.GeoDataFrame
    establishments: pd.DataFrame
    stations: pd.DataFrame
    officers: pd.DataFrame
    labs: pd.DataFrame
    history: pd.DataFrame
    results: pd.DataFrame
    complaints: pd.DataFrame
    categories: pd.DataFrame
    business_types: pd.DataFrame
    target_actuals: pd.DataFrame
    creation_targets: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    population: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    higher_level: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    inspections: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    name: str = ""
    district_code: str = ""
    reference_date: dt.date | None = None
    plan_year: int | None = None
    description: str = ""
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    source: Path | None = None
    district: gpd.GeoDataFrame | None = None

    @property
    def residents(self) -> int:
        """Total residents of the district's townships [persons] (``townships.population``)."""
        return int(self.townships["population"].sum())

    def __repr__(self) -> str:  # a short summary instead of pages of tables
        sizes = ", ".join(f"{t}={len(getattr(self, t))}" for t in TABLE_NAMES)
        return f"Dataset({self.name!r}, reference_date={self.reference_date}, {sizes})"
