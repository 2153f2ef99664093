"""``riskplan monitor`` end to end on the Ouhai data, and its clean errors (slow: builds a plan)."""

import dataclasses
import json

import pandas as pd
import pytest

from riskplan.cli import main
from riskplan.export.plan_folder import read_table as read_out

KEY = ["township_code", "business_type", "category_code"]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory, ouhai):
    """A minimal Ouhai plan folder (allocation, schedule, config, manifest, data reference)."""
    from riskplan.allocation import allocate, quota_for
    from riskplan.config import Config
    from riskplan.risk import score
    from riskplan.schedule import monthly

    cfg = Config()
    # the synthetic 2026 results (and their injected hot spots) were drawn against the 2020-census
    # plan of 964 samples (data/README.md), so this plan is sized on 2020 too
    cfg = cfg.replace(allocation=dataclasses.replace(cfg.allocation, floor_time_limit_s=2.0),
                      quota=dataclasses.replace(cfg.quota, population_year=2020))
    scores = score(ouhai, config=cfg.risk)
    alloc = allocate(scores, quota_for(cfg.quota, ouhai), cfg.allocation, categories=ouhai.categories)
    sched = monthly(alloc, cfg.schedule)
    d = tmp_path_factory.mktemp("plan")
    alloc.table.to_csv(d / "allocation.csv", index=False, encoding="utf-8-sig")
    sched[KEY + ["month", "samples"]].to_csv(d / "schedule.csv", index=False, encoding="utf-8-sig")
    scores.to_csv(d / "risk_scores.csv", index=False, encoding="utf-8-sig")
    (d / "config.toml").write_text(cfg.to_toml(), encoding="utf-8")
    (d / "manifest.json").write_text(json.dumps({"seed": 2026}), encoding="utf-8")
    (d / "data_reference.toml").write_text('embedded = "ouhai"\nplan_year = 2026\n', encoding="utf-8")
    return d, int(alloc.table["samples"].sum())


