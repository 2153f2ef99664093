"""Exact upper control limits for small counts: binomial and beta-binomial, strata mixed.

With one or two samples a month a normal-approximation limit (``p0 + 3 sigma``) lies below
``1 / n``, so a single unqualified sample is "out of control". Here the limit comes from the
distribution of the count itself: the upper control limit (UCL) is the smallest count ``c``
whose upper tail ``P(X >= c)`` is at most the false-alarm probability ``alpha`` chosen per point,
and a period signals when its count reaches ``c``. When even ``n`` unqualified out of ``n`` is not
that rare (``P(X >= n) > alpha``) the period cannot signal at all: its UCL is ``n + 1``.

The count of a unit that pools several strata is the sum of independent per-stratum counts, each
binomial with the stratum's rate, or beta-binomial when the rate is uncertain (a beta prior from
history): :func:`count_pmf` convolves them exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import betaln, gammaln

from riskplan.errors import RiskplanError
from riskplan.monitoring.charts import ArrayLike, _index


def betabinom_pmf(n: int, a: float, b: float) -> np.ndarray:
    """``P(X = 0 .. n)`` for ``X ~ BetaBinomial(n, a, b)``.

    The same as ``scipy.stats.betabinom.pmf``, faster for the many small ``n`` of a year.
    """
    k = np.arange(n + 1)
    log = (gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
           + betaln(k + a, n - k + b) - betaln(a, b))
    return np.exp(log)


def count_pmf(
    n: Sequence[int] | np.ndarray,
    alpha: Sequence[float] | np.ndarray | None = None,
    beta: Sequence[float] | np.ndarray | None = None,
    p: Sequence[float] | np.ndarray | None = None,
) -> np.ndarray:
    """Distribution of the total unqualified count over independent strata.

    Parameters
    ----------
    n
        Samples per stratum [samples].
    alpha, beta
        Beta distribution of each stratum's rate: its count is BetaBinomial(n, alpha, beta).
    p
        Known rate of each stratum [fraction] instead: its count is Binomial(n, p).

    Returns
    -------
    Probabilities of 0 .. sum(n) unqualified samples (sums to 1).
    """
    ns = np.asarray(n, dtype=int)
    if np.any(ns < 0):
        raise RiskplanError("count_pmf: sample counts must be >= 0")
    if p is None and (alpha is None or beta is None):
        raise RiskplanError("count_pmf: give p, or alpha and beta")
    pmf = np.array([1.0])
    for i, ni in enumerate(ns):
        if ni == 0:
            continue
        k = np.arange(ni + 1)
        if p is not None:
            part = stats.binom.pmf(k, ni, float(np.asarray(p, float)[i]))
        else:
            part = betabinom_pmf(int(ni), float(np.asarray(alpha, float)[i]),
                                 float(np.asarray(beta, float)[i]))
        pmf = np.convolve(pmf, part)
    return pmf


def upper_tail(pmf: np.ndarray, x: int) -> float:
    """``P(X >= x)`` for the distribution ``pmf`` of X over 0 .. len(pmf) - 1 (1 for x <= 0)."""
    if x <= 0:
        return 1.0
    if x >= len(pmf):
        return 0.0
    return float(min(1.0, pmf[x:].sum()))


def upper_limit(pmf: np.ndarray, alpha: float) -> int:
    """Smallest count ``c`` with ``P(X >= c) <= alpha``; ``len(pmf)`` (= n + 1) when none is.

    A count at or above the limit signals; the probability of a false signal is at most ``alpha``
    (exactly the tail at ``c``, which the discreteness usually makes smaller).
    """
    if not 0 < alpha < 1:
        raise RiskplanError(f"upper_limit: alpha must be in (0, 1), got {alpha}")
    # tail[c] = P(X >= c) for c = 0 .. n, then 0 for c = n + 1
    tail = np.r_[np.cumsum(pmf[::-1])[::-1], 0.0]
    return int(np.flatnonzero(tail <= alpha)[0])


def exact_p_chart(
    unqualified: ArrayLike,
    sampled: ArrayLike,
    p0: float | None = None,
    alpha: float = 0.00135,
    prior: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Fraction-unqualified chart with exact (probability) upper limits.

    Parameters
    ----------
    unqualified, sampled
        Unqualified and tested samples per period [samples].
    p0
        In-control rate [fraction]; when None (and no ``prior``) the pooled rate of the data
        (Phase I, as :func:`riskplan.monitoring.p_chart`).
    alpha
        False-alarm probability per period [-]; the default 0.00135 is the upper tail of a
        3-sigma limit of a normal distribution.
    prior
        ``(alpha, beta)`` of a beta distribution of the rate: the limits are then beta-binomial
        (the rate is an estimate, not known), and ``p0`` is its mean.

    Returns
    -------
    DataFrame, one row per period, with ``n``, ``d``, ``p``, ``center``, ``ucl_count`` (the count
    that signals; ``n + 1`` when no count can), ``ucl`` (``ucl_count / n``, NaN when no count can
    signal), ``tail_p`` (``P(X >= d)``) and ``out_of_control``.
    """
    d = np.asarray(unqualified, dtype=int)
    n = np.asarray(sampled, dtype=int)
    if d.shape != n.shape:
        raise RiskplanError("exact_p_chart: unqualified and sampled must have the same length")
    if np.any(d < 0) or np.any(d > n):
        raise RiskplanError("exact_p_chart: counts must satisfy 0 <= unqualified <= sampled")
    if prior is not None:
        a, b = map(float, prior)
        if not (a > 0 and b > 0):
            raise RiskplanError(f"exact_p_chart: prior must be two positive numbers, got {prior}")
        center = a / (a + b)
    else:
        center = (d.sum() / n.sum() if n.sum() > 0 else np.nan) if p0 is None else float(p0)
        if not 0 <= center <= 1:
            raise RiskplanError(f"exact_p_chart: p0 must be in [0, 1], got {center}")
    ucl_count, tail = np.zeros(len(n), dtype=int), np.ones(len(n))
    for i, (di, ni) in enumerate(zip(d, n)):
        pmf = (count_pmf([ni], [a], [b]) if prior is not None else count_pmf([ni], p=[center]))
        ucl_count[i] = upper_limit(pmf, alpha)
        tail[i] = upper_tail(pmf, int(di))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, d / n, np.nan)
        ucl = np.where((n > 0) & (ucl_count <= n), ucl_count / n, np.nan)
    return pd.DataFrame(
        {"n": n, "d": d, "p": p, "center": center, "ucl_count": ucl_count, "ucl": ucl,
         "tail_p": tail, "out_of_control": (n > 0) & (d >= ucl_count)},
        index=_index(unqualified),
    )
