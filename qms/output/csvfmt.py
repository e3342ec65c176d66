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


def rows_to_csv(header: Sequence[Any] | None, rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document (``\\n`` line ends) of ``header`` then ``rows``; every cell goes through :func:`cell`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    # QUOTE_MINIMAL quotes a field holding "\n" but not one holding a bare "\r", which a reader would
    # take for a row break (a forged row); such rows are written with every text field quoted.
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    for row in ([header] if header is not None else []) + [list(r) for r in rows]:
        cells = [cell(v) for v in row]
        if any(isinstance(c, str) and "\r" in c for c in cells):
            quoted.writerow(cells)
        else:
            writer.writerow(cells)
    return buf.getvalue()


def dicts_to_csv(fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A CSV document with a header of ``fields`` and one line per mapping (missing keys are empty)."""
    return rows_to_csv(list(fields), ([row.get(f) for f in fields] for row in rows))
