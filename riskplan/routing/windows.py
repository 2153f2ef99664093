"""Time windows of a visit: business-type rules intersected with the shop's opening hours.

Times are minutes after midnight [min]. A window ``(open, close)`` means the whole visit (service)
must happen inside it; :func:`start_windows` turns windows into the interval of allowed service
*start* times for a given service duration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from riskplan import io
from riskplan.errors import RiskplanError

Window = tuple[int, int]



def parse_hhmm(text: str) -> int:
    """``"08:30"`` -> 510 [min after midnight]; ``"24:00"`` is allowed as the end of the day."""
    try:
        return io.time_to_minutes(text)
    except ValueError as exc:
        raise RiskplanError(str(exc)) from None


def format_hhmm(minutes: float) -> str:
    """510 -> ``"08:30"`` (rounded down to the minute)."""
    m = int(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def parse_windows(text: str | Iterable[str] | None) -> list[Window]:
    """Parse ``"05:30-09:00;14:00-17:00"`` (or a sequence of such items) into sorted windows.

    Empty text gives an empty list. ``23:59`` as an end is read as the end of the day (24:00).
    """
    if text is None:
        return []
    items = [text] if isinstance(text, str) else [str(t) for t in text]
    out: list[Window] = []
    for item in items:
        try:
            parsed = io.parse_windows(item)
        except ValueError as exc:
            raise RiskplanError(str(exc)) from None
        out += parsed
    checked: list[Window] = []
    for a, b in out:
        if b == 23 * 60 + 59:
            b = 24 * 60
        if b <= a:
            raise RiskplanError(f"time window ends before it starts: {format_hhmm(a)}-{format_hhmm(b)}")
        checked.append((a, b))
    return merge(checked)


def merge(windows: Iterable[Window]) -> list[Window]:
    """Sort windows and merge those that overlap or touch."""
    out: list[Window] = []
    for a, b in sorted(windows):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def intersect(x: Iterable[Window], y: Iterable[Window]) -> list[Window]:
    """Intersection of two window lists (each sorted, non-overlapping after :func:`merge`)."""
    out = []
    for a, b in merge(x):
        for c, d in merge(y):
            lo, hi = max(a, c), min(b, d)
            if hi > lo:
                out.append((lo, hi))
    return merge(out)


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
