"""What routing returns: :class:`RoutePlan`, the month's routes, and its headline figures."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

LAB_DAY_COLUMNS: list[str] = ["lab_id", "date", "samples", "perishable_samples", "booked", "capacity"]
"""Columns of ``RoutePlan.lab_days``."""


@dataclasses.dataclass(repr=False)
class RoutePlan:
    """The month's routes.

    Attributes
    ----------
    stops
        One row per routed visit: ``station_id, team (int, 1-based), date, stop_order (1-based),
        visit_id, establishment_id, name, business_type, township_code, lon_wgs84, lat_wgs84,
        arrival, start_service, end_service`` [min after midnight], ``window`` (the visit's windows
        ``HH:MM-HH:MM;...``), ``lab_deadline`` (``HH:MM`` when the route ends at the lab, else
        empty), ``perishable``, ``samples``, ``km_from_previous`` [km], ``minutes_from_previous``
        [min], ``lab_id`` and ``lab_date`` (the lab its samples reach and the day they do),
        ``held_overnight`` (a perishable sample kept in the station's cold storage overnight),
        ``navigate_by_address`` (no coordinates: placed at its township's centre),
        ``other_station`` (done by a team of the station nearest to it, not its own).
    routes
        One row per station, team and day with at least one stop: ``n_stops, samples,
        perishable_samples, km, travel_minutes, start, end, minutes`` (end - start) [min],
        ``ends_at`` (``station`` or ``lab``), ``lab_id`` (the lab its samples go to),
        ``lab_arrival`` [min] (NaN at a station), ``lab_date``, ``held_samples``.
    unassigned
        ``visit_id, establishment_id, station_id, reason, detail``; reasons in
        :data:`~riskplan.routing.reasons.REASONS`.
    reproducible
        False when a wall-clock time limit was used.
    parameters
        Settings, seed, time limit, solver calls and seconds, the month assignment's status.
    lab_days
        Samples reaching each lab on each day (:data:`LAB_DAY_COLUMNS`): ``samples`` from this plan
        (``perishable_samples`` of them), ``booked`` by earlier plans, ``capacity`` (NaN: no
        limit). Days after the month appear when samples kept overnight on its last day go there.
    """

    stops: pd.DataFrame
    routes: pd.DataFrame
    unassigned: pd.DataFrame
    reproducible: bool
    parameters: dict[str, Any]
    lab_days: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=LAB_DAY_COLUMNS))

    def _count(self, what: str) -> int:
        """Distinct months (``"months"``), days or stations among the routes."""
        if not len(self.routes):
            return 0
        if what == "stations":
            return int(self.routes["station_id"].nunique())
        dates = pd.to_datetime(self.routes["date"])
        return int((dates.dt.to_period("M") if what == "months" else dates.dt.normalize()).nunique())

    def __repr__(self) -> str:
        return (
            f"RoutePlan(months={self._count('months')}, stations={self._count('stations')}, "
            f"routes={len(self.routes)}, stops={len(self.stops)}, unassigned={len(self.unassigned)})"
        )

    def totals(self) -> dict[str, Any]:
        """Headline counts of the plan.

        Visits ``routed``, ``unassigned`` and ``by_reason``, ``routes``, ``km`` driven [km],
        ``busiest_lab_day`` (most samples reaching one lab on one day) and ``lab_days_over``
        (lab days over capacity: 0 in a plan of :func:`~riskplan.routing.plan_routes`).
        """
        lab = self.lab_days
        total = (lab["samples"] + lab["booked"]) if len(lab) else pd.Series(dtype=float)
        over = int(((total > lab["capacity"]) & lab["capacity"].notna()).sum()) if len(lab) else 0
        return {
            "routed": int(len(self.stops)),
            "unassigned": int(len(self.unassigned)),
            "by_reason": self.unassigned["reason"].value_counts().to_dict(),
            "routes": int(len(self.routes)),
            "km": float(self.routes["km"].sum()) if len(self.routes) else 0.0,
            "busiest_lab_day": int(total.max()) if len(total) else 0,
            "lab_days_over": over,
        }

    def summary(self, officers_per_team: int = 2) -> str:
        """The plan in a few lines: visits routed, not routed by reason, distance, officer time, lab.

        Parameters
        ----------
        officers_per_team
            Officers in a team (``selection.officers_per_team``, 2 by default): officer-hours are
            the teams' hours in the field (route start to end) times this.

        Returns
        -------
        Five lines of text.
        """
        t = self.totals()
        routes = self.routes
        travel_h = float(routes["travel_minutes"].sum()) / 60 if len(routes) else 0.0
        team_h = float(routes["minutes"].sum()) / 60 if len(routes) else 0.0
        by_reason = sorted(t["by_reason"].items(), key=lambda kv: (-kv[1], str(kv[0])))
        not_routed = (
            f"{_n(t['unassigned'], 'visit')} not routed: " + ", ".join(f"{r} {n}" for r, n in by_reason)
            if t["unassigned"] else "every visit routed"
        )
        return "\n".join([
            f"{_n(t['routed'], 'visit')} routed on {_n(t['routes'], 'route')} "
            f"({_n(self._count('stations'), 'station')}, {_n(self._count('days'), 'field day')})",
            not_routed,
            f"{t['km']:,.1f} km driven, {travel_h:,.1f} h of driving",
            f"{team_h * officers_per_team:,.1f} officer-hours in the field "
            f"({team_h:,.1f} team-hours x {officers_per_team} officers)",
            f"busiest lab day {t['busiest_lab_day']} samples, {t['lab_days_over']} lab days over capacity",
        ])


def _n(count: int, noun: str) -> str:
    """``3 visits``, ``1 visit``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
