"""The date shapes polars parses for the KPI engine mean exactly what ``parse_value`` makes of them:
for columns dominated by each shape, with near misses mixed in, every packed value is the row loop's."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from qms.kpi.dates import DateCache, DateMemo

NEAR_MISSES = ["", " ", "0000-01-01", "0000-12-31 23:59:59", "00/00/0000 00:00", "31/12/0000 23:59", "01/01/0001 00:00",
               "0001-01-01 00:00:00", "29/02/2019 10:00", "29/02/2020 10:00", "31/04/2019", "2019-02-30",
               "15/06/2023 24:00", "15/06/2023 23:60", "15/06/2023 23:59:60", "2023-06-15 24:00:00",
               "15/06/2023 7:05", "15/06/2023  07:05", " 15/06/2023 07:05", "15/06/2023 07:05 ", "5/6/2023 07:05",
               "١٥/٠٦/٢٠٢٣ 07:05", "15/06/+2023 07:05", "+15/06/2023 07:05", "15/06/20233 07:05",
               "2023-06-15T07:05:00", "2023-06-15T07:05", "2023-06-15 07:05", "2023-06-15 07:05:00+07:00",
               "31/12/9999 23:59", "9999-12-31", "43496", "43496.5", "15/06/2023 2:05 PM", "15/06/2023 02:05:00 CH",
               "15/06/2023 12:30 SA", "15/06/2023 13:05 PM"]


def _cell(rng: random.Random, shape: int) -> str:
    day = dt.date(1, 1, 1) + dt.timedelta(days=rng.randrange(dt.date(9999, 12, 31).toordinal()))
    h, m, s = rng.randrange(26), rng.randrange(62), rng.randrange(62)
    dmy, iso = f"{day.day:02d}/{day.month:02d}/{day.year:04d}", day.isoformat()
    return [f"{dmy} {h:02d}:{m:02d}", f"{dmy} {h:02d}:{m:02d}:{s:02d}", dmy, f"{iso} {h:02d}:{m:02d}:{s:02d}",
            f"{iso}T{h:02d}:{m:02d}:{s:02d}", f"{iso} {h:02d}:{m:02d}", iso][shape]


@pytest.mark.parametrize("shape", range(7))
def test_each_polars_shape_parses_as_parse_value(shape: int) -> None:
    """D1: a column of one shape (hours up to 25, minutes and seconds up to 61, years 1..9999), with
    near misses (year 0, 24:00, leap seconds, days that do not exist, other digits, spaces, signs)."""
    import polars as pl

    rng = random.Random(shape)
    cells = [_cell(rng, shape) if rng.random() < 0.9 else rng.choice(NEAR_MISSES) for _ in range(6000)]
    cells[:3] = [_cell(rng, shape) for _ in range(3)]  # the shape is judged from the first cells
    cache = DateCache()
    expected = [cache.parse(c) for c in cells]
    memo = DateMemo()
    assert memo.parse(pl.Series(cells)).tolist() == expected
    frame = pl.DataFrame({"a": cells, "b": list(reversed(cells))})
    a, b = memo.parse_frame(frame, ["a", "b"])
    assert a.to_list() == expected and b.to_list() == list(reversed(expected))


@pytest.mark.parametrize("shape", [0, 2, 3])
def test_a_plan_judged_from_other_cells_still_parses_with_polars(shape: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow reader judges the shape of a column once, from the first rows of the log; a column
    empty there (no hand-over finished yet) and full of dates later is still parsed by polars, and
    only its near misses one by one in Python."""
    import polars as pl

    rng = random.Random(10 + shape)
    cells = [_cell(rng, shape) if rng.random() < 0.9 else rng.choice(NEAR_MISSES) for _ in range(3000)]
    cells[:3] = [_cell(rng, shape) for _ in range(3)]
    cache = DateCache()
    memo = DateMemo()
    slow = memo._slow
    one_by_one: list[int] = []

    def spy(col: pl.Series) -> pl.Series:
        one_by_one.append(len(col))
        return slow(col)

    monkeypatch.setattr(memo, "_slow", spy)
    frame = pl.DataFrame({"c": cells})
    expected = [cache.parse(c) for c in cells]
    assert memo.parse_frame(frame, ["c"])[0].to_list() == expected  # judged from the column itself
    misses = sum(one_by_one)
    assert 0 < misses < len(cells) // 3
    one_by_one.clear()
    first, exprs = memo.plan(pl.DataFrame({"c": [""] * 50}), ["c"])  # judged from empty cells
    planned = frame.lazy().with_columns(first).select(exprs).collect()["c"]
    assert memo.finish(frame, ["c"], [planned])[0].to_list() == expected
    assert sum(one_by_one) == misses  # the cells polars cannot take, not the whole column


@pytest.mark.parametrize(("text", "hour", "minute"), [
    ("22/06/2026 9:05 SA", 9, 5), ("22/06/2026 02:05 PM", 14, 5), ("22/06/2026 2:05:00 CH", 14, 5),
    ("22/06/2026 12:30 SA", 0, 30), ("22/06/2026 12:30 CH", 12, 30), ("2026-06-22 11:59 a.m.", 11, 59),
])
def test_twelve_hour_clock(text: str, hour: int, minute: int) -> None:
    """Real exports: Vietnamese Windows writes times with SA/CH (sáng/chiều), English ones with AM/PM."""
    from qms.kpi.dates import DAY_SHIFT, TIME_MASK, parse_value

    v = parse_value(text)
    assert v >> DAY_SHIFT == dt.date(2026, 6, 22).toordinal()
    assert (v & TIME_MASK) - 1 == hour * 3600 + minute * 60


@pytest.mark.parametrize("text", ["22/06/2026 13:05 PM", "22/06/2026 0:05 AM", "22/06/2026 9:05 XA"])
def test_twelve_hour_clock_out_of_range(text: str) -> None:
    from qms.kpi.dates import DateError, parse_value

    with pytest.raises(DateError):
        parse_value(text)
