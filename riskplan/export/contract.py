"""The plan folder's one contract: every table, its file, its columns and their types.

:func:`riskplan.export.plan_folder.write_plan` writes each table through :func:`conform` and
:func:`riskplan.export.plan_reader.read_plan` reads each one back through :func:`parse`, so a
table read from a plan folder has the columns, in the same order, and the dtypes the pipeline
produced, whatever language its headers were written in.

Column kinds and their pandas dtypes (:data:`DTYPES`):

``str``
    Text (identifiers, codes, names, ``;`` lists, ``HH:MM``): pandas ``str``. A CSV cell cannot
    tell missing text from empty text, so missing text is ``""`` on both sides.
``int``
    Whole numbers, never missing: ``int64``.
``float``
    Numbers, missing as NaN: ``float64``. Written with 10 significant digits, so a value read
    back differs from the pipeline's by at most 5e-10 relative.
``bool``
    ``true``/``false`` (the team sheets: ``是``/``否`` or ``yes``/``no``): ``bool``.
``datetime``
    Dates (``YYYY-MM-DD``): ``datetime64[ns]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.export.headers import COLUMNS, to_standard
from riskplan.tables import as_bool

Kind = Literal["str", "int", "float", "bool", "datetime"]
Columns = tuple[tuple[str, Kind], ...]

DTYPES: dict[Kind, str] = {
    "str": "str", "int": "int64", "float": "float64", "bool": "bool", "datetime": "datetime64[ns]",
}
"""Column kind -> pandas dtype of the column in memory."""


@dataclasses.dataclass(frozen=True)
class TableSpec:
    """One table of a plan folder.

    Attributes
    ----------
    name
        Table name (``PlanFolder.tables`` key).
    file
        Path of its CSV inside the plan folder.
    columns
        ``(column, kind)`` pairs, in file order.
    optional
        ``(column, kind)`` pairs written after ``columns`` only when the table has them (the
        ``programme`` columns of a plan with several programmes: a plan of one programme keeps
        its files as they were).
    """

    name: str
    file: str
    columns: Columns
    optional: Columns = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c for c, _ in self.columns)

    def standard_names(self, headers: Iterable[str]) -> list[str]:
        """Standard names of the headers of this table's file, written in either language.

        Matched against this table's columns first (``冷链`` is ``cold_chain`` in ``stops`` and
        ``perishable`` in ``visits``), then against every known header.
        """
        own: dict[str, str] = {}
        for c in self.names:
            zh, en = COLUMNS.get(c, (c, c))
            for h in (c, zh, en):
                own.setdefault(h, c)
        return [own.get(h) or to_standard([h])[0] for h in headers]


def _cols(spec: str) -> Columns:
    """``"a:str b:int ..."`` -> ``(("a", "str"), ("b", "int"), ...)``."""
    out = []
    for item in spec.split():
        name, kind = item.split(":")
        if kind not in DTYPES:
            raise ValueError(f"unknown column kind in {item!r}")
        out.append((name, kind))
    return tuple(out)


KEY = _cols("township_code:str business_type:str category_code:str")

RISK_SCORES = KEY + _cols("""
    stage:str stratum_id:str n_establishments:int n_samples:int n_fail:int n_samples_w:float
    n_fail_w:float raw_rate:float rate_mean:float rate_lo:float rate_hi:float no_history:bool
    weight:float weight_share:float rank:int n_grade_cd:int share_grade_cd:float
    mean_daily_customers:float district_mean:float category_mean:float business_type_rr:float
    cell_mean:float township_rr:float prior_mean:float prior_alpha:float prior_beta:float
    post_alpha:float post_beta:float category_name_zh:str category_name_en:str
    business_type_name_zh:str business_type_name_en:str township_name_zh:str township_name_en:str
    rate_term:float volume_index:float exposure:float hazard_severity:float hazard_term:float
    complaints:float complaints_per_establishment:float complaint_index:float
    complaint_factor:float grade_factor:float vulnerable:bool vulnerable_factor:float
""")
"""``riskplan.risk.score``."""

_ALLOCATION_FRONT = KEY + _cols("""
    stage:str n_establishments:int weight:float higher_level:int floor:int risk_part:int
    samples:int fractional:float cost_per_sample_yuan:float cost_yuan:float key_product:bool
    school:bool capacity:int moved:int
""")
ALLOCATION = _ALLOCATION_FRONT + tuple(
    c for c in RISK_SCORES if c[0] not in dict(_ALLOCATION_FRONT)
)
"""``Allocation.table``: its own columns, then the risk scores' (as ``allocate`` orders them)."""

