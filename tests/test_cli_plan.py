"""`riskplan plan` end to end: the embedded Ouhai data and a small second district made here.

Checks the promises of the command: CSV encoding (BOM, Chinese headers), the formula-injection
guard, IDs as text in CSV and XLSX, byte-identical files for the same inputs and seed (the
manifest's run time aside), every selected visit accounted for exactly once, and configuration
errors that name the key and write nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from riskplan.cli import main
from riskplan.datasets import embedded_data_dir
from riskplan.export.plan_folder import read_plan

INJECTED_NAME = '=HYPERLINK("http://example.invalid","click")'
INJECTED_ADDRESS = "-1+2 测试路1号"
LEADING_ZERO_LICENCE = "0123456789012345678"


def _remap(df: pd.DataFrame, columns: dict[str, dict[str, str]]) -> pd.DataFrame:
    df = df.copy()
    for col, mapping in columns.items():
        if col in df.columns:
            df[col] = df[col].astype(str).map(lambda v, m=mapping: ";".join(m.get(x, x) for x in v.split(";")))
    return df


def make_small_district(folder: Path, hostile: str | None = None) -> Path:
    """A two-township district (codes 330399xxx) with ~60 establishments, written as CSV files.

    Built from two rural Ouhai townships (national category and business-type tables are the
    same everywhere), renamed and re-coded, with hostile text and a leading-zero licence number
    on establishment ``hostile`` (``TD-E…``; default: the first rows).
    """
    src = embedded_data_dir("ouhai")
    rd = lambda name: pd.read_csv(src / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    old = ["330304011", "330304012"]
    codes = {"330304011": "330399001", "330304012": "330399002"}
    stations = rd("stations")
    stations = stations[stations["township_codes"].isin(old)].copy()
    sid = {s: f"TS{i + 1:02d}" for i, s in enumerate(stations["station_id"])}
    stations["teams"] = "2"
    est = rd("establishments")
    est = est[est["township_code"].isin(old)]
    est = est.groupby(["township_code", "business_type"], sort=True).head(2).reset_index(drop=True)
    eid = {e: e.replace("OH-E", "TD-E") for e in est["establishment_id"]}
    est = _remap(est, {"township_code": codes, "establishment_id": eid})
    est["address"] = est["address"].str.replace("瓯海区", "测试区")
    rows = est.index[est["establishment_id"] == hostile] if hostile else est.index[:3]
    assert len(rows), hostile
    est.loc[rows[0], "name"] = INJECTED_NAME
    est.loc[rows[-1 if hostile else 1], "address"] = INJECTED_ADDRESS
    est.loc[rows[-1 if hostile else 2], "licence_no"] = LEADING_ZERO_LICENCE
    keep = set(eid.values())
    hist = _remap(rd("history"), {"establishment_id": eid})
    res = _remap(rd("results"), {"establishment_id": eid})
    comp = _remap(rd("complaints"), {"establishment_id": eid, "township_code": codes})
    tw = rd("townships")
    tw = _remap(tw[tw["township_code"].isin(old)], {"township_code": codes})
    tw["name_zh"] = ["测试一镇", "测试二镇"]
    tw["name_en"] = ["Test One", "Test Two"]
    officers = rd("officers")
    officers = _remap(officers[officers["station_id"].isin(sid)], {"station_id": sid})
    stations = _remap(stations, {"station_id": sid, "township_codes": codes})
    folder.mkdir(parents=True)
    tables = {
        "townships": tw, "stations": stations, "officers": officers, "labs": rd("labs"),
        "establishments": est,
        "history": hist[hist["establishment_id"].isin(keep)],
        "results": res[res["establishment_id"].isin(keep)],
        "complaints": comp[comp["township_code"].isin(codes.values())
                           & (comp["establishment_id"].isin(keep) | (comp["establishment_id"] == ""))],
        "categories": rd("categories"), "business_types": rd("business_types"),
        "target_actuals": rd("target_actuals").iloc[:0],
    }
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    geo = json.loads((src / "townships.geojson").read_text(encoding="utf-8"))
    feats = [f for f in geo["features"] if f["properties"]["township_code"] in codes]
    for f in feats:
        f["properties"]["township_code"] = codes[f["properties"]["township_code"]]
    (folder / "townships.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8")
    (folder / "dataset.toml").write_text(
        'name = "Test District (测试区)"\ndistrict_code = "330399"\nreference_date = 2026-06-30\n'
        'plan_year = 2026\npopulation_year = 2020\nsynthetic = ["establishments"]\n', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """The small district, its hostile text put on an establishment the plan routes.

    Names, addresses and licence numbers play no part in selection or routing, so the
    establishment routed in a clean first plan is routed again once its text is hostile.
    """
    from riskplan.datasets import read_dataset
    from riskplan.pipeline import run_plan

    clean = make_small_district(tmp_path_factory.mktemp("clean") / "testdistrict")
    routed = run_plan(read_dataset(clean), month=7, seed=11).stops["establishment_id"]
    return make_small_district(tmp_path_factory.mktemp("district") / "testdistrict",
                               hostile=str(sorted(routed)[0]))


@pytest.fixture(scope="module")
def small_plans(small, tmp_path_factory) -> tuple[Path, Path]:
    """The small district planned twice with the same seed (in process)."""
    base = tmp_path_factory.mktemp("plans")
    outs = (base / "a", base / "b")
    for out in outs:
        assert main(["plan", "--data", str(small), "--seed", "11", "--out", str(out)]) == 0
    return outs


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _without_run_time(data: bytes) -> dict:
    man = json.loads(data)
    man.pop("run_time")
    return man


def test_outputs_are_complete(small_plans) -> None:
    out = small_plans[0]
    names = set(_files(out))
    for f in ("README.txt", "config.toml", "data_reference.toml", "manifest.json", "allocation.csv",
              "schedule.csv", "visits.csv", "stops.csv", "routes.csv", "lab_days.csv", "unassigned.csv",
              "purchases.csv", "detection.csv",
              "routes.geojson", "stops.geojson", "report.md", "report/detection_comparison.png"):
        assert f in names, f
    assert any(n.startswith("teams/") and n.endswith(".xlsx") for n in names)
    assert any(n.startswith("teams/") and n.endswith(".csv") for n in names)
    assert any(n.startswith("maps/") and n.endswith(".png") for n in names)
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["seed"] == 11 and man["months"] == ["2026-07"]
    assert set(man["inputs_sha256"]) >= {"establishments.csv", "dataset.toml"}
    assert set(man["outputs_sha256"]) == names - {"manifest.json"}
    assert tomllib.loads((out / "config.toml").read_text(encoding="utf-8"))["seed"] == 11


def test_deterministic(small_plans) -> None:
    a, b = (_files(p) for p in small_plans)
    assert a.keys() == b.keys()
    different = [k for k in a if a[k] != b[k] and k != "manifest.json"]
    assert different == []
    assert _without_run_time(a["manifest.json"]) == _without_run_time(b["manifest.json"])


def test_csv_encoding_headers_and_guard(small_plans) -> None:
    out = small_plans[0]
    for p in out.rglob("*.csv"):
        assert p.read_bytes().startswith(b"\xef\xbb\xbf"), p
    head = (out / "visits.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert head.startswith("任务编号") and "主体编号" in head
    text = "".join(p.read_text(encoding="utf-8-sig") for p in out.rglob("*.csv"))
    assert '"=""330399001"""' in text or '"=""330399002"""' in text  # township codes stay text
    # the hostile establishment is in the plan, its text guarded and its licence kept as text
    assert "'" + INJECTED_NAME.replace('"', '""') in text
    assert "'" + INJECTED_ADDRESS in text
    assert f'"=""{LEADING_ZERO_LICENCE}"""' in text
    # wherever the hostile name or address was written, it is guarded
    for line in text.splitlines():
        assert ",=HYPERLINK" not in line and ',"=HYPERLINK' not in line
        assert ",-1+2" not in line


