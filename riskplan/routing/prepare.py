"""Routing inputs made ready: the visits, the working days, and one :class:`Station` per station.

The first step of :func:`riskplan.routing.plan_routes`. Visits get the establishment columns routing
needs (coordinates, opening hours, township); visits that need no route or cannot have one are
reported (:func:`triage`); each station's routable visits become a :class:`Station` holding
everything the later steps read: the lab its perishable samples go to, travel matrices between
station, lab and visits, service times, visit windows and day restrictions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.routing.reasons import unassigned_row
from riskplan.routing.travel import travel_matrices
from riskplan.routing.windows import visit_windows
from riskplan.settings.routing import RoutingRules
from riskplan.tables import as_bool
from riskplan.timeofday import Window, parse_hhmm

VISIT_COLUMNS: tuple[str, ...] = ("visit_id", "establishment_id", "business_type", "samples", "perishable", "mode")
"""Columns the visits table must have."""

STATION_COLUMNS: tuple[str, ...] = ("station_id", "township_codes", "lon_wgs84", "lat_wgs84", "teams")
"""Columns the stations table must have."""

LAB_COLUMNS: tuple[str, ...] = ("lab_id", "lon_wgs84", "lat_wgs84", "intake_cutoff")
"""Columns the labs table must have (``intake_open`` is optional)."""


def require_columns(df: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    """Raise :class:`~riskplan.errors.RiskplanError` naming the columns of ``cols`` that ``df`` lacks.

    Parameters
    ----------
    df
        The table to check.
    cols
        Required column names.
    what
        The table's name in the message (``"visits"``, ``"stations"``, ...).
    """
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise RiskplanError(f"{what} table lacks column(s): {', '.join(missing)}")


def prepare_visits(visits: pd.DataFrame, establishments: pd.DataFrame | None) -> pd.DataFrame:
    """Visits with the establishment columns routing needs (coordinates, opening hours, township).

    Parameters
    ----------
    visits
        ``visit_id, establishment_id, business_type, samples, perishable, mode`` and, unless
        ``establishments`` is given, ``township_code, lon_wgs84, lat_wgs84``.
    establishments
        Table to take ``lon_wgs84, lat_wgs84, opening_hours, township_code, name, has_location``
        from when the visits lack them (or hold only missing values).

    Returns
    -------
    A copy with text IDs, numeric coordinates [deg], ``has_location`` (bool, False without
    coordinates), ``perishable`` (bool), ``samples`` (int, missing: 1), ``opening_hours`` and
    ``name`` (text), on a fresh 0..n-1 index.
    """
    require_columns(visits, VISIT_COLUMNS, "visits")
    v = visits.copy()
    need = ["lon_wgs84", "lat_wgs84", "opening_hours", "township_code", "name"]
    if establishments is not None:
        require_columns(establishments, ("establishment_id",), "establishments")
        est = establishments.drop_duplicates("establishment_id").set_index("establishment_id")
        for c in need + ["has_location"]:
            if c in est.columns and (c not in v.columns or v[c].isna().all()):
                v[c] = v["establishment_id"].map(est[c])
    for c in need:
        if c not in v.columns:
            if c in ("lon_wgs84", "lat_wgs84", "township_code"):
                raise RiskplanError(f"visits lack '{c}': pass establishments= to plan_routes")
            v[c] = "" if c != "lon_wgs84" else np.nan
    v["visit_id"] = v["visit_id"].astype(str)
    v["establishment_id"] = v["establishment_id"].astype(str)
    v["township_code"] = v["township_code"].astype(str)
    v["lon_wgs84"] = pd.to_numeric(v["lon_wgs84"], errors="coerce")
    v["lat_wgs84"] = pd.to_numeric(v["lat_wgs84"], errors="coerce")
    located = v["lon_wgs84"].notna() & v["lat_wgs84"].notna()
    v["has_location"] = (as_bool(v["has_location"]) & located) if "has_location" in v.columns else located
    v["perishable"] = as_bool(v["perishable"])
    v["samples"] = pd.to_numeric(v["samples"], errors="coerce").fillna(1).astype(int)
    v["opening_hours"] = v["opening_hours"].fillna("").astype(str)
    v["name"] = v["name"].fillna("").astype(str)
    dup = v["visit_id"].duplicated()
    if dup.any():
        raise RiskplanError(f"duplicate visit_id: {', '.join(v.loc[dup, 'visit_id'].head(5))}")
    return v.reset_index(drop=True)


def working_days(calendar: pd.DataFrame) -> pd.DataFrame:
    """The calendar's working days, in date order, on a 0..n-1 index.

    Parameters
    ----------
    calendar
        ``date, workday`` and optionally ``school_day, market_day``.

    Returns
    -------
    ``date`` (datetime64), ``school_day``, ``market_day`` (bool; missing flags: False).
    """
    require_columns(calendar, ("date", "workday"), "calendar")
    cal = calendar.copy()
    cal["date"] = pd.to_datetime(cal["date"])
    for c in ("school_day", "market_day"):
        cal[c] = as_bool(cal[c]) if c in cal.columns else False
    cal = cal[as_bool(cal["workday"])].sort_values("date").reset_index(drop=True)
    return cal[["date", "school_day", "market_day"]]


def choose_lab(labs: pd.DataFrame, lon: float, lat: float, lab_id: str = "") -> pd.Series:
    """The lab named ``lab_id``, or the one nearest to (``lon``, ``lat``) [deg] when it is empty."""
    require_columns(labs, LAB_COLUMNS, "labs")
    if len(labs) == 0:
        raise RiskplanError("labs table is empty")
    if lab_id:
        hit = labs[labs["lab_id"].astype(str) == lab_id]
        if hit.empty:
            raise RiskplanError(f"routing.lab_id {lab_id!r} is not in the labs table")
        return hit.iloc[0]
    d = (labs["lon_wgs84"].astype(float) - lon) ** 2 + (labs["lat_wgs84"].astype(float) - lat) ** 2
    return labs.iloc[int(np.argmin(d.to_numpy()))]


def area_types(townships: pd.DataFrame | None) -> dict[str, str]:
    """Township code -> area type (empty when no townships table is given: everything urban)."""
    if townships is None or "area_type" not in getattr(townships, "columns", []):
        return {}
    return dict(zip(townships["township_code"].astype(str), townships["area_type"].astype(str)))


def triage(visits: pd.DataFrame) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Split the visits into routable ones and those reported at once.

    Parameters
    ----------
    visits
        Prepared visits (:func:`prepare_visits`) with a ``station_id`` column (empty: no station).

    Returns
    -------
    routable
        Boolean mask over ``visits``.
    unassigned
        Rows of ``RoutePlan.unassigned`` for the others: ``purchase`` (not a visit),
        ``no_location``, ``no_station``.
    """
    routable = np.zeros(len(visits), dtype=bool)
    out: list[dict[str, Any]] = []
    for i, row in visits.iterrows():
        if str(row["mode"]) != "visit":
            out.append(unassigned_row(row, row["station_id"], "purchase"))
        elif not row["has_location"]:
            out.append(unassigned_row(row, row["station_id"], "no_location"))
        elif not row["station_id"]:
            detail = f"township {row['township_code']} is in no station's township_codes"
            out.append(unassigned_row(row, "", "no_station", detail))
        else:
            routable[i] = True
    return routable, out


