"""The ``calendar:`` section of ``qms.yaml``: weekend days and the yearly override table."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
