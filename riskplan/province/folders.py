"""The province's output folder ``OUT``: what may be in it, and the leftovers a dead worker leaves.

``OUT`` is not written as one atomic folder (a rerun must keep the districts already complete):
each district's folder ``OUT/<district>/`` is written atomically by its task
(:func:`riskplan.export.atomic.staged_folder`: built in a hidden sibling ``.<district>.tmp-*``,
then renamed), and so is the summary ``OUT/province/``. Before any work, :func:`out_refusal`
checks that everything already in ``OUT`` is riskplan's (earlier district folders of the right
kind, the summary, the category priors file, staging leftovers), so a wrong ``--out`` costs
nothing and touches nothing. :func:`sweep` removes the staging leftovers of a worker that died
mid-write (and puts back an earlier district folder a worker took away and died before the new
one was in place); it runs before the tasks start and after they have all ended, never while a
task may be writing.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from riskplan.export.ownership import FolderKind, replace_refusal

__all__ = ["PRIORS_FILE", "SUMMARY", "out_refusal", "sweep"]

SUMMARY = "province"
"""The summary folder's name inside ``OUT``."""
PRIORS_FILE = "category_priors.csv"
"""The province's category priors inside ``OUT`` (``--province-priors``)."""

_STAGING = re.compile(r"^\.(?P<name>.+)\.(?P<what>tmp|old)-[A-Za-z0-9_]+$")
_TMP_FILE = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]+\.tmp$")


def out_refusal(out: Path, districts: Iterable[str], kind: FolderKind = "plan",
                summary_kind: FolderKind = "province") -> str | None:
    """Why ``out`` may not take this run's folders; None when it may.

    Parameters
    ----------
    out
        The province's output folder.
    districts
        Names of this run's districts.
    kind
        Kind of a district's folder (``plan``; ``monitor`` for a province's monitoring).
    summary_kind
        Kind of ``OUT/province/``.

    Returns
    -------
    str or None
        The reason (English and Chinese) naming the entry that is not riskplan's.
    """
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        return f"output path {out} exists and is not a folder / 输出路径已存在且不是文件夹"
    if not out.exists():
        return None
    names = set(districts)
    for entry in sorted(out.iterdir()):
        if _STAGING.match(entry.name) or _TMP_FILE.match(entry.name):
            continue  # a dead worker's leftover: swept
        if entry.name == PRIORS_FILE and entry.is_file() and not entry.is_symlink():
            continue
        if entry.name == SUMMARY:
            refusal = replace_refusal(entry, summary_kind)
        elif entry.is_dir() and not entry.is_symlink():
            refusal = replace_refusal(entry, kind)
            if refusal is not None and entry.name not in names:
                refusal = (f"{entry} is not a district folder riskplan wrote ({refusal})")
        else:
            refusal = f"{entry} is not one of riskplan's folders"
        if refusal is not None:
            return (f"refusing to write the province into {out}: {refusal}; choose another --out "
                    f"/ 不写入 {out}：其中有不属于 riskplan 的内容")
    return None


def sweep(out: Path) -> list[str]:
    """Remove what interrupted writes left in ``out``; return what was done, one line each.

    A staged folder ``.<name>.tmp-*`` is removed. An earlier folder set aside during a swap
    (``.<name>.old-*``) is put back when ``<name>`` is missing (the worker died between the two
    renames), else removed. A temporary file ``.<name>.*.tmp`` of an atomic file write is
    removed.
    """
    done: list[str] = []
    if not out.is_dir():
        return done
    for entry in sorted(out.iterdir()):
        m = _STAGING.match(entry.name)
        if m and entry.is_dir() and not entry.is_symlink():
            final = out / m.group("name")
            if m.group("what") == "old" and not final.exists():
                os.replace(entry, final)
                done.append(f"restored {final.name} (set aside by an interrupted swap)")
            else:
                shutil.rmtree(entry, ignore_errors=True)
                done.append(f"removed {entry.name} (left by an interrupted write)")
        elif _TMP_FILE.match(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
            done.append(f"removed {entry.name} (left by an interrupted write)")
    return done
