"""Settings of the risk stage: the ``[risk]`` table of the configuration."""

from __future__ import annotations

import dataclasses
from typing import Literal

from riskplan._settings import check, check_range


@dataclasses.dataclass(frozen=True)
class RiskRules:
    """Every weight and parameter of the risk score, with documented defaults.

    The weight of a stratum (township x business type x food category) is::

        weight = rate_term * exposure_term * hazard_term
                 * (1 + complaint_weight * complaint_index)
                 * (1 + grade_weight * share_grade_cd)
                 * (1 + vulnerable_weight * vulnerable)   # vulnerable: business type in vulnerable_types

    with ``rate_term = rate ** rate_exponent`` (``rate`` the posterior mean, or the upper end of the
    credible interval when ``rate_basis = "upper"``), ``exposure_term = n_establishments **
    exposure_exponent * volume_index ** volume_exponent`` and ``hazard_term = hazard_severity **
    hazard_exponent``.

    Attributes
    ----------
    half_life_years
        Half-life of a past result's weight [years], counted back from the dataset's reference date
        (a result this old counts half). ``0`` switches recency weighting off.
        Range: [0, 50].
    credible_level
        Probability mass of the credible interval ``rate_lo`` .. ``rate_hi`` (0.90 = 5 % .. 95 %).
        Range: (0, 1).
    min_prior_size, max_prior_size
        Bounds on a prior's sample size ``alpha + beta`` [samples]; the cap stops a flat likelihood
        (no visible variation between groups) from pooling completely with infinite confidence.
        With unqualified rates of a few per cent the marginal likelihood is nearly flat in
        ``alpha + beta`` and its maximum sits at the cap, so the cap is in effect the prior's
        weight: 100 lets a stratum with 300 samples carry three quarters of its own estimate.
        On the Ouhai back-test (fit 2023-2024, predict 2025, default half-life) caps of 50-100
        predicted the hidden true rates better than 1000.
        Ranges: min_prior_size (0, 1e6]; max_prior_size (0, 1e6].
    main_effects
        Let a cell (category x business type) also borrow from its business type's record in other
        categories, and a stratum from its township's: their relative risks (observed over expected
        failures) multiply the parent rates before shrinking.
    effect_prior_failures
        Shrinkage of those relative risks towards 1, worth this many expected failures [samples].
        Range: (0, 1e6].
    rate_basis
        ``"mean"`` uses the posterior mean, ``"upper"`` the upper credible bound (precautionary:
        strata known little about score higher).
    rate_exponent
        Exponent on the rate term (1 = proportional to the unqualified rate) [-].
        Range: [0, 10].
    exposure_exponent
        Exponent on the establishment count (1 = proportional, 0.5 = square-root damping) [-].
        Range: [0, 10].
    volume_exponent
        Exponent on the volume index (mean ``daily_customers`` of the stratum's establishments
        relative to the district mean); 0 ignores volume [-].
        Range: [0, 10].
    hazard_exponent
        Exponent on the category's hazard severity (1 .. 5) [-].
        Range: [0, 10].
    complaint_weight
        Weight of the complaint index (complaints per establishment in the stratum relative to the
        district's complaints per establishment) [-].
        Range: [0, 100].
    complaint_window_years
        Complaints counted are those within this many years before the reference date [years].
        Range: (0, 50].
    complaint_index_cap
        Upper bound on the complaint index, so one noisy stratum does not dominate [-].
        Range: (0, 1000].
    grade_weight
        Weight of the share of grade C or D establishments in the stratum [-].
        Range: [0, 100].
    vulnerable_weight
        Extra weight for business types serving vulnerable consumers (``vulnerable_types``) [-].
        Range: [0, 100].
    vulnerable_types
        Business types serving vulnerable consumers: roles or codes. Default the roles
        ``vulnerable consumers`` (``business_types.vulnerable = true``), school canteen,
        kindergarten canteen and elderly canteen.
    category_priors
        CSV of province-level category priors (``category_code, prior_mean, prior_size``): each
        listed category's rate is shrunk towards the province's rate instead of the district
        mean. Written by ``riskplan plan --data PROVINCE --province-priors`` as
        ``OUT/category_priors.csv``; a relative path is taken from the dataset's folder. Empty:
        district-only priors.
    """

    half_life_years: float = 2.0
    credible_level: float = 0.90
    min_prior_size: float = 0.5
    max_prior_size: float = 100.0
    main_effects: bool = True
    effect_prior_failures: float = 10.0
    rate_basis: Literal["mean", "upper"] = "mean"
    rate_exponent: float = 1.0
    exposure_exponent: float = 0.5
    volume_exponent: float = 0.0
    hazard_exponent: float = 1.0
    complaint_weight: float = 0.3
    complaint_window_years: float = 1.0
    complaint_index_cap: float = 5.0
    grade_weight: float = 0.5
    vulnerable_weight: float = 0.5
    vulnerable_types: tuple[str, ...] = ("vulnerable consumers", "school canteen", "kindergarten canteen",
                                         "elderly canteen")
    category_priors: str = ""

    def __post_init__(self) -> None:
        check(self.half_life_years >= 0, "risk.half_life_years", "must be >= 0 (0 = no recency weighting)")
        check(0 < self.credible_level < 1, "risk.credible_level", "must be between 0 and 1")
        check(self.min_prior_size > 0, "risk.min_prior_size", "must be > 0")
        check_range(self.min_prior_size, "risk.min_prior_size", "(0, 1e6]")  # before max is compared
        check(self.max_prior_size > self.min_prior_size, "risk.max_prior_size", "must be > risk.min_prior_size")
        check(self.effect_prior_failures > 0, "risk.effect_prior_failures", "must be > 0")
        check(self.rate_basis in ("mean", "upper"), "risk.rate_basis", "must be 'mean' or 'upper'")
        for name in ("rate_exponent", "exposure_exponent", "volume_exponent", "hazard_exponent",
                     "complaint_weight", "grade_weight", "vulnerable_weight"):
            check(getattr(self, name) >= 0, f"risk.{name}", "must be >= 0")
        check(self.complaint_window_years > 0, "risk.complaint_window_years", "must be > 0")
        check(self.complaint_index_cap > 0, "risk.complaint_index_cap", "must be > 0")
        # the documented ranges (Range: in the Attributes above)
        check_range(self.half_life_years, "risk.half_life_years", "[0, 50]")
        check_range(self.credible_level, "risk.credible_level", "(0, 1)")
        check_range(self.max_prior_size, "risk.max_prior_size", "(0, 1e6]")
        check_range(self.effect_prior_failures, "risk.effect_prior_failures", "(0, 1e6]")
        check_range(self.rate_exponent, "risk.rate_exponent", "[0, 10]")
        check_range(self.exposure_exponent, "risk.exposure_exponent", "[0, 10]")
        check_range(self.volume_exponent, "risk.volume_exponent", "[0, 10]")
        check_range(self.hazard_exponent, "risk.hazard_exponent", "[0, 10]")
        check_range(self.complaint_weight, "risk.complaint_weight", "[0, 100]")
        check_range(self.complaint_window_years, "risk.complaint_window_years", "(0, 50]")
        check_range(self.complaint_index_cap, "risk.complaint_index_cap", "(0, 1000]")
        check_range(self.grade_weight, "risk.grade_weight", "[0, 100]")
        check_range(self.vulnerable_weight, "risk.vulnerable_weight", "[0, 100]")
