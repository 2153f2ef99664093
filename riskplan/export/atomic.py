"""Atomic writes: a crash or Ctrl-C never leaves a half-written file or plan folder.

Single files are written to a temporary file in the same folder and moved into place with
:func:`os.replace` (atomic on POSIX and Windows). A whole plan folder is built in a temporary
sibling folder by :func:`staged_folder` and renamed to its final name only when everything in it
has been written; on any exception (``KeyboardInterrupt`` included) the temporary folder is
removed and an existing output folder is left as it was. An existing folder is replaced only when
it is riskplan's own (:mod:`riskplan.export.ownership`). The swap itself holds Ctrl-C
(:func:`riskplan.interrupts.deferred`): an interrupt during it puts the earlier folder back; once
the new folder is in place, removing the earlier one is not interrupted (the work is done).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from riskplan.errors import RiskplanError
from riskplan.export.ownership import MANIFEST_NAME, FolderKind, replace_refusal
from riskplan.interrupts import deferred

PLAN_MARKER = MANIFEST_NAME
"""The file of a riskplan folder listing what it holds (see :mod:`riskplan.export.ownership`)."""


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


def check_output_folder(out: Path, kind: FolderKind = "plan") -> None:
    """Raise RiskplanError unless ``out`` is absent, empty or an earlier riskplan folder of ``kind``.

    See :func:`riskplan.export.ownership.replace_refusal` for the rule; the error says why.
    """
    refusal = replace_refusal(out, kind)
    if refusal is not None:
        raise RiskplanError(refusal)


@contextlib.contextmanager
def staged_folder(out: str | os.PathLike[str], kind: FolderKind = "plan") -> Iterator[Path]:
    """Build a folder in a temporary sibling and move it to ``out`` when the block succeeds.

    Parameters
    ----------
    out
        Final folder. If it exists it must be empty or an earlier riskplan folder of ``kind``
        holding only what its ``manifest.json`` lists; it is replaced as a whole only after the
        new one is complete.
    kind
        ``"plan"`` or ``"monitor"``: which kind of earlier folder may be replaced.

    Yields
    ------
    Path
        The temporary folder to write into.

    Raises
    ------
    RiskplanError
        If ``out`` is a file, or a non-empty folder that is not riskplan's (the reason is given).
    """
    out = Path(out).absolute()
    check_output_folder(out, kind)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = None
    try:
        with deferred():  # no interrupt between creating the folder and knowing its name
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        yield tmp
        # Give the staged folder the permissions a normal mkdir would (mkdtemp uses 0700).
        os.chmod(tmp, 0o777 & ~_umask())
        check_output_folder(out, kind)  # nothing was added to it while the new one was built
        _swap(tmp, out)
    finally:
        with deferred():
            if tmp is not None and tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)


def _swap(tmp: Path, out: Path) -> None:
    """Move ``tmp`` to ``out``, replacing an earlier ``out``; all or nothing, even on Ctrl-C."""
    old: Path | None = None
    with deferred() as interrupt:
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
        try:
            os.replace(tmp, out)
        except BaseException:
            if old is not None:
                os.replace(old, out)
            raise
        if interrupt.requested:  # Ctrl-C during the swap: put the earlier folder back
            os.replace(out, tmp)
            if old is not None:
                os.replace(old, out)
            return  # deferred() raises KeyboardInterrupt; the caller removes tmp
    if old is not None:
        with deferred(reraise=False):  # the new folder is in place: too late to interrupt
            shutil.rmtree(old, ignore_errors=True)
