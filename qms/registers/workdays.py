"""Due dates in working days: the one place the register asks the calendar.

Uses :mod:`qms.calendar` (weekends, Vietnamese public holidays from the
``holidays`` package, and the override table under ``calendar:`` in
``qms.yaml``, read by :mod:`qms.store.calendar`). If the calendar section is missing the defaults apply.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def add_working_days(root: Path, start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` under the repository's calendar."""
    from qms.store.calendar import repository_calendar

    result = repository_calendar(root.resolve()).add_working_days(start, n)
    assert isinstance(result, dt.date)
    return result


def day_off_reason(root: Path, day: dt.date, lang: str) -> str | None:
    """Why ``day`` is not a working day under the repository's calendar (holiday name or weekday), or None."""
    from qms.i18n import format_weekday
    from qms.store.calendar import repository_calendar

    calendar = repository_calendar(root.resolve())
    if calendar.is_working_day(day):
        return None
    for holiday in calendar.holidays_in(day.year):
        if holiday.date == day and holiday.is_day_off:
            return str(holiday.name(lang))
    return format_weekday(day, lang)


def next_working_day(root: Path, day: dt.date) -> dt.date:
    """The first working day on or after ``day``."""
    return add_working_days(root, day, 0)