def test_accounting_every_visit_once(small_plans) -> None:
    plan = read_plan(small_plans[0])
    visits = plan.visits
    assert visits["visit_id"].is_unique and len(visits) > 0
    placed = pd.concat([plan.stops["visit_id"], plan.unassigned["visit_id"], plan.purchases["visit_id"]])
    assert placed.is_unique
    assert set(placed) == set(visits["visit_id"])
    assert (plan.unassigned["reason"].astype(str) != "").all()
    assert set(plan.purchases["visit_id"]) == set(visits.loc[visits["mode"] == "purchase", "visit_id"])


def test_read_plan_is_language_independent(small, small_plans, tmp_path) -> None:
    out_en = tmp_path / "en"
    assert main(["plan", "--data", str(small), "--seed", "11", "--lang", "en", "--out", str(out_en)]) == 0
    zh, en = read_plan(small_plans[0]), read_plan(out_en)
    assert (out_en / "visits.csv").read_text(encoding="utf-8-sig").startswith("Visit ID")
    for name in ("allocation", "schedule", "visits", "unassigned", "purchases", "stops"):
        a, b = zh.tables[name], en.tables[name]
        assert list(a.columns) == list(b.columns), name
        # names of categories and townships are written in the chosen language, codes are not
        same = [c for c in a.columns if not c.endswith(("_names", "township_name", "reason_text"))]
        pd.testing.assert_frame_equal(a[same], b[same], check_dtype=False)
    assert zh.visits["township_code"].str.fullmatch(r"3303990\d\d").all()


