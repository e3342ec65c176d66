"""The one CSV writer of qms: every ``--format csv`` and ``.csv`` export goes through it.

A spreadsheet evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some programs,
a tab or a carriage return) as a formula, so ``=2+5+cmd|' /C calc'!A0`` in an NC title would run
when the export is opened ("CSV injection"). Following OWASP's advice, a *text* cell that starts
with one of those characters is written with a leading single quote, which spreadsheets show as
text. Numbers that qms itself produces (``int``, ``float``, ``Decimal``; ``-0.5``) are written as
numbers and stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """``value`` as it is written to a CSV cell: text made inert, numbers untouched, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def rows_to_csv(header: Sequence[str] | None, rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document (``\\n`` line ends) of ``header`` then ``rows``; every cell goes through :func:`cell`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header is not None:
        writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buf.getvalue()


def dicts_to_csv(fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A CSV document with a header of ``fields`` and one line per mapping (missing keys are empty)."""
    return rows_to_csv(list(fields), ([row.get(f) for f in fields] for row in rows))
