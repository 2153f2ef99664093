"""Times of day and opening windows: the one grammar every table, setting and stage uses.

A time is ``HH:MM`` (``HH:MM:SS`` is accepted, seconds ignored; ``24:00`` is the end of the day) and
becomes minutes after midnight [min]. A list of windows is ``HH:MM-HH:MM`` items separated by ``;``
(``08:00-11:30;14:00-17:00``); full-width ``；`` separators and the dashes ``–``, ``~``, ``～`` are
accepted, as Chinese spreadsheets write them.

:func:`split_windows` only applies the grammar (the reader normalises cells with it and the validator
checks the order of each window); :func:`parse_windows` is what the stages use: windows checked to
end after they start (``23:59`` as an end is the end of the day), sorted and merged.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from riskplan.errors import RiskplanError

__all__ = [
    "Window",
    "TimeOfDayError",
    "parse_hhmm",
    "format_hhmm",
    "split_windows",
    "parse_windows",
    "format_windows",
    "merge_windows",
]

Window = tuple[int, int]
"""``(start, end)`` [min after midnight]."""

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DASH_RE = re.compile(r"\s*[-–~～]\s*")
_END_OF_DAY = 24 * 60


class TimeOfDayError(RiskplanError, ValueError):
    """Text that is not a time of day or a list of time windows (a ValueError too)."""


# The stages parse the same few times and windows again and again (each establishment's opening
# hours, the routing rules' day start and end for every visit): each distinct text is parsed once.
# The caches hold only what a pure function of an immutable text returns (ints, tuples), so they
# change no result and carry nothing from one plan to the next.
@functools.lru_cache(maxsize=4096)
def parse_hhmm(text: str) -> int:
    """Minutes after midnight [min] of an ``HH:MM`` time: ``"08:30"`` -> 510, ``"24:00"`` -> 1440.

    Raises
    ------
    TimeOfDayError
        If ``text`` is not a valid ``HH:MM`` time.
    """
    m = _TIME_RE.match(str(text).strip())
    if not m:
        raise TimeOfDayError(f"not a time of day HH:MM: {text!r}")
    h, mi = int(m.group(1)), int(m.group(2))
    if h > 24 or mi > 59 or (h == 24 and mi != 0):
        raise TimeOfDayError(f"not a time of day HH:MM: {text!r}")
    return h * 60 + mi


def format_hhmm(minutes: float) -> str:
    """``510`` -> ``"08:30"`` (rounded down to the minute)."""
    m = int(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def split_windows(text: str) -> list[Window]:
    """The windows of ``"05:30-09:00;14:00-17:00"`` as written: ``[(330, 540), (840, 1020)]`` [min].

    Order within a window is not checked and nothing is merged (the validator reports a window that
    ends before it starts).

    Raises
    ------
    TimeOfDayError
        If an item is not ``HH:MM-HH:MM``.
    """
    return list(_split_windows(str(text)))


@functools.lru_cache(maxsize=4096)
def _split_windows(text: str) -> tuple[Window, ...]:
    """:func:`split_windows` as a tuple (cached: a list would be shared by its callers)."""
    windows = []
    for part in text.replace("；", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        bits = _DASH_RE.split(part)
        if len(bits) != 2:
            raise TimeOfDayError(f"not a time window HH:MM-HH:MM: {part!r}")
        windows.append((parse_hhmm(bits[0]), parse_hhmm(bits[1])))
    return tuple(windows)


def format_windows(windows: Iterable[Window]) -> str:
    """``[(330, 540), (840, 1020)]`` -> ``"05:30-09:00;14:00-17:00"``."""
    return ";".join(f"{format_hhmm(a)}-{format_hhmm(b)}" for a, b in windows)


def merge_windows(windows: Iterable[Window]) -> list[Window]:
    """Sort windows and merge those that overlap or touch."""
    out: list[Window] = []
    for a, b in sorted(windows):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def parse_windows(text: str | Iterable[str] | None) -> list[Window]:
    """Checked, sorted and merged windows of ``"05:30-09:00;14:00-17:00"`` (or of several such texts).

    Empty text or None gives an empty list. ``23:59`` as an end is read as the end of the day (24:00).

    Raises
    ------
    TimeOfDayError
        If an item is not ``HH:MM-HH:MM`` or a window does not end after it starts.
    """
    if text is None:
        return []
    if isinstance(text, str):
        return list(_parse_windows(text))
    checked = [w for item in text for w in _checked(str(item))]
    return merge_windows(checked)


@functools.lru_cache(maxsize=4096)
def _checked(text: str) -> tuple[Window, ...]:
    """The windows of one text, each checked to end after it starts (23:59 read as 24:00)."""
    checked: list[Window] = []
    for a, b in _split_windows(text):
        if b == _END_OF_DAY - 1:
            b = _END_OF_DAY
        if b <= a:
            raise TimeOfDayError(
                f"time window ends before it starts: {format_hhmm(a)}-{format_hhmm(b)}"
            )
        checked.append((a, b))
    return tuple(checked)


@functools.lru_cache(maxsize=4096)
def _parse_windows(text: str) -> tuple[Window, ...]:
    """:func:`parse_windows` of one text, as a tuple (cached: a list would be shared)."""
    return tuple(merge_windows(_checked(text)))
