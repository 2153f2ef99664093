"""Monitoring the year: progress, coverage, alerts, follow-up, re-planning and the seed targets.

Results flow back during the plan year; these functions compare them with the plan:

* :func:`validate_results` (ingest): clean errors, results outside the plan reported;
* :func:`monthly_progress`, :func:`behind` (progress against the quarterly targets);
* :func:`coverage` (stage, business type, township, category; township x business type matrix);
* :func:`followup` (核查处置 completion and the overdue list);
* :func:`run_alerts` (exact limits, Bernoulli CUSUM and news alerts on chart units aggregated up
  the hierarchy under a district-wide alarm budget: :func:`design_alerts`) and
  :func:`known_high_risk` (what history says is risky: a table, not an alert);
* the building blocks: :func:`exact_p_chart`, :func:`count_pmf` (exact limits),
  :class:`BernoulliCusum` and :func:`decision_interval` (Reynolds and Stoumbos), and the textbook
  charts :func:`p_chart`, :func:`cusum`, :func:`ewma` (Montgomery's settings, normal scale);
* :func:`replan` (re-allocate what is left of the quota);
* :func:`scorecard` (the seed plan's creation targets);
* :func:`monitor` (all of it at once, as the ``riskplan monitor`` command runs it).

Settings: :class:`MonitoringRules` (TOML section ``monitoring``).
"""

from riskplan.monitoring.alerts import Alerts, period_counts, run_alerts
from riskplan.monitoring.bayes import (
    known_high_risk,
    posterior_exceedance,
    predictive_tail,
    prior_from_scores,
)
from riskplan.monitoring.bernoulli_cusum import BernoulliCusum, decision_interval
from riskplan.monitoring.charts import cusum, ewma, p_chart
from riskplan.monitoring.coverage import Coverage, coverage
from riskplan.monitoring.exact import count_pmf, exact_p_chart
from riskplan.monitoring.followup import FollowUp, followup
from riskplan.monitoring.ingest import IngestResult, read_results, validate_results
from riskplan.monitoring.planio import MonitorPlan, load_plan
from riskplan.monitoring.progress import behind, monthly_progress, share_due
from riskplan.monitoring.replan import Replan, replan
from riskplan.monitoring.report import MonitorResult, monitor, write_outputs
from riskplan.monitoring.targets import computed_actuals, scorecard
from riskplan.monitoring.units import AlertDesign, chart_units, design_alerts
from riskplan.settings.monitoring import MonitoringRules

__all__ = [
    "AlertDesign", "Alerts", "BernoulliCusum", "Coverage", "FollowUp", "IngestResult",
    "MonitorPlan", "MonitorResult", "MonitoringRules", "Replan", "behind", "chart_units",
    "computed_actuals", "count_pmf", "coverage", "cusum", "decision_interval", "design_alerts",
    "ewma", "exact_p_chart", "followup", "known_high_risk", "load_plan", "monitor",
    "monthly_progress", "p_chart", "period_counts", "posterior_exceedance", "predictive_tail",
    "prior_from_scores", "read_results", "replan", "run_alerts", "scorecard", "share_due",
    "validate_results", "write_outputs",
]
