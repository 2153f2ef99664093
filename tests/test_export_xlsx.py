"""Team workbooks: IDs as text cells, guarded formulas, byte-identical files, fixed timestamps."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd

from riskplan.export import xlsx

WHEN = dt.datetime(2026, 7, 1)


def _sheets() -> dict[str, pd.DataFrame]:
    day = pd.DataFrame(
        {
            "stop_order": [1, 2],
            "establishment_id": ["OH-E00042", "OH-E00043"],
            "township_code": ["030304001", "330304001"],
            "establishment_name": ["=cmd()", "林隆豆腐坊"],
            "units": [3, 6],
            "cold_chain": [True, False],
        }
    )
    return {"2026-07-01": day, "2026-07-02": day.iloc[:1]}


def test_sheet_per_day_ids_as_text_and_guard() -> None:
    data = xlsx.workbook_bytes(_sheets(), "zh", when=WHEN)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["2026-07-01", "2026-07-02"]
    ws = wb["2026-07-01"]
    assert [c.value for c in ws[1]][:3] == ["顺序", "主体编号", "乡镇街道代码"]
    code = ws["C2"]
    assert code.value == "030304001" and code.data_type == "s" and code.number_format == "@"
    assert ws["D2"].value == "'=cmd()" and ws["D2"].data_type == "s"
    assert ws["E2"].value == 3 and ws["F2"].value == "是"
    assert wb.properties.created == WHEN and wb.properties.modified == WHEN


def test_byte_identical_and_fixed_zip_times() -> None:
    a = xlsx.workbook_bytes(_sheets(), "en", when=WHEN)
    b = xlsx.workbook_bytes(_sheets(), "en", when=WHEN)
    assert a == b
    zf = zipfile.ZipFile(io.BytesIO(a))
    assert {i.date_time for i in zf.infolist()} == {(2026, 7, 1, 0, 0, 0)}
    core = zf.read("docProps/core.xml").decode()
    assert "2026-07-01T00:00:00Z" in core


def test_a_column_with_no_value_on_a_day_is_written() -> None:
    # street vendors have no licence number: a day of only vendors has an all-empty column
    day = pd.DataFrame({"stop_order": [1, 2], "establishment_id": ["OH-E00001", "OH-E00002"],
                        "licence_no": pd.array([pd.NA, pd.NA], dtype="string")})
    data = xlsx.workbook_bytes({"2026-08-24": day}, "en", when=WHEN)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["2026-08-24"]
    assert [c.value for c in ws["B"]][1:] == ["OH-E00001", "OH-E00002"]
    assert [c.value for c in ws["C"]][1:] == [None, None]
