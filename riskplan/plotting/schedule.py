"""Figures of the monthly schedule."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from riskplan.plotting.axes import axes_or_new
from riskplan.plotting.fonts import label

__all__ = ["plot_schedule"]


def plot_schedule(schedule: pd.DataFrame, planned: list[int], ax: Axes | None = None) -> Axes:
    """Bar chart of samples per month, the planned months highlighted."""
    ax = axes_or_new(ax, figsize=(7.0, 3.0))
    by = schedule.groupby("month")["samples"].sum().reindex(range(1, 13), fill_value=0)
    colours = ["#e6550d" if m in planned else "#bdbdbd" for m in by.index]
    ax.bar(by.index, by.values, color=colours)
    ax.set_xticks(range(1, 13))
    ax.set_xlabel(label("月份", "month"))
    ax.set_ylabel(label("批次", "samples"))
    return ax
