"""The "double random" rule (双随机): random inspected shops and randomly drawn inspectors.

Each working day, each station's teams get ``officers_per_team`` officers drawn at random from the
station's roster, no officer twice on one day. The draw of a (station, day) uses its own random
stream derived from the seed, the date and the station, so it does not change when other days or
stations are added; the returned table is the log of the draw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from riskplan.errors import InfeasibleError, RiskplanError
from riskplan.selection.streams import keyed_rng
from riskplan.settings.selection import SelectionRules

ROSTER_COLUMNS: tuple[str, ...] = ("station_id", "date", "team", "officer_ids", "roster_size", "seed")
"""Columns of :func:`draw_teams`'s log."""


def _dates(dates: pd.DataFrame | Iterable) -> list[pd.Timestamp]:
    if isinstance(dates, pd.DataFrame):
        if "date" not in dates.columns:
            raise RiskplanError("a calendar table needs a date column")
        d = dates.loc[dates["workday"].astype(bool), "date"] if "workday" in dates.columns else dates["date"]
        values = list(d)
    else:
        values = list(dates)
    try:
        out = sorted({pd.Timestamp(v).normalize() for v in values})
    except (ValueError, TypeError) as exc:
        raise RiskplanError(f"dates must be dates or ISO YYYY-MM-DD text ({exc})") from None
    return out


def draw_teams(
    stations: pd.DataFrame,
    officers: pd.DataFrame,
    dates: pd.DataFrame | Iterable[dt.date | str],
    rules: SelectionRules | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Draw the officers of every team of every station for each working day.

    Parameters
    ----------
    stations
        ``station_id`` and ``teams`` (int >= 1).
    officers
        The roster: ``officer_id`` and ``station_id``.
    dates
        The days to draw for: dates or ISO text, or a :func:`riskplan.calendar.work_calendar` table
        (its ``workday`` rows are used).
    rules
        ``rules.officers_per_team`` officers per team (default 2).
    seed
        Seed of the draw.

    Returns
    -------
    pandas.DataFrame
        The log, one row per (station, date, team): ``station_id``, ``date`` (datetime64),
        ``team`` (1, 2, ...), ``officer_ids`` (``;`` list, sorted), ``roster_size`` and ``seed``.
        A station whose roster is too small for all its teams gets as many teams as the roster
        allows (``df.attrs["short_teams"]`` lists such stations with teams wanted and formed).

    Raises
    ------
    InfeasibleError
        If a station's roster cannot form a single team.
    """
    rules = rules or SelectionRules()
    for df, cols, what in ((stations, ("station_id", "teams"), "stations"),
                           (officers, ("officer_id", "station_id"), "officers")):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise RiskplanError(f"{what} lacks column(s): {', '.join(missing)}")
    k = rules.officers_per_team
    days = _dates(dates)
    roster = {
        sid: np.array(sorted(g["officer_id"].astype(str).unique()), dtype=object)
        for sid, g in officers.assign(station_id=officers["station_id"].astype(str)).groupby("station_id")
    }
    rows: list[tuple] = []
    short: list[tuple] = []
    team_counts = pd.to_numeric(stations["teams"], errors="coerce").astype(float)
    for sid, teams, raw in zip(stations["station_id"].astype(str), team_counts, stations["teams"]):
        if not np.isfinite(teams) or teams < 1 or teams != int(teams):
            shown = "missing" if raw is None or (not isinstance(raw, str) and pd.isna(raw)) else repr(raw)
            raise RiskplanError(f"stations.teams must be a whole number >= 1; station {sid} has {shown}")
        teams = int(teams)
        people = roster.get(sid, np.array([], dtype=object))
        formed = min(int(teams), people.size // k)
        if formed == 0:
            raise InfeasibleError(
                f"station {sid} has {people.size} officer(s) on its roster, "
                f"fewer than the {k} needed for one team"
            )
        if formed < teams:
            short.append((sid, int(teams), formed, people.size))
        for day in days:
            rng = keyed_rng(seed, day.toordinal(), sid)
            drawn = rng.permutation(people.size)[: formed * k]
            for t in range(formed):
                ids = sorted(people[drawn[t * k : (t + 1) * k]])
                rows.append((sid, day, t + 1, ";".join(ids), people.size, int(seed)))
    log = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    log["date"] = pd.to_datetime(log["date"]).astype("datetime64[ns]")
    log = log.astype({"station_id": "string", "officer_ids": "string", "team": int, "roster_size": int})
    log = log.sort_values(["date", "station_id", "team"], kind="stable").reset_index(drop=True)
    log.attrs["short_teams"] = pd.DataFrame(
        short, columns=["station_id", "teams_wanted", "teams_formed", "roster_size"]
    )
    return log
