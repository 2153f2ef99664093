"""The districts of a province: which folders they are, and the configuration each is planned with.

``riskplan plan --data DIR [DIR ...]`` takes folders that are either a district's dataset folder
(``dataset.toml`` and the tables of ``docs/input-format.md``) or a folder of such folders (a
province, a city). Each district is named after its folder; names must be unique across all the
folders given, since each becomes ``OUT/<name>/``.

A district's own ``config.toml`` (in its folder, optional) is merged over the provincial
configuration (``--config``) key by key: every key it sets replaces the province's value of that
key whole (a table-valued key such as ``allocation.key_products`` names the district's own codes,
so it is replaced, not merged); every key it does not set keeps the province's value.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from riskplan.config import Config
from riskplan.errors import ConfigError, RiskplanError

__all__ = ["DISTRICT_CONFIG", "RESERVED", "District", "district_config", "discover", "is_district_folder",
           "merge_config", "read_toml"]

DISTRICT_CONFIG = "config.toml"
"""A district's own configuration file, in its dataset folder."""

RESERVED = ("province",)
"""Folder names a district may not have: ``OUT/province/`` is the provincial summary."""

_MARKERS = ("dataset.toml", "townships.csv", "townships.xlsx", "establishments.csv", "establishments.xlsx")
"""Files that make a folder a district's dataset folder (one is enough; a broken district still
counts, so that it fails with its problems instead of being left out silently)."""


@dataclasses.dataclass(frozen=True)
class District:
    """One district folder of a province run.

    Attributes
    ----------
    name
        The folder's name: the district's name in the summary and its ``OUT/<name>/`` folder.
    folder
        The dataset folder (absolute).
    """

    name: str
    folder: Path

    @property
    def config_file(self) -> Path | None:
        """The district's own ``config.toml``, or None."""
        p = self.folder / DISTRICT_CONFIG
        return p if p.is_file() else None


def is_district_folder(folder: Path) -> bool:
    """True when ``folder`` holds a district's dataset (``dataset.toml`` or a townships table)."""
    return folder.is_dir() and any((folder / m).is_file() for m in _MARKERS)


def discover(paths: Sequence[str | os.PathLike[str]]) -> list[District]:
    """The districts in ``paths``: each a district folder or a folder of district folders.

    Sub-folders whose name starts with ``.`` are skipped, so are sub-folders holding no dataset
    (they are not districts); the districts are sorted by name.

    Raises
    ------
    RiskplanError
        For a path that does not exist or holds no district, two districts of the same name,
        or a district named like the summary folder (:data:`RESERVED`).
    """
    found: dict[str, District] = {}
    for raw in paths:
        path = Path(raw).absolute()
        if not path.is_dir():
            raise RiskplanError(f"data folder not found: {path} / 数据文件夹不存在")
        if is_district_folder(path):
            folders = [path]
        else:
            folders = sorted(p for p in path.iterdir() if not p.name.startswith(".") and is_district_folder(p))
            if not folders:
                raise RiskplanError(f"{path} is neither a district's dataset folder (no dataset.toml) nor "
                                    "a folder of district folders / 既不是区县数据文件夹，也不含区县数据文件夹")
        for folder in folders:
            name = folder.name
            if name in RESERVED:
                raise RiskplanError(f"{folder}: a district folder may not be named {name!r} (OUT/{name}/ is "
                                    "the provincial summary); rename it / 区县文件夹不能命名为 " + name)
            if name in found:
                raise RiskplanError(f"two districts named {name!r}: {found[name].folder} and {folder}; each "
                                    f"becomes OUT/{name}/, so names must be unique / 区县文件夹重名")
            found[name] = District(name, folder)
    return [found[k] for k in sorted(found)]


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict.

    Raises
    ------
    ConfigError
        Keyed by the file, when it cannot be read or is not valid TOML.
    """
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(str(path), "configuration file not found") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None


def merge_config(province: Mapping[str, Any], district: Mapping[str, Any]) -> dict[str, Any]:
    """``district`` over ``province``, key by key (see the module docstring).

    A top-level table (a section such as ``[risk]``) is merged key by key; any other key, and
    every key inside a section, is replaced whole by the district's value.
    """
    out = copy.deepcopy(dict(province))
    for key, value in district.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = {**out[key], **copy.deepcopy(dict(value))}
        else:
            out[key] = copy.deepcopy(value)
    return out


def district_config(province: Mapping[str, Any], district: District) -> Config:
    """The configuration ``district`` is planned with: its ``config.toml`` over the province's.

    Raises
    ------
    ConfigError
        Naming the key (and, for an error in the district's file, the file) that is wrong.
    """
    own = district.config_file
    if own is None:
        return Config.from_dict(province)
    merged = merge_config(province, read_toml(own))
    try:
        return Config.from_dict(merged)
    except ConfigError as exc:
        detail = str(exc).split(": ", 1)[-1]
        raise ConfigError(exc.key, f"{detail} (in {own} merged over the provincial configuration)") from None
