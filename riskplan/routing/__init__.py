"""Daily inspection routes with Google OR-Tools (``riskplan.routing``).

:func:`plan_routes` turns a month's visits into routes per station, team and working day;
:func:`check_plan` re-simulates a plan independently of the solver; :mod:`riskplan.routing.vrptw`
measures the same engine on VRPLIB/Solomon VRPTW instances.
"""

from __future__ import annotations

from riskplan.routing.checker import check_plan
from riskplan.routing.plan import plan_routes
from riskplan.routing.reasons import REASONS
from riskplan.routing.result import RoutePlan
from riskplan.routing.travel import haversine_km, read_travel_matrix
from riskplan.settings.routing import RoutingRules

__all__ = [
    "REASONS",
    "RoutePlan",
    "RoutingRules",
    "check_plan",
    "haversine_km",
    "plan_routes",
    "read_travel_matrix",
]
