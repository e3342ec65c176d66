"""``qms kpi report``: on-time rate of dossiers from one-stop logs (CSV or XLSX)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from qms.cli.calendar import calendar_option, load_calendar, parse_day
from qms.errors import QmsError
from qms.i18n import _


@click.group("kpi")
def kpi() -> None:
    """Dossier-processing KPIs (early / on time / late) from one-stop system exports."""


@kpi.command("report")
@click.argument("logs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--period", default=None, help="Reporting period, e.g. 2018-04..2019-04 (months inclusive).")
@click.option("--by", type=click.Choice(["procedure", "unit", "month", "mechanism"]), default=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--as-of", "as_of", default=None, help="Reference date for unresolved dossiers (default: today).")
@click.option("--target", type=click.FloatRange(0, 100), default=None, help="Objective: on-time rate >= TARGET %.")
@click.option(
    "--limits",
    "limits_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="YAML mapping procedure_id -> legal time limit in working days (used when a row has no due date).",
)
@click.option(
    "--columns",
    "columns_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="YAML mapping canonical column name -> header text in the export.",
)
@calendar_option
def report(
    logs: tuple[Path, ...],
    period: str | None,
    by: str | None,
    fmt: str,
    as_of: str | None,
    target: float | None,
    limits_file: Path | None,
    columns_file: Path | None,
    calendar_file: Path | None,
) -> None:
    """Classify dossiers and report counts and the on-time rate.

    Exit code 1 when the target is missed, 2 for unusable input files.
    """
    from qms.kpi import Classifier, parse_period, to_csv, to_json, to_text
    from qms.store.dossier_logs import load_column_map, load_limits, open_dossier_log

    span = parse_period(period) if period else None
    reference = parse_day(as_of, "--as-of") if as_of else dt.date.today()
    limits = load_limits(limits_file) if limits_file else {}
    columns = load_column_map(columns_file) if columns_file else {}
    cal = load_calendar(calendar_file)
    clf = Classifier(cal, limits, as_of=reference, period=span, by=by, column_map=columns)
    for path in logs:
        with open_dossier_log(path) as source:
            try:
                clf.add(source)
            except UnicodeDecodeError as exc:
                raise QmsError(
                    _("{path}:{row}: the file is not valid {encoding} text here ({reason})").format(
                        path=path, row=source.line() + 1, encoding=exc.encoding, reason=exc.reason
                    ),
                    _(
                        "save the file as UTF-8 (Excel: Save As > 'CSV UTF-8'), or convert it, e.g. "
                        "iconv -f CP1258 -t UTF-8 in.csv > out.csv"
                    ),
                ) from None
    result = clf.result()
    render = {"json": to_json, "csv": to_csv, "text": to_text}[fmt]
    click.echo(render(result, target), nl=False)
    if target is not None:
        from qms.kpi import check_target

        if not check_target(result.counts, target).met:
            click.get_current_context().exit(1)
