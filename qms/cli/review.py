"""``qms review``: the management review pack (9.3.2) and the review record (9.3.3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from qms.cli.common import as_of_option, document_language, force_option, happened_on, repo_root
from qms.i18n import _


@click.group("review")
def review() -> None:
    """Management review: the pack of 9.3.2 inputs and the record of its outputs."""


def _span(period: str) -> tuple[dt.date, dt.date]:
    from qms.kpi import parse_period

    return parse_period(period)


@review.command("pack")
@click.option("--period", required=True, help="Period reviewed, e.g. 2026-01..2026-12.")
@click.option("--logs", "logs", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Dossier log (CSV/XLSX) for the KPIs; repeat for several files.")
@click.option("--flow-logs", "flow_logs", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Hand-over log (CSV/XLSX) for where dossiers lose time (qms flow report); repeat for several files.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PDF or HTML file to write.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default=None,
              help="Default: from the output file's extension.")
@click.option("--lang", "lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of the pack (default: the top-level --lang, QMS_LANG, then the organisation's language).")
@as_of_option("Reference date for overdue actions (default: today).")
@force_option
@click.pass_context
def pack(ctx: click.Context, period: str, logs: tuple[Path, ...], flow_logs: tuple[Path, ...], output: Path,
         fmt: str | None, lang: str | None, as_of: dt.date | None, force: bool) -> None:
    """Gather every input of ISO 9001:2015 9.3.2 from the repository into one document."""
    from qms.review.pack import write_pack

    root = repo_root(ctx)
    span = _span(period)
    day = as_of or dt.date.today()
    kind = fmt or ("html" if output.suffix.lower() in (".html", ".htm") else "pdf")
    from qms.store.outputs import guard_output

    guard_output(output, kind, inputs=[*logs, *flow_logs], root=root, force=force)
    write_pack(root, span, list(logs), document_language(ctx, lang, root=root), output, kind, today=day,
               flow_logs=list(flow_logs))
    click.echo(_("wrote {path}").format(path=output))


@review.command("new")
@click.option("--period", required=True, help="Period reviewed, e.g. 2026-01..2026-12.")
@click.option("--date", "date", default=None, help="Date of the review meeting (default: today).")
@click.option("--allow-future", is_flag=True, help="Accept a date after today (the step is recorded before it happens).")
@click.option("--chair", default=None, help="Person id of the chair (default: the first person of qms.yaml).")
@click.pass_context
def new(ctx: click.Context, period: str, date: str | None, allow_future: bool, chair: str | None) -> None:
    """Create records/reviews/MR-YYYY-NN.yaml for a review, to be completed after the meeting."""
    from qms.cli.calendar import parse_day
    from qms.review.records import new_review

    root = repo_root(ctx)
    day = parse_day(date, "--date") if date else dt.date.today()
    happened_on(day, "--date", allow_future)
    path = new_review(root, period, _span(period), day, chair)
    click.echo(_("created {path}").format(path=path.relative_to(root).as_posix()))
