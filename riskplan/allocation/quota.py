"""Annual sampling quota: residents / 1,000 x rate, rounded up with exact arithmetic.

The seed plan asks for a risk-monitoring volume of 1 sample per 1,000 residents (监测任务量);
supervision sampling in a demonstration city is 4 per 1,000. Both are the same computation with a
different :class:`QuotaRules`.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from fractions import Fraction
from typing import Any

from riskplan._settings import check
from riskplan.errors import ConfigError


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


@dataclasses.dataclass(frozen=True)
class QuotaRules:
    """Settings of the annual quota (TOML section ``quota``).

    Attributes
    ----------
    rate_per_1000
        Samples per 1,000 residents per year [samples / 1000 persons], > 0. Default 1.0, the seed
        plan's risk-monitoring volume (监测任务量达到1件/千人); 4.0 is the demonstration-city
        supervision figure.
    programme
        Programme the plan serves (``risk_monitoring`` by default; e.g. ``supervision``).
    programme_name_zh
        Chinese name of the programme for reports (default 监测任务量).
    population_year
        Year of the population figure to use; None uses the one the dataset holds
        (``dataset.toml`` ``population_year``). A different year needs ``population``.
    population
        Residents [persons] overriding the dataset's township sum, e.g. 1,001,600 for the end of
        2023 (100.16万); None uses the dataset.
    count_higher_level
        Whether samples already taken in the district by higher-level programmes (national,
        provincial, city tasks) count towards this quota (they always count towards coverage).
    """

    rate_per_1000: float = 1.0
    programme: str = "risk_monitoring"
    programme_name_zh: str = "监测任务量"
    population_year: int | None = None
    population: int | None = None
    count_higher_level: bool = False

    def __post_init__(self) -> None:
        check(
            math.isfinite(self.rate_per_1000) and self.rate_per_1000 > 0,
            "quota.rate_per_1000",
            f"must be a positive number, got {self.rate_per_1000!r}",
        )
        check(bool(self.programme.strip()), "quota.programme", "must not be empty")
        check(
            self.population is None or self.population > 0,
            "quota.population",
            f"must be a positive number of residents, got {self.population!r}",
        )
        check(
            self.population_year is None or 1949 <= self.population_year <= 2100,
            "quota.population_year",
            f"must be a plausible year, got {self.population_year!r}",
        )

    def resolve_population(self, dataset: Any) -> int:
        """Residents [persons] this plan is sized on: the override, else the dataset's townships.

        Raises
        ------
        ConfigError
            When ``population_year`` differs from the year the dataset's figures are for and no
            ``population`` override is given.
        """
        if self.population is not None:
            return int(self.population)
        data_year = None
        meta = getattr(dataset, "metadata", None) or {}
        if "population_year" in meta:
            data_year = int(meta["population_year"])
        if self.population_year is not None and data_year is not None and (
            self.population_year != data_year
        ):
            raise ConfigError(
                "quota.population_year",
                f"the dataset's populations are for {data_year}, not {self.population_year}: "
                "set quota.population to the residents of that year",
            )
        townships = dataset.townships if hasattr(dataset, "townships") else dataset
        return int(townships["population"].sum())

    def quota(self, population: int, higher_level_samples: int = 0) -> int:
        """Samples this programme must take [samples].

        ``annual_quota(population, rate_per_1000)``, less ``higher_level_samples`` when
        ``count_higher_level`` is set (never below zero).
        """
        q = annual_quota(population, self.rate_per_1000)
        if self.count_higher_level:
            q = max(0, q - int(higher_level_samples))
        return q

    def quota_for(self, dataset: Any, higher_level_samples: int = 0) -> int:
        """The quota for a :class:`~riskplan.datasets.Dataset` (see :meth:`resolve_population`)."""
        return self.quota(self.resolve_population(dataset), higher_level_samples)
