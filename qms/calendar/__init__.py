"""Working-day calendar for Vietnamese public agencies (holidays package + weekend + overrides)."""

from __future__ import annotations

from qms.calendar.core import MAX_YEAR, MIN_YEAR, CalendarRangeError, Holiday, PackageSource, WorkingCalendar
from qms.calendar.settings import CalendarSettings, DayOverride

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "CalendarRangeError",
    "CalendarSettings",
    "DayOverride",
    "Holiday",
    "WorkingCalendar",
    "calendar_from_settings",
    "provenance",
]


def provenance() -> dict[str, object]:
    """What produced the calendar, for reports that must say it: the years of the table of official
    schedules (each day with its source) and the version of the ``holidays`` package used for the others."""
    from qms.calendar.core import package_version
    from qms.calendar.official import schedules

    return {"official_years": sorted(schedules()), "holidays": package_version()}


def calendar_from_settings(
    settings: CalendarSettings | None = None, years: tuple[int, int] | None = None,
    package_source: PackageSource | None = None,
) -> WorkingCalendar:
    """Build the working calendar described by the ``calendar:`` section of ``qms.yaml``.

    ``years`` pre-builds the lookup table for that inclusive range; the table
    widens itself on demand anyway. ``package_source``: where the days of the ``holidays`` package
    come from (default: the package itself; the store passes its cache of them).
    """
    s = settings or CalendarSettings()
    return WorkingCalendar(
        weekend=s.weekend,
        extra_days_off={o.date: o.reason for o in s.extra_days_off},
        extra_working_days={o.date: o.reason for o in s.extra_working_days},
        years=years,
        package_source=package_source,
    )
