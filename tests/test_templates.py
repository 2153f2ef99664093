"""Input templates (`riskplan template`): round trip through the reader, workbook structure, labels."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from riskplan._problems import Problems
from riskplan.cli import COMMANDS, main
from riskplan.datasets import read_dataset
from riskplan.io import COLUMN_ALIASES, VALUE_ALIASES, read_metadata, read_table
from riskplan.io.aliases import standardize_columns
from riskplan.io.decode import read_raw
from riskplan.schema import METADATA_KEYS, TABLES
from riskplan.templates import (
    CODES_SHEET,
    GUIDE_SHEET,
    TEMPLATE_MARKER,
    choices,
    code_list_name,
    dataset_toml,
    example_row,
    header,
    header_zh,
    reference,
)
from riskplan.templates.content import LIST_REFERENCES
from riskplan.templates.labels import (
    COLUMN_ZH,
    DTYPE_ZH,
    HEADER_ZH,
    METADATA_ZH,
    TABLE_ZH,
    UNIT_ZH,
    VALUE_ZH,
)
from riskplan.validation import validate_dataset

ALL = list(TABLES)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tpl") / "templates"
    assert main(["template", "--out", str(out)]) == 0
    return out


def _square_geojson(code: str, lon: float, lat: float, half: float = 0.2) -> str:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"township_code": code},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]})


# --- round trip through the reader ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("table", ALL)
def test_example_row_reads_back_without_any_problem(templates: Path, table: str, fmt: str) -> None:
    problems = Problems()
    df = read_table(templates / fmt / f"{table}.{fmt}", table, problems)
    assert len(problems) == 0, problems.to_frame().to_string()  # no error, warning or info
    assert len(df) == 1
    assert list(df.columns[: len(TABLES[table].columns)]) == list(TABLES[table].column_names)
    for name, value in example_row(table).items():
        got = df[name].iloc[0]
        if value == "":
            assert pd.isna(got), (table, name, got)
        elif TABLES[table].column(name).dtype == "bool":
            assert bool(got) is (value == "true")
        elif TABLES[table].column(name).dtype == "date":
            assert got == pd.Timestamp(value)
        else:
            assert got == value or str(got) == str(value), (table, name, got, value)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_template_folder_with_a_polygon_is_a_valid_dataset(templates: Path, tmp_path: Path,
                                                          fmt: str) -> None:
    folder = tmp_path / fmt
    folder.mkdir()
    for f in (templates / fmt).iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    town = example_row("townships")
    (folder / "townships.geojson").write_text(_square_geojson(
        town["township_code"], town["centroid_lon_wgs84"], town["centroid_lat_wgs84"]))
    problems = validate_dataset(folder)
    # nothing but one warning per table: the example row is still there
    assert (problems["level"] == "warning").all(), problems.to_string()
    assert problems["message_en"].str.contains("template's example row").all()
    assert sorted(problems["file"]) == sorted(f"{t}.{fmt}" for t in TABLES)
    assert problems["row"].tolist() == [1] * len(TABLES)
    ds = read_dataset(folder)
    assert all(len(getattr(ds, t)) == 1 for t in TABLES)
    assert ds.plan_year == 2026 and ds.establishments["has_location"].all()


@pytest.mark.parametrize("table", ALL)
def test_every_drop_down_choice_is_read_as_an_allowed_value(tmp_path: Path, table: str) -> None:
    spec = TABLES[table]
    listed = [c for c in spec if choices(c)]
    for col in listed:
        rows = []
        for choice in choices(col):
            row = dict(example_row(table))
            row[col.name] = choice
            rows.append(row)
        path = tmp_path / f"{table}_{col.name}.csv"
        pd.DataFrame(rows).rename(columns=lambda c: header(table, c)).to_csv(path, index=False)
        problems = Problems()
        df = read_table(path, table, problems)
        errors = problems.to_frame().query("level == 'error' and column == @col.name")
        assert errors.empty, errors.to_string()
        if col.dtype == "bool":
            assert df[col.name].tolist() == [True, False, True, False]
        else:
            aliases = VALUE_ALIASES.get(col.name, {})
            expected = [c if c in col.allowed else aliases[c] for c in choices(col)]
            assert df[col.name].tolist() == expected


def test_every_example_row_is_marked_as_an_example() -> None:
    # riskplan.validation warns about a row equal to the example in its text cells: each example
    # carries a marker no real row has
    for table, spec in TABLES.items():
        texts = [str(v) for c, v in example_row(table).items() if spec.column(c).dtype in ("id", "str")]
        assert any("示例" in t or t.startswith("EX-") for t in texts), table


def test_dataset_toml_template_reads_without_problems(templates: Path) -> None:
    for fmt in ("xlsx", "csv"):
        problems = Problems()
        meta = read_metadata(templates / fmt / "dataset.toml", problems)
        assert len(problems) == 0, problems.to_frame().to_string()
        assert set(METADATA_KEYS) <= set(meta)  # every key is written, with an example
        assert set(meta["provenance"]) == set(TABLES)


def test_a_district_table_written_in_template_layout_reads_the_same(yunling_dir: Path,
                                                                  tmp_path: Path) -> None:
    # Yunling's own codes and Chinese values under the template's bilingual headers
    for table in ("business_types", "categories", "history", "stations"):
        original = read_table(yunling_dir / f"{table}.csv", table)
        raw = standardize_columns(read_raw(yunling_dir / f"{table}.csv")[0], table)
        path = tmp_path / f"{table}.csv"
        heads = {c: header(table, c) for c in TABLES[table].column_names}
        raw.rename(columns=heads).to_csv(path, index=False, encoding="utf-8-sig")
        pd.testing.assert_frame_equal(read_table(path, table), original)


# --- the workbooks -------------------------------------------------------------------------------


def _validations(ws) -> dict[str, object]:
    """Column letter -> its data validation (every one covers row 2 to the end of the sheet)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        ref = str(dv.sqref)
        m = re.fullmatch(r"([A-Z]+)2:\1(\d+)", ref)
        assert m and int(m.group(2)) == 1048576, ref
        out[m.group(1)] = dv
    return out


