"""Read a plan folder (written by ``riskplan plan``) back into standard tables.

Kept in one small function, :func:`read_plan`, so it can be swapped for the export stage's own
reader: the folder holds ``allocation.csv``, ``schedule.csv`` (headers in Chinese or English,
mapped back to the standard names of ``docs/contracts.md``), ``config.toml`` and
``manifest.json`` (with the data reference).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pandas as pd

from riskplan.errors import RiskplanError

KEY = ["township_code", "business_type", "category_code"]


@dataclasses.dataclass
class PlanFolder:
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
    def from_plan_result(cls, result: Any) -> PlanFolder:
        """From an in-memory :class:`riskplan.pipeline.PlanResult` (or anything alike)."""
        return cls(allocation=result.allocation, schedule=result.schedule,
                   config=getattr(result, "config", None), scores=getattr(result, "scores", None))


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise RiskplanError(f"plan folder: {path.name} is missing ({path})")
    try:
        from riskplan.export.csvfile import read_csv
        from riskplan.export.headers import to_standard

        df = read_csv(path)
        df.columns = to_standard(df.columns)
    except ImportError:  # pragma: no cover - export stage not installed
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return df


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


def read_plan(folder: str | Path) -> PlanFolder:
    """Read a plan folder into a :class:`PlanFolder`.

    Raises
    ------
    RiskplanError
        When the folder or one of its tables is missing or unreadable (no traceback).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RiskplanError(f"plan folder not found: {folder}")
    allocation = _ints(_read_table(folder / "allocation.csv"), ["samples"], "allocation.csv")
    if "stage" not in allocation.columns:
        allocation["stage"] = ""
    schedule = _ints(_read_table(folder / "schedule.csv"), ["month", "samples"], "schedule.csv")
    from riskplan.config import load_config

    cfg_path = folder / "config.toml"
    config = load_config(cfg_path) if cfg_path.is_file() else None
    manifest: dict[str, Any] = {}
    man_path = folder / "manifest.json"
    if man_path.is_file():
        try:
            manifest = json.loads(man_path.read_text(encoding="utf-8-sig"))
        except json.JSONDecodeError as exc:
            raise RiskplanError(f"plan folder: manifest.json is not valid JSON ({exc})") from None
    return PlanFolder(allocation, schedule, config, manifest, folder)


def dataset_for_plan(plan: PlanFolder) -> Any:
    """Load the dataset a plan folder refers to (``manifest.json``: ``dataset`` / ``input_folder``).

    The embedded Ouhai data are used when the manifest names no folder, or names the embedded
    one.
    """
    from riskplan.datasets import load_ouhai

    man = plan.manifest or {}
    ds = man.get("dataset") if isinstance(man.get("dataset"), dict) else {}
    folder = man.get("input_folder") or ds.get("folder") or ds.get("path") or ""
    embedded = ds.get("embedded") or folder in ("", "embedded", "embedded:ouhai", "ouhai")
    if embedded or str(folder).startswith("<embedded"):
        return load_ouhai()
    p = Path(folder)
    if not p.is_absolute() and plan.path is not None and not p.exists():
        p = (plan.path / p).resolve()
    if not p.is_dir():
        raise RiskplanError(f"the plan's dataset folder {folder} (from manifest.json) is not found")
    from riskplan.io import read_dataset

    return read_dataset(p)
