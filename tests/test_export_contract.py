"""The plan folder's one contract: what the pipeline made is what ``read_plan`` gives back.

A plan is run on the embedded Ouhai data and on the small district of ``test_cli_plan``, written
with English and with Chinese headers, read back, and every table compared with the tables the
pipeline produced: the same columns in the same order, the contract's dtypes (which are the
pipeline's), the same values (floats to the 10 significant digits the CSV keeps). Reading
``shortfall.missing`` as text (summing it gave '1111123111111') fails here.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_cli_plan import INJECTED_NAME, make_small_district

from riskplan.allocation.deliverable import MOVE_COLUMNS
from riskplan.allocation.detection import DETECTION_COLUMNS
from riskplan.config import Config
from riskplan.datasets import read_dataset
from riskplan.errors import RiskplanError
from riskplan.export import contract, csvfile
from riskplan.export.headers import headers
from riskplan.export.plan_folder import plan_tables, read_plan, read_table, write_plan
from riskplan.monitoring import load_plan
from riskplan.pipeline import run_plan
from riskplan.pipeline.carry import PLACEMENT_COLUMNS
from riskplan.routing.day import ROUTE_COLUMNS
from riskplan.selection import SHORTFALL_COLUMNS, VISIT_COLUMNS
from riskplan.selection.roster import ROSTER_COLUMNS

PIPELINE_TABLES = {"risk_scores": "scores", "allocation": "allocation", "schedule": "schedule",
                   "visits": "visits", "shortfall": "shortfall", "detection": "detection"}
"""Folder tables that are the PlanResult's own tables (attribute names); ``routes`` is written
with its times as ``HH:MM``."""


# --------------------------------------------------------------------------- the contract itself
def test_contract_columns_are_the_stages_columns() -> None:
    names = {n: list(s.names) for n, s in contract.TABLES.items()}
    assert names["visits"] == list(VISIT_COLUMNS)
    assert names["routes"] == ROUTE_COLUMNS
    assert names["shortfall"] == [*SHORTFALL_COLUMNS, "month"]
    assert names["teams"] == [c if c != "officer_ids" else "officers" for c in ROSTER_COLUMNS]
    assert names["stops"][:3] == ["date", "station_id", "team"]
    assert names["stops"][-2:] == ["lon_wgs84", "lat_wgs84"]
    assert list(contract.TEAM_SHEET.names) == names["stops"][3:-2]
    assert list(contract.TABLES) == ["risk_scores", "allocation", "schedule", "visits", "stops",
                                     "routes", "lab_days", "unassigned", "purchases", "shortfall",
                                     "moves", "placements", "teams", "detection"]
    assert names["detection"] == list(DETECTION_COLUMNS)
    assert names["moves"] == list(MOVE_COLUMNS)
    assert names["placements"] == list(PLACEMENT_COLUMNS)
    assert names["lab_days"] == ["lab_id", "lab_name", "date", "samples", "perishable_samples", "booked",
                                 "capacity_per_day"]


@pytest.mark.parametrize("table", ["stops", "routes", "lab_days", "unassigned", "purchases", "teams"])
def test_field_files_have_headers_in_one_language(table) -> None:
    """Every column of the files people read has a Chinese and an English header."""
    names = contract.TABLES[table].names
    zh, en = headers(names, "zh"), headers(names, "en")
    assert not [c for c, h in zip(names, zh) if h == c], table
    assert not [c for c, h in zip(names, en) if h == c], table


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_header_maps_back_to_its_column(lang) -> None:
    """Headers are unique within each table, so each maps back to one column
    (``冷链`` is ``perishable`` in visits.csv and ``cold_chain`` in stops.csv)."""
    for spec in (*contract.TABLES.values(), contract.TEAM_SHEET):
        written = headers(spec.names, lang)
        assert len(set(written)) == len(written), spec.name
        assert spec.standard_names(written) == list(spec.names), spec.name
    assert contract.TABLES["stops"].standard_names(["冷链"]) == ["cold_chain"]
    assert contract.TABLES["visits"].standard_names(["Cold chain"]) == ["perishable"]


def test_conform_names_the_columns_the_contract_and_the_table_disagree_on() -> None:
    df = pd.DataFrame({c: [] for c in contract.TABLES["shortfall"].names})
    with pytest.raises(RiskplanError, match=r"shortfall .*not in the contract: extra; .*missing: missing"):
        contract.conform("shortfall", df.drop(columns="missing").assign(extra=1))
    one = pd.DataFrame({c: ["x"] if k == "str" else [1] for c, k in contract.TABLES["shortfall"].columns})
    assert contract.conform("shortfall", one)["missing"].dtype == "int64"
    with pytest.raises(RiskplanError, match=r"shortfall.missing: not all whole numbers"):
        contract.conform("shortfall", one.assign(missing=[1.5]))
    with pytest.raises(RiskplanError, match=r"shortfall.reason: 3 is not text"):
        contract.conform("shortfall", one.assign(reason=[3]))


_GOOD = {"str": "x", "int": "1", "float": "1.5", "bool": "true", "datetime": "2026-07-01"}


@pytest.mark.parametrize(
    ("table", "column", "value", "what"),
    [
        ("shortfall", "missing", "1.5", "a whole number"),
        ("shortfall", "missing", "", "a whole number"),
        ("schedule", "samples", "lots", "a number"),
        ("routes", "km", "far", "a number"),
        ("routes", "date", "2026-13-01", r"a date \(YYYY-MM-DD\)"),
        ("visits", "perishable", "maybe", "true/false"),
        ("teams", "seed", "=1+1", "a number"),
    ],
)
def test_a_bad_cell_names_the_file_row_and_column(tmp_path, table, column, value, what) -> None:
    spec = contract.TABLES[table]
    rows = [[_GOOD[k] for _, k in spec.columns] for _ in range(3)]
    rows[1][spec.names.index(column)] = value
    path = tmp_path / spec.file
    csvfile.write_csv(pd.DataFrame(rows, columns=list(spec.names)), path, "zh")
    header = headers([column], "zh")[0]
    named = column if header == column else f"{column} ({header})"
    shown = csvfile.unguard_cell(csvfile.guard_cell(value))  # the guard is undone before typing
    message = f"{spec.file}: row 2, column {named}: {shown!r} is not "
    with pytest.raises(RiskplanError, match=re.escape(message) + what):
        read_table(path, table)


def test_a_minimal_folder_missing_a_needed_column_is_named(tmp_path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"seed": 1}), encoding="utf-8")
    (tmp_path / "config.toml").write_text(Config().to_toml(), encoding="utf-8")
    (tmp_path / "data_reference.toml").write_text('embedded = "ouhai"\n', encoding="utf-8")
    key = {"township_code": ["330304001"], "business_type": ["C-SMALL"], "category_code": ["C31"]}
    pd.DataFrame(key).to_csv(tmp_path / "allocation.csv", index=False)
    pd.DataFrame({**key, "month": [7], "samples": [1]}).to_csv(tmp_path / "schedule.csv", index=False)
    with pytest.raises(RiskplanError, match=r"allocation.csv lacks column\(s\) samples"):
        load_plan(tmp_path)
    pd.DataFrame({**key, "samples": ["abc"]}).to_csv(tmp_path / "allocation.csv", index=False)
    with pytest.raises(RiskplanError, match=r"allocation.csv: row 1, column samples: 'abc' is not a number"):
        load_plan(tmp_path)
    pd.DataFrame({**key, "samples": ["3"]}).to_csv(tmp_path / "allocation.csv", index=False)
    plan = load_plan(tmp_path)
    assert plan.quota == 3 and plan.allocation["samples"].dtype == "int64"
    assert plan.schedule["month"].dtype == "int64"


# --------------------------------------------------------------------------- round trips
def _kind(s: pd.Series) -> str:
    """The contract kind of a column as the pipeline made it."""
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    if all(isinstance(v, str) or v is None or v is pd.NA or v != v for v in s):
        return "str"
    return str(s.dtype)


def assert_same_table(read: pd.DataFrame, made: pd.DataFrame, name: str) -> None:
    """``read`` (from the folder) has ``made``'s columns, the contract's dtypes and the values."""
    spec = contract.spec_of(name)
    assert list(read.columns) == list(made.columns) == list(spec.names), name
    assert len(read) == len(made), name
    for column, kind in spec.columns:
        got, want = read[column], made[column].reset_index(drop=True)
        where = f"{name}.{column}"
        assert str(got.dtype) == contract.DTYPES[kind], (where, got.dtype)
        if len(want):
            assert _kind(want) == kind, (where, want.dtype)  # the contract is the pipeline's
        if kind == "float":
            np.testing.assert_allclose(got.to_numpy(), want.to_numpy(dtype=float), rtol=1e-9,
                                       equal_nan=True, err_msg=where)
        elif kind == "str":  # a CSV cell has no missing text: missing is ""
            assert got.tolist() == ["" if pd.isna(v) else v for v in want], where
        elif kind == "datetime":
            assert got.tolist() == pd.to_datetime(want).tolist(), where
        else:
            assert got.tolist() == want.tolist(), where


def _check_round_trip(result, dataset, folder: Path, lang: str) -> dict[str, pd.DataFrame]:
    cfg = result.config
    result = dataclasses.replace(result, config=cfg.replace(
        export=dataclasses.replace(cfg.export, maps=False)))  # maps do not hold tables
    write_plan(result, dataset, folder, lang=lang)
    plan = read_plan(folder)
    made = plan_tables(result, dataset, lang)
    for name, attr in PIPELINE_TABLES.items():
        assert made[name] is getattr(result, attr)  # compared with the PlanResult's own tables
    assert set(plan.tables) == set(contract.TABLES)
    for name in contract.TABLES:
        assert_same_table(plan.tables[name], made[name], name)
    assert plan.shortfall["missing"].sum() == result.shortfall["missing"].sum()
    assert plan.routes["km"].sum() == pytest.approx(result.routes["km"].sum())
    # times as HH:MM, the same minutes as the routes made
    assert plan.routes["start"].str.fullmatch(r"\d\d:\d\d").all()
    minutes = plan.routes["start"].map(lambda t: int(t[:2]) * 60 + int(t[3:]))
    assert minutes.tolist() == result.routes["start"].round().astype(int).tolist()
    assert (plan.lab_days["samples"] <= plan.lab_days["capacity_per_day"].fillna(np.inf)).all()
    # the team sheets are the stops, one file per team and day
    stops = made["stops"]
    sheets = plan.team_sheets()
    assert sum(len(s) for s in sheets.values()) == len(stops) > 0
    for key, sheet in sheets.items():
        label, day = key.split("/")
        mine = stops[(stops["station_id"] + "-T" + stops["team"].astype(str) == label)
                     & (stops["date"] == day)]
        assert_same_table(sheet, mine[list(contract.TEAM_SHEET.names)], "team_sheet")
    return plan.tables


@pytest.fixture(scope="module")
def ouhai_plan(ouhai):
    return run_plan(ouhai, month=7)


@pytest.mark.slow
def test_round_trip_ouhai(ouhai, ouhai_plan, tmp_path) -> None:
    en = _check_round_trip(ouhai_plan, ouhai, tmp_path / "en", "en")
    zh = _check_round_trip(ouhai_plan, ouhai, tmp_path / "zh", "zh")
    text = (tmp_path / "zh" / "allocation.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("乡镇街道代码") and '"=""330304001"""' in text  # guarded IDs, read as text
    assert en["allocation"]["township_code"].str.fullmatch(r"330304\d{3}").all()
    for name in ("risk_scores", "allocation", "schedule", "visits", "routes", "shortfall", "moves",
                 "placements", "teams"):
        pd.testing.assert_frame_equal(en[name], zh[name], check_exact=True)
    assert int(zh["allocation"]["samples"].sum()) == 1002
    # the sum that came out as the text '1111123111111' when missing was read as text; July's
    # shortfall is substituted now (placements), the allocation's moves are whole numbers too
    assert zh["shortfall"]["missing"].sum() == en["shortfall"]["missing"].sum() == 0
    moved = int(ouhai_plan.allocation_result.moves["samples"].sum())
    assert moved > 0  # Ouhai's allocation asks more of some strata than their shops can give
    assert zh["moves"]["samples"].sum() == en["moves"]["samples"].sum() == moved
    assert zh["allocation"]["moved"].sum() == 0 and zh["allocation"]["capacity"].dtype == "int64"


@pytest.mark.slow
def test_round_trip_small_district_with_hostile_text(tmp_path) -> None:
    clean = read_dataset(make_small_district(tmp_path / "clean"))
    routed = run_plan(clean, month=7, seed=11).stops["establishment_id"]
    dataset = read_dataset(make_small_district(tmp_path / "hostile", hostile=str(sorted(routed)[0])))
    result = run_plan(dataset, month=7, seed=11)
    for lang in ("en", "zh"):
        tables = _check_round_trip(result, dataset, tmp_path / f"plan_{lang}", lang)
        assert INJECTED_NAME in tables["stops"]["establishment_name"].tolist()  # ' guard undone
        text = (tmp_path / f"plan_{lang}" / "stops.csv").read_text(encoding="utf-8-sig")
        assert "'" + INJECTED_NAME.replace('"', '""') in text
