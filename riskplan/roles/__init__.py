"""Roles: what a business type or food category is for the rules (school canteen, wet market, ...).

Rules attach to roles a dataset declares (``roles`` columns of ``business_types.csv`` and
``categories.csv``), never to one district's codes; a configuration may name codes too, and may
replace the roles of some codes (``[roles]``). This is the one place that answers "which business
types / categories / establishments have this role" (:func:`business_types_with`,
:func:`categories_with`, :func:`establishments_with`) and resolves a rule's list of codes and roles
(:func:`match_business_types`, :func:`match_categories`).
"""

from riskplan.roles.check import FINDING_COLUMNS, Finding, check_rules, findings_frame
from riskplan.roles.guess import Guess, guess_business_type_roles, guess_category_roles
from riskplan.roles.lookup import (
    Match,
    RoleTables,
    business_type_roles,
    business_types_with,
    categories_with,
    category_roles,
    establishments_with,
    has_declared_roles,
    known_business_roles,
    known_category_roles,
    match_business_types,
    match_categories,
    role_tables,
    with_roles,
)
from riskplan.roles.rules import (
    RULES,
    Rule,
    keyed_by_type,
    match_rule_item,
    resolve_rules,
    resolve_section,
    rule_items,
)
from riskplan.roles.seasons import LocalSeason, local_seasons, parse_months, season_key, season_problems
from riskplan.roles.vocabulary import BUSINESS_ROLES, CATEGORY_ROLES, VULNERABLE_ROLE, Role

__all__ = [
    "Role",
    "BUSINESS_ROLES",
    "CATEGORY_ROLES",
    "VULNERABLE_ROLE",
    "Match",
    "RoleTables",
    "role_tables",
    "business_type_roles",
    "category_roles",
    "with_roles",
    "business_types_with",
    "categories_with",
    "establishments_with",
    "has_declared_roles",
    "known_business_roles",
    "known_category_roles",
    "match_business_types",
    "match_categories",
    "LocalSeason",
    "local_seasons",
    "parse_months",
    "season_key",
    "season_problems",
    "Rule",
    "RULES",
    "rule_items",
    "match_rule_item",
    "resolve_rules",
    "resolve_section",
    "keyed_by_type",
    "Finding",
    "FINDING_COLUMNS",
    "check_rules",
    "findings_frame",
    "Guess",
    "guess_business_type_roles",
    "guess_category_roles",
]
