"""Work calendar: which days field teams work, which are school days and market days.

Working days follow the official Chinese calendar: weekends off, public holidays off and the
make-up working days (调休, a Saturday or Sunday that is worked to bridge a holiday) on, as kept
by the ``chinese_calendar`` package (it covers 2004 to the last year the State Council has
published, 2026 for version 1.11). School days are working days inside the configured school terms
(school canteens are sampled on school days only); market days are configurable weekdays on which
teams may start early at wet markets.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.settings.calendar import CalendarRules

CALENDAR_COLUMNS: tuple[str, ...] = (
    "date",
    "weekday",
    "workday",
    "holiday",
    "school_day",
    "market_day",
    "calendar_source",
)
"""Columns of :func:`work_calendar`'s table, in order."""


def _official(days: list[dt.date], out_of_range: str) -> tuple[np.ndarray, list[str], list[str]]:
    """Workday flag, holiday name ('' if none) and source of each day."""
    import chinese_calendar

    work, names, source = [], [], []
    for d in days:
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:
            if out_of_range == "raise":
                raise RiskplanError(
                    f"the chinese_calendar package has no holiday data for {d.year} "
                    f"(update it: pip install -U chinese-calendar), or set "
                    f"calendar.out_of_range = \"weekdays\" to fall back to Monday-Friday"
                ) from None
            work.append(d.weekday() < 5)
            names.append("")
            source.append("weekdays")
            continue
        work.append(not is_holiday)
        # name is set for public holidays and for their make-up working days
        names.append(str(getattr(name, "name", name) or "") if is_holiday else "")
        source.append("chinese_calendar")
    return np.array(work, dtype=bool), names, source


def work_calendar(year: int, month: int | None = None, rules: CalendarRules | None = None) -> pd.DataFrame:
    """Day-by-day work calendar of a month (or of a whole year).

    Parameters
    ----------
    year
        Calendar year, e.g. 2026.
    month
        Month 1-12, or None for the whole year.
    rules
        Calendar settings; defaults to ``CalendarRules()``.

    Returns
    -------
    pandas.DataFrame
        One row per day with ``date`` (datetime64), ``weekday`` (0 = Monday ... 6 = Sunday),
        ``workday`` (bool: teams work; weekends and public holidays off, make-up days 调休 on),
        ``holiday`` (English name of the public holiday, '' otherwise), ``school_day`` (workday
        inside a school term), ``market_day`` (workday on a configured market weekday) and
        ``calendar_source`` (``chinese_calendar``, ``weekdays`` for the fallback, or ``override``
        for configured extra holidays / workdays).

    Raises
    ------
    RiskplanError
        For a bad year or month, or a year outside ``chinese_calendar``'s range when
        ``rules.out_of_range == "raise"``.
    """
    rules = rules or CalendarRules()
    if not isinstance(year, (int, np.integer)) or not 1900 <= int(year) <= 2200:
        raise RiskplanError(f"year must be an integer year, got {year!r}")
    if month is None:
        start, end = pd.Timestamp(int(year), 1, 1), pd.Timestamp(int(year), 12, 31)
    else:
        if not isinstance(month, (int, np.integer)) or not 1 <= int(month) <= 12:
            raise RiskplanError(f"month must be 1-12, got {month!r}")
        start = pd.Timestamp(int(year), int(month), 1)
        end = start + pd.offsets.MonthEnd(0)
    dates = pd.date_range(start, end, freq="D")
    days = [d.date() for d in dates]
    work, names, source = _official(days, rules.out_of_range)
    iso = np.array([d.isoformat() for d in days])
    off = np.isin(iso, list(rules.extra_holidays))
    on = np.isin(iso, list(rules.extra_workdays))
    work = (work & ~off) | on
    source_arr = np.where(off | on, "override", np.array(source, dtype=object))
    in_term = np.zeros(len(days), dtype=bool)
    for first, last in rules.school_terms:
        in_term |= (iso >= first) & (iso <= last)
    weekday = dates.day_of_week.to_numpy()
    return pd.DataFrame(
        {
            "date": dates.astype("datetime64[ns]"),
            "weekday": weekday.astype(int),
            "workday": work,
            "holiday": pd.array(names, dtype="string"),
            "school_day": work & in_term,
            "market_day": work & np.isin(weekday, list(rules.market_weekdays)),
            "calendar_source": pd.array(source_arr.tolist(), dtype="string"),
        }
    )


def workdays(year: int, month: int | None = None, rules: CalendarRules | None = None) -> list[dt.date]:
    """The working days of a month (or year) as a list of ``datetime.date``."""
    cal = work_calendar(year, month, rules)
    return [d.date() for d in cal.loc[cal["workday"], "date"]]
