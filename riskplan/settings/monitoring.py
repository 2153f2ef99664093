"""Settings of the monitoring stage (TOML section ``monitoring``)."""

from __future__ import annotations

import dataclasses
from dataclasses import field

from riskplan._settings import check, check_range
from riskplan.tables import STRATUM_KEY

LEVELS: dict[str, list[str]] = {
    "stratum": list(STRATUM_KEY),
    "township_category": ["township_code", "category_code"],
    "business_type_category": ["business_type", "category_code"],
    "category": ["category_code"],
    "township": ["township_code"],
}
"""Alert level name -> unit columns."""


@dataclasses.dataclass(frozen=True)
class MonitoringRules:
    """How the year's results are judged against the plan.

    Attributes
    ----------
    quarterly_targets
        Cumulative share of the annual plan due by the end of Q1..Q4 [fraction], default
        (0.25, 0.50, 0.75, 1.00): "at least a quarter of the task each quarter".
        Range: [0, 1] (each value).
    followup_deadline_days
        Days allowed between an unqualified sample and its completed follow-up (核查处置) [d].
        Range: [0, 365].
    p_chart_sigma
        Width of the p-chart limits [sigma units], 3 by Shewhart's convention.
        Range: (0, 10].
    cusum_k, cusum_h
        Reference value and decision interval of the tabular CUSUM [sigma units].
        Ranges: cusum_k [0, 10]; cusum_h (0, 100].
    ewma_lambda, ewma_L
        Smoothing constant [-] and limit width [sigma units] of the EWMA chart.
        Ranges: ewma_lambda (0, 1]; ewma_L (0, 10].
    period
        Length of a chart period: ``"month"`` or ``"quarter"``.
    exceedance_threshold
        Unqualified rate above which a stratum is of concern [fraction].
        Range: (0, 1).
    exceedance_level
        Posterior probability P(rate > threshold) above which a stratum is flagged [-].
        Range: (0, 1).
    predictive_p_value
        A period's unqualified count is flagged when its beta-binomial predictive upper tail
        probability P(X >= x) is below this [-].
        Range: (0, 1).
    prior_strength_cap
        Upper bound on the prior's alpha + beta when it comes from the risk scores, so this
        year's results can move it [pseudo-samples].
        Range: (0, 1e6].
    at_risk_margin
        A target counts as "at risk" (rather than "missed") when its actual is short of it by no
        more than this share of the target [fraction]; see ``riskplan.monitoring.targets``.
        Range: [0, 1).
    min_samples_for_chart
        Strata with fewer samples than this in the year are not charted [samples].
        Range: [0, 10000].
    alert_levels
        Units the charts and Bayesian alerts run on: ``stratum`` (township x business type x
        category), ``township_category``, ``business_type_category``, ``category``, ``township``.
        A hot spot spread over a township's shops shows at ``township_category`` long before
        any single stratum has enough samples.
    replan_mode
        How :func:`riskplan.monitoring.replan` weighs the strata for the remainder:
        ``"catch_up"`` (default): by each stratum's shortfall against its risk-proportional share
        of the *annual* quota under the updated weights (a stratum already at or above its share
        gets only what the floors require); ``"proportional"``: by the updated risk weight alone.
    year_to_date_targets
        Creation targets that are flows over the year (training hours, samples per 1,000
        residents, plan completion): judged before the year end against the target pro-rated by
        the quarterly share due.
    year_end_targets
        Creation targets only judged at the year end (not pro-rated; short of them before the
        year end is "at risk"), e.g. T24 coverage of every stage and business type.
    """

    quarterly_targets: tuple[float, ...] = field(default_factory=lambda: (0.25, 0.50, 0.75, 1.00))
    followup_deadline_days: int = 30
    p_chart_sigma: float = 3.0
    cusum_k: float = 0.5
    cusum_h: float = 5.0
    ewma_lambda: float = 0.2
    ewma_L: float = 3.0
    period: str = "month"
    exceedance_threshold: float = 0.05
    exceedance_level: float = 0.90
    predictive_p_value: float = 0.01
    prior_strength_cap: float = 50.0
    at_risk_margin: float = 0.10
    min_samples_for_chart: int = 5
    alert_levels: tuple[str, ...] = field(
        default_factory=lambda: ("stratum", "township_category", "category"))
    replan_mode: str = "catch_up"
    year_to_date_targets: tuple[str, ...] = field(default_factory=lambda: ("T15", "T19", "T22"))
    year_end_targets: tuple[str, ...] = field(default_factory=lambda: ("T24",))

    def __post_init__(self) -> None:
        q = self.quarterly_targets
        check(len(q) == 4, "monitoring.quarterly_targets", "needs 4 values (end of Q1..Q4)")
        check(all(0 <= a <= 1 for a in q), "monitoring.quarterly_targets", "values must be in [0, 1]")
        check(all(a <= b for a, b in zip(q, q[1:])), "monitoring.quarterly_targets",
              "values must not decrease")
        check(self.followup_deadline_days >= 0, "monitoring.followup_deadline_days", "must be >= 0")
        check(self.p_chart_sigma > 0, "monitoring.p_chart_sigma", "must be > 0")
        check(self.cusum_k >= 0, "monitoring.cusum_k", "must be >= 0")
        check(self.cusum_h > 0, "monitoring.cusum_h", "must be > 0")
        check(0 < self.ewma_lambda <= 1, "monitoring.ewma_lambda", "must be in (0, 1]")
        check(self.ewma_L > 0, "monitoring.ewma_L", "must be > 0")
        check(self.period in ("month", "quarter"), "monitoring.period", "must be 'month' or 'quarter'")
        check(0 < self.exceedance_threshold < 1, "monitoring.exceedance_threshold", "must be in (0, 1)")
        check(0 < self.exceedance_level < 1, "monitoring.exceedance_level", "must be in (0, 1)")
        check(0 < self.predictive_p_value < 1, "monitoring.predictive_p_value", "must be in (0, 1)")
        check(self.prior_strength_cap > 0, "monitoring.prior_strength_cap", "must be > 0")
        check(0 <= self.at_risk_margin < 1, "monitoring.at_risk_margin", "must be in [0, 1)")
        for lv in self.alert_levels:
            check(lv in LEVELS, "monitoring.alert_levels", f"unknown level {lv!r} (known: {', '.join(LEVELS)})")
        check(self.replan_mode in ("catch_up", "proportional"), "monitoring.replan_mode",
              "must be 'catch_up' or 'proportional'")
        check(self.min_samples_for_chart >= 0, "monitoring.min_samples_for_chart", "must be >= 0")
        # the documented ranges (Range: in the Attributes above)
        check_range(self.quarterly_targets, "monitoring.quarterly_targets", "[0, 1]")
        check_range(self.followup_deadline_days, "monitoring.followup_deadline_days", "[0, 365]")
        check_range(self.p_chart_sigma, "monitoring.p_chart_sigma", "(0, 10]")
        check_range(self.cusum_k, "monitoring.cusum_k", "[0, 10]")
        check_range(self.cusum_h, "monitoring.cusum_h", "(0, 100]")
        check_range(self.ewma_lambda, "monitoring.ewma_lambda", "(0, 1]")
        check_range(self.ewma_L, "monitoring.ewma_L", "(0, 10]")
        check_range(self.exceedance_threshold, "monitoring.exceedance_threshold", "(0, 1)")
        check_range(self.exceedance_level, "monitoring.exceedance_level", "(0, 1)")
        check_range(self.predictive_p_value, "monitoring.predictive_p_value", "(0, 1)")
        check_range(self.prior_strength_cap, "monitoring.prior_strength_cap", "(0, 1e6]")
        check_range(self.at_risk_margin, "monitoring.at_risk_margin", "[0, 1)")
        check_range(self.min_samples_for_chart, "monitoring.min_samples_for_chart", "[0, 10000]")
