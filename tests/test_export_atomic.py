"""Atomic files and folders: nothing half-written, a folder that is not riskplan's is never overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskplan.errors import RiskplanError
from riskplan.export import atomic


def write_manifest(folder: Path, kind: str | None = None) -> None:
    """A riskplan manifest listing every file already in ``folder``."""
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    man: dict[str, object] = {"riskplan_version": "0.1", "outputs_sha256": {f: "0" * 64 for f in files}}
    if kind:
        man["kind"] = kind
    (folder / "manifest.json").write_text(json.dumps(man), encoding="utf-8")


def test_write_text_replaces(tmp_path) -> None:
    p = atomic.write_text(tmp_path / "a.txt", "one")
    atomic.write_text(p, "two")
    assert p.read_text() == "two"
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]


def test_interrupted_folder_leaves_nothing(tmp_path) -> None:
    out = tmp_path / "plan"
    with pytest.raises(KeyboardInterrupt):
        with atomic.staged_folder(out) as tmp:
            (tmp / "half.csv").write_text("x")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_replaces_plan_folder_only_when_done(tmp_path) -> None:
    out = tmp_path / "plan"
    with atomic.staged_folder(out) as tmp:
        (tmp / "old.csv").write_text("old")
        write_manifest(tmp)
    with pytest.raises(RuntimeError):
        with atomic.staged_folder(out) as tmp:
            write_manifest(tmp)
            raise RuntimeError("boom")
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "old.csv"]
    with atomic.staged_folder(out) as tmp:
        write_manifest(tmp)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_refuses_foreign_folder(tmp_path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(RiskplanError, match="refusing"):
        with atomic.staged_folder(tmp_path):
            pass
    assert (tmp_path / "mine.txt").read_text() == "keep me"
