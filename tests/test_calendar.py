"""riskplan.calendar: working days from the official calendar, school terms, market days."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pandas as pd
import pytest

from riskplan._settings import section_from_dict, section_to_dict
from riskplan.calendar import CALENDAR_COLUMNS, CalendarRules, work_calendar, workdays
from riskplan.errors import ConfigError, RiskplanError


def day(cal: pd.DataFrame, iso: str) -> pd.Series:
    return cal.set_index("date").loc[pd.Timestamp(iso)]


def test_columns_and_types():
    cal = work_calendar(2026, 7)
    assert tuple(cal.columns) == CALENDAR_COLUMNS
    assert len(cal) == 31
    assert cal["date"].dtype == "datetime64[ns]"
    assert cal["workday"].dtype == bool and cal["school_day"].dtype == bool
    assert (cal["weekday"] == cal["date"].dt.day_of_week).all()
    assert (cal["calendar_source"] == "chinese_calendar").all()


def test_national_day_2026_and_makeup_saturday():
    cal = work_calendar(2026, 10)
    for d in range(1, 8):
        row = day(cal, f"2026-10-{d:02d}")
        assert not row["workday"] and not row["school_day"]
    assert day(cal, "2026-10-01")["holiday"] == "National Day"
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday (调休)
    assert dt.date(2026, 10, 10).weekday() == 5
    assert day(cal, "2026-10-10")["workday"]
    assert chinese_calendar.is_workday(dt.date(2026, 10, 10))
    assert not day(cal, "2026-10-11")["workday"]  # an ordinary Sunday


def test_other_2026_facts():
    year = work_calendar(2026)
    assert len(year) == 365
    # every day agrees with the library
    lib = [chinese_calendar.is_workday(d.date()) for d in year["date"]]
    assert year["workday"].tolist() == lib
    # make-up working days on weekends in 2026 (published by the State Council)
    makeup = year.loc[year["workday"] & (year["weekday"] >= 5), "date"].dt.strftime("%Y-%m-%d").tolist()
    assert makeup == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert int(year["workday"].sum()) == 248
    # Spring Festival week off, Labour Day off
    assert not day(year, "2026-02-17")["workday"]
    assert not day(year, "2026-05-01")["workday"]


def test_school_days_follow_terms():
    cal = work_calendar(2026)
    assert day(cal, "2026-07-03")["school_day"] and not day(cal, "2026-07-06")["school_day"]
    assert not day(cal, "2026-08-03")["school_day"] and day(cal, "2026-08-03")["workday"]
    assert day(cal, "2026-09-01")["school_day"]
    assert not cal.loc[~cal["workday"], "school_day"].any()
    rules = CalendarRules(school_terms=(("2026-08-01", "2026-08-31"),))
    aug = work_calendar(2026, 8, rules)
    assert (aug["school_day"] == aug["workday"]).all()


def test_market_days_and_overrides():
    rules = CalendarRules(market_weekdays=(1, 4), extra_holidays=("2026-07-01",),
                          extra_workdays=("2026-07-04",))
    cal = work_calendar(2026, 7, rules)
    assert (cal.loc[cal["market_day"], "weekday"].isin([1, 4])).all()
    assert (cal["market_day"] == (cal["workday"] & cal["weekday"].isin([1, 4]))).all()
    assert not day(cal, "2026-07-01")["workday"] and day(cal, "2026-07-01")["calendar_source"] == "override"
    assert day(cal, "2026-07-04")["workday"]
    assert workdays(2026, 7, rules)[0] == dt.date(2026, 7, 2)


def test_out_of_range_year_raises_or_falls_back():
    with pytest.raises(RiskplanError, match="no holiday data for 2030"):
        work_calendar(2030, 1)
    cal = work_calendar(2030, 1, CalendarRules(out_of_range="weekdays"))
    assert (cal["calendar_source"] == "weekdays").all()
    assert (cal["workday"] == (cal["weekday"] < 5)).all()  # 2030-01-01 counted as worked: no data


def test_bad_arguments_and_settings():
    with pytest.raises(RiskplanError, match="month must be 1-12"):
        work_calendar(2026, 13)
    with pytest.raises(RiskplanError, match="year must be"):
        work_calendar("2026")  # type: ignore[arg-type]
    rules = section_from_dict(CalendarRules, {"market_weekdays": [0], "out_of_range": "weekdays"}, "calendar")
    assert section_from_dict(CalendarRules, section_to_dict(rules), "calendar") == rules
    with pytest.raises(ConfigError, match="calendar.school_terms"):
        section_from_dict(CalendarRules, {"school_terms": [["2026-09-01", "2026-01-01"]]}, "calendar")
    with pytest.raises(ConfigError, match="calendar.school_terms"):
        section_from_dict(CalendarRules, {"school_terms": [["2026-13-01", "2027-01-01"]]}, "calendar")
    with pytest.raises(ConfigError, match="calendar.market_weekdays"):
        section_from_dict(CalendarRules, {"market_weekdays": [7]}, "calendar")
    with pytest.raises(ConfigError, match="calendar.out_of_range"):
        section_from_dict(CalendarRules, {"out_of_range": "guess"}, "calendar")


def test_basic_iso_dates_are_normalised():
    """Dates written "20260901" (basic ISO) are honoured, not silently ignored."""
    basic = CalendarRules(
        school_terms=(("20260901", "20270122"),),
        extra_holidays=("20260902",),
        extra_workdays=("20260905",),
    )
    assert basic.school_terms == (("2026-09-01", "2027-01-22"),)
    assert basic.extra_holidays == ("2026-09-02",)
    assert basic.extra_workdays == ("2026-09-05",)
    cal = work_calendar(2026, 9, basic).set_index("date")
    assert not cal.loc["2026-09-02", "workday"]  # a Wednesday made a holiday
    assert cal.loc["2026-09-05", "workday"]  # a Saturday made a workday
    assert cal.loc["2026-09-01", "school_day"]
    assert cal.loc["2026-09-03", "school_day"]
