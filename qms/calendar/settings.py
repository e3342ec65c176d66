"""The ``calendar:`` section of ``qms.yaml``: weekend days and the yearly override table."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qms.i18n import _


class DayOverride(BaseModel):
    """One date decided by a yearly notice: an extra day off or a swapped working Saturday."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    reason: str = ""


class CalendarSettings(BaseModel):
    """Working-day calendar settings.

    ``weekend`` uses ISO weekday numbers (1 = Monday ... 7 = Sunday).
    ``extra_days_off`` and ``extra_working_days`` override the ``holidays``
    package for single dates, e.g. a Saturday worked in exchange for a bridge day.
    """

    model_config = ConfigDict(extra="forbid")

    weekend: list[int] = Field(default_factory=lambda: [6, 7])
    working_hours_per_day: float = Field(default=8, gt=0, le=24)
    office_hours: list[str] = Field(
        default_factory=list,
        description="Office hours of a working day, e.g. ['07:30-11:30', '13:30-17:00']; when given, a working "
                    "day has their total length (instead of working_hours_per_day)")
    extra_days_off: list[DayOverride] = Field(default_factory=list)
    extra_working_days: list[DayOverride] = Field(default_factory=list)
    holiday_source: Literal["holidays"] = "holidays"

    @field_validator("weekend")
    @classmethod
    def _check_weekend(cls, value: list[int]) -> list[int]:
        bad = [d for d in value if not 1 <= d <= 7]
        if bad:
            raise ValueError(f"weekend days must be ISO weekday numbers 1..7 (1 = Monday), got {bad}")
        if len(set(value)) == 7:
            raise ValueError("weekend cannot contain all seven days")
        return sorted(set(value))

    @field_validator("office_hours")
    @classmethod
    def _check_office_hours(cls, value: list[str]) -> list[str]:
        spans = [_span(text) for text in value]
        for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
            if s2 < e1:
                raise ValueError(_("office hours must be in order and must not overlap, e.g. 07:30-11:30, 13:30-17:00"))
        return value

    @model_validator(mode="after")
    def _check_overrides(self) -> CalendarSettings:
        """A date is a day off or a working day, not both (the calendar refuses such a table)."""
        both = {o.date for o in self.extra_days_off} & {o.date for o in self.extra_working_days}
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(
                _("dates listed both as extra days off and extra working days: {dates}").format(dates=listed))
        return self

    def office_spans(self) -> list[tuple[dt.time, dt.time]]:
        """The office hours as (start, end) pairs, in order."""
        return [_span(text) for text in self.office_hours]

    def hours_per_day(self) -> float:
        """The length of a working day in hours: the office hours' total when given, else
        ``working_hours_per_day``."""
        spans = self.office_spans()
        if not spans:
            return float(self.working_hours_per_day)
        minutes = sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in spans)
        return minutes / 60


_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def _span(text: str) -> tuple[dt.time, dt.time]:
    m = _SPAN.match(text)
    if m is None:
        raise ValueError(_("office hours {text!r}: write HH:MM-HH:MM, e.g. 07:30-11:30").format(text=text))
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(_("office hours {text!r}: not a time of day").format(text=text))
    start, end = dt.time(h1, m1), dt.time(h2, m2)
    if end <= start:
        raise ValueError(_("office hours {text!r}: the end must come after the start").format(text=text))
    return start, end
