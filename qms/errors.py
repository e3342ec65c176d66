"""Fatal errors only: bad configuration, an unusable workspace, bad usage.

Findings about the user's files are never exceptions; they are diagnostics.
"""

from __future__ import annotations


class QmsError(Exception):
    """A fatal, user-facing error. ``exit_code`` is what the CLI exits with."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class WorkspaceNotFound(QmsError):
    pass


class ConfigError(QmsError):
    pass


class UsageError(QmsError):
    pass


class InvalidTransition(QmsError):
    """A register state change that the lifecycle does not allow (exit 1, nothing written)."""

    exit_code = 1


class RecordNotFound(QmsError):
    exit_code = 1


class Declined(QmsError):
    """The user answered no to a confirmation (exit 1, nothing written)."""

    exit_code = 1


# -- Ctrl-C that a library swallowed ----------------------------------------------------------
#: Set by the command line's SIGINT handler. Some libraries catch every exception, KeyboardInterrupt
#: included (WeasyPrint while it draws an SVG image, such as a flowchart): the interrupt would be lost and
#: the command would go on to write its output. Every atomic write asks first.
_INTERRUPTED = [False]


def note_interrupt(interrupted: bool = True) -> None:
    """Record that the user interrupted the command (False: a new command starts)."""
    _INTERRUPTED[0] = interrupted


def raise_if_interrupted() -> None:
    """Raise :class:`KeyboardInterrupt` again if the user interrupted the command."""
    if _INTERRUPTED[0]:
        raise KeyboardInterrupt
