"""What a visit could do alone: on which days, with which station's teams, ending where.

:func:`assess` tests one visit alone on one working day with a team of one station against each
constraint, in the documented order of :data:`CHECKS`, and says how far it got and which route
ends it allows (back at the station, at a lab before the cut-off, held overnight in the station's
cold storage). :func:`reason_of` turns the tests of a visit that no day took into its reason: the
first constraint, in that order, that no day and no team can meet; a visit that could be done alone
but found no room among the others gets ``day_full``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from riskplan.routing.network import Month
from riskplan.routing.windows import intersect, start_windows
from riskplan.settings.routing import RoutingRules
from riskplan.timeofday import parse_hhmm

CHECKS: tuple[str, ...] = (
    "campaign_window",
    "no_school_day",
    "window_outside_hours",
    "too_far",
    "window_too_late",
    "lab_deadline",
    "team_capacity",
    "lab_full",
)
"""The constraints a visit alone is tested against, in this order; each is also the reason code of a
visit for which it is the first that no day and no team can meet (``riskplan.routing.REASONS``).

0. ``campaign_window``: a visit allowed on some days only (an inspection campaign's first
   working days of a term, column ``allowed_dates``), on another day;
1. ``no_school_day``: a school canteen, on a day without school;
2. ``window_outside_hours``: its windows leave no room for the visit within the team's hours;
3. ``too_far``: a team cannot get there, do it and get back within the day and the longest shift;
4. ``window_too_late``: perishable samples, no lab reachable before its cut-off that day (nor an
   overnight hold allowed), although a visit started as soon as the team arrives would reach one:
   its windows open too late (a street vendor open from 16:00 and a lab closing at 16:30);
5. ``lab_deadline``: perishable samples, and no lab reachable before its cut-off that day even
   so (too far from the lab, or no lab takes samples that day), nor an overnight hold allowed;
6. ``team_capacity``: more samples than one team takes in a day, or than its cold box holds;
7. ``lab_full``: every lab day it could reach is already full.
"""


def day_hours(rules: RoutingRules, market_day: bool, has_early: bool) -> tuple[int, int]:
    """A team's working hours on a day [min after midnight].

    Parameters
    ----------
    rules
        Routing settings (``day_start``, ``early_start``, ``day_end``).
    market_day
        The day is a market day.
    has_early
        A visit of an early-start type (a market) is planned that day.

    Returns
    -------
    ``(start, end)``: the start is ``early_start`` on a market day or with an early visit, else
    ``day_start``.
    """
    lb = parse_hhmm(rules.early_start) if (market_day or has_early) else parse_hhmm(rules.day_start)
    return lb, parse_hhmm(rules.day_end)


@dataclasses.dataclass(frozen=True)
class Fit:
    """One visit alone on one working day with a team of one station.

    Attributes
    ----------
    passed
        How many of :data:`CHECKS` it passed in order (``len(CHECKS)``: all: it can be done).
    station_ok
        It can be done with the route ending back at the station.
    lab_ok
        Per lab: it can be done with the route ending at that lab before its cut-off (the lab
        takes samples that day).
    hold_ok
        Per lab: a perishable visit may be done, held overnight in the station's cold storage and
        delivered at that lab's next intake within ``routing.overnight_hold_hours``.
    hull
        Earliest start and latest end of the visit that day [min after midnight].
    """

    passed: int
    station_ok: bool
    lab_ok: tuple[bool, ...]
    hold_ok: tuple[bool, ...]
    hull: tuple[int, int]

    @property
    def ok(self) -> bool:
        """The visit alone can be done that day with that station's team."""
        return self.passed == len(CHECKS)


def _lab_room(month: Month, lab: int, when: pd.Timestamp, samples: int,
              booked: Mapping[tuple[str, pd.Timestamp], int]) -> bool:
    cap = month.labs[lab].capacity
    return cap is None or samples <= cap - int(booked.get((month.labs[lab].lab_id, when), 0))


Hours = tuple[int, int, list[tuple[int, int]], tuple[int, int]]
"""``(start, end, start windows, hull)`` of a visit on a day [min after midnight]."""


def visit_hours(month: Month, i: int, d: int) -> Hours:
    """The team's hours for visit ``i`` on working day ``d``, and when the visit may start within them.

    Returns
    -------
    Hours
        The day's ``(start, end)`` (:func:`day_hours`), the visit's start windows within them and
        the hull of its possible time on site ``(first start, last end)``; ``(start, start)`` when
        there is none.
    """
    lb, ub = day_hours(month.rules, month.market_day(d), bool(month.early[i]))
    sw = start_windows(intersect(month.windows[i], [(lb, ub)]), int(month.service[i]))
    return lb, ub, sw, ((sw[0][0], sw[-1][1] + int(month.service[i])) if sw else (lb, lb))


