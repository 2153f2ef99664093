"""What a synthetic district is made from: the facts and volumes that differ between districts.

The generator (:func:`riskplan.synthetic.district.build_district`) is the same for every district;
everything that makes one district what it is (its code and names, its townships with their
approximate centres and census figures, its outline, stations, lab, how many businesses it has
and how much sampling it does) is a field of :class:`DistrictSpec`. The embedded Ouhai dataset
is one such spec (:mod:`riskplan.synthetic.ouhai`); a province benchmark builds many.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import pandas as pd
from shapely.geometry.base import BaseGeometry

TOWNSHIP_INPUT_COLUMNS: tuple[str, ...] = (
    "code", "name_zh", "name_pinyin", "kind", "area_type", "census_population",
    "approx_lon", "approx_lat",
)
"""Columns of :attr:`DistrictSpec.townships` (see there)."""

FOOD_CATEGORY_INPUT_COLUMNS: tuple[str, ...] = ("code", "name_zh", "name_en", "group",
                                                "classic_33_category")
"""Columns of :attr:`DistrictSpec.food_categories` (the national code list)."""

BUSINESS_TYPE_INPUT_COLUMNS: tuple[str, ...] = ("code", "stage", "name_zh", "name_en", "note")
"""Columns of :attr:`DistrictSpec.business_types` (the national code list)."""

DENSITY_CLASS: Mapping[str, float] = MappingProxyType({"urban": 3.5, "rural": 1.0,
                                                       "mountain": 0.12})
"""Relative population density by area type, for townships without a census figure: urban
subdistricts about 3.5 times as dense as rural ones, a mountainous town about a tenth of one."""


@dataclasses.dataclass(frozen=True)
class Naming:
    """Place names used in invented text (shop names, addresses, the outline's properties).

    Attributes
    ----------
    province_zh, city_zh, district_zh
        Full names, e.g. ``浙江省``, ``温州市``, ``瓯海区`` (an address starts with all three).
    city_short_zh, district_short_zh
        Short forms used in business names, e.g. ``温州``, ``瓯海``.
    district_en
        English name of the district, e.g. ``Ouhai District``.
    shared_roads
        Roads crossing several townships (some addresses use them instead of a local road).
    wholesale_markets
        Names of the wholesale markets, used in turn.
    """

    province_zh: str
    city_zh: str
    city_short_zh: str
    district_zh: str
    district_short_zh: str
    district_en: str
    shared_roads: tuple[str, ...]
    wholesale_markets: tuple[str, ...]

    @property
    def address_prefix(self) -> str:
        """Province, city and district, the start of every address."""
        return f"{self.province_zh}{self.city_zh}{self.district_zh}"


@dataclasses.dataclass(frozen=True)
class Station:
    """A market-supervision station (市场监管所) and the townships it covers (main one first)."""

    station_id: str
    name: str
    township_codes: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Lab:
    """A testing laboratory.

    Location (WGS-84 [deg]), intake hours (``HH:MM``), address, the samples it takes in a
    working day (0: no limit) and the weekdays it takes them (empty: every working day).
    """

    lab_id: str
    name: str
    lon_wgs84: float
    lat_wgs84: float
    intake_open: str
    intake_cutoff: str
    address: str = ""
    capacity_per_day: int = 0
    working_days: str = ""


class HotSpot(NamedTuple):
    """A township x category whose unqualified rate is raised in the plan year's results.

    Attributes
    ----------
    township_code, category_code
        Where.
    rate
        Unqualified rate in force from :attr:`DistrictSpec.hot_spot_from` [-] (the hidden
        truth is raised to it, never lowered).
    """

    township_code: str
    category_code: str
    rate: float


@dataclasses.dataclass(frozen=True)
class Volumes:
    """How much of everything a district has.

    Attributes
    ----------
    type_counts
        Establishments per business type in the district; its order is the row order of the
        register within a township.
    history_base, history_growth, history_jitter
        Samples per history year: ``base + growth x k +- jitter`` in the k-th year (uniform
        jitter in ``[-jitter, jitter)``).
    results_share
        Share of the annual plan (``ceil(population / 1,000)`` samples) already done by the
        reference date [-].
    hot_spot_samples
        Targeted follow-up samples (加密抽检) per hot spot after ``hot_spot_from``.
    complaints
        Complaints from the first history year to the reference date.
    without_coordinates
        Establishments registered without usable coordinates (kept, flagged by the loader).
    """

    type_counts: Mapping[str, int]
    history_base: int
    history_growth: int
    history_jitter: int
    results_share: float
    hot_spot_samples: int
    complaints: int
    without_coordinates: int


@dataclasses.dataclass(frozen=True, eq=False)
class DistrictSpec:
    """Everything a synthetic district is built from.

    Attributes
    ----------
    code
        6-digit administrative code of the district (also used in licence numbers).
    naming
        Place names for invented text.
    townships
        One row per township-level unit, in output order, columns
        :data:`TOWNSHIP_INPUT_COLUMNS`: ``code`` (9 digits), ``name_zh``, ``name_pinyin``,
        ``kind`` (``subdistrict`` / ``town``), ``area_type`` (``urban`` / ``rural`` /
        ``mountain``), ``census_population`` (persons, empty when not published),
        ``approx_lon``, ``approx_lat`` (approximate centre, WGS-84 [deg], as text or numbers).
    population
        District total [persons]; townships without a census figure share the rest.
    population_year
        Year of that population figure.
    outline
        The district polygon (shapely, WGS-84 lon/lat).
    outline_source
        Where the outline came from (a property of ``district.geojson``).
    stations, labs
        Market-supervision stations (every township covered by exactly one) and labs.
    food_categories, business_types
        The national code lists, columns :data:`FOOD_CATEGORY_INPUT_COLUMNS` and
        :data:`BUSINESS_TYPE_INPUT_COLUMNS`.
    volumes
        Counts of establishments, samples and complaints.
    seed
        Seed of every random stream of the build.
    reference_date
        Data frozen at this date; the plan year's results run up to it.
    plan_year
        The year being planned.
    history_years
        Calendar years of the sampling history (before the plan year).
    id_prefix
        Prefix of generated IDs, e.g. ``OH`` gives ``OH-E00001``, ``OH-H2023-00001``.
    utm_crs
        A metric CRS for areas and distances [m] (the district's UTM zone).
    wholesale_townships
        Townships holding one wholesale market each (empty: spread like other types).
    hot_spots, hot_spot_from
        Raised unqualified rates injected into the plan year's results from that date.
    density_class
        Relative population density by area type (see :data:`DENSITY_CLASS`).
    local_seasons
        Category code -> its ``local_seasons`` cell (``label:months`` items): the district's own
        seasonal products. Default none.
    """

    code: str
    naming: Naming
    townships: pd.DataFrame
    population: int
    population_year: int
    outline: BaseGeometry
    outline_source: str
    stations: tuple[Station, ...]
    labs: tuple[Lab, ...]
    food_categories: pd.DataFrame
    business_types: pd.DataFrame
    volumes: Volumes
    seed: int
    reference_date: dt.date
    plan_year: int
    history_years: tuple[int, ...]
    id_prefix: str
    utm_crs: str
    wholesale_townships: tuple[str, ...] = ()
    hot_spots: tuple[HotSpot, ...] = ()
    hot_spot_from: dt.date | None = None
    density_class: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: dict(DENSITY_CLASS))
    local_seasons: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, frame, cols in (
            ("townships", self.townships, TOWNSHIP_INPUT_COLUMNS),
            ("food_categories", self.food_categories, FOOD_CATEGORY_INPUT_COLUMNS),
            ("business_types", self.business_types, BUSINESS_TYPE_INPUT_COLUMNS),
        ):
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise ValueError(f"DistrictSpec.{name}: missing columns {missing}")
        unknown = set(self.townships["area_type"]) - set(self.density_class)
        if unknown:
            raise ValueError(f"DistrictSpec.townships: area_type {sorted(unknown)} has no "
                             f"density class (known: {sorted(self.density_class)})")
        codes = set(self.townships["code"])
        covered = [c for s in self.stations for c in s.township_codes]
        if sorted(covered) != sorted(codes):
            raise ValueError("DistrictSpec.stations must cover every township exactly once")
        if self.hot_spots and self.hot_spot_from is None:
            raise ValueError("DistrictSpec.hot_spot_from is needed with hot_spots")
        if not self.history_years or max(self.history_years) >= self.plan_year:
            raise ValueError("DistrictSpec.history_years must be before plan_year")

    @property
    def truth_years(self) -> tuple[int, ...]:
        """The history years and the plan year: the years the hidden truth covers."""
        return (*self.history_years, self.plan_year)

    @property
    def annual_plan_samples(self) -> int:
        """Risk-monitoring samples of the plan year: one per 1,000 residents, rounded up."""
        return math.ceil(self.population / 1000)
