"""Opening untrusted files: regular files only, size checked with ``fstat`` before any read.

Every reader of the repository, of logs, spreadsheets, PDFs and images goes through
:func:`read_bounded` (whole files) or :func:`open_bounded` (streaming readers). A FIFO, a
device, a socket or a directory is refused without blocking (``O_NONBLOCK``); a symbolic link is
followed only when it resolves inside the repository root (when one is given); a file above its
limit is refused from its ``fstat`` size, before a byte is read, and reads never go past the
limit even if the file grows meanwhile.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from qms.errors import QmsError
from qms.i18n import _
from qms.store.limits import human

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class FileRefused(QmsError):
    """An input file qms will not read: not a regular file, too large, a link out of the root.

    ``reason`` is the message without the path (for located diagnostics); ``kind`` is
    ``not-regular``, ``too-large``, ``outside`` or ``io``.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str, hint: str, kind: str) -> None:
        super().__init__(_("{path}: {reason}").format(path=os.fspath(path), reason=reason), hint)
        self.path = os.fspath(path)
        self.reason = reason
        self.kind = kind


def _type_name(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return _("a FIFO (named pipe)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    if stat.S_ISDIR(mode):
        return _("a directory")
    return _("not a regular file")


def _not_regular(path: str | os.PathLike[str], mode: int) -> FileRefused:
    return FileRefused(path, _("the file is {what}; qms reads regular files only").format(
        what=_type_name(mode)), _("replace it with the file itself"), "not-regular")


def too_large(path: str | os.PathLike[str], size: int, limit: int, name: str) -> FileRefused:
    return FileRefused(
        path, _("the file is {size}, above the limit of {limit} ({name})").format(
            size=human(size), limit=human(limit), name=name),
        _("if the file is genuine, raise the limit for this run: qms --limit {name}=SIZE ...").format(name=name),
        "too-large")


def _io_error(path: str | os.PathLike[str], exc: OSError) -> FileRefused:
    if exc.errno == errno.ELOOP:
        return FileRefused(path, _("the file is a symbolic link that cannot be followed here"),
                           _("replace the link with the file itself"), "outside")
    return FileRefused(path, _("cannot read the file: {reason}").format(reason=exc.strerror or exc),
                       _("check that the file exists and is readable"), "io")


def _target(path: Path, root: Path | None) -> tuple[Path, int]:
    """The path to open and the extra flags: a link inside ``root`` is resolved, one outside refused."""
    if root is None:
        return path, 0
    if not path.is_symlink():
        return path, _NOFOLLOW
    try:
        real = path.resolve(strict=True)
        real.relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):
        raise FileRefused(path, _("the file is a link that points outside the repository"),
                          _("copy the file into the repository instead of linking to it"), "outside") from None
    return real, _NOFOLLOW


def open_fd(path: Path, root: Path | None = None) -> tuple[int, os.stat_result]:
    """A read-only descriptor of the regular file ``path`` and its ``fstat``; never blocks.

    With ``root``, a symbolic link is followed only when it resolves to a file inside ``root``.
    """
    target, extra = _target(path, root)
    try:
        fd = os.open(target, os.O_RDONLY | _NONBLOCK | _CLOEXEC | _BINARY | extra)
    except OSError as exc:
        raise _io_error(path, exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(path, st.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_bounded(path: Path, limit: int, name: str, root: Path | None = None) -> bytes:
    """The bytes of the regular file ``path``; refused (:class:`FileRefused`) above ``limit`` bytes.

    ``name`` is the limit's name (see :mod:`qms.store.limits`), shown in the message.
    """
    fd, st = open_fd(path, root)
    try:
        if st.st_size > limit:
            raise too_large(path, st.st_size, limit, name)
        chunks: list[bytes] = []
        total = 0
        want = st.st_size + 1  # one read for the whole file, one byte more to see the end
        while True:
            chunk = os.read(fd, min(want, limit + 1 - total) or 1)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise too_large(path, total, limit, name)
            want = 1 << 16
    except OSError as exc:
        raise _io_error(path, exc) from None
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def check_file(path: Path, limit: int, name: str, root: Path | None = None) -> os.stat_result:
    """Refuse ``path`` unless it is a regular file of at most ``limit`` bytes (nothing is read)."""
    fd, st = open_fd(path, root)
    os.close(fd)
    if st.st_size > limit:
        raise too_large(path, st.st_size, limit, name)
    return st


@contextlib.contextmanager
def open_bounded(path: Path, limit: int, name: str, root: Path | None = None) -> Iterator[BinaryIO]:
    """A binary file object of the regular file ``path`` (at most ``limit`` bytes), for streaming."""
    fd, st = open_fd(path, root)
    if st.st_size > limit:
        os.close(fd)
        raise too_large(path, st.st_size, limit, name)
    with os.fdopen(fd, "rb") as fh:
        yield fh


def read_yaml_bytes(path: Path, root: Path | None = None) -> bytes:
    """The bytes of a repository YAML file, bounded by ``yaml_size`` (see :func:`read_bounded`)."""
    from qms.store.limits import current

    return read_bounded(path, current().yaml_size, "yaml_size", root)
