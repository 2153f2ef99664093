"""Which existing folders riskplan may replace: only its own, and only when nothing was added.

A plan folder (``riskplan plan --out``) and a monitoring folder (``riskplan monitor --out``) are
written as a whole and replace an earlier one as a whole. Before anything is replaced,
:func:`replace_refusal` checks that the folder is riskplan's own:

- its ``manifest.json`` is riskplan's (a JSON object with ``riskplan_version`` and
  ``outputs_sha256``, the hashes of every file written) and of the same kind (``kind`` is
  ``"monitor"`` for a monitoring folder, ``"template"`` for blank templates, ``"province"`` and
  ``"province_monitor"`` for a province's summaries; a plan's manifest has none, or ``"plan"``);
- every file in it, at any depth, hidden ones included, is ``manifest.json`` or listed in
  ``outputs_sha256``, and every sub-folder holds such a file.

Anything else (a web app's ``manifest.json``, a file the user put there, an Excel lock file
``~$...xlsx`` of a workbook still open) makes the folder someone else's: it is refused with the
reason, and not a file in it is touched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

__all__ = ["MANIFEST_NAME", "FolderKind", "manifest_kind", "replace_refusal", "unlisted_entries"]

MANIFEST_NAME = "manifest.json"
"""The file that makes a folder riskplan's, listing every other file riskplan wrote there."""

FolderKind = Literal["plan", "monitor", "template", "province", "province_monitor"]

_KIND_TEXT = {"plan": "a plan folder (riskplan plan)", "monitor": "a monitoring folder (riskplan monitor)",
              "template": "a template folder (riskplan template)",
              "province": "a provincial plan summary (riskplan plan --data PROVINCE)",
              "province_monitor": "a provincial monitoring summary (riskplan monitor --plan PROVINCE)"}
_KIND_ZH = {"plan": "计划文件夹", "monitor": "监测结果文件夹", "template": "填报模板文件夹",
            "province": "全省计划汇总文件夹", "province_monitor": "全省监测汇总文件夹"}
_SHOWN = 5  # unlisted files named in a refusal


def manifest_kind(manifest: Any) -> FolderKind | None:
    """The kind of folder a parsed ``manifest.json`` belongs to, or None when it is not riskplan's."""
    if not isinstance(manifest, dict):
        return None
    outputs = manifest.get("outputs_sha256")
    if not isinstance(manifest.get("riskplan_version"), str) or not isinstance(outputs, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in outputs.items()):
        return None
    kind = manifest.get("kind", "plan")
    return kind if kind in _KIND_TEXT else None


def unlisted_entries(folder: Path, listed: set[str]) -> list[str]:
    """Files and sub-folders of ``folder`` (relative, ``/``) that are not ``listed`` nor hold one.

    ``manifest.json`` at the top counts as listed. Symbolic links are never riskplan's.
    """
    keep = set(listed) | {MANIFEST_NAME}
    parents = {p for rel in keep for p in (Path(rel).parents) if str(p) != "."}
    out: list[str] = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out.append(rel)
        elif path.is_dir():
            if Path(rel) not in parents:
                out.append(rel + "/")
        elif rel not in keep:
            out.append(rel)
    # name a foreign folder once, not every file inside it
    return [r for r in out if not any(r != o and o.endswith("/") and r.startswith(o) for o in out)]


def replace_refusal(out: Path, kind: FolderKind = "plan") -> str | None:
    """Why ``out`` may not be replaced by a new folder of ``kind``; None when it may.

    Parameters
    ----------
    out
        The output folder asked for.
    kind
        What is about to be written there.

    Returns
    -------
    str or None
        The reason, in English and Chinese, naming the folder and what in it is not riskplan's;
        None when ``out`` is absent, an empty folder or an earlier folder of ``kind`` holding
        nothing but what its manifest lists.
    """
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        return f"output path {out} exists and is not a folder / 输出路径已存在且不是文件夹"
    if not out.exists() or not any(out.iterdir()):
        return None
    refusal = f"refusing to replace {out}"
    zh = f"不覆盖 {out}"
    manifest_path = out / MANIFEST_NAME
    if not manifest_path.is_file() or manifest_path.is_symlink():
        return (f"{refusal}: it is not empty and has no {MANIFEST_NAME}, so it is not "
                f"{_KIND_TEXT[kind]} / {zh}：文件夹非空且没有 {MANIFEST_NAME}，不是{_KIND_ZH[kind]}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        manifest = None
    found = manifest_kind(manifest)
    if found is None:
        return (f"{refusal}: its {MANIFEST_NAME} is not riskplan's (no riskplan_version and "
                f"outputs_sha256), so it is not {_KIND_TEXT[kind]} / {zh}：其 {MANIFEST_NAME} "
                f"不是 riskplan 的清单，不是{_KIND_ZH[kind]}")
    if found != kind:
        return (f"{refusal}: it is {_KIND_TEXT[found]}, not {_KIND_TEXT[kind]} / "
                f"{zh}：它是{_KIND_ZH[found]}，不是{_KIND_ZH[kind]}")
    extra = unlisted_entries(out, set(manifest["outputs_sha256"]))
    if extra:
        shown = ", ".join(extra[:_SHOWN]) + (f" and {len(extra) - _SHOWN} more" if len(extra) > _SHOWN else "")
        return (f"{refusal}: it holds files riskplan did not write there ({shown}); move them "
                f"away or choose another --out / {zh}：其中有 riskplan 未写入的文件（{shown}）")
    return None
