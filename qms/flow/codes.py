"""Numbering the combinations of values of categorical columns, over whole columns.

The analysis looks many things up by a combination of cells (the step a procedure's step cell names,
the agency of a hand-over), and a log has few distinct combinations however many rows it has. Each
row gets the number of its combination (0..k-1) and each combination one row that holds it; the
caller computes its values once per combination and spreads them with one gather.

The numbering works on the categoricals' codes with numpy tables over the codes (a scatter and a
gather per column), not by hashing every row; a code space too large for a table (a log with
millions of distinct cells) is numbered by hashing instead, with the same result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars as pl

    I64 = npt.NDArray[np.int64]

TABLE_MAX = 1 << 24
"""The most entries of a table over codes (16 MiB of flags, 128 MiB of numbers); above it, hashing."""


def combos(frame: pl.DataFrame, names: Sequence[str]) -> tuple[I64, pl.DataFrame]:
    """For each row of ``frame``, the number of its combination of values of the categorical columns
    ``names`` (a null is a value of its own), and the combinations, one row each, in number order."""
    import numpy as np

    n = frame.height
    if not n:
        return np.zeros(0, dtype=np.int64), frame.select(names)
    number: I64 | None = None
    size = 1
    for name in names:
        codes, space = _codes(frame[name])
        if number is None:
            number, size = _number(codes, space)
        else:  # fewer combinations than rows, and codes than categories: the product fits in 63 bits
            number, size = _number(number * space + codes, size * space)
    assert number is not None
    holder = np.empty(size, dtype=np.int64)
    holder[number] = np.arange(n, dtype=np.int64)  # any row of a combination holds its values
    return number, frame.select(names)[holder]


def _codes(col: pl.Series) -> tuple[I64 | npt.NDArray[np.uint32], int]:
    """The codes of a categorical column (a null: one more than the largest code) and their range."""
    import numpy as np

    physical = col.to_physical()
    top = physical.max()
    space = (int(top) + 1 if isinstance(top, int) else 0) + (1 if physical.null_count() else 0)
    if physical.null_count():
        physical = physical.fill_null(space - 1)
    return np.asarray(physical.to_numpy()), max(space, 1)


def _number(values: I64 | npt.NDArray[np.uint32], space: int) -> tuple[I64, int]:
    """Numbers 0..k-1 for values in ``range(space)``, in the order of the values; and ``k``."""
    import numpy as np

    if space <= TABLE_MAX:
        seen = np.zeros(space, dtype=bool)
        seen[values] = True
        table = np.cumsum(seen, dtype=np.int64) - 1
        return np.asarray(table[values], dtype=np.int64), int(table[-1]) + 1
    import polars as pl

    keys = pl.Series(values, dtype=pl.Int64)
    distinct = keys.unique().sort()
    numbers = keys.replace_strict(distinct, pl.int_range(0, len(distinct), dtype=pl.Int64, eager=True))
    return np.asarray(numbers.to_numpy(), dtype=np.int64), len(distinct)
