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

Large problems (more strata than ``exact_limit``) are solved on a candidate set: for each
township its riskiest strata, and for each township x category and township x business type the
riskiest stratum. That keeps the model small; the count it returns is then an upper bound that
equals the optimum unless coverage needs an unusual combination.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from riskplan.allocation.apportion import apportion
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
        return max(0, self.required - self.higher_level)


@dataclasses.dataclass
class FloorResult:
    """Floor samples per stratum and the table of coverage requirements."""

    floor: np.ndarray
    requirements: pd.DataFrame
    optimal: bool
    exact_model: bool


def _candidates(strata: pd.DataFrame, r: np.ndarray, groups: list[Group]) -> np.ndarray:
    """Positions of the strata kept in a restricted (large) covering model."""
    order = np.lexsort((np.arange(len(r)), -r))  # riskiest first, then lower position
    df = strata.iloc[order][["township_code", "business_type", "category_code"]].copy()
    df["pos"] = order
    keep = [
        df.drop_duplicates(["township_code", "category_code"])["pos"].to_numpy(),
        df.drop_duplicates(["township_code", "business_type"])["pos"].to_numpy(),
    ]
    need_t = {g.key: g.need for g in groups if g.rule == "township"}
    rank = df.groupby("township_code", sort=False).cumcount().to_numpy()
    lim = df["township_code"].map(need_t).fillna(0).to_numpy()
    keep.append(df["pos"].to_numpy()[rank < lim])
    return np.unique(np.concatenate(keep))


def solve_covering(
    n: int,
    groups: list[Group],
    priority: np.ndarray,
    upper: np.ndarray,
    candidates: np.ndarray | None = None,
    time_limit_s: float = 30.0,
) -> tuple[np.ndarray, bool]:
    """Fewest samples meeting every group's ``need``; ties go to the highest ``priority`` sum.

    Returns the samples per stratum and whether CP-SAT proved both stages optimal.

    Raises
    ------
    InfeasibleError
        When a group cannot be covered (no stratum, or too few places).
    """
    y = np.zeros(n, dtype=np.int64)
    active = [g for g in groups if g.need > 0 and not g.share]
    if not active:
        return y, True
    allowed = np.zeros(n, dtype=bool)
    allowed[candidates if candidates is not None else np.arange(n)] = True
    model = cp_model.CpModel()
    used = sorted({int(i) for g in active for i in g.members if allowed[i]})
    var = {i: model.new_int_var(0, int(upper[i]), f"y{i}") for i in used}
    for g in active:
        terms = [var[int(i)] for i in g.members if allowed[i]]
        if not terms or sum(int(upper[int(i)]) for i in g.members if allowed[i]) < g.need:
            raise InfeasibleError(
                f"coverage rule {g.rule} '{g.key}' needs {g.need} sample(s) but has too few strata "
                "with establishments to place them"
            )
        model.add(sum(terms) >= g.need)
    total = sum(var.values())
    # each rule family (townships, stages, ...) partitions the strata, so the floors need at least
    # the largest family's summed need: a cut that lets CP-SAT prove optimality at once
    family: dict[str, int] = {}
    for g in active:
        family[g.rule] = family.get(g.rule, 0) + g.need
    model.add(total >= max(family.values()))
    model.minimize(total)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # deterministic
    solver.parameters.random_seed = 0
    solver.parameters.linearization_level = 2  # proves these covering models fast on one worker
    solver.parameters.max_time_in_seconds = time_limit_s
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise InfeasibleError(f"the coverage floors could not be placed (CP-SAT status {solver.status_name(status)})")
    optimal = status == cp_model.OPTIMAL
    best = int(round(solver.objective_value))
    first = {i: solver.value(v) for i, v in var.items()}
    # second stage: same count, riskiest strata
    model.add(total == best)
    pr = np.asarray(priority, dtype=float)
    top = float(pr[used].max()) if used else 0.0
    score = {i: int(round(1000 * pr[i] / top)) if top > 0 else 0 for i in used}
    model.maximize(sum(score[i] * var[i] for i in used))
    for i, v in var.items():
        model.add_hint(v, first[i])
    status2 = solver.solve(model)
    if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for i, v in var.items():
            y[i] = solver.value(v)
        optimal = optimal and status2 == cp_model.OPTIMAL
    else:  # keep the first-stage solution
        for i, v in first.items():
            y[i] = v
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
    """One floor sample per stratum, more only where a township has fewer strata than its minimum."""
    u = np.ones(len(strata), dtype=np.int64)
    for g in groups:
        if g.rule == "township" and g.members.size and g.need > g.members.size:
            u[g.members] = np.maximum(u[g.members], math.ceil(g.need / g.members.size))
    return u