@pytest.mark.parametrize("table", ALL)
def test_workbook_headers_drop_downs_and_guide(templates: Path, table: str) -> None:
    spec = TABLES[table]
    wb = openpyxl.load_workbook(templates / "xlsx" / f"{table}.xlsx")
    ws = wb.worksheets[0]
    refs = {reference(table, c.name) for c in spec} | {LIST_REFERENCES.get(c.name) for c in spec}
    assert wb.sheetnames == [ws.title, GUIDE_SHEET] + ([CODES_SHEET] if refs - {None} else [])
    # header row: 中文(standard_name) for every column, in schema order
    heads = [c.value for c in ws[1]]
    assert heads == [f"{header_zh(table, c)}({c})" for c in spec.column_names]
    assert all(header_zh(table, c) for c in spec.column_names)
    # the example row, in grey italics
    assert ws.cell(row=2, column=1).font.i and ws.cell(row=2, column=1).comment is not None
    assert ws.max_row == 2
    dvs = _validations(ws)
    assert len(dvs) == len(spec.columns)  # every column has at least an input hint
    for j, col in enumerate(spec.columns, start=1):
        dv = dvs[openpyxl.utils.get_column_letter(j)]
        assert dv.showInputMessage and dv.prompt
        ref = reference(table, col.name)
        if choices(col):
            assert dv.type == "list" and dv.formula1 == '"' + ",".join(choices(col)) + '"'
            assert len(dv.formula1) <= 257  # Excel's limit for an inline list: 255 characters
        elif ref is not None:
            assert dv.type == "list" and dv.formula1 == code_list_name(ref)
            target = wb.defined_names[code_list_name(ref)].attr_text
            m = re.search(r"'([^']+)'!\$([A-Z]+)\$2", target)
            assert m and m.group(1) == CODES_SHEET
            codes = wb[CODES_SHEET]
            letter = m.group(2)
            assert codes[f"{letter}1"].value == header(ref, TABLES[ref].key)
            assert codes[f"{letter}2"].value == str(example_row(ref)[TABLES[ref].key])
            assert str(example_row(table)[col.name]) == codes[f"{letter}2"].value
        elif col.dtype in ("int", "float") and (col.min is not None or col.max is not None):
            assert dv.type == ("whole" if col.dtype == "int" else "decimal")
        else:
            assert dv.type is None
    # the guide: one row per column, in order, with type, requirement and allowed values
    guide = wb[GUIDE_SHEET]
    rows = [[c.value for c in r] for r in guide.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[1] == "标准列名")
    body = rows[start + 1:]
    assert [r[1] for r in body] == list(spec.column_names)
    for r, col in zip(body, spec.columns):
        assert r[2] == DTYPE_ZH[col.dtype]
        assert r[4] == ("选填" if not col.required else "必填列，可留空" if col.nullable else "必填")
        for value in col.allowed:
            assert value in r[5]
        assert r[6] == COLUMN_ZH[table][col.name]


