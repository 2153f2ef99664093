"""Ingest of the year's results: clean errors with file/row/column, outside-plan rows reported."""

import pandas as pd
import pytest

from riskplan.errors import RiskplanError, ValidationError
from riskplan.monitoring import read_results, validate_results

EST = pd.DataFrame({
    "establishment_id": ["E1", "E2", "E3"],
    "township_code": ["330304001", "330304001", "330304002"],
    "business_type": ["C-SCHOOL", "D-WETMARKET", "C-SCHOOL"],
    "stage": ["catering", "distribution", "catering"],
})
CATS = pd.DataFrame({"category_code": ["C31", "C34"]})
PLAN = pd.DataFrame({
    "township_code": ["330304001", "330304001", "330304002"],
    "business_type": ["C-SCHOOL", "D-WETMARKET", "C-SCHOOL"],
    "category_code": ["C31", "C34", "C31"],
    "samples": [2, 3, 1],
})


def results(**over):
    base = {
        "sample_id": ["S1", "S2", "S3"],
        "sample_date": ["2026-01-05", "2026-02-10", "2026-03-01"],
        "establishment_id": ["E1", "E2", "E3"],
        "category_code": ["C31", "C34", "C31"],
        "result": ["pass", "fail", "pass"],
        "hazard": ["", "农药残留", ""],
        "followup_status": ["not_required", "pending", "not_required"],
        "followup_date": ["", "", ""],
    }
    base.update(over)
    return pd.DataFrame(base)


def test_clean_results_join_their_stratum():
    ing = validate_results(results(), EST, CATS, PLAN, 2026)
    r = ing.results
    assert len(r) == 3 and r["in_plan"].all() and ing.unmatched.empty
    assert r["township_code"].tolist() == ["330304001", "330304001", "330304002"]
    assert r["stage"].tolist() == ["catering", "distribution", "catering"]
    assert r["month"].tolist() == [1, 2, 3]
    assert pd.api.types.is_datetime64_any_dtype(r["sample_date"])


@pytest.mark.parametrize("over, row, column, text", [
    ({"sample_id": ["S1", "S1", "S3"]}, 2, "sample_id", "duplicate sample ID"),
    ({"sample_id": ["S1", "", "S3"]}, 2, "sample_id", "empty sample ID"),
    ({"sample_date": ["2026-01-05", "2026-13-45", "2026-03-01"]}, 2, "sample_date", "not a date"),
    ({"result": ["pass", "bad", "pass"]}, 2, "result", "pass or fail"),
    ({"followup_status": ["not_required", "later", "not_required"]}, 2, "followup_status",
     "done, pending or not_required"),
    ({"followup_status": ["not_required", "not_required", "not_required"]}, 2, "followup_status",
     "needs a follow-up"),
    ({"followup_status": ["not_required", "done", "not_required"]}, 2, "followup_date", "no date"),
    ({"followup_status": ["not_required", "done", "not_required"],
      "followup_date": ["", "2026-01-01", ""]}, 2, "followup_date", "before the sample date"),
    ({"result_received_date": ["", "2026-02-31", ""]}, 2, "result_received_date", "not a date"),
    ({"result_received_date": ["", "2026-02-01", ""]}, 2, "result_received_date",
     "received before the sample date"),
    ({"retest": ["", "perhaps", ""]}, 2, "retest", "requested, upheld, overturned"),
    ({"case_closed_date": ["", "2026-04-01", ""]}, 2, "case_closed_date", "never filed"),
    ({"case_filed_date": ["2026-02-01", "", ""]}, 1, "case_filed_date", "no follow-up stage"),
    ({"establishment_id": ["E1", "", "E3"]}, 2, "establishment_id", "empty value"),
])
def test_malformed_rows_raise_with_row_and_column(over, row, column, text):
    with pytest.raises(ValidationError) as exc:
        validate_results(results(**over), EST, CATS, PLAN, 2026, file="r.csv")
    p = exc.value.problems
    hit = p[(p["row"] == row) & (p["column"] == column)]
    assert len(hit) == 1 and text in hit["message_en"].iloc[0]
    assert (p["file"] == "r.csv").all()
    assert f"r.csv, row {row}, column {column}" in str(exc.value)


def test_missing_column_is_reported():
    with pytest.raises(ValidationError, match="column result: required column is missing"):
        validate_results(results().drop(columns="result"), EST, CATS)


def test_unknown_and_outside_plan_results_are_reported_not_dropped():
    r = results(
        establishment_id=["E1", "E9", "E3"],           # E9 not in the register
        category_code=["C99", "C34", "C34"],            # C99 unknown; E3 x C34 not in the plan
        sample_date=["2026-01-05", "2026-02-10", "2025-12-31"],  # last one outside the year
    )
    ing = validate_results(r, EST, CATS, PLAN, 2026)
    assert len(ing.results) == 3  # nothing dropped
    assert not ing.results["in_plan"].any()
    u = ing.unmatched
    assert set(zip(u["row"], u["column"])) == {
        (1, "category_code"), (2, "establishment_id"), (3, "category_code"), (3, "sample_date")}
    assert "not in the register" in u.loc[u["row"] == 2, "reason_en"].iloc[0]
    assert "not in the plan" in u.loc[(u["row"] == 3) & (u["column"] == "category_code"), "reason_en"].iloc[0]
    assert ing.matched.empty


