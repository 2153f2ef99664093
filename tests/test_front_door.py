"""The front door: ``import riskplan as rp`` gives what a notebook needs, lazily, with short reprs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import riskplan as rp
from riskplan.dataset import Dataset


def test_every_exported_name_resolves_and_the_lists_agree() -> None:
    assert set(rp.__all__) == {"__version__"} | set(rp._SOURCE)
    assert len(rp.__all__) == len(set(rp.__all__))
    for name in rp.__all__:
        assert getattr(rp, name) is not None, name
    assert rp.plan.__module__ == "riskplan.api" and rp.Dataset is Dataset
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        rp.no_such_name  # noqa: B018 - the access itself is what is tested


def test_import_riskplan_loads_nothing_heavy() -> None:
    code = ("import sys, riskplan\n"
            "heavy = [m for m in ('pandas', 'ortools', 'geopandas', 'matplotlib', 'scipy') if m in sys.modules]\n"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_python_dash_m_runs_the_command_line() -> None:
    out = subprocess.run([sys.executable, "-m", "riskplan", "--version"], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == f"riskplan {rp.__version__}"


def test_plan_write_read_and_monitor_through_the_front_door(yunling: Dataset, yunling_config: rp.Config,
                                                            tmp_path: Path) -> None:
    plan = rp.plan(yunling, yunling_config, months="2026-06", seed=3)
    assert isinstance(plan, rp.Plan) and plan.dataset is yunling and plan.months == [6]
    text = repr(plan)
    assert "\n" not in text and text.startswith("Plan(2026-06, quota=")
    summary = plan.summary()
    assert summary.splitlines()[0].startswith(f"riskplan plan: {yunling.name}, 2026-06 (seed 3)")
    assert f"annual quota 年度任务量: {plan.quota} samples" in summary
    out = plan.write(tmp_path / "plan")
    folder = rp.read_plan(out)
    pd.testing.assert_series_equal(folder.allocation["samples"].reset_index(drop=True),
                                   plan.allocation["samples"].reset_index(drop=True), check_names=False,
                                   check_dtype=False)
    assert int(folder.shortfall["missing"].sum()) == plan.key_numbers()["shortfall"]
    status = rp.monitor(plan, yunling.results, do_replan=False)
    assert "\n" not in repr(status) and status.summary().startswith("riskplan monitor: as of ")
    assert f"/{plan.quota} (" in status.summary()


def test_every_result_object_has_a_short_repr_and_a_summary(yunling: Dataset, yunling_config: rp.Config) -> None:
    plan = rp.plan(yunling, yunling_config, months=6)
    alloc = plan.allocation_result
    assert alloc is not None
    from riskplan.pipeline import stage_calendar, stage_routes
    from riskplan.risk import backtest, fit_beta_binomial
    from riskplan.selection import select_dataset

    sel = select_dataset(yunling, plan.schedule, 6, yunling_config.selection, seed=1)
    calendar = stage_calendar(int(yunling.plan_year or 0), [6], yunling_config)
    routes = stage_routes(yunling, sel.visits, calendar, yunling_config, seed=1)
    fit = fit_beta_binomial([0, 6, 1, 11, 0, 9], [20, 20, 20, 20, 20, 20])
    objects = [alloc, sel, routes, fit]
    hist_years = sorted(set(yunling.history["sample_date"].dt.year))
    if len(hist_years) >= 2:
        objects.append(backtest(yunling, train_years=hist_years[:-1], test_year=hist_years[-1]))
    for obj in objects:
        text, summary = repr(obj), obj.summary()
        assert "\n" not in text and len(text) < 200, text
        assert summary and len(summary.splitlines()) <= 12, summary
    assert f"{alloc.total} samples (quota {alloc.quota})" in alloc.summary()
    assert f"{sel.delivered} of {sel.requested} requested" in sel.summary()
