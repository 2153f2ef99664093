"""Static charts of the monitoring tables (matplotlib; every function takes an optional ``ax``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from riskplan.plotting.axes import axes_or_new
from riskplan.plotting.fonts import label


def _integer_x(ax: Axes) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_progress(monthly: pd.DataFrame, as_of_month: int | None = None, ax: Axes | None = None) -> Axes:
    """Cumulative completion against the plan and the quarterly targets (district level).

    Parameters
    ----------
    monthly
        :func:`riskplan.monitoring.monthly_progress` at level ``"district"``.
    as_of_month
        Last month with results; later months of ``done`` are not drawn.
    """
    ax = axes_or_new(ax, (7, 4))
    m = monthly["month"].to_numpy()
    ax.plot(m, 100 * monthly["cum_planned_share"], "o-", color="0.5",
            label=label("计划累计", "planned (cumulative)"))
    ax.step(np.r_[0, m], 100 * np.r_[0, monthly["target_share"]], where="post", color="tab:red",
            ls="--", label=label("季度目标", "quarterly target"))
    done = monthly if as_of_month is None else monthly[monthly["month"] <= as_of_month]
    ax.plot(done["month"], 100 * done["cum_done_share"], "s-", color="tab:blue",
            label=label("实际完成", "done (cumulative)"))
    ax.set_xticks(range(1, 13))
    ax.set_xlim(0.5, 12.5)
    ax.set_ylim(0, 105)
    ax.set_xlabel(label("月份", "month"))
    ax.set_ylabel(label("年度任务完成率 (%)", "share of annual plan (%)"))
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return ax


def plot_coverage(
    matrix: pd.DataFrame, names: dict[str, str] | None = None, ax: Axes | None = None,
    planned: pd.DataFrame | None = None,
) -> Axes:
    """Heat map of samples done, township (rows) x business type (columns) (``Coverage.matrix``).

    Cells absent from the register are blank; cells with nothing done yet are outlined in red
    (only those with planned samples, when ``planned`` = ``Coverage.planned_matrix`` is given).
    """
    from matplotlib.patches import Rectangle

    ax = axes_or_new(ax, (9, 6))
    data = matrix.to_numpy(dtype=float)
    im = ax.imshow(np.ma.masked_invalid(data), cmap="Blues", aspect="auto")
    ax.set_xticks(range(data.shape[1]), matrix.columns, rotation=60, ha="right", fontsize=8)
    rows = [names.get(str(i), str(i)) if names else str(i) for i in matrix.index]
    ax.set_yticks(range(data.shape[0]), rows, fontsize=8)
    plan = (planned.reindex(index=matrix.index, columns=matrix.columns).fillna(0).to_numpy(float)
            if planned is not None else np.ones_like(data))
    for (i, j), v in np.ndenumerate(data):
        if np.isnan(v):
            continue
        if v == 0 and plan[i, j] > 0:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="tab:red", lw=1.2))
        ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=6,
                color="white" if v > np.nanmax(data) / 2 else "black")
    ax.figure.colorbar(im, ax=ax, label=label("已抽检批次", "samples done"))
    ax.set_title(label("覆盖情况：镇街 × 业态", "Coverage: township x business type"))
    return ax


def plot_p_chart(chart: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Axes:
    """A p-chart (columns ``period``/index, ``p``, ``ucl``, ``lcl``, ``center`` or ``p0``)."""
    ax = axes_or_new(ax, (7, 4))
    x = chart["period"] if "period" in chart else chart.index
    center = chart["center"] if "center" in chart else chart["p0"]
    ax.plot(x, chart["p"], "o-", color="tab:blue", label="p")
    ax.step(x, chart["ucl"], where="mid", color="tab:red", ls="--", label="UCL")
    ax.step(x, chart["lcl"], where="mid", color="tab:red", ls=":", label="LCL")
    ax.plot(x, center, color="0.4", label=label("中心线", "center"))
    flag = chart["out_of_control"] if "out_of_control" in chart else chart["p_chart_signal"]
    ax.plot(np.asarray(x)[flag.to_numpy(bool)], chart["p"][flag.to_numpy(bool)], "o",
            mfc="none", mec="tab:red", ms=12)
    ax.set_xlabel(label("期", "period"))
    _integer_x(ax)
    ax.set_ylabel(label("不合格率", "unqualified rate"))
    ax.set_title(title)
    ax.legend()
    return ax


def plot_cusum(chart: pd.DataFrame, h: float, title: str = "", ax: Axes | None = None) -> Axes:
    """Tabular CUSUM (``c_plus``, ``c_minus``) with the decision interval ``h``."""
    ax = axes_or_new(ax, (7, 4))
    x = chart["period"] if "period" in chart else chart.index
    ax.plot(x, chart["c_plus"], "o-", label="C+")
    ax.plot(x, -chart["c_minus"], "s-", label="-C-")
    ax.axhline(h, color="tab:red", ls="--")
    ax.axhline(-h, color="tab:red", ls="--")
    ax.set_xlabel(label("期", "period"))
    _integer_x(ax)
    ax.set_title(title)
    ax.legend()
    return ax


def plot_ewma(chart: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Axes:
    """EWMA statistic with its time-varying limits (``statistic``/``ewma``, ``ucl``/``ewma_ucl``)."""
    ax = axes_or_new(ax, (7, 4))
    x = chart["period"] if "period" in chart else chart.index
    stat = chart["statistic"] if "statistic" in chart else chart["ewma"]
    ucl = chart["ucl"] if "statistic" in chart else chart["ewma_ucl"]
    ax.plot(x, stat, "o-", label="EWMA")
    ax.step(x, ucl, where="mid", color="tab:red", ls="--", label="UCL")
    if "lcl" in chart and "statistic" in chart:
        ax.step(x, chart["lcl"], where="mid", color="tab:red", ls=":", label="LCL")
    ax.set_xlabel(label("期", "period"))
    _integer_x(ax)
    ax.set_title(title)
    ax.legend()
    return ax


def plot_count_chart(chart: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Axes:
    """Unqualified count per period against its exact upper control limit.

    Parameters
    ----------
    chart
        One unit's rows of ``Alerts.charts`` (``period``, ``unqualified``, ``expected``,
        ``ucl_count``, ``sampled``, ``limits_signal``); a period whose limit is above its sample
        count cannot signal and shows no limit.
    """
    ax = axes_or_new(ax, (7, 4))
    x = chart["period"].to_numpy()
    ax.bar(x, chart["sampled"], color="0.85", label=label("抽检批次", "samples"))
    ax.plot(x, chart["unqualified"], "o-", color="tab:blue", label=label("不合格", "unqualified"))
    ax.plot(x, chart["expected"], color="0.4", ls=":", label=label("预期", "expected"))
    reach = (chart["ucl_count"] <= chart["sampled"]).to_numpy()
    ax.plot(x[reach], chart["ucl_count"].to_numpy()[reach], "_", color="tab:red", ms=18, mew=2,
            label=label("控制上限", "upper limit (exact)"))
    flag = chart["limits_signal"].to_numpy(bool)
    ax.plot(x[flag], chart["unqualified"].to_numpy()[flag], "o", mfc="none", mec="tab:red", ms=12)
    ax.set_xlabel(label("期", "period"))
    _integer_x(ax)
    ax.set_ylabel(label("批次", "samples"))
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def plot_bernoulli_cusum(chart: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Axes:
    """The Bernoulli CUSUM of one unit: its highest value in each period, and ``h``.

    Parameters
    ----------
    chart
        One unit's rows of ``Alerts.charts`` (``period``, ``cusum_max``, ``cusum``, ``cusum_h``,
        ``cusum_signal``).
    """
    ax = axes_or_new(ax, (7, 4))
    x = chart["period"].to_numpy()
    ax.plot(x, chart["cusum_max"], "o-", color="tab:blue", label=label("期内最大值", "highest in period"))
    ax.plot(x, chart["cusum"], "s", color="tab:blue", mfc="none", label=label("期末值", "end of period"))
    ax.axhline(float(chart["cusum_h"].iloc[0]), color="tab:red", ls="--", label="h")
    flag = chart["cusum_signal"].to_numpy(bool)
    ax.plot(x[flag], chart["cusum_max"].to_numpy()[flag], "o", mfc="none", mec="tab:red", ms=12)
    ax.set_xlabel(label("期", "period"))
    _integer_x(ax)
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax
