"""Excel-safe CSV: BOM, translated headers, IDs as text, formula-injection guard, read-back."""

from __future__ import annotations

import pandas as pd
import pytest

from riskplan.export import csvfile
from riskplan.export.headers import to_standard
from riskplan.export.plan_folder import read_table


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "establishment_id": ["OH-E00042", "OH-E00043"],
            "township_code": ["330304001", "030304001"],
            "licence_no": ["JY13303040012345", "12345678901234567890"],
            "name": ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0"],
            "address": ["-2+3", "@SUM(A1)"],
            "note": ["\tTAB", "\rCR"],
            "samples": [2, 3],
            "weight": [0.5, 1.0 / 3.0],
            "perishable": [True, False],
        }
    )


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_guard_prefixes_dangerous_cells(cell: str) -> None:
    assert csvfile.guard_cell(cell) == "'" + cell
    assert csvfile.unguard_cell(csvfile.guard_cell(cell)) == cell


def test_guard_leaves_safe_cells() -> None:
    for cell in ("abc", "瓯海区", "OH-E00042", "", "'quoted"):
        assert csvfile.guard_cell(cell) == cell


def test_bom_headers_zh_and_en(table: pd.DataFrame) -> None:
    zh = csvfile.to_csv_bytes(table, "zh")
    en = csvfile.to_csv_bytes(table, "en")
    assert zh.startswith(b"\xef\xbb\xbf") and en.startswith(b"\xef\xbb\xbf")
    assert zh.decode("utf-8-sig").splitlines()[0].startswith("主体编号,乡镇街道代码,许可证号")
    assert en.decode("utf-8-sig").splitlines()[0].startswith("Establishment ID,Township code,Licence no.")


def test_ids_stay_text_and_injection_is_guarded(table: pd.DataFrame) -> None:
    text = csvfile.to_csv_bytes(table, "en").decode("utf-8-sig")
    # number-like IDs in the ="..." form Excel shows as text (no lost zero, no 1.23E+19)
    assert '"=""330304001"""' in text
    assert '"=""030304001"""' in text
    assert '"=""12345678901234567890"""' in text
    assert "JY13303040012345" in text and '="JY' not in text
    for bad in ("=HYPERLINK", "+cmd", "-2+3", "@SUM", "\tTAB", "\rCR"):
        assert ("'" + bad) in text
    # numbers and booleans are not touched
    assert ",2," in text and "0.3333333333" in text and "true" in text


def test_read_back_standard_names(table: pd.DataFrame, tmp_path) -> None:
    for lang in ("zh", "en"):
        path = csvfile.write_csv(table, tmp_path / f"t_{lang}.csv", lang)
        back = read_table(path)
        assert list(back.columns)[:4] == ["establishment_id", "township_code", "licence_no", "name"]
        assert back["township_code"].tolist() == ["330304001", "030304001"]
        assert back["licence_no"].tolist()[1] == "12345678901234567890"
        assert back["name"].tolist() == table["name"].tolist()
        assert back["note"].tolist() == ["\tTAB", "\rCR"]
        assert back["samples"].tolist() == [2, 3]
        assert back["perishable"].tolist() == [True, False]


def test_to_standard_maps_both_languages() -> None:
    assert to_standard(["主体编号", "Arrival window", "unknown"]) == ["establishment_id", "arrival_window", "unknown"]


def test_arrival_window_runs_from_planned_arrival_to_planned_start() -> None:
    from riskplan.export.field import arrival_window

    assert arrival_window(857, 895) == "14:17-14:55"  # waits for the shop's window to open
    assert arrival_window(600, 600) == "10:00"  # starts on arrival
    assert arrival_window(float("nan"), 600) == ""
