"""Which business types, categories and establishments have a role; codes-or-roles lists resolved.

The roles of a business type are its ``roles`` cell (``;`` list) plus ``vulnerable consumers``
when its ``vulnerable`` cell is true; a category's are its ``roles`` cell. A configuration can
replace them for some codes (``[roles]`` section, applied by :func:`with_roles`: configuration
overrides data). Everything here is a plain function of the :class:`~riskplan.dataset.Dataset`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import pandas as pd

from riskplan.dataset import Dataset
from riskplan.roles.vocabulary import BUSINESS_ROLES, CATEGORY_ROLES, VULNERABLE_ROLE
from riskplan.tables import as_bool, split_list

__all__ = [
    "RoleTables",
    "role_tables",
    "Match",
    "business_type_roles",
    "category_roles",
    "with_roles",
    "business_types_with",
    "categories_with",
    "establishments_with",
    "known_business_roles",
    "known_category_roles",
    "match_business_types",
    "match_categories",
    "has_declared_roles",
]


class RoleTables(Protocol):
    """What the role look-ups need: the ``business_types`` and ``categories`` tables.

    A :class:`~riskplan.dataset.Dataset` has them; so may a namespace of the two tables.
    """

    business_types: pd.DataFrame
    categories: pd.DataFrame


@dataclasses.dataclass
class _Tables:
    business_types: pd.DataFrame
    categories: pd.DataFrame


def role_tables(business_types: pd.DataFrame | None = None,
                categories: pd.DataFrame | None = None) -> RoleTables:
    """The two tables the look-ups need, for a stage given tables rather than a dataset.

    A missing table is an empty one (its roles then match nothing).
    """
    bt = business_types if business_types is not None else pd.DataFrame(
        {"business_type": pd.Series(dtype="str")})
    cats = categories if categories is not None else pd.DataFrame(
        {"category_code": pd.Series(dtype="str")})
    return _Tables(bt, cats)


def _roles_of(table: pd.DataFrame, key: str, vulnerable: bool) -> dict[str, tuple[str, ...]]:
    if key not in table.columns:
        return {}
    codes = table[key].astype(str).tolist()
    lists = split_list(table["roles"]) if "roles" in table.columns else pd.Series(
        [[] for _ in codes], dtype=object)
    out: dict[str, tuple[str, ...]] = {}
    vul = (as_bool(table["vulnerable"]).tolist() if vulnerable and "vulnerable" in table.columns
           else [False] * len(codes))
    for code, roles, v in zip(codes, lists, vul):
        items = [r.strip().lower() for r in roles]
        if v and VULNERABLE_ROLE not in items:
            items.append(VULNERABLE_ROLE)
        out[code] = tuple(dict.fromkeys(items))
    return out


def business_type_roles(dataset: RoleTables | pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Business type code -> its roles, in table order (``vulnerable = true`` adds a role).

    ``dataset`` may also be the ``business_types`` table itself.
    """
    table = dataset if isinstance(dataset, pd.DataFrame) else dataset.business_types
    return _roles_of(table, "business_type", vulnerable=True)


