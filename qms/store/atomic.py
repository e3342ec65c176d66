"""Atomic, durable file writes: temp file in the same directory, fsync, rename, fsync the directory."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from qms.errors import raise_if_interrupted

# Temp files of writes in progress in this process, so that a worker stopped by a signal can remove
# them before it exits (see :func:`discard_pending`).
_PENDING: set[str] = set()


def discard_pending() -> None:
    """Remove the temp files of the writes in progress (for a signal handler that then exits)."""
    for name in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(name)
        _PENDING.discard(name)


def atomic_write_bytes(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a torn one.

    With ``exclusive=True`` the write fails with :class:`FileExistsError` if ``path`` already
    exists (the rename is done with ``os.link``, which never overwrites).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        if exc.errno is None:  # pragma: no cover
            raise
        raise OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(path)) from exc
    tmp = Path(tmp_name)
    _PENDING.add(tmp_name)
    fh = os.fdopen(fd, "wb")
    try:
        # mkstemp creates 0600; keep the mode (and, where allowed, the owner and group) of the file
        # being replaced, else the umask default
        try:
            old = path.stat()
        except FileNotFoundError:
            os.fchmod(fd, 0o666 & ~_umask())
        else:
            if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(OSError):
                    os.fchown(fd, old.st_uid, old.st_gid)
            os.fchmod(fd, old.st_mode & 0o7777)
        with fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        raise_if_interrupted()  # a Ctrl-C a library swallowed still leaves no output
        if exclusive:
            os.link(tmp, path)
            tmp.unlink()
        else:
            os.replace(tmp, path)
    except BaseException as exc:
        fh.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.errno is not None:
            # name the file the user knows (not the temp file, nor nothing for a failed write or fsync)
            raise OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(path)) from exc
        raise
    finally:
        _PENDING.discard(tmp_name)
    fsync_dir(path.parent)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_text(path: Path, text: str, *, exclusive: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), exclusive=exclusive)


def fsync_dir(directory: Path) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dfd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dfd)
