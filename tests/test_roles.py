"""Roles declared in the data: look-ups, codes-or-roles lists, overrides, local seasons, guesses."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import riskplan as rp
from riskplan.roles import (
    BUSINESS_ROLES,
    CATEGORY_ROLES,
    business_type_roles,
    category_roles,
    guess_business_type_roles,
    guess_category_roles,
    local_seasons,
    match_business_types,
    match_categories,
    parse_months,
    season_key,
    with_roles,
)


def test_documented_roles_include_the_issue_list() -> None:
    assert {"school canteen", "kindergarten canteen", "elderly canteen", "wet market", "wholesale market",
            "online seller", "central kitchen", "street vendor"} <= set(BUSINESS_ROLES)
    assert {"key product", "spring festival food", "mooncake"} <= set(CATEGORY_ROLES)
    assert all(r.zh and r.meaning for r in (*BUSINESS_ROLES.values(), *CATEGORY_ROLES.values()))


def test_who_has_a_role_in_yunling(yunling) -> None:
    assert rp.business_types_with(yunling, "school canteen", "kindergarten canteen") == ["SC-SCHOOL", "SC-KINDER"]
    assert rp.business_types_with(yunling, "wet market") == ["MK-WET"]
    # the `vulnerable` column is still read: it is the role "vulnerable consumers"
    assert rp.business_types_with(yunling, "vulnerable consumers") == ["SC-SCHOOL", "SC-KINDER", "SC-ELDER"]
    est = rp.establishments_with(yunling, "school canteen")
    assert len(est) == 11 and set(est["business_type"]) == {"SC-SCHOOL"}
    assert rp.categories_with(yunling, "key product") == []  # Yunling's categories declare none


def test_who_has_a_role_in_ouhai(ouhai) -> None:
    assert rp.business_types_with(ouhai, "school canteen") == ["C-SCHOOL"]
    assert rp.business_types_with(ouhai, "wholesale market", "wet market") == ["D-WHOLESALE", "D-WETMARKET"]
    assert rp.categories_with(ouhai, "key product") == ["C33", "C34", "C35", "C37"]
    assert business_type_roles(ouhai)["C-SCHOOL"] == ("school canteen", "kindergarten canteen",
                                                      "vulnerable consumers")


def test_lists_of_codes_and_roles_are_resolved(yunling) -> None:
    m = match_business_types(["school canteen", "MK-WET", "C-SCHOOL", "restaurant"], yunling)
    assert m.codes == ("SC-SCHOOL", "MK-WET")  # table order, each once
    assert m.unknown == ("C-SCHOOL",) and m.empty == ("restaurant",)  # documented, declared by none
    c = match_categories(["野生菌", "Fresh eggs", "糕点", "F01", "mooncake", "F99"], yunling)
    assert c.codes == ("F01", "F05", "F07", "F12")  # names, English names, 33-category names, codes
    assert c.unknown == ("F99",) and c.empty == ("mooncake",)


def test_configuration_roles_override_the_data(yunling) -> None:
    ds = with_roles(yunling, {"SC-REST": ["restaurant"], "SC-SCHOOL": ["school canteen"]}, {"F07": ["key product"]})
    roles = business_type_roles(ds)
    assert roles["SC-REST"] == ("restaurant",)
    assert roles["SC-SCHOOL"] == ("school canteen",)  # the list replaces the data's, vulnerable too
    assert category_roles(ds)["F07"] == ("key product",)
    assert business_type_roles(yunling)["SC-SCHOOL"] == ("school canteen", "vulnerable consumers")  # untouched


@pytest.mark.parametrize(("text", "months"), [("6", (6,)), ("6-9", (6, 7, 8, 9)), ("11-2", (1, 2, 11, 12)),
                                              ("5，9-10", (5, 9, 10))])
def test_months_of_a_local_season(text: str, months: tuple[int, ...]) -> None:
    assert parse_months(text) == months


@pytest.mark.parametrize("text", ["", "13", "6-", "June"])
def test_bad_months_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_months(text)


def test_ouhai_declares_its_local_seasons(ouhai) -> None:
    seasons = {s.key: s for s in local_seasons(ouhai)}
    assert season_key("瓯柑 Ouhai mandarin") == "ouhai_mandarin"
    assert seasons["bayberry"].months == (6,) and seasons["bayberry"].categories == ("C36",)
    assert seasons["ouhai_mandarin"].months == (11, 12) and seasons["ouhai_mandarin"].label == "瓯柑 Ouhai mandarin"


def test_a_malformed_local_season_is_a_validation_error(yunling) -> None:
    cats = yunling.categories.copy()
    cats["local_seasons"] = ""
    cats.loc[cats["category_code"] == "F07", "local_seasons"] = "野生菌 wild mushrooms:6-13"
    problems = rp.validate(dataclasses.replace(yunling, categories=cats))
    bad = problems[problems["column"] == "local_seasons"]
    assert list(bad["level"]) == ["error"] and list(bad["row"]) == [7]


def test_an_undocumented_role_in_the_data_is_a_warning(yunling) -> None:
    bt = yunling.business_types.copy()
    bt.loc[bt["business_type"] == "MK-WET", "roles"] = "wet markt"
    problems = rp.validate(dataclasses.replace(yunling, business_types=bt))
    bad = problems[problems["column"] == "roles"]
    assert list(bad["level"]) == ["warning"] and "wet markt" in bad["message_en"].iloc[0]


def test_guesses_from_ouhai_names_are_its_declared_roles(ouhai) -> None:
    """The names a bureau uses say the roles: guessed from Ouhai's names, they are Ouhai's roles."""
    bare = dataclasses.replace(ouhai, business_types=ouhai.business_types.drop(columns="roles"),
                               categories=ouhai.categories.drop(columns="roles"))
    declared = {k: sorted(r for r in v if r != "vulnerable consumers")
                for k, v in business_type_roles(ouhai).items()}
    guessed: dict[str, list[str]] = {k: [] for k in declared}
    for g in guess_business_type_roles(bare):
        guessed[g.code].append(g.role)
    assert {k: sorted(v) for k, v in guessed.items()} == declared
    cats: dict[str, list[str]] = {k: [] for k in category_roles(ouhai)}
    for g in guess_category_roles(bare):
        cats[g.code].append(g.role)
    assert {k: sorted(v) for k, v in cats.items()} == {k: sorted(v) for k, v in category_roles(ouhai).items()}


def test_guesses_for_yunling(yunling) -> None:
    guesses = {(g.code, g.role) for g in guess_business_type_roles(yunling)}
    assert {("SC-SCHOOL", "school canteen"), ("SC-KINDER", "kindergarten canteen"), ("MK-WET", "wet market"),
            ("MK-WHOLE", "wholesale market"), ("WEB-SHOP", "online seller"), ("VD-STREET", "street vendor"),
            ("SC-REST", "restaurant"), ("SC-SNACK", "restaurant"), ("SC-ELDER", "elderly canteen")} <= guesses
    assert not {c for c, _ in guesses} & {"PF-WORKSHOP"}  # a workshop has no role
    assert ("MK-WHOLE", "wet market") not in guesses  # 农产品批发市场 is wholesale, not wet
    cats = {(g.code, g.role) for g in guess_category_roles(yunling)}
    assert {("F02", "key product"), ("F03", "key product"), ("F05", "key product"), ("F06", "key product"),
            ("F08", "spring festival food"), ("F12", "mooncake")} <= cats
    assert not {c for c, _ in cats} & {"F07", "F11"}  # wild mushrooms and tea: no national role


def test_roles_column_is_optional(yunling) -> None:
    bt = yunling.business_types.drop(columns="roles")
    ds = dataclasses.replace(yunling, business_types=bt)
    assert rp.business_types_with(ds, "vulnerable consumers") == ["SC-SCHOOL", "SC-KINDER", "SC-ELDER"]
    assert rp.business_types_with(ds, "school canteen") == []
    assert isinstance(business_type_roles(pd.DataFrame({"business_type": ["X"]})), dict)
