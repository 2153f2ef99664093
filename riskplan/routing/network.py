"""One month of one district as a routing problem: :class:`Month`.

Every station, lab and routable visit of the month is a node of one travel network (node ``s`` the
station ``s``, then the labs, then the visits), so a visit can be routed by a team of another
station and its samples delivered to any lab. :class:`Month` also holds what the later steps read
about each visit (service time, windows, day restrictions, samples, the longest overnight hold
allowed) and when each lab takes samples (:meth:`Month.delivery_date`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from riskplan.routing.prepare import LabInfo, StationInfo
from riskplan.routing.travel import travel_matrices
from riskplan.routing.windows import visit_windows
from riskplan.settings.routing import RoutingRules
from riskplan.timeofday import Window


@dataclasses.dataclass(frozen=True, eq=False)  # numpy fields: compare by identity
class Month:
    """A month's routing problem.

    Attributes
    ----------
    visits
        The routable visits, local index ``0..m-1`` (``station_id`` the station covering it).
    days
        Working days ``0..n-1``: ``date, school_day, market_day``.
    later
        Working days after the month, where samples kept overnight on its last day go.
    stations, labs
        Station ``s`` is node ``s``; lab ``l`` is node ``len(stations) + l``.
    home
        Per visit, the index of the station covering it.
    nearest
        Per visit, the other station nearest to it by travel time (-1: there is none).
    km, minutes
        Road distances [km] and travel times [min] between all nodes, exact (not rounded).
    service
        Service time of each visit [min].
    windows
        Per visit, the windows in which the whole visit may take place [min after midnight].
    early
        Per visit, its business type allows the early start (markets).
    school
        Per visit, it may only take place on a school day.
    perishable, samples
        Per visit: perishable samples (cold chain, same-day lab), number of samples.
    hold_hours
        Per perishable visit, the longest overnight hold in the station's cold storage allowed [h]
        (0: never held).
    rules
        Routing settings.
    allowed
        Per visit, the dates (ISO) it may take place on, or None: any working day (empty
        tuple: no visit is restricted). An inspection campaign's visits are allowed on the
        first working days of a term only (column ``allowed_dates`` of the visits).
    """

    visits: pd.DataFrame
    days: pd.DataFrame
    later: list[pd.Timestamp]
    stations: list[StationInfo]
    labs: list[LabInfo]
    home: np.ndarray
    nearest: np.ndarray
    km: np.ndarray
    minutes: np.ndarray
    service: np.ndarray
    windows: list[list[Window]]
    early: np.ndarray
    school: np.ndarray
    perishable: np.ndarray
    samples: np.ndarray
    hold_hours: np.ndarray
    rules: RoutingRules
    allowed: tuple[frozenset[str] | None, ...] = ()

    @property
    def n_visits(self) -> int:
        """Routable visits."""
        return len(self.visits)

    def lab_node(self, lab: int) -> int:
        """Node of lab ``lab``."""
        return len(self.stations) + lab

    def visit_node(self, visit: int) -> int:
        """Node of visit ``visit``."""
        return len(self.stations) + len(self.labs) + visit

    @functools.cached_property
    def _dates(self) -> list[pd.Timestamp]:
        """Every working day's date (read once: a row of ``days`` per call was a tenth of routing)."""
        return [pd.Timestamp(d) for d in self.days["date"]]

    @functools.cached_property
    def visit_columns(self) -> dict[str, list[Any]]:
        """Every column of :attr:`visits` as a Python list.

        Read once: each column access copies the table's ``attrs``, and a row of ``visits`` per
        stop was a tenth of the day routes' own work.
        """
        return {str(c): self.visits[c].tolist() for c in self.visits.columns}

    @functools.cached_property
    def market_days(self) -> np.ndarray:
        """Working day ``d`` is a market day (bool per day)."""
        return self.days["market_day"].to_numpy(bool)

    @functools.cached_property
    def school_days(self) -> np.ndarray:
        """Working day ``d`` is a school day (bool per day)."""
        return self.days["school_day"].to_numpy(bool)

    @functools.cached_property
    def weeks(self) -> list[tuple[int, int]]:
        """ISO ``(year, week)`` of every working day."""
        return [(int(d.isocalendar()[0]), int(d.isocalendar()[1])) for d in self._dates]

    def may_go_out(self, used_days: Iterable[int], day: int) -> bool:
        """A team out on ``used_days`` may also go out on working day ``day``.

        At least ``routing.min_gap_days`` between its field days and at most
        ``routing.field_days_per_week`` of them in one week.
        """
        rules = self.rules
        used = list(used_days)
        if any(0 < abs(day - d) < rules.min_gap_days for d in used):
            return False
        week = self.weeks[day]
        return sum(1 for d in used if self.weeks[d] == week) < rules.field_days_per_week

    @functools.cached_property
    def _delivered(self) -> dict[tuple[int, int], pd.Timestamp]:
        """Memo of :meth:`delivery_date` by (lab, day): filled as asked."""
        return {}

    def date(self, day: int) -> pd.Timestamp:
        """Date of working day ``day``."""
        return self._dates[day]

    def school_day(self, day: int) -> bool:
        """Working day ``day`` is a school day."""
        return bool(self.school_days[day])

    def allowed_on(self, visit: int, day: int) -> bool:
        """Visit ``visit`` may take place on working day ``day`` (its ``allowed_dates``)."""
        dates = self.allowed[visit] if self.allowed else None
        return dates is None or self.date(day).date().isoformat() in dates

    def market_day(self, day: int) -> bool:
        """Working day ``day`` is a market day."""
        return bool(self.market_days[day])

    @functools.cached_property
    def _takes(self) -> list[list[bool]]:
        """:meth:`takes` per lab and working day (read once: asked some 10^5 times a month)."""
        return [[lab.takes(d) for d in self._dates] for lab in self.labs]

    def takes(self, lab: int, day: int) -> bool:
        """Lab ``lab`` takes samples on working day ``day``."""
        return self._takes[lab][day]

    def delivery_date(self, lab: int, day: int) -> pd.Timestamp:
        """When samples kept at the station overnight after working day ``day`` reach lab ``lab``.

        The first working day after ``day`` (of the month, then of :attr:`later`) on which the lab
        takes samples; the samples go with the next morning's intake run from the station.
        """
        memo = self._delivered.get((lab, day))
        if memo is not None:
            return memo
        after = self._dates[day + 1:] + list(self.later)
        found = next((d for d in after if self.labs[lab].takes(d)), None)
        if found is None:
            found = after[-1] if after else self.date(day) + pd.Timedelta(days=1)
        self._delivered[(lab, day)] = found
        return found


