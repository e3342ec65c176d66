"""The plain-text table of qms: left-aligned columns, every cell kept on its line.

Cells are user text (titles, codes, names read from the repository or a log), so each one goes
through :func:`qms.output.safe.one_line` before its width is measured: a line break or an escape
sequence in a title can neither break the table nor start a line of its own in a CI log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qms.output.safe import one_line


def columns(rows: Sequence[Sequence[Any]], *, gap: str = "  ") -> list[str]:
    """``rows`` (the first is usually the header) as lines; the last column is not padded."""
    cells = [[one_line(c) for c in row] for row in rows]
    if not cells:
        return []
    ncols = max(len(r) for r in cells)
    widths = [max((len(r[i]) for r in cells if i < len(r)), default=0) for i in range(ncols - 1)]
    out = []
    for row in cells:
        padded = [cell.ljust(widths[i]) if i < ncols - 1 else cell for i, cell in enumerate(row)]
        out.append(gap.join(padded).rstrip())
    return out
