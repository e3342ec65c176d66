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