SCHEDULE = KEY + _cols("month:int samples:int focus:str in_season:bool")
"""``riskplan.schedule.monthly``."""

VISITS = _cols("""
    visit_id:str year:int month:int establishment_id:str township_code:str business_type:str
    stage:str risk_grade:str categories_to_sample:str samples:int units:int perishable:bool
    mode:str has_location:bool station_id:str inclusion_probability:float opening_hours:str
    lon_wgs84:float lat_wgs84:float
""")
"""``Selection.visits`` of the planned months."""

FIELD = _cols("""
    date:str station_id:str team:int stop_order:int arrival:str window:str establishment_name:str
    establishment_id:str address:str township_name:str categories_to_sample:str
    categories_to_sample_names:str samples:int units:int cold_chain:bool lab_deadline:str
    visit_id:str licence_no:str officers:str officer_names:str station_name:str amap_url:str
    baidu_url:str held_overnight:bool navigate_by_address:bool
""")
"""A field team's stop (``riskplan.export.field.field_table``); ``date`` stays ``YYYY-MM-DD`` text,
``arrival`` is the planned arrival (``HH:MM``), ``window`` the hours the place may be sampled
(``HH:MM-HH:MM;...``), ``amap_url``/``baidu_url`` navigation links (:mod:`riskplan.export.navigation`);
``held_overnight``: the sample stays in the station's cold storage overnight and goes with the next
intake; ``navigate_by_address``: the establishment has no coordinates, the stop is planned at its
township's centre and the links search its address."""

ROUTES = _cols("""
    station_id:str team:int date:datetime n_stops:int samples:int perishable_samples:int km:float
    travel_minutes:float start:str end:str minutes:int ends_at:str lab_id:str lab_arrival:str
    lab_date:datetime held_samples:int
""")
"""``RoutePlan.routes`` as written (:func:`riskplan.export.field.routes_table`): ``start``, ``end``
and ``lab_arrival`` as ``HH:MM`` (``lab_arrival`` empty when the route ends at its station),
``minutes`` and ``travel_minutes`` [min], ``km`` [km], ``lab_date`` the day its samples reach the lab."""

LAB_DAYS = _cols("""
    lab_id:str lab_name:str date:datetime samples:int perishable_samples:int booked:int
    capacity_per_day:float
""")
"""``RoutePlan.lab_days`` of every planned month, with the lab's name: samples reaching each lab on
each day, ``booked`` by a month planned earlier, ``capacity_per_day`` [samples] (NaN: no limit)."""

UNASSIGNED = _cols("""
    month:int visit_id:str reason:str reason_text:str establishment_id:str establishment_name:str
    address:str township_code:str business_type:str categories_to_sample:str samples:int units:int
    cold_chain:bool
""")
"""``riskplan.export.field.unassigned_table``."""

PURCHASES = _cols("""
    month:int visit_id:str establishment_id:str establishment_name:str address:str
    township_code:str business_type:str categories_to_sample:str categories_to_sample_names:str
    samples:int units:int cold_chain:bool licence_no:str
""")
"""``riskplan.export.field.purchase_orders``."""

SHORTFALL = KEY + _cols("""
    requested:int delivered:int missing:int n_establishments:int n_eligible:int reason:str month:int
""")
"""``Selection.shortfall`` of each planned month, with ``month``."""

MOVES = _cols("from_stratum:str to_stratum:str samples:int reason:str")
"""``Allocation.moves``: samples a stratum's establishments cannot supply, moved to another."""

PLACEMENTS = _cols("""
    kind:str from_month:int to_month:int from_stratum:str to_stratum:str samples:int reason:str
""")
"""``PlanResult.placements``: samples the selection carried to a later month or substituted."""

DETECTION = KEY + _cols("""
    stage:str n_establishments:int samples:int weight:float posterior_rate:float
    test_sensitivity:float sampling_fraction:float sensitivity_method:str
    surveillance_sensitivity:float expected_found:float p_found:float
""")
"""``riskplan.allocation.detection_table``: what each stratum's samples can detect."""

TEAMS = _cols("station_id:str date:datetime team:int officers:str roster_size:int seed:int")
"""``riskplan.selection.draw_teams``, ``officer_ids`` written as ``officers``."""

PROGRAMME = _cols("programme:str")
"""Optional column of a plan with several programmes (``[[programmes]]``): the programme of the row."""

