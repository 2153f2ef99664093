"""Plan completion by month and cumulatively, against the quarterly targets.

Levels: ``"district"`` (one line), ``"township"`` or ``"stratum"`` (the key triple). The quarterly
targets are cumulative shares of the annual plan due at the end of March, June, September and
December (default 25/50/75/100 %). At a date ``as_of`` the share *due* is that of the last quarter
that has ended on or before it (mid-quarter nothing new is due yet); the schedule to date is the
plan's cumulative monthly samples through the last complete month.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from riskplan.settings.monitoring import MonitoringRules
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)


def level_keys(level: str) -> list[str]:
    """Grouping columns of a progress level."""
    return {"district": [], "township": ["township_code"], "stratum": KEY}[level]


def last_complete_month(as_of: pd.Timestamp) -> int:
    """Last month (1-12) fully elapsed at ``as_of`` (0 when none in this year)."""
    as_of = pd.Timestamp(as_of)
    return as_of.month if as_of.is_month_end else as_of.month - 1


def share_due(as_of: pd.Timestamp, rules: MonitoringRules) -> float:
    """Cumulative share of the annual plan due at ``as_of`` [fraction]."""
    q = last_complete_month(as_of) // 3
    return 0.0 if q == 0 else float(rules.quarterly_targets[q - 1])


def quarterly_target_curve(rules: MonitoringRules) -> pd.DataFrame:
    """Step curve of the cumulative target share by month (months 3, 6, 9, 12 carry the targets)."""
    share = [rules.quarterly_targets[m // 3 - 1] if m >= 3 else 0.0 for m in range(1, 13)]
    return pd.DataFrame({"month": range(1, 13), "target_share": share})


def _grouped(df: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    if keys:
        return df.groupby(keys + ["month"], as_index=False)[value].sum()
    return df.groupby("month", as_index=False)[value].sum()


def monthly_progress(
    schedule: pd.DataFrame, results: pd.DataFrame, rules: MonitoringRules | None = None,
    level: str = "district",
) -> pd.DataFrame:
    """Planned and done samples by month and cumulatively.

    Parameters
    ----------
    schedule
        The plan's monthly schedule (key columns, ``month``, ``samples``).
    results
        Validated results that count against the plan (key columns and ``month``), one row
        per sample.
    level
        ``"district"``, ``"township"`` or ``"stratum"``.

    Returns
    -------
    One row per (level unit, month 1-12): ``planned``, ``done``, ``cum_planned``, ``cum_done``,
    ``annual``, ``cum_planned_share``, ``cum_done_share`` and ``target_share`` [fraction].
    """
    rules = rules or MonitoringRules()
    keys = level_keys(level)
    plan = _grouped(schedule, keys, "samples").rename(columns={"samples": "planned"})
    done = _grouped(results.assign(done=1), keys, "done")
    units = (pd.concat([plan[keys], done[keys]]).drop_duplicates() if keys
             else pd.DataFrame(index=[0]))
    grid = units.merge(pd.DataFrame({"month": range(1, 13)}), how="cross")
    out = grid.merge(plan, on=keys + ["month"], how="left").merge(done, on=keys + ["month"], how="left")
    out[["planned", "done"]] = out[["planned", "done"]].fillna(0).astype(int)
    out = out.sort_values(keys + ["month"]).reset_index(drop=True)
    if keys:
        g = out.groupby(keys, sort=False)
        out["cum_planned"] = g["planned"].cumsum()
        out["cum_done"] = g["done"].cumsum()
        out["annual"] = g["planned"].transform("sum")
    else:
        out["cum_planned"] = out["planned"].cumsum()
        out["cum_done"] = out["done"].cumsum()
        out["annual"] = out["planned"].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cum_planned_share"] = out["cum_planned"] / out["annual"].where(out["annual"] > 0)
        out["cum_done_share"] = out["cum_done"] / out["annual"].where(out["annual"] > 0)
    out = out.merge(quarterly_target_curve(rules), on="month")
    return out


def behind(
    schedule: pd.DataFrame, results: pd.DataFrame, as_of: pd.Timestamp,
    rules: MonitoringRules | None = None, level: str = "township",
) -> pd.DataFrame:
    """Where the plan stands at ``as_of``, unit by unit, and what is behind by how much.

    Returns
    -------
    One row per unit of ``level``: ``annual``, ``done``, ``completion`` [fraction of annual],
    ``share_due`` [fraction], ``due`` (= ceil(share_due x annual) [samples]), ``gap_target``
    (samples short of ``due``, >= 0), ``scheduled`` (plan through the last complete month),
    ``gap_schedule`` (samples short of the schedule, >= 0), ``behind`` (``gap_target > 0``),
    sorted by the largest gap first.
    """
    rules = rules or MonitoringRules()
    as_of = pd.Timestamp(as_of)
    keys = level_keys(level)
    m = last_complete_month(as_of)
    mp = monthly_progress(schedule, results[results["sample_date"] <= as_of], rules, level)
    sel = mp[mp["month"] == max(m, 1)].copy()
    if m == 0:
        sel["cum_planned"] = 0
    share = share_due(as_of, rules)
    out = sel[keys + ["annual"]].copy()
    done_total = mp.groupby(keys)["done"].sum() if keys else pd.Series([mp["done"].sum()])
    out["done"] = done_total.to_numpy() if not keys else out.set_index(keys).index.map(done_total).to_numpy()
    out["completion"] = out["done"] / out["annual"].where(out["annual"] > 0)
    out["share_due"] = share
    out["due"] = [math.ceil(share * a - 1e-9) for a in out["annual"]]
    out["gap_target"] = (out["due"] - out["done"]).clip(lower=0)
    out["scheduled"] = sel["cum_planned"].to_numpy()
    out["gap_schedule"] = (out["scheduled"] - out["done"]).clip(lower=0)
    out["behind"] = out["gap_target"] > 0
    return out.sort_values(["gap_target", "gap_schedule"], ascending=False).reset_index(drop=True)
