"""``qms flow report``: where dossiers lose time, step by step and agency by agency, from hand-over logs
(CSV or XLSX), and which dossiers did not follow the process map. Runs inside a QMS repository: the
process maps, calendar (office hours) and people come from it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from qms.cli.calendar import calendar_option, find_repo, load_calendar
from qms.cli.common import (
    as_of_option,
    doc_lang_option,
    document_language,
    force_option,
    keep_freed_memory,
    keep_large_blocks,
)
from qms.i18n import _, get_language


@click.group("flow")
def flow() -> None:
    """Step-level time and conformance of dossiers, from hand-over logs."""


def prepare_process() -> None:
    """The process settings `flow report` runs with, made before polars is imported: polars' allocator
    keeps freed memory five seconds, the C library's serves large blocks from its heap (see
    :mod:`qms.cli.common`). The speed benchmark makes the same settings for its in-process runs."""
    keep_freed_memory(5_000)
    keep_large_blocks()


@flow.command("report")
@click.argument("logs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--procedure", default=None, help="Report on this process only (process id or national procedure code).")
@click.option("--by", type=click.Choice(["step", "agency"]), default="step", show_default=True,
              help="Rows of the text and CSV report: the procedure's steps or its agencies.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "html", "pdf"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file (required for pdf).")
@as_of_option("Reference date: hand-overs after it are left out, open ones are in progress (default: today).")
@click.option("--columns", "columns_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="YAML mapping canonical column name -> header text in the log.")
@click.option("--people", "people_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="YAML mapping person (as the log writes them) -> role id, beside organisation.people.")
@click.option("--period", default=None, help="Dossiers received in this period, e.g. 2026-01..2026-06.")
@click.option("--compare", "compare", default=None, metavar="PERIOD",
              help="Set this period beside --period, step by step (e.g. before and after a corrective action).")
@click.option("--elapsed", is_flag=True, help="Count elapsed clock hours (24/7) instead of working hours.")
@click.option("--raise-nc", "raise_nc", is_flag=True,
              help="Raise a nonconformity per procedure whose bottleneck step exceeded its budget too often "
                   "(once per period; needs --period).")
@click.option("--nc-share", "nc_share", type=click.FloatRange(0, 100), default=5.0, show_default=True,
              help="With --raise-nc: the percentage of dossiers over budget at the bottleneck step that raises one.")
@click.option("--raised-by", "raised_by", default=None, help="Who raises the nonconformities (default: git user.name).")
@calendar_option
@doc_lang_option
@force_option
def report(logs: tuple[Path, ...], procedure: str | None, by: str, fmt: str, output: Path | None,
           as_of: dt.date | None, columns_file: Path | None, people_file: Path | None, period: str | None,
           compare: str | None, elapsed: bool, raise_nc: bool, nc_share: float, raised_by: str | None,
           calendar_file: Path | None, doc_lang: str | None, force: bool) -> None:
    """Per step and agency: dossiers, median and 90th-percentile working time, budget and time over it,
    bottlenecks, waiting between agencies, and the dossiers whose route the process map does not allow.

    Exit code 1 when a procedure's real routes often differ from its map, 2 for unusable input.
    """
    prepare_process()
    from qms.errors import QmsError
    from qms.flow.usecase import FlowRequest, run_flow_report
    from qms.kpi import parse_period

    repo = find_repo()
    if repo is None:
        raise QmsError(_("qms flow report needs a QMS repository: the process maps say what the route should be"),
                       _("run it inside the repository (where qms.yaml is), or pass --root"))
    lang = (document_language(click.get_current_context(), doc_lang, root=repo) if fmt in ("html", "pdf")
            else get_language())
    outcome = run_flow_report(
        FlowRequest(logs=logs, root=repo, as_of=as_of or dt.date.today(), procedure=procedure, by=by, fmt=fmt,
                    output=output, columns_file=columns_file, people_file=people_file, calendar_file=calendar_file,
                    period=parse_period(period) if period else None,
                    compare=parse_period(compare) if compare else None, elapsed=elapsed, raise_nc=raise_nc,
                    nc_share=nc_share / 100, raised_by=raised_by, force=force, lang=lang),
        load_calendar,
    )
    if outcome.body is not None:
        click.echo(outcome.body, nl=False)
    else:
        click.echo(_("wrote {path}").format(path=outcome.written), err=True)
    for line in outcome.messages:
        click.echo(line, err=True)
    if outcome.findings:
        click.get_current_context().exit(1)


@flow.command("pnml")
@click.argument("process")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the Petri net to this file instead of standard output.")
@force_option
def pnml(process: str, output: Path | None, force: bool) -> None:
    """Export a process map as a Petri net (PNML) for process-mining tools such as PM4Py."""
    from qms.errors import QmsError
    from qms.flow.usecase import export_pnml

    repo = find_repo()
    if repo is None:
        raise QmsError(_("qms flow report needs a QMS repository: the process maps say what the route should be"),
                       _("run it inside the repository (where qms.yaml is), or pass --root"))
    text = export_pnml(repo, process, output, force=force)
    if text is not None:
        click.echo(text, nl=False)
    else:
        click.echo(_("wrote {path}").format(path=output), err=True)
