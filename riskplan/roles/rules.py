"""The configuration keys that name business types, categories or townships, resolved to codes.

Every rule about a kind of place or food names roles by default (``routing.school_day_types =
["school canteen", "kindergarten canteen"]``) and may name codes; :data:`RULES` lists those keys
and :func:`resolve_rules` turns a configuration (as the plain dict of ``Config.to_dict()``) into
one naming the dataset's codes only, which the stages use. It works on plain dicts so that the
configuration layer above can use it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from riskplan._settings import section_from_dict, section_to_dict
from riskplan.roles.lookup import (
    Match,
    RoleTables,
    business_type_roles,
    match_business_types,
    match_categories,
)
from riskplan.roles.seasons import local_seasons

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["Rule", "RULES", "rule_items", "match_rule_item", "resolve_rules", "keyed_by_type",
           "resolve_section"]

T = TypeVar("T", bound="DataclassInstance")

Family = Literal["business_type", "category", "township", "lab", "target"]
Shape = Literal["list", "keys", "values", "text_lists", "text"]


@dataclasses.dataclass(frozen=True)
class Rule:
    """A configuration key that names codes (or roles, or names).

    Attributes
    ----------
    path
        Dotted key, e.g. ``routing.windows``.
    family
        What it names: ``business_type`` (codes or roles), ``category`` (codes, roles or names),
        ``township`` (codes), ``lab`` (a lab ID), ``target`` (creation-target IDs).
    shape
        Where the names sit: ``list`` items, dict ``keys``, dict ``values``, ``text_lists``
        (dict values that are ``;`` lists) or one ``text`` value.
    codes_only
        Only codes are allowed (no roles or names).
    role_rule
        A rule applying to a role: a role that matches nothing is worth a warning.
    """

    path: str
    family: Family
    shape: Shape
    codes_only: bool = False
    role_rule: bool = True


RULES: tuple[Rule, ...] = (
    Rule("roles.business_types", "business_type", "keys", codes_only=True, role_rule=False),
    Rule("roles.categories", "category", "keys", codes_only=True, role_rule=False),
    Rule("risk.vulnerable_types", "business_type", "list"),
    Rule("allocation.township_min_overrides", "township", "keys", codes_only=True, role_rule=False),
    Rule("allocation.key_categories", "category", "list"),
    Rule("allocation.key_products", "category", "values"),
    Rule("allocation.school_business_types", "business_type", "list"),
    Rule("allocation.exclude.townships", "township", "list", codes_only=True, role_rule=False),
    Rule("allocation.exclude.business_types", "business_type", "list"),
    Rule("allocation.exclude.categories", "category", "list"),
    Rule("allocation.fixed.townships", "township", "keys", codes_only=True, role_rule=False),
    Rule("allocation.fixed.business_types", "business_type", "keys"),
    Rule("allocation.fixed.categories", "category", "keys"),
    Rule("schedule.season_categories", "category", "text_lists"),
    Rule("selection.rotation_by_business_type", "business_type", "keys"),
    Rule("selection.purchase_business_types", "business_type", "list"),
    Rule("routing.windows", "business_type", "keys"),
    Rule("routing.early_start_types", "business_type", "list"),
    Rule("routing.school_day_types", "business_type", "list"),
    Rule("routing.lab_id", "lab", "text", codes_only=True, role_rule=False),
    Rule("monitoring.year_to_date_targets", "target", "list", codes_only=True, role_rule=False),
    Rule("monitoring.year_end_targets", "target", "list", codes_only=True, role_rule=False),
    Rule("detection.test_sensitivity", "category", "keys"),
)
"""Every key that names codes, roles or names, in configuration order."""

_NOT_NAMES = {"routing.windows": {"default"}}  # keys of a rule that are not names


def _get(doc: Mapping[str, Any], path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def rule_items(doc: Mapping[str, Any], rule: Rule) -> Iterator[tuple[str, str]]:
    """``(full key, name)`` for every name the rule holds in ``doc`` (a ``Config.to_dict()``)."""
    value = _get(doc, rule.path)
    skip = _NOT_NAMES.get(rule.path, set())
    if value is None:
        return
    if rule.shape == "list":
        for i, item in enumerate(value):
            yield f"{rule.path}[{i}]", str(item)
    elif rule.shape == "keys":
        for k in value:
            if k not in skip:
                yield f"{rule.path}.{k}", str(k)
    elif rule.shape == "values":
        for k, v in value.items():
            yield f"{rule.path}.{k}", str(v)
    elif rule.shape == "text_lists":
        for k, v in value.items():
            for item in str(v).replace("；", ";").split(";"):
                if item.strip():
                    yield f"{rule.path}.{k}", item.strip()
    elif rule.shape == "text" and str(value):
        yield rule.path, str(value)


def match_rule_item(rule: Rule, item: str, dataset: RoleTables) -> Match:
    """What one name of ``rule`` matches in ``dataset`` (codes only for code-only rules)."""
    if rule.family == "business_type" and not rule.codes_only:
        return match_business_types([item], dataset)
    if rule.family == "category" and not rule.codes_only:
        return match_categories([item], dataset)
    known = _codes(rule.family, dataset)
    hit = (item,) if item in known else ()
    return Match(hit, () if hit else (item,), (), {item: hit})


def _codes(family: str, dataset: RoleTables) -> list[str]:
    col = {"business_type": ("business_types", "business_type"),
           "category": ("categories", "category_code"),
           "township": ("townships", "township_code"),
           "lab": ("labs", "lab_id"),
           "target": ("creation_targets", "target_id")}[family]
    table = getattr(dataset, col[0], None)
    if table is None or col[1] not in getattr(table, "columns", ()):
        return []
    return [str(c) for c in table[col[1]].dropna()]


def keyed_by_type(entries: Mapping[str, Any], dataset: RoleTables,
                  skip: frozenset[str] = frozenset(), keep_unknown: bool = False) -> dict[str, Any]:
    """Business type code -> entry, for a dict keyed by codes or roles.

    A business type takes its code's entry, else that of the first of its roles that has one;
    types with neither are left out. Keys in ``skip`` (``default``) are kept as they are, last;
    with ``keep_unknown``, so are keys that are neither a code nor a role of the dataset.
    """
    roles = business_type_roles(dataset)
    low = {str(k).strip().lower(): v for k, v in entries.items() if k not in skip}
    out: dict[str, Any] = {}
    for code, rs in roles.items():
        if code in entries:
            out[code] = entries[code]
            continue
        for r in rs:
            if r in low:
                out[code] = low[r]
                break
    if keep_unknown:
        declared = {r for rs in roles.values() for r in rs}
        for k, v in entries.items():
            if k not in roles and k not in skip and str(k).strip().lower() not in declared:
                out.setdefault(k, v)
    for k in skip:
        if k in entries:
            out[k] = entries[k]
    return out


def _group_key(codes: tuple[str, ...]) -> str:
    return ";".join(codes)


def resolve_rules(doc: Mapping[str, Any], dataset: RoleTables,
                  keep_unknown: bool = False) -> dict[str, Any]:
    """A copy of ``doc`` (a ``Config.to_dict()``) naming the dataset's codes only.

    Lists of codes and roles become the codes they match (table order); dicts keyed by codes or
    roles get one key per business type (its code's entry, else its first role's); category
    seasons become ``;`` lists of codes and the categories table's local seasons are added
    (``schedule.local_seasons``) unless the configuration has a season of that name; a fixed
    number for a role becomes one group keyed by its codes joined with ``;``. Names that match
    nothing are dropped (check a configuration first: the configuration layer's check), or, with
    ``keep_unknown``, names that are neither a code, a role nor a name of the tables are kept as
    they are (a stage resolving rules that may already name codes of tables it was not given).
    """
    out = copy.deepcopy(dict(doc))

    def codes(rule: Rule, item: str) -> tuple[str, ...]:
        m = match_rule_item(rule, item, dataset)
        return m.codes if (m.codes or not keep_unknown or not m.unknown) else (item,)

    for rule in RULES:
        value = _get(out, rule.path)
        if value is None or rule.codes_only:
            continue
        parent = _get(out, rule.path.rpartition(".")[0])
        name = rule.path.rpartition(".")[2]
        if rule.shape == "list":
            found = [c for item in value for c in codes(rule, str(item))]
            parent[name] = list(dict.fromkeys(found))
        elif rule.shape == "values":  # key products: name -> one category each
            new: dict[str, str] = {}
            for k, v in value.items():
                hit = codes(rule, str(v))
                if len(hit) == 1:
                    new[k] = hit[0]
                else:
                    new.update({f"{k} [{c}]": c for c in hit})
            parent[name] = new
        elif rule.shape == "text_lists":
            parent[name] = {k: ";".join(dict.fromkeys(
                c for item in str(v).replace("；", ";").split(";") if item.strip()
                for c in codes(rule, item.strip()))) for k, v in value.items()}
        elif rule.path.startswith("allocation.fixed."):
            groups: dict[str, int] = {}
            for k, n in value.items():
                hit = codes(rule, str(k))
                if hit:
                    groups[_group_key(hit)] = groups.get(_group_key(hit), 0) + int(n)
            parent[name] = groups
        elif rule.family == "category" and rule.shape == "keys":  # test sensitivity per category
            per: dict[str, Any] = {}
            for k, v in value.items():  # a code's own entry wins, then the first role naming it
                hit = codes(rule, str(k))
                for c in hit:
                    if hit == (str(k),) or c not in per:
                        per[c] = v
            parent[name] = per
        elif rule.family == "business_type":  # windows, rotation: one entry per business type
            parent[name] = keyed_by_type(value, dataset, frozenset(_NOT_NAMES.get(rule.path, ())),
                                         keep_unknown)
    sched = out.get("schedule", {})
    if sched.get("local_seasons", True):
        for season in local_seasons(dataset):
            if season.key in sched.get("season_categories", {}):
                continue
            sched.setdefault("season_categories", {})[season.key] = ";".join(season.categories)
            sched.setdefault("season_months", {})[season.key] = list(season.months)
            sched.setdefault("season_labels", {})[season.key] = season.label
    return out



def resolve_section(section: str, rules: T, tables: RoleTables) -> T:
    """One settings section (``"selection"``, ``RoutingRules``, ...) with its roles resolved.

    For a stage called on its own with the dataset's tables: names that are neither a code, a
    role nor a name of ``tables`` are kept (they may be codes already).
    """
    doc = resolve_rules({section: section_to_dict(rules)}, tables, keep_unknown=True)
    return section_from_dict(type(rules), doc[section], prefix=section)
