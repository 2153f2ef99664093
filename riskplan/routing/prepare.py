"""Routing inputs made ready: the visits, the working days, the stations, the labs.

The first step of :func:`riskplan.routing.plan_routes`. Visits get the establishment columns routing
needs (coordinates, opening hours, township); a visit whose establishment has no coordinates is
placed at its township's centre and flagged ``navigate_by_address``; visits that need no route or
cannot have one are reported (:func:`triage`). The stations, the labs (:class:`LabInfo`: intake
hours, daily capacity, the weekdays it takes samples) and every routable visit of the month become
the nodes of one travel network (:mod:`riskplan.routing.network`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.routing.reasons import unassigned_row
from riskplan.tables import as_bool, parse_weekdays
from riskplan.timeofday import parse_hhmm

VISIT_COLUMNS: tuple[str, ...] = ("visit_id", "establishment_id", "business_type", "samples", "perishable", "mode")
"""Columns the visits table must have."""

STATION_COLUMNS: tuple[str, ...] = ("station_id", "township_codes", "lon_wgs84", "lat_wgs84", "teams")
"""Columns the stations table must have."""

LAB_COLUMNS: tuple[str, ...] = ("lab_id", "lon_wgs84", "lat_wgs84", "intake_cutoff")
"""Columns the labs table must have (``intake_open``, ``name``, ``address``, ``capacity_per_day`` and
``working_days`` are optional)."""


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


def township_centres(townships: pd.DataFrame | None) -> dict[str, tuple[float, float]]:
    """Township code -> its centre (lon, lat) [deg]: the centroid columns, else the polygon's centroid.

    Parameters
    ----------
    townships
        ``township_code`` and ``centroid_lon_wgs84``/``centroid_lat_wgs84`` or a ``geometry``
        (WGS-84); None gives an empty mapping.
    """
    if townships is None or "township_code" not in getattr(townships, "columns", []):
        return {}
    out: dict[str, tuple[float, float]] = {}
    lon = pd.to_numeric(townships.get("centroid_lon_wgs84", pd.Series(np.nan, index=townships.index)),
                        errors="coerce")
    lat = pd.to_numeric(townships.get("centroid_lat_wgs84", pd.Series(np.nan, index=townships.index)),
                        errors="coerce")
    geoms = townships["geometry"] if "geometry" in townships.columns else [None] * len(townships)
    for code, x, y, g in zip(townships["township_code"].astype(str), lon, lat, geoms):
        if pd.notna(x) and pd.notna(y):
            out[code] = (float(x), float(y))
        elif g is not None and hasattr(g, "is_empty") and not g.is_empty:
            # a representative point lies inside the polygon even for a concave township
            p = g.representative_point()
            out[code] = (float(p.x), float(p.y))
    return out


def prepare_visits(
    visits: pd.DataFrame,
    establishments: pd.DataFrame | None,
    townships: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Visits with the establishment columns routing needs (coordinates, opening hours, township).

    Parameters
    ----------
    visits
        ``visit_id, establishment_id, business_type, samples, perishable, mode`` and, unless
        ``establishments`` is given, ``township_code, lon_wgs84, lat_wgs84``.
    establishments
        Table to take ``lon_wgs84, lat_wgs84, opening_hours, township_code, name, address,
        has_location`` from when the visits lack them (or hold only missing values).
    townships
        Townships with their centres (:func:`township_centres`): a visit without coordinates is
        placed at its township's centre and flagged ``navigate_by_address``.

    Returns
    -------
    A copy with text IDs, numeric coordinates [deg], ``has_location`` (bool, False without
    coordinates of its own), ``navigate_by_address`` (bool: placed at its township's centre),
    ``perishable`` (bool), ``samples`` (int, missing: 1), ``opening_hours``, ``name``,
    ``address`` and ``categories_to_sample`` (text), on a fresh 0..n-1 index.
    """
    require_columns(visits, VISIT_COLUMNS, "visits")
    v = visits.copy()
    need = ["lon_wgs84", "lat_wgs84", "opening_hours", "township_code", "name", "address"]
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
            v[c] = ""
    v["visit_id"] = v["visit_id"].astype(str)
    v["establishment_id"] = v["establishment_id"].astype(str)
    v["township_code"] = v["township_code"].astype(str)
    v["lon_wgs84"] = pd.to_numeric(v["lon_wgs84"], errors="coerce")
    v["lat_wgs84"] = pd.to_numeric(v["lat_wgs84"], errors="coerce")
    located = v["lon_wgs84"].notna() & v["lat_wgs84"].notna()
    v["has_location"] = (as_bool(v["has_location"]) & located) if "has_location" in v.columns else located
    centres = township_centres(townships)
    place = ~v["has_location"] & v["township_code"].isin(list(centres))
    v["navigate_by_address"] = place.to_numpy(dtype=bool)
    if place.any():
        v.loc[place, "lon_wgs84"] = [centres[t][0] for t in v.loc[place, "township_code"]]
        v.loc[place, "lat_wgs84"] = [centres[t][1] for t in v.loc[place, "township_code"]]
    v["perishable"] = as_bool(v["perishable"])
    v["samples"] = pd.to_numeric(v["samples"], errors="coerce").fillna(1).astype(int)
    for c in ("opening_hours", "name", "address"):
        v[c] = v[c].fillna("").astype(str)
    cats = v["categories_to_sample"] if "categories_to_sample" in v.columns else v.get("category_code", "")
    v["categories_to_sample"] = pd.Series(cats, index=v.index).fillna("").astype(str)
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


