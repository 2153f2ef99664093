"""Controlled rounding of a sparse two-way table by a min-cost flow.

Given non-negative fractional cells ``x[r, c]`` of a two-way table (rows x columns, only the
cells present are listed) whose grand total is a whole number, find integers ``n[r, c]`` with

* ``n`` equal to ``floor(x)`` or ``ceil(x)`` in every cell (an integer cell stays as it is),
* every row total equal to the floor or ceiling of the fractional row total,
* every column total equal to the floor or ceiling of the fractional column total,
* the grand total exact.

Such a rounding always exists for two-way tables (Bacharach 1966; Cox & Ernst 1982, "Controlled
rounding", INFOR 20(4)): the table is a flow source -> row -> cell -> column -> sink, the
fractional table is a feasible flow within the floor/ceiling bounds of every arc, and a network
with integer bounds that has a feasible flow has an integral one, which OR-Tools'
``SimpleMinCostFlow`` finds. The cost of rounding a cell up is ``1 - 2 * frac(x)``, so the result
is as close as possible to ``x`` in the sum of absolute deviations.

The same argument holds for *nested* margins on either side: rows may be grouped into coarser
groups (e.g. township x category inside township), columns too (business type x category inside
business type inside stage); each group total is then also within one of its fractional total.
(Two crossing groupings on one side, or a three-way table, cannot always be rounded this way.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ortools.graph.python import min_cost_flow

from riskplan.errors import InfeasibleError
from riskplan.interrupts import stoppable

_SNAP = 1e-9  # values within this (relative) of an integer are that integer: float noise
_COST_SCALE = 1_000_000


def _snap(v: np.ndarray) -> np.ndarray:
    r = np.round(v)
    return np.where(np.abs(v - r) < _SNAP * np.maximum(1.0, np.abs(v)), r, v)


def _levels(leaf: np.ndarray, n_leaf: int, parents: Sequence[np.ndarray] | None, name: str) -> list[np.ndarray]:
    """Parent maps, leaf level first, checked: ``parents[k][i]`` is the level-k+1 group of group i."""
    out = []
    size = n_leaf
    for k, p in enumerate(parents or []):
        p = np.asarray(p, dtype=np.int64)
        if p.shape != (size,) or (size and p.min() < 0):
            raise ValueError(f"{name}[{k}] must map each of the {size} groups below it to a group index >= 0")
        out.append(p)
        size = int(p.max()) + 1 if size else 0
    return out


def table_cells(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_rows: int | None, n_cols: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int, int]:
    """The cells of a sparse two-way table, checked: ``rows, cols, x, n_rows, n_cols, total``.

    ``x`` is ``values`` with float noise snapped to whole numbers; ``n_rows``/``n_cols`` default to
    the largest index + 1 and ``total`` is the grand total (0 for an empty table).

    Raises
    ------
    ValueError
        For mismatched lengths, negative or non-finite values, or a non-integer grand total.
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    x = _snap(np.asarray(values, dtype=float))
    if not (rows.shape == cols.shape == x.shape) or x.ndim != 1:
        raise ValueError("rows, cols and values must be 1-d and of equal length")
    if x.size == 0:
        return rows, cols, x, 0, 0, 0
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError("cell values must be finite and >= 0")
    n_rows = int(rows.max()) + 1 if n_rows is None else int(n_rows)
    n_cols = int(cols.max()) + 1 if n_cols is None else int(n_cols)
    total_f = float(x.sum())
    total = int(round(total_f))
    if abs(total_f - total) > 1e-6 * max(1.0, total_f):
        raise ValueError(f"the grand total {total_f!r} is not a whole number")
    return rows, cols, x, n_rows, n_cols, total


def margin_arcs(
    leaf: np.ndarray, n_leaf: int, x: np.ndarray, parents: list[np.ndarray], towards_leaf: bool,
    next_node: int,
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]], int]:
    """One side of the table's flow network: rows (and their groups) or columns (and theirs).

    Parameters
    ----------
    leaf
        Row (or column) index of each cell.
    n_leaf
        Number of rows (columns).
    x
        The cells' fractional values.
    parents
        Checked parent maps (:func:`_levels`), leaf level first.
    towards_leaf
        True for the row side (arcs from the source down to the rows), False for the column side
        (arcs from the columns up to the sink).
    next_node
        First free node id (0 is the source, 1 the sink).

    Returns
    -------
    tuple
        The node id of each leaf; the arcs ``(tails, heads, fractional totals)`` level by level,
        leaves first, the last level joined to the source or sink; the next free node id.
    """
    ids = np.arange(next_node, next_node + n_leaf, dtype=np.int64)
    next_node += n_leaf
    leaf_ids = ids
    total = np.bincount(leaf, weights=x, minlength=n_leaf)
    arcs = []
    for p in [*parents, None]:
        if p is None:
            up = np.full(ids.size, 0 if towards_leaf else 1, dtype=np.int64)  # source / sink
        else:
            n_up = int(p.max()) + 1 if p.size else 0
            up = np.arange(next_node, next_node + n_up, dtype=np.int64)[p]
        arcs.append((up, ids, total) if towards_leaf else (ids, up, total))
        if p is not None:
            ids = np.arange(next_node, next_node + n_up, dtype=np.int64)
            next_node += n_up
            total = np.bincount(p, weights=total, minlength=n_up)
    return leaf_ids, arcs, next_node


