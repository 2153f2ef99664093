"""The allocation with fixed numbers: some townships, business types or categories get exactly N.

``allocation.fixed`` gives exact sample numbers for groups (a township, a business type or
category, or every type or category of a role). :func:`allocate` carves them out first, in the
order townships, business types, categories: each group's strata not yet carved get the group's
number less what an earlier group already placed in its strata (and, when higher-level samples
count, what those took there), split by risk with the controlled rounding and no floors. The rest
of the quota then goes to the other strata with every floor and share, the carved samples
counting towards coverage like higher-level ones. Without fixed numbers this is
:func:`riskplan.allocation.allocate.allocate_strata`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from riskplan.allocation.allocate import KEY, Allocation, allocate_strata
from riskplan.errors import InfeasibleError
from riskplan.roles import resolve_section, role_tables
from riskplan.settings.allocation import LEAVE_OUT_KINDS, AllocationRules
from riskplan.settings.detection import DetectionRules

__all__ = ["allocate"]

_COLUMN = {"townships": "township_code", "business_types": "business_type",
           "categories": "category_code"}


def _no_floors(rules: AllocationRules) -> AllocationRules:
    return dataclasses.replace(rules, township_min=0, township_min_overrides={}, stage_min=0,
                               business_type_min=0, category_min=0, key_min_share=0.0,
                               school_min_share=0.0, fixed={}, exclude={}, budget_yuan=None)


def allocate(
    scores: pd.DataFrame,
    quota: int,
    rules: AllocationRules | None = None,
    *,
    categories: pd.DataFrame | None = None,
    higher_level: pd.DataFrame | None = None,
    count_higher_level: bool = False,
    business_types: pd.DataFrame | None = None,
    detection: DetectionRules | None = None,
    seed: int = 0,
) -> Allocation:
    """Allocate ``quota`` samples to the strata of ``scores``, fixed numbers first.

    Parameters are those of :func:`riskplan.allocation.allocate.allocate_strata` (``detection``
    and ``seed`` for ``rules.objective`` and ``rules.rounding``); the rules'
    ``fixed`` groups (codes, or roles resolved with ``business_types`` / ``categories``) get
    exactly their numbers.

    Returns
    -------
    Allocation
        As :func:`~riskplan.allocation.allocate.allocate_strata`; ``requirements`` has a
        ``fixed`` row per group (key ``<kind>:<codes>``).

    Raises
    ------
    InfeasibleError
        When a group's number is below what earlier groups already put in its strata, when a
        group has no stratum left to take its samples, or when the fixed numbers exceed the quota.
    """
    rules = AllocationRules() if rules is None else rules
    if business_types is not None or categories is not None:
        rules = resolve_section("allocation", rules, role_tables(business_types, categories))
    groups = [(kind, key, int(n)) for kind in LEAVE_OUT_KINDS
              for key, n in rules.fixed.get(kind, {}).items()]
    if not groups:
        return allocate_strata(scores, quota, rules, categories=categories, higher_level=higher_level,
                               count_higher_level=count_higher_level, detection=detection, seed=seed)
    df = scores.reset_index(drop=True)
    for c in KEY:
        df[c] = df[c].astype(str)
    given = (higher_level[[*KEY, "samples"]].astype({c: str for c in KEY})
             if higher_level is not None and len(higher_level) else
             pd.DataFrame({**{c: pd.Series(dtype=str) for c in KEY}, "samples": pd.Series(dtype=int)}))
    taken = np.zeros(len(df), dtype=bool)
    pieces: list[pd.DataFrame] = []
    requirements = []
    sub_rules = _no_floors(rules)
    for kind, key, n in groups:
        col = _COLUMN[kind]
        members = df[col].isin(key.split(";")).to_numpy()
        placed = pd.concat([p[[*KEY, "samples"]] for p in pieces]) if pieces else given.iloc[0:0]
        already = int(placed.loc[placed[col].isin(key.split(";")), "samples"].sum())
        if count_higher_level:
            already += int(given.loc[given[col].isin(key.split(";")), "samples"].sum())
        need = n - already
        free = members & ~taken
        where = f"allocation.fixed.{kind}.{key}"
        if need < 0:
            raise InfeasibleError(f"{where}: {n} samples fixed, but {already} are already placed in "
                                  "its strata (an earlier fixed group or samples already taken)")
        has_est = df.loc[free, "n_establishments"].astype(float).gt(0).any() if (
            "n_establishments" in df.columns) else free.any()
        if need > 0 and not has_est:
            raise InfeasibleError(f"{where}: {n} samples fixed, but no stratum with an establishment "
                                  "is left to take them")
        if free.any():
            part = allocate_strata(df[free], need, sub_rules, categories=categories,
                                   detection=detection, seed=seed).table
            pieces.append(part)
        taken |= free
        requirements.append({"rule": "fixed", "key": f"{kind}:{key}", "required": n,
                             "higher_level": already, "floor_samples": 0, "met": True,
                             "n_strata": int(free.sum()), "planned": n})
    carved = pd.concat(pieces, ignore_index=True) if pieces else df.iloc[0:0]
    n_carved = int(carved["samples"].sum()) if len(carved) else 0
    credit = pd.concat([given, carved[[*KEY, "samples"]]], ignore_index=True)
    net = quota - (int(given["samples"].sum()) if count_higher_level else 0) - n_carved
    if net < 0:
        raise InfeasibleError(f"the fixed numbers (allocation.fixed) take {n_carved} samples, more "
                              f"than the quota of {quota}")
    rest = df[~taken]
    if len(rest):
        if count_higher_level:
            main = allocate_strata(rest, quota, rules, categories=categories, higher_level=credit,
                                   count_higher_level=True, detection=detection, seed=seed)
        else:  # carved samples count towards coverage, not twice towards the quota
            main = allocate_strata(rest, quota - n_carved, rules, categories=categories,
                                   higher_level=credit, count_higher_level=False,
                                   detection=detection, seed=seed)
    else:
        main = None
    table = pd.concat([main.table if main else carved.iloc[0:0], carved],
                      ignore_index=True).sort_values(KEY, kind="stable").reset_index(drop=True)
    req = pd.concat([main.requirements if main else pd.DataFrame(), pd.DataFrame(requirements)],
                    ignore_index=True)
    req["met_plan"] = req["met_plan"].fillna(True) if "met_plan" in req.columns else True
    total = int(table["samples"].sum())
    return Allocation(
        table=table, quota=net + n_carved, total=total, cost=float(table["cost_yuan"].sum()),
        floor_total=main.floor_total if main else 0,
        coverage_total=main.coverage_total if main else 0,
        higher_level_total=int(given["samples"].sum()), requirements=req,
        budget_limited=bool(main.budget_limited) if main else False,
        floors_optimal=bool(main.floors_optimal) if main else True,
        floor_method=main.floor_method if main else "cp-sat", rules=rules)