def later_working_days(days: pd.DataFrame, later: pd.DataFrame | None, n: int = 15) -> list[pd.Timestamp]:
    """Working days after the planned period, where samples kept overnight may be delivered.

    Parameters
    ----------
    days
        The period's working days (:func:`working_days`).
    later
        A calendar of the days that follow (``date, workday``, e.g. the next month's), or None:
        the weekdays after the period.
    n
        How many days to return.
    """
    last = pd.Timestamp(days["date"].max()) if len(days) else None
    if later is not None and len(later):
        out = [pd.Timestamp(d) for d in working_days(later)["date"]]
        out = [d for d in out if last is None or d > last]
        if out:
            return out[:n]
    start = (last or pd.Timestamp("1970-01-01")) + pd.Timedelta(days=1)
    return [pd.Timestamp(d) for d in pd.bdate_range(start, periods=n)]


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
        ``no_location`` (no coordinates and no township centre to place it at), ``no_station``.
    """
    routable = np.zeros(len(visits), dtype=bool)
    out: list[dict[str, Any]] = []
    for i, (_, row) in enumerate(visits.iterrows()):
        placed = bool(row["has_location"]) or bool(row["navigate_by_address"])
        if str(row["mode"]) != "visit":
            out.append(unassigned_row(row, row["station_id"], "purchase"))
        elif not placed:
            out.append(unassigned_row(row, row["station_id"], "no_location"))
        elif not row["station_id"]:
            detail = f"township {row['township_code']} is in no station's township_codes"
            out.append(unassigned_row(row, "", "no_station", detail))
        else:
            routable[i] = True
    return routable, out


@dataclasses.dataclass(frozen=True)
class LabInfo:
    """A lab as routing sees it.

    Attributes
    ----------
    lab_id, name, address
        The lab.
    lon, lat
        Location [deg, WGS-84].
    open, cutoff
        Intake opening and cut-off [min after midnight]; perishable samples arrive before the cut-off.
    capacity
        Samples it takes in on one day (None: no limit).
    weekdays
        Weekdays (0 = Monday) it takes samples on, None: every working day.
    """

    lab_id: str
    name: str
    address: str
    lon: float
    lat: float
    open: int
    cutoff: int
    capacity: int | None
    weekdays: frozenset[int] | None

    def takes(self, date: pd.Timestamp) -> bool:
        """The lab takes samples on ``date`` (a working day)."""
        return self.weekdays is None or pd.Timestamp(date).weekday() in self.weekdays


def _text(row: pd.Series, col: str) -> str:
    v = row.get(col, "")
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip()


def lab_infos(labs: pd.DataFrame, lab_id: str = "") -> list[LabInfo]:
    """The labs routing may deliver to: ``lab_id`` alone when given, else every lab of the table.

    Raises
    ------
    RiskplanError
        When the table is empty or lacks a column, ``lab_id`` is not in it, or a capacity or
        weekday list cannot be read (naming the lab and column).
    """
    require_columns(labs, LAB_COLUMNS, "labs")
    if len(labs) == 0:
        raise RiskplanError("labs table is empty")
    tab = labs.assign(lab_id=labs["lab_id"].astype(str))
    if lab_id:
        tab = tab[tab["lab_id"] == lab_id]
        if tab.empty:
            raise RiskplanError(f"routing.lab_id {lab_id!r} is not in the labs table")
    out = []
    for _, row in tab.iterrows():
        lid = str(row["lab_id"])
        cap_text = _text(row, "capacity_per_day")
        try:
            cap = int(float(cap_text)) if cap_text else None
            weekdays = parse_weekdays(_text(row, "working_days"))
        except ValueError as exc:
            raise RiskplanError(f"labs: lab {lid}: capacity_per_day / working_days: {exc}") from None
        if cap is not None and cap < 1:
            raise RiskplanError(f"labs: lab {lid}: capacity_per_day must be at least 1, got {cap}")
        opening = _text(row, "intake_open")
        out.append(LabInfo(
            lab_id=lid, name=_text(row, "name"), address=_text(row, "address"),
            lon=float(row["lon_wgs84"]), lat=float(row["lat_wgs84"]),
            open=parse_hhmm(opening) if opening else 0, cutoff=parse_hhmm(str(row["intake_cutoff"])),
            capacity=cap, weekdays=weekdays,
        ))
    return out


@dataclasses.dataclass(frozen=True)
class StationInfo:
    """A station as routing sees it: ``station_id``, ``name``, ``teams``, location [deg], first township."""

    station_id: str
    name: str
    teams: int
    lon: float
    lat: float
    township: str


def station_infos(stations: pd.DataFrame) -> list[StationInfo]:
    """Every station of the table (:data:`STATION_COLUMNS`), in table order.

    Raises
    ------
    RiskplanError
        For a station without a team.
    """
    require_columns(stations, STATION_COLUMNS, "stations")
    out = []
    for _, row in stations.iterrows():
        sid = str(row["station_id"])
        teams = int(row["teams"])
        if teams < 1:
            raise RiskplanError(f"station {sid} has no team (teams = {teams})")
        out.append(StationInfo(sid, _text(row, "name"), teams, float(row["lon_wgs84"]), float(row["lat_wgs84"]),
                               str(row["township_codes"]).split(";")[0].strip()))
    return out
