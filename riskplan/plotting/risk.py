"""Static plots of the risk scores (matplotlib); every function takes an optional ``ax``."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from riskplan.plotting.axes import axes_or_new
from riskplan.plotting.fonts import label
from riskplan.plotting.maps import plot_townships


def funnel_plot(scores: pd.DataFrame, ax: Axes | None = None, *, limits: tuple[float, ...] = (0.95, 0.998)) -> Axes:
    """Raw and shrunk unqualified rates against the number of samples, with funnel limits.

    Parameters
    ----------
    scores
        Output of :func:`riskplan.risk.score`.
    ax
        Matplotlib axes to draw on (a new figure when None).
    limits
        Two-sided coverage of the funnel lines around the district rate (normal approximation).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from scipy import stats

    ax = axes_or_new(ax, (7, 4.5))
    s = scores[scores["n_samples"] > 0]
    p0 = s["n_fail"].sum() / s["n_samples"].sum()
    n = np.geomspace(1, max(float(s["n_samples"].max()), 2.0), 200)
    for cov, style in zip(limits, ("--", ":")):
        z = stats.norm.ppf(0.5 + cov / 2)
        half = z * np.sqrt(p0 * (1 - p0) / n)
        ax.plot(n, np.clip(p0 + half, 0, 1), "k" + style, lw=0.8, label=f"{cov:.1%} limits")
        ax.plot(n, np.clip(p0 - half, 0, 1), "k" + style, lw=0.8)
    ax.axhline(p0, color="k", lw=0.8)
    ax.scatter(s["n_samples"], s["raw_rate"], s=12, facecolors="none", edgecolors="tab:gray",
               label=label("原始不合格率", "raw rate"))
    ax.scatter(s["n_samples"], s["rate_mean"], s=10, color="tab:red", alpha=0.7,
               label=label("收缩后估计", "shrunk rate"))
    ax.set_xscale("log")
    ax.set_xlabel(label("抽样批次", "samples per stratum"))
    ax.set_ylabel(label("不合格率", "unqualified rate"))
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(label("漏斗图：原始与收缩估计", "Funnel plot: raw vs shrunk rates"))
    return ax


def shrinkage_plot(scores: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Raw rate (x) against shrunk rate (y); point size grows with the samples.

    Points far below the diagonal on the right are sparse strata with a lucky high raw rate;
    the horizontal band at the left are 0-of-n strata lifted off zero.
    """
    ax = axes_or_new(ax, (5.5, 5))
    s = scores[scores["n_samples"] > 0]
    hi = float(max(s["raw_rate"].max(), s["rate_mean"].max())) * 1.05
    ax.plot([0, hi], [0, hi], color="k", lw=0.8)
    sc = ax.scatter(s["raw_rate"], s["rate_mean"], s=5 + 60 * np.sqrt(s["n_samples"] / s["n_samples"].max()),
                    c=np.log10(s["n_samples"]), cmap="viridis", alpha=0.7)
    ax.figure.colorbar(sc, ax=ax, label="log10 samples")
    ax.set_xlabel(label("原始不合格率", "raw rate"))
    ax.set_ylabel(label("收缩后估计", "shrunk rate"))
    ax.set_title(label("收缩：稀疏层向组均值靠拢", "Shrinkage: sparse strata move to their group"))
    return ax


def interval_plot(scores: pd.DataFrame, top: int = 20, ax: Axes | None = None) -> Axes:
    """The ``top`` strata by weight with their posterior mean and credible interval."""
    s = scores.nsmallest(top, "rank").iloc[::-1]
    ax = axes_or_new(ax, (7, 0.28 * len(s) + 1.2))
    y = np.arange(len(s))
    ax.hlines(y, s["rate_lo"], s["rate_hi"], color="tab:blue")
    ax.plot(s["rate_mean"], y, "o", color="tab:blue", ms=4, label=label("后验均值", "posterior mean"))
    ax.plot(s["raw_rate"], y, "x", color="tab:gray", ms=4, label=label("原始", "raw"))
    ax.set_yticks(y, [f"{r.rank}. {r.stratum_id}" for r in s.itertuples()], fontsize=7)
    ax.set_xlabel(label("不合格率（90%可信区间）", "unqualified rate (credible interval)"))
    ax.legend(fontsize=8)
    return ax


def township_map(scores: pd.DataFrame, townships: gpd.GeoDataFrame, ax: Axes | None = None,
                 column: str = "weight_share") -> Axes:
    """Choropleth of the township totals of ``column`` (default: share of the risk weight).

    Parameters
    ----------
    scores
        Output of :func:`riskplan.risk.score`.
    townships
        GeoDataFrame with ``township_code`` and polygons (``Dataset.townships``).
    ax
        Matplotlib axes to draw on (a new figure when None).
    column
        Column of ``scores`` summed per township.

    Returns
    -------
    matplotlib.axes.Axes
    """
    tot = scores.groupby("township_code")[column].sum()
    g = townships.assign(risk_total=townships["township_code"].map(tot).fillna(0.0).to_numpy())
    ax = plot_townships(g, column="risk_total", ax=axes_or_new(ax, (6, 6)), cmap="OrRd")
    ax.set_title(label(f"各镇街风险权重（{column}）", f"Risk by township ({column})"))
    return ax
