"""Fuzz target: the YAML side files of ``qms kpi report`` (``--limits``, ``--columns``, ``--calendar``).

The first byte chooses the reader (``load_limits``, ``load_column_map``, ``load_calendar_settings``
in ``qms.store.dossier_logs``); the rest is the file.

Contract: a value, or ``QmsError``; never another exception, never a hang (alias bombs included).
"""

from __future__ import annotations

from _harness import expect, fresh_dir, instrumented, main

with instrumented():
    from qms.errors import QmsError
    from qms.kpi.columns import CANONICAL
    from qms.store import calendar as store_calendar
    from qms.store import dossier_logs


def _column_map(path: object) -> object:
    return dossier_logs.load_column_map(path, CANONICAL)  # type: ignore[arg-type]


READERS = (dossier_logs.load_limits, _column_map, store_calendar.load_calendar_settings)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    path = fresh_dir("cfg") / "side.yaml"
    path.write_bytes(data[1:])
    try:
        READERS[data[0] % len(READERS)](path)
    except QmsError as exc:
        expect(bool(exc.message), "a QmsError without a message")


if __name__ == "__main__":
    main(test_one_input)
