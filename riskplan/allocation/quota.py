"""Annual sampling quota: residents / 1,000 x rate, rounded up with exact arithmetic.

The seed plan asks for a risk-monitoring volume of 1 sample per 1,000 residents (监测任务量);
supervision sampling in a demonstration city is 4 per 1,000. Both are the same computation with a
different :class:`QuotaRules`.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

from riskplan.dataset import Dataset
from riskplan.errors import ConfigError
from riskplan.settings.quota import QuotaRules


def _exact(value: Any, name: str) -> Fraction:
    """Exact rational value of ``value``; a float is read from its shortest repr (1.1 -> 11/10)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"{name} must be finite, got {value!r}")
        # repr() gives the shortest decimal string that round-trips, so 1.1 is exactly 11/10
        # and not 1.100000000000000088817841970012523...
        return Fraction(repr(x))
    if isinstance(value, str):
        return Fraction(value)
    try:  # decimal.Decimal and friends
        return Fraction(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None


def annual_quota(population: float, rate_per_1000: float = 1.0) -> int:
    """Annual number of samples: ``ceil(population / 1000 * rate_per_1000)``, computed exactly.

    Parameters
    ----------
    population
        Residents [persons], >= 0.
    rate_per_1000
        Samples per 1,000 residents per year [samples / 1000 persons], > 0. Floats are taken at
        their shortest decimal representation, so 700,000 residents at 1.1 give 770, not 771.

    Returns
    -------
    int
        The quota [samples].

    Examples
    --------
    >>> annual_quota(963_238)
    964
    >>> annual_quota(700_000, 1.1)
    770
    >>> annual_quota(963_238, 4.0)
    3853
    """
    p = _exact(population, "population")
    r = _exact(rate_per_1000, "rate_per_1000")
    if p < 0:
        raise ValueError(f"population must be >= 0, got {population!r}")
    if r <= 0:
        raise ValueError(f"rate_per_1000 must be > 0, got {rate_per_1000!r}")
    return math.ceil(p * r / 1000)



def resolve_population(rules: QuotaRules, dataset: Dataset) -> int:
    """Residents [persons] a plan is sized on.

    In order: ``rules.population``; the ``population.csv`` row of ``rules.population_year``;
    without a year, the latest ``population.csv`` year before the plan year; else the sum of the
    townships' populations (the year of ``dataset.toml`` ``population_year``).

    Raises
    ------
    ConfigError
        When ``rules.population_year`` is neither a year of ``population.csv`` nor the year of
        the townships' figures, and no ``population`` override is given.
    """
    if rules.population is not None:
        return int(rules.population)
    meta = dataset.metadata or {}
    data_year = int(meta["population_year"]) if "population_year" in meta else None
    table = population_by_year(dataset)
    if rules.population_year is not None:
        if rules.population_year in table:
            return table[rules.population_year]
        if data_year is None or rules.population_year == data_year:
            return dataset.residents
        years = sorted({*table, data_year})
        raise ConfigError(
            "quota.population_year",
            f"no population figure for {rules.population_year}: the dataset has "
            f"{', '.join(map(str, years))} (population.csv, townships.csv); add the year to "
            "population.csv or set quota.population to the residents of that year",
        )
    before = [y for y in table if dataset.plan_year is None or y < dataset.plan_year]
    if before:
        return table[max(before)]
    return dataset.residents


def population_by_year(dataset: Dataset) -> dict[int, int]:
    """``population.csv`` as year -> residents [persons] (empty without the table)."""
    df = dataset.population
    if len(df) == 0 or not {"year", "residents"} <= set(df.columns):
        return {}
    ok = df["year"].notna() & df["residents"].notna()
    return {int(y): int(r) for y, r in zip(df.loc[ok, "year"], df.loc[ok, "residents"])}


def programme_quota(rules: QuotaRules, population: int, higher_level_samples: int = 0) -> int:
    """Samples a programme must take [samples].

    ``annual_quota(population, rules.rate_per_1000)``, less ``higher_level_samples`` when
    ``rules.count_higher_level`` is set (never below zero).
    """
    q = annual_quota(population, rules.rate_per_1000)
    if rules.count_higher_level:
        q = max(0, q - int(higher_level_samples))
    return q


def quota_for(rules: QuotaRules, dataset: Dataset, higher_level_samples: int = 0) -> int:
    """The quota [samples] of a dataset under ``rules`` (see :func:`resolve_population`)."""
    return programme_quota(rules, resolve_population(rules, dataset), higher_level_samples)
