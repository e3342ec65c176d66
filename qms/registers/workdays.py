"""Due dates in working days: the one place the register asks the calendar.

Uses :mod:`qms.calendar` (weekends, Vietnamese public holidays from the
``holidays`` package, and the override table under ``calendar:`` in
``qms.yaml``). If the calendar section is missing the defaults apply.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from qms.errors import ConfigError
from qms.i18n import _
from qms.store.safe_open import FileRefused, read_yaml_bytes

try:  # pragma: no cover
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def _calendar_section(root: Path) -> dict[str, Any]:
    try:
        data = yaml.load(read_yaml_bytes(root / "qms.yaml"), Loader=_Loader)
    except (OSError, FileRefused, yaml.YAMLError):
        return {}  # `qms check` reports an unreadable manifest
    section = data.get("calendar") if isinstance(data, dict) else None
    return section if isinstance(section, dict) else {}


@cache
def _calendar(root: Path) -> Any:
    from qms.calendar import CalendarSettings, calendar_from_settings

    try:
        settings = CalendarSettings.model_validate(_calendar_section(root))
        return calendar_from_settings(settings)
    except (ValidationError, ValueError) as exc:
        raise ConfigError(_("qms.yaml: invalid calendar settings: {reason}").format(reason=exc),
                          _("fix the `calendar:` section of qms.yaml")) from None


def add_working_days(root: Path, start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` under the repository's calendar."""
    result = _calendar(root.resolve()).add_working_days(start, n)
    assert isinstance(result, dt.date)
    return result


def day_off_reason(root: Path, day: dt.date, lang: str) -> str | None:
    """Why ``day`` is not a working day under the repository's calendar (holiday name or weekday), or None."""
    from qms.i18n import format_weekday

    calendar = _calendar(root.resolve())
    if calendar.is_working_day(day):
        return None
    for holiday in calendar.holidays_in(day.year):
        if holiday.date == day and holiday.is_day_off:
            return str(holiday.name(lang))
    return format_weekday(day, lang)


def next_working_day(root: Path, day: dt.date) -> dt.date:
    """The first working day on or after ``day``."""
    return add_working_days(root, day, 0)
