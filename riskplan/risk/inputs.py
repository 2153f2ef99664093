"""Checks of the tables the risk stage reads, with clear errors."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from riskplan.risk.errors import RiskInputError

TRUE_WORDS = {"true", "1", "yes", "y", "t", "是"}


def require_columns(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise RiskInputError naming the table and the columns it lacks."""
    if df is None:
        raise RiskInputError(f"table '{table}' is missing")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise RiskInputError(
            f"table '{table}' lacks column(s) {', '.join(missing)} (has: {', '.join(map(str, df.columns))})"
        )


def check_codes(values: pd.Series, known: Iterable[str], table: str, column: str, against: str) -> None:
    """Raise RiskInputError if ``values`` holds codes that are not in ``known``."""
    known_set = set(map(str, known))
    uniq = pd.unique(values.dropna()).astype(str)
    bad = [v for v in uniq if v not in known_set]
    if bad:
        shown = ", ".join(sorted(bad)[:8])
        more = f" and {len(bad) - 8} more" if len(bad) > 8 else ""
        raise RiskInputError(f"table '{table}', column '{column}': unknown code(s) {shown}{more} (not in {against})")


def as_bool(values: pd.Series) -> np.ndarray:
    """Booleans from True/False or text (``true``/``false``, ``1``/``0``, ``yes``/``no``, ``是``/``否``)."""
    if values.dtype == bool:
        return values.to_numpy()
    return values.astype(str).str.strip().str.lower().isin(TRUE_WORDS).to_numpy()


def explode_categories(establishments: pd.DataFrame) -> pd.DataFrame:
    """One row per (establishment, category) from the ``;`` list in ``categories``.

    Uses :func:`riskplan.io.explode_categories` when the io module provides it, so the whole
    package splits list fields in one way; falls back to the same rule here otherwise.
    """
    try:
        from riskplan.io import explode_categories as io_explode  # type: ignore[attr-defined]
    except ImportError:
        io_explode = None
    if io_explode is not None:
        out = io_explode(establishments)
        if "category_code" in out.columns:
            return out.reset_index(drop=True)
    cats = establishments["categories"].fillna("").astype(str).str.split(";")
    out = establishments.assign(category_code=cats).explode("category_code", ignore_index=True)
    out["category_code"] = out["category_code"].astype(str).str.strip()
    return out[out["category_code"] != ""].reset_index(drop=True)
