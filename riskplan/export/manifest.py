"""The manifest of a plan folder: what went in, with which settings, and what came out.

``manifest.json`` records the SHA-256 hash of every input file, the configuration, the seed, the
package and Python versions, the run time and the SHA-256 of every other file of the plan folder,
so a plan can be audited and re-created. Only ``run_time`` differs between two runs of the same
inputs and seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from riskplan._version import __version__
from riskplan.export.atomic import write_text

MANIFEST_NAME = "manifest.json"


def sha256_file(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_folder(folder: str | os.PathLike[str], exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """``relative/path`` -> SHA-256 of every file under ``folder`` (sorted, ``/`` separators)."""
    folder = Path(folder)
    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel not in exclude and not p.name.startswith("."):
            out[rel] = sha256_file(p)
    return out


INPUT_SUFFIXES = (".csv", ".xlsx", ".geojson", ".toml")
"""Kinds of file a dataset folder's reader loads (see ``riskplan.io.read_dataset``)."""


def hash_inputs(folder: str | os.PathLike[str]) -> dict[str, str]:
    """``file name`` -> SHA-256 of the dataset files directly in ``folder``.

    Only the folder's own table, GeoJSON and TOML files count: sub-folders (an earlier plan written
    inside the data folder, a staging folder) are not inputs.
    """
    folder = Path(folder)
    return {
        p.name: sha256_file(p)
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith(".")
    }


def build_manifest(
    *,
    inputs: Mapping[str, str],
    input_folder: str,
    config: Mapping[str, Any],
    seed: int,
    months: list[str],
    outputs: Mapping[str, str],
    dataset: Mapping[str, Any],
    command: list[str] | None = None,
    run_time: dt.datetime | None = None,
) -> dict[str, Any]:
    """The manifest as a dict (see module docstring)."""
    when = run_time or dt.datetime.now(dt.UTC)
    return {
        "riskplan_version": __version__,
        "python_version": platform.python_version(),
        "run_time": when.replace(microsecond=0).isoformat(),
        "seed": seed,
        "months": months,
        "command": command or [],
        "dataset": dict(dataset),
        "input_folder": input_folder,
        "inputs_sha256": dict(inputs),
        "config": dict(config),
        "outputs_sha256": dict(outputs),
    }


def write_manifest(folder: str | os.PathLike[str], manifest: Mapping[str, Any]) -> Path:
    """Write ``manifest.json`` into ``folder`` (UTF-8, sorted keys in sections, atomic)."""
    text = json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n"
    return write_text(Path(folder) / MANIFEST_NAME, text)
