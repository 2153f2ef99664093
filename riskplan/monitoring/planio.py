"""Read a plan folder (written by ``riskplan plan``) into what monitoring needs.

Named :class:`MonitorPlan` / :func:`load_plan` so as not to collide with the export stage's
:class:`riskplan.export.plan_folder.PlanFolder` / ``read_plan`` (the raw folder: every table, the
manifest), which this module wraps: monitoring needs a narrower, checked view that can also be
built in memory from a ``PlanResult``.

:func:`load_plan` wraps the export stage's reader (:func:`riskplan.export.plan_folder.read_plan`:
standard column names whatever the folder's language, the configuration, the manifest and the
data reference) and checks the two tables monitoring relies on (``allocation``, ``schedule``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from riskplan.errors import RiskplanError
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
            from riskplan.config import Config

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


def _ints(df: pd.DataFrame, cols: list[str], name: str) -> pd.DataFrame:
    missing = [c for c in KEY + cols if c not in df.columns]
    if missing:
        raise RiskplanError(f"plan folder: {name} lacks column(s) {', '.join(missing)}")
    df = df.copy()
    for c in KEY:
        df[c] = df[c].astype(str).str.strip()
    for c in cols:
        v = pd.to_numeric(df[c], errors="coerce")
        if v.isna().any():
            row = int(v.isna().to_numpy().argmax()) + 1
            raise RiskplanError(f"plan folder: {name} row {row}, column {c}: not a number")
        df[c] = v.round().astype(int)
    return df


def _numeric_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns that hold only numbers (or blanks) become numbers; codes stay text.

    :func:`riskplan.export.plan_folder.read_table` types only a fixed set of columns
    (``samples``, ``weight``, ...); the risk scores also carry ``prior_alpha``, ``prior_beta``,
    ``rate_mean`` and the score components, which the alerts need as numbers.
    """
    df = df.copy()
    for c in df.columns:
        if c in KEY or c.endswith(("_id", "_code")) or df[c].dtype.kind in "biuf":
            continue
        v = pd.to_numeric(df[c].replace("", None), errors="coerce")
        if v.notna().sum() == (df[c].astype(str).str.strip() != "").sum():
            df[c] = v
    return df


def load_plan(folder: str | Path) -> MonitorPlan:
    """Read a plan folder into a :class:`MonitorPlan`.

    Raises
    ------
    RiskplanError
        When the folder is not a plan folder or lacks the allocation or schedule (no traceback).
    """
    from riskplan.export.plan_folder import read_plan as read_export

    folder = Path(folder)
    if not folder.is_dir():
        raise RiskplanError(f"plan folder not found: {folder} / 计划文件夹不存在")
    pf = read_export(folder)
    for name in ("allocation", "schedule"):
        if name not in pf.tables:
            raise RiskplanError(f"plan folder {folder}: {name}.csv is missing")
    allocation = _ints(pf.tables["allocation"], ["samples"], "allocation.csv")
    if "stage" not in allocation.columns:
        allocation["stage"] = ""
    schedule = _ints(pf.tables["schedule"], ["month", "samples"], "schedule.csv")
    scores = pf.tables.get("risk_scores")
    if scores is not None:
        scores = _numeric_columns(scores)
    man = dict(pf.manifest)
    man["data_reference"] = dict(pf.data_reference)
    return MonitorPlan(allocation, schedule, pf.config, man, folder, scores)


def dataset_for_plan(plan: MonitorPlan) -> Any:
    """Load the dataset a plan folder refers to (its ``data_reference.toml``).

    The embedded Ouhai data are used when the reference says ``embedded = "ouhai"`` or names no
    source folder.
    """
    from riskplan.datasets import load_ouhai

    man = plan.manifest or {}
    ref = man.get("data_reference") or man.get("dataset") or {}
    if ref.get("embedded") == "ouhai" or not ref.get("source"):
        return load_ouhai()
    p = Path(ref["source"])
    if not p.is_dir():
        raise RiskplanError(f"the plan's dataset folder {p} (data_reference.toml) is not found; "
                            "give --data / 计划引用的数据文件夹不存在")
    from riskplan.datasets import read_dataset

    return read_dataset(p)
