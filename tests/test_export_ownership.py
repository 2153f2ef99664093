"""Only riskplan's own folders are replaced: its manifest, of the right kind, listing every file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_export_atomic import write_manifest

from riskplan.errors import RiskplanError
from riskplan.export import atomic
from riskplan.export.ownership import replace_refusal, unlisted_entries


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def try_replace(out: Path, kind: str = "plan") -> None:
    with atomic.staged_folder(out, kind) as tmp:  # type: ignore[arg-type]  # kind is a FolderKind
        (tmp / "new.csv").write_text("new")
        (tmp / "teams" / "S1-T1").mkdir(parents=True)
        (tmp / "teams" / "S1-T1" / "2026-07-01.csv").write_text("stop")
        write_manifest(tmp, None if kind == "plan" else kind)


def test_a_web_apps_folder_is_refused_and_kept(tmp_path: Path) -> None:
    """The issue's case: an unrelated manifest.json and an index.html."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "manifest.json").write_text(json.dumps(
        {"name": "My PWA", "short_name": "pwa", "start_url": "/index.html", "icons": []}))
    (site / "index.html").write_text("<html>mine</html>")
    before = snapshot(site)
    with pytest.raises(RiskplanError, match=r"manifest.json is not riskplan's"):
        try_replace(site)
    assert snapshot(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left


def test_a_plan_folder_with_a_users_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    try_replace(out)
    (out / "my notes.docx").write_text("keep")
    (out / "teams" / "~$S1-T1.xlsx").write_text("excel lock")
    (out / "mine").mkdir()
    (out / "mine" / "a.txt").write_text("mine")
    before = snapshot(out)
    with pytest.raises(RiskplanError) as info:
        try_replace(out)
    msg = str(info.value)
    # a foreign sub-folder is named once, not file by file
    assert "riskplan did not write there (mine/, my notes.docx, teams/~$S1-T1.xlsx)" in msg
    assert snapshot(out) == before


def test_hidden_files_empty_folders_and_links_are_not_riskplans(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    try_replace(out)
    listed = set(json.loads((out / "manifest.json").read_text())["outputs_sha256"])
    assert unlisted_entries(out, listed) == []
    (out / ".DS_Store").write_text("x")
    (out / "empty").mkdir()
    (out / "link.csv").symlink_to(out / "new.csv")
    assert unlisted_entries(out, listed) == [".DS_Store", "empty/", "link.csv"]


def test_kinds_do_not_replace_each_other(tmp_path: Path) -> None:
    plan, mon = tmp_path / "plan", tmp_path / "monitor"
    try_replace(plan)
    try_replace(mon, "monitor")
    assert replace_refusal(plan, "plan") is None and replace_refusal(mon, "monitor") is None
    assert "it is a plan folder (riskplan plan), not a monitoring folder" in str(replace_refusal(plan, "monitor"))
    assert "it is a monitoring folder (riskplan monitor), not a plan folder" in str(replace_refusal(mon, "plan"))
    try_replace(plan)  # an earlier folder of its own kind is replaced
    assert (plan / "new.csv").is_file()


@pytest.mark.parametrize("manifest", ["{not json", "[]", '{"riskplan_version": "0.1"}',
                                      '{"riskplan_version": 1, "outputs_sha256": {}}',
                                      '{"riskplan_version": "0.1", "outputs_sha256": {"a": 1}}'])
def test_manifests_that_are_not_riskplans(tmp_path: Path, manifest: str) -> None:
    (tmp_path / "manifest.json").write_text(manifest)
    assert "manifest.json is not riskplan's" in str(replace_refusal(tmp_path))


def test_without_manifest_and_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    assert "has no manifest.json" in str(replace_refusal(tmp_path))
    assert "exists and is not a folder" in str(replace_refusal(tmp_path / "a.txt"))
    assert replace_refusal(tmp_path / "new") is None
