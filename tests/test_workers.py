"""Worker processes beside the main one (riskplan.workers): the same plan and the same files with
or without them, whichever process did the work."""

from __future__ import annotations

import contextlib
import dataclasses

import pandas as pd
import pytest

from riskplan.export.plan_folder import write_plan
from riskplan.export.plan_maps import PlanMaps
from riskplan.pipeline import run_plan
from riskplan.workers import pool_size, process_pool, workers


@pytest.fixture(scope="module")
def pool():
    """Two worker processes for the module's tests."""
    shared = process_pool(2)
    assert shared is not None and pool_size(shared) == 2
    yield shared
    shared.shutdown(wait=True, cancel_futures=True)


def test_worker_count_setting() -> None:
    assert workers(3) == 3
    assert workers(0) >= 1  # one per CPU


def test_day_routes_solved_by_workers_are_the_same(yunling, yunling_config, pool) -> None:
    """Yunling's March and April with two processes solving day routes beside this one: the
    stops, routes and lab days of the plan solved here alone, row for row."""
    here = run_plan(yunling, yunling_config, [3, 4], seed=0)
    beside = run_plan(yunling, yunling_config, [3, 4], seed=0, pool=pool)
    assert len(here.stops) > 20 and here.routes["date"].nunique() > 4
    pd.testing.assert_frame_equal(here.stops, beside.stops)
    pd.testing.assert_frame_equal(here.routes, beside.routes)
    pd.testing.assert_frame_equal(here.lab_days, beside.lab_days)
    pd.testing.assert_frame_equal(here.unassigned, beside.unassigned)


def test_maps_drawn_month_by_month_are_the_files_of_one_write(yunling, yunling_config, pool, tmp_path) -> None:
    """The maps of each month started as soon as it is routed (run_plan's on_month hook, the
    workers shared with the day routes) and the report's charts as soon as the schedule is known
    (on_schedule), then the folder written: every file byte for byte the folder written from the
    finished plan alone (maps and charts drawn by write_plan's own workers)."""
    config = yunling_config.replace(export=dataclasses.replace(yunling_config.export, map_dpi=40))
    months: list[int] = []
    with contextlib.ExitStack() as stack:
        drawn = stack.enter_context(PlanMaps(yunling, config.export, pool))

        def started(month: int, stops: pd.DataFrame, routes: pd.DataFrame) -> None:
            months.append(month)
            drawn.add_month(month, stops, routes)

        early = run_plan(yunling, config, [3, 4], seed=0, on_month=started, pool=pool,
                         on_schedule=drawn.add_schedule)
        assert months == [3, 4] and len(drawn.drawing.tasks) > 0  # drawing began before write_plan
        assert drawn.charts is not None  # the report's charts too
        write_plan(early, yunling, tmp_path / "early", maps=drawn)
    late = run_plan(yunling, config, [3, 4], seed=0)
    write_plan(late, yunling, tmp_path / "late")
    files = sorted(p.relative_to(tmp_path / "late") for p in (tmp_path / "late").rglob("*") if p.is_file())
    assert sorted(p.relative_to(tmp_path / "early") for p in (tmp_path / "early").rglob("*")
                  if p.is_file()) == files
    pngs = [f for f in files if f.suffix == ".png" and f.parts[0] == "maps"]
    assert len(pngs) == late.routes.groupby(["station_id", "date"]).ngroups > 4
    assert len([f for f in files if f.suffix == ".png" and f.parts[0] == "report"]) >= 3
    for f in files:
        if f.name != "manifest.json":  # the run time differs
            assert (tmp_path / "early" / f).read_bytes() == (tmp_path / "late" / f).read_bytes(), f


def test_meanwhile_runs_its_job_once_when_asked_or_at_result() -> None:
    """A job given with meanwhile runs at the first run_meanwhile inside its block, never twice;
    a block that never asks runs it at result(); its error reaches the caller that ran it."""
    from riskplan.workers import meanwhile, run_meanwhile

    calls: list[str] = []
    run_meanwhile()  # outside any block: nothing to do
    with meanwhile(lambda: calls.append("a") or 7) as job:
        assert not job.done and calls == []
        run_meanwhile()
        run_meanwhile()
        assert job.done and calls == ["a"]
    assert job.result() == 7 and calls == ["a"] and job.seconds >= 0.0

    with meanwhile(lambda: calls.append("b") or 8) as late:
        pass
    assert not late.done and late.result() == 8 and calls == ["a", "b"]
    run_meanwhile()  # the block is over: its job is not run again
    assert calls == ["a", "b"]

    def fails() -> None:
        raise ValueError("no establishment")

    with meanwhile(fails) as broken:
        with pytest.raises(ValueError, match="no establishment"):
            run_meanwhile()
    assert broken.done and broken.result() is None  # spent: the error was raised once


def test_the_next_month_is_selected_while_the_day_routes_are_solved(yunling, yunling_config, pool) -> None:
    """With worker processes, run_plan selects month m + 1 while month m's day routes are solved
    (routing.day.solve_days runs the job): the plan is the one made without workers, where each
    month is selected after the one before is routed (visits, stops, shortfall row for row)."""
    here = run_plan(yunling, yunling_config, [3, 4, 5], seed=0)
    beside = run_plan(yunling, yunling_config, [3, 4, 5], seed=0, pool=pool)
    pd.testing.assert_frame_equal(here.visits, beside.visits)
    pd.testing.assert_frame_equal(here.stops, beside.stops)
    pd.testing.assert_frame_equal(here.shortfall, beside.shortfall)
    assert beside.timings["routes"] > 0 and beside.timings["selection"] > 0
