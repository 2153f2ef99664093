"""Checks of the inspections table (``inspections.csv``: inspections done, no samples).

Used by the dataset validation (:func:`riskplan.validation.tables.check_tables`) and by
``riskplan monitor --inspections FILE`` (:func:`riskplan.datasets.with_inspections`) alike.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from riskplan.validation.report import Reporter

__all__ = ["check_inspections"]


def check_inspections(df: pd.DataFrame, establishments: set[str], rep: Reporter,
                      plan_year: int | None = None, reference_date: dt.date | None = None) -> None:
    """Every inspection names a known establishment and is dated in the plan year.

    Parameters
    ----------
    df
        The inspections table as read (``establishment_id``, ``date``, ...).
    establishments
        IDs of the register.
    rep
        Where the problems go (file, row, column, value, what is wrong).
    plan_year
        An inspection dated in another year is an error (None: not checked).
    reference_date
        An inspection dated after it (the date the dataset is frozen at) is an error (None: not
        checked; a file given to ``riskplan monitor`` may run past it).
    """
    if not len(df) or "establishment_id" not in df.columns:
        return
    df = df.reset_index(drop=True)
    for pos, value in enumerate(df["establishment_id"]):
        if isinstance(value, str) and value not in establishments:
            rep("inspections", pos, "establishment_id", value,
                "unknown establishment (not in establishments)", "被检查主体不存在（establishments 中没有）")
    if "date" not in df.columns:
        return
    ref = pd.Timestamp(reference_date) if reference_date is not None else None
    for pos, date in enumerate(df["date"]):
        if pd.isna(date):
            continue
        if plan_year is not None and date.year != plan_year:
            rep("inspections", pos, "date", date.date(),
                f"inspections must be from the plan year {plan_year}",
                f"检查日期应在计划年度 {plan_year} 内")
        elif ref is not None and date > ref:
            rep("inspections", pos, "date", date.date(),
                f"after the reference date {ref.date()} the data are frozen at",
                f"晚于数据基准日期 {ref.date()}")
