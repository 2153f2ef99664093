"""Which programme each sample of a month belongs to.

The programmes of a plan are selected together: each month, their schedules are added up per
stratum and drawn once, so that samples of several programmes landing on one establishment make
one visit (a *shared* visit). The :class:`ProgrammeLedger` keeps each programme's demand per
stratum through the month's moves (samples carried to a later month, substituted into another
stratum) and then gives every drawn sample a programme: within a stratum, the programmes in the
order of the configuration take the drawn samples in the selection's order, each up to its demand;
a stratum's missing samples (carried, substituted, short) are taken from the last programme first,
so the first programme is served first when supply runs short.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from riskplan.tables import STRATUM_KEY

__all__ = ["ProgrammeLedger", "Key", "visit_programmes"]

KEY = list(STRATUM_KEY)
Key = tuple[str, str, str]


def _keys(df: pd.DataFrame) -> list[Key]:
    return list(zip(*(df[c].astype(str).tolist() for c in KEY)))


@dataclasses.dataclass
class ProgrammeLedger:
    """Each programme's demand per stratum, month by month.

    Attributes
    ----------
    order
        Programme ids in the order of the configuration.
    schedules
        Programme id -> its monthly schedule (key, ``month``, ``samples``).
    carry
        Month -> (programme, key) -> samples carried into that month.
    """

    order: list[str]
    schedules: dict[str, pd.DataFrame]
    carry: dict[int, dict[tuple[str, Key], int]] = dataclasses.field(default_factory=dict)

    def demand(self, month: int) -> dict[str, dict[Key, int]]:
        """Programme -> key -> samples asked for in ``month`` (the schedule and what was carried in)."""
        out: dict[str, dict[Key, int]] = {p: {} for p in self.order}
        for p in self.order:
            s = self.schedules[p]
            rows = s[s["month"].astype(int) == month]
            for k, n in zip(_keys(rows), rows["samples"].astype(int)):
                out[p][k] = out[p].get(k, 0) + int(n)
        for (p, k), n in self.carry.pop(month, {}).items():
            out[p][k] = out[p].get(k, 0) + int(n)
        return out

    def take_last(self, demand: dict[str, dict[Key, int]], key: Key, n: int) -> list[tuple[str, int]]:
        """Remove ``n`` samples of stratum ``key`` from ``demand``, last programme first.

        Returns
        -------
        list
            ``(programme, samples)`` removed (fewer than ``n`` in all when demand runs out).
        """
        out = []
        for p in reversed(self.order):
            have = demand[p].get(key, 0)
            take = min(have, n)
            if take > 0:
                demand[p][key] = have - take
                out.append((p, take))
                n -= take
            if n <= 0:
                break
        return out

    def carry_to(self, month: int, moved: list[tuple[str, int]], key: Key) -> None:
        """Book samples of ``key`` (``moved`` by :meth:`take_last`) for ``month``."""
        into = self.carry.setdefault(month, {})
        for p, n in moved:
            into[(p, key)] = into.get((p, key), 0) + n

    def attribute(self, samples: pd.DataFrame, demand: dict[str, dict[Key, int]]) -> pd.DataFrame:
        """``samples`` (one row per stratum x establishment) split by programme.

        Within each stratum the programmes, in order, take the rows' samples up to their demand;
        samples beyond every demand (a redraw that placed more) go to the last programme that asked
        for the stratum. Returns the rows with a ``programme`` column (a row may be split in two).
        """
        left = {p: dict(d) for p, d in demand.items()}
        rows: list[tuple[int, str, int]] = []
        for i, (k, n) in enumerate(zip(_keys(samples), samples["samples"].astype(int))):
            n = int(n)
            for p in self.order:
                take = min(left[p].get(k, 0), n)
                if take > 0:
                    rows.append((i, p, take))
                    left[p][k] -= take
                    n -= take
            if n > 0:
                asked = [p for p in self.order if k in demand[p]]
                rows.append((i, asked[-1] if asked else self.order[0], n))
        idx = np.array([r[0] for r in rows], dtype=np.int64)
        out = samples.iloc[idx].reset_index(drop=True)
        out["samples"] = np.array([r[2] for r in rows], dtype=np.int64)
        out["programme"] = pd.Series([r[1] for r in rows], dtype="str")
        return out


def visit_programmes(visits: pd.DataFrame, samples: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """``visits`` with ``programme`` (``;`` list) and ``programme_samples`` of each visit.

    ``programme_samples`` says what each programme takes there: ``risk_monitoring:C01=1;
    supervision:C01=1,C07=2`` (programme, then category = samples), programmes in ``order``.
    """
    rank = {p: i for i, p in enumerate(order)}
    by_est: dict[str, dict[str, dict[str, int]]] = {}
    for e, p, c, n in zip(samples["establishment_id"].astype(str), samples["programme"].astype(str),
                          samples["category_code"].astype(str), samples["samples"].astype(int)):
        cats = by_est.setdefault(e, {}).setdefault(p, {})
        cats[c] = cats.get(c, 0) + int(n)
    progs, detail = [], []
    for e in visits["establishment_id"].astype(str):
        got = by_est.get(e, {})
        ps = sorted(got, key=lambda p: rank.get(p, len(rank)))
        progs.append(";".join(ps))
        detail.append(";".join(p + ":" + ",".join(f"{c}={n}" for c, n in sorted(got[p].items()))
                               for p in ps))
    return visits.assign(programme=pd.Series(progs, index=visits.index, dtype="str"),
                         programme_samples=pd.Series(detail, index=visits.index, dtype="str"))
