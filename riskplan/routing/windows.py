"""Time windows of a visit: business-type rules intersected with the shop's opening hours.

Times are minutes after midnight [min], parsed by :mod:`riskplan.timeofday`. A window
``(open, close)`` means the whole visit (service) must happen inside it; :func:`start_windows` turns
windows into the interval of allowed service *start* times for a given service duration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from riskplan.timeofday import Window, merge_windows, parse_windows

__all__ = ["intersect", "visit_windows", "start_windows"]


def intersect(x: Iterable[Window], y: Iterable[Window]) -> list[Window]:
    """Intersection of two window lists [min].

    Each list is sorted and made non-overlapping with :func:`~riskplan.timeofday.merge_windows` first.
    """
    out = []
    for a, b in merge_windows(x):
        for c, d in merge_windows(y):
            lo, hi = max(a, c), min(b, d)
            if hi > lo:
                out.append((lo, hi))
    return merge_windows(out)


def visit_windows(
    business_type: str,
    opening_hours: str | None,
    rules_windows: Mapping[str, tuple[str, ...]],
    default_key: str = "default",
) -> list[Window]:
    """Windows in which a visit may take place.

    Parameters
    ----------
    business_type
        Business type code, e.g. ``C-RESTAURANT``.
    opening_hours
        The shop's ``;``-separated opening windows (empty/None: the rule windows alone).
    rules_windows
        Business type -> rule windows (``"HH:MM-HH:MM"`` items); ``default_key`` for the rest.
    """
    rule = rules_windows.get(business_type, rules_windows.get(default_key, ("00:00-24:00",)))
    windows = parse_windows(rule)
    if opening_hours is not None and isinstance(opening_hours, str) and opening_hours.strip():
        windows = intersect(windows, parse_windows(opening_hours))
    return windows


def start_windows(windows: Iterable[Window], service: int) -> list[Window]:
    """Allowed service start times: ``(open, close - service)`` for each window long enough."""
    return [(a, b - service) for a, b in windows if b - service >= a]
