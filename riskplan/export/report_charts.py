"""The report's charts (matplotlib): drawn by a worker process while the plan is written.

Apart from :mod:`riskplan.export.report` so that the process that makes the plan need not import
matplotlib (:func:`riskplan.workers.call`).
"""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from riskplan.allocation.detection import compare_detection  # noqa: E402
from riskplan.export.map_drawing import figure_png  # noqa: E402
from riskplan.plotting.allocation import plot_allocation_by_township  # noqa: E402
from riskplan.plotting.detection import plot_detection_comparison  # noqa: E402
from riskplan.plotting.fonts import label  # noqa: E402
from riskplan.plotting.schedule import plot_schedule  # noqa: E402

__all__ = ["charts_from"]


def charts_from(allocation: pd.DataFrame, schedule: pd.DataFrame, months: list[int], townships: pd.DataFrame,
                detection: Any, dpi: int = 90) -> dict[str, bytes]:
    """PNG bytes of the report's charts, by file name, from :func:`riskplan.export.report.chart_inputs`.

    Parameters
    ----------
    allocation, schedule, months
        The plan's allocation and schedule tables and its months.
    townships
        ``township_code``, ``population`` and the names (no geometry needed).
    detection
        The detection settings (``DetectionRules``), or None for a plan without a detection table.
    dpi
        Resolution [dots per inch].
    """
    out = {}
    if detection is not None:
        residents = townships.set_index("township_code")["population"]
        cmp = compare_detection(allocation, residents, detection)
        col = label("name_zh", "name_en")
        names = (dict(zip(townships["township_code"].astype(str), townships[col].astype(str)))
                 if col in townships.columns else None)
        fig, axes = plt.subplots(2, 1, figsize=(8, 7))
        plot_detection_comparison(cmp, "township", "expected_detections", ax=axes[0], names=names)
        plot_detection_comparison(cmp, "township", "sensitivity", ax=axes[1], names=names)
        fig.tight_layout()
        out["detection_comparison.png"] = figure_png(fig, dpi)
    fig, ax = plt.subplots(figsize=(7, 4))
    plot_allocation_by_township(allocation, townships, ax=ax)
    fig.tight_layout()
    out["allocation_by_township.png"] = figure_png(fig, dpi)
    fig, ax = plt.subplots(figsize=(7, 3))
    plot_schedule(schedule, months, ax=ax)
    fig.tight_layout()
    out["schedule_by_month.png"] = figure_png(fig, dpi)
    return out
