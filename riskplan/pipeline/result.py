"""What a plan run returns: :class:`PlanResult`, every table of the run, and its headline figures."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from riskplan.allocation import Allocation
from riskplan.allocation.detection import DETECTION_COLUMNS, district_detection
from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.pipeline.campaign import campaign_score, campaigns_of
from riskplan.pipeline.carry import empty_placements
from riskplan.pipeline.programmes import ProgrammePlan
from riskplan.routing.result import LAB_DAY_COLUMNS
from riskplan.tables import STRATUM_KEY

KEY = list(STRATUM_KEY)

__all__ = ["PlanResult", "programme_samples"]


@dataclasses.dataclass
class PlanResult:
    """Every table of one plan run.

    Attributes
    ----------
    months
        The planned months (1-12) of ``plan_year``.
    plan_year
        The year planned.
    seed
        The seed used.
    config
        The configuration used, every role resolved to the dataset's codes.
    scores
        Risk scores, one row per stratum (``riskplan.risk.score``).
    quota
        Annual quota [samples].
    allocation
        One row per stratum with ``samples`` (``riskplan.allocation.allocate``).
    schedule
        ``township_code, business_type, category_code, month, samples`` for the whole year.
    calendar
        Work calendar of the planned months (``riskplan.calendar.work_calendar``).
    visits
        The selected visits of the planned months, with ``month``.
    teams
        The officers drawn per station, team and day, or an empty table.
    stops
        Routed stops of every planned month (``RoutePlan.stops``).
    routes
        One row per station, team and day (``RoutePlan.routes``).
    unassigned
        ``visit_id, reason`` of every visit with ``mode == "visit"`` that is not routed.
    purchases
        The visits with ``mode == "purchase"`` (online sellers).
    shortfall
        Strata whose monthly request selection could not meet in full, with ``month`` and
        ``reason`` (``Selection.shortfall``).
    placements
        Samples a month's selection could not place and that were carried to a later month or
        substituted into another stratum, with the reason (:mod:`riskplan.pipeline.carry`).
    allocation_result
        The :class:`riskplan.allocation.Allocation` (quota, totals, coverage requirements).
    dataset
        The dataset the plan was made from.
    reproducible
        False if any routing run used a wall-clock limit (results may differ between runs).
    timings
        Seconds spent per stage [s].
    warnings
        Sentences to show once: rules that match nothing in the dataset, what was excluded.
    detection
        What each stratum's samples can detect (:func:`riskplan.allocation.detection_table`):
        surveillance sensitivity at the design prevalence, expected finds.
    lab_days
        Samples reaching each lab on each day (``RoutePlan.lab_days`` of every planned month:
        ``lab_id, date, samples, perishable_samples, booked, capacity``).
    programmes
        Each programme's quota, allocation and schedule, in the order of ``[[programmes]]``;
        empty for a plan of one programme made of ``[quota]``. With programmes, ``quota`` is
        their sum, ``allocation`` and ``schedule`` hold one block per programme (column
        ``programme``) and every visit, stop, purchase, shortfall and unassigned row names its
        programme(s) (``programme``, ``programme_samples``).
    higher_level
        The samples of higher-level programmes in the district, each with ``counts_towards``
        (the programme whose quota it counts towards, or empty) and ``counted_as`` (``quota`` or
        ``coverage``); empty without a higher-level table.
    """

    months: list[int]
    plan_year: int
    seed: int
    config: Config
    scores: pd.DataFrame
    quota: int
    allocation: pd.DataFrame
    schedule: pd.DataFrame
    calendar: pd.DataFrame
    visits: pd.DataFrame
    teams: pd.DataFrame
    stops: pd.DataFrame
    routes: pd.DataFrame
    unassigned: pd.DataFrame
    purchases: pd.DataFrame
    shortfall: pd.DataFrame
    placements: pd.DataFrame = dataclasses.field(default_factory=empty_placements)
    allocation_result: Allocation | None = None
    dataset: Dataset | None = None
    reproducible: bool = True
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    warnings: list[str] = dataclasses.field(default_factory=list)
    lab_days: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=LAB_DAY_COLUMNS))
    detection: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame(columns=list(DETECTION_COLUMNS)))
    programmes: list[ProgrammePlan] = dataclasses.field(default_factory=list)
    higher_level: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        k = self.key_numbers()
        return (f"{type(self).__name__}({', '.join(k['months'])}, quota={k['quota']}, "
                f"visits={k['visits']}, routed={k['routed']}, routes={k['routes']}, "
                f"unassigned={k['unassigned']}, seed={self.seed})")

    def key_numbers(self) -> dict[str, Any]:
        """The headline figures of the plan.

        Returns
        -------
        dict
            ``quota``, ``allocated``, coverage counts (``townships_covered`` / ``townships``, and
            the same for business types and categories present), the planned months' ``visits``,
            ``samples``, ``scheduled`` (samples the schedule asks for in those months),
            ``shortfall`` (scheduled samples no establishment could take), ``routed``,
            ``unassigned``, ``purchases``, ``routes``, ``unassigned_reasons``,
            ``test_fees_yuan`` (the year's allocation at each category's test fee [CNY]),
            ``below_quota`` (samples the budget left out, ``allocation.allow_below_quota``),
            ``reproducible``, and what the plan can detect (:mod:`riskplan.allocation.detection`):
            ``design_prevalence`` p* [-], ``district_sensitivity`` (risk-weighted surveillance
            sensitivity at p* [-]), ``expected_detections`` (unqualified samples expected to be
            found [samples]) and ``strata_with_find`` (expected strata with a find [strata]),
            rounded to 4 decimals (None without a detection table).
        """
        alloc = self.allocation
        got = alloc[alloc["samples"] > 0]
        hl = self.higher_level
        counted = int(hl.loc[hl["counted_as"] == "quota", "samples"].sum()) if len(hl) else 0
        visits = self.visits
        reasons = (self.unassigned["reason"].value_counts().sort_index() if len(self.unassigned)
                   else pd.Series(dtype=int))
        n_townships = (len(self.dataset.townships) if self.dataset is not None
                       else alloc["township_code"].nunique())
        return {
            "quota": int(self.quota),
            "allocated": int(alloc["samples"].sum()),
            "strata": int(len(alloc[KEY].drop_duplicates())),
            "strata_covered": int(len(got[KEY].drop_duplicates())),
            "townships": int(n_townships),
            "townships_covered": int(got["township_code"].nunique()),
            "business_types": int(alloc["business_type"].nunique()),
            "business_types_covered": int(got["business_type"].nunique()),
            "categories": int(alloc["category_code"].nunique()),
            "categories_covered": int(got["category_code"].nunique()),
            "months": [f"{self.plan_year}-{m:02d}" for m in self.months],
            "visits": int(len(visits)),
            "samples": int(visits["samples"].sum()) if len(visits) else 0,
            "scheduled": int(self.schedule.loc[self.schedule["month"].isin(self.months),
                                               "samples"].sum()),
            "shortfall": int(self.shortfall["missing"].sum()) if len(self.shortfall) else 0,
            "routed": int(self.n_routed),
            "unassigned": int(len(self.unassigned)),
            "purchases": int(len(self.purchases)),
            "routes": int(len(self.routes)),
            "unassigned_reasons": {str(k): int(v) for k, v in reasons.items()},
            **self.delivery(),
            "test_fees_yuan": (round(float(alloc["cost_yuan"].sum()), 2)
                               if "cost_yuan" in alloc.columns else None),
            "below_quota": max(0, int(self.quota) - int(alloc["samples"].sum()) - counted),
            "reproducible": bool(self.reproducible),
            **self._detection_numbers(),
            # only with [[programmes]]: a plan of one programme keeps its figures as they were
            **({"programmes": self.programme_numbers().to_dict("records")} if self.programmes else {}),
            **({"higher_level_samples": int(hl["samples"].sum()), "higher_level_counted": counted}
               if len(hl) else {}),
            # only with an inspection programme: T25, target visits routed within their window
            **({"campaigns": [
                {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}  # NaN: no JSON
                for r in campaign_score(self.visits, self.stops, self.config).to_dict("records")]}
               if campaigns_of(self.config) else {}),
        }

    def _detection_numbers(self) -> dict[str, Any]:
        names = ("district_sensitivity", "expected_detections", "strata_with_find")
        if not len(self.detection):
            return {"design_prevalence": None, **dict.fromkeys(names)}
        fig = district_detection(self.detection)
        return {"design_prevalence": float(self.config.detection.design_prevalence),
                **{n: round(float(fig[n]), 4) for n in names}}

    def summary(self, font_note: str | None = None) -> str:
        """The plan in a few lines (what ``riskplan plan`` prints before the files).

        ``font_note``: :func:`riskplan.plotting.fonts.font_note` when the caller has it already
        (``riskplan plan`` asks a worker process: matplotlib need not be imported here); None:
        asked here.
        """
        k = self.key_numbers()
        name = self.dataset.name if self.dataset is not None else "plan"
        lines = [
            f"riskplan plan: {name}, {', '.join(k['months'])} (seed {self.seed})",
            f"  annual quota 年度任务量: {k['quota']} samples, allocated {k['allocated']}",
            f"  test fees 检验费 (year): {_yuan(k['test_fees_yuan'])}",
            *([f"  BELOW QUOTA 低于任务量: {k['below_quota']} samples of the mandated {k['quota']} "
               "are not planned: the budget (allocation.budget_yuan) does not pay for them and "
               "allocation.allow_below_quota = true"] if k["below_quota"] else []),
            f"  coverage 覆盖: townships {k['townships_covered']}/{k['townships']}, business types "
            f"{k['business_types_covered']}/{k['business_types']}, categories "
            f"{k['categories_covered']}/{k['categories']}",
            *([f"  detection 可发现: district sensitivity {k['district_sensitivity']:.3f} at p* = "
               f"{k['design_prevalence']:.1%}, {k['expected_detections']:.1f} unqualified samples "
               f"expected to be found (see detection.csv)"]
              if k["district_sensitivity"] is not None else []),
            f"  samples 样品: {k['scheduled']} scheduled, {k['samples']} selected, {k['shortfall']} "
            "short (see shortfall.csv)",
            f"  delivery 落实: {k['delivered']} delivered = {k['samples_routed']} routed + "
            f"{k['samples_bought']} bought; {k['samples_short']} short, {k['samples_unassigned']} "
            f"unassigned (carried {k['carried']}, substituted {k['substituted']}, moved by the "
            f"allocation {k['moved']}, held overnight {k['held_overnight']}, navigate by address "
            f"{k['navigate_by_address']})",
            f"  visits 任务: {k['visits']} selected, {k['routed']} routed on {k['routes']} routes, "
            f"{k['unassigned']} unassigned, {k['purchases']} purchase orders",
        ]
        if "higher_level_samples" in k:
            lines.append(f"  higher-level 上级任务: {k['higher_level_samples']} samples, "
                         f"{k['higher_level_counted']} counted towards a quota, the rest for coverage "
                         "(higher_level.csv)")
        for r in k.get("programmes", []):
            lines.append(
                f"  programme {r['programme']} ({r['name']}): quota {r['quota']}, allocated "
                f"{r['allocated']}, {r['scheduled']} scheduled, {r['samples']} selected "
                f"({r['samples_routed']} routed, {r['samples_bought']} bought), {r['visits']} "
                f"visits of which {r['shared_visits']} shared with another programme")
        for r in k.get("campaigns", []):
            lines.append(
                f"  campaign 检查 {r['programme']}: {r['targets']} visits planned (no samples), "
                f"{r['routed']} routed within the window"
                + (f" ({r['share']:.1%}), " if r["share"] is not None else ", ") +
                f"{r['visit_hours']:.1f} h on site")
        for reason, n in k["unassigned_reasons"].items():
            lines.append(f"    unassigned: {n} x {reason}")
        if not k["reproducible"]:
            lines.append("  note: routing used a wall-clock limit; routes may differ between runs")
        lines.extend(f"  warning: {w}" for w in self.warnings)
        if font_note is None:
            from riskplan.plotting.fonts import font_note as note_of_fonts  # imports matplotlib

            font_note = note_of_fonts()
        if font_note:  # the maps and charts of the plan folder: said once, here
            lines.append(f"  note: {font_note}")
        return "\n".join(lines)

    def delivery(self) -> dict[str, int]:
        """Where every sample of the planned months ends [samples].

        Returns
        -------
        dict
            ``scheduled`` = ``samples_routed`` (on a team's day) + ``samples_bought`` (purchase
            orders) + ``samples_short`` (no establishment in the plan year, ``shortfall``) +
            ``samples_unassigned`` (selected, not routed, ``unassigned``), each sample in exactly
            one; ``delivered`` = routed + bought. Flags counted beside them: ``carried`` and
            ``substituted`` (samples moved by the selection, ``placements``), ``moved``
            (samples the allocation moved to strata that can supply them), ``held_overnight``
            (routed samples kept in a station's cold storage overnight) and
            ``navigate_by_address`` (routed samples of establishments without coordinates).
        """
        v = self.visits
        routed_ids = set(self.stops["visit_id"]) if len(self.stops) else set()
        buy = v["mode"].astype(str) == "purchase" if len(v) else pd.Series(dtype=bool)
        on_route = v["visit_id"].isin(routed_ids) & ~buy if len(v) else pd.Series(dtype=bool)

        def n(mask: pd.Series) -> int:
            return int(v.loc[mask, "samples"].sum()) if len(v) else 0

        p = self.placements
        moves = self.allocation_result.moves if self.allocation_result is not None else None
        out = {
            "samples_routed": n(on_route),
            "samples_bought": n(buy),
            "samples_short": int(self.shortfall["missing"].sum()) if len(self.shortfall) else 0,
            "samples_unassigned": n(~on_route & ~buy) if len(v) else 0,
            "carried": int(p.loc[p["kind"] == "carried", "samples"].sum()) if len(p) else 0,
            "substituted": int(p.loc[p["kind"] == "substituted", "samples"].sum()) if len(p) else 0,
            "moved": int(moves["samples"].sum()) if moves is not None and len(moves) else 0,
            "held_overnight": self._flagged("held_overnight"),
            "navigate_by_address": self._flagged("navigate_by_address"),
        }
        out["delivered"] = out["samples_routed"] + out["samples_bought"]
        return out

    def _flagged(self, flag: str) -> int:
        """Samples of the routed stops carrying the bool column ``flag`` [samples]."""
        st = self.stops
        if not len(st) or flag not in st.columns:
            return 0
        ids = st.loc[st[flag].fillna(False).astype(bool), "visit_id"]
        v = self.visits
        return int(v.loc[v["visit_id"].isin(ids), "samples"].sum()) if len(v) else 0

    def programme_numbers(self) -> pd.DataFrame:
        """Each programme's figures (empty without ``[[programmes]]``).

        Returns
        -------
        pandas.DataFrame
            One row per programme: ``programme, name, kind, document, quota,
            higher_level_counted`` (higher-level samples counting towards it), ``allocated``
            (the year [samples]; allocated + higher_level_counted = quota),
            ``scheduled`` (the planned months), ``samples`` (selected),
            ``samples_routed``, ``samples_bought``, ``samples_short`` [samples], ``visits``
            (visits taking its samples) and ``shared_visits`` (those also taking another
            programme's samples).
        """
        rows = []
        v = self.visits
        per = programme_samples(v) if len(v) and "programme_samples" in v.columns else pd.DataFrame(
            columns=["visit_id", "programme", "samples"])
        routed = set(self.stops["visit_id"]) if len(self.stops) else set()
        bought = set(self.purchases["visit_id"]) if len(self.purchases) else set()
        n_prog = per.groupby("visit_id")["programme"].nunique() if len(per) else pd.Series(dtype=int)
        sched = self.schedule[self.schedule["month"].isin(self.months)]
        hl = self.higher_level
        for plan in self.programmes:
            pid = plan.rules.id
            mine = per[per["programme"] == pid]
            short = self.shortfall
            rows.append({
                "programme": pid, "name": plan.rules.label, "kind": plan.rules.kind,
                "document": plan.rules.document, "quota": int(plan.quota),
                "higher_level_counted": int(hl.loc[hl["counts_towards"] == pid, "samples"].sum())
                if len(hl) else 0,
                "allocated": int(plan.allocation.table["samples"].sum()),
                "scheduled": int(sched.loc[sched["programme"] == pid, "samples"].sum()),
                "samples": int(mine["samples"].sum()),
                "samples_routed": int(mine.loc[mine["visit_id"].isin(routed), "samples"].sum()),
                "samples_bought": int(mine.loc[mine["visit_id"].isin(bought), "samples"].sum()),
                "samples_short": int(short.loc[short["programme"].astype(str).str.split(";").map(
                    lambda ps, p=pid: p in ps), "missing"].sum()) if len(short) else 0,
                "visits": int(mine["visit_id"].nunique()),
                "shared_visits": int((n_prog.reindex(mine["visit_id"].unique()) > 1).sum()),
            })
        return pd.DataFrame(rows)

    @property
    def n_routed(self) -> int:
        """Visits placed on a route."""
        return int(self.stops["visit_id"].nunique()) if len(self.stops) else 0

    def accounting(self) -> pd.DataFrame:
        """Where each selected visit ended up: ``visit_id, establishment_id, month, outcome``.

        ``outcome`` is ``routed``, ``unassigned`` or ``purchase``; a visit in none of them or in
        two would show as ``missing`` or twice. :func:`run_plan` guarantees exactly one row per
        visit.
        """
        parts = [
            pd.DataFrame({"visit_id": self.stops["visit_id"], "outcome": "routed"}),
            pd.DataFrame({"visit_id": self.unassigned["visit_id"], "outcome": "unassigned"}),
            pd.DataFrame({"visit_id": self.purchases["visit_id"], "outcome": "purchase"}),
        ]
        where = pd.concat(parts, ignore_index=True)
        out = self.visits[["visit_id", "establishment_id", "month"]].merge(
            where, on="visit_id", how="outer"
        )
        out["outcome"] = out["outcome"].fillna("missing")
        return out


def programme_samples(visits: pd.DataFrame) -> pd.DataFrame:
    """``visit_id, programme, category_code, samples``: one row per visit, programme and category.

    Read from the visits' ``programme_samples`` (``risk_monitoring:C01=1;supervision:C07=2``).
    """
    rows = []
    for vid, text in zip(visits["visit_id"].astype(str), visits["programme_samples"].astype(str)):
        for part in filter(None, text.split(";")):
            pid, _, cats = part.partition(":")
            for item in filter(None, cats.split(",")):
                code, _, n = item.partition("=")
                rows.append((vid, pid, code, int(n)))
    return pd.DataFrame(rows, columns=["visit_id", "programme", "category_code", "samples"])


def _yuan(value: float | None) -> str:
    """``734,300 yuan`` (or ``unknown`` without the allocation's costs)."""
    return "unknown" if value is None else f"{value:,.0f} yuan"
