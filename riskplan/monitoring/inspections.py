"""An inspection campaign's target (T25) computed from the inspections done.

An inspection programme (``[[programmes]]`` of ``kind = "inspection"``, issue 15) visits every
target establishment (its business types; default the school and kindergarten canteens) within
the first ``window_working_days`` working days of each school term. The plan scores the share it
*routed* (``key_numbers.campaigns``); here the share *done* is computed from the dataset's
``inspections`` table (``inspections.csv``, or ``riskplan monitor --inspections FILE``):

    share [%] = 100 x sum over terms begun by ``as_of`` of (targets inspected within the window)
                / (targets x terms begun)

* a term counts from its first day (``calendar.school_terms``) once that day is on or before
  ``as_of``; terms not yet begun are not counted;
* the window runs from the term's first working day to its ``window_working_days``-th (the plan's
  calendar, :func:`riskplan.pipeline.campaign.campaign_terms`); an inspection dated in that span
  counts, one dated before it or after it does not (the note says how many came late);
* a target inspected twice in a window counts once; inspections of other establishments, of
  another campaign (column ``programme``; empty: every campaign) or after ``as_of`` are not counted;
* while a begun term's window is still open (``as_of`` before its last day) the value may still
  rise: the scorecard then calls a shortfall ``at_risk``, not ``missed`` (column ``open_until``).

The value is computed for each target the inspection programme names (``targets = ["T25"]``); two
campaigns naming the same target are pooled. Without an inspections table (no rows) nothing is
computed and the scorecard keeps the typed-in value, or ``no_data``, saying why
(:attr:`InspectionActuals.notes`).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from riskplan._problems import Problems
from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.errors import ValidationError
from riskplan.pipeline.campaign import campaign_targets, campaign_terms
from riskplan.settings.programme import ProgrammeRules
from riskplan.tables import DateLike

__all__ = ["InspectionActuals", "inspection_actuals", "NO_INSPECTIONS"]

NO_INSPECTIONS = ("not computed from inspections: no inspections table (inspections.csv, or "
                  "riskplan monitor --inspections FILE) / 未提供检查记录，未按检查计算")
"""Note of an inspection programme's target when the dataset has no inspections."""

TERM_COLUMNS = ("target_id", "programme", "term_first_day", "window_first_day", "window_last_day",
                "targets", "inspected_in_window", "inspected_late", "window_open")
"""Columns of :attr:`InspectionActuals.terms`."""


@dataclasses.dataclass(frozen=True)
class InspectionActuals:
    """What the inspections done say about the campaigns' targets.

    Attributes
    ----------
    computed
        Rows as :func:`~riskplan.monitoring.targets.computed_actuals` (``target_id, scope,
        actual, as_of, note, source``) plus ``open_until`` (ISO date of the last window day
        still ahead of ``as_of``, or empty); ``actual`` [%].
    notes
        Target ID -> why it was not computed (no inspections table, no target establishment, no
        term begun yet); the scorecard adds it to the target's note.
    terms
        One row per campaign, target and term begun (:data:`TERM_COLUMNS`).
    """

    computed: pd.DataFrame
    notes: dict[str, str]
    terms: pd.DataFrame


def _campaigns(config: Config | None) -> list[tuple[int, ProgrammeRules]]:
    """(index in ``config.programmes``, programme) of the inspection programmes naming a target."""
    programmes: tuple[ProgrammeRules, ...] = tuple(getattr(config, "programmes", ()) or ())
    return [(i, p) for i, p in enumerate(programmes) if p.kind == "inspection" and p.targets]


def _checked(inspections: pd.DataFrame, ids: set[str], file: str) -> pd.DataFrame:
    """``establishment_id``, ``date``, ``programme`` (text, empty when none) of every row.

    Raises
    ------
    ValidationError
        For a ``programme`` that is no inspection programme of the plan (file, row, column).
    """
    df = inspections.reset_index(drop=True)
    prog = (df["programme"].astype("string").fillna("").str.strip() if "programme" in df.columns
            else pd.Series("", index=df.index, dtype="string"))
    problems = Problems()
    known = ", ".join(sorted(ids))
    for pos in (~prog.isin(["", *ids])).to_numpy().nonzero()[0]:
        problems.add(file, int(pos) + 1, "programme", prog.iloc[pos],
                     f"not an inspection programme of the plan (known: {known})",
                     f"不是计划中的检查任务（已有：{known}）")
    if problems.has_errors:
        raise ValidationError(problems.to_frame())
    return pd.DataFrame({"establishment_id": df["establishment_id"].astype(str),
                         "date": pd.to_datetime(df["date"]).dt.normalize(),
                         "programme": prog.astype(str)})


