"""Settings of one sampling programme of a plan (TOML array of tables ``[[programmes]]``).

A district runs several programmes a year with the same teams and establishments: risk monitoring
(1 per 1,000 residents, led by the health commission), supervision sampling (market supervision,
4 per 1,000 for a demonstration city), ... Each ``[[programmes]]`` entry is one of them; a
configuration without any is one programme made of the ``[quota]`` section.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from riskplan._settings import check, check_range

__all__ = ["ProgrammeRules", "PROGRAMME_KINDS", "INSPECTION_DEFAULT_TYPES", "programme_key"]

PROGRAMME_KINDS: tuple[str, ...] = ("sampling", "higher_level", "inspection")
"""Kinds of programme: ``sampling`` (samples to a lab, a quota met exactly), ``higher_level``
(a national, provincial or city task whose samples the higher-level table lists) and
``inspection`` (a campaign of visits without samples: every target establishment within the
first working days of each school term, T25)."""

INSPECTION_DEFAULT_TYPES: tuple[str, ...] = ("school canteen", "kindergarten canteen")
"""Roles an inspection campaign visits when its ``business_types`` is empty."""

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


def programme_key(index: int, pid: str) -> str:
    """Configuration key of programme ``pid`` (the ``index``-th entry): ``programmes[supervision]``."""
    return f"programmes[{pid}]" if pid else f"programmes[{index}]"


@dataclasses.dataclass(frozen=True)
class ProgrammeRules:
    """One programme of the plan (an entry of ``[[programmes]]``).

    Attributes
    ----------
    id
        Identifier written in every output row of the programme (``risk_monitoring``,
        ``supervision``): a letter, then letters, digits, ``_`` or ``-``.
    name
        Name for people, Chinese and English allowed (``风险监测 risk monitoring``); empty: the id.
    kind
        ``sampling``: samples taken to a lab, the quota met exactly; ``higher_level``: a
        national, provincial or city task, its samples in the higher-level table
        (``higher_level.csv``, ``riskplan plan --higher-level``), rows named by this ``id``.
    counts_towards
        (``higher_level`` only) The sampling programme whose quota this task's samples count
        towards (they are then not planned again); empty: they count for coverage only.
    rate_per_1000
        Samples per 1,000 residents per year [samples / 1000 persons] (population as ``[quota]``
        resolves it); give this or ``samples``.
        Range: (0, 100] or unset.
    samples
        A fixed number of samples in the year [samples]; give this or ``rate_per_1000``.
        Range: [1, 1000000] or unset.
    targets
        Creation targets scored from this programme's samples (``["T19"]``); a target named by
        no programme is scored from the first one.
    document
        Name of the programme's sampling document (抽样单), printed for the field teams.
    categories
        Food categories the programme samples (codes or roles); empty: every category.
    business_types
        Business types the programme samples (codes or roles); empty: every type (an
        ``inspection`` campaign: the school and kindergarten canteens).
    allocation
        Keys of ``[allocation]`` that differ for this programme (floors, shares:
        ``{township_min = 2}``); checked like ``[allocation]`` itself.
    risk
        Keys of ``[risk]`` that differ for this programme (weights: ``{vulnerable_factor = 2.0}``).
    window_working_days
        (``inspection`` only) Each target is visited within the first this many working days of
        each school term (``calendar.school_terms``) [working days]; unset: 10.
        Range: [1, 60].
    visit_minutes
        (``inspection`` only) Length of one inspection visit [min]; unset: 45.
        Range: [5, 480].
    """

    id: str = ""
    name: str = ""
    kind: str = "sampling"
    counts_towards: str = ""
    rate_per_1000: float | None = None
    samples: int | None = None
    targets: tuple[str, ...] = ()
    document: str = ""
    categories: tuple[str, ...] = ()
    business_types: tuple[str, ...] = ()
    allocation: dict[str, Any] = dataclasses.field(default_factory=dict)
    risk: dict[str, Any] = dataclasses.field(default_factory=dict)
    window_working_days: int | None = None
    visit_minutes: int | None = None

    def __post_init__(self) -> None:
        key = programme_key(0, self.id)
        check(bool(_ID.fullmatch(self.id)), f"{key}.id",
              f"must be a letter then letters, digits, _ or -, got {self.id!r}")
        check(self.kind in PROGRAMME_KINDS, f"{key}.kind",
              f"must be one of {', '.join(PROGRAMME_KINDS)}, got {self.kind!r}")
        if self.kind == "sampling":
            check((self.rate_per_1000 is None) != (self.samples is None), f"{key}.rate_per_1000",
                  "give exactly one of rate_per_1000 or samples")
            check(not self.counts_towards, f"{key}.counts_towards",
                  "only a higher_level programme counts towards another")
        elif self.kind == "higher_level":  # its samples are the higher-level table's rows
            for name in ("rate_per_1000", "samples"):
                check(getattr(self, name) is None, f"{key}.{name}",
                      "a higher_level programme takes its samples from the higher-level table")
            check(not self.targets, f"{key}.targets", "a higher_level programme scores no target")
        else:  # an inspection campaign: visits without samples
            for name in ("rate_per_1000", "samples", "categories"):
                check(not getattr(self, name), f"{key}.{name}", "an inspection programme takes no samples")
            for name in ("allocation", "risk"):
                check(not getattr(self, name), f"{key}.{name}", "an inspection programme allocates no samples")
            check(not self.counts_towards, f"{key}.counts_towards",
                  "only a higher_level programme counts towards another")
            for name, default in (("window_working_days", 10), ("visit_minutes", 45)):
                if getattr(self, name) is None:
                    object.__setattr__(self, name, default)
        if self.kind != "inspection":
            for name in ("window_working_days", "visit_minutes"):
                check(getattr(self, name) is None, f"{key}.{name}", "only an inspection programme has it")
        for name in ("window_working_days", "visit_minutes"):
            v = getattr(self, name)
            check(v is None or (isinstance(v, int) and not isinstance(v, bool)), f"{key}.{name}",
                  f"must be a whole number, got {v!r}")
        check_range(self.window_working_days, f"{key}.window_working_days", "[1, 60]")
        check_range(self.visit_minutes, f"{key}.visit_minutes", "[5, 480]")
        check(self.rate_per_1000 is None or math.isfinite(self.rate_per_1000), f"{key}.rate_per_1000",
              f"must be a finite number, got {self.rate_per_1000!r}")
        check_range(self.rate_per_1000, f"{key}.rate_per_1000", "(0, 100]")
        check_range(self.samples, f"{key}.samples", "[1, 1000000]")
        for t in self.targets:
            check(bool(re.fullmatch(r"T\d+", t)), f"{key}.targets", f"{t!r} is not a target ID (T19)")

    @property
    def label(self) -> str:
        """``name`` or, without one, ``id``."""
        return self.name or self.id
