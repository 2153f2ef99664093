"""The provincial summary folder ``OUT/province/``: one row per district, a map, a manifest.

Written as a whole (:func:`riskplan.export.atomic.staged_folder`, kind ``province``), after every
district's task has ended::

    README.txt              what each file is
    districts.csv           one row per district: status, population, samples per 1,000
                            residents, quota, allocated, delivered, cost, coverage, field days,
                            and every other headline figure of its plan (key_numbers)
    tasks.csv               one row per district: seconds, worker, peak memory, seconds per stage
    problems.csv            the problems of every failed district (column district first)
    problems/<district>.csv the same, one file per failed district
    samples_per_1000.png    the provincial map
    report.md               the figures in words, the failed districts and why
    config.toml             the provincial configuration (each district's own: OUT/<d>/config.toml)
    manifest.json           kind "province": every input (each district's files' SHA-256, the
                            configuration), the districts' outcomes, every output's SHA-256
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd

from riskplan._problems import PROBLEM_COLUMNS
from riskplan._version import __version__
from riskplan.export import csvfile
from riskplan.export.atomic import staged_folder, write_bytes, write_text
from riskplan.export.headers import Lang
from riskplan.export.manifest import hash_folder, hash_inputs, sha256_file, write_manifest
from riskplan.export.map_drawing import figure_png
from riskplan.export.ownership import FolderKind
from riskplan.plotting.province import plot_samples_per_1000
from riskplan.province.figures import ADDED
from riskplan.province.folders import SUMMARY
from riskplan.province.task import DistrictOutcome

__all__ = ["FRONT", "districts_table", "problem_tables", "tasks_table", "write_summary"]

FRONT: tuple[str, ...] = (
    "district", "status", "name", "district_code", "population", "samples_per_1000", "quota",
    "allocated", "delivered", "cost_yuan", "townships_covered", "townships", "business_types_covered",
    "business_types", "categories_covered", "categories", "field_days", "field_dates", "months",
)
"""The first columns of ``districts.csv``; every other figure follows in the order it comes."""

REPORT_COLUMNS: tuple[str, ...] = ("population", "samples_per_1000", "quota", "allocated", "delivered",
                                   "cost_yuan", "field_days")
"""Columns of the report's table (and totals)."""

README = """riskplan province summary / 全省（市）抽检计划汇总

districts.csv          各区县一行：状态、人口、每千人批次、任务量、分配、可送检、费用、覆盖、外勤组日 /
                       one row per district: status, population, samples per 1,000 residents,
                       quota, allocated, delivered, cost, coverage, field days, every key figure
tasks.csv              各区县耗时、计算节点、内存峰值 / seconds, worker, peak memory per district
problems.csv           失败区县的问题清单 / problems of the failed districts
problems/<区县>.csv     同上，每个失败区县一个文件 / the same, one file per failed district
samples_per_1000.png   全省每千人抽检批次地图 / provincial map of samples per 1,000 residents
report.md              汇总说明 / summary in words
config.toml            全省配置 / the provincial configuration (each district: ../<district>/config.toml)
manifest.json          输入哈希、各区县结果、输出哈希 / inputs, districts' outcomes, outputs

status: planned 已编制 / unchanged 未变（沿用上次完整结果）/ failed 失败（见 problems）
Each district's own plan folder is ../<district>/ (riskplan plan's folder, written atomically).
"""


