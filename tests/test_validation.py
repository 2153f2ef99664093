"""validate_dataset: the problems table, levels, in-memory datasets, the embedded data."""

from __future__ import annotations

from pathlib import Path

import pytest
from broken_inputs.minidata import rows_of, write_mini, write_table

from riskplan.datasets import read_dataset
from riskplan.errors import ValidationError
from riskplan.validation import PROBLEM_COLUMNS, summarize, validate_dataset


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return write_mini(tmp_path / "mini")


def test_problem_table_columns(mini: Path) -> None:
    problems = validate_dataset(mini)
    assert tuple(problems.columns) == PROBLEM_COLUMNS
    assert problems["row"].tolist() == [5]  # the establishment without coordinates
    assert problems["level"].tolist() == ["warning"]


def test_warnings_do_not_fail_reading(mini: Path) -> None:
    ds = read_dataset(mini)  # one warning, no error: no exception
    assert not ds.establishments["has_location"].all()


def test_in_memory_dataset_is_checked(mini: Path) -> None:
    ds = read_dataset(mini)
    ds.establishments = ds.establishments.copy()
    ds.establishments.loc[1, "risk_grade"] = "Z"
    ds.establishments.loc[2, "township_code"] = "330304000"
    problems = validate_dataset(ds)
    errors = problems[problems["level"] == "error"]
    assert sorted(zip(errors["row"], errors["column"])) == [(2, "risk_grade"),
                                                            (3, "township_code")]


def test_point_outside_its_township_is_a_warning(mini: Path) -> None:
    rows = rows_of("establishments")
    rows[1]["lon_wgs84"] = "120.52"  # inside the district, but in the western township
    write_table(mini, "establishments", rows)
    problems = validate_dataset(mini)
    hit = problems[(problems["row"] == 2) & (problems["column"] == "township_code")]
    assert hit["level"].tolist() == ["warning"]
    assert "outside this township" in hit["message_en"].iloc[0]


def test_two_columns_for_one_field_is_reported(mini: Path) -> None:
    rows = rows_of("officers")
    for r in rows:
        r["姓名"] = r["name"]
    write_table(mini, "officers", rows)
    problems = validate_dataset(mini)
    hit = problems[problems["file"] == "officers.csv"]
    assert hit["column"].tolist() == ["姓名"] and hit["level"].tolist() == ["warning"]


def test_repeated_header_and_ragged_rows_do_not_stop_reading(mini: Path) -> None:
    (mini / "officers.csv").write_text(
        "officer_id,name,name,station_id\nP001,a,b,S1\nP002,c,d,S1,x\n\nP003,e,f,S2\n",
        encoding="utf-8")
    problems = validate_dataset(mini)
    off = problems[problems["file"] == "officers.csv"]
    assert off[["row", "level"]].values.tolist() == [[None, "warning"], [2, "error"]]
    assert "appears twice" in off["message_en"].iloc[0]
    assert "5 cells but the header has 4" in off["message_en"].iloc[1]


def test_validation_error_message_is_bilingual(mini: Path) -> None:
    rows = rows_of("establishments")
    rows[0]["risk_grade"] = "E"
    write_table(mini, "establishments", rows)
    with pytest.raises(ValidationError) as info:
        read_dataset(mini)
    text = str(info.value)
    assert "establishments.csv, row 1, column risk_grade" in text
    assert "取值必须是" in text and "'E'" in text


def test_many_problems_are_all_kept(mini: Path) -> None:
    rows = rows_of("history") * 10
    for i, r in enumerate(rows):
        r["sample_id"] = f"H{i:04d}"
        r["result"] = "maybe"
    write_table(mini, "history", rows)
    problems = validate_dataset(mini)
    assert (problems["message_en"].str.startswith("must be one of pass")).sum() == 40


def test_summary(mini: Path) -> None:
    table = summarize(read_dataset(mini))
    values = dict(zip(table["item"], table["value"]))
    assert values["townships / 乡镇街道"] == "2"
    assert values["population / 常住人口"] == "100,000"
    assert values["history samples / 历史抽检批次"] == "4 (2024-2025)"
    assert values["  unqualified rate / 不合格率"] == "50.00% (2)"