def controlled_round(
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    n_rows: int | None = None,
    n_cols: int | None = None,
    up_preference: np.ndarray | None = None,
    row_parents: Sequence[np.ndarray] | None = None,
    col_parents: Sequence[np.ndarray] | None = None,
) -> np.ndarray:
    """Round the sparse two-way table ``values`` at (``rows``, ``cols``) keeping its margins.

    Parameters
    ----------
    rows, cols
        Integer row and column index of each cell (0-based); a (row, col) pair appears once.
    values
        Fractional cell values, >= 0; their sum must be a whole number.
    n_rows, n_cols
        Number of rows and columns (default: max index + 1).
    up_preference
        Optional tie-breaker in [0, 1] per cell: among roundings equally close to the table,
        cells with a higher preference are rounded up first (e.g. the risk weight).
    row_parents, col_parents
        Optional nested groupings: ``row_parents[0][r]`` is the group of row ``r``,
        ``row_parents[1][g]`` the group of that group, and so on (the same for columns). Every
        group total is then also within one of its fractional total.

    Returns
    -------
    numpy.ndarray of int64, the rounded cells, in the order given.

    Raises
    ------
    ValueError
        For negative values, a non-integer grand total or mismatched lengths.
    """
    rows, cols, x, n_rows, n_cols, total = table_cells(rows, cols, values, n_rows, n_cols)
    if x.size == 0:
        return np.zeros(0, dtype=np.int64)

    lo = np.floor(x).astype(np.int64)
    frac = x - lo
    frac_cells = np.flatnonzero(frac > 0)
    if frac_cells.size == 0:
        return lo

    # ---- nodes: 0 source, 1 sink, then every level of row groups and of column groups
    row_node, row_arcs, next_node = margin_arcs(
        rows, n_rows, x, _levels(rows, n_rows, row_parents, "row_parents"), True, 2)
    col_node, col_arcs, next_node = margin_arcs(
        cols, n_cols, x, _levels(cols, n_cols, col_parents, "col_parents"), False, next_node)
    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    lows: list[np.ndarray] = []
    caps: list[np.ndarray] = []
    costs: list[np.ndarray] = []
    for t_g, h_g, total_g in [*row_arcs, *col_arcs]:
        tot = _snap(total_g)
        lo_g = np.floor(tot).astype(np.int64)
        tails.append(t_g)
        heads.append(h_g)
        lows.append(lo_g)
        caps.append((np.ceil(tot) - lo_g).astype(np.int64))
        costs.append(np.zeros(t_g.size, dtype=np.int64))

    cost = np.round((1.0 - 2.0 * frac[frac_cells]) * _COST_SCALE).astype(np.int64)
    if up_preference is not None:
        pref = np.clip(np.asarray(up_preference, dtype=float)[frac_cells], 0.0, 1.0)
        cost = cost * 1000 - np.round(pref * 999).astype(np.int64)
    cell_first = sum(a.size for a in tails)
    tails.append(row_node[rows[frac_cells]])
    heads.append(col_node[cols[frac_cells]])
    lows.append(np.zeros(frac_cells.size, dtype=np.int64))
    caps.append(np.ones(frac_cells.size, dtype=np.int64))
    costs.append(cost)

    t = np.concatenate(tails)
    h = np.concatenate(heads)
    lw = np.concatenate(lows)
    # lower bounds moved into node supplies: an arc (u, v) with lower bound l surely carries l;
    # the integer parts of the cells are such lower bounds too
    supply = np.zeros(next_node, dtype=np.int64)
    supply[0] += total
    supply[1] -= total
    np.subtract.at(supply, t, lw)
    np.add.at(supply, h, lw)
    np.subtract.at(supply, row_node[rows], lo)
    np.add.at(supply, col_node[cols], lo)

    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(t, h, np.concatenate(caps), np.concatenate(costs))
    smcf.set_nodes_supplies(np.arange(next_node, dtype=np.int64), supply)
    with stoppable():  # quick: Ctrl-C during it is raised as soon as it returns
        status = smcf.solve()
    if status != smcf.OPTIMAL:  # consistent margins always round; only precision can break them
        raise InfeasibleError(
            f"the allocation of {total:,} samples over {x.size:,} cells could not be rounded to "
            "whole samples keeping every total within one sample of its share: at this size the "
            "shares lose precision (check quota.rate_per_1000 and quota.population) / "
            f"{total:,} 份样品无法按比例取整（数值过大，精度不足）：请检查 quota.rate_per_1000 和 "
            "quota.population"
        )
    flows = smcf.flows(arcs)
    out = lo.copy()
    out[frac_cells] += flows[cell_first:]
    return out
