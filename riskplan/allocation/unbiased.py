"""Unbiased controlled rounding of a sparse two-way table (Cox 1987), seeded.

:func:`unbiased_round` keeps every guarantee of :func:`riskplan.allocation.controlled_round`
(each cell, each row / column total and each nested group total is the floor or the ceiling of
its fractional value, the grand total exact) and adds one: **each cell is rounded up with
probability equal to its fractional part**, so over many seeds every cell's mean is its
fractional value. (Deterministic controlled rounding always rounds the same cells up: a stratum
with 0.2 of a sample then never gets one.)

Method (Cox, L. H. 1987, "A constructive procedure for unbiased controlled rounding", JASA
82(398), 520-524). The table is a flow source -> row groups -> rows -> cells -> columns ->
column groups -> sink, as in :mod:`riskplan.allocation.rounding`; the fractional table is a
feasible flow. Every node's net flow is a whole number, so a node touching an arc with a
fractional flow touches at least two: the fractional arcs contain an (undirected) cycle, found
by walking along them. Pushing ``d`` around the cycle (forwards arcs +d, backward arcs -d) keeps
every node balanced; let ``a`` be the largest push before an arc reaches its floor or ceiling
forwards and ``b`` backwards. Push ``+a`` with probability ``b / (a + b)`` and ``-b`` otherwise:
the expected change of every arc is ``a b / (a + b) - b a / (a + b) = 0``, at least one arc becomes
whole, and no arc leaves its [floor, ceiling]. Repeat until no arc is fractional. Every arc's
final value is its floor or ceiling with mean equal to its value: a cell is rounded up with
probability equal to its fractional part, and so is every total.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from riskplan.allocation.rounding import _levels, _snap, margin_arcs, table_cells

__all__ = ["unbiased_round"]

_EPS = 1e-9  # a flow this close to a whole number is whole


def _network(
    rows: np.ndarray, cols: np.ndarray, x: np.ndarray, n_rows: int, n_cols: int,
    row_parents: list[np.ndarray], col_parents: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Arcs (tails, heads, flows) of the table's network; the cells' arcs come first."""
    row_node, row_arcs, next_node = margin_arcs(rows, n_rows, x, row_parents, True, 2)
    col_node, col_arcs, next_node = margin_arcs(cols, n_cols, x, col_parents, False, next_node)
    arcs = [*row_arcs, *col_arcs]
    t = np.concatenate([row_node[rows], *(a[0] for a in arcs)])
    h = np.concatenate([col_node[cols], *(a[1] for a in arcs)])
    f = _snap(np.concatenate([x, *(a[2] for a in arcs)]))
    return t, h, f, next_node


def unbiased_round(
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    seed: int | np.random.Generator,
    n_rows: int | None = None,
    n_cols: int | None = None,
    row_parents: Sequence[np.ndarray] | None = None,
    col_parents: Sequence[np.ndarray] | None = None,
) -> np.ndarray:
    """Round the sparse two-way table ``values`` at random, unbiased, keeping its margins.

    Parameters
    ----------
    rows, cols
        Integer row and column index of each cell (0-based); a (row, col) pair appears once.
    values
        Fractional cell values, >= 0; their sum must be a whole number.
    seed
        Seed (or generator) of the random pushes: the same seed gives the same rounding.
    n_rows, n_cols
        Number of rows and columns (default: max index + 1).
    row_parents, col_parents
        Optional nested groupings, as for :func:`riskplan.allocation.controlled_round`.

    Returns
    -------
    numpy.ndarray of int64, the rounded cells in the order given: each is ``floor(x)`` or
    ``ceil(x)``, ``ceil`` with probability ``x - floor(x)``; every row, column and group total
    is the floor or ceiling of its fractional total and the grand total is exact.

    Raises
    ------
    ValueError
        For negative values, a non-integer grand total or mismatched lengths.
    """
    rows, cols, x, n_rows, n_cols, _ = table_cells(rows, cols, values, n_rows, n_cols)
    if x.size == 0:
        return np.zeros(0, dtype=np.int64)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    tail, head, flow, n_nodes = _network(
        rows, cols, x, n_rows, n_cols, _levels(rows, n_rows, row_parents, "row_parents"),
        _levels(cols, n_cols, col_parents, "col_parents"))
    lo = np.floor(flow + _EPS)
    value = flow.tolist()
    lo_l = lo.tolist()
    tl = tail.tolist()
    hd = head.tolist()
    # fractional arcs at each node, as insertion-ordered dicts (a deterministic walk)
    adj: list[dict[int, None]] = [{} for _ in range(n_nodes)]
    frac_arcs: list[int] = []
    for a in np.flatnonzero(flow - lo > _EPS).tolist():
        adj[tl[a]][a] = None
        adj[hd[a]][a] = None
        frac_arcs.append(a)

    def settle(a: int, v: float) -> None:
        value[a] = v
        adj[tl[a]].pop(a, None)
        adj[hd[a]].pop(a, None)

    start = 0
    path_nodes: list[int] = []
    path_arcs: list[int] = []
    pos: dict[int, int] = {}
    while True:
        if not path_nodes:
            while start < len(frac_arcs) and frac_arcs[start] not in adj[tl[frac_arcs[start]]]:
                start += 1
            if start == len(frac_arcs):
                break
            v0 = tl[frac_arcs[start]]
            path_nodes, path_arcs, pos = [v0], [], {v0: 0}
        v = path_nodes[-1]
        came = path_arcs[-1] if path_arcs else -1
        nxt = -1
        for a in adj[v]:
            if a != came:
                nxt = a
                break
        if nxt < 0:  # only at a fresh start whose arcs all became whole
            path_nodes, path_arcs, pos = [], [], {}
            continue
        w = hd[nxt] if tl[nxt] == v else tl[nxt]
        if w not in pos:
            path_arcs.append(nxt)
            path_nodes.append(w)
            pos[w] = len(path_nodes) - 1
            continue
        i = pos[w]
        cycle = path_arcs[i:]
        cycle.append(nxt)
        # walking the cycle from w: an arc walked tail -> head is forwards (+d), else backwards
        signs = []
        up = down = 2.0
        node = w
        for a in cycle:
            room_up = lo_l[a] + 1 - value[a]
            room_down = value[a] - lo_l[a]
            if tl[a] == node:
                signs.append(1)
                node = hd[a]
                up, down = min(up, room_up), min(down, room_down)
            else:
                signs.append(-1)
                node = tl[a]
                up, down = min(up, room_down), min(down, room_up)
        d = up if rng.random() * (up + down) < down else -down
        for a, sg in zip(cycle, signs):
            nv = value[a] + sg * d
            if nv - lo_l[a] <= _EPS:
                settle(a, lo_l[a])
            elif lo_l[a] + 1 - nv <= _EPS:
                settle(a, lo_l[a] + 1)
            else:
                value[a] = nv
        for node in path_nodes[i + 1:]:
            del pos[node]
        del path_nodes[i + 1:]
        del path_arcs[i:]
    return np.round(np.asarray(value[: x.size])).astype(np.int64)
