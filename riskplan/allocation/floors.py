"""Coverage floors: the fewest samples that meet every coverage rule at once (OR-Tools CP-SAT).

A sample in a stratum (township x business type x food category) counts for its township, its
stage, its business type and its category at the same time, so the floors are met jointly by a
small covering integer program:

    minimise   sum_s y_s                                (fewest floor samples)
    then       maximise sum_s r_s y_s  at that minimum  (prefer risky strata)
    subject to sum_{s in g} y_s >= need_g   for every coverage group g
               0 <= y_s <= u_s  (u_s = 1: one floor sample per stratum, unless a township has
                                 fewer strata than its minimum)

``need_g`` is the rule's minimum less the samples higher-level programmes already take in the
group. Minimum *shares* (key agricultural products, school canteens) are group totals rather than
coverage, so they are topped up afterwards, spread over the group's strata in proportion to risk
(largest remainder), overlapping groups first on their intersection.

A fast greedy covering (:func:`greedy_covering`: riskiest strata per township, then swaps) gives
a first solution; when its count equals the lower bound (each rule family partitions the strata,
so the floors need at least the largest family's summed need) it is proved minimal. Problems with
at most ``exact_limit`` strata then go to CP-SAT (minimum count, then riskiest strata); larger
ones keep the greedy solution, whose optimality is reported.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from riskplan.allocation.apportion import apportion
from riskplan.cpsat import solve_stoppable
from riskplan.errors import InfeasibleError


@dataclasses.dataclass(frozen=True)
class Group:
    """One coverage rule applied to one group of strata.

    Attributes
    ----------
    rule
        ``township``, ``stage``, ``business_type``, ``category``, ``key_products``, ``school``.
    key
        The township code, stage, business type, category code or group name.
    members
        Positions (0-based) of the strata in the group.
    required
        Minimum samples in the group [samples].
    higher_level
        Samples higher-level programmes already take there [samples].
    share
        True for minimum-share groups (topped up in proportion to risk, not by the covering model).
    """

    rule: str
    key: str
    members: np.ndarray
    required: int
    higher_level: int = 0
    share: bool = False

    @property
    def need(self) -> int:
        """Minimum samples this plan must put in the group: ``required`` less ``higher_level``, at least 0 [samples]."""
        return max(0, self.required - self.higher_level)


def greedy_covering(
    strata: pd.DataFrame, groups: list[Group], priority: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    """Fast covering for large problems: townships first, then swaps, extra samples last.

    Every township takes its need from its riskiest strata; then for each other group short of
    its need (smallest groups first), a chosen stratum of some township is swapped for a stratum
    of that group in the same township when the swap uncovers nothing; only when no swap exists
    is an extra sample added (the riskiest stratum of the group). The count is optimal whenever
    it equals :func:`lower_bound`.
    """
    n = len(strata)
    y = np.zeros(n, dtype=np.int64)
    active = [g for g in groups if g.need > 0 and not g.share]
    # group id of each stratum in each rule family (-1: no such group)
    fam_of: dict[str, np.ndarray] = {}
    for rule in ("township", "stage", "business_type", "category"):
        fam_of[rule] = np.full(n, -1, dtype=np.int64)
    for j, g in enumerate(groups):
        if g.share:
            continue
        fam_of[g.rule][g.members] = j
    count = {j: 0 for j in range(len(groups))}
    order = np.lexsort((np.arange(n), -np.asarray(priority, dtype=float)))  # riskiest first
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    town = fam_of["township"]
    chosen_in_town: dict[int, list[int]] = {}

    def add(i: int) -> None:
        y[i] += 1
        for rule in fam_of:
            j = int(fam_of[rule][i])
            if j >= 0:
                count[j] += 1
        chosen_in_town.setdefault(int(town[i]), []).append(i)

    def remove(i: int) -> None:
        y[i] -= 1
        for rule in fam_of:
            j = int(fam_of[rule][i])
            if j >= 0:
                count[j] -= 1
        chosen_in_town[int(town[i])].remove(i)

    def removable(r: int, i: int) -> bool:
        """Whether swapping chosen ``r`` for ``i`` (same township) leaves every group covered."""
        for rule in ("stage", "business_type", "category"):
            j = int(fam_of[rule][r])
            if j >= 0 and j != fam_of[rule][i] and count[j] - 1 < groups[j].need:
                return False
        return True

    check_room(active, upper)
    for g in (g for g in active if g.rule == "township"):
        members = g.members[np.argsort(rank[g.members])]
        k = 0
        while count_need(g, y) > 0:
            i = int(members[k % members.size])
            if y[i] < upper[i]:
                add(i)
            k += 1
    others = sorted((g for g in active if g.rule != "township"), key=lambda g: (g.members.size, g.rule, g.key))
    for g in others:
        jg = groups.index(g)
        members = g.members[np.argsort(rank[g.members])]
        while count[jg] < g.need:
            done = False
            for i in members:
                i = int(i)
                if y[i] >= upper[i]:
                    continue
                for r in sorted(chosen_in_town.get(int(town[i]), []), key=lambda r: -rank[r]):
                    if fam_of[g.rule][r] == jg:
                        continue
                    if removable(r, i):
                        remove(r)
                        add(i)
                        done = True
                        break
                if done:
                    break
            if not done:  # no swap keeps everything covered: one more sample, the riskiest free one
                free = [int(i) for i in members if y[i] < upper[i]]
                if not free:
                    raise InfeasibleError(
                        f"coverage rule {g.rule} '{g.key}' needs {g.need} sample(s) but has too few "
                        "strata with establishments to place them"
                    )
                add(free[0])
    return y


def check_room(groups: list[Group], upper: np.ndarray) -> None:
    """Raise InfeasibleError for the first group whose strata cannot hold its need."""
    for g in groups:
        if int(upper[g.members].sum()) < g.need:
            raise InfeasibleError(
                f"coverage rule {g.rule} '{g.key}' needs {g.need} sample(s) but has too few strata "
                "with establishments to place them"
            )


def count_need(g: Group, y: np.ndarray) -> int:
    """Samples still missing in group ``g`` given floors ``y``."""
    return max(0, g.need - int(y[g.members].sum()))


def lower_bound(groups: list[Group]) -> int:
    """Each rule family partitions the strata: the floors need at least its largest summed need."""
    family: dict[str, int] = {}
    for g in groups:
        if not g.share:
            family[g.rule] = family.get(g.rule, 0) + g.need
    return max(family.values(), default=0)


def solve_covering(
    n: int,
    groups: list[Group],
    priority: np.ndarray,
    upper: np.ndarray,
    hint: np.ndarray | None = None,
    time_limit_s: float = 30.0,
) -> tuple[np.ndarray, bool]:
    """Fewest samples meeting every group's ``need`` (CP-SAT); ties go to the highest ``priority``.

    Parameters
    ----------
    n
        Number of strata.
    groups
        Coverage groups (share groups are ignored here).
    priority
        Risk weight per stratum (>= 0): among minimal solutions the one with the largest summed
        (scaled) priority is chosen.
    upper
        Most floor samples per stratum.
    hint
        A feasible solution (e.g. :func:`greedy_covering`): if its count equals the lower bound
        the first stage is skipped.
    time_limit_s
        Wall-clock safety limit per CP-SAT stage [s]; the search is also bounded by a
        deterministic time so that results are reproducible.

    Returns
    -------
    The samples per stratum and whether both stages were proved optimal.

    Raises
    ------
    InfeasibleError
        When a group cannot be covered (no stratum, or too few places).
    """
    y = np.zeros(n, dtype=np.int64)
    active = [g for g in groups if g.need > 0 and not g.share]
    if not active:
        return y, True
    model = cp_model.CpModel()
    used = np.unique(np.concatenate([g.members for g in active]))
    var = {int(i): model.new_int_var(0, int(upper[i]), f"y{i}") for i in used}
    check_room(active, upper)
    for g in active:
        model.add(cp_model.LinearExpr.sum([var[int(i)] for i in g.members]) >= g.need)
    total = cp_model.LinearExpr.sum(list(var.values()))
    lb = lower_bound(groups)
    model.add(total >= lb)  # a cut that lets CP-SAT prove optimality at once
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # deterministic
    solver.parameters.random_seed = 0
    solver.parameters.linearization_level = 2  # proves these covering models fast on one worker
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.max_deterministic_time = 20.0
    if hint is not None and int(hint.sum()) == lb:
        best, first, optimal = lb, {i: int(hint[i]) for i in var}, True
    else:
        model.minimize(total)
        if hint is not None:
            for i, v in var.items():
                model.add_hint(v, int(hint[i]))
        status = solve_stoppable(solver, model)
        if status == cp_model.UNKNOWN:  # no solution in time (the greedy hint is one, so rare)
            raise InfeasibleError(
                f"the coverage floors were not placed within allocation.floor_time_limit_s = "
                f"{time_limit_s:g} s; raise it / 覆盖底线未能在时限内求解，请增大 allocation.floor_time_limit_s"
            )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise InfeasibleError(
                "the coverage rules cannot all be met at once (a township, stage, business type or "
                "category has too few strata for its minimum); lower the allocation minimums / "
                "覆盖规则无法同时满足，请降低 allocation 中的最低样品数"
            )
        optimal = status == cp_model.OPTIMAL
        best = int(round(solver.objective_value))
        first = {i: int(solver.value(v)) for i, v in var.items()}
        model.clear_objective()
        model.clear_hints()
    # second stage: same count, riskiest strata
    model.add(total == best)
    pr = np.asarray(priority, dtype=float)
    top = float(pr[used].max()) if used.size else 0.0
    keys = list(var)
    score = [int(round(1000 * pr[i] / top)) if top > 0 else 0 for i in keys]
    model.maximize(cp_model.LinearExpr.weighted_sum([var[i] for i in keys], score))
    for i, v in var.items():
        model.add_hint(v, first[i])
    status2 = solve_stoppable(solver, model)
    if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value >= sum(
        s * first[i] for s, i in zip(score, keys)
    ):
        for i, v in var.items():
            y[i] = solver.value(v)
        optimal = optimal and status2 == cp_model.OPTIMAL
    else:  # keep the first-stage solution
        for i, count in first.items():
            y[i] = count
        optimal = False
    return y, optimal


def top_up_shares(
    y: np.ndarray, groups: list[Group], weight: np.ndarray, fallback: np.ndarray
) -> np.ndarray:
    """Add samples to minimum-share groups short of their minimum, in proportion to risk.

    Overlapping share groups that are both short are first topped up on their intersection, so a
    sample counts for both. Within a group, Hamilton's method on the risk weight (or on
    ``fallback``, e.g. establishment counts, when all weights there are zero) places them.
    """
    y = y.copy()
    share_groups = [g for g in groups if g.share]

    def deficit(g: Group) -> int:
        return max(0, g.need - int(y[g.members].sum()))

    def place(members: np.ndarray, k: int) -> None:
        if k <= 0 or members.size == 0:
            return
        w = weight[members]
        if w.sum() <= 0:
            w = fallback[members].astype(float)
        if w.sum() <= 0:
            w = np.ones(members.size)
        y[members] += apportion(w, k, "hamilton")

    for i, g in enumerate(share_groups):
        for h in share_groups[i + 1 :]:
            both = np.intersect1d(g.members, h.members)
            place(both, min(deficit(g), deficit(h)))
        place(g.members, deficit(g))
    return y


def requirements_table(groups: list[Group], y: np.ndarray) -> pd.DataFrame:
    """One row per coverage group: required, higher-level, floor samples planned, met."""
    rows = []
    for g in groups:
        planned = int(y[g.members].sum())
        rows.append(
            {
                "rule": g.rule,
                "key": g.key,
                "required": g.required,
                "higher_level": g.higher_level,
                "floor_samples": planned,
                "met": planned + g.higher_level >= g.required,
                "n_strata": int(g.members.size),
            }
        )
    return pd.DataFrame(rows, columns=["rule", "key", "required", "higher_level", "floor_samples", "met", "n_strata"])


def upper_bounds(strata: pd.DataFrame, groups: list[Group]) -> np.ndarray:
    """Upper bound of each stratum's floor samples [samples].

    One floor sample per stratum, more only where a coverage group (township, stage, business
    type, category) has fewer strata than its minimum.
    """
    u = np.ones(len(strata), dtype=np.int64)
    for g in groups:
        if not g.share and g.members.size and g.need > g.members.size:
            u[g.members] = np.maximum(u[g.members], math.ceil(g.need / g.members.size))
    return u
