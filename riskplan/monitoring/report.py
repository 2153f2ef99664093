"""Everything at once: :func:`monitor` computes the KPI tables, :func:`write_outputs` writes them.

Output folder (``riskplan monitor --out DIR``), CSV written like the plan folder's
(:func:`riskplan.export.csvfile.write_csv`: UTF-8 with BOM, formula-injection guard, IDs kept text,
headers in the plan's ``export.lang``; :func:`riskplan.export.plan_folder.read_table` reads them):

* ``progress_monthly.csv`` (district by month), ``progress_township.csv``, ``behind_township.csv``,
  ``behind_stratum.csv`` (what is behind the quarterly target and by how much);
* ``coverage_summary.csv``, ``coverage_uncovered.csv``, ``coverage_matrix.csv``;
* ``followup_summary.csv``, ``followup_overdue.csv``, ``followup_cases.csv`` (every unqualified
  result: receipt date, given or estimated, stage, deadline);
* ``alerts.csv`` (every alarm), ``bayes.csv`` (each chart unit's year so far), ``charts.csv``
  (each unit and period), ``chart_units.csv`` (the units, their strata count and calibration),
  ``known_high_risk.csv`` (what history says is risky: not alerts);
* ``replan.csv`` (per stratum: planned, done, remaining, total) and ``replan_schedule.csv``;
* ``targets_scorecard.csv``; ``inspection_terms.csv`` (an inspection campaign's target per term
  begun: targets, inspected within the window, after it; empty without campaign or inspections);
* ``unmatched_results.csv`` (results outside the plan, reported, not dropped);
* ``report.md`` with PNG charts (``progress.png``, ``coverage.png``, ``alert_*.png``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd

from riskplan._version import __version__
from riskplan.dataset import Dataset
from riskplan.errors import RiskplanError
from riskplan.export.atomic import staged_folder, write_text
from riskplan.export.csvfile import write_csv
from riskplan.export.headers import Lang
from riskplan.export.manifest import hash_folder, write_manifest
from riskplan.monitoring.alerts import run_alerts
from riskplan.monitoring.bayes import known_high_risk
from riskplan.monitoring.coverage import Coverage, coverage
from riskplan.monitoring.followup import FollowUp, followup
from riskplan.monitoring.ingest import IngestResult, check_as_of, validate_results
from riskplan.monitoring.planio import MonitorPlan
from riskplan.monitoring.programmes import monitor_actuals, whole_plan
from riskplan.monitoring.progress import (
    behind,
    last_complete_month,
    monthly_progress,
    share_due,
)
from riskplan.monitoring.replan import Replan, replan
from riskplan.monitoring.targets import NO_TARGETS, scorecard
from riskplan.plotting.fonts import font_note
from riskplan.plotting.monitoring import (
    plot_bernoulli_cusum,
    plot_count_chart,
    plot_coverage,
    plot_progress,
)
from riskplan.risk import score
from riskplan.settings.monitoring import MonitoringRules
from riskplan.tables import STRATUM_KEY, DateLike

KEY = list(STRATUM_KEY)


@dataclasses.dataclass
class MonitorResult:
    """All monitoring tables at ``as_of`` (see the module notes for what each holds)."""

    as_of: pd.Timestamp
    plan: MonitorPlan
    ingest: IngestResult
    progress: pd.DataFrame
    progress_township: pd.DataFrame
    behind_district: pd.DataFrame
    behind_township: pd.DataFrame
    behind_stratum: pd.DataFrame
    coverage: Coverage
    followup: FollowUp
    charts: pd.DataFrame
    bayes: pd.DataFrame
    alerts: pd.DataFrame
    replan: Replan | None
    replan_error: str
    scorecard: pd.DataFrame
    rules: MonitoringRules
    chart_units: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    known_risk: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    inspection_terms: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        d = self.behind_district.iloc[0]
        return (f"MonitorResult(as_of={self.as_of.date()}, done={int(d['done'])}/{int(d['annual'])}, "
                f"alerts={len(self.alerts)}, results={len(self.ingest.results)})")

    def summary(self) -> str:
        """The state of the year in a few lines (what ``riskplan monitor`` prints)."""
        d = self.behind_district.iloc[0]
        fu = self.followup.summary.iloc[0]
        sc = self.scorecard["status"].value_counts() if len(self.scorecard) else pd.Series(dtype=int)
        lines = [
            f"riskplan monitor: as of {self.as_of.date()}",
            f"  completion 完成: {int(d['done'])}/{int(d['annual'])} ({100 * d['completion']:.1f} %), "
            f"due {int(d['due'])} by the quarterly target, short {int(d['gap_target'])}",
            f"  results 结果: {len(self.ingest.results)} rows, {len(self.ingest.unmatched)} outside "
            "the plan",
            f"  follow-up 核查处置: {int(fu['done'])}/{int(fu['unqualified'])} done, "
            f"{int(fu['overdue'])} overdue ({int(fu['deadline_days'])} days from receipt; "
            f"{int(fu['received_estimated'])} receipt dates estimated)",
            f"  alerts 预警: {len(self.alerts)} alarms in {self.alerts['unit'].nunique() if len(self.alerts) else 0} "
            f"of {len(self.chart_units)} chart units (budget {self.rules.alarm_budget_per_month:g} "
            f"false alarms a month); {len(self.known_risk)} known high-risk strata",
            ("  targets 目标: " + ", ".join(f"{k} {v}" for k, v in sc.items()) if len(sc)
             else f"  targets 目标: {NO_TARGETS}"),
        ]
        if self.replan is not None:
            lines.append(f"  re-plan 重新分配: {self.replan.remaining} samples over months "
                         f"{self.replan.months[0]}-{self.replan.months[-1]}" if self.replan.months
                         else "  re-plan: no months left")
        elif self.replan_error:
            lines.append(f"  re-plan not done: {self.replan_error}")
        if font_note():  # the report's charts: said once, here
            lines.append(f"  note: {font_note()}")
        return "\n".join(lines)


def monitor(
    plan: MonitorPlan,
    results: pd.DataFrame,
    dataset: Dataset,
    *,
    as_of: DateLike | None = None,
    rules: MonitoringRules | None = None,
    targets: pd.DataFrame | None = None,
    file: str = "results.csv",
    do_replan: bool = True,
) -> MonitorResult:
    """Validate the results and compute every monitoring table.

    Parameters
    ----------
    plan
        The plan (:func:`riskplan.monitoring.load_plan` or ``MonitorPlan.from_plan_result``).
    results
        The year's results (contract columns of ``history``), raw or typed.
    dataset
        The district dataset the plan was made from; its ``inspections`` table (empty: none) gives
        an inspection campaign's target (T25, :mod:`riskplan.monitoring.inspections`).
    as_of
        Date of the assessment; default the dataset's ``reference_date``, else the last result.
    rules
        Monitoring settings; default the plan configuration's ``monitoring`` section.
    targets
        Creation targets; default the dataset's own (``dataset.creation_targets``): without
        them the scorecard is empty.
    do_replan
        Also re-plan the remainder (the slowest step: re-scores risk and re-allocates).

    Raises
    ------
    ValidationError
        For malformed results.
    """
    rules = rules or getattr(plan.config, "monitoring", None) or MonitoringRules()
    by_programme = plan.allocation.table if hasattr(plan.allocation, "table") else plan.allocation
    # several programmes: progress, coverage and alerts watch the plan as a whole
    alloc = whole_plan(by_programme, list(STRATUM_KEY))
    sched_by_programme = plan.schedule
    if "programme" in plan.schedule.columns:
        plan = dataclasses.replace(plan, allocation=alloc,
                                   schedule=whole_plan(plan.schedule, [*STRATUM_KEY, "month"]))
    plan_year = getattr(dataset, "plan_year", None)
    if as_of is None:
        as_of = getattr(dataset, "reference_date", None)
    as_of = None if as_of is None else check_as_of(as_of, plan_year)
    ing = validate_results(results, dataset.establishments, dataset.categories, alloc,
                           plan_year, file, as_of=as_of)
    r = ing.results
    if as_of is None:  # no reference date: assess at the last result of the plan year
        last = r.loc[r["in_plan"], "sample_date"].max() if len(r) else None
        if last is None or pd.isna(last):
            raise RiskplanError("no date to assess at: give as_of (the dataset has no "
                                "reference_date and no result counts against the plan)")
        as_of = check_as_of(last, plan_year)
    matched = r[r["in_plan"] & (r["sample_date"] <= as_of)]
    prog = monthly_progress(plan.schedule, matched, rules, "district")
    prog_t = monthly_progress(plan.schedule, matched, rules, "township")
    b_d = behind(plan.schedule, matched, as_of, rules, "district")
    b_t = behind(plan.schedule, matched, as_of, rules, "township")
    b_s = behind(plan.schedule, matched, as_of, rules, "stratum")
    cov = coverage(alloc, matched)
    fu = followup(r, as_of, rules.followup_deadline_days, rules.lab_turnaround_days)
    scores = plan.scores
    if scores is None:
        scores = score(dataset, config=getattr(plan.config, "risk", None))
    al = run_alerts(matched, scores, rules, plan_strata=alloc, schedule=plan.schedule)
    known = known_high_risk(scores, rules.exceedance_threshold, rules.exceedance_level, alloc,
                            matched)
    rp, rp_err = None, ""
    if do_replan:
        try:
            rp = replan(plan, r, dataset, as_of=as_of)
        except RiskplanError as exc:
            rp_err = str(exc)
    # the seed plan's targets, each computed from its programme (inspection campaigns: T25)
    comp, insp = monitor_actuals(plan, alloc, dataset, by_programme, sched_by_programme, matched,
                                 cov, b_t, fu.summary.iloc[0], as_of, rules)
    tg = targets if targets is not None else getattr(dataset, "creation_targets", None)
    sc = scorecard(tg, getattr(dataset, "target_actuals", None), comp, as_of=as_of,
                   plan_year=dataset.plan_year, share_due=share_due(as_of, rules), rules=rules,
                   notes=insp.notes)
    return MonitorResult(as_of, plan, ing, prog, prog_t, b_d, b_t, b_s, cov, fu, al.charts,
                         al.bayes, al.alerts, rp, rp_err, sc, rules, al.design.units, known,
                         insp.terms)


def _csv(df: pd.DataFrame, path: Path, lang: Lang = "zh", excel_ids: bool = True,
         index: bool = False) -> None:
    """Write through the export stage's CSV writer (BOM, formula guard, IDs kept text)."""
    write_csv(df.reset_index() if index else df, path, lang, excel_ids=excel_ids)


