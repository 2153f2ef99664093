"""Local seasons a categories table declares (``local_seasons`` column).

A cell holds ``;``-separated items ``label:months``, e.g. ``杨梅 bayberry:6;瓯柑 Ouhai mandarin:11-12``
or ``野生菌 wild mushrooms:6-9``: the label shown in reports and the months (1-12) of the season,
as single months, ranges ``a-b`` (``11-2`` wraps over the new year) or both, comma-separated.
A full-width colon ``：`` or comma ``，`` is accepted. The season's configuration key is the
label's ASCII words joined by ``_`` in lower case (``bayberry``, ``ouhai_mandarin``), or the
label itself when it has none.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from riskplan.roles.lookup import RoleTables
from riskplan.tables import split_list

__all__ = ["LocalSeason", "parse_months", "season_key", "local_seasons", "season_problems"]


@dataclasses.dataclass(frozen=True)
class LocalSeason:
    """A season one or more categories declare.

    Attributes
    ----------
    key
        Configuration key (``schedule.season_categories.<key>``).
    label
        Label for reports, as written in the table.
    months
        Months of the season (1-12), sorted.
    categories
        Category codes declaring it, in table order.
    """

    key: str
    label: str
    months: tuple[int, ...]
    categories: tuple[str, ...]


def parse_months(text: str) -> tuple[int, ...]:
    """Months of ``"6"``, ``"6-9"``, ``"11-2"`` (wrapping), ``"5,6,9-10"``.

    Raises
    ------
    ValueError
        For anything else, or a month outside 1-12.
    """
    months: set[int] = set()
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    if not parts or not all(parts):
        raise ValueError(f"no months in {text!r}")
    for part in parts:
        m = re.fullmatch(r"(\d{1,2})(?:\s*[-~–至]\s*(\d{1,2}))?", part)
        if not m:
            raise ValueError(f"{part!r} is not a month or a range of months")
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if not (1 <= a <= 12 and 1 <= b <= 12):
            raise ValueError(f"month {a if not 1 <= a <= 12 else b} is not 1-12")
        months.update(range(a, b + 1) if a <= b else [*range(a, 13), *range(1, b + 1)])
    return tuple(sorted(months))


def season_key(label: str) -> str:
    """Configuration key of a season label: its ASCII words, lower case, joined by ``_``."""
    words = re.findall(r"[A-Za-z0-9]+", label)
    return "_".join(w.lower() for w in words) if words else label.strip()


def _items(cell: object) -> list[tuple[str, str]]:
    out = []
    for item in split_list(pd.Series([cell])).iloc[0]:
        label, sep, months = item.replace("：", ":").rpartition(":")
        out.append((label.strip(), months.strip()) if sep else ("", item))
    return out


def season_problems(categories: pd.DataFrame) -> list[tuple[int, str, str]]:
    """``(row position, cell, what is wrong)`` for every malformed ``local_seasons`` item."""
    if "local_seasons" not in categories.columns:
        return []
    found = []
    for pos, cell in enumerate(categories["local_seasons"].tolist()):
        for label, months in _items(cell):
            if not label:
                found.append((pos, str(cell), f"{months!r} is not 'label:months' (e.g. 杨梅 bayberry:6)"))
                continue
            try:
                parse_months(months)
            except ValueError as exc:
                found.append((pos, str(cell), f"season {label!r}: {exc}"))
    return found


def local_seasons(dataset: RoleTables) -> list[LocalSeason]:
    """The seasons the categories table declares, in order of first appearance.

    Malformed items are skipped (validation reports them). A label declared by several
    categories is one season; months given differently are merged.
    """
    cats = dataset.categories
    if "local_seasons" not in cats.columns:
        return []
    found: dict[str, tuple[str, set[int], list[str]]] = {}
    for code, cell in zip(cats["category_code"].astype(str), cats["local_seasons"].tolist()):
        for label, text in _items(cell):
            try:
                months = parse_months(text)
            except ValueError:
                continue
            if not label:
                continue
            key = season_key(label)
            lab, ms, codes = found.setdefault(key, (label, set(), []))
            ms.update(months)
            if code not in codes:
                codes.append(code)
    return [LocalSeason(k, lab, tuple(sorted(ms)), tuple(codes)) for k, (lab, ms, codes) in found.items()]