def inspection_actuals(config: Config | None, dataset: Dataset, as_of: DateLike,
                       plan_year: int | None = None) -> InspectionActuals:
    """Each inspection programme's target from the dataset's inspections (see the module notes).

    Parameters
    ----------
    config
        The plan's configuration (its ``programmes`` and ``calendar``).
    dataset
        The district (``establishments``; ``inspections``, empty when none were given).
    as_of
        Date of the assessment: inspections after it are not counted.
    plan_year
        Year whose terms are scored (default: ``as_of``'s year).

    Raises
    ------
    ValidationError
        For an inspection naming a programme that is no inspection programme of the plan.
    ConfigError
        For a campaign whose business types the dataset does not have.
    """
    as_of = pd.Timestamp(as_of).normalize()
    year = int(plan_year or as_of.year)
    campaigns = _campaigns(config)
    empty = pd.DataFrame(columns=["target_id", "scope", "actual", "as_of", "note", "source",
                                  "open_until"])
    insp = getattr(dataset, "inspections", None)
    if config is None or not campaigns:
        return InspectionActuals(empty, {}, pd.DataFrame(columns=list(TERM_COLUMNS)))
    if insp is None or len(insp) == 0:
        return InspectionActuals(empty, {t: NO_INSPECTIONS for _, p in campaigns for t in p.targets},
                                 pd.DataFrame(columns=list(TERM_COLUMNS)))
    file = (dataset.metadata or {}).get("files", {}).get("inspections", "inspections.csv")
    cfg = config
    done = _checked(insp, {p.id for p in cfg.programmes if p.kind == "inspection"}, file)
    done = done[done["date"] <= as_of]
    terms: list[tuple] = []
    notes: dict[str, str] = {}
    parts: dict[str, list[str]] = {}
    for index, rules in campaigns:
        targets = set(campaign_targets(rules, index, dataset)["establishment_id"].astype(str))
        mine = done[done["programme"].isin(["", rules.id])]
        begun = [(a, b, w) for a, b, w in campaign_terms(rules, year, cfg)
                 if pd.Timestamp(a) <= as_of]
        for t in rules.targets:
            if not targets:
                notes[t] = (f"not computed: campaign {rules.id} has no target establishment in "
                            "the register / 名录中没有该检查任务的检查对象")
                continue
            if not begun:
                notes[t] = (f"not computed: no school term of {year} has begun by "
                            f"{as_of.date()} / 截至评估日期本年度尚未开学")
                continue
            for a, b, w in begun:
                first, last = pd.Timestamp(w[0]), pd.Timestamp(w[-1])
                est = mine["establishment_id"]
                inside = set(est[(mine["date"] >= first) & (mine["date"] <= last)]) & targets
                late = (set(est[(mine["date"] > last) & (mine["date"] <= pd.Timestamp(b))])
                        & targets) - inside
                terms.append((t, rules.id, a.isoformat(), w[0].isoformat(), w[-1].isoformat(),
                              len(targets), len(inside), len(late), bool(as_of < last)))
            parts.setdefault(t, []).append(rules.id)
    term_frame = pd.DataFrame(terms, columns=list(TERM_COLUMNS))
    rows = []
    for t, progs in parts.items():
        per_term = list(term_frame[term_frame["target_id"] == t].itertuples(index=False))
        n, d = sum(r.inspected_in_window for r in per_term), sum(r.targets for r in per_term)
        windows = "; ".join(
            f"term from {r.term_first_day}, window {r.window_first_day}..{r.window_last_day}"
            f"{' (open)' if r.window_open else ''}: {r.inspected_in_window} of {r.targets} in "
            f"the window, {r.inspected_late} after it" for r in per_term)
        open_until = max((r.window_last_day for r in per_term if r.window_open), default="")
        rows.append((t, "district", 100 * n / d, as_of.date().isoformat(),
                     f"{n} of {d} target inspections done within the first working days of the "
                     f"terms begun ({windows}) [programme {', '.join(progs)}]", "computed", open_until))
    computed = pd.DataFrame(rows, columns=list(empty.columns)) if rows else empty
    return InspectionActuals(computed, {t: v for t, v in notes.items() if t not in parts}, term_frame)
