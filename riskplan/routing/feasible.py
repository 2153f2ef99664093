"""Which working days could take each visit, judged for the visit alone.

A visit may go on a day when it is not a school canteen on a day without school, its windows meet
the team's hours that day, and a team can drive out, do it and get back (to the station, or to the
lab before the intake cut-off with a perishable sample) within the day and the longest shift. A
visit no day can take is reported with the most frequent reason.
"""

from __future__ import annotations

import math

import pandas as pd

from riskplan.routing.prepare import Station
from riskplan.routing.windows import intersect, start_windows
from riskplan.settings.routing import RoutingRules
from riskplan.timeofday import parse_hhmm


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


def single_visit_reason(st: Station, v: int, lb: int, ub: int, rules: RoutingRules) -> str | None:
    """Why visit ``v`` alone cannot be done on a day with hours ``[lb, ub]`` [min after midnight].

    Parameters
    ----------
    st
        The station.
    v
        Local index of the visit in ``st.visits``.
    lb, ub
        Working hours of the day [min after midnight].
    rules
        Routing settings (``max_shift_minutes``).

    Returns
    -------
    ``window_outside_hours``, ``too_far`` or ``lab_deadline``; None when it can be done.
    """
    node = v + 2
    t_in = math.ceil(st.minutes[0, node])
    sw = start_windows(intersect(st.windows[v], [(lb, ub)]), int(st.service[v]))
    if not sw:
        return "window_outside_hours"
    arrive = lb + t_in
    start = next((max(a, arrive) for a, b in sw if b >= arrive), None)
    if start is None:
        return "too_far"
    end = start + int(st.service[v])
    if bool(st.visits["perishable"].iat[v]):
        back = end + math.ceil(st.minutes[node, 1])
        back = max(back, st.lab_open)
        if back > min(ub, st.lab_cutoff):
            return "lab_deadline"
    else:
        back = end + math.ceil(st.minutes[node, 0])
        if back > ub:
            return "too_far"
    if back - (start - t_in) > rules.max_shift_minutes:
        return "too_far"
    return None


def allowed_days(st: Station, days: pd.DataFrame, rules: RoutingRules) -> tuple[list[list[int]], dict[int, str]]:
    """The days each of the station's visits may be planned on, and why not for those with none.

    Parameters
    ----------
    st
        The station.
    days
        Working days (:func:`riskplan.routing.prepare.working_days`), index ``0..n-1``.
    rules
        Routing settings.

    Returns
    -------
    allowed
        Per visit, the day indices it may go on (empty: none).
    reasons
        Visit -> reason code (:data:`~riskplan.routing.reasons.REASONS`) for the visits with no
        day: ``day_full`` when there is no working day at all, ``no_school_day`` for a school
        canteen in a month without school days, else the most frequent reason over the days.
    """
    allowed: list[list[int]] = []
    unfit: dict[int, str] = {}
    for i in range(len(st.visits)):
        days_ok: list[int] = []
        reasons: list[str] = []
        for d, day in days.iterrows():
            if st.school[i] and not bool(day["school_day"]):
                reasons.append("no_school_day")
                continue
            lb, ub = day_hours(rules, bool(day["market_day"]), bool(st.early[i]))
            why = single_visit_reason(st, i, lb, ub, rules)
            if why is None:
                days_ok.append(int(d))
            else:
                reasons.append(why)
        if not days_ok:
            if not len(days):
                unfit[i] = "day_full"
            elif st.school[i] and not days["school_day"].any():
                unfit[i] = "no_school_day"
            else:
                rs = [r for r in reasons if r != "no_school_day"]
                # the most frequent reason; ties go to the first in name order (set order varies per run)
                unfit[i] = max(sorted(set(rs)), key=rs.count) if rs else "no_school_day"
        allowed.append(days_ok)
    return allowed, unfit
