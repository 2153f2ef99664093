"""Monitor a province: every district's results against its plan, one Dask task per district.

``riskplan monitor --plan OUT --out MON`` with ``OUT`` a province's output folder (what
``riskplan plan --data PROVINCE --out OUT`` wrote) monitors each district plan folder
``OUT/<district>/`` into ``MON/<district>/`` (the monitoring folder of ``riskplan monitor``,
written atomically) and writes the provincial summary ``MON/province/``. Each district's results
are its dataset's own ``results`` table (the folder its plan refers to, or ``--data DIR/<district>``),
or, with ``--results DIR``, the file ``DIR/<district>.csv`` (or ``.xlsx``). A district whose
results are refused fails alone with its problems; the others complete.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from distributed import Client, as_completed
from tqdm import tqdm

from riskplan.datasets import read_dataset
from riskplan.errors import RiskplanError, ValidationError
from riskplan.export.manifest import MANIFEST_NAME
from riskplan.export.ownership import manifest_kind
from riskplan.monitoring import load_plan, monitor, read_results, write_outputs
from riskplan.monitoring.planio import dataset_for_plan
from riskplan.monitoring.report import MonitorResult
from riskplan.province.cluster import client_for
from riskplan.province.figures import flatten
from riskplan.province.folders import SUMMARY, out_refusal, sweep
from riskplan.province.summary import write_summary
from riskplan.province.task import DistrictOutcome, outline_of, where_run
from riskplan.settings.province import ProvinceRules
from riskplan.tables import DateLike

__all__ = ["MonitorTask", "ProvinceMonitorResult", "monitor_district", "monitor_figures",
           "monitor_province", "plan_folders"]

RESULT_SUFFIXES = (".csv", ".xlsx")
"""File kinds looked for in ``--results DIR`` for each district."""

README = """riskplan province monitoring summary / 全省（市）监测汇总

districts.csv          各区县一行：完成进度、应完成、缺口、结果行数、核查处置、预警 /
                       one row per district: done, annual, completion, due, gap, results,
                       follow-up, alerts
