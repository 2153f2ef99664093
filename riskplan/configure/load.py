"""Reading a configuration file and collecting *every* problem, not just the first.

:func:`read_config` goes key by key: an unknown key, a value of the wrong type or out of range
is recorded (key, value, what is wrong, the closest known key) and the key keeps its default, so
one run lists all of a file's problems.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from riskplan._settings import convert_key, section_from_dict
from riskplan.config import SECTIONS, Config, section_class
from riskplan.errors import ConfigError
from riskplan.roles import Finding
from riskplan.settings.programme import ProgrammeRules, programme_key

__all__ = ["read_config", "collect_config"]


def _message(exc: ConfigError) -> str:
    text = str(exc)
    prefix = f"configuration key '{exc.key}': "
    return text[len(prefix):] if text.startswith(prefix) else text


def _close(key: str, known: list[str]) -> str:
    hit = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return hit[0] if hit else ""


def _value_at(table: Mapping[str, Any], parts: list[str]) -> Any:
    node: Any = table
    for part in parts:
        base = part.split("[")[0]
        if not isinstance(node, Mapping) or base not in node:
            return None
        node = node[base]
    return node


def _section(name: str, table: Mapping[str, Any], out: list[Finding]) -> Any:
    """The section built from the valid keys of ``table``; problems appended to ``out``."""
    cls = section_class(name)
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    good: dict[str, Any] = {}
    for key, value in table.items():
        try:
            good[key] = convert_key(cls, key, value, prefix=name)
        except ConfigError as exc:
            unknown = key not in names
            close = _close(key, names)
            out.append(Finding(exc.key, repr(value), "error",
                               "unknown key" if unknown else _message(exc),
                               f"keys of [{name}]: {', '.join(names[:6])}, ..." if unknown else "",
                               f"{name}.{close}" if unknown and close else ""))
    # range checks and rules between keys: drop the key named, try again
    while True:
        try:
            return cls(**good)
        except ConfigError as exc:
            parts = exc.key.split(".")
            field = parts[1].split("[")[0] if len(parts) > 1 and parts[0] == name else ""
            value = _value_at(table, parts[1:]) if field else None
            out.append(Finding(exc.key, "" if value is None else repr(value), "error",
                               _message(exc)))
            if field not in good:
                return cls()
            del good[field]
        except (TypeError, ValueError) as exc:
            out.append(Finding(name, "", "error", str(exc)))
            return cls()


def collect_config(data: Mapping[str, Any]) -> tuple[Config, list[Finding]]:
    """The configuration of a parsed TOML document and every problem found in it.

    Returns
    -------
    tuple
        A :class:`Config` made of the valid keys (the others keep their defaults) and the
        problems (level ``error``), in file order.
    """
    out: list[Finding] = []
    kwargs: dict[str, Any] = {}
    known = ["seed", *SECTIONS, "programmes"]
    for key, value in data.items():
        if key in SECTIONS:
            if not isinstance(value, Mapping):
                out.append(Finding(key, repr(value), "error", f"expected a table [{key}]"))
                continue
            kwargs[key] = _section(key, value, out)
        elif key == "programmes":
            kwargs[key] = _programmes(value, out)
        elif key == "seed":
            try:
                Config.from_dict({"seed": value})
            except ConfigError as exc:
                out.append(Finding("seed", repr(value), "error", _message(exc)))
            else:
                kwargs["seed"] = value
        else:
            out.append(Finding(key, repr(value), "error", "unknown key",
                               f"top-level keys: {', '.join(known)}", _close(key, known)))
    try:
        return Config(**kwargs), out
    except ConfigError as exc:  # rules between programmes: reported, the programmes left out
        out.append(Finding(exc.key, "", "error", _message(exc)))
        kwargs.pop("programmes", None)
        return Config(**kwargs), out


def _programmes(value: Any, out: list[Finding]) -> tuple[ProgrammeRules, ...]:
    """The valid entries of ``[[programmes]]``; each problem appended to ``out``."""
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        out.append(Finding("programmes", repr(value), "error", "expected a list of tables [[programmes]]"))
        return ()
    good = []
    for i, entry in enumerate(value):
        pid = entry.get("id")
        key = programme_key(i, pid if isinstance(pid, str) else "")
        try:
            good.append(section_from_dict(ProgrammeRules, entry, prefix=key))
        except ConfigError as exc:
            field = exc.key[len(key) + 1:].split(".")[0] if exc.key.startswith(key + ".") else ""
            shown = entry.get(field) if field else None
            out.append(Finding(exc.key, "" if shown is None else repr(shown), "error", _message(exc)))
    return tuple(good)


def read_config(path: str | os.PathLike[str]) -> tuple[Config, list[Finding]]:
    """Read a configuration file, collecting every problem (see :func:`collect_config`).

    Raises
    ------
    ConfigError
        When the file is missing or is not TOML at all (nothing else can be checked then).
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(str(p), "configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(p), f"not valid TOML: {exc}") from None
    return collect_config(data)
