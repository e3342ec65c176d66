"""Ctrl-C that is never lost.

Python's default SIGINT handler raises :class:`KeyboardInterrupt` wherever the interpreter happens to
be. When that is a ``__del__`` method (WeasyPrint frees fonts in one), the exception is printed as
"Exception ignored in ..." and swallowed, and the command runs on to exit 0. This handler raises only
outside destructors; inside one it re-sends the signal a moment later, so the interrupt always ends
the command (exit 130, one line, no partial output).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from qms.errors import note_interrupt, raise_if_interrupted

_RETRY_SECONDS = 0.05
#: signals re-sent a moment later (see :func:`_on_sigint`), cancelled when the command ends
_PENDING: list[threading.Timer] = []


def _in_destructor(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    note_interrupt()  # remembered: a library that swallows the KeyboardInterrupt cannot lose it
    if _in_destructor(frame):
        timer = threading.Timer(_RETRY_SECONDS, os.kill, (os.getpid(), signal.SIGINT))
        timer.daemon = True
        _PENDING.append(timer)
        timer.start()
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def reliable_sigint() -> Iterator[None]:
    """Install the handler for the duration of a command (main thread, default handler only)."""
    note_interrupt(False)
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        try:
            _settle()
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _settle() -> None:
    """Cancel the signals still to be re-sent, or wait for the one being sent, while this module's handler
    is in place. A re-sent signal that came after the command had ended used to meet Python's default
    handler during the exit, and the process died of SIGINT instead of exiting 130 after "interrupted"."""
    while _PENDING:
        timer = _PENDING.pop()
        timer.cancel()
        timer.join()
    # a signal already re-sent is handled by _on_sigint at the next instruction; one cancelled is raised
    # here: either way the interrupt ends the command (exit 130), even when it had run to its end
    raise_if_interrupted()