def category_roles(dataset: RoleTables | pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Category code -> its roles, in table order (``dataset`` may be the ``categories`` table)."""
    table = dataset if isinstance(dataset, pd.DataFrame) else dataset.categories
    return _roles_of(table, "category_code", vulnerable=False)


def has_declared_roles(dataset: RoleTables) -> bool:
    """Whether any business type or category of the dataset has a role."""
    return any(business_type_roles(dataset).values()) or any(category_roles(dataset).values())


def _override(table: pd.DataFrame, key: str, roles: Mapping[str, Sequence[str]],
              vulnerable: bool) -> pd.DataFrame:
    out = table.copy()
    if "roles" not in out.columns:
        out["roles"] = pd.Series([pd.NA] * len(out), index=out.index, dtype="str")
    codes = out[key].astype(str)
    for code, items in roles.items():
        rows = codes == str(code)
        text = ";".join(str(r).strip().lower() for r in items if str(r).strip())
        out.loc[rows, "roles"] = text if text else pd.NA
        if vulnerable and "vulnerable" in out.columns:
            # the configuration's list is the whole truth for that code, vulnerable included
            out.loc[rows, "vulnerable"] = VULNERABLE_ROLE in [str(r).strip().lower() for r in items]
    return out


def with_roles(dataset: Dataset, business_types: Mapping[str, Sequence[str]] | None = None,
               categories: Mapping[str, Sequence[str]] | None = None) -> Dataset:
    """A copy of ``dataset`` whose roles are replaced for the codes listed (config overrides data).

    Parameters
    ----------
    dataset
        The district.
    business_types, categories
        Code -> its complete list of roles (an empty list removes every role, ``vulnerable
        consumers`` included). Codes not listed keep the roles the data declare.

    Returns
    -------
    Dataset
        A shallow copy with new ``business_types`` / ``categories`` tables (the others shared).
    """
    if not business_types and not categories:
        return dataset
    changes: dict[str, pd.DataFrame] = {}
    if business_types:
        changes["business_types"] = _override(dataset.business_types, "business_type",
                                              business_types, vulnerable=True)
    if categories:
        changes["categories"] = _override(dataset.categories, "category_code", categories,
                                          vulnerable=False)
    return dataclasses.replace(dataset, **changes)


def business_types_with(dataset: RoleTables, *roles: str) -> list[str]:
    """Codes of the business types having any of ``roles``, in table order."""
    want = {r.strip().lower() for r in roles}
    return [c for c, rs in business_type_roles(dataset).items() if want & set(rs)]


def categories_with(dataset: RoleTables, *roles: str) -> list[str]:
    """Codes of the categories having any of ``roles``, in table order."""
    want = {r.strip().lower() for r in roles}
    return [c for c, rs in category_roles(dataset).items() if want & set(rs)]


def establishments_with(dataset: Dataset, *roles: str) -> pd.DataFrame:
    """The establishments whose business type has any of ``roles`` (rows of the register)."""
    codes = set(business_types_with(dataset, *roles))
    est = dataset.establishments
    return est[est["business_type"].astype(str).isin(codes)]


def known_business_roles(dataset: RoleTables | pd.DataFrame | None = None) -> list[str]:
    """The documented business-type roles, then any other role the dataset declares."""
    extra = ([r for rs in business_type_roles(dataset).values() for r in rs]
             if dataset is not None else [])
    return list(dict.fromkeys([*BUSINESS_ROLES, *extra]))


def known_category_roles(dataset: RoleTables | pd.DataFrame | None = None) -> list[str]:
    """The documented category roles, then any other role the dataset declares."""
    extra = ([r for rs in category_roles(dataset).values() for r in rs]
             if dataset is not None else [])
    return list(dict.fromkeys([*CATEGORY_ROLES, *extra]))


@dataclasses.dataclass(frozen=True)
class Match:
    """What a list of codes, roles (or names) matches in a dataset.

    Attributes
    ----------
    codes
        The codes matched, in table order, each once.
    unknown
        Items that are neither a code of the dataset, nor a known role, nor (categories) a name.
    empty
        Items that are a known role (or name) but match nothing in this dataset.
    by_item
        Item -> the codes it matched.
    """

    codes: tuple[str, ...]
    unknown: tuple[str, ...]
    empty: tuple[str, ...]
    by_item: Mapping[str, tuple[str, ...]]


def _match(items: Iterable[str], order: Sequence[str], roles: Mapping[str, tuple[str, ...]],
           known_roles: Iterable[str], names: Mapping[str, set[str]] | None = None) -> Match:
    codes_set = set(order)
    known = {r.lower() for r in known_roles}
    by_item: dict[str, tuple[str, ...]] = {}
    unknown: list[str] = []
    empty: list[str] = []
    for raw in items:
        item = str(raw).strip()
        if not item:
            continue
        if item in codes_set:
            by_item[item] = (item,)
            continue
        low = item.lower()
        hit = tuple(c for c in order if low in roles.get(c, ()))
        if names is not None:
            named = names.get(low, set())
            hit = tuple(c for c in order if c in set(hit) | named)
        if hit:
            by_item[item] = hit
        elif low in known or (names is not None and low in names):
            by_item[item] = ()
            empty.append(item)
        else:
            by_item[item] = ()
            unknown.append(item)
    matched = {c for cs in by_item.values() for c in cs}
    return Match(tuple(c for c in order if c in matched), tuple(unknown), tuple(empty), by_item)


def match_business_types(items: Iterable[str], dataset: RoleTables | pd.DataFrame) -> Match:
    """Resolve business-type codes and roles to the dataset's codes.

    An item is a code when the dataset has it, otherwise a role (a documented one or one the
    dataset declares); anything else is ``unknown``. ``dataset`` may be the ``business_types``
    table itself.
    """
    roles = business_type_roles(dataset)
    return _match(items, list(roles), roles, known_business_roles(dataset))


def _category_names(dataset: RoleTables) -> dict[str, set[str]]:
    cats = dataset.categories
    names: dict[str, set[str]] = {}
    for col in ("name_zh", "name_en", "classic_33_category"):
        if col not in cats.columns:
            continue
        for code, name in zip(cats["category_code"].astype(str), cats[col]):
            if isinstance(name, str) and name.strip():
                names.setdefault(name.strip().lower(), set()).add(code)
    return names


def match_categories(items: Iterable[str], dataset: RoleTables) -> Match:
    """Resolve category codes, roles and names to the dataset's codes.

    An item is a code when the dataset has it; otherwise the categories having it as a role, or
    whose ``name_zh``, ``name_en`` or ``classic_33_category`` it is (case ignored).
    """
    roles = category_roles(dataset)
    return _match(items, list(roles), roles, known_category_roles(dataset),
                  names=_category_names(dataset))