def export_settings(plan: MonitorPlan) -> tuple[Lang, bool]:
    """Header language and ``csv_excel_text`` of the plan's ``export`` settings (zh, True)."""
    exp = getattr(getattr(plan, "config", None), "export", None)
    # the CSV writer writes Chinese headers for "zh" and English ones for anything else
    lang: Lang = "zh" if str(getattr(exp, "lang", "zh")) == "zh" else "en"
    return lang, bool(getattr(exp, "csv_excel_text", True))


def _md_table(df: pd.DataFrame, max_rows: int = 20) -> str:
    if df.empty:
        return "_none / 无_\n"
    d = df.head(max_rows).copy()
    for c in d.columns:
        if pd.api.types.is_float_dtype(d[c]):
            d[c] = d[c].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
        elif pd.api.types.is_datetime64_any_dtype(d[c]):
            d[c] = d[c].dt.strftime("%Y-%m-%d").fillna("")
    d = d.astype(str).replace({"nan": "", "NaT": "", "<NA>": "", "None": ""})
    lines = ["| " + " | ".join(map(str, d.columns)) + " |",
             "|" + "---|" * len(d.columns)]
    lines += ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in d.to_numpy()]
    more = f"\n… {len(df) - max_rows} more rows in the CSV\n" if len(df) > max_rows else "\n"
    return "\n".join(lines) + "\n" + more


