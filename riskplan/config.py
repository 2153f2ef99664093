"""The whole configuration of a plan: one section per stage, plus top-level keys.

A configuration file is TOML with one table per stage (``[quota]``, ``[risk]``, ``[allocation]``,
``[schedule]``, ``[calendar]``, ``[selection]``, ``[routing]``, ``[monitoring]``, ``[export]``)
and top-level keys (``seed``). Every table is optional: what is missing keeps its documented
default, so ``riskplan config --show`` prints the complete default configuration and an empty
file is a valid configuration. Reading is strict: an unknown key, a value of the wrong type or out
of range raises :class:`~riskplan.errors.ConfigError` naming the key (``risk.half_life_years``).
Rules about kinds of places and foods name roles (``school canteen``, ``wet market``, ``key
product``) or codes; they can only be checked against a dataset (:meth:`Config.check_codes`, every
problem at once) and are turned into the dataset's codes by :meth:`Config.resolve` (see
:mod:`riskplan.roles`).
"""

from __future__ import annotations

import dataclasses
import os
import re
import textwrap
import tomllib
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from riskplan._settings import attribute_docs, check, section_from_dict, section_to_dict
from riskplan.dataset import Dataset
from riskplan.errors import ConfigCheckError, ConfigError
from riskplan.roles import check_rules, findings_frame, resolve_rules, with_roles
from riskplan.settings import (
    AllocationRules,
    CalendarRules,
    DetectionRules,
    ExportRules,
    MonitoringRules,
    QuotaRules,
    RiskRules,
    RoleRules,
    RoutingRules,
    ScheduleRules,
    SelectionRules,
)
from riskplan.settings.programme import ProgrammeRules, programme_key

SECTIONS: dict[str, type] = {
    "roles": RoleRules,
    "quota": QuotaRules,
    "risk": RiskRules,
    "allocation": AllocationRules,
    "schedule": ScheduleRules,
    "calendar": CalendarRules,
    "selection": SelectionRules,
    "routing": RoutingRules,
    "monitoring": MonitoringRules,
    "export": ExportRules,
    "detection": DetectionRules,
}
"""TOML table name -> settings dataclass of each section, in file order."""

PROGRAMMES_EXAMPLE = """
# Several programmes in one plan (docs/programmes.md; examples/two-programmes.toml): without any
# [[programmes]] the plan is one programme, the [quota] above. Each entry: id, name, kind
# ("sampling", "higher_level" or "inspection"), rate_per_1000 or samples, targets (["T19"]),
# document (its sampling form), categories / business_types (codes or roles; empty: all),
# allocation / risk (keys of those sections that differ for it), counts_towards (higher_level
# only); an inspection campaign (visits without samples, no lab): business_types (empty: school
# and kindergarten canteens), window_working_days (first working days of each term, default 10)
# and visit_minutes (default 45).
# [[programmes]]
# id = "risk_monitoring"
# name = "风险监测 risk monitoring"
# rate_per_1000 = 1.0
# targets = ["T19"]
# [[programmes]]
# id = "supervision"
# name = "监督抽检 supervision sampling"
# rate_per_1000 = 4.0
# targets = ["T22", "T24"]
# [[programmes]]
# id = "term_start"
# name = "开学季学校食堂检查 term-start canteen inspection"
# kind = "inspection"
# targets = ["T25"]
# window_working_days = 10
# visit_minutes = 45
"""
"""Commented example of ``[[programmes]]`` that ``riskplan config --show`` prints without any."""

DEFAULT_SEED = 2026
"""Default seed of every random step (selection, team draw), so the default plan is reproducible."""


