"""Run ``qms`` with one failing write in the store's atomic writer (fault injection, no LD_PRELOAD).

Usage: ``python outputs_faults.py ARGS...`` with ``QMS_FAULT_AT=N`` (1-based) and ``QMS_FAULT_ERRNO``
(``ENOSPC``, ``EACCES``, ``EROFS``, ``EPERM``). Every step of :func:`qms.store.atomic.atomic_write_bytes`
that touches the disk (``mkstemp``, ``fchmod``, ``write``, ``fsync``, ``replace``/``link``) counts as
one call; the N-th raises ``OSError(errno)``. On exit the number of calls seen is written to
``QMS_FAULT_REPORT`` (if set), so a test knows when N is past the last write.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from typing import Any

import qms.store.atomic as atomic

_AT = int(os.environ.get("QMS_FAULT_AT", "0"))
_ERRNO = getattr(errno, os.environ.get("QMS_FAULT_ERRNO", "ENOSPC"))
_calls = 0
_dir_fds: set[int] = set()


def _tick(what: str, filename: str | None = None) -> None:
    global _calls
    _calls += 1
    if _calls == _AT:
        raise OSError(_ERRNO, os.strerror(_ERRNO), filename)


class _File:
    def __init__(self, fh: Any, name: str | None) -> None:
        self._fh, self._name = fh, name

    def __enter__(self) -> _File:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()

    def write(self, data: bytes) -> int:
        _tick("write", self._name)
        return int(self._fh.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


class _Os:
    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def open(self, path: Any, flags: int, *args: Any) -> int:
        fd = os.open(path, flags, *args)
        if os.path.isdir(path):
            _dir_fds.add(fd)
        return fd

    def close(self, fd: int) -> None:
        _dir_fds.discard(fd)
        os.close(fd)

    def fdopen(self, fd: int, *args: Any, **kwargs: Any) -> _File:
        return _File(os.fdopen(fd, *args, **kwargs), None)

    def fchmod(self, fd: int, mode: int) -> None:
        _tick("fchmod")
        os.fchmod(fd, mode)

    def fsync(self, fd: int) -> None:
        if fd not in _dir_fds:
            _tick("fsync")
        os.fsync(fd)

    def replace(self, src: Any, dst: Any) -> None:
        _tick("replace", str(dst))
        os.replace(src, dst)

    def link(self, src: Any, dst: Any) -> None:
        _tick("link", str(dst))
        os.link(src, dst)


class _Tempfile:
    def __getattr__(self, name: str) -> Any:
        return getattr(tempfile, name)

    def mkstemp(self, *args: Any, **kwargs: Any) -> tuple[int, str]:
        _tick("mkstemp", str(kwargs.get("dir", "")))
        return tempfile.mkstemp(*args, **kwargs)


def _report() -> None:
    out = os.environ.get("QMS_FAULT_REPORT")
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(str(_calls))


atomic.os = _Os()  # type: ignore[assignment]
atomic.tempfile = _Tempfile()  # type: ignore[assignment]

if __name__ == "__main__":
    import atexit

    from qms.cli.main import main

    atexit.register(_report)
    sys.argv[0] = "qms"
    main(sys.argv[1:])
