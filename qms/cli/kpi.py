"""``qms kpi report``: on-time rate of dossiers from one-stop logs (CSV or XLSX).

Inside a QMS repository the procedure time limits, mechanisms, calendar,
column mapping and quality objectives come from ``qms.yaml`` and
``processes/``; explicit ``--limits``, ``--columns`` and ``--calendar`` files
override them, and outside a repository they are the only source.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from qms.cli.calendar import calendar_option, find_repo, load_calendar, parse_day
from qms.cli.common import force_option
from qms.errors import QmsError
from qms.i18n import _, get_language


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
              help="Processes for large CSV logs (default: up to 2; 1 reads in one process).")
@click.option("--engine", type=click.Choice(["auto", "python", "polars"]), default="auto", show_default=True,
              help="Reader for CSV logs: polars (vectorised) or python (row by row); auto uses polars "
                   "for files of 32 MB or more. The results are the same.")
@calendar_option
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
    engine: str,
    calendar_file: Path | None,
    force: bool,
) -> None:
    """Classify dossiers and report counts and the on-time rate.

    Exit code 1 when an objective (or --target) is missed, 2 for unusable input files.
    """
    from qms.kpi import Classifier, check_target, parse_period
    from qms.kpi.columns import CANONICAL
    from qms.kpi.report import check_objectives
    from qms.store.dossier_logs import load_column_map, load_limits

    span = parse_period(period) if period else None
    reference = parse_day(as_of, "--as-of") if as_of else dt.date.today()
    if fmt == "pdf" and output is None:
        raise QmsError(_("--format pdf needs an output file"), _("add -o REPORT.pdf"))
    root = find_repo()
    if output is not None:
        from qms.store.outputs import guard_output

        guard_output(output, fmt, inputs=[*logs, limits_file, columns_file, calendar_file], root=root,
                     force=force)
    repo = None
    if root is not None:
        from qms.kpi.repo import load_repo_kpi

        repo = load_repo_kpi(root)
    if raise_nc and (repo is None or span is None):
        raise QmsError(
            _("--raise-nc needs a QMS repository and a --period"),
            _("run inside the repository (or pass --root) and give the period, e.g. --period 2026-01..2026-06"),
        )
    limits = dict(repo.limits) if repo else {}
    if limits_file:
        limits.update(load_limits(limits_file))
    columns = dict(repo.columns) if repo else {}
    if columns_file:
        columns.update(load_column_map(columns_file, CANONICAL))
    cal = load_calendar(calendar_file, repo.calendar if repo else None)
    series: tuple[str, ...] = ("procedure", "unit") if fmt in ("html", "pdf") else ()
    if raise_nc and "procedure" not in series:
        series = (*series, "procedure")  # nonconformities are raised per process with its own figures
    clf = Classifier(cal, limits, as_of=reference, period=span, by=by, column_map=columns,
                     mechanisms=repo.mechanisms if repo else None, series=series,
                     procedure_names=repo.names if repo else None)
    from qms.kpi.logs import read_logs

    read_logs(clf, logs, workers, engine)
    result = clf.result()
    objectives = []
    if target is None and repo is not None:
        objectives = check_objectives(result.counts, repo.objectives, get_language())
    raised: list[str] = []
    if raise_nc and repo is not None and span is not None:
        from qms.kpi.nc_link import raise_missed

        raised = raise_missed(repo, result, objectives, span, target=target, by=raised_by,
                              series=clf.series_counts)
    if fmt in ("html", "pdf"):
        from qms.kpi.html import write_report

        assert output is not None or fmt == "html"
        text = write_report(result, clf.series_counts, fmt, output, target=target, objectives=objectives,
                            root=root, lang=get_language())
        if output is None:
            click.echo(text, nl=False)
        else:
            click.echo(_("wrote {path}").format(path=output), err=True)
    else:
        from qms.kpi import to_csv, to_json, to_text

        render = {"json": to_json, "csv": to_csv, "text": to_text}[fmt]
        body = render(result, target, objectives)
        if output is not None:
            from qms.store.atomic import atomic_write_text

            atomic_write_text(output, body)
        else:
            click.echo(body, nl=False)
    for line in raised:
        click.echo(line, err=True)
    missed = (target is not None and not check_target(result.counts, target).met) or any(
        not o.met for o in objectives
    )
    if missed:
        click.get_current_context().exit(1)
