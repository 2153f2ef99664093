"""Small helpers shared by the synthetic district generator: random streams, rounding, text."""

from __future__ import annotations

import datetime as dt
import math

import chinese_calendar
import numpy as np


def stream(seed: int, *keys: int) -> np.random.Generator:
    """An independent, reproducible random stream for one part of a build.

    Parameters
    ----------
    seed
        The district's seed.
    *keys
        Integers naming the part (and e.g. the year or the township index), so that parts do
        not share draws and adding one part does not shift the others.

    Returns
    -------
    numpy.random.Generator
        ``numpy.random.default_rng([seed, *keys])`` (PCG64).
    """
    return np.random.default_rng([seed, *keys])


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (Hamilton's method).

    Parameters
    ----------
    weights
        Non-negative weights, not all zero.
    total
        The sum the integers must reach.

    Returns
    -------
    numpy.ndarray
        One integer per weight; ties in the remainders go to the first index.
    """
    w = np.asarray(weights, dtype=float)
    quota = w / w.sum() * total
    base = np.floor(quota).astype(int)
    rest = total - int(base.sum())
    order = np.lexsort((np.arange(len(w)), -(quota - base)))  # ties: first index first
    base[order[:rest]] += 1
    return base


def fmt_float(x: float | None, nd: int) -> str:
    """``x`` with ``nd`` decimals, or an empty cell for None / NaN."""
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


def text_bool(x: bool) -> str:
    """``true`` / ``false`` as written in the dataset files."""
    return "true" if x else "false"


def workdays(start: dt.date, end: dt.date) -> list[dt.date]:
    """Working days from ``start`` to ``end`` inclusive (official Chinese calendar, with 调休)."""
    days, d = [], start
    while d <= end:
        if chinese_calendar.is_workday(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return days
