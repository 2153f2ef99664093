"""A first configuration made from a dataset: ``riskplan init --data DIR``.

:func:`init_config` writes a configuration that fits the dataset, so a new district plans on the
first run: its rules name the roles the dataset declares (and only those: a rule that would
match nothing is left out and listed), roles are proposed from the standard Chinese names of
business types and categories that declare none (written into ``[roles]`` and listed, so a
person can correct them), the national festival-food seasons are written by category code (the
categories table's own local seasons are used as they are), and the school terms are the default
terms moved to the plan year, marked to be checked. Every key carries its documentation, as
``riskplan config --show`` prints it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

from riskplan.config import Config
from riskplan.dataset import Dataset
from riskplan.roles import (
    RULES,
    VULNERABLE_ROLE,
    Guess,
    business_type_roles,
    guess_business_type_roles,
    guess_category_roles,
    local_seasons,
    match_categories,
    match_rule_item,
    rule_items,
    with_roles,
)
from riskplan.settings import default_school_terms
from riskplan.tables import split_list

__all__ = ["InitResult", "init_config"]


@dataclasses.dataclass
class InitResult:
    """What :func:`init_config` made.

    Attributes
    ----------
    config
        The configuration.
    text
        It as commented TOML (what ``riskplan init`` writes).
    guesses
        Roles proposed from names (business types and categories that declare none).
    left_out
        Rules of the defaults left out because they match nothing in the dataset.
    """

    config: Config
    text: str
    guesses: list[Guess]
    left_out: list[str]

    def summary(self) -> str:
        """The guesses and what was left out, for a person to check."""
        lines = []
        if self.guesses:
            lines.append(f"{len(self.guesses)} role(s) guessed from names (check them, [roles] in the file):")
            lines += [f"  {g.code:<14} {g.name}  ->  {g.role}  (from {g.because!r})" for g in self.guesses]
        else:
            lines.append("no role guessed: the dataset declares the roles of its business types and categories")
        if self.left_out:
            lines.append(f"{len(self.left_out)} default rule(s) left out (they match nothing here):")
            lines += [f"  {x}" for x in self.left_out]
        lines.append("CHECK calendar.school_terms: approximate terms for the plan year")
        return "\n".join(lines)


def _guesses(dataset: Dataset) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]],
                                        list[Guess]]:
    """Roles proposed for business types and categories whose ``roles`` cell is empty."""
    def empty(table: Any, key: str) -> set[str]:
        if "roles" not in table.columns:
            return set(table[key].astype(str))
        cells = split_list(table["roles"])
        return {str(c) for c, rs in zip(table[key], cells) if not rs}

    bt_empty = empty(dataset.business_types, "business_type")
    cat_empty = empty(dataset.categories, "category_code")
    bt_guess = [g for g in guess_business_type_roles(dataset) if g.code in bt_empty]
    cat_guess = [g for g in guess_category_roles(dataset) if g.code in cat_empty]
    declared = business_type_roles(dataset)
    bt: dict[str, tuple[str, ...]] = {}
    for g in bt_guess:
        # the configuration's list replaces the data's: keep `vulnerable = true`
        base = tuple(r for r in declared.get(g.code, ()) if r == VULNERABLE_ROLE)
        bt[g.code] = tuple(dict.fromkeys([*bt.get(g.code, base), g.role]))
    cats: dict[str, tuple[str, ...]] = {}
    for g in cat_guess:
        cats[g.code] = (*cats.get(g.code, ()), g.role)
    return bt, cats, [*bt_guess, *cat_guess]


def _fit_rules(doc: dict[str, Any], dataset: Dataset) -> list[str]:
    """Drop, in place, the role items and entries of ``doc`` that match nothing in ``dataset``."""
    left_out: list[str] = []
    for rule in RULES:
        if rule.codes_only or rule.path == "schedule.season_categories":
            continue
        section, _, rest = rule.path.partition(".")
        parent = doc[section]
        for part in rest.split(".")[:-1]:
            parent = parent.get(part, {})
        name = rest.split(".")[-1]
        if name not in parent:
            continue
        empty = [(k, i) for k, i in rule_items(doc, rule) if not match_rule_item(rule, i, dataset).codes]
        if not empty:
            continue
        gone = {i for _, i in empty}
        value = parent[name]
        if isinstance(value, list):
            parent[name] = [x for x in value if str(x) not in gone]
        elif isinstance(value, Mapping):
            parent[name] = {k: v for k, v in value.items()
                            if not (rule.shape == "keys" and k in gone)
                            and not (rule.shape == "values" and str(v) in gone)}
        left_out += [f"{k} = {i!r}" for k, i in empty]
    return left_out


def _seasons(doc: dict[str, Any], dataset: Dataset) -> tuple[list[str], dict[str, str]]:
    """National seasons written by category code; the categories' names as comments."""
    sched = doc["schedule"]
    names = dict(zip(dataset.categories["category_code"].astype(str),
                     dataset.categories["name_zh"].astype(str)))
    left_out, notes = [], {}
    cats, months, labels = {}, {}, {}
    for key, items in sched["season_categories"].items():
        codes = match_categories(str(items).split(";"), dataset).codes
        if not codes:
            left_out.append(f"schedule.season_categories.{key} = {items!r}")
            continue
        cats[key] = ";".join(codes)
        months[key] = sched["season_months"][key]
        labels[key] = sched["season_labels"].get(key, key)
        notes[key] = f"{items}: " + ", ".join(names.get(c, c) for c in codes)
    sched["season_categories"], sched["season_months"], sched["season_labels"] = cats, months, labels
    return left_out, notes


