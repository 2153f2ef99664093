"""Collector of input problems, shared by the readers and the validator.

Each problem is one row of the problems table (``file``, ``row``, ``column``, ``value``,
``message_en``, ``message_zh``, ``level``, one of :data:`LEVELS`) that
:func:`riskplan.validation.validate_dataset` returns and :class:`riskplan.errors.ValidationError`
carries (its error-level rows).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

PROBLEM_COLUMNS: tuple[str, ...] = (
    "file", "row", "column", "value", "message_en", "message_zh", "level",
)
"""Columns of a problems table."""

LEVELS: tuple[str, ...] = ("error", "warning", "info")
"""Problem levels, most serious first: ``error`` (the data cannot be used as they are: validation
fails), ``warning`` (kept and reported) and ``info`` (a remark that needs no action to plan, e.g. a
column riskplan does not use)."""


def _text(value: object) -> str:
    """Value as short text for the report ('' for missing)."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Problems:
    """An append-only list of problems found in one dataset."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []

    def add(
        self,
        file: str,
        row: int | None,
        column: str,
        value: object,
        message_en: str,
        message_zh: str,
        level: str = "error",
    ) -> None:
        """Record one problem; ``row`` is the 1-based data row (None for table-level problems)."""
        if level not in LEVELS:  # a programming error, not bad input
            raise ValueError(f"unknown problem level {level!r}; expected one of {LEVELS}")
        self._rows.append(
            {
                "file": file,
                "row": None if row is None else int(row),
                "column": column or "",
                "value": _text(value),
                "message_en": message_en,
                "message_zh": message_zh,
                "level": level,
            }
        )

    def extend(self, other: Problems) -> None:
        """Append every problem of ``other``."""
        self._rows.extend(other._rows)

    @property
    def has_errors(self) -> bool:
        """Whether any problem is error-level."""
        return any(r["level"] == "error" for r in self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame (``row`` is an object column: int, or None when empty)."""
        df = pd.DataFrame(self._rows, columns=list(PROBLEM_COLUMNS))
        df["row"] = pd.Series([r["row"] for r in self._rows], dtype=object)
        return df

    def file_failed(self, file: str) -> bool:
        """Whether a table-level error was already recorded for ``file`` (missing, unreadable)."""
        return any(r["file"] == file and r["row"] is None and r["level"] == "error"
                   and not r["column"] for r in self._rows)
