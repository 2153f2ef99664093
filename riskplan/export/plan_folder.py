"""A plan folder: everything a run of ``riskplan plan`` produces, written atomically, read back.

Layout (all text files UTF-8; CSV with BOM, headers in the chosen language)::

    README.txt              what each file is
    config.toml             the configuration used (``riskplan plan --config`` reads it back)
    data_reference.toml     which dataset: name, folder, reference date, SHA-256 of every file
    manifest.json           inputs' hashes, configuration, seed, versions, run time, outputs' hashes
    risk_scores.csv         risk score of every stratum, every component
    allocation.csv          annual allocation per stratum
    schedule.csv            monthly schedule of the year
    visits.csv              the planned month(s)' selected visits
    stops.csv               every routed stop with the field-team columns
    routes.csv              one row per station, team and day
    lab_days.csv            samples reaching each lab on each day, beside its capacity
    unassigned.csv          visits that could not be routed, with the reason
    purchases.csv           purchase orders for online sellers
    shortfall.csv           strata whose monthly request selection could not meet in full
    moves.csv               samples the allocation moved: a stratum cannot supply them in the year
    placements.csv          samples the selection carried to a later month or substituted
    teams.csv               the officers drawn ("double random") per station, team and day
    detection.csv           what each stratum's samples can detect (surveillance sensitivity)
    teams/<station>-<team>/<date>.csv   one file per team and day
    teams/<station>-<team>.xlsx         one workbook per team, a sheet per day
    routes.geojson, stops.geojson       RFC 7946 (WGS-84 lon/lat)
    maps/<station>_<date>.png           route map per station and day
    maps/<YYYY-MM>.html                 interactive route map of the month (offline)
    report.md (or .html), report/*.png  summary report and its charts

Every selected visit is in exactly one of stops.csv, unassigned.csv and purchases.csv.
Every table's columns and their dtypes are declared once, in :mod:`riskplan.export.contract`:
:func:`write_plan` writes each table through :func:`~riskplan.export.contract.conform` and
:func:`read_plan` (:mod:`riskplan.export.plan_reader`, re-exported here) reads it back with the
same columns and dtypes, whatever language the headers were written in (for ``riskplan
monitor`` and auditors).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w
from tqdm import tqdm

from riskplan.dataset import Dataset
from riskplan.datasets import embedded_data_dir
from riskplan.export import contract, csvfile, field, geojson, html_map, manifest, report
from riskplan.export.atomic import staged_folder, write_bytes, write_text
from riskplan.export.headers import Lang
from riskplan.export.plan_maps import PlanMaps, route_ends
from riskplan.export.plan_reader import TABLE_FILES, PlanFolder, read_plan, read_table
from riskplan.risk.priors import category_priors_path
from riskplan.routing.travel import travel_matrix_path

__all__ = ["TABLE_FILES", "PlanFolder", "plan_inputs", "plan_tables", "read_plan", "read_table",
           "setting_files", "team_label", "write_plan"]

STOP_PROPERTIES = ("station_id", "team", "date", "stop_order", "visit_id", "establishment_id",
                   "establishment_name", "arrival", "categories_to_sample", "units",
                   "cold_chain", "lab_deadline")

README = """riskplan plan folder / 抽检计划文件夹

config.toml            配置 / the configuration used
data_reference.toml    数据来源与哈希 / which dataset (folder, reference date, file hashes)
manifest.json          输入哈希、配置、随机种子、版本、运行时间 / inputs, configuration, seed, versions
risk_scores.csv        各层风险评分 / risk score per stratum
allocation.csv         年度分配 / annual allocation per stratum
schedule.csv           月度安排 / monthly schedule
visits.csv             本期抽检任务 / visits selected for the planned month(s)
stops.csv              全部路线点位 / every routed stop
routes.csv             各组每日路线 / one row per station, team and day
lab_days.csv           检验机构每日收样量 / samples per lab and day, beside its capacity
unassigned.csv         未排入路线的任务及原因 / visits not routed, with the reason
purchases.csv          网络购样订单 / purchase orders for online sellers
shortfall.csv          全年无法落实的样品及原因 / samples no establishment can take in the plan year
moves.csv              分配调剂 (层内主体全年可抽能力不足) / allocation moves: a stratum cannot supply them
placements.csv         顺延或替代抽样 / samples carried to a later month or substituted
teams.csv              双随机抽取的执法人员 / officers drawn per station, team and day
detection.csv          各层监测灵敏度与预期检出 / what each stratum's samples can detect
teams/                 各组每日任务单 (CSV) 与工作簿 (XLSX) / per team and day (CSV), per team (XLSX)
routes.geojson         路线 (WGS-84) / routes, RFC 7946
stops.geojson          点位 (WGS-84) / stops, RFC 7946
maps/                  各所站每日路线图 (PNG) 与每月交互地图 (HTML，离线可用)
                       / route map per station and day (PNG), interactive map per month (HTML, offline)
