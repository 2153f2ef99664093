"""Every numeric setting has a documented range, and ``riskplan config --check`` enforces it.

The range is written in the setting's numpydoc entry ("Range: (0, 100]." -- it is also the comment
``riskplan config --show`` prints above the key) and checked by the section's ``__post_init__``.
These tests read the documented interval of every int / float setting (plain, optional, in a list
or a table), build a value just outside it on each side and expect a ConfigError naming the key;
the default must lie inside. So a new numeric setting without a documented, checked range fails.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import pytest

from riskplan._settings import attribute_docs, parse_interval
from riskplan.cli import main
from riskplan.config import SECTIONS, Config
from riskplan.errors import ConfigError


def _scalar(tp: Any) -> type | None:
    """int or float when ``tp`` is one (or ``X | None`` of one), else None."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return _scalar(args[0]) if len(args) == 1 else None
    return tp if tp in (int, float) else None


def numeric_settings() -> list[tuple[str, str, type, str]]:
    """(section, key, number type, shape) of every numeric setting; shape: scalar, list, table, table-of-lists."""
    out = []
    for section, cls in SECTIONS.items():
        for name, tp in get_type_hints(cls).items():
            origin, args = get_origin(tp), get_args(tp)
            if (num := _scalar(tp)) is not None:
                out.append((section, name, num, "scalar"))
            elif origin is tuple and args and (num := _scalar(args[0])) is not None:
                out.append((section, name, num, "list"))
            elif origin is dict and (num := _scalar(args[1])) is not None:
                out.append((section, name, num, "table"))
            elif origin is dict and get_origin(args[1]) is tuple and _scalar(get_args(args[1])[0]):
                out.append((section, name, int, "table-of-lists"))
    return out


NUMERIC = numeric_settings()
IDS = [f"{s}.{k}" for s, k, _, _ in NUMERIC]


def documented_range(section: str, key: str) -> str:
    doc = attribute_docs(SECTIONS[section])[key]
    one = re.search(r"Range: ([\[(][^\])]*[\])])", doc)
    many = re.search(rf"Ranges: .*\b{key} ([\[(][^\])]*[\])])", doc)
    found = many or one
    assert found, f"{section}.{key} documents no range: {doc!r}"
    return found.group(1)


def outside(interval: str, num: type) -> list[float]:
    low, high, low_in, high_in = parse_interval(interval)
    step = 1 if num is int else max(0.01, abs(high - low) * 1e-3)
    values = [low - step if low_in else low, high + step if high_in else high]
    return [int(v) if num is int else float(v) for v in values]


def with_value(section: str, key: str, shape: str, value: float) -> dict[str, Any]:
    """A [section] table: the default with ``value`` put into ``key`` (keeping the shape)."""
    default = getattr(SECTIONS[section](), key)
    if shape == "scalar":
        table = {key: value}
        if (section, key) == ("risk", "min_prior_size") and value > 1:
            table["max_prior_size"] = value * 2  # keep min < max: only the range is broken
        return table
    if shape == "list":
        items = list(default) or [value]
        items[0] = value
        return {key: items}
    table_value = dict(default) or {"X": value}
    first = next(iter(table_value))
    table_value[first] = [value] if shape == "table-of-lists" else value
    return {key: table_value}


def test_every_section_has_numeric_settings_found() -> None:
    # [roles] holds names only (role -> codes): no number to range-check
    assert {s for s, *_ in NUMERIC} == set(SECTIONS) - {"roles"}
    assert len(NUMERIC) >= 60


@pytest.mark.parametrize(("section", "key", "num", "shape"), NUMERIC, ids=IDS)
def test_range_is_documented_enforced_and_holds_the_default(section: str, key: str, num: type,
                                                            shape: str) -> None:
    interval = documented_range(section, key)
    low, high, _, _ = parse_interval(interval)
    assert math.isfinite(low) and math.isfinite(high) and low < high
    for value in outside(interval, num):
        with pytest.raises(ConfigError) as info:
            Config.from_dict({section: with_value(section, key, shape, value)})
        assert info.value.key.startswith(f"{section}.{key}"), (value, str(info.value))
    for value in (math.nan, math.inf) if num is float and shape == "scalar" else ():
        with pytest.raises(ConfigError, match=re.escape(f"'{section}.{key}'")):
            Config.from_dict({section: {key: value}})
    default = getattr(SECTIONS[section](), key)
    Config.from_dict({section: {key: default}} if default is not None else {})


def test_config_check_names_the_key_of_an_absurd_rate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's case: ``rate_per_1000 = 1e9`` passed the check and failed in the solver."""
    cfg = tmp_path / "c.toml"
    cfg.write_text("[quota]\nrate_per_1000 = 1e9\n", encoding="utf-8")
    assert main(["config", "--check", str(cfg)]) == 1  # 1: the check found problems
    checked = capsys.readouterr().out
    row = next(line for line in checked.splitlines() if "quota.rate_per_1000" in line)
    assert row.startswith("error") and "must be > 0 and <= 100 (range (0, 100])" in row
    assert "status" not in checked.lower()
    out = tmp_path / "plan"
    assert main(["plan", "--config", str(cfg), "--out", str(out)]) == 2
    assert "quota.rate_per_1000" in capsys.readouterr().err and not out.exists()


def test_the_documented_ranges_are_what_config_show_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--show"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("rate_per_1000 = 1.0")
    comment = []
    for line in reversed(lines[:at]):
        if not line.startswith("# "):
            break
        comment.insert(0, line[2:])
    assert " ".join(comment).endswith("Range: (0, 100].")
    assert sum(1 for line in lines if "Range" in line) >= 50


def test_a_rounding_the_solver_cannot_do_is_a_clear_error(ouhai) -> None:
    """No solver status reaches a user: the min-cost flow's failure says what to check.

    A quota of 10**12 samples (what rate_per_1000 = 1e9 gave) is past float precision: the
    shares of the strata no longer add up and the controlled rounding has no solution.
    """
    from riskplan.allocation import allocate
    from riskplan.errors import InfeasibleError
    from riskplan.risk import score

    cfg = Config()
    scores = score(ouhai, config=cfg.risk)
    with pytest.raises(InfeasibleError) as info:
        allocate(scores, 10**12, cfg.allocation, categories=ouhai.categories)
    msg = str(info.value)
    assert "could not be rounded to whole samples" in msg and "quota.rate_per_1000" in msg
    assert "status" not in msg.lower() and "min-cost" not in msg.lower()


def test_dataclass_fields_match_type_hints() -> None:
    """Guard for numeric_settings(): every field of every section is seen."""
    for cls in SECTIONS.values():
        assert {f.name for f in dataclasses.fields(cls)} == set(get_type_hints(cls))
