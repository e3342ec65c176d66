"""Operating-system errors as user errors: the path, the reason and what to do (exit 2).

An :class:`OSError` that reaches the command line is never a bug in qms: the disk is full, a
directory is read-only, a link loops. :func:`user_error` turns it into a :class:`QmsError` that
names the path, gives the system's reason and a hint chosen by ``errno``.
"""

from __future__ import annotations

import errno
import os

from qms.errors import QmsError
from qms.i18n import N_, _

_HINTS: dict[int, str] = {
    errno.ENOSPC: N_("free some disk space (or write somewhere else) and run the command again"),
    errno.EDQUOT: N_("free some disk space (or write somewhere else) and run the command again"),
    errno.EACCES: N_("check the permissions of the file and of its directory"),
    errno.EPERM: N_("the file may be immutable or owned by someone else; check its attributes "
                    "(lsattr) and permissions"),
    errno.EROFS: N_("the file system is read-only; write somewhere else"),
    errno.ELOOP: N_("a symbolic link on this path points back to itself; fix or remove the link"),
    errno.ENAMETOOLONG: N_("use a shorter path or file name"),
    errno.ENOTDIR: N_("a part of the path is a file, not a directory; choose another path"),
    errno.EISDIR: N_("give a file name, not a directory"),
    errno.ENOENT: N_("check that the path exists"),
    errno.EEXIST: N_("remove the existing file or choose another path"),
    errno.EMFILE: N_("too many open files: raise the limit (ulimit -n) and run the command again"),
    errno.EIO: N_("the device reported an input/output error; check the disk"),
}


class OsFailure(QmsError):
    """An operating-system error met while reading or writing a file (exit 2)."""


def user_error(exc: OSError) -> QmsError:
    """``exc`` as a user-facing error: ``cannot use PATH: REASON`` and a hint."""
    reason = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc)) or type(exc).__name__
    if exc.filename is not None:
        path = os.fsdecode(exc.filename) if isinstance(exc.filename, bytes) else str(exc.filename)
        if len(path) > 200:
            path = path[:120] + "…" + path[-60:]
        if exc.filename2 is not None:
            path = _("{path} → {other}").format(path=path, other=os.fsdecode(exc.filename2)
                                                if isinstance(exc.filename2, bytes) else exc.filename2)
        message = _("cannot use {path}: {reason}").format(path=path, reason=reason)
    else:
        message = _("operating-system error: {reason}").format(reason=reason)
    return OsFailure(message, hint_for(exc))


def hint_for(exc: OSError) -> str:
    """What to do about ``exc``, chosen by its ``errno``."""
    hint = _HINTS.get(exc.errno or 0)
    return _(hint) if hint else _("check the path and the disk, then run the command again")