report.*, report/      汇总报告 / summary report

Every selected visit is in exactly one of stops.csv, unassigned.csv, purchases.csv.
CSV: UTF-8 with BOM; number-like IDs are written ="..." so Excel keeps them as text;
text beginning with = + - @ tab or CR is prefixed with ' (formula-injection guard).
"""


HIGHER_LEVEL_README = """higher_level.csv       上级任务样品及计入方式 / higher-level samples: quota or coverage
"""


def team_label(station_id: Any, team: Any) -> str:
    """``<station>-T<team>`` for numeric teams, ``<station>-<team>`` otherwise."""
    t = str(team)
    if t.endswith(".0"):
        t = t[:-2]
    return f"{station_id}-T{t}" if t.isdigit() else f"{station_id}-{t}"


def _yes_no(series: pd.Series, lang: Lang) -> pd.Series:
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    return series.map(lambda v: yes if bool(v) else no)


def team_files(stops: pd.DataFrame, routes: pd.DataFrame, labs: pd.DataFrame, lang: Lang, *, xlsx: bool,
               excel_ids: bool, when: dt.datetime, period: str) -> dict[str, bytes]:
    """The team files of ``stops`` (the field table's rows of some stations), by path in the plan folder.

    ``teams/<team>/<date>.csv`` per team and day, and with ``xlsx`` ``teams/<team>.xlsx``, a
    workbook per team with a sheet per day (:func:`riskplan.export.team_sheet.team_workbook_bytes`,
    dated ``when``, titled with the team and ``period``). ``routes``: the routes of those
    stations (their ends and labs for the title blocks); ``excel_ids``: IDs kept as text in Excel.
    """
    from riskplan.export import team_sheet  # openpyxl: imported by the worker processes that build these

    sheet_cols = list(contract.TEAM_SHEET.names) + [c for c, _ in contract.TEAM_SHEET.optional if c in stops.columns]
    titles = team_sheet.day_infos(stops, routes, labs, lang) if len(stops) else {}
    out: dict[str, bytes] = {}
    for (sid, team), grp in stops.groupby(["station_id", "team"], sort=True):
        label = team_label(sid, team)
        printed = {}  # the day's rows with every column (the workbook's title block needs more)
        for day, d in grp.groupby("date", sort=True):
            sheet = d[sheet_cols].copy()
            out[f"teams/{label}/{day}.csv"] = csvfile.to_csv_bytes(
                sheet.assign(cold_chain=_yes_no(sheet["cold_chain"], lang)), lang, excel_ids=excel_ids)
            printed[str(day)] = d
        if xlsx:
            infos = {day: info for (s, t, day), info in titles.items() if (s, t) == (str(sid), str(team))}
            out[f"teams/{label}.xlsx"] = team_sheet.team_workbook_bytes(printed, infos, lang, when=when,
                                                                       title=f"{label} {period}")
    return out


def plan_tables(result: Any, dataset: Dataset, lang: Lang) -> dict[str, pd.DataFrame]:
    """The tables of a plan folder (:data:`riskplan.export.contract.TABLES`) as built in memory.

    ``risk_scores``, ``allocation``, ``schedule``, ``visits``, ``routes`` and ``shortfall`` are
    the :class:`~riskplan.pipeline.PlanResult`'s own tables; ``stops``, ``unassigned`` and
    ``purchases`` add the field-team columns (:mod:`riskplan.export.field`, names in ``lang``);
    ``teams`` is the officer draw with ``officer_ids`` named ``officers``. Not yet conformed
    (:func:`riskplan.export.contract.conform`): dtypes as the pipeline made them.
    """
    stops = (field.field_table(result.stops, result.visits, dataset, lang, teams=result.teams)
             if len(result.stops) else pd.DataFrame(columns=contract.TABLES["stops"].names))
    return {
        "risk_scores": result.scores,
        "allocation": result.allocation,
        "schedule": result.schedule,
        "visits": result.visits,
        "stops": stops,
        "routes": field.routes_table(result.routes),
        "lab_days": field.lab_days_table(result.lab_days, dataset.labs),
        "unassigned": field.unassigned_table(result.unassigned, result.visits, dataset, lang),
        "purchases": field.purchase_orders(result.visits, dataset, lang),
        "shortfall": result.shortfall,
        "moves": (result.allocation_result.moves if result.allocation_result is not None
                  else pd.DataFrame(columns=contract.TABLES["moves"].names)),
        "placements": result.placements,
        "teams": result.teams.rename(columns={"officer_ids": "officers"}),
        "detection": result.detection,
    }


def _data_reference(dataset: Dataset) -> dict[str, Any]:
    src = getattr(dataset, "source", None)
    src = Path(src).resolve() if src is not None else None  # the folder must be found from anywhere
    files = manifest.hash_inputs(src) if src is not None and src.is_dir() else {}
    ref: dict[str, Any] = {
        "name": str(getattr(dataset, "name", "")),
        "district_code": str(getattr(dataset, "district_code", "")),
        "reference_date": str(getattr(dataset, "reference_date", "")),
        "plan_year": int(getattr(dataset, "plan_year", 0) or 0),
        "source": str(src) if src is not None else "",
    }
    try:
        if src is not None and Path(src).resolve() == embedded_data_dir("ouhai").resolve():
            ref["embedded"] = "ouhai"
    except FileNotFoundError:  # pragma: no cover - no embedded data installed
        pass
    ref["files_sha256"] = files
    return ref


def setting_files(dataset: Dataset, config: Any) -> dict[str, str]:
    """Files named by the configuration that are inputs too: ``setting:path`` -> SHA-256.

    A road-network travel-time matrix (``routing.travel_matrix``) and province category priors
    (``risk.category_priors``), each with its resolved path.
    """
    out: dict[str, str] = {}
    for key, path in (("routing.travel_matrix", travel_matrix_path(dataset, config.routing.travel_matrix)),
                      ("risk.category_priors", category_priors_path(dataset, config.risk.category_priors))):
        if path is not None:
            out[f"{key}:{path.resolve()}"] = manifest.sha256_file(path)
    return out


def plan_inputs(dataset: Dataset, config: Any) -> dict[str, str]:
    """What a plan folder's manifest records as ``inputs_sha256`` for this dataset and config.

    The dataset folder's files (:func:`riskplan.export.manifest.hash_inputs`) and the files the
    configuration names (:func:`setting_files`); a rerun whose inputs hash the same may keep an
    earlier plan folder.
    """
    return {**_data_reference(dataset)["files_sha256"], **setting_files(dataset, config)}


def write_plan(
    result: Any,
    dataset: Dataset,
    out: str | os.PathLike[str],
    *,
    lang: Lang | None = None,
    progress: bool = False,
    command: Sequence[str] | None = None,
    maps: PlanMaps | None = None,
) -> Path:
    """Write a whole plan folder atomically (see the module docstring for the layout).

    The PNG route maps are drawn by worker processes (``export.map_workers``,
    :class:`riskplan.export.plan_maps.PlanMaps`) while this process writes the other files;
    they are collected last. Ctrl-C or an error anywhere stops the workers and leaves no folder
    behind.

    Parameters
    ----------
    result
        A :class:`~riskplan.pipeline.PlanResult`.
    dataset
        The dataset the plan was made from.
    out
        The plan folder; replaced as a whole if it is an earlier plan folder.
    lang
        Header language; defaults to ``result.config.export.lang``.
    progress
        Show progress bars.
    command
        The command line, recorded in the manifest.
    maps
        The plan's maps, already being drawn month by month while the plan was made (the
        caller's, left open), and its report charts when they were started with the plan; the
        months it lacks, and the charts, are added. None: drawn from here.

    Returns
    -------
    Path
        The plan folder.
    """
    cfg = result.config
    settings = cfg.export
    lang = lang or settings.lang
    xl = settings.csv_excel_text
    first = min(result.months)
    when = dt.datetime(result.plan_year, first, 1)

    def csv(df: pd.DataFrame, path: Path) -> None:
        csvfile.write_csv(df, path, lang, excel_ids=xl)

    with staged_folder(out) as tmp, contextlib.ExitStack() as stack:
        steps = tqdm(total=8, desc="export", unit="step", disable=not progress)
        higher = getattr(result, "higher_level", None)
        higher = higher if higher is not None and len(higher) else None
        write_text(tmp / "README.txt", README if higher is None else README + HIGHER_LEVEL_README)
        write_text(tmp / "config.toml", cfg.to_toml())
        data_ref = _data_reference(dataset)
        data_ref["files_sha256"].update(setting_files(dataset, cfg))  # a matrix, priors: inputs too
        write_text(tmp / "data_reference.toml", tomli_w.dumps(data_ref))
        steps.update()

        tables = plan_tables(result, dataset, lang)
        with_ends = route_ends(tables["stops"], result.routes, dataset.labs)
        # the PNG maps are drawn by worker processes while this one writes the other files (the
        # months the caller has not given yet start now); they are collected (and written) last;
        # leaving the block stops the workers of maps started here
        drawn = maps if maps is not None else stack.enter_context(PlanMaps(dataset, settings))
        drawn.add_plan(list(result.months), result.stops, result.routes)
        depots, names = drawn.background.depots, drawn.background.names
        # the interactive month maps are built by the worker processes too, a month a task (the
        # longest work left once the plan is made: started first)
        month_of = with_ends["date"].astype(str).str[:7]
        pages = [drawn.drawing.submit(functools.partial(
            html_map.month_map_pages, station_names=names, townships=dataset.townships, labs=dataset.labs,
            lang=lang, tiles=settings.map_tiles, attribution=settings.map_tiles_attribution,
            district=str(getattr(dataset, "name", ""))), part, depots)
            for _, part in with_ends.groupby(month_of, sort=True)] if settings.html_map and len(tables["stops"]) else []
        # per team and day a CSV file, and per team a workbook with a sheet per day: built by the
        # worker processes, a station at a time, while this one writes the tables
        team_folders = [drawn.drawing.submit(functools.partial(
            team_files, lang=lang, xlsx=settings.xlsx, excel_ids=xl, when=when,
            period=f"{result.plan_year}-{first:02d}"), st, result.routes[result.routes["station_id"] == sid],
            dataset.labs) for sid, st in tables["stops"].groupby("station_id", sort=True)]
        for name, spec in contract.TABLES.items():
            csv(contract.conform(spec, tables[name]), tmp / spec.file)
        if higher is not None:  # only a plan with higher-level samples has the file
            csv(contract.conform(contract.HIGHER_LEVEL, higher), tmp / contract.HIGHER_LEVEL.file)
        stops = tables["stops"]
        steps.update()

        # the charts are drawn by a worker process (unless they were started with the plan)
        charts = drawn.add_charts(report.chart_inputs(result, dataset))
        steps.update()

        if settings.geojson:
            dec = settings.coordinate_decimals
            props = [p for p in STOP_PROPERTIES if p in stops.columns]
            geojson.write_geojson(tmp / "stops.geojson", geojson.feature_collection(
                geojson.stop_features(stops, props, dec), name="stops"))
            geojson.write_geojson(tmp / "routes.geojson", geojson.feature_collection(
                geojson.route_features(with_ends, depots, decimals=dec),
                name="routes"))
        steps.update()

        for month_pages in pages:
            for name, page in drawn.drawing.result(month_pages).items():
                write_text(tmp / "maps" / name, page)
        steps.update()

        label = str(data_ref.get("embedded") or data_ref["source"])
        for files in team_folders:
            for name, data in drawn.drawing.result(files).items():
                write_bytes(tmp / name, data)
        chart_png = drawn.drawing.result(charts)
        for name, png in chart_png.items():
            write_bytes(tmp / "report" / name, png)
        md = report.report_markdown(result, dataset, sorted(chart_png), label)
        if settings.report == "html":
            write_text(tmp / "report.html", report.report_html(md))
        else:
            write_text(tmp / "report.md", md)
        drawn.drawing.write(tmp / "maps", progress)
        steps.update()

        outputs = manifest.hash_folder(tmp)
        man = manifest.build_manifest(
            inputs=data_ref["files_sha256"],
            input_folder=data_ref["source"],
            config=cfg.to_dict(),
            seed=result.seed,
            months=[f"{result.plan_year}-{m:02d}" for m in result.months],
            outputs=outputs,
            dataset={k: v for k, v in data_ref.items() if k != "files_sha256"},
            command=list(command or []),
        )
        man["reproducible"] = bool(result.reproducible)
        man["key_numbers"] = report.key_numbers(result, dataset)
        manifest.write_manifest(tmp, man)
        steps.update(2)
        steps.close()
    return Path(out)
