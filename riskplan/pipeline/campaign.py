"""Inspection campaigns: visits without samples in the first working days of each school term.

A programme of kind ``inspection`` (``[[programmes]]``, T25: "every school canteen within the
first N working days of each term") visits every establishment of its business types (default:
the school and kindergarten canteens) once per school term starting in the plan year, within
the term's first ``window_working_days`` working days. Its visits take no sample and go to no
lab; each lasts ``visit_minutes`` (column ``service_minutes``) and may only take place on its
window's days (column ``allowed_dates``, respected by the month assignment, the fallback, the
day routes and the checker). They are routed with the sampling visits of those days.

A window that runs into the next month (a term starting on February 23) is split: the targets,
in the order of their ids, are shared between the months in proportion to the window's working
days in each, and each visit is allowed on its month's days of the window only (a month is
routed on its own).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from riskplan.calendar import work_calendar
from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.errors import ConfigError
from riskplan.roles.lookup import match_business_types
from riskplan.settings.programme import INSPECTION_DEFAULT_TYPES, ProgrammeRules, programme_key
from riskplan.tables import station_of_township

__all__ = ["campaigns_of", "campaign_terms", "campaign_windows", "campaign_targets", "campaign_visits",
           "campaign_score"]


def campaigns_of(config: Config) -> tuple[ProgrammeRules, ...]:
    """The configuration's inspection programmes (``kind = "inspection"``), in order."""
    return tuple(p for p in config.programmes if p.kind == "inspection")


def campaign_terms(rules: ProgrammeRules, year: int,
                   config: Config) -> list[tuple[dt.date, dt.date, list[dt.date]]]:
    """The school terms starting in plan year ``year`` with the campaign's window in each.

    One ``(first day, last day, window)`` per school term (``calendar.school_terms``) starting
    in ``year`` whose window is not empty; the window is the term's first
    ``window_working_days`` working days (fewer when the term or the year ends first).
    """
    cal = work_calendar(year, None, config.calendar)
    work = sorted(pd.to_datetime(cal.loc[cal["workday"].astype(bool), "date"]).dt.date)
    n = int(rules.window_working_days or 0)
    out = []
    for first, last in config.calendar.school_terms:
        a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        if a.year != year:
            continue
        days = [d for d in work if a <= d <= b][:n]
        if days:
            out.append((a, b, days))
    return out


def campaign_windows(rules: ProgrammeRules, year: int, config: Config) -> list[list[dt.date]]:
    """The campaign's windows in plan year ``year``: the first working days of each term.

    One list of dates per school term (``calendar.school_terms``) starting in ``year``: its
    first ``window_working_days`` working days (fewer when the term or the year ends first).
    """
    return [days for _, _, days in campaign_terms(rules, year, config)]


def campaign_targets(rules: ProgrammeRules, index: int, dataset: Dataset) -> pd.DataFrame:
    """The establishments the campaign visits (its business types), ordered by id.

    Raises
    ------
    ConfigError
        For a code or role the dataset does not have, or types that match nothing, naming the
        programme.
    """
    items = list(rules.business_types or INSPECTION_DEFAULT_TYPES)
    m = match_business_types(items, dataset)
    key = f"{programme_key(index, rules.id)}.business_types"
    if m.unknown:
        raise ConfigError(key, f"not in the dataset: {', '.join(m.unknown)}")
    if not m.codes:
        raise ConfigError(key, f"{', '.join(items)} match(es) no business type of the dataset")
    est = dataset.establishments
    out = est[est["business_type"].astype(str).isin(m.codes)]
    return out.sort_values("establishment_id", kind="stable").reset_index(drop=True)


def _share(n: int, weights: list[int]) -> list[int]:
    """Split ``n`` items into parts proportional to ``weights`` (cumulative rounding)."""
    total = sum(weights)
    cuts = [round(n * c / total) for c in np.cumsum(weights)]
    return [b - a for a, b in zip([0, *cuts[:-1]], cuts)]


