"""Settings of the annual quota: rate per 1,000 residents, programme, population used."""

from __future__ import annotations

import dataclasses
import math

from riskplan._settings import check, check_range

__all__ = ["QuotaRules"]


@dataclasses.dataclass(frozen=True)
class QuotaRules:
    """Settings of the annual quota (TOML section ``quota``).

    Attributes
    ----------
    rate_per_1000
        Samples per 1,000 residents per year [samples / 1000 persons], > 0. Default 1.0, the seed
        plan's risk-monitoring volume (监测任务量达到1件/千人); 4.0 is the demonstration-city
        supervision figure.
        Range: (0, 100].
    programme
        Programme the plan serves (``risk_monitoring`` by default; e.g. ``supervision``).
    programme_name_zh
        Chinese name of the programme for reports (default 监测任务量).
    population_year
        Year of the population figure to use: a year of the dataset's ``population.csv`` or
        the year of its townships' figures (``dataset.toml`` ``population_year``); None uses
        the latest ``population.csv`` year before the plan year (without that table, the
        townships' sum). Any other year needs ``population``.
        Range: [1949, 2100] or unset.
    population
        Residents [persons] overriding the dataset's township sum, e.g. 1,001,600 for the end of
        2023 (100.16万); None uses the dataset.
        Range: (0, 2e8] or unset.
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
        # the documented ranges (Range: in the Attributes above)
        check_range(self.rate_per_1000, "quota.rate_per_1000", "(0, 100]")
        check_range(self.population_year, "quota.population_year", "[1949, 2100]")
        check_range(self.population, "quota.population", "(0, 2e8]")
