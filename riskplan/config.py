"""The whole configuration of a plan: one section per stage, plus top-level keys.

A configuration file is TOML with one table per stage (``[quota]``, ``[risk]``, ``[allocation]``,
``[schedule]``, ``[calendar]``, ``[selection]``, ``[routing]``, ``[monitoring]``, ``[export]``)
and top-level keys (``seed``). Every table is optional: what is missing keeps its documented
default, so ``riskplan config --show`` prints the complete default configuration and an empty
file is a valid configuration. Reading is strict: an unknown key, a value of the wrong type or out
of range raises :class:`~riskplan.errors.ConfigError` naming the key (``risk.half_life_years``).
Codes (food categories, business types, townships) can only be checked against a dataset, by
:meth:`Config.check_codes`.
"""

from __future__ import annotations

import dataclasses
import os
import re
import textwrap
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from riskplan._settings import attribute_docs, check, section_from_dict, section_to_dict
from riskplan.dataset import Dataset
from riskplan.errors import ConfigError
from riskplan.settings import (
    AllocationRules,
    CalendarRules,
    ExportRules,
    MonitoringRules,
    QuotaRules,
    RiskRules,
    RoutingRules,
    ScheduleRules,
    SelectionRules,
)

SECTIONS: dict[str, type] = {
    "quota": QuotaRules,
    "risk": RiskRules,
    "allocation": AllocationRules,
    "schedule": ScheduleRules,
    "calendar": CalendarRules,
    "selection": SelectionRules,
    "routing": RoutingRules,
    "monitoring": MonitoringRules,
    "export": ExportRules,
}
"""TOML table name -> settings dataclass of each section, in file order."""

DEFAULT_SEED = 2026
"""Default seed of every random step (selection, team draw), so the default plan is reproducible."""


def _with_key_comments(text: str, width: int = 100) -> str:
    """TOML ``text`` of a Config with each key's documentation as a comment above it."""
    docs = {name: attribute_docs(section_class(name)) for name in SECTIONS}
    docs[""] = attribute_docs(Config)
    out: list[str] = []
    table: str | None = ""

    def comment(doc: str | None) -> None:
        if doc:
            out.extend("# " + ln for ln in textwrap.wrap(doc, width - 2))

    for line in text.splitlines():
        header = re.match(r"^\[([^\]]+)\]$", line)
        key = re.match(r"^([A-Za-z_]\w*) = ", line)
        if header:
            parts = header.group(1).split(".")
            if len(parts) == 2:  # a dict-valued key written as a sub-table
                comment(docs.get(parts[0], {}).get(parts[1]))
            table = parts[0] if len(parts) == 1 else None
        elif key and table is not None:
            comment(docs.get(table, {}).get(key.group(1)))
        out.append(line)
    return "\n".join(out) + "\n"


def section_class(name: str) -> type:
    """The settings dataclass of section ``name``."""
    return SECTIONS[name]


