"""The working time of each dossier in each agency it visited (the figures per agency of item 2).

A dossier that goes back to an agency, or a visit cut by the end of a block of rows, is one visit of
that agency: the sums are set against a plain count over the rows."""

from __future__ import annotations

import math
import random

import numpy as np
import polars as pl
import pytest

import qms.flow.analyse as analyse


def _events(rng: random.Random, *, revisit: bool, longest: int) -> pl.DataFrame:
    """Hand-overs sorted by dossier: ``did``, ``proc``, ``agency`` (categoricals, as the engine has
    them) and ``dur`` (NaN: not timed). Without ``revisit`` each dossier stays in an agency until it
    leaves it for good."""
    rows: list[tuple[int, str, str, float]] = []
    agencies = ["ubnd", "vpdkdd", "thue", "tnmt", "so_xd"]
    for did in range(400):
        proc = rng.choice(["QT-A", "QT-B"])
        n = rng.randint(1, longest)
        if revisit:
            visited = [rng.choice(agencies) for _ in range(n)]
        else:
            order = rng.sample(agencies, rng.randint(1, len(agencies)))
            cuts = sorted(rng.randint(0, n) for _ in range(len(order) - 1))
            visited = [order[sum(1 for c in cuts if c <= i)] for i in range(n)]
        for agency in visited:
            rows.append((did, proc, agency, math.nan if rng.random() < 0.1 else round(rng.uniform(0, 30), 2)))
    return pl.DataFrame(rows, schema={"did": pl.Int64, "proc": pl.Categorical, "agency": pl.Categorical,
                                      "dur": pl.Float64}, orient="row")


def _plain(ev: pl.DataFrame) -> list[tuple[str, str, float]]:
    sums: dict[tuple[int, str, str], float] = {}
    for did, proc, agency, dur in ev.iter_rows():
        if not math.isnan(dur):
            sums[did, proc, agency] = sums.get((did, proc, agency), 0.0) + dur
    return sorted((proc, agency, round(total, 6)) for (_did, proc, agency), total in sums.items())


def _visits(ev: pl.DataFrame) -> list[tuple[str, str, float]]:
    out = analyse._agency_visits(ev)
    return sorted((proc, agency, round(dur, 6)) for proc, agency, dur in out.iter_rows())


@pytest.mark.parametrize(("revisit", "longest", "block"), [
    (False, 6, 1 << 20),  # each agency once a dossier: no grouping needed
    (True, 6, 1 << 20),  # dossiers that go back to an agency
    (True, 30, 1 << 20),  # more visits in a dossier than are compared pairwise
    (False, 6, 7),  # visits cut by the end of a block
])
def test_agency_visits_sum_each_dossier_in_each_agency(monkeypatch: pytest.MonkeyPatch, revisit: bool,
                                                       longest: int, block: int) -> None:
    monkeypatch.setattr(analyse, "_BLOCK", block)
    ev = _events(random.Random(f"{revisit}-{longest}-{block}"), revisit=revisit, longest=longest)
    assert _visits(ev) == _plain(ev)


def test_revisits_merged_at_every_distance_within_a_dossier() -> None:
    """A key seen again in its dossier, however many visits later, adds its time to the first visit;
    the same agency in the next dossier is another visit; a dossier of more visits than are compared
    pairwise is left to the caller."""
    def visits(*dossiers: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = np.array([(did << 32) | agency for did, seen in enumerate(dossiers) for agency in seen], dtype=np.int64)
        return key, np.arange(1.0, len(key) + 1), np.arange(len(key), dtype=np.int64) * 10

    key, dur, row = visits([1, 2, 3], [3, 2, 1], [1])
    same = analyse._merge_revisits(key, dur, row)
    assert same is not None and same[0] is dur and same[1] is row  # nothing to merge: the arrays as they are
    for gap in range(1, analyse._LAGS):
        got = analyse._merge_revisits(*visits([7], [*range(gap), 0]))
        assert got is not None
        assert got[0].tolist() == [1.0, 2.0 + gap + 2.0, *range(3, gap + 2)]
        assert got[1].tolist() == [0, *range(10, 10 * gap + 10, 10)]
    merged = analyse._merge_revisits(*visits([5, 6, 5, 6, 5]))  # A B A B A
    assert merged is not None and merged[0].tolist() == [9.0, 6.0] and merged[1].tolist() == [0, 10]
    assert analyse._merge_revisits(*visits([*range(analyse._LAGS + 1)])) is None  # too long to compare
    key, dur, row = visits([])
    empty = analyse._merge_revisits(key, dur, row)
    assert empty is not None and empty[0] is dur and empty[1] is row
