"""Conventions every table shares: the stratum key, ``;`` lists, booleans, the station of a township.

These are the few rules of ``docs/contracts.md`` that code in every layer needs; they depend on
pandas only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError

__all__ = [
    "DateLike",
    "STRATUM_KEY",
    "TRUE_TEXTS",
    "FALSE_TEXTS",
    "stratum_id",
    "split_list",
    "as_bool",
    "explode_categories",
    "station_of_township",
    "WEEKDAYS",
    "parse_weekdays",
]

DateLike: TypeAlias = dt.date | str | pd.Timestamp
"""A date as ``datetime.date``, ``"YYYY-MM-DD"`` text or a pandas Timestamp."""

STRATUM_KEY: tuple[str, str, str] = ("township_code", "business_type", "category_code")
"""The columns that identify a stratum (see docs/contracts.md)."""

TRUE_TEXTS: frozenset[str] = frozenset({"true", "1", "yes", "y", "t", "是", "真"})
"""Texts read as true (after stripping and lower-casing)."""

FALSE_TEXTS: frozenset[str] = frozenset({"false", "0", "no", "n", "f", "否", "假"})
"""Texts read as false (after stripping and lower-casing)."""


def stratum_id(df: pd.DataFrame) -> pd.Series:
    """``"township_code|business_type|category_code"`` for every row of ``df``."""
    town, btype, cat = (df[k].astype(str) for k in STRATUM_KEY)
    return (town + "|" + btype + "|" + cat).rename("stratum_id")


def split_list(series: pd.Series) -> pd.Series:
    """Split a ``;``-separated list column into a Series of Python lists.

    Empty cells give ``[]``; items are stripped and empty items dropped; a full-width ``；``
    separates items too.
    """
    out = [items.copy() for items in _split_items(series.tolist())]  # each row its own list
    return pd.Series(out, index=series.index, dtype=object, name=series.name)


def _split_items(values: list[Any]) -> list[list[str]]:
    """:func:`split_list` of plain values; rows with the same text share one list (read only)."""

    def split(text: str) -> list[str]:
        return [item for item in (p.strip() for p in text.replace("；", ";").split(";")) if item]

    seen: dict[str, list[str]] = {}  # lists repeat (the same categories in many rows): split once
    out: list[list[str]] = []
    for v in values:
        if isinstance(v, str):
            items = seen.get(v)
            if items is None:
                items = seen[v] = split(v)
            out.append(items)
        elif v is None or pd.isna(v):
            out.append([])
        else:
            out.append(split(str(v)))
    return out


def as_bool(series: pd.Series, missing: bool = False) -> pd.Series:
    """Booleans from a column of booleans, numbers or text, as the readers parse them.

    Text ``true``/``false``, ``1``/``0``, ``yes``/``no``, ``y``/``n``, ``t``/``f``, ``是``/``否``,
    ``真``/``假`` (any case, surrounding spaces ignored); numbers are true when non-zero.

    Parameters
    ----------
    series
        The column.
    missing
        Value given to missing or empty cells.

    Returns
    -------
    pandas.Series
        ``bool`` dtype, same index and name.

    Raises
    ------
    RiskplanError
        For a value that is not a boolean, naming the column.
    """

    def one(v: Any) -> bool:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return missing
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, float, np.integer, np.floating)):
            return bool(v != 0)
        low = str(v).strip().lower()
        if low == "":
            return missing
        if low in TRUE_TEXTS:
            return True
        if low in FALSE_TEXTS:
            return False
        raise RiskplanError(
            f"column '{series.name}': {v!r} is not a boolean (true/false) / 不是布尔值（true/false）"
        )

    return pd.Series([one(v) for v in series], index=series.index, dtype=bool, name=series.name)


def explode_categories(establishments: pd.DataFrame) -> pd.DataFrame:
    """One row per (establishment, category handled), with a ``category_code`` column.

    The other establishment columns are repeated; establishments with no category give no row.
    """
    lists = _split_items(establishments["categories"].tolist())
    rows = np.repeat(np.arange(len(lists)), [len(items) for items in lists])
    codes = pd.Series([code for items in lists for code in items], dtype=object).astype(str)
    return establishments.iloc[rows].reset_index(drop=True).assign(category_code=codes)


def station_of_township(stations: pd.DataFrame) -> dict[str, str]:
    """Township code -> ``station_id``, from the stations' ``township_codes`` (``;`` lists)."""
    return {
        code: str(sid)
        for sid, codes in zip(stations["station_id"], split_list(stations["township_codes"]))
        for code in codes
    }


WEEKDAYS: dict[str, int] = {
    **{n: i for i, n in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{n: i for i, n in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                   "sunday"))},
    **{str(i + 1): i for i in range(7)},
    **{f"周{c}": i for i, c in enumerate("一二三四五六日")},
    "周天": 6, "星期日": 6, "星期天": 6,
    **{f"星期{c}": i for i, c in enumerate("一二三四五六")},
}
"""Weekday names accepted in a ``;`` list of weekdays (0 = Monday): ``mon``, ``monday``, ``1`` (ISO
Monday = 1), ``周一``, ``星期一``; case-insensitive."""


def parse_weekdays(text: Any) -> frozenset[int] | None:
    """The weekdays (0 = Monday) of a ``;`` list such as ``mon;tue;wed;thu;fri``.

    Parameters
    ----------
    text
        The list (``;`` or ``,`` separated, see :data:`WEEKDAYS`); empty or missing: None.

    Returns
    -------
    frozenset of int or None
        None when ``text`` is empty (no restriction).

    Raises
    ------
    ValueError
        Naming the first item that is not a weekday.
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    items = [p.strip().lower() for p in str(text).replace("；", ";").replace(",", ";").split(";") if p.strip()]
    if not items:
        return None
    bad = [p for p in items if p not in WEEKDAYS]
    if bad:
        raise ValueError(f"{bad[0]!r} is not a weekday (mon ... sun, 1-7, 周一 ... 周日)")
    return frozenset(WEEKDAYS[p] for p in items)
