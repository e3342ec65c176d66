"""The repository's working calendar: the one reader of the ``calendar:`` section of ``qms.yaml``.

Every command and use case that needs working days asks here: the register's due dates
(:func:`repository_calendar`), ``qms calendar``, ``qms kpi`` and ``qms review`` (:func:`load_calendar`,
:func:`repo_calendar_settings`), and ``--calendar FILE`` (:func:`load_calendar_settings`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from qms.calendar import CalendarSettings, WorkingCalendar, calendar_from_settings
from qms.errors import ConfigError, QmsError
from qms.i18n import _
from qms.store.holiday_cache import cached_package_days

MANIFEST = "qms.yaml"


def _mapping(path: Path, what: str) -> dict[str, Any]:
    """A YAML file that must hold a mapping (empty: ``{}``); bounded like every YAML input."""
    from qms.store.yaml_io import load_file

    data = load_file(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise QmsError(_("{path}: the {what} file must be a mapping").format(path=path, what=what),
                       _("write one 'key: value' per line"))
    return {str(k): v for k, v in data.items()}


def calendar_section(root: Path, *, strict: bool = True) -> Any:
    """The ``calendar:`` value of ``root/qms.yaml`` (``{}`` when there is none), to be validated.

    ``strict``: a qms.yaml that cannot be read or parsed is an error that names it (the commands that
    print working days). Otherwise such a file gives ``{}``, the default calendar: the register still
    computes due dates, and ``qms check`` reports the file.
    """
    path = root / MANIFEST
    if strict:
        return _mapping(path, _("calendar")).get("calendar") or {}
    from qms.store.raw_yaml import raw_mapping

    data = raw_mapping(path)
    section = data.get("calendar") if data is not None else None
    return section if isinstance(section, dict) else {}


def calendar_settings_of(data: Any, path: Path, hint: str) -> CalendarSettings:
    """Validate a ``calendar:`` mapping read from ``path``; the first problem is a clear error."""
    from pydantic import ValidationError

    try:
        return CalendarSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "calendar"
        raise QmsError(
            _("{path}: calendar setting {where}: {reason}").format(path=path, where=where, reason=first["msg"]),
            hint,
        ) from None


def repo_calendar_settings(root: Path) -> CalendarSettings:
    """The ``calendar:`` section of the repository's qms.yaml (defaults when absent); errors name it."""
    return calendar_settings_of(
        calendar_section(root), root / MANIFEST,
        _("run `qms check` to see every problem of qms.yaml, or pass --calendar FILE"))


def load_calendar_settings(path: Path) -> CalendarSettings:
    """The ``calendar:`` section of ``path`` (or a file that is just that section), for ``--calendar``."""
    data = _mapping(path, _("calendar"))
    if set(data) == {"calendar"} and isinstance(data["calendar"], dict):
        data = data["calendar"]
    return calendar_settings_of(data, path, _(
        "allowed keys: weekend, working_hours_per_day, office_hours, extra_days_off, extra_working_days, holiday_source; "
        "dates as YYYY-MM-DD"))


def load_calendar(calendar_file: Path | None = None, settings: CalendarSettings | None = None,
                  root: Path | None = None) -> WorkingCalendar:
    """The working calendar of ``--calendar FILE`` if given; else of ``settings``; else of the repository
    at ``root``; else the built-in Vietnamese calendar. A date listed twice is a clear error."""
    if calendar_file is not None:
        file_settings = load_calendar_settings(calendar_file)
        try:
            return calendar_from_settings(file_settings, package_source=cached_package_days)
        except ValueError as exc:
            raise QmsError(
                _("{path}: {reason}").format(path=calendar_file, reason=exc),
                _("list each date only once, either as a day off or as a working day"),
            ) from None
    if settings is None and root is not None:
        settings = repo_calendar_settings(root)
    try:
        return calendar_from_settings(settings, package_source=cached_package_days)
    except ValueError as exc:
        raise QmsError(
            _("qms.yaml: {reason}").format(reason=exc),
            _("list each date only once, either as a day off or as a working day"),
        ) from None


@cache
def repository_calendar(root: Path) -> WorkingCalendar:
    """The calendar of the repository at ``root`` for the register's due dates (read once per run).

    An unreadable qms.yaml gives the default calendar (``qms check`` reports it); an invalid
    ``calendar:`` section is a :class:`~qms.errors.ConfigError`.
    """
    from pydantic import ValidationError

    try:
        return calendar_from_settings(CalendarSettings.model_validate(calendar_section(root, strict=False)),
                                      package_source=cached_package_days)
    except (ValidationError, ValueError) as exc:
        raise ConfigError(_("qms.yaml: invalid calendar settings: {reason}").format(reason=exc),
                          _("fix the `calendar:` section of qms.yaml")) from None
