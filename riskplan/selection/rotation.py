"""Rotation window: establishments sampled recently are not drawn again.

Time is counted in calendar months: ``month_index = 12 * year + (month - 1)``. A shop last sampled
in month index ``L`` is eligible in plan month ``M`` when ``M - L >= window`` (its grade's
``SelectionRules.rotation_months``, or
``rotation_by_business_type`` for markets). Only sampling before the plan month counts (history dated on
or after its first day is ignored), together with visits already planned for earlier months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.settings.selection import SelectionRules


def month_index(year: int, month: int) -> int:
    """Months since year 0 of a (year, month): ``12 * year + month - 1``."""
    return 12 * int(year) + int(month) - 1


def _dates_to_month_index(dates: pd.Series, what: str) -> np.ndarray:
    try:
        d = pd.to_datetime(dates, errors="raise")
    except (ValueError, TypeError) as exc:
        raise RiskplanError(f"{what}: dates must be ISO YYYY-MM-DD ({exc})") from None
    return (12 * d.dt.year + d.dt.month - 1).to_numpy(dtype=float, na_value=np.nan)


def planned_month_index(planned: pd.DataFrame) -> pd.DataFrame:
    """``establishment_id, month_index`` of visits planned earlier.

    ``planned`` has ``establishment_id`` and either ``year`` and ``month`` columns (as the visits of
    :func:`riskplan.selection.select`) or a ``date`` / ``sample_date`` column.
    """
    if "establishment_id" not in planned.columns:
        raise RiskplanError("planned visits need an establishment_id column")
    if {"year", "month"} <= set(planned.columns):
        mi = 12 * planned["year"].astype(int) + planned["month"].astype(int) - 1
        mi = mi.to_numpy(dtype=float)
    else:
        col = "date" if "date" in planned.columns else "sample_date"
        if col not in planned.columns:
            raise RiskplanError("planned visits need year and month columns, or a date column")
        mi = _dates_to_month_index(planned[col], "planned visits")
    return pd.DataFrame({"establishment_id": planned["establishment_id"].astype(str), "month_index": mi})


def rotation_table(
    establishments: pd.DataFrame,
    history: pd.DataFrame | None,
    year: int,
    month: int,
    rules: SelectionRules,
    planned: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Eligibility of every establishment in the plan month (the rule :func:`select` applies).

    Parameters
    ----------
    establishments
        The register (``establishment_id``, ``risk_grade``, ``business_type``).
    history
        Past samples (``establishment_id``, ``sample_date``), or None.
    year, month
        The plan month.
    rules
        ``rotation_months`` and ``rotation_by_business_type``.
    planned
        Visits planned for earlier months (see :func:`planned_month_index`), or None.

    Returns
    -------
    pandas.DataFrame
        ``establishment_id``, ``risk_grade``, ``last_month_index`` (NaN if never sampled),
        ``months_since`` (NaN if never), ``window_months`` and ``eligible`` (bool).
    """
    ids = establishments["establishment_id"].astype(str).to_numpy()
    pos_of = {e: i for i, e in enumerate(ids)}
    pos, mi = history_positions(history, pos_of, planned)
    last = last_month_index(ids.size, pos, mi, year, month)
    since = month_index(year, month) - last
    window = rules.window_months(establishments["risk_grade"], establishments["business_type"])
    return pd.DataFrame(
        {
            "establishment_id": ids,
            "risk_grade": establishments["risk_grade"].to_numpy(),
            "last_month_index": last,
            "months_since": since,
            "window_months": window.astype(int),
            "eligible": np.isnan(since) | (since >= window),
        }
    )


def _positions(ids: pd.Series, pos_of: dict[str, int]) -> np.ndarray:
    """Register position of each id, NaN where not in ``pos_of``.

    A dict look-up per row: ``Series.map`` over a string column costs ten times as much.
    """
    return np.array([pos_of.get(e, np.nan) for e in ids.tolist()], dtype=float)


def history_positions(
    history: pd.DataFrame | None, pos_of: dict[str, int], planned: pd.DataFrame | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Register positions and month indexes of past samples and planned visits (array form).

    Rows whose establishment is not in ``pos_of`` are left out.
    """
    pos_parts, mi_parts = [], []
    if history is not None and len(history):
        missing = {"establishment_id", "sample_date"} - set(history.columns)
        if missing:
            raise RiskplanError(f"history lacks column(s): {', '.join(sorted(missing))}")
        pos_parts.append(_positions(history["establishment_id"].astype(str), pos_of))
        mi_parts.append(_dates_to_month_index(history["sample_date"], "history"))
    if planned is not None and len(planned):
        pm = planned_month_index(planned)
        pos_parts.append(_positions(pm["establishment_id"], pos_of))
        mi_parts.append(pm["month_index"].to_numpy(dtype=float))
    if not pos_parts:
        return np.array([], dtype=int), np.array([], dtype=float)
    pos = np.concatenate(pos_parts)
    mi = np.concatenate(mi_parts)
    ok = ~np.isnan(pos) & ~np.isnan(mi)
    return pos[ok].astype(int), mi[ok]


def last_month_index(n_establishments: int, pos: np.ndarray, mi: np.ndarray, year: int, month: int) -> np.ndarray:
    """Latest month index before the plan month per register position (NaN: never sampled)."""
    m = month_index(year, month)
    last = np.full(n_establishments, np.nan)
    before = mi < m
    np.fmax.at(last, pos[before], mi[before])
    return last


def eligible_mask(
    n_establishments: int, pos: np.ndarray, mi: np.ndarray, window: np.ndarray, year: int, month: int
) -> np.ndarray:
    """Eligibility per register position from :func:`history_positions` arrays and windows [months]."""
    last = last_month_index(n_establishments, pos, mi, year, month)
    return np.isnan(last) | (month_index(year, month) - last >= window)
