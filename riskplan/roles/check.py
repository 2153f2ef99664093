"""A configuration's codes, roles and names checked against a dataset: every finding at once.

:func:`check_rules` goes through every key of :data:`riskplan.roles.rules.RULES` and reports, for
each name, what is wrong (an unknown code or role: an error, with what the dataset has and the
closest match) and each rule that matches nothing in the dataset (a warning naming it).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd

from riskplan.dataset import Dataset
from riskplan.roles.lookup import (
    business_type_roles,
    category_roles,
    known_business_roles,
    known_category_roles,
)
from riskplan.roles.rules import RULES, Rule, match_rule_item, rule_items
from riskplan.roles.seasons import local_seasons
from riskplan.roles.vocabulary import BUSINESS_ROLES, CATEGORY_ROLES

__all__ = ["Finding", "FINDING_COLUMNS", "check_rules", "findings_frame"]

Level = Literal["error", "warning", "info"]

FINDING_COLUMNS: tuple[str, ...] = ("key", "value", "level", "problem", "dataset_has", "close_match")
"""Columns of :func:`findings_frame`."""


@dataclasses.dataclass(frozen=True)
class Finding:
    """One problem of a configuration.

    Attributes
    ----------
    key
        Full key, e.g. ``routing.windows.C-SCHOOL`` or ``allocation.school_business_types[0]``.
    value
        The offending value as text.
    level
        ``error`` (the plan cannot run), ``warning`` (a rule that does nothing) or ``info``.
    problem
        What is wrong.
    dataset_has
        What the dataset has instead (codes, roles), shortened.
    close_match
        The closest code, role or name of the dataset, or empty.
    """

    key: str
    value: str
    level: Level
    problem: str
    dataset_has: str = ""
    close_match: str = ""


_WHAT = {
    "business_type": "business type code or role",
    "category": "food category code, role or name",
    "township": "township code",
    "lab": "lab ID",
    "target": "creation target ID",
}
_WHAT_CODES = {"business_type": "business type code", "category": "food category code"}


def _short(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)})" if len(items) > limit else "")


def _candidates(family: str, dataset: Dataset, codes_only: bool) -> tuple[list[str], str]:
    """Names a value of ``family`` could have been, and the 'dataset has' text."""
    if family == "business_type":
        codes = list(business_type_roles(dataset))
        roles = [] if codes_only else known_business_roles(dataset)
        text = f"business types {_short(codes)}" + (f"; roles {_short(roles, 4)}" if roles else "")
        return codes + roles, text
    if family == "category":
        codes = list(category_roles(dataset))
        cats = dataset.categories
        names = [] if codes_only else [str(n) for c in ("name_zh", "name_en") if c in cats.columns
                                       for n in cats[c].dropna()]
        roles = [] if codes_only else known_category_roles(dataset)
        text = f"categories {_short(codes)}" + (f"; roles {_short(roles, 4)}" if roles else "")
        return codes + roles + names, text
    table, col, what = {"township": ("townships", "township_code", "townships"),
                        "lab": ("labs", "lab_id", "labs"),
                        "target": ("creation_targets", "target_id", "targets")}[family]
    frame = getattr(dataset, table, None)
    codes = ([str(c) for c in frame[col].dropna()]
             if isinstance(frame, pd.DataFrame) and col in frame.columns else [])
    return codes, f"{what} {_short(codes)}" if codes else f"no {what}"


_CODE = re.compile(r"[A-Z0-9][A-Z0-9_\-]*")


def _close(item: str, candidates: list[str]) -> str:
    if _CODE.fullmatch(item):  # a code: the closest code first
        codes = [c for c in candidates if _CODE.fullmatch(c)]
        hit = difflib.get_close_matches(item, codes, n=1, cutoff=0.5)
        if hit:
            return hit[0]
    low = {c.lower(): c for c in candidates}
    hit = difflib.get_close_matches(item.lower(), list(low), n=1, cutoff=0.6)
    if not hit:  # a code typed without its prefix, e.g. SCHOOL for SC-SCHOOL
        hit = [c for c in low if item.lower() in c or (len(c) > 3 and c in item.lower())][:1]
    return low[hit[0]] if hit else ""


def _instance(rule: Rule, key: str) -> str:
    """The rule a name belongs to: the whole list, or one dict entry."""
    return rule.path if rule.shape == "list" else key


def check_rules(doc: Mapping[str, Any], dataset: Dataset) -> list[Finding]:
    """Every finding of a configuration (a ``Config.to_dict()``) against ``dataset``.

    Returns
    -------
    list of Finding
        Unknown codes, roles and names (errors), rules that match nothing (warnings), roles of
        a rule that match nothing while the rest does (info), in configuration order.
    """
    out: list[Finding] = []
    has_targets = len(getattr(dataset, "creation_targets", pd.DataFrame())) > 0
    for rule in RULES:
        if rule.family == "target" and not has_targets:
            continue  # no targets table: no scorecard, nothing to check these against
        per_instance: dict[str, list[tuple[str, str, str]]] = {}  # instance -> (key, item, state)
        for key, item in rule_items(doc, rule):
            m = match_rule_item(rule, item, dataset)
            if m.unknown:
                pool, has = _candidates(rule.family, dataset, rule.codes_only)
                what = _WHAT_CODES.get(rule.family, _WHAT[rule.family]) if rule.codes_only \
                    else _WHAT[rule.family]
                out.append(Finding(key, item, "error", f"unknown {what} {item!r}: not in the dataset",
                                   has, _close(item, pool)))
                state = "unknown"
            else:
                state = "empty" if m.empty else "ok"
            per_instance.setdefault(_instance(rule, key), []).append((key, item, state))
        if not rule.role_rule:
            continue
        for inst, entries in per_instance.items():
            empty = [(k, i) for k, i, s in entries if s == "empty"]
            if not empty:
                continue
            what = "business type" if rule.family == "business_type" else "category"
            declared = (sorted({r for rs in business_type_roles(dataset).values() for r in rs})
                        if rule.family == "business_type"
                        else sorted({r for rs in category_roles(dataset).values() for r in rs}))
            has = f"roles declared: {_short(declared, 8)}" if declared else "no roles declared"
            if all(s != "ok" for _, _, s in entries):
                names = ", ".join(repr(i) for _, i in empty)
                out.append(Finding(inst, "; ".join(i for _, i in empty), "warning",
                                   f"rule matches nothing in this dataset: no {what} has {names}",
                                   has))
            else:
                for k, i in empty:
                    out.append(Finding(k, i, "info", f"no {what} of the dataset has {i!r}", has))
    out.extend(_role_lists(doc))
    out.extend(_seasons(doc, dataset))
    return out


def _role_lists(doc: Mapping[str, Any]) -> list[Finding]:
    """Roles given in ``[roles]`` that are neither documented nor named by any rule."""
    named = {item.lower() for rule in RULES if not rule.codes_only for _, item in rule_items(doc, rule)}
    out = []
    for section, documented in (("business_types", BUSINESS_ROLES), ("categories", CATEGORY_ROLES)):
        for code, roles in (doc.get("roles", {}).get(section, {}) or {}).items():
            for r in roles:
                if r.lower() not in documented and r.lower() not in named:
                    out.append(Finding(f"roles.{section}.{code}", r, "warning",
                                       f"{r!r} is not a documented role and no rule names it",
                                       f"documented: {_short(list(documented), 5)}",
                                       _close(r, list(documented))))
    return out


def _seasons(doc: Mapping[str, Any], dataset: Dataset) -> list[Finding]:
    sched = doc.get("schedule", {})
    if not sched.get("local_seasons", True):
        return []
    mine = sched.get("season_categories", {})
    return [Finding(f"schedule.season_categories.{s.key}", str(mine[s.key]), "info",
                    f"replaces the local season {s.label!r} of the categories table",
                    f"categories {', '.join(s.categories)}, months {list(s.months)}")
            for s in local_seasons(dataset) if s.key in mine]


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a table with :data:`FINDING_COLUMNS`: errors first, then warnings, notes."""
    rank = {"error": 0, "warning": 1, "info": 2}
    ordered = sorted(findings, key=lambda f: rank[f.level])  # stable: file order within a level
    return pd.DataFrame([dataclasses.astuple(f) for f in ordered], columns=list(FINDING_COLUMNS))
