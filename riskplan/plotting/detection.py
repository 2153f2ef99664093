"""Static charts of what a plan can detect beside other allocations (matplotlib; every function takes ``ax``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from riskplan.allocation.detection import ALLOCATIONS
from riskplan.plotting.axes import axes_or_new
from riskplan.plotting.fonts import label

__all__ = ["plot_detection_comparison"]

_NAMES = {
    "plan": ("本计划", "this plan"),
    "detection": ("检出最优", "detection-optimal"),
    "population": ("按人口", "by population"),
    "uniform": ("均匀", "uniform"),
}
_MEASURES = {
    "expected_detections": ("预期检出不合格批次", "expected unqualified samples found"),
    "sensitivity": ("监测灵敏度 (p*)", "surveillance sensitivity at p*"),
    "strata_with_find": ("预期有检出的层数", "expected strata with a find"),
}
_COLOURS = {"plan": "#dd8452", "detection": "#55a868", "population": "#4c72b0", "uniform": "#8c8c8c"}


def plot_detection_comparison(
    comparison: pd.DataFrame, level: str = "township", measure: str = "expected_detections",
    ax: Axes | None = None, names: dict[str, str] | None = None,
) -> Axes:
    """Grouped bars of one detection measure per township (or category), one bar per allocation.

    Parameters
    ----------
    comparison
        :func:`riskplan.allocation.compare_detection`.
    level
        ``township``, ``category`` or ``district``.
    measure
        ``expected_detections`` [samples], ``sensitivity`` [-] or ``strata_with_find`` [strata].
    ax
        Matplotlib axes to draw on (a new figure when None).
    names
        Optional display name per code.

    Returns
    -------
    The axes.

    Raises
    ------
    ValueError
        For an unknown level or measure.
    """
    if measure not in _MEASURES:
        raise ValueError(f"measure must be one of {', '.join(_MEASURES)}, got {measure!r}")
    part = comparison[comparison["level"] == level]
    if part.empty:
        raise ValueError(f"the comparison has no rows of level {level!r}")
    wide = part.pivot(index="key", columns="allocation", values=measure)
    shown = [a for a in ALLOCATIONS if a in wide.columns]
    ax = axes_or_new(ax, (max(6, 0.5 * len(wide) + 2), 4))
    x = np.arange(len(wide))
    width = 0.8 / max(len(shown), 1)
    for j, name in enumerate(shown):
        ax.bar(x + (j - (len(shown) - 1) / 2) * width, wide[name].to_numpy(dtype=float), width,
               color=_COLOURS.get(name), label=label(*_NAMES.get(name, (name, name))))
    ticks = [names.get(k, k) if names else k for k in wide.index]
    ax.set_xticks(x, ticks, rotation=90 if len(wide) > 6 else 0, fontsize=8)
    ax.set_ylabel(label(*_MEASURES[measure]))
    zh = {"township": "镇街", "category": "食品类别", "district": "全区"}
    ax.set_title(label(f"按{zh.get(level, level)}比较", f"by {level}"))
    ax.legend(frameon=False, fontsize=8)
    return ax
