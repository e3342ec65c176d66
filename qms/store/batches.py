"""Reading a log's batches ahead of the code that consumes them (the KPI classifier, the flow reader)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")


def read_ahead(items: Iterator[_T], depth: int = 2) -> Iterator[_T]:
    """The items of ``items`` in order, read by a helper thread up to ``depth`` items ahead.

    polars releases the GIL while it reads a batch of a log, so reading the next batch overlaps with
    classifying this one (on two cores the report takes little more time than the slower of the two).
    The helper runs in a copy of the caller's context (the language of messages), an error it meets is
    raised here, and stopping early (an error, Ctrl-C) stops the helper and closes ``items``."""
    import contextvars
    import queue
    import threading

    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                box.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((False, None))
        except BaseException as exc:  # the reader's QmsError, MemoryError: raised in the caller
            put((False, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    helper = threading.Thread(target=contextvars.copy_context().run, args=(produce,), name="qms-log-reader",
                              daemon=True)
    helper.start()
    try:
        while True:
            more, value = box.get()
            if not more:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        helper.join()


class Background(Generic[_T]):
    """Work started on a helper thread by :func:`in_background`."""

    def __init__(self, fn: Callable[[threading.Event], _T], name: str) -> None:
        import contextvars

        self._box: list[tuple[bool, Any]] = []
        self._stop = threading.Event()

        def run() -> None:
            try:
                self._box.append((True, fn(self._stop)))
            except BaseException as exc:  # raised in the caller, by result()
                self._box.append((False, exc))

        self._helper = threading.Thread(target=contextvars.copy_context().run, args=(run,), name=name, daemon=True)
        self._helper.start()

    def result(self) -> _T:
        """Waits for the work and gives its result, or raises what it raised."""
        self._helper.join()
        ok, value = self._box[0]
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def stop(self) -> None:
        """Asks the work to stop (it looks at the event it was given) and waits for the helper: a caller
        that gives up (an error, Ctrl-C) leaves no thread behind. Its result or error is dropped."""
        self._stop.set()
        self._helper.join()


def in_background(fn: Callable[[threading.Event], _T], name: str) -> Background[_T]:
    """Starts ``fn(stop)`` on a helper thread, in a copy of the caller's context (the language of
    messages); ``stop`` is set when the caller gives up, which a long task may look at."""
    return Background(fn, name)
