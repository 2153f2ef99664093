"""How each business type looks in a register.

Where it sits, what it handles, its risk grade, its opening hours and its customers.

Keyed by the national business-type codes (``P-FACTORY`` ... ``C-VENDOR``); the same for every
district.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from riskplan.synthetic.catalogue import AGRICULTURAL, PROCESSED

TYPE_AREA: Mapping[str, Mapping[str, float]] = MappingProxyType({
    "P-FACTORY": {"urban": 0.6, "rural": 1.6, "mountain": 0.5},
    "P-WORKSHOP": {"urban": 0.7, "rural": 1.5, "mountain": 1.5},
    "C-SITE": {"urban": 1.2, "rural": 1.0, "mountain": 0.5},
    "C-VENDOR": {"urban": 1.2, "rural": 0.8, "mountain": 0.6},
    "C-TAKEAWAY": {"urban": 1.4, "rural": 0.6, "mountain": 0.2},
    "D-ONLINE": {"urban": 1.3, "rural": 0.7, "mountain": 0.6},
})
"""Relative presence per area type (multiplies population when spreading a type over
townships); types not listed: 1 everywhere."""

MIN_ONE: tuple[str, ...] = ("P-WORKSHOP", "D-WETMARKET", "D-SUPERMARKET", "D-GROCERY",
                            "C-RESTAURANT", "C-SMALL", "C-SCHOOL", "C-CANTEEN")
"""Every township has at least one of each of these (so every township has every stage)."""

GRADE_P: Mapping[str, tuple[float, float, float, float]] = MappingProxyType({
    "default": (0.46, 0.39, 0.12, 0.03),
    "P-FACTORY": (0.60, 0.32, 0.07, 0.01), "D-SUPERMARKET": (0.62, 0.32, 0.05, 0.01),
    "C-SCHOOL": (0.70, 0.27, 0.03, 0.00), "C-ELDERLY": (0.60, 0.33, 0.07, 0.00),
    "C-CENTRAL": (0.50, 0.50, 0.00, 0.00), "D-WHOLESALE": (0.0, 1.0, 0.0, 0.0),
    "P-WORKSHOP": (0.30, 0.42, 0.20, 0.08), "C-VENDOR": (0.25, 0.40, 0.25, 0.10),
    "C-SMALL": (0.38, 0.40, 0.16, 0.06), "D-WETMARKET": (0.35, 0.45, 0.15, 0.05),
    "C-SITE": (0.30, 0.45, 0.18, 0.07), "C-TAKEAWAY": (0.40, 0.40, 0.14, 0.06),
})
"""Probabilities of risk grades A, B, C, D per business type."""

HOURS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "P-FACTORY": ("08:00-17:00", "08:00-11:30;13:00-17:30", "07:30-16:30"),
    "P-WORKSHOP": ("05:00-11:00", "06:00-17:00", "04:30-10:30;14:00-17:00"),
    "D-WHOLESALE": ("00:00-07:00;22:00-23:59",),
    "D-WETMARKET": ("05:30-12:00", "05:00-12:30;14:30-18:00", "05:30-18:00"),
    "D-SUPERMARKET": ("08:00-22:00", "08:30-21:30", "07:30-22:00"),
    "D-GROCERY": ("07:00-22:00", "07:30-21:30", "06:30-23:00", "08:00-21:00"),
    "D-ONLINE": ("09:00-18:00", "08:30-17:30"),
    "C-RESTAURANT": ("10:30-14:00;16:30-21:30", "11:00-14:00;17:00-22:00", "10:00-21:30"),
    "C-SMALL": ("06:00-20:00", "06:00-10:00;11:00-14:00;17:00-20:00", "09:00-22:00",
                "06:30-13:30"),
    "C-SCHOOL": ("07:00-17:00", "06:30-16:30"),
    "C-CANTEEN": ("07:00-13:30;16:30-19:00", "07:00-18:30"),
    "C-SITE": ("06:00-13:00;16:00-19:00", "05:30-19:00"),
    "C-ELDERLY": ("06:00-18:30", "06:00-13:00;15:30-18:30"),
    "C-CENTRAL": ("04:00-14:00", "05:00-15:00"),
    "C-TAKEAWAY": ("10:00-14:00;16:00-22:00", "10:00-22:00"),
    "C-VENDOR": ("06:00-09:00;16:00-21:00", "10:00-14:00;16:00-20:00", "06:00-10:00",
                 "15:00-21:00"),
})
"""Opening-hour options per business type (one is drawn uniformly)."""

MEDIAN_CUSTOMERS: Mapping[str, int] = MappingProxyType({
    "P-FACTORY": 0, "P-WORKSHOP": 60, "D-WHOLESALE": 8000, "D-WETMARKET": 2500,
    "D-SUPERMARKET": 900, "D-GROCERY": 120, "D-ONLINE": 80, "C-RESTAURANT": 180,
    "C-SMALL": 150, "C-SCHOOL": 900, "C-CANTEEN": 300, "C-SITE": 120, "C-ELDERLY": 80,
    "C-CENTRAL": 3000, "C-TAKEAWAY": 120, "C-VENDOR": 90,
})
"""Median daily customers per business type [persons/day]; 0: no consumer volume."""


def categories_for(btype: str, rng: np.random.Generator) -> list[str]:
    """Plausible food categories handled by one establishment of a business type.

    Parameters
    ----------
    btype
        Business type code.
    rng
        Random stream (draws in a fixed order per type).

    Returns
    -------
    list of str
        Category codes (may repeat only where the caller de-duplicates).
    """
    def pick(pool: Sequence[str], k: int, p: np.ndarray | None = None) -> list[str]:
        k = min(k, len(pool))
        return list(rng.choice(pool, size=k, replace=False, p=p))

    if btype == "P-FACTORY":
        pool = ["C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10", "C11",
                "C12", "C13", "C14", "C15", "C16", "C17", "C18", "C19", "C22", "C23", "C24",
                "C25", "C26", "C27", "C32"]
        return pick(pool, int(rng.integers(1, 3)))
    if btype == "P-WORKSHOP":
        pool = ["C24", "C25", "C04", "C01", "C16", "C15", "C18", "C22", "C14", "C23"]
        p = np.array([5, 5, 3, 3, 2, 2, 2, 2, 1, 1], float)
        return pick(pool, int(rng.integers(1, 3)), p / p.sum())
    if btype == "D-WHOLESALE":
        return list(AGRICULTURAL) + ["C22", "C19"]
    if btype == "D-WETMARKET":
        cats = ["C33", "C34", "C35", "C36", "C37"]
        cats += pick(["C38", "C39", "C25", "C04", "C22", "C19", "C16"], int(rng.integers(1, 5)))
        return cats
    if btype == "D-SUPERMARKET":
        cats = pick(PROCESSED, int(rng.integers(12, 26)))
        if rng.random() < 0.6:
            cats += pick(AGRICULTURAL, int(rng.integers(3, 8)))
        return cats
    if btype == "D-GROCERY":
        pool = ["C01", "C02", "C03", "C06", "C07", "C08", "C10", "C12", "C13", "C15", "C18",
                "C21", "C37", "C09", "C14", "C17", "C05", "C19", "C23", "C36", "C39"]
        p = np.array([6, 5, 6, 8, 6, 5, 4, 6, 5, 5, 3, 3, 2, 2, 2, 2, 2, 1, 1, 2, 1], float)
        return pick(pool, int(rng.integers(3, 9)), p / p.sum())
    if btype == "D-ONLINE":
        pool = ["C14", "C26", "C27", "C18", "C17", "C24", "C30", "C28", "C29", "C36", "C39",
                "C22", "C20", "C13", "C05"]
        p = np.array([4, 3, 3, 3, 3, 3, 2, 2, 1, 3, 2, 2, 2, 2, 1], float)
        return pick(pool, int(rng.integers(1, 4)), p / p.sum())
    if btype == "C-RESTAURANT":
        return ["C31"] + pick(["C35", "C33", "C34", "C02", "C03", "C15", "C37"],
                              int(rng.integers(0, 3)),
                              np.array([3, 3, 3, 2, 2, 1, 1], float) / 15)
    if btype == "C-SMALL":
        return ["C31"] + pick(["C06", "C24", "C01", "C02"], int(rng.choice([0, 0, 0, 1, 1, 2])))
    if btype == "C-SCHOOL":
        return ["C31"] + pick(["C33", "C34", "C05", "C37", "C02"], int(rng.integers(0, 3)))
    if btype in ("C-CANTEEN", "C-ELDERLY"):
        return ["C31"] + pick(["C33", "C34", "C02", "C01"], int(rng.integers(0, 3)))
    if btype == "C-SITE":
        return ["C31"] + pick(["C34", "C02", "C01"], int(rng.integers(0, 2)))
    if btype == "C-CENTRAL":
        return ["C31", "C33", "C34"] + pick(["C35", "C02", "C01"], int(rng.integers(0, 3)))
    if btype == "C-TAKEAWAY":
        return ["C31"] + pick(["C06", "C24"], int(rng.integers(0, 2)))
    if btype == "C-VENDOR":
        return ["C31"] + pick(["C24", "C06"], int(rng.choice([0, 0, 1])))
    raise ValueError(f"no category profile for business type {btype!r}")


def hours_for(btype: str, rng: np.random.Generator) -> str:
    """Opening hours (``;`` list of ``HH:MM-HH:MM`` windows) of one establishment."""
    options = HOURS[btype]
    return options[int(rng.integers(0, len(options)))]


def customers_for(btype: str, rng: np.random.Generator) -> str:
    """Daily customers [persons/day] as text: log-normal around the type's median, or empty."""
    med = MEDIAN_CUSTOMERS[btype]
    if med == 0:
        return ""  # factories: no consumer volume
    return str(int(round(med * math.exp(rng.normal(0, 0.45)))))


def grade_probabilities(btype: str) -> tuple[float, float, float, float]:
    """Probabilities of grades A-D for a business type (the default where none is set)."""
    return GRADE_P.get(btype, GRADE_P["default"])
