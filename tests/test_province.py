"""Many districts on a real Dask LocalCluster (two worker processes): issue 16.

One small province is planned once (module fixture): Yunling (the second test district, with its
own config.toml merged over a provincial one), a tiny synthetic district and a copy of another
with broken data; one worker is killed (SIGKILL) while it writes a district's folder. The tests
then check what must hold: the broken district fails alone with its problem table, the killed
task was retried and nothing half-written is left, a district's folder is byte for byte what
planning it alone gives, a rerun resumes, province priors reach the plan, monitoring takes the
same shape.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import distributed
import pandas as pd
import pytest

from riskplan.cli import main
from riskplan.export.csvfile import read_csv
from riskplan.export.manifest import sha256_file
from riskplan.synthetic import build_district, write_district
from riskplan.synthetic.ouhai import read_reference
from riskplan.synthetic.province import district_metadata, province_specs

ROOT = Path(__file__).resolve().parent.parent
DISTRICTS = ROOT / "tests" / "districts"
PROVINCIAL = """seed = 2026
[routing]
solution_limit = 40
[export]
maps = false
xlsx = false
"""


def _tiny_districts(folder: Path, n: int, seed: int) -> list[str]:
    ref = read_reference(ROOT / "data" / "reference")
    names = []
    for d in province_specs(n, seed, ref.food_categories, ref.business_types, population=(70_000, 90_000)):
        built = build_district(d.spec)
        write_district(built, district_metadata(built, d.character), folder / d.folder)
        names.append(d.folder)
    return names


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """The data: yunling (own config), d001 (synthetic), broken (d002 with a bad township code)."""
    base = tmp_path_factory.mktemp("province")
    data = base / "data"
    _tiny_districts(data, 2, seed=16)
    shutil.copytree(DISTRICTS / "yunling", data / "yunling")
    shutil.copy(DISTRICTS / "yunling_config.toml", data / "yunling" / "config.toml")
    (data / "d002").rename(data / "broken")
    est = data / "broken" / "establishments.csv"
    lines = est.read_text(encoding="utf-8").split("\n")
    head = lines[0].split(",")
    row = lines[3].split(",")
    row[head.index("township_code")] = "390199999"  # no such township
    lines[3] = ",".join(row)
    est.write_text("\n".join(lines), encoding="utf-8")
    config = base / "province.toml"
    config.write_text(PROVINCIAL, encoding="utf-8")
    return data, config


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as lc, distributed.Client(lc) as client:
        yield client


def _kill_while_writing(client, out: Path, run) -> tuple[str, int] | None:
    """Run ``run()`` in a thread; SIGKILL the worker writing the first district folder seen staged."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.update(result=run()))
    thread.start()
    pids = client.run(os.getpid)
    killed = None
    while thread.is_alive():
        staged = [p for p in out.glob(".*.tmp-*") if not p.name.startswith(".province.")] if out.is_dir() else []
        if staged and killed is None:
            name = staged[0].name[1:].split(".tmp-")[0]
            for addr, keys in client.processing().items():
                if any(f"riskplan-plan-{name}-" in str(k) for k in keys) and addr in pids:
                    os.kill(pids[addr], signal.SIGKILL)
                    killed = (name, pids[addr])
                    break
        time.sleep(0.01)
    thread.join()
    return killed, box["result"]


@pytest.fixture(scope="module")
def planned(province, cluster, tmp_path_factory):
    from riskplan.province import plan_province

    data, config = province
    out = tmp_path_factory.mktemp("out") / "plan"
    killed, result = _kill_while_writing(cluster, out, lambda: plan_province(
        data, out, config=config, months="2026-07", client=cluster, command=["plan", "--test"]))
    return out, result, killed


def test_every_district_is_planned_but_the_broken_one(planned):
    out, result, _ = planned
    assert [o.name for o in result.outcomes] == ["broken", "d001", "yunling"]
    assert result.failed == ["broken"]
    assert {o.name: o.status for o in result.outcomes} == {"broken": "failed", "d001": "planned",
                                                           "yunling": "planned"}
    assert not (out / "broken").exists()
    for name in ("d001", "yunling"):
        assert (out / name / "manifest.json").is_file()
    table = read_csv(out / "province" / "districts.csv")
    assert list(table["district"]) == ["broken", "d001", "yunling"]
    assert list(table["status"]) == ["failed", "planned", "planned"]
    assert "township_code" in str(table.loc[0, "message"]) or "problem" in str(table.loc[0, "message"])
    problems = read_csv(out / "province" / "problems" / "broken.csv")
    hit = problems[(problems["file"] == "establishments.csv") & (problems["column"] == "township_code")]
    assert len(hit) >= 1 and hit["row"].iloc[0] == "3"
    assert "broken" in result.summary() and "FAILED" in result.summary()


