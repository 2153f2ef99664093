"""Declarative description of every input table of a district dataset.

One :class:`Table` per file of the dataset folder (see ``docs/contracts.md``), each a tuple of
:class:`Column` giving the standard column name, its type, unit, whether it is required, the values or
range allowed, and what it means. The readers (:mod:`riskplan.io`) convert and the validator
(:mod:`riskplan.validation`) checks against this description, and ``docs/input-format.md`` documents
it (a test keeps the two in step).

Column types (``Column.dtype``):

``id``      text identifier, kept as text (leading zeros preserved)
``str``     free text
``int``     whole number
``float``   decimal number
``bool``    ``true``/``false`` (also ``1/0``, ``yes/no``, ``是/否``)
``date``    ISO date ``YYYY-MM-DD``
``time``    time of day ``HH:MM`` (24 h)
``windows`` ``;``-separated ``HH:MM-HH:MM`` time windows
``list``    ``;``-separated list of codes
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

DTYPES: tuple[str, ...] = ("id", "str", "int", "float", "bool", "date", "time", "windows", "list")
"""The column types a :class:`Column` may have."""


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of an input table.

    Attributes
    ----------
    name
        Standard column name (English, snake_case).
    dtype
        One of :data:`DTYPES`.
    description
        What the column holds.
    unit
        Unit in brackets notation, e.g. ``"persons"``, ``"CNY"``, ``"degrees"``; empty when none.
    required
        The column must be present in the file.
    nullable
        Cells may be empty.
    allowed
        The only values allowed (empty: any).
    min, max
        Inclusive range of a numeric column (None: unbounded).
    min_exclusive
        ``min`` is exclusive (value must be greater than it).
    """

    name: str
    dtype: str
    description: str
    unit: str = ""
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:  # pragma: no cover - guards the declarations below
            raise ValueError(f"unknown dtype {self.dtype!r} for column {self.name!r}")

    @property
    def allowed_text(self) -> str:
        """Human-readable values or range allowed (for documentation and messages)."""
        if self.allowed:
            return ", ".join(f"`{a}`" for a in self.allowed)
        parts = []
        if self.min is not None:
            parts.append(f"{'>' if self.min_exclusive else '≥'} {self.min:g}")
        if self.max is not None:
            parts.append(f"≤ {self.max:g}")
        return " and ".join(parts)


@dataclasses.dataclass(frozen=True)
class Table:
    """One input table (one file of the dataset folder).

    Attributes
    ----------
    name
        Name of the table and of the :class:`~riskplan.datasets.Dataset` attribute.
    columns
        Its columns, in standard order.
    description
        What one row is.
    key
        Column whose values must be unique (empty: none).
    optional
        The file may be missing (the table is then empty).
    """

    name: str
    columns: tuple[Column, ...]
    description: str
    key: str = ""
    optional: bool = False

    @property
    def file(self) -> str:
        """Standard file name (``<name>.csv``; an ``.xlsx`` of the same stem is accepted)."""
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Standard column names, in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError if there is none)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)


STAGES: tuple[str, ...] = ("production", "distribution", "catering")
GRADES: tuple[str, ...] = ("A", "B", "C", "D")
RESULTS: tuple[str, ...] = ("pass", "fail")
FOLLOWUP_STATUSES: tuple[str, ...] = ("done", "pending", "not_required")
RETEST_OUTCOMES: tuple[str, ...] = ("requested", "upheld", "overturned")
COORD_DATUMS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")
"""Coordinate datums accepted in input files; ``coord_source`` records which one a row came in."""

COORD_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("wgs84", "lon_wgs84", "lat_wgs84"),
    ("gcj02", "lon_gcj02", "lat_gcj02"),
    ("bd09", "lon_bd09", "lat_bd09"),
)
"""(datum, longitude column, latitude column) of each coordinate pair a table may give."""