def _header(dataset: Dataset, source: str, guesses: list[Guess], left_out: list[str]) -> str:
    year = dataset.plan_year
    lines = [
        f"# riskplan configuration made by `riskplan init` for {dataset.name}"
        + (f" ({dataset.district_code})" if dataset.district_code else ""),
        f"# from {source or dataset.source}, plan year {year}. Every key is documented; a key left out",
        "# keeps its default (`riskplan config --show`). Check it with",
        "# `riskplan config --check FILE --data DIR`, then `riskplan plan --data DIR --config FILE`.",
        "#",
        "# CHECK before planning:",
        "#  - calendar.school_terms: approximate terms moved to the plan year (replace them with",
        "#    the provincial education department's calendar);",
    ]
    if guesses:
        lines.append("#  - [roles]: roles GUESSED from the names of business types and categories "
                     "that declare none:")
        lines += [f"#      {g.code} {g.name} -> {g.role} (from {g.because!r})" for g in guesses]
    seasons = local_seasons(dataset)
    if seasons:
        lines.append("#  - local seasons from the categories table (local_seasons column), used as they are:")
        lines += [f"#      {s.label}: categories {', '.join(s.categories)}, months {list(s.months)}"
                  for s in seasons]
    if left_out:
        lines.append("#  - default rules left out because they match nothing in this dataset:")
        lines += [f"#      {x}" for x in left_out]
    towns = dataset.townships
    lines.append("#")
    lines.append("# Townships (for allocation.exclude / allocation.fixed / township_min_overrides):")
    lines += [f"#   {r.township_code} {r.name_zh} ({int(r.population):,} residents)"
              for r in towns.itertuples()]
    return "\n".join(lines) + "\n\n"


def _annotate(text: str, notes: Mapping[str, str]) -> str:
    """Inline comments on the season lines and a CHECK mark on the school terms."""
    out = []
    table = ""
    for line in text.splitlines():
        if line.startswith("["):
            table = line.strip("[]")
        key = line.split(" = ")[0].strip('"') if " = " in line else ""
        if table == "schedule.season_categories" and key in notes:
            line = f"{line}  # {notes[key]}"
        if table == "calendar" and line.startswith("school_terms = "):
            out.append("# CHECK: approximate school terms for the plan year (riskplan init)")
        out.append(line)
    return "\n".join(out) + "\n"


def init_config(dataset: Dataset, source: str = "") -> InitResult:
    """A configuration fitting ``dataset`` (see the module notes).

    Parameters
    ----------
    dataset
        The district (validated).
    source
        Where it was read from, for the header (default ``dataset.source``).

    Returns
    -------
    InitResult
        The configuration, its commented TOML, the guesses and what was left out.
    """
    bt_roles, cat_roles, guesses = _guesses(dataset)
    ds = with_roles(dataset, bt_roles, cat_roles)
    year = int(dataset.plan_year) if dataset.plan_year is not None else 2026
    base = Config()
    doc = copy.deepcopy(base.to_dict())
    doc["roles"] = {"business_types": {k: list(v) for k, v in bt_roles.items()},
                    "categories": {k: list(v) for k, v in cat_roles.items()}}
    doc["calendar"]["school_terms"] = [list(t) for t in default_school_terms(year)]
    # a new district's plan keeps school canteens out of months without school days (the default
    # is off only so that plans made before this setting existed stay the same)
    doc["schedule"]["school_days_only"] = True
    left_out, notes = _seasons(doc, ds)
    left_out += _fit_rules(doc, ds)
    config = Config.from_dict(doc)
    text = _header(ds, source, guesses, left_out) + _annotate(
        config.to_toml().split("\n\n", 1)[1], notes)
    return InitResult(config, text, guesses, left_out)
