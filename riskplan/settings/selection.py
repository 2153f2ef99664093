"""Settings of the selection stage (TOML section ``selection``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal

import numpy as np

from riskplan._settings import check, check_range

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

GRADES: tuple[str, ...] = ("A", "B", "C", "D")


@dataclasses.dataclass(frozen=True)
class SelectionRules:
    """How establishments are drawn for each stratum and month.

    Attributes
    ----------
    grade_weights
        Size measure of an establishment by risk grade (PPS: inclusion probability proportional
        to it, capped at 1); D riskiest. Every grade A-D must be given, each > 0.
        Range: (0, 1000] (each value).
    size_by_customers
        Multiply the grade weight by ``daily_customers`` [persons/day] where the register has it
        (missing values take the stratum's median, or 1).
    method
        PPS design: ``"systematic"`` (systematic on a random order) or ``"conditional_poisson"``
        (maximum entropy). Both are without replacement with exact inclusion probabilities.
    rotation_months
        Rotation window by grade [months]: an establishment sampled (history, or planned earlier)
        less than this many calendar months before the plan month is not drawn again. The defaults
        let a shop be sampled at most 1 (A), 2 (B), 3 (C) or 4 (D) times a year, the upper
        inspection frequencies of the risk-grading rules (A 1, B 1-2, C 2-3, D 3-4 per year).
        0 disables rotation for that grade.
        Range: [0, 60] (each value).
    rotation_by_business_type
        Windows [months] that replace the grade's for whole business types, keyed by role or
        code (a code's entry wins over its roles'). By default wet and wholesale markets have 1
        month (they can be sampled every month): a market hosts many stalls and each visit
        samples other stalls.
        Range: [0, 60] (each value).
    relax_rotation
        When a stratum's eligible establishments (with combining) cannot take all its samples,
        also draw (PPS) among the ones still inside their rotation window before reporting a
        shortfall; such rows are marked ``phase = "rotation_relaxed"``. Off by default: the
        window is a rule, and what it leaves out is reported in ``Selection.shortfall``.
    combine_samples
        When a stratum asks for more samples than it has eligible establishments, take several
        products of the category at one establishment (one visit, several samples).
    max_samples_per_category
        Most samples of one category taken at one establishment in one visit (>= 1); with
        ``combine_samples`` off this is effectively 1.
        Range: [1, 20].
    purchase_business_types
        Business types sampled by purchase, roles or codes (default the role ``online seller``):
        selected like any shop, but they produce purchase orders (``mode = "purchase"``), not
        route visits.
    default_units_per_sample
        Units bought per sample when no ``categories`` table (``units_per_sample``) is given.
        Range: [1, 100].
    officers_per_team
        Officers drawn per team and day by :func:`~riskplan.selection.draw_teams` ("double random").
        Range: [1, 10].
    """

    grade_weights: dict[str, float] = dataclasses.field(
        default_factory=lambda: {"A": 1.0, "B": 2.0, "C": 4.0, "D": 8.0}
    )
    size_by_customers: bool = False
    method: Literal["systematic", "conditional_poisson"] = "systematic"
    rotation_months: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"A": 12, "B": 6, "C": 4, "D": 3}
    )
    rotation_by_business_type: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"wet market": 1, "wholesale market": 1}
    )
    relax_rotation: bool = False
    combine_samples: bool = True
    max_samples_per_category: int = 2
    purchase_business_types: tuple[str, ...] = ("online seller",)
    default_units_per_sample: int = 3
    officers_per_team: int = 2

    def window_months(self, risk_grade: pd.Series, business_type: pd.Series) -> np.ndarray:
        """Rotation window of each establishment [months] (business-type override, else grade)."""
        by_grade = risk_grade.astype(str).map(self.rotation_months).to_numpy(dtype=float)
        by_type = business_type.astype(str).map(self.rotation_by_business_type).to_numpy(dtype=float)
        return np.where(np.isnan(by_type), by_grade, by_type)

    def __post_init__(self) -> None:
        check(
            set(self.grade_weights) == set(GRADES),
            "selection.grade_weights",
            f"give a weight for each grade A, B, C, D (got {', '.join(sorted(self.grade_weights))})",
        )
        check(
            all(float(v) > 0 for v in self.grade_weights.values()),
            "selection.grade_weights",
            "weights must be > 0",
        )
        check(
            set(self.rotation_months) == set(GRADES),
            "selection.rotation_months",
            f"give a window for each grade A, B, C, D (got {', '.join(sorted(self.rotation_months))})",
        )
        check(
            all(0 <= int(v) <= 60 for v in self.rotation_months.values()),
            "selection.rotation_months",
            "windows must be between 0 and 60 months",
        )
        check(
            all(0 <= int(v) <= 60 for v in self.rotation_by_business_type.values()),
            "selection.rotation_by_business_type",
            "windows must be between 0 and 60 months",
        )
        check(
            1 <= self.max_samples_per_category <= 20,
            "selection.max_samples_per_category",
            "must be between 1 and 20",
        )
        check(
            1 <= self.default_units_per_sample <= 100,
            "selection.default_units_per_sample",
            "must be between 1 and 100",
        )
        check(1 <= self.officers_per_team <= 10, "selection.officers_per_team", "must be between 1 and 10")
        # the documented ranges (Range: in the Attributes above)
        check_range(self.grade_weights, "selection.grade_weights", "(0, 1000]")
        check_range(self.rotation_months, "selection.rotation_months", "[0, 60]")
        check_range(self.rotation_by_business_type, "selection.rotation_by_business_type", "[0, 60]")
        check_range(self.max_samples_per_category, "selection.max_samples_per_category", "[1, 20]")
        check_range(self.default_units_per_sample, "selection.default_units_per_sample", "[1, 100]")
        check_range(self.officers_per_team, "selection.officers_per_team", "[1, 10]")
