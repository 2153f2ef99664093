"""Supply shared between programmes: what one programme takes, the next cannot.

The programmes of a plan are allocated one after the other, in the order of the configuration
(``[[programmes]]``). Each is fitted to what the establishments can still supply
(:func:`riskplan.allocation.fit_to_supply`); :func:`supply_left` then books that programme's
samples on the establishments and returns what is left for the next one. The samples are booked
by one maximum flow on the same network as :mod:`riskplan.allocation.deliverable`
(stratum -> establishment of the stratum -> sink), so a later programme never counts on a visit an
earlier one already fills.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from ortools.graph.python import max_flow

from riskplan.allocation.supply import Supply
from riskplan.errors import RiskplanError
from riskplan.tables import STRATUM_KEY

__all__ = ["supply_left"]

KEY = list(STRATUM_KEY)


def supply_left(supply: Supply, allocation: pd.DataFrame) -> Supply:
    """What ``supply`` still holds once ``allocation``'s samples are taken.

    Parameters
    ----------
    supply
        The district's supply (or what earlier programmes left of it).
    allocation
        A programme's allocation fitted to ``supply``: the stratum key and ``samples``.

    Returns
    -------
    Supply
        Same establishments; ``capacity`` and ``category_capacity`` [samples] less the samples
        booked on each establishment (never below zero), and each stratum's ``capacity`` summed
        again from its members.

    Raises
    ------
    RiskplanError
        When ``allocation`` does not fit ``supply`` (it was not fitted to it first).
    """
    est = supply.establishments
    x = allocation.assign(**{c: allocation[c].astype(str) for c in KEY}).groupby(KEY)["samples"].sum()
    x = x[x > 0]
    row_of = {k: i for i, k in enumerate(x.index)}
    mem = supply.members
    rows = np.array([row_of.get(k, -1) for k in zip(*(mem[c].astype(str) for c in KEY))],
                    dtype=np.int64)
    keep = rows >= 0
    tails, heads = rows[keep], mem["pos"].to_numpy(dtype=np.int64)[keep]
    cap_e = est["capacity"].to_numpy(dtype=np.int64)
    cap_cat = est["category_capacity"].to_numpy(dtype=np.int64)
    n_s, n_e = len(x), len(est)
    src, sink = 0, 1 + n_s + n_e
    mf = max_flow.SimpleMaxFlow()
    mf.add_arcs_with_capacity(np.full(n_s, src), 1 + np.arange(n_s), x.to_numpy(dtype=np.int64))
    mf.add_arcs_with_capacity(1 + tails, 1 + n_s + heads, cap_cat[heads])
    mf.add_arcs_with_capacity(1 + n_s + np.arange(n_e), np.full(n_e, sink), cap_e)
    if mf.solve(src, sink) != mf.OPTIMAL:
        raise RiskplanError("internal error: the shared-supply max-flow failed")
    if int(mf.optimal_flow()) != int(x.sum()):
        raise RiskplanError(f"an allocation of {int(x.sum())} samples does not fit the supply "
                            f"({int(mf.optimal_flow())} placed): fit it first")
    used = np.array([mf.flow(n_s + tails.size + i) for i in range(n_e)], dtype=np.int64)
    left = np.maximum(cap_e - used, 0)
    table = est.assign(capacity=left, category_capacity=np.minimum(cap_cat, left))
    p = mem["pos"].to_numpy(dtype=np.int64)
    per = mem[KEY].assign(capacity=table["category_capacity"].to_numpy(dtype=np.int64)[p])
    cap = per.groupby(KEY, sort=True)["capacity"].sum()
    strata = supply.strata.copy()
    strata["capacity"] = cap.reindex(pd.MultiIndex.from_frame(strata[KEY])).fillna(0).to_numpy(
        dtype=np.int64)
    return dataclasses.replace(supply, establishments=table, strata=strata)