def test_xlsx_ids_are_text(small_plans) -> None:
    out = small_plans[0]
    books = sorted((out / "teams").glob("*.xlsx"))
    assert books
    wb = openpyxl.load_workbook(books[0])
    ws = wb.worksheets[0]
    header = [c.value for c in ws[8]]  # below the title block
    assert ws.print_title_rows == "$8:$8" and ws.page_setup.orientation == "landscape"
    col = header.index("任务编号") + 1
    for row in ws.iter_rows(min_row=9, min_col=col, max_col=col):
        assert row[0].data_type == "s" and row[0].number_format == "@"
    for wsx in wb.worksheets:
        for row in wsx.iter_rows(values_only=True):
            for v in row:
                assert not (isinstance(v, str) and v.startswith(("=", "+", "@"))), v


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[quota]\nrate_per_1000 = 0\n", "quota.rate_per_1000"),
        ("[risk]\nno_such_key = 1\n", "risk.no_such_key"),
        ("[export]\nlang = 3\n", "export.lang"),
        ("[allocation]\nkey_categories = [\"C31\", \"C99\"]\n", "allocation.key_categories[1]"),
    ],
)
def test_config_errors_name_the_key_and_write_nothing(small, tmp_path, capsys, toml: str, key: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["plan", "--data", str(small), "--config", str(cfg), "--out", str(out)]) == 2
    assert f"'{key}'" in capsys.readouterr().err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_config_show_round_trips(tmp_path, capsys) -> None:
    assert main(["config", "--show"]) == 0
    text = capsys.readouterr().out
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    assert main(["config", "--check", str(tmp_path / "c.toml")]) == 0


