"""One district's task: read, plan and write its folder, on whichever Dask worker runs it.

:func:`plan_district` is what the scheduler runs once per district. It gets a small
:class:`DistrictTask` (paths both sides see and the merged configuration as a plain dict; the
dataset is read by the worker from the district's folder, never shipped) and returns a
:class:`DistrictOutcome`. A district whose data or configuration is wrong returns a failed
outcome with its problems (it is not retried: running it again would fail the same way); any
other exception (a full disk, a lost file) propagates so that Dask retries the task. The
district's folder is written atomically, so a worker killed mid-task leaves at most a hidden
staging folder, swept by the parent (:func:`riskplan.province.folders.sweep`).

A district whose folder is already complete and whose inputs, configuration, seed and months
hash the same as its manifest records is not planned again (``unchanged``): a rerun resumes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import socket
import time
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from riskplan._version import __version__
from riskplan.config import Config
from riskplan.configure import prepare
from riskplan.dataset import Dataset
from riskplan.datasets import read_dataset
from riskplan.errors import ConfigCheckError, ConfigError, RiskplanError, ValidationError
from riskplan.export.manifest import MANIFEST_NAME, sha256_file
from riskplan.export.ownership import manifest_kind, unlisted_entries
from riskplan.export.plan_folder import plan_inputs, write_plan
from riskplan.pipeline import run_plan
from riskplan.pipeline.run import default_months
from riskplan.province.figures import district_figures

__all__ = ["DistrictOutcome", "DistrictTask", "Status", "outline_of", "plan_district", "resolve_months",
           "stale_reason", "where_run"]

Status = Literal["planned", "unchanged", "monitored", "failed"]


@dataclasses.dataclass(frozen=True)
class DistrictTask:
    """What a worker needs to plan one district (small: sent with the task).

    Attributes
    ----------
    name
        The district's name (its folder's name).
    folder
        Its dataset folder (absolute; the worker reads it from there).
    out
        Its plan folder ``OUT/<name>`` (absolute).
    config
        The merged configuration (:meth:`riskplan.config.Config.to_dict`).
    months
        ``None`` (the month after the reference date), ``"all"`` or ``"YYYY-MM"``.
    command
        The command line recorded in the plan folder's manifest.
    """

    name: str
    folder: str
    out: str
    config: dict[str, Any]
    months: str | None = None
    command: tuple[str, ...] = ()


@dataclasses.dataclass
class DistrictOutcome:
    """What became of one district.

    Attributes
    ----------
    name
        The district.
    status
        ``planned``, ``unchanged`` (an earlier complete, identical plan folder kept), ``monitored``
        (a province's monitoring) or ``failed``.
    message
        Why it failed (empty otherwise).
    problems
        The problem table of a district whose data failed validation (``riskplan validate``'s
        columns), else None.
    figures
        Its summary row (:func:`riskplan.province.figures.district_figures`); empty when failed.
    dataset_name, district_code, population
        From its dataset (population [persons]; None when it could not be read).
    outline
        The district's outline (WGS-84), or None.
    seconds
        Wall time of the task [s].
    cpu_seconds
        CPU time of the worker process during the task [s] (with one thread per worker, the
        district's own; unlike the wall time it does not grow when the machine is shared).
    timings
        Seconds per pipeline stage [s] and ``load`` and ``export`` (empty when not planned).
    worker
        ``host:pid`` of the process that ran it.
    peak_rss_mb
        Peak resident memory of that process so far [MB].
    """

    name: str
    status: Status
    message: str = ""
    problems: pd.DataFrame | None = None
    figures: dict[str, Any] = dataclasses.field(default_factory=dict)
    dataset_name: str = ""
    district_code: str = ""
    population: int | None = None
    outline: BaseGeometry | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    worker: str = ""
    peak_rss_mb: float = 0.0

    @property
    def ok(self) -> bool:
        """The district has a complete, current plan folder."""
        return self.status != "failed"


def resolve_months(spec: str | None, dataset: Dataset) -> list[int]:
    """Month numbers of ``spec`` for ``dataset`` (see :attr:`DistrictTask.months`).

    Raises
    ------
    RiskplanError
        When a ``YYYY-MM`` month is not in the dataset's plan year (or the dataset has none).
    """
    if spec is None:
        return default_months(dataset)
    if spec == "all":
        return list(range(1, 13))
    year, _, month = spec.partition("-")
    if dataset.plan_year is None or int(year) != int(dataset.plan_year):
        raise RiskplanError(f"--month {spec} is not in the dataset's plan year {dataset.plan_year}")
    return [int(month)]


def _jsonable(value: Any) -> Any:
    """``value`` as it reads back from manifest.json (tuples as lists, odd types as text)."""
    return json.loads(json.dumps(value, default=str))


def stale_reason(out: Path, dataset: Dataset, config: Config, months: list[int]) -> str | None:
    """Why the plan folder ``out`` cannot be kept for this run; None when it is complete and current.

    Complete: its manifest is a plan's and every file it lists is there with the same SHA-256,
    and nothing else is. Current: the same riskplan version, inputs (every file's hash),
    configuration, seed and months. ``config`` is the configuration as the pipeline resolves it
    for ``dataset`` (:func:`riskplan.configure.prepare`), which is what the folder records.
    """
    man_path = out / MANIFEST_NAME
    if not man_path.is_file():
        return "no earlier plan folder"
    try:
        man = json.loads(man_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "its manifest.json cannot be read"
    if manifest_kind(man) != "plan":
        return "not a plan folder"
    year = int(dataset.plan_year or 0)
    expected = {"riskplan_version": __version__, "inputs_sha256": plan_inputs(dataset, config),
                "config": _jsonable(config.to_dict()), "seed": config.seed,
                "months": [f"{year}-{m:02d}" for m in months]}
    for key, value in expected.items():
        if man.get(key) != value:
            return f"{key} changed"
    outputs: dict[str, str] = man["outputs_sha256"]
    if unlisted_entries(out, set(outputs)):
        return "it holds files its manifest does not list"
    for rel, digest in outputs.items():
        path = out / rel
        if not path.is_file() or sha256_file(path) != digest:
            return f"{rel} is missing or changed"
    return None


def outline_of(dataset: Dataset | None, folder: Path) -> BaseGeometry | None:
    """The district's outline: ``district.geojson``, else the union of its townships; or None."""
    if dataset is not None:
        if dataset.district is not None and len(dataset.district):
            return dataset.district.geometry.union_all()
        return dataset.townships.geometry.union_all()
    try:  # the data did not load: still draw the district if its outline file is readable
        return gpd.read_file(folder / "district.geojson").geometry.union_all()
    except Exception:  # noqa: BLE001 - best effort: a failed district is listed whether drawn or not
        return None


def where_run() -> tuple[str, float]:
    """``host:pid`` of this process and its peak resident memory so far [MB]."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB
    return f"{socket.gethostname()}:{os.getpid()}", round(peak, 1)


def plan_district(task: DistrictTask) -> DistrictOutcome:
    """Plan one district and write ``task.out`` (or keep it when it is complete and current).

    Returns
    -------
    DistrictOutcome
        ``failed`` (with the message and, for bad data, the problem table) when the district's
        data, configuration or month is wrong; the other districts are not affected.

    Raises
    ------
    Exception
        Anything unexpected (an OSError of a full disk, a bug): Dask retries the task.
    """
    t0, c0 = time.perf_counter(), time.process_time()
    folder, out = Path(task.folder), Path(task.out)
    dataset: Dataset | None = None
    timings: dict[str, float] = {}
    try:
        dataset = read_dataset(folder)
        timings["load"] = time.perf_counter() - t0
        config = Config.from_dict(task.config)
        months = resolve_months(task.months, dataset)
        # the plan folder records the configuration as the pipeline resolves it (roles turned into
        # the dataset's codes; every code checked, all errors at once): a rerun compares with that
        reason = (stale_reason(out, dataset, prepare(dataset, config).config, months)
                  if (out / MANIFEST_NAME).is_file() else "no earlier plan folder")
        if reason is None:
            status: Status = "unchanged"
        else:
            result = run_plan(dataset, config, months, config.seed)
            timings.update(result.timings)
            t1 = time.perf_counter()
            write_plan(result, dataset, out, command=list(task.command))
            timings["export"] = time.perf_counter() - t1
            status = "planned"
        figures = district_figures(out)
    except ValidationError as exc:
        lines = str(exc).splitlines()
        return _failed(task, dataset, t0, " ".join(s.strip() for s in lines[:2]), exc.problems)
    except ConfigCheckError as exc:  # every wrong code of the merged configuration, one row each
        errors = exc.problems[exc.problems["level"] == "error"]
        rows = pd.DataFrame({"file": "config.toml", "row": "", "column": errors["key"].astype(str),
                             "value": errors["value"].astype(str), "message_en": errors["problem"].astype(str),
                             "message_zh": "配置有误", "level": "error"})
        return _failed(task, dataset, t0, str(exc).splitlines()[0], rows)
    except RiskplanError as exc:
        problem = {"file": "", "row": "", "column": exc.key if isinstance(exc, ConfigError) else "",
                   "value": "", "message_en": str(exc), "message_zh": "", "level": "error"}
        return _failed(task, dataset, t0, str(exc), pd.DataFrame([problem]))
    worker, peak = where_run()
    return DistrictOutcome(
        name=task.name, status=status, figures=figures, dataset_name=str(dataset.name),
        district_code=str(dataset.district_code), population=int(dataset.residents),
        outline=outline_of(dataset, folder), seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0, timings=timings, worker=worker, peak_rss_mb=peak)


def _failed(task: DistrictTask, dataset: Dataset | None, t0: float, message: str,
            problems: pd.DataFrame | None) -> DistrictOutcome:
    worker, peak = where_run()
    return DistrictOutcome(
        name=task.name, status="failed", message=message, problems=problems,
        dataset_name=str(dataset.name) if dataset is not None else "",
        district_code=str(dataset.district_code) if dataset is not None else "",
        population=int(dataset.residents) if dataset is not None else None,
        outline=outline_of(dataset, Path(task.folder)), seconds=time.perf_counter() - t0,
        worker=worker, peak_rss_mb=peak)
