"""The month assignment's result: team-days and their visits (:mod:`riskplan.routing.month`)."""

from __future__ import annotations

import dataclasses

__all__ = ["Assignment", "TeamDay"]


@dataclasses.dataclass(frozen=True)
class TeamDay:
    """One team's day as the month assignment planned it.

    Attributes
    ----------
    station, team, day
        Station index, team (1-based) and working-day index.
    to_lab
        The route ends at the lab (it carries perishable samples).
    lab
        Index of the lab its samples go to (the same day when ``to_lab``, else at the next
        working day's intake).
    visits
        Visits (indices) done normally.
    held
        Perishable visits held overnight in the station's cold storage.
    """

    station: int
    team: int
    day: int
    to_lab: bool
    lab: int
    visits: tuple[int, ...]
    held: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Assignment:
    """The month assignment.

    Attributes
    ----------
    team_days
        ``(station, team, day) -> TeamDay`` for every team-day with a visit.
    unplaced
        Visits on no team-day (sorted).
    status
        CP-SAT status name (``OPTIMAL``, ``FEASIBLE``), or ``HINT`` when CP-SAT found no solution
        within its budget and the greedy hint (:mod:`riskplan.routing.hint`) is the assignment.
    objective
        Objective value [min].
    seconds
        Wall-clock time of the solve [s].
    size
        Booleans of the model.
    """

    team_days: dict[tuple[int, int, int], TeamDay]
    unplaced: list[int]
    status: str
    objective: float
    seconds: float
    size: int
