"""Fit an allocation to what the establishments can supply; record every move.

Capacity is shared: an establishment belongs to one stratum per category it handles, and its
visits in the year (:mod:`riskplan.allocation.supply`) serve all of them. The check is a flow:

    source -> stratum s (its allocated samples) -> establishment e of s (at most its visits x
           samples of one category per visit) -> sink (at most its visits x samples per visit)

so the samples planned at one establishment, over all its strata, never exceed what its visits can
take (its visit windows bound the samples of one visit).
When a stratum's samples cannot all flow, the surplus moves to the strata next by risk: the same
category (same township first), then the same business type (same township first), then the same
township, then the rest; within each tier the riskiest stratum first. A target outside the
stratum's minimum-share group (school canteens, key products) comes after all those. This is one min-cost flow
(OR-Tools) whose move arcs carry those preferences as costs. Each move is a row of
``Allocation.moves``: ``from_stratum, to_stratum, samples, reason``.

When the district cannot supply the quota at all, or a coverage rule's strata cannot supply its
minimum, :class:`~riskplan.errors.InfeasibleError` names the numbers before anything is planned.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from ortools.graph.python import max_flow, min_cost_flow

from riskplan.allocation.allocate import Allocation
from riskplan.allocation.supply import Supply
from riskplan.errors import InfeasibleError, RiskplanError
from riskplan.tables import STRATUM_KEY, stratum_id

KEY = list(STRATUM_KEY)

__all__ = ["MOVE_COLUMNS", "fit_to_supply"]

MOVE_COLUMNS: tuple[str, ...] = ("from_stratum", "to_stratum", "samples", "reason")
"""Columns of ``Allocation.moves``."""


def _empty_moves() -> pd.DataFrame:
    return pd.DataFrame({"from_stratum": pd.Series(dtype="str"), "to_stratum": pd.Series(dtype="str"),
                         "samples": pd.Series(dtype="int64"), "reason": pd.Series(dtype="str")})


def _tiers(src: pd.Series, table: pd.DataFrame) -> np.ndarray:
    """Preference tier (1 best) of every stratum of ``table`` as a target of ``src``'s surplus."""
    cat = table["category_code"].to_numpy() == src["category_code"]
    btype = table["business_type"].to_numpy() == src["business_type"]
    town = table["township_code"].to_numpy() == src["township_code"]
    tier = np.full(len(table), 7, dtype=np.int64)
    for t, mask in ((6, town), (5, btype), (4, btype & town), (3, cat), (2, cat & town)):
        tier[mask] = t
    # leaving a minimum-share group (school canteens, key products) comes after every other target
    for col in ("school", "key_product"):
        if col in table.columns:
            tier[table[col].to_numpy(dtype=bool) != bool(src[col])] += 7
    return tier - 1


