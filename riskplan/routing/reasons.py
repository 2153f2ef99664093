"""Why a visit is not routed: the reason codes and the rows of ``RoutePlan.unassigned``."""

from __future__ import annotations

from typing import Any

import pandas as pd

REASONS: dict[str, str] = {
    "purchase": "sampled by online purchase, no visit / 网购抽样，无需上门",
    "no_location": "establishment has no coordinates and its township no centre / 无坐标且所属街镇无中心点",
    "no_station": "township not covered by any station / 所属街镇无监管所",
    "campaign_window": "no working day of its campaign window (first working days of the term) fits "
                       "/ 检查期限（开学后前若干工作日）内无可安排的工作日",
    "no_school_day": "school canteen in a month without school days / 本月无上课日",
    "window_outside_hours": "visit windows never meet the team's working hours / 可抽样时段不在工作时间内",
    "too_far": "cannot be reached and returned from within a working day / 一天内无法往返",
    "window_too_late": "its windows open too late for perishable samples to reach a lab before its cut-off "
                       "/ 可抽样时段过晚，易腐样品当日无法在截止前送检",
    "lab_deadline": "perishable samples cannot reach the lab before its cut-off / 易腐样品无法按时送检",
    "team_capacity": "more samples than one team takes in a day or its cold box holds / 超出单组每日样品量或冷藏箱容量",
    "lab_full": "every lab day it could reach is full / 可送达的检验机构收样日均已满",
    "day_full": "fits alone, but no team-day of the month had room among the other visits / 本月各组工作日已排满",
}
"""Reasons a visit is not routed (code -> English / Chinese explanation). Routing reports the first
constraint, in the order of :data:`riskplan.routing.feasible.CHECKS`, that the visit cannot meet alone."""

UNASSIGNED_COLUMNS: list[str] = ["visit_id", "establishment_id", "station_id", "reason", "detail"]
"""Columns of ``RoutePlan.unassigned``."""


def unassigned_row(visit: pd.Series, station_id: str, reason: str, detail: str = "") -> dict[str, Any]:
    """One row of ``RoutePlan.unassigned``.

    Parameters
    ----------
    visit
        The visit (a row of the prepared visits table: ``visit_id``, ``establishment_id``).
    station_id
        The station whose month it belonged to (empty when no station covers its township).
    reason
        A key of :data:`REASONS`.
    detail
        Explanation; empty: the text of :data:`REASONS` for ``reason``.

    Returns
    -------
    ``visit_id, establishment_id, station_id, reason, detail``.
    """
    return {
        "visit_id": visit["visit_id"],
        "establishment_id": visit["establishment_id"],
        "station_id": station_id,
        "reason": reason,
        "detail": detail or REASONS[reason],
    }
