"""Allocation for detection: place samples to find an unqualified sample in as many strata as possible.

With ``n_i`` samples in stratum ``i``, posterior unqualified rate ``r_i`` and test sensitivity
``Se_i``, the chance that the plan finds at least one unqualified sample there is
``f_i(n_i) = 1 - (1 - q_i)^n_i`` with ``q_i = r_i Se_i``. :func:`greedy_detection` places ``rest``
samples above the floors ``start`` to maximise ``sum_i f_i(n_i)``, the expected number of strata
where a problem is found, with ``start_i <= n_i <= upper_i`` and ``sum n_i = sum start + rest``.

Why greedy is optimal (Gross 1956; Fox 1966, "Discrete optimization via marginal analysis").
The ``k``-th extra sample of stratum ``i`` adds ``g_i(k) = f_i(k) - f_i(k - 1) = q_i (1 - q_i)^(k-1)``,
which does not increase with ``k`` (``0 <= q_i <= 1``): each ``f_i`` is concave. Any allocation's
objective is ``sum_i f_i(start_i)`` plus the sum of the gains of the extra samples it takes, and
these are a set of ``rest`` gains containing, for each stratum, a *prefix* of its gain sequence.
So no allocation can exceed ``sum f_i(start_i)`` + the ``rest`` largest gains of all sequences
(within the upper bounds). Because every sequence is non-increasing, the ``rest`` largest gains
can always be chosen prefix-closed (a tie can be broken towards the earlier sample), so that bound
is attained by an allocation, and it is exactly what the greedy, taking the largest next gain
``rest`` times, builds. ``tests/test_detection.py`` also checks it against CP-SAT with a
piecewise-linear objective on small cases.
"""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.settings.detection import DetectionRules

__all__ = ["detection_gain", "detection_q", "greedy_detection"]


def detection_q(strata: pd.DataFrame, rules: DetectionRules | None = None) -> np.ndarray:
    """Chance that one sample of each stratum is found unqualified, ``rate_mean x Se`` [-].

    Parameters
    ----------
    strata
        One row per stratum with ``category_code`` and the posterior rate ``rate_mean``
        (:func:`riskplan.risk.score`).
    rules
        Test sensitivity per category code; default :class:`DetectionRules()` (Se = 1).

    Raises
    ------
    RiskplanError
        When ``rate_mean`` is missing or outside [0, 1].
    """
    rules = DetectionRules() if rules is None else rules
    if "rate_mean" not in strata.columns:
        raise RiskplanError("allocation.objective = \"detection\" needs the posterior rate "
                            "rate_mean in the score table (riskplan.risk.score)")
    r = pd.to_numeric(strata["rate_mean"], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(r)) or (r < 0).any() or (r > 1).any():
        raise RiskplanError("scores: rate_mean must be a rate in [0, 1] for every stratum")
    se = np.asarray(rules.sensitivity_of(strata["category_code"].astype(str).tolist()), dtype=float)
    return r * se


def detection_gain(q: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Expected strata with a find, per stratum: ``1 - (1 - q)^n`` [-].

    Parameters
    ----------
    q
        Chance that one sample is found unqualified, ``r Se`` [-], in [0, 1].
    n
        Samples per stratum [samples].
    """
    return 1.0 - np.power(1.0 - np.asarray(q, dtype=float), np.asarray(n, dtype=float))


def greedy_detection(
    q: np.ndarray, start: np.ndarray, rest: int, upper: np.ndarray | None = None
) -> np.ndarray:
    """Add ``rest`` samples to ``start`` maximising ``sum 1 - (1 - q)^n`` (optimal, see module).

    Parameters
    ----------
    q
        Chance that one sample of each stratum is found unqualified, ``r Se`` [-], in [0, 1].
    start
        Samples each stratum already has (the floors) [samples], >= 0.
    rest
        Samples to add [samples], >= 0.
    upper
        Most samples each stratum may get [samples]; None for no bound.

    Returns
    -------
    numpy.ndarray of int64
        ``n >= start`` with ``n.sum() == start.sum() + rest``. Equal gains go to the
        stratum with fewer samples added, then to the one listed first; so when every gain is
        zero (``q == 0`` everywhere) the samples go round the strata in turn.

    Raises
    ------
    ValueError
        For ``q`` outside [0, 1], negative numbers, or bounds that cannot take ``rest``.
    """
    q = np.asarray(q, dtype=float)
    n = np.asarray(start, dtype=np.int64).copy()
    if q.shape != n.shape or q.ndim != 1:
        raise ValueError("q and start must be 1-d and of equal length")
    if not np.all(np.isfinite(q)) or (q < 0).any() or (q > 1).any():
        raise ValueError("q must lie in [0, 1]")
    if rest < 0 or (n < 0).any():
        raise ValueError("start and rest must be >= 0")
    cap = np.full(n.size, np.iinfo(np.int64).max) if upper is None else np.asarray(upper, dtype=np.int64)
    if cap.shape != n.shape or (cap < n).any():
        raise ValueError("upper must be >= start for every stratum")
    room = int(np.minimum(cap - n, rest).sum())
    if room < rest:
        raise ValueError(f"the upper bounds take only {room} of the {rest} samples")
    # heap of (-gain of the next sample, -round, index): ties -> earlier stratum; with zero
    # gains the round counter spreads the samples over the strata in turn
    heap = [(-float(q[i] * (1.0 - q[i]) ** n[i]), 0, i) for i in range(n.size) if n[i] < cap[i]]
    heapq.heapify(heap)
    for _ in range(int(rest)):
        _, k, i = heapq.heappop(heap)
        n[i] += 1
        if n[i] < cap[i]:
            heapq.heappush(heap, (-float(q[i] * (1.0 - q[i]) ** n[i]), k + 1, i))
    return n