def test_config_show_lists_settings_without_a_default(capsys) -> None:
    """quota.population, quota.population_year and allocation.budget_yuan have no default (TOML
    has no null): shown commented out, in their own section, with their documentation."""
    assert main(["config", "--show"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for section, key, placeholder in (("quota", "population", "<integer>"),
                                      ("quota", "population_year", "<integer>"),
                                      ("allocation", "budget_yuan", "<number>")):
        at = lines.index(f"# {key} = {placeholder}  (unset: no default)")
        headers = [ln for ln in lines[:at] if ln.startswith("[")]
        assert headers[-1] == f"[{section}]", (key, headers[-1])
        assert lines[at - 1].startswith("# ") and "or unset." in lines[at - 1]  # its Range line
    assert "allow_below_quota = false" in lines


def test_a_budget_below_the_quota_is_an_error_unless_allowed(small, small_plans, tmp_path,
                                                             capsys) -> None:
    """The missing yuan and samples are named; allowed, the plan says it is below the quota."""
    man = json.loads((small_plans[0] / "manifest.json").read_text(encoding="utf-8"))
    full, quota = man["key_numbers"]["test_fees_yuan"], man["key_numbers"]["quota"]
    alloc = read_plan(small_plans[0]).allocation
    floors = float((alloc["floor"] * alloc["cost_per_sample_yuan"]).sum())
    budget = round(floors + 0.5 * (full - floors))
    cfg = tmp_path / "budget.toml"
    cfg.write_text(f"[allocation]\nbudget_yuan = {budget}\n", encoding="utf-8")
    out = tmp_path / "refused"
    assert main(["plan", "--data", str(small), "--config", str(cfg), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    # the quota's cost is that of the risk allocation before it is fitted to what the
    # establishments can supply (the written plan's fees may differ by the samples moved)
    m = re.search(rf"budget of {budget:,.0f} yuan \(allocation.budget_yuan\) is ([\d,]+) yuan short "
                  rf"of the ([\d,]+) yuan the quota of {quota} samples costs: it pays for (\d+) "
                  r"samples, (\d+) below the quota", err)
    assert m, err
    short, cost, paid, below = (int(g.replace(",", "")) for g in m.groups())
    assert short == cost - budget and abs(cost - full) <= 0.01 * full and paid + below == quota
    assert "below the quota" in err and "allow_below_quota" in err and not out.exists()
    cfg.write_text(f"[allocation]\nbudget_yuan = {budget}\nallow_below_quota = true\n", encoding="utf-8")
    out = tmp_path / "allowed"
    assert main(["plan", "--data", str(small), "--config", str(cfg), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    k = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["key_numbers"]
    assert k["test_fees_yuan"] <= budget and 0 < k["below_quota"] == quota - k["allocated"]
    assert f"BELOW QUOTA 低于任务量: {k['below_quota']} samples of the mandated {quota}" in printed
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"**低于任务量 / BELOW QUOTA: {k['below_quota']} of the mandated {quota} samples" in report


def test_interrupted_run_writes_nothing(small, tmp_path, monkeypatch) -> None:
    """Ctrl-C while the maps are collected: no output folder, no temporary folder left behind."""
    from riskplan.export import maps

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(maps.MapDrawing, "write", interrupt)
    out = tmp_path / "out"
    assert main(["plan", "--data", str(small), "--out", str(out)]) == 130
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_workers_draw_the_maps_and_this_process_writes(small, tmp_path, monkeypatch) -> None:
    """The maps are drawn by worker processes while the main process writes the other files;
    Ctrl-C then (writing the report) stops the workers and leaves no folder behind."""
    import multiprocessing

    from riskplan.export import report

    seen: list[int] = []

    def interrupt(*args, **kwargs):
        seen.append(len(multiprocessing.active_children()))
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "report_markdown", interrupt)
    cfg = tmp_path / "workers.toml"
    cfg.write_text("[export]\nmap_workers = 2\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["plan", "--data", str(small), "--config", str(cfg), "--out", str(out)]) == 130
    assert seen and seen[0] >= 1  # the drawing processes were running beside this one
    assert multiprocessing.active_children() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["workers.toml"]


def test_month_outside_plan_year(small, tmp_path, capsys) -> None:
    assert main(["plan", "--data", str(small), "--month", "2025-07", "--out", str(tmp_path / "o")]) == 2
    assert "plan year 2026" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_embedded_default_run_subprocess(tmp_path) -> None:
    """The README's main job, as a user runs it: `riskplan plan --out DIR` on the embedded data;
    then the same in process: byte-identical files (manifest run time aside)."""
    out = tmp_path / "plan"
    env = {**os.environ, "TQDM_DISABLE": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "riskplan.cli", "plan", "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "2026-07" in proc.stdout and str(out) in proc.stdout
    plan = read_plan(out)
    assert int(plan.allocation["samples"].sum()) == 1002
    placed = pd.concat([plan.stops["visit_id"], plan.unassigned["visit_id"], plan.purchases["visit_id"]])
    assert placed.is_unique and set(placed) == set(plan.visits["visit_id"])
    assert plan.manifest["dataset"].get("embedded") == "ouhai"
    again = tmp_path / "again"
    assert main(["plan", "--out", str(again)]) == 0
    a, b = _files(out), _files(again)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k] and k != "manifest.json"] == []
    assert _without_run_time(a["manifest.json"]) == _without_run_time(b["manifest.json"])


def test_a_travel_time_matrix_from_the_config_is_used_and_hashed(small, tmp_path, capsys) -> None:
    import shutil

    data = tmp_path / "district"
    shutil.copytree(small, data)
    stations = pd.read_csv(data / "stations.csv", dtype=str)
    est = pd.read_csv(data / "establishments.csv", dtype=str)
    pd.DataFrame({"from_id": [stations["station_id"].iloc[0]], "to_id": [est["establishment_id"].iloc[0]],
                  "minutes": ["12.5"]}).to_csv(data / "road_matrix.csv", index=False)
    cfg = tmp_path / "plan.toml"
    cfg.write_text('[routing]\ntravel_matrix = "road_matrix.csv"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["plan", "--data", str(data), "--config", str(cfg), "--out", str(out)]) == 0
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert any(k.startswith("routing.travel_matrix:") and k.endswith("road_matrix.csv")
               for k in man["inputs_sha256"])
    cfg.write_text('[routing]\ntravel_matrix = "missing.csv"\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["plan", "--data", str(data), "--config", str(cfg), "--out", str(tmp_path / "o2")]) == 2
    assert "routing.travel_matrix" in capsys.readouterr().err
    assert not (tmp_path / "o2").exists()


def test_test_fees_in_summary_report_and_manifest(small, small_plans, capsys) -> None:
    """The year's test fees [yuan]: allocation x each category's cost, in all three places."""
    out = small_plans[0]
    alloc = read_plan(out).allocation
    cats = pd.read_csv(small / "categories.csv", dtype={"category_code": str})
    cost = dict(zip(cats["category_code"], cats["cost_yuan"].astype(float)))
    expected = float((alloc["samples"] * alloc["category_code"].map(cost)).sum())
    assert expected > 0
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["key_numbers"]["test_fees_yuan"] == pytest.approx(expected)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"| 检验费（全年） / test fees (year) [yuan] | {expected:,.0f} |" in report
    assert main(["plan", "--data", str(small), "--seed", "11", "--out", str(out.parent / "c")]) == 0
    assert f"test fees 检验费 (year): {expected:,.0f} yuan" in capsys.readouterr().out


@pytest.mark.slow
def test_the_summary_says_when_labels_are_english(tmp_path: Path, yunling_dir: Path, yunling_config_path: Path) -> None:
    """The font note of the summary comes from a worker process (the command itself never imports
    matplotlib): printed when no CJK font may be used, absent when one may."""
    env = {**os.environ, "TQDM_DISABLE": "1", "MPLBACKEND": "Agg"}
    lines = {}
    for name, flag in (("off", "1"), ("on", "")):
        proc = subprocess.run([sys.executable, "-m", "riskplan.cli", "plan", "--data", str(yunling_dir),
                               "--config", str(yunling_config_path), "--month", "2026-03",
                               "--out", str(tmp_path / name)],
                              capture_output=True, text=True, env={**env, "RISKPLAN_NO_CJK_FONT": flag}, timeout=240)
        assert proc.returncode == 0, proc.stderr
        lines[name] = [x for x in proc.stdout.splitlines() if x.strip().startswith("note: no Chinese (CJK) font")]
    assert len(lines["off"]) == 1 and "fonts-noto-cjk" in lines["off"][0]
    assert lines["on"] == []