tasks.csv              各区县耗时、计算节点、内存峰值 / seconds, worker, peak memory per district
problems.csv           被拒绝区县的问题清单 / problems of the refused districts
problems/<区县>.csv     同上，每区县一个文件 / the same, one file per district
report.md              汇总说明 / summary in words
manifest.json          输入、各区县结果、输出哈希 / inputs, districts' outcomes, outputs
Each district's monitoring folder is ../<district>/ (riskplan monitor's folder).
"""


@dataclasses.dataclass(frozen=True)
class MonitorTask:
    """What a worker needs to monitor one district.

    Attributes
    ----------
    name
        The district.
    plan
        Its plan folder.
    out
        Its monitoring folder.
    data
        Its dataset folder, or None for the one its plan refers to.
    results
        Its results file, or None for its dataset's own ``results`` table.
    as_of
        The assessment date (``YYYY-MM-DD``) or None (the dataset's reference date).
    do_replan, charts
        As ``riskplan monitor``'s ``--no-replan`` and ``--no-charts`` say (negated).
    """

    name: str
    plan: str
    out: str
    data: str | None = None
    results: str | None = None
    as_of: str | None = None
    do_replan: bool = True
    charts: bool = True


def monitor_figures(res: MonitorResult) -> dict[str, Any]:
    """A district's row of the monitoring summary: progress, results, follow-up, alerts.

    Every column of the one-row district progress and follow-up tables is taken as it is (new
    columns there reach the summary unchanged).
    """
    row: dict[str, Any] = {}
    if len(res.behind_district):
        row.update(flatten(res.behind_district.iloc[0].to_dict()))
    row["results"] = int(len(res.ingest.results))
    row["unmatched"] = int(len(res.ingest.unmatched))
    if len(res.followup.summary):
        row.update(flatten(res.followup.summary.iloc[0].to_dict(), "followup."))
    row["alerts"] = int(len(res.alerts))
    row["remaining"] = int(res.replan.remaining) if res.replan is not None else None
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}


def monitor_district(task: MonitorTask) -> DistrictOutcome:
    """Monitor one district and write ``task.out`` (a worker task; see :func:`monitor_province`)."""
    t0 = time.perf_counter()
    dataset = None
    try:
        plan = load_plan(task.plan)
        dataset = read_dataset(Path(task.data)) if task.data else dataset_for_plan(plan)
        if task.results:
            results, file = read_results(task.results), Path(task.results).name
        else:
            results, file = dataset.results, "results (dataset)"
        res = monitor(plan, results, dataset, as_of=pd.Timestamp(task.as_of) if task.as_of else None,
                      file=file, do_replan=task.do_replan)
        write_outputs(res, Path(task.out), charts=task.charts)
    except (ValidationError, RiskplanError) as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else pd.DataFrame([{
            "file": "", "row": "", "column": "", "value": "", "message_en": str(exc), "message_zh": "",
            "level": "error"}])
        worker, peak = where_run()
        return DistrictOutcome(task.name, "failed", message=str(exc).splitlines()[0], problems=problems,
                               seconds=time.perf_counter() - t0, worker=worker, peak_rss_mb=peak)
    worker, peak = where_run()
    return DistrictOutcome(
        task.name, "monitored", figures=monitor_figures(res), dataset_name=str(dataset.name),
        district_code=str(dataset.district_code), population=int(dataset.residents),
        outline=outline_of(dataset, Path(task.plan)), seconds=time.perf_counter() - t0, worker=worker,
        peak_rss_mb=peak)


def plan_folders(folder: Path) -> dict[str, Path]:
    """The district plan folders of a province's output folder, by district name."""
    out = {}
    for sub in sorted(folder.iterdir()) if folder.is_dir() else []:
        man = sub / MANIFEST_NAME
        if sub.name == SUMMARY or sub.name.startswith(".") or not man.is_file():
            continue
        try:
            kind = manifest_kind(json.loads(man.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
        if kind == "plan":
            out[sub.name] = sub
    return out


def _results_file(folder: Path, name: str) -> str:
    for suffix in RESULT_SUFFIXES:
        if (folder / f"{name}{suffix}").is_file():
            return str(folder / f"{name}{suffix}")
    raise RiskplanError(f"no results file for district {name} in {folder} (expected {name}.csv or "
                        f"{name}.xlsx) / 缺少该区县的结果文件")


@dataclasses.dataclass
class ProvinceMonitorResult:
    """What a province's monitoring did: one outcome per district and the summary table."""

    out: Path
    outcomes: list[DistrictOutcome]
    table: pd.DataFrame
    seconds: float

    @property
    def failed(self) -> list[str]:
        """Names of the districts whose monitoring failed."""
        return [o.name for o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        """The run in a few lines (what ``riskplan monitor --plan PROVINCE`` prints)."""
        ok = [o for o in self.outcomes if o.status != "failed"]
        done = sum(int(o.figures.get("done") or 0) for o in ok)
        annual = sum(int(o.figures.get("annual") or 0) for o in ok)
        lines = [f"riskplan monitor: province of {len(self.outcomes)} districts 区县 ({len(ok)} monitored, "
                 f"{len(self.failed)} failed 失败)",
                 f"  completion 完成: {done}/{annual} samples, alerts 预警: "
                 f"{sum(int(o.figures.get('alerts') or 0) for o in ok)}"]
        lines += [f"  FAILED 失败 {o.name}: {o.message}" for o in self.outcomes if o.status == "failed"]
        lines += [f"  files 输出: {self.out} (summary: {self.out / SUMMARY / 'districts.csv'})",
                  f"  time: {self.seconds:.1f} s"]
        return "\n".join(lines)


def monitor_province(
    plan: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    results: str | os.PathLike[str] | None = None,
    data: str | os.PathLike[str] | None = None,
    as_of: DateLike | None = None,
    do_replan: bool = True,
    charts: bool = True,
    rules: ProvinceRules | None = None,
    client: Client | None = None,
    progress: bool = False,
    command: Sequence[str] = (),
) -> ProvinceMonitorResult:
    """Monitor every district of a province's plan on a Dask cluster (see the module docstring).

    ``client`` runs the tasks on an existing :class:`distributed.Client` (else a cluster is
    opened from ``rules``, as :func:`riskplan.province.plan_province` does).

    Raises
    ------
    RiskplanError
        Before any work: no district plan folder in ``plan``, a results or data folder that does
        not exist, an ``out`` holding something that is not riskplan's.
    """
    t0 = time.perf_counter()
    rules = rules or ProvinceRules()
    plans = plan_folders(Path(plan))
    if not plans:
        raise RiskplanError(f"{plan} holds no district plan folder (riskplan plan --data PROVINCE --out "
                            f"{plan}) / 不含区县计划文件夹")
    for given, what in ((results, "results"), (data, "data")):
        if given is not None and not Path(given).is_dir():
            raise RiskplanError(f"--{what} {given}: not a folder (one {what} per district, named after "
                                "its folder) / 不是文件夹")
    target = Path(out).absolute()
    refusal = out_refusal(target, plans, "monitor", "province_monitor")
    if refusal is not None:
        raise RiskplanError(refusal)
    outcomes: dict[str, DistrictOutcome] = {}
    tasks = []
    for name, folder in plans.items():
        try:
            res_file = _results_file(Path(results), name) if results is not None else None
        except RiskplanError as exc:
            outcomes[name] = DistrictOutcome(name, "failed", message=str(exc))
            continue
        tasks.append(MonitorTask(name, str(folder.absolute()), str(target / name),
                                 str(Path(data).absolute() / name) if data is not None else None, res_file,
                                 str(pd.Timestamp(as_of).date()) if as_of is not None else None,
                                 do_replan, charts))
    target.mkdir(parents=True, exist_ok=True)
    sweep(target)
    bar = tqdm(total=len(plans), initial=len(outcomes), desc="districts 区县", unit="district",
               disable=not progress, file=sys.stderr)
    try:
        with client_for(client, rules, max(len(tasks), 1)) as cl:
            futures = {cl.submit(monitor_district, t, key=f"riskplan-monitor-{t.name}-{time.time_ns()}",
                                 pure=False, retries=rules.retries): t.name for t in tasks}
            try:
                for fut in as_completed(list(futures)):
                    try:
                        outcomes[futures[fut]] = fut.result()
                    except Exception as exc:  # noqa: BLE001 - retries spent: this district fails alone
                        outcomes[futures[fut]] = DistrictOutcome(futures[fut], "failed",
                                                                 message=f"{type(exc).__name__}: {exc}")
                    bar.update()
            except BaseException:
                cl.cancel(list(futures))
                raise
    finally:
        bar.close()
        sweep(target)
    ordered = [outcomes[n] for n in plans]
    rows = [{"district": o.name, "status": o.status, "name": o.dataset_name,
             "district_code": o.district_code, "population": o.population, **o.figures, "message": o.message}
            for o in ordered]
    table = pd.DataFrame(rows)
    when = str(pd.Timestamp(as_of).date()) if as_of is not None else "each dataset's reference date"
    write_summary(target, ordered, config_toml="", config_inputs={}, folders=plans, months=when,
                  command=command, extra={}, lang="en", kind="province_monitor", readme=README, table=table)
    return ProvinceMonitorResult(target, ordered, table, time.perf_counter() - t0)