def districts_table(outcomes: Sequence[DistrictOutcome]) -> pd.DataFrame:
    """``districts.csv``: one row per district, :data:`FRONT` first, then every other figure."""
    rows = []
    for o in outcomes:
        row: dict[str, Any] = {"district": o.name, "status": o.status, "name": o.dataset_name,
                               "district_code": o.district_code, "population": o.population}
        row.update(o.figures)
        if o.population and "allocated" in o.figures:
            row["samples_per_1000"] = round(1000.0 * float(o.figures["allocated"]) / o.population, 3)
        row["message"] = o.message
        rows.append(row)
    df = pd.DataFrame(rows)
    front = [c for c in FRONT if c in df.columns]
    rest = [c for c in df.columns if c not in front and c != "message"]
    df = df[front + rest + ["message"]] if len(df) else pd.DataFrame(columns=[*FRONT, "message"])
    planned = df["status"] != "failed"
    for col in [c for c in df.columns if "." in c]:  # a reason a district does not have: none of it
        df.loc[planned, col] = df.loc[planned, col].fillna(0)
    for col in df.columns:  # counts stay integers where a failed district left a gap
        if col not in FRONT[:4] and col != "message" and pd.api.types.is_float_dtype(df[col]):
            vals = df[col].dropna()
            if len(vals) and (vals == vals.round()).all() and col not in ("samples_per_1000", "cost_yuan"):
                df[col] = df[col].astype("Int64")
    return df


