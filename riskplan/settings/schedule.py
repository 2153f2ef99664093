"""Settings of the monthly schedule (TOML section ``schedule``)."""

from __future__ import annotations

import dataclasses

from riskplan._settings import check, check_range


def _seasons() -> dict[str, str]:
    # national festival foods, by category role: a dataset says which of its categories they are
    return {
        "spring_festival": "spring festival food",
        "zongzi": "zongzi",
        "mooncake": "mooncake",
        "summer_drinks": "summer drink",
        "summer_seafood": "summer seafood",
    }


def _season_months() -> dict[str, tuple[int, ...]]:
    return {
        "spring_festival": (1, 2),
        "zongzi": (5, 6),
        "mooncake": (8, 9),
        "summer_drinks": (6, 7, 8),
        "summer_seafood": (6, 7, 8),
    }


def _season_labels() -> dict[str, str]:
    return {
        "spring_festival": "年货 Spring Festival foods",
        "zongzi": "粽子 zongzi",
        "mooncake": "月饼 mooncakes",
        "summer_drinks": "夏季饮品 summer drinks",
        "summer_seafood": "夏季水产品 summer seafood",
    }


@dataclasses.dataclass(frozen=True)
class ScheduleRules:
    """How the annual samples are spread over the months (TOML section ``schedule``).

    Attributes
    ----------
    season_categories
        Seasonal focus: name -> the categories (``;`` list of category roles, codes or names)
        the season applies to. The defaults are the national festival foods by role (spring
        festival food, zongzi, mooncake, summer drink, summer seafood); zongzi (May-Jun) and
        mooncakes (Aug-Sep) may both be pastries.
    local_seasons
        Also use the local seasons the categories table declares (``local_seasons`` column,
        e.g. ``杨梅 bayberry:6``); a season of the same name here replaces the table's. Default
        True.
    season_months
        Season name -> months (1-12) of focus.
        Range: [1, 12] (each value).
    season_labels
        Season name -> label for reports (Chinese + English).
    season_weight
        How much an in-season month weighs against an ordinary month for the categories in
        season, > 0. Default 3.0.
        Range: (0, 100].
    closed_months
        Months without sampling (1-12), e.g. ``[2]`` for the Spring Festival holiday. Default none.
        Range: [1, 12] (each value).
    first_month
        First sampling month (1-12). Default 1.
        Range: [1, 12].
    last_month
        Last sampling month (1-12): sampling is done by then. Default 11 (November).
        Range: [1, 12].
    progress_months
        Months at whose end the district's cumulative share is checked. Default (3, 6, 9).
        Range: [1, 12] (each value).
    progress_targets
        Minimum cumulative share of the annual total at each of ``progress_months``, in [0, 1],
        non-decreasing. Default (0.25, 0.50, 0.75): a quarter each quarter.
        Range: [0, 1] (each value).
    months_within_establishments
        A stratum with k establishments is sampled in at most k distinct months (when the
        allocation table has ``n_establishments``): otherwise the same few shops would be due
        again within their rotation window and the selection could not serve the later months.
        The stratum keeps its earliest month and its k - 1 other busiest months (ties: the
        earlier month); each dropped month's samples move to the nearest earlier kept month.
        Moving samples earlier never lowers the cumulative share at a progress month, so the
        progress targets, closed months and ``last_month`` still hold. Default True.
    school_days_only
        Samples of the business types visited only on school days (``routing.school_day_types``)
        are scheduled only in months with school days (``calendar.school_terms``): a month's
        samples of such a stratum move to the month of the same progress period with the most
        school days, else to the nearest earlier month with school days. The same months bound
        what those establishments can supply in the year (:mod:`riskplan.allocation.supply`).
        Default True (routing visits them only on school days, so a sample scheduled outside
        term could not be taken); false lets them be sampled in any month.
    """

    season_categories: dict[str, str] = dataclasses.field(default_factory=_seasons)
    local_seasons: bool = True
    season_months: dict[str, tuple[int, ...]] = dataclasses.field(default_factory=_season_months)
    season_labels: dict[str, str] = dataclasses.field(default_factory=_season_labels)
    season_weight: float = 3.0
    closed_months: tuple[int, ...] = ()
    first_month: int = 1
    last_month: int = 11
    progress_months: tuple[int, ...] = (3, 6, 9)
    progress_targets: tuple[float, ...] = (0.25, 0.50, 0.75)
    months_within_establishments: bool = True
    school_days_only: bool = True

    def __post_init__(self) -> None:
        check(self.season_weight > 0, "schedule.season_weight", "must be > 0")
        check(1 <= self.first_month <= 12, "schedule.first_month", "must be a month 1-12")
        check(1 <= self.last_month <= 12, "schedule.last_month", "must be a month 1-12")
        check(self.first_month <= self.last_month, "schedule.last_month", "must not be before first_month")
        for m in self.closed_months:
            check(1 <= m <= 12, "schedule.closed_months", f"month {m} is not 1-12")
        check(bool(self.open_months), "schedule.closed_months", "every sampling month is closed")
        for name, months in self.season_months.items():
            for m in months:
                check(1 <= m <= 12, f"schedule.season_months.{name}", f"month {m} is not 1-12")
        for name in self.season_categories:
            check(name in self.season_months, f"schedule.season_categories.{name}",
                  "has no months in schedule.season_months")
        for name in self.season_months:
            check(name in self.season_categories, f"schedule.season_months.{name}",
                  "has no categories in schedule.season_categories")
        check(len(self.progress_months) == len(self.progress_targets), "schedule.progress_targets",
              "must have one share per month of schedule.progress_months")
        for m in self.progress_months:
            check(1 <= m <= 12, "schedule.progress_months", f"month {m} is not 1-12")
        check(list(self.progress_months) == sorted(set(self.progress_months)), "schedule.progress_months",
              "must be increasing")
        for t in self.progress_targets:
            check(0.0 <= t <= 1.0, "schedule.progress_targets", f"share {t} is not in [0, 1]")
        check(list(self.progress_targets) == sorted(self.progress_targets), "schedule.progress_targets",
              "must be non-decreasing")
        # the documented ranges (Range: in the Attributes above)
        check_range(self.season_months, "schedule.season_months", "[1, 12]")
        check_range(self.season_weight, "schedule.season_weight", "(0, 100]")
        check_range(self.closed_months, "schedule.closed_months", "[1, 12]")
        check_range(self.first_month, "schedule.first_month", "[1, 12]")
        check_range(self.last_month, "schedule.last_month", "[1, 12]")
        check_range(self.progress_months, "schedule.progress_months", "[1, 12]")
        check_range(self.progress_targets, "schedule.progress_targets", "[0, 1]")

    @property
    def open_months(self) -> tuple[int, ...]:
        """Months in which sampling takes place."""
        return tuple(m for m in range(self.first_month, self.last_month + 1) if m not in self.closed_months)

    def seasons_of(self, category_code: str) -> list[str]:
        """Names of the seasons that apply to ``category_code``."""
        return [n for n, cats in self.season_categories.items() if category_code in cats.split(";")]
