"""Reading a log's batches ahead of the code that consumes them (the KPI classifier, the flow reader)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

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