@dataclasses.dataclass(frozen=True, eq=False)  # numpy fields: compare by identity
class Station:
    """One station's month, ready to be assigned to days and routed.

    Travel matrices have node 0 = the station, node 1 = the lab, node ``2 + i`` = visit ``i``.

    Attributes
    ----------
    station_id
        The station.
    teams
        Teams that go out on a working day (each can drive one route a day).
    lon, lat
        Station location [deg, WGS-84].
    lab
        The lab row (:func:`choose_lab`) perishable samples are delivered to.
    lab_open, lab_cutoff
        Lab intake opening and cut-off [min after midnight].
    visits
        The station's routable visits, local index ``0..m-1``.
    km
        ``(m + 2, m + 2)`` road distances [km].
    minutes
        ``(m + 2, m + 2)`` travel times [min], exact (not rounded).
    service
        Service time of each visit [min].
    windows
        Per visit, the windows in which the whole visit may take place [min after midnight].
    early
        Per visit, whether its business type allows the early start (markets).
    school
        Per visit, whether it may only take place on a school day.
    workload
        Per visit, service plus the round trip from the station, rounded up [min]: what the
        visit costs a team's day, used to size and balance days.
    """

    station_id: str
    teams: int
    lon: float
    lat: float
    lab: pd.Series
    lab_open: int
    lab_cutoff: int
    visits: pd.DataFrame
    km: np.ndarray
    minutes: np.ndarray
    service: np.ndarray
    windows: list[list[Window]]
    early: np.ndarray
    school: np.ndarray
    workload: np.ndarray