def _flow_arcs(table: pd.DataFrame, supply: Supply) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratum -> establishment arcs: (tails, heads, capacities) and the establishment capacities."""
    pos_of = {k: i for i, k in enumerate(zip(*(table[c].to_numpy(dtype=object) for c in KEY)))}
    mem = supply.members
    row = np.array([pos_of.get(k, -1) for k in zip(*(mem[c].to_numpy(dtype=object) for c in KEY))],
                   dtype=np.int64)
    keep = row >= 0
    e = mem["pos"].to_numpy(dtype=np.int64)[keep]
    cap_e = supply.establishments["capacity"].to_numpy(dtype=np.int64)
    cap_cat = supply.establishments["category_capacity"].to_numpy(dtype=np.int64)
    return row[keep], e, cap_cat[e], cap_e


def fit_to_supply(allocation: Allocation, supply: Supply) -> Allocation:
    """The allocation with every stratum within what its establishments can supply jointly.

    Parameters
    ----------
    allocation
        The allocation of the quota (:func:`riskplan.allocation.allocate`).
    supply
        The district's supply in the plan year (:func:`riskplan.allocation.district_supply`).

    Returns
    -------
    Allocation
        Same total; ``table`` gains ``capacity`` (samples its establishments can give alone)
        and ``moved`` (net samples moved in (+) or out (-)), ``samples`` / ``risk_part`` /
        ``cost_yuan`` follow the moves; ``moves`` lists them.

    Raises
    ------
    InfeasibleError
        The quota exceeds what the district can supply, or a coverage rule's strata cannot
        supply its minimum (naming the rule, the numbers and the strata).
    """
    table = allocation.table.copy()
    n_s = len(table)
    x = table["samples"].to_numpy(dtype=np.int64)
    tails, est, arc_cap, cap_e = _flow_arcs(table, supply)
    n_e = cap_e.size
    alone = np.bincount(tails, weights=arc_cap, minlength=n_s).astype(np.int64)
    table["capacity"] = alone
    total = int(x.sum())
    if supply.total < total:
        short = table.assign(short=np.maximum(x - alone, 0))
        short = short[short["short"] > 0].sort_values("short", ascending=False)
        named = ", ".join(f"{sid} ({int(a)} allocated, {int(c)} possible)" for sid, a, c in
                          zip(stratum_id(short), short["samples"], short["capacity"]))
        raise InfeasibleError(
            f"the quota of {total} samples exceeds what the district's establishments can supply "
            f"in {supply.year}: {supply.total} samples (eligible visits x samples per visit, "
            f"after rotation windows, closed months and school terms); strata short: "
            f"{named or 'none alone'} / 任务量 {total} 超过全年可抽样能力 {supply.total}"
        )
    src, sink = 0, 1 + n_s + n_e
    s_node = 1 + np.arange(n_s)
    e_node = 1 + n_s + np.arange(n_e)

    # 1. max flow without moves: which strata cannot place all their samples?
    mf = max_flow.SimpleMaxFlow()
    mf.add_arcs_with_capacity(np.full(n_s, src), s_node, x)
    mf.add_arcs_with_capacity(s_node[tails], e_node[est], arc_cap)
    mf.add_arcs_with_capacity(e_node, np.full(n_e, sink), cap_e)
    if mf.solve(src, sink) != mf.OPTIMAL:
        raise RiskplanError("internal error: the supply max-flow failed")
    if int(mf.optimal_flow()) == total:
        table["moved"] = 0
        return dataclasses.replace(allocation, table=_ordered(table), moves=_empty_moves())
    placed = np.array([mf.flow(a) for a in range(n_s)], dtype=np.int64)
    deficit = np.flatnonzero(placed < x)

    # 2. min-cost flow with move arcs from those strata, and from every stratum using an
    #    establishment the max flow fills, to every other stratum; moving a floor sample costs
    #    more than any other move, so the floors stay where the allocation put them if they can
    e_flow = np.array([mf.flow(n_s + tails.size + i) for i in range(n_e)], dtype=np.int64)
    full = np.flatnonzero((e_flow >= cap_e) & (cap_e > 0))
    neighbours = np.unique(tails[np.isin(est, full)])
    movable = np.union1d(deficit, neighbours[x[neighbours] > 0])
    weight = table["weight"].to_numpy(dtype=float)
    rank = np.empty(n_s, dtype=np.int64)
    rank[np.argsort(-weight, kind="stable")] = np.arange(n_s)
    floor = np.minimum(table["floor"].to_numpy(dtype=np.int64), x)
    big = 20 * (n_s + 1)
    drop = sink + 1 + np.arange(movable.size)  # one node per movable stratum
    n_nodes = sink + 1 + movable.size
    smcf = min_cost_flow.SimpleMinCostFlow()
    zero = np.zeros
    smcf.add_arcs_with_capacity_and_unit_cost(np.full(n_s, src), s_node, x, zero(n_s, dtype=np.int64))
    smcf.add_arcs_with_capacity_and_unit_cost(s_node[tails], e_node[est], arc_cap, zero(tails.size, dtype=np.int64))
    smcf.add_arcs_with_capacity_and_unit_cost(e_node, np.full(n_e, sink), cap_e, zero(n_e, dtype=np.int64))
    smcf.add_arcs_with_capacity_and_unit_cost(s_node[movable], drop, x[movable] - floor[movable],
                                              zero(movable.size, dtype=np.int64))
    smcf.add_arcs_with_capacity_and_unit_cost(s_node[movable], drop, floor[movable],
                                              np.full(movable.size, big, dtype=np.int64))
    first_move = n_s + tails.size + n_e + 2 * movable.size
    move_pairs: list[tuple[int, int]] = []
    for j, d in enumerate(movable.tolist()):
        targets = np.flatnonzero((np.arange(n_s) != d) & (alone > 0))
        tier = _tiers(table.iloc[d], table)[targets]
        cost = tier * (n_s + 1) + rank[targets] + 1
        smcf.add_arcs_with_capacity_and_unit_cost(np.full(targets.size, drop[j]), s_node[targets],
                                                  np.full(targets.size, x[d]), cost)
        move_pairs.extend((d, int(t)) for t in targets)
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[src], supplies[sink] = total, -total
    smcf.set_nodes_supplies(np.arange(n_nodes), supplies)
    if smcf.solve() != smcf.OPTIMAL:
        raise InfeasibleError(
            f"the quota of {total} samples cannot be placed within what the establishments can "
            f"supply in {supply.year} ({supply.total} samples in all, but not where the strata "
            f"that can take them are): lower the minimums or the quota"
        )
    flows = np.array([smcf.flow(first_move + i) for i in range(len(move_pairs))], dtype=np.int64)
    sid = stratum_id(table).to_numpy(dtype=object)
    short_set = set(deficit.tolist())
    rows = []
    new = x.copy()
    for (s, t), f in zip(move_pairs, flows):
        if f <= 0:
            continue
        new[s] -= f
        new[t] += f
        n_est = int(table["n_establishments"].iloc[s])
        why = (f"allocated {int(x[s])}, its {n_est} establishment(s) can give {int(alone[s])} in "
               f"{supply.year} (eligible visits x samples per visit), {int(placed[s])} left after "
               "their other categories / 可抽样能力不足") if s in short_set else (
               "its establishments are shared with strata that have no other supply; moved to "
               "leave them room / 与其他层共用主体，调剂让出能力")
        rows.append((sid[s], sid[t], int(f), why))
    moves = pd.DataFrame(rows, columns=list(MOVE_COLUMNS)).astype(
        {"from_stratum": "str", "to_stratum": "str", "samples": "int64", "reason": "str"})
    table["samples"] = new
    table["moved"] = new - x
    table["floor"] = np.minimum(floor, new)
    table["risk_part"] = new - table["floor"].to_numpy(dtype=np.int64)
    table["cost_yuan"] = new * table["cost_per_sample_yuan"].to_numpy(dtype=float)
    _check_requirements(allocation, table)
    table = _ordered(table)
    req = allocation.requirements.copy()
    return dataclasses.replace(allocation, table=table, moves=moves, requirements=req,
                               cost=float(table["cost_yuan"].sum()),
                               floor_total=int(table["floor"].sum()))


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    """``capacity`` and ``moved`` right after ``school`` (the allocation's own columns first)."""
    cols = [c for c in table.columns if c not in ("capacity", "moved")]
    at = cols.index("school") + 1 if "school" in cols else len(cols)
    return table[cols[:at] + ["capacity", "moved"] + cols[at:]]


def _check_requirements(allocation: Allocation, table: pd.DataFrame) -> None:
    """Raise when a coverage rule's strata, after the moves, hold fewer samples than its minimum."""
    req = allocation.requirements
    if not {"rule", "key", "required", "higher_level", "planned"} <= set(req.columns):
        return
    column = {"township": "township_code", "business_type": "business_type",
              "category": "category_code", "school": "school", "key_products": "key_product"}
    bad = []
    for rule, key, need, hl, before in zip(req["rule"], req["key"], req["required"], req["higher_level"],
                                           req["planned"]):
        col = column.get(str(rule))
        if col is None or int(before) + int(hl) < int(need):
            continue
        share = col in ("school", "key_product")
        grp = table[table[col].astype(bool)] if share else table[table[col].astype(str) == str(key)]
        got = int(grp["samples"].sum())
        if got + int(hl) < int(need):
            bad.append(f"{rule} {key}: needs {int(need)}, its strata can supply "
                       f"{int(grp['capacity'].sum())} ({', '.join(stratum_id(grp[grp['capacity'] > 0]))})")
    if bad:
        raise InfeasibleError(
            "the coverage floors exceed what the establishments can supply in the plan year: "
            + "; ".join(bad) + " / 覆盖底线超过可抽样能力"
        )