def test_fixed_lists_in_the_register(templates: Path) -> None:
    ws = openpyxl.load_workbook(templates / "xlsx" / "establishments.xlsx").worksheets[0]
    names = {cell.column_letter: str(cell.value).split("(")[1].rstrip(")") for cell in ws[1]}
    lists = {names[letter]: dv.formula1 for letter, dv in _validations(ws).items()
             if dv.type == "list"}
    assert lists["risk_grade"] == '"A,B,C,D"'
    assert lists["stage"] == '"production,distribution,catering,生产,流通,销售,餐饮"'
    assert lists["coord_datum"] == '"wgs84,gcj02,bd09,高德,腾讯,百度"'
    assert lists["township_code"] == "codes_township_code"
    assert lists["business_type"] == "codes_business_type"
    history = openpyxl.load_workbook(templates / "xlsx" / "history.xlsx").worksheets[0]
    formulas = [dv.formula1 for dv in _validations(history).values() if dv.type == "list"]
    assert formulas == ["codes_establishment_id", "codes_category_code", '"pass,fail,合格,不合格"',
                        '"done,pending,not_required,已完成,已处置,处置中,待处置,无需处置"',
                        '"requested,upheld,overturned,已申请复检,复检中,复检维持,复检不合格,复检合格,复检撤销"']
    cats = openpyxl.load_workbook(templates / "xlsx" / "categories.xlsx").worksheets[0]
    assert '"true,false,是,否"' in [dv.formula1 for dv in _validations(cats).values()]


def test_csv_templates_are_utf8_with_bom_and_match_the_workbooks(templates: Path) -> None:
    for table in ALL:
        data = (templates / "csv" / f"{table}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        head = data[3:].decode("utf-8").splitlines()[0].split(",")
        ws = openpyxl.load_workbook(templates / "xlsx" / f"{table}.xlsx").worksheets[0]
        assert head == [c.value for c in ws[1]]
    guide = pd.read_csv(templates / "column_guide.csv", dtype=str, encoding="utf-8-sig")
    assert len(guide) == sum(len(t.columns) for t in TABLES.values())
    assert (templates / TEMPLATE_MARKER).read_text(encoding="utf-8").startswith("riskplan 数据模板")


# --- the command ---------------------------------------------------------------------------------


def test_template_command_replaces_its_own_folder_only(tmp_path: Path, capsys) -> None:
    out = tmp_path / "tpl"
    assert main(["template", "--out", str(out)]) == 0
    (out / "xlsx" / "townships.xlsx").write_bytes(b"scribbled")
    assert main(["template", "--out", str(out)]) == 0  # an earlier template folder: replaced
    openpyxl.load_workbook(out / "xlsx" / "townships.xlsx")
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    capsys.readouterr()
    assert main(["template", "--out", str(other)]) == 2
    assert "refusing to replace" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "tpl"]  # nothing half-written


def test_every_command_is_in_the_readme_command_table() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "| `riskplan template --out DIR` |" in readme
    for command in COMMANDS:
        assert f"| `riskplan {command}" in readme, command


# --- the Chinese texts follow the schema ---------------------------------------------------------


def test_every_table_column_unit_and_value_has_chinese_text() -> None:
    assert set(TABLE_ZH) == set(TABLES)
    assert set(METADATA_ZH) == set(METADATA_KEYS)
    for name, spec in TABLES.items():
        missing = [c for c in spec.column_names if c not in COLUMN_ZH.get(name, {})]
        assert not missing, f"add a Chinese description to templates/labels.py COLUMN_ZH[{name!r}]" \
                            f" for {missing}"
        assert set(COLUMN_ZH[name]) == set(spec.column_names), f"left over in COLUMN_ZH[{name!r}]"
        for col in spec:
            assert col.unit == "" or col.unit in UNIT_ZH, (name, col.name, col.unit)
            for value in col.allowed:
                assert value in VALUE_ZH.get(col.name, {}), (name, col.name, value)
            assert header_zh(name, col.name), f"no Chinese alias for {name}.{col.name} in " \
                                              "riskplan/io/aliases.py COLUMN_ALIASES"
    assert set(COLUMN_ZH) == set(TABLES)


def test_preferred_headers_are_aliases_the_reader_knows(tmp_path: Path) -> None:
    for table, columns in HEADER_ZH.items():
        for column, zh in columns.items():
            assert zh in COLUMN_ALIASES, (table, column, zh)
            path = tmp_path / f"{table}.csv"
            path.write_text(f"{zh}\nx\n", encoding="utf-8")
            assert column in read_table(path, table, Problems()).columns, (table, column, zh)


def test_template_toml_is_valid_toml() -> None:
    meta = tomllib.loads(dataset_toml())
    assert meta["plan_year"] == 2026