def test_embedded_dataset_has_no_errors(ouhai) -> None:
    problems = validate_dataset(ouhai)
    assert (problems["level"] == "error").sum() == 0
    warnings = problems[problems["level"] == "warning"]
    # the only warnings are establishments without coordinates, one per such row
    assert set(warnings["message_en"]) <= {
        "no coordinates: kept, routed at its township's centre and flagged navigate by address"}
    assert len(warnings) == int((~ouhai.establishments["has_location"]).sum())


@pytest.mark.parametrize("doc_name", ["input-format.md", "input-format.zh.md"])
def test_input_format_doc_lists_every_schema_column(doc_name: str) -> None:
    """docs/input-format.md and its Chinese version document every table and column of
    riskplan.schema and every value alias the reader accepts (no drift)."""
    import re

    from riskplan.io import VALUE_ALIASES
    from riskplan.schema import METADATA_KEYS, TABLES
    from riskplan.tables import FALSE_TEXTS, TRUE_TEXTS
    from riskplan.templates import header_zh
    from riskplan.templates.labels import COLUMN_ZH

    doc = (Path(__file__).resolve().parent.parent / "docs" / doc_name).read_text(encoding="utf-8")
    zh = doc_name.endswith(".zh.md")
    sections = re.split(r"^## ", doc, flags=re.M)
    for name, table in TABLES.items():
        sec = [s for s in sections if s.startswith(f"`{table.file}`")]
        assert len(sec) == 1, f"no section for {table.file}"
        documented = re.findall(r"^\| `([^`]+)` \|", sec[0], flags=re.M)
        assert documented == list(table.column_names), name
        for col in table.columns:
            row = next(line for line in sec[0].splitlines() if line.startswith(f"| `{col.name}` |"))
            for value in col.allowed:
                assert f"`{value}`" in row, (name, col.name, value)
            if zh:  # the template's Chinese header and the Chinese description, as in the code
                cells = [c.strip() for c in row.strip("|").split("|")]
                assert cells[1] == header_zh(name, col.name), (name, col.name)
                assert cells[-1] == COLUMN_ZH[name][col.name], (name, col.name)
    for key in METADATA_KEYS:
        assert f"| `{key}` |" in doc
    aliases = [s for s in sections if s.startswith(("Value aliases", "取值别名"))]
    assert len(aliases) == 1, "no value-alias section"
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| `([^`]+)` \|$", aliases[0], flags=re.M)
    expected = [(col, alias, value) for col, m in VALUE_ALIASES.items() for alias, value in m.items()]
    assert rows == expected
    for text in TRUE_TEXTS | FALSE_TEXTS:
        assert f"`{text}`" in aliases[0], text


def test_columns_not_used_on_both_districts(ouhai, yunling, yunling_dir: Path) -> None:
    from riskplan.schema import TABLES

    assert (validate_dataset(ouhai)["level"] == "info").sum() == 0  # Ouhai has no extra column
    for problems in (validate_dataset(yunling_dir), validate_dataset(yunling)):
        infos = problems[problems["level"] == "info"]
        # whatever Yunling carries beyond the schema (today business_types.roles) is one info
        # per file and column, names a column the schema does not know, and fails nothing
        assert not infos.duplicated(["file", "column"]).any()
        assert infos["row"].isna().all()
        for file, column in zip(infos["file"], infos["column"]):
            assert column not in TABLES[Path(file).stem].column_names
        extra = {(t, c) for t in TABLES for c in getattr(yunling, t).columns
                 if c not in TABLES[t].column_names
                 and c not in ("geometry", "coord_source", "has_location", "lon_gcj02",
                               "lat_gcj02", "lon_bd09", "lat_bd09")}
        assert {(Path(f).stem, c) for f, c in zip(infos["file"], infos["column"])} == extra
        assert (problems["level"] == "error").sum() == 0