def service_minutes(visits: pd.DataFrame, rules: RoutingRules) -> np.ndarray:
    """Service time of each visit [min].

    Its ``service_minutes`` column where positive (an inspection campaign's visit length), else
    ``routing.service_minutes`` of its samples.
    """
    base = np.array([rules.service_minutes(int(s)) for s in visits["samples"]], dtype=int)
    if "service_minutes" not in visits.columns:
        return base
    own = pd.to_numeric(visits["service_minutes"], errors="coerce").fillna(0).to_numpy(int)
    return np.where(own > 0, own, base).astype(int)


def allowed_dates(visits: pd.DataFrame) -> tuple[frozenset[str] | None, ...]:
    """Per visit, the ISO dates of its ``allowed_dates`` column (``;`` list), None where empty.

    An empty tuple when the column is absent (no visit restricted).
    """
    if "allowed_dates" not in visits.columns:
        return ()
    return tuple(frozenset(x for x in str(v).split(";") if x) if isinstance(v, str) and v else None
                 for v in visits["allowed_dates"])


def hold_limits(visits: pd.DataFrame, rules: RoutingRules, categories: pd.DataFrame | None) -> np.ndarray:
    """The longest overnight hold allowed for each perishable visit [h] (0: never held).

    Every perishable category a visit samples must be allowed in ``routing.overnight_hold_hours``
    (without a categories table every category it samples counts as perishable).
    """
    if not rules.overnight_hold_hours:
        return np.zeros(len(visits))
    perishable_codes: set[str] | None = None
    if categories is not None and {"category_code", "perishable"} <= set(categories.columns):
        flag = categories["perishable"].astype(str).str.strip().str.lower().isin(("true", "1", "yes", "是"))
        perishable_codes = set(categories.loc[flag, "category_code"].astype(str))
    out = np.zeros(len(visits))
    for i, (cats, per) in enumerate(zip(visits["categories_to_sample"], visits["perishable"])):
        if not per:
            continue
        codes = [c for c in str(cats).split(";") if c]
        if perishable_codes is not None:
            codes = [c for c in codes if c in perishable_codes] or codes
        out[i] = rules.hold_hours(codes)
    return out


