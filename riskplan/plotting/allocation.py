"""Static charts of an allocation and its monthly schedule (matplotlib; every function takes ``ax``).

Chinese labels are used when a CJK font is installed (``riskplan.plotting.fonts.label``),
English ones otherwise, so no "Glyph missing" warning is ever printed.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from riskplan.allocation import Allocation
from riskplan.plotting.axes import axes_or_new
from riskplan.plotting.fonts import label
from riskplan.schedule import ScheduleRules, progress


def _table(allocation: Allocation | pd.DataFrame) -> pd.DataFrame:
    return allocation.table if hasattr(allocation, "table") else allocation


def bars(allocation: Allocation | pd.DataFrame, by: str = "category_code", ax: Axes | None = None,
         names: dict[str, str] | None = None) -> Axes:
    """Stacked bars of floor samples and risk samples per ``by`` (e.g. category or business type).

    Parameters
    ----------
    allocation
        An :class:`~riskplan.allocation.Allocation` or its table.
    by
        Column to group by: ``category_code``, ``business_type``, ``township_code``, ``stage``.
    ax
        Matplotlib axes to draw on (a new figure when None).
    names
        Optional display name per code.

    Returns
    -------
    The axes.
    """
    t = _table(allocation)
    g = t.groupby(by)[["floor", "risk_part"]].sum()
    g = g.loc[(g["floor"] + g["risk_part"]).sort_values(ascending=False).index]
    ax = axes_or_new(ax, (max(6, 0.28 * len(g) + 2), 4))
    x = np.arange(len(g))
    ax.bar(x, g["floor"], color="#4c72b0", label=label("覆盖底线", "coverage floor"))
    ax.bar(x, g["risk_part"], bottom=g["floor"], color="#dd8452", label=label("按风险分配", "by risk"))
    ticks = [names.get(k, k) if names else k for k in g.index]
    ax.set_xticks(x, ticks, rotation=90 if len(g) > 8 else 0, fontsize=8)
    ax.set_ylabel(label("样品数 (份)", "samples"))
    zh = {"category_code": "食品类别", "business_type": "业态", "township_code": "镇街", "stage": "环节"}
    ax.set_title(label(f"按{zh.get(by, by)}分配", f"allocation by {by}"))
    ax.legend(frameon=False)
    return ax


def township_map(
    allocation: Allocation | pd.DataFrame, townships: gpd.GeoDataFrame, column: str = "samples",
    per_10k: bool = False, ax: Axes | None = None,
) -> Axes:
    """Choropleth of samples per township (``townships`` is the GeoDataFrame of the dataset).

    Parameters
    ----------
    column
        ``samples``, ``floor``, ``risk_part`` or ``cost_yuan``.
    per_10k
        Divide by the township's population [samples per 10,000 residents].
    """
    t = _table(allocation)
    per = t.groupby("township_code")[column].sum()
    gdf = townships.copy()
    gdf["value"] = gdf["township_code"].astype(str).map(per).fillna(0).astype(float)
    if per_10k:
        gdf["value"] = gdf["value"] / gdf["population"] * 10_000
    ax = axes_or_new(ax, (7, 6))
    gdf.plot(column="value", cmap="OrRd", legend=True, edgecolor="grey", linewidth=0.6, ax=ax)
    if label("zh", "en") == "zh" and "name_zh" in gdf:
        name_col = "name_zh"
    else:
        name_col = "name_en" if "name_en" in gdf else "township_code"
    fmt = "{:.1f}" if per_10k else "{:.0f}"
    for _, row in gdf.iterrows():
        p = row.geometry.representative_point()
        ax.annotate(f"{row[name_col]}\n{fmt.format(row['value'])}", (p.x, p.y), ha="center", va="center",
                    fontsize=7)
    ax.set_axis_off()
    unit = label("份/万人", "per 10,000 residents") if per_10k else label("份", "samples")
    ax.set_title(label(f"各镇街样品数 ({unit})", f"samples by township ({unit})"))
    return ax


def progress_curve(schedule: pd.DataFrame, rules: ScheduleRules | None = None, ax: Axes | None = None) -> Axes:
    """Cumulative share of the year's samples by month against the quarterly targets."""
    rules = ScheduleRules() if rules is None else rules
    p = progress(schedule)
    ax = axes_or_new(ax, (7, 4))
    ax.bar(p["month"], p["samples"] / max(1, p["samples"].sum()), color="#a1c9f4",
           label=label("当月占比", "share in month"))
    ax.plot(p["month"], p["cumulative_share"], marker="o", color="#4c72b0",
            label=label("累计完成率", "cumulative share"))
    ax.scatter(list(rules.progress_months), list(rules.progress_targets), marker="_", s=400, color="#c44e52",
               zorder=3, label=label("季度目标", "quarterly target"))
    ax.axvline(rules.last_month + 0.5, color="grey", ls=":", lw=1)
    ax.set_xticks(range(1, 13))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(label("月份", "month"))
    ax.set_ylabel(label("占全年任务比例", "share of the annual samples"))
    ax.legend(frameon=False, loc="upper left")
    return ax


def plot_allocation_by_township(allocation: pd.DataFrame, townships: gpd.GeoDataFrame,
                                ax: Axes | None = None) -> Axes:
    """Bar chart of annual samples per township, split into floor and risk-weighted parts."""
    ax = axes_or_new(ax, figsize=(7.0, 4.0))
    names = dict(zip(townships["township_code"].astype(str),
                     townships[label("name_zh", "name_en")].astype(str)))
    cols = [c for c in ("floor", "risk_part") if c in allocation.columns] or ["samples"]
    by = allocation.groupby("township_code")[cols].sum().sort_index()
    bottom = None
    for c, colour in zip(cols, ("#9ecae1", "#3182bd")):
        ax.bar([names.get(str(k), str(k)) for k in by.index], by[c], bottom=bottom, color=colour,
               label={"floor": label("保底", "floor"), "risk_part": label("按风险", "risk-weighted"),
                      "samples": label("批次", "samples")}[c])
        bottom = by[c] if bottom is None else bottom + by[c]
    ax.set_ylabel(label("年度批次", "samples per year"))
    ax.tick_params(axis="x", rotation=60, labelsize=7)
    ax.legend(fontsize=8)
    return ax