PROGRAMME_SAMPLES = _cols("programme:str programme_samples:str")
"""Optional columns of a visit's rows with several programmes: ``programme`` (``;`` list of the
programmes whose samples the visit takes) and ``programme_samples`` (what each takes:
``risk_monitoring:C01=1;supervision:C01=1,C07=2``, programme then category = samples)."""

CAMPAIGN = _cols("service_minutes:int allowed_dates:str")
"""Optional columns of the visits of a plan with an inspection campaign (``kind = "inspection"``):
``service_minutes`` (its visit length [min]; 0: from ``routing.service_minutes``) and
``allowed_dates`` (``;`` list of the ISO dates it may take place on; empty: any working day)."""

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec("risk_scores", "risk_scores.csv", RISK_SCORES),
        TableSpec("allocation", "allocation.csv", ALLOCATION, PROGRAMME),
        TableSpec("schedule", "schedule.csv", SCHEDULE, PROGRAMME),
        TableSpec("visits", "visits.csv", VISITS, PROGRAMME_SAMPLES + CAMPAIGN),
        TableSpec("stops", "stops.csv", FIELD + _cols("lon_wgs84:float lat_wgs84:float"),
                  PROGRAMME_SAMPLES),
        TableSpec("routes", "routes.csv", ROUTES),
        TableSpec("lab_days", "lab_days.csv", LAB_DAYS),
        TableSpec("unassigned", "unassigned.csv", UNASSIGNED, PROGRAMME_SAMPLES),
        TableSpec("purchases", "purchases.csv", PURCHASES, PROGRAMME_SAMPLES),
        TableSpec("shortfall", "shortfall.csv", SHORTFALL, PROGRAMME),
        TableSpec("moves", "moves.csv", MOVES, PROGRAMME),
        TableSpec("placements", "placements.csv", PLACEMENTS),
        TableSpec("teams", "teams.csv", TEAMS),
        TableSpec("detection", "detection.csv", DETECTION),
    )
}
"""Every table of a plan folder, in writing order."""

HIGHER_LEVEL = TableSpec("higher_level", "higher_level.csv", _cols("""
    programme:str task_level:str township_code:str business_type:str category_code:str month:float
    samples:int counts_towards:str counted_as:str
"""))
"""``PlanResult.higher_level``: the samples of national, provincial and city programmes, each with the
programme whose quota it counts towards (empty: coverage only) and ``counted_as`` (``quota`` or
``coverage``); ``month`` NaN when not given. Written only when there are any."""

TEAM_SHEET = TableSpec("team_sheet", "teams/<station>-T<team>/<date>.csv", FIELD[3:], PROGRAMME_SAMPLES)
"""One team's day (the stops without date, station and team); ``cold_chain`` written 是/否 or yes/no."""


def spec_of(table: str | TableSpec) -> TableSpec:
    """The :class:`TableSpec` of a table name (a key of :data:`TABLES` or ``"team_sheet"``)."""
    if isinstance(table, TableSpec):
        return table
    if table == TEAM_SHEET.name:
        return TEAM_SHEET
    if table not in TABLES:
        raise RiskplanError(f"no plan-folder table named {table!r} (known: {', '.join(TABLES)})")
    return TABLES[table]


def column_kinds() -> dict[str, Kind]:
    """Column -> kind for every column that has the same kind in every table that holds it."""
    seen: dict[str, set[Kind]] = {}
    for spec in (*TABLES.values(), TEAM_SHEET):
        for c, k in spec.columns:
            seen.setdefault(c, set()).add(k)
    return {c: next(iter(ks)) for c, ks in seen.items() if len(ks) == 1}


