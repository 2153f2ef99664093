"""Compare two plan folders written by ``riskplan plan``: is the behaviour the same?

usage: python tools/compare_plans.py BEFORE_DIR AFTER_DIR

Data files (CSV, XLSX, GeoJSON, PNG, Markdown, ...) are compared byte for byte; ``config.toml``
without its comments (parsed TOML); ``manifest.json`` and ``data_reference.toml`` without the run
time, versions, command and paths. Prints every difference and exits 1 when there is one, 0 when
the two folders hold the same plan.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

_VOLATILE = {"run_time", "riskplan_version", "python_version", "command", "input_folder", "source",
             "output_folder", "out"}


def _strip(value: Any) -> Any:
    """``value`` without the keys that name a time, a version, a command or a path."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


# files compared on their own without paths or comments: their hashes in the manifest are not
_COMPARED_APART = ("config.toml", "data_reference.toml", "manifest.json")


def _load(path: Path) -> Any:
    if path.name == "manifest.json":
        man = _strip(json.loads(path.read_text(encoding="utf-8")))
        for name in _COMPARED_APART:
            man.get("outputs_sha256", {}).pop(name, None)
        return man
    if path.suffix == ".toml":
        return _strip(tomllib.loads(path.read_text(encoding="utf-8")))
    return path.read_bytes()


def compare(before: Path, after: Path) -> list[str]:
    """Every difference between the plan folders ``before`` and ``after``, as sentences."""
    files_a = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    files_b = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    out = [f"only in {before}: {p}" for p in sorted(files_a - files_b)]
    out += [f"only in {after}: {p}" for p in sorted(files_b - files_a)]
    for rel in sorted(files_a & files_b):
        if _load(before / rel) != _load(after / rel):
            out.append(f"differs: {rel}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    diffs = compare(Path(argv[0]), Path(argv[1]))
    for line in diffs:
        print(line)
    n = sum(1 for p in Path(argv[0]).rglob("*") if p.is_file())
    print(f"{len(diffs)} difference(s) over {n} files" if diffs else f"same plan ({n} files)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
