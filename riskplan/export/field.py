"""Field-team tables: what each team does on each day, in the order it does it.

Built from the routed stops, the month's visits and the register: stop order, arrival window,
establishment name, ID and address, what to sample (category names) and how many units, the
cold-chain flag and the lab deadline. Also the purchase orders for online sellers and the
unassigned visits with their establishment details.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from riskplan.dataset import Dataset
from riskplan.export import contract
from riskplan.export.navigation import amap_search_url, amap_url, baidu_search_url, baidu_url
from riskplan.routing import REASONS

FIELD_COLUMNS: tuple[str, ...] = tuple(c for c, _ in contract.FIELD)
"""Columns of a field-team sheet, in order (declared in :mod:`riskplan.export.contract`)."""

PURCHASE_COLUMNS: tuple[str, ...] = contract.TABLES["purchases"].names
"""Columns of the purchase orders, in order."""

UNASSIGNED_COLUMNS: tuple[str, ...] = contract.TABLES["unassigned"].names
"""Columns of the unassigned visits, in order."""

PROGRAMME_COLUMNS: tuple[str, ...] = tuple(c for c, _ in contract.PROGRAMME_SAMPLES)
"""Columns naming the programmes of a visit's samples (a plan with ``[[programmes]]`` only)."""


def hhmm(value: Any) -> str:
    """``HH:MM`` of minutes after midnight [min], a time, a timestamp or ``HH:MM`` text."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.time)):
        return value.strftime("%H:%M")
    if isinstance(value, str):
        return value[:5]
    m = int(round(float(value)))
    return f"{m // 60:02d}:{m % 60:02d}"


def routes_table(routes: pd.DataFrame) -> pd.DataFrame:
    """``RoutePlan.routes`` as written to ``routes.csv``: ``start``, ``end`` and ``lab_arrival`` as ``HH:MM``.

    ``lab_arrival`` is empty for a route that ends at its station.
    """
    out = routes.copy()
    for c in ("start", "end", "lab_arrival"):
        if c in out.columns:
            out[c] = out[c].map(hhmm).astype(object)
    return out


def lab_days_table(lab_days: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """``RoutePlan.lab_days`` as written to ``lab_days.csv``.

    With the lab's name (``lab_name``); ``capacity`` is named ``capacity_per_day`` as in the labs table.
    """
    names = dict(zip(labs["lab_id"].astype(str), labs["name"].astype(str))) if "name" in labs else {}
    out = lab_days.rename(columns={"capacity": "capacity_per_day"})
    out["lab_name"] = out["lab_id"].astype(str).map(names).fillna("").astype(object)
    return out[list(contract.TABLES["lab_days"].names)]


def _category_names(codes: pd.Series, categories: pd.DataFrame, lang: str) -> pd.Series:
    col = "name_zh" if lang == "zh" else "name_en"
    names = dict(zip(categories["category_code"].astype(str), categories[col].astype(str)))
    return codes.fillna("").astype(str).map(
        lambda s: ";".join(names.get(c, c) for c in s.split(";") if c)
    )


def _register(establishments: pd.DataFrame) -> pd.DataFrame:
    cols = ["establishment_id", "name", "address", "licence_no", "lon_wgs84", "lat_wgs84"]
    reg = establishments[[c for c in cols if c in establishments.columns]].copy()
    return reg.rename(columns={"name": "establishment_name"})


def _township_names(townships: Any, lang: str) -> dict[str, str]:
    col = "name_zh" if lang == "zh" else "name_en"
    return dict(zip(townships["township_code"].astype(str), townships[col].astype(str)))


def field_table(
    stops: pd.DataFrame,
    visits: pd.DataFrame,
    dataset: Dataset,
    lang: str = "zh",
    teams: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per routed stop with everything a field team needs (:data:`FIELD_COLUMNS`).

    Parameters
    ----------
    stops
        ``RoutePlan.stops``: ``station_id, team, date, stop_order, visit_id, establishment_id,
        arrival, lab_deadline`` (times as minutes after midnight or ``HH:MM``) and ``window`` (the
        hours the place may be sampled), with ``lon_wgs84, lat_wgs84`` for the navigation links.
    visits
        The month's visits (``visit_id``, ``categories_to_sample``, ``samples``, ``units``,
        ``perishable``, ``township_code``).
    dataset
        For the register (name, address, licence), township and category names.
    lang
        ``"zh"`` or ``"en"`` for the names.
    teams
        The officers drawn (``riskplan.selection.draw_teams``: ``station_id, date, team,
        officer_ids``), filling ``officers``; None leaves it empty.

    Returns
    -------
    pandas.DataFrame
        Sorted by date, station, team and stop order; also ``lon_wgs84``/``lat_wgs84`` for maps.
    """
    vcols = ["categories_to_sample", "samples", "units", "perishable", "township_code", "programme",
             "programme_samples"]
    vcols = ["visit_id"] + [c for c in vcols if c in visits.columns and c not in stops.columns]
    df = stops.drop(columns=["name"], errors="ignore").merge(
        visits[vcols], on="visit_id", how="left", validate="1:1"
    )
    reg = _register(dataset.establishments)
    reg = reg[[c for c in reg.columns if c == "establishment_id" or c not in df.columns]]
    df = df.merge(reg, on="establishment_id", how="left")
    df["arrival"] = df["arrival"].map(hhmm).astype(object)
    if "window" not in df.columns:
        df["window"] = ""
    df["lab_deadline"] = df["lab_deadline"].map(hhmm) if "lab_deadline" in df else ""
    df["cold_chain"] = df["perishable"].fillna(False).astype(bool)
    df.loc[~df["cold_chain"], "lab_deadline"] = ""
    df["categories_to_sample_names"] = _category_names(df["categories_to_sample"], dataset.categories, lang)
    df["township_name"] = df["township_code"].astype(str).map(_township_names(dataset.townships, lang))
    df["date"] = pd.to_datetime(df["date"]).dt.strftime("%Y-%m-%d")
    if teams is not None and len(teams) and "officer_ids" in teams.columns:
        t = teams[["station_id", "team", "date", "officer_ids"]].copy()
        t["date"] = pd.to_datetime(t["date"]).dt.strftime("%Y-%m-%d")
        t["team"] = t["team"].astype(df["team"].dtype)
        df = df.merge(t.rename(columns={"officer_ids": "officers"}), on=["station_id", "team", "date"],
                      how="left", validate="m:1")
        names = dict(zip(dataset.officers["officer_id"].astype(str), dataset.officers["name"].astype(str)))
        df["officer_names"] = df["officers"].fillna("").astype(str).map(
            lambda s: ";".join(names.get(o, o) for o in s.split(";") if o))
    st_names = dict(zip(dataset.stations["station_id"].astype(str), dataset.stations["name"].astype(str)))
    df["station_name"] = df["station_id"].astype(str).map(st_names).fillna("").astype(object)
    lon = pd.to_numeric(df["lon_wgs84"], errors="coerce") if "lon_wgs84" in df else pd.Series(np.nan, df.index)
    lat = pd.to_numeric(df["lat_wgs84"], errors="coerce") if "lat_wgs84" in df else pd.Series(np.nan, df.index)
    label = df["establishment_name"].fillna("").astype(str) if "establishment_name" in df else ""
    for flag in ("held_overnight", "navigate_by_address"):
        df[flag] = df[flag].fillna(False).astype(bool) if flag in df else False
    address = df["address"].fillna("").astype(str) if "address" in df else pd.Series("", df.index)
    by_address = df["navigate_by_address"].to_numpy(bool)
    # no coordinates of its own: the stop's point is the township's centre, so the links search the address
    df["amap_url"] = [amap_search_url(a, n) if b else amap_url(x, y, n)
                      for x, y, n, a, b in zip(lon, lat, label, address, by_address)]
    df["baidu_url"] = [baidu_search_url(a, n) if b else baidu_url(x, y, n)
                       for x, y, n, a, b in zip(lon, lat, label, address, by_address)]
    df = df.sort_values(["date", "station_id", "team", "stop_order"], kind="stable")
    for c in FIELD_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    extra = [c for c in ("lon_wgs84", "lat_wgs84", *PROGRAMME_COLUMNS) if c in df.columns]
    return df[list(FIELD_COLUMNS) + extra].reset_index(drop=True)