def write_outputs(res: MonitorResult, out: str | Path, charts: bool = True,
                  lang: Lang | None = None) -> list[Path]:
    """Write the KPI tables, alert list, re-planned remainder and ``report.md`` into ``out``.

    CSVs go through :func:`riskplan.export.csvfile.write_csv` with headers in ``lang`` (default:
    the plan's ``export.lang``); read them back with :func:`riskplan.export.plan_folder.read_table`.
    The folder is written as a whole, like a plan folder (built beside ``out``, then renamed; an
    interrupted or failed run leaves ``out`` as it was), with a ``manifest.json`` of kind
    ``monitor`` listing every file; an existing ``out`` is replaced only when it is an earlier
    monitoring folder holding nothing else (:mod:`riskplan.export.ownership`).
    """
    out = Path(out)
    plan_lang, excel_ids = export_settings(res.plan)
    lang = lang or plan_lang
    tables = {
        "progress_monthly.csv": res.progress, "progress_township.csv": res.progress_township,
        "behind_township.csv": res.behind_township, "behind_stratum.csv": res.behind_stratum,
        "coverage_summary.csv": res.coverage.summary, "coverage_uncovered.csv": res.coverage.uncovered,
        "followup_summary.csv": res.followup.summary, "followup_overdue.csv": res.followup.overdue,
        "followup_cases.csv": res.followup.cases,
        "alerts.csv": res.alerts, "bayes.csv": res.bayes, "charts.csv": res.charts,
        "chart_units.csv": res.chart_units, "known_high_risk.csv": res.known_risk,
        "targets_scorecard.csv": res.scorecard, "unmatched_results.csv": res.ingest.unmatched,
        "inspection_terms.csv": res.inspection_terms,
    }
    if res.replan is not None:
        tables["replan.csv"] = res.replan.table
        tables["replan_schedule.csv"] = res.replan.schedule
    names = [*tables, "coverage_matrix.csv"]
    with staged_folder(out, "monitor") as tmp:
        for name, df in tables.items():
            _csv(df, tmp / name, lang, excel_ids)
        _csv(res.coverage.matrix, tmp / "coverage_matrix.csv", lang, excel_ids, index=True)
        pngs: dict[str, str] = _charts(res, tmp) if charts else {}
        names += list(pngs.values())
        write_text(tmp / "report.md", _markdown(res, pngs))
        names.append("report.md")
        write_manifest(tmp, {
            "riskplan_version": __version__, "kind": "monitor",
            "run_time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "plan_folder": str(res.plan.path) if res.plan.path is not None else "",
            "as_of": str(res.as_of.date()), "outputs_sha256": hash_folder(tmp),
        })
    return [out / n for n in names]


