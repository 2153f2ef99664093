"""Controlled rounding of a sparse two-way table by a min-cost flow.

Given non-negative fractional cells ``x[r, c]`` of a two-way table (rows x columns, only the
cells present are listed) whose grand total is a whole number, find integers ``n[r, c]`` with

* ``n`` equal to ``floor(x)`` or ``ceil(x)`` in every cell (an integer cell stays as it is),
* every row total equal to the floor or ceiling of the fractional row total,
* every column total equal to the floor or ceiling of the fractional column total,
* the grand total exact.

Such a rounding always exists for two-way tables (Bacharach 1966; Cox & Ernst 1982, "Controlled
rounding", INFOR 20(4)); it is an integral flow source -> row -> cell -> column -> sink whose arc
bounds are the floors and ceilings, which OR-Tools' ``SimpleMinCostFlow`` finds. The cost of
rounding a cell up is ``1 - 2 * frac(x)`` so the result is as close as possible to ``x`` in the
sum of absolute deviations. (A three-way table cannot always be rounded this way.)
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from riskplan.errors import InfeasibleError

_SNAP = 1e-9  # values within this of an integer are that integer (float noise)
_COST_SCALE = 1_000_000


def _snap(v: np.ndarray) -> np.ndarray:
    r = np.round(v)
    return np.where(np.abs(v - r) < _SNAP * np.maximum(1.0, np.abs(v)), r, v)


def controlled_round(
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    n_rows: int | None = None,
    n_cols: int | None = None,
    up_preference: np.ndarray | None = None,
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

    Returns
    -------
    numpy.ndarray of int64, the rounded cells, in the order given.

    Raises
    ------
    ValueError
        For negative values, a non-integer grand total or mismatched lengths.
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    x = _snap(np.asarray(values, dtype=float))
    if not (rows.shape == cols.shape == x.shape) or x.ndim != 1:
        raise ValueError("rows, cols and values must be 1-d and of equal length")
    if x.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError("cell values must be finite and >= 0")
    n_rows = int(rows.max()) + 1 if n_rows is None else int(n_rows)
    n_cols = int(cols.max()) + 1 if n_cols is None else int(n_cols)
    total_f = float(x.sum())
    total = int(round(total_f))
    if abs(total_f - total) > 1e-6 * max(1.0, total_f):
        raise ValueError(f"the grand total {total_f!r} is not a whole number")

    lo = np.floor(x).astype(np.int64)
    frac = x - lo
    row_f = _snap(np.bincount(rows, weights=x, minlength=n_rows))
    col_f = _snap(np.bincount(cols, weights=x, minlength=n_cols))
    row_lo = np.floor(row_f).astype(np.int64)
    col_lo = np.floor(col_f).astype(np.int64)
    row_cap = (np.ceil(row_f) - row_lo).astype(np.int64)
    col_cap = (np.ceil(col_f) - col_lo).astype(np.int64)

    frac_cells = np.flatnonzero(frac > 0)
    if frac_cells.size == 0:
        return lo

    # nodes: 0 source, 1 sink, 2.. rows, then columns
    src, snk = 0, 1
    row_node = 2 + np.arange(n_rows, dtype=np.int64)
    col_node = 2 + n_rows + np.arange(n_cols, dtype=np.int64)
    n_nodes = 2 + n_rows + n_cols

    cost = np.round((1.0 - 2.0 * frac[frac_cells]) * _COST_SCALE).astype(np.int64)
    if up_preference is not None:
        pref = np.clip(np.asarray(up_preference, dtype=float)[frac_cells], 0.0, 1.0)
        cost = cost * 1000 - np.round(pref * 999).astype(np.int64)
    tails = np.concatenate(
        [np.full(n_rows, src), row_node[rows[frac_cells]], col_node]
    ).astype(np.int64)
    heads = np.concatenate(
        [row_node, col_node[cols[frac_cells]], np.full(n_cols, snk)]
    ).astype(np.int64)
    caps = np.concatenate([row_cap, np.ones(frac_cells.size, dtype=np.int64), col_cap])
    costs = np.concatenate(
        [np.zeros(n_rows, dtype=np.int64), cost, np.zeros(n_cols, dtype=np.int64)]
    )

    # lower bounds moved into node supplies: an arc (u, v) with lower bound l carries l for sure
    supply = np.zeros(n_nodes, dtype=np.int64)
    supply[src] = total - row_lo.sum()
    supply[snk] = -(total - col_lo.sum())
    supply[row_node] += row_lo - np.bincount(rows, weights=lo, minlength=n_rows).astype(np.int64)
    supply[col_node] += np.bincount(cols, weights=lo, minlength=n_cols).astype(np.int64) - col_lo

    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_nodes_supplies(np.arange(n_nodes, dtype=np.int64), supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:  # cannot happen for a consistent two-way table
        raise InfeasibleError(f"controlled rounding failed (min-cost flow status {status})")
    flows = smcf.flows(arcs)
    out = lo.copy()
    out[frac_cells] += flows[n_rows : n_rows + frac_cells.size]
    return out
