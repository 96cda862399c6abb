"""Where ``--out`` may write: a regular file, new or existing, replaced whole via a temp file."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from scorecard.thread.errors import Problem, UserError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def _refuse(path: Path, message: str, option: str) -> UserError:
    return UserError(Problem(str(path), None, option, "", "a regular file to write", message))


def _reason(err: OSError) -> str:
    return os.strerror(err.errno).lower() if err.errno else "it cannot be written"


def check_out(path: Path, option: str = "--out") -> None:
    """Refuse, before any work is done, an output path that is not a regular file to write.

    Raises:
        UserError: For a folder, device, pipe, socket or link at the path, a missing or
            unwritable folder.
    """
    path = Path(path)
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _refuse(path, f"cannot write here ({_reason(err)})", option) from None
    if info is not None:
        for test, kind in _KINDS:
            if test(info.st_mode):
                message = f"this is {kind}; {option} writes only to a regular file"
                raise _refuse(path, message, option)
    folder = path.parent
    if not folder.is_dir():
        raise _refuse(path, f"the folder {folder} does not exist", option)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse(path, f"cannot write in the folder {folder} (permission denied)", option)


def write_out(path: Path, content: bytes, option: str = "--out") -> None:
    """Write ``content`` to ``path`` via a temporary file in the same folder, renamed into place.

    The file at ``path`` is replaced whole or not at all, and a failure (a full disk, a folder
    that cannot be written) leaves no temporary file behind. An existing file keeps its
    permissions; a new one gets those the user's umask gives.

    Raises:
        UserError: When ``path`` is not a regular file to write, or the write fails.
    """
    path = Path(path)
    check_out(path, option)
    try:
        existing = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        existing = 0o666 & ~umask
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as err:
        raise _refuse(path, f"cannot write here ({_reason(err)})", option) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(existing)
        tmp.replace(path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        message = f"cannot write the file ({_reason(err)}); nothing was written"
        raise _refuse(path, message, option) from None