def test_summary_holds_the_figures_of_each_plan_folder(planned):
    out, result, _ = planned
    from riskplan.export.plan_folder import read_plan

    row = result.table.set_index("district").loc["yunling"]
    plan = read_plan(out / "yunling")
    k = plan.manifest["key_numbers"]
    assert row["quota"] == k["quota"] and row["allocated"] == k["allocated"] == int(plan.allocation["samples"].sum())
    assert row["field_days"] == len(plan.routes)
    assert row["cost_yuan"] == pytest.approx(float(plan.allocation["cost_yuan"].sum()))
    unrouted = set(plan.unassigned["visit_id"])
    assert row["delivered"] == int(plan.visits.loc[~plan.visits["visit_id"].isin(unrouted), "samples"].sum())
    assert row["population"] == 180_437
    for what in ("townships", "business_types", "categories"):  # coverage: covered of present
        assert row[f"{what}_covered"] == k[f"{what}_covered"] and 0 < row[f"{what}_covered"] <= row[what]
    assert row["samples_per_1000"] == pytest.approx(1000 * k["allocated"] / 180_437, abs=1e-3)
    for key in k:  # every key figure is a column (new ones too); an empty breakdown has none
        if k[key] == {}:
            continue
        assert key in result.table.columns or any(c.startswith(key + ".") for c in result.table.columns)
    assert (out / "province" / "samples_per_1000.png").stat().st_size > 10_000
    man = __import__("json").loads((out / "province" / "manifest.json").read_text(encoding="utf-8"))
    assert man["kind"] == "province" and man["districts"]["broken"]["status"] == "failed"
    assert man["districts"]["yunling"]["inputs_sha256"]["config.toml"] == sha256_file(
        DISTRICTS / "yunling_config.toml")
    for table in (DISTRICTS / "yunling").glob("*.csv"):  # every input file of every district
        assert man["districts"]["yunling"]["inputs_sha256"][table.name] == sha256_file(table), table.name
    assert set(man["outputs_sha256"]) >= {"districts.csv", "tasks.csv", "problems.csv", "report.md",
                                          "samples_per_1000.png", "config.toml", "problems/broken.csv"}


