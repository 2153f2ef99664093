"""Settings of the work calendar: school terms, market days, local closures."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

from riskplan._settings import check, check_range

__all__ = ["CalendarRules", "default_school_terms"]


def _iso(text: str, key: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        check(False, key, f"expected an ISO date YYYY-MM-DD, got {text!r}")
        raise  # pragma: no cover - check raised


def default_school_terms(year: int) -> tuple[tuple[str, str], ...]:
    """Approximate school terms around plan year ``year`` (the defaults' dates moved to it).

    The autumn term before (September 1 to about January 23), the spring term (about February 23
    to July 3) and the autumn term after: the defaults of :class:`CalendarRules` for 2026. Real
    terms depend on the province and on the Spring Festival; check them.
    """
    return (
        (f"{year - 1}-09-01", f"{year}-01-23"),
        (f"{year}-02-23", f"{year}-07-03"),
        (f"{year}-09-01", f"{year + 1}-01-22"),
    )


@dataclasses.dataclass(frozen=True)
class CalendarRules:
    """Settings of the work calendar (TOML section ``calendar``).

    Attributes
    ----------
    school_terms
        School terms as ``(first day, last day)`` ISO dates, inclusive: school canteens are
        visited, and scheduled, only on school days. The defaults are approximate Zhejiang
        terms (autumn 2025, spring 2026, autumn 2026); replace them with the provincial
        education department's calendar for the plan year (``riskplan init`` writes
        :func:`default_school_terms` of the dataset's plan year, to be checked).
    market_weekdays
        Weekdays (0 = Monday ... 6 = Sunday) that are market days (early start allowed); empty:
        no market days.
        Range: [0, 6] (each value).
    out_of_range
        What to do for a year ``chinese_calendar`` does not cover: ``"raise"`` a RiskplanError, or
        fall back to ``"weekdays"`` (Monday-Friday, no holidays; the rows say so in
        ``calendar_source``).
    extra_holidays
        ISO dates that are not worked in addition to the official calendar (local closures).
    extra_workdays
        ISO dates that are worked although the official calendar says otherwise.
    """

    school_terms: tuple[tuple[str, str], ...] = dataclasses.field(
        default_factory=lambda: default_school_terms(2026)
    )
    market_weekdays: tuple[int, ...] = ()
    out_of_range: Literal["raise", "weekdays"] = "raise"
    extra_holidays: tuple[str, ...] = ()
    extra_workdays: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # dates are compared as text later: store them all as YYYY-MM-DD (basic ISO "20260901"
        # and other forms fromisoformat accepts would otherwise never match)
        terms = []
        for i, (start, end) in enumerate(self.school_terms):
            key = f"calendar.school_terms[{i}]"
            first, last = _iso(start, key), _iso(end, key)
            check(first <= last, key, f"term starts after it ends ({start} > {end})")
            terms.append((first.isoformat(), last.isoformat()))
        object.__setattr__(self, "school_terms", tuple(terms))
        object.__setattr__(self, "extra_holidays",
                           tuple(_iso(d, "calendar.extra_holidays").isoformat() for d in self.extra_holidays))
        object.__setattr__(self, "extra_workdays",
                           tuple(_iso(d, "calendar.extra_workdays").isoformat() for d in self.extra_workdays))
        check(
            all(0 <= d <= 6 for d in self.market_weekdays),
            "calendar.market_weekdays",
            "weekdays are 0 (Monday) ... 6 (Sunday)",
        )
        check(
            not set(self.extra_holidays) & set(self.extra_workdays),
            "calendar.extra_workdays",
            "a date cannot be both an extra holiday and an extra workday",
        )
        # the documented ranges (Range: in the Attributes above)
        check_range(self.market_weekdays, "calendar.market_weekdays", "[0, 6]")
