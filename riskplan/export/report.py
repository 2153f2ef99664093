"""The summary report of a plan: key numbers, tables and charts, as Markdown or HTML."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from riskplan.allocation.detection import compare_detection
from riskplan.dataset import Dataset


def key_numbers(result: Any, dataset: Dataset) -> dict[str, Any]:
    """The headline figures of a plan (:meth:`riskplan.pipeline.PlanResult.key_numbers`)."""
    return result.key_numbers()


def detection_comparison(result: Any, dataset: Dataset) -> pd.DataFrame | None:
    """The plan's detection beside the alternative allocations (:func:`compare_detection`), or None.

    None when the plan has no detection table (a result made without it).
    """
    if not len(getattr(result, "detection", ())) or "rate_mean" not in result.allocation.columns:
        return None
    residents = dataset.townships.set_index("township_code")["population"]
    return compare_detection(result.allocation, residents, result.config.detection)


def chart_inputs(result: Any, dataset: Dataset) -> dict[str, Any]:
    """What :func:`riskplan.export.report_charts.charts_from` needs of a plan.

    A few small tables, cheap to send to a worker process.
    """
    return chart_inputs_of(result.allocation, result.schedule, list(result.months),
                           getattr(result, "detection", ()), result.config, dataset)


def chart_inputs_of(allocation: pd.DataFrame, schedule: pd.DataFrame, months: list[int], detection: Any,
                    config: Any, dataset: Dataset) -> dict[str, Any]:
    """:func:`chart_inputs` from the parts of a plan it uses, known before any month is routed.

    ``detection`` is the plan's detection table (empty or ``()`` for none), ``config`` its
    configuration.
    """
    towns = pd.DataFrame(dataset.townships.drop(columns="geometry", errors="ignore"))
    has_detection = bool(len(detection)) and "rate_mean" in allocation.columns
    return {"allocation": allocation, "schedule": schedule, "months": list(months),
            "townships": towns, "detection": config.detection if has_detection else None}


def charts(result: Any, dataset: Dataset, dpi: int = 90) -> dict[str, bytes]:
    """PNG bytes of the report's charts, by file name (:mod:`riskplan.export.report_charts`)."""
    from riskplan.export.report_charts import charts_from  # matplotlib: imported when drawn

    return charts_from(**chart_inputs(result, dataset), dpi=dpi)


