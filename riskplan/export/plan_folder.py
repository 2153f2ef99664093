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
    unassigned.csv          visits that could not be routed, with the reason
    purchases.csv           purchase orders for online sellers
    shortfall.csv           strata whose monthly request selection could not meet in full
    teams.csv               the officers drawn ("double random") per station, team and day
    teams/<station>-<team>/<date>.csv   one file per team and day
    teams/<station>-<team>.xlsx         one workbook per team, a sheet per day
    routes.geojson, stops.geojson       RFC 7946 (WGS-84 lon/lat)
    maps/<station>_<date>.png           route map per station and day
    report.md (or .html), report/*.png  summary report and its charts

Every selected visit is in exactly one of stops.csv, unassigned.csv and purchases.csv.
:func:`read_plan` reads a folder back with standard column names whatever language it was
written in (for ``riskplan monitor`` and auditors).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from riskplan.export import csvfile, field, geojson, manifest, maps, report, xlsx
from riskplan.export.atomic import staged_folder, write_bytes, write_text
from riskplan.export.headers import Lang, to_standard
from riskplan.tables import as_bool

TABLE_FILES: dict[str, str] = {
    "risk_scores": "risk_scores.csv",
    "allocation": "allocation.csv",
    "schedule": "schedule.csv",
    "visits": "visits.csv",
    "stops": "stops.csv",
    "routes": "routes.csv",
    "unassigned": "unassigned.csv",
    "purchases": "purchases.csv",
    "shortfall": "shortfall.csv",
    "teams": "teams.csv",
}
"""Table name -> file of a plan folder."""

STOP_PROPERTIES = ("station_id", "team", "date", "stop_order", "visit_id", "establishment_id",
                   "establishment_name", "arrival_window", "categories_to_sample", "units",
                   "cold_chain", "lab_deadline")

_NUMERIC = {"samples", "units", "month", "floor", "risk_part", "stop_order", "n_establishments",
            "n_samples", "n_fail", "weight", "fractional", "cost_yuan", "lon_wgs84", "lat_wgs84",
            "distance_km", "duration_min", "n_stops"}
_BOOL = {"perishable", "cold_chain", "has_location", "no_history", "vulnerable"}

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
unassigned.csv         未排入路线的任务及原因 / visits not routed, with the reason
purchases.csv          网络购样订单 / purchase orders for online sellers
shortfall.csv          本月未能足额抽取的层及原因 / strata whose monthly samples could not all be drawn
teams.csv              双随机抽取的执法人员 / officers drawn per station, team and day
teams/                 各组每日任务单 (CSV) 与工作簿 (XLSX) / per team and day (CSV), per team (XLSX)
routes.geojson         路线 (WGS-84) / routes, RFC 7946
stops.geojson          点位 (WGS-84) / stops, RFC 7946
maps/                  各所站每日路线图 / route map per station and day
report.*, report/      汇总报告 / summary report

Every selected visit is in exactly one of stops.csv, unassigned.csv, purchases.csv.
CSV: UTF-8 with BOM; number-like IDs are written ="..." so Excel keeps them as text;
text beginning with = + - @ tab or CR is prefixed with ' (formula-injection guard).
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


def _teams_table(teams: pd.DataFrame) -> pd.DataFrame:
    t = teams.copy()
    if "date" in t.columns:
        t["date"] = pd.to_datetime(t["date"]).dt.strftime("%Y-%m-%d")
    return t.rename(columns={"officer_ids": "officers"})


def _data_reference(dataset: Any) -> dict[str, Any]:
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
        from riskplan.datasets import embedded_data_dir

        if src is not None and Path(src).resolve() == embedded_data_dir("ouhai").resolve():
            ref["embedded"] = "ouhai"
    except FileNotFoundError:  # pragma: no cover - no embedded data installed
        pass
    ref["files_sha256"] = files
    return ref


def _with_route_ends(stops: pd.DataFrame, routes: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """``stops`` with where its route ends: ``ends_at`` (``station`` or ``lab``) and, for routes
    ending at a lab, that lab's ``lab_lon`` / ``lab_lat`` [degrees] (each route has its own lab).
    """
    if not len(stops) or "ends_at" not in routes.columns:
        return stops
    key = ["_s", "_t", "_d"]
    ends = pd.DataFrame({
        "_s": routes["station_id"].astype(str), "_t": routes["team"].astype(str),
        "_d": pd.to_datetime(routes["date"]).dt.strftime("%Y-%m-%d"),
        "ends_at": routes["ends_at"].astype(str),
        "lab_id": routes["lab_id"].astype(str) if "lab_id" in routes.columns else "",
    })
    coords = labs.assign(lab_id=labs["lab_id"].astype(str)).set_index("lab_id")
    at_lab = ends["ends_at"] == "lab"
    ends["lab_lon"] = ends["lab_id"].map(coords["lon_wgs84"]).where(at_lab).astype(float)
    ends["lab_lat"] = ends["lab_id"].map(coords["lat_wgs84"]).where(at_lab).astype(float)
    left = stops.assign(
        _s=stops["station_id"].astype(str), _t=stops["team"].astype(str),
        _d=pd.to_datetime(stops["date"]).dt.strftime("%Y-%m-%d"),
    )
    return left.merge(ends.drop(columns="lab_id"), on=key, how="left").drop(columns=key)


def _geo_depots(dataset: Any) -> dict[str, tuple[float, float]]:
    st = dataset.stations
    return {str(s): (float(lo), float(la)) for s, lo, la in
            zip(st["station_id"], st["lon_wgs84"], st["lat_wgs84"])}


def _townships_by_station(dataset: Any) -> dict[str, Any]:
    out = {}
    tw = dataset.townships
    for sid, codes in zip(dataset.stations["station_id"], dataset.stations["township_codes"]):
        keep = set(str(codes).split(";"))
        out[str(sid)] = tw[tw["township_code"].astype(str).isin(keep)]
    return out


def write_plan(
    result: Any,
    dataset: Any,
    out: str | os.PathLike[str],
    *,
    lang: Lang | None = None,
    progress: bool = False,
    command: Sequence[str] | None = None,
) -> Path:
    """Write a whole plan folder atomically (see the module docstring for the layout).

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

    Returns
    -------
    Path
        The plan folder.
    """
    from tqdm import tqdm

    cfg = result.config
    settings = cfg.export
    lang = lang or settings.lang
    xl = settings.csv_excel_text
    first = min(result.months)
    when = dt.datetime(result.plan_year, first, 1)

    def csv(df: pd.DataFrame, path: Path) -> None:
        csvfile.write_csv(df, path, lang, excel_ids=xl)

    with staged_folder(out) as tmp:
        steps = tqdm(total=8, desc="export", unit="step", disable=not progress)
        write_text(tmp / "README.txt", README)
        write_text(tmp / "config.toml", cfg.to_toml())
        data_ref = _data_reference(dataset)
        from riskplan.pipeline import travel_matrix_path

        matrix = travel_matrix_path(dataset, cfg.routing.travel_matrix)
        if matrix is not None:  # a road-network matrix is an input too
            data_ref["files_sha256"][f"routing.travel_matrix:{matrix.resolve()}"] = manifest.sha256_file(matrix)
        write_text(tmp / "data_reference.toml", tomli_w.dumps(data_ref))
        steps.update()

        stops = field.field_table(result.stops, result.visits, dataset, lang,
                                  teams=result.teams) if len(result.stops) else (
            pd.DataFrame(columns=[*field.FIELD_COLUMNS, "lon_wgs84", "lat_wgs84"]))
        csv(result.scores, tmp / TABLE_FILES["risk_scores"])
        csv(result.allocation, tmp / TABLE_FILES["allocation"])
        csv(result.schedule, tmp / TABLE_FILES["schedule"])
        csv(result.visits, tmp / TABLE_FILES["visits"])
        csv(stops, tmp / TABLE_FILES["stops"])
        csv(result.routes, tmp / TABLE_FILES["routes"])
        csv(field.unassigned_table(result.unassigned, result.visits, dataset, lang),
            tmp / TABLE_FILES["unassigned"])
        csv(field.purchase_orders(result.visits, dataset, lang), tmp / TABLE_FILES["purchases"])
        csv(result.shortfall, tmp / TABLE_FILES["shortfall"])
        csv(_teams_table(result.teams), tmp / TABLE_FILES["teams"])
        steps.update()

        # per team and day: CSV files, and one workbook per team with a sheet per day
        sheet_cols = [c for c in field.FIELD_COLUMNS if c not in ("station_id", "team")]
        for (sid, team), grp in stops.groupby(["station_id", "team"], sort=True):
            label = team_label(sid, team)
            sheets = {}
            for day, d in grp.groupby("date", sort=True):
                sheet = d[sheet_cols].drop(columns=["date"]).copy()
                csv_sheet = sheet.assign(cold_chain=_yes_no(sheet["cold_chain"], lang))
                csv(csv_sheet, tmp / "teams" / label / f"{day}.csv")
                sheets[str(day)] = sheet
            if settings.xlsx:
                xlsx.write_workbook(tmp / "teams" / f"{label}.xlsx", sheets, lang, when=when,
                                    title=f"{label} {result.plan_year}-{first:02d}")
        steps.update()

        with_ends = _with_route_ends(stops, result.routes, dataset.labs)
        if settings.geojson:
            dec = settings.coordinate_decimals
            props = [p for p in STOP_PROPERTIES if p in stops.columns]
            geojson.write_geojson(tmp / "stops.geojson", geojson.feature_collection(
                geojson.stop_features(stops, props, dec), name="stops"))
            geojson.write_geojson(tmp / "routes.geojson", geojson.feature_collection(
                geojson.route_features(with_ends, _geo_depots(dataset), decimals=dec),
                name="routes"))
        steps.update()

        if settings.maps and len(stops):
            maps.write_station_day_maps(tmp / "maps", with_ends, _geo_depots(dataset),
                                        _townships_by_station(dataset),
                                        dpi=settings.map_dpi, progress=progress)
        steps.update()

        label = str(data_ref.get("embedded") or data_ref["source"])
        chart_png = report.charts(result, dataset, dpi=settings.map_dpi)
        for name, png in chart_png.items():
            write_bytes(tmp / "report" / name, png)
        md = report.report_markdown(result, dataset, sorted(chart_png), label)
        if settings.report == "html":
            write_text(tmp / "report.html", report.report_html(md))
        else:
            write_text(tmp / "report.md", md)
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


# --------------------------------------------------------------------------- reading
@dataclasses.dataclass
class PlanFolder:
    """A plan folder read back (standard column names, IDs as text).

    Attributes
    ----------
    path
        The folder.
    tables
        Table name (:data:`TABLE_FILES` keys) -> DataFrame.
    config
        The configuration used (:class:`~riskplan.config.Config`).
    manifest
        The parsed ``manifest.json``.
    data_reference
        The parsed ``data_reference.toml``.
    """

    path: Path
    tables: dict[str, pd.DataFrame]
    config: Any
    manifest: dict[str, Any]
    data_reference: dict[str, Any]

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def team_sheets(self) -> dict[str, pd.DataFrame]:
        """``<team label>/<date>`` -> that team's day sheet (from ``teams/``)."""
        out = {}
        for p in sorted((self.path / "teams").glob("*/*.csv")):
            out[f"{p.parent.name}/{p.stem}"] = read_table(p)
        return out


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read one CSV of a plan folder: standard column names, IDs as text, numbers and booleans typed."""
    df = csvfile.read_csv(path)
    df.columns = to_standard(df.columns)
    for c in df.columns:
        if c in _NUMERIC:
            df[c] = pd.to_numeric(df[c].replace("", None), errors="coerce")
        elif c in _BOOL:
            df[c] = as_bool(df[c].replace("", None))
    return df


def read_plan(path: str | os.PathLike[str]) -> PlanFolder:
    """Read a plan folder written by ``riskplan plan`` (whatever its ``--lang``).

    Raises
    ------
    RiskplanError
        If the folder has no ``manifest.json`` (not a plan folder).
    """
    from riskplan.config import load_config
    from riskplan.errors import RiskplanError

    p = Path(path)
    if not (p / manifest.MANIFEST_NAME).is_file():
        raise RiskplanError(f"{p} is not a plan folder (no {manifest.MANIFEST_NAME}) / 不是计划文件夹")
    tables = {name: read_table(p / f) for name, f in TABLE_FILES.items() if (p / f).is_file()}
    return PlanFolder(
        path=p,
        tables=tables,
        config=load_config(p / "config.toml"),
        manifest=json.loads((p / manifest.MANIFEST_NAME).read_text(encoding="utf-8")),
        data_reference=tomllib.loads((p / "data_reference.toml").read_text(encoding="utf-8")),
    )
