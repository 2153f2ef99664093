"""Which establishments can deliver a perishable sample at all: :func:`perishable_reach`.

A perishable sample reaches a lab before its intake cut-off on the day it is taken, or is held
overnight in the station's cold storage where ``routing.overnight_hold_hours`` allows it for the
category. A street vendor that opens at 15:00 an hour's drive from the only lab (cut-off 16:30)
can never deliver one, whatever the day and the team: a perishable sample drawn there becomes a
visit no route can take (``lab_deadline``). The selection and the supply ask this module first
and draw such samples from the other establishments of the stratum instead.

Each establishment is tested as one visit of one sample of its perishable categories, alone
(:func:`riskplan.routing.feasible.assess`), with a team of its own station and of the nearest
other station, on each day of one week in which every day is a working school day (so only place,
hours, travel and the labs' intake decide). Reachable: some station and day passes every check up
to ``lab_deadline`` in :data:`riskplan.routing.feasible.CHECKS`.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from riskplan.routing.feasible import CHECKS, assess, candidate_stations
from riskplan.routing.network import Month, build_month
from riskplan.routing.prepare import (
    area_types,
    lab_infos,
    later_working_days,
    prepare_visits,
    station_infos,
    working_days,
)
from riskplan.routing.travel import read_travel_matrix
from riskplan.settings.routing import RoutingRules
from riskplan.tables import as_bool, station_of_township

CHUNK = 300
"""Probe visits per travel network [visits] (the network's matrices grow with its square)."""


def probe_week(year: int) -> pd.DataFrame:
    """Seven days from the first Monday of ``year``, each a working school day without a market."""
    first = pd.Timestamp(year=int(year), month=1, day=1)
    monday = first + pd.Timedelta(days=(7 - first.weekday()) % 7)
    dates = pd.date_range(monday, periods=7, freq="D")
    return pd.DataFrame({"date": dates, "workday": True, "school_day": True, "market_day": False})


def _distinct_days(month: Month) -> list[int]:
    """One day of the probe week per kind: which labs take samples, and when a held sample reaches each."""
    seen: dict[tuple[object, ...], int] = {}
    for d in range(len(month.days)):
        kind = tuple((month.takes(k, d), (month.delivery_date(k, d) - month.date(d)).days)
                     for k in range(len(month.labs)))
        seen.setdefault(kind, d)
    return sorted(seen.values())


def perishable_reach(
    establishments: pd.DataFrame,
    stations: pd.DataFrame,
    labs: pd.DataFrame,
    categories: pd.DataFrame | None,
    rules: RoutingRules | None = None,
    townships: pd.DataFrame | None = None,
    travel_matrix: pd.DataFrame | str | Path | None = None,
    year: int = 2026,
    skip_types: Collection[str] = (),
) -> dict[str, np.ndarray]:
    """Per perishable category, the establishments that can never deliver a sample of it.

    Parameters
    ----------
    establishments
        The register (``establishment_id, township_code, business_type, categories,
        lon_wgs84, lat_wgs84, opening_hours``); a row without coordinates stands at its
        township's centre, as routing places it.
    stations, labs
        Stations and labs, as :func:`riskplan.routing.plan_routes` takes them.
    categories
        ``category_code, perishable``; None: nothing is perishable (an empty result).
    rules
        Routing settings, roles resolved to codes (windows, service, speeds, holds, hours).
    townships
        Township centres and area types (travel speeds).
    travel_matrix
        User travel times (path or table), as routing uses them.
    year
        Plan year (the probe week is its first full week) [-].
    skip_types
        Business types never visited (bought online): never reported.

    Returns
    -------
    ``{category_code: mask}``, one boolean per row of ``establishments`` (True: it handles the
    category, which is perishable, and no team of its own or the nearest other station can
    take one sample of it there and have it reach a lab in time, nor hold it overnight where
    allowed). Only categories with at least one such row are keys.
    """
    rules = rules or RoutingRules()
    if categories is None or not {"category_code", "perishable"} <= set(categories.columns):
        return {}
    per_codes = set(categories.loc[as_bool(categories["perishable"]), "category_code"].astype(str))
    if not per_codes or not len(establishments) or not len(stations) or not len(labs):
        return {}
    if isinstance(travel_matrix, (str, Path)):
        travel_matrix = read_travel_matrix(travel_matrix)
    est = establishments.reset_index(drop=True)
    skip = {str(t) for t in skip_types}
    rows: list[tuple[int, str, tuple[str, ...]]] = []  # (register row, probe id, categories)
    for r, (bt, cats) in enumerate(zip(est["business_type"].astype(str), est["categories"].astype(str))):
        if bt in skip:
            continue
        mine = sorted({c.strip() for c in cats.split(";") if c.strip() in per_codes})
        groups: dict[float, list[str]] = {}  # categories with the same overnight hold, probed together
        for c in mine:
            groups.setdefault(rules.hold_hours([c]), []).append(c)
        for g, (_, cs) in enumerate(sorted(groups.items())):
            rows.append((r, f"{r}|{g}", tuple(cs)))
    if not rows:
        return {}
    probes = pd.DataFrame({
        "visit_id": [p for _, p, _ in rows],
        "establishment_id": est["establishment_id"].astype(str).to_numpy()[[r for r, _, _ in rows]],
        "business_type": est["business_type"].astype(str).to_numpy()[[r for r, _, _ in rows]],
        "samples": 1, "perishable": True, "mode": "visit",
        "categories_to_sample": [";".join(cs) for _, _, cs in rows],
    })
    v = prepare_visits(probes, est, townships)
    v["station_id"] = v["township_code"].map(station_of_township(stations)).fillna("")
    # no place or no station: routing reports those by their own reason (as prepare.triage)
    routable = ((v["has_location"] | v["navigate_by_address"]) & (v["station_id"] != "")).to_numpy(bool)
    days = working_days(probe_week(year))
    later = later_working_days(days, None)
    st_info, lab_list, areas = station_infos(stations), lab_infos(labs, rules.lab_id), area_types(townships)
    need = CHECKS.index("lab_deadline") + 1
    blocked = np.zeros(len(rows), dtype=bool)
    idx = np.flatnonzero(routable)
    for a in range(0, idx.size, CHUNK):
        part = idx[a:a + CHUNK]
        month = build_month(v.iloc[part].reset_index(drop=True), days, later, st_info, lab_list, rules,
                            areas, travel_matrix, categories)
        probe_days = _distinct_days(month)
        for i, row in enumerate(part):
            blocked[row] = not any(assess(month, i, s, d).passed >= need
                                   for s in candidate_stations(month, i) for d in probe_days)
    out: dict[str, np.ndarray] = {}
    for (r, _, probed), b in zip(rows, blocked):
        if b:
            for c in probed:
                out.setdefault(c, np.zeros(len(est), dtype=bool))[r] = True
    return dict(sorted(out.items()))
