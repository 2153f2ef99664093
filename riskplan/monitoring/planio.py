"""Read a plan folder (written by ``riskplan plan``) into what monitoring needs.

Named :class:`MonitorPlan` / :func:`load_plan` so as not to collide with the export stage's
:class:`riskplan.export.plan_folder.PlanFolder` / ``read_plan`` (the raw folder: every table, the
manifest), which this module wraps: monitoring needs a narrower, checked view that can also be
built in memory from a ``PlanResult``.

:func:`load_plan` reads the folder through :func:`riskplan.export.plan_folder.read_plan` only:
standard column names whatever the folder's language and the pipeline's dtypes (the plan
folder's one contract, :mod:`riskplan.export.contract`), the configuration, the manifest and the
data reference. It checks that the two tables monitoring relies on (``allocation``,
``schedule``) are there with the columns it needs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.datasets import load_ouhai, read_dataset
from riskplan.errors import RiskplanError
from riskplan.export.plan_folder import read_plan
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)


@dataclasses.dataclass
class MonitorPlan:
    """A plan as monitoring needs it.

    Attributes
    ----------
    allocation
        One row per stratum: key columns, ``stage``, ``samples`` (int) and whatever else the
        allocation carried (``weight``, ``floor``, ...).
    schedule
        Key columns, ``month`` (1-12), ``samples`` (int).
    config
        The :class:`riskplan.config.Config` the plan was made with (defaults when unknown).
    manifest
        The parsed ``manifest.json`` ({} when absent).
    path
        The folder, or None for a plan built in memory.
    scores
        The risk scores the plan was built on, when known (in memory), else None.
    """

    allocation: pd.DataFrame
    schedule: pd.DataFrame
    config: Any = None
    manifest: dict[str, Any] = dataclasses.field(default_factory=dict)
    path: Path | None = None
    scores: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if self.config is None:
            self.config = Config()

    @property
    def quota(self) -> int:
        """Annual quota [samples]: the allocation's total."""
        return int(self.allocation["samples"].sum())

    @property
    def programme(self) -> str:
        """Programme the plan serves (``quota.programme``)."""
        return str(getattr(getattr(self.config, "quota", None), "programme", "risk_monitoring"))

    @classmethod
    def from_plan_result(cls, result: Any) -> MonitorPlan:
        """From an in-memory :class:`riskplan.pipeline.PlanResult` (or anything alike)."""
        return cls(allocation=result.allocation, schedule=result.schedule,
                   config=getattr(result, "config", None), scores=getattr(result, "scores", None))


def load_plan(folder: str | Path) -> MonitorPlan:
    """Read a plan folder into a :class:`MonitorPlan`.

    Raises
    ------
    RiskplanError
        When the folder is not a plan folder or lacks the allocation or schedule (no traceback).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RiskplanError(f"plan folder not found: {folder} / 计划文件夹不存在")
    pf = read_plan(folder)
    allocation = pf.require("allocation", [*KEY, "samples"])
    if "stage" not in allocation.columns:
        allocation = allocation.assign(stage="")
    schedule = pf.require("schedule", [*KEY, "month", "samples"])
    scores = pf.tables.get("risk_scores")
    man = dict(pf.manifest)
    man["data_reference"] = dict(pf.data_reference)
    return MonitorPlan(allocation, schedule, pf.config, man, folder, scores)


def dataset_for_plan(plan: MonitorPlan) -> Dataset:
    """Load the dataset a plan folder refers to (its ``data_reference.toml``).

    The embedded Ouhai data are used when the reference says ``embedded = "ouhai"`` or names no
    source folder.
    """
    man = plan.manifest or {}
    ref = man.get("data_reference") or man.get("dataset") or {}
    if ref.get("embedded") == "ouhai" or not ref.get("source"):
        return load_ouhai()
    p = Path(ref["source"])
    if not p.is_dir():
        raise RiskplanError(f"the plan's dataset folder {p} (data_reference.toml) is not found; "
                            "give --data / 计划引用的数据文件夹不存在")
    return read_dataset(p)