def campaign_visits(dataset: Dataset, config: Config, year: int, month: int) -> pd.DataFrame:
    """The month's inspection visits of every campaign (``samples`` 0, no lab).

    Columns are those of a selection's visits plus ``programme`` (the campaign's id),
    ``programme_samples`` (empty), ``service_minutes`` [min] and ``allowed_dates`` (``;`` list
    of ISO dates). Visit ids: ``<year>-<month>-I<programme>-<n>``.
    """
    stations = station_of_township(dataset.stations) if dataset.stations is not None else {}
    parts = []
    for index, rules in enumerate(config.programmes):
        if rules.kind != "inspection":
            continue
        targets = campaign_targets(rules, index, dataset)
        for w, window in enumerate(campaign_windows(rules, year, config)):
            months = sorted({d.month for d in window})
            if month not in months:
                continue
            sizes = _share(len(targets), [sum(d.month == m for d in window) for m in months])
            start = sum(sizes[:months.index(month)])
            mine = targets.iloc[start:start + sizes[months.index(month)]].reset_index(drop=True)
            days = ";".join(d.isoformat() for d in window if d.month == month)
            parts.append(_rows(mine, rules, year, month, w, days, stations))
    if not parts:
        return _rows(dataset.establishments.iloc[:0], ProgrammeRules(id="x", kind="inspection"),
                     year, month, 0, "", stations)
    return pd.concat(parts, ignore_index=True)


def _rows(est: pd.DataFrame, rules: ProgrammeRules, year: int, month: int, window: int, days: str,
          stations: dict[str, str]) -> pd.DataFrame:
    n = len(est)
    text = {c: (est[c].astype("string") if c in est.columns else pd.array([pd.NA] * n, dtype="string"))
            for c in ("township_code", "business_type", "stage", "risk_grade", "opening_hours")}
    lon = pd.to_numeric(est["lon_wgs84"]).astype(float) if "lon_wgs84" in est.columns else np.nan
    lat = pd.to_numeric(est["lat_wgs84"]).astype(float) if "lat_wgs84" in est.columns else np.nan
    v = pd.DataFrame({
        "visit_id": pd.array([f"{year}-{month:02d}-I{rules.id}-{window + 1}{k:04d}" for k in range(1, n + 1)],
                             dtype="string"),
        "year": np.full(n, year, dtype=int),
        "month": np.full(n, month, dtype=int),
        "establishment_id": est["establishment_id"].astype("string").reset_index(drop=True),
        **{c: s.reset_index(drop=True) if isinstance(s, pd.Series) else s for c, s in text.items()},
        "categories_to_sample": pd.array([""] * n, dtype="string"),
        "samples": np.zeros(n, dtype=int),
        "units": np.zeros(n, dtype=int),
        "perishable": np.zeros(n, dtype=bool),
        "mode": pd.array(["visit"] * n, dtype="string"),
        "inclusion_probability": np.ones(n, dtype=float),
        "lon_wgs84": lon.reset_index(drop=True) if isinstance(lon, pd.Series) else np.full(n, np.nan),
        "lat_wgs84": lat.reset_index(drop=True) if isinstance(lat, pd.Series) else np.full(n, np.nan),
    })
    if "has_location" in est.columns:
        v["has_location"] = est["has_location"].fillna(False).astype(bool).reset_index(drop=True)
    else:
        v["has_location"] = v["lon_wgs84"].notna() & v["lat_wgs84"].notna()
    v["station_id"] = v["township_code"].map(stations).astype("string")
    v["programme"] = pd.Series([rules.id] * n, dtype="str")
    v["programme_samples"] = pd.Series([""] * n, dtype="str")
    v["service_minutes"] = np.full(n, int(rules.visit_minutes or 0), dtype=int)
    v["allowed_dates"] = pd.Series([days] * n, dtype="str")
    return v


def campaign_score(visits: pd.DataFrame, stops: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Per campaign: target visits planned and routed within their window (T25, planned).

    Returns
    -------
    pandas.DataFrame
        ``programme, targets`` (inspection visits planned), ``routed`` (on a stop, within the
        window by construction: the routing and its checker keep each to its allowed days) and
        ``share`` (routed / targets, [-]; T25 planned) and ``visit_hours`` (time on site of the
        routed visits [h], travel not counted).
    """
    rows = []
    routed = set(stops["visit_id"].astype(str)) if len(stops) else set()
    for p in campaigns_of(config):
        mine = visits[visits["programme"].astype(str) == p.id] if "programme" in visits.columns else visits.iloc[:0]
        n = len(mine)
        done = int(mine["visit_id"].astype(str).isin(routed).sum())
        rows.append((p.id, n, done, round(done / n, 4) if n else float("nan"),
                     round(done * int(p.visit_minutes or 0) / 60, 2)))
    return pd.DataFrame(rows, columns=["programme", "targets", "routed", "share", "visit_hours"])
