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

Every stage can also be called on its own from its subpackage (``riskplan.risk.score``,
``riskplan.allocation.allocate``, ...); ``docs/architecture.md`` shows the layers.
"""

from riskplan._version import __version__
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
from riskplan.risk import BacktestResult, BetaBinomialFit
from riskplan.roles import business_types_with, categories_with, establishments_with
from riskplan.routing import RoutePlan
from riskplan.selection import Selection
from riskplan.settings import (
    AllocationRules,
    CalendarRules,
    ExportRules,
    MonitoringRules,
    QuotaRules,
    RiskRules,
    RoleRules,
    RoutingRules,
    ScheduleRules,
    SelectionRules,
)
from riskplan.subset import exclude

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
    # errors
    "RiskplanError",
    "ValidationError",
    "ConfigError",
    "ConfigCheckError",
    "InfeasibleError",
]
