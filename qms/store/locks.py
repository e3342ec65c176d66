"""A lock file that serialises the writers of one folder of records (``audits/.lock``).

A command that reads a record, changes it and writes it back holds the lock for the whole cycle, so two
people working at the same moment never overwrite each other's change. The lock file is never followed
when it is a symbolic link or a special file, and a ``.gitignore`` beside it keeps it out of git.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from qms.errors import QmsError
from qms.i18n import _
from qms.store.atomic import atomic_write_text

LOCK_NAME = ".lock"
LOCK_TIMEOUT = 60.0


@contextlib.contextmanager
def folder_lock(root: Path, folder: str, timeout: float = LOCK_TIMEOUT, *, create: bool = False,
                file_mode: int | None = None) -> Iterator[None]:
    """Hold ``<root>/<folder>/.lock`` while the block runs. A missing folder is created when ``create``,
    else no lock is needed (nothing to change in it yet) and none is left behind; ``file_mode``: the
    mode of the ``.gitignore`` written beside the lock."""
    from filelock import FileLock, Timeout

    directory = root / folder
    if create:
        directory.mkdir(parents=True, exist_ok=True)
    elif not directory.is_dir():
        yield
        return
    ignore = directory / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(FileExistsError):
            atomic_write_text(ignore, f"{LOCK_NAME}\n.*.tmp\n", exclusive=True)
            if file_mode is not None:
                os.chmod(ignore, file_mode)
    rel = f"{folder}/{LOCK_NAME}"
    lock_path = directory / LOCK_NAME
    try:
        lock_stat = os.lstat(lock_path)
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(lock_stat.st_mode):  # a symbolic link (or a FIFO) is never followed
            raise QmsError(
                _("{path} is not a regular file (a symbolic link or a special file)").format(path=rel),
                _("delete {path} (qms recreates it) and run the command again").format(path=rel),
            )
    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise QmsError(
            _("another qms command has held {path} for more than {seconds:g} s").format(path=rel, seconds=timeout),
            _("wait for it to finish and retry; if no qms command is running, delete {path}").format(path=rel),
        ) from None
    try:
        yield
    finally:
        lock.release()
