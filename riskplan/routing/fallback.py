"""Visits a day could not take, offered to other days before they are reported.

After every day of a station's month has been routed once, the visits left out are offered, in
rounds (``RoutingRules.retry_days``), to another day each: one they may go on and were not offered
to yet, least loaded first, then nearest in time to where they were. Each day that receives offers
is solved again with its earlier visits weighted to stay. Whatever is still left after the last
round is reported as ``day_full``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import pandas as pd

from riskplan.routing.day import SolvedDay, route_day
from riskplan.routing.model import SearchBudget
from riskplan.routing.prepare import Station
from riskplan.settings.routing import RoutingRules


@dataclasses.dataclass(frozen=True)
class Fallback:
    """The station's month after the offers.

    Attributes
    ----------
    days
        The final :class:`~riskplan.routing.day.SolvedDay` of every working day, by day index.
    unplaced
        Visits (local indices) no day took, sorted: reported as ``day_full``.
    solver_calls
        Day models solved during the offers.
    """

    days: list[SolvedDay]
    unplaced: list[int]
    solver_calls: int


def retry_order(load: Sequence[float], home: int, tried: set[int], allowed: Sequence[int]) -> list[int]:
    """Days to offer a visit that did not fit: least loaded first, then nearest in time.

    Parameters
    ----------
    load
        Planned workload of each day [min].
    home
        The day the visit was last planned on.
    tried
        Days it was already planned on or offered to.
    allowed
        Days it may go on.

    Returns
    -------
    The allowed days not tried yet, best first.
    """
    cand = [d for d in allowed if d not in tried]
    return sorted(cand, key=lambda d: (load[d], abs(d - home), d))


def offer_elsewhere(
    st: Station,
    days: pd.DataFrame,
    solved: Sequence[SolvedDay],
    home: Mapping[int, int],
    allowed: Sequence[Sequence[int]],
    pending: Sequence[int],
    rules: RoutingRules,
    budget: SearchBudget,
) -> Fallback:
    """Offer the visits ``pending`` to other days, re-solving the days that receive some.

    Parameters
    ----------
    st
        The station.
    days
        Working days (:func:`riskplan.routing.prepare.working_days`).
    solved
        The first solve of every working day, by day index.
    home
        Visit -> the day it was assigned to, for every assigned visit.
    allowed
        Per visit, the days it may go on (:func:`riskplan.routing.feasible.allowed_days`).
    pending
        Visits the days left out.
    rules
        Routing settings (``retry_days``).
    budget
        Solver budget of a day model.

    Returns
    -------
    Fallback
    """
    out = list(solved)
    home = dict(home)
    tried = {i: {d} for i, d in home.items()}
    pending = list(pending)
    calls = 0
    for _ in range(rules.retry_days):
        if not pending:
            break
        load = [float(st.workload[out[d].kept].sum()) for d in range(len(days))]
        offers: dict[int, list[int]] = {}
        still: list[int] = []
        for i in sorted(pending):
            cand = retry_order(load, home[i], tried[i], allowed[i])
            if not cand:
                still.append(i)
                continue
            d = cand[0]
            tried[i].add(d)
            offers.setdefault(d, []).append(i)
            load[d] += float(st.workload[i])
        pending = still
        for d, new in sorted(offers.items()):
            placed = set(out[d].kept)
            out[d] = route_day(st, sorted(out[d].kept + new), d, days, rules, budget, placed)
            calls += out[d].solved
            for i in out[d].dropped:
                home[i] = d
            pending += list(out[d].dropped)
    return Fallback(out, sorted(pending), calls)
