"""The district dataset object and the loader of the embedded Ouhai dataset.

A :class:`Dataset` holds every table of one district (see ``docs/contracts.md``); it is what
``riskplan.io.read_dataset`` returns and what every pipeline stage takes its inputs from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

TABLES: tuple[str, ...] = (
    "townships",
    "establishments",
    "stations",
    "officers",
    "labs",
    "history",
    "results",
    "complaints",
    "categories",
    "business_types",
    "target_actuals",
)
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
    complaints, categories, business_types, target_actuals
        See ``docs/contracts.md``.
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

    townships: Any
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
    name: str = ""
    district_code: str = ""
    reference_date: dt.date | None = None
    plan_year: int | None = None
    description: str = ""
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    source: Path | None = None
    district: Any = None

    @property
    def population(self) -> int:
        """Total residents of the district [persons]."""
        return int(self.townships["population"].sum())

    def __repr__(self) -> str:  # a short summary instead of pages of tables
        sizes = ", ".join(f"{t}={len(getattr(self, t))}" for t in TABLES)
        return f"Dataset({self.name!r}, reference_date={self.reference_date}, {sizes})"


def embedded_data_dir(name: str = "ouhai") -> Path:
    """Folder of an embedded dataset, from a wheel install or from the source tree.

    In a built wheel the top-level ``data/<name>`` folder is shipped as ``riskplan/_data/<name>``;
    in an editable install or a source checkout it is found at ``<repo>/data/<name>``.
    """
    packaged = resources.files("riskplan").joinpath("_data", name)
    if packaged.is_dir():
        return Path(str(packaged))
    source_tree = Path(__file__).resolve().parent.parent / "data" / name
    if source_tree.is_dir():
        return source_tree
    raise FileNotFoundError(
        f"embedded dataset {name!r} not found (looked in {packaged} and {source_tree})"
    )


def load_ouhai(validate: bool = True) -> Dataset:
    """Load the embedded Ouhai District (瓯海区, Wenzhou) dataset.

    Parameters
    ----------
    validate
        Run the full validation and raise on any problem (the embedded data have none).

    Returns
    -------
    Dataset
        All tables, with ``description`` telling where each came from: the 13 townships and
        their codes are real, three populations are census figures and ten are estimates, the
        polygons are an approximate division of the real district outline, and the register,
        stations, history, complaints and results are synthetic.
    """
    from riskplan.io import read_dataset

    return read_dataset(embedded_data_dir("ouhai"), validate=validate)