def _md_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def report_markdown(result: Any, dataset: Dataset, chart_files: list[str], data_label: str) -> str:
    """The report as Markdown (bilingual labels, figures from :func:`key_numbers`)."""
    k = key_numbers(result, dataset)
    fees = "unknown" if k["test_fees_yuan"] is None else f"{k['test_fees_yuan']:,.0f}"
    routes = result.routes
    per_station = (
        result.stops.groupby("station_id").agg(stops=("visit_id", "size")).reset_index()
        if len(result.stops) else pd.DataFrame(columns=["station_id", "stops"])
    )
    if len(routes) and "station_id" in routes.columns:
        n_routes = routes.groupby("station_id").size().rename("routes").reset_index()
        per_station = per_station.merge(n_routes, on="station_id", how="outer").fillna(0)
    lines = [
        f"# 抽检计划 / Sampling plan: {dataset.name}",
        "",
        f"- 数据 / data: {data_label} (reference date {dataset.reference_date}, plan year {result.plan_year})",
        f"- 月份 / months: {', '.join(k['months'])}; seed {result.seed}",
        "",
        *([f"**低于任务量 / BELOW QUOTA: {k['below_quota']} of the mandated {k['quota']} samples "
           "are not planned: the budget (allocation.budget_yuan) does not pay for them "
           "(allocation.allow_below_quota = true).**", ""] if k["below_quota"] else []),
        "## 关键数字 / Key numbers",
        "",
        "| 指标 / figure | 数值 / value |",
        "|---|---|",
        f"| 年度任务量 / annual quota | {k['quota']} |",
        f"| 已分配 / allocated | {k['allocated']} |",
        f"| 低于任务量 / below quota (budget) | {k['below_quota']} |",
        f"| 检验费（全年） / test fees (year) [yuan] | {fees} |",
        f"| 覆盖乡镇街道 / townships covered | {k['townships_covered']} / {k['townships']} |",
        f"| 覆盖业态 / business types covered | {k['business_types_covered']} / {k['business_types']} |",
        f"| 覆盖食品类别 / categories covered | {k['categories_covered']} / {k['categories']} |",
        f"| 覆盖层 / strata with samples | {k['strata_covered']} / {k['strata']} |",
        f"| 本期计划样品 / samples scheduled | {k['scheduled']} |",
        f"| 本期任务 / visits selected | {k['visits']} ({k['samples']} samples) |",
        f"| 缺口 / shortfall (no eligible establishment) | {k['shortfall']} |",
        f"| 已排路线 / visits routed | {k['routed']} on {k['routes']} routes |",
        f"| 未排入 / unassigned | {k['unassigned']} |",
        f"| 网购 / purchase orders | {k['purchases']} |",
        f"| 落实样品 / samples delivered | {k['delivered']} = {k['samples_routed']} routed + "
        f"{k['samples_bought']} bought (of {k['scheduled']} scheduled) |",
        f"| 未落实样品 / samples short, unassigned | {k['samples_short']}, {k['samples_unassigned']} |",
        f"| 调剂、顺延、替代 / moved, carried, substituted | {k['moved']}, {k['carried']}, "
        f"{k['substituted']} |",
        f"| 可复现 / reproducible | {'yes' if k['reproducible'] else 'no (wall-clock routing limit)'} |",
        "",
    ]
    if k.get("programmes"):
        lines += ["## 各任务 / By programme", "",
                  "One visit may take the samples of several programmes (shared visits); each "
                  "programme's samples use its own sampling document.", "",
                  _md_table(pd.DataFrame(k["programmes"])), ""]
    if k["unassigned_reasons"]:
        lines += ["## 未排入原因 / Unassigned visits by reason", ""]
        lines += [_md_table(pd.DataFrame(list(k["unassigned_reasons"].items()), columns=["reason", "visits"])), ""]
    if k["shortfall"]:
        short = result.shortfall.groupby("reason", as_index=False)["missing"].sum()
        lines += ["## 抽样缺口 / Samples no establishment could take", "", _md_table(short), ""]
    by_town = delivery_by_township(result)
    if len(by_town):
        lines += ["## 各乡镇落实 / Delivered / allocated by township", "", _md_table(by_town), ""]
    if len(per_station):
        lines += ["## 各所站 / By station", "", _md_table(per_station), ""]
    lines += _detection_lines(result, dataset, k)
    lines += ["## 图表 / Charts", ""]
    lines += [f"![{name}](report/{name})" for name in chart_files]
    lines += ["", "Files: see README.txt; inputs, configuration and hashes: manifest.json.", ""]
    return "\n".join(lines)


_ALLOC_LABELS = {"plan": "本计划 / this plan", "detection": "检出最优 / detection-optimal",
                 "population": "按人口 / by population", "uniform": "均匀 / uniform"}


def _wide(cmp: pd.DataFrame, level: str) -> pd.DataFrame:
    part = cmp[cmp["level"] == level]
    det = part.pivot(index="key", columns="allocation", values="expected_detections")
    sens = part.pivot(index="key", columns="allocation", values="sensitivity")
    out = pd.DataFrame(index=det.index)
    for name in ("plan", "detection", "population", "uniform"):
        out[f"expected {name}"] = det[name].map(lambda v: f"{v:.2f}")
    for name in ("plan", "detection", "population", "uniform"):
        out[f"Se {name}"] = sens[name].map(lambda v: f"{v:.3f}")
    return out.reset_index().rename(columns={"key": level})