def _with_key_comments(text: str, width: int = 100) -> str:
    """TOML ``text`` of a Config with each key's documentation as a comment above it."""
    docs = {name: attribute_docs(section_class(name)) for name in SECTIONS}
    docs[""] = attribute_docs(Config)
    docs["programmes"] = attribute_docs(ProgrammeRules)
    out: list[str] = []
    table: str | None = ""

    def comment(doc: str | None) -> None:
        if doc:
            out.extend("# " + ln for ln in textwrap.wrap(doc, width - 2))

    done: set[str] = set()

    def unset(name: str) -> None:
        # TOML has no null: a setting without a default is shown commented out, once per section
        if name in done or name not in SECTIONS:
            return
        done.add(name)
        blank = bool(out) and out[-1] == ""
        if blank:
            out.pop()
        for key, placeholder in _unset_keys(name):
            comment(docs[name].get(key))
            out.append(f"# {key} = {placeholder}  (unset: no default)")
        if blank:
            out.append("")

    section = ""
    for line in text.splitlines():
        header = re.match(r"^\[([^\]]+)\]$", line)
        key = re.match(r"^([A-Za-z_]\w*) = ", line)
        if line == "[[programmes]]":  # an array of tables: each entry's keys as ProgrammeRules
            unset(section)
            section, table = "programmes", "programmes"
        elif header:
            unset(section)
            parts = header.group(1).split(".")
            section = parts[0]
            if len(parts) == 2:  # a dict-valued key written as a sub-table
                comment(docs.get(parts[0], {}).get(parts[1]))
            table = parts[0] if len(parts) == 1 else None
        elif key and table is not None:
            comment(docs.get(table, {}).get(key.group(1)))
        out.append(line)
    unset(section)
    return "\n".join(out) + "\n"


