"""``qms kpi report``: on-time rate of dossiers from one-stop logs (CSV or XLSX).

Inside a QMS repository the procedure time limits, mechanisms, calendar,
column mapping and quality objectives come from ``qms.yaml`` and
``processes/``; explicit ``--limits``, ``--columns`` and ``--calendar`` files
override them, and outside a repository they are the only source.
"""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import click

from qms.cli.calendar import calendar_option, find_repo, load_calendar, parse_day
from qms.cli.common import doc_lang_option, document_language, force_option, keep_freed_memory
from qms.i18n import _, get_language, normalise_language, use_language


@click.group("kpi")
def kpi() -> None:
    """Dossier-processing KPIs (early / on time / late) from one-stop system exports."""


@kpi.command("report")
@click.argument("logs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--period", default=None, help="Reporting period, e.g. 2018-04..2019-04 (months inclusive).")
@click.option("--by", type=click.Choice(["procedure", "unit", "month", "mechanism"]), default=None)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv", "html", "pdf"]), default="text", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file (required for pdf).")
@click.option("--as-of", "as_of", default=None, help="Reference date for unresolved dossiers (default: today).")
@click.option("--target", type=click.FloatRange(0, 100), default=None,
              help="Objective: on-time rate >= TARGET percent (default: the repository's on_time_rate objectives).")
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
@click.option("--raise-nc", "raise_nc", is_flag=True,
              help="Raise a nonconformity for each missed objective (once per period; needs --period).")
@click.option("--raised-by", "raised_by", default=None, help="Who raises the nonconformities (default: git user.name).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Deprecated, does nothing: one engine reads every log. Removed in the next release.")
@click.option("--engine", type=click.Choice(["auto", "python", "polars"]), default=None,
              help="Deprecated, does nothing: one engine reads every log. Removed in the next release.")
@calendar_option
@doc_lang_option
@force_option
def report(
    logs: tuple[Path, ...],
    period: str | None,
    by: str | None,
    fmt: str,
    output: Path | None,
    as_of: str | None,
    target: float | None,
    limits_file: Path | None,
    columns_file: Path | None,
    raise_nc: bool,
    raised_by: str | None,
    workers: int | None,
    engine: str | None,
    calendar_file: Path | None,
    doc_lang: str | None,
    force: bool,
) -> None:
    """Classify dossiers and report counts and the on-time rate.

    Exit code 1 when an objective (or --target) is missed, 2 for unusable input files.
    """
    # Like `qms check`: the report allocates acyclic data (columns live in polars); a run leaves the
    # same ~1,300 objects in cycles whatever the size of the logs (measured at 127,535 and 600,000
    # rows), so the collector's passes over the imported modules and the repository buy nothing.
    gc.disable()
    keep_freed_memory()
    from qms.kpi import parse_period
    from qms.kpi.usecase import ReportRequest, run_report

    if engine is not None or workers is not None:
        click.echo(_("note: --engine and --workers are deprecated and do nothing (one engine reads every log); "
                     "they will be removed in the next release"), err=True)
    span = parse_period(period) if period else None
    reference = parse_day(as_of, "--as-of") if as_of else dt.date.today()
    repo = find_repo()
    # a document (html, pdf) is in the document language; text, csv and json follow the messages, or
    # the command's own --lang when it is given
    if fmt in ("html", "pdf"):
        lang = document_language(click.get_current_context(), doc_lang, root=repo)
    else:
        lang = normalise_language(doc_lang) if doc_lang else get_language()
    with use_language(lang):
        outcome = run_report(
            ReportRequest(logs=logs, as_of=reference, period=span, by=by, fmt=fmt, output=output, target=target,
                          limits_file=limits_file, columns_file=columns_file, calendar_file=calendar_file,
                          raise_nc=raise_nc, raised_by=raised_by, force=force, root=repo, lang=lang),
            load_calendar,
        )
    if outcome.body is not None:
        click.echo(outcome.body, nl=False)
    elif outcome.announce_written:
        click.echo(_("wrote {path}").format(path=outcome.written), err=True)
    for line in outcome.messages:
        click.echo(line, err=True)
    if outcome.missed:
        click.get_current_context().exit(1)
