"""Recency weights: recent results count more than old ones."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25


def age_years(dates: pd.Series, reference_date: dt.date | pd.Timestamp) -> np.ndarray:
    """Age of each date at ``reference_date`` [years], never negative (future dates count as new)."""
    ref = pd.Timestamp(reference_date)
    d = pd.to_datetime(dates, errors="coerce")
    days = (ref - d).dt.days.to_numpy(dtype=float, na_value=np.nan)
    return np.clip(days, 0.0, None) / DAYS_PER_YEAR


def half_life_weights(
    dates: pd.Series, reference_date: dt.date | pd.Timestamp, half_life_years: float
) -> np.ndarray:
    """Weight ``0.5 ** (age / half_life)`` of each result.

    Parameters
    ----------
    dates
        Sample dates.
    reference_date
        The dataset's reference date (never today's date).
    half_life_years
        Half-life [years]; ``0`` gives every result weight 1.

    Returns
    -------
    numpy.ndarray
        Weights in (0, 1]; a missing date gets weight 0.
    """
    age = age_years(dates, reference_date)
    if half_life_years <= 0:
        w = np.ones_like(age)
    else:
        w = np.exp2(-age / half_life_years)
    return np.where(np.isnan(age), 0.0, w)