def test_monitor_command_writes_everything(plan_dir, ouhai, tmp_path, capsys):
    d, quota = plan_dir
    res_file = tmp_path / "results.csv"
    r = ouhai.results.copy()
    r.to_csv(res_file, index=False, date_format="%Y-%m-%d")
    out = tmp_path / "out"
    assert main(["monitor", "--plan", str(d), "--results", str(res_file), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "riskplan monitor" in text and f"/{quota}" in text
    for f in ["progress_monthly.csv", "behind_township.csv", "coverage_summary.csv",
              "coverage_matrix.csv", "followup_overdue.csv", "alerts.csv", "replan.csv",
              "replan_schedule.csv", "targets_scorecard.csv", "unmatched_results.csv",
              "report.md", "progress.png", "coverage.png"]:
        assert (out / f).is_file(), f
    assert (out / "alerts.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    rp = read_out(out / "replan.csv")
    for c in ["planned", "done", "remaining", "total"]:
        rp[c] = rp[c].astype(int)
    assert rp["township_code"].str.fullmatch(r"330304\d{3}").all()
    assert rp["total"].sum() == quota and (rp["done"] + rp["remaining"] == rp["total"]).all()
    assert rp["done"].sum() == len(r)
    al = read_out(out / "alerts.csv")
    hot = set(zip(al.loc[al["level"] == "township_category", "township_code"],
                  al.loc[al["level"] == "township_category", "category_code"]))
    # the two hot spots injected into the synthetic 2026 results (May-June)
    assert {("330304002", "C35"), ("330304011", "C34")} <= hot
    sc = read_out(out / "targets_scorecard.csv")
    assert set(sc.loc[sc["source"] == "computed", "target_id"]) == {"T19", "T22", "T23", "T24"}
    assert "Creation targets" in (out / "report.md").read_text(encoding="utf-8")


def test_monitor_reports_unknown_results(plan_dir, ouhai, tmp_path):
    d, _ = plan_dir
    r = ouhai.results.head(20).copy()
    r.loc[r.index[3], "establishment_id"] = "OH-E99999"
    f = tmp_path / "r.csv"
    r.to_csv(f, index=False, date_format="%Y-%m-%d")
    out = tmp_path / "o"
    assert main(["monitor", "--plan", str(d), "--results", str(f), "--out", str(out), "--no-replan",
                 "--no-charts"]) == 0
    u = read_out(out / "unmatched_results.csv")
    assert u[["row", "column", "value"]].values.tolist() == [["4", "establishment_id", "OH-E99999"]]


def test_monitor_clean_errors(plan_dir, ouhai, tmp_path, capsys):
    d, _ = plan_dir
    assert main(["monitor", "--plan", str(tmp_path / "none"), "--results", "x.csv", "--out", str(tmp_path)]) == 2
    assert "plan folder not found" in capsys.readouterr().err
    bad = ouhai.results.head(5).copy()
    bad["result"] = bad["result"].astype(object)
    bad.loc[bad.index[2], "result"] = "maybe"
    f = tmp_path / "bad.csv"
    bad.to_csv(f, index=False, date_format="%Y-%m-%d")
    assert main(["monitor", "--plan", str(d), "--results", str(f), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 3, column result" in err and "Traceback" not in err
    assert f"nothing written to {tmp_path / 'o'}" in err and "--problems FILE" in err
    assert not (tmp_path / "o").exists()  # a refusal writes nothing into --out
    problems = tmp_path / "problems" / "p.csv"
    assert main(["monitor", "--plan", str(d), "--results", str(f), "--out", str(tmp_path / "o"),
                 "--problems", str(problems)]) == 2
    assert f"problems written to {problems}" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    p = read_out(problems)
    assert p[["row", "column", "value"]].values.tolist() == [["3", "result", "maybe"]]


def test_monitor_replaces_only_its_own_folder(plan_dir, ouhai, tmp_path, capsys):
    d, _ = plan_dir
    f = tmp_path / "r.csv"
    ouhai.results.head(10).to_csv(f, index=False, date_format="%Y-%m-%d")
    args = ["monitor", "--plan", str(d), "--results", str(f), "--no-replan", "--no-charts", "--out"]
    out = tmp_path / "o"
    assert main([*args, str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "monitor"
    assert set(manifest["outputs_sha256"]) == {p.name for p in out.iterdir()} - {"manifest.json"}
    assert main([*args, str(out), "--problems", str(tmp_path / "p.csv")]) == 0  # replaced
    assert read_out(tmp_path / "p.csv").empty  # header only: the results were accepted
    (out / "my notes.txt").write_text("keep", encoding="utf-8")
    assert main([*args, str(out)]) == 2
    err = capsys.readouterr().err
    assert "riskplan did not write there (my notes.txt)" in err
    assert (out / "my notes.txt").read_text(encoding="utf-8") == "keep"
    # the plan folder itself is not a monitoring folder
    real = tmp_path / "plan"
    (real / "x").mkdir(parents=True)
    (real / "x" / "a.csv").write_text("a", encoding="utf-8")
    (real / "manifest.json").write_text(json.dumps(
        {"riskplan_version": "0.1", "outputs_sha256": {"x/a.csv": "0" * 64}}), encoding="utf-8")
    assert main([*args, str(real)]) == 2
    assert "it is a plan folder (riskplan plan), not a monitoring folder" in capsys.readouterr().err


def test_monitor_csvs_are_guarded_and_keep_ids_text(plan_dir, ouhai, tmp_path):
    d, _ = plan_dir
    r = ouhai.results.head(20).copy()
    for c in ["result", "hazard", "followup_status", "establishment_id"]:
        r[c] = r[c].astype(object)
    i0, i1 = r.index[0], r.index[1]
    r.loc[i0, ["sample_date", "result", "hazard", "followup_status", "followup_date"]] = [
        pd.Timestamp("2026-01-10"), "fail", "=1+2", "pending", pd.NaT]
    r.loc[i1, "establishment_id"] = '=HYPERLINK("http://x.example","y")'
    f = tmp_path / "r.csv"
    r.to_csv(f, index=False, date_format="%Y-%m-%d")
    out = tmp_path / "o"
    assert main(["monitor", "--plan", str(d), "--results", str(f), "--out", str(out), "--no-replan",
                 "--no-charts", "--as-of", "2026-06-30"]) == 0
    overdue = (out / "followup_overdue.csv").read_text(encoding="utf-8-sig")
    assert "'=1+2" in overdue and ",=1+2" not in overdue
    unmatched = (out / "unmatched_results.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in unmatched and ',"=HYPERLINK' not in unmatched
    assert '\n"=""3303040' in (out / "behind_township.csv").read_text(encoding="utf-8-sig")
    assert (out / "coverage_matrix.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    u = read_out(out / "unmatched_results.csv")
    assert u["value"].tolist() == ['=HYPERLINK("http://x.example","y")']  # guard undone on read
    assert "=1+2" in read_out(out / "followup_overdue.csv")["hazard"].tolist()


def test_monitor_reports_results_after_as_of_and_rejects_other_years(plan_dir, ouhai, tmp_path,
                                                                      capsys):
    d, _ = plan_dir
    r = ouhai.results.head(20).copy()
    r.loc[r.index[5], "sample_date"] = pd.Timestamp("2026-09-15")
    f = tmp_path / "r.csv"
    r.to_csv(f, index=False, date_format="%Y-%m-%d")
    out = tmp_path / "o"
    assert main(["monitor", "--plan", str(d), "--results", str(f), "--out", str(out), "--no-replan",
                 "--no-charts", "--as-of", "2026-06-30"]) == 0
    assert "1 outside the plan" in capsys.readouterr().out
    u = read_out(out / "unmatched_results.csv")
    assert u[["row", "column", "value"]].values.tolist() == [["6", "sample_date", "2026-09-15"]]
    assert "after the assessment date 2026-06-30" in u["reason_en"].iloc[0]
    for as_of in ["2030-01-01", "2025-06-01"]:
        assert main(["monitor", "--plan", str(d), "--results", str(f), "--out", str(out),
                     "--as-of", as_of]) == 2
        err = capsys.readouterr().err
        assert f"as-of date {as_of} is outside the plan year 2026" in err and "Traceback" not in err


def test_monitor_reads_results_like_validate(plan_dir, ouhai, tmp_path, capsys):
    d, _ = plan_dir
    r = ouhai.results.head(10)[["sample_id", "sample_date", "establishment_id", "category_code",
                                "result", "hazard", "followup_status", "followup_date"]].copy()
    r["result"] = r["result"].map({"pass": "合格", "fail": "不合格"})
    r.columns = ["样品编号", "抽样日期", "经营主体编号", "食品类别代码", "检验结论", "不合格项目",
                 "核查处置状态", "核查处置日期"]
    f = tmp_path / "结果.csv"
    f.write_bytes(r.to_csv(index=False, date_format="%Y-%m-%d").encode("gb18030"))
    out = tmp_path / "o"
    assert main(["monitor", "--plan", str(d), "--results", str(f), "--out", str(out), "--no-replan",
                 "--no-charts"]) == 0
    assert "results 结果: 10 rows, 0 outside the plan" in capsys.readouterr().out
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for name, content in [("empty.csv", b""), ("damaged.xlsx", b"PK\x03\x04 broken"),
                          ("utf16.csv", "sample_id\nS1\n".encode("utf-16"))]:
        f = tmp_path / name
        f.write_bytes(content)
        problems = tmp_path / f"{name}.problems.csv"
        assert main(["monitor", "--plan", str(d), "--results", str(f), "--out", str(out),
                     "--problems", str(problems)]) == 2
        err = capsys.readouterr().err
        assert f"{name}:" in err and "Traceback" not in err
        assert read_out(problems)["file"].tolist() == [name]
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the earlier report stays


@pytest.fixture(scope="module")
def written_plan(tmp_path_factory):
    """A plan folder written by `riskplan plan --lang zh` on the embedded data (~10 s)."""
    plan = tmp_path_factory.mktemp("written") / "plan"
    assert main(["plan", "--out", str(plan), "--lang", "zh"]) == 0
    return plan


def test_monitor_on_a_folder_written_by_riskplan_plan(written_plan, tmp_path, capsys):
    from riskplan.datasets import embedded_data_dir
    from riskplan.export.plan_folder import read_plan

    plan = written_plan
    quota = int(read_plan(plan).allocation["samples"].sum())
    results = embedded_data_dir() / "results.csv"
    n_results = len(pd.read_csv(results, dtype=str))
    out = tmp_path / "monitor"
    capsys.readouterr()
    assert main(["monitor", "--plan", str(plan), "--results", str(results), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"/{quota} " in text and f"results 结果: {n_results} rows, 0 outside the plan" in text
    rp = read_out(out / "replan.csv")
    for c in ["planned", "done", "remaining", "total"]:
        rp[c] = rp[c].astype(int)
    assert rp["planned"].sum() == rp["total"].sum() == quota
    assert (rp["done"] + rp["remaining"] == rp["total"]).all() and rp["done"].sum() == n_results
    assert read_out(out / "unmatched_results.csv").empty
    assert (out / "report.md").is_file() and (out / "progress.png").is_file()


def test_monitoring_plan_reader_does_not_shadow_the_export_one(written_plan):
    from riskplan import monitoring
    from riskplan.export.plan_folder import PlanFolder, read_plan

    assert not hasattr(monitoring, "PlanFolder") and not hasattr(monitoring, "read_plan")
    mp = monitoring.load_plan(written_plan)
    assert isinstance(mp, monitoring.MonitorPlan) and not isinstance(mp, PlanFolder)
    assert mp.quota == int(read_plan(written_plan).allocation["samples"].sum())
    assert mp.schedule["samples"].sum() == mp.quota
    assert mp.allocation["township_code"].str.fullmatch(r"330304\d{3}").all()
    assert pd.api.types.is_float_dtype(mp.scores["prior_alpha"])  # typed for the Bayes alerts
