"""The front door's functions: plan, validate, read a plan folder back, monitor.

These are the few calls a notebook needs, re-exported by :mod:`riskplan` (``import riskplan as
rp``); each chains lower layers that can also be called on their own.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from riskplan.config import Config
from riskplan.configure import init_config
from riskplan.dataset import Dataset
from riskplan.datasets import embedded_data_dir, load_ouhai, read_dataset
from riskplan.errors import RiskplanError
from riskplan.export.atomic import check_output_folder
from riskplan.export.plan_folder import read_plan, write_plan
from riskplan.monitoring import MonitorPlan, MonitorResult, load_plan, read_results
from riskplan.monitoring import monitor as monitor_plan
from riskplan.monitoring.planio import dataset_for_plan
from riskplan.pipeline import PlanResult, run_plan
from riskplan.risk.backtest import load_hidden_truth
from riskplan.tables import DateLike
from riskplan.validation import validate_dataset

__all__ = ["Plan", "plan", "validate", "read_plan", "monitor", "load_ouhai", "read_dataset",
           "load_dataset", "config_for", "hidden_truth", "DATA_ENV"]

DATA_ENV = "RISKPLAN_DATA"
"""Environment variable naming a dataset folder: overrides the folder :func:`load_dataset` is
given (CI runs every notebook on a second district this way)."""

MonthSpec = int | str | Iterable[int | str] | None
"""Months to plan: None (the month after the reference date), 1-12, ``"YYYY-MM"``, ``"all"``,
or several of these."""


@dataclasses.dataclass(repr=False)
class Plan(PlanResult):
    """A plan: every table of one pipeline run, with the dataset it came from.

    The tables are attributes (``plan.allocation``, ``plan.stops``, ...; see
    :class:`riskplan.pipeline.PlanResult`); :meth:`summary` gives the headline figures as text and
    :meth:`write` the plan folder a field team and an auditor use.
    """

    def write(self, out_dir: str | os.PathLike[str], *, progress: bool = False,
              command: Sequence[str] | None = None) -> Path:
        """Write the plan folder (atomically: all of it or nothing) and return its path.

        Parameters
        ----------
        out_dir
            The folder to write. It must be new, empty, or an earlier riskplan plan folder
            (which is then replaced as a whole).
        progress
            Show a progress bar over the files.
        command
            The command line recorded in the manifest (default ``["python"]``: written from
            Python).

        Raises
        ------
        RiskplanError
            When ``out_dir`` holds something that is not a riskplan plan folder.
        """
        if self.dataset is None:
            raise RiskplanError("this plan has no dataset attached: make it with riskplan.plan()")
        out = Path(out_dir)
        check_output_folder(out.absolute())
        write_plan(self, self.dataset, out, progress=progress, command=list(command or ["python"]))
        return out


def _months(spec: MonthSpec, plan_year: int) -> list[int] | None:
    """Month numbers of ``spec`` (see :data:`MonthSpec`)."""
    if spec is None:
        return None
    items: Iterable[int | str] = [spec] if isinstance(spec, (int, str)) else spec
    out: list[int] = []
    for item in items:
        if isinstance(item, str) and item.strip().lower() == "all":
            out.extend(range(1, 13))
        elif isinstance(item, str):
            period = pd.Period(item.strip(), freq="M") if "-" in item else None
            if period is None or period.year != plan_year:
                raise RiskplanError(f"month {item!r} is not YYYY-MM of the plan year {plan_year}")
            out.append(int(period.month))
        elif isinstance(item, bool) or not isinstance(item, int):
            raise RiskplanError(f"months must be 1-12, 'YYYY-MM' or 'all', got {item!r}")
        else:
            out.append(int(item))
    return sorted(set(out))


def plan(dataset: Dataset, config: Config | None = None, *, months: MonthSpec = None,
         seed: int | None = None, progress: bool = False) -> Plan:
    """Plan a district's year and route its month(s): the whole pipeline.

    Parameters
    ----------
    dataset
        The district (:func:`riskplan.load_ouhai`, :func:`riskplan.read_dataset`).
    config
        The configuration (default: ``Config()``, the documented defaults).
    months
        Months to select and route: None for the month after the dataset's reference date (as
        the command line does), a month 1-12 or ``"YYYY-MM"``, ``"all"``, or a list of these.
    seed
        Seed of the random steps (default: ``config.seed``).
    progress
        Show progress bars on the long steps.

    Returns
    -------
    Plan
        Every table; ``print(plan.summary())`` for the headline figures.

    Raises
    ------
    ConfigCheckError
        Listing every code, role or name of the configuration the dataset does not have.
    RiskplanError
        For months outside the plan year.
    """
    config = config or Config()
    result = run_plan(dataset, config, _months(months, int(dataset.plan_year or 0)), seed,
                      progress=progress)
    return Plan(**{f.name: getattr(result, f.name) for f in dataclasses.fields(result)})


def validate(data: str | os.PathLike[str] | Dataset) -> pd.DataFrame:
    """Every problem of a dataset folder (or a loaded dataset) as a table; empty when all is well.

    Columns: ``file``, ``row`` (1-based data row), ``column``, ``value``, ``message_en``,
    ``message_zh``, ``level`` (``error``, ``warning`` or ``info``). Never raises for bad content.
    """
    return validate_dataset(data if isinstance(data, Dataset) else Path(data))


def monitor(plan: Plan | PlanResult | MonitorPlan | str | os.PathLike[str],
            results: pd.DataFrame | str | os.PathLike[str], *, as_of: DateLike | None = None,
            dataset: Dataset | None = None, do_replan: bool = True) -> MonitorResult:
    """Judge the year's results against a plan: progress, coverage, follow-up, alerts, re-plan.

    Parameters
    ----------
    plan
        A :class:`Plan` from :func:`plan`, or a plan folder written by :meth:`Plan.write` /
        ``riskplan plan``.
    results
        The year's results (the columns of ``history``), as a table or a CSV/XLSX file.
    as_of
        Date of the assessment (default: the dataset's reference date).
    dataset
        The district; default the plan's own dataset, or the one its folder refers to.
    do_replan
        Also re-plan the remainder of the year (the slowest step).

    Returns
    -------
    MonitorResult
        Every monitoring table; ``print(result.summary())`` for the state of the year.
    """
    if isinstance(plan, MonitorPlan):
        mplan = plan
    elif isinstance(plan, PlanResult):
        mplan = MonitorPlan.from_plan_result(plan)
        dataset = dataset if dataset is not None else plan.dataset
    else:
        mplan = load_plan(Path(plan))
    if dataset is None:
        dataset = dataset_for_plan(mplan)
    if isinstance(results, pd.DataFrame):
        table, file = results, "results"
    else:
        table, file = read_results(results), Path(results).name
    return monitor_plan(mplan, table, dataset, as_of=as_of, file=file, do_replan=do_replan)


def load_dataset(data_dir: str | os.PathLike[str] | None = None) -> Dataset:
    """The dataset a notebook works on: a folder, or the embedded Ouhai data.

    Parameters
    ----------
    data_dir
        A dataset folder; empty or None for the embedded Ouhai data. The environment variable
        ``RISKPLAN_DATA``, when set, overrides it.

    Returns
    -------
    Dataset
        Read and validated (:func:`read_dataset` / :func:`load_ouhai`).
    """
    folder = os.environ.get(DATA_ENV, "").strip() or (str(data_dir).strip() if data_dir else "")
    return read_dataset(Path(folder)) if folder else load_ouhai()


def config_for(dataset: Dataset) -> Config:
    """A configuration fitting ``dataset``, as ``riskplan init`` makes it.

    :func:`riskplan.configure.init_config` also gives the commented TOML and the guesses.
    """
    return init_config(dataset).config


def hidden_truth(dataset: Dataset) -> pd.DataFrame | None:
    """The true unqualified rates ``dataset`` was drawn from, when known; else None.

    Only the embedded Ouhai data have one riskplan can reproduce (its generator's hidden truth):
    for any other dataset the back-test against the truth is skipped.
    """
    try:
        embedded = embedded_data_dir("ouhai").resolve()
    except FileNotFoundError:  # pragma: no cover - an install without the embedded data
        return None
    if dataset.source is None or Path(dataset.source).resolve() != embedded:
        return None
    return load_hidden_truth()
