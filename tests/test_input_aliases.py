"""Every alias the reader accepts is documented (docs/input-format.md, *Aliases*), and works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from broken_inputs.minidata import rows_of, write_mini, write_table

from riskplan.datasets import read_dataset
from riskplan.errors import ValidationError
from riskplan.io.aliases import COLUMN_ALIASES, VALUE_ALIASES
from riskplan.tables import FALSE_TEXTS, TRUE_TEXTS

DOC = (Path(__file__).resolve().parent.parent / "docs" / "input-format.md").read_text(encoding="utf-8")
SECTION = re.split(r"^## ", DOC.split("## Aliases", 1)[1], flags=re.M)[0]
HEADERS = SECTION.split("**Coded values.**", 1)[0]
VALUES = re.split(r"^## ", DOC.split("## Value aliases", 1)[1], flags=re.M)[0]


def row_of(text: str, *cells: str) -> str:
    """The table row of ``text`` starting with these cells."""
    start = "| " + " | ".join(f"`{c}`" for c in cells) + " |"
    found = [line for line in text.splitlines() if line.startswith(start)]
    assert len(found) == 1, start
    return found[0]


@pytest.mark.parametrize("alias", list(COLUMN_ALIASES))
def test_every_header_alias_is_documented_in_its_row(alias: str) -> None:
    target = COLUMN_ALIASES[alias]
    first = target[0] if isinstance(target, tuple) else target
    row = row_of(HEADERS, first)
    assert f"`{alias}`" in row
    for other in target[1:] if isinstance(target, tuple) else ():
        assert f"`{other}` in" in row  # which table takes the other meaning


def test_every_value_alias_and_boolean_is_documented() -> None:
    for column, mapping in VALUE_ALIASES.items():
        for alias, code in mapping.items():
            assert f"`{code}`" in row_of(VALUES, column, alias), (column, alias)
    for text in TRUE_TEXTS | FALSE_TEXTS:
        assert f"`{text}`" in SECTION


def test_qualified_and_chinese_headers_are_read_as_documented(tmp_path: Path) -> None:
    folder = write_mini(tmp_path / "mini")
    rows = rows_of("history")
    rows[0]["result"], rows[1]["result"] = "qualified", "unqualified"
    rows[2]["result"], rows[3]["result"] = "合格", "不合格"
    renamed = [{("检验结论" if k == "result" else "样品编号" if k == "sample_id" else k): v for k, v in r.items()}
               for r in rows]
    write_table(folder, "history", renamed)
    history = read_dataset(folder).history
    assert history["result"].tolist() == ["pass", "fail", "pass", "fail"]
    rows[0]["result"] = "Qualified"  # spelled differently from the documented alias: reported
    write_table(folder, "history", rows)
    with pytest.raises(ValidationError, match=r"history.csv, row 1, column result: must be one of pass, fail"):
        read_dataset(folder)
