"""A configuration checked against a dataset, every problem at once, as a table.

:func:`check_config` reads a file (or takes a :class:`~riskplan.config.Config`) and lists, in one
:class:`ConfigReport`, the problems of the file itself (unknown keys, wrong types, values out of
range) and, with a dataset, every code, role or name it does not have (with what it has and the
closest match) and every rule that matches nothing there. Without a dataset it checks what it
can (documented roles) and says that codes were not checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd

from riskplan.config import Config
from riskplan.configure.load import read_config
from riskplan.dataset import Dataset
from riskplan.errors import ConfigCheckError
from riskplan.roles import (
    BUSINESS_ROLES,
    CATEGORY_ROLES,
    RULES,
    Finding,
    check_rules,
    findings_frame,
    match_business_types,
    match_categories,
    rule_items,
    with_roles,
)
from riskplan.settings.programme import programme_key

__all__ = ["ConfigReport", "check_config", "format_table"]

_CODE_SHAPE = re.compile(r"[A-Z0-9][A-Za-z0-9_\-]*")


@dataclasses.dataclass
class ConfigReport:
    """Result of :func:`check_config`.

    Attributes
    ----------
    config
        The configuration (keys with errors keep their defaults).
    problems
        ``key, value, level, problem, dataset_has, close_match``; ``level`` is ``error``,
        ``warning`` (a rule that does nothing) or ``info``.
    source
        The file checked, or ``"<Config>"``.
    dataset
        Name of the dataset checked against, or None when none was given.
    """

    config: Config
    problems: pd.DataFrame
    source: str
    dataset: str | None

    @property
    def errors(self) -> pd.DataFrame:
        """The error rows."""
        return self.problems[self.problems["level"] == "error"].reset_index(drop=True)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return len(self.errors) == 0

    def raise_errors(self) -> None:
        """Raise :class:`~riskplan.errors.ConfigCheckError` listing every error, if any."""
        if not self.ok:
            against = f", against {self.dataset}" if self.dataset else ""
            raise ConfigCheckError(self.problems, f"{self.source}{against}")

    def summary(self) -> str:
        """The table of problems and a closing line, as ``riskplan config --check`` prints it."""
        n = self.problems["level"].value_counts()
        lines = []
        if len(self.problems):
            lines.append(format_table(self.problems))
        against = (f"against {self.dataset}" if self.dataset else
                   "codes, roles and names NOT checked against a dataset (give --data DIR) / "
                   "未对照数据检查代码")
        verdict = "OK / 配置有效" if self.ok else "NOT valid / 配置有误"
        lines.append(f"{self.source}: {verdict}: {int(n.get('error', 0))} error(s), "
                     f"{int(n.get('warning', 0))} warning(s), {int(n.get('info', 0))} note(s); "
                     f"{against}")
        return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    text = str(text).replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(problems: pd.DataFrame, width: int = 48) -> str:
    """The problems as an aligned text table (one row per problem)."""
    heads = ("level", "key", "value", "problem", "dataset has", "close match")
    cols = ("level", "key", "value", "problem", "dataset_has", "close_match")
    rows = [[_cut(str(r[c]), width) for c in cols] for _, r in problems.iterrows()]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*heads), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*r).rstrip() for r in rows]
    return "\n".join(out)


def _offline(config: Config) -> list[Finding]:
    """Without a dataset: roles that are not documented (a dataset may still declare them)."""
    doc = config.to_dict()
    out = []
    for rule in RULES:
        if rule.codes_only or rule.family not in ("business_type", "category"):
            continue
        documented = BUSINESS_ROLES if rule.family == "business_type" else CATEGORY_ROLES
        for key, item in rule_items(doc, rule):
            if _CODE_SHAPE.fullmatch(item) or item.lower() in documented:
                continue
            if rule.family == "category" and re.search(r"[\u4e00-\u9fff]", item):
                continue  # a Chinese category name: only a dataset can say
            out.append(Finding(key, item, "warning", f"{item!r} is not a documented role (a "
                               "dataset may declare it; check with --data DIR)",
                               f"documented: {', '.join(list(documented)[:5])}, ..."))
    return out


def _school_terms(config: Config, dataset: Dataset) -> list[Finding]:
    """A warning when no school term falls in the plan year while school rules apply."""
    year = dataset.plan_year
    types = match_business_types(config.routing.school_day_types, dataset).codes
    if year is None or not types:
        return []
    start, end = dt.date(int(year), 1, 1).isoformat(), dt.date(int(year), 12, 31).isoformat()
    if any(a <= end and b >= start for a, b in config.calendar.school_terms):
        return []
    terms = "; ".join(f"{a}..{b}" for a, b in config.calendar.school_terms) or "none"
    return [Finding("calendar.school_terms", terms, "warning",
                    f"no school term in plan year {year}: {', '.join(types)} get no sample",
                    f"plan year {year}", "")]


def _programme_codes(config: Config, dataset: Dataset) -> list[Finding]:
    """Each programme's categories and business types (codes or roles) against the dataset."""
    out = []
    for i, p in enumerate(config.programmes):
        for name, items, match in (("business_types", p.business_types, match_business_types),
                                   ("categories", p.categories, match_categories)):
            if not items:
                continue
            m = match(list(items), dataset)
            key = f"{programme_key(i, p.id)}.{name}"
            out += [Finding(key, item, "error", "not in the dataset") for item in m.unknown]
            if not m.unknown and not m.codes:
                out.append(Finding(key, ", ".join(items), "error", "matches nothing in the dataset"))
    return out


def check_config(config: Config | str | os.PathLike[str],
                 dataset: Dataset | None = None) -> ConfigReport:
    """Every problem of a configuration, against ``dataset`` when given.

    Parameters
    ----------
    config
        A configuration file (read key by key, see :func:`riskplan.configure.read_config`) or a
        :class:`~riskplan.config.Config`.
    dataset
        The district; None checks only what needs no data.

    Returns
    -------
    ConfigReport
        Never raises for problems of the content (call :meth:`ConfigReport.raise_errors`).
    """
    found: list[Finding] = []
    if isinstance(config, Config):
        cfg, source = config, "<Config>"
    else:
        cfg, found = read_config(config)
        source = str(Path(config))
    if dataset is None:
        found += _offline(cfg)
        name = None
    else:
        ds = with_roles(dataset, cfg.roles.business_types, cfg.roles.categories)
        found += check_rules(cfg.to_dict(), ds)
        found += _school_terms(cfg, ds)
        found += _programme_codes(cfg, ds)
        name = (getattr(dataset, "name", "") or str(getattr(dataset, "source", "") or "")
                or "the dataset")
    return ConfigReport(cfg, findings_frame(found), source, name)
