"""Many districts: a province (or a city) planned district by district on a Dask cluster.

``riskplan plan --data PROVINCE`` (and :func:`plan_province` from a notebook) plans each district
folder as one task on a :mod:`dask.distributed` cluster (a local one sized to the machine, or an
existing one by address), writes each district's plan folder atomically under ``OUT/<district>/``
exactly as planning it alone would, and the provincial summary under ``OUT/province/``;
``riskplan monitor --plan OUT`` (:func:`monitor_province`) does the same for the year's results.

Modules: ``sources`` (the district folders, configuration merged key by key), ``task`` (one
district on a worker), ``figures`` (a district's summary row), ``folders`` (what ``OUT`` may hold,
sweeping a dead worker's leftovers), ``cluster`` (the Dask client), ``priors`` (province-level
category priors), ``summary`` (``OUT/province/``), ``run`` (the whole run), ``monitor`` (the year's
results, district by district), ``backtest`` (do province priors predict better?).

The names below load on first use (PEP 562): ``import riskplan.province.sources`` does not load
Dask, so a single district's command starts as fast as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from riskplan.province.backtest import province_backtest
    from riskplan.province.monitor import ProvinceMonitorResult, monitor_province
    from riskplan.province.run import ProvinceResult, plan_province
    from riskplan.province.sources import District, discover
    from riskplan.province.task import DistrictOutcome, DistrictTask, plan_district
    from riskplan.settings.province import ProvinceRules

_SOURCE: dict[str, str] = {
    "province_backtest": "riskplan.province.backtest",
    **dict.fromkeys(("ProvinceMonitorResult", "monitor_province"), "riskplan.province.monitor"),
    **dict.fromkeys(("ProvinceResult", "plan_province"), "riskplan.province.run"),
    **dict.fromkeys(("District", "discover"), "riskplan.province.sources"),
    **dict.fromkeys(("DistrictOutcome", "DistrictTask", "plan_district"), "riskplan.province.task"),
    "ProvinceRules": "riskplan.settings.province",
}
"""Name -> the module that defines it."""


def __getattr__(name: str) -> Any:
    """A name of :data:`__all__`, imported on first use."""
    if name in _SOURCE:
        return getattr(importlib.import_module(_SOURCE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SOURCE})


__all__ = ["District", "DistrictOutcome", "DistrictTask", "ProvinceMonitorResult", "ProvinceResult",
           "ProvinceRules", "discover", "monitor_province", "plan_district", "plan_province",
           "province_backtest"]