# --------------------------------------------------------------------------- writing
def conform(table: str | TableSpec, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as table ``table`` of the contract: its columns in order, each with its dtype.

    Only the dtype changes (``object``/``string`` text -> ``str`` with missing as ``""``,
    ``object`` numbers -> ``int64``/``float64``, ...), never a value, so the CSV written is the
    same; a value that does not fit its kind raises.

    Raises
    ------
    RiskplanError
        When ``df`` lacks a column of the table or has one the table does not declare (the
        contract and the pipeline disagree), or a value does not fit its column's kind.
    """
    spec = spec_of(table)
    present = tuple((c, k) for c, k in spec.optional if c in df.columns)
    extra = [str(c) for c in df.columns if c not in spec.names and c not in dict(present)]
    missing = [c for c in spec.names if c not in df.columns]
    if extra or missing:
        raise RiskplanError(
            f"plan folder table {spec.name} disagrees with riskplan.export.contract: "
            f"column(s) not in the contract: {', '.join(extra) or '-'}; "
            f"contract column(s) missing: {', '.join(missing) or '-'}"
        )
    df = df.reset_index(drop=True)
    return pd.DataFrame({c: _cast(df[c], kind, f"{spec.name}.{c}") for c, kind in spec.columns + present},
                        index=df.index)


def _cast(s: pd.Series, kind: Kind, where: str) -> pd.Series:
    if kind == "str":
        # a string column holds text or missing values only; any other is checked value by value
        bad = [] if isinstance(s.dtype, pd.StringDtype) else [
            v for v in s.tolist() if not isinstance(v, str) and not pd.isna(v)]
        if bad:
            raise RiskplanError(f"{where}: {bad[0]!r} is not text")
        return s.astype(object).where(s.notna(), "").astype(DTYPES["str"])
    if kind == "bool":
        if s.dtype != bool and not all(isinstance(v, (bool, np.bool_)) for v in s.tolist()):
            raise RiskplanError(f"{where}: not all true/false")
        return s.astype(DTYPES["bool"])
    if kind == "datetime":
        return pd.to_datetime(s).astype(DTYPES["datetime"])
    if pd.api.types.is_bool_dtype(s):
        raise RiskplanError(f"{where}: booleans where numbers belong")
    num = pd.to_numeric(s)
    if kind == "float":
        return num.astype(DTYPES["float"])
    if num.isna().any() or (num % 1 != 0).any():
        raise RiskplanError(f"{where}: not all whole numbers")
    return num.astype(DTYPES["int"])


# --------------------------------------------------------------------------- reading
def parse(table: str | TableSpec | None, raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """Type a table read as text (headers as written, guards undone) by the contract.

    Parameters
    ----------
    table
        The contract table; None for another CSV written by riskplan (the monitoring outputs):
        columns typed by :func:`column_kinds`, the others kept as text.
    raw
        Every cell as text (``riskplan.export.csvfile.read_csv``).
    source
        The file, named in error messages.

    Returns
    -------
    pandas.DataFrame
        Standard column names in file order; a column the table does not declare stays text.

    Raises
    ------
    RiskplanError
        For a cell that is not of its column's kind, naming the file, the 1-based data row and
        the column.
    """
    if table is None:
        names, kinds = to_standard(raw.columns), column_kinds()
    else:
        spec = spec_of(table)
        names, kinds = spec.standard_names(raw.columns), dict(spec.columns + spec.optional)
    data = {
        name: _parse(raw.iloc[:, i], kinds.get(name, "str"), source, name, str(raw.columns[i]))
        for i, name in enumerate(names)
    }
    return pd.DataFrame(data, columns=names, index=pd.RangeIndex(len(raw)))


def _parse(text: pd.Series, kind: Kind, source: str, column: str, header: str) -> pd.Series:
    cells: list[str] = text.fillna("").astype(object).tolist()
    if kind == "str":
        return pd.Series(cells, dtype=DTYPES["str"])
    cells = [v.strip() for v in cells]
    blank = np.array([v == "" for v in cells], dtype=bool)

    def fail(bad: np.ndarray, what: str) -> RiskplanError:
        i = int(np.asarray(bad).argmax())
        col = column if header == column else f"{column} ({header})"
        return RiskplanError(f"{source}: row {i + 1}, column {col}: {cells[i]!r} is not {what}")

    if kind == "bool":
        if blank.any():
            raise fail(blank, "true/false")
        try:
            return as_bool(pd.Series(cells, dtype=object)).astype(DTYPES["bool"])
        except RiskplanError:
            raise fail(np.array([_not_bool(v) for v in cells]), "true/false") from None
    given = pd.Series([None if b else v for v, b in zip(cells, blank)], dtype=object)
    if kind == "datetime":
        when = pd.to_datetime(given, format="ISO8601", errors="coerce")
        if when.isna().any():
            raise fail(when.isna().to_numpy(), "a date (YYYY-MM-DD)")
        return when.astype(DTYPES["datetime"])
    num = pd.to_numeric(given, errors="coerce")
    bad = num.isna().to_numpy() & ~blank
    if bad.any():
        raise fail(bad, "a number")
    if kind == "float":
        return num.astype(DTYPES["float"])
    fraction = (num % 1 != 0).to_numpy() & ~blank
    if blank.any() or fraction.any():
        raise fail(blank | fraction, "a whole number")
    return num.astype(DTYPES["int"])


def _not_bool(value: str) -> bool:
    try:
        as_bool(pd.Series([value]))
    except RiskplanError:
        return True
    return False
