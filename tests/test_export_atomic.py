"""Atomic files and folders: nothing half-written, a non-plan folder is never overwritten."""

from __future__ import annotations

import pytest

from riskplan.errors import RiskplanError
from riskplan.export import atomic


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
        (tmp / "manifest.json").write_text("{}")
        (tmp / "old.csv").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.staged_folder(out) as tmp:
            (tmp / "manifest.json").write_text("{}")
            raise RuntimeError("boom")
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "old.csv"]
    with atomic.staged_folder(out) as tmp:
        (tmp / "manifest.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_refuses_foreign_folder(tmp_path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(RiskplanError, match="refusing"):
        with atomic.staged_folder(tmp_path):
            pass
    assert (tmp_path / "mine.txt").read_text() == "keep me"