def test_a_killed_worker_loses_nothing(planned):
    out, result, killed = planned
    assert killed is not None, "no district was seen mid-write: the kill did not happen"
    name, pid = killed
    outcome = next(o for o in result.outcomes if o.name == name)
    assert outcome.status == "planned"
    assert not outcome.worker.endswith(f":{pid}")  # retried on a live worker
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # the parent swept
    assert any(s.startswith(f"removed .{name}.tmp-") for s in result.swept), result.swept  # the dead one's
    man = __import__("json").loads((out / name / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(out / name).as_posix() for p in (out / name).rglob("*") if p.is_file()}
    assert files == set(man["outputs_sha256"]) | {"manifest.json"}


def test_district_config_is_merged_over_the_province(planned):
    out, _, _ = planned
    from riskplan.config import load_config

    own = load_config(out / "yunling" / "config.toml")
    alone = load_config(DISTRICTS / "yunling_config.toml")
    assert own.routing.solution_limit == 40  # from the province
    assert own.allocation.key_products == alone.allocation.key_products  # Yunling's own codes
    assert own.seed == alone.seed  # the district's own seed wins over the province's
    assert load_config(out / "d001" / "config.toml").export.maps is False


def test_a_district_folder_is_what_planning_it_alone_gives(planned, province, tmp_path, capsys):
    out, _, _ = planned
    data, _ = province
    alone = tmp_path / "alone"
    assert main(["plan", "--data", str(data / "yunling"), "--config", str(out / "yunling" / "config.toml"),
                 "--month", "2026-07", "--out", str(alone)]) == 0
    ours = {p.relative_to(out / "yunling").as_posix() for p in (out / "yunling").rglob("*") if p.is_file()}
    theirs = {p.relative_to(alone).as_posix() for p in alone.rglob("*") if p.is_file()}
    assert ours == theirs
    for rel in sorted(ours - {"manifest.json"}):
        assert (out / "yunling" / rel).read_bytes() == (alone / rel).read_bytes(), rel


def test_a_rerun_resumes_and_province_priors_reach_the_plan(planned, province, cluster, capsys):
    from riskplan.province import ProvinceRules, plan_province

    out, _, _ = planned
    data, config = province
    before = {n: (out / n / "manifest.json").read_bytes() for n in ("d001", "yunling")}
    # an existing cluster by address, as `--scheduler tcp://host:port` does; a progress bar counts districts
    again = plan_province(data, out, config=config, months="2026-07", progress=True,
                          rules=ProvinceRules(scheduler=cluster.scheduler.address))
    assert {o.name: o.status for o in again.outcomes} == {"broken": "failed", "d001": "unchanged",
                                                          "yunling": "unchanged"}
    assert {n: (out / n / "manifest.json").read_bytes() for n in before} == before
    assert list(again.table["quota"].iloc[1:]) == list(planned[1].table["quota"].iloc[1:])
    bar = capsys.readouterr().err
    assert "districts 区县" in bar and "3/3" in bar
    # from the command line: a folder missing a file is planned again (to the same bytes), the rest kept
    (out / "d001" / "routes.csv").unlink()
    assert main(["plan", "--data", str(data), "--config", str(config), "--month", "2026-07", "--scheduler",
                 cluster.scheduler.address, "--out", str(out)]) == 1  # 1: a district failed
    printed = capsys.readouterr().out
    assert "1 planned" in printed and "1 unchanged" in printed and "FAILED 失败 broken" in printed
    table = read_csv(out / "province" / "districts.csv")
    assert dict(zip(table["district"], table["status"])) == {"broken": "failed", "d001": "planned",
                                                             "yunling": "unchanged"}
    outputs = __import__("json").loads(before["d001"])["outputs_sha256"]
    assert __import__("json").loads((out / "d001" / "manifest.json").read_text())["outputs_sha256"] == outputs

    withp = plan_province(data, out, config=config, months="2026-07", client=cluster,
                          rules=ProvinceRules(province_priors=True))
    assert {o.name: o.status for o in withp.outcomes}["yunling"] == "planned"
    priors = pd.read_csv(out / "category_priors.csv", dtype={"category_code": str})
    assert list(priors.columns) == ["category_code", "prior_mean", "prior_size", "districts", "samples",
                                    "failures"]
    assert ((priors["prior_mean"] > 0) & (priors["prior_mean"] < 1)).all()
    assert set(priors["districts"]) <= {1, 2}  # yunling and d001 (the broken one adds nothing)
    from riskplan.config import load_config

    assert load_config(out / "yunling" / "config.toml").risk.category_priors == str(out / "category_priors.csv")
    man = __import__("json").loads((out / "yunling" / "manifest.json").read_text(encoding="utf-8"))
    assert man["inputs_sha256"][f"risk.category_priors:{out / 'category_priors.csv'}"] == sha256_file(
        out / "category_priors.csv")
    summary = __import__("json").loads((out / "province" / "manifest.json").read_text(encoding="utf-8"))
    assert summary["province_priors"]["districts"] == 2


def test_monitoring_takes_the_same_shape(planned, province, cluster, tmp_path):
    from riskplan.province import ProvinceRules, monitor_province

    out, _, _ = planned
    mon = tmp_path / "mon"
    # a scheduler file as `dask scheduler --scheduler-file PATH` writes it (the address is what a client
    # reads); Client.write_scheduler_file itself fails once workers report metrics keyed by tuples
    info = {"type": "Scheduler", "address": cluster.scheduler.address}
    (tmp_path / "scheduler.json").write_text(json.dumps(info), encoding="utf-8")
    res = monitor_province(out, mon, rules=ProvinceRules(scheduler_file=str(tmp_path / "scheduler.json")),
                           do_replan=False, charts=False)
    assert {o.name: o.status for o in res.outcomes} == {"d001": "monitored", "yunling": "monitored"}
    table = read_csv(mon / "province" / "districts.csv").set_index("district")
    yl_results = len(pd.read_csv(province[0] / "yunling" / "results.csv"))
    assert int(table.loc["yunling", "results"]) == yl_results
    assert (mon / "yunling" / "manifest.json").is_file()
    # --results DIR: one file per district named after its folder; a missing one fails alone
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(province[0] / "yunling" / "results.csv", results / "yunling.csv")
    res2 = monitor_province(out, tmp_path / "mon2", results=results, client=cluster, do_replan=False,
                            charts=False)
    assert res2.failed == ["d001"] and "d001.csv" in res2.outcomes[0].message


def test_refusals_before_any_work(province, tmp_path, capsys):
    data, config = province
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["plan", "--data", str(data), "--out", str(out)]) == 2
    assert "notes.txt" in capsys.readouterr().err and (out / "notes.txt").read_text() == "mine"
    assert main(["plan", "--data", str(data / "yunling"), "--workers", "2", "--out", str(tmp_path / "x")]) == 2
    assert "--workers: only for several districts" in capsys.readouterr().err
    twin = tmp_path / "twin"
    shutil.copytree(data / "d001", twin / "d001")
    assert main(["plan", "--data", str(data), str(twin), "--out", str(tmp_path / "y")]) == 2
    assert "two districts named 'd001'" in capsys.readouterr().err
    assert main(["validate", str(data / "d001")]) == 0  # the synthetic districts are valid input
    bad = tmp_path / "bad.toml"
    bad.write_text("[routing]\nsolution_limt = 3\n", encoding="utf-8")
    assert main(["plan", "--data", str(data), "--config", str(bad), "--out", str(tmp_path / "z")]) == 2
    assert "routing.solution_limt" in capsys.readouterr().err
    assert not (tmp_path / "z").exists()


