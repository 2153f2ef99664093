"""riskplan.selection.draw_teams: the "double random" draw of officers, seeded and logged."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from riskplan.calendar import work_calendar
from riskplan.errors import InfeasibleError, RiskplanError
from riskplan.selection import ROSTER_COLUMNS, SelectionRules, draw_teams


def stations() -> pd.DataFrame:
    return pd.DataFrame({"station_id": ["S1", "S2"], "township_codes": ["330304001", "330304002"],
                         "teams": [2, 1]})


def officers() -> pd.DataFrame:
    ids = [f"O{i:02d}" for i in range(1, 11)]
    return pd.DataFrame({"officer_id": ids, "name": ids, "station_id": ["S1"] * 6 + ["S2"] * 4})


def test_log_columns_and_one_row_per_team_and_day():
    cal = work_calendar(2026, 7)
    log = draw_teams(stations(), officers(), cal, SelectionRules(), seed=1)
    assert tuple(log.columns) == ROSTER_COLUMNS
    n_days = int(cal["workday"].sum())
    assert n_days == 23  # July 2026: 23 working days, no holiday
    assert len(log) == n_days * 3
    assert log["date"].dtype == "datetime64[ns]"
    assert set(log["date"]) == set(cal.loc[cal["workday"], "date"])
    assert sorted(log.groupby("station_id")["team"].max().items()) == [("S1", 2), ("S2", 1)]


def test_two_officers_from_own_roster_no_repeat_within_a_day():
    log = draw_teams(stations(), officers(), work_calendar(2026, 7), SelectionRules(), seed=2)
    roster = officers().groupby("station_id")["officer_id"].apply(set)
    for rec in log.itertuples():
        ids = rec.officer_ids.split(";")
        assert len(ids) == 2 and len(set(ids)) == 2
        assert set(ids) <= roster[rec.station_id]
    per_day = log.assign(o=log["officer_ids"].str.split(";")).explode("o")
    assert not per_day.duplicated(["date", "o"]).any()


def test_draw_is_random_across_days_and_reproducible():
    cal = work_calendar(2026, 7)
    a = draw_teams(stations(), officers(), cal, SelectionRules(), seed=3)
    b = draw_teams(stations(), officers(), cal, SelectionRules(), seed=3)
    c = draw_teams(stations(), officers(), cal, SelectionRules(), seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["officer_ids"].equals(c["officer_ids"])
    # not the same pair every day: S1 has 15 possible pairs
    assert a.loc[a["station_id"] == "S1", "officer_ids"].nunique() > 5


def test_a_day_draw_does_not_depend_on_the_other_days():
    month = draw_teams(stations(), officers(), work_calendar(2026, 7), SelectionRules(), seed=5)
    one = draw_teams(stations(), officers(), ["2026-07-15"], SelectionRules(), seed=5)
    day = month[month["date"] == pd.Timestamp("2026-07-15")].reset_index(drop=True)
    pd.testing.assert_frame_equal(day, one)


def test_small_roster_forms_fewer_teams_or_raises():
    st = stations().assign(teams=[4, 1])  # S1 has 6 officers: 3 teams of 2
    log = draw_teams(st, officers(), [dt.date(2026, 7, 1)], SelectionRules(), seed=0)
    assert log.loc[log["station_id"] == "S1", "team"].tolist() == [1, 2, 3]
    short = log.attrs["short_teams"]
    assert short.to_dict("records") == [
        {"station_id": "S1", "teams_wanted": 4, "teams_formed": 3, "roster_size": 6}
    ]
    with pytest.raises(InfeasibleError, match="station S2 has 4 officer"):
        draw_teams(stations(), officers(), ["2026-07-01"], SelectionRules(officers_per_team=5), seed=0)
    with pytest.raises(InfeasibleError, match="station S3 has 0 officer"):
        draw_teams(pd.concat([stations(), pd.DataFrame({"station_id": ["S3"], "teams": [1]})]),
                   officers(), ["2026-07-01"], SelectionRules(), seed=0)


def test_bad_inputs():
    with pytest.raises(RiskplanError, match="officers lacks column"):
        draw_teams(stations(), officers().drop(columns="station_id"), ["2026-07-01"])
    with pytest.raises(RiskplanError, match="dates must be dates"):
        draw_teams(stations(), officers(), ["not a date"])


@pytest.mark.parametrize("teams", [pd.array([2, pd.NA], dtype="Int64"), [2, None], [2, "two"], [2, 0], [2, 1.5]])
def test_bad_team_count_names_station(teams):
    st = stations().assign(teams=teams)
    with pytest.raises(RiskplanError, match=r"stations\.teams .*station S2"):
        draw_teams(st, officers(), ["2026-07-01"])
    st = stations().assign(teams=["2", "1"])  # text counts are fine
    assert len(draw_teams(st, officers(), ["2026-07-01"])) == 3