def test_chinese_results_and_missing_followup_default():
    r = results(result=["合格", "不合格", "合格"], followup_status=["", "", ""])
    ing = validate_results(r, EST, CATS, PLAN, 2026)
    assert ing.results["result"].tolist() == ["pass", "fail", "pass"]
    assert ing.results["followup_status"].tolist() == ["not_required", "pending", "not_required"]


def test_read_results_encodings(tmp_path):
    df = results()
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(df.to_csv(index=False).encode("gb18030"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(df.to_csv(index=False).encode("utf-8-sig"))
    for p in (gbk, bom):
        got = read_results(p)
        assert got.columns[0] == "sample_id"
        assert got["hazard"].iloc[1] == "农药残留"
    with pytest.raises(RiskplanError, match="results file not found"):
        read_results(tmp_path / "nope.csv")


def test_read_results_chinese_headers_and_values_as_validate_accepts(tmp_path):
    zh = pd.DataFrame({
        "样品编号": ["S1", "S2", "S3"], "抽样日期": ["2026-01-05", "2026-02-10", "2026-03-01"],
        "经营主体编号": ["E1", "E2", "E3"], "食品类别代码": ["C31", "C34", "C31"],
        "检验结论": ["合格", "不合格", "合格"], "不合格项目": ["", "农药残留", ""],
        "核查处置状态": ["not_required", "pending", "not_required"],
    })
    f = tmp_path / "结果.csv"
    f.write_bytes(zh.to_csv(index=False).encode("gb18030"))
    ing = validate_results(read_results(f), EST, CATS, PLAN, 2026)
    assert ing.results["result"].tolist() == ["pass", "fail", "pass"]
    assert ing.results["sample_id"].tolist() == ["S1", "S2", "S3"]
    assert ing.unmatched.empty and ing.results["in_plan"].all()


def test_read_results_without_followup_status_defaults_it(tmp_path):
    f = tmp_path / "r.csv"
    results().drop(columns=["followup_status"]).to_csv(f, index=False)
    ing = validate_results(read_results(f), EST, CATS, PLAN, 2026)
    assert ing.results["followup_status"].tolist() == ["not_required", "pending", "not_required"]


@pytest.mark.parametrize("name, content, text", [
    ("empty.csv", b"", "file is empty"),
    ("damaged.xlsx", b"PK\x03\x04 not really a workbook", "cannot read the Excel file"),
])
def test_read_results_unreadable_file_is_a_validation_error(tmp_path, name, content, text):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(ValidationError, match=text) as info:
        read_results(f)
    assert info.value.problems["file"].tolist() == [name]


def test_read_results_bad_cells_are_validation_errors(tmp_path):
    f = tmp_path / "r.csv"
    results(result=["pass", "maybe", "pass"]).to_csv(f, index=False)
    with pytest.raises(ValidationError, match="r.csv, row 2, column result"):
        read_results(f)


def test_results_after_as_of_are_reported_not_dropped():
    ing = validate_results(results(), EST, CATS, PLAN, 2026, as_of="2026-02-10")
    assert len(ing.results) == 3
    assert ing.results["in_plan"].tolist() == [True, True, False]
    u = ing.unmatched
    assert u[["row", "sample_id", "column", "value"]].values.tolist() == [
        [3, "S3", "sample_date", "2026-03-01"]]
    assert "after the assessment date 2026-02-10" in u["reason_en"].iloc[0]


@pytest.mark.parametrize("as_of", ["2030-01-01", "2025-06-01", "2025-12-31"])
def test_as_of_outside_the_plan_year_is_rejected(as_of):
    from riskplan.monitoring.ingest import check_as_of

    with pytest.raises(RiskplanError, match=f"as-of date {as_of} is outside the plan year 2026"):
        check_as_of(as_of, 2026)
    assert check_as_of("2026-12-31", 2026) == pd.Timestamp("2026-12-31")
    with pytest.raises(RiskplanError, match="not a date"):
        check_as_of("2026-13-01", 2026)


def test_stage_columns_read_from_chinese_headers(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("样品编号,抽样日期,主体编号,食品类别代码,检验结论,核查处置状态,核查处置日期,"
                 "检验结论送达日期,告知日期,复检,立案日期,结案日期\n"
                 "S1,2026-01-05,E1,C31,合格,无需处置,,2026-01-30,,,,\n"
                 "S2,2026-02-10,E2,C34,不合格,已完成,2026-04-20,2026-03-06,2026-03-09,复检维持,"
                 "2026-03-20,2026-04-20\n", encoding="utf-8-sig")
    ing = validate_results(read_results(f), EST, CATS, PLAN, 2026)
    r = ing.results.set_index("sample_id")
    assert r.loc["S2", "result_received_date"] == pd.Timestamp("2026-03-06")
    assert r.loc["S2", "retest"] == "upheld"
    assert r.loc["S2", "case_closed_date"] == pd.Timestamp("2026-04-20")
    assert pd.isna(r.loc["S1", "notified_date"]) and r.loc["S1", "retest"] == ""
