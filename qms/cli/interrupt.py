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

from qms.errors import note_interrupt

_RETRY_SECONDS = 0.05


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
        signal.signal(signal.SIGINT, signal.default_int_handler)
