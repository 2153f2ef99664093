"""Inputs of the selection: checked tables, the month asked for, candidate establishments per stratum."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.selection.result import KEY
from riskplan.selection.streams import keyed_rng
from riskplan.settings.selection import GRADES, SelectionRules
from riskplan.tables import explode_categories


def require_columns(df: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    """Raise when ``df`` lacks any of ``cols``.

    Parameters
    ----------
    df
        The table to check.
    cols
        Column names it must have.
    what
        Name of the table in the message, e.g. ``"establishments"``.

    Raises
    ------
    RiskplanError
        Naming the table and every missing column.
    """
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise RiskplanError(f"{what} lacks column(s): {', '.join(missing)}")


def parse_month(month: int | str | pd.Period, year: int | None, schedule: pd.DataFrame) -> tuple[int, int]:
    """The (year, month) a selection is asked for.

    Parameters
    ----------
    month
        Month number 1-12, or ``"YYYY-MM"`` / a monthly period (which also gives the year).
    year
        Plan year for a month number; None: the schedule's ``attrs["plan_year"]`` (or ``"year"``).
    schedule
        The monthly schedule, consulted only for the plan year.

    Returns
    -------
    tuple of int
        ``(year, month)``.

    Raises
    ------
    RiskplanError
        A month that is neither 1-12 nor ``YYYY-MM``, or a month number with no known year.
    """
    if isinstance(month, str) or isinstance(month, pd.Period):
        try:
            p = pd.Period(month, freq="M")
        except ValueError:
            raise RiskplanError(f"month must be 1-12 or 'YYYY-MM', got {month!r}") from None
        return int(p.year), int(p.month)
    if isinstance(month, bool) or not isinstance(month, (int, np.integer)) or not 1 <= int(month) <= 12:
        raise RiskplanError(f"month must be 1-12 or 'YYYY-MM', got {month!r}")
    if year is None:
        year = schedule.attrs.get("plan_year", schedule.attrs.get("year"))
    if year is None:
        raise RiskplanError(
            "the plan year is unknown: pass year=... (e.g. dataset.plan_year) or month='YYYY-MM'"
        )
    return int(year), int(month)


@dataclasses.dataclass
class Prepared:
    """The register in array form, built once per call (or once per year in select_year)."""

    est: pd.DataFrame  # establishments, index reset, establishment_id as str
    ids: np.ndarray  # establishment_id per position
    pos_of: dict[str, int]
    window: np.ndarray  # rotation window per position [months]
    strata: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]  # key -> (positions, size)


def prepare(establishments: pd.DataFrame, rules: SelectionRules) -> Prepared:
    """The register in array form: ids, rotation windows and each stratum's candidates.

    Parameters
    ----------
    establishments
        The establishments table (``establishment_id`` unique).
    rules
        Selection settings (grade weights and rotation windows).

    Returns
    -------
    Prepared
        Positions and PPS sizes of the candidates of every stratum, sorted by establishment id.

    Raises
    ------
    RiskplanError
        Missing columns, risk grades other than A-D, or repeated establishment ids.
    """
    cand = prepare_candidates(establishments, rules)
    est = establishments.reset_index(drop=True)
    est = est.assign(establishment_id=est["establishment_id"].astype(str))
    if est["establishment_id"].duplicated().any():
        dup = est.loc[est["establishment_id"].duplicated(), "establishment_id"].head(5).tolist()
        raise RiskplanError(f"establishment_id must be unique; repeated: {', '.join(dup)}")
    ids = est["establishment_id"].to_numpy(dtype=object)
    pos_of = {e: i for i, e in enumerate(ids)}
    window = rules.window_months(est["risk_grade"], est["business_type"])
    # a dict look-up per row (Series.map over a string column costs ten times as much)
    cand = cand.assign(pos=np.array([pos_of[e] for e in cand["establishment_id"].tolist()], dtype=int))
    cand = cand.sort_values(KEY + ["establishment_id"], kind="stable")
    # split the sorted table at stratum boundaries with numpy (a pandas group-by over thousands
    # of small strata costs seconds)
    cols = [cand[k].to_numpy(dtype=object) for k in KEY]
    pos_arr = cand["pos"].to_numpy(dtype=int)
    size_arr = cand["size"].to_numpy(dtype=float)
    new_key = np.zeros(len(cand), dtype=bool)
    new_key[:1] = True
    for col in cols:
        new_key[1:] |= col[1:] != col[:-1]
    starts = np.flatnonzero(new_key).tolist() + [len(cand)]
    strata = {
        tuple(col[a] for col in cols): (pos_arr[a:b], size_arr[a:b])
        for a, b in zip(starts[:-1], starts[1:])
    }
    return Prepared(est, ids, pos_of, window, strata)


def prepare_candidates(establishments: pd.DataFrame, rules: SelectionRules) -> pd.DataFrame:
    """One row per (establishment, category handled), with its PPS size measure.

    Columns: the stratum key, ``establishment_id``, ``risk_grade``, ``size``.
    """
    require_columns(
        establishments,
        ["establishment_id", "township_code", "business_type", "categories", "risk_grade"],
        "establishments",
    )
    bad = ~establishments["risk_grade"].isin(GRADES)
    if bad.any():
        ids = establishments.loc[bad, "establishment_id"].astype(str).head(5).tolist()
        raise RiskplanError(f"risk_grade must be A-D; bad rows for {', '.join(ids)}")
    est = establishments[["establishment_id", "township_code", "business_type", "risk_grade"]].astype(str)
    size = establishments["risk_grade"].map(rules.grade_weights).astype(float)
    if rules.size_by_customers and "daily_customers" in establishments.columns:
        cust = pd.to_numeric(establishments["daily_customers"], errors="coerce").astype(float)
        est = est.assign(_cust=cust.to_numpy())
    est = est.assign(size=size.to_numpy(), categories=establishments["categories"].to_numpy())
    cand = explode_categories(est).drop(columns="categories")
    if "_cust" in cand.columns:
        med = cand.groupby(KEY)["_cust"].transform("median")
        cust = cand["_cust"].fillna(med).fillna(1.0).clip(lower=1.0)
        cand = cand.assign(size=cand["size"] * cust).drop(columns="_cust")
    return cand.reset_index(drop=True)


def stratum_rng(seed: int, year: int, month: int, key: tuple[str, str, str]) -> np.random.Generator:
    """The random stream of one stratum in one month.

    One stream per stratum: a stratum's draw does not depend on which other strata exist.

    Parameters
    ----------
    seed
        The run's seed.
    year, month
        The month drawn for.
    key
        The stratum key (township code, business type, category code).
    """
    return keyed_rng(seed, year, month, "|".join(key))
