"""Monitoring the year: progress, coverage, alerts, follow-up, re-planning and the seed targets.

Results flow back during the plan year; these functions compare them with the plan:

* :func:`validate_results` (ingest): clean errors, results outside the plan reported;
* :func:`monthly_progress`, :func:`behind` (progress against the quarterly targets);
* :func:`coverage` (stage, business type, township, category; township x business type matrix);
* :func:`followup` (核查处置 completion and the overdue list);
* :func:`p_chart`, :func:`cusum`, :func:`ewma` (control charts) and :func:`bayes_alerts`;
* :func:`replan` (re-allocate what is left of the quota);
* :func:`scorecard` (the seed plan's creation targets);
* :func:`monitor` (all of it at once, as the ``riskplan monitor`` command runs it).

Settings: :class:`MonitoringRules` (TOML section ``monitoring``).
"""

from riskplan.monitoring.alerts import period_counts, run_alerts, stratum_charts
from riskplan.monitoring.bayes import (
    bayes_alerts,
    posterior_exceedance,
    predictive_tail,
    prior_from_scores,
)
from riskplan.monitoring.charts import cusum, ewma, p_chart
from riskplan.monitoring.coverage import Coverage, coverage
from riskplan.monitoring.followup import FollowUp, followup
from riskplan.monitoring.ingest import IngestResult, read_results, validate_results
from riskplan.monitoring.planio import MonitorPlan, load_plan
from riskplan.monitoring.progress import behind, monthly_progress, share_due
from riskplan.monitoring.replan import Replan, replan
from riskplan.monitoring.report import MonitorResult, monitor, write_outputs
from riskplan.monitoring.targets import computed_actuals, scorecard
from riskplan.settings.monitoring import MonitoringRules

__all__ = [
    "Coverage", "FollowUp", "IngestResult", "MonitorPlan", "MonitorResult", "MonitoringRules",
    "Replan", "bayes_alerts", "behind", "computed_actuals", "coverage", "cusum", "ewma",
    "followup", "load_plan", "monitor", "monthly_progress", "p_chart", "period_counts",
    "posterior_exceedance", "predictive_tail", "prior_from_scores", "read_results", "replan",
    "run_alerts", "scorecard", "share_due", "stratum_charts", "validate_results", "write_outputs",
]
