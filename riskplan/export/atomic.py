"""Atomic writes: a crash or Ctrl-C never leaves a half-written file or plan folder.

Single files are written to a temporary file in the same folder and moved into place with
:func:`os.replace` (atomic on POSIX and Windows). A whole plan folder is built in a temporary
sibling folder by :func:`staged_folder` and renamed to its final name only when everything in it
has been written; on any exception (``KeyboardInterrupt`` included) the temporary folder is
removed and an existing output folder is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from riskplan.errors import RiskplanError

PLAN_MARKER = "manifest.json"
"""A folder holding this file is a plan folder and may be replaced by a new plan."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename).

    The file gets the permissions an ordinary ``open(path, "w")`` would (0666 less the umask),
    not the owner-only ones of a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    r"""Write ``text`` to ``path`` atomically, with ``\n`` line ends on every platform."""
    return write_bytes(path, text.encode(encoding))


def check_output_folder(out: Path, marker: str = PLAN_MARKER) -> None:
    """Raise RiskplanError unless ``out`` is absent, empty or an earlier output folder.

    An earlier output folder holds ``marker`` (``manifest.json`` for a plan folder).
    """
    if out.exists() and not out.is_dir():
        raise RiskplanError(f"output path {out} exists and is not a folder / 输出路径已存在且不是文件夹")
    if out.is_dir() and any(out.iterdir()) and not (out / marker).exists():
        kind, kind_zh = (("a plan folder", "计划文件夹") if marker == PLAN_MARKER
                         else ("an earlier output of this command", "本命令之前的输出"))
        raise RiskplanError(
            f"output folder {out} is not empty and is not {kind} (no {marker}); "
            f"refusing to overwrite it / 输出文件夹非空且不是{kind_zh}, 不覆盖"
        )


@contextlib.contextmanager
def staged_folder(out: str | os.PathLike[str], marker: str = PLAN_MARKER) -> Iterator[Path]:
    """Build a folder in a temporary sibling and move it to ``out`` when the block succeeds.

    Parameters
    ----------
    out
        Final folder. If it exists it must be empty or an earlier output folder (holding
        ``marker``, by default ``manifest.json``: a plan folder); it is replaced as a whole only
        after the new one is complete.
    marker
        File that marks an earlier output folder of the same kind.

    Yields
    ------
    Path
        The temporary folder to write into.

    Raises
    ------
    RiskplanError
        If ``out`` is a file, or a non-empty folder without ``marker``.
    """
    out = Path(out).absolute()
    check_output_folder(out, marker)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        # Give the staged folder the permissions a normal mkdir would (mkdtemp uses 0700).
        os.chmod(tmp, 0o777 & ~_umask())
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
            try:
                os.replace(tmp, out)
            except BaseException:
                os.replace(old, out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
