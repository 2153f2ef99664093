"""Checks of the tables the risk stage reads, with clear errors."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from riskplan.risk.errors import RiskInputError
from riskplan.tables import as_bool as io_as_bool
from riskplan.tables import explode_categories as io_explode


def require_columns(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise RiskInputError naming the table and the columns it lacks."""
    if df is None:
        raise RiskInputError(f"table '{table}' is missing")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise RiskInputError(
            f"table '{table}' lacks column(s) {', '.join(missing)} (has: {', '.join(map(str, df.columns))})"
        )


def check_codes(values: pd.Series, known: Iterable[str], table: str, column: str, against: str,
                hint: str = "") -> None:
    """Raise RiskInputError if ``values`` holds codes that are not in ``known`` (``hint`` appended)."""
    known_set = set(map(str, known))
    uniq = pd.unique(values.dropna()).astype(str)
    bad = [v for v in uniq if v not in known_set]
    if bad:
        shown = ", ".join(sorted(bad)[:8])
        more = f" and {len(bad) - 8} more" if len(bad) > 8 else ""
        raise RiskInputError(f"table '{table}', column '{column}': unknown code(s) {shown}{more} "
                             f"(not in {against}){hint}")


def as_bool(values: pd.Series) -> np.ndarray:
    """Booleans from True/False or text, parsed as :func:`riskplan.io.as_bool` does (missing: False)."""
    return io_as_bool(values).to_numpy()


def explode_categories(establishments: pd.DataFrame) -> pd.DataFrame:
    """One row per (establishment, category): :func:`riskplan.io.explode_categories`, fresh index."""
    return io_explode(establishments).reset_index(drop=True)