def _charts(res: MonitorResult, out: Path) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    files = {}
    fig, ax = plt.subplots(figsize=(7, 4))
    plot_progress(res.progress, last_complete_month(res.as_of), ax=ax)
    fig.tight_layout()
    fig.savefig(out / "progress.png", dpi=100)
    plt.close(fig)
    files["progress"] = "progress.png"
    fig, ax = plt.subplots(figsize=(10, 6))
    plot_coverage(res.coverage.matrix, ax=ax, planned=res.coverage.planned_matrix)
    fig.tight_layout()
    fig.savefig(out / "coverage.png", dpi=100)
    plt.close(fig)
    files["coverage"] = "coverage.png"
    # one figure per alerted unit (at most 4): its counts against the exact limits and its CUSUM
    units = list(dict.fromkeys(res.alerts["unit"])) if len(res.alerts) else []
    for i, unit in enumerate(units[:4]):
        sel = res.charts[res.charts["unit"] == unit]
        if sel.empty:
            continue
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
        name = unit.split(":", 1)[1]
        plot_count_chart(sel, title=f"{name}: exact limits", ax=axes[0])
        plot_bernoulli_cusum(sel, title="Bernoulli CUSUM", ax=axes[1])
        fig.tight_layout()
        fn = f"alert_{i + 1}.png"
        fig.savefig(out / fn, dpi=100)
        plt.close(fig)
        files[f"alert {name}"] = fn
    return files


