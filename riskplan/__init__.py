"""riskplan: risk-weighted food sampling plans and inspection routes for a district regulator.

The front door, ``import riskplan as rp``::

    ds = rp.load_ouhai()                   # or rp.read_dataset("my_district/")
    config = rp.config_for(ds)             # a configuration fitting the data (riskplan init)
    problems = rp.validate(ds)             # every problem as a table (empty: none)
    plan = rp.plan(ds, config, months="2026-07")  # the whole pipeline -> Plan
    print(plan.summary())
    plan.write("out/plan")                 # the plan folder for the field teams
    folder = rp.read_plan("out/plan")      # its tables back, with the pipeline's column types
    result = rp.monitor(plan, ds.results)  # progress, coverage, alerts, re-plan
    prov = rp.plan_province("province/", "out/province")  # every district on Dask, a summary

Every stage can also be called on its own from its subpackage (``riskplan.risk.score``,
``riskplan.allocation.allocate``, ...); ``docs/architecture.md`` shows the layers.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from riskplan._version import __version__

# The names below load on first use (PEP 562), so that `import riskplan` and the start of the
# `riskplan` command take no time: a Ctrl-C in the first seconds is then caught by the command
# line like any other ("interrupted", exit 130), not shown as a traceback from inside an import.
if TYPE_CHECKING:  # pragma: no cover
    from riskplan.allocation import Allocation
    from riskplan.api import Plan, config_for, hidden_truth, load_dataset, monitor, plan, validate
    from riskplan.config import Config, load_config
    from riskplan.configure import check_config, init_config
    from riskplan.dataset import Dataset
    from riskplan.datasets import load_ouhai, read_dataset
    from riskplan.errors import ConfigCheckError, ConfigError, InfeasibleError, RiskplanError, ValidationError
    from riskplan.export.plan_folder import PlanFolder, read_plan
    from riskplan.monitoring import MonitorResult
    from riskplan.pipeline import PlanResult
    from riskplan.province import ProvinceMonitorResult, ProvinceResult, monitor_province, plan_province
    from riskplan.risk import BacktestResult, BetaBinomialFit
    from riskplan.roles import business_types_with, categories_with, establishments_with
    from riskplan.routing import RoutePlan
    from riskplan.selection import Selection
    from riskplan.settings import (
        AllocationRules,
        CalendarRules,
        ExportRules,
        MonitoringRules,
        ProvinceRules,
        QuotaRules,
        RiskRules,
        RoleRules,
        RoutingRules,
        ScheduleRules,
        SelectionRules,
    )
    from riskplan.subset import exclude

_SOURCE: dict[str, str] = {
    # data
    "Dataset": "riskplan.dataset",
    **dict.fromkeys(("load_ouhai", "read_dataset"), "riskplan.datasets"),
    **dict.fromkeys(("load_dataset", "validate", "hidden_truth", "config_for", "plan", "Plan", "monitor"),
                    "riskplan.api"),
    "exclude": "riskplan.subset",
    # roles
    **dict.fromkeys(("business_types_with", "categories_with", "establishments_with"), "riskplan.roles"),
    # configuration
    **dict.fromkeys(("Config", "load_config"), "riskplan.config"),
    **dict.fromkeys(("check_config", "init_config"), "riskplan.configure"),
    **dict.fromkeys(("RoleRules", "QuotaRules", "RiskRules", "AllocationRules", "ScheduleRules",
                     "CalendarRules", "SelectionRules", "RoutingRules", "MonitoringRules", "ExportRules"),
                    "riskplan.settings"),
    # planning
    "PlanResult": "riskplan.pipeline",
    **dict.fromkeys(("PlanFolder", "read_plan"), "riskplan.export.plan_folder"),
    "Allocation": "riskplan.allocation",
    "Selection": "riskplan.selection",
    "RoutePlan": "riskplan.routing",
    **dict.fromkeys(("BetaBinomialFit", "BacktestResult"), "riskplan.risk"),
    # monitoring
    "MonitorResult": "riskplan.monitoring",
    # many districts (Dask)
    **dict.fromkeys(("plan_province", "monitor_province", "ProvinceResult", "ProvinceMonitorResult"),
                    "riskplan.province"),
    "ProvinceRules": "riskplan.settings",
    # errors
    **dict.fromkeys(("RiskplanError", "ValidationError", "ConfigError", "ConfigCheckError", "InfeasibleError"),
                    "riskplan.errors"),
}
"""Front-door name -> the module that defines it."""


def __getattr__(name: str) -> Any:
    """A front-door name (or a sub-package, ``riskplan.routing``), imported on first use."""
    if name in _SOURCE:
        return getattr(importlib.import_module(_SOURCE[name]), name)
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SOURCE})


__all__ = [
    "__version__",
    # data
    "Dataset",
    "load_ouhai",
    "read_dataset",
    "load_dataset",
    "validate",
    "exclude",
    "hidden_truth",
    # roles
    "business_types_with",
    "categories_with",
    "establishments_with",
    # configuration
    "Config",
    "load_config",
    "check_config",
    "init_config",
    "config_for",
    "RoleRules",
    "QuotaRules",
    "RiskRules",
    "AllocationRules",
    "ScheduleRules",
    "CalendarRules",
    "SelectionRules",
    "RoutingRules",
    "MonitoringRules",
    "ExportRules",
    # planning
    "plan",
    "Plan",
    "PlanResult",
    "PlanFolder",
    "read_plan",
    "Allocation",
    "Selection",
    "RoutePlan",
    "BetaBinomialFit",
    "BacktestResult",
    # monitoring
    "monitor",
    "MonitorResult",
    # many districts (Dask)
    "plan_province",
    "monitor_province",
    "ProvinceRules",
    "ProvinceResult",
    "ProvinceMonitorResult",
    # errors
    "RiskplanError",
    "ValidationError",
    "ConfigError",
    "ConfigCheckError",
    "InfeasibleError",
]
