"""Roles the configuration gives some codes, replacing what the data declare (TOML ``[roles]``)."""

from __future__ import annotations

import dataclasses

from riskplan._settings import check

__all__ = ["RoleRules"]


@dataclasses.dataclass(frozen=True)
class RoleRules:
    """Roles of business types and categories set by the configuration (TOML section ``roles``).

    The data declare roles in the ``roles`` columns of ``business_types.csv`` and
    ``categories.csv`` (and ``vulnerable = true``); every rule that concerns a kind of place or
    food (school days, early starts, windows, rotation, purchases, vulnerable consumers, seasons,
    key products) applies to roles. A code listed here gets exactly the roles given instead
    (configuration overrides data; ``[]`` removes every role). ``riskplan init`` writes its
    guesses here when the data declare none.

    Attributes
    ----------
    business_types
        Business type code -> its roles, e.g. ``"SC-SCHOOL" = ["school canteen"]`` (documented
        roles: school canteen, kindergarten canteen, elderly canteen, vulnerable consumers, work
        canteen, site canteen, central kitchen, restaurant, street vendor, wet market, wholesale
        market, shop, online seller). Default: none, the data's roles hold.
    categories
        Category code -> its roles, e.g. ``"F07" = ["key product"]`` (documented roles: key
        product, spring festival food, zongzi, mooncake, summer drink, summer seafood). Default:
        none, the data's roles hold.
    """

    business_types: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    categories: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("business_types", "categories"):
            for code, roles in getattr(self, name).items():
                for r in roles:
                    check(bool(r.strip()) and ";" not in r, f"roles.{name}.{code}",
                          f"a role is a non-empty text without ';', got {r!r}")
