"""Settings of what a plan can detect (TOML section ``detection``)."""

from __future__ import annotations

import dataclasses
import math

from riskplan._settings import check, check_range

__all__ = ["DetectionRules"]


@dataclasses.dataclass(frozen=True)
class DetectionRules:
    """How the plan's power to find a problem is measured (TOML section ``detection``).

    The measures are in :mod:`riskplan.allocation.detection`; ``allocation.objective =
    "detection"`` allocates for them.

    Attributes
    ----------
    design_prevalence
        Design prevalence p*: the share of a stratum's samples that would be unqualified if the
        stratum had a problem [-]. Default 0.05 (5 %, a usual design value of surveys for
        freedom from a hazard, e.g. in EFSA's RiBESS+).
        Range: (0, 1].
    test_sensitivity
        Sensitivity Se of the laboratory tests per category: category code, role or name ->
        probability that an unqualified sample tests unqualified [-]. Default: none listed.
        Range: (0, 1].
    default_sensitivity
        Se of a category not in ``test_sensitivity`` [-]. Default 1 (a perfect test).
        Range: (0, 1].
    finite_fraction
        Sampling fraction n / N above which a stratum's surveillance sensitivity uses the
        hypergeometric form 1 - (1 - n Se / N)^d, d = ceil(N p*), instead of the binomial
        1 - (1 - p* Se)^n [-]. Default 0.1 (the usual rule: below a tenth the binomial is close).
        Range: [0, 1].
    """

    design_prevalence: float = 0.05
    test_sensitivity: dict[str, float] = dataclasses.field(default_factory=dict)
    default_sensitivity: float = 1.0
    finite_fraction: float = 0.1

    def __post_init__(self) -> None:
        for name in ("design_prevalence", "default_sensitivity"):
            v = getattr(self, name)
            check(math.isfinite(v) and 0 < v <= 1, f"detection.{name}",
                  f"must be a probability in (0, 1], got {v!r}")
        for code, v in self.test_sensitivity.items():
            check(math.isfinite(v) and 0 < v <= 1, f"detection.test_sensitivity.{code}",
                  f"must be a probability in (0, 1], got {v!r}")
        # the documented ranges (Range: in the Attributes above)
        check_range(self.design_prevalence, "detection.design_prevalence", "(0, 1]")
        check_range(self.test_sensitivity, "detection.test_sensitivity", "(0, 1]")
        check_range(self.default_sensitivity, "detection.default_sensitivity", "(0, 1]")
        check_range(self.finite_fraction, "detection.finite_fraction", "[0, 1]")

    def sensitivity_of(self, categories: list[str] | tuple[str, ...]) -> list[float]:
        """Se of each category code (``default_sensitivity`` where none is listed) [-]."""
        return [float(self.test_sensitivity.get(c, self.default_sensitivity)) for c in categories]
