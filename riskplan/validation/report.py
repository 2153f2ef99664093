"""Adding problems for a dataset's tables, each under the file name it was read from."""

from __future__ import annotations

from riskplan._problems import Problems
from riskplan.dataset import Dataset
from riskplan.schema import TABLES

__all__ = ["Reporter"]


class Reporter:
    """Adds problems for a dataset's tables, knowing each table's file name."""

    def __init__(self, dataset: Dataset, problems: Problems) -> None:
        files = (getattr(dataset, "metadata", None) or {}).get("files", {})
        self.files = {name: files.get(name, spec.file) for name, spec in TABLES.items()}
        self.problems = problems

    def __call__(self, table: str, pos: int | None, column: str, value: object, en: str, zh: str,
                 level: str = "error") -> None:
        """Record one problem of ``table``.

        Parameters
        ----------
        table
            Name of the table (its file name is looked up).
        pos
            0-based position of the row in the table (reported 1-based); None for a table-level
            problem.
        column
            The column at fault ('' for none).
        value
            The offending cell value (shown as short text).
        en, zh
            The message in English and Chinese.
        level
            One of :data:`riskplan._problems.LEVELS` (``"error"``, ``"warning"``, ``"info"``).
        """
        self.problems.add(self.files.get(table, table), None if pos is None else pos + 1,
                          column, value, en, zh, level)
