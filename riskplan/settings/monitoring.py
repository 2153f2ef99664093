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

ALERT_METHODS: tuple[str, ...] = ("limits", "cusum", "news")
"""What may raise an alert on a chart unit (see ``MonitoringRules.alert_methods``)."""


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
        Days allowed from the receipt of an unqualified result (``result_received_date``) to the
        completed follow-up (核查处置) [d]. Default 90: our reading of the SAMR Measures for the
        Administration of Food Safety Sampling Inspection (《食品安全抽样检验管理办法》, SAMR
        Order No. 15 of 2019), which ask the market-supervision department to complete the
        verification and disposal within 90 days of receiving the unqualified result; the text
        could not be checked offline when this default was set, so check it against the version
        in force (and any provincial rule) and set the value here.
        Range: [0, 365].
    lab_turnaround_days
        Days from sample to the result reaching the bureau, used when a result has no
        ``result_received_date`` (the date is then marked as estimated) [d]. Default 28: about
        the 20 working days the Measures allow a laboratory for its report (our reading).
        Range: [0, 365].
    p_chart_sigma, cusum_k, cusum_h, ewma_lambda, ewma_L, predictive_p_value
        Retired (issue 14), ignored: still read so that older configuration files stay valid.
        The district's alerts are exact (see ``alert_methods``); the textbook charts
        ``riskplan.monitoring.p_chart``, ``cusum``, ``ewma`` take their settings as arguments.
        Ranges: p_chart_sigma (0, 10]; cusum_k [0, 10]; cusum_h (0, 100]; ewma_lambda (0, 1];
        ewma_L (0, 10]; predictive_p_value (0, 1).
    period
        Length of a chart period: ``"month"`` or ``"quarter"``.
    alert_methods
        What may raise an alert on a chart unit: ``limits`` (the period's count reaches its exact
        beta-binomial upper control limit), ``cusum`` (the Bernoulli CUSUM of the unit's samples
        in date order reaches its decision interval) and ``news`` (this year's count so far is
        improbably high under the predictive distribution given history). They share the
        alarm budget.
    alarm_budget_per_month
        Family-wise alarm budget: the expected number of false alarms in the whole district, per
        month on average, when nothing has changed, all chart units and methods together
        [alarms/month]. It is spent exactly (``riskplan.monitoring.budget``): the largest
        false-alarm probability per period (limits, news; the CUSUM gets an in-control ARL of
        samples per period / that probability) whose exactly computed expected false alarms
        over a year stay within 12 x the budget. Default 0.1: about one false alarm a year in
        the whole district.
        Range: (0, 1).
    unit_alarm_cap_per_year
        Upper bound on one unit's expected false alarms in a year [alarms/unit/year]; a unit
        that would pass it gets a smaller false-alarm probability of its own. Default 0.02: no
        unit should false-alarm in more than about one year in fifty.
        Range: (0, 1).
    cusum_rate_ratio
        The rise the CUSUM is tuned to detect fastest: ``p1 = ratio x p0`` [-]. Default 3: a
        three-fold rise of the unqualified rate.
        Range: (1, 100].
    prior_strength_cap
        Upper bound on the prior's alpha + beta when it comes from the risk scores, so this
        year's results can move it [pseudo-samples].
        Range: (0, 1e6].
    at_risk_margin
        A target counts as "at risk" (rather than "missed") when its actual is short of it by no
        more than this share of the target [fraction]; see ``riskplan.monitoring.targets``.
        Range: [0, 1).
    min_samples_for_chart
        Smallest yearly sample size of a chart unit below the top level [samples] (default 12,
        one a month). A stratum's size is its planned samples, or its samples so far if more.
        Range: [1, 10000].
    alert_levels
        The aggregation hierarchy, finest first, each level coarser than the one before
        (default ``stratum`` -> ``township_category`` -> ``category``; also
        ``business_type_category`` and ``township``). Rule: at the last level every group with
        samples is charted; at a finer level a group is charted when its yearly samples reach
        ``min_samples_for_chart``. Every sample is charted at the top level, and also in each
        finer unit with data enough; a stratum too thin for its own chart is watched through
        the units above it.
    exceedance_threshold, exceedance_level
        The known high-risk strata table (not an alert): a stratum is listed when, given its
        history, ``P(rate > exceedance_threshold) > exceedance_level`` [fraction, -].
        Ranges: exceedance_threshold (0, 1); exceedance_level (0, 1).
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
    followup_deadline_days: int = 90
    lab_turnaround_days: int = 28
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
    min_samples_for_chart: int = 12
    alert_methods: tuple[str, ...] = field(default_factory=lambda: ("limits", "cusum", "news"))
    alarm_budget_per_month: float = 0.1
    unit_alarm_cap_per_year: float = 0.02
    cusum_rate_ratio: float = 3.0
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
        check(self.min_samples_for_chart >= 1, "monitoring.min_samples_for_chart", "must be >= 1")
        check(self.lab_turnaround_days >= 0, "monitoring.lab_turnaround_days", "must be >= 0")
        check(len(self.alert_methods) > 0 and set(self.alert_methods) <= set(ALERT_METHODS),
              "monitoring.alert_methods", f"one or more of {', '.join(ALERT_METHODS)}")
        check(len(set(self.alert_methods)) == len(self.alert_methods), "monitoring.alert_methods",
              "each method once")
        check(0 < self.alarm_budget_per_month < 1, "monitoring.alarm_budget_per_month",
              "must be in (0, 1)")
        check(0 < self.unit_alarm_cap_per_year < 1, "monitoring.unit_alarm_cap_per_year",
              "must be in (0, 1)")
        check(self.cusum_rate_ratio > 1, "monitoring.cusum_rate_ratio", "must be > 1")
        check(len(self.alert_levels) > 0, "monitoring.alert_levels", "needs at least one level")
        for fine, coarse in zip(self.alert_levels, self.alert_levels[1:]):
            check(fine in LEVELS and coarse in LEVELS
                  and set(LEVELS[coarse]) < set(LEVELS[fine]), "monitoring.alert_levels",
                  f"each level must be coarser than the one before ({coarse!r} does not group "
                  f"{fine!r})")
        # the documented ranges (Range: in the Attributes above)
        check_range(self.quarterly_targets, "monitoring.quarterly_targets", "[0, 1]")
        check_range(self.followup_deadline_days, "monitoring.followup_deadline_days", "[0, 365]")
        check_range(self.lab_turnaround_days, "monitoring.lab_turnaround_days", "[0, 365]")
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
        check_range(self.min_samples_for_chart, "monitoring.min_samples_for_chart", "[1, 10000]")
        check_range(self.alarm_budget_per_month, "monitoring.alarm_budget_per_month", "(0, 1)")
        check_range(self.unit_alarm_cap_per_year, "monitoring.unit_alarm_cap_per_year", "(0, 1)")
        check_range(self.cusum_rate_ratio, "monitoring.cusum_rate_ratio", "(1, 100]")
