"""Office hours as a calendar setting and durations in calendar days (issue 15, Deliver 6)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qms.calendar.settings import CalendarSettings
from qms.models.common import Duration, min_working_days


def test_office_hours_set_the_length_of_a_day() -> None:
    s = CalendarSettings(office_hours=["07:30-11:30", "13:30-17:00"])
    assert s.hours_per_day() == 7.5
    assert CalendarSettings().hours_per_day() == 8


@pytest.mark.parametrize("bad", [["13:30-17:00", "07:30-11:30"], ["07:30-12:00", "11:30-17:00"], ["17:00-07:30"],
                                 ["7h30-11h30"], ["25:00-26:00"]])
def test_bad_office_hours_are_refused(bad: list[str]) -> None:
    with pytest.raises(ValidationError):
        CalendarSettings(office_hours=bad)


@pytest.mark.parametrize("text", ["15cd", "15 CD", "15 calendar days", "15 ngày lịch"])
def test_calendar_days(text: str) -> None:
    d = Duration.model_validate(text)
    assert d.calendar_days == 15 and str(d) == "15cd"
    assert d.in_days() == 10  # the fewest working days any 15 consecutive days hold


@pytest.mark.parametrize(("n", "least"), [(1, 0), (2, 0), (3, 1), (7, 5), (8, 5), (10, 6), (14, 10), (30, 20)])
def test_min_working_days_is_the_worst_case(n: int, least: int) -> None:
    assert min_working_days(n) == least
    # brute force over the seven possible first weekdays
    assert least == min(sum(1 for i in range(n) if (start + i) % 7 < 5) for start in range(7))


def test_mixed_units_are_refused() -> None:
    with pytest.raises(ValidationError):
        Duration.model_validate("15cd 2h")