def prepare_station(
    station: Mapping[str, Any],
    visits: pd.DataFrame,
    labs: pd.DataFrame,
    rules: RoutingRules,
    areas: Mapping[str, str],
    travel_matrix: pd.DataFrame | None,
) -> Station:
    """Everything routing needs about one station's month of visits.

    Parameters
    ----------
    station
        One row of the stations table (:data:`STATION_COLUMNS`).
    visits
        The station's routable visits (prepared, at least one), on a 0..m-1 index.
    labs
        Labs table (:data:`LAB_COLUMNS`); the lab is ``rules.lab_id`` or the nearest one.
    rules
        Routing settings (windows, service times, speeds, detour factor, day restrictions).
    areas
        Township code -> area type (:func:`area_types`); unknown townships are ``urban``. The
        station takes the area type of the first township it covers, the lab ``urban``.
    travel_matrix
        User travel times (:func:`riskplan.routing.travel.read_travel_matrix`) overriding the
        great-circle estimate pair by pair, or None.

    Returns
    -------
    Station
    """
    sid = str(station["station_id"])
    teams = int(station["teams"])
    if teams < 1:
        raise RiskplanError(f"station {sid} has no team (teams = {teams})")
    slon, slat = float(station["lon_wgs84"]), float(station["lat_wgs84"])
    lab = choose_lab(labs, slon, slat, rules.lab_id)
    first_town = str(station["township_codes"]).split(";")[0].strip()
    ids = [sid, str(lab["lab_id"])] + visits["establishment_id"].tolist()
    lon = np.r_[slon, float(lab["lon_wgs84"]), visits["lon_wgs84"].to_numpy(float)]
    lat = np.r_[slat, float(lab["lat_wgs84"]), visits["lat_wgs84"].to_numpy(float)]
    at = [areas.get(first_town, "urban"), "urban"] + [areas.get(t, "urban") for t in visits["township_code"]]
    km, minutes = travel_matrices(ids, lon, lat, at, rules.detour_factor, rules.speeds, travel_matrix)
    service = np.array([rules.service_minutes(s) for s in visits["samples"]], dtype=int)
    windows = [
        visit_windows(bt, oh, rules.windows)
        for bt, oh in zip(visits["business_type"].astype(str), visits["opening_hours"])
    ]
    has_open = "intake_open" in lab.index and str(lab["intake_open"]) not in ("", "nan")
    return Station(
        station_id=sid,
        teams=teams,
        lon=slon,
        lat=slat,
        lab=lab,
        lab_open=parse_hhmm(str(lab["intake_open"])) if has_open else 0,
        lab_cutoff=parse_hhmm(str(lab["intake_cutoff"])),
        visits=visits,
        km=km,
        minutes=minutes,
        service=service,
        windows=windows,
        early=visits["business_type"].isin(rules.early_start_types).to_numpy(),
        school=visits["business_type"].isin(rules.school_day_types).to_numpy(),
        workload=service + np.ceil(minutes[0, 2:] + minutes[2:, 0]),
    )