def build_month(
    visits: pd.DataFrame,
    days: pd.DataFrame,
    later: list[pd.Timestamp],
    stations: list[StationInfo],
    labs: list[LabInfo],
    rules: RoutingRules,
    areas: Mapping[str, str],
    travel_matrix: pd.DataFrame | None = None,
    categories: pd.DataFrame | None = None,
) -> Month:
    """The :class:`Month` of the routable ``visits`` (prepared, with ``station_id``, index 0..m-1).

    Parameters
    ----------
    visits
        Routable visits (:func:`riskplan.routing.prepare.prepare_visits`, :func:`~riskplan.
        routing.prepare.triage`), each with the ``station_id`` covering it.
    days, later
        Working days of the month and the working days after it.
    stations, labs
        Every station and the labs samples may go to.
    rules
        Routing settings (windows, service times, speeds, detour factor, day restrictions, holds).
    areas
        Township code -> area type; a station takes the area type of its first township, a lab
        ``urban``.
    travel_matrix
        User travel times overriding the estimate pair by pair, or None.
    categories
        The categories table (which categories are perishable, for overnight holds), or None.
    """
    sidx = {s.station_id: k for k, s in enumerate(stations)}
    ids = [s.station_id for s in stations] + [lab.lab_id for lab in labs] + visits["establishment_id"].tolist()
    lon = np.r_[[s.lon for s in stations], [lab.lon for lab in labs], visits["lon_wgs84"].to_numpy(float)]
    lat = np.r_[[s.lat for s in stations], [lab.lat for lab in labs], visits["lat_wgs84"].to_numpy(float)]
    at = ([areas.get(s.township, "urban") for s in stations] + ["urban"] * len(labs)
          + [areas.get(str(t), "urban") for t in visits["township_code"]])
    km, minutes = travel_matrices(ids, lon, lat, at, rules.detour_factor, rules.speeds, travel_matrix)
    home = np.array([sidx[str(s)] for s in visits["station_id"]], dtype=int)
    n_s, n_l = len(stations), len(labs)
    to_visit = minutes[:n_s, n_s + n_l:]  # station -> visit
    nearest = np.full(len(visits), -1, dtype=int)
    if n_s > 1 and len(visits):
        masked = to_visit.copy()
        masked[home, np.arange(len(visits))] = np.inf
        nearest = np.argmin(masked, axis=0).astype(int)
    windows = [
        visit_windows(bt, oh, rules.windows)
        for bt, oh in zip(visits["business_type"].astype(str), visits["opening_hours"])
    ]
    return Month(
        visits=visits,
        days=days,
        later=later,
        stations=stations,
        labs=labs,
        home=home,
        nearest=nearest,
        km=km,
        minutes=minutes,
        service=service_minutes(visits, rules),
        windows=windows,
        early=visits["business_type"].isin(rules.early_start_types).to_numpy(),
        school=visits["business_type"].isin(rules.school_day_types).to_numpy(),
        perishable=visits["perishable"].to_numpy(bool),
        samples=visits["samples"].to_numpy(int),
        hold_hours=hold_limits(visits, rules, categories),
        rules=rules,
        allowed=allowed_dates(visits),
    )