def _markdown(res: MonitorResult, pngs: dict[str, str]) -> str:
    d = res.behind_district.iloc[0]
    fu = res.followup.summary.iloc[0]
    cov = res.coverage.summary
    lines = [
        f"# Monitoring report / 监测报告 — as of {res.as_of.date()}",
        "",
        f"- Plan completion / 计划完成: **{int(d['done'])} of {int(d['annual'])}** samples "
        f"({100 * d['completion']:.1f} %); due by the quarterly target / 季度目标应完成: "
        f"{int(d['due'])} ({100 * d['share_due']:.0f} %); short / 差额: **{int(d['gap_target'])}**",
        f"- Results / 结果: {len(res.ingest.results)} rows, {int(res.ingest.results['in_plan'].sum())} "
        f"counted against the plan, {len(res.ingest.unmatched)} reported outside it "
        f"(`unmatched_results.csv`)",
        f"- Follow-up / 核查处置: {int(fu['done'])} of {int(fu['unqualified'])} done, "
        f"{int(fu['overdue'])} overdue (deadline {int(fu['deadline_days'])} days from receipt of "
        f"the result; {int(fu['received_estimated'])} receipt dates estimated as sample date + "
        f"{int(fu['lab_turnaround_days'])} days)",
        f"- Alerts / 预警: {len(res.alerts)} alarms in "
        f"{res.alerts['unit'].nunique() if len(res.alerts) else 0} of {len(res.chart_units)} "
        f"chart units; alarm budget {res.rules.alarm_budget_per_month:g} false alarms a month "
        f"for the district",
        "",
    ]
    if "progress" in pngs:
        lines += [f"![progress]({pngs['progress']})", ""]
    lines += ["## Townships behind the quarterly target / 落后于季度目标的镇街", "",
              _md_table(res.behind_township[res.behind_township["behind"]])]
    lines += ["## Coverage / 覆盖", "", _md_table(cov), "### Not yet covered / 尚未覆盖", "",
              _md_table(res.coverage.uncovered, 40)]
    if "coverage" in pngs:
        lines += [f"![coverage]({pngs['coverage']})", ""]
    lines += ["## Overdue follow-ups / 逾期核查处置", "",
              _md_table(res.followup.overdue.drop(columns=["due", "done_on_time"], errors="ignore"))]
    alert_cols = ["unit", "rule", "period", "observed", "expected", "value", "threshold", "strata"]
    lines += ["## Alerts / 预警", "",
              "An alert means this year's results are surprising given history (exact limits, "
              "Bernoulli CUSUM, news); a unit without an unqualified result never alerts. / "
              "预警表示本年度结果相对历史出乎意料。", "",
              _md_table(res.alerts[alert_cols] if len(res.alerts) else res.alerts, 40)]
    for k, v in pngs.items():
        if k.startswith("alert"):
            lines += [f"![{k}]({v})", ""]
    risk_cols = [c for c in KEY + ["history_samples", "rate_mean", "p_exceed", "planned",
                                   "sampled", "unqualified"] if c in res.known_risk.columns]
    lines += ["## Known high-risk strata / 已知高风险层 (history, not alerts)", "",
              _md_table(res.known_risk[risk_cols] if len(res.known_risk) else res.known_risk, 20)]
    lines += ["## Re-plan of the remainder / 剩余任务重新分配", ""]
    if res.replan is not None:
        rp = res.replan
        lines += [f"Quota {rp.quota} = done {rp.done} + remaining {rp.remaining}, over months "
                  f"{rp.months[0] if rp.months else '-'}–{rp.months[-1] if rp.months else '-'}.", ""]
        by_t = rp.table.groupby("township_code")[["planned", "done", "remaining", "total"]].sum()
        lines += [_md_table(by_t.reset_index(), 30)]
    else:
        lines += [f"Not re-planned: {res.replan_error or 'skipped'}", ""]
    cols = ["target_id", "indicator_en", "scope", "target_to_date", "actual", "status", "gap",
            "credited_to", "source"]
    lines += ["## Creation targets / 创建目标", ""]
    lines += [_md_table(res.scorecard[cols], 60) if len(res.scorecard) else NO_TARGETS + "\n"]
    if len(res.inspection_terms):
        lines += ["### Inspection campaigns / 检查任务 (`inspection_terms.csv`)", "",
                  _md_table(res.inspection_terms)]
    return "\n".join(lines)
