"""Working time between two moments on the repository calendar, within its office hours.

Moments are the packed values of :mod:`qms.kpi.dates` (``ordinal << 17 | seconds + 1``, or 0 for
the time when a cell holds a date only). The clock turns each moment into the working hours elapsed
since the start of its calendar table, so that a duration is one subtraction over whole columns:

* on a working day, the office time elapsed by that moment (office hours from ``calendar.office_hours``;
  without them, a day of ``working_hours_per_day`` from 08:00, with a lunch break 12:00-13:00 when it
  is longer than four hours);
* a non-working day adds nothing;
* a date without a time is the start of the office day when work starts, its end when work ends.

With ``elapsed=True`` the clock counts every hour of every day (24/7), as general process-mining
tools do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qms.kpi.dates import DAY_SHIFT, TIME_MASK

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from qms.calendar import WorkingCalendar
    from qms.calendar.settings import CalendarSettings

    F64 = npt.NDArray[np.float64]
    I64 = npt.NDArray[np.int64]


_SLICE = 1 << 16
"""Moments converted at a time (half a MiB per temporary array)."""


def default_spans(hours: float) -> list[tuple[int, int]]:
    """Office spans (seconds of the day) for a working day of ``hours`` without declared office hours."""
    start = 8 * 3600
    total = round(hours * 3600)
    if hours <= 4:
        return [(start, start + total)]
    morning = 4 * 3600
    rest = min(total - morning, 24 * 3600 - 13 * 3600)
    return [(start, start + morning), (13 * 3600, 13 * 3600 + rest)]


@dataclass(slots=True)
class WorkClock:
    calendar: WorkingCalendar
    spans: list[tuple[int, int]]  # office spans, seconds of the day
    elapsed: bool = False  # 24/7

    @classmethod
    def of(cls, calendar: WorkingCalendar, settings: CalendarSettings | None, *, elapsed: bool = False) -> WorkClock:
        if settings is not None and settings.office_hours:
            spans = [(s.hour * 3600 + s.minute * 60, e.hour * 3600 + e.minute * 60)
                     for s, e in settings.office_spans()]
        else:
            spans = default_spans(settings.hours_per_day() if settings is not None else 8.0)
        return cls(calendar, spans, elapsed)

    @property
    def hours_per_day(self) -> float:
        """The length of a working day (24 for the elapsed clock)."""
        if self.elapsed:
            return 24.0
        return sum(e - s for s, e in self.spans) / 3600

    def cover(self, first_day: int, last_day: int) -> None:
        """Make the calendar table cover the ordinals ``first_day..last_day``."""
        lo = dt.date.fromordinal(max(1, first_day)).year
        hi = dt.date.fromordinal(max(first_day, last_day)).year
        self.calendar.ensure_years(lo, min(hi + 1, 2100))

    def hours(self, packed: I64, *, end: bool, cutoff: I64 | None = None) -> F64:
        """Working hours from the calendar's base to each moment (``end``: a date alone is the end of its day).

        ``cutoff``: each moment's cut-off hour as a packed time of day (seconds + 1; 0: none); a moment
        later in the day counts as the opening of the next working day (the close of its own day, which
        is the same number of working hours). The 24/7 clock has no cut-off."""
        import numpy as np

        out = np.empty(len(packed), dtype=np.float64)
        if not len(packed):
            return out
        if self.elapsed:
            day_hours = office = None
            cutoff = None
        else:
            # the hours before each day, and the office hours elapsed by each time of day, as tables
            # looked up by every moment (three gathers instead of arithmetic on every moment)
            cal = self.calendar
            self.cover(int(packed.min()) >> DAY_SHIFT, int(packed.max()) >> DAY_SHIFT)
            before = np.frombuffer(cal.before, dtype=np.int32).astype(np.float64) * self.hours_per_day
            day_hours = (before, np.frombuffer(bytes(cal.is_work), dtype=np.uint8), cal.base)
            office = self._office_hours(end)
        # a slice at a time: the temporaries stay in the CPU cache, and no whole column is allocated
        # for each of them
        for at in range(0, len(packed), _SLICE):
            part = packed[at:at + _SLICE]
            if cutoff is not None:
                cut = cutoff[at:at + _SLICE]
                late = (cut > 0) & ((part & TIME_MASK) > cut)
                if late.any():  # the same day at 24:00, which is the end of its office hours
                    part = np.where(late, ((part >> DAY_SHIFT) << DAY_SHIFT) | (24 * 3600 + 1), part)
            day = part >> DAY_SHIFT
            tod = part & TIME_MASK
            if day_hours is None or office is None:
                secs = np.where(tod > 0, tod - 1, 24 * 3600 if end else 0).astype(np.float64)
                out[at:at + _SLICE] = day.astype(np.float64) * 24.0 + secs / 3600.0
            else:
                before, is_work, base = day_hours
                idx = day - base
                out[at:at + _SLICE] = before[idx] + is_work[idx] * office[tod]
        return out

    def _office_hours(self, end: bool) -> F64:
        """Office hours of a working day elapsed by each packed time of day (0: a date alone, which is
        the whole office day at the end and nothing at the start)."""
        import numpy as np

        tod = np.arange(TIME_MASK + 1, dtype=np.int64)
        secs = (tod - 1).astype(np.float64)
        secs[0] = self.spans[-1][1] if end else self.spans[0][0]
        within = np.zeros(len(tod), dtype=np.float64)
        for s, e in self.spans:
            within += np.clip(secs - s, 0, e - s)
        return np.asarray(within / 3600.0, dtype=np.float64)

    def due_day(self, received_day: I64, limit_days: I64) -> I64:
        """The ``n``-th working day after ``received_day`` (``n == 0``: the first working day on or after),
        as the KPI report counts a legal time limit."""
        import numpy as np

        cal = self.calendar
        if len(received_day):
            self.cover(int(received_day.min()), int(received_day.max()) + int(limit_days.max()) * 2 + 370)
        before = np.frombuffer(cal.before, dtype=np.int32).astype(np.int64)
        workdays = np.frombuffer(cal.workdays, dtype=np.int32).astype(np.int64)
        i = received_day - cal.base
        k = np.where(limit_days > 0, before[i + 1] + limit_days - 1, before[i])
        k = np.clip(k, 0, len(workdays) - 1)
        return np.asarray(workdays[k] + cal.base, dtype=np.int64)