def tasks_table(outcomes: Sequence[DistrictOutcome]) -> pd.DataFrame:
    """``tasks.csv``: where and how long each district ran, and its seconds per stage [s]."""
    rows = []
    for o in outcomes:
        row: dict[str, Any] = {"district": o.name, "status": o.status, "seconds": round(o.seconds, 2),
                               "cpu_seconds": round(o.cpu_seconds, 2), "worker": o.worker,
                               "peak_rss_mb": o.peak_rss_mb}
        row.update({f"seconds_{k}": round(v, 3) for k, v in o.timings.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def problem_tables(outcomes: Sequence[DistrictOutcome]) -> dict[str, pd.DataFrame]:
    """The problem table of each failed district (a one-row table when it has only a message)."""
    out = {}
    for o in outcomes:
        if o.status == "failed":
            p = o.problems if o.problems is not None else pd.DataFrame(
                [{"file": "", "row": "", "column": "", "value": "", "message_en": o.message,
                  "message_zh": "", "level": "error"}])
            p = p.reindex(columns=list(PROBLEM_COLUMNS)).astype(object).where(p.notna(), "")
            out[o.name] = p.assign(row=p["row"].map(lambda r: "" if r in (None, "") else str(r)))
    return out


def _map(outcomes: Sequence[DistrictOutcome], table: pd.DataFrame, dpi: int) -> bytes | None:
    shapes = [(o.name, o.outline) for o in outcomes if o.outline is not None]
    if not shapes:
        return None
    gdf = gpd.GeoDataFrame({"district": [n for n, _ in shapes]}, geometry=[g for _, g in shapes],
                           crs="EPSG:4326")
    gdf = gdf.merge(table[["district", "status", *(["samples_per_1000"] if "samples_per_1000" in table
                                                   else [])]], on="district", how="left")
    fig, ax = plt.subplots(figsize=(9, 7))
    plot_samples_per_1000(gdf, ax=ax, labels=len(gdf) <= 120)
    fig.tight_layout()
    return figure_png(fig, dpi)


def _report(table: pd.DataFrame, outcomes: Sequence[DistrictOutcome], has_map: bool, months: str,
            title: str, columns: Sequence[str]) -> str:
    ok = table[table["status"] != "failed"]
    failed = [o for o in outcomes if o.status == "failed"]

    def total(col: str) -> str:
        return f"{pd.to_numeric(ok[col], errors='coerce').sum():,.0f}" if col in ok else "-"

    counts = ", ".join(f"{(table['status'] == s).sum()} {s}" for s in dict.fromkeys(table["status"]))
    lines = [f"# {title}", "", f"- districts 区县: {len(table)} ({counts})", f"- {months}"]  # "months: ..."
    lines += [f"- {c}: {total(c)}" for c in columns if c in ok and c not in ("district", "status")]
    lines.append("")
    if failed:
        lines += ["## Failed districts / 失败的区县", ""]
        lines += [f"- **{o.name}**: {o.message.splitlines()[0] if o.message else 'failed'} "
                  f"(problems/{o.name}.csv)" for o in failed]
        lines.append("")
    if has_map:
        lines += ["![samples per 1,000 residents](samples_per_1000.png)", ""]
    cols = [c for c in ("district", "status", *columns) if c in table.columns]
    lines += ["## Districts / 各区县", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in table[cols].itertuples(index=False):
        lines.append("| " + " | ".join("" if pd.isna(v) else str(v) for v in rec) + " |")
    return "\n".join(lines) + "\n"


def write_summary(
    out: Path,
    outcomes: Sequence[DistrictOutcome],
    *,
    config_toml: str,
    config_inputs: Mapping[str, str],
    folders: Mapping[str, Path],
    months: str,
    command: Sequence[str],
    extra: Mapping[str, Any],
    lang: Lang = "zh",
    dpi: int = 110,
    kind: FolderKind = "province",
    readme: str = README,
    table: pd.DataFrame | None = None,
) -> Path:
    """Write ``out/province/`` (see the module docstring) and return its path.

    Parameters
    ----------
    out
        The province's output folder.
    outcomes
        Every district's outcome, in the order of the table.
    config_toml
        The provincial configuration as TOML.
    config_inputs
        Configuration files read (path -> SHA-256): the provincial one, each district's own.
    folders
        District name -> its dataset folder (their files are hashed into the manifest).
    months
        The months asked for (``--month``, ``all`` or the default), as text (for a monitoring
        summary: the assessment date).
    command
        The command line.
    extra
        More manifest entries (the cluster used, the province priors).
    lang
        Header language of the CSV files.
    dpi
        Resolution of the map [dots per inch].
    kind, readme, table
        For another summary of the same shape (a province's monitoring): the manifest's kind,
        the README text and the districts table (default :func:`districts_table`); no map is
        drawn unless the table has ``samples_per_1000``.
    """
    table = districts_table(outcomes) if table is None else table
    problems = problem_tables(outcomes)
    target = out / SUMMARY
    with staged_folder(target, kind) as tmp:
        write_text(tmp / "README.txt", readme)
        csvfile.write_csv(table, tmp / "districts.csv", lang, excel_ids=True)
        csvfile.write_csv(tasks_table(outcomes), tmp / "tasks.csv", lang, excel_ids=True)
        if problems:
            every = pd.concat([p.assign(district=name) for name, p in problems.items()], ignore_index=True)
            csvfile.write_csv(every[["district", *PROBLEM_COLUMNS]], tmp / "problems.csv", lang)
            for name, p in problems.items():
                csvfile.write_csv(p, tmp / "problems" / f"{name}.csv", lang)
        else:
            csvfile.write_csv(pd.DataFrame(columns=["district", *PROBLEM_COLUMNS]), tmp / "problems.csv", lang)
        png = _map(outcomes, table, dpi) if "samples_per_1000" in table.columns else None
        if png is not None:
            write_bytes(tmp / "samples_per_1000.png", png)
        if kind == "province":
            title, cols = "全省抽检计划汇总 / Provincial sampling plan summary", REPORT_COLUMNS
        else:
            title, cols = "全省监测汇总 / Provincial monitoring summary", tuple(table.columns[2:12])
        when = f"months 月份: {months}" if kind == "province" else f"as of 评估日期: {months}"
        report = _report(table, outcomes, png is not None, when, title, cols)
        if kind == "province":
            report += "\nAdded columns / 补充列: " + "; ".join(f"`{k}`: {v}" for k, v in ADDED.items()) + "\n"
        write_text(tmp / "report.md", report)
        if config_toml:
            write_text(tmp / "config.toml", config_toml)
        districts: dict[str, Any] = {}
        for o in outcomes:
            own_manifest = out / o.name / "manifest.json"
            districts[o.name] = {
                "folder": str(folders[o.name]), "status": o.status, "message": o.message,
                "inputs_sha256": hash_inputs(folders[o.name]) if folders[o.name].is_dir() else {},
                "manifest_sha256": sha256_file(own_manifest) if o.ok and own_manifest.is_file() else "",
            }
        manifest = {
            "riskplan_version": __version__, "kind": kind, "python_version": platform.python_version(),
            "run_time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "command": list(command), "months": months, "config_sha256": dict(config_inputs),
            "districts": districts, **dict(extra), "outputs_sha256": hash_folder(tmp),
        }
        write_manifest(tmp, manifest)
    return target
