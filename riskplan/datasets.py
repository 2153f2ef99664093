"""Loading datasets: a folder read and validated, and the embedded Ouhai dataset.

In the style of scikit-learn's dataset loaders: :func:`load_ouhai` returns the embedded district
with a description of where each table came from; :func:`read_dataset` reads and validates any
district's folder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pandas as pd

from riskplan._problems import Problems
from riskplan.dataset import Dataset
from riskplan.errors import ValidationError
from riskplan.io import read_folder, read_table
from riskplan.validation import check_dataset
from riskplan.validation.inspections import check_inspections
from riskplan.validation.report import Reporter
from riskplan.validation.tables import check_higher_level

__all__ = ["Dataset", "read_dataset", "load_ouhai", "embedded_data_dir", "with_higher_level",
           "with_inspections"]


def read_dataset(folder: str | Path, validate: bool = True) -> Dataset:
    """Read a district dataset folder into a :class:`~riskplan.datasets.Dataset`.

    Parameters
    ----------
    folder
        Folder with ``dataset.toml``, the tables of ``docs/contracts.md`` as CSV (or XLSX of the
        same stem), ``townships.geojson`` and optionally ``district.geojson``. Optional tables
        (results, complaints, target_actuals) may be missing and then load empty.
    validate
        Check every table and cross-reference (:func:`riskplan.validation.validate_dataset`) and
        raise on any error-level problem.

    Returns
    -------
    Dataset
        ``townships`` is a GeoDataFrame (EPSG:4326); dates are ``datetime64[ns]``; coordinates
        WGS-84 with ``coord_source`` and (establishments) ``has_location``.

    Raises
    ------
    RiskplanError
        If ``folder`` is not a folder.
    ValidationError
        With every error-level problem at once, when ``validate`` is True.
    """
    dataset, problems = read_folder(folder)
    if validate:
        check_dataset(dataset, problems)
        if problems.has_errors:
            frame = problems.to_frame()
            raise ValidationError(frame[frame["level"] == "error"].reset_index(drop=True))
    return dataset


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
    return read_dataset(embedded_data_dir("ouhai"), validate=validate)


def _with_table(dataset: Dataset, path: str | Path, table_name: str, what: tuple[str, str],
                check: Callable[[pd.DataFrame, Dataset, Reporter], None]) -> Dataset:
    """``dataset`` with its table ``table_name`` read from ``path`` and checked by ``check``.

    ``what`` names the file in messages (English, Chinese). Every error of the file at once, as a
    :class:`ValidationError`; warnings are left to the dataset's own validation.
    """
    path = Path(path)
    problems = Problems()
    if not path.is_file():
        problems.add(path.name, None, "", "", f"{what[0]} file not found: {path}", f"找不到{what[1]}文件：{path}")
        raise ValidationError(problems.to_frame())
    table = read_table(path, table_name, problems)
    files = {**(dataset.metadata or {}).get("files", {}), table_name: path.name}
    out = dataclasses.replace(dataset, **{table_name: table},
                              metadata={**(dataset.metadata or {}), "files": files})
    check(table, out, Reporter(out, problems))
    if problems.has_errors:
        frame = problems.to_frame()
        raise ValidationError(frame[frame["level"] == "error"].reset_index(drop=True))
    return out


def with_higher_level(dataset: Dataset, path: str | Path) -> Dataset:
    """``dataset`` with its higher-level table read from ``path`` (``riskplan plan --higher-level``).

    The file is read and checked like ``higher_level.csv`` of a dataset folder (same columns,
    Chinese headers and values, codes against the dataset's tables); it replaces the folder's.

    Raises
    ------
    ValidationError
        With every problem of the file (file, row, column, what is wrong).
    """
    def check(table: pd.DataFrame, out: Dataset, report: Reporter) -> None:
        codes = {
            "township": set(out.townships["township_code"].astype(str)),
            "business_type": set(out.business_types["business_type"].astype(str)),
            "category": set(out.categories["category_code"].astype(str)),
        }
        check_higher_level(table, codes, report)

    return _with_table(dataset, path, "higher_level", ("higher-level", "上级任务"), check)


def with_inspections(dataset: Dataset, path: str | Path) -> Dataset:
    """``dataset`` with its inspections table read from ``path`` (``riskplan monitor --inspections``).

    The file is read and checked like ``inspections.csv`` of a dataset folder (same columns,
    Chinese headers, every establishment known, dates in the plan year); it replaces the folder's.
    Dates after the dataset's reference date are allowed (monitoring may run later).

    Raises
    ------
    ValidationError
        With every problem of the file (file, row, column, what is wrong).
    """
    def check(table: pd.DataFrame, out: Dataset, report: Reporter) -> None:
        check_inspections(table, set(out.establishments["establishment_id"].astype(str)), report, out.plan_year)

    return _with_table(dataset, path, "inspections", ("inspections", "检查记录"), check)
