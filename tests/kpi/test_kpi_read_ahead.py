"""The KPI engine reads the next batch of a log while it classifies this one (``read_ahead``): the
batches come in order, a reader's error reaches the caller, stopping early closes the reader, and
the reader sees the caller's context (the language of its messages)."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator

import pytest

from qms.errors import QmsError
from qms.store.batches import read_ahead

_VAR: contextvars.ContextVar[str] = contextvars.ContextVar("test_read_ahead", default="default")


def _helpers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "qms-log-reader"]


def test_items_come_in_order_and_the_helper_ends() -> None:
    """RA1: every item, in order; no helper thread is left behind."""
    assert list(read_ahead(iter(range(1000)), depth=2)) == list(range(1000))
    assert _helpers() == []


def test_an_error_of_the_reader_reaches_the_caller_after_the_items_before_it() -> None:
    """RA2: the items read before the error, then the reader's own QmsError (message kept)."""
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise QmsError("log.csv:3: cannot read the CSV row", "export the log again")

    got: list[int] = []

    def consume() -> None:
        for item in read_ahead(source()):
            got.append(item)

    with pytest.raises(QmsError, match=r"log\.csv:3: cannot read the CSV row"):
        consume()
    assert got == [1, 2]
    assert _helpers() == []


def test_stopping_early_closes_the_reader() -> None:
    """RA3: the caller stops after two items (an error of its own): the reader is closed (its files
    too) and the helper ends, though the reader had more to give."""
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            yield from range(10**9)
        finally:
            closed.set()

    def consume() -> None:
        for item in read_ahead(source(), depth=1):
            if item == 1:
                raise RuntimeError("classifier failed")

    with pytest.raises(RuntimeError, match="classifier failed"):
        consume()
    assert closed.is_set()
    assert _helpers() == []


def test_the_reader_runs_in_the_callers_context() -> None:
    """RA4: a context variable set by the caller (as the message language is) is seen by the reader."""
    def source() -> Iterator[str]:
        yield _VAR.get()

    token = _VAR.set("vi")
    try:
        assert list(read_ahead(source())) == ["vi"]
    finally:
        _VAR.reset(token)


def test_work_in_background_gives_its_result_or_its_error_in_the_callers_context() -> None:
    """RA5: ``in_background`` runs its work on a helper thread that sees the caller's context; the
    caller gets the result, or the error the work raised, and no helper is left."""
    from qms.store.batches import in_background

    token = _VAR.set("vi")
    try:
        assert in_background(lambda _stop: _VAR.get(), "qms-test-helper").result() == "vi"
    finally:
        _VAR.reset(token)

    def fail(_stop: threading.Event) -> None:
        raise QmsError("processes/x.yaml:3:1: not a mapping", "write one 'key: value' per line")

    with pytest.raises(QmsError, match="not a mapping"):
        in_background(fail, "qms-test-helper").result()
    assert not [t for t in threading.enumerate() if t.name == "qms-test-helper"]


def test_stopping_work_in_background_asks_it_to_stop_and_waits() -> None:
    """RA6: a caller that gives up sets the work's stop event and waits for the helper to end; the
    work's result is dropped."""
    from qms.store.batches import in_background

    started = threading.Event()
    seen: list[bool] = []

    def long_work(stop: threading.Event) -> int:
        started.set()
        seen.append(stop.wait(timeout=30))  # until asked to stop
        return 1

    work = in_background(long_work, "qms-test-helper")
    assert started.wait(timeout=30)
    work.stop()
    assert seen == [True]
    assert not [t for t in threading.enumerate() if t.name == "qms-test-helper"]
