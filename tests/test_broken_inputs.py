"""A table of deliberately broken inputs, each mapped to the exact problem it must produce.

Every case writes the valid mini dataset (tests/broken_inputs/minidata.py) into a temporary folder,
breaks one thing, and checks that validation reports that problem at the right file, 1-based data
row, column, with the right message, as an error - and that reading with validation raises
ValidationError instead of a pandas traceback.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from broken_inputs.minidata import (
    TOML,
    rows_of,
    townships_geojson,
    write_mini,
    write_table,
)

from riskplan.datasets import read_dataset
from riskplan.errors import ValidationError
from riskplan.validation import validate_dataset

Mutator = Callable[[Path], None]


def edit(table: str, row: int, **cells: str) -> Mutator:
    """Set ``cells`` in 1-based data ``row`` of ``table``."""

    def mutate(folder: Path) -> None:
        rows = rows_of(table)
        rows[row - 1].update(cells)
        write_table(folder, table, rows)

    return mutate


def edit_new(table: str, row: int, **cells: str) -> Mutator:
    """Like :func:`edit`, for optional columns the mini table does not have (empty elsewhere)."""

    def mutate(folder: Path) -> None:
        rows = [{**r, **dict.fromkeys(cells, "")} for r in rows_of(table)]
        rows[row - 1].update(cells)
        write_table(folder, table, rows)

    return mutate


def drop_column(table: str, column: str) -> Mutator:
    def mutate(folder: Path) -> None:
        rows = rows_of(table)
        for r in rows:
            r.pop(column)
        write_table(folder, table, rows)

    return mutate


def write_bytes(name: str, data: bytes) -> Mutator:
    def mutate(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return mutate


def remove(name: str) -> Mutator:
    def mutate(folder: Path) -> None:
        (folder / name).unlink()

    return mutate


def as_xlsx(table: str, row: int, **cells: str) -> Mutator:
    """Replace ``<table>.csv`` by ``<table>.xlsx`` with ``cells`` changed in ``row``."""

    def mutate(folder: Path) -> None:
        rows = rows_of(table)
        rows[row - 1].update(cells)
        (folder / f"{table}.csv").unlink()
        write_table(folder, table, rows, suffix=".xlsx")

    return mutate


def as_gbk(table: str, row: int, **cells: str) -> Mutator:
    def mutate(folder: Path) -> None:
        rows = rows_of(table)
        rows[row - 1].update(cells)
        write_table(folder, table, rows, encoding="gbk")

    return mutate


def gap_in_coverage(folder: Path) -> None:
    write_table(folder, "stations", rows_of("stations")[:1])
    officers = rows_of("officers")
    officers[2]["station_id"] = "S1"
    write_table(folder, "officers", officers)


def drop_polygon(folder: Path) -> None:
    gj = townships_geojson()
    gj["features"] = gj["features"][:1]
    (folder / "townships.geojson").write_text(json.dumps(gj), encoding="utf-8")


def ragged_row(folder: Path) -> None:
    path = folder / "officers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def toml_without(key: str) -> Mutator:
    def mutate(folder: Path) -> None:
        text = "\n".join(line for line in TOML.splitlines() if not line.startswith(key))
        (folder / "dataset.toml").write_text(text, encoding="utf-8")

    return mutate


def gcj_text(folder: Path) -> None:
    rows = rows_of("establishments")
    for r in rows:
        r["lon_gcj02"], r["lat_gcj02"] = r.pop("lon_wgs84"), r.pop("lat_wgs84")
    rows[1]["lon_gcj02"] = "120,6x"
    write_table(folder, "establishments", rows)


def add_column(table: str, header: str, values: dict[int, str], suffix: str = ".csv") -> Mutator:
    """Add a column ``header`` to ``table`` with ``values`` in some 1-based rows (others empty)."""

    def mutate(folder: Path) -> None:
        rows = rows_of(table)
        for i, r in enumerate(rows, start=1):
            r[header] = values.get(i, "")
        if suffix != ".csv":
            (folder / f"{table}.csv").unlink()
        write_table(folder, table, rows, suffix=suffix)

    return mutate


def both_csv_and_xlsx(folder: Path) -> None:
    """establishments.csv and a different establishments.xlsx side by side."""
    rows = rows_of("establishments")
    rows[0]["risk_grade"] = "D"
    write_table(folder, "establishments", rows, suffix=".xlsx")


def gcj02_pair(lon: float, lat: float, east_m: float = 0.0) -> tuple[str, str]:
    """The GCJ-02 pair of a WGS-84 point, moved ``east_m`` metres east [m]."""
    import prcoords

    c = prcoords.wgs_gcj(prcoords.Coords(lat, lon), False)
    return f"{c.lon + east_m / (111_320 * math.cos(math.radians(lat))):.6f}", f"{c.lat:.6f}"


def gcj02_beside_wgs84(east_m: float) -> Mutator:
    """Rows 1 and 2 of establishments also give a GCJ-02 pair: row 1 the same place, row 2
    ``east_m`` metres away (after conversion)."""

    def mutate(folder: Path) -> None:
        rows = rows_of("establishments")
        for r in rows:
            r["lon_gcj02"], r["lat_gcj02"] = "", ""
        for r, shift in ((rows[0], 0.0), (rows[1], east_m)):
            r["lon_gcj02"], r["lat_gcj02"] = gcj02_pair(float(r["lon_wgs84"]), float(r["lat_wgs84"]), shift)
        write_table(folder, "establishments", rows)

    return mutate


def rename_column(table: str, old: str, new: str) -> Mutator:
    def mutate(folder: Path) -> None:
        rows = [{(new if k == old else k): v for k, v in r.items()} for r in rows_of(table)]
        write_table(folder, table, rows)

    return mutate


def toml_with(key: str, value: str) -> Mutator:
    def mutate(folder: Path) -> None:
        text = "\n".join(f"{key} = {value}" if line.startswith(f"{key} =") else line
                         for line in TOML.splitlines())
        (folder / "dataset.toml").write_text(text, encoding="utf-8")

    return mutate


def two_user_columns(folder: Path) -> None:
    add_column("history", "任务来源", {1: "省局下达", 2: "区局自定", 3: "省局下达"})(folder)
    add_column("complaints", "任务来源", {2: "12315"})(folder)


def huge_field(folder: Path) -> None:
    """complaints.csv whose second data row holds a 16 MB cell (a pasted blob)."""
    rows = rows_of("complaints")
    rows[1]["kind"] = "x" * (16 * 2**20)
    write_table(folder, "complaints", rows)


_valid_csv = (b"establishment_id,name\n0042,\xff\xfe\xfa\xff\n")

# id -> (mutation, (file, row, column, message fragment))
CASES: dict[str, tuple[Mutator, tuple[str, int | None, str, str]]] = {
    "missing column": (drop_column("establishments", "risk_grade"),
                       ("establishments.csv", None, "risk_grade", "required column")),
    "bad encoding": (write_bytes("establishments.csv", _valid_csv),
                     ("establishments.csv", None, "", "cannot decode")),
    "utf-16 file": (write_bytes("officers.csv", "officer_id\nP1\n".encode("utf-16")),
                    ("officers.csv", None, "", "UTF-16")),
    "duplicate id": (edit("establishments", 3, establishment_id="0042"),
                     ("establishments.csv", 3, "establishment_id", "duplicate establishment_id")),
    "unknown township": (edit("establishments", 2, township_code="330304999"),
                         ("establishments.csv", 2, "township_code", "unknown township")),
    "population zero": (edit("townships", 1, population="0"),
                        ("townships.csv", 1, "population", "out of range (must be > 0)")),
    "population negative": (edit("townships", 2, population="-5"),
                            ("townships.csv", 2, "population", "out of range")),
    "population text": (edit("townships", 1, population="many"),
                        ("townships.csv", 1, "population", "not a whole number")),
    "population fraction": (edit("townships", 2, population="12.5"),
                            ("townships.csv", 2, "population", "not a whole number")),
    "outside district": (edit("establishments", 4, lon_wgs84="120.90"),
                         ("establishments.csv", 4, "lon_wgs84", "outside the district")),
    "lat lon swapped": (edit("establishments", 1, lon_wgs84="27.97", lat_wgs84="120.55"),
                        ("establishments.csv", 1, "lon_wgs84", "look swapped")),
    "not plausible": (edit("establishments", 2, lon_wgs84="0", lat_wgs84="0"),
                      ("establishments.csv", 2, "lon_wgs84", "not plausible")),
    "half coordinates": (edit("establishments", 3, lat_wgs84=""),
                         ("establishments.csv", 3, "lat_wgs84", "given together")),
    "station far away": (edit("stations", 1, lon_wgs84="121.20"),
                         ("stations.csv", 1, "lon_wgs84", "outside 30 km")),
    "station without coordinates": (edit("stations", 2, lon_wgs84="", lat_wgs84=""),
                                    ("stations.csv", 2, "lon_wgs84", "coordinates are required")),
    "bad time 25:00": (edit("labs", 1, intake_cutoff="25:00"),
                       ("labs.csv", 1, "intake_cutoff", "not a time of day")),
    "lab weekday garbage": (edit("labs", 1, working_days="mon;tues"),
                            ("labs.csv", 1, "working_days", "'tues' is not a weekday")),
    "lab capacity zero": (edit("labs", 1, capacity_per_day="0"),
                          ("labs.csv", 1, "capacity_per_day", "out of range")),
    "cutoff before open": (edit("labs", 1, intake_cutoff="07:00"),
                           ("labs.csv", 1, "intake_cutoff", "after intake opening")),
    "window end before start": (edit("establishments", 3, opening_hours="17:00-08:00"),
                                ("establishments.csv", 3, "opening_hours", "must end after")),
    "window garbage": (edit("establishments", 2, opening_hours="morning"),
                       ("establishments.csv", 2, "opening_hours", "time windows")),
    "grade E": (edit("establishments", 1, risk_grade="E"),
                ("establishments.csv", 1, "risk_grade", "must be one of A, B, C, D")),
    "result maybe": (edit("history", 2, result="maybe"),
                     ("history.csv", 2, "result", "must be one of pass, fail")),
    "followup status unknown": (edit("history", 4, followup_status="closed"),
                                ("history.csv", 4, "followup_status", "must be one of")),
    "pass with follow-up": (edit("history", 1, followup_status="pending"),
                            ("history.csv", 1, "followup_status", "needs no follow-up")),
    "fail without follow-up": (edit("results", 1, result="fail", followup_status="not_required"),
                               ("results.csv", 1, "followup_status", "needs follow-up")),
    "follow-up date not done": (edit("history", 4, followup_date="2025-10-01"),
                                ("history.csv", 4, "followup_date", "not done")),
    "result received before sampling": (
        edit_new("history", 2, result_received_date="2024-07-01"),
        ("history.csv", 2, "result_received_date", "received before the sample date")),
    "follow-up before the result arrived": (
        edit_new("history", 2, result_received_date="2024-08-05"),
        ("history.csv", 2, "followup_date", "before the result was received")),
    "case closed never filed": (edit_new("history", 2, case_closed_date="2024-09-01"),
                                ("history.csv", 2, "case_closed_date", "never filed")),
    "retest unknown": (edit_new("history", 2, retest="maybe"),
                       ("history.csv", 2, "retest", "must be one of requested, upheld")),
    "pass with a case": (edit_new("history", 1, case_filed_date="2024-03-20"),
                         ("history.csv", 1, "case_filed_date", "no follow-up stage")),
    "bad date": (edit("history", 3, sample_date="2025-13-01"),
                 ("history.csv", 3, "sample_date", "not a date")),
    "date after reference": (edit("complaints", 2, date="2026-08-01"),
                             ("complaints.csv", 2, "date", "after the reference date")),
    "history missing establishment": (edit("history", 3, establishment_id="OH-E99999"),
                                      ("history.csv", 3, "establishment_id",
                                       "unknown establishment")),
    "history unknown category": (edit("history", 1, category_code="C77"),
                                 ("history.csv", 1, "category_code", "unknown category")),
    "establishment unknown category": (edit("establishments", 4, categories="C31;C99"),
                                       ("establishments.csv", 4, "categories",
                                        "unknown category")),
    "unknown business type": (edit("establishments", 2, business_type="D-BAZAAR"),
                              ("establishments.csv", 2, "business_type",
                               "unknown business type")),
    "stage mismatch": (edit("establishments", 3, stage="catering"),
                       ("establishments.csv", 3, "stage", "does not match business type")),
    "complaint unknown establishment": (edit("complaints", 1, establishment_id="X1"),
                                        ("complaints.csv", 1, "establishment_id",
                                         "unknown establishment")),
    "complaint unknown township": (edit("complaints", 2, township_code="330304777"),
                                   ("complaints.csv", 2, "township_code", "unknown township")),
    "station coverage double": (edit("stations", 2, township_codes="330304108;330304001"),
                                ("stations.csv", 2, "township_codes", "already covered")),
    "station coverage gap": (gap_in_coverage,
                             ("stations.csv", None, "township_codes", "not covered")),
    "station unknown township": (edit("stations", 1, township_codes="330304001;330304555"),
                                 ("stations.csv", 1, "township_codes", "unknown township")),
    "teams zero": (edit("stations", 2, teams="0"),
                   ("stations.csv", 2, "teams", "out of range")),
    "officer unknown station": (edit("officers", 3, station_id="S9"),
                                ("officers.csv", 3, "station_id", "unknown station")),
    "missing file": (remove("labs.csv"), ("labs.csv", None, "", "missing file")),
    "empty file": (write_bytes("establishments.csv", b""),
                   ("establishments.csv", None, "", "file is empty")),
    "header only": (write_bytes("townships.csv", b"township_code,name_zh\n"),
                    ("townships.csv", None, "", "no data rows")),
    "ragged csv": (ragged_row, ("officers.csv", 2, "", "malformed CSV")),
    "missing required value": (edit("establishments", 2, name=""),
                               ("establishments.csv", 2, "name", "value is missing")),
    "xlsx bad value": (as_xlsx("categories", 2, hazard_severity="9"),
                       ("categories.xlsx", 2, "hazard_severity", "out of range")),
    "gbk bad value": (as_gbk("townships", 2, kind="村"),
                      ("townships.csv", 2, "kind", "must be one of subdistrict, town")),
    "bad boolean": (edit("categories", 3, perishable="maybe"),
                    ("categories.csv", 3, "perishable", "not a boolean")),
    "gcj02 not a number": (gcj_text, ("establishments.csv", 2, "lon_gcj02", "not a number")),
    "unknown datum": (add_column("labs", "coord_datum", {1: "mars"}),
                      ("labs.csv", 1, "coord_datum", "must be one of wgs84, gcj02, bd09")),
    "toml missing key": (toml_without("reference_date"),
                         ("dataset.toml", None, "reference_date", "missing key")),
    "toml syntax": (write_bytes("dataset.toml", b"name = \"x\nplan_year = 2026\n"),
                    ("dataset.toml", None, "", "not valid TOML")),
    "missing township polygon": (drop_polygon,
                                 ("townships.csv", 2, "township_code", "no polygon")),
    "township code not digits": (edit("townships", 2, township_code="33O304108"),
                                 ("townships.csv", 2, "township_code", "9-digit")),
    # issue 17: the last inputs that passed silently or vaguely
    "two files for one table": (both_csv_and_xlsx,
                                ("establishments.csv", None, "",
                                 "two files for the table establishments: establishments.csv and "
                                 "establishments.xlsx; keep only one")),
    "wgs84 and gcj02 1.5 km apart": (gcj02_beside_wgs84(1500.0),
                                     ("establishments.csv", 2, "lon_gcj02",
                                      "the WGS-84 pair (120.650000, 27.980000) and the GCJ-02 pair")),
    "district code of five digits": (toml_with("district_code", '"33030"'),
                                     ("dataset.toml", None, "district_code",
                                      "must be the 6-digit administrative division code")),
    "16 MB csv field": (huge_field, ("complaints.csv", 2, "",
                                     "malformed CSV at line 3, data row 2: field larger than field limit")),
}


# Inputs that are not errors: read_dataset must not raise, and validation must report exactly
# these rows at the given level (besides the mini dataset's own warning).
# id -> (mutation, [(file, row, column, level, message fragment), ...])
NOT_ERRORS: dict[str, tuple[Mutator, list[tuple[str, int | None, str, str, str]]]] = {
    "user column": (add_column("history", "任务来源", {1: "省局下达", 3: "省局下达"}),
                    [("history.csv", None, "任务来源", "info", "column not used")]),
    "user column in two files": (two_user_columns,
                                 [("history.csv", None, "任务来源", "info", "(3 filled cells)"),
                                  ("complaints.csv", None, "任务来源", "info", "(1 filled cell)")]),
    "user column in xlsx": (add_column("categories", "采购渠道", {2: "超市"}, suffix=".xlsx"),
                            [("categories.xlsx", None, "采购渠道", "info", "column not used")]),
    "misspelt optional column": (rename_column("establishments", "address", "adress"),
                                 [("establishments.csv", None, "adress", "info",
                                   "(4 filled cells); did you mean 'address'?")]),
    "empty user column": (add_column("officers", "remark", {}),
                          [("officers.csv", None, "remark", "info", "(0 filled cells)")]),
    "datum column gcj02": (add_column("establishments", "坐标系", {2: "高德", 3: "wgs84"}), []),
}


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return write_mini(tmp_path / "mini")


def test_the_mini_dataset_is_valid(mini: Path) -> None:
    problems = validate_dataset(mini)
    assert (problems["level"] == "error").sum() == 0, problems.to_string()
    # the one establishment without coordinates is a warning, not an error
    assert problems[["file", "row", "level"]].values.tolist() == [
        ["establishments.csv", 5, "warning"]]


def test_there_are_at_least_25_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_broken_input_is_reported(mini: Path, case: str) -> None:
    mutate, (file, row, column, fragment) = CASES[case]
    mutate(mini)
    # one read per case (keeps the table fast): the exception carries every error-level problem,
    # the same rows validate_dataset() reports (checked for a few cases below)
    with pytest.raises(ValidationError) as info:
        read_dataset(mini)
    errors = info.value.problems
    assert set(errors["level"]) == {"error"}
    hits = errors[(errors["file"] == file) & (errors["column"] == column)
                  & errors["message_en"].str.contains(fragment, regex=False)
                  & errors["row"].map(lambda r: r == row if row is not None else r is None)]
    assert len(hits) >= 1, f"expected {file}, row {row}, {column}: {fragment!r}\n" + (
        errors.to_string())
    assert (hits["message_zh"].str.len() > 0).all()


@pytest.mark.parametrize("case", ["grade E", "missing file", "bad encoding", "ragged csv"])
def test_validate_dataset_reports_without_raising(mini: Path, case: str) -> None:
    mutate, (file, row, column, fragment) = CASES[case]
    mutate(mini)
    problems = validate_dataset(mini)
    assert list(problems.columns) == ["file", "row", "column", "value", "message_en",
                                      "message_zh", "level"]
    hit = problems[(problems["file"] == file) & (problems["column"] == column)
                   & problems["message_en"].str.contains(fragment, regex=False)]
    assert len(hit) == 1 and hit["level"].iloc[0] == "error"


def test_all_problems_are_reported_at_once(mini: Path) -> None:
    edit("establishments", 1, risk_grade="E")(mini)
    edit("history", 2, result="maybe")(mini)
    remove("labs.csv")(mini)
    problems = validate_dataset(mini)
    errors = problems[problems["level"] == "error"]
    assert {"establishments.csv", "history.csv", "labs.csv"} <= set(errors["file"])


@pytest.mark.parametrize("case", list(NOT_ERRORS), ids=list(NOT_ERRORS))
def test_input_that_is_not_an_error(mini: Path, case: str) -> None:
    mutate, expected = NOT_ERRORS[case]
    mutate(mini)
    read_dataset(mini)  # does not raise: infos and warnings never fail validation
    problems = validate_dataset(mini)
    own = problems[~((problems["file"] == "establishments.csv") & (problems["row"] == 5)
                     & (problems["level"] == "warning"))]  # the mini dataset's one warning
    got = [(r.file, r.row, r.column, r.level) for r in own.itertuples(index=False)]
    assert sorted(got, key=str) == sorted([e[:4] for e in expected], key=str), own.to_string()
    for file, _row, column, _level, fragment in expected:
        hit = own[(own["file"] == file) & (own["column"] == column)]
        assert fragment in hit["message_en"].iloc[0], hit["message_en"].iloc[0]
        assert "未使用的列" in hit["message_zh"].iloc[0]


def test_in_memory_dataset_reports_unused_columns_too(mini: Path) -> None:
    add_column("history", "任务来源", {1: "省局下达"})(mini)
    ds = read_dataset(mini)
    assert "任务来源" in ds.history.columns  # kept, not dropped
    problems = validate_dataset(ds)
    infos = problems[problems["level"] == "info"]
    assert infos[["file", "row", "column"]].values.tolist() == [["history.csv", None, "任务来源"]]


def test_a_second_coordinate_pair_at_the_same_place_is_accepted(mini: Path) -> None:
    """WGS-84 and GCJ-02 pairs of one place (a few metres of rounding) are not a problem; 1.5 km is."""
    gcj02_beside_wgs84(30.0)(mini)
    ds = read_dataset(mini)
    assert ds.establishments["coord_source"].iloc[:2].tolist() == ["wgs84", "wgs84"]
    gcj02_beside_wgs84(1500.0)(mini)
    problems = validate_dataset(mini)
    hit = problems[problems["column"] == "lon_gcj02"]
    assert hit["row"].tolist() == [2] and hit["level"].tolist() == ["error"]
    msg = hit["message_en"].iloc[0]
    # both pairs are named; the distance is the one put in (the conversion round-trips to < 1 m)
    assert "WGS-84 pair (120.650000, 27.980000)" in msg and f"GCJ-02 pair ({hit['value'].iloc[0]})" in msg
    assert re.search(r"are 1,[45]\d\d m apart after conversion to WGS-84 \(more than 50 m\)", msg), msg


def test_a_huge_field_names_the_line_and_row_in_any_table(mini: Path) -> None:
    rows = rows_of("history")
    rows[2]["hazard"] = '"' + "y" * 200_000  # an unclosed quote swallowing the rest of the file
    write_table(mini, "history", rows)
    problems = validate_dataset(mini)
    hit = problems[problems["file"] == "history.csv"]
    assert hit["row"].tolist() == [3]
    assert hit["message_en"].iloc[0].startswith("malformed CSV at line 4, data row 3:")
