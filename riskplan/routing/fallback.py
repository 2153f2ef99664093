"""Visits no route took, offered to other team-days before they are reported.

After every station-day has been routed, a visit left out (by the month assignment or by its day's
route) is offered, one team-day at a time, to: the other days and teams of its own station, then
the teams of the station nearest to it by travel time (:func:`candidates`). A team-day takes it
when the visit alone fits there (:mod:`riskplan.routing.feasible`), its route's end allows it (a
perishable sample needs a route to the lab, or an overnight hold where allowed), the team's week
and gap rules allow a new field day, the lab day it reaches has room, and the day's re-solved route
keeps every visit it held. Whatever is still left is reported with the reason of
:func:`riskplan.routing.feasible.reason_of`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping

import pandas as pd

from riskplan.routing.assignment import TeamDay
from riskplan.routing.day import SolvedDay, route_day
from riskplan.routing.feasible import Fit, candidate_stations
from riskplan.routing.model import SearchBudget
from riskplan.routing.month import workload
from riskplan.routing.network import Month

LabKey = tuple[str, pd.Timestamp]


def lab_loads(month: Month, team_days: list[TeamDay]) -> dict[LabKey, int]:
    """Samples delivered per ``(lab_id, date)`` by these team-days.

    A route ending at the lab delivers its samples that day; the samples of any other route
    (held perishables included) reach the lab at its next intake day.
    """
    out: dict[LabKey, int] = defaultdict(int)
    for t in team_days:
        lab = month.labs[t.lab]
        n = sum(int(month.samples[i]) for i in t.visits)
        held = sum(int(month.samples[i]) for i in t.held)
        if t.to_lab:
            out[(lab.lab_id, month.date(t.day))] += n
            if held:
                out[(lab.lab_id, month.delivery_date(t.lab, t.day))] += held
        else:
            out[(lab.lab_id, month.delivery_date(t.lab, t.day))] += n + held
    return out


def _room(month: Month, lab: int, date: pd.Timestamp, samples: int, loads: Mapping[LabKey, int],
          booked: Mapping[LabKey, int]) -> bool:
    cap = month.labs[lab].capacity
    key = (month.labs[lab].lab_id, date)
    return cap is None or loads.get(key, 0) + booked.get(key, 0) + samples <= cap


def candidates(
    month: Month, i: int, solved: Mapping[tuple[int, int], SolvedDay], current: int,
    per_station: int | None = None,
) -> list[tuple[int, int, int]]:
    """Team-days ``(station, team, day)`` to offer visit ``i``, best first.

    Its own station first (team-days already out before new ones, the less loaded first, then the
    nearest in time to ``current``, the day it was planned on), then the nearest other station;
    at most ``per_station`` of each station (None: all), so that a station with many team-days
    does not hide the nearest one.
    """
    out: list[tuple[int, int, int]] = []
    for s in candidate_stations(month, i):
        ranked = []
        for d in range(len(month.days)):
            day = solved.get((s, d))
            by_team = {t.team: t for t in day.team_days} if day else {}
            for k in range(1, month.stations[s].teams + 1):
                t = by_team.get(k)
                load = sum(workload(month, j, s) for j in (*t.visits, *t.held)) if t else 0
                ranked.append((t is None, load, abs(d - current), d, k))
        out += [(s, k, d) for _, _, _, d, k in sorted(ranked)][:per_station]
    return out


def _joined(month: Month, i: int, t: TeamDay | None, s: int, k: int, d: int, f: Fit,
            loads: Mapping[LabKey, int], booked: Mapping[LabKey, int]) -> TeamDay | None:
    """Team-day ``t`` (or a new one) with visit ``i`` added, or None when its route end or lab day do not allow it."""
    n = int(month.samples[i])
    per = bool(month.perishable[i])
    if t is not None:
        if t.to_lab and f.lab_ok[t.lab] and _room(month, t.lab, month.date(d), n, loads, booked):
            return dataclasses.replace(t, visits=tuple(sorted((*t.visits, i))))
        if not t.to_lab and not per and f.station_ok and _room(
                month, t.lab, month.delivery_date(t.lab, d), n, loads, booked):
            return dataclasses.replace(t, visits=tuple(sorted((*t.visits, i))))
        if not t.to_lab and per and f.hold_ok[t.lab] and _room(
                month, t.lab, month.delivery_date(t.lab, d), n, loads, booked):
            return dataclasses.replace(t, held=tuple(sorted((*t.held, i))))
        return None
    for lab in range(len(month.labs)):
        if f.lab_ok[lab] and per and _room(month, lab, month.date(d), n, loads, booked):
            return TeamDay(s, k, d, True, lab, (i,), ())
    for lab in range(len(month.labs)):
        nxt = month.delivery_date(lab, d)
        if not per and f.station_ok and _room(month, lab, nxt, n, loads, booked):
            return TeamDay(s, k, d, False, lab, (i,), ())
        if per and f.hold_ok[lab] and _room(month, lab, nxt, n, loads, booked):
            return TeamDay(s, k, d, False, lab, (), (i,))
    for lab in range(len(month.labs)):
        if not per and f.lab_ok[lab] and _room(month, lab, month.date(d), n, loads, booked):
            return TeamDay(s, k, d, True, lab, (i,), ())
    return None


def offer_elsewhere(
    month: Month,
    solved: dict[tuple[int, int], SolvedDay],
    pending: list[tuple[int, int]],
    fits: Mapping[tuple[int, int, int], Fit],
    booked: Mapping[LabKey, int],
    budget: SearchBudget,
) -> tuple[list[int], int]:
    """Offer each visit of ``pending`` to other team-days (see the module docstring); ``solved`` is updated.

    Parameters
    ----------
    month
        The month.
    solved
        ``(station, day) -> SolvedDay`` of every routed station-day; days that take a visit are
        replaced by their re-solve.
    pending
        ``(visit, day it was planned on)`` of the visits no route took (day -1: none).
    fits
        ``(visit, station, day) -> Fit``.
    booked
        Samples already booked per ``(lab_id, date)``.
    budget
        Solver budget of a day model.

    Returns
    -------
    The visits still left out (sorted), and the number of day models solved.
    """
    calls = 0
    left: list[int] = []
    for i, current in sorted(pending):
        placed = False
        for s, k, d in candidates(month, i, solved, max(current, 0), month.rules.retry_days):
            f = fits.get((i, s, d))
            if f is None or not f.ok:
                continue
            day = solved.get((s, d))
            teams = list(day.team_days) if day else []
            t = next((x for x in teams if x.team == k), None)
            if t is None:
                used = {dd for (ss, dd), sd in solved.items() if ss == s for x in sd.team_days if x.team == k}
                if not month.may_go_out(used, d):
                    continue
            loads = lab_loads(month, [x for sd in solved.values() for x in sd.team_days])
            new = _joined(month, i, t, s, k, d, f, loads, booked)
            if new is None:
                continue
            teams = [x for x in teams if x.team != k] + [new]
            before = set(day.visits) if day else set()
            trial = route_day(month, s, d, teams, budget, placed=before)
            calls += 1
            if i in trial.visits and before <= set(trial.visits):
                solved[(s, d)] = trial
                placed = True
                break
        if not placed:
            left.append(i)
    return sorted(left), calls
