"""Decisions: for late dossiers, the step where each lost most of its time (``late_by_step``): the step
most over its budget, else (a step without a budget counts its whole time) the longest, then the first
step by name; dossiers on time are not counted."""

from __future__ import annotations

import polars as pl

from qms.flow.analyse import _lost


def _steps(rows: list[tuple[int, str, str, float, float | None, bool]]) -> pl.DataFrame:
    did, proc, step, dur, over, late = zip(*rows, strict=True)
    return pl.DataFrame({"did": did, "proc": proc, "step": step, "dur": dur, "over": over, "late": late},
                        schema={"did": pl.Int64, "proc": pl.Categorical, "step": pl.Categorical, "dur": pl.Float64,
                                "over": pl.Float64, "late": pl.Boolean})


def test_the_step_most_over_budget_then_the_longest_then_the_first_by_name() -> None:
    per_step = _steps([
        (1, "P", "B1", 9.0, 1.0, True), (1, "P", "B2", 3.0, 2.0, True),  # most over budget: B2
        (2, "P", "B1", 4.0, 2.0, True), (2, "P", "B3", 5.0, 2.0, True),  # tie over: the longer, B3
        (3, "P", "B9", 5.0, 2.0, True), (3, "P", "B10", 5.0, 2.0, True),  # tie: B10 before B9 by name
        (4, "P", "B1", 1.0, None, True), (4, "P", "B2", 0.5, 0.8, True),  # no budget: its whole time, B1
        (5, "P", "B3", 50.0, 40.0, False),  # on time: not counted
        (6, "Q", "B1", 2.0, -1.0, True),  # within every budget: still the step with the least margin
    ])
    lost = {(p, s): n for p, s, n in _lost(per_step).iter_rows()}
    assert lost == {("P", "B2"): 1, ("P", "B3"): 1, ("P", "B10"): 1, ("P", "B1"): 1, ("Q", "B1"): 1}
