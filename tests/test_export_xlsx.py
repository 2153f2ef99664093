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


def _team_day() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One team-day's stops (a link and an empty link, a formula-like name), its route and lab."""
    from riskplan.export.navigation import amap_url, baidu_url

    stops = pd.DataFrame({
        "date": ["2026-07-16"] * 2, "station_id": ["ST03"] * 2, "team": [2, 2],
        "station_name": ["瓯海区市场监管局娄桥市场监管所"] * 2, "officer_names": ["张三;李四"] * 2,
        "stop_order": [1, 2], "arrival": ["08:26", "12:13"], "window": ["07:00-11:00", "11:00-13:30"],
        "establishment_name": ["=cmd()", "林隆豆腐坊"], "address": ["娄桥街道 1 号", "娄桥街道 2 号"],
        "categories_to_sample_names": ["豆制品", "蔬菜;水果"], "units": [3, 6], "samples": [1, 2],
        "cold_chain": [True, False], "lab_deadline": ["16:30", ""], "licence_no": ["JY133", "JY134"],
        "visit_id": ["V2026-07-0001", "V2026-07-0002"],
        "amap_url": [amap_url(120.6, 28.0, "林隆"), ""], "baidu_url": [baidu_url(120.6, 28.0, "林隆"), ""],
    })
    routes = pd.DataFrame({"station_id": ["ST03"], "team": [2], "date": [pd.Timestamp("2026-07-16")],
                           "ends_at": ["lab"], "lab_id": ["LAB01"], "lab_date": [pd.Timestamp("2026-07-16")]})
    labs = pd.DataFrame({"lab_id": ["LAB01"], "name": ["温州市食品检验检测研究院"], "address": ["景山路1号"],
                         "intake_cutoff": ["16:30"]})
    return stops, routes, labs


def test_team_sheet_is_ready_to_print() -> None:
    """Title block, legend, stops with HH:MM and navigation links, A4 landscape fitted to width."""
    from riskplan.export.team_sheet import SHEET_COLUMNS, day_infos, team_workbook_bytes, text_width

    stops, routes, labs = _team_day()
    infos = day_infos(stops, routes, labs, "zh")
    info = infos[("ST03", "2", "2026-07-16")]
    assert info["station"] == "瓯海区市场监管局娄桥市场监管所 (ST03)" and info["team"] == "第2组"
    assert info["officers"] == "张三、李四" and info["lab"] == "温州市食品检验检测研究院 (LAB01)"
    data = team_workbook_bytes({"2026-07-16": stops}, {"2026-07-16": info}, "zh", when=WHEN)
    assert data == team_workbook_bytes({"2026-07-16": stops}, {"2026-07-16": info}, "zh", when=WHEN)
    ws = openpyxl.load_workbook(io.BytesIO(data))["2026-07-16"]
    block = [[c.value for c in row if c.value is not None] for row in ws.iter_rows(max_row=6)]
    assert block[0] == ["食品安全抽检任务单"]
    assert block[1] == ["所站", info["station"], "小组", "第2组", "日期", "2026-07-16 (周四)"]
    assert block[2] == ["执法人员", "张三、李四"]
    assert block[3] == ["检验机构", info["lab"], "地址", "景山路1号"]
    assert block[4][:4] == ["收样截止", "16:30", "送检日期", "2026-07-16"]
    assert block[5][0].startswith("说明：预计到达 = 计划到达时间 (HH:MM)；可抽样时段")
    header = [c.value for c in ws[8]]
    assert header[:3] == ["顺序", "预计到达", "可抽样时段"] and len(header) == len(SHEET_COLUMNS)
    assert [c.value for c in ws[9]][:4] == [1, "08:26", "07:00-11:00", "'=cmd()"]
    nav = header.index("高德导航") + 1
    assert ws.cell(9, nav).value == "导航" and ws.cell(9, nav).hyperlink.target.startswith("https://uri.amap.com/")
    assert ws.cell(10, nav).value is None  # no link without coordinates
    assert ws.print_title_rows == "$8:$8" and ws.freeze_panes == "A9"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    name_col = openpyxl.utils.get_column_letter(header.index("主体名称") + 1)
    assert ws.column_dimensions[name_col].width == text_width("林隆豆腐坊") + 2 == 12


def test_team_sheet_cells_are_styled_by_kind() -> None:
    """Every sheet's cells have their kind's style: the first sheet's set attribute by attribute, the
    later sheets' copied; each style is in the workbook's style lists once."""
    from riskplan.export.team_sheet import day_infos, team_workbook_bytes

    stops, routes, labs = _team_day()
    info = day_infos(stops, routes, labs, "en")[("ST03", "2", "2026-07-16")]
    later = stops[::-1].assign(stop_order=[1, 2])  # the link row second
    data = team_workbook_bytes({"2026-07-16": stops, "2026-07-17": later},
                               {"2026-07-16": info, "2026-07-17": {**info, "date": "2026-07-17"}}, "en", when=WHEN)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["2026-07-16", "2026-07-17"]
    for ws in wb:
        assert ws["A1"].font.b and ws["A1"].font.sz == 14
        assert ws["A2"].font.b and not ws["B2"].font.b
        header = [c.value for c in ws[8]]
        for cell in ws[8]:
            assert cell.font.b and cell.border.left.style == "thin" and cell.alignment.vertical == "center"
        for row in ws.iter_rows(min_row=9, max_row=10):
            for col, cell in zip(header, row):
                assert cell.border.bottom.style == "thin" and cell.alignment.wrap_text
                assert cell.alignment.vertical == "top"
                link = cell.hyperlink is not None
                assert link == (col in ("AMap navigation", "Baidu navigation") and cell.value == "Navigate")
                assert (cell.font.color is not None and cell.font.color.rgb == "000563C1") == link
                number = col in ("Stop", "Units to buy", "Samples") or link
                assert cell.number_format == ("General" if number else "@"), (ws.title, col)
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    assert '<fonts count="4">' in styles and '<borders count="2">' in styles  # default, box
