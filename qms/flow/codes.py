"""Numbering the combinations of values of categorical columns, over whole columns.

The analysis looks many things up by a combination of cells (the step a procedure's step cell names,
the agency of a hand-over), and a log has few distinct combinations however many rows it has. Each
row gets the number of its combination (0..k-1) and each combination one row that holds it; the
caller computes its values once per combination and spreads them with one gather.

The numbering works on the categoricals' codes with numpy tables over the codes, a slice of rows at a
time (the temporaries stay in the CPU cache), not by hashing every row; code spaces too large for a
table (a log with millions of distinct cells) are numbered by hashing instead, with the same result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars as pl

    I64 = npt.NDArray[np.int64]
    Numbers = npt.NDArray[Any]  # unsigned 32-bit (or 64-bit for more than 2**32 rows)

TABLE_MAX = 1 << 24
"""The most entries of a table over codes or combinations (16 MiB of flags); above it, hashing."""
SLICE = 1 << 16
"""Rows numbered at a time."""


def combos(frame: pl.DataFrame, names: Sequence[str]) -> tuple[Numbers, pl.DataFrame]:
    """For each row of ``frame``, the number of its combination of values of the categorical columns
    ``names`` (a null is a value of its own), and the combinations, one row each, in number order.
    The numbers are unsigned integers, which polars gathers with as they are."""
    import numpy as np
    import polars as pl

    n = frame.height
    index = np.uint32 if n < 1 << 32 else np.uint64
    if not n:
        return np.zeros(0, dtype=index), frame.select(names)
    columns = [_codes(frame[name]) for name in names]
    tables = [_table(codes, space) for codes, space in columns]
    sizes = [int(t[-1]) + 1 if t is not None else 0 for t in tables]
    if any(t is None for t in tables) or math.prod(sizes) > TABLE_MAX:
        number, holder = _hashed([codes for codes, _space in columns])
    else:
        number = np.empty(n, dtype=index)
        for at in range(0, n, SLICE):  # the combination as a mixed-radix number of the columns' numbers
            key: I64 = np.zeros(min(SLICE, n - at), dtype=np.int64)
            for (codes, _space), table, size in zip(columns, tables, sizes, strict=True):
                assert table is not None
                key = key * size + table[codes[at:at + SLICE]]
            number[at:at + SLICE] = key
        seen = np.zeros(math.prod(sizes), dtype=bool)
        seen[number] = True
        final = np.cumsum(seen, dtype=np.int64) - 1
        holder = np.empty(int(final[-1]) + 1, dtype=np.int64)
        for at in range(0, n, SLICE):  # renumbered 0..k-1; any row of a combination holds its values
            part = final[number[at:at + SLICE]]
            number[at:at + SLICE] = part
            holder[part] = np.arange(at, at + len(part), dtype=np.int64)
    return number, pl.DataFrame([frame[name].gather(holder) for name in names])


def _codes(col: pl.Series) -> tuple[npt.NDArray[Any], int]:
    """The codes of a categorical column (a null: one more than the largest code) and their range."""
    import numpy as np

    physical = col.to_physical()
    top = physical.max()
    space = (int(top) + 1 if isinstance(top, int) else 0) + (1 if physical.null_count() else 0)
    if physical.null_count():
        physical = physical.fill_null(space - 1)
    return np.asarray(physical.to_numpy()), max(space, 1)


def _table(codes: npt.NDArray[Any], space: int) -> I64 | None:
    """For each code, its number among the codes present (in code order); None: too many codes."""
    import numpy as np

    if space > TABLE_MAX:
        return None
    seen = np.zeros(space, dtype=bool)
    seen[codes] = True
    return np.asarray(np.cumsum(seen, dtype=np.int64) - 1, dtype=np.int64)


def _hashed(columns: list[npt.NDArray[Any]]) -> tuple[Numbers, I64]:
    """Numbers (in the order of the combinations' codes) and holders, by hashing one integer a row."""
    import numpy as np
    import polars as pl

    keys = pl.Series(columns[0], dtype=pl.Int64)
    for codes in columns[1:]:
        distinct = keys.unique().sort()
        ranked = keys.replace_strict(distinct, pl.int_range(0, len(distinct), dtype=pl.Int64, eager=True))
        # numbers so far (fewer than rows) times the codes' range (at most 2**32 + 1): within 63 bits
        keys = ranked * (int(codes.max()) + 1) + pl.Series(codes, dtype=pl.Int64)
    distinct = keys.unique().sort()
    number = keys.replace_strict(distinct, pl.int_range(0, len(distinct), dtype=pl.Int64, eager=True)).to_numpy()
    holder = np.empty(len(distinct), dtype=np.int64)
    holder[number] = np.arange(len(number), dtype=np.int64)
    index = np.uint32 if len(number) < 1 << 32 else np.uint64
    return np.asarray(number, dtype=index), holder
