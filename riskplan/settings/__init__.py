"""The settings of every stage: one frozen dataclass per TOML section, named ``<Stage>Rules``.

They sit low in the layers (they import only the foundation), so the configuration and every stage
can import them; :class:`riskplan.config.Config` assembles them.
"""

from riskplan.settings.allocation import KEY_PRODUCTS, AllocationRules
from riskplan.settings.calendar import CalendarRules, default_school_terms
from riskplan.settings.detection import DetectionRules
from riskplan.settings.export import ExportRules
from riskplan.settings.monitoring import LEVELS, MonitoringRules
from riskplan.settings.province import ProvinceRules
from riskplan.settings.quota import QuotaRules
from riskplan.settings.risk import RiskRules
from riskplan.settings.roles import RoleRules
from riskplan.settings.routing import RoutingRules
from riskplan.settings.schedule import ScheduleRules
from riskplan.settings.selection import SelectionRules

__all__ = [
    "QuotaRules",
    "RiskRules",
    "AllocationRules",
    "KEY_PRODUCTS",
    "ScheduleRules",
    "CalendarRules",
    "default_school_terms",
    "SelectionRules",
    "RoutingRules",
    "MonitoringRules",
    "LEVELS",
    "ExportRules",
    "ProvinceRules",
    "DetectionRules",
    "RoleRules",
]