def _unset_keys(section: str) -> list[tuple[str, str]]:
    """(key, placeholder) of each setting of ``section`` whose default is None."""
    cls = SECTIONS[section]
    hints = typing.get_type_hints(cls)
    names = {int: "<integer>", float: "<number>", str: "<text>", bool: "<true or false>"}
    keys = []
    for f in dataclasses.fields(cls):
        if f.default is None:
            args = [a for a in typing.get_args(hints[f.name]) if a is not type(None)]
            keys.append((f.name, names.get(args[0], "<value>") if len(args) == 1 else "<value>"))
    return keys


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
    roles
        Roles given to some business types and categories, replacing the data's.
    quota, risk, allocation, schedule, calendar, selection, routing, monitoring, export
        The stage sections (see each class for its keys and defaults).
    programmes
        The plan's programmes (``[[programmes]]``, see
        :class:`~riskplan.settings.programme.ProgrammeRules`); empty: one programme, ``[quota]``.
    """

    seed: int = DEFAULT_SEED
    roles: RoleRules = dataclasses.field(default_factory=RoleRules)
    quota: QuotaRules = dataclasses.field(default_factory=QuotaRules)
    risk: RiskRules = dataclasses.field(default_factory=RiskRules)
    allocation: AllocationRules = dataclasses.field(default_factory=AllocationRules)
    schedule: ScheduleRules = dataclasses.field(default_factory=ScheduleRules)
    calendar: CalendarRules = dataclasses.field(default_factory=CalendarRules)
    selection: SelectionRules = dataclasses.field(default_factory=SelectionRules)
    routing: RoutingRules = dataclasses.field(default_factory=RoutingRules)
    monitoring: MonitoringRules = dataclasses.field(default_factory=MonitoringRules)
    export: ExportRules = dataclasses.field(default_factory=ExportRules)
    detection: DetectionRules = dataclasses.field(default_factory=DetectionRules)
    programmes: tuple[ProgrammeRules, ...] = ()

    def __post_init__(self) -> None:
        check(0 <= self.seed < 2**63, "seed", f"must be a non-negative integer, got {self.seed}")
        seen: set[str] = set()
        for i, p in enumerate(self.programmes):
            key = programme_key(i, p.id)
            check(p.id not in seen, f"{key}.id", "two programmes have this id")
            seen.add(p.id)
            # the overrides are checked like the sections they change, naming the programme
            for name, base in (("allocation", self.allocation), ("risk", self.risk)):
                merged = {**section_to_dict(base), **getattr(p, name)}
                try:
                    section_from_dict(type(base), merged, prefix=f"{key}.{name}")
                except ConfigError as exc:
                    if exc.key.startswith(key):
                        raise
                    text = str(exc).split("': ", 1)[-1]
                    raise ConfigError(f"{key}.{exc.key}", text) from None
        sampling = [p.id for p in self.programmes if p.kind == "sampling"]
        check(not self.programmes or bool(sampling), "programmes", "needs a sampling programme")
        for i, p in enumerate(self.programmes):
            check(not p.counts_towards or p.counts_towards in sampling,
                  f"{programme_key(i, p.id)}.counts_towards",
                  f"{p.counts_towards!r} is not a sampling programme (have: {', '.join(sampling)})")
        named = [t for p in self.programmes for t in p.targets]
        dup = sorted({t for t in named if named.count(t) > 1})
        check(not dup, "programmes.targets", f"a target is scored from one programme: {', '.join(dup)}")

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
            elif key == "programmes":
                kwargs[key] = _programmes_from(value)
            elif key == "seed":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ConfigError("seed", f"expected an integer, got {value!r}")
                kwargs[key] = value
            else:
                known = ", ".join(["seed", *SECTIONS, "programmes"])
                raise ConfigError(key, f"unknown key (known keys here: {known})")
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (TOML-able): ``seed`` then one table per section."""
        out: dict[str, Any] = {"seed": self.seed}
        for name in SECTIONS:
            out[name] = section_to_dict(getattr(self, name))
        if self.programmes:  # absent when there is none: the one-programme file stays as it was
            out["programmes"] = [{k: v for k, v in section_to_dict(p).items() if v != {}}
                                 for p in self.programmes]
        return out

    def to_toml(self) -> str:
        """The configuration as TOML text; :func:`load_config` reads it back to an equal Config."""
        header = (
            "# riskplan configuration. Every key is optional: a missing key keeps its default.\n"
            "# Print the defaults with `riskplan config --show`; check a file with\n"
            "# `riskplan config --check FILE`.\n\n"
        )
        body = _with_key_comments(tomli_w.dumps(self.to_dict()))
        return header + body + ("" if self.programmes else PROGRAMMES_EXAMPLE)

    def replace(self, **changes: Any) -> Config:
        """A copy with some fields replaced (``config.replace(seed=7)``)."""
        return dataclasses.replace(self, **changes)

    # ---------------------------------------------------------------- codes and roles
    def check_codes(self, dataset: Dataset) -> pd.DataFrame:
        """Check every code, role and name the configuration gives against ``dataset``.

        Returns
        -------
        pandas.DataFrame
            The warnings and notes (rules that match nothing in the dataset): ``key, value,
            level, problem, dataset_has, close_match`` (see :func:`riskplan.roles.check_rules`).

        Raises
        ------
        ConfigCheckError
            Listing every unknown code, role or name at once (key, value, what the dataset has,
            the closest match).
        """
        ds = with_roles(dataset, self.roles.business_types, self.roles.categories)
        problems = findings_frame(check_rules(self.to_dict(), ds))
        if (problems["level"] == "error").any():
            name = (getattr(dataset, "name", "") or str(getattr(dataset, "source", "") or "")
                    or "the dataset")
            raise ConfigCheckError(problems, f"the configuration, against {name}")
        return problems

    def resolve(self, dataset: Dataset) -> Config:
        """The configuration with every role and name replaced by the dataset's codes.

        The configuration's ``[roles]`` replace the data's first. Check it first
        (:meth:`check_codes`): names that match nothing are dropped. The local seasons of the
        categories table are added (``schedule.local_seasons``).
        """
        ds = with_roles(dataset, self.roles.business_types, self.roles.categories)
        return Config.from_dict(resolve_rules(self.to_dict(), ds))


def _programmes_from(value: Any) -> tuple[ProgrammeRules, ...]:
    """``[[programmes]]`` (a list of tables) as ProgrammeRules, errors naming the programme."""
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ConfigError("programmes", f"expected a list of tables [[programmes]], got {value!r}")
    out = []
    for i, v in enumerate(value):
        pid = v.get("id")
        out.append(section_from_dict(ProgrammeRules, v,
                                     prefix=programme_key(i, pid if isinstance(pid, str) else "")))
    return tuple(out)


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