@dataclasses.dataclass(frozen=True)
class Config:
    """The whole configuration.

    Attributes
    ----------
    seed
        Seed of every random step (establishment selection, the team draw) [-]; ``--seed``
        overrides it.
        Range: [0, 2**63 - 1].
    quota, risk, allocation, schedule, calendar, selection, routing, monitoring, export
        The stage sections (see each class for its keys and defaults).
    """

    seed: int = DEFAULT_SEED
    quota: QuotaRules = dataclasses.field(default_factory=QuotaRules)
    risk: RiskRules = dataclasses.field(default_factory=RiskRules)
    allocation: AllocationRules = dataclasses.field(default_factory=AllocationRules)
    schedule: ScheduleRules = dataclasses.field(default_factory=ScheduleRules)
    calendar: CalendarRules = dataclasses.field(default_factory=CalendarRules)
    selection: SelectionRules = dataclasses.field(default_factory=SelectionRules)
    routing: RoutingRules = dataclasses.field(default_factory=RoutingRules)
    monitoring: MonitoringRules = dataclasses.field(default_factory=MonitoringRules)
    export: ExportRules = dataclasses.field(default_factory=ExportRules)

    def __post_init__(self) -> None:
        check(0 <= self.seed < 2**63, "seed", f"must be a non-negative integer, got {self.seed}")

    # ---------------------------------------------------------------- conversion
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Config:
        """Build from a parsed TOML document, strictly (see :func:`load_config`)."""
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in SECTIONS:
                if not isinstance(value, Mapping):
                    raise ConfigError(key, f"expected a table [{key}], got {value!r}")
                kwargs[key] = section_from_dict(section_class(key), value, prefix=key)
            elif key == "seed":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ConfigError("seed", f"expected an integer, got {value!r}")
                kwargs[key] = value
            else:
                known = ", ".join(["seed", *SECTIONS])
                raise ConfigError(key, f"unknown key (known keys here: {known})")
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (TOML-able): ``seed`` then one table per section."""
        out: dict[str, Any] = {"seed": self.seed}
        for name in SECTIONS:
            out[name] = section_to_dict(getattr(self, name))
        return out

    def to_toml(self) -> str:
        """The configuration as TOML text; :func:`load_config` reads it back to an equal Config."""
        header = (
            "# riskplan configuration. Every key is optional: a missing key keeps its default.\n"
            "# Print the defaults with `riskplan config --show`; check a file with\n"
            "# `riskplan config --check FILE`.\n\n"
        )
        return header + _with_key_comments(tomli_w.dumps(self.to_dict()))

    def replace(self, **changes: Any) -> Config:
        """A copy with some fields replaced (``config.replace(seed=7)``)."""
        return dataclasses.replace(self, **changes)

    # ---------------------------------------------------------------- codes
    def check_codes(self, dataset: Dataset) -> None:
        """Check that every category, business-type and township code in the config exists.

        A string is taken as a code when it sits under a key naming a code family
        (``...categor...``, ``...business_type...``, ``...township...``), or anywhere when it has
        the shape of one family's codes (``C31``, ``C-SCHOOL``, ``330304001``: letters and digits
        as in the dataset). Dict keys and values, and list items are all checked.

        Raises
        ------
        ConfigError
            Naming the first key holding an unknown code, e.g. ``allocation.key_products[2]``.
        """
        families = _code_families(dataset)
        shapes: dict[str, set[str]] = {}
        for fam, codes in families.items():
            for c in codes:
                shapes.setdefault(_shape(c), set()).add(fam)
        doc = self.to_dict()
        for section in ("seed", *SECTIONS):
            for key, text, named in _strings(doc[section], section, None):
                if named and not _CODE_LIKE.fullmatch(text):
                    named = None  # e.g. a mode such as "all" under a key naming categories
                fams = [named] if named else sorted(shapes.get(_shape(text), ()))
                if not fams:
                    continue
                if not any(text in families[f] for f in fams):
                    what = " or ".join(_FAMILY_TEXT[f] for f in fams)
                    raise ConfigError(key, f"unknown {what} {text!r}: not in the dataset")


_FAMILY_TEXT = {
    "category": "food category code",
    "business_type": "business type code",
    "township": "township code",
}
_CODE_LIKE = re.compile(r"[A-Z0-9][A-Z0-9_\-]*")
_FAMILY_KEYS = (("categor", "category"), ("business_type", "business_type"),
                ("business", "business_type"), ("township", "township"))


def _code_families(dataset: Dataset) -> dict[str, set[str]]:
    return {
        "category": set(map(str, dataset.categories["category_code"])),
        "business_type": set(map(str, dataset.business_types["business_type"])),
        "township": set(map(str, dataset.townships["township_code"])),
    }


def _shape(text: str) -> str:
    """First character kept, then letter runs as ``A`` and digit runs as ``9:<length>``.

    ``C31`` -> ``C9:2``, ``C-SCHOOL`` -> ``C-A``, ``330304001`` -> ``39:8``; text with lower-case
    letters or other characters has no shape (``""``). Keeping the first character stops other
    identifiers of the same form (target ``T15``) from being taken for codes.
    """
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9\-_]*", text):
        return ""
    rest = re.sub(r"[A-Z]+", "A", re.sub(r"[0-9]+", lambda m: f"9:{len(m.group())}", text[1:]))
    return text[0] + rest


def _family_of(key: str) -> str | None:
    low = key.lower()
    for needle, fam in _FAMILY_KEYS:
        if needle in low:
            return fam
    return None


def _strings(value: Any, key: str, family: str | None) -> Iterator[tuple[str, str, str | None]]:
    """(full key, string, family named by the key or None) for every string in ``value``."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            sub = f"{key}.{k}"
            fam = _family_of(str(k)) or family
            # a dict key is a code when the dict's own name names a family
            yield sub, str(k), family
            yield from _strings(v, sub, fam)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _strings(v, f"{key}[{i}]", family)
    elif isinstance(value, str):
        yield key, value, family


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read a configuration file strictly, or return the defaults.

    Parameters
    ----------
    path
        A TOML file, or None for the default configuration.

    Raises
    ------
    ConfigError
        For a file that is not valid TOML (key ``<file>``), an unknown key, a value of the wrong
        type or out of range; the message names the key.
    """
    if path is None:
        return Config()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(str(p), "configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(p), f"not valid TOML: {exc}") from None
    return Config.from_dict(data)
