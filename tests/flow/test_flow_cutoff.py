"""The working-hours clock of ``qms flow report`` applies the procedure's cut-off hour (issue 18,
Decisions: "working hours come from the repository calendar's office hours, with the cut-off hour"),
as ``qms kpi report`` and ``qms calendar add-working-days --at`` do."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run
from flowlogs import D1, row, write_csv

Flow = Callable[..., Run]

#: D8 is received on Friday 06/03/2026 at 16:00 without an appointment date and finished on Tuesday
#: 10/03 at 09:00: the legal limit of QT-HT-01 is one working day, so it is due on Monday 09/03, or
#: with a 15:00 cut-off on Tuesday 10/03
D8 = [
    row("D8", "B1", "06/03/2026 16:00", "09/03/2026 09:00"),
    row("D8", "B2", "09/03/2026 09:00", "09/03/2026 10:00"),
    row("D8", "B3", "09/03/2026 10:00", "09/03/2026 11:00"),
    row("D8", "B4", "09/03/2026 11:00", "09/03/2026 14:00"),
    row("D8", "B6", "10/03/2026 08:00", "10/03/2026 09:00"),
]


def _with_cutoff(repo: Path, cutoff: str) -> None:
    path = repo / "processes" / "QT-HT-01.yaml"
    text = re.sub(r'\n  cutoff: "[0-9:]+"', "", path.read_text(encoding="utf-8"))
    assert "\n  time_limit: 1d\n" in text
    path.write_text(text.replace("\n  time_limit: 1d\n", f'\n  time_limit: 1d\n  cutoff: "{cutoff}"\n', 1),
                    encoding="utf-8")


def _proc(data: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in data["procedures"] if p["procedure"] == "QT-HT-01")


def _hours(data: dict[str, Any]) -> dict[str, float]:
    return {s["step"]: s["median_hours"] for s in _proc(data)["steps"]}


def test_hand_over_after_the_cutoff_counts_from_the_next_opening(qms_flow: Flow, example_copy: Path) -> None:
    """A hand-over received after the procedure's cut-off hour counts from the opening of the next working
    day: D1's B4, received on Friday at 16:00 and handed on on Monday at 09:00, is 2 working hours without a
    cut-off and 1 with a 15:00 cut-off; the steps received earlier in the day do not change, and neither
    does the 24/7 clock."""
    log = write_csv(example_copy / "d1.csv", D1)
    before = qms_flow(log, "--format", "json", "--as-of", "2026-03-31", cwd=example_copy)
    assert before.code == 0, before.err
    assert _hours(before.json()) == {"B1": 1.5, "B2": 2.0, "B3": 1.5, "B4": 2.0, "B6": 1.0}
    _with_cutoff(example_copy, "15:00")
    after = qms_flow(log, "--format", "json", "--as-of", "2026-03-31", cwd=example_copy)
    assert after.code == 0, after.err
    assert _hours(after.json()) == {"B1": 1.5, "B2": 2.0, "B3": 1.5, "B4": 1.0, "B6": 1.0}
    # at the cut-off itself the hand-over still counts that day
    _with_cutoff(example_copy, "16:00")
    at = qms_flow(log, "--format", "json", "--as-of", "2026-03-31", cwd=example_copy)
    assert _hours(at.json())["B4"] == 2.0
    elapsed = qms_flow(log, "--format", "json", "--elapsed", "--as-of", "2026-03-31", cwd=example_copy)
    assert _hours(elapsed.json())["B4"] == 65.0


def test_dossier_received_after_the_cutoff_is_due_a_working_day_later(qms_flow: Flow, example_copy: Path) -> None:
    """'Late' counts the legal limit from the next working day for a dossier received after the cut-off
    (as `qms kpi report` does): D8, received on Friday at 16:00 and finished on Tuesday, is late without a
    cut-off and on time with a 15:00 cut-off; its first step then counts from Monday's opening."""
    log = write_csv(example_copy / "d8.csv", D8)
    before = qms_flow(log, "--format", "json", "--as-of", "2026-03-31", cwd=example_copy)
    assert before.code == 0, before.err
    assert (_proc(before.json())["dossiers"], _proc(before.json())["late"]) == (1, 1)
    assert _hours(before.json())["B1"] == 2.0  # Friday 16-17 and Monday 8-9
    _with_cutoff(example_copy, "15:00")
    after = qms_flow(log, "--format", "json", "--as-of", "2026-03-31", cwd=example_copy)
    assert after.code == 0, after.err
    assert (_proc(after.json())["dossiers"], _proc(after.json())["late"]) == (1, 0)
    assert _hours(after.json())["B1"] == 1.0


def test_working_hours_of_many_moments_match_a_moment_by_moment_count() -> None:
    """Working hours over a long column of moments (looked up in per-day and per-time tables) equal the
    office time counted moment by moment on the calendar: weekends and holidays add nothing, a date
    alone is the start or the end of the office day, a moment after the cut-off counts as the day's end."""
    import datetime as dt

    import numpy as np

    from qms.calendar import WorkingCalendar
    from qms.flow.clock import WorkClock
    from qms.kpi.dates import DAY_SHIFT

    spans = [(8 * 3600, 12 * 3600), (13 * 3600, 17 * 3600)]
    cal = WorkingCalendar(years=(2026, 2026))
    clock = WorkClock(cal, spans)
    rng = np.random.default_rng(18)
    n = 200_000
    first = dt.date(2026, 1, 1)
    days = first.toordinal() + rng.integers(0, 120, n)  # Tết and weekends included
    times = np.where(rng.random(n) < 0.1, 0, rng.integers(6 * 60, 19 * 60, n) * 60 + 1)  # some dates alone
    packed = (days << DAY_SHIFT) + times
    cutoff = np.where(rng.random(n) < 0.5, 15 * 3600 + 1, 0)

    def office(secs: int) -> int:
        return sum(min(max(secs - s, 0), e - s) for s, e in spans)

    def expected(day: int, tod: int, cut: int, end: bool) -> float:
        worked = sum(cal.is_working_day(dt.date.fromordinal(d)) for d in range(first.toordinal(), day))
        if cut and tod > cut:
            tod = 24 * 3600 + 1
        secs = (spans[-1][1] if end else spans[0][0]) if tod == 0 else tod - 1
        today = office(secs) if cal.is_working_day(dt.date.fromordinal(day)) else 0
        return worked * 8.0 + today / 3600

    sample = rng.choice(n, 300, replace=False)
    for end in (False, True):
        hours = clock.hours(packed, end=end, cutoff=cutoff)
        base = clock.hours(np.array([first.toordinal() << DAY_SHIFT]), end=False)[0]  # the table's 1 January
        for i in sample:
            want = expected(int(days[i]), int(times[i]), int(cutoff[i]), end)
            assert hours[i] - base == pytest.approx(want, abs=1e-9), (i, end)
        late = (cutoff > 0) & (times > cutoff)
        assert late.any() and not np.array_equal(hours, clock.hours(packed, end=end))
