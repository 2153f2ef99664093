"""Apportionment of an integer total in proportion to weights (largest remainder, divisor methods).

Methods
-------
``hamilton``
    Largest remainder (Hare quota, Hamilton/Vinton): each item gets the floor of its quota, the
    seats left go to the largest fractional remainders.
``jefferson``
    Divisor method rounding down (D'Hondt): divisors 1, 2, 3, ...
``webster``
    Divisor method rounding to nearest (Sainte-Laguë): divisors 0.5, 1.5, 2.5, ...
``huntington_hill``
    Divisor method with geometric-mean rounding (equal proportions, US House since 1941):
    divisors sqrt(n (n + 1)), so every item with positive weight gets one seat first.

Bounds
------
``minimum`` and ``maximum`` (scalars or one value per item) restrict each item's result. For the
divisor methods the bounded result is the one of the sequential "highest priority" procedure started
at the lower bounds, with items at their upper bound skipped. For Hamilton the quotas are first
scaled (water-filling) so that ``clip(lambda * w, minimum, maximum)`` sums to the total; floors and
largest remainders are then taken of those bounded quotas.

Ties
----
Ties are broken deterministically: **the item with the lower index wins** (earlier in the order of
the weights), both for equal remainders (Hamilton) and equal priorities (divisor methods).

Zero weights
------------
An item with zero weight never receives more than its minimum.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

from riskplan.errors import InfeasibleError

Method = Literal["hamilton", "webster", "jefferson", "huntington_hill"]
METHODS: tuple[str, ...] = ("hamilton", "webster", "jefferson", "huntington_hill")

Bound: TypeAlias = int | Sequence[int] | np.ndarray | pd.Series
"""A bound per item: one number for every item, or one value per item."""


def _bounds(value: Bound | None, n: int, name: str, default: int | None) -> np.ndarray:
    if value is None:
        if default is None:
            return np.full(n, 2**40, dtype=np.int64)
        value = default
    arr = np.asarray(value.to_numpy() if isinstance(value, pd.Series) else value)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have one value per weight ({n}), got {arr.shape}")
    if not np.all(np.isfinite(arr.astype(float))) or np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must hold whole numbers, got {arr!r}")
    arr = arr.astype(np.int64)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0")
    return arr


def apportion(
    weights: Sequence[float] | np.ndarray | pd.Series,
    total: int,
    method: Method = "hamilton",
    minimum: Bound = 0,
    maximum: Bound | None = None,
) -> np.ndarray | pd.Series:
    """Split the integer ``total`` among items in proportion to ``weights``.

    Parameters
    ----------
    weights
        Non-negative weights, one per item (array-like or pandas Series).
    total
        Integer to split, >= 0.
    method
        ``"hamilton"`` (largest remainder), ``"webster"`` (Sainte-Laguë), ``"jefferson"``
        (D'Hondt) or ``"huntington_hill"`` (equal proportions).
    minimum, maximum
        Lower and upper bound per item (scalar or one value per item); ``maximum=None`` means no
        upper bound.

    Returns
    -------
    numpy.ndarray of int64, in the order of ``weights`` (a Series with the same index when
    ``weights`` is a Series); it sums exactly to ``total``.

    Raises
    ------
    ValueError
        For negative or non-finite weights, an unknown method or malformed bounds.
    InfeasibleError
        When the bounds cannot be met: a minimum above its maximum, minimums summing to more than
        ``total``, or maximums (of the items with positive weight) summing to less.

    Notes
    -----
    Ties go to the lower index. Items with zero weight get their minimum.
    """
    index = weights.index if isinstance(weights, pd.Series) else None
    w = np.asarray(weights.to_numpy() if isinstance(weights, pd.Series) else weights, dtype=float)
    if w.ndim != 1:
        raise ValueError("weights must be one-dimensional")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and >= 0")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if isinstance(total, bool) or int(total) != total or total < 0:
        raise ValueError(f"total must be a whole number >= 0, got {total!r}")
    total = int(total)
    n = len(w)
    lo = _bounds(minimum, n, "minimum", 0)
    hi = _bounds(maximum, n, "maximum", None)
    bad = np.flatnonzero(lo > hi)
    if bad.size:
        i = int(bad[0])
        raise InfeasibleError(f"item {i}: minimum {lo[i]} is above maximum {hi[i]}")
    # an item with zero weight cannot take more than its minimum
    cap = np.where(w > 0, hi, lo)
    if lo.sum() > total:
        raise InfeasibleError(f"the minimums need {int(lo.sum())}, more than the total {total}")
    if cap.sum() < total:
        raise InfeasibleError(
            f"the items can take at most {int(cap.sum())} (maximums; zero weights stay at their "
            f"minimum), less than the total {total}"
        )
    if method == "hamilton":
        out = _hamilton(w, total, lo, cap)
    else:
        out = _divisor(w, total, lo, cap, method)
    assert int(out.sum()) == total
    if index is not None:
        return pd.Series(out, index=index, name=getattr(weights, "name", None))
    return out


def bounded_quotas(w: np.ndarray, total: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Fractional quotas ``clip(lam * w, lo, hi)`` with ``lam`` chosen so they sum to ``total``.

    ``hi`` must already equal ``lo`` wherever ``w == 0``, and ``lo.sum() <= total <= hi.sum()``.
    """
    lo_f = lo.astype(float)
    hi_f = hi.astype(float)
    pos = w > 0
    if not pos.any():
        return lo_f.copy()

    def f(lam: float) -> float:
        return float(np.clip(lam * w, lo_f, hi_f).sum())

    # f is piecewise linear and non-decreasing in lam, with breakpoints lo/w and hi/w
    bps = np.unique(np.concatenate([[0.0], lo_f[pos] / w[pos], hi_f[pos] / w[pos]]))
    if f(bps[-1]) <= total:
        return np.clip(bps[-1] * w, lo_f, hi_f)
    k_lo, k_hi = 0, len(bps) - 1  # invariant: f(bps[k_lo]) <= total < f(bps[k_hi])
    while k_hi - k_lo > 1:
        mid = (k_lo + k_hi) // 2
        if f(bps[mid]) <= total:
            k_lo = mid
        else:
            k_hi = mid
    a, b = bps[k_lo], bps[k_hi]
    # inside (a, b) the same items are strictly between their bounds and grow linearly in lam
    m = (a + b) / 2
    free = pos & (m * w > lo_f) & (m * w < hi_f)
    fixed_sum = float(np.clip(m * w, lo_f, hi_f)[~free].sum())
    wf = float(w[free].sum())
    lam = (total - fixed_sum) / wf if wf > 0 else a
    return np.clip(lam * w, lo_f, hi_f)


def _hamilton(w: np.ndarray, total: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    q = bounded_quotas(w, total, lo, hi)
    base = np.floor(q + 1e-9).astype(np.int64)
    base = np.clip(base, lo, hi)
    left = total - int(base.sum())
    rem = q - base
    eligible = np.flatnonzero(base < hi)
    if left > 0:
        # largest remainder first; lower index first among equal remainders (stable sort)
        order = eligible[np.argsort(-np.round(rem[eligible], 12), kind="stable")]
        base[order[:left]] += 1
    elif left < 0:  # only from rounding noise: take back from the smallest remainders
        eligible = np.flatnonzero(base > lo)
        order = eligible[np.argsort(np.round(rem[eligible], 12), kind="stable")[::-1]]
        base[order[: -left]] -= 1
    return base


def _divisor(w: np.ndarray, total: int, lo: np.ndarray, hi: np.ndarray, method: str) -> np.ndarray:
    def divisor(a: int) -> float:
        if method == "jefferson":
            return a + 1.0
        if method == "webster":
            return a + 0.5
        return math.sqrt(a * (a + 1.0))  # huntington_hill

    def priority(i: int, a: int) -> float:
        d = divisor(a)
        return math.inf if d == 0 else w[i] / d

    seats = lo.copy()
    left = total - int(seats.sum())
    if left == 0:
        return seats
    heap = [(-priority(i, int(seats[i])), i) for i in range(len(w)) if w[i] > 0 and seats[i] < hi[i]]
    heapq.heapify(heap)
    while left > 0:
        _, i = heapq.heappop(heap)
        seats[i] += 1
        left -= 1
        if seats[i] < hi[i]:
            heapq.heappush(heap, (-priority(i, int(seats[i])), i))
    return seats
