"""Numbering combinations of categorical cells (qms.flow.codes): equal combinations get one number,
different ones different numbers, nulls are a value of their own, and the hashing used for large code
spaces numbers them as the tables do."""

from __future__ import annotations

import random

import polars as pl
import pytest

from qms.flow import codes


def _frame(rows: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    procs = ["QT-HT-01", "QT-DD-01", "Thủ tục 3"]
    cells = ["B1", "B2", " B3 ", "Bước 4", "", None]
    return pl.DataFrame({
        "proc": [rng.choice(procs) for _ in range(rows)],
        "cell": [rng.choice(cells) for _ in range(rows)],
        "other": [rng.choice(cells + [f"x{i}" for i in range(40)]) for _ in range(rows)],
    }, schema={"proc": pl.Categorical, "cell": pl.Categorical, "other": pl.Categorical})


def _check(frame: pl.DataFrame, names: list[str]) -> list[int]:
    number, combos = codes.combos(frame, names)
    rows = list(frame.select(names).iter_rows())
    assert len(number) == frame.height
    assert combos.columns == names and combos.schema == frame.select(names).schema
    held = list(combos.iter_rows())
    assert len(set(held)) == len(held)  # each combination once
    for i, row in enumerate(rows):
        assert held[number[i]] == row
    assert set(number.tolist()) == set(range(len(held)))
    return [int(x) for x in number]


@pytest.mark.parametrize("names", [["proc"], ["proc", "cell"], ["proc", "cell", "other"], ["cell", "other"]])
def test_each_combination_has_one_number(names: list[str]) -> None:
    _check(_frame(3000, 18), names)


def test_hashing_numbers_as_the_tables_do(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _frame(2000, 7)
    by_table = _check(frame, ["proc", "cell", "other"])
    monkeypatch.setattr(codes, "TABLE_MAX", 1)  # every code space is "too large"
    assert _check(frame, ["proc", "cell", "other"]) == by_table


def test_empty_and_all_null_columns() -> None:
    number, combos = codes.combos(_frame(0, 1), ["proc", "cell"])
    assert len(number) == 0 and combos.height == 0 and combos.columns == ["proc", "cell"]
    nulls = pl.DataFrame({"a": [None, None, None]}, schema={"a": pl.Categorical})
    number, combos = codes.combos(nulls, ["a"])
    assert number.tolist() == [0, 0, 0] and combos["a"].to_list() == [None]


@pytest.mark.parametrize("table_max", [codes.TABLE_MAX, 1])
def test_each_cell_finds_its_place_among_the_distinct_cells(monkeypatch: pytest.MonkeyPatch, table_max: int) -> None:
    """The flow reader finds each row's procedure by the place of its cell among the distinct cells of
    a batch: through a table over the categorical codes, or by hashing when the codes are too large
    for a table (a process that has cast millions of texts); both find the same place."""
    from qms.flow.events import _positions

    monkeypatch.setattr(codes, "TABLE_MAX", table_max)
    cells = _frame(3000, 5)["proc"]
    distinct = cells.unique()
    at = _positions(cells, distinct)
    assert at.dtype == pl.UInt32 and len(at) == len(cells)
    assert distinct.gather(at).to_list() == cells.to_list()
    with_nulls = pl.Series(["B1", None, "B2", "B1", None], dtype=pl.Categorical)  # the hashing path
    found = with_nulls.unique()
    assert found.gather(_positions(with_nulls, found)).to_list() == with_nulls.to_list()