def _visit_details(visits: pd.DataFrame, dataset: Dataset, lang: str) -> pd.DataFrame:
    df = visits.merge(_register(dataset.establishments), on="establishment_id", how="left")
    df["cold_chain"] = df["perishable"].fillna(False).astype(bool) if "perishable" in df else False
    df["categories_to_sample_names"] = _category_names(
        df["categories_to_sample"], dataset.categories, lang
    )
    return df


def purchase_orders(visits: pd.DataFrame, dataset: Dataset, lang: str = "zh") -> pd.DataFrame:
    """Purchase orders: the visits with ``mode == "purchase"`` (online sellers)."""
    buy = visits[visits["mode"].astype(str) == "purchase"]
    df = _visit_details(buy, dataset, lang)
    for c in PURCHASE_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    own = [c for c in PROGRAMME_COLUMNS if c in df.columns]
    return df[list(PURCHASE_COLUMNS) + own].sort_values(["month", "visit_id"]).reset_index(drop=True)


def unassigned_table(
    unassigned: pd.DataFrame, visits: pd.DataFrame, dataset: Dataset, lang: str = "zh"
) -> pd.DataFrame:
    """Unassigned visits with their reason and establishment details (:data:`UNASSIGNED_COLUMNS`)."""
    un = unassigned[["visit_id", "reason"]].copy()
    un["reason_text"] = un["reason"].astype(str).map(lambda r: REASONS.get(r, r))
    df = un.merge(
        visits.drop(columns=["reason"], errors="ignore"), on="visit_id", how="left"
    )
    df = _visit_details(df, dataset, lang)
    for c in UNASSIGNED_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    own = [c for c in PROGRAMME_COLUMNS if c in df.columns]
    return df[list(UNASSIGNED_COLUMNS) + own].sort_values(["month", "visit_id"]).reset_index(drop=True)
