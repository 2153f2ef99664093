"""Key figures of a dataset, for reports and the command line."""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskplan.dataset import Dataset

__all__ = ["summarize"]


def summarize(dataset: Dataset) -> pd.DataFrame:
    """Key figures of a dataset as a two-column table (``item``, ``value``), for reports and the CLI.

    Items (Chinese / English): townships, population [persons], establishments (by stage, without
    location), stations and teams, officers, labs, history rows and years, unqualified rate,
    results so far, complaints, inspections (when the dataset has any).
    """
    rows: list[tuple[str, Any]] = []
    town, est = dataset.townships, dataset.establishments
    rows.append(("name / 名称", dataset.name))
    rows.append(("reference date / 基准日期", dataset.reference_date))
    rows.append(("plan year / 计划年度", dataset.plan_year))
    rows.append(("townships / 乡镇街道", len(town)))
    pop = pd.to_numeric(town["population"], errors="coerce")
    rows.append(("population / 常住人口", f"{int(pop.sum()):,}"))
    if "population_source" in town.columns:
        rows.append(("  census / estimate (townships) / 普查/估算", " / ".join(
            str(int((town["population_source"] == k).sum())) for k in ("census", "estimate"))))
    rows.append(("establishments / 经营主体", len(est)))
    for stage, n in est["stage"].value_counts().sort_index().items():
        rows.append((f"  {stage}", int(n)))
    if "has_location" in est.columns:
        rows.append(("  without coordinates / 无坐标", int((~est["has_location"].astype(bool)).sum())))
    teams = pd.to_numeric(dataset.stations["teams"], errors="coerce").sum()
    rows.append(("stations (teams) / 监管所（小组）", f"{len(dataset.stations)} ({int(teams)})"))
    rows.append(("officers / 执法人员", len(dataset.officers)))
    rows.append(("labs / 检验机构", len(dataset.labs)))
    hist = dataset.history
    years = hist["sample_date"].dt.year.dropna()
    span = f" ({int(years.min())}-{int(years.max())})" if len(years) else ""
    rows.append(("history samples / 历史抽检批次", f"{len(hist)}{span}"))
    if len(hist):
        fail = (hist["result"] == "fail").sum()
        rows.append(("  unqualified rate / 不合格率", f"{fail / len(hist):.2%} ({int(fail)})"))
    rows.append(("results this year / 本年度结果", len(dataset.results)))
    rows.append(("complaints / 投诉举报", len(dataset.complaints)))
    if len(getattr(dataset, "inspections", ())):  # optional: only a folder with inspections says so
        rows.append(("inspections this year / 本年度检查", len(dataset.inspections)))
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": str})