COORD_TABLES: tuple[str, ...] = ("establishments", "stations", "labs")
"""Tables with coordinates (WGS-84, or GCJ-02 / BD-09 converted when read)."""


def _coordinate(name: str, description: str, bound: float, *, required: bool = True,
                nullable: bool = False) -> Column:
    """A longitude (``bound`` 180) or latitude (``bound`` 90) column [degrees]."""
    return Column(name, "float", description, unit="degrees", required=required, nullable=nullable,
                  min=-bound, max=bound)


def _datum() -> Column:
    """The optional ``coord_datum`` column: which datum ``lon_wgs84``/``lat_wgs84`` were taken in."""
    return Column("coord_datum", "str", "datum the row's `lon_wgs84`/`lat_wgs84` were taken in, "
                  "when not GPS: `gcj02` (Amap, Tencent) or `bd09` (Baidu) are converted to WGS-84 "
                  "when read; empty: `wgs84`", required=False, nullable=True, allowed=COORD_DATUMS)


def _sample_columns() -> tuple[Column, ...]:
    return (
        Column("sample_id", "id", "unique sample number"),
        Column("sample_date", "date", "date the sample was taken"),
        Column("establishment_id", "id", "where it was taken (must exist in establishments)"),
        Column("category_code", "id", "food category sampled (must exist in categories)"),
        Column("result", "str", "test result (`fail` = unqualified, 不合格)", allowed=("pass", "fail")),
        Column("hazard", "str", "what was found, e.g. 农药残留 (empty for pass)", required=False,
               nullable=True),
        Column("followup_status", "str", "follow-up (核查处置) state; a pass needs none",
               allowed=FOLLOWUP_STATUSES),
        Column("followup_date", "date", "date the follow-up was completed (empty unless done)",
               required=False, nullable=True),
        Column("programme", "str", "sampling programme, e.g. `risk_monitoring`, `supervision`, "
               "`national`", required=False, nullable=True),
        # stages of handling an unqualified result (issue 14; riskplan.monitoring.followup)
        Column("result_received_date", "date", "date the result reached the bureau (检验结论送达日期); "
               "the follow-up clock starts here; empty: sample date + lab turnaround, marked "
               "estimated", required=False, nullable=True),
        Column("notified_date", "date", "date the sampled business was served the unqualified "
               "result (告知日期)", required=False, nullable=True),
        Column("retest", "str", "re-test (复检): `requested` (outcome pending), `upheld` (still "
               "unqualified), `overturned` (qualified: no follow-up, no case); empty: none",
               required=False, nullable=True, allowed=RETEST_OUTCOMES),
        Column("case_filed_date", "date", "date an investigation case was filed (立案日期)",
               required=False, nullable=True),
        Column("case_closed_date", "date", "date the case was closed (结案日期)", required=False,
               nullable=True),
    )


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "townships",
            (
                Column("township_code", "id", "9-digit NBS township code"),
                Column("name_zh", "str", "Chinese name, e.g. 瞿溪街道"),
                Column("name_en", "str", "English (pinyin) name"),
                Column("kind", "str", "administrative kind", allowed=("subdistrict", "town")),
                Column("population", "int", "residents", unit="persons", min=0, min_exclusive=True),
                Column("population_source", "str", "whether population is a census figure or an "
                       "estimate", allowed=("census", "estimate")),
                Column("area_type", "str", "sets travel speeds", allowed=("urban", "rural", "mountain")),
                _coordinate("centroid_lon_wgs84", "approximate centre, longitude (WGS-84); "
                            "taken from the polygon when the column is missing", 180.0, required=False),
                _coordinate("centroid_lat_wgs84", "approximate centre, latitude (WGS-84)", 90.0,
                            required=False),
            ),
            "one row per township-level unit; polygons come from `townships.geojson`",
            key="township_code",
        ),
        Table(
            "establishments",
            (
                Column("establishment_id", "id", "unique establishment ID, e.g. `OH-E00042`"),
                Column("name", "str", "shop name (Chinese)"),
                Column("address", "str", "street address", required=False, nullable=True),
                Column("township_code", "id", "township it is in (must exist in townships)"),
                Column("stage", "str", "supply-chain stage (must equal its business type's stage)",
                       allowed=STAGES),
                Column("business_type", "id", "code from business_types"),
                Column("categories", "list", "`;`-separated category codes handled, at least one"),
                Column("risk_grade", "str", "risk grade (D riskiest)", allowed=GRADES),
                Column("opening_hours", "windows", "`;`-separated `HH:MM-HH:MM` opening windows",
                       nullable=True),
                Column("licence_no", "id", "licence number (may be empty for vendors)",
                       required=False, nullable=True),
                _coordinate("lon_wgs84", "longitude (WGS-84); or give `lon_gcj02` or "
                            "`lon_bd09`; empty: kept with `has_location = false`", 180.0, required=False,
                            nullable=True),
                _coordinate("lat_wgs84", "latitude (WGS-84); or `lat_gcj02` / `lat_bd09`", 90.0,
                            required=False, nullable=True),
                _datum(),
                Column("daily_customers", "int", "volume proxy", unit="persons/day", required=False,
                       nullable=True, min=0),
            ),
            "one row per food business (the register)",
            key="establishment_id",
        ),
        Table(
            "stations",
            (
                Column("station_id", "id", "unique station ID"),
                Column("name", "str", "station name"),
                Column("township_codes", "list", "`;`-separated townships it covers; every township "
                       "is covered by exactly one station"),
                _coordinate("lon_wgs84", "longitude (WGS-84; or `lon_gcj02`/`lon_bd09`)", 180.0),
                _coordinate("lat_wgs84", "latitude (WGS-84; or `lat_gcj02`/`lat_bd09`)", 90.0),
                _datum(),
                Column("teams", "int", "field teams starting there", unit="teams", min=1),
            ),
            "market-supervision stations where field teams start",
            key="station_id",
        ),
        Table(
            "officers",
            (
                Column("officer_id", "id", "unique officer ID"),
                Column("name", "str", "officer name"),
                Column("station_id", "id", "station the officer belongs to (must exist in stations)"),
            ),
            "the roster for the double-random (双随机) draw",
            key="officer_id",
        ),
        Table(
            "labs",
            (
                Column("lab_id", "id", "unique lab ID"),
                Column("name", "str", "laboratory name"),
                _coordinate("lon_wgs84", "longitude (WGS-84; or `lon_gcj02`/`lon_bd09`)", 180.0),
                _coordinate("lat_wgs84", "latitude (WGS-84; or `lat_gcj02`/`lat_bd09`)", 90.0),
                _datum(),
                Column("intake_open", "time", "sample intake opens", unit="HH:MM"),
                Column("intake_cutoff", "time", "perishable samples must arrive before",
                       unit="HH:MM"),
                Column("address", "str", "street address (printed on the team sheets)",
                       required=False, nullable=True),
                Column("capacity_per_day", "int", "samples the lab takes in on one working day; empty: "
                       "no limit", unit="samples", required=False, nullable=True, min=1),
                Column("working_days", "list", "`;`-separated weekdays the lab takes samples on "
                       "(`mon` ... `sun`, `1`-`7`, `周一` ... `周日`), on the district's working days "
                       "only; empty: every working day", required=False, nullable=True),
            ),
            "testing laboratories samples are delivered to",
            key="lab_id",
        ),
        Table("history", _sample_columns(), "past sampling results, several years",
              key="sample_id"),
        Table("results", _sample_columns(), "the current plan year's results so far",
              key="sample_id", optional=True),
        Table(
            "complaints",
            (
                Column("complaint_id", "id", "unique complaint ID"),
                Column("date", "date", "date received"),
                Column("establishment_id", "id", "establishment concerned (must exist if given)",
                       nullable=True),
                Column("township_code", "id", "township (must exist in townships)"),
                Column("category_code", "id", "food category (must exist in categories if given)",
                       nullable=True),
                Column("kind", "str", "kind of complaint, e.g. 异物, 变质"),
            ),
            "consumer complaints and reports (投诉举报)",
            key="complaint_id",
            optional=True,
        ),
        Table(
            "categories",
            (
                Column("category_code", "id", "food category code, e.g. `C31`"),
                Column("name_zh", "str", "Chinese name"),
                Column("name_en", "str", "English name"),
                Column("group", "str", "family of the category",
                       allowed=("processed", "catering", "agricultural")),
                Column("classic_33_category", "str", "the national 33-category name it belongs to",
                       required=False, nullable=True),
                Column("hazard_severity", "float", "severity of its typical hazards (5 highest)",
                       min=1.0, max=5.0),
                Column("perishable", "bool", "needs cold chain and same-day lab delivery"),
                Column("cost_yuan", "float", "typical test fee per sample", unit="CNY", min=0.0),
                Column("units_per_sample", "int", "units bought per sample (test + 2 kept)",
                       unit="units", min=1),
                Column("roles", "list", "`;`-separated roles the rules use (`key product`, "
                       "`spring festival food`, `zongzi`, `mooncake`, `summer drink`, "
                       "`summer seafood`; see docs/roles.md)", required=False, nullable=True),
                Column("local_seasons", "str", "`;`-separated local seasons `label:months`, e.g. "
                       "`杨梅 bayberry:6` or `野生菌 wild mushrooms:6-9`", required=False,
                       nullable=True),
            ),
            "food categories that can be sampled",
            key="category_code",
        ),
        Table(
            "business_types",
            (
                Column("business_type", "id", "business type code, e.g. `C-SCHOOL`"),
                Column("stage", "str", "supply-chain stage", allowed=STAGES),
                Column("name_zh", "str", "Chinese name"),
                Column("name_en", "str", "English name"),
                Column("vulnerable", "bool", "serves vulnerable consumers (schools, elderly care); "
                       "`true` adds the role `vulnerable consumers`", required=False, nullable=True),
                Column("roles", "list", "`;`-separated roles the rules use (`school canteen`, "
                       "`kindergarten canteen`, `elderly canteen`, `wet market`, `wholesale market`, "
                       "`online seller`, `central kitchen`, `street vendor`, ...; see docs/roles.md)",
                       required=False, nullable=True),
                Column("note", "str", "remarks", required=False, nullable=True),
            ),
            "business types (业态) and their stage",
            key="business_type",
        ),
        Table(
            "creation_targets",
            (
                Column("target_id", "id", "target ID, e.g. `T19` (also read from a column `id`)"),
                Column("indicator_zh", "str", "what is measured (Chinese)"),
                Column("indicator_en", "str", "what is measured (English)", required=False,
                       nullable=True),
                Column("comparator", "str", "how the actual value must compare with the target",
                       allowed=(">=", "<=", ">", "<")),
                Column("target", "float", "the target value, in `unit`"),
                Column("unit", "str", "unit of target and actual, e.g. `%`", required=False,
                       nullable=True),
                Column("deadline", "date", "date by which it must be met (empty: standing target)",
                       required=False, nullable=True),
                Column("lead_department", "str", "department answering for it", required=False,
                       nullable=True),
                Column("seed_section", "str", "section of the plan document it comes from",
                       required=False, nullable=True),
            ),
            "the district's quantitative creation targets (scored by `riskplan monitor`; "
            "without this table there is no scorecard)",
            key="target_id",
            optional=True,
        ),
        Table(
            "target_actuals",
            (
                Column("target_id", "id", "target (must exist in creation_targets)"),
                Column("scope", "str", "`district`, a township code or a department"),
                Column("actual", "float", "actual value reached"),
                Column("as_of", "date", "date the value refers to"),
                Column("note", "str", "remarks", required=False, nullable=True),
            ),
            "actual values of the district's creation targets (typed in; riskplan computes some "
            "itself)",
            optional=True,
        ),
        Table(
            "population",
            (
                Column("year", "int", "year the figure is for (census year or year-end)",
                       min=1949, max=2100),
                Column("residents", "int", "residents of the whole district", unit="persons",
                       min=0, min_exclusive=True),
                Column("source", "str", "where the figure was published", required=False,
                       nullable=True),
            ),
            "district population by year; the quota uses the latest year before the plan year "
            "(configuration `quota.population_year` / `quota.population` may name another)",
            key="year",
            optional=True,
        ),
        Table(
            "higher_level",
            (
                Column("programme", "id", "the higher-level task, e.g. `national_2026` (a "
                       "`[[programmes]]` entry of kind `higher_level` says what it counts towards)"),
                Column("level", "str", "who set the task", allowed=("national", "provincial", "city")),
                Column("township_code", "id", "township (must exist in townships)"),
                Column("business_type", "id", "business type (must exist in business_types)"),
                Column("category_code", "id", "food category (must exist in categories)"),
                Column("month", "int", "month the samples are (to be) taken", min=1, max=12,
                       required=False, nullable=True),
                Column("samples", "int", "samples the task takes in the district", unit="samples",
                       min=1),
            ),
            "samples national, provincial and city programmes take in the district (上级任务); "
            "they count towards a programme's quota or only for coverage, as the configuration says "
            "(`riskplan plan --higher-level FILE` reads one from elsewhere)",
            optional=True,
        ),
        Table(
            "inspections",
            (
                Column("establishment_id", "id", "establishment inspected (must exist in "
                       "establishments)"),
                Column("date", "date", "date of the inspection"),
                Column("programme", "str", "inspection campaign (the `id` of a `[[programmes]]` "
                       "entry of kind `inspection`, e.g. `term_start`); empty: every campaign",
                       required=False, nullable=True),
                Column("outcome", "str", "what the inspection found, e.g. 合格, 责令整改",
                       required=False, nullable=True),
                Column("note", "str", "remarks", required=False, nullable=True),
            ),
            "inspections done in the plan year (no samples), e.g. the term-start school canteen "
            "checks; `riskplan monitor` scores an inspection campaign's target (T25) from them",
            optional=True,
        ),
    )
}
"""Every input table, by name, in reading order."""

