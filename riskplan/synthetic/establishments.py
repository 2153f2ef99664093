"""The synthetic register of food businesses (``establishments.csv``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from riskplan.synthetic._common import fmt_float, largest_remainder, stream
from riskplan.synthetic.geography import sample_points
from riskplan.synthetic.naming import address, business_name, licence_number, short
from riskplan.synthetic.profiles import (
    MIN_ONE,
    TYPE_AREA,
    categories_for,
    customers_for,
    grade_probabilities,
    hours_for,
)
from riskplan.synthetic.spec import DistrictSpec

ESTABLISHMENT_COLUMNS: tuple[str, ...] = (
    "establishment_id", "name", "address", "township_code", "stage", "business_type",
    "categories", "risk_grade", "opening_hours", "licence_no", "lon_wgs84", "lat_wgs84",
    "daily_customers",
)
"""Columns of ``establishments.csv``, in order."""

WITHOUT_COORDINATES_TYPES: tuple[str, ...] = ("C-VENDOR", "C-SMALL", "D-GROCERY", "C-SITE",
                                              "P-WORKSHOP")
"""Business types whose registration may lack usable coordinates."""


def allocate_counts(spec: DistrictSpec, towns: pd.DataFrame) -> dict[str, np.ndarray]:
    """Establishments per (business type, township).

    Each type's district count is spread by largest remainder in proportion to population x
    the type's presence factor for the township's area type; the types in
    :data:`~riskplan.synthetic.profiles.MIN_ONE` get at least one per township (moved from the
    township with most); wholesale markets sit in ``spec.wholesale_townships`` when given.

    Returns
    -------
    dict
        Business type -> counts per township (array in ``towns`` order).
    """
    pop = towns["population"].to_numpy(float)
    counts = {}
    for btype, n in spec.volumes.type_counts.items():
        if btype == "D-WHOLESALE" and spec.wholesale_townships:
            c = np.array([1 if t in spec.wholesale_townships else 0
                          for t in towns["township_code"]])
            if int(c.sum()) != n:
                raise ValueError(f"wholesale_townships places {int(c.sum())} wholesale markets, "
                                 f"type_counts asks for {n}")
        else:
            mult = TYPE_AREA.get(btype, {})
            w = pop * np.array([mult.get(a, 1.0) for a in towns["area_type"]])
            c = largest_remainder(w, n)
            if btype in MIN_ONE:
                if n < len(c):
                    raise ValueError(f"type_counts[{btype!r}] = {n}: at least one per township "
                                     f"({len(c)}) is needed")
                while (c == 0).any():  # move one from the largest to an empty township
                    c[np.argmax(c)] -= 1
                    c[np.argmin(c)] += 1
        counts[btype] = c
    return counts


def _attributes(spec: DistrictSpec, df: pd.DataFrame, zh: dict[str, str],
                stage_of: dict[str, str]) -> dict[str, list[str]]:
    """Name, address, categories, grade, hours, licence and customers of every row (stream 2)."""
    rng = stream(spec.seed, 2)
    cols: dict[str, list[str]] = {k: [] for k in ("name", "address", "categories", "risk_grade",
                                                  "opening_hours", "licence_no",
                                                  "daily_customers")}
    grade_letters = np.array(["A", "B", "C", "D"])
    type_serial: dict[str, int] = {}
    for i, r in df.iterrows():
        bt, tc = r["business_type"], r["township_code"]
        type_serial[bt] = type_serial.get(bt, 0) + 1
        serial = type_serial[bt]
        town = zh[tc]
        cols["name"].append(business_name(bt, town, rng, serial, spec.naming))
        cols["address"].append(address(town, rng, spec.naming))
        c = categories_for(bt, rng)
        cols["categories"].append(";".join(sorted(set(c))))
        cols["risk_grade"].append(grade_letters[rng.choice(4, p=grade_probabilities(bt))])
        cols["opening_hours"].append(hours_for(bt, rng))
        # serial numbers: increasing with random gaps, hence unique within each prefix
        lic_serial = (10 * serial if bt == "P-FACTORY" else 1000 + 3 * int(i)) + int(
            rng.integers(0, 3))
        cols["licence_no"].append(licence_number(bt, stage_of[bt], rng, lic_serial,
                                                 sorted(set(c)), spec.code))
        cols["daily_customers"].append(customers_for(bt, rng))
    # the same invented name twice: tell branches apart as shops do, by a branch suffix
    names = cols["name"]
    seen: dict[str, int] = {}
    for k, (nm, tc) in enumerate(zip(names, df["township_code"], strict=True)):
        seen[nm] = seen.get(nm, 0) + 1
        if seen[nm] > 1:
            names[k] = f"{nm}（{short(zh[tc])}{'' if seen[nm] == 2 else seen[nm] - 1}店）"
    return cols


def build_establishments(spec: DistrictSpec, towns: pd.DataFrame, polys: tuple[BaseGeometry, ...],
                         btypes: pd.DataFrame) -> pd.DataFrame:
    """The register: one row per establishment, all cells text.

    Parameters
    ----------
    spec
        The district.
    towns
        Townships table (:attr:`riskplan.synthetic.geography.Townships.table`).
    polys
        Township polygons (WGS-84), same order.
    btypes
        ``business_types.csv`` table (for each type's stage).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ESTABLISHMENT_COLUMNS`, ordered by township then business type (the
        order of ``spec.volumes.type_counts``); points clustered inside the township polygon
        (stream ``(3, township index)``); ``spec.volumes.without_coordinates`` rows of
        :data:`WITHOUT_COORDINATES_TYPES` without coordinates (stream 4).
    """
    stage_of = dict(zip(btypes["business_type"], btypes["stage"], strict=True))
    unknown = sorted(set(spec.volumes.type_counts) - set(stage_of))
    if unknown:
        raise ValueError(f"volumes.type_counts: business types {unknown} are not in business_types")
    counts = allocate_counts(spec, towns)
    rows = []
    for ti, town in towns.iterrows():
        for btype in spec.volumes.type_counts:
            for _ in range(int(counts[btype][ti])):
                rows.append((town["township_code"], btype))
    df = pd.DataFrame(rows, columns=["township_code", "business_type"])
    n = len(df)
    df.insert(0, "establishment_id", [f"{spec.id_prefix}-E{i + 1:05d}" for i in range(n)])
    df["stage"] = df["business_type"].map(stage_of)
    zh = dict(zip(towns["township_code"], towns["name_zh"], strict=True))
    for col, values in _attributes(spec, df, zh, stage_of).items():
        df[col] = values
    # points: per township, clustered
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    for ti, town in towns.iterrows():
        idx = np.flatnonzero(df["township_code"].to_numpy() == town["township_code"])
        pts = sample_points(polys[ti], len(idx), town["area_type"], stream(spec.seed, 3, ti),
                            (town["centroid_lon_wgs84"], town["centroid_lat_wgs84"]),
                            spec.utm_crs)
        lon[idx], lat[idx] = pts[:, 0], pts[:, 1]
    # a few registrations without usable coordinates (kept and flagged by the loader)
    eligible = np.flatnonzero(df["business_type"].isin(list(WITHOUT_COORDINATES_TYPES)).to_numpy())
    missing = np.sort(stream(spec.seed, 4).choice(eligible, size=spec.volumes.without_coordinates,
                                                  replace=False))
    lon[missing] = np.nan
    lat[missing] = np.nan
    df["lon_wgs84"] = [fmt_float(x, 6) for x in lon]
    df["lat_wgs84"] = [fmt_float(x, 6) for x in lat]
    return df[list(ESTABLISHMENT_COLUMNS)]
