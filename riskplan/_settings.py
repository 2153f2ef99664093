"""Typed settings sections: strict conversion from TOML/dicts to frozen dataclasses.

Each pipeline stage defines its own frozen dataclass of settings with documented defaults
(``RiskRules``, ``AllocationRules``, ...). :func:`section_from_dict` turns a plain mapping (for
example a TOML table) into such a dataclass, rejecting unknown keys and values of the wrong type
with a :class:`~riskplan.errors.ConfigError` that names the full key, and :func:`section_to_dict`
goes back, so the configuration used can be written out as TOML.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_origin, get_type_hints

from riskplan.errors import ConfigError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp))


def _convert(value: Any, tp: Any, key: str) -> Any:
    """Convert ``value`` to the annotated type ``tp`` or raise ConfigError naming ``key``."""
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg, key)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(key, f"expected {' or '.join(_type_name(a) for a in args)}, got {value!r}")
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise ConfigError(key, f"expected a table, got {value!r}")
        return section_from_dict(tp, value, prefix=key)
    if origin in (dict, Mapping) or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(key, f"expected a table, got {value!r}")
        kt, vt = get_args(tp) or (str, Any)
        return {_convert(k, kt, f"{key}.{k}"): _convert(v, vt, f"{key}.{k}") for k, v in value.items()}
    if origin in (tuple, list) or tp in (tuple, list):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ConfigError(key, f"expected a list, got {value!r}")
        args = get_args(tp)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            items = tuple(_convert(v, args[0], f"{key}[{i}]") for i, v in enumerate(value))
        elif origin is tuple and args:
            if len(args) != len(value):
                raise ConfigError(key, f"expected {len(args)} items, got {len(value)}")
            items = tuple(_convert(v, a, f"{key}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
        else:
            inner = args[0] if args else Any
            items = tuple(_convert(v, inner, f"{key}[{i}]") for i, v in enumerate(value))
        return items if (origin is tuple or tp is tuple) else list(items)
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, f"expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(key, f"expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(key, f"expected text, got {value!r}")
        return value
    if origin is typing.Literal:
        allowed = get_args(tp)
        if value not in allowed:
            raise ConfigError(key, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}")
        return value
    if isinstance(tp, type) and isinstance(value, tp):
        return value
    raise ConfigError(key, f"expected {_type_name(tp)}, got {value!r}")


def section_from_dict(cls: type[T], data: Mapping[str, Any], prefix: str = "") -> T:
    """Build the settings dataclass ``cls`` from ``data``, strictly.

    Parameters
    ----------
    cls
        A dataclass whose fields all have defaults and simple type hints (int, float, str, bool,
        Literal, tuples, dicts, nested dataclasses, ``X | None``).
    data
        The mapping, e.g. one TOML table. Keys missing from it keep their defaults.
    prefix
        Dotted name of the section, used in error messages (``"risk"`` gives ``risk.half_life``).

    Returns
    -------
    An instance of ``cls``; its ``__post_init__`` may add range checks that raise ConfigError.

    Raises
    ------
    ConfigError
        For an unknown key or a value of the wrong type; the message names the full key.
    """
    hints = get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    kwargs: dict[str, Any] = {}
    for k, v in data.items():
        full = f"{prefix}.{k}" if prefix else str(k)
        if k not in names:
            close = ", ".join(sorted(names))
            raise ConfigError(full, f"unknown key (known keys here: {close})")
        kwargs[k] = _convert(v, hints[k], full)
    try:
        return cls(**kwargs)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(prefix or cls.__name__, str(exc)) from None


def convert_key(cls: type, key: str, value: Any, prefix: str = "") -> Any:
    """``value`` converted to the type of field ``key`` of ``cls`` (no range checks).

    Raises
    ------
    ConfigError
        For an unknown key or a value of the wrong type, naming the full key.
    """
    full = f"{prefix}.{key}" if prefix else key
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    if key not in names:
        raise ConfigError(full, f"unknown key (known keys here: {', '.join(sorted(names))})")
    return _convert(value, get_type_hints(cls)[key], full)


def section_to_dict(obj: DataclassInstance) -> dict[str, Any]:
    """Plain-TOML-able dict of a settings dataclass (tuples become lists, None values are left out)."""

    def plain(v: Any) -> Any:
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return section_to_dict(v)
        if isinstance(v, Mapping):
            return {str(k): plain(x) for k, x in v.items() if x is not None}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    return {
        f.name: plain(getattr(obj, f.name))
        for f in dataclasses.fields(obj)
        if getattr(obj, f.name) is not None
    }


def check(condition: bool, key: str, message: str) -> None:
    """Raise ConfigError(key, message) unless ``condition`` holds (for ``__post_init__`` checks)."""
    if not condition:
        raise ConfigError(key, message)


_INTERVAL = re.compile(r"([\[(])\s*([-+0-9.e]+)\s*,\s*([-+0-9.e]+)\s*([\])])")


def parse_interval(text: str) -> tuple[float, float, bool, bool]:
    """``"(0, 100]"`` -> (low, high, low included, high included)."""
    m = _INTERVAL.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"not an interval like (0, 100]: {text!r}")
    return float(m.group(2)), float(m.group(3)), m.group(1) == "[", m.group(4) == "]"


def check_range(value: Any, key: str, interval: str) -> None:
    """Raise ConfigError(key) unless ``value`` lies in ``interval`` (``"(0, 100]"``, ``"[1, 12]"``).

    A list, tuple or dict is checked item by item (a dict's items as ``key.name``); None (an
    unset optional value) passes. The interval is the one the setting's documentation states
    ("Range: (0, 100]."), so the documentation and the check cannot drift apart. NaN and
    infinity are outside every interval.
    """
    if value is None:
        return
    if isinstance(value, Mapping):
        for name, v in value.items():
            check_range(v, f"{key}.{name}", interval)
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            check_range(v, key, interval)
        return
    low, high, low_in, high_in = parse_interval(interval)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        and (low <= value if low_in else low < value) and (value <= high if high_in else value < high)
    if not ok:
        words = (f"{'>=' if low_in else '>'} {low:g} and {'<=' if high_in else '<'} {high:g}")
        raise ConfigError(key, f"must be {words} (range {interval}), got {value!r}")


def attribute_docs(cls: type) -> dict[str, str]:
    """Field descriptions from the numpydoc ``Attributes`` section of ``cls``'s docstring.

    A description heading several names (``day_start, day_end``) is given to each of them.

    Returns
    -------
    dict
        Field name -> its description on one line (empty dict when there is no section).
    """
    import inspect

    doc = inspect.getdoc(cls) or ""
    lines = doc.splitlines()
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == "Attributes") + 2
    except StopIteration:
        return {}
    out: dict[str, str] = {}
    names: list[str] = []
    text: list[str] = []

    def flush() -> None:
        for name in names:
            out[name] = " ".join(text).strip()

    for ln in lines[start:]:
        if ln and not ln.startswith(" "):
            if set(ln.strip()) <= {"-"} and ln.strip():  # underline of the next section
                names = names[:-1] if names else names
                break
            flush()
            names = [n.strip() for n in ln.split(":")[0].split(",") if n.strip()]
            text = []
        elif ln.strip():
            text.append(ln.strip())
    flush()
    return out
