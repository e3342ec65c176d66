"""``qms calendar``: working-day arithmetic with Vietnamese public holidays and the override table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from qms.calendar import CalendarRangeError, CalendarSettings, WorkingCalendar
from qms.errors import QmsError
from qms.i18n import _, get_language
from qms.output.safe import one_line

F = TypeVar("F", bound=Callable[..., Any])


def calendar_option(func: F) -> F:
    return click.option(
        "--calendar",
        "calendar_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="YAML file with a calendar section (weekend, extra_days_off, extra_working_days); "
        "default: the calendar of the repository's qms.yaml.",
    )(func)


def find_repo(ctx: click.Context | None = None) -> Path | None:
    """The QMS repository the command runs in (``--root`` or qms.yaml found upward), or None."""
    from qms.cli.common import repo_root
    from qms.errors import WorkspaceNotFound

    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return None
    try:
        return repo_root(ctx)
    except WorkspaceNotFound:
        obj = ctx.find_root().obj
        if isinstance(obj, dict) and obj.get("root") is not None:
            raise  # an explicit --root that is not a repository is an error
        return None


def load_calendar(calendar_file: Path | None, settings: CalendarSettings | None = None) -> WorkingCalendar:
    """``--calendar FILE`` if given; else ``settings`` (e.g. the repository's); else the repository
    found from the current directory; else the built-in Vietnamese calendar."""
    from qms.store import calendar as store_calendar

    root = find_repo() if calendar_file is None and settings is None else None
    return store_calendar.load_calendar(calendar_file, settings, root)


def parse_day(text: str, what: str = "DATE") -> dt.date:
    from qms.kpi.dates import DAY_SHIFT, DateError, parse_value

    try:
        return dt.date.fromordinal(parse_value(text) >> DAY_SHIFT)
    except DateError as exc:
        raise QmsError(
            _("{what}: {text!r} is not a date ({reason})").format(what=what, text=text, reason=exc),
            _("write dates as YYYY-MM-DD (or dd/mm/yyyy), e.g. 2019-01-31"),
        ) from None


def _range_error(exc: CalendarRangeError) -> QmsError:
    return QmsError(str(exc), _("the calendar covers the years 1901 to 2100"))


@click.group("calendar")
def calendar() -> None:
    """Working days of Vietnamese public agencies (holidays, compensatory days, swapped Saturdays)."""


def _hhmm(text: str | None, what: str) -> dt.time | None:
    from qms.models.process import parse_hhmm

    if text is None:
        return None
    value = parse_hhmm(text)
    if value is None:
        raise click.BadParameter(_("{text!r} is not a time of day; write HH:MM, e.g. 15:00").format(text=text),
                                 param_hint=what)
    return value


def _office_end(calendar_file: Path | None) -> dt.time | None:
    """The end of the last office-hours span of the calendar in use (None without office hours)."""
    from qms.store import calendar as store_calendar

    settings: CalendarSettings | None = None
    if calendar_file is not None:
        settings = store_calendar.load_calendar_settings(calendar_file)
    else:
        root = find_repo()
        if root is not None:
            settings = store_calendar.repo_calendar_settings(root)
    spans = settings.office_spans() if settings is not None else []
    return spans[-1][1] if spans else None


@calendar.command("add-working-days")
@click.argument("date")
@click.argument("n", type=int)
@click.option("--at", "at_text", metavar="HH:MM", default=None,
              help=_("Time the dossier was received: after the cut-off hour the count starts from the next working "
                     "day."))
@click.option("--cutoff", "cutoff_text", metavar="HH:MM", default=None,
              help=_("Cut-off hour for --at (default: the end of the calendar's office_hours)."))
@calendar_option
def add_working_days(date: str, n: int, at_text: str | None, cutoff_text: str | None,
                     calendar_file: Path | None) -> None:
    """Print the N-th working day after DATE (DATE itself is not counted; negative N counts back).

    With --at, a dossier received after the cut-off hour counts from the next working day: N = 0 (same
    day) gives the next working day."""
    cal = load_calendar(calendar_file)
    at = _hhmm(at_text, "--at")
    cutoff = _hhmm(cutoff_text, "--cutoff")
    if cutoff is not None and at is None:
        raise click.UsageError(_("--cutoff needs --at (the time the dossier was received)"))
    day = parse_day(date)
    try:
        if at is not None:
            if n < 0:
                raise click.UsageError(_("--at counts forward only; give N >= 0"))
            if cutoff is None:
                cutoff = _office_end(calendar_file)
            if cutoff is None:
                raise QmsError(_("no cut-off hour: give --cutoff HH:MM or set calendar.office_hours in qms.yaml"),
                               _("e.g. --cutoff 15:00, or office_hours: ['07:30-11:30', '13:30-17:00']"))
            if at > cutoff:  # counted from the next working day, as `qms kpi report` does
                n += 1
        click.echo(cal.add_working_days(day, n).isoformat())
    except CalendarRangeError as exc:
        raise _range_error(exc) from None


@calendar.command("working-days")
@click.argument("start", metavar="FROM")
@click.argument("end", metavar="TO")
@click.option("--inclusive", is_flag=True, help="Count FROM as well (default: days after FROM up to and including TO).")
@calendar_option
def working_days(start: str, end: str, inclusive: bool, calendar_file: Path | None) -> None:
    """Print the number of working days after FROM up to and including TO."""
    cal = load_calendar(calendar_file)
    try:
        click.echo(str(cal.working_days_between(parse_day(start, "FROM"), parse_day(end, "TO"), inclusive=inclusive)))
    except CalendarRangeError as exc:
        raise _range_error(exc) from None


@calendar.command("holidays")
@click.argument("year", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@calendar_option
def holidays(year: int, fmt: str, calendar_file: Path | None) -> None:
    """List the days off and swapped working days of YEAR."""
    cal = load_calendar(calendar_file)
    try:
        days = cal.holidays_in(year)
    except CalendarRangeError as exc:
        raise _range_error(exc) from None
    from qms.calendar.official import is_estimate
    from qms.output.calendar import holidays_json, holidays_text

    if fmt == "json":
        click.echo(holidays_json(days))
    elif days or is_estimate(year):
        click.echo(holidays_text(days, get_language(), estimate_year=year if is_estimate(year) else None))


@calendar.command("package-diff")
@click.argument("years", nargs=-1, type=int, required=True)
def package_diff(years: tuple[int, ...]) -> None:
    """Report where the installed holidays package disagrees with qms's table of official schedules
    (the table wins; this is a report and always exits 0)."""
    from qms.calendar.core import package_version
    from qms.calendar.official import package_disagreements, schedules

    click.echo(_("holidays package {version}").format(version=package_version()))
    for year in years:
        if year not in schedules():
            click.echo(_("{year}: not in the table of official schedules").format(year=year))
            continue
        diffs = package_disagreements(year, lang=get_language())
        if not diffs:
            click.echo(_("{year}: the package agrees with the table").format(year=year))
        for d in diffs:
            table = _("day off") if d.table_day_off else _("working day")
            package = _("day off") if d.package_day_off else _("working day")
            click.echo(_("{date}: table says {table}, package says {package} {name}").format(
                date=d.date.isoformat(), table=table, package=package,
                name=f"({one_line(d.package_name)})" if d.package_name else ""))