METADATA_KEYS: dict[str, str] = {
    "name": "human-readable district name (text, required)",
    "district_code": "6-digit administrative code (text, required)",
    "reference_date": "date the data are frozen at (TOML date, required)",
    "plan_year": "year planned and monitored (integer, required)",
    "population_year": "year of the population figures (integer, optional)",
    "synthetic": "names of tables that are synthetic (list of text, optional)",
    "provenance": "table of text: where each table came from (optional)",
}
"""Keys of ``dataset.toml``."""

GEOJSON_FILES: dict[str, str] = {
    "townships.geojson": "township polygons (FeatureCollection, EPSG:4326), property `township_code` "
    "matching `townships.csv`; optional property `approximate` (bool). Required.",
    "district.geojson": "district outline (one (Multi)Polygon feature, EPSG:4326). Optional: without "
    "it the union of the township polygons is used.",
}
"""The GeoJSON files of a dataset folder."""

DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "townships": {"geometry": "township polygon from `townships.geojson`"},
    "establishments": {
        "coord_source": "datum the coordinates came in (`wgs84`, `gcj02`, `bd09`; empty: none)",
        "has_location": "the row has WGS-84 coordinates (can be routed)",
    },
    "stations": {"coord_source": "datum the coordinates came in"},
    "labs": {"coord_source": "datum the coordinates came in"},
}
"""Columns the readers add to a loaded table."""
