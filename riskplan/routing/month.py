"""The month assignment: every visit to a team-day, in one CP-SAT model for the whole district.

One lab's capacity is shared by every station's teams, so the month is decided at once (measured:
the former sweep, station by station, put up to 53 samples of nine routes on one lab day). A
boolean says visit ``i`` goes with team ``k`` of station ``s`` on working day ``d`` (normally, or
held overnight for a perishable visit that cannot reach the lab that day, where allowed); each
team-day says whether its route ends at a lab (it carries perishable samples) and which lab
receives its samples.

Hard constraints: a visit on at most one team-day, and only where it fits alone
(:mod:`riskplan.routing.feasible`); per team-day the planned work (service plus round trip from
the station) within ``day_fill`` of the shift, and within the time to the lab's cut-off when the
route ends there, the samples within ``max_samples_per_team_day`` and the cold box, and the visits
that share a short window within it; per team at most ``field_days_per_week`` field days a week
and ``min_gap_days`` between them; per lab and day the samples delivered within its capacity
(perishables and everything on a route ending at the lab that day, the rest at the next working
day's intake on which the lab takes samples).

Objective (minutes): a visit left out 100,000; with the nearest other station's team 1,000; held
overnight 200; each team-day out 60 (``pack_days``); the angular spread of a team-day's visits
around its station as the extra driving it means; each team's second and later field day in
one week 30; and the district's team-days on each date, convexly (10 per pair of team-days on
one date), so that stations do not all pick the same dates; with several labs, the round trip
from the station to the team-day's lab (so the nearer lab is chosen unless its capacity is used).

Single-threaded with a deterministic time budget (``assign_effort``), starting from a greedy
assignment given as a complete hint (:mod:`riskplan.routing.hint`), which is the assignment when
the budget ends before CP-SAT has a solution: the same input gives the same assignment on any
machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from riskplan.cpsat import solve_stoppable
from riskplan.errors import RiskplanError
from riskplan.routing.assignment import Assignment, TeamDay
from riskplan.routing.bearings import bearings, station_bearings
from riskplan.routing.feasible import Fit, candidate_stations, day_hours
from riskplan.routing.hint import Choice, add_full_hint, greedy_assignment
from riskplan.routing.network import Month

WEIGHTS: dict[str, float] = {
    "unplaced": 100_000.0,
    "other_station": 1_000.0,
    "hold": 200.0,
    "outing": 60.0,
    "second_day_in_week": 30.0,
    "same_date": 10.0,
    "lab_drive": 1.0,
}
"""Objective weights [min] (see the module docstring)."""

TIGHT_WINDOW = 240
"""Windows up to this long [min] get a constraint that the visits sharing them fit inside."""

SCALE = 10
"""Objective units per minute (CP-SAT needs integers)."""


def workload(month: Month, i: int, s: int) -> int:
    """Planned work of visit ``i`` for a team of station ``s``: service plus the round trip [min]."""
    node = month.visit_node(i)
    return int(month.service[i] + np.ceil(month.minutes[s, node] + month.minutes[node, s]))


def month_options(month: Month, fits: Mapping[tuple[int, int, int], Fit]) -> dict[int, list[tuple[int, int, Fit]]]:
    """Per visit, ``(station, day, Fit)`` where it fits alone.

    Its own station's days, or the other candidate station's when none of its own fits.
    """
    options: dict[int, list[tuple[int, int, Fit]]] = {}
    for i in range(month.n_visits):
        own = [(s, d, f) for s in candidate_stations(month, i)[:1] for d in range(len(month.days))
               if (f := fits[(i, s, d)]).ok]
        if not own:
            own = [(s, d, f) for s in candidate_stations(month, i)[1:] for d in range(len(month.days))
                   if (f := fits[(i, s, d)]).ok]
        options[i] = own
    return options


@dataclasses.dataclass(frozen=True)
class _DayShape:
    """What a team-day's constraints take from its options alone.

    The same for every team of the station that day; positions index the team-day's options,
    placed ones first, then held ones.
    """

    work: list[int]  # planned work per option [min]
    samples: list[int]  # samples per option
    cold: list[int]  # positions of the perishable options
    tight: list[tuple[int, list[int]]]  # (window length [min], positions inside it): over-full windows
    bearings: dict[int, int]  # visit -> bearing from the station [tenths of a degree]
    radius: float  # median drive from the station to the options' visits [min]


def _day_shape(month: Month, s: int, xs: list[tuple[int, Fit]], hs: list[tuple[int, Fit]], angles: np.ndarray,
               work_of: Mapping[tuple[int, int], int], samples: list[int], service: list[int],
               perishable: list[bool]) -> _DayShape:
    """The :class:`_DayShape` of station ``s``'s team-days on one day.

    ``xs`` are the options placed that day, ``hs`` those held overnight; ``angles`` is
    :func:`~riskplan.routing.bearings.station_bearings` of the station [degrees].
    """
    both = xs + hs
    tight: list[tuple[int, list[int]]] = []
    for a, b in sorted({f.hull for _, f in both if f.hull[1] - f.hull[0] <= TIGHT_WINDOW}):
        inside = [j for j, (_, f) in enumerate(both) if a <= f.hull[0] and f.hull[1] <= b]
        if sum(service[both[j][0]] for j in inside) > b - a:
            tight.append((b - a, inside))
    ang = bearings(angles, sorted({i for i, _ in both}))
    radius = float(np.median(month.minutes[s, [month.visit_node(i) for i in ang]])) if ang else 0.0
    return _DayShape([work_of[(i, s)] for i, _ in both], [samples[i] for i, _ in both],
                     [j for j, (i, _) in enumerate(both) if perishable[i]], tight, ang, radius)


def hint_assignment(month: Month, greedy: Mapping[int, Choice], seconds: float, size: int) -> Assignment:
    """The greedy hint (:func:`riskplan.routing.hint.greedy_assignment`) as the assignment.

    Status ``HINT``, objective not computed: the month's assignment when CP-SAT finds no solution
    within its budget.
    """
    days: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for i, c in greedy.items():
        days[c[:3]].append(i)
    out = {key: TeamDay(*key, any(bool(month.perishable[i]) for i in vis), greedy[vis[0]][4],
                        tuple(sorted(vis)), ())
           for key, vis in sorted(days.items())}
    left = sorted(set(range(month.n_visits)) - set(greedy))
    return Assignment(out, left, "HINT", float("nan"), seconds, size)


def assign_month(
    month: Month,
    fits: Mapping[tuple[int, int, int], Fit],
    booked: Mapping[tuple[str, pd.Timestamp], int] | None = None,
    seed: int = 0,
    check_hint: bool = False,
) -> Assignment:
    """Assign the month's visits to team-days (see the module docstring).

    Parameters
    ----------
    month
        The month.
    fits
        :func:`riskplan.routing.feasible.assess_month`: ``(visit, station, day) -> Fit``.
    booked
        Samples already booked per ``(lab_id, date)``, counted against the lab's capacity.
    seed
        CP-SAT's random seed (the search is single-threaded and deterministic).
    check_hint
        Fix every variable to the greedy hint: CP-SAT only checks that it keeps every rule
        (``INFEASIBLE``, a defect, raises).

    Returns
    -------
    Assignment
    """
    # the model is some 10^5 small Python objects, all alive until the solve: with the collector on,
    # they set off full collections of the whole process's heap (measured: 0.6 s CPU of the Ouhai year)
    with _collector_paused():
        return _assign_month(month, fits, booked or {}, seed, check_hint)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off inside the block (as it was after it)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _assign_month(
    month: Month,
    fits: Mapping[tuple[int, int, int], Fit],
    booked: Mapping[tuple[str, pd.Timestamp], int],
    seed: int,
    check_hint: bool,
) -> Assignment:
    """:func:`assign_month` (``booked`` given, possibly empty)."""
    rules = month.rules
    n_labs = len(month.labs)
    m = cp_model.CpModel()
    cost: list[tuple[cp_model.LinearExprT, float]] = []
    weighted = cp_model.LinearExpr.weighted_sum
    # plain Python lists: a numpy scalar per term was a fifth of the model's construction
    samples = [int(n) for n in month.samples]
    service = [int(n) for n in month.service]
    perishable = [bool(p) for p in month.perishable]

    options = month_options(month, fits)
    work_of = {(i, s): workload(month, i, s) for i, opts in options.items() for s, _, _ in opts}
    td_vars: dict[tuple[int, int, int], dict[str, object]] = {}

    def team_day(s: int, k: int, d: int) -> dict[str, object]:
        key = (s, k, d)
        if key not in td_vars:
            td_vars[key] = {"u": m.new_bool_var(f"u{s}_{k}_{d}"), "x": [], "h": []}
        return td_vars[key]

    x_of: dict[int, list[tuple[cp_model.IntVar, tuple[int, int, int], bool]]] = defaultdict(list)
    for i, opts in options.items():
        per = perishable[i]
        for s, d, f in opts:
            lab_any, hold_any = any(f.lab_ok), per and any(f.hold_ok)
            away = WEIGHTS["other_station"] if s != int(month.home[i]) else 0.0
            for k in range(1, month.stations[s].teams + 1):
                td = team_day(s, k, d)
                if (not per) or lab_any:
                    x = m.new_bool_var(f"x{i}_{s}_{k}_{d}")
                    td["x"].append((i, x, f))  # type: ignore[attr-defined]
                    x_of[i].append((x, (s, k, d), False))
                    cost.append((x, away))
                if hold_any:
                    h = m.new_bool_var(f"h{i}_{s}_{k}_{d}")
                    td["h"].append((i, h, f))  # type: ignore[attr-defined]
                    x_of[i].append((h, (s, k, d), True))
                    cost.append((h, WEIGHTS["hold"] + away))
    unplaced: dict[int, cp_model.IntVar] = {}
    for i in range(month.n_visits):
        un = m.new_bool_var(f"un{i}")
        unplaced[i] = un
        m.add_exactly_one([v for v, _, _ in x_of[i]] + [un])
        cost.append((un, WEIGHTS["unplaced"]))

    # lab loads: (lab index, date) -> terms
    loads: dict[tuple[int, pd.Timestamp], list[cp_model.LinearExprT]] = defaultdict(list)
    fill = rules.day_fill * rules.max_shift_minutes
    per_date: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    per_team: dict[tuple[int, int], dict[int, cp_model.IntVar]] = defaultdict(dict)
    # the teams of a station on a day have the same options, in the same order: what follows from
    # them alone is worked out for the first team (it was half the model's construction)
    shapes: dict[tuple[int, int], _DayShape] = {}
    angles_of: dict[int, np.ndarray] = {}
    for (s, k, d), td in sorted(td_vars.items()):
        u: cp_model.IntVar = td["u"]  # type: ignore[assignment]
        xs: list[tuple[int, cp_model.IntVar, Fit]] = td["x"]  # type: ignore[assignment]
        hs: list[tuple[int, cp_model.IntVar, Fit]] = td["h"]  # type: ignore[assignment]
        every = [v for _, v, _ in xs] + [v for _, v, _ in hs]
        for v in every:
            m.add_implication(v, u)
        m.add_bool_or(every).only_enforce_if(u)
        per_date[d].append(u)
        per_team[(s, k)][d] = u
        if rules.pack_days:
            cost.append((u, WEIGHTS["outing"]))
        # where the route ends and which lab gets the samples
        per_x = [v for i, v, _ in xs if perishable[i]]
        to_lab = m.new_bool_var(f"e{s}_{k}_{d}")
        m.add_implication(to_lab, u)
        if per_x:
            m.add_bool_or(per_x).only_enforce_if(to_lab)
        else:
            m.add(to_lab == 0)
        dest = [u] if n_labs == 1 else [m.new_bool_var(f"l{s}_{k}_{d}_{lab}") for lab in range(n_labs)]
        td["dest"] = dest
        td["e"] = to_lab
        td["flows"] = []
        if n_labs > 1:
            m.add(sum(dest) == u)
            for lab, v in enumerate(dest):  # the nearer lab, unless capacity says otherwise
                drive = float(month.minutes[s, month.lab_node(lab)] + month.minutes[month.lab_node(lab), s])
                cost.append((v, drive * WEIGHTS["lab_drive"]))
        for lab in range(n_labs):
            if not month.takes(lab, d):
                m.add_bool_or([to_lab.Not(), dest[lab].Not()])
        for i, v, f in xs:
            if perishable[i] or not f.station_ok:
                m.add_implication(v, to_lab)
            if all(f.lab_ok):
                continue
            for lab in range(n_labs):
                if not f.lab_ok[lab]:
                    if perishable[i]:
                        m.add_bool_or([v.Not(), dest[lab].Not()])
                    else:
                        m.add_bool_or([v.Not(), to_lab.Not(), dest[lab].Not()])
        for _i, v, f in hs:
            m.add_implication(v, to_lab.Not())
            for lab in range(n_labs):
                if not f.hold_ok[lab]:
                    m.add_bool_or([v.Not(), dest[lab].Not()])
        # a team's day: work, samples, cold box, short windows, the lab's cut-off
        both = xs + hs
        both_v = [v for _, v, _ in both]
        xs_v = [v for _, v, _ in xs]
        sd = shapes.get((s, d))
        if sd is None:  # the first team of the station that day
            if s not in angles_of:
                angles_of[s] = station_bearings(month, s)
            sd = shapes[(s, d)] = _day_shape(month, s, [(i, f) for i, _, f in xs], [(i, f) for i, _, f in hs],
                                            angles_of[s], work_of, samples, service, perishable)
        m.add(weighted(both_v, sd.work) <= int(fill))
        m.add(weighted(both_v, sd.samples) <= rules.max_samples_per_team_day)
        m.add(weighted([both_v[j] for j in sd.cold], [sd.samples[j] for j in sd.cold]) <= rules.cold_box_samples
              if sd.cold else 0 <= rules.cold_box_samples)
        for bound, inside in sd.tight:
            m.add(weighted([both_v[j] for j in inside], [service[both[j][0]] for j in inside]) <= bound)
        lb, _ = day_hours(rules, month.market_day(d), False)
        for lab in range(n_labs):
            room = int(rules.day_fill * max(month.labs[lab].cutoff - lb, 0))
            m.add(weighted(xs_v, sd.work[:len(xs)]) <= room
                  if xs else 0 <= room).only_enforce_if([to_lab, dest[lab]])
        # samples to the lab: the same day at a lab-ending route, else the next working day
        top = rules.max_samples_per_team_day
        total = weighted(xs_v, sd.samples[:len(xs)]) if xs else 0
        held = weighted([v for _, v, _ in hs], sd.samples[len(xs):]) if hs else 0
        for lab in range(n_labs):
            to_this = m.new_int_var(0, top, f"t{s}_{k}_{d}_{lab}")
            same = m.new_int_var(0, top, f"s{s}_{k}_{d}_{lab}")
            held_here = m.new_int_var(0, top, f"hl{s}_{k}_{d}_{lab}")
            m.add(to_this == total).only_enforce_if(dest[lab])
            m.add(to_this == 0).only_enforce_if(dest[lab].Not())
            m.add(held_here == held).only_enforce_if(dest[lab])
            m.add(held_here == 0).only_enforce_if(dest[lab].Not())
            m.add(same == to_this).only_enforce_if(to_lab)
            m.add(same == 0).only_enforce_if(to_lab.Not())
            td["flows"].append((lab, to_this, same, held_here))  # type: ignore[attr-defined]
            loads[(lab, month.date(d))].append(same)
            loads[(lab, month.delivery_date(lab, d))].append(to_this - same + held_here)
        # compactness: the angular spread of the day's visits around the station
        ang, radius = sd.bearings, sd.radius
        lo = m.new_int_var(0, 3599, f"lo{s}_{k}_{d}")
        hi = m.new_int_var(0, 3599, f"hi{s}_{k}_{d}")
        for i, v, _ in both:
            m.add(lo <= ang[i]).only_enforce_if(v)
            m.add(hi >= ang[i]).only_enforce_if(v)
        span = m.new_int_var(0, 3599, f"sp{s}_{k}_{d}")
        m.add(span == hi - lo).only_enforce_if(u)
        m.add(span == 0).only_enforce_if(u.Not())
        td["angle"] = (ang, lo, hi, span)
        cost.append((span, radius * 2 * np.pi / 3600.0))

    for (lab, date), terms in loads.items():
        cap = month.labs[lab].capacity
        if cap is not None:
            m.add(sum(terms) <= max(cap - int(booked.get((month.labs[lab].lab_id, date), 0)), 0))

    # a team's field days: per week, the gap between them, the second day in a week costs
    weeks = month.weeks
    extras: list[tuple[cp_model.IntVar, list[tuple[int, int, int]]]] = []
    overs: list[tuple[cp_model.IntVar, int, int]] = []
    for (s, k), days_u in sorted(per_team.items()):
        by_week: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        keys_of: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
        for d, u in days_u.items():
            by_week[weeks[d]].append(u)
            keys_of[weeks[d]].append((s, k, d))
        for w, us in sorted(by_week.items()):
            if len(us) > rules.field_days_per_week:
                m.add(sum(us) <= rules.field_days_per_week)
            if len(us) > 1:
                extra = m.new_int_var(0, len(us), f"w{s}_{k}_{w[0]}_{w[1]}")
                m.add(extra >= sum(us) - 1)
                extras.append((extra, keys_of[w]))
                cost.append((extra, WEIGHTS["second_day_in_week"]))
        ds = sorted(days_u)
        for a_i, a in enumerate(ds):
            for b in ds[a_i + 1:]:
                if b - a >= rules.min_gap_days:
                    break
                m.add_bool_or([days_u[a].Not(), days_u[b].Not()])
    # teams of a station are alike: the first team has the most field days
    for s, st in enumerate(month.stations):
        for k in range(1, st.teams):
            first, second = per_team.get((s, k), {}), per_team.get((s, k + 1), {})
            if first or second:
                m.add(sum(first.values()) >= sum(second.values()))
    # stations do not all pick the same dates: team-days on one date cost convexly
    for d, us in sorted(per_date.items()):
        for j in range(1, len(us)):
            over = m.new_int_var(0, len(us), f"p{d}_{j}")
            m.add(over >= sum(us) - j)
            overs.append((over, d, j))
            cost.append((over, WEIGHTS["same_date"]))

    # a greedy assignment as a hint down to the last auxiliary variable (measured on Ouhai July at
    # budget 0.5: with a partial hint no solution at all, and the fallback put July on 3 dates)
    greedy = greedy_assignment(month, options, work_of, booked, TIGHT_WINDOW)
    add_full_hint(m, month, greedy, x_of, unplaced, td_vars, extras, overs)
    scaled = [(v, int(round(w * SCALE))) for v, w in cost]
    scaled = [(v, c) for v, c in scaled if c]
    m.minimize(weighted([v for v, _ in scaled], [c for _, c in scaled]))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = int(seed) % (2**31)
    solver.parameters.max_deterministic_time = float(rules.assign_effort)
    # the search starts from the complete hint; presolve, probing, symmetry and LP then cost more
    # wall time than they return (Ouhai's 11 routed months at budget 0.1: summed objective within
    # 0.9 % of the former settings at 2.0, 8 months equal, a sixteenth of the time)
    solver.parameters.cp_model_presolve = False
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    solver.parameters.linearization_level = 0
    solver.parameters.fix_variables_to_their_hinted_value = check_hint
    t0 = time.perf_counter()
    status = solve_stoppable(solver, m)
    seconds = time.perf_counter() - t0
    if status == cp_model.UNKNOWN:  # no solution within the budget: the hint keeps the same rules
        return hint_assignment(month, greedy, seconds, len(m.proto.variables))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # leaving every visit out is a solution
        raise RiskplanError(f"the month assignment's model is {solver.status_name(status)}: a defect "
                            "of riskplan, please report it with the plan's inputs")
    out: dict[tuple[int, int, int], TeamDay] = {}
    for (s, k, d), td in sorted(td_vars.items()):
        if not solver.boolean_value(td["u"]):  # type: ignore[arg-type]
            continue
        done = [i for i, v, _ in td["x"] if solver.boolean_value(v)]  # type: ignore[attr-defined]
        kept = [i for i, v, _ in td["h"] if solver.boolean_value(v)]  # type: ignore[attr-defined]
        if not done and not kept:
            continue
        ends_at_lab = any(bool(month.perishable[i]) for i in done)
        chosen: list[cp_model.IntVar] = td["dest"]  # type: ignore[assignment]
        lab = next((lab for lab, v in enumerate(chosen) if solver.boolean_value(v)), 0)
        out[(s, k, d)] = TeamDay(s, k, d, ends_at_lab, lab, tuple(sorted(done)), tuple(sorted(kept)))
    left = sorted(i for i, un in unplaced.items() if solver.boolean_value(un))
    return Assignment(out, left, solver.status_name(status), solver.objective_value / SCALE, seconds,
                      len(m.proto.variables))