def assess(
    month: Month, i: int, s: int, d: int, booked: Mapping[tuple[str, pd.Timestamp], int] | None = None,
    hours: Hours | None = None,
) -> Fit:
    """Test visit ``i`` alone on working day ``d`` with a team of station ``s``.

    Parameters
    ----------
    month
        The month.
    i, s, d
        Visit, station and working-day indices.
    booked
        Samples already booked per ``(lab_id, date)`` (delivered from an earlier month).
    hours
        :func:`visit_hours` of the visit and day, when already known (the same on every day with
        the same hours).

    Returns
    -------
    Fit
    """
    rules = month.rules
    booked = booked or {}
    n_labs = len(month.labs)
    none = (False,) * n_labs
    lb, ub, sw, hull = hours if hours is not None else visit_hours(month, i, d)
    if not month.allowed_on(i, d):
        return Fit(0, False, none, none, hull)
    if month.school[i] and not month.school_day(d):
        return Fit(1, False, none, none, hull)
    if not sw:
        return Fit(2, False, none, none, hull)
    node = month.visit_node(i)
    t_in = math.ceil(month.minutes[s, node] - 1e-9)
    arrive = lb + t_in
    start = next((max(a, arrive) for a, b in sw if b >= arrive), None)
    if start is None:
        return Fit(3, False, none, none, hull)
    end = start + int(month.service[i])
    leave = start - t_in
    back = end + math.ceil(month.minutes[node, s] - 1e-9)
    station_ok = back <= ub and back - leave <= rules.max_shift_minutes
    lab_ok = []
    unbound = False  # a lab were reachable if the visit started as soon as the team arrives
    for k, lab in enumerate(month.labs):
        drive = math.ceil(month.minutes[node, month.lab_node(k)] - 1e-9)
        at_lab = max(end + drive, lab.open)
        lab_ok.append(month.takes(k, d) and at_lab <= min(ub, lab.cutoff)
                      and at_lab - leave <= rules.max_shift_minutes)
        soonest = max(arrive + int(month.service[i]) + drive, lab.open)
        unbound = unbound or (month.takes(k, d) and soonest <= min(ub, lab.cutoff)
                              and soonest - lb <= rules.max_shift_minutes)
    if not station_ok and not any(lab_ok):
        return Fit(3, False, none, none, hull)
    perishable = bool(month.perishable[i])
    hold_ok = [False] * n_labs
    if perishable and station_ok and month.hold_hours[i] > 0:
        taken = month.date(d) + pd.Timedelta(minutes=end)  # the earliest end: the longest hold
        for k, lab in enumerate(month.labs):
            delivered = month.delivery_date(k, d) + pd.Timedelta(minutes=lab.open)
            hold_ok[k] = (delivered - taken) / pd.Timedelta(hours=1) <= month.hold_hours[i]
    if perishable:
        station_ok = False  # a perishable sample goes to the lab the same day, or is held
        if not any(lab_ok) and not any(hold_ok):
            return Fit(4 if unbound else 5, False, none, none, hull)
    samples = int(month.samples[i])
    if samples > rules.max_samples_per_team_day or (perishable and samples > rules.cold_box_samples):
        return Fit(6, station_ok, tuple(lab_ok), tuple(hold_ok), hull)
    date = month.date(d)
    room = [ok and _lab_room(month, k, date, samples, booked) for k, ok in enumerate(lab_ok)]
    room_hold = [ok and _lab_room(month, k, month.delivery_date(k, d), samples, booked)
                 for k, ok in enumerate(hold_ok)]
    room_station = station_ok and any(_lab_room(month, k, month.delivery_date(k, d), samples, booked)
                                      for k in range(n_labs))
    if not (any(room) or any(room_hold) or room_station):
        return Fit(7, station_ok, tuple(lab_ok), tuple(hold_ok), hull)
    return Fit(len(CHECKS), room_station, tuple(room), tuple(room_hold), hull)


def candidate_stations(month: Month, i: int) -> list[int]:
    """Stations whose teams may take visit ``i``: its own, then the other station nearest to it."""
    near = int(month.nearest[i])
    return [int(month.home[i])] + ([near] if near >= 0 else [])


def assess_month(
    month: Month, booked: Mapping[tuple[str, pd.Timestamp], int] | None = None,
) -> dict[tuple[int, int, int], Fit]:
    """:func:`assess` of every visit, day and candidate station: ``(visit, station, day) -> Fit``."""
    booked = booked or {}
    out: dict[tuple[int, int, int], Fit] = {}
    n_days = len(month.days)
    market = [month.market_day(d) for d in range(n_days)]
    # everything of a day that :func:`assess` reads besides the visit's ``allowed_on``: days alike
    # give a visit and station the same Fit, tested once (most of a month's days are alike)
    alike = [_day_signature(month, d, booked, market[d]) for d in range(n_days)]
    for i in range(month.n_visits):
        hours = {m: visit_hours(month, i, market.index(m)) for m in set(market)}
        for s in candidate_stations(month, i):
            seen: dict[tuple[object, ...], Fit] = {}
            for d in range(n_days):
                key = (alike[d], month.allowed_on(i, d))
                fit = seen.get(key)
                if fit is None:
                    fit = seen[key] = assess(month, i, s, d, booked, hours[market[d]])
                out[(i, s, d)] = fit
    return out


def _day_signature(month: Month, d: int, booked: Mapping[tuple[str, pd.Timestamp], int],
                   market: bool) -> tuple[object, ...]:
    """What :func:`assess` reads of working day ``d``.

    Two days with the same signature give every visit and station the same :class:`Fit` (with the
    same ``allowed_on``).
    """
    date = month.date(d)
    labs = range(len(month.labs))
    delivery = [month.delivery_date(k, d) for k in labs]
    return (
        market,
        month.school_day(d),
        tuple(month.takes(k, d) for k in labs),
        tuple(when - date for when in delivery),  # the overnight hold's length
        tuple(int(booked.get((month.labs[k].lab_id, date), 0)) for k in labs),
        tuple(int(booked.get((month.labs[k].lab_id, when), 0)) for k, when in zip(labs, delivery)),
    )


def reason_of(fits: Sequence[Fit], n_days: int) -> str:
    """The reason code of a visit no route took, from its :class:`Fit` on every day and station.

    The first check of :data:`CHECKS` that no day and no station can pass; ``day_full`` when it
    could be done alone (it found no room among the other visits), also when the month has no
    working day at all.
    """
    if n_days == 0 or not fits:
        return "day_full"
    best = max(f.passed for f in fits)
    return "day_full" if best >= len(CHECKS) else CHECKS[best]