def _detection_lines(result: Any, dataset: Dataset, k: dict[str, Any]) -> list[str]:
    """The report's section on what the plan can detect (empty without a detection table)."""
    cmp = detection_comparison(result, dataset)
    if cmp is None or k.get("district_sensitivity") is None:
        return []
    p = k["design_prevalence"]
    dist = cmp[cmp["level"] == "district"].copy()
    dist["allocation"] = dist["allocation"].map(_ALLOC_LABELS)
    dist = dist.assign(
        expected_detections=dist["expected_detections"].map(lambda v: f"{v:.2f}"),
        sensitivity=dist["sensitivity"].map(lambda v: f"{v:.3f}"),
        strata_with_find=dist["strata_with_find"].map(lambda v: f"{v:.1f}"),
    )[["allocation", "samples", "expected_detections", "sensitivity", "strata_with_find"]]
    return [
        "## 可发现什么 / What the plan can detect",
        "",
        f"Design prevalence p* = {p:.1%} (detection.design_prevalence); surveillance sensitivity = "
        "chance to find at least one unqualified sample in a stratum whose prevalence is p*; the "
        "district's is the risk-weighted average over strata. Expected detections use the "
        "posterior unqualified rates. Per stratum: detection.csv. This plan: allocation.objective = "
        f"\"{result.config.allocation.objective}\", allocation.rounding = "
        f"\"{result.config.allocation.rounding}\".",
        "",
        "| 指标 / figure | 数值 / value |",
        "|---|---|",
        f"| 全区监测灵敏度 / district sensitivity (p* = {p:.1%}) | {k['district_sensitivity']:.3f} |",
        f"| 预期检出不合格批次 / expected unqualified samples found | {k['expected_detections']:.2f} |",
        f"| 预期有检出的层数 / expected strata with a find | {k['strata_with_find']:.1f} |",
        "",
        "Compared with the same samples allocated without risk (the plan's coverage floors kept, "
        "the rest by residents then establishments, or by establishments alone) and for detection "
        "(allocation.objective = \"detection\"):",
        "",
        _md_table(dist),
        "",
        "### 按乡镇街道 / By township",
        "",
        _md_table(_wide(cmp, "township")),
        "",
        "### 按食品类别 / By category",
        "",
        _md_table(_wide(cmp, "category")),
        "",
    ]


def delivery_by_township(result: Any) -> pd.DataFrame:
    """Per township: samples allocated (year), scheduled, delivered (routed + bought) in the months."""
    alloc = result.allocation.groupby("township_code")["samples"].sum()
    sched = result.schedule[result.schedule["month"].isin(result.months)]
    sched = sched.groupby("township_code")["samples"].sum()
    v = result.visits
    if len(v):
        routed = set(result.stops["visit_id"]) if len(result.stops) else set()
        ok = v["visit_id"].isin(routed) | (v["mode"].astype(str) == "purchase")
        got = v[ok].groupby("township_code")["samples"].sum()
    else:
        got = pd.Series(dtype=int)
    out = pd.DataFrame({"allocated": alloc}).join(sched.rename("scheduled")).join(got.rename("delivered"))
    out = out.fillna(0).astype(int).reset_index()
    out["delivered / allocated"] = [f"{d} / {a}" for d, a in zip(out["delivered"], out["allocated"])]
    return out


def report_html(markdown: str) -> str:
    """A self-contained HTML page of the Markdown report (headings, lists, tables, images)."""
    body: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            rows = [r for r in table if not all(set(c) <= {"-"} for c in r if c)]
            head, rest = rows[0], rows[1:]
            body.append("<table>")
            body.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr>")
            body.extend("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rest)
            body.append("</table>")
            table.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            table.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        flush()
        if line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("!["):
            src = line[line.index("(") + 1 : -1]
            body.append(f'<p><img src="{html.escape(src)}" alt=""></p>')
        elif line.startswith("- "):
            body.append(f"<p>{html.escape(line[2:])}</p>")
        elif line:
            body.append(f"<p>{html.escape(line)}</p>")
    flush()
    style = ("body{font-family:sans-serif;max-width:60em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:2px 6px}")
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>riskplan report</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
