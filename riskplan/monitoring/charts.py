"""Statistical process control charts: p-chart, tabular CUSUM, EWMA.

Formulas follow Montgomery, *Introduction to Statistical Quality Control* (chapters 7 and 9); the
tests reproduce the book's worked examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError

ArrayLike: TypeAlias = Sequence[float] | np.ndarray | pd.Series
"""Values per period: a list, an array, or a Series (whose index then labels the periods)."""


def _index(x: ArrayLike) -> pd.Index:
    return x.index if isinstance(x, pd.Series) else pd.RangeIndex(1, len(x) + 1, name="period")


def p_chart(
    unqualified: ArrayLike,
    sampled: ArrayLike,
    p0: float | None = None,
    sigma: float = 3.0,
) -> pd.DataFrame:
    """Shewhart fraction-nonconforming chart (p-chart), variable sample sizes allowed.

    Parameters
    ----------
    unqualified
        Unqualified (nonconforming) samples per period [samples].
    sampled
        Samples tested per period [samples]; periods with 0 get NaN ``p`` and no signal.
    p0
        Standard (known) fraction nonconforming [fraction]; when None the center line is
        estimated from the data as total unqualified / total sampled (Phase I).
    sigma
        Limit width [sigma units].

    Returns
    -------
    DataFrame, one row per period (index of ``unqualified`` if a Series, else 1..m) with
    ``n``, ``d``, ``p``, ``center``, ``ucl``, ``lcl`` (clipped at 0) and ``out_of_control``.
    """
    d = np.asarray(unqualified, dtype=float)
    n = np.asarray(sampled, dtype=float)
    if d.shape != n.shape:
        raise RiskplanError("p_chart: unqualified and sampled must have the same length")
    if np.any(d < 0) or np.any(n < 0) or np.any(d > n):
        raise RiskplanError("p_chart: counts must satisfy 0 <= unqualified <= sampled")
    if p0 is None:
        total = n.sum()
        center = d.sum() / total if total > 0 else np.nan
    else:
        if not 0 <= p0 <= 1:
            raise RiskplanError(f"p_chart: p0 must be in [0, 1], got {p0}")
        center = float(p0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, d / n, np.nan)
        half = sigma * np.sqrt(center * (1 - center) / n)
    ucl = np.minimum(center + half, 1.0)
    lcl = np.maximum(center - half, 0.0)
    ooc = (n > 0) & ((p > ucl) | (p < lcl))
    return pd.DataFrame(
        {"n": n, "d": d, "p": p, "center": center, "ucl": ucl, "lcl": lcl,
         "out_of_control": ooc},
        index=_index(unqualified),
    )


def cusum(
    x: ArrayLike, target: float, sigma: float, k: float = 0.5, h: float = 5.0
) -> pd.DataFrame:
    """Tabular (upper and lower one-sided) CUSUM.

    ``C+_i = max(0, x_i - (target + K) + C+_{i-1})``, ``C-_i = max(0, (target - K) - x_i + C-_{i-1})``
    with ``K = k sigma``, ``H = h sigma``, ``C+_0 = C-_0 = 0``; a signal when either exceeds H.

    Parameters
    ----------
    x
        Observations, one per period (e.g. a stratum's unqualified rate per month).
    target
        In-control mean of ``x``.
    sigma
        In-control standard deviation of ``x`` (> 0).
    k, h
        Reference value and decision interval [sigma units].

    Returns
    -------
    DataFrame with ``x``, ``c_plus``, ``c_minus``, ``n_plus``, ``n_minus`` (periods since the sum
    was last 0, for estimating when the shift began) and ``signal``.
    """
    if not sigma > 0:
        raise RiskplanError(f"cusum: sigma must be > 0, got {sigma}")
    xs = np.asarray(x, dtype=float)
    K, H = k * sigma, h * sigma
    cp = np.zeros(len(xs))
    cm = np.zeros(len(xs))
    npl = np.zeros(len(xs), dtype=int)
    nmi = np.zeros(len(xs), dtype=int)
    a = b = 0.0
    na = nb = 0
    for i, xi in enumerate(xs):
        a = max(0.0, xi - (target + K) + a)
        b = max(0.0, (target - K) - xi + b)
        na = na + 1 if a > 0 else 0
        nb = nb + 1 if b > 0 else 0
        cp[i], cm[i], npl[i], nmi[i] = a, b, na, nb
    return pd.DataFrame(
        {"x": xs, "c_plus": cp, "c_minus": cm, "n_plus": npl, "n_minus": nmi,
         "signal": (cp > H) | (cm > H)},
        index=_index(x),
    )


def ewma(
    x: ArrayLike, target: float, sigma: float, lam: float = 0.2, L: float = 3.0
) -> pd.DataFrame:
    """Exponentially weighted moving average chart with exact (time-varying) limits.

    ``z_i = lam x_i + (1 - lam) z_{i-1}``, ``z_0 = target``; limits
    ``target ± L sigma sqrt(lam / (2 - lam) (1 - (1 - lam)^(2i)))``.

    Parameters
    ----------
    x
        Observations, one per period.
    target, sigma
        In-control mean and standard deviation of ``x``.
    lam
        Smoothing constant in (0, 1].
    L
        Limit width [sigma units].

    Returns
    -------
    DataFrame with ``x``, ``statistic``, ``center``, ``ucl``, ``lcl`` and ``signal``.
    """
    if not 0 < lam <= 1:
        raise RiskplanError(f"ewma: lam must be in (0, 1], got {lam}")
    if not sigma > 0:
        raise RiskplanError(f"ewma: sigma must be > 0, got {sigma}")
    xs = np.asarray(x, dtype=float)
    z = np.empty(len(xs))
    prev = float(target)
    for i, xi in enumerate(xs):
        prev = lam * xi + (1 - lam) * prev
        z[i] = prev
    period = np.arange(1, len(xs) + 1)
    half = L * sigma * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * period)))
    ucl, lcl = target + half, target - half
    return pd.DataFrame(
        {"x": xs, "statistic": z, "center": float(target), "ucl": ucl, "lcl": lcl,
         "signal": (z > ucl) | (z < lcl)},
        index=_index(x),
    )
