"""What a month's selection returns: the :class:`Selection` and the columns of its tables."""

from __future__ import annotations

import dataclasses

import pandas as pd

from riskplan.tables import STRATUM_KEY

__all__ = ["Selection", "VISIT_COLUMNS", "SAMPLE_COLUMNS", "SHORTFALL_COLUMNS", "KEY"]

KEY: list[str] = list(STRATUM_KEY)

VISIT_COLUMNS: tuple[str, ...] = (
    "visit_id",
    "year",
    "month",
    "establishment_id",
    "township_code",
    "business_type",
    "stage",
    "risk_grade",
    "categories_to_sample",
    "samples",
    "units",
    "perishable",
    "mode",
    "has_location",
    "station_id",
    "inclusion_probability",
    "opening_hours",
    "lon_wgs84",
    "lat_wgs84",
)
"""Columns of ``Selection.visits``, in order."""

SAMPLE_COLUMNS: tuple[str, ...] = (
    "township_code",
    "business_type",
    "category_code",
    "establishment_id",
    "samples",
    "inclusion_probability",
    "phase",
)
"""Columns of ``Selection.samples`` (one row per stratum x establishment drawn)."""

SHORTFALL_COLUMNS: tuple[str, ...] = (
    "township_code",
    "business_type",
    "category_code",
    "requested",
    "delivered",
    "missing",
    "n_establishments",
    "n_eligible",
    "reason",
)
"""Columns of ``Selection.shortfall`` (one row per stratum not fully served)."""


@dataclasses.dataclass
class Selection:
    """The establishments chosen for one month.

    Attributes
    ----------
    visits
        One row per establishment chosen in the month (columns :data:`VISIT_COLUMNS`):
        ``visit_id`` (``"2026-07-V0001"``; ``P`` instead of ``V`` for purchase orders),
        ``categories_to_sample`` (``;`` list), ``samples`` (number of samples taken there),
        ``units`` (units to buy, from ``categories.units_per_sample``), ``perishable`` (any of its
        categories needs cold chain), ``mode`` (``"visit"`` or ``"purchase"``), ``station_id`` (the
        station covering the township), ``inclusion_probability`` (largest first-phase inclusion
        probability over its strata), coordinates and opening hours copied from the register.
    samples
        One row per (stratum, establishment) drawn (:data:`SAMPLE_COLUMNS`) with its number of
        samples, its inclusion probability in that stratum (for Horvitz-Thompson estimation) and
        ``phase`` (``pps``, or ``rotation_relaxed`` when drawn from shops inside their window).
    shortfall
        One row per stratum whose request could not be met in full (:data:`SHORTFALL_COLUMNS`),
        with ``reason``. ``samples`` per stratum + ``missing`` = the schedule's request, exactly.
    year, month, seed, method
        What was drawn, with which seed and PPS design.
    """

    visits: pd.DataFrame
    samples: pd.DataFrame
    shortfall: pd.DataFrame
    year: int
    month: int
    seed: int
    method: str

    @property
    def route_visits(self) -> pd.DataFrame:
        """Visits to route (``mode == "visit"``)."""
        return self.visits[self.visits["mode"] == "visit"].reset_index(drop=True)

    @property
    def purchase_orders(self) -> pd.DataFrame:
        """Online purchases (``mode == "purchase"``): not routed."""
        return self.visits[self.visits["mode"] == "purchase"].reset_index(drop=True)

    @property
    def requested(self) -> int:
        """Samples the schedule asked for in the month."""
        return int(self.samples["samples"].sum() + self.shortfall["missing"].sum())

    @property
    def delivered(self) -> int:
        """Samples placed in visits or purchase orders."""
        return int(self.visits["samples"].sum())

    def __repr__(self) -> str:
        return (f"Selection({self.year}-{self.month:02d}, visits={len(self.visits)}, "
                f"samples={self.delivered}/{self.requested}, seed={self.seed})")

    def summary(self) -> str:
        """The month's draw in a few lines: visits, purchases, samples and what fell short."""
        n_buy = int((self.visits["mode"] == "purchase").sum()) if len(self.visits) else 0
        short = self.requested - self.delivered
        lines = [
            f"selection 抽取 {self.year}-{self.month:02d} (seed {self.seed}, {self.method}): "
            f"{len(self.visits) - n_buy} visits, {n_buy} purchase orders",
            f"  samples 样品: {self.delivered} of {self.requested} requested"
            + (f", {short} short" if short else ""),
        ]
        if short:
            for reason, n in self.shortfall.groupby("reason")["missing"].sum().items():
                lines.append(f"    short: {int(n)} x {reason}")
        return "\n".join(lines)