def test_merge_config_key_by_key():
    from riskplan.province.sources import merge_config

    province = {"seed": 1, "routing": {"solution_limit": 40, "speeds": {"urban": 20.0, "rural": 40.0}},
                "export": {"maps": False}}
    district = {"routing": {"speeds": {"urban": 25.0}}, "quota": {"programmes": ["a"]}}
    merged = merge_config(province, district)
    assert merged == {"seed": 1, "routing": {"solution_limit": 40, "speeds": {"urban": 25.0}},
                      "export": {"maps": False}, "quota": {"programmes": ["a"]}}
    assert province["routing"]["speeds"] == {"urban": 20.0, "rural": 40.0}  # not changed in place


def test_synthetic_province_varies_in_size_and_shape():
    import shapely

    ref = read_reference(ROOT / "data" / "reference")
    specs = province_specs(12, 3, ref.food_categories, ref.business_types)
    pops = [d.spec.population for d in specs]
    assert all(100_000 <= p <= 2_000_000 for p in pops) and max(pops) > 4 * min(pops)
    assert len({d.character for d in specs}) >= 2
    assert len({d.spec.code for d in specs}) == 12 and all(d.spec.code.startswith("39") for d in specs)
    union = shapely.union_all([d.spec.outline for d in specs])
    assert sum(d.spec.outline.area for d in specs) == pytest.approx(union.area, rel=1e-6)  # no overlaps
    mountain = [d for d in specs if d.character == "mountainous"]
    for d in mountain:
        assert (d.spec.townships["area_type"] == "mountain").sum() >= 1 or len(d.spec.townships) < 5


def test_ctrl_c_leaves_completed_districts_complete(province, tmp_path):
    """A real SIGINT to the whole command (and its local cluster) once a district is done."""
    data, config = province
    small = tmp_path / "data"
    for name in ("d001", "yunling"):
        shutil.copytree(data / name, small / name)
    out = tmp_path / "out"
    env = {**os.environ, "TQDM_DISABLE": "1", "MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-m", "riskplan", "plan", "--data", str(small), "--config", str(config), "--month",
           "2026-07", "--workers", "1", "--out", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None and not list(out.glob("*/manifest.json")):
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    done = list(out.glob("*/manifest.json"))[0].parent.name
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    assert "interrupted" in err.decode()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert not (out / "province").exists()
    for folder in [p for p in out.iterdir() if p.is_dir()]:  # the one done, maybe the other: whole
        man = __import__("json").loads((folder / "manifest.json").read_text(encoding="utf-8"))
        files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        assert files == set(man["outputs_sha256"]) | {"manifest.json"}
    assert (out / done / "manifest.json").is_file()


def test_a_wrong_code_in_a_districts_configuration_fails_that_district(tmp_path):
    """Checked on the worker against the district's own data: every wrong code is a problem row."""
    from riskplan.config import load_config
    from riskplan.province.task import DistrictTask, plan_district

    cfg = load_config(DISTRICTS / "yunling_config.toml").to_dict()
    cfg["allocation"]["key_categories"] = ["F99"]  # Yunling has F01-F12
    outcome = plan_district(DistrictTask("yunling", str(DISTRICTS / "yunling"), str(tmp_path / "yunling"), cfg))
    assert outcome.status == "failed" and outcome.problems is not None
    row = outcome.problems.iloc[0]
    assert (row["column"], row["value"], row["file"]) == ("allocation.key_categories[0]", "F99", "config.toml")
    assert not (tmp_path / "yunling").exists()
