"""A first month assignment built greedily, given to CP-SAT as a hint.

The month model (:mod:`riskplan.routing.month`) searches single-threaded within a deterministic
budget. Left to find its own first solution it may start from "every visit left out" and spend the
budget climbing from there (measured on the Ouhai July with the 1,002 quota: 51 of 86 visits still
left out at the end, placed afterwards one by one by :mod:`riskplan.routing.fallback` on the first
dates of the month). This module places the visits one at a time, the hardest first (fewest
options, perishable first), each on the team-day where it fits with the least work, preferring a
team-day already out, then dates with few team-days; it keeps the day's work, samples, cold box,
the time to the lab's cut-off, short shared windows, each lab's daily capacity, the team's field
days per week and the gap between them. The result is a hint, set on every variable of the model
(:func:`add_full_hint`) so that it is CP-SAT's first solution: the model checks everything again
and may change any of it. When CP-SAT finds no solution within its budget, the greedy assignment
is the month's assignment (status ``HINT``).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import pandas as pd
from ortools.sat.python import cp_model

from riskplan.routing.feasible import Fit, day_hours
from riskplan.routing.network import Month

Choice = tuple[int, int, int, bool, int]
"""``(station, team, day, held, lab)`` of a visit in the hint."""


@dataclasses.dataclass
class _TeamDay:
    work: int = 0
    samples: int = 0
    cold: int = 0
    to_lab: bool = False
    lab: int = -1
    visits: list[int] = dataclasses.field(default_factory=list)
    fits: list[Fit] = dataclasses.field(default_factory=list)


def _tight_ok(month: Month, hulls: Mapping[int, tuple[int, int]], visits: list[int],
              windows: list[tuple[int, int]]) -> bool:
    """The visits whose hulls lie inside each of ``windows`` fit in it one after another."""
    for a, b in windows:
        inside = [u for u in visits if a <= hulls[u][0] and hulls[u][1] <= b]
        if sum(int(month.service[u]) for u in inside) > b - a:
            return False
    return True


def greedy_assignment(
    month: Month,
    options: Mapping[int, list[tuple[int, int, Fit]]],
    work_of: Mapping[tuple[int, int], int],
    booked: Mapping[tuple[str, pd.Timestamp], int],
    tight: int,
) -> dict[int, Choice]:
    """Visit -> ``(station, team, day, held, lab)`` of a greedy assignment (visits it cannot place are absent).

    Parameters
    ----------
    month
        The month.
    options
        Per visit, ``(station, day, Fit)`` where it fits alone (as the month model offers them).
    work_of
        ``(visit, station) -> planned work [min]`` (:func:`riskplan.routing.month.workload`).
    booked
        Samples already booked per ``(lab_id, date)``.
    tight
        Windows up to this long [min] must hold their visits one after another.
    """
    rules = month.rules
    fill = rules.day_fill * rules.max_shift_minutes
    tds: dict[tuple[int, int, int], _TeamDay] = defaultdict(_TeamDay)
    days_of: dict[tuple[int, int], set[int]] = defaultdict(set)
    per_date: dict[int, int] = defaultdict(int)
    lab_load: dict[tuple[int, pd.Timestamp], int] = defaultdict(int)
    hull: dict[int, tuple[int, int]] = {}

    def lab_room(lab: int, date: pd.Timestamp, n: int) -> bool:
        cap = month.labs[lab].capacity
        used = lab_load[(lab, date)] + int(booked.get((month.labs[lab].lab_id, date), 0))
        return cap is None or used + n <= cap

    # the model limits the visits inside the short window of every option on a station's day,
    # placed or not: a new visit can only break those that hold its own window
    short: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)
    for opts in options.values():
        for s, d, f in opts:
            if f.hull[1] - f.hull[0] <= tight:
                short[(s, d)].add(f.hull)
    order = sorted(options, key=lambda i: (len(options[i]), not bool(month.perishable[i]), i))
    starts = [day_hours(rules, month.market_day(d), False)[0] for d in range(len(month.days))]
    out: dict[int, Choice] = {}
    for i in order:
        n = int(month.samples[i])
        per = bool(month.perishable[i])
        best: tuple[tuple[int, int, int, int], Choice, Fit] | None = None
        for s, d, f in options[i]:
            w = int(work_of[(i, s)])
            lb = starts[d]
            around = [h for h in short[(s, d)] if h[0] <= f.hull[0] and f.hull[1] <= h[1]]
            for k in range(1, month.stations[s].teams + 1):
                t = tds.get((s, k, d))
                new = t is None or not t.visits
                if new and not month.may_go_out(days_of[(s, k)], d):
                    continue
                t = t or _TeamDay()
                if t.work + w > fill or t.samples + n > rules.max_samples_per_team_day:
                    continue
                if per and t.cold + n > rules.cold_box_samples:
                    continue
                hull[i] = f.hull  # this option's, until the visit is placed
                if not _tight_ok(month, hull, [*t.visits, i], around):
                    continue
                choice: Choice | None = None
                labs = [t.lab] if not new else list(range(len(month.labs)))
                for lab in labs:
                    to_lab = (t.to_lab and not new) or per
                    if to_lab:
                        if not (f.lab_ok[lab] and month.takes(lab, d)
                                and all(g.lab_ok[lab] for g in t.fits)):
                            continue
                        room = rules.day_fill * max(month.labs[lab].cutoff - lb, 0)
                        moved = 0 if (t.to_lab and not new) else t.samples  # the day now ends at the lab
                        if t.work + w > room or not lab_room(lab, month.date(d), n + moved):
                            continue
                    elif not (f.station_ok and lab_room(lab, month.delivery_date(lab, d), n)):
                        continue
                    choice = (s, k, d, False, lab)
                    break
                if choice is None:
                    continue
                rank = (int(new), per_date[d] if new else 0, t.work + w, k)
                if best is None or rank < best[0]:
                    best = (rank, choice, f)
        if best is None:
            hull.pop(i, None)
            continue
        s, k, d, held, lab = best[1]
        t = tds[(s, k, d)]
        if not t.visits:
            days_of[(s, k)].add(d)
            per_date[d] += 1
            t.lab = lab
        if per and not t.to_lab:  # the day now ends at the lab: its samples arrive there today
            lab_load[(lab, month.delivery_date(lab, d))] -= t.samples
            lab_load[(lab, month.date(d))] += t.samples
            t.to_lab = True
        when = month.date(d) if t.to_lab else month.delivery_date(lab, d)
        lab_load[(lab, when)] += n
        t.work += int(work_of[(i, s)])
        t.samples += n
        t.cold += n if per else 0
        t.visits.append(i)
        t.fits.append(best[2])
        hull[i] = best[2].hull
        out[i] = best[1]
    # teams of a station are alike and the model wants the first team to have the most field days:
    # number them so (a hint that breaks a constraint is of no use to the search)
    number: dict[tuple[int, int], int] = {}
    for s_i, st in enumerate(month.stations):
        teams = sorted(range(1, st.teams + 1), key=lambda k: (-len(days_of[(s_i, k)]), k))
        number.update({(s_i, k): new for new, k in enumerate(teams, start=1)})
    return {i: (s, number[(s, k)], d, held, lab) for i, (s, k, d, held, lab) in out.items()}


def add_full_hint(
    m: cp_model.CpModel,
    month: Month,
    greedy: Mapping[int, Choice],
    x_of: Mapping[int, list[tuple[cp_model.IntVar, tuple[int, int, int], bool]]],
    unplaced: Mapping[int, cp_model.IntVar],
    td_vars: Mapping[tuple[int, int, int], Mapping[str, Any]],
    extras: list[tuple[cp_model.IntVar, list[tuple[int, int, int]]]],
    overs: list[tuple[cp_model.IntVar, int, int]],
) -> None:
    """Hint every variable of the month model with the greedy assignment.

    A partial hint must be completed by the search, which a small budget does not do (measured on
    Ouhai July at ``assign_effort`` 0.5: no solution at all, every visit left to the fallback, which
    put the month on 3 dates); a complete, feasible hint is CP-SAT's first solution.

    Parameters
    ----------
    m
        The month model (:func:`riskplan.routing.month.assign_month`).
    month
        The month.
    greedy
        :func:`greedy_assignment`.
    x_of
        Per visit, ``(boolean, (station, team, day), held)`` of each way to place it.
    unplaced
        Per visit, the boolean "left out".
    td_vars
        Per team-day: ``u`` (out), ``e`` (ends at a lab), ``dest`` (lab booleans), ``flows``
        (``(lab, to_this, same, held_here)`` sample counts) and ``angle`` (``(bearings, lo, hi, span)``).
    extras
        ``(variable, team-days of one team's week)``: field days beyond the first that week.
    overs
        ``(variable, day, j)``: team-days on the day beyond ``j``.
    """
    # (variable, value) pairs in the order add_hint would set them, written in one call each at the
    # end (every variable here is a positive literal: add_hint appends its index and the value)
    hint: list[tuple[cp_model.IntVar, int]] = []
    for i, xs_i in x_of.items():
        chosen = greedy[i][:4] if i in greedy else None
        hint.extend((var, int(chosen == (*key, held_i))) for var, key, held_i in xs_i)
    hint.extend((un, int(i not in greedy)) for i, un in unplaced.items())
    day_visits: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for i, c in greedy.items():
        day_visits[c[:3]].append(i)
    for key, td in td_vars.items():
        vis = day_visits.get(key, [])
        lab_i = greedy[vis[0]][4] if vis else -1
        ends = any(bool(month.perishable[i]) for i in vis)
        hint.append((td["u"], int(bool(vis))))
        hint.append((td["e"], int(ends)))
        if len(month.labs) > 1:
            hint.extend((v, int(lab == lab_i)) for lab, v in enumerate(td["dest"]))
        total = sum(int(month.samples[i]) for i in vis)
        for lab, to_this, same, held_here in td["flows"]:
            hint.append((to_this, total if lab == lab_i else 0))
            hint.append((same, total if lab == lab_i and ends else 0))
            hint.append((held_here, 0))
        ang, lo, hi, span = td["angle"]
        lo_v = min((ang[i] for i in vis), default=0)
        hi_v = max((ang[i] for i in vis), default=0)
        hint.extend(((lo, lo_v), (hi, hi_v), (span, hi_v - lo_v)))
    for extra, keys in extras:
        hint.append((extra, max(sum(1 for key in keys if key in day_visits) - 1, 0)))
    out_dates: dict[int, int] = defaultdict(int)
    for key in day_visits:
        out_dates[key[2]] += 1
    hint.extend((over, max(out_dates[d] - j, 0)) for over, d, j in overs)
    if any(var.index < 0 for var, _ in hint):  # a negated literal: add_hint's own bookkeeping
        for var, value in hint:
            m.add_hint(var, value)
        return
    m.proto.solution_hint.vars.extend([var.index for var, _ in hint])
    m.proto.solution_hint.values.extend([value for _, value in hint])
